"""notMNIST loader (official archive, unavailable, corrupt, substitute) and the duplicate finder of S2.1."""

from __future__ import annotations

import io
import tarfile

import numpy as np
import pytest

from utils import data, overlap
from utils.data import notmnist


def _png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def _letter_archive(path, pictures: dict[str, list[bytes]]) -> None:
    """A .tar.gz with the notMNIST layout: notMNIST_small/<letter>/<name>.png."""
    with tarfile.open(path, "w:gz") as tar:
        for letter, files in pictures.items():
            for i, payload in enumerate(files):
                info = tarfile.TarInfo(f"notMNIST_small/{letter}/{letter}{i}.png")
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))


@pytest.fixture
def empty_mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))


def test_unavailable_names_file_origin_size_and_folder(fresh_cache, empty_mirror, no_network):
    with pytest.raises(data.DatasetUnavailable) as info:
        data.load_notmnist("small")
    msg = str(info.value)
    assert "datasets/notMNIST_small.tar.gz" in msg
    assert "http://yaroslavvb.com/upload/notMNIST/notMNIST_small.tar.gz" in msg
    assert "8,458,043 bytes" in msg and "no published hash" in msg
    assert str(fresh_cache / "datasets") in msg


def test_unknown_subset_is_refused():
    with pytest.raises(ValueError, match="small"):
        data.load_notmnist("medium")


def test_wrong_size_in_cache_is_refused(fresh_cache, empty_mirror, no_network):
    bad = fresh_cache / "datasets" / "notMNIST_small.tar.gz"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not an archive")
    with pytest.raises(data.ChecksumError, match="8,458,043 bytes"):
        data.load_notmnist("small")


def test_right_size_but_not_an_archive_is_refused(fresh_cache, empty_mirror, no_network):
    bad = fresh_cache / "datasets" / "notMNIST_small.tar.gz"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"\0" * 8_458_043)
    with pytest.raises(data.ChecksumError, match="not a readable"):
        data.load_notmnist("small")


def test_pinned_sha256_is_enforced(fresh_cache, empty_mirror, no_network, monkeypatch):
    archive = fresh_cache / "datasets" / "notMNIST_small.tar.gz"
    archive.parent.mkdir(parents=True)
    _letter_archive(archive, {"A": [_png(np.zeros((28, 28), np.uint8))]})
    spec = dict(notmnist._entries()["small"], size=archive.stat().st_size, sha256="0" * 64)
    monkeypatch.setattr(notmnist, "_entries", lambda: {"small": spec, "large": spec})
    with pytest.raises(data.ChecksumError, match="sha256"):
        data.load_notmnist("small")


def test_reads_letter_folders_and_skips_unreadable_pngs(tmp_path):
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 256, (2, 28, 28), dtype=np.uint8)
    path = tmp_path / "letters.tar.gz"
    _letter_archive(path, {"A": [_png(a), b"\x89PNG truncated"], "B": [_png(b), b""], "K": [_png(a)]})
    x, y, skipped = data.read_letter_archive(path)
    assert x.shape == (2, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(x[0], a)
    np.testing.assert_array_equal(x[1], b)
    assert y.tolist() == [0, 1]  # folder K is not a notMNIST class and is ignored
    assert skipped == 2


def test_official_route_from_the_mirror(fresh_cache, tmp_path, monkeypatch, no_network):
    mirror = tmp_path / "mirror"
    archive = mirror / "datasets" / "notMNIST_small.tar.gz"
    archive.parent.mkdir(parents=True)
    pics = [np.full((28, 28), v, np.uint8) for v in (0, 100, 200)]
    _letter_archive(archive, {"C": [_png(p) for p in pics[:2]], "J": [_png(pics[2])]})
    spec = dict(notmnist._entries()["small"], size=archive.stat().st_size)
    monkeypatch.setattr(notmnist, "_entries", lambda: {"small": spec, "large": spec})
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    x, y = data.load_notmnist("small")
    assert x.shape == (3, 28, 28) and y.tolist() == [2, 2, 9]
    assert (fresh_cache / "datasets" / "notMNIST_small.tar.gz").is_file()  # copied into the cache
    assert data.sources()["notmnist_small"].endswith("[mirror]")


def test_substitute_is_fashion_mnist_and_says_so(mirror, fresh_cache, no_network):
    letters = data.load_letters()
    assert letters.substitute and letters.name == "fashion_mnist"
    assert letters.x_train.shape == (50_000, 28, 28) and letters.x_val.shape == (10_000, 28, 28)
    assert letters.x_test.shape == (10_000, 28, 28) and letters.classes == data.FASHION_MNIST_CLASSES
    assert data.sources()["notmnist"].startswith("substitute: Fashion-MNIST")
    assert "Fashion-MNIST" in letters.description


def test_normalise_pixels_maps_to_the_course_range():
    x = np.array([[0, 255], [127, 128]], np.uint8)
    out = data.normalise_pixels(x)
    assert out.dtype == np.float32 and out.min() == -0.5 and out.max() == 0.5
    with pytest.raises(ValueError, match="uint8"):
        data.normalise_pixels(out)


# ----------------------------------------------------------------------------- duplicate finder


def _pictures(n=6, seed=1):
    return np.random.default_rng(seed).integers(0, 256, (n, 28, 28), dtype=np.uint8)


def test_exact_duplicates_are_found_and_a_changed_pixel_is_not_one():
    ref = _pictures()
    changed = ref[3].copy()
    changed[5, 5] ^= 1
    query = np.stack([ref[2], changed, _pictures(1, seed=9)[0]])
    assert overlap.overlap_mask(ref, query).tolist() == [True, False, False]
    assert overlap.repeat_count(np.concatenate([ref, ref[:2]])) == 2
    assert overlap.repeat_count(ref) == 0


def test_near_duplicates_survive_small_noise_but_not_a_new_picture():
    # Tiles with means in the middle of a grey-level bin, so +-3 noise cannot move them across a boundary.
    levels = np.random.default_rng(2).integers(0, 8, (4, 7, 7))
    ref = np.kron(levels * 32 + 16, np.ones((4, 4))).astype(np.uint8)
    noise = np.random.default_rng(3).integers(-3, 4, ref.shape)
    noisy = (ref.astype(int) + noise).clip(0, 255).astype(np.uint8)
    other = np.kron((levels[:1] + 4) % 8 * 32 + 16, np.ones((4, 4))).astype(np.uint8)
    query = np.concatenate([noisy, other])
    assert not overlap.overlap_mask(ref, noisy).any()  # not exact copies...
    assert overlap.overlap_mask(ref, query, keys=overlap.near_keys).tolist() == [True] * 4 + [False]
    # the course's float scaling gives the same answer
    scaled = data.normalise_pixels(query)
    assert overlap.overlap_mask(ref, scaled, keys=overlap.near_keys)[:4].all()


def test_cosine_similarity_finds_a_noisy_copy_and_its_index():
    ref = _pictures(5)
    rng = np.random.default_rng(4)
    noisy = (ref[[4, 1]].astype(int) + rng.integers(-5, 6, (2, 28, 28))).clip(0, 255).astype(np.uint8)
    query = np.concatenate([noisy, _pictures(1, seed=11)])
    best, where = overlap.nearest_cosine(ref, query, chunk=2)
    assert where[:2].tolist() == [4, 1]
    assert best[0] > 0.99 and best[1] > 0.99 and best[2] < 0.2  # independent noise pictures are uncorrelated
    assert overlap.cosine_overlap(ref, query, threshold=0.95).tolist() == [True, True, False]
    blank = np.zeros((1, 28, 28), np.uint8)
    assert overlap.nearest_cosine(ref, blank)[0][0] == 0.0


def test_duplicate_finder_refuses_bad_input():
    with pytest.raises(ValueError):
        overlap.exact_keys(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError, match="multiple"):
        overlap.near_keys(np.zeros((2, 28, 28), np.uint8), block=5)
    with pytest.raises(ValueError, match="-0.5"):
        overlap.near_keys(np.ones((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match="threshold"):
        overlap.cosine_overlap(_pictures(2), _pictures(2), threshold=1.5)
    with pytest.raises(ValueError, match="differ"):
        overlap.nearest_cosine(_pictures(2), np.zeros((2, 14, 14)))
