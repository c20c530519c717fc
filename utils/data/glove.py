"""GloVe word vectors (Pennington, Socher & Manning, 2014): the book's ``glove.6B.100d``.

- :func:`load_glove` resolves the catalogued vectors (the official ``glove.6B.zip``, or its
  ``glove.6B.100d.txt`` member already extracted) and parses them into ``{word: vector}``;
- :func:`parse_glove` parses GloVe's text format (one word and its numbers per line) from any
  iterable of lines, checking every line;
- :func:`embedding_matrix` lays vectors out as the weight matrix of an ``Embedding`` layer,
  one row per vocabulary index (zeros for words without a vector).

GloVe is not in the offline mirror; where it is absent, :func:`utils.data.weights_available`
(``"glove_6b_100d"``) is False and :func:`load_glove` raises :class:`DatasetUnavailable` naming
the file, its origin, its hash and the folder to put it in.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .store import resolve

__all__ = ["GLOVE_DATASET", "embedding_matrix", "load_glove", "parse_glove"]

GLOVE_DATASET = "glove_6b_100d"
_MEMBER = "glove.6B.100d.txt"
_DIM = 100


def parse_glove(lines: Iterable[str], dim: int) -> dict[str, np.ndarray]:
    """Parse GloVe text lines (``word x1 x2 ... x_dim``) into ``{word: float32 vector}``.

    Raises ``ValueError`` naming the line for a line with the wrong number of values or a value
    that is not a number, and for input without a single vector. A repeated word keeps its first vector.

    >>> parse_glove(["the 0.5 -1", "cat 2 0.25"], dim=2)["cat"]
    array([2.  , 0.25], dtype=float32)
    """
    if dim < 1:
        raise ValueError(f"dim must be positive, got {dim}")
    vectors: dict[str, np.ndarray] = {}
    for number, line in enumerate(lines, start=1):
        parts = line.rstrip("\r\n").split(" ")
        if parts == [""]:
            continue  # a blank line (e.g. a trailing newline)
        if len(parts) != dim + 1 or not parts[0]:
            raise ValueError(
                f"GloVe line {number}: expected a word and {dim} numbers, found {len(parts) - 1} values "
                f"({line[:60]!r}...); is this the {dim}-dimensional file, and is it complete?"
            )
        try:
            vector = np.asarray(parts[1:], dtype=np.float32)
        except ValueError:
            raise ValueError(f"GloVe line {number}: a value for {parts[0]!r} is not a number") from None
        vectors.setdefault(parts[0], vector)
    if not vectors:
        raise ValueError("no GloVe vectors found: the file is empty")
    return vectors


def load_glove(dim: int = _DIM) -> dict[str, np.ndarray]:
    """The book's GloVe vectors: ``{word: float32 vector of length 100}`` for 400,000 words.

    Reads the ``glove.6B.100d.txt`` member straight from the verified ``glove.6B.zip`` (or the
    verified extracted file). Only the 100-dimensional vectors are catalogued.

    >>> vectors = load_glove()        # doctest: +SKIP
    >>> len(vectors), vectors["movie"].shape   # doctest: +SKIP
    (400000, (100,))
    """
    if dim != _DIM:
        raise ValueError(f"only the {_DIM}-dimensional GloVe 6B vectors are catalogued, not {dim}")
    res = resolve(GLOVE_DATASET)
    path = next(iter(res.paths.values()))
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf, zf.open(_MEMBER) as raw:
            return parse_glove(io.TextIOWrapper(raw, encoding="utf-8"), dim)
    with open(path, encoding="utf-8") as fh:
        return parse_glove(fh, dim)


def embedding_matrix(vocabulary: Sequence[str], vectors: Mapping[str, np.ndarray]) -> tuple[np.ndarray, int]:
    """Weights for ``Embedding(len(vocabulary), dim)``: row ``i`` is the vector of ``vocabulary[i]``.

    Words without a vector (padding ``""``, ``[UNK]``, rare words) keep a row of zeros. Returns the
    float32 matrix and how many rows were filled.

    >>> m, found = embedding_matrix(["", "cat", "zebu"], {"cat": np.ones(2, "float32")})
    >>> found, m.tolist()
    (1, [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    """
    if not vectors:
        raise ValueError("no vectors given")
    dims = {np.shape(v) for v in vectors.values()}
    if len(dims) != 1 or len(next(iter(dims))) != 1:
        raise ValueError(f"vectors must all be 1-D of one length; found shapes {sorted(dims)}")
    (dim,) = next(iter(dims))
    matrix = np.zeros((len(vocabulary), dim), dtype=np.float32)
    found = 0
    for i, word in enumerate(vocabulary):
        vector = vectors.get(word)
        if vector is not None:
            matrix[i] = vector
            found += 1
    return matrix, found
