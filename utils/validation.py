"""Hold-out, K-fold and iterated K-fold validation of Keras models.

Splits come from scikit-learn (``KFold``, ``StratifiedKFold``, ``RepeatedKFold``);
a fresh model is built for every fold by the function you pass, so no weights
leak between folds.

>>> result = k_fold(build_model, x_train, y_train, k=4, epochs=100, batch_size=1)  # doctest: +SKIP
>>> result.mean("val_mae")                                                       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["KFoldResult", "fold_indices", "holdout_split", "iterated_k_fold", "k_fold"]


@dataclass
class KFoldResult:
    """Per-fold scores (``model.evaluate`` on the validation fold) and per-epoch histories."""

    scores: list[dict[str, float]] = field(default_factory=list)
    histories: list[dict[str, list[float]]] = field(default_factory=list)
    folds: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    repeats: int = 1

    def fold_scores(self, key: str) -> np.ndarray:
        return np.array([s[key] for s in self.scores])

    def mean(self, key: str) -> float:
        return float(self.fold_scores(key).mean())

    def std(self, key: str) -> float:
        return float(self.fold_scores(key).std())

    @property
    def training_runs(self) -> int:
        return len(self.scores)


def _check(x, y, k: int) -> int:
    n = len(x)
    if len(y) != n:
        raise ValueError(f"x and y have different lengths ({n} vs {len(y)})")
    if not isinstance(k, int | np.integer) or k < 2:
        raise ValueError(f"k must be an integer >= 2, got {k!r}")
    if k > n:
        raise ValueError(f"k={k} is larger than the number of samples ({n})")
    return n


def fold_indices(
    n_or_y, k: int, *, shuffle: bool = True, seed: int | None = 0, stratify: bool = False, repeats: int = 1
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train_idx, val_idx) pairs: ``k`` folds, ``repeats`` times (reshuffled each time).

    ``n_or_y`` is the number of samples, or the labels when ``stratify=True``.
    """
    from sklearn.model_selection import (
        KFold,
        RepeatedKFold,
        RepeatedStratifiedKFold,
        StratifiedKFold,
    )

    y = np.asarray(n_or_y) if stratify else None
    n = len(y) if stratify else int(n_or_y)
    _check(range(n), range(n), k)
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    if repeats > 1 and not shuffle:
        raise ValueError("iterated K-fold needs shuffle=True: unshuffled repeats are identical")
    if stratify:
        splitter = (
            RepeatedStratifiedKFold(n_splits=k, n_repeats=repeats, random_state=seed)
            if repeats > 1
            else StratifiedKFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None)
        )
        return [(tr, va) for tr, va in splitter.split(np.zeros(n), y)]
    splitter = (
        RepeatedKFold(n_splits=k, n_repeats=repeats, random_state=seed)
        if repeats > 1
        else KFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None)
    )
    return [(tr, va) for tr, va in splitter.split(np.zeros(n))]


def _take(a, idx):
    return a[idx] if isinstance(a, np.ndarray) else np.asarray(a)[idx]


def k_fold(
    build_model: Callable[[], object],
    x,
    y,
    *,
    k: int = 4,
    epochs: int,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int | None = 0,
    stratify: bool = False,
    repeats: int = 1,
    verbose: int = 0,
    progress: bool = True,
    fit_kwargs: dict | None = None,
) -> KFoldResult:
    """Train a fresh ``build_model()`` on each fold; validate on the held-out part.

    Each history holds the per-epoch training and validation metrics (``val_*``);
    each score is ``model.evaluate`` on the validation fold after the last epoch.
    """
    import keras
    from tqdm.auto import tqdm

    _check(x, y, k)
    folds = fold_indices(y if stratify else len(x), k, shuffle=shuffle, seed=seed, stratify=stratify, repeats=repeats)
    result = KFoldResult(repeats=repeats)
    desc = f"{k}-fold" + (f" x{repeats}" if repeats > 1 else "")
    for train_idx, val_idx in tqdm(folds, desc=desc, disable=not progress):
        policy = keras.mixed_precision.global_policy()
        keras.backend.clear_session()  # which resets the float policy too: keep the run's
        keras.mixed_precision.set_global_policy(policy)
        model = build_model()
        x_tr, y_tr = _take(x, train_idx), _take(y, train_idx)
        x_va, y_va = _take(x, val_idx), _take(y, val_idx)
        history = model.fit(
            x_tr, y_tr, validation_data=(x_va, y_va), epochs=epochs, batch_size=batch_size,
            verbose=verbose, **(fit_kwargs or {}),
        )
        scores = model.evaluate(x_va, y_va, batch_size=max(batch_size, 256), verbose=0, return_dict=True)
        result.scores.append({k_: float(v) for k_, v in scores.items()})
        result.histories.append({k_: list(map(float, v)) for k_, v in history.history.items()})
        result.folds.append((train_idx, val_idx))
    return result


def iterated_k_fold(build_model, x, y, *, k: int = 4, repeats: int = 3, **kwargs) -> KFoldResult:
    """K-fold ``repeats`` times with a fresh shuffle each time (``k * repeats`` trainings)."""
    kwargs.pop("shuffle", None)
    return k_fold(build_model, x, y, k=k, repeats=repeats, shuffle=True, **kwargs)


def holdout_split(x, y, *, validation_size: int | float, seed: int | None = 0, shuffle: bool = True, stratify: bool = False):
    """Split off a validation set: returns ``(x_train, y_train), (x_val, y_val)``."""
    from sklearn.model_selection import train_test_split

    if len(x) != len(y):
        raise ValueError(f"x and y have different lengths ({len(x)} vs {len(y)})")
    x_tr, x_va, y_tr, y_va = train_test_split(
        x, y, test_size=validation_size, random_state=seed, shuffle=shuffle, stratify=y if stratify else None
    )
    return (x_tr, y_tr), (x_va, y_va)
