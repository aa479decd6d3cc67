"""Lab *A small CNN on CIFAR-10*: the graded Keras notebook, one part.

The contract (``docs/exercise-contract.md``, "Keras exercises"):

``build_cnn(bn="before", pooling="gap", downsample="maxpool", filters=(32, 64), n_outputs=10,
input_shape=(32, 32, 3))``
    an uncompiled ``keras.Model`` taking images of ``input_shape``. One block per entry ``f`` of
    ``filters``, in order: ``Conv2D(f, 3, padding="same")`` — with ``strides=2`` when
    ``downsample="stride"`` —, then

    - ``bn="before"``: ``BatchNormalization``, then ReLU, and the convolution has no bias
      (``use_bias=False``: the normalization's β replaces it);
    - ``bn="after"``: ReLU, then ``BatchNormalization`` (the convolution keeps its bias);
    - ``bn=None``: ReLU only (the convolution keeps its bias);

    then, when ``downsample="maxpool"``, ``MaxPooling2D(2)``. After the blocks,
    ``GlobalAveragePooling2D`` (``pooling="gap"``) or ``Flatten`` (``pooling="flatten"``), and
    ``Dense(n_outputs, activation="softmax")``.

The part is judged by properties (``Part(judged="properties")``): a model is not a number. In the
kernel, :func:`build_facts` calls the student's function on a case's arguments and records raw
facts: whether it returned a ``keras.Model`` and compiled it, the sequence of operations its
layers perform (a ``Conv2D(activation="relu")`` is a convolution then a ReLU, exactly like a
``Conv2D`` followed by ``Activation("relu")`` or ``ReLU()``, so both read the same), each
convolution's filters, kernel, strides, padding and bias, each pooling window, the output shape
and row sums on two images, and the parameter count. In the grader, :func:`verdicts` derives what
the contract requires from the case alone (:func:`expected_ops`, :func:`expected_params`) and
judges the facts property by property; a result agrees with a reference when its first failing
property, and what it got there, are the same (none for a correct model, the bug's own for a
known mistake).

Keras is imported inside functions only (the class grader pre-imports every chapter module).
"""
from __future__ import annotations

import warnings

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "build_cnn": Part(
        "build_cnn",
        "One block per entry of filters: a 3x3 'same' convolution with that many filters "
        "(stride 2 when downsample is 'stride'; no bias when batch normalization follows it), "
        "batch normalization before or after the ReLU as bn says (or none), and a 2x2 max "
        "pooling when downsample is 'maxpool'. After the blocks, global average pooling or "
        "flattening as pooling says, and a softmax Dense layer of n_outputs units. Return the "
        "model uncompiled.",
        judged="properties"),
}

#: A Keras notebook, like transfer_learning's: TensorFlow's import takes ~2.1 GB of address
#: space on this venv, so 6 GiB; the hidden cases build six tiny models (~5 s after the import).
LIMITS = Limits(cell_seconds=120, notebook_seconds=400, cpu_seconds=300,
                memory_bytes=6 * 1024**3)

#: Keras has no build_cnn: nothing to cross-check.
KERAS_ATOL = 0.0

DEFAULTS = {"bn": "before", "pooling": "gap", "downsample": "maxpool", "filters": (32, 64),
            "n_outputs": 10, "input_shape": (32, 32, 3)}

#: Hidden cases: keyword arguments (None: called with no arguments, the defaults). Image sides
#: are divisible by 2 ** len(filters), so "valid" and "same" pooling cannot agree by chance.
SPECS = [
    None,
    {"bn": "after", "pooling": "flatten", "downsample": "stride", "filters": (8, 16, 16),
     "n_outputs": 5, "input_shape": (16, 16, 3)},
    {"bn": None, "pooling": "gap", "downsample": "stride", "filters": (4,), "n_outputs": 3,
     "input_shape": (12, 12, 1)},
    {"bn": "before", "pooling": "flatten", "downsample": "maxpool", "filters": (6, 12),
     "n_outputs": 10, "input_shape": (20, 20, 3)},
    {"bn": "after", "pooling": "gap", "downsample": "maxpool", "filters": (8, 8, 8),
     "n_outputs": 2, "input_shape": (24, 24, 2)},
    {"bn": None, "pooling": "flatten", "downsample": "maxpool", "filters": (5, 7),
     "n_outputs": 4, "input_shape": (8, 8, 3)},
    {"bn": "before", "pooling": "gap", "downsample": "stride", "filters": (6, 10),
     "n_outputs": 7, "input_shape": (16, 16, 3)},
]


# ---------------------------------------------------------------- cases (inputs only)

def call_text(kwargs: dict | None) -> str:
    if kwargs is None:
        return "build_cnn()"
    return "build_cnn(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


def cases(part: str) -> list[dict]:
    """The hidden cases: the arguments of each call, never the model expected."""
    if part != "build_cnn":
        raise KeyError(part)
    return [{"name": call_text(spec), "kwargs": None if spec is None else dict(spec)}
            for spec in SPECS]


def full_args(kwargs: dict | None) -> dict:
    """Every argument of a call, the defaults filled in, as lists (what the codec carries)."""
    args = dict(DEFAULTS, **(kwargs or {}))
    args["filters"] = [int(f) for f in args["filters"]]
    args["input_shape"] = [int(d) for d in args["input_shape"]]
    return args


# ---------------------------------------------------------------- what the contract requires

def expected_ops(args: dict) -> list[str]:
    """The operations a correct model performs, in order, for the arguments ``args``."""
    block = {"before": ["conv", "bn", "relu"], "after": ["conv", "relu", "bn"],
             None: ["conv", "relu"]}[args["bn"]]
    pool = ["maxpool"] if args["downsample"] == "maxpool" else []
    head = ["gap" if args["pooling"] == "gap" else "flatten", "dense", "softmax"]
    return [op for _ in args["filters"] for op in block + pool] + head


def expected_convs(args: dict) -> list[list]:
    stride = 2 if args["downsample"] == "stride" else 1
    return [[f, [3, 3], [stride, stride], "same", args["bn"] != "before"]
            for f in args["filters"]]


def expected_params(args: dict) -> int:
    """The parameter count (trainable and not) of a correct model: 3×3 kernels, a bias unless
    bn="before", four numbers per channel for each BatchNormalization, the Dense head."""
    total, channels = 0, args["input_shape"][-1]
    height, width = args["input_shape"][:2]
    for f in args["filters"]:
        total += 9 * channels * f + (f if args["bn"] != "before" else 0)
        total += 4 * f if args["bn"] is not None else 0
        channels, height, width = f, height // 2, width // 2
    features = channels if args["pooling"] == "gap" else channels * height * width
    return total + features * args["n_outputs"] + args["n_outputs"]


# ---------------------------------------------------------------- in the kernel

def _keras():
    import keras  # noqa: PLC0415 - only in a kernel or a reference build
    return keras


def _activation_name(fn) -> str:
    return getattr(fn, "__name__", str(fn))


def layer_ops(layer) -> list[str]:
    """What one layer does, as canonical operations (a nested model: its layers' operations)."""
    keras = _keras()
    L = keras.layers
    if isinstance(layer, keras.Model):
        return [op for inner in layer.layers for op in layer_ops(inner)]
    if isinstance(layer, L.InputLayer):
        return []
    act = []
    if isinstance(layer, (L.Conv2D, L.Dense)):
        name = _activation_name(layer.activation)
        act = [] if name == "linear" else [name]
        return ["conv" if isinstance(layer, L.Conv2D) else "dense"] + act
    simple = {L.BatchNormalization: "bn", L.MaxPooling2D: "maxpool",
              L.AveragePooling2D: "avgpool", L.GlobalAveragePooling2D: "gap",
              L.GlobalMaxPooling2D: "globalmaxpool", L.Flatten: "flatten",
              L.Dropout: "dropout", L.Softmax: "softmax"}
    for cls, op in simple.items():
        if isinstance(layer, cls):
            return [op]
    if isinstance(layer, L.ReLU):
        plain = layer.max_value is None and not layer.negative_slope and not layer.threshold
        return ["relu" if plain else "relu (modified)"]
    if isinstance(layer, L.Activation):
        name = _activation_name(layer.activation)
        return [] if name == "linear" else [name]
    return [type(layer).__name__]


def _leaves(model) -> list:
    keras = _keras()
    out = []
    for layer in model.layers:
        out += _leaves(layer) if isinstance(layer, keras.Model) else [layer]
    return out


def _error(what, err) -> str:
    return f"{what} raised {type(err).__name__}: {str(err)[:300]}"


def build_facts(fn, kwargs: dict | None) -> dict:
    """Every fact the grader judges about ``fn`` (a build_cnn) called with ``kwargs``, never
    raising."""
    keras = _keras()
    L = keras.layers
    args = full_args(kwargs)
    facts = {"kind": "build_cnn", "error": None, "case": args}
    step = call_text(kwargs)
    try:
        keras.utils.set_random_seed(0)
        model = fn() if kwargs is None else fn(**kwargs)
        step = "checking what build_cnn returned"
        facts["model"] = isinstance(model, keras.Model)
        if not facts["model"]:
            facts["error"] = f"build_cnn returned {type(model).__name__}, not a keras.Model"
            return facts
        facts["compiled"] = bool(getattr(model, "compiled", False))
        leaves = _leaves(model)
        facts["ops"] = [op for layer in leaves for op in layer_ops(layer)]
        facts["convs"] = [[int(l.filters), [int(k) for k in l.kernel_size],
                           [int(s) for s in l.strides], str(l.padding), bool(l.use_bias)]
                          for l in leaves if isinstance(l, L.Conv2D)]
        facts["pools"] = [[[int(p) for p in l.pool_size], [int(s) for s in l.strides],
                           str(l.padding)] for l in leaves if isinstance(l, L.MaxPooling2D)]
        step = "model(x) on two images of input_shape"
        x = np.random.default_rng(0).uniform(0, 1, size=(2, *args["input_shape"]))
        out = np.asarray(model(x.astype("float32"), training=False))
        facts["output_shape"] = [int(d) for d in out.shape]
        facts["row_sums_off"] = (float(np.max(np.abs(out.sum(axis=-1) - 1)))
                                 if out.ndim == 2 else None)
        facts["params"] = int(model.count_params())
    except Exception as err:  # noqa: BLE001 - student code can raise anything
        facts["error"] = _error(step, err)
    return facts


def observe(part: str, obj, case: dict):
    """One hidden case: the student's build_cnn called with the case's arguments.

    Warnings are silenced: nbgrader 0.9.6 scores a cell that writes to stderr 0."""
    if part != "build_cnn":
        raise KeyError(part)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_facts(obj, case["kwargs"])


# ---------------------------------------------------------------- in the grader

def _ops_text(ops) -> str:
    return " → ".join(ops)


def _conv_text(convs) -> str:
    return "; ".join(f"Conv2D({f}, kernel {tuple(k)}, strides {tuple(s)}, padding {p!r}, "
                     f"use_bias={b})" for f, k, s, p, b in convs) or "none"


def verdicts(facts: dict, args: dict) -> list[tuple[str, str, str, str]]:
    """``[(property, class, expected, got)]`` for the facts of one call, judged against what the
    contract requires for ``args`` (from the expected observation); class ``"ok"`` where the
    property holds, else the text of what was got (so two results fail alike only when they got
    the same)."""
    if facts.get("error"):
        return [("runs", facts["error"], "build_cnn to return a model that runs", facts["error"])]
    out = []

    def add(prop, ok, expected, got):
        out.append((prop, "ok" if ok else got, expected, got))

    add("uncompiled", not facts["compiled"],
        "the model returned uncompiled (the caller chooses the optimizer and the loss)",
        "a compiled model")
    want = expected_ops(args)
    add("layers", facts["ops"] == want, _ops_text(want), _ops_text(facts["ops"]))
    convs = expected_convs(args)
    add("convolutions", facts["convs"] == convs, _conv_text(convs), _conv_text(facts["convs"]))
    pools = [[[2, 2], [2, 2], "valid"]] * (len(args["filters"]) if args["downsample"] == "maxpool"
                                          else 0)
    add("max pooling", facts["pools"] == pools,
        f"{len(pools)} MaxPooling2D(2) layer(s) (2 × 2 windows, stride 2, no padding)",
        "; ".join(f"pool {tuple(p)}, strides {tuple(s)}, padding {pad!r}"
                  for p, s, pad in facts["pools"]) or "none")
    shape = [2, args["n_outputs"]]
    add("output shape", facts["output_shape"] == shape, f"model(x) of shape {tuple(shape)}",
        f"{tuple(facts['output_shape'])}")
    off = facts["row_sums_off"]
    add("probabilities", off is not None and off < 1e-4,
        "every output row to sum to 1 (a softmax head)", "rows that do not sum to 1")
    params = expected_params(args)
    add("parameters", facts["params"] == params, f"{params:,} parameters",
        f"{facts['params']:,} parameters")
    return out


def compare(part, got, expected) -> str | None:
    """``None`` when ``got``'s first failing property (and what it got there) is ``expected``'s:
    none for a correct model, so every property must hold; a known mistake's for its hint."""
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return "expected a result of the test's form, got something else."
    args = expected["case"]
    want = None if expected.get("ideal") else cmp.first_failure(verdicts(expected, args))
    try:
        mine = verdicts(got, args)
    except (KeyError, TypeError, IndexError, ValueError, AttributeError):
        return "expected the facts this test reports, got an unreadable result."
    return cmp.by_properties(mine, want)


# ---------------------------------------------------------------- visible checks

def check_build_cnn(fn, what: str, **kwargs) -> dict:
    """A visible test: calls ``fn(**kwargs)`` (no arguments: the defaults), reports the facts,
    then checks every property of the contract."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = build_facts(fn, kwargs or None)
    emit(what, facts)
    message = compare("build_cnn", facts, {"ideal": True, "case": facts["case"]})
    if message:
        raise AssertionError(f"{what}: {message}")
    return facts


# ---------------------------------------------------------------- no Keras counterpart

def keras_observation(part: str, case: dict):
    """Keras has no such builder: nothing to cross-check."""
    return None


def max_difference(a: dict, b: dict) -> float:
    """0 when both observations fail alike (never called: no Keras check)."""
    args = b["case"]
    same = cmp.first_failure(verdicts(a, args)) == cmp.first_failure(verdicts(b, args))
    return 0.0 if same else float("inf")
