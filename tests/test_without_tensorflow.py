"""tests/without_tensorflow: the backend matrix's kernels must see no TensorFlow, and still run Keras."""

import os
import subprocess
import sys

import pytest

from toolkit import REPO_ROOT

PROBE = """
import importlib.util
print(importlib.util.find_spec("tensorflow") is None)
try:
    import tensorflow
    print("imported")
except ModuleNotFoundError:
    print("blocked")
import numpy as np, keras, utils
m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
m.compile("sgd", "mse")
m.fit(np.ones((8, 3)), np.ones(8), verbose=0)
print(keras.backend.backend(), "tensorflow" in __import__("sys").modules)
"""


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_tensorflow_is_invisible_and_keras_still_trains(backend, tmp_path):
    pytest.importorskip(backend)
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=str(REPO_ROOT / "tests" / "without_tensorflow"))
    # run from another folder, as nbval's kernels run from notebooks/
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "blocked", backend, "False"]
