"""text8 (the corpus of Google's Deep Learning course, assignments 5-6), or IMDB reviews normalised the same way.

- :func:`load_text8` returns the official text8 corpus: the first 10^8 bytes of an English Wikipedia
  dump, cleaned to lowercase letters ``a``-``z`` and single spaces (17 million words), read from the
  verified ``text8.zip``;
- :func:`load_imdb_text8` returns the offline substitute: the 25,000 raw aclImdb *training* reviews,
  each passed through :func:`normalise_text8` and joined by single spaces;
- :func:`load_text_corpus` returns text8 when it can be had, else the substitute, as a
  :class:`TextCorpus` that says which ran (also in ``sources()["text8"]``);
- :func:`normalise_text8` maps any text to text8's alphabet (lowercase ``a``-``z`` and single spaces).

Only a sha1 of ``text8.zip`` has been published (by GluonNLP), which ``[files]`` entries do not take,
so the file lives in the ``[text8]`` section of ``data/catalog.toml``; it is found and verified by the
same store functions as every other file (cache -> mirror -> download, size + hash, then the member).

>>> corpus = load_text_corpus()          # doctest: +SKIP
>>> corpus.name, corpus.text[:30]        # doctest: +SKIP
('imdb_train_reviews', 'bromwell high is a cartoon come')
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import store
from .catalog import CATALOG_PATH, FileEntry, cache_dir
from .imdb import imdb_raw_dir
from .store import ChecksumError, DatasetUnavailable, note_source

__all__ = ["TextCorpus", "load_imdb_text8", "load_text8", "load_text_corpus", "normalise_text8"]

_TAG = re.compile(r"<[^>]*>")  # HTML markup (the reviews' <br />): text8's cleaning dropped markup too
_NOT_LETTER = re.compile(r"[^a-z]+")
_TRAIN_REVIEWS = 25_000
_SUBSTITUTE_VERSION = 1  # bump when normalise_text8 changes: the derived text is cached


@dataclass(frozen=True)
class TextCorpus:
    """A text in text8's alphabet and which corpus it is."""

    text: str
    name: str  # "text8" or "imdb_train_reviews"
    description: str  # for the banner and the ledger

    @property
    def substitute(self) -> bool:
        return self.name != "text8"


@dataclass(frozen=True)
class _Sha1Entry(FileEntry):
    """A file whose only published hash is a sha1 (verified by the store like any other entry)."""

    sha1: str = ""

    @property
    def hash_name(self) -> str:
        return "sha1"

    @property
    def expected_hash(self) -> str:
        return self.sha1


@cache
def _spec() -> dict:
    with open(CATALOG_PATH, "rb") as fh:
        section = tomllib.load(fh).get("text8", {})
    if "text8" not in section:
        raise ValueError(f"{CATALOG_PATH.name}: the [text8] section needs its text8 entry")
    return section["text8"]


def _entry(spec: dict) -> _Sha1Entry:
    return _Sha1Entry(
        path=spec["path"], origin=spec["origin"], sha256="", size=int(spec["size"]),
        licence=spec.get("licence", ""), sha1=spec["sha1"],
    )


def normalise_text8(text: str) -> str:
    """Lowercase ``a``-``z`` and single spaces, the way text8 was cleaned.

    HTML tags become spaces, accented letters lose their accents, everything that is not a letter
    (digits, punctuation, apostrophes) becomes a space, and runs of spaces collapse to one; no
    leading or trailing space.

    >>> normalise_text8("It's <br />GREAT: 10/10, café!")
    'it s great cafe'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalise_text8 takes a str, not {type(text).__name__}")
    ascii_text = unicodedata.normalize("NFKD", _TAG.sub(" ", text)).encode("ascii", "ignore").decode("ascii")
    return _NOT_LETTER.sub(" ", ascii_text.lower()).strip()


def _text8_zip(spec: dict) -> tuple[Path, str]:
    """The verified zip in the cache (copied from the mirror or downloaded if needed), and from where."""
    entry = _entry(spec)
    return store.fetch_checked(
        entry.path, entry.origin,
        check=lambda path, where: store._verify(path, entry, where),  # size + the published sha1
        missing=lambda why: store._unavailable_message([entry], why),
    )


def _read_member(path: Path, spec: dict, where: str) -> str:
    """The one member of the zip, checked by name, size and sha1."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            if names != [spec["member"]]:
                raise ChecksumError(f"{spec['path']} in the {where} holds {names}, not [{spec['member']!r}]")
            raw = zf.read(spec["member"])
    except zipfile.BadZipFile as exc:
        raise ChecksumError(f"{spec['path']} in the {where} is not a zip file: {exc}. Delete {path}.") from exc
    digest = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    if len(raw) != spec["member_size"] or digest != spec["member_sha1"]:
        raise ChecksumError(
            f"member {spec['member']} of {spec['path']} in the {where} is not text8: expected "
            f"{spec['member_size']:,} bytes with sha1 {spec['member_sha1']}, found {len(raw):,} bytes with sha1 "
            f"{digest}. Delete {path} and fetch it again from {spec['origin']}."
        )
    return raw.decode("ascii").strip()


def load_text8() -> str:
    """The official text8 corpus: 100,000,000 characters of lowercase ``a``-``z`` and spaces.

    Raises :class:`DatasetUnavailable` (naming the file, its origin, its sha1 and where to put it) when
    the zip cannot be had -- it is not in the offline mirror -- and :class:`ChecksumError` for a file
    that is not the catalogued one.
    """
    spec = _spec()
    path, where = _text8_zip(spec)
    text = _read_member(path, spec, where)
    note_source("text8", f"official text8.zip [{where}]")
    return text


def load_imdb_text8() -> str:
    """The substitute corpus: the 25,000 raw aclImdb training reviews, normalised the text8 way.

    Reviews are taken in order of their id (at equal id the negative one first, so both labels are
    spread over the whole text) and joined by single spaces. The test reviews are not used.
    """
    root = imdb_raw_dir()
    source = (root.parent / ".source-sha256").read_text().strip()
    derived = cache_dir() / "derived" / f"text8_imdb_train-v{_SUBSTITUTE_VERSION}-{source[:16]}.txt"
    if derived.is_file():
        text = derived.read_text(encoding="ascii")
    else:
        files = [(int(p.stem.split("_")[0]), label, p) for label, sub in ((0, "neg"), (1, "pos"))
                 for p in (root / "train" / sub).glob("*.txt")]
        if len(files) != _TRAIN_REVIEWS:
            raise ChecksumError(f"{root / 'train'} holds {len(files):,} reviews, not {_TRAIN_REVIEWS:,}")
        files.sort()
        texts = (normalise_text8(p.read_text(encoding="utf-8", errors="replace")) for _, _, p in files)
        text = " ".join(t for t in texts if t)
        derived.parent.mkdir(parents=True, exist_ok=True)
        tmp = derived.with_suffix(".tmp")
        tmp.write_text(text, encoding="ascii")
        tmp.replace(derived)
    note_source("text8", f"substitute: {_TRAIN_REVIEWS:,} aclImdb training reviews, normalised the text8 way "
                         f"({len(text):,} characters) [{store.sources().get('aclimdb', 'aclimdb')}]")
    return text


def describe_route() -> str:
    """Which corpus :func:`load_text_corpus` will use, for the banner of ``utils.start(datasets=["text8"])``.

    Looks for text8.zip (cache, then mirror) without reading it; the loader verifies it.
    """
    where = store.where_is(_spec()["path"])
    if where:
        return f"official text8.zip [{where}]"
    imdb_raw_dir()  # the substitute's source: resolved (and verified) here, so a missing one fails early
    return (f"substitute: {_TRAIN_REVIEWS:,} aclImdb training reviews, normalised the text8 way (text8.zip is "
            f"not available here) <- {store.sources().get('aclimdb', 'aclimdb')}")


def load_text_corpus() -> TextCorpus:
    """text8 when it can be had, else the aclImdb training reviews normalised the same way (says which ran).

    A text8 file that is present but corrupt is an error (:class:`ChecksumError`), not a silent fallback.
    """
    try:
        return TextCorpus(load_text8(), "text8", store.sources()["text8"])
    except DatasetUnavailable:
        text = load_imdb_text8()
        return TextCorpus(text, "imdb_train_reviews", store.sources()["text8"])
