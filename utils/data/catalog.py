"""The catalogue: ``data/catalog.toml`` parsed into typed entries; where files live; file hashing.

``catalog()`` is the parsed, cached catalogue every other module of the data layer reads:
``catalog().files[path]`` is a :class:`FileEntry` (one file) or :class:`TreeEntry` (a folder
whose files are pinned in a listing), ``catalog().datasets[name]`` a :class:`DatasetEntry`
with its routes in order of preference. :func:`cache_dir` and :func:`mirror_dir` say where
verified copies live. Nothing here touches the network or reads the cache.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .._locations import data_dir as _data_dir
from .._locations import default_cache_dir as _default_cache_dir

__all__ = [
    "CATALOG_PATH",
    "DATA_DIR",
    "MIRROR_ENV",
    "OFFLINE_ENV",
    "Catalog",
    "DatasetEntry",
    "FileEntry",
    "Route",
    "TreeEntry",
    "cache_dir",
    "catalog",
    "file_hash",
    "load_catalog",
    "mirror_dir",
    "offline",
    "sha256_file",
]

# The catalogue's folder, fixed at import: the checkout's data/ (beside notebooks/), else the copy
# packaged with an installed utils (utils/data/_catalogue/); utils/_locations.py says how it looks.
DATA_DIR = _data_dir()
CATALOG_PATH = DATA_DIR / "catalog.toml"
MIRROR_ENV = "DLWP_MIRROR"
OFFLINE_ENV = "DLWP_OFFLINE"


def cache_dir() -> Path:
    """The verified cache: ``$KERAS_HOME``; unset, the checkout's ``data/cache/`` (else per user)."""
    home = os.environ.get("KERAS_HOME")
    return Path(home) if home is not None else _default_cache_dir()


def mirror_dir() -> Path | None:
    """The offline mirror named by ``DLWP_MIRROR``, or ``None``."""
    raw = os.environ.get(MIRROR_ENV, "").strip()
    return Path(raw).expanduser() if raw else None


def offline() -> bool:
    """True when downloads are forbidden (``DLWP_OFFLINE=1``; tests and CI set it)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    return file_hash(path, "sha256", chunk)


def file_hash(path: Path, name: str, chunk: int = 1 << 20) -> str:
    """Hex digest of a file with the hash ``name`` (``sha256`` or the publisher's ``md5``)."""
    digest = hashlib.new(name, usedforsecurity=False) if name == "md5" else hashlib.new(name)
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileEntry:
    path: str
    origin: str
    sha256: str  # "" only where the publisher pins an md5 and no sha256 is published
    size: int  # 0 = not published
    licence: str = ""
    downloadable: bool = True
    md5: str = ""

    @property
    def hash_name(self) -> str:
        return "sha256" if self.sha256 else "md5"

    @property
    def expected_hash(self) -> str:
        return self.sha256 or self.md5


@dataclass(frozen=True)
class TreeEntry:
    """A folder of files, each pinned by sha256 in a listing file under ``data/``."""

    path: str
    origin: str
    listing: dict[str, str]  # relative file -> sha256
    listing_file: str
    size: int
    licence: str = ""
    build_from: str = ""  # a user-provided archive (cache-relative) the folder can be built from

    # Trees share the error-message fields of files.
    downloadable: bool = False

    @property
    def hash_name(self) -> str:
        return "per-file sha256"

    @property
    def expected_hash(self) -> str:
        return f"listed in data/{self.listing_file}"


@dataclass(frozen=True)
class Route:
    kind: str  # "official" or "rebuilt"
    files: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    title: str
    routes: tuple[Route, ...]
    notebooks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    files: dict[str, FileEntry | TreeEntry]
    datasets: dict[str, DatasetEntry]


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Parse and check ``data/catalog.toml``."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    files: dict[str, FileEntry | TreeEntry] = {}
    for rel, spec in raw.get("files", {}).items():
        sha, md5 = spec.get("sha256", ""), spec.get("md5", "")
        if not (re.fullmatch(r"[0-9a-f]{64}", sha) or (not sha and re.fullmatch(r"[0-9a-f]{32}", md5))):
            raise ValueError(f"catalog: {rel} has no valid sha256 (or publisher md5)")
        files[rel] = FileEntry(
            path=rel,
            origin=spec["origin"],
            sha256=sha,
            md5=md5 if not sha else "",
            size=int(spec.get("size", 0)),
            licence=spec.get("licence", ""),
            downloadable=bool(spec.get("downloadable", True)),
        )
    for rel, spec in raw.get("trees", {}).items():
        listing_path = path.parent / spec["listing"]
        if sha256_file(listing_path) != spec["listing_sha256"]:
            raise ValueError(f"catalog: listing {listing_path.name} does not match its listing_sha256")
        listing = {}
        for line in listing_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                digest, name = line.split(maxsplit=1)
                listing[name.strip()] = digest
        files[rel] = TreeEntry(
            path=rel,
            origin=spec["origin"],
            listing=listing,
            listing_file=spec["listing"],
            size=int(spec.get("size", 0)),
            licence=spec.get("licence", ""),
            build_from=spec.get("build_from", ""),
        )
    datasets = {}
    for name, spec in raw.get("datasets", {}).items():
        routes = tuple(
            Route(kind=r["kind"], files=tuple(r["files"]), note=r.get("note", ""))
            for r in spec["routes"]
        )
        for route in routes:
            for rel in route.files:
                if rel not in files:
                    raise ValueError(f"catalog: dataset {name} names {rel}, which has no [files] entry")
        datasets[name] = DatasetEntry(
            name=name,
            title=spec.get("title", name),
            routes=routes,
            notebooks=tuple(spec.get("notebooks", ())),
        )
    return Catalog(files=files, datasets=datasets)


@cache
def catalog() -> Catalog:
    """The parsed catalogue, read once per process."""
    return load_catalog()

