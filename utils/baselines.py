"""Dumb baselines a model has to beat before it is worth anything.

Chapter 4's rule: before tuning a model, know the score of a predictor that learns
nothing. Each function "fits" on training targets only and scores on held-out targets.

>>> majority_class_accuracy([0, 0, 1], [0, 1, 1, 1])
0.25
>>> round(mean_predictor_mae([1.0, 3.0], [2.0, 4.0]), 3)
1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["majority_class", "majority_class_accuracy", "mean_predictor_mae", "shuffled_label_accuracy"]


def _labels(y) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim == 2:  # one-hot rows -> integer labels
        arr = arr.argmax(axis=1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("expected a non-empty 1-D array of labels (or one-hot rows)")
    return arr


def majority_class(y_train) -> int:
    """The most frequent training label (the smallest one on a tie).

    >>> majority_class([2, 1, 2, 1, 3])
    1
    """
    values, counts = np.unique(_labels(y_train), return_counts=True)
    return int(values[np.argmax(counts)])


def majority_class_accuracy(y_train, y_eval) -> float:
    """Accuracy on ``y_eval`` of always answering the most frequent label of ``y_train``."""
    return float(np.mean(_labels(y_eval) == majority_class(y_train)))


def shuffled_label_accuracy(y_eval, *, seed: int = 0, repeats: int = 1) -> float:
    """Accuracy of guessing with the label distribution but no information: ``y_eval`` against
    a seeded permutation of itself, averaged over ``repeats`` permutations.

    It approaches ``sum(p_c ** 2)`` over class frequencies ``p_c`` (the book's Reuters
    "random classifier", about 19%).

    >>> shuffled_label_accuracy([0, 0, 0, 0]) == 1.0
    True
    """
    y = _labels(y_eval)
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    rng = np.random.default_rng(seed)
    return float(np.mean([np.mean(y == rng.permutation(y)) for _ in range(repeats)]))


def mean_predictor_mae(y_train: Sequence[float], y_eval: Sequence[float]) -> float:
    """Mean absolute error on ``y_eval`` of always predicting the mean of ``y_train``."""
    tr = np.asarray(y_train, dtype=float).ravel()
    ev = np.asarray(y_eval, dtype=float).ravel()
    if tr.size == 0 or ev.size == 0:
        raise ValueError("y_train and y_eval must be non-empty")
    return float(np.mean(np.abs(ev - tr.mean())))
