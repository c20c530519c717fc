"""Encoders the early chapters use: multi-hot sequences, one-hot labels, index sequences back to words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["decode_review", "one_hot", "vectorize_sequences"]


def decode_review(sequence: Iterable[int], word_index: dict[str, int], index_from: int = 3) -> str:
    """Turn an IMDB/Reuters index sequence back into words.

    Indices 0, 1, 2 (padding, start, out-of-vocabulary) print as ``?``, as in the book.

    >>> decode_review([1, 14, 22], {"this": 11, "film": 19})
    '? this film'
    """
    reverse = {rank + index_from: word for word, rank in word_index.items()}
    return " ".join(reverse.get(int(i), "?") for i in sequence)


def vectorize_sequences(sequences: Sequence[Iterable[int]], dimension: int = 10000) -> np.ndarray:
    """Multi-hot encode index sequences into a float32 matrix of shape (n, dimension).

    float32, not NumPy's float64 default: 25,000 x 10,000 is 1 GB instead of 2 GB.

    >>> vectorize_sequences([[1, 3], [0]], dimension=4)
    array([[0., 1., 0., 1.],
           [1., 0., 0., 0.]], dtype=float32)
    """
    if dimension < 1:
        raise ValueError(f"dimension must be positive, got {dimension}")
    out = np.zeros((len(sequences), dimension), dtype=np.float32)
    for i, seq in enumerate(sequences):
        idx = np.fromiter(seq, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= dimension):
            raise ValueError(f"sequence {i} has indices outside [0, {dimension}); raise `dimension`.")
        out[i, idx] = 1.0
    return out


def one_hot(labels: Iterable[int], num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels into float32 rows.

    >>> one_hot([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    labels = np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("labels must be a 1-D sequence of integers")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes})")
    out = np.zeros((labels.size, num_classes), dtype=np.float32)
    out[np.arange(labels.size), labels] = 1.0
    return out
