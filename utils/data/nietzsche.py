"""The book's character-level corpus (8.1): Nietzsche's *Beyond Good and Evil*, lower-cased.

The one file, ``datasets/nietzsche.txt``, is resolved like every catalogued file (cache -> mirror ->
origin, verified by sha256 before use); see its entry in ``data/catalog.toml`` for the provenance of
the pinned copy.

>>> text = load_nietzsche()   # doctest: +SKIP
>>> len(text), len(set(text))  # doctest: +SKIP
(600893, 57)
"""

from __future__ import annotations

from .store import resolve

__all__ = ["NIETZSCHE_DATASET", "load_nietzsche"]

NIETZSCHE_DATASET = "nietzsche"
_FILE = "datasets/nietzsche.txt"


def load_nietzsche() -> str:
    """The whole verified corpus as one lower-cased string (600,893 characters, 57 distinct).

    Raises ``DatasetUnavailable`` (file, origin, hash and where to put it) when the file is in neither
    the cache nor the mirror and cannot be downloaded, and ``ChecksumError`` when a copy is not the
    catalogued one.
    """
    path = resolve(NIETZSCHE_DATASET).paths[_FILE]
    return path.read_text(encoding="utf-8").lower()
