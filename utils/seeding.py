"""One call that seeds Python, NumPy and the Keras backend, and reshuffles every epoch.

The default seed is 42; ``DLWP_SEED`` overrides it for a whole run.
Seeding makes runs repeatable in distribution, not bit-identical: multi-threaded
CPU kernels may still sum in a different order from run to run.

``fit(shuffle=True)`` must draw a new sample order every epoch, as Keras 2 did and as Keras 3 does on
JAX and PyTorch (from NumPy's global generator). Keras 3 on TensorFlow draws the order with
``tf.random.shuffle`` inside a ``tf.data`` pipeline whose iterator is made anew every epoch; with
TensorFlow's global seed set, that repeats *one* order for the whole run (the cause of the Boston gap in
3.7: ``results/evidence/boston_gap/``). :func:`seed_everything` therefore gives that pipeline a seeded
``tf.random.Generator`` instead: its state lives outside the iterator and advances every epoch, so each
epoch has its own order and the whole sequence of orders repeats from the seed.
"""

from __future__ import annotations

import os

__all__ = ["DEFAULT_SEED", "ENV_VAR", "default_seed", "seed_everything"]

ENV_VAR = "DLWP_SEED"
DEFAULT_SEED = 42


def default_seed() -> int:
    """The seed for this run: ``DLWP_SEED`` if set, else 42."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_SEED
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{ENV_VAR}={raw!r} is not an integer seed.") from None


def seed_everything(seed: int | None = None) -> int:
    """Seed ``random``, NumPy and the backend, and make ``fit`` reshuffle every epoch; return the seed.

    >>> seed_everything(7)
    7
    """
    import keras

    seed = default_seed() if seed is None else int(seed)
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    keras.utils.set_random_seed(seed)  # seeds random, numpy and the backend
    if keras.backend.backend() == "tensorflow":
        _reshuffle_every_epoch(seed)
    return seed


_GENERATOR: dict = {}  # the seeded tf.random.Generator that draws fit's sample orders on TensorFlow


def _reshuffle_every_epoch(seed: int) -> None:
    """Make Keras's array adapter draw each epoch's order from a seeded generator (TensorFlow only)."""
    import tensorflow as tf
    from keras.src.trainers.data_adapters import array_data_adapter

    _GENERATOR["tf"] = tf.random.Generator.from_seed(seed)
    adapter = array_data_adapter.ArrayDataAdapter
    if getattr(adapter.get_tf_dataset, "reshuffles_every_epoch", False):
        return  # installed already; the new generator takes over

    original = adapter.get_tf_dataset

    def shuffle(value, seed=None, name=None):  # noqa: ARG001  (the signature of tf.random.shuffle)
        keys = _GENERATOR["tf"].uniform(tf.shape(value)[:1])
        return tf.gather(value, tf.argsort(keys))

    def get_tf_dataset(self):
        real, tf.random.shuffle = tf.random.shuffle, shuffle  # traced into the pipeline's map functions
        try:
            return original(self)
        finally:
            tf.random.shuffle = real

    get_tf_dataset.reshuffles_every_epoch = True
    get_tf_dataset.original = original  # Keras's own, for the test that shows why this exists
    adapter.get_tf_dataset = get_tf_dataset
