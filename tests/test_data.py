"""The data layer: catalogue, resolution order, verification, offline errors, loaders, encodings."""

import gzip
import hashlib
import io
import json
import shutil
import urllib.request
import zipfile

import numpy as np
import pytest

from utils import data
from utils.data import store

BOSTON = "datasets/boston_housing.npz"


# ----------------------------------------------------------------------------- catalogue


def test_catalogue_is_consistent():
    cat = data.load_catalog()
    assert {"mnist", "imdb", "reuters", "boston_housing", "cats_and_dogs_small"} <= set(cat.datasets)
    for entry in cat.files.values():
        assert entry.origin
        if isinstance(entry, data.TreeEntry):
            assert len(entry.listing) > 0
        else:
            assert entry.sha256 or entry.md5
    tree = cat.files["datasets/cats_and_dogs_small"]
    assert len(tree.listing) == 4000
    assert sum(n.startswith("train/") for n in tree.listing) == 2000


def test_tampered_listing_is_rejected(tmp_path):
    src = data.CATALOG_PATH.read_text()
    (tmp_path / "catalog.toml").write_text(src)
    listing = (data.CATALOG_PATH.parent / "cats_and_dogs_small.sha256").read_text()
    (tmp_path / "cats_and_dogs_small.sha256").write_text(listing.replace("a", "b", 1))
    with pytest.raises(ValueError, match="listing"):
        data.load_catalog(tmp_path / "catalog.toml")


def test_unknown_names():
    with pytest.raises(KeyError):
        data.fetch("datasets/nope.npz")
    with pytest.raises(KeyError):
        data.resolve("nope")


# ----------------------------------------------------------------------------- resolution order


def test_mirror_copy_is_verified_and_cached(fresh_cache, mirror, no_network):
    path = data.fetch(BOSTON)
    assert path == fresh_cache / BOSTON
    assert data.sha256_file(path) == data.catalog().files[BOSTON].sha256
    assert store.came_from(BOSTON) == "mirror"
    res = data.resolve("boston_housing")
    assert res.describe() == "official boston_housing.npz [mirror]"


def test_cache_is_used_first(fresh_cache, monkeypatch, no_network, tmp_path):
    # A verified file already in the cache is used without any mirror.
    mirror_src = data.mirror_dir() or tmp_path
    src = mirror_src / BOSTON
    if not src.exists():
        pytest.skip("needs the mirror's boston_housing.npz to seed the cache")
    (fresh_cache / "datasets").mkdir()
    shutil.copyfile(src, fresh_cache / BOSTON)
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    assert data.fetch(BOSTON) == fresh_cache / BOSTON
    assert store.came_from(BOSTON) == "cache"


def test_truncated_cache_file_raises(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    (fresh_cache / "datasets").mkdir()
    (fresh_cache / BOSTON).write_bytes(b"PK\x03\x04 not the whole file")
    with pytest.raises(data.ChecksumError, match="corrupt") as err:
        data.fetch(BOSTON)
    assert "Delete" in str(err.value)


def test_same_size_wrong_content_raises(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    (fresh_cache / "datasets").mkdir()
    (fresh_cache / BOSTON).write_bytes(b"\0" * data.catalog().files[BOSTON].size)
    with pytest.raises(data.ChecksumError, match="sha256"):
        data.fetch(BOSTON)


def test_corrupt_mirror_file_is_not_copied(fresh_cache, monkeypatch, tmp_path, no_network):
    bad_mirror = tmp_path / "mirror"
    (bad_mirror / "datasets").mkdir(parents=True)
    (bad_mirror / BOSTON).write_bytes(b"garbage")
    monkeypatch.setenv("DLWP_MIRROR", str(bad_mirror))
    with pytest.raises(data.ChecksumError):
        data.fetch(BOSTON)
    assert not (fresh_cache / BOSTON).exists()


def test_missing_offline_names_file_origin_hash_and_folder(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    entry = data.catalog().files[BOSTON]
    with pytest.raises(data.DatasetUnavailable) as err:
        data.fetch(BOSTON)
    msg = str(err.value)
    assert BOSTON in msg and entry.origin in msg and entry.sha256 in msg
    assert str(fresh_cache / "datasets") in msg and "offline" in msg


def test_dataset_unavailable_lists_alternatives(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(data.DatasetUnavailable) as err:
        data.resolve("imdb")
    msg = str(err.value)
    assert "datasets/imdb.npz" in msg and "aclImdb_train_test.tar.gz" in msg and "Alternatives" in msg


class _FakeResponse(io.BytesIO):
    headers: dict = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_download_is_verified(fresh_cache, monkeypatch, tmp_path):
    """The download route with a fake server: good bytes land in the cache, bad bytes never do."""
    payload = b"pretend weights"
    entry = data.FileEntry(
        path="models/fake.h5", origin="https://example.invalid/fake.h5",
        sha256=hashlib.sha256(payload).hexdigest(), size=len(payload),
    )
    cat = data.Catalog(files={entry.path: entry}, datasets={})
    monkeypatch.setattr(store, "catalog", lambda: cat)
    monkeypatch.delenv("DLWP_OFFLINE")
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: _FakeResponse(payload))
    assert data.fetch(entry.path).read_bytes() == payload
    assert store.came_from(entry.path) == "download"

    (fresh_cache / entry.path).unlink()
    store.forget()
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: _FakeResponse(b"tampered bytes!"))
    with pytest.raises(data.ChecksumError):
        data.fetch(entry.path)
    assert not (fresh_cache / entry.path).exists()
    assert not list((fresh_cache / "models").glob(".fake*"))  # no temp files left behind


def test_failed_download_is_unavailable(fresh_cache, monkeypatch, tmp_path):
    monkeypatch.delenv("DLWP_OFFLINE")
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))

    def refused(url, timeout=None):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", refused)
    with pytest.raises(data.DatasetUnavailable, match="download failed"):
        data.fetch(BOSTON)


def test_md5_pinned_entry_offline_message(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    assert not data.weights_available("vgg16_imagenet_notop")
    with pytest.raises(data.DatasetUnavailable, match="md5 +: 6d6bbae143d832006294945121d1f1fc"):
        data.resolve("vgg16_imagenet_notop")


# ----------------------------------------------------------------------------- folders of files


def _tiny_tree(tmp_path):
    files = {"train/cats/cat.0.jpg": b"meow", "test/dogs/dog.7.jpg": b"woof"}
    listing = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    tree = data.TreeEntry(
        path="datasets/tiny", origin="kaggle", listing=listing, listing_file="tiny.sha256",
        size=8, build_from="datasets/tiny-train.zip",
    )
    return tree, files


def test_tree_built_from_kaggle_zip(fresh_cache, monkeypatch, tmp_path, no_network):
    tree, files = _tiny_tree(tmp_path)
    monkeypatch.setattr(store, "catalog", lambda: data.Catalog(files={tree.path: tree}, datasets={}))
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(data.DatasetUnavailable, match="tiny-train.zip"):
        data.fetch(tree.path)
    archive = fresh_cache / tree.build_from
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as zf:  # Kaggle layout: train/<file>, flat
        for name, content in files.items():
            zf.writestr(f"train/{name.split('/')[-1]}", content)
        zf.writestr("train/cat.1.jpg", b"not needed")
    root = data.fetch(tree.path)
    assert (root / "train/cats/cat.0.jpg").read_bytes() == b"meow"
    assert (root / "test/dogs/dog.7.jpg").read_bytes() == b"woof"
    assert not (root / "train/cats/cat.1.jpg").exists()


def test_tree_with_corrupt_file_raises(fresh_cache, monkeypatch, tmp_path, no_network):
    tree, files = _tiny_tree(tmp_path)
    monkeypatch.setattr(store, "catalog", lambda: data.Catalog(files={tree.path: tree}, datasets={}))
    mirror = tmp_path / "mirror"
    for name, content in files.items():
        (mirror / tree.path / name).parent.mkdir(parents=True, exist_ok=True)
        (mirror / tree.path / name).write_bytes(content)
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    assert data.fetch(tree.path) == fresh_cache / tree.path
    (fresh_cache / tree.path / "train/cats/cat.0.jpg").write_bytes(b"purr")
    store.forget()
    with pytest.raises(data.ChecksumError, match="cat.0.jpg"):
        data.fetch(tree.path)


def test_cats_and_dogs_split(mirror):
    root = data.cats_and_dogs_dir()
    counts = {f"{s}/{c}": len(list((root / s / c).glob("*.jpg")))
              for s in ("train", "validation", "test") for c in ("cats", "dogs")}
    assert counts == {"train/cats": 1000, "train/dogs": 1000, "validation/cats": 500,
                      "validation/dogs": 500, "test/cats": 500, "test/dogs": 500}
    assert (root / "validation/cats/cat.1000.jpg").exists() and (root / "test/dogs/dog.1999.jpg").exists()


# ----------------------------------------------------------------------------- MNIST


# Published md5 of the four uncompressed official MNIST files.
MNIST_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


def _as_idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_mnist_from_idx_equals_keras_arrays(mirror, fresh_cache):
    """The IDX route gives Keras's arrays: shapes, dtypes, order and the official bytes (md5)."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert data.sources()["mnist"].startswith("rebuilt")  # mnist.npz is not in the mirror
    assert (x_train.shape, x_train.dtype, y_train.shape, y_train.dtype) == ((60000, 28, 28), np.uint8, (60000,), np.uint8)
    assert (x_test.shape, y_test.shape) == ((10000, 28, 28), (10000,))
    # Serialising the arrays back to IDX reproduces the official files byte for byte,
    # so they are the arrays inside Keras's mnist.npz, in the same order.
    for name, arr in [("train-images-idx3-ubyte", x_train), ("train-labels-idx1-ubyte", y_train),
                      ("t10k-images-idx3-ubyte", x_test), ("t10k-labels-idx1-ubyte", y_test)]:
        assert hashlib.md5(_as_idx(arr)).hexdigest() == MNIST_MD5[name]
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_read_idx_rejects_bad_files(tmp_path):
    good = _as_idx(np.arange(6, dtype=np.uint8).reshape(2, 3))
    (tmp_path / "ok.gz").write_bytes(gzip.compress(good))
    assert data.read_idx(tmp_path / "ok.gz").tolist() == [[0, 1, 2], [3, 4, 5]]
    (tmp_path / "short.gz").write_bytes(gzip.compress(good[:-1]))
    with pytest.raises(ValueError, match="header says"):
        data.read_idx(tmp_path / "short.gz")
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="IDX"):
        data.read_idx(tmp_path / "bad")


# ----------------------------------------------------------------------------- IMDB


def _keras_imdb(monkeypatch, tmp_path, x_train, y_train, x_test, y_test, **kwargs):
    """Run Keras's own imdb.load_data on a synthetic imdb.npz (no download: get_file is patched)."""
    import keras.src.datasets.imdb as kimdb

    path = tmp_path / "fake_imdb.npz"
    obj = lambda seqs: np.array([list(s) for s in seqs] + [None], dtype=object)[:-1]  # noqa: E731
    np.savez(path, x_train=obj(x_train), y_train=np.asarray(y_train), x_test=obj(x_test), y_test=np.asarray(y_test))
    monkeypatch.setattr(kimdb, "get_file", lambda *a, **k: str(path))
    return kimdb.load_data(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"num_words": 6}, {"num_words": 6, "skip_top": 2}, {"maxlen": 5}, {"oov_char": None, "num_words": 5},
     {"start_char": None, "index_from": 0}, {"seed": 7, "num_words": 8}],
)
def test_imdb_conventions_match_keras(monkeypatch, tmp_path, kwargs):
    rng = np.random.default_rng(0)
    x_train = [rng.integers(1, 12, size=rng.integers(1, 8)).tolist() for _ in range(30)]
    x_test = [rng.integers(1, 12, size=rng.integers(1, 8)).tolist() for _ in range(20)]
    y_train, y_test = rng.integers(0, 2, 30), rng.integers(0, 2, 20)
    (kx, ky), (kxt, kyt) = _keras_imdb(monkeypatch, tmp_path, x_train, y_train, x_test, y_test, **kwargs)
    (ox, oy), (oxt, oyt) = data.apply_imdb_conventions(x_train, y_train, x_test, y_test, **kwargs)
    assert [list(s) for s in ox] == [list(s) for s in kx] and oy.tolist() == ky.tolist()
    assert [list(s) for s in oxt] == [list(s) for s in kxt] and oyt.tolist() == kyt.tolist()


def test_tokenizer_follows_keras_defaults():
    text = 'A "great" film!<br /><br />It\'s 10/10 -- really.'
    assert data.tokenize_review(text) == ["a", "great", "film", "br", "br", "it's", "10", "10", "really"]


def test_imdb_rebuilt_route(mirror):
    (x_train, y_train), (x_test, y_test) = data.load_imdb(num_words=10000)
    assert data.sources()["imdb"].startswith("rebuilt")
    assert len(x_train) == len(x_test) == 25000
    assert np.bincount(y_train).tolist() == [12500, 12500] == np.bincount(y_test).tolist()
    assert all(seq[0] == 1 for seq in x_train[:100])
    assert max(max(s) for s in x_train) == 9999
    word_index = data.imdb_word_index()
    assert len(word_index) == 88584
    assert data.decode_review(x_train[0], word_index).startswith("? ")


# ----------------------------------------------------------------------------- encodings


def test_decode_review_marks_reserved_indices():
    assert data.decode_review([1, 2, 3 + 1, 0], {"the": 1}) == "? ? the ?"


def test_vectorize_sequences():
    out = data.vectorize_sequences([[0, 2, 2], [], [3]], dimension=4)
    assert out.dtype == np.float32
    assert out.tolist() == [[1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 1]]
    with pytest.raises(ValueError, match="outside"):
        data.vectorize_sequences([[4]], dimension=4)
    with pytest.raises(ValueError):
        data.vectorize_sequences([[1]], dimension=0)


def test_one_hot_matches_keras_and_checks_input():
    import keras

    labels = np.array([3, 0, 45, 7])
    out = data.one_hot(labels, 46)
    assert out.dtype == np.float32 and out.shape == (4, 46)
    np.testing.assert_array_equal(out, keras.utils.to_categorical(labels, 46))
    with pytest.raises(ValueError):
        data.one_hot([0, 46], 46)
    with pytest.raises(ValueError):
        data.one_hot(np.array([0.5, 1.0]))


def test_model_path_is_in_cache_per_profile(fresh_cache, monkeypatch):
    monkeypatch.setenv("DLWP_PROFILE", "full")
    p = data.model_path("m.keras")
    assert p.parent == fresh_cache / "course_models" / "full" and p.parent.is_dir()
    monkeypatch.setenv("DLWP_PROFILE", "quick")
    assert data.model_path("m.keras") == fresh_cache / "course_models" / "quick" / "m.keras"
    with pytest.raises(ValueError):
        data.model_path("../m.keras")


def test_word_index_files_are_json(mirror):
    with open(data.fetch("datasets/reuters_word_index.json")) as fh:
        assert len(json.load(fh)) > 30000
