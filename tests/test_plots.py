"""Tests of the figure helpers (tdnn.plots) and of the optimizers' test surface (tdnn.surfaces).

Figures are drawn on synthetic arrays with matplotlib's Agg backend and inspected through
matplotlib's own objects; nothing here imports TensorFlow except the one Keras walk at the end.
"""
from __future__ import annotations

import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
from matplotlib.contour import QuadContourSet  # noqa: E402

from tdnn import plots, surfaces  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def bowl(x, y):
    return x**2 + 4 * y**2


def straight_walk(n_points: int, scale: float = 1.0) -> np.ndarray:
    return np.column_stack([np.linspace(-3, 0, n_points), np.linspace(2, 0, n_points)]) * scale


def trajectory_lines(ax):
    """The lines of an axes that carry a legend label (the walks; markers have none)."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


# --- tdnn.plots: trajectories -------------------------------------------------------------


def test_one_panel_per_trajectory_each_with_its_walk_and_contours():
    """Does plot_trajectories draw one titled panel per optimizer, holding its walk over contours?"""
    walks = {"A": straight_walk(5), "B": straight_walk(7, 0.5), "C": straight_walk(3, 0.2)}
    fig = plots.plot_trajectories(walks, bowl, (-4, 4), (-3, 3), ncols=2)

    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert len(fig.axes) == 4  # a 2 x 2 grid whose spare panel is hidden
    for ax, (name, points) in zip(visible, walks.items()):
        (line,) = trajectory_lines(ax)
        assert line.get_label() == name
        np.testing.assert_array_equal(line.get_xdata(), points[:, 0])
        np.testing.assert_array_equal(line.get_ydata(), points[:, 1])
        assert ax.get_title().startswith(f"{name}: f = ")
        assert any(isinstance(c, QuadContourSet) for c in ax.collections)
        assert ax.get_xlim() == (-4, 4) and ax.get_ylim() == (-3, 3)


def test_panel_titles_give_f_where_the_walk_ends():
    """Does each title report f at the last point of the walk, not at the start?"""
    points = np.array([[2.0, 1.0], [1.0, 0.5]])  # bowl(1, 0.5) = 1 + 1 = 2
    fig = plots.plot_trajectories({"walk": points}, bowl, (-3, 3), (-3, 3))
    assert fig.axes[0].get_title() == "walk: f = 2"


def test_contour_levels_follow_the_surface():
    """Are the default contour levels spread over the values the surface takes in the window?"""
    fig, ax = plt.subplots()
    contours = plots.draw_surface(ax, bowl, (-2, 2), (-1, 1), levels=6)
    levels = np.asarray(contours.levels)
    largest = bowl(2, 1)
    assert len(levels) == 6
    assert np.isclose(levels.max(), largest)
    assert 0 < levels.min() < largest / 100
    assert np.all(np.diff(levels) > 0)


def test_contour_levels_can_be_given():
    fig, ax = plt.subplots()
    contours = plots.draw_surface(ax, bowl, (-2, 2), (-1, 1), levels=[0.5, 1.0, 2.0])
    np.testing.assert_array_equal(contours.levels, [0.5, 1.0, 2.0])


def test_axis_labels_on_the_outer_panels_and_the_suptitle():
    """Do the bottom row carry 'x', the left column 'y', and the figure its title?"""
    walks = {name: straight_walk(4) for name in "ABCD"}
    fig = plots.plot_trajectories(walks, bowl, (-4, 4), (-3, 3), ncols=2, title="Four walks")
    assert [ax.get_xlabel() for ax in fig.axes] == ["", "", "x", "x"]
    assert [ax.get_ylabel() for ax in fig.axes] == ["y", "", "y", ""]
    assert fig._suptitle.get_text() == "Four walks"


def test_same_order_same_colours():
    """Does an optimizer keep its colour from the trajectory figure to the learning curves?"""
    walks = {"A": straight_walk(3), "B": straight_walk(3)}
    histories = {"A": {"loss": [2.0, 1.0]}, "B": {"loss": [3.0, 1.5]}}
    trajectory_fig = plots.plot_trajectories(walks, bowl, (-4, 4), (-3, 3))
    curves_fig = plots.plot_learning_curves(histories, metrics=("loss",))
    walk_colours = [trajectory_lines(ax)[0].get_color() for ax in trajectory_fig.axes]
    curve_colours = [line.get_color() for line in trajectory_lines(curves_fig.axes[0])]
    assert walk_colours == curve_colours
    assert walk_colours[0] != walk_colours[1]


def test_bad_trajectory_shapes_are_refused():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"\(steps \+ 1, 2\)"):
        plots.draw_trajectory(ax, np.zeros((5, 3)), label="bad")
    with pytest.raises(ValueError):
        plots.plot_trajectories({}, bowl, (-1, 1), (-1, 1))


# --- tdnn.plots: learning curves ----------------------------------------------------------


def test_learning_curves_one_line_per_run_in_each_metric_panel():
    """Does plot_learning_curves draw each run's values against epochs 1..n, once per metric?"""
    histories = {
        "SGD": {"loss": [2.0, 1.5, 1.2], "val_accuracy": [0.5, 0.6, 0.7]},
        "Adam": {"loss": [1.0, 0.5, 0.3], "val_accuracy": [0.8, 0.9, 0.95]},
    }
    fig = plots.plot_learning_curves(histories, metrics=("loss", "val_accuracy"), title="Runs")
    loss_ax, accuracy_ax = fig.axes
    for ax, metric in ((loss_ax, "loss"), (accuracy_ax, "val_accuracy")):
        lines = trajectory_lines(ax)
        assert [line.get_label() for line in lines] == ["SGD", "Adam"]
        for line, history in zip(lines, histories.values()):
            np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
            np.testing.assert_array_equal(line.get_ydata(), history[metric])
        assert ax.get_xlabel() == "epoch"
    assert loss_ax.get_ylabel() == "training loss"
    assert accuracy_ax.get_ylabel() == "validation accuracy"
    assert fig._suptitle.get_text() == "Runs"
    legend = accuracy_ax.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["SGD", "Adam"]


def test_learning_curves_log_scale_only_where_asked():
    histories = {"run": {"loss": [1.0, 0.1], "val_loss": [1.2, 0.3]}}
    fig = plots.plot_learning_curves(histories, metrics=("loss", "val_loss"), log_scale=("loss",))
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "linear"]


def test_unknown_metric_names_are_used_as_labels():
    fig = plots.plot_learning_curves({"run": {"top5": [0.1, 0.2]}}, metrics=("top5",))
    assert fig.axes[0].get_ylabel() == "top5"


def test_helpers_do_not_import_tensorflow():
    """Can a NumPy exercise draw its figures and walk the bowl without paying for TensorFlow?"""
    code = ("import sys, tdnn.plots, tdnn.surfaces; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


# --- tdnn.surfaces ------------------------------------------------------------------------


def test_gradient_matches_finite_differences():
    """Is grad_f the gradient of f, checked by centred differences at scattered points?"""
    rng = np.random.default_rng(0)
    h = 1e-6
    for x, y in rng.uniform(-10, 10, size=(20, 2)):
        gx, gy = surfaces.grad_f(x, y)
        assert np.isclose(gx, (surfaces.f(x + h, y) - surfaces.f(x - h, y)) / (2 * h), atol=1e-6)
        assert np.isclose(gy, (surfaces.f(x, y + h) - surfaces.f(x, y - h)) / (2 * h), atol=1e-6)


def test_surface_is_saitos_bowl():
    """Is f the bowl x²/20 + y²: zero at the origin, twenty times steeper along y than x?"""
    assert surfaces.f(0.0, 0.0) == 0.0
    assert surfaces.f(np.sqrt(20.0), 0.0) == pytest.approx(1.0)
    assert surfaces.f(0.0, 1.0) == pytest.approx(1.0)
    assert surfaces.START == (-7.0, 2.0)
    grid = surfaces.f(np.zeros((2, 3)), np.ones((2, 3)))
    assert grid.shape == (2, 3)


class PlainSGD:
    """Gradient descent with the exercise API: update(params, grads) changes params in place."""

    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


def test_trajectory_of_an_exercise_api_optimizer():
    """Does trajectory() record the start and every step of an update(params, grads) optimizer?

    On this bowl one SGD step multiplies x by (1 - lr/10) and y by (1 - 2 lr), which gives the
    whole walk in closed form.
    """
    lr, steps = 0.3, 12
    walk = surfaces.trajectory(PlainSGD(lr), steps=steps)
    k = np.arange(steps + 1)
    expected = np.column_stack([-7.0 * (1 - lr / 10) ** k, 2.0 * (1 - 2 * lr) ** k])
    assert walk.shape == (steps + 1, 2) and walk.dtype == np.float64
    np.testing.assert_allclose(walk, expected, rtol=1e-12)


def test_keras_trajectory_follows_keras_sgd_rule():
    """Does keras_trajectory walk Keras' own SGD along the same closed-form path?"""
    keras = pytest.importorskip("keras")
    lr, steps = 0.3, 6
    walk = surfaces.keras_trajectory(keras.optimizers.SGD(learning_rate=lr), steps=steps)
    k = np.arange(steps + 1)
    expected = np.column_stack([-7.0 * (1 - lr / 10) ** k, 2.0 * (1 - 2 * lr) ** k])
    assert walk.shape == (steps + 1, 2)
    # Keras keeps the learning rate in float32, hence the tolerance.
    np.testing.assert_allclose(walk, expected, rtol=1e-6)
