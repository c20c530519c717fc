"""Chapter 5's pretrained bases: VGG16 when its weights can be had, MobileNet (alpha 0.25) otherwise."""

import pytest

from utils import data, pretrained


def test_choice_picks_mobilenet_when_vgg16_is_unavailable(fresh_cache, monkeypatch, no_network):
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    monkeypatch.delenv("DLWP_MIRROR", raising=False)
    use_vgg16 = data.weights_available("vgg16_imagenet_notop")
    assert use_vgg16 is False
    spec = pretrained.choose_base(use_vgg16)
    assert spec.name == "mobilenet025"
    assert spec.dataset == "mobilenet_025_imagenet_notop"
    assert not spec.is_book_base


def test_choice_picks_vgg16_when_available():
    spec = pretrained.choose_base(True)
    assert spec.name == "vgg16" and spec.is_book_base
    assert spec.fine_tune_from == "block5_conv1"
    assert spec.image_size == 150


def test_resolving_vgg16_offline_names_url_and_hash(fresh_cache, monkeypatch, no_network):
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    monkeypatch.delenv("DLWP_MIRROR", raising=False)
    with pytest.raises(data.DatasetUnavailable) as err:
        data.resolve("vgg16_imagenet_notop")
    message = str(err.value)
    entry = data.catalog().files["models/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"]
    assert entry.origin in message
    assert "storage.googleapis.com" in message
    assert "6d6bbae143d832006294945121d1f1fc" in message


def test_building_vgg16_offline_raises_before_keras_downloads(fresh_cache, monkeypatch, no_network):
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    monkeypatch.delenv("DLWP_MIRROR", raising=False)
    with pytest.raises(data.DatasetUnavailable, match="vgg16_weights_tf_dim_ordering_tf_kernels_notop"):
        pretrained.build_base("vgg16")


def test_mobilenet_fallback_builds_from_the_mirror(mirror, monkeypatch, no_network):
    # Uses the real cache: Keras fixed its KERAS_HOME when first imported.
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    assert data.weights_available("mobilenet_025_imagenet_notop")
    base = pretrained.build_base(pretrained.choose_base(False))
    assert base.output_shape == (None, 7, 7, 256)
    n_trainable = len(base.trainable_weights)
    assert n_trainable == 81
    kept = pretrained.unfreeze_from(base, "conv_dw_12")
    assert kept == 12  # conv_dw_12 .. conv_pw_13_relu
    assert len(base.trainable_weights) == 12  # two depthwise/pointwise blocks: kernel + BN gamma/beta each


def test_unfreeze_from_unknown_layer_raises(mirror, monkeypatch):
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    base = pretrained.build_base("mobilenet025")
    with pytest.raises(KeyError, match="block5_conv1"):
        pretrained.unfreeze_from(base, "block5_conv1")


@pytest.fixture
def stand_in_vgg16(fresh_cache, tmp_path, monkeypatch, no_network):
    """A private mirror holding *random* VGG16 weights under the book's file name, pinned in the catalogue.

    No VGG16 file exists offline here, so this is how the book's branch (VGG16 through the data
    layer, frozen, then unfrozen from ``block5_conv1``) gets exercised. Keras's own md5 check for the
    real file is bypassed; ours (the catalogue's) still runs, against the stand-in's md5.
    """
    import dataclasses
    import hashlib

    import h5py
    import keras
    import keras.src.applications.vgg16 as keras_vgg16
    import keras.src.backend.config as keras_config
    from keras.src.legacy.saving import legacy_h5_format

    rel = "models/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    mirror = tmp_path / "mirror"
    (mirror / "models").mkdir(parents=True)
    keras.utils.set_random_seed(0)
    reference = keras.applications.VGG16(weights=None, include_top=False, input_shape=(150, 150, 3))
    with h5py.File(mirror / rel, "w") as fh:  # the legacy layout of Keras's published .h5 weight files
        legacy_h5_format.save_weights_to_hdf5_group(fh, reference)
    md5 = hashlib.md5((mirror / rel).read_bytes(), usedforsecurity=False).hexdigest()

    files = data.catalog().files
    monkeypatch.setitem(files, rel, dataclasses.replace(files[rel], md5=md5, size=(mirror / rel).stat().st_size))
    monkeypatch.setattr(keras_config, "_KERAS_DIR", str(fresh_cache))  # Keras reads the test's cache
    real_get_file = keras_vgg16.file_utils.get_file
    monkeypatch.setattr(keras_vgg16.file_utils, "get_file", lambda *a, file_hash=None, **k: real_get_file(*a, **k))
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    return reference


def test_vgg16_branch_loads_verified_weights_and_freezes_like_the_book(stand_in_vgg16, fresh_cache):
    assert data.weights_available("vgg16_imagenet_notop")
    spec = pretrained.choose_base(True)
    base = pretrained.build_base(spec)
    assert (fresh_cache / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5").is_file()  # copied, verified
    assert base.output_shape == (None, 4, 4, 512)  # the book's (4, 4, 512) features at 150x150
    for ours, theirs in zip(base.get_weights(), stand_in_vgg16.get_weights(), strict=True):
        assert (ours == theirs).all()  # the file from the mirror, not fresh random weights
    assert len(base.trainable_weights) == 26  # 13 conv layers, kernel + bias
    base.trainable = False
    assert len(base.trainable_weights) == 0  # the book: 30 trainable tensors -> 4 (the dense head's)
    assert pretrained.unfreeze_from(base, spec.fine_tune_from) == 4  # block5_conv1..3 + block5_pool
    assert len(base.trainable_weights) == 6


def test_vgg16_stand_in_with_wrong_hash_is_refused(stand_in_vgg16, monkeypatch):
    import dataclasses

    rel = "models/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    files = data.catalog().files
    monkeypatch.setitem(files, rel, dataclasses.replace(files[rel], md5="0" * 32))
    with pytest.raises(data.ChecksumError):
        pretrained.build_base("vgg16")


@pytest.mark.parametrize("base", ["vgg16", "mobilenet025"])
def test_preprocess_leaves_the_callers_numpy_pixels_alone(base):
    import numpy as np

    pixels = np.full((1, 4, 4, 3), 255.0, dtype="float32")
    pixels.setflags(write=False)  # as tf.data's as_numpy_iterator() hands them out
    out = np.asarray(pretrained.preprocess(base, pixels))
    assert np.all(pixels == 255.0)
    assert out.shape == pixels.shape
    if base == "mobilenet025":
        assert np.allclose(out, 1.0)  # 255 -> +1 in [-1, 1]
    else:
        # RGB -> BGR minus the ImageNet channel means (B 103.939, G 116.779, R 123.68)
        assert np.allclose(out[0, 0, 0], [255 - 103.939, 255 - 116.779, 255 - 123.68], atol=1e-3)
