"""Do results survive the trip from the kernel to the grader exactly?"""
from __future__ import annotations

import json

import numpy as np
import pytest

from tdnn.engine import codec


def test_arrays_round_trip_exactly_with_nan_and_inf():
    value = {"a": np.array([1.0, np.nan, -np.inf, 1e-300]), "b": [np.float32(0.1), None, "x"],
             "c": np.arange(6, dtype=np.int64).reshape(2, 3), "d": float("nan")}
    text = json.dumps(codec.encode(value), allow_nan=False)  # strict JSON, as Jupyter sends it
    back = codec.decode(json.loads(text))
    np.testing.assert_array_equal(back["a"], value["a"])
    assert back["b"][0].dtype == np.float32 and back["b"][1:] == [None, "x"]
    assert back["c"].shape == (2, 3) and np.isnan(back["d"])



@pytest.mark.parametrize("value", [np.array(2.5), np.float64(-0.0), np.int32(7),
                                   np.zeros((0, 3)), np.asfortranarray(np.eye(3)[:, :2])])
def test_shapes_survive_including_zero_dimensional(value):
    """A 0-d array or NumPy scalar stays 0-d (not shape (1,)); empty and Fortran-ordered arrays
    keep their shapes and values."""
    back = codec.decode(json.loads(json.dumps(codec.encode(value))))
    assert back.shape == np.shape(value) and back.dtype == np.asarray(value).dtype
    np.testing.assert_array_equal(back, value)


@pytest.mark.parametrize("bad", [
    {codec.ARRAY: "not base64!", "dtype": "<f8", "shape": [1]},
    {codec.ARRAY: "AAAAAAAA8D8=", "dtype": "<f8", "shape": [3]},
    {codec.ARRAY: "AAAAAAAA8D8=", "dtype": "|O", "shape": [1]},
    {codec.ARRAY: "AAAAAAAA8D8="},
])
def test_malformed_arrays_are_refused(bad):
    with pytest.raises(ValueError):
        codec.decode(bad)


def test_objects_that_are_not_data_cannot_be_reported():
    with pytest.raises(TypeError):
        codec.encode({"f": lambda: 0})
