"""Feed in-memory arrays to a model on any Keras backend, as fast as the backend computes.

One call, :func:`batches`, picks the route by backend:

- TensorFlow: a ``tf.data`` pipeline (shuffle, repeat, batch, prefetch run in TensorFlow's C++
  threads, the better tool on a CPU);
- JAX or PyTorch: :class:`ArrayBatches`, a ``keras.utils.PyDataset`` that slices NumPy arrays,
  so no TensorFlow is needed at training time (a GPU machine may not have it at all).

Both give the same batches per epoch, a fresh shuffle every epoch when asked, and the book's
"``steps_per_epoch`` batches, drawn from an endless reshuffled stream" when ``steps`` is given::

    from utils.pipelines import batches
    train = batches(x_train, y_train, batch_size=32, shuffle=True, steps=100)
    model.fit(train, epochs=100, validation_data=batches(x_val, y_val, batch_size=32))

For a time series, :class:`WindowBatches` cuts (window, target) batches out of the rows when Keras asks
for them (chapter 6's weather windows, 6.3 and 6.4), on every backend.

Augmentation belongs inside the model (Keras preprocessing layers), where every backend runs it
on the accelerator.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ArrayBatches", "WindowBatches", "batches", "route"]


def route(backend: str | None = None) -> str:
    """``"tf.data"`` under the TensorFlow backend, ``"PyDataset"`` under any other."""
    if backend is None:
        import keras

        backend = keras.backend.backend()
    return "tf.data" if backend == "tensorflow" else "PyDataset"


def _check(x, y, batch_size: int, steps: int | None) -> int:
    n = len(x)
    if y is not None and len(y) != n:
        raise ValueError(f"x has {n} samples but y has {len(y)}")
    if n == 0:
        raise ValueError("no samples to batch")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if steps is not None and steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    return n


def _keras_pydataset():
    import keras

    return keras.utils.PyDataset


class ArrayBatches(_keras_pydataset()):
    """Batches of in-memory arrays for ``fit``/``evaluate``/``predict`` on any backend.

    Without ``steps``, one epoch is one pass over the data (the last batch may be short).
    With ``steps``, one epoch is exactly ``steps`` full batches taken from an endless stream of
    reshuffled passes (``tf.data``'s ``shuffle().repeat()``), as the book's generators did.
    The order depends only on ``seed`` and the epoch number.
    """

    def __init__(self, x, y=None, batch_size: int = 32, *, shuffle: bool = False, steps: int | None = None,
                 seed: int = 0):
        super().__init__()
        self.n = _check(x, y, batch_size, steps)
        self.x, self.y = x, y
        self.batch_size, self.shuffle, self.steps, self.seed = int(batch_size), shuffle, steps, seed
        self.epoch = 0
        self._order = self._epoch_order()

    def _epoch_order(self) -> np.ndarray:
        needed = self.n if self.steps is None else self.steps * self.batch_size
        passes = math.ceil(needed / self.n)
        if not self.shuffle:
            return np.tile(np.arange(self.n), passes)[:needed]
        rng = np.random.default_rng((self.seed, self.epoch))
        return np.concatenate([rng.permutation(self.n) for _ in range(passes)])[:needed]

    def __len__(self) -> int:
        return self.steps if self.steps is not None else math.ceil(self.n / self.batch_size)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        idx = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        xb = self.x[idx]
        return xb if self.y is None else (xb, self.y[idx])

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._order = self._epoch_order()


def _tf_batches(x, y, batch_size: int, shuffle: bool, steps: int | None, seed: int):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    if steps is not None:
        # An endless stream of reshuffled passes; each epoch takes `steps` full batches of it.
        ds = ds.repeat().batch(batch_size, drop_remainder=True).take(steps)
    else:
        ds = ds.batch(batch_size)
    return ds.prefetch(tf.data.AUTOTUNE)


def batches(x, y=None, batch_size: int = 32, *, shuffle: bool = False, steps: int | None = None,
            seed: int | None = None, backend: str | None = None):
    """Batches of ``(x, y)`` (or ``x`` alone) for the active backend: see the module docstring.

    ``seed`` defaults to the run's seed (``utils.seeding.default_seed()``), so a rerun shuffles alike.
    """
    from .seeding import default_seed

    _check(x, y, batch_size, steps)
    seed = default_seed() if seed is None else int(seed)
    if route(backend) == "tf.data":
        return _tf_batches(x, y, int(batch_size), shuffle, steps, seed)
    return ArrayBatches(x, y, batch_size, shuffle=shuffle, steps=steps, seed=seed)


class WindowBatches(_keras_pydataset()):
    """Batches of (window, target) cut from ``rows`` when Keras asks for them, on any backend.

    Window ``i`` holds rows ``i, i + r, ..., i + (L - 1) r`` (``L = params.sequence_length``,
    ``r = params.sampling_rate``; ``reverse=True`` puts the newest reading first), and its target is
    column ``target`` ``params.delay`` rows after its last reading: the windows and targets of
    ``keras.utils.timeseries_dataset_from_array`` (``utils.data.window_dataset``, TensorFlow only),
    without storing a single window. ``num_batches`` keeps only the first batches of each epoch;
    with ``shuffle`` every epoch draws a new order of the windows, reproducible from ``seed``
    (default: the run's seed).
    """

    def __init__(self, rows: np.ndarray, target: int, params, batch_size: int = 128, *, shuffle: bool = False,
                 reverse: bool = False, num_batches: int | None = None, seed: int | None = None):
        from .seeding import default_seed

        super().__init__()
        span = (params.sequence_length - 1) * params.sampling_rate  # first reading to last, in rows
        self.offsets = np.arange(0, span + 1, params.sampling_rate)  # the rows a window reads
        if reverse:
            self.offsets = self.offsets[::-1]
        self.target_offset = span + params.delay
        if len(rows) <= self.target_offset:
            raise ValueError(f"{len(rows)} rows are too few for windows spanning {self.target_offset + 1} rows")
        self.rows, self.target, self.batch_size, self.shuffle = rows, target, int(batch_size), shuffle
        self.starts = np.arange(len(rows) - self.target_offset)  # the first row of every window
        every_batch = math.ceil(len(self.starts) / self.batch_size)
        self.length = every_batch if num_batches is None else min(int(num_batches), every_batch)
        self.seed, self.epoch = default_seed() if seed is None else int(seed), 0
        self.order = self._epoch_order()

    def _epoch_order(self) -> np.ndarray:
        if not self.shuffle:
            return self.starts
        return np.random.default_rng((self.seed, self.epoch)).permutation(self.starts)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        first = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.rows[first[:, None] + self.offsets], self.rows[first + self.target_offset, self.target]

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self.order = self._epoch_order()
