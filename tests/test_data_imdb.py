"""Chapter 3 data facts the notebooks 3.5-3.7 rely on.

The IMDB checks pin how close the offline rebuild (raw aclImdb reviews + the official word
index) is to the official ``imdb.npz``: the per-split counts of short reviews published in
tensorflow/tensorflow#40609 and the book's printed ``train_data[0]`` (218 indices) must both
be reproduced exactly. They need the offline mirror and are skipped without it.
"""

from __future__ import annotations

import numpy as np
import pytest

from utils import data
from utils.validation import fold_indices

# The book's train_data[0]: first 12 and last 4 indices, length and sum of all indices.
BOOK_FIRST_REVIEW = {"start": [1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65, 458, 4468],
                     "end": [5345, 19, 178, 32], "length": 218, "sum": 99411}
# Reviews shorter than N indices in the official imdb.npz, (train, test): tensorflow/tensorflow#40609.
OFFICIAL_SHORTER_THAN = {50: (477, 558), 100: (2773, 2963), 200: (14244, 14669)}


@pytest.fixture(scope="module")
def imdb():
    from conftest import mirror_or_skip

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DLWP_MIRROR", str(mirror_or_skip()))
        return data.load_imdb(num_words=10000)


def test_imdb_shapes_labels_and_vocabulary(imdb):
    (x_train, y_train), (x_test, y_test) = imdb
    assert len(x_train) == len(x_test) == 25000
    assert np.bincount(y_train).tolist() == np.bincount(y_test).tolist() == [12500, 12500]
    assert max(max(s) for s in x_train) == 9999
    assert all(s[0] == 1 for s in x_train[:100])  # start marker


def test_imdb_lengths_match_the_official_counts(imdb):
    (x_train, _), (x_test, _) = imdb
    n_train = np.array([len(s) for s in x_train])
    n_test = np.array([len(s) for s in x_test])
    for limit, official in OFFICIAL_SHORTER_THAN.items():
        assert (int((n_train < limit).sum()), int((n_test < limit).sum())) == official, limit


def test_imdb_contains_the_books_first_review(imdb):
    (x_train, y_train), _ = imdb
    hits = [i for i, s in enumerate(x_train) if list(s[:12]) == BOOK_FIRST_REVIEW["start"]]
    assert len(hits) == 1
    seq = list(x_train[hits[0]])
    assert len(seq) == BOOK_FIRST_REVIEW["length"] and sum(seq) == BOOK_FIRST_REVIEW["sum"]
    assert seq[-4:] == BOOK_FIRST_REVIEW["end"] and y_train[hits[0]] == 1


def test_reuters_one_hot_matches_keras():
    import keras

    labels = np.array([0, 3, 45, 3, 16])
    assert np.array_equal(data.one_hot(labels, 46), keras.utils.to_categorical(labels, 46))


def test_unshuffled_folds_are_the_books_contiguous_blocks():
    folds = fold_indices(404, 4, shuffle=False)
    for i, (train_idx, val_idx) in enumerate(folds):
        assert val_idx.tolist() == list(range(i * 101, (i + 1) * 101))
        assert sorted(np.concatenate([train_idx, val_idx]).tolist()) == list(range(404))
