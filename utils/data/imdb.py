"""IMDB reviews: the official word-index sequences, or the same rebuilt from the raw aclImdb reviews.

- :func:`load_imdb` returns what ``keras.datasets.imdb.load_data(**kwargs)`` returns, from the
  official ``imdb.npz`` when available, else rebuilt from the raw reviews (see ``data/README.md``);
- :func:`imdb_raw_dir` is the extracted raw reviews (``train/{pos,neg}``, ``test/{pos,neg}``),
  for the raw-text route of chapter 6;
- :func:`imdb_word_index` maps a word to its frequency rank.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .catalog import sha256_file
from .store import cache_dir, check_keras_home, resolve

__all__ = ["apply_imdb_conventions", "imdb_raw_dir", "imdb_word_index", "load_imdb", "tokenize_review"]


IMDB_REBUILD_VERSION = 1
# Keras's old `Tokenizer` default filters: every ASCII punctuation mark except the apostrophe.
_TOKENIZER_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_FILTER_TABLE = str.maketrans({c: " " for c in _TOKENIZER_FILTERS})


def imdb_word_index() -> dict[str, int]:
    """IMDB word -> rank (1 = most frequent), from the verified official file."""
    res = resolve("imdb_word_index")
    with open(res.paths["datasets/imdb_word_index.json"], encoding="utf-8") as fh:
        return json.load(fh)


def tokenize_review(text: str) -> list[str]:
    """Split a raw review the way the IMDB word index was built (Keras ``Tokenizer`` defaults)."""
    return [t for t in text.lower().translate(_FILTER_TABLE).split(" ") if t]


def imdb_raw_dir() -> Path:
    """Extracted raw reviews: a folder with ``train/{pos,neg}`` and ``test/{pos,neg}``."""
    res = resolve("aclimdb")
    return _extract_aclimdb(next(iter(res.paths.values())))


def _extract_aclimdb(tarball: Path) -> Path:
    target = cache_dir() / "datasets" / "aclImdb_extracted"
    stamp = target / ".source-sha256"
    expected = sha256_file(tarball)
    if stamp.exists() and stamp.read_text().strip() == expected:
        return target / "aclImdb"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(tarball, "r:gz") as tar:
        members = [
            m
            for m in tar.getmembers()
            if m.isfile() and re.match(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$", m.name)
        ]
        tar.extractall(target, members=members, filter="data")
    stamp.write_text(expected)
    return target / "aclImdb"


def _review_files(root: Path, split: str) -> list[tuple[Path, int]]:
    """Files of one split, negatives then positives, each by review id; label 1 = positive."""
    out = []
    for label, sub in ((0, "neg"), (1, "pos")):
        files = sorted((root / split / sub).glob("*.txt"), key=lambda p: int(p.stem.split("_")[0]))
        out += [(f, label) for f in files]
    return out


def _rebuild_imdb_arrays(tarball: Path, word_index_path: Path) -> Path:
    """Turn raw reviews into word-rank sequences (the content of imdb.npz); cached."""
    key = f"v{IMDB_REBUILD_VERSION}-{sha256_file(tarball)[:16]}"
    out = cache_dir() / "derived" / f"imdb_rebuilt-{key}.npz"
    if out.exists():
        return out
    from tqdm.auto import tqdm

    root = _extract_aclimdb(tarball)
    with open(word_index_path, encoding="utf-8") as fh:
        word_index = json.load(fh)
    arrays = {}
    for split in ("train", "test"):
        files = _review_files(root, split)
        seqs, labels = [], []
        for path, label in tqdm(files, desc=f"rebuilding IMDB {split}", leave=False):
            text = path.read_text(encoding="utf-8", errors="replace")
            # Words missing from the index are skipped, as in Keras's imdb.npz.
            seqs.append([word_index[t] for t in tokenize_review(text) if t in word_index])
            labels.append(label)
        lengths = np.array([len(s) for s in seqs], dtype=np.int64)
        arrays[f"{split}_tokens"] = np.concatenate([np.asarray(s, dtype=np.int32) for s in seqs])
        arrays[f"{split}_lengths"] = lengths
        arrays[f"{split}_labels"] = np.asarray(labels, dtype=np.int64)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, out)
    return out


def _split_ragged(tokens: np.ndarray, lengths: np.ndarray) -> list[list[int]]:
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return [tokens[bounds[i] : bounds[i + 1]].tolist() for i in range(len(lengths))]


def apply_imdb_conventions(
    x_train: Sequence[Sequence[int]],
    y_train: np.ndarray,
    x_test: Sequence[Sequence[int]],
    y_test: np.ndarray,
    *,
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
):
    """What ``keras.datasets.imdb.load_data`` does to the raw rank sequences of ``imdb.npz``.

    Shuffle each split with ``seed``, prepend ``start_char``, offset ranks by ``index_from``,
    drop sequences longer than ``maxlen``, and map ranks outside ``[skip_top, num_words)`` to
    ``oov_char``. Tested against Keras's own implementation in ``tests/test_data.py``.
    """
    x_train = np.asarray(x_train, dtype=object) if not isinstance(x_train, np.ndarray) else x_train
    x_test = np.asarray(x_test, dtype=object) if not isinstance(x_test, np.ndarray) else x_test
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    rng = np.random.RandomState(seed)
    idx = np.arange(len(x_train))
    rng.shuffle(idx)
    x_train, y_train = x_train[idx], y_train[idx]
    idx = np.arange(len(x_test))
    rng.shuffle(idx)
    x_test, y_test = x_test[idx], y_test[idx]

    def offset(xs):
        if start_char is not None:
            return [[start_char] + [w + index_from for w in x] for x in xs]
        return [[w + index_from for w in x] for x in xs]

    xtr, xte = offset(x_train), offset(x_test)
    if maxlen:
        keep = [i for i, x in enumerate(xtr) if len(x) < maxlen]
        xtr, y_train = [xtr[i] for i in keep], y_train[keep]
        keep = [i for i, x in enumerate(xte) if len(x) < maxlen]
        xte, y_test = [xte[i] for i in keep], y_test[keep]
        if not xtr or not xte:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, nothing is left.")
    xs = xtr + xte
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    n = len(xtr)
    return (np.array(xs[:n], dtype=object), y_train), (np.array(xs[n:], dtype=object), y_test)


def load_imdb(**kwargs):
    """IMDB as ``keras.datasets.imdb.load_data(**kwargs)`` returns it.

    Uses the official ``imdb.npz`` when available; otherwise rebuilds the sequences from the raw
    aclImdb reviews with the official word index (same split, labels and conventions; not
    byte-identical: see ``data/README.md``). :func:`sources` says which route was used.
    """
    res = resolve("imdb")
    if res.route.kind == "official":
        import keras

        check_keras_home()
        return keras.datasets.imdb.load_data(**kwargs)
    tarball = next(p for rel, p in res.paths.items() if rel.endswith(".tar.gz"))
    arrays = np.load(_rebuild_imdb_arrays(tarball, res.paths["datasets/imdb_word_index.json"]))
    x_train = _split_ragged(arrays["train_tokens"], arrays["train_lengths"])
    x_test = _split_ragged(arrays["test_tokens"], arrays["test_lengths"])
    return apply_imdb_conventions(
        x_train, arrays["train_labels"], x_test, arrays["test_labels"], **kwargs
    )
