"""Where the checkout, the catalogue and the download cache are. Standard library only.

``utils`` runs either from a checkout of the course repository (an editable install, as
``make setup`` does) or installed from a wheel (``pip install .``, ``pip wheel .``). The
catalogue (``catalog.toml``, its hash listings, its README) is looked for, in order:

1. in the checkout's ``data/`` folder: a checkout is a folder holding ``data/catalog.toml`` beside
   ``notebooks/``, looked for in the working folder and every folder above it (a notebook run
   inside a checkout), then from this package's own folder upwards (an editable install);
2. in the copy packaged with an installed ``utils``: ``utils/data/_catalogue/`` (see setup.py).

The download cache is ``$KERAS_HOME`` when set (``utils`` sets it on import), else the checkout's
``data/cache/``, else a per-user cache folder (:func:`user_cache_dir`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

CATALOGUE_NAME = "catalog.toml"
# Where setup.py puts data/'s catalogue files inside an installed copy of utils.
PACKAGED_DATA_DIR = Path(__file__).resolve().parent / "data" / "_catalogue"


class CatalogueNotFound(FileNotFoundError):
    """Neither a checkout's ``data/catalog.toml`` nor the packaged copy was found."""


def _default_starts() -> list[Path]:
    starts = []
    try:
        starts.append(Path.cwd().resolve())
    except OSError:  # the working folder was deleted
        pass
    starts.append(Path(__file__).resolve().parent)
    return starts


def _candidates(starts: Iterable[Path]) -> list[Path]:
    """Every folder that could be a checkout, in the order they are tried."""
    seen: list[Path] = []
    for start in starts:
        for folder in (start, *start.parents):
            if folder not in seen:
                seen.append(folder)
    return seen


def _is_checkout(folder: Path) -> bool:
    return (folder / "data" / CATALOGUE_NAME).is_file() and (folder / "notebooks").is_dir()


def find_checkout(starts: Iterable[Path] | None = None) -> Path | None:
    """The checkout's root above the first of ``starts`` that lies in one (default: the working
    folder, then this package's folder), or ``None``."""
    folders = _candidates(_default_starts() if starts is None else starts)
    return next((folder for folder in folders if _is_checkout(folder)), None)


@cache
def checkout_root() -> Path | None:
    """The checkout this process runs in (see :func:`find_checkout`), fixed at first call."""
    return find_checkout()


def find_data_dir(starts: Iterable[Path] | None = None, packaged: Path = PACKAGED_DATA_DIR) -> Path:
    """The folder holding the catalogue: a checkout's ``data/``, else the packaged copy.

    Raises :class:`CatalogueNotFound`, naming every place looked at, when there is neither.
    """
    starts = _default_starts() if starts is None else list(starts)
    root = find_checkout(starts)
    if root is not None:
        return root / "data"
    if (packaged / CATALOGUE_NAME).is_file():
        return packaged
    looked = [folder / "data" / CATALOGUE_NAME for folder in _candidates(starts)]
    raise CatalogueNotFound(
        f"the data catalogue ({CATALOGUE_NAME}) was not found. Looked for a checkout of the course "
        "repository (data/catalog.toml beside a notebooks/ folder) at:\n"
        + "".join(f"  {path}\n" for path in looked)
        + f"and for the copy packaged with utils at:\n  {packaged / CATALOGUE_NAME}\n"
        "Run from inside a checkout, or reinstall utils from one: pip install <checkout>"
    )


@cache
def data_dir() -> Path:
    """The catalogue's folder for this process (see :func:`find_data_dir`), fixed at first call."""
    root = checkout_root()
    return root / "data" if root is not None else find_data_dir()


def user_cache_dir() -> Path:
    """A per-user cache folder for downloads when there is no checkout to hold them."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = xdg if os.path.isabs(xdg) else Path.home() / ".cache"
    return Path(base) / "dlwp-course"


def default_cache_dir() -> Path:
    """The cache when ``$KERAS_HOME`` is not set: the checkout's ``data/cache/``, else per user."""
    root = checkout_root()
    return root / "data" / "cache" if root is not None else user_cache_dir()
