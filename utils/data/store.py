"""The store: find a catalogued file (cache -> mirror -> download), verify it, say where it came from.

- :func:`fetch` returns the verified cached path of one catalogued file;
- :func:`resolve` picks the first route of a dataset whose files can be had and records it,
  so the banner and the ledger can say which route ran (:func:`sources`);
- :class:`DatasetUnavailable` (nothing found, with the file, origin, hash and where to put it)
  and :class:`ChecksumError` (a file that is not the catalogued one: never used).

The cache is ``$KERAS_HOME`` (``data/cache/`` unless set), so Keras's own loaders read the
verified files; the mirror is the folder named by ``DLWP_MIRROR``; ``DLWP_OFFLINE=1`` forbids
downloads (tests and CI).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import (
    CATALOG_PATH,
    MIRROR_ENV,
    OFFLINE_ENV,
    FileEntry,
    Route,
    TreeEntry,
    cache_dir,
    catalog,
    file_hash,
    mirror_dir,
    offline,
    sha256_file,
)

__all__ = ["ChecksumError", "DatasetUnavailable", "Resolved", "came_from", "check_keras_home", "fetch", "fetch_checked",
           "forget", "note_source", "resolve", "sources", "weights_available"]


class DatasetUnavailable(FileNotFoundError):
    """A catalogued file is in neither the cache nor the mirror and cannot be downloaded."""


class ChecksumError(ValueError):
    """A file's sha256 differs from the catalogue: it is never used."""


# Files verified in this process: path -> (size, mtime_ns) at verification time.
_VERIFIED: dict[Path, tuple[int, int]] = {}
# How each catalogued file reached the cache in this process: rel path -> cache|mirror|download.
_FILE_SOURCES: dict[str, str] = {}
# Which route each dataset used: name -> human description.
_DATASET_SOURCES: dict[str, str] = {}


def came_from(rel: str) -> str | None:
    """How catalogued file ``rel`` reached the cache in this process: cache, mirror, download, or None."""
    return _FILE_SOURCES.get(rel)


def forget() -> None:
    """Forget what this process verified and where each file came from (the next use checks again)."""
    for memo in (_VERIFIED, _FILE_SOURCES, _DATASET_SOURCES):
        memo.clear()


def _verify(path: Path, entry: FileEntry, where: str) -> None:
    stat = path.stat()
    if _VERIFIED.get(path) == (stat.st_size, stat.st_mtime_ns):
        return
    size_ok = entry.size == 0 or stat.st_size == entry.size
    actual = file_hash(path, entry.hash_name) if size_ok else None
    if actual != entry.expected_hash:
        found = f"{entry.hash_name} {actual}" if actual else f"{stat.st_size:,} bytes"
        size = f"{entry.size:,} bytes with " if entry.size else ""
        raise ChecksumError(
            f"{entry.path} in the {where} is corrupt or not the catalogued file: "
            f"expected {size}{entry.hash_name} {entry.expected_hash}, found {found}.\n"
            f"Delete {path} and run again; it will be fetched anew from the mirror or {entry.origin}."
        )
    _VERIFIED[path] = (stat.st_size, stat.st_mtime_ns)


def _verify_tree(root: Path, tree: TreeEntry, where: str) -> list[str]:
    """Check every listed file under ``root``; return the missing ones, raise on a bad one."""
    missing = []
    for name, digest in tree.listing.items():
        f = root / name
        if not f.is_file():
            missing.append(name)
            continue
        stat = f.stat()
        if _VERIFIED.get(f) == (stat.st_size, stat.st_mtime_ns):
            continue
        if sha256_file(f) != digest:
            raise ChecksumError(
                f"{tree.path}/{name} in the {where} is corrupt or not the catalogued file "
                f"(expected sha256 {digest}, listed in data/{tree.listing_file}).\n"
                f"Delete {f} and run again."
            )
        _VERIFIED[f] = (stat.st_size, stat.st_mtime_ns)
    return missing


def _unavailable_message(entries: Sequence[FileEntry], why: str) -> str:
    lines = [f"Dataset file(s) not available ({why}):"]
    for e in entries:
        size = f"  ({e.size:,} bytes)" if e.size else ""
        lines += [
            f"  - {e.path}",
            f"      origin : {e.origin}",
            f"      {e.hash_name:<7}: {e.expected_hash}{size}",
            f"      put it : {cache_dir() / e.path}",
        ]
        if isinstance(e, TreeEntry) and e.build_from:
            lines.append(f"      or     : put the original archive at {cache_dir() / e.build_from} and it is built from it")
    mirror = mirror_dir()
    lines.append(
        "Download each file from its origin (or copy it from a machine that has it) into the folder shown,"
        + (
            f" or into the mirror {mirror}."
            if mirror
            else f" or set {MIRROR_ENV} to a folder with the same layout (datasets/, models/)."
        )
    )
    return "\n".join(lines)


def _copy_verified(src: Path, dest: Path, entry: FileEntry, where: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        shutil.copyfile(src, tmp_path)
        _verify(tmp_path, entry, where)
        _VERIFIED.pop(tmp_path, None)
        os.replace(tmp_path, dest)
    finally:
        tmp_path.unlink(missing_ok=True)


def _download_to(url: str, dest: Path, check: Callable[[Path], None], size_hint: int = 0) -> None:
    """Download ``url`` next to ``dest`` with a progress bar, ``check`` it, then move it into place."""
    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(tmp_path, "wb") as out:
            total = int(resp.headers.get("Content-Length") or size_hint)
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name) as bar:
                while block := resp.read(1 << 20):
                    out.write(block)
                    bar.update(len(block))
        check(tmp_path)
        os.replace(tmp_path, dest)
    finally:
        tmp_path.unlink(missing_ok=True)


def _download(entry: FileEntry, dest: Path) -> None:
    def check(tmp_path: Path) -> None:
        _verify(tmp_path, entry, "download")
        _VERIFIED.pop(tmp_path, None)

    _download_to(entry.origin, dest, check, entry.size)


def fetch_checked(rel: str, origin: str, check: Callable[[Path, str], None], missing: Callable[[str], str],
                  *, check_cache: bool = True) -> tuple[Path, str]:
    """Cache -> mirror -> download for a file pinned by other means than one sha256 (member hashes, a size):
    ``check(path, where)`` raises on a wrong file, ``missing(why)`` words the :class:`DatasetUnavailable`.
    Returns the cached path and where it came from (``cache``, ``mirror`` or ``download``)."""
    dest = cache_dir() / rel
    if dest.is_file():
        if check_cache:
            check(dest, "cache")
        return dest, "cache"
    mirror = mirror_dir()
    if mirror is not None and (mirror / rel).is_file():
        check(mirror / rel, f"mirror ({mirror})")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror / rel, dest)
        return dest, "mirror"
    if offline():
        raise DatasetUnavailable(missing(f"offline: {OFFLINE_ENV} is set"))
    try:
        _download_to(origin, dest, lambda tmp: check(tmp, "download"))
    except OSError as exc:
        raise DatasetUnavailable(missing(f"download failed: {exc}")) from exc
    return dest, "download"


def _local(rel: str) -> tuple[Path, str] | None:
    """Find ``rel`` in the cache or mirror (verified, copied into the cache), else None."""
    entry = catalog().files[rel]
    if isinstance(entry, TreeEntry):
        return _local_tree(entry)
    dest = cache_dir() / rel
    if dest.exists():
        _verify(dest, entry, "cache")
        _FILE_SOURCES.setdefault(rel, "cache")
        return dest, "cache"
    mirror = mirror_dir()
    if mirror is not None and (mirror / rel).is_file():
        _copy_verified(mirror / rel, dest, entry, f"mirror ({mirror})")
        _FILE_SOURCES[rel] = "mirror"
        return dest, "mirror"
    return None


def _local_tree(tree: TreeEntry) -> tuple[Path, str] | None:
    dest = cache_dir() / tree.path
    missing = _verify_tree(dest, tree, "cache") if dest.is_dir() else list(tree.listing)
    if not missing:
        _FILE_SOURCES.setdefault(tree.path, "cache")
        return dest, "cache"
    mirror = mirror_dir()
    if mirror is not None and (mirror / tree.path).is_dir():
        src = mirror / tree.path
        absent = [n for n in missing if not (src / n).is_file()]
        if absent:
            return None
        for name in missing:
            f = dest / name
            f.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / name, f)
        if _verify_tree(dest, tree, f"cache (copied from the mirror {mirror})"):
            return None
        _FILE_SOURCES[tree.path] = "mirror"
        return dest, "mirror"
    archive = cache_dir() / tree.build_from if tree.build_from else None
    if archive is not None and archive.is_file():
        _build_tree_from_zip(tree, archive, dest, missing)
        _FILE_SOURCES[tree.path] = "built from " + Path(tree.build_from).name
        return dest, "built"
    return None


def _build_tree_from_zip(tree: TreeEntry, archive: Path, dest: Path, names: Sequence[str]) -> None:
    """Extract listed files from an archive with a flat ``train/<file>`` layout (Kaggle's ``train.zip``)."""
    import zipfile

    with zipfile.ZipFile(archive) as zf:
        members = {Path(m).name: m for m in zf.namelist() if not m.endswith("/")}
        for name in names:
            member = members.get(Path(name).name)
            if member is None:
                raise DatasetUnavailable(f"{archive} has no {Path(name).name}, needed for {tree.path}/{name}")
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    still_missing = _verify_tree(dest, tree, f"folder built from {archive.name}")
    if still_missing:
        raise DatasetUnavailable(f"{tree.path}: {len(still_missing)} files still missing after building from {archive}")


def fetch(rel: str) -> Path:
    """Return the verified cached path of catalogued file ``rel`` (cache -> mirror -> download).

    >>> fetch("datasets/boston_housing.npz").name
    'boston_housing.npz'
    """
    files = catalog().files
    if rel not in files:
        raise KeyError(f"{rel!r} is not in {CATALOG_PATH.name}; catalogue it with its origin and sha256 first.")
    found = _local(rel)
    if found is not None:
        return found[0]
    entry = files[rel]
    if isinstance(entry, TreeEntry):
        raise DatasetUnavailable(_unavailable_message([entry], "not in the cache or mirror, and no archive to build it from"))
    if offline():
        raise DatasetUnavailable(_unavailable_message([entry], f"offline: {OFFLINE_ENV} is set"))
    if not entry.downloadable:
        raise DatasetUnavailable(_unavailable_message([entry], "no URL serves this exact file"))
    dest = cache_dir() / rel
    try:
        _download(entry, dest)
    except ChecksumError:
        raise
    except OSError as exc:  # URLError, timeouts, refused connections...
        raise DatasetUnavailable(_unavailable_message([entry], f"download failed: {exc}")) from exc
    _FILE_SOURCES[rel] = "download"
    return dest


# ----------------------------------------------------------------------------- datasets


@dataclass
class Resolved:
    """The files of one dataset, and how they were obtained."""

    name: str
    route: Route
    paths: dict[str, Path] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # rel -> cache|mirror|download

    def describe(self) -> str:
        where = sorted(set(self.origins.values()))
        label = self.route.note or ", ".join(Path(f).name for f in self.route.files)
        if self.route.kind == "official":
            label = "official " + ", ".join(Path(f).name for f in self.route.files)
        else:
            label = f"rebuilt: {label}"
        return f"{label} [{'/'.join(where)}]"


def resolve(name: str) -> Resolved:
    """Resolve dataset ``name`` from the catalogue: first route available locally, else download.

    Records the route used (see :func:`sources`).
    """
    datasets = catalog().datasets
    if name not in datasets:
        raise KeyError(f"unknown dataset {name!r}; catalogued: {', '.join(sorted(datasets))}")
    entry = datasets[name]
    # Pass 1: a route whose files are all local wins (no network touched).
    for route in entry.routes:
        if all(_local(rel) is not None for rel in route.files):
            return _finish(name, route)
    # Pass 2: download, routes in order of preference.
    errors: list[DatasetUnavailable] = []
    for route in entry.routes:
        try:
            return _finish(name, route)
        except DatasetUnavailable as exc:
            errors.append(exc)
    first = entry.routes[0]
    missing = [catalog().files[r] for r in first.files if _local(r) is None]
    alt = "\n".join(
        f"  or ({r.kind}{': ' + r.note if r.note else ''}): " + ", ".join(r.files) for r in entry.routes[1:]
    )
    why = f"offline: {OFFLINE_ENV} is set" if offline() else "not found locally and not downloadable"
    raise DatasetUnavailable(
        f"No route to dataset {name!r} ({entry.title}).\n"
        + _unavailable_message(missing, why)
        + (f"\nAlternatives, any one of which is enough:\n{alt}" if alt else "")
    ) from (errors[-1] if errors else None)


def _finish(name: str, route: Route) -> Resolved:
    res = Resolved(name=name, route=route)
    for rel in route.files:
        res.paths[rel] = fetch(rel)
        res.origins[rel] = _FILE_SOURCES.get(rel, "cache")
    _DATASET_SOURCES[name] = res.describe()
    return res


def sources() -> dict[str, str]:
    """How each dataset resolved in this process so far: name -> description."""
    return dict(_DATASET_SOURCES)


def where_is(rel: str) -> str | None:
    """``"cache"`` or ``"mirror"`` if a file exists there (not verified: its loader does that), else None.
    For a banner that must say which route a loader will take before anything is loaded."""
    if (cache_dir() / rel).is_file():
        return "cache"
    mirror = mirror_dir()
    if mirror is not None and (mirror / rel).is_file():
        return "mirror"
    return None


def note_source(name: str, description: str) -> None:
    """Record how dataset ``name`` was obtained, for a loader that chooses among series itself."""
    _DATASET_SOURCES[name] = description


def check_keras_home() -> None:
    """Keras's loaders read KERAS_HOME at import: make sure it is our verified cache."""
    from keras.src.backend.config import keras_home

    if Path(keras_home()).resolve() != cache_dir().resolve():
        raise RuntimeError(
            f"Keras was imported before `utils`, so it looks for data in {keras_home()} instead of the "
            f"verified cache {cache_dir()}. Restart the kernel and `import utils` before `import keras`."
        )


def weights_available(name: str) -> bool:
    """True if dataset ``name`` (e.g. ``"vgg16_imagenet_notop"``) can be resolved now.

    Lets a notebook choose between the book's pretrained base and the offline fallback.
    """
    try:
        resolve(name)
    except DatasetUnavailable:
        return False
    return True
