"""What ``fit(shuffle=True)`` does to the sample order after ``utils.seeding.seed_everything``.

Keras 3 on the TensorFlow backend draws the permutation of NumPy inputs with ``tf.random.shuffle``
inside a ``tf.data`` pipeline that is rebuilt every epoch; with TensorFlow's global seed set (as
``keras.utils.set_random_seed`` does) it draws the *same* permutation every epoch. Keras 2 and Keras 3
on JAX draw a new one each epoch. This is the cause of the Boston gap in notebook 3.7
(results/evidence/boston_gap/). The xfail is strict: once Keras or ``utils`` reshuffles every epoch,
this test fails, and the notebooks' stored runs and bands must be redone.
"""

import keras
import numpy as np
import pytest

from utils import seeding

N, EPOCHS = 40, 4


def _orders():
    seeding.seed_everything(0)
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


@pytest.mark.xfail(keras.backend.backend() == "tensorflow", strict=True,
                   reason="Keras 3 + TensorFlow repeats the shuffled order every epoch under a global seed")
def test_each_epoch_has_its_own_order():
    assert len({tuple(order) for order in _orders()}) == EPOCHS
