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


WEIGHTS_PROBE = """
import numpy as np, keras
from keras import ops
from utils.gradients import value_and_grad, value_and_weight_grads
keras.utils.set_random_seed(0)
d = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dropout(0.5),
                      keras.layers.Dense(1)])
x = np.random.RandomState(0).randn(16, 4).astype("float32")
y = (x[:, :1] > 0).astype("float32")
bce = keras.losses.BinaryCrossentropy(from_logits=True)
w = [ops.convert_to_numpy(v) for v in d.trainable_weights]
loss, grads = value_and_weight_grads(lambda: bce(y, d(x, training=False)), d.trainable_weights)
# the kernel gradient of the last layer by hand: d loss / d logits = (sigmoid(z) - y) / n
h = np.maximum(x @ w[0] + w[1], 0)
z = h @ w[2] + w[3]
by_hand = h.T @ ((1 / (1 + np.exp(-z)) - y) / len(x))
opt = keras.optimizers.SGD(0.1)
first = None
for _ in range(60):
    step_loss, step_grads = value_and_weight_grads(lambda: bce(y, d(x, training=True)), d.trainable_weights)
    opt.apply(step_grads, d.trainable_weights)
    first = first if first is not None else float(ops.convert_to_numpy(step_loss))
a, b = (ops.convert_to_numpy(d(x, training=True)) for _ in range(2))
_, (g,) = value_and_grad(lambda t: ops.sum(t ** 3), np.array([1.0, 2.0]))
print(keras.backend.backend(), float(np.max(np.abs(ops.convert_to_numpy(grads[2]) - by_hand))), first,
      float(ops.convert_to_numpy(step_loss)), int(not np.allclose(a, b)), ops.convert_to_numpy(g).dtype)
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_weight_gradients_match_the_hand_formula_train_and_keep_dropout_moving(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed here (make setup-backends installs JAX and PyTorch)")
    env = dict(os.environ, KERAS_BACKEND=backend)
    out = subprocess.run([sys.executable, "-c", WEIGHTS_PROBE], env=env, capture_output=True, text=True, check=True)
    name, err, first, last, dropout_moves, dtype = out.stdout.split()
    assert name == backend
    assert float(err) < 1e-5  # the last layer's kernel gradient equals the formula
    assert float(last) < 0.6 * float(first)  # 60 optimizer steps on those gradients learn
    assert dropout_moves == "1"  # the dropout seed advanced (JAX: the scope's updates written back)
    assert dtype == "float64"  # float64 inputs are differentiated in float64 on every backend


FLOAT64_PROBE = """
import numpy as np, keras
before = keras.backend.standardize_dtype(keras.ops.convert_to_tensor(np.zeros(1)).dtype)
from utils.gradients import allow_float64
message = allow_float64()
after = keras.backend.standardize_dtype(keras.ops.convert_to_tensor(np.zeros(1)).dtype)
print(before, after, message)
"""


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_allow_float64_keeps_float64_arrays_float64(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed here (make setup-backends installs JAX)")
    env = dict(os.environ, KERAS_BACKEND=backend)
    done = subprocess.run([sys.executable, "-c", FLOAT64_PROBE], env=env, capture_output=True, text=True, check=True)
    before, after, message = done.stdout.split(maxsplit=2)
    assert after == "float64", message
    # only JAX needed switching (it narrows float64 to float32 by default); the others say so
    assert before == ("float32" if backend == "jax" else "float64")
    assert ("64-bit mode is on" in message) == (backend == "jax")


def test_allow_float64_refuses_an_unknown_backend():
    from utils.gradients import allow_float64

    with pytest.raises(ValueError, match="no gradients for backend"):
        allow_float64(backend="numpy")
