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
