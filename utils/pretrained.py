"""Pretrained convolutional bases for chapter 5: the book's VGG16, or an offline fallback.

The book builds on VGG16's ImageNet weights (58 MB without the classifier). Where
they cannot be had (offline, no mirror copy), chapter 5 uses MobileNet v1 with
width multiplier 0.25 (2 MB, catalogued as ``mobilenet_025_imagenet_notop``):
real ImageNet features, weaker than VGG16's. Both go through the same code::

    use_vgg16 = data.weights_available("vgg16_imagenet_notop")
    spec = pretrained.choose_base(use_vgg16)
    conv_base = pretrained.build_base(spec)
    x = pretrained.preprocess(spec, images)      # raw 0-255 RGB in, what the base expects out

Import this module after ``utils`` (it imports Keras lazily).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import data

__all__ = ["BASES", "BaseSpec", "build_base", "choose_base", "preprocess", "unfreeze_from"]


@dataclass(frozen=True)
class BaseSpec:
    """One pretrained convolutional base and how chapter 5 uses it."""

    name: str  # short key, also the suffix of the ledger rows ("vgg16", "mobilenet025")
    title: str  # for prose and banners
    dataset: str  # catalogue entry holding the weights
    image_size: int  # square input side used in chapter 5
    fine_tune_from: str  # first layer unfrozen for fine-tuning (the last resolution stage)
    filter_layers: tuple[str, ...]  # conv layers whose filters 5.4 visualises

    @property
    def is_book_base(self) -> bool:
        return self.name == "vgg16"


BASES: dict[str, BaseSpec] = {
    "vgg16": BaseSpec(
        name="vgg16",
        title="VGG16 (the book's base)",
        dataset="vgg16_imagenet_notop",
        image_size=150,
        fine_tune_from="block5_conv1",
        filter_layers=("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1"),
    ),
    "mobilenet025": BaseSpec(
        name="mobilenet025",
        title="MobileNet v1, width 0.25 (offline fallback)",
        dataset="mobilenet_025_imagenet_notop",
        # Only the 224-pixel weight file is catalogued; Keras picks the file by input size.
        image_size=224,
        fine_tune_from="conv_dw_12",
        filter_layers=("conv_pw_3", "conv_pw_7", "conv_pw_9", "conv_pw_11"),
    ),
}


def choose_base(use_vgg16: bool) -> BaseSpec:
    """The book's VGG16 when its weights are available, otherwise MobileNet (alpha 0.25).

    >>> choose_base(False).name
    'mobilenet025'
    """
    return BASES["vgg16"] if use_vgg16 else BASES["mobilenet025"]


def build_base(spec: BaseSpec | str, image_size: int | None = None):
    """The ImageNet-pretrained convolutional base (no classifier), weights read from the verified cache.

    Raises :class:`utils.data.DatasetUnavailable` (with the URL and hash to fetch) if the
    weights cannot be found.
    """
    spec = BASES[spec] if isinstance(spec, str) else spec
    data.resolve(spec.dataset)  # verified copy into KERAS_HOME/models, where Keras looks
    data.check_keras_home()
    import keras

    size = image_size or spec.image_size
    shape = (size, size, 3)
    if spec.name == "vgg16":
        return keras.applications.VGG16(weights="imagenet", include_top=False, input_shape=shape)
    if spec.name == "mobilenet025":
        if size != 224:
            raise ValueError("only the 224-pixel MobileNet weights are catalogued; use image_size=224")
        return keras.applications.MobileNet(alpha=0.25, include_top=False, weights="imagenet", input_shape=shape)
    raise KeyError(f"unknown base {spec.name!r}; known: {', '.join(BASES)}")


def preprocess(spec: BaseSpec | str, images):
    """Map raw RGB pixels (0-255) to the input the base was trained on (works on symbolic tensors)."""
    spec = BASES[spec] if isinstance(spec, str) else spec
    import keras
    import numpy as np

    if isinstance(images, np.ndarray):
        # Keras rescales NumPy input in place: work on a float copy, never on the caller's array
        # (which may also be read-only, as tf.data's as_numpy_iterator() hands them out).
        images = images.astype("float32", copy=True)
    if spec.name == "vgg16":
        return keras.applications.vgg16.preprocess_input(images)  # RGB->BGR, minus ImageNet means
    return keras.applications.mobilenet.preprocess_input(images)  # scaled to [-1, 1]


def unfreeze_from(conv_base, layer_name: str) -> int:
    """Make ``layer_name`` and every later layer of ``conv_base`` trainable, earlier ones frozen.

    Returns the number of layers left trainable.
    """
    names = [layer.name for layer in conv_base.layers]
    if layer_name not in names:
        raise KeyError(f"{conv_base.name} has no layer {layer_name!r}")
    conv_base.trainable = True
    start = names.index(layer_name)
    for i, layer in enumerate(conv_base.layers):
        layer.trainable = i >= start
    return len(conv_base.layers) - start
