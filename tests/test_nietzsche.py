"""The Nietzsche corpus of 8.1: found in the mirror, unavailable offline, a corrupt copy refused."""

import pytest

from utils import data
from utils.data import store

NIETZSCHE = "datasets/nietzsche.txt"


def test_catalogue_entry():
    entry = data.catalog().files[NIETZSCHE]
    assert entry.origin == "https://s3.amazonaws.com/text-datasets/nietzsche.txt"
    assert entry.size == 600_901 and len(entry.sha256) == 64
    comment = data.CATALOG_PATH.read_text().split("[datasets.nietzsche]")[0].rsplit("Nietzsche corpus", 1)[1]
    assert "REPAIRED copy" in comment  # the catalogue says the pinned copy is not the raw download
    assert [r.files for r in data.catalog().datasets["nietzsche"].routes] == [(NIETZSCHE,)]


def test_loads_from_the_mirror(fresh_cache, mirror, no_network):
    text = data.load_nietzsche()
    assert len(text) == 600_893  # the length the book prints
    chars = sorted(set(text))
    assert len(chars) == 57 and chars[:3] == ["\n", " ", "!"] and chars[-4:] == ["ä", "æ", "é", "ë"]
    assert text == text.lower()
    assert text.startswith("preface\n\n\nsupposing that truth is a woman--what then?")
    assert (fresh_cache / NIETZSCHE).is_file()  # copied into the cache, verified
    assert store.came_from(NIETZSCHE) == "mirror"
    assert data.sources()["nietzsche"] == "official nietzsche.txt [mirror]"


def test_unavailable_offline_names_file_origin_hash_and_folder(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    entry = data.catalog().files[NIETZSCHE]
    with pytest.raises(data.DatasetUnavailable) as err:
        data.load_nietzsche()
    msg = str(err.value)
    assert NIETZSCHE in msg and entry.origin in msg and entry.sha256 in msg
    assert str(fresh_cache / "datasets") in msg and "offline" in msg


def test_corrupt_cache_copy_is_refused(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    (fresh_cache / "datasets").mkdir()
    # Same size, different content: only the hash can tell.
    (fresh_cache / NIETZSCHE).write_bytes(b"x" * data.catalog().files[NIETZSCHE].size)
    with pytest.raises(data.ChecksumError, match="sha256"):
        data.load_nietzsche()


def test_corrupt_mirror_copy_is_not_copied(fresh_cache, monkeypatch, tmp_path, no_network):
    bad_mirror = tmp_path / "mirror"
    (bad_mirror / "datasets").mkdir(parents=True)
    (bad_mirror / NIETZSCHE).write_text("supposing that truth is a woman -- truncated")
    monkeypatch.setenv("DLWP_MIRROR", str(bad_mirror))
    with pytest.raises(data.ChecksumError, match="corrupt"):
        data.load_nietzsche()
    assert not (fresh_cache / NIETZSCHE).exists()
