"""Chapter *Reusing pretrained layers*: the course's first graded Keras notebook.

The contract (``docs/exercise-contract.md``, "Keras exercises"):

``reuse_model(model_a, n_outputs=1, activation="sigmoid")``
    a new, uncompiled ``keras.Model`` B: A's layers except its output layer, cloned with A's
    weights copied (training B leaves A alone) and frozen (``trainable = False``), topped by a
    fresh ``Dense(n_outputs, activation=activation)``; A is unchanged.
``unfreeze(model, n_layers=None)``
    sets the reused layers of B (every layer below the head) trainable again: all of them when
    ``n_layers`` is None, else the top ``n_layers`` of them (those just below the head); the
    head stays trainable and the caller recompiles.

Both parts are judged by properties (``Part(judged="properties")``): a hidden case cannot carry
a trained model, so :func:`observe` builds a small deterministic model A itself (tiny ``Dense``
stacks on a fixed input size, weights seeded and then perturbed so that they equal no
initializer's draw), calls the student's function and records raw facts computed in the kernel:
trainability flags, whether B's layers and variables *are* A's objects, the largest difference
between each reused layer's weights and A's, the head's units and activation, B's output shape,
whether B came back compiled, and what one step of training B does to B and to A. The grader
classifies those facts with :func:`verdicts`, in the order a failure message reports them; a
result agrees with a reference when its first failing property (and the way it fails) is the
same: none for the solution, the bug's own for a known mistake.

The Keras cross-check (HOML's recipe with Keras' own functions, i.e. an answer) lives in
:mod:`tdnn.crosscheck.transfer_learning`, which no notebook imports.

Keras is imported inside functions only (the class grader pre-imports every chapter module).
Training in the kernel uses ``run_eagerly=True`` and one batch: tracing a ``tf.function`` per
fit would cost a second per case, and eager training reads ``trainable_variables`` at each step,
which is what the facts are about.
"""
from __future__ import annotations

import warnings

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "reuse_model": Part(
        "reuse_model",
        "Work on a copy of A, never on A's own layers: clone A's architecture and copy its "
        "weights into the clone; keep every layer of the copy except A's output layer, freeze "
        "each of them, put a new Dense layer with n_outputs units and the given activation on "
        "top, and return the new model uncompiled.",
        judged="properties"),
    "unfreeze": Part(
        "unfreeze",
        "The reused layers are all of the model's layers but the last one (the head, which "
        "stays trainable). Make every reused layer trainable when n_layers is None; otherwise "
        "only the n_layers just below the head, leaving the lower ones frozen.",
        judged="properties"),
}

#: A Keras notebook: TensorFlow's import takes ~5-7 s and ~2.1 GB of address space on this
#: course's venv (Keras 3.15.1, TensorFlow 2.21.0, measured VmPeak 2.1 GB for import + one fit on
#: 2 cores; each extra core's thread pool reserves stacks), so the address-space limit is 6 GiB;
#: the whole notebook grades in ~15 s of CPU.
LIMITS = Limits(cell_seconds=120, notebook_seconds=400, cpu_seconds=300,
                memory_bytes=6 * 1024**3)

#: Hidden models A, as (input size, [(units, activation), ...] with the output layer last,
#: whether A is a functional model). Tiny, so that a case costs a fraction of a second.
A_SPECS = [
    (6, [(8, "relu"), (5, "relu"), (4, "softmax")], False),
    (5, [(6, "elu"), (3, "softmax")], False),
    (4, [(7, "tanh"), (6, "relu"), (5, "selu"), (3, "softmax")], True),
]
#: (n_outputs, activation) passed to reuse_model for each A (None: the defaults).
REUSE_ARGS = [None, (3, "softmax"), (2, "tanh")]
#: unfreeze cases: (hidden layers of B, n_layers, functional B?)
UNFREEZE_SPECS = [(3, None, False), (3, 1, False), (4, 2, True), (2, 2, False)]


# ---------------------------------------------------------------- cases (inputs only)

def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``: model specifications and seeds, never expected outputs."""
    out = []
    if part == "reuse_model":
        for i, ((n_in, layers, functional), args) in enumerate(zip(A_SPECS, REUSE_ARGS)):
            call = ("reuse_model(model_a)" if args is None else
                    f"reuse_model(model_a, n_outputs={args[0]}, activation={args[1]!r})")
            kind = "functional" if functional else "Sequential"
            shape = " → ".join(f"Dense({u}, {a})" for u, a in layers)
            out.append({"name": f"{call} [A: {kind}, input {n_in} → {shape}]",
                        "n_in": n_in, "layers": [list(l) for l in layers],
                        "functional": functional, "args": None if args is None else list(args),
                        "seed": 100 + i})
    elif part == "unfreeze":
        for i, (hidden, n, functional) in enumerate(UNFREEZE_SPECS):
            call = "unfreeze(model_b)" if n is None else f"unfreeze(model_b, n_layers={n})"
            kind = "functional" if functional else "Sequential"
            out.append({"name": f"{call} [B: {kind}, {hidden} frozen reused layers + head]",
                        "hidden": hidden, "n_layers": n, "functional": functional,
                        "seed": 200 + i})
    else:
        raise KeyError(part)
    return out


# ---------------------------------------------------------------- building models (kernel)

def _keras():
    import keras  # noqa: PLC0415 - only in a kernel or a reference build
    return keras


def build_model_a(n_in, layers, functional, seed):
    """A small compiled model A whose weights equal no initializer's draw (seeded, then moved
    by a fixed perturbation, as training would move them)."""
    keras = _keras()
    keras.utils.set_random_seed(seed)
    dense = [keras.layers.Dense(u, activation=a, name=f"a_dense_{j}")
             for j, (u, a) in enumerate(layers)]
    if functional:
        inputs = keras.Input(shape=(n_in,))
        x = inputs
        for layer in dense:
            x = layer(x)
        model = keras.Model(inputs, x, name="model_a")
    else:
        model = keras.Sequential([keras.Input(shape=(n_in,))] + dense, name="model_a")
    rng = np.random.default_rng(seed)
    model.set_weights([w + rng.normal(0.0, 0.1, w.shape).astype(w.dtype)
                       for w in model.get_weights()])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return model


def _layers(model):
    keras = _keras()
    return [l for l in model.layers if not isinstance(l, keras.layers.InputLayer)]


def _describe(layer) -> list:
    act = getattr(layer, "activation", None)
    return [type(layer).__name__, int(getattr(layer, "units", 0) or 0),
            getattr(act, "__name__", str(act)) if act is not None else ""]


def _train_one_batch(model, x, y):
    """The caller's compile (the contract leaves it to the caller) and one step of SGD."""
    keras = _keras()
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.5),
                  run_eagerly=True)
    model.fit(x, y, batch_size=len(x), epochs=1, verbose=0, shuffle=False)


def _max_diffs(before, after) -> list[float]:
    return [float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))
            if np.shape(a) == np.shape(b) and np.size(a) else float("inf")
            for a, b in zip(after, before)]


def _error(what, err) -> str:
    return f"{what} raised {type(err).__name__}: {str(err)[:300]}"


def reuse_facts(fn, case: dict, *, call=None) -> dict:
    """Every fact the grader judges about ``fn`` (a reuse_model) on one case, never raising."""
    keras = _keras()
    args = case["args"]
    n_outputs, activation = (1, "sigmoid") if args is None else args
    n_reused = len(case["layers"]) - 1
    facts = {"kind": "reuse_model", "error": None,
             "case": {"n_reused": n_reused, "n_outputs": n_outputs, "activation": activation,
                      "a_layers": [[u, a] for u, a in case["layers"]]}}
    a = build_model_a(case["n_in"], case["layers"], case["functional"], case["seed"])
    a_layers = _layers(a)
    a_weights = [w.copy() for w in a.get_weights()]
    a_vars = {id(v) for v in a.weights}
    step = "reuse_model"
    try:
        b = fn(a) if args is None else fn(a, n_outputs=n_outputs, activation=activation)
        step = "checking what reuse_model returned"
        facts["model"] = isinstance(b, keras.Model)
        if not facts["model"]:
            facts["error"] = (f"reuse_model returned {type(b).__name__}, not a keras.Model")
            return facts
        facts["compiled"] = bool(getattr(b, "compiled", False))
        facts["a_after_reuse"] = {
            "max_change": max(_max_diffs(a_weights, a.get_weights()), default=0.0),
            "trainable": [bool(l.trainable) for l in a_layers],
            "n_layers": len(_layers(a))}
        b_layers = _layers(b)
        facts["layers"] = [_describe(l) for l in b_layers]
        facts["is_a_layer"] = [any(l is m for m in a_layers) for l in b_layers]
        facts["shares_variables"] = [any(id(v) in a_vars for v in l.weights) for l in b_layers]
        facts["trainable"] = [bool(l.trainable) for l in b_layers]
        facts["weight_diff"] = [
            max(_max_diffs(al.get_weights(), bl.get_weights()), default=0.0)
            if len(al.get_weights()) == len(bl.get_weights()) else float("inf")
            for al, bl in zip(a_layers[:-1], b_layers[:-1])]
        rng = np.random.default_rng(case["seed"])
        x = rng.normal(size=(8, case["n_in"])).astype("float32")
        step = "model_b(x)"
        out = np.asarray(b(x))
        facts["output_shape"] = list(out.shape)
        # The caller compiles B and trains it: the frozen layers must not move, the head must.
        step = "compiling and training B as returned (frozen)"
        y = rng.normal(size=out.shape).astype("float32") if out.ndim == 2 else None
        if y is None:
            facts["error"] = f"model_b(x) has shape {out.shape}, not (batch, n_outputs)"
            return facts
        before = [l.get_weights() for l in b_layers]
        _train_one_batch(b, x, y)
        moved = [max(_max_diffs(w0, l.get_weights()), default=0.0) > 0
                 for w0, l in zip(before, b_layers)]
        facts["frozen_training_moved"] = moved
        # Then everything unfrozen and trained again: A must not move.
        step = "training B with every layer trainable"
        for layer in b_layers:
            layer.trainable = True
        _train_one_batch(b, x, y)
        facts["a_after_training_b"] = max(_max_diffs(a_weights, a.get_weights()), default=0.0)
    except Exception as err:  # noqa: BLE001 - student code can raise anything
        facts["error"] = _error(step, err)
    return facts


def build_model_b(hidden, functional, seed):
    """A B as ``reuse_model`` leaves it: ``hidden`` frozen layers holding weights that no
    initializer drew, under a fresh sigmoid head. Built directly rather than from an A, so that
    no answer to ``reuse_model`` ships with the checks students import."""
    keras = _keras()
    keras.utils.set_random_seed(seed)
    layers = [keras.layers.Dense(5 + j, activation="relu", trainable=False, name=f"reused_{j}")
              for j in range(hidden)] + [keras.layers.Dense(1, activation="sigmoid", name="head")]
    if functional:
        inputs = keras.Input(shape=(4,))
        x = inputs
        for layer in layers:
            x = layer(x)
        b = keras.Model(inputs, x, name="model_b")
    else:
        b = keras.Sequential([keras.Input(shape=(4,))] + layers, name="model_b")
    rng = np.random.default_rng(seed)
    b.set_weights([w + rng.normal(0.0, 0.1, w.shape).astype(w.dtype) for w in b.get_weights()])
    return b


def unfreeze_facts(fn, case: dict) -> dict:
    """Every fact the grader judges about ``fn`` (an unfreeze) on one case, never raising."""
    n = case["n_layers"]
    facts = {"kind": "unfreeze", "error": None,
             "case": {"hidden": case["hidden"], "n_layers": n}}
    b = build_model_b(case["hidden"], case["functional"], case["seed"])
    layers = _layers(b)
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    step = "training B before unfreeze"
    try:
        _train_one_batch(b, x, y)
        step = "unfreeze"
        fn(b) if n is None else fn(b, n_layers=n)
        facts["trainable"] = [bool(l.trainable) for l in layers]
        facts["layers_kept"] = len(_layers(b)) == len(layers) and all(
            l is m for l, m in zip(_layers(b), layers))
        step = "recompiling and training B after unfreeze"
        before = [l.get_weights() for l in layers]
        _train_one_batch(b, x, y)
        facts["moved"] = [max(_max_diffs(w0, l.get_weights()), default=0.0) > 0
                          for w0, l in zip(before, layers)]
    except Exception as err:  # noqa: BLE001
        facts["error"] = _error(step, err)
    return facts


def observe(part: str, obj, case: dict):
    """One hidden case: the student's function ``obj`` on a model built here from the case.

    Warnings are silenced: nbgrader 0.9.6 scores a cell that writes to stderr 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if part == "reuse_model":
            return reuse_facts(obj, case)
        if part == "unfreeze":
            return unfreeze_facts(obj, case)
    raise KeyError(part)


# ---------------------------------------------------------------- in the grader

def _flags(flags) -> str:
    return "[" + ", ".join("trainable" if f else "frozen" for f in flags) + "]"


def verdicts(facts: dict, case: dict) -> list[tuple[str, str, str, str]]:
    """``[(property, class, expected, got)]`` for the facts of one case, judged against
    ``case`` (from the expected observation); class ``"ok"`` where the property holds."""
    if facts.get("ideal"):
        return []
    if facts.get("error"):
        return [("runs", "error", "the function to run", facts["error"])]
    if facts["kind"] == "unfreeze":
        return _unfreeze_verdicts(facts, case)
    out = []

    def add(prop, ok, cls, expected, got):
        out.append((prop, "ok" if ok else cls, expected, got))

    k, n_out, act = case["n_reused"], case["n_outputs"], case["activation"]
    add("uncompiled", not facts["compiled"], "compiled",
        "B returned uncompiled (the caller compiles it after freezing: in Keras 3.15.1 a "
        "model's trainable variables are fixed when its training function is first built)",
        "a compiled model")
    a = facts["a_after_reuse"]
    a_ok = a["max_change"] == 0 and all(a["trainable"]) and a["n_layers"] == k + 1
    add("A unchanged by reuse_model", a_ok, "A changed",
        f"A to keep its {k + 1} layers, all trainable, and its weights",
        f"{a['n_layers']} layers, flags {_flags(a['trainable'])}, weights changed by up to "
        f"{a['max_change']:.3g}")
    got_n = len(facts["layers"])
    add("number of layers", got_n == k + 1,
        "kept A's output layer" if got_n == k + 2 else "wrong number of layers",
        f"{k + 1} layers: A's {k} hidden layers (A's output layer dropped) and the new head",
        f"{got_n} layers: " + ", ".join(f"{c}({u}, {a_})" for c, u, a_ in facts["layers"]))
    if got_n != k + 1:
        return out
    shared = [i for i in range(k) if facts["is_a_layer"][i] or facts["shares_variables"][i]]
    add("cloned, not shared", not shared, "shared",
        "B's reused layers to be new layer objects with their own variables (clones)",
        f"layer(s) {shared} of B are A's own layer objects or use A's variables: training B "
        "would change A")
    bad_w = [(i, d) for i, d in enumerate(facts["weight_diff"]) if d != 0]
    add("weights copied", not bad_w, "not copied",
        "each reused layer's weights equal to A's (copied with set_weights/get_weights)",
        "; ".join(f"layer {i} differs from A's by up to {d:.3g}" for i, d in bad_w))
    want = [False] * k + [True]
    add("frozen", facts["trainable"] == want, "flags",
        f"trainable flags {_flags(want)}", f"{_flags(facts['trainable'])}")
    head = facts["layers"][-1]
    add("head", head[0] == "Dense" and head[1] == n_out and not facts["is_a_layer"][-1],
        "head", f"a new Dense({n_out}) head", f"{head[0]}({head[1]}), "
        + ("one of A's layers" if facts["is_a_layer"][-1] else "a new layer"))
    add("head activation", head[2] == act, f"activation {head[2]}",
        f"the head's activation to be {act!r}", repr(head[2]))
    add("output shape", facts["output_shape"][1:] == [n_out], "shape",
        f"model_b(x) of shape (batch, {n_out})", f"{tuple(facts['output_shape'])}")
    moved = facts["frozen_training_moved"]
    add("training B as returned", moved == want, "moved",
        "one step of training B (compiled by the caller) to move the head only",
        f"moved: {_flags(moved).replace('trainable', 'moved').replace('frozen', 'still')}")
    add("A unchanged by training B", facts["a_after_training_b"] == 0, "A moved",
        "A's weights unchanged after B (all layers unfrozen) is trained",
        f"A's weights changed by up to {facts['a_after_training_b']:.3g}")
    return out


def _unfreeze_verdicts(facts, case):
    h, n = case["hidden"], case["n_layers"]
    top = h if n is None else n
    want = [False] * (h - top) + [True] * top + [True]
    which = ("every reused layer" if n is None else
             f"the top {n} reused layer(s), just below the head")
    got = facts["trainable"]
    out = [("layers kept", "ok" if facts["layers_kept"] else "changed",
            "unfreeze to change the flags of B's layers, not B's layers themselves",
            "B's layers were replaced or removed"),
           ("trainable flags", "ok" if got == want else "flags " + _flags(got),
            f"{which} trainable, the head trainable: {_flags(want)}", _flags(got))]
    moved = facts["moved"]
    out.append(("training after recompiling", "ok" if moved == want else "moved",
                f"after the caller recompiles, one step of training to move exactly the "
                f"trainable layers {_flags(want)}",
                _flags(moved).replace("trainable", "moved").replace("frozen", "still")))
    return out


def compare(part, got, expected) -> str | None:
    """``None`` when ``got``'s first failing property (and how it fails) is ``expected``'s:
    none for the solution, so every property must hold; a known mistake's for its hint."""
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return "expected a result of the test's form, got something else."
    case = expected["case"]
    want = cmp.first_failure(verdicts(expected, case))
    try:
        mine = verdicts(got, case)
    except (KeyError, TypeError, IndexError, ValueError, AttributeError):
        return "expected the facts this test reports, got an unreadable result."
    return cmp.by_properties(mine, want)


# ---------------------------------------------------------------- visible checks

def check_reuse_model(fn, n_in, layers, n_outputs=None, activation=None, what="reuse_model"):
    """A visible test of ``reuse_model`` on a model A built from ``layers`` (``[(units,
    activation), ...]``, output layer last): reports the facts, then checks every property."""
    args = None if n_outputs is None else [n_outputs, activation]
    case = {"n_in": n_in, "layers": [list(l) for l in layers], "functional": False,
            "args": args, "seed": 7}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = reuse_facts(fn, case)
    emit(what, facts)
    message = compare("reuse_model", facts, {"ideal": True, "case": facts["case"]})
    if message:
        raise AssertionError(f"{what}: {message}")
    return facts


def check_unfreeze(fn, hidden, n_layers=None, what="unfreeze"):
    """A visible test of ``unfreeze`` on a B with ``hidden`` frozen reused layers."""
    case = {"hidden": hidden, "n_layers": n_layers, "functional": False, "seed": 9}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = unfreeze_facts(fn, case)
    emit(what, facts)
    message = compare("unfreeze", facts, {"ideal": True, "case": facts["case"]})
    if message:
        raise AssertionError(f"{what}: {message}")
    return facts
