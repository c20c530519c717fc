"""CIFAR-10 frogs (class 6) for the GAN of 8.5: the official archive, or a pinned set of JPEG copies.

Two routes, in this order:

1. **official**: ``datasets/cifar-10-python.tar.gz`` (the University of Toronto's archive, md5 pinned by
   its publisher, catalogued in ``[files]``), fetched cache -> mirror -> download like every catalogued
   file; the frogs are the images with label 6 of the five training batches (5,000) and of the test
   batch (1,000), decoded exactly as ``keras.datasets.cifar10.load_data()`` decodes them.
2. **substitute**: 6,000 JPEG files ``{train,test}/NNNN.jpg`` (section ``[cifar10_frogs.jpeg]`` of
   ``data/catalog.toml``), looked for under ``datasets/cifar10_frogs/`` or ``cifar10_frogs/`` in the
   cache and the mirror. They are **lossy re-encodings** (JPEG, quality about 75) of the same pictures,
   not pixel-identical to CIFAR-10. One catalogue hash pins the whole set: the sha256 of the listing
   ``"<sha256 of the file>  <split>/<name>\\n"`` over all files sorted by name. Every file is hashed and
   the listing compared on each build; the decoded arrays are kept in the cache as a ``.npz`` that
   records the listing hash and the sha256 of its pixels, both checked when it is read again.

>>> x = load_cifar10_frogs()      # doctest: +SKIP
>>> x.shape, x.dtype               # doctest: +SKIP
((5000, 32, 32, 3), dtype('uint8'))
"""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
import tomllib
from functools import cache
from pathlib import Path

import numpy as np

from .catalog import CATALOG_PATH, cache_dir, mirror_dir
from .store import ChecksumError, DatasetUnavailable, note_source, resolve

__all__ = ["CIFAR10_FROG_LABEL", "frog_jpeg_listing", "frogs_from_cifar10_archive", "load_cifar10_frogs"]

CIFAR10_FROG_LABEL = 6
DATASET = "cifar10_frogs"
SPLITS = ("train", "test", "all")
_ARCHIVE_DATASET = "cifar10"
_CACHE_NPZ = "datasets/cifar10_frogs_jpeg.npz"


@cache
def _jpeg_entry() -> dict:
    with open(CATALOG_PATH, "rb") as fh:
        section = tomllib.load(fh).get("cifar10_frogs", {})
    entry = section.get("jpeg")
    if not entry or not {"folders", "count", "listing_sha256"} <= set(entry):
        raise ValueError(f"{CATALOG_PATH.name}: [cifar10_frogs.jpeg] needs folders, count and listing_sha256")
    return entry


# ----------------------------------------------------------------------------- official archive


def frogs_from_cifar10_archive(path: Path) -> dict[str, np.ndarray]:
    """Read the label-6 images of CIFAR-10's python archive: ``{"train": (5000, 32, 32, 3), "test": ...}``.

    The archive holds pickled batches ``data_batch_1`` ... ``data_batch_5`` and ``test_batch``, each with
    ``data`` (n, 3072) uint8 in channel-major order and ``labels``; images come back channels-last, uint8,
    in the archive's order.
    """
    parts: dict[str, list[np.ndarray]] = {"train": [], "test": []}
    with tarfile.open(path, "r:gz") as tar:
        members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
        names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        absent = [n for n in names if n not in members]
        if absent:
            raise ValueError(f"{path} is not CIFAR-10's python archive: no {', '.join(absent)}")
        for name in names:
            batch = pickle.load(tar.extractfile(members[name]), encoding="bytes")
            data = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
            labels = np.asarray(batch[b"labels"])
            parts["test" if name == "test_batch" else "train"].append(data[labels == CIFAR10_FROG_LABEL])
    return {split: np.concatenate(arrays) for split, arrays in parts.items()}


def _official() -> tuple[dict[str, np.ndarray] | None, DatasetUnavailable | None]:
    try:
        res = resolve(_ARCHIVE_DATASET)
    except DatasetUnavailable as exc:
        return None, exc
    arrays = frogs_from_cifar10_archive(next(iter(res.paths.values())))
    where = "/".join(sorted(set(res.origins.values())))
    note_source(DATASET, f"official cifar-10-python.tar.gz, class 6 [{where}]")
    return arrays, None


# ----------------------------------------------------------------------------- JPEG substitute


def frog_jpeg_listing(folder: Path) -> str:
    """The listing that the catalogue hash pins: ``"<sha256>  <split>/<name>\\n"`` per file, sorted by name."""
    files = sorted(p for split in ("train", "test") for p in (folder / split).glob("*.jpg"))
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.parent.name}/{p.name}\n" for p in files]
    return "".join(sorted(lines, key=lambda line: line.split("  ", 1)[1]))


def _jpeg_folders() -> list[tuple[Path, str]]:
    """Candidate folders of the JPEG frogs, with where they are (cache first, then the mirror)."""
    places = [(cache_dir(), "cache")]
    mirror = mirror_dir()
    if mirror is not None:
        places.append((mirror, f"mirror ({mirror})"))
    return [(root / rel, where) for root, where in places for rel in _jpeg_entry()["folders"]]


def _verified_jpeg_folder() -> tuple[Path, str] | None:
    entry = _jpeg_entry()
    for folder, where in _jpeg_folders():
        if not (folder / "train").is_dir():
            continue
        listing = frog_jpeg_listing(folder)
        count = listing.count("\n")
        digest = hashlib.sha256(listing.encode()).hexdigest()
        if count != entry["count"] or digest != entry["listing_sha256"]:
            raise ChecksumError(
                f"the CIFAR-10 frog JPEGs in the {where} at {folder} are not the catalogued set: expected "
                f"{entry['count']} files with listing sha256 {entry['listing_sha256']}, found {count} files "
                f"with listing sha256 {digest}.\nRestore the folder (or delete it) and run again; "
                "see [cifar10_frogs.jpeg] in data/catalog.toml for how the listing is hashed."
            )
        return folder, where
    return None


def _decode_folder(folder: Path) -> dict[str, np.ndarray]:
    from PIL import Image

    arrays = {}
    for split in ("train", "test"):
        images = []
        for p in sorted((folder / split).glob("*.jpg")):
            with Image.open(io.BytesIO(p.read_bytes())) as im:
                images.append(np.asarray(im.convert("RGB"), dtype=np.uint8))
        arrays[split] = np.stack(images)
        if arrays[split].shape[1:] != (32, 32, 3):
            raise ValueError(f"{folder / split}: expected 32x32 RGB images, got {arrays[split].shape[1:]}")
    return arrays


def _pixels_sha256(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for split in ("train", "test"):
        h.update(np.ascontiguousarray(arrays[split], dtype=np.uint8).tobytes())
    return h.hexdigest()


def _read_cached_npz(path: Path) -> dict[str, np.ndarray] | None:
    """The cached arrays if the file is intact and was built from the catalogued listing, else None."""
    try:
        with np.load(path) as npz:
            arrays = {"train": npz["train"], "test": npz["test"]}
            listing = str(npz["listing_sha256"])
            pixels = str(npz["pixels_sha256"])
    except (OSError, ValueError, KeyError, EOFError):
        return None
    if listing != _jpeg_entry()["listing_sha256"] or pixels != _pixels_sha256(arrays):
        return None
    return arrays


def _substitute() -> dict[str, np.ndarray] | None:
    cached = cache_dir() / _CACHE_NPZ
    if cached.is_file():
        arrays = _read_cached_npz(cached)
        if arrays is not None:
            note_source(DATASET, "substitute: 6,000 lossy JPEG copies of the CIFAR-10 frogs, decoded [cache]")
            return arrays
        cached.unlink()  # stale or damaged: rebuilt below from the verified JPEGs
    found = _verified_jpeg_folder()
    if found is None:
        return None
    folder, where = found
    arrays = _decode_folder(folder)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(cached.name + ".tmp.npz")
    np.savez(
        tmp, train=arrays["train"], test=arrays["test"],
        listing_sha256=np.array(_jpeg_entry()["listing_sha256"]), pixels_sha256=np.array(_pixels_sha256(arrays)),
    )
    tmp.replace(cached)
    source = "mirror" if where.startswith("mirror") else "cache"
    note_source(DATASET, f"substitute: 6,000 lossy JPEG copies of the CIFAR-10 frogs, decoded [{source}]")
    return arrays


# ----------------------------------------------------------------------------- public


def load_cifar10_frogs(split: str = "train") -> np.ndarray:
    """CIFAR-10's frog images (class 6) as uint8 ``(n, 32, 32, 3)``: 5,000 ``"train"``, 1,000 ``"test"``, or ``"all"``.

    The official archive when it can be had (cache, mirror, or download unless ``DLWP_OFFLINE=1``), else
    the pinned JPEG copies (lossy; see the module docstring). :func:`utils.data.sources` says which ran.
    Raises :class:`DatasetUnavailable` when neither exists and :class:`ChecksumError` for a file that is
    not the catalogued one.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    arrays, missing = _official()
    if arrays is None:
        arrays = _substitute()
    if arrays is None:
        entry = _jpeg_entry()
        places = "\n".join(f"      {folder}" for folder, _ in _jpeg_folders())
        raise DatasetUnavailable(
            f"{missing}\nor the substitute: {entry['count']:,} JPEG frogs (train/NNNN.jpg, test/NNNN.jpg, listing "
            f"sha256 {entry['listing_sha256']}) in one of\n{places}"
        )
    if split == "all":
        return np.concatenate([arrays["train"], arrays["test"]])
    return arrays[split]
