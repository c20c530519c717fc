"""notMNIST (letters A-J in many fonts, 28x28 grey), read from the official archives, or Fashion-MNIST.

- :func:`load_notmnist` reads one official archive (``"small"``, hand-cleaned, about 18,700 pictures;
  or ``"large"``, about 530,000) straight from the ``.tar.gz``: a folder per letter ``A``-``J``, one PNG
  per picture; PNGs that cannot be decoded are skipped and counted, as Google's course does;
- :func:`load_letters` returns the train / validation / test arrays that Supplement B uses: the course's
  split of notMNIST (training and validation pictures from ``large``, test pictures from ``small``)
  when both archives can be had, else Fashion-MNIST (same 28x28 grey pictures, 10 balanced classes;
  the last 10,000 training pictures are the validation set), and it says which ran;
- :func:`normalise_pixels` maps 0..255 to -0.5..0.5, the course's scaling.

No hash of either archive has been published by its author (the course checks only the byte size);
``data/catalog.toml`` pins what can be pinned in its ``[notmnist]`` section (see ``data/README.md``).
"""

from __future__ import annotations

import io
import tarfile
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .catalog import CATALOG_PATH, cache_dir, sha256_file
from .mnist import FASHION_MNIST_CLASSES, load_fashion_mnist
from .store import (
    ChecksumError,
    DatasetUnavailable,
    fetch_checked,
    note_source,
    resolve,
    sources,
    where_is,
)

__all__ = ["NOTMNIST_CLASSES", "Letters", "load_letters", "load_notmnist", "normalise_pixels", "read_letter_archive"]

NOTMNIST_CLASSES = tuple("ABCDEFGHIJ")
# The course's split: 200,000 training and 10,000 validation pictures from "large", 10,000 test from "small".
COURSE_SPLIT = (200_000, 10_000, 10_000)


@dataclass(frozen=True)
class Letters:
    """Train / validation / test pictures (uint8, (n, 28, 28)) and labels (uint8), and which data ran."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    name: str  # "notmnist" or "fashion_mnist"
    description: str  # for the banner and the ledger

    @property
    def substitute(self) -> bool:
        return self.name != "notmnist"


@cache
def _entries() -> dict:
    """The ``[notmnist]`` section of the catalogue: ``small`` and ``large``, each path, origin, size."""
    section = tomllib.loads(CATALOG_PATH.read_text(encoding="utf-8")).get("notmnist", {})
    missing = {"small", "large"} - set(section)
    if missing:
        raise ValueError(f"{CATALOG_PATH.name}: the [notmnist] section lacks {sorted(missing)}")
    return section


def _check_archive(path: Path, spec: dict, where: str) -> None:
    """Refuse a file whose size (and sha256, where one is pinned) differs from the catalogue."""
    size = path.stat().st_size
    if size != spec["size"]:
        raise ChecksumError(
            f"{spec['path']} in the {where} is corrupt or not the catalogued file: expected "
            f"{spec['size']:,} bytes, found {size:,}. Delete {path} and fetch it again from {spec['origin']}."
        )
    if spec.get("sha256") and sha256_file(path) != spec["sha256"]:
        raise ChecksumError(
            f"{spec['path']} in the {where} has the catalogued size but not the pinned sha256 "
            f"{spec['sha256']}. Delete {path} and fetch it again from {spec['origin']}."
        )


def _missing(spec: dict, why: str) -> str:
    pinned = f"sha256 {spec['sha256']}, " if spec.get("sha256") else "no published hash; pinned: "
    return (
        f"Dataset file not available ({why}):\n"
        f"  - {spec['path']}\n"
        f"      origin : {spec['origin']}\n"
        f"      pinned : {pinned}{spec['size']:,} bytes\n"
        f"      put it : {cache_dir() / spec['path']}\n"
        "Download it from its origin (or copy it from a machine that has it) into the folder shown, "
        "or into the mirror named by DLWP_MIRROR."
    )


def _archive(subset: str) -> tuple[Path, str]:
    """The verified archive in the cache (copied from the mirror or downloaded if needed), and from where."""
    spec = _entries()[subset]
    return fetch_checked(spec["path"], spec["origin"], lambda path, where: _check_archive(path, spec, where),
                         lambda why: _missing(spec, why))


def read_letter_archive(path: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Pictures, labels and the number of unreadable PNGs in a notMNIST-layout ``.tar.gz``."""
    from PIL import Image, UnidentifiedImageError

    pictures, labels, skipped = [], [], 0
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                parts = Path(member.name).parts
                if not member.isfile() or len(parts) < 2 or parts[-2] not in NOTMNIST_CLASSES:
                    continue
                try:
                    with Image.open(io.BytesIO(tar.extractfile(member).read())) as img:
                        pixels = np.asarray(img.convert("L"), dtype=np.uint8)
                except (OSError, UnidentifiedImageError, ValueError):
                    skipped += 1  # the archives hold a few empty or truncated PNGs
                    continue
                if pixels.shape != (28, 28):
                    skipped += 1
                    continue
                pictures.append(pixels)
                labels.append(NOTMNIST_CLASSES.index(parts[-2]))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ChecksumError(f"{path} is not a readable .tar.gz archive: {exc}. Delete it and fetch it again.") from exc
    if not pictures:
        raise ChecksumError(f"{path} holds no letter folders A-J with 28x28 PNGs")
    return np.stack(pictures), np.asarray(labels, dtype=np.uint8), skipped


def load_notmnist(subset: str = "small") -> tuple[np.ndarray, np.ndarray]:
    """All readable pictures of one official archive (uint8 (n, 28, 28)) and labels 0-9 for A-J.

    Raises :class:`DatasetUnavailable` when the archive cannot be had (it is not in the offline
    mirror) and :class:`ChecksumError` when the file found is not the catalogued one.
    """
    if subset not in ("small", "large"):
        raise ValueError(f"subset must be 'small' or 'large', got {subset!r}")
    path, where = _archive(subset)
    x, y, skipped = read_letter_archive(path)
    note_source(f"notmnist_{subset}", f"official {Path(path).name}: {len(x):,} pictures, {skipped} unreadable skipped [{where}]")
    return x, y


SUBSTITUTE = "substitute: Fashion-MNIST (the notMNIST archives are not available here)"


def describe_route() -> str:
    """Which pictures :func:`load_letters` will use, for the banner of ``utils.start(datasets=["notmnist"])``.

    Looks for both archives (cache, then mirror) without reading them; the loader verifies them.
    """
    where = [where_is(_entries()[subset]["path"]) for subset in ("large", "small")]
    if all(where):
        return f"official notMNIST_large + notMNIST_small archives [{'/'.join(sorted(set(where)))}]"
    resolve("fashion_mnist")
    return f"{SUBSTITUTE} <- {sources()['fashion_mnist']}"


def load_letters(train_size: int = COURSE_SPLIT[0]) -> Letters:
    """Supplement B's pictures: the course's notMNIST split when both archives can be had, else Fashion-MNIST.

    The notMNIST split shuffles each archive with a fixed seed and takes ``train_size`` training and
    10,000 validation pictures from ``large``, 10,000 test pictures from ``small``. The substitute keeps
    Fashion-MNIST's official order: its first 50,000 training pictures, the last 10,000 for validation,
    and its 10,000 test pictures. ``sources()["notmnist"]`` says which ran.
    """
    try:
        x_large, y_large = load_notmnist("large")
        x_small, y_small = load_notmnist("small")
    except DatasetUnavailable:
        (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
        desc = f"{SUBSTITUTE}, train 50,000 / validation 10,000 / test 10,000"
        note_source("notmnist", desc)
        return Letters(x_train[:-10_000], y_train[:-10_000], x_train[-10_000:], y_train[-10_000:], x_test, y_test,
                       FASHION_MNIST_CLASSES, "fashion_mnist", desc)
    rng = np.random.default_rng(133)  # the course's seed, for a fixed order
    big, small = rng.permutation(len(x_large)), rng.permutation(len(x_small))
    n_val, n_test = COURSE_SPLIT[1], COURSE_SPLIT[2]
    tr, va, te = big[:train_size], big[train_size:train_size + n_val], small[:n_test]
    desc = f"official notMNIST: train {len(tr):,} / validation {len(va):,} from large, test {len(te):,} from small"
    note_source("notmnist", desc)
    return Letters(x_large[tr], y_large[tr], x_large[va], y_large[va], x_small[te], y_small[te],
                   NOTMNIST_CLASSES, "notmnist", desc)


def normalise_pixels(x: np.ndarray) -> np.ndarray:
    """0..255 grey levels to float32 in -0.5..0.5 (the course's ``(pixel - 127.5) / 255``)."""
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {x.dtype}")
    return ((x.astype(np.float32) - 127.5) / 255.0).astype(np.float32)
