"""The ill-conditioned bowl of the fast-optimizers chapter, and optimizers walking on it.

The surface is Saito's (*Deep Learning from Scratch*, ch. 6):

    f(x, y) = x²/20 + y²,   ∇f(x, y) = (x/10, 2y),   minimum f(0, 0) = 0,

twenty times steeper along y than along x, so one learning rate cannot suit both directions.
Every walk starts at :data:`START` = (−7, 2), as in the book.

Two walkers, one per kind of optimizer:

- :func:`keras_trajectory` runs a ``keras.optimizers.*`` instance (Keras is imported only
  when it is called, so importing this module stays cheap);
- :func:`trajectory` runs an optimizer with the exercise API, ``update(params, grads)`` on
  ``dict[str, np.ndarray]`` (see ``docs/exercise-contract.md``), e.g. a student's own ``Adam``.

Both return an array of shape (steps + 1, 2): the start, then the point after each step.
"""
from __future__ import annotations

from typing import Any

import numpy as np

#: Where every walk starts (Saito's figure 6-1 and following).
START = (-7.0, 2.0)

#: The default window of the contour plots: the start point and the minimum fit comfortably.
XLIM = (-10.0, 10.0)
YLIM = (-5.0, 5.0)


def f(x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray | float:
    """The surface x²/20 + y², element-wise on arrays of any (broadcastable) shape."""
    return x**2 / 20.0 + y**2


def grad_f(x: np.ndarray | float, y: np.ndarray | float) -> tuple[Any, Any]:
    """The gradient (∂f/∂x, ∂f/∂y) = (x/10, 2y), element-wise."""
    return x / 10.0, 2.0 * y


def trajectory(optimizer: Any, steps: int = 30, start: tuple[float, float] = START) -> np.ndarray:
    """The points visited by an exercise-API optimizer (``update(params, grads)``) on :func:`f`.

    Parameters
    ----------
    optimizer : object with ``update(params, grads)`` that changes ``params[key]`` in place
    steps : number of calls to ``update``
    start : the point (x, y) to start from

    Returns
    -------
    np.ndarray of shape (steps + 1, 2), float64
    """
    params = {"x": np.array(start[0], dtype=np.float64), "y": np.array(start[1], dtype=np.float64)}
    points = [(float(params["x"]), float(params["y"]))]
    for _ in range(steps):
        gx, gy = grad_f(params["x"], params["y"])
        optimizer.update(params, {"x": np.asarray(gx), "y": np.asarray(gy)})
        points.append((float(params["x"]), float(params["y"])))
    return np.array(points)


def keras_trajectory(optimizer: Any, steps: int = 30,
                     start: tuple[float, float] = START) -> np.ndarray:
    """The points visited by a Keras optimizer (e.g. ``keras.optimizers.Adam(0.3)``) on :func:`f`.

    The gradient is the exact one of :func:`grad_f`, handed to ``optimizer.apply``, so the walk
    shows the optimizer's update rule alone, with no automatic differentiation in between.

    Returns
    -------
    np.ndarray of shape (steps + 1, 2), float64
    """
    import keras  # noqa: PLC0415 - TensorFlow costs seconds; only callers of this function pay

    point = keras.Variable(np.array(start, dtype=np.float64), dtype="float64")
    points = [np.array(start, dtype=np.float64)]
    for _ in range(steps):
        x, y = point.numpy()
        optimizer.apply([np.array(grad_f(x, y))], [point])
        points.append(point.numpy().astype(np.float64))
    return np.array(points)
