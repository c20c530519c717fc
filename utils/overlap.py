"""Exact and near duplicates between sets of pictures (Supplement B, S2.1: overlap between splits).

- :func:`exact_keys` hashes each picture's bytes: equal keys = identical pictures;
- :func:`near_keys` hashes a coarse version (block means, quantised to a few grey levels), so pictures
  that differ by small amounts of noise usually share a key (a cheap, approximate test);
- :func:`nearest_cosine` finds, for each query picture, the most similar reference picture by cosine
  similarity of the mean-centred pixels (exact, chunked); :func:`cosine_overlap` thresholds it;
- :func:`overlap_mask` marks the query pictures whose key occurs in a reference set, and
  :func:`repeat_count` counts the pictures that repeat an earlier one within a set.

>>> a = np.zeros((2, 4, 4), np.uint8); a[1, 0, 0] = 9
>>> overlap_mask(a, a[:1]).tolist()
[True]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

__all__ = ["cosine_overlap", "exact_keys", "near_keys", "nearest_cosine", "overlap_mask", "repeat_count"]


def _as_batch(x) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"expected a non-empty batch of pictures (n, ...), got shape {x.shape}")
    return x


def exact_keys(x) -> np.ndarray:
    """One sha1 hex digest per picture, of its raw bytes (dtype and shape included in what is equal)."""
    x = np.ascontiguousarray(_as_batch(x))
    return np.array([hashlib.sha1(row.tobytes()).hexdigest() for row in x])


def near_keys(x, block: int = 4, levels: int = 8) -> np.ndarray:
    """Keys of coarse copies: mean of each ``block`` x ``block`` tile, quantised to ``levels`` grey levels.

    Pictures are ``(n, h, w)``: grey levels 0..255, or floats scaled to -0.5..0.5 as the course does
    ``h`` and ``w`` must be multiples of ``block``.
    """
    x = _as_batch(x)
    if x.ndim != 3:
        raise ValueError(f"expected pictures (n, h, w), got shape {x.shape}")
    if block < 1 or levels < 2:
        raise ValueError("block must be >= 1 and levels >= 2")
    n, h, w = x.shape
    if h % block or w % block:
        raise ValueError(f"picture size {h}x{w} is not a multiple of block {block}")
    floating = np.issubdtype(x.dtype, np.floating)
    x = x.astype(np.float64)
    if floating:  # the course's scaling, -0.5..0.5, back to grey levels
        if x.min() < -0.5 - 1e-6 or x.max() > 0.5 + 1e-6:
            raise ValueError("float pictures must be scaled to -0.5..0.5 (utils.data.normalise_pixels)")
        x = x * 255.0 + 127.5
    tiles = x.reshape(n, h // block, block, w // block, block).mean(axis=(2, 4))
    coarse = np.minimum((tiles / 256.0 * levels).astype(np.uint8), levels - 1)
    return exact_keys(coarse)


def overlap_mask(reference, query, keys: Callable[[np.ndarray], np.ndarray] = exact_keys) -> np.ndarray:
    """Boolean mask over ``query``: True where a picture's key also occurs in ``reference``."""
    ref = set(keys(reference).tolist())
    return np.array([k in ref for k in keys(query).tolist()], dtype=bool)


def repeat_count(x, keys: Callable[[np.ndarray], np.ndarray] = exact_keys) -> int:
    """How many pictures of ``x`` repeat (share the key of) an earlier picture of ``x``."""
    k = keys(x)
    return int(len(k) - len(np.unique(k)))


def _unit_rows(x) -> np.ndarray:
    v = _as_batch(x).reshape(len(x), -1).astype(np.float32)
    v -= v.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1.0, norms)


def nearest_cosine(reference, query, chunk: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """For each query picture: the highest cosine similarity to any reference picture and its index.

    Pictures are compared after removing each one's mean grey level; a blank picture has similarity 0
    to everything. Computed exactly, ``chunk`` query pictures at a time.
    """
    if chunk < 1:
        raise ValueError("chunk must be >= 1")
    ref, qry = _unit_rows(reference), _unit_rows(query)
    if ref.shape[1] != qry.shape[1]:
        raise ValueError(f"pictures differ in size: {ref.shape[1]} vs {qry.shape[1]} values")
    best = np.empty(len(qry), dtype=np.float32)
    where = np.empty(len(qry), dtype=np.int64)
    for start in range(0, len(qry), chunk):
        sims = qry[start:start + chunk] @ ref.T
        where[start:start + chunk] = sims.argmax(axis=1)
        best[start:start + chunk] = sims.max(axis=1)
    return best, where


def cosine_overlap(reference, query, threshold: float = 0.95, chunk: int = 1000) -> np.ndarray:
    """Boolean mask over ``query``: True where some reference picture has cosine similarity >= ``threshold``."""
    if not -1.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must lie in [-1, 1], got {threshold}")
    best, _ = nearest_cosine(reference, query, chunk=chunk)
    return best >= threshold
