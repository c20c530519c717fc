"""Pictures for chapter 8's image-generation notebooks: the style painting of 8.3 and its offline stand-in.

The book's style image (a Popova painting) and portrait were never published. 8.3 takes Van Gogh's
*The Starry Night* (public domain, catalogued as ``starry_night``) when it can be had. Offline it is not
in the mirror, so the stand-in is a real photograph with strong texture shipped inside scikit-learn
(``sklearn/datasets/images/flower.jpg``, CC BY 2.0), read in place and verified by sha256; the package
is never imported. Both are catalogued in ``data/catalog.toml``.

>>> path, what = style_image()          # doctest: +SKIP
>>> picture = load_picture(path, 224)   # (224, 224, 3) float32, 0-255
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import numpy as np

from .catalog import CATALOG_PATH
from .packaged import package_file
from .store import DatasetUnavailable, note_source, resolve

__all__ = ["STYLE_PAINTING", "STYLE_SUBSTITUTE", "load_picture", "package_picture", "style_image"]

STYLE_PAINTING = "starry_night"
STYLE_SUBSTITUTE = "sklearn_flower"


@cache
def _entries() -> dict:
    with open(CATALOG_PATH, "rb") as fh:
        return tomllib.load(fh).get("artworks", {})


def package_picture(name: str) -> Path:
    """The catalogued picture ``name`` (section ``[artworks]``) inside its installed package, verified."""
    entries = _entries()
    if name not in entries:
        raise KeyError(f"{name!r} is not in the [artworks] section of {CATALOG_PATH.name}")
    return package_file(entries[name])


def style_image() -> tuple[Path, str]:
    """The style picture for 8.3 and a one-line description of which one it is.

    The painting when it resolves (cache, mirror or download); otherwise the textured photograph from
    scikit-learn, recorded as the source of ``starry_night`` so the run says which picture it used.
    """
    try:
        res = resolve(STYLE_PAINTING)
        return next(iter(res.paths.values())), "painting: The Starry Night (Van Gogh, 1889)"
    except DatasetUnavailable:
        spec = _entries()[STYLE_SUBSTITUTE]
        path = package_picture(STYLE_SUBSTITUTE)
        what = f"substitute photo, not a painting: {spec['path']} ({spec['distribution']} {spec['version']})"
        note_source(STYLE_PAINTING, what + " [package]")
        return path, what


def load_picture(path: Path | str, size: int) -> np.ndarray:
    """A picture as float32 RGB pixels 0-255, centre-cropped to a square and resized to ``size`` x ``size``."""
    if int(size) != size or size < 8:
        raise ValueError(f"size must be an integer of at least 8 pixels, got {size!r}")
    from PIL import Image

    with Image.open(path) as img:
        img = img.convert("RGB")
        w, h = img.size
        side = min(w, h)
        left, top = (w - side) // 2, (h - side) // 2
        img = img.crop((left, top, left + side, top + side)).resize((int(size), int(size)), Image.Resampling.BICUBIC)
        return np.asarray(img, dtype="float32")
