"""The course's figures, drawn by one helper each so that every chapter looks the same.

Matplotlib only: every function takes plain arrays (NumPy, lists, a Keras ``History.history``
dict) and never imports TensorFlow. Each returns the :class:`~matplotlib.figure.Figure` it drew,
so a page shows it and a test inspects it.

Colours follow the order of the mapping a function is given (matplotlib's ``tab10``), so the
same optimizers in the same order keep their colours from one figure to the next.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure

#: Readable names for the keys of a Keras ``History.history``.
METRIC_LABELS = {
    "loss": "training loss",
    "val_loss": "validation loss",
    "accuracy": "training accuracy",
    "val_accuracy": "validation accuracy",
}


def colors(n: int) -> list:
    """``n`` distinct colours, the first ten from ``tab10``, in order."""
    cmap = plt.get_cmap("tab10")
    return [cmap(i % 10) for i in range(n)]


def draw_surface(ax: Axes, f: Callable, xlim: tuple[float, float], ylim: tuple[float, float],
                 levels: int | Sequence[float] = 10, resolution: int = 200) -> QuadContourSet:
    """Contour lines of ``f(X, Y)`` over the window ``xlim`` × ``ylim``.

    An integer ``levels`` spaces that many levels geometrically over three decades below the
    largest value in the window, so a bowl shows rings near its bottom as well as far out.
    """
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = f(grid_x, grid_y)
    if isinstance(levels, int):
        levels = np.geomspace(values.max() / 1000, values.max(), levels)
    return ax.contour(grid_x, grid_y, values, levels=levels, colors="0.7", linewidths=0.8)


def draw_trajectory(ax: Axes, points: np.ndarray, label: str, color=None):
    """One optimizer's walk: the points of shape (steps + 1, 2) joined in order, start marked."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (steps + 1, 2), got {points.shape}")
    (line,) = ax.plot(points[:, 0], points[:, 1], "o-", color=color, markersize=3,
                      linewidth=1.2, label=label)
    ax.plot(*points[0], "s", color="black", markersize=5)
    return line


def plot_trajectories(trajectories: Mapping[str, np.ndarray], f: Callable,
                      xlim: tuple[float, float], ylim: tuple[float, float],
                      minimum: tuple[float, float] | None = (0.0, 0.0), ncols: int = 4,
                      levels: int | Sequence[float] = 10, title: str | None = None) -> Figure:
    """Small multiples: one panel per optimizer, its walk drawn over the contours of ``f``.

    Each panel's title names the optimizer and the value of ``f`` where the walk ends; a black
    square marks the start and a ``+`` the minimum (pass ``minimum=None`` to leave it out).
    """
    if not trajectories:
        raise ValueError("no trajectories to draw")
    nrows = -(-len(trajectories) // ncols)
    ncols = min(ncols, len(trajectories))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.0 * nrows + 0.6),
                             sharex=True, sharey=True, squeeze=False, layout="constrained")
    for ax, (name, points), color in zip(axes.flat, trajectories.items(),
                                         colors(len(trajectories))):
        draw_surface(ax, f, xlim, ylim, levels=levels)
        draw_trajectory(ax, points, label=name, color=color)
        if minimum is not None:
            ax.plot(*minimum, "+", color="black", markersize=10, markeredgewidth=1.5)
        end = np.asarray(points)[-1]
        ax.set_title(f"{name}: f = {f(end[0], end[1]):.3g}", fontsize=10)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
    for ax in axes.flat[len(trajectories):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    if title:
        fig.suptitle(title)
    return fig


def _label_epoch_panel(ax, metric: str, log_scale: Sequence[str]) -> None:
    """Axis labels, title, grid and (for metrics in ``log_scale``) a log y axis of one panel of
    a metric against the epoch."""
    label = METRIC_LABELS.get(metric, metric)
    if metric in log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(label)
    ax.set_title(label[0].upper() + label[1:])
    ax.grid(alpha=0.3)


def plot_learning_curves(histories: Mapping[str, Mapping[str, Sequence[float]]],
                         metrics: Sequence[str] = ("loss", "val_accuracy"),
                         log_scale: Sequence[str] = (), title: str | None = None) -> Figure:
    """One panel per metric, one line per run, against the epoch (counted from 1).

    ``histories`` maps a run's name to a Keras ``History.history``-like dict of per-epoch values.
    The metrics named in ``log_scale`` get a logarithmic y axis, which separates losses that
    differ by factors once they are small.
    """
    if not histories:
        raise ValueError("no learning curves to draw")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.8), squeeze=False,
                             layout="constrained")
    for ax, metric in zip(axes[0], metrics):
        for (name, history), color in zip(histories.items(), colors(len(histories))):
            values = np.asarray(history[metric], dtype=float)
            ax.plot(np.arange(1, len(values) + 1), values, "o-", markersize=3, color=color,
                    label=name)
        _label_epoch_panel(ax, metric, log_scale)
    axes[0, -1].legend(loc="best", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def clip_walk(points: np.ndarray, xlim: tuple[float, float],
              ylim: tuple[float, float]) -> tuple[np.ndarray, int | None]:
    """The part of a walk to draw in the window: the points up to the first one outside it (that
    segment cut at the border), and the step at which it left (``None`` if it never did)."""
    points = np.asarray(points, dtype=float)
    inside = ((points[:, 0] >= xlim[0]) & (points[:, 0] <= xlim[1])
              & (points[:, 1] >= ylim[0]) & (points[:, 1] <= ylim[1]) & np.isfinite(points).all(1))
    if inside.all() or not inside[0]:
        return points, None
    k = int(np.argmin(inside))  # the first step outside
    a, b = points[k - 1], points[k]
    # the largest fraction of the segment a -> b that stays inside the window
    fractions = [1.0]
    for axis, (lo, hi) in enumerate((xlim, ylim)):
        if np.isfinite(b[axis]) and b[axis] != a[axis]:
            for bound in (lo, hi):
                s = (bound - a[axis]) / (b[axis] - a[axis])
                if 0 <= s <= 1:
                    fractions.append(s)
        elif not np.isfinite(b[axis]):
            fractions.append(0.0)
    border = a + min(fractions) * (b - a) if np.isfinite(b).all() else a
    return np.vstack([points[:k], border]), k


def plot_walks(trajectories: Mapping[str, np.ndarray], f: Callable,
               xlim: tuple[float, float], ylim: tuple[float, float],
               minimum: tuple[float, float] | None = (0.0, 0.0), ncols: int = 4,
               levels: int | Sequence[float] = 10, title: str | None = None,
               value_label: str = "f") -> Figure:
    """Like :func:`plot_trajectories`, for a reader who sees the figure alone: the panel titles
    are the mapping's keys (name the learning rate there), a legend explains the markers, and a
    walk that leaves the window is cut at the border with an arrow and the step at which it
    left, so divergence reads as divergence rather than as lines piled along the edge (the title
    says "diverges" when the walk ends with ``f`` more than ten times its start value).
    """
    if not trajectories:
        raise ValueError("no trajectories to draw")
    nrows = -(-len(trajectories) // ncols)
    ncols = min(ncols, len(trajectories))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.1 * nrows + 0.9),
                             sharex=True, sharey=True, squeeze=False, layout="constrained")
    for ax, (name, points), color in zip(axes.flat, trajectories.items(),
                                         colors(len(trajectories))):
        draw_surface(ax, f, xlim, ylim, levels=levels)
        shown, left_at = clip_walk(points, xlim, ylim)
        ax.plot(shown[:, 0], shown[:, 1], "o-", color=color, markersize=3, linewidth=1.2,
                markevery=list(range(len(shown) - (left_at is not None))))
        ax.plot(*shown[0], "s", color="black", markersize=5)
        if minimum is not None:
            ax.plot(*minimum, "+", color="black", markersize=10, markeredgewidth=1.5)
        if left_at is None:
            end = np.asarray(points)[-1]
            ax.set_title(f"{name}\n{value_label} = {f(end[0], end[1]):.3g} at the end",
                         fontsize=9)
        else:
            ax.annotate("", xy=shown[-1], xytext=shown[-2],
                        arrowprops={"arrowstyle": "-|>", "color": "red", "lw": 1.5})
            start, end = np.asarray(points)[0], np.asarray(points)[-1]
            grows = not np.isfinite(end).all() or f(*end) > 10 * f(*start)
            ax.set_title(f"{name}\n{'diverges: ' if grows else ''}leaves the window at step "
                         f"{left_at}", fontsize=9, color="darkred" if grows else None)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
    for ax in axes.flat[len(trajectories):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    handles = [plt.Line2D([], [], marker="s", color="black", linestyle="", label="start"),
               plt.Line2D([], [], marker="o", color="0.3", markersize=3, label="one step each"),
               plt.Line2D([], [], color="0.7", label=f"contours of {value_label}")]
    if minimum is not None:
        handles.insert(1, plt.Line2D([], [], marker="+", color="black", linestyle="",
                                     markersize=9, label="minimum"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8,
               frameon=False)
    if title:
        fig.suptitle(title)
    return fig


#: Line styles and markers that tell up to 28 runs apart without colour (a grey-scale print).
GREY_SAFE_STYLES = ["-", "--", ":", "-."]
GREY_SAFE_MARKERS = ["o", "s", "^", "v", "D", "x", "*"]


def plot_seed_bands(curves: Mapping[str, Mapping[str, np.ndarray]],
                    metrics: Sequence[str] = ("loss", "val_loss"),
                    log_scale: Sequence[str] = (), title: str | None = None) -> Figure:
    """One panel per metric, one line per run: the mean over seeds, with a band from the lowest
    to the highest seed. ``curves[run][metric]`` has shape (seeds, epochs).

    Each run gets its own colour *and* its own line style and marker, so the lines can be told
    apart in grey-scale too; the panels share the y axis when they show the same kind of metric
    (training and validation loss), so their levels can be compared.
    """
    if not curves:
        raise ValueError("no learning curves to draw")
    same_kind = len({m.removeprefix("val_") for m in metrics}) == 1
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 4.0), squeeze=False,
                             sharey=same_kind, layout="constrained")
    for ax, metric in zip(axes[0], metrics):
        for i, ((name, runs), color) in enumerate(zip(curves.items(), colors(len(curves)))):
            values = np.asarray(runs[metric], dtype=float)
            epochs = np.arange(1, values.shape[1] + 1)
            style = GREY_SAFE_STYLES[i % len(GREY_SAFE_STYLES)]
            marker = GREY_SAFE_MARKERS[i % len(GREY_SAFE_MARKERS)]
            ax.fill_between(epochs, values.min(axis=0), values.max(axis=0), color=color,
                            alpha=0.18, linewidth=0)
            ax.plot(epochs, values.mean(axis=0), linestyle=style, marker=marker, markersize=4,
                    color=color, label=name)
        _label_epoch_panel(ax, metric, log_scale)
    axes[0, -1].legend(loc="best", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
