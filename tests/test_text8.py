"""text8 loader: catalogue entry, unavailable and corrupt paths, the pinned member, the substitute, normalisation."""

import hashlib
import zipfile

import pytest

from utils import data
from utils.data import text8

SPEC = text8._spec()


def test_catalogue_entry_pins_the_published_sha1_and_sizes():
    assert SPEC["origin"] == "http://mattmahoney.net/dc/text8.zip"
    assert SPEC["size"] == 31_344_016 and len(SPEC["sha1"]) == 40
    assert SPEC["member"] == "text8" and SPEC["member_size"] == 100_000_000 and len(SPEC["member_sha1"]) == 40
    assert text8._entry(SPEC).hash_name == "sha1" and text8._entry(SPEC).expected_hash == SPEC["sha1"]


def test_unavailable_offline_names_file_origin_hash_and_folder(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(data.DatasetUnavailable) as err:
        data.load_text8()
    msg = str(err.value)
    assert SPEC["path"] in msg and SPEC["origin"] in msg and SPEC["sha1"] in msg
    assert str(fresh_cache / "datasets") in msg and "offline" in msg and "31,344,016" in msg


def test_corrupt_zip_in_cache_is_refused_not_replaced_by_the_substitute(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    (fresh_cache / "datasets").mkdir()
    (fresh_cache / SPEC["path"]).write_bytes(b"PK\x03\x04 a truncated download")
    with pytest.raises(data.ChecksumError, match="text8.zip"):
        data.load_text8()
    with pytest.raises(data.ChecksumError):
        data.load_text_corpus()  # a corrupt file is an error, not a silent fallback


def test_corrupt_zip_in_mirror_is_not_copied(fresh_cache, monkeypatch, tmp_path, no_network):
    mirror = tmp_path / "mirror"
    (mirror / "datasets").mkdir(parents=True)
    (mirror / SPEC["path"]).write_bytes(b"not the zip")
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    with pytest.raises(data.ChecksumError):
        data.load_text8()
    assert not (fresh_cache / SPEC["path"]).exists()


def _zip_spec(tmp_path, payload: bytes, member="text8"):
    """A hand-made zip and a catalogue spec that pins it (the real file is 31 MB and not at hand)."""
    archive = tmp_path / "text8.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(member, payload)
    blob = archive.read_bytes()
    good = hashlib.sha1(payload).hexdigest()
    spec = {**SPEC, "size": len(blob), "sha1": hashlib.sha1(blob).hexdigest(), "member_size": 2 * len(payload),
            "member_sha1": good}
    return archive, spec


def test_zip_with_pinned_hash_is_read_and_its_member_checked(fresh_cache, monkeypatch, tmp_path, no_network):
    payload = b" anarchism originated as a term of abuse"
    archive, spec = _zip_spec(tmp_path, payload)
    mirror = tmp_path / "mirror"
    (mirror / "datasets").mkdir(parents=True)
    (mirror / SPEC["path"]).write_bytes(archive.read_bytes())
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    # The zip matches its pin but the member's size does not: refused.
    monkeypatch.setattr(text8, "_spec", lambda: spec)
    with pytest.raises(data.ChecksumError, match="is not text8"):
        data.load_text8()
    monkeypatch.setattr(text8, "_spec", lambda: {**spec, "member_size": len(payload)})
    assert data.load_text8() == "anarchism originated as a term of abuse"
    assert data.sources()["text8"] == "official text8.zip [cache]"  # copied from the mirror by the first call
    corpus = data.load_text_corpus()
    assert corpus.name == "text8" and not corpus.substitute


def test_zip_with_another_member_is_refused(fresh_cache, monkeypatch, tmp_path, no_network):
    archive, spec = _zip_spec(tmp_path, b"abc", member="enwik8")
    (fresh_cache / "datasets").mkdir()
    (fresh_cache / SPEC["path"]).write_bytes(archive.read_bytes())
    monkeypatch.setattr(text8, "_spec", lambda: spec)
    with pytest.raises(data.ChecksumError, match="enwik8"):
        data.load_text8()


def test_substitute_is_the_normalised_imdb_training_reviews(mirror, fresh_cache, no_network):
    corpus = data.load_text_corpus()
    assert corpus.name == "imdb_train_reviews" and corpus.substitute
    assert corpus.description.startswith("substitute: 25,000 aclImdb training reviews")
    assert data.sources()["text8"] == corpus.description
    text = corpus.text
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyz ") and "  " not in text
    assert text == text.strip() and 30_000_000 < len(text) < 33_000_000
    assert " br " not in text[:200_000]  # the reviews' <br /> tags are markup, not words
    # Review 0 (negative) comes first; the test reviews are not used.
    first = (data.imdb_raw_dir() / "train" / "neg" / "0_3.txt").read_text(encoding="utf-8")
    assert text.startswith(data.normalise_text8(first) + " ")
    # A second call reads the cached derived text: same corpus.
    assert data.load_imdb_text8() == text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("The Movie's GREAT!<br /><br />10/10", "the movie s great"),
        ("  naïve   café\tdéjà-vu\n", "naive cafe deja vu"),
        ("1984: 42 — ", ""),
        ("<i>Alien</i>(1979)", "alien"),
        ("already text8 form", "already text8 form".replace("8", " ").replace("  ", " ")),
    ],
)
def test_normalise_text8(raw, expected):
    out = data.normalise_text8(raw)
    assert out == expected
    assert data.normalise_text8(out) == out  # idempotent


def test_normalise_text8_rejects_bytes():
    with pytest.raises(TypeError):
        data.normalise_text8(b"bytes are not text")
