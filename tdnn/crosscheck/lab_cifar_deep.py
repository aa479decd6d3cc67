"""The Keras cross-check of the CIFAR lab: the learning-rate finder against Keras'
``ExponentialDecay`` (from the chapter module), and 1cycle against Keras' own
``LearningRateScheduler`` fed with a 1cycle written here. That 1cycle answers the lr_scheduling
chapter's graded ``one_cycle``, so it stays in the instructor's kit, and it is written as an
interpolation between the phase ends (not the solution's three linear pieces), so that the
solution is checked against an independent form."""
from __future__ import annotations

import warnings

import numpy as np

from tdnn.chapters.lab_cifar_deep import KERAS_ATOL, _fit, _keras, _optimizer, max_difference
from tdnn.chapters.lab_cifar_deep import keras_observation as _chapter_observation

__all__ = ["KERAS_ATOL", "keras_observation", "max_difference", "one_cycle_rate"]


def one_cycle_rate(step: int, total_steps: int, max_lr: float, start_lr=None, last_lr=None):
    """The 1cycle rate of one step: start_lr → max_lr at 45 % of the steps, back to start_lr at
    90 %, then down to last_lr (defaults max_lr / 10 and start_lr / 1000)."""
    start_lr = max_lr / 10 if start_lr is None else start_lr
    last_lr = start_lr / 1000 if last_lr is None else last_lr
    return float(np.interp(step / total_steps, [0.0, 0.45, 0.9, 1.0],
                           [start_lr, max_lr, start_lr, last_lr]))


def keras_observation(part: str, case: dict):
    """The learning rates Keras' own tools give on the case: ``LearningRateScheduler`` over
    ``total_steps`` one-batch epochs (so that an epoch is a step) for 1cycle."""
    if part != "OneCycleScheduler":
        return _chapter_observation(part, case)
    keras = _keras()
    kw = case["kwargs"]
    total = case["n"] // case["batch_size"] * case["epochs"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = keras.callbacks.LearningRateScheduler(
            lambda epoch, lr: one_cycle_rate(epoch, **kw))
        probe, _ = _fit(sched, case, _optimizer("sgd", 1.0), epochs=total, batch_size=case["n"])
    return {"kind": part, "lr_used": np.array(probe.lr_used)}
