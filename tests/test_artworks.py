"""Chapter 8's pictures and weights: the style painting, its packaged stand-in, InceptionV3 and VGG19."""

import numpy as np
import pytest

from utils import data
from utils.data import artworks


@pytest.mark.parametrize(
    ("name", "file", "digest"),
    [
        ("starry_night", "starry_night_1280px.jpg", "372e5bc438e3e8d0eb52cc6f7ef44760"),
        ("inception_v3_imagenet_notop", "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
         "bcbd6486424b2319ff4ef7d526e38f63"),
        ("vgg19_imagenet_notop", "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6"),
    ],
)
def test_offline_unavailable_names_file_origin_hash_and_folder(name, file, digest, fresh_cache, monkeypatch, tmp_path,
                                                                no_network):
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    assert not data.weights_available(name)
    with pytest.raises(data.DatasetUnavailable) as err:
        data.resolve(name)
    message = str(err.value)
    assert file in message and digest in message and "https://" in message
    assert str(fresh_cache) in message


def test_corrupt_painting_in_cache_is_refused(fresh_cache, monkeypatch, no_network):
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    bad = fresh_cache / "datasets" / "starry_night_1280px.jpg"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"not a painting")
    with pytest.raises(data.ChecksumError, match="372e5bc438e3e8d0eb52cc6f7ef44760"):
        data.fetch("datasets/starry_night_1280px.jpg")


def test_style_image_falls_back_to_the_packaged_photo(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    path, what = data.style_image()
    assert path.name == "flower.jpg"
    assert what.startswith("substitute photo, not a painting")
    assert data.sources()["starry_night"].endswith("[package]")
    picture = data.load_picture(path, 64)
    assert picture.shape == (64, 64, 3) and picture.dtype == np.float32
    assert 0 <= picture.min() < picture.max() <= 255


def test_packaged_picture_with_wrong_hash_is_refused(monkeypatch):
    spec = dict(artworks._entries()[data.STYLE_SUBSTITUTE], sha256="0" * 64)
    monkeypatch.setattr(artworks, "_entries", lambda: {data.STYLE_SUBSTITUTE: spec})
    with pytest.raises(data.ChecksumError, match="force-reinstall scikit-learn"):
        data.package_picture(data.STYLE_SUBSTITUTE)


def test_packaged_picture_missing_package_or_name(monkeypatch):
    with pytest.raises(KeyError):
        data.package_picture("no_such_picture")
    spec = dict(artworks._entries()[data.STYLE_SUBSTITUTE], package="no_such_package_xyz")
    monkeypatch.setattr(artworks, "_entries", lambda: {"x": spec})
    with pytest.raises(data.DatasetUnavailable, match="not installed"):
        data.package_picture("x")


def test_load_picture_crops_to_square_and_rejects_bad_sizes(tmp_path):
    from PIL import Image

    wide = tmp_path / "wide.png"
    pixels = np.zeros((20, 40, 3), dtype=np.uint8)
    pixels[:, 10:30] = 200  # the central square is uniformly bright
    Image.fromarray(pixels).save(wide)
    square = data.load_picture(wide, 10)
    assert square.shape == (10, 10, 3)
    assert square.min() > 150
    for bad in (0, 4, 7.5):
        with pytest.raises(ValueError):
            data.load_picture(wide, bad)
