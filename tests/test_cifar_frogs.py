"""CIFAR-10 frogs (utils.data.cifar_frogs): archive extraction, the pinned JPEG substitute, errors."""

import io
import pickle
import shutil
import tarfile

import numpy as np
import pytest

from utils import data
from utils.data import cifar_frogs, store


def _jpeg_folder(mirror):
    for rel in ("cifar10_frogs", "datasets/cifar10_frogs"):
        if (mirror / rel / "train").is_dir():
            return mirror / rel
    pytest.skip("the mirror has no CIFAR-10 frog JPEGs")


def _fake_archive(path, rng):
    """A miniature cifar-10-python.tar.gz: six batches of 20 images with random labels."""
    expected = {"train": [], "test": []}
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            pixels = rng.integers(0, 256, size=(20, 3072), dtype=np.uint8)
            labels = rng.integers(0, 10, size=20).tolist()
            labels[0] = data.CIFAR10_FROG_LABEL  # at least one frog per batch
            blob = pickle.dumps({b"data": pixels, b"labels": labels})
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
            frogs = pixels[np.array(labels) == data.CIFAR10_FROG_LABEL]
            expected["test" if name == "test_batch" else "train"].append(frogs)
    return {k: np.concatenate(v) for k, v in expected.items()}


def test_archive_extraction_keeps_frogs_channels_last(tmp_path):
    rng = np.random.default_rng(0)
    expected = _fake_archive(tmp_path / "cifar.tar.gz", rng)
    frogs = data.frogs_from_cifar10_archive(tmp_path / "cifar.tar.gz")
    assert frogs["train"].shape == (len(expected["train"]), 32, 32, 3)
    assert frogs["train"].dtype == np.uint8
    # channel-major rows: the first 1024 values are the red plane, row by row
    first = expected["train"][0]
    np.testing.assert_array_equal(frogs["train"][0, :, :, 0], first[:1024].reshape(32, 32))
    np.testing.assert_array_equal(frogs["train"][0, :, :, 2], first[2048:].reshape(32, 32))
    as_rows = frogs["test"].transpose(0, 3, 1, 2).reshape(len(frogs["test"]), 3072)
    np.testing.assert_array_equal(as_rows, expected["test"])
    assert len(frogs["test"]) == len(expected["test"])


def test_archive_without_batches_is_refused(tmp_path):
    path = tmp_path / "other.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("readme.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(ValueError, match="data_batch_1"):
        data.frogs_from_cifar10_archive(path)


def test_official_archive_is_preferred(tmp_path, fresh_cache, monkeypatch, no_network):
    expected = _fake_archive(tmp_path / "cifar.tar.gz", np.random.default_rng(1))
    route = store.Route(kind="official", files=("datasets/cifar-10-python.tar.gz",))
    resolved = store.Resolved(name="cifar10", route=route,
                              paths={route.files[0]: tmp_path / "cifar.tar.gz"},
                              origins={route.files[0]: "mirror"})
    monkeypatch.setattr(cifar_frogs, "resolve", lambda name: resolved)
    test = data.load_cifar10_frogs("test")
    assert test.shape == (len(expected["test"]), 32, 32, 3)
    assert data.sources()["cifar10_frogs"].startswith("official")


def test_substitute_found_verified_and_cached(fresh_cache, mirror, no_network):
    _jpeg_folder(mirror)
    train = data.load_cifar10_frogs()
    assert train.shape == (5000, 32, 32, 3) and train.dtype == np.uint8
    assert data.load_cifar10_frogs("test").shape == (1000, 32, 32, 3)
    assert data.load_cifar10_frogs("all").shape == (6000, 32, 32, 3)
    assert "lossy JPEG" in data.sources()["cifar10_frogs"]
    cached = fresh_cache / "datasets" / "cifar10_frogs_jpeg.npz"
    assert cached.is_file()
    assert 60 < train.mean() < 160  # real photographs, not blank arrays
    # A damaged cache file is not used: it is rebuilt from the verified JPEGs.
    cached.write_bytes(b"not an npz")
    again = data.load_cifar10_frogs()
    np.testing.assert_array_equal(again, train)


def test_cached_arrays_that_do_not_match_their_hash_are_rebuilt(fresh_cache, mirror, no_network):
    _jpeg_folder(mirror)
    train = data.load_cifar10_frogs()
    cached = fresh_cache / "datasets" / "cifar10_frogs_jpeg.npz"
    with np.load(cached) as npz:
        parts = {k: npz[k] for k in npz.files}
    parts["train"] = parts["train"].copy()
    parts["train"][0, 0, 0, 0] ^= 1
    np.savez(cached, **parts)
    assert cifar_frogs._read_cached_npz(cached) is None
    np.testing.assert_array_equal(data.load_cifar10_frogs(), train)


def test_unavailable_names_both_routes(fresh_cache, tmp_path, monkeypatch, no_network):
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    monkeypatch.setenv("DLWP_MIRROR", str(empty))
    with pytest.raises(data.DatasetUnavailable) as err:
        data.load_cifar10_frogs()
    message = str(err.value)
    assert "c58f30108f718f92721af3b95e74349a" in message
    assert "cs.toronto.edu" in message
    assert cifar_frogs._jpeg_entry()["listing_sha256"] in message


def _copy_frogs(mirror, tmp_path, monkeypatch):
    copy = tmp_path / "mirror"
    shutil.copytree(_jpeg_folder(mirror), copy / "cifar10_frogs")
    monkeypatch.setenv("DLWP_MIRROR", str(copy))
    return copy / "cifar10_frogs"


def test_corrupt_jpeg_is_refused(fresh_cache, mirror, tmp_path, monkeypatch, no_network):
    folder = _copy_frogs(mirror, tmp_path, monkeypatch)
    victim = folder / "train" / "0007.jpg"
    victim.write_bytes(victim.read_bytes()[:-5] + b"xxxxx")
    with pytest.raises(data.ChecksumError, match="not the catalogued set"):
        data.load_cifar10_frogs()
    assert not (fresh_cache / "datasets" / "cifar10_frogs_jpeg.npz").exists()


def test_missing_or_extra_jpeg_is_refused(fresh_cache, mirror, tmp_path, monkeypatch, no_network):
    folder = _copy_frogs(mirror, tmp_path, monkeypatch)
    (folder / "test" / "0999.jpg").unlink()
    with pytest.raises(data.ChecksumError, match="found 5999 files"):
        data.load_cifar10_frogs()


def test_listing_format(tmp_path):
    for split in ("train", "test"):
        (tmp_path / split).mkdir()
    (tmp_path / "train" / "0001.jpg").write_bytes(b"b")
    (tmp_path / "train" / "0000.jpg").write_bytes(b"a")
    (tmp_path / "test" / "0000.jpg").write_bytes(b"c")
    lines = data.frog_jpeg_listing(tmp_path).splitlines()
    assert [line.split("  ")[1] for line in lines] == ["test/0000.jpg", "train/0000.jpg", "train/0001.jpg"]
    assert lines[1].split("  ")[0] == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"


def test_bad_split():
    with pytest.raises(ValueError, match="split"):
        data.load_cifar10_frogs("validation")
