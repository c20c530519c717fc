"""Training curves: one history, several overlaid, K-fold averages, smoothing.

Every function takes a Keras ``History`` or its ``.history`` dict, numbers epochs
from 1, and returns the matplotlib ``Figure`` (tests use the Agg backend).

>>> fig = plot_history(history, metric="accuracy")   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["average_curves", "history_dict", "plot_curve", "plot_histories", "plot_history", "smooth_curve"]


def history_dict(history) -> dict[str, list[float]]:
    """Accept a Keras ``History`` or a plain dict of per-epoch lists."""
    hist = getattr(history, "history", history)
    if not isinstance(hist, Mapping) or not hist:
        raise TypeError("expected a keras History or a non-empty dict of per-epoch values")
    return {k: list(map(float, v)) for k, v in hist.items()}


def smooth_curve(points: Sequence[float], factor: float = 0.9) -> list[float]:
    """Exponential moving average, as the book smooths noisy validation curves.

    >>> smooth_curve([1.0, 0.0, 0.0], factor=0.5)
    [1.0, 0.5, 0.25]
    """
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"factor must be in [0, 1), got {factor}")
    out: list[float] = []
    for p in points:
        out.append(out[-1] * factor + p * (1 - factor) if out else float(p))
    return out


def average_curves(histories: Sequence, key: str) -> np.ndarray:
    """Per-epoch mean of ``key`` across several histories (e.g. K folds)."""
    curves = [history_dict(h)[key] for h in histories]
    if not curves:
        raise ValueError("no histories to average")
    lengths = {len(c) for c in curves}
    if len(lengths) != 1:
        raise ValueError(f"histories have different lengths: {sorted(lengths)}")
    return np.mean(np.asarray(curves, dtype=float), axis=0)


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _epoch_axis(ax) -> None:
    """Label the x axis "epoch" with whole-number ticks only (no "2.5 epochs" on short runs)."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_history(history, metric: str | None = "accuracy", title: str | None = None):
    """Loss and (optionally) one metric, training vs validation, side by side."""
    hist = history_dict(history)
    keys = ["loss"] + ([metric] if metric else [])
    for k in keys:
        if k not in hist:
            raise KeyError(f"{k!r} not in history (has: {', '.join(hist)})")
    plt = _plt()
    fig, axes = plt.subplots(1, len(keys), figsize=(5.5 * len(keys), 3.8), squeeze=False)
    for ax, k in zip(axes[0], keys, strict=True):
        epochs = np.arange(1, len(hist[k]) + 1)
        ax.plot(epochs, hist[k], "o-", ms=3, label=f"training {k}")
        if f"val_{k}" in hist:
            ax.plot(epochs, hist[f"val_{k}"], "s-", ms=3, label=f"validation {k}")
        _epoch_axis(ax)
        ax.set_ylabel(k)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_histories(histories: Mapping[str, object], key: str = "val_loss", title: str | None = None, ax=None):
    """Overlay one quantity (default validation loss) of several named runs."""
    plt = _plt()
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 4))
    else:
        fig = ax.figure
    for label, h in histories.items():
        values = history_dict(h)[key]
        ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=3, label=label)
    _epoch_axis(ax)
    ax.set_ylabel(key)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_curve(values: Sequence[float], *, skip: int = 0, first_epoch: int = 1, ylabel: str = "", title: str | None = None):
    """One per-epoch curve (e.g. a K-fold average), optionally skipping the first ``skip`` epochs."""
    if skip < 0 or skip >= len(values):
        raise ValueError(f"skip must be in [0, {len(values)}), got {skip}")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    epochs = np.arange(first_epoch + skip, first_epoch + len(values))
    ax.plot(epochs, list(values)[skip:])
    _epoch_axis(ax)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
