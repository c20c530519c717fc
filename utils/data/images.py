"""Image folders and saved models: the book's cats-vs-dogs split, as files or as in-memory arrays.

- :func:`cats_and_dogs_dir` is the verified folder (``train``/``validation``/``test``, each with
  ``cats/`` and ``dogs/``), for pipelines that read JPEGs from disk;
- :func:`load_cats_and_dogs` is the same 4,000 pictures decoded once, resized to a square side and
  kept as uint8 arrays (cached in ``data/cache/derived``): the backend-neutral route that feeds a
  JAX or PyTorch model, or a NumPy exercise, without TensorFlow;
- :func:`model_path` is where a notebook saves a model a later notebook loads.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .. import profile
from .catalog import DATA_DIR, sha256_file
from .store import cache_dir, resolve

__all__ = ["CATS_AND_DOGS_CLASSES", "cats_and_dogs_dir", "first_of_each_class", "load_cats_and_dogs", "model_path"]

CATS_AND_DOGS_CLASSES = ("cat", "dog")  # label 0, label 1 (alphabetical, as image_dataset_from_directory)
_SPLITS = ("train", "validation", "test")
_ARRAYS_VERSION = 1


def cats_and_dogs_dir() -> Path:
    """The book's small Dogs vs. Cats split: ``train`` (2,000), ``validation`` (1,000), ``test`` (1,000),
    each with ``cats/`` and ``dogs/`` subfolders, every JPEG verified against ``data/cats_and_dogs_small.sha256``."""
    res = resolve("cats_and_dogs_small")
    return res.paths["datasets/cats_and_dogs_small"]


def _picture_files(root: Path, split: str) -> list[tuple[Path, int]]:
    """(file, label) of one split: cats then dogs, each by picture number."""
    out = []
    for label, sub in enumerate(("cats", "dogs")):
        files = sorted((root / split / sub).glob("*.jpg"), key=lambda p: int(p.stem.split(".")[1]))
        out += [(f, label) for f in files]
    return out


def _decode(path: Path, image_size: int) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as img:
        return np.asarray(img.convert("RGB").resize((image_size, image_size), Image.BILINEAR), dtype=np.uint8)


def load_cats_and_dogs(image_size: int = 150):
    """The book's 2,000 / 1,000 / 1,000 cats-vs-dogs pictures as arrays, resized to ``image_size``.

    Returns ``((x_train, y_train), (x_val, y_val), (x_test, y_test))``: uint8 images of shape
    ``(n, image_size, image_size, 3)`` (RGB, 0-255, bilinear resize with Pillow) and int64 labels,
    0 = cat, 1 = dog, cats first then dogs (shuffle before training). Decoded once per size and
    cached; the cache file is named after the verified listing, so other pictures never hide in it.

    >>> (x_train, y_train), _, _ = load_cats_and_dogs(64)   # doctest: +SKIP
    >>> x_train.shape, y_train.mean()                         # doctest: +SKIP
    ((2000, 64, 64, 3), 0.5)
    """
    if not 8 <= int(image_size) <= 1024:
        raise ValueError(f"image_size must lie in [8, 1024], got {image_size}")
    root = cats_and_dogs_dir()
    listing = DATA_DIR / "cats_and_dogs_small.sha256"
    key = f"v{_ARRAYS_VERSION}-{image_size}px-{sha256_file(listing)[:12]}"
    out = cache_dir() / "derived" / f"cats_and_dogs_small-{key}.npz"
    if not out.exists():
        from tqdm.auto import tqdm

        arrays = {}
        for split in _SPLITS:
            files = _picture_files(root, split)
            images = np.empty((len(files), image_size, image_size, 3), dtype=np.uint8)
            for i, (path, _) in enumerate(tqdm(files, desc=f"decoding {split} at {image_size}px", leave=False)):
                images[i] = _decode(path, image_size)
            arrays[f"x_{split}"] = images
            arrays[f"y_{split}"] = np.array([label for _, label in files], dtype=np.int64)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, out)
    with np.load(out) as arrays:
        return tuple((arrays[f"x_{s}"], arrays[f"y_{s}"]) for s in _SPLITS)


def first_of_each_class(split, num_images: int):
    """The first ``num_images // 2`` cats and as many dogs of one split of :func:`load_cats_and_dogs`.

    Returns ``(x, y)`` with the labels as float32 of shape ``(n, 1)`` (one sigmoid output's shape).
    At a split's full size this is the whole split, cats first; the quick profile asks for fewer and
    gets a balanced, fixed subset (no random draw, so every run and backend sees the same pictures).

    >>> x, y = first_of_each_class((np.zeros((6, 2, 2, 3)), np.array([0, 0, 0, 1, 1, 1])), 4)
    >>> x.shape, y.ravel().tolist()
    ((4, 2, 2, 3), [0.0, 0.0, 1.0, 1.0])
    """
    x, y = split
    half = len(x) // 2
    if not 2 <= num_images <= len(x) or num_images % 2:
        raise ValueError(f"num_images must be an even number in [2, {len(x)}], got {num_images}")
    if not (np.all(y[:half] == 0) and np.all(y[half:] == 1)):
        raise ValueError("expected a split as load_cats_and_dogs returns it: all cats, then all dogs")
    keep = np.r_[0 : num_images // 2, half : half + num_images // 2]
    return x[keep], y[keep].astype("float32").reshape(-1, 1)


def model_path(filename: str) -> Path:
    """Where a notebook saves a model a later notebook loads (git-ignored, inside the cache).

    One folder per profile, so a quick run never replaces the model of a full run.

    >>> model_path("cats_and_dogs_small_2.keras").parent.name  # under the full profile
    'full'
    """
    if Path(filename).name != filename:
        raise ValueError(f"give a bare file name, not a path: {filename!r}")
    path = cache_dir() / "course_models" / profile.current() / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
