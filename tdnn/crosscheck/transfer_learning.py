"""The Keras cross-check of the transfer-learning chapter: HOML's recipe written with Keras' own
functions, which is the answer to ``reuse_model`` (hence kept out of the chapter module)."""
from __future__ import annotations

import warnings

from tdnn.chapters.transfer_learning import _keras, _layers, reuse_facts, unfreeze_facts, verdicts
from tdnn.engine.compare import first_failure

#: The Keras cross-check compares verdicts, not numbers: 0 when Keras' own recipe gives the
#: same verdicts as the solution, infinity otherwise.
KERAS_ATOL = 0.0


def reference_reuse(model_a, n_outputs=1, activation="sigmoid"):
    """Clone A, copy its weights, drop the output layer, freeze, add a new head."""
    keras = _keras()
    clone = keras.models.clone_model(model_a)
    clone.set_weights(model_a.get_weights())
    body = [l for l in clone.layers if not isinstance(l, keras.layers.InputLayer)][:-1]
    for layer in body:
        layer.trainable = False
    return keras.Sequential([keras.Input(shape=model_a.input_shape[1:])] + body
                            + [keras.layers.Dense(n_outputs, activation=activation)])


def keras_unfreeze(model, n_layers=None):
    """Flags set layer by layer, the top ``n_layers`` reused ones (all when ``None``)."""
    layers = _layers(model)[:-1]
    for layer in layers[len(layers) - (len(layers) if n_layers is None else n_layers):]:
        layer.trainable = True


def keras_observation(part: str, case: dict):
    """The verdict-level facts of the recipe above on one hidden case."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if part == "reuse_model":
            return reuse_facts(reference_reuse, case)
        if part == "unfreeze":
            return unfreeze_facts(keras_unfreeze, case)
    return None


def max_difference(a: dict, b: dict) -> float:
    """0 when both observations pass the same property checks, else infinity."""
    case = b["case"]
    same = first_failure(verdicts(a, case)) == first_failure(verdicts(b, case))
    return 0.0 if same else float("inf")
