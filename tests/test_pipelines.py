"""utils.pipelines: both routes give the same batches per epoch, cover the data, reshuffle, and run fit."""

from __future__ import annotations

import numpy as np
import pytest

from utils import pipelines


def _collect(ds):
    out = []
    for batch in ds:
        xb, yb = batch
        out.append((np.asarray(xb), np.asarray(yb)))
    return out


@pytest.fixture
def arrays():
    x = np.arange(50, dtype="float32").reshape(25, 2)
    y = np.arange(25, dtype="int64")
    return x, y


def test_route_by_backend():
    assert pipelines.route("tensorflow") == "tf.data"
    assert pipelines.route("jax") == pipelines.route("torch") == "PyDataset"


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_one_pass_covers_every_sample_once(arrays, backend):
    x, y = arrays
    got = _collect(pipelines.batches(x, y, batch_size=8, shuffle=True, seed=3, backend=backend))
    assert [len(yb) for _, yb in got] == [8, 8, 8, 1]
    labels = np.concatenate([yb for _, yb in got])
    assert sorted(labels.tolist()) == list(range(25))
    for xb, yb in got:  # x and y stay paired
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_steps_draw_full_batches_from_an_endless_stream(arrays, backend):
    x, y = arrays
    got = _collect(pipelines.batches(x, y, batch_size=10, shuffle=True, steps=7, seed=1, backend=backend))
    assert [len(yb) for _, yb in got] == [10] * 7  # 70 samples from passes over 25
    labels = np.concatenate([yb for _, yb in got])
    # The first 25 draws are one whole pass: every sample exactly once before any repeats.
    assert sorted(labels[:25].tolist()) == list(range(25))


def test_unshuffled_batches_keep_the_order(arrays):
    x, y = arrays
    got = _collect(pipelines.batches(x, y, batch_size=10, backend="jax"))
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in got]), y)


def test_pydataset_reshuffles_each_epoch_and_repeats_with_its_seed(arrays):
    x, y = arrays
    a = pipelines.ArrayBatches(x, y, batch_size=25, shuffle=True, seed=5)
    first = a[0][1].copy()
    a.on_epoch_end()
    second = a[0][1].copy()
    assert not np.array_equal(first, second)
    b = pipelines.ArrayBatches(x, y, batch_size=25, shuffle=True, seed=5)
    np.testing.assert_array_equal(b[0][1], first)
    with pytest.raises(IndexError):
        a[1]


def test_x_only_batches(arrays):
    x, _ = arrays
    ds = pipelines.ArrayBatches(x, batch_size=10)
    assert len(ds) == 3 and ds[2].shape == (5, 2)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"batch_size": 0}, "batch_size"), ({"steps": 0}, "steps"), ({"y": np.zeros(3)}, "samples")],
)
def test_bad_arguments(arrays, kwargs, message):
    x, y = arrays
    args = {"y": y, "batch_size": 4} | kwargs
    with pytest.raises(ValueError, match=message):
        pipelines.batches(x, args.pop("y"), **args, backend="jax")


def test_fit_on_the_pydataset_route_trains_a_model(arrays):
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["accuracy"])
    train = pipelines.batches(x, y, batch_size=32, shuffle=True, steps=20, backend="jax")
    history = model.fit(train, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert history.history["accuracy"][-1] > 0.9
