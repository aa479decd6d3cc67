"""The Keras cross-check of the regularization chapter: ``keras.regularizers.L2`` for the penalty
and its gradient, and ``keras.layers.Dropout`` wrapped in the exercise's forward/backward
interface. That wrapper is a working ``Dropout`` for the exercise (with Keras inside), so it lives
here, out of the chapter module the student edition ships (see :func:`tdnn.chapters.keras_side`).
"""
from __future__ import annotations

import numpy as np

from tdnn.chapters.regularization import dropout_facts, verdicts
from tdnn.engine import compare as cmp

#: Keras 3.15.1's ``L2.__call__`` is ``ops.cast(self.l2, x.dtype) * ops.sum(ops.square(x))``,
#: and the Python float ``l2`` becomes a float32 tensor before that cast: even on float64
#: weights the coefficient is rounded to float32 (relative error up to 3e-8).
KERAS_ATOL = 1e-6


class _KerasDropout:
    """``keras.layers.Dropout`` behind this chapter's forward/backward interface."""

    def __init__(self, keras, tf, rate, dtype, seed):
        self.tf = tf
        self.layer = keras.layers.Dropout(rate, seed=seed, dtype=dtype)

    def forward(self, x, train=True):
        tf = self.tf
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            out = self.layer(xt, training=train)
        self._tape, self._x, self._out = tape, xt, out
        result = out.numpy()
        if train:
            self.mask = result != 0
        return result

    def backward(self, dout):
        return self._tape.gradient(self._out, self._x,
                                   output_gradients=self.tf.constant(dout)).numpy()


def keras_observation(part: str, case: dict):
    """What Keras 3 computes for the case: ``keras.regularizers.L2(l2=lam/2)`` for the penalty
    (Keras' L2 has no ½) and its gradient by ``tf.GradientTape``; ``keras.layers.Dropout``
    through the same property checks (its own random numbers, so only properties compare)."""
    import keras  # only when references are built
    import tensorflow as tf

    if part == "dropout":
        rate = 0.5 if case["rate"] is None else case["rate"]
        x = np.asarray(case["x"])
        return dropout_facts(lambda: _KerasDropout(keras, tf, rate, str(x.dtype), case["seed"]),
                             x, case["dout"], rate, case["seed"])
    if part == "l2_penalty":
        if any(np.asarray(w).dtype != np.float64 for w in case["weights"]):
            return None
        reg = keras.regularizers.L2(l2=case["lam"] / 2)
        value = sum(float(reg(tf.constant(w, dtype=tf.float64))) for w in case["weights"])
        return {"kind": "value", "loose": False, "value": float(value), "error": None,
                "problem": None}
    if part == "l2_grad":
        w = np.asarray(case["w"])
        if w.dtype != np.float64:
            return None
        reg = keras.regularizers.L2(l2=case["lam"] / 2)
        wt = tf.Variable(w, dtype=tf.float64)
        with tf.GradientTape() as tape:
            penalty = reg(wt)
        return {"kind": "value", "loose": False, "value": tape.gradient(penalty, wt).numpy(),
                "error": None, "problem": None}
    return None


def max_difference(a: dict, b: dict) -> float:
    """Values: the largest absolute difference. Dropout: 0 when both pass the same property
    checks (same first failing property, or none), else infinity."""
    if a.get("kind") == "dropout":
        case = b["case"]
        same = cmp.first_failure(verdicts(a, case)) == cmp.first_failure(verdicts(b, case))
        return 0.0 if same else float("inf")
    if a.get("error") or b.get("error"):
        return float("inf")
    x, y = np.asarray(a["value"], np.float64), np.asarray(b["value"], np.float64)
    if x.shape != y.shape:
        return float("inf")
    return float(np.max(np.abs(x - y))) if x.size else 0.0
