"""The data layer's shape: its public API is stable, its rooms stay small, and the new loaders work."""

from __future__ import annotations

import ast

import numpy as np
import pytest
from conftest import REPO

from utils import data

# The public names notebooks relied on before utils/data.py became a package: they must keep working.
_API_BEFORE_THE_SPLIT = {
    "CATALOG_PATH", "ChecksumError", "DatasetUnavailable", "Resolved", "cache_dir", "cats_and_dogs_dir",
    "decode_review", "fetch", "imdb_raw_dir", "imdb_word_index", "load_boston_housing", "load_imdb",
    "load_mnist", "load_reuters", "mirror_dir", "model_path", "one_hot", "read_idx", "resolve",
    "reuters_word_index", "sha256_file", "sources", "vectorize_sequences", "weights_available",
}


def test_public_api_survives_the_split():
    assert _API_BEFORE_THE_SPLIT <= set(data.__all__)
    assert all(hasattr(data, name) for name in data.__all__)


def test_every_data_module_lists_its_api_and_the_package_exports_it():
    for path in sorted((REPO / "utils" / "data").glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__all__"]
        assert names, f"{path.name} has no __all__"
        public = ast.literal_eval(names[0].value)
        if path.stem not in ("catalog", "store"):  # their internals are for the data layer itself
            assert set(public) <= set(data.__all__), f"{path.name}: {set(public) - set(data.__all__)} not exported"


@pytest.mark.parametrize("path", sorted((REPO / "utils").rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_no_utils_module_is_a_grab_bag(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= 400, f"{path.relative_to(REPO)} has {lines} lines: split it by noun (see data/README.md)"


def test_fashion_mnist_from_the_mirror(mirror, fresh_cache, no_network):
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10 and np.bincount(y_test).tolist() == [1000] * 10
    assert y_train[:5].tolist() == [9, 0, 0, 3, 0]  # the official order (Zalando's first labels)
    assert len(data.FASHION_MNIST_CLASSES) == 10
    assert "fashion_mnist" in data.sources()


def test_fashion_mnist_unavailable_names_the_files(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(data.DatasetUnavailable) as info:
        data.load_fashion_mnist()
    msg = str(info.value)
    assert "train-images-idx3-ubyte.gz" in msg and "sha256" in msg and str(fresh_cache) in msg


def test_cats_and_dogs_arrays(mirror, fresh_cache, no_network):
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = data.load_cats_and_dogs(image_size=32)
    assert x_train.shape == (2000, 32, 32, 3) and x_val.shape == (1000, 32, 32, 3) and x_test.shape == (1000, 32, 32, 3)
    assert x_train.dtype == np.uint8 and x_train.max() > 200
    for y in (y_train, y_val, y_test):
        n = len(y)
        assert y[: n // 2].tolist() == [0] * (n // 2) and y[n // 2 :].tolist() == [1] * (n // 2)  # cats, then dogs
    # The first training picture is cat.0.jpg, decoded and resized the documented way.
    from PIL import Image

    with Image.open(data.cats_and_dogs_dir() / "train" / "cats" / "cat.0.jpg") as img:
        expected = np.asarray(img.convert("RGB").resize((32, 32), Image.BILINEAR))
    np.testing.assert_array_equal(x_train[0], expected)
    # Decoded once: the second call reads the cached arrays.
    cached = list((fresh_cache / "derived").glob("cats_and_dogs_small-*32px*.npz"))
    assert len(cached) == 1
    again = data.load_cats_and_dogs(image_size=32)
    np.testing.assert_array_equal(again[2][0], x_test)


def test_first_of_each_class_keeps_a_fixed_balanced_subset():
    x = np.arange(10)[:, None, None, None] * np.ones((1, 2, 2, 3), dtype=np.uint8)  # picture i is filled with i
    y = np.array([0] * 5 + [1] * 5)
    xs, ys = data.first_of_each_class((x, y), 4)
    assert xs[:, 0, 0, 0].tolist() == [0, 1, 5, 6]  # the first two cats, then the first two dogs
    assert ys.dtype == np.float32 and ys.shape == (4, 1) and ys.ravel().tolist() == [0, 0, 1, 1]
    whole, labels = data.first_of_each_class((x, y), 10)
    np.testing.assert_array_equal(whole, x)
    assert labels.ravel().tolist() == y.tolist()


@pytest.mark.parametrize("n", [0, 3, 12])
def test_first_of_each_class_rejects_odd_or_oversized_counts(n):
    with pytest.raises(ValueError, match="num_images"):
        data.first_of_each_class((np.zeros((10, 2, 2, 3)), np.array([0] * 5 + [1] * 5)), n)


def test_first_of_each_class_needs_cats_then_dogs():
    with pytest.raises(ValueError, match="all cats, then all dogs"):
        data.first_of_each_class((np.zeros((4, 2, 2, 3)), np.array([0, 1, 0, 1])), 2)


@pytest.mark.parametrize("size", [0, 4, 5000])
def test_cats_and_dogs_rejects_odd_sizes(size):
    with pytest.raises(ValueError, match="image_size"):
        data.load_cats_and_dogs(image_size=size)

