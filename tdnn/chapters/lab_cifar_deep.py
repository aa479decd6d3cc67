"""Lab *Deep net on CIFAR-10* (HOML ch. 11, exercise 8): its four graded Keras parts.

The contract (``docs/exercise-contract.md``, "Keras exercises"):

``build_deep_mlp(n_hidden=20, n_neurons=100, activation="elu", initializer="he_normal",
batch_norm=False, n_outputs=10, input_shape=(32, 32, 3))``
    an uncompiled model: ``Flatten``, ``n_hidden`` Dense layers of ``n_neurons`` (with
    ``batch_norm``: no bias, ``BatchNormalization`` before each activation), a softmax output.
``ExponentialLearningRate(factor)``
    a callback that after each batch multiplies the learning rate by ``factor``, appending the
    rate the batch used to ``rates`` and its loss to ``losses`` (one entry per batch).
``OneCycleScheduler(total_steps, max_lr, start_lr=None, last_lr=None)``
    a callback that before each batch (counted from 0 across epochs) sets the learning rate to
    ``one_cycle(step, total_steps, max_lr, start_lr, last_lr)``, the lr_scheduling chapter's
    1cycle rate, which the student brings into the notebook (a cell of its own, not graded).
``mc_dropout_predict(model, X, n_samples=100)``
    the average of ``n_samples`` calls ``model(X, training=True)``.

Every part is judged by properties (``Part(judged="properties")``), as in ``transfer_learning``:
:func:`observe` builds tiny seeded models itself, runs the student's object and records raw
facts (layers with their classes, units, biases, activations and initializers; the learning rate
in effect at each batch, read by a probe callback placed after the student's; the lists the
student's callback kept; the Keras logs' losses; predictions and the model's deterministic
output). :func:`verdicts` turns facts into properties in the order a failure message reports
them, and a result agrees with a reference when its first failing property is the same: none
for a correct answer, the bug's own for a known mistake, so the hint is shown.

MC dropout is random, but Keras' dropout layers draw from a seed generator seeded here, so the
average of ``n`` calls on a freshly built model is reproducible on one backend: the hidden cases
compare it with the solution's average (1e-5), after the properties a wrong answer usually
breaks (shape, rows summing to 1, dropout active).

Keras is imported inside functions only (the class grader pre-imports every chapter module), and
training runs eagerly: tracing a ``tf.function`` per case costs a second, and the facts are about
what happens between batches.
"""
from __future__ import annotations

import warnings

import numpy as np

from tdnn.chapters import Limits, Part
from tdnn.engine import compare as cmp
from tdnn.engine.report import emit

PARTS = {
    "build_deep_mlp": Part(
        "build_deep_mlp",
        "An input of input_shape, flattened; then n_hidden Dense layers of n_neurons units with "
        "the given initializer and activation (with batch_norm: each Dense without its bias, "
        "then batch normalization, then the activation as a layer of its own); then a softmax "
        "Dense layer of n_outputs units. Do not compile it.",
        judged="properties"),
    "ExponentialLearningRate": Part(
        "ExponentialLearningRate",
        "After every batch, first record the rate that batch trained with and its loss (from "
        "the logs), one entry each in rates and losses, and only then multiply the optimizer's "
        "learning rate by factor.",
        judged="properties"),
    "OneCycleScheduler": Part(
        "OneCycleScheduler",
        "Count training steps from 0 across the whole run (the count must not restart with "
        "each epoch); before every batch, give the optimizer the 1cycle rate of the current "
        "step, computed by one_cycle with the callback's settings, then advance the count (and "
        "check your one_cycle cell against the lr_scheduling exercise's tests).",
        judged="properties"),
    "mc_dropout_predict": Part(
        "mc_dropout_predict",
        "Call model(X, training=True) n_samples times (dropout stays on), and return the mean "
        "of those probability arrays over the calls: shape (len(X), n_classes).",
        judged="properties"),
}

#: A Keras notebook, like transfer_learning: TensorFlow's import needs ~2.1 GB of address space
#: (6 GiB leaves room for its thread pools); the hidden cases train a few dozen eager batches of
#: tiny models, ~20 s of CPU in all.
LIMITS = Limits(cell_seconds=120, notebook_seconds=400, cpu_seconds=300,
                memory_bytes=6 * 1024**3)

#: Learning rates live in float32 variables: a rate recorded, multiplied or computed by an
#: accepted form agrees with the expected one to this relative tolerance (float32 rounding over
#: a few dozen multiplications is ~3e-6; every mistake is off by 10 % or more).
LR_RTOL = 1e-5
#: Losses recorded by the callback against the logs' (or the per-batch losses rebuilt from them).
LOSS_RTOL, LOSS_ATOL = 1e-4, 1e-6
#: MC-dropout averages of float32 passes, summed in any order, against the solution's.
PRED_ATOL = 1e-5
#: Keras' own schedules (ExponentialDecay, LearningRateScheduler) against the solution's rates.
KERAS_ATOL = 1e-5

#: build_deep_mlp hidden calls: keyword arguments (None: the defaults).
MLP_ARGS = [
    None,
    {"n_hidden": 3, "n_neurons": 7, "activation": "selu", "initializer": "lecun_normal",
     "n_outputs": 4, "input_shape": (5, 4)},
    {"n_hidden": 4, "n_neurons": 6, "batch_norm": True, "n_outputs": 5, "input_shape": (3, 3, 2)},
    {"n_hidden": 2, "n_neurons": 9, "activation": "relu", "initializer": "glorot_uniform",
     "batch_norm": True, "n_outputs": 3, "input_shape": (8,)},
]
MLP_DEFAULTS = {"n_hidden": 20, "n_neurons": 100, "activation": "elu",
                "initializer": "he_normal", "batch_norm": False, "n_outputs": 10,
                "input_shape": (32, 32, 3)}
#: ExponentialLearningRate: (factor, lr0, optimizer, samples, batch size, epochs).
ELR_SPECS = [(1.5, 1e-3, "sgd", 6, 2, 2), (0.5, 0.2, "sgd", 8, 2, 1), (1.3, 1e-3, "nadam", 9, 3, 2)]
#: OneCycleScheduler: (kwargs, samples, batch size, epochs); batches in all = total_steps.
ONE_CYCLE_SPECS = [
    ({"total_steps": 12, "max_lr": 0.1}, 12, 2, 2),
    ({"total_steps": 21, "max_lr": 0.05, "start_lr": 0.01, "last_lr": 1e-4}, 14, 2, 3),
    ({"total_steps": 10, "max_lr": 0.2, "start_lr": 0.02}, 10, 1, 1),
]
#: mc_dropout_predict: (n_samples or None for the default, dropout layer, rate, rows, features).
MC_SPECS = [(None, "Dropout", 0.5, 5, 6), (1, "Dropout", 0.3, 4, 6),
            (7, "AlphaDropout", 0.2, 6, 5), (30, "Dropout", 0.2, 3, 7)]


# ---------------------------------------------------------------- cases (inputs only)

def _call(name, kwargs) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in (kwargs or {}).items())})"


def cases(part: str) -> list[dict]:
    """The hidden cases of ``part``: arguments, model sizes and seeds, never expected outputs."""
    if part == "build_deep_mlp":
        return [{"name": _call("build_deep_mlp", args), "kwargs": args, "seed": 300 + i}
                for i, args in enumerate(MLP_ARGS)]
    if part == "ExponentialLearningRate":
        return [{"name": f"ExponentialLearningRate({f}) [{opt}, lr0={lr0}, {n} samples, "
                         f"batch {b}, {e} epoch(s)]",
                 "factor": f, "lr0": lr0, "optimizer": opt, "n": n, "batch_size": b,
                 "epochs": e, "seed": 400 + i}
                for i, (f, lr0, opt, n, b, e) in enumerate(ELR_SPECS)]
    if part == "OneCycleScheduler":
        return [{"name": f"{_call('OneCycleScheduler', kw)} [{n // b} batches x {e} epoch(s)]",
                 "kwargs": kw, "n": n, "batch_size": b, "epochs": e, "seed": 500 + i}
                for i, (kw, n, b, e) in enumerate(ONE_CYCLE_SPECS)]
    if part == "mc_dropout_predict":
        out = []
        for i, (k, layer, rate, rows, features) in enumerate(MC_SPECS):
            call = ("mc_dropout_predict(model, X)" if k is None else
                    f"mc_dropout_predict(model, X, n_samples={k})")
            out.append({"name": f"{call} [{layer}({rate}), X: {rows} x {features}]",
                        "n_samples": k, "layer": layer, "rate": rate, "rows": rows,
                        "features": features, "seed": 600 + i})
        return out
    raise KeyError(part)


# ---------------------------------------------------------------- in the kernel

def _keras():
    import keras  # noqa: PLC0415 - only in a kernel or a reference build
    return keras


def _error(what, err) -> str:
    return f"{what} raised {type(err).__name__}: {str(err)[:300]}"


def _name(obj) -> str:
    if obj is None:
        return ""
    return getattr(obj, "__name__", None) or type(obj).__name__


def _layer_facts(layer) -> list:
    """``[class, units, use_bias, activation, initializer]`` of one layer."""
    return [type(layer).__name__, int(getattr(layer, "units", 0) or 0),
            bool(getattr(layer, "use_bias", False)), _name(getattr(layer, "activation", None)),
            _name(getattr(layer, "kernel_initializer", None))]


def mlp_facts(fn, case: dict) -> dict:
    """Every fact the grader judges about ``fn`` (a build_deep_mlp) on one case, never raising."""
    keras = _keras()
    kwargs = case["kwargs"]
    args = {**MLP_DEFAULTS, **(kwargs or {})}
    facts = {"kind": "build_deep_mlp", "error": None,
             "case": {k: list(v) if isinstance(v, tuple) else v for k, v in args.items()}}
    keras.utils.set_random_seed(case["seed"])
    step = "build_deep_mlp"
    try:
        model = fn() if kwargs is None else fn(**kwargs)
        step = "checking what build_deep_mlp returned"
        if not isinstance(model, keras.Model):
            facts["error"] = f"build_deep_mlp returned {type(model).__name__}, not a keras.Model"
            return facts
        facts["compiled"] = bool(getattr(model, "compiled", False))
        x = np.random.default_rng(case["seed"]).normal(size=(2, *args["input_shape"]))
        step = "model(X) on a batch of 2 inputs of shape input_shape"
        out = np.asarray(keras.ops.convert_to_numpy(model(x.astype("float32"))), np.float64)
        facts["output_shape"] = list(out.shape)
        facts["row_sums"] = out.reshape(len(out), -1).sum(axis=1)
        facts["layers"] = [_layer_facts(l) for l in model.layers
                           if not isinstance(l, keras.layers.InputLayer)]
    except Exception as err:  # noqa: BLE001 - student code can raise anything
        facts["error"] = _error(step, err)
    return facts


def _lr(optimizer) -> float:
    return float(np.asarray(_keras().ops.convert_to_numpy(optimizer.learning_rate)))


def _probe():
    """A callback, placed after the student's, that records the rate each batch trains with
    (read once every ``on_train_batch_begin`` has run) and the logs' loss after each batch."""
    keras = _keras()

    class Probe(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.lr_used, self.logs_loss = [], []

        def on_train_batch_begin(self, batch, logs=None):
            self.lr_used.append(_lr(self.model.optimizer))

        def on_train_batch_end(self, batch, logs=None):
            self.logs_loss.append(float(np.asarray(logs["loss"])))

    return Probe()


def _fit(callback, case, optimizer, epochs=None, batch_size=None):
    """A seeded tiny regression model trained eagerly with ``callback`` and the probe;
    returns the probe and the optimizer's learning rate after training."""
    keras = _keras()
    keras.utils.set_random_seed(case["seed"])
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=(case["n"], 4)).astype("float32")
    y = rng.normal(size=(case["n"], 1)).astype("float32")
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=optimizer, run_eagerly=True)
    probe = _probe()
    model.fit(x, y, batch_size=batch_size or case["batch_size"], epochs=epochs or case["epochs"],
              verbose=0, shuffle=False, callbacks=[callback, probe])
    return probe, _lr(model.optimizer)


def _optimizer(name, lr):
    keras = _keras()
    return (keras.optimizers.SGD(learning_rate=lr) if name == "sgd" else
            keras.optimizers.Nadam(learning_rate=lr))


def _floats(values) -> np.ndarray:
    """A list the student's callback kept, as float64 (entries may be floats, NumPy or Keras
    scalars, or variables, which are read now, after training)."""
    keras = _keras()
    return np.array([float(np.asarray(keras.ops.convert_to_numpy(v))) for v in values],
                    np.float64)


def elr_facts(cls, case: dict) -> dict:
    """Every fact the grader judges about ``cls`` (an ExponentialLearningRate), never raising."""
    keras = _keras()
    facts = {"kind": "ExponentialLearningRate", "error": None,
             "case": {k: case[k] for k in ("factor", "lr0", "n", "batch_size", "epochs")}}
    step = f"ExponentialLearningRate({case['factor']})"
    try:
        callback = cls(case["factor"])
        facts["callback"] = isinstance(callback, keras.callbacks.Callback)
        if not facts["callback"]:
            facts["error"] = (f"ExponentialLearningRate(...) is a {type(callback).__name__}, "
                              "not a keras.callbacks.Callback")
            return facts
        step = "model.fit with the callback"
        probe, final = _fit(callback, case, _optimizer(case["optimizer"], case["lr0"]))
        step = "reading the callback's rates and losses"
        facts["rates"] = _floats(getattr(callback, "rates"))
        facts["losses"] = _floats(getattr(callback, "losses"))
        facts["lr_used"] = np.array(probe.lr_used)
        facts["logs_loss"] = np.array(probe.logs_loss)
        facts["final_lr"] = final
    except Exception as err:  # noqa: BLE001
        facts["error"] = _error(step, err)
    return facts


def one_cycle_facts(cls, case: dict) -> dict:
    """Every fact the grader judges about ``cls`` (a OneCycleScheduler), never raising."""
    keras = _keras()
    kw = case["kwargs"]
    facts = {"kind": "OneCycleScheduler", "error": None,
             "case": {**kw, "batches": case["n"] // case["batch_size"], "epochs": case["epochs"]}}
    step = _call("OneCycleScheduler", kw)
    try:
        callback = cls(kw["total_steps"], kw["max_lr"],
                       **{k: kw[k] for k in ("start_lr", "last_lr") if k in kw})
        facts["callback"] = isinstance(callback, keras.callbacks.Callback)
        if not facts["callback"]:
            facts["error"] = (f"OneCycleScheduler(...) is a {type(callback).__name__}, "
                              "not a keras.callbacks.Callback")
            return facts
        step = "model.fit with the callback"
        probe, _ = _fit(callback, case, _optimizer("sgd", 1.0))
        facts["lr_used"] = np.array(probe.lr_used)
    except Exception as err:  # noqa: BLE001
        facts["error"] = _error(step, err)
    return facts


def dropout_model(case: dict):
    """A small seeded classifier with a dropout layer between two Dense layers (SELU with
    AlphaDropout, as in the lab), and its input X."""
    keras = _keras()
    keras.utils.set_random_seed(case["seed"])
    act = "selu" if case["layer"] == "AlphaDropout" else "relu"
    init = "lecun_normal" if act == "selu" else "he_normal"
    drop = getattr(keras.layers, case["layer"])(case["rate"], seed=case["seed"])
    model = keras.Sequential([keras.Input(shape=(case["features"],)),
                              keras.layers.Dense(16, activation=act, kernel_initializer=init),
                              drop, keras.layers.Dense(4, activation="softmax")])
    x = np.random.default_rng(case["seed"]).normal(size=(case["rows"], case["features"]))
    return model, x.astype("float32")


def mc_facts(fn, case: dict) -> dict:
    """Every fact the grader judges about ``fn`` (an mc_dropout_predict), never raising."""
    keras = _keras()
    facts = {"kind": "mc_dropout_predict", "error": None,
             "case": {"n_samples": case["n_samples"], "rows": case["rows"], "classes": 4}}
    model, x = dropout_model(case)
    step = "mc_dropout_predict"
    try:
        k = case["n_samples"]
        pred = fn(model, x) if k is None else fn(model, x, n_samples=k)
        step = "reading the prediction as an array"
        pred = np.asarray(keras.ops.convert_to_numpy(pred), np.float64)
        facts["pred"] = pred
        facts["deterministic_diff"] = (
            float(np.max(np.abs(pred - np.asarray(model(x, training=False), np.float64))))
            if pred.shape == (case["rows"], 4) else None)
    except Exception as err:  # noqa: BLE001
        facts["error"] = _error(step, err)
    return facts


_FACTS = {"build_deep_mlp": mlp_facts, "ExponentialLearningRate": elr_facts,
          "OneCycleScheduler": one_cycle_facts, "mc_dropout_predict": mc_facts}


def observe(part: str, obj, case: dict):
    """One hidden case: the student's object on models built here from the case.

    Warnings are silenced: nbgrader 0.9.6 scores a cell that writes to stderr 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _FACTS[part](obj, case)


# ---------------------------------------------------------------- in the grader

def _norm(name) -> str:
    return str(name).replace("_", "").lower()


def _ops(layers) -> list[tuple]:
    """The layers as a sequence of operations: a Dense with an activation is a Dense followed
    by an activation, so ``Dense(100, activation="elu")`` and ``Dense(100)`` +
    ``Activation("elu")`` read the same."""
    ops = []
    for cls, units, bias, act, init in layers:
        if cls == "Dense":
            ops.append(("Dense", units, bias, init))
            if act and act != "linear":
                ops.append(("act", act))
        elif cls == "Activation":
            ops.append(("act", act))
        elif cls == "BatchNormalization":
            ops.append(("BN",))
        else:
            ops.append((cls,))
    return ops


def _show(ops) -> str:
    def one(op):
        if op[0] == "Dense":
            return f"Dense({op[1]}{'' if op[2] else ', no bias'})"
        return op[1] if op[0] == "act" else op[0]
    return " → ".join(one(op) for op in ops)


def _mlp_verdicts(facts, case):
    out = []

    def add(prop, ok, expected, got):
        out.append((prop, "ok" if ok else "fails", expected, got))
        return ok

    n, units, act, bn = case["n_hidden"], case["n_neurons"], case["activation"], case["batch_norm"]
    add("uncompiled", not facts["compiled"], "the model returned uncompiled (the lab compiles "
        "it with its own optimizer)", "a compiled model")
    ops = _ops(facts["layers"])
    if not add("Flatten first", bool(ops) and ops[0] == ("Flatten",),
               "a Flatten layer first, turning each image into a vector",
               _show(ops[:3]) + (" → …" if len(ops) > 3 else "")):
        return out
    body = ops[1:]
    if bn and body[:1] == [("BN",)]:  # Géron's solution also normalizes the inputs: accepted
        body = body[1:]
    dense = [i for i, op in enumerate(body) if op[0] == "Dense"]
    if not add("number of Dense layers", len(dense) == n + 1 and dense[0] == 0,
               f"{n} hidden Dense layers and a Dense output layer, right after Flatten",
               f"{len(dense)} Dense layers: {_show(ops[:8])}{' → …' if len(ops) > 8 else ''}"):
        return out
    groups = [body[i:j] for i, j in zip(dense, dense[1:] + [len(body)])]
    hidden, head = groups[:-1], groups[-1]
    sizes = [g[0][1] for g in hidden]
    add("hidden layer sizes", all(s == units for s in sizes),
        f"every hidden Dense layer with {units} units", f"units {sizes}")
    inits = [g[0][3] for g in hidden]
    add("initializer", all(_norm(i) == _norm(case["initializer"]) for i in inits),
        f"kernel_initializer={case['initializer']!r} in every hidden Dense layer",
        f"initializers {sorted(set(inits))}")
    tail = [("BN",), ("act", act)] if bn else [("act", act)]
    bad = [i for i, g in enumerate(hidden) if g[1:] != tail]
    add("batch norm before activation" if bn else "hidden activation", not bad,
        "each hidden Dense followed by " + " → ".join(
            "BatchNormalization" if t[0] == "BN" else t[1] for t in tail),
        f"hidden layer {bad[0] if bad else 0}: {_show(hidden[bad[0]] if bad else [])}")
    if bn:
        biased = [i for i, g in enumerate(hidden) if g[0][2]]
        add("no bias with batch norm", not biased,
            "use_bias=False in every hidden Dense layer (BatchNormalization's beta plays the "
            "bias: a bias before it is cancelled by the mean it subtracts)",
            f"hidden layer(s) {biased[:5]}{'…' if len(biased) > 5 else ''} keep a bias")
    add("output layer", head == [("Dense", case["n_outputs"], head[0][2], head[0][3]),
                                 ("act", "softmax")],
        f"Dense({case['n_outputs']}) with a softmax activation", _show(head))
    shape_ok = facts["output_shape"] == [2, case["n_outputs"]]
    add("output", shape_ok and bool(np.allclose(facts["row_sums"], 1.0, atol=1e-4)),
        f"model(X) of shape (2, {case['n_outputs']}) whose rows sum to 1",
        f"shape {tuple(facts['output_shape'])}, row sums {np.round(facts['row_sums'], 4)}")
    return out


def _close(a, b, rtol, atol=0.0) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _rebuilt_batch_losses(logs_loss, per_epoch) -> np.ndarray:
    """The loss of each batch, from the logs' running mean over the epoch (HOML's form)."""
    means = np.asarray(logs_loss, np.float64).reshape(-1, per_epoch)
    sums = means * np.arange(1, per_epoch + 1)
    return np.diff(sums, axis=1, prepend=0.0).ravel()


def _list(values, k=6) -> str:
    values = np.asarray(values)
    head = ", ".join(f"{v:.4g}" for v in values[:k])
    return f"[{head}{', …' if len(values) > k else ''}] ({len(values)} entries)"


def _elr_verdicts(facts, case):
    out = []

    def add(prop, ok, expected, got):
        out.append((prop, "ok" if ok else "fails", expected, got))
        return ok

    per_epoch = -(-case["n"] // case["batch_size"])
    total = per_epoch * case["epochs"]
    want = case["lr0"] * case["factor"] ** np.arange(total)
    rates, losses, used = facts["rates"], facts["losses"], facts["lr_used"]
    add("one rate per batch", len(rates) == total,
        f"{total} entries in rates ({per_epoch} batches x {case['epochs']} epoch(s))",
        f"{len(rates)} entries")
    add("one loss per batch", len(losses) == total,
        f"{total} entries in losses", f"{len(losses)} entries")
    add("rate multiplied after each batch",
        _close(used, want, LR_RTOL) and _close(facts["final_lr"], want[-1] * case["factor"],
                                               LR_RTOL),
        f"the batches to train with {_list(want)}, then the rate "
        f"{want[-1] * case['factor']:.4g}", f"{_list(used)}, then {facts['final_lr']:.4g}")
    if len(rates) == total:
        add("rates recorded", _close(rates, used, LR_RTOL),
            f"rates[i] = the rate batch i trained with, {_list(used)}", _list(rates))
    if len(losses) == total and len(facts["logs_loss"]) == total:
        logs = facts["logs_loss"]
        batch = _rebuilt_batch_losses(logs, per_epoch)
        add("losses recorded", _close(losses, logs, LOSS_RTOL, LOSS_ATOL)
            or _close(losses, batch, LOSS_RTOL, LOSS_ATOL),
            f"losses[i] = logs['loss'] after batch i, {_list(logs)} (or each batch's own "
            f"loss, {_list(batch)})", _list(losses))
    return out


def _one_cycle_verdicts(facts, ref):
    """The rates every batch trained with, against the reference's (the solution's run on the
    hidden case, or the rates a visible test worked out by hand). No 1cycle formula here: this
    module ships to students, and the formula is the lr_scheduling chapter's graded exercise."""
    case = ref["case"]
    total = case["batches"] * case["epochs"]
    want = np.asarray(ref["lr_used"], dtype=np.float64)
    used = facts["lr_used"]
    ok = _close(used, want, LR_RTOL)
    got = _list(used, k=total)
    how = "ok" if ok else "fails"
    if not ok and len(used) == total:
        first = int(np.argmax(~np.isclose(used, want, rtol=LR_RTOL, atol=0)))
        got += f"; first difference at batch {first} (step {first}): {used[first]:.6g} " \
               f"instead of {want[first]:.6g}"
        # How the rates are wrong, so that each known mistake keeps its own hint.
        restarted = want[np.arange(total) % case["batches"]]
        if np.allclose(used, used[0], rtol=LR_RTOL, atol=0):
            how = "constant"
        elif _close(used[:-1], want[1:], LR_RTOL):
            how = "one step ahead"
        elif _close(used, restarted, LR_RTOL):
            how = "restarts each epoch"
    return [("learning rate at each batch", how,
             f"one_cycle(step, ...) for steps 0…{total - 1}, counted across "
             f"{case['epochs']} epoch(s) of {case['batches']} batches: {_list(want, k=total)}",
             got)]


def _mc_verdicts(facts, ref):
    case = ref["case"]
    pred = facts["pred"]
    rows, k = case["rows"], case["classes"]
    out = []

    def add(prop, ok, expected, got):
        out.append((prop, "ok" if ok else "fails", expected, got))
        return ok

    if not add("shape", pred.shape == (rows, k),
               f"an array of shape (len(X), n_classes) = ({rows}, {k}): the mean over the "
               "calls, not the calls stacked", f"shape {pred.shape}"):
        return out
    sums = pred.sum(axis=1)
    add("rows sum to 1", bool(np.allclose(sums, 1.0, atol=1e-4)),
        "each row a probability distribution (an average of softmax outputs sums to 1)",
        f"row sums {np.round(sums, 4)}")
    add("dropout active", facts["deterministic_diff"] > 1e-6,
        "a result that differs from model(X, training=False): each call must run with "
        "training=True so that dropout stays on",
        f"the same as model(X, training=False) (largest difference "
        f"{facts['deterministic_diff']:.2g})")
    if "pred" in ref and ref is not facts:
        n = 100 if case["n_samples"] is None else case["n_samples"]
        diff = float(np.max(np.abs(pred - ref["pred"])))
        add("average of n_samples passes", diff <= PRED_ATOL,
            f"the mean of exactly {n} calls model(X, training=True), in order, on this "
            f"freshly built model (to {PRED_ATOL:g})",
            f"a largest difference of {diff:.3g} from that mean")
    return out


def verdicts(facts: dict, ref: dict) -> list[tuple[str, str, str, str]]:
    """``[(property, class, expected, got)]`` for the facts of one case, judged against the
    reference observation ``ref`` (its ``case``, and for MC dropout its average); class ``"ok"``
    where the property holds."""
    if facts.get("ideal"):
        return []
    if facts.get("error"):
        return [("runs", "error", "the code to run", facts["error"])]
    case = ref["case"]
    kind = facts["kind"]
    if kind == "build_deep_mlp":
        return _mlp_verdicts(facts, case)
    if kind == "ExponentialLearningRate":
        return _elr_verdicts(facts, case)
    if kind == "OneCycleScheduler":
        return _one_cycle_verdicts(facts, ref)
    return _mc_verdicts(facts, ref)


def compare(part, got, expected) -> str | None:
    """``None`` when ``got``'s first failing property is ``expected``'s: none for a correct
    answer, so every property must hold; a known mistake's for its hint."""
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return "expected a result of the test's form, got something else."
    want = cmp.first_failure(verdicts(expected, expected))
    try:
        if got.get("kind") != expected.get("kind"):
            raise KeyError("kind")
        mine = verdicts(got, expected)
    except (KeyError, TypeError, IndexError, ValueError, AttributeError):
        return "expected the facts this test reports, got an unreadable result."
    return cmp.by_properties(mine, want)


# ---------------------------------------------------------------- visible checks

def _check(part, what, facts, ref=None):
    emit(what, facts)
    ref = {"ideal": True, "kind": facts["kind"], "case": facts["case"], **(ref or {})}
    message = compare(part, facts, ref)
    if message:
        raise AssertionError(f"{what}: {message}")
    return facts


def check_build_deep_mlp(fn, what="build_deep_mlp", **kwargs):
    """A visible test: builds the model with ``kwargs``, reports the facts, checks each one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = mlp_facts(fn, {"kwargs": kwargs or None, "seed": 11})
    return _check("build_deep_mlp", what, facts)


def check_exponential_lr(cls, factor, lr0=0.01, n=6, batch_size=2, epochs=2,
                         what="ExponentialLearningRate"):
    """A visible test: trains a tiny model with the callback (SGD at ``lr0``)."""
    case = {"factor": factor, "lr0": lr0, "optimizer": "sgd", "n": n, "batch_size": batch_size,
            "epochs": epochs, "seed": 12}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = elr_facts(cls, case)
    return _check("ExponentialLearningRate", what, facts)


def check_one_cycle_scheduler(cls, expected, n=8, batch_size=2, epochs=2,
                              what="OneCycleScheduler", **kwargs):
    """A visible test: trains a tiny model with ``cls(**kwargs)`` for ``n // batch_size``
    batches per epoch and checks the rate each batch trained with against ``expected`` (the
    rates the test cell works out by hand, one per batch)."""
    case = {"kwargs": kwargs, "n": n, "batch_size": batch_size, "epochs": epochs, "seed": 13}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = one_cycle_facts(cls, case)
    return _check("OneCycleScheduler", what, facts,
                  {"lr_used": np.asarray(expected, dtype=np.float64)})


class _KnownPasses:
    """Stands in for a model in the visible check: its k-th call with ``training=True`` returns
    the distributions ``P`` when k is odd and ``Q`` when k is even, and ``R`` with
    ``training=False``, as Keras tensors. The average of n passes is then known in closed form,
    so the check needs no average of real dropout passes (which would be the answer)."""

    def __init__(self, rows: int, classes: int = 4, seed: int = 14):
        rng = np.random.default_rng(seed)
        logits = rng.normal(size=(3, rows, classes))
        self.P, self.Q, self.R = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
        self.passes = 0

    def __call__(self, X, training=False):
        keras = _keras()
        if not training:
            return keras.ops.convert_to_tensor(self.R)
        self.passes += 1
        return keras.ops.convert_to_tensor(self.P if self.passes % 2 else self.Q)

    def mean(self, n: int) -> np.ndarray:
        return ((n + 1) // 2 * self.P + n // 2 * self.Q) / n


def _known_passes_message(fn, n_samples, rows) -> str | None:
    """What is wrong with ``fn`` on :class:`_KnownPasses`, or ``None``."""
    keras = _keras()
    model, n = _KnownPasses(rows), 100 if n_samples is None else n_samples
    X = np.zeros((rows, 6), np.float32)
    call = "mc_dropout_predict(model, X" + ("" if n_samples is None else f", n_samples={n}") + ")"
    try:
        pred = fn(model, X) if n_samples is None else fn(model, X, n_samples=n_samples)
        pred = np.asarray(keras.ops.convert_to_numpy(pred), np.float64)
    except Exception as err:  # noqa: BLE001
        return (f"on a stand-in model that can only be called, model(X, training=...), {call} "
                f"raised {type(err).__name__}: {err}. Use nothing of the model but that call.")
    want = model.mean(n)
    if pred.shape != want.shape:
        return (f"on a model whose passes are known, {call} returned shape {pred.shape}; "
                f"expected {want.shape}, the mean over the passes, not the passes stacked.")
    if np.allclose(pred, want, atol=PRED_ATOL, rtol=0):
        return None
    if np.allclose(pred, model.R, atol=PRED_ATOL, rtol=0):
        why = ("that is model(X, training=False) (or model.predict): dropout is off; run each "
               "pass as model(X, training=True).")
    elif model.passes != n:
        why = (f"it called model(X, training=True) {model.passes} times; {call} makes exactly "
               f"{n} such calls.")
    elif any(np.allclose(pred, last, atol=PRED_ATOL, rtol=0) for last in (model.P, model.Q)):
        why = "that is one pass's output, not the mean of all of them."
    else:
        why = "average the probabilities of the passes themselves, over the first axis."
    row, col = np.unravel_index(np.argmax(np.abs(pred - want)), want.shape)
    return (f"on a model whose k-th pass returns P (k odd) or Q (k even), {call} should give "
            f"the mean of {n} passes; first large difference at [{row}, {col}]: expected "
            f"{want[row, col]:.6g}, got {pred[row, col]:.6g}: {why}")


def check_mc_dropout(fn, n_samples=None, rows=4, what="mc_dropout_predict"):
    """A visible test: reports ``fn``'s result on a small seeded model with Dropout(0.5) for the
    grader, and checks it here on a stand-in model whose passes are known
    (:class:`_KnownPasses`)."""
    case = {"n_samples": n_samples, "layer": "Dropout", "rate": 0.5, "rows": rows,
            "features": 6, "seed": 14}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        facts = mc_facts(fn, case)
        emit(what, facts)
        message = facts["error"] or _known_passes_message(fn, n_samples, rows)
    if message:
        raise AssertionError(f"{what}: {message}")
    return facts


# ---------------------------------------------------------------- the Keras cross-check

def keras_observation(part: str, case: dict):
    """The learning rates Keras' own ``ExponentialDecay(lr0, decay_steps=1,
    decay_rate=factor)`` gives the LR finder's batches. 1cycle's cross-check needs the 1cycle
    formula, an answer, so it lives in :mod:`tdnn.crosscheck.lab_cifar_deep`; the model and MC
    dropout have no Keras counterpart."""
    keras = _keras()
    if part != "ExponentialLearningRate":
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schedule = keras.optimizers.schedules.ExponentialDecay(
            case["lr0"], decay_steps=1, decay_rate=case["factor"])
        probe, _ = _fit(keras.callbacks.Callback(), case, _optimizer(case["optimizer"], schedule))
    return {"kind": part, "lr_used": np.array(probe.lr_used)}


def max_difference(a: dict, b: dict) -> float:
    """Largest relative difference of the learning rates the batches trained with."""
    x, y = np.asarray(a["lr_used"]), np.asarray(b["lr_used"])
    if x.shape != y.shape:
        return float("inf")
    return float(np.max(np.abs(x - y) / np.abs(y)))
