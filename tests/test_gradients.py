"""utils.gradients: the same gradients on every Keras backend that is installed."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

PROBE = """
import numpy as np, keras
from keras import ops
from utils.gradients import value_and_grad
x = np.linspace(-1, 1, 6).reshape(2, 3)
w = np.arange(3.0)
value, (dx, dw) = value_and_grad(lambda x, w: ops.sum(ops.tanh(ops.matmul(x, w)) ** 2), x, w)
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
xin = x.astype("float64")
_, (d_input,) = value_and_grad(lambda image: ops.sum(model(image)), xin.astype("float32"))
f = lambda z: float(ops.convert_to_numpy(ops.sum(model(z.astype("float32")))))
numeric = [(f(xin + e) - f(xin - e)) / 2e-2 for e in np.eye(6).reshape(6, 2, 3) * 1e-2]  # central differences
print(keras.backend.backend(), float(value), *np.round(ops.convert_to_numpy(dx).ravel(), 10),
      *np.round(ops.convert_to_numpy(dw).ravel(), 10), *np.round(ops.convert_to_numpy(d_input).ravel(), 4),
      *np.round(numeric, 4))
"""


def _expected():
    x, w = np.linspace(-1, 1, 6).reshape(2, 3), np.arange(3.0)
    t = np.tanh(x @ w)
    g = 2 * t * (1 - t**2)  # d sum(tanh(xw)^2) / d(xw)
    return float(np.sum(t**2)), np.outer(g, w).ravel(), (x.T @ g).ravel()


def _run(backend):
    env = dict(os.environ, KERAS_BACKEND=backend)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    fields = done.stdout.split()
    assert fields[0] == backend
    return [float(f) for f in fields[1:]]


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_value_and_grad_agrees_with_the_formula_and_across_backends(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed here (make setup-backends installs JAX)")
    got = _run(backend)
    value, dx, dw = _expected()
    # JAX computes in float32 unless told otherwise; TensorFlow and PyTorch keep the float64 of the inputs
    assert got[0] == pytest.approx(value, rel=1e-6)
    np.testing.assert_allclose(got[1:7], dx, atol=1e-6)
    np.testing.assert_allclose(got[7:10], dw, atol=1e-6)
    np.testing.assert_allclose(got[10:16], got[16:22], atol=2e-3)  # a model's input gradient: finite differences


def test_no_argument_or_an_unknown_backend_is_refused():
    from utils.gradients import value_and_grad

    with pytest.raises(ValueError, match="at least one"):
        value_and_grad(lambda: 0.0)
    with pytest.raises(ValueError, match="mxnet"):
        value_and_grad(lambda x: x, np.zeros(2), backend="mxnet")
