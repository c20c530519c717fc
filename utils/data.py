"""Verified, offline-first datasets and weights.

Every file the notebooks use is listed in ``data/catalog.toml`` with its origin
URL, sha256 and size. A file is looked for, in order:

1. in the local cache (``$KERAS_HOME``, by default ``data/cache/``, Keras layout
   ``datasets/...``, ``models/...``);
2. in the mirror folder named by ``DLWP_MIRROR`` (same layout), and copied into
   the cache;
3. at its origin URL (skipped when ``DLWP_OFFLINE=1``).

Its sha256 is checked whenever it enters the cache and before each use; a
mismatch raises :class:`ChecksumError`. A file that cannot be found raises
:class:`DatasetUnavailable`, whose message says what to download and where to
put it. Because the cache *is* ``KERAS_HOME``, Keras's own loaders
(``keras.datasets.mnist.load_data()`` ...) read the verified files unchanged.

>>> (x_train, y_train), (x_test, y_test) = load_mnist()
>>> sources()["mnist"]
'official mnist.npz [mirror]'
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import tomllib

from . import REPO_ROOT

__all__ = [
    "CATALOG_PATH",
    "ChecksumError",
    "DatasetUnavailable",
    "Resolved",
    "cache_dir",
    "cats_and_dogs_dir",
    "decode_review",
    "fetch",
    "imdb_raw_dir",
    "imdb_word_index",
    "load_boston_housing",
    "load_imdb",
    "load_mnist",
    "load_reuters",
    "mirror_dir",
    "model_path",
    "one_hot",
    "read_idx",
    "resolve",
    "reuters_word_index",
    "sha256_file",
    "sources",
    "vectorize_sequences",
    "weights_available",
]

CATALOG_PATH = REPO_ROOT / "data" / "catalog.toml"
MIRROR_ENV = "DLWP_MIRROR"
OFFLINE_ENV = "DLWP_OFFLINE"


class DatasetUnavailable(FileNotFoundError):
    """A catalogued file is in neither the cache nor the mirror and cannot be downloaded."""


class ChecksumError(ValueError):
    """A file's sha256 differs from the catalogue: it is never used."""


# ----------------------------------------------------------------------------- catalogue


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
    return load_catalog()


# ----------------------------------------------------------------------------- locations


def cache_dir() -> Path:
    """The verified cache: ``$KERAS_HOME`` (``data/cache/`` unless set)."""
    return Path(os.environ.get("KERAS_HOME", REPO_ROOT / "data" / "cache"))


def mirror_dir() -> Path | None:
    """The offline mirror named by ``DLWP_MIRROR``, or ``None``."""
    raw = os.environ.get(MIRROR_ENV, "").strip()
    return Path(raw).expanduser() if raw else None


def offline() -> bool:
    """True when downloads are forbidden (``DLWP_OFFLINE=1``; tests and CI set it)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


# Files verified in this process: path -> (size, mtime_ns) at verification time.
_VERIFIED: dict[Path, tuple[int, int]] = {}
# How each catalogued file reached the cache in this process: rel path -> cache|mirror|download.
_FILE_SOURCES: dict[str, str] = {}
# Which route each dataset used: name -> human description.
_DATASET_SOURCES: dict[str, str] = {}


def _file_hash(path: Path, name: str) -> str:
    if name == "sha256":
        return sha256_file(path)
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, entry: FileEntry, where: str) -> None:
    stat = path.stat()
    if _VERIFIED.get(path) == (stat.st_size, stat.st_mtime_ns):
        return
    size_ok = entry.size == 0 or stat.st_size == entry.size
    actual = _file_hash(path, entry.hash_name) if size_ok else None
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


def _download(entry: FileEntry, dest: Path) -> None:
    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with urllib.request.urlopen(entry.origin, timeout=60) as resp, open(tmp_path, "wb") as out:
            total = int(resp.headers.get("Content-Length") or entry.size)
            with tqdm(total=total, unit="B", unit_scale=True, desc=Path(entry.path).name) as bar:
                while block := resp.read(1 << 20):
                    out.write(block)
                    bar.update(len(block))
        _verify(tmp_path, entry, "download")
        _VERIFIED.pop(tmp_path, None)
        os.replace(tmp_path, dest)
    finally:
        tmp_path.unlink(missing_ok=True)


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


def _check_keras_home() -> None:
    """Keras's loaders read KERAS_HOME at import: make sure it is our verified cache."""
    from keras.src.backend.config import keras_home

    if Path(keras_home()).resolve() != cache_dir().resolve():
        raise RuntimeError(
            f"Keras was imported before `utils`, so it looks for data in {keras_home()} instead of the "
            f"verified cache {cache_dir()}. Restart the kernel and `import utils` before `import keras`."
        )


# ----------------------------------------------------------------------------- MNIST


def read_idx(path: Path) -> np.ndarray:
    """Read a (gzipped) IDX file, the format MNIST and Fashion-MNIST are published in."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    expected = int(np.prod(dims))
    if len(raw) - offset != expected:
        raise ValueError(f"{path}: header says {expected} values, file holds {len(raw) - offset}")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(dims)


def load_mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST exactly as ``keras.datasets.mnist.load_data()`` returns it.

    Uses the official ``mnist.npz`` when available, else the four IDX files (same arrays,
    same order: uint8 images (n, 28, 28), uint8 labels).
    """
    res = resolve("mnist")
    if res.route.kind == "official":
        import keras

        _check_keras_home()
        return keras.datasets.mnist.load_data()
    p = {Path(rel).name: path for rel, path in res.paths.items()}
    x_train = read_idx(p["train-images-idx3-ubyte.gz"])
    y_train = read_idx(p["train-labels-idx1-ubyte.gz"])
    x_test = read_idx(p["t10k-images-idx3-ubyte.gz"])
    y_test = read_idx(p["t10k-labels-idx1-ubyte.gz"])
    return (x_train, y_train), (x_test, y_test)


# ----------------------------------------------------------------------------- Reuters, Boston


def load_reuters(**kwargs):
    """``keras.datasets.reuters.load_data(**kwargs)`` on the verified file."""
    import keras

    resolve("reuters")
    _check_keras_home()
    return keras.datasets.reuters.load_data(**kwargs)


def reuters_word_index() -> dict[str, int]:
    """Reuters word -> rank (1 = most frequent), from the verified official file."""
    resolve("reuters")
    with open(fetch("datasets/reuters_word_index.json"), encoding="utf-8") as fh:
        return json.load(fh)


def load_boston_housing(**kwargs):
    """``keras.datasets.boston_housing.load_data(**kwargs)`` on the verified file."""
    import keras

    resolve("boston_housing")
    _check_keras_home()
    return keras.datasets.boston_housing.load_data(**kwargs)


# ----------------------------------------------------------------------------- IMDB

IMDB_REBUILD_VERSION = 1
# Keras's old `Tokenizer` default filters: every ASCII punctuation mark except the apostrophe.
_TOKENIZER_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_FILTER_TABLE = str.maketrans({c: " " for c in _TOKENIZER_FILTERS})


def imdb_word_index() -> dict[str, int]:
    """IMDB word -> rank (1 = most frequent), from the verified official file."""
    res = resolve("imdb_word_index")
    with open(res.paths["datasets/imdb_word_index.json"], encoding="utf-8") as fh:
        return json.load(fh)


def tokenize_review(text: str) -> list[str]:
    """Split a raw review the way the IMDB word index was built (Keras ``Tokenizer`` defaults)."""
    return [t for t in text.lower().translate(_FILTER_TABLE).split(" ") if t]


def imdb_raw_dir() -> Path:
    """Extracted raw reviews: a folder with ``train/{pos,neg}`` and ``test/{pos,neg}``."""
    res = resolve("aclimdb")
    return _extract_aclimdb(next(iter(res.paths.values())))


def _extract_aclimdb(tarball: Path) -> Path:
    target = cache_dir() / "datasets" / "aclImdb_extracted"
    stamp = target / ".source-sha256"
    expected = sha256_file(tarball)
    if stamp.exists() and stamp.read_text().strip() == expected:
        return target / "aclImdb"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(tarball, "r:gz") as tar:
        members = [
            m
            for m in tar.getmembers()
            if m.isfile() and re.match(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$", m.name)
        ]
        tar.extractall(target, members=members, filter="data")
    stamp.write_text(expected)
    return target / "aclImdb"


def _review_files(root: Path, split: str) -> list[tuple[Path, int]]:
    """Files of one split, negatives then positives, each by review id; label 1 = positive."""
    out = []
    for label, sub in ((0, "neg"), (1, "pos")):
        files = sorted((root / split / sub).glob("*.txt"), key=lambda p: int(p.stem.split("_")[0]))
        out += [(f, label) for f in files]
    return out


def _rebuild_imdb_arrays(tarball: Path, word_index_path: Path) -> Path:
    """Turn raw reviews into word-rank sequences (the content of imdb.npz); cached."""
    key = f"v{IMDB_REBUILD_VERSION}-{sha256_file(tarball)[:16]}"
    out = cache_dir() / "derived" / f"imdb_rebuilt-{key}.npz"
    if out.exists():
        return out
    from tqdm.auto import tqdm

    root = _extract_aclimdb(tarball)
    with open(word_index_path, encoding="utf-8") as fh:
        word_index = json.load(fh)
    arrays = {}
    for split in ("train", "test"):
        files = _review_files(root, split)
        seqs, labels = [], []
        for path, label in tqdm(files, desc=f"rebuilding IMDB {split}", leave=False):
            text = path.read_text(encoding="utf-8", errors="replace")
            # Words missing from the index are skipped, as in Keras's imdb.npz.
            seqs.append([word_index[t] for t in tokenize_review(text) if t in word_index])
            labels.append(label)
        lengths = np.array([len(s) for s in seqs], dtype=np.int64)
        arrays[f"{split}_tokens"] = np.concatenate([np.asarray(s, dtype=np.int32) for s in seqs])
        arrays[f"{split}_lengths"] = lengths
        arrays[f"{split}_labels"] = np.asarray(labels, dtype=np.int64)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, out)
    return out


def _split_ragged(tokens: np.ndarray, lengths: np.ndarray) -> list[list[int]]:
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return [tokens[bounds[i] : bounds[i + 1]].tolist() for i in range(len(lengths))]


def apply_imdb_conventions(
    x_train: Sequence[Sequence[int]],
    y_train: np.ndarray,
    x_test: Sequence[Sequence[int]],
    y_test: np.ndarray,
    *,
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
):
    """What ``keras.datasets.imdb.load_data`` does to the raw rank sequences of ``imdb.npz``.

    Shuffle each split with ``seed``, prepend ``start_char``, offset ranks by ``index_from``,
    drop sequences longer than ``maxlen``, and map ranks outside ``[skip_top, num_words)`` to
    ``oov_char``. Tested against Keras's own implementation in ``tests/test_data.py``.
    """
    x_train = np.asarray(x_train, dtype=object) if not isinstance(x_train, np.ndarray) else x_train
    x_test = np.asarray(x_test, dtype=object) if not isinstance(x_test, np.ndarray) else x_test
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    rng = np.random.RandomState(seed)
    idx = np.arange(len(x_train))
    rng.shuffle(idx)
    x_train, y_train = x_train[idx], y_train[idx]
    idx = np.arange(len(x_test))
    rng.shuffle(idx)
    x_test, y_test = x_test[idx], y_test[idx]

    def offset(xs):
        if start_char is not None:
            return [[start_char] + [w + index_from for w in x] for x in xs]
        return [[w + index_from for w in x] for x in xs]

    xtr, xte = offset(x_train), offset(x_test)
    if maxlen:
        keep = [i for i, x in enumerate(xtr) if len(x) < maxlen]
        xtr, y_train = [xtr[i] for i in keep], y_train[keep]
        keep = [i for i, x in enumerate(xte) if len(x) < maxlen]
        xte, y_test = [xte[i] for i in keep], y_test[keep]
        if not xtr or not xte:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, nothing is left.")
    xs = xtr + xte
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    n = len(xtr)
    return (np.array(xs[:n], dtype=object), y_train), (np.array(xs[n:], dtype=object), y_test)


def load_imdb(**kwargs):
    """IMDB as ``keras.datasets.imdb.load_data(**kwargs)`` returns it.

    Uses the official ``imdb.npz`` when available; otherwise rebuilds the sequences from the raw
    aclImdb reviews with the official word index (same split, labels and conventions; not
    byte-identical: see ``data/README.md``). :func:`sources` says which route was used.
    """
    res = resolve("imdb")
    if res.route.kind == "official":
        import keras

        _check_keras_home()
        return keras.datasets.imdb.load_data(**kwargs)
    tarball = next(p for rel, p in res.paths.items() if rel.endswith(".tar.gz"))
    arrays = np.load(_rebuild_imdb_arrays(tarball, res.paths["datasets/imdb_word_index.json"]))
    x_train = _split_ragged(arrays["train_tokens"], arrays["train_lengths"])
    x_test = _split_ragged(arrays["test_tokens"], arrays["test_lengths"])
    return apply_imdb_conventions(
        x_train, arrays["train_labels"], x_test, arrays["test_labels"], **kwargs
    )


# ----------------------------------------------------------------------------- images and weights


def cats_and_dogs_dir() -> Path:
    """The book's small Dogs vs. Cats split: ``train`` (2,000), ``validation`` (1,000), ``test`` (1,000),
    each with ``cats/`` and ``dogs/`` subfolders, every JPEG verified against ``data/cats_and_dogs_small.sha256``."""
    res = resolve("cats_and_dogs_small")
    return res.paths["datasets/cats_and_dogs_small"]


def model_path(filename: str) -> Path:
    """Where a notebook saves a model a later notebook loads (git-ignored, inside the cache).

    One folder per profile, so a quick run never replaces the model of a full run.

    >>> model_path("cats_and_dogs_small_2.keras").parent.name  # under the full profile
    'full'
    """
    from . import profile

    if Path(filename).name != filename:
        raise ValueError(f"give a bare file name, not a path: {filename!r}")
    path = cache_dir() / "course_models" / profile.current() / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def weights_available(name: str) -> bool:
    """True if dataset ``name`` (e.g. ``"vgg16_imagenet_notop"``) can be resolved now.

    Lets a notebook choose between the book's pretrained base and the offline fallback.
    """
    try:
        resolve(name)
    except DatasetUnavailable:
        return False
    return True


# ----------------------------------------------------------------------------- encodings


def decode_review(sequence: Iterable[int], word_index: dict[str, int], index_from: int = 3) -> str:
    """Turn an IMDB/Reuters index sequence back into words.

    Indices 0, 1, 2 (padding, start, out-of-vocabulary) print as ``?``, as in the book.

    >>> decode_review([1, 14, 22], {"this": 11, "film": 19})
    '? this film'
    """
    reverse = {rank + index_from: word for word, rank in word_index.items()}
    return " ".join(reverse.get(int(i), "?") for i in sequence)


def vectorize_sequences(sequences: Sequence[Iterable[int]], dimension: int = 10000) -> np.ndarray:
    """Multi-hot encode index sequences into a float32 matrix of shape (n, dimension).

    float32, not NumPy's float64 default: 25,000 x 10,000 is 1 GB instead of 2 GB.

    >>> vectorize_sequences([[1, 3], [0]], dimension=4)
    array([[0., 1., 0., 1.],
           [1., 0., 0., 0.]], dtype=float32)
    """
    if dimension < 1:
        raise ValueError(f"dimension must be positive, got {dimension}")
    out = np.zeros((len(sequences), dimension), dtype=np.float32)
    for i, seq in enumerate(sequences):
        idx = np.fromiter(seq, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= dimension):
            raise ValueError(f"sequence {i} has indices outside [0, {dimension}); raise `dimension`.")
        out[i, idx] = 1.0
    return out


def one_hot(labels: Iterable[int], num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels into float32 rows.

    >>> one_hot([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    labels = np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("labels must be a 1-D sequence of integers")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes})")
    out = np.zeros((labels.size, num_classes), dtype=np.float32)
    out[np.arange(labels.size), labels] = 1.0
    return out
