"""MNIST and Fashion-MNIST: the official Keras files, or the published IDX files read directly.

Both come back exactly as ``keras.datasets.<name>.load_data()`` returns them: uint8 images
``(n, 28, 28)`` and uint8 labels, the official split and order.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from .store import check_keras_home, resolve

__all__ = ["FASHION_MNIST_CLASSES", "load_fashion_mnist", "load_mnist", "read_idx"]

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


def read_idx(path: Path) -> np.ndarray:
    """Read a (gzipped) IDX file, the format MNIST and Fashion-MNIST are published in."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    expected = int(np.prod(dims))
    if len(raw) - offset != expected:
        raise ValueError(f"{path}: header says {expected} values, file holds {len(raw) - offset}")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(dims)


def load_mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST exactly as ``keras.datasets.mnist.load_data()`` returns it.

    Uses the official ``mnist.npz`` when available, else the four IDX files (same arrays,
    same order: uint8 images (n, 28, 28), uint8 labels).
    """
    res = resolve("mnist")
    if res.route.kind == "official":
        import keras

        check_keras_home()
        return keras.datasets.mnist.load_data()
    return _idx_arrays(res.paths)


def _idx_arrays(paths: dict[str, Path], prefix: str = ""):
    p = {Path(rel).name: path for rel, path in paths.items()}
    x_train = read_idx(p[f"{prefix}train-images-idx3-ubyte.gz"])
    y_train = read_idx(p[f"{prefix}train-labels-idx1-ubyte.gz"])
    x_test = read_idx(p[f"{prefix}t10k-images-idx3-ubyte.gz"])
    y_test = read_idx(p[f"{prefix}t10k-labels-idx1-ubyte.gz"])
    return (x_train, y_train), (x_test, y_test)


def load_fashion_mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST exactly as ``keras.datasets.fashion_mnist.load_data()`` returns it.

    Read from the four official IDX files (Zalando's, as Keras serves them); class names in
    :data:`FASHION_MNIST_CLASSES`.
    """
    return _idx_arrays(resolve("fashion_mnist").paths)
