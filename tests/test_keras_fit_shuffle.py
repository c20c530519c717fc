"""What ``fit(shuffle=True)`` does to the sample order after ``utils.seeding.seed_everything``.

Keras 3 on the TensorFlow backend draws the permutation of NumPy inputs with ``tf.random.shuffle``
inside a ``tf.data`` pipeline whose iterator is made anew every epoch; with TensorFlow's global seed set
(as ``keras.utils.set_random_seed`` does) it draws the *same* permutation every epoch, the cause of the
Boston gap in notebook 3.7 (results/evidence/boston_gap/). Keras 2 and Keras 3 on JAX draw a new one
each epoch, and so does the course on every backend since ``seed_everything`` gives the pipeline a
seeded generator: every epoch its own order, the same orders again from the same seed.
"""

import keras
import numpy as np
import pytest

from utils import seeding

N, EPOCHS = 40, 4


def _orders(seed=seeding.seed_everything):
    seed(0)
    seen = []

    class Recorder(keras.Model):
        def train_step(self, *args, **kwargs):
            data = args[-1] if args else kwargs["data"]
            seen.append(int(np.asarray(data[1]).reshape(-1)[0]))
            return super().train_step(*args, **kwargs)

    inputs = keras.Input((1,))
    model = Recorder(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="rmsprop", loss="mse", run_eagerly=True)
    x = np.arange(N, dtype="float32")[:, None]
    model.fit(x, np.arange(N, dtype="float32"), batch_size=1, epochs=EPOCHS, verbose=0)
    return np.array(seen).reshape(EPOCHS, N)


def test_every_epoch_visits_every_sample_once():
    assert all(sorted(order) == list(range(N)) for order in _orders())


def test_each_epoch_has_its_own_order_and_the_seed_repeats_them():
    first = _orders()
    assert len({tuple(order) for order in first}) == EPOCHS
    assert np.array_equal(first, _orders())  # reproducible from the seed


def test_keras_alone_repeats_one_order_on_tensorflow():
    """Why the fix exists: without it, Keras 3 on TensorFlow shows one order for the whole run."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the repeated order is a TensorFlow-backend behaviour")
    from keras.src.trainers.data_adapters import array_data_adapter

    seeding.seed_everything(0)  # installs the fix
    adapter = array_data_adapter.ArrayDataAdapter
    patched = adapter.get_tf_dataset
    adapter.get_tf_dataset = patched.original
    try:
        seen = _orders(keras.utils.set_random_seed)
    finally:
        adapter.get_tf_dataset = patched
    assert len({tuple(order) for order in seen}) == 1
