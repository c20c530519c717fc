"""GloVe loader: catalogue entry, unavailable and corrupt paths, both routes on hand-made files, parsing."""

import hashlib
import zipfile

import numpy as np
import pytest

from utils import data
from utils.data import store

ZIP = "datasets/glove.6B.zip"
TXT = "datasets/glove.6B.100d.txt"


def _glove_lines(words=("the", "movie", "great")):
    rng = np.random.default_rng(0)
    rows = {w: rng.normal(size=100).astype("float32") for w in words}
    text = "".join(w + " " + " ".join(f"{x:.5f}" for x in v) + "\n" for w, v in rows.items())
    return text, {w: np.asarray([f"{x:.5f}" for x in v], dtype="float32") for w, v in rows.items()}


def _private_catalogue(monkeypatch, files: dict[str, bytes]):
    """A catalogue whose GloVe entries pin the hand-made files instead of the real ones."""
    real = data.catalog()
    entries = dict(real.files)
    for rel, payload in files.items():
        entries[rel] = data.FileEntry(
            path=rel, origin=real.files[rel].origin, sha256=hashlib.sha256(payload).hexdigest(),
            size=len(payload), downloadable=False,
        )
    cat = data.Catalog(files=entries, datasets=real.datasets)
    monkeypatch.setattr(store, "catalog", lambda: cat)


def test_catalogue_entry():
    cat = data.load_catalog()
    entry = cat.datasets[data.GLOVE_DATASET]
    assert [r.files for r in entry.routes] == [(ZIP,), (TXT,)]
    assert cat.files[ZIP].origin == "http://nlp.stanford.edu/data/glove.6B.zip"
    assert cat.files[ZIP].size == 862_182_613 and len(cat.files[ZIP].sha256) == 64
    assert not cat.files[TXT].downloadable


def test_unavailable_offline_names_file_origin_hash_and_folder(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    assert not data.weights_available(data.GLOVE_DATASET)
    with pytest.raises(data.DatasetUnavailable) as err:
        data.load_glove()
    msg = str(err.value)
    entry = data.catalog().files[ZIP]
    assert ZIP in msg and entry.origin in msg and entry.sha256 in msg
    assert str(fresh_cache / "datasets") in msg and "offline" in msg
    assert TXT in msg  # the alternative route is named too


def test_corrupt_zip_in_cache_is_refused(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    (fresh_cache / "datasets").mkdir()
    (fresh_cache / ZIP).write_bytes(b"PK\x03\x04 a truncated download")
    with pytest.raises(data.ChecksumError, match="glove.6B.zip"):
        data.load_glove()


def test_corrupt_txt_in_mirror_is_not_copied(fresh_cache, monkeypatch, tmp_path, no_network):
    mirror = tmp_path / "mirror"
    (mirror / "datasets").mkdir(parents=True)
    (mirror / TXT).write_text("the 0.1 0.2\n")
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    with pytest.raises(data.ChecksumError):
        data.load_glove()
    assert not (fresh_cache / TXT).exists()


def test_zip_route_reads_the_100d_member(fresh_cache, monkeypatch, tmp_path, no_network):
    text, expected = _glove_lines()
    archive = tmp_path / "glove.6B.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("glove.6B.50d.txt", "the 1 2\n")
        zf.writestr("glove.6B.100d.txt", text)
    payload = archive.read_bytes()
    _private_catalogue(monkeypatch, {ZIP: payload})
    (fresh_cache / "datasets").mkdir()
    (fresh_cache / ZIP).write_bytes(payload)
    vectors = data.load_glove()
    assert sorted(vectors) == sorted(expected)
    for word, vector in expected.items():
        assert vectors[word].dtype == np.float32 and vectors[word].shape == (100,)
        np.testing.assert_array_equal(vectors[word], vector)
    assert data.sources()[data.GLOVE_DATASET].startswith("official glove.6B.zip")


def test_extracted_txt_route_from_the_mirror(fresh_cache, monkeypatch, tmp_path, no_network):
    text, expected = _glove_lines(("film", "bad"))
    payload = text.encode()
    _private_catalogue(monkeypatch, {TXT: payload})
    mirror = tmp_path / "mirror"
    (mirror / "datasets").mkdir(parents=True)
    (mirror / TXT).write_bytes(payload)
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    vectors = data.load_glove()
    assert set(vectors) == {"film", "bad"}
    assert (fresh_cache / TXT).is_file()  # verified copy now in the cache


def test_only_100d_is_catalogued():
    with pytest.raises(ValueError, match="100"):
        data.load_glove(dim=50)


def test_parse_small_file(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("the 0.5 -1 2\ncat 1e-3 0 3.25\n\nthe 9 9 9\n", encoding="utf-8")
    with open(path, encoding="utf-8") as fh:
        vectors = data.parse_glove(fh, dim=3)
    assert set(vectors) == {"the", "cat"}
    np.testing.assert_array_equal(vectors["the"], np.array([0.5, -1, 2], dtype="float32"))  # first kept
    assert vectors["cat"].dtype == np.float32


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        (["the 0.5 -1", "cat 1 2 3"], "line 2: expected a word and 2 numbers, found 3"),
        (["the 0.5"], "line 1"),
        (["the 0.5 abc"], "not a number"),
        ([" 0.5 1"], "line 1"),
        ([], "empty"),
        (["", ""], "empty"),
    ],
)
def test_parse_rejects_malformed_input(lines, match):
    with pytest.raises(ValueError, match=match):
        data.parse_glove(lines, dim=2)


def test_parse_rejects_bad_dim():
    with pytest.raises(ValueError, match="positive"):
        data.parse_glove(["the"], dim=0)


def test_embedding_matrix_rows_follow_the_vocabulary():
    vectors = {"cat": np.array([1, 2], "float32"), "dog": np.array([3, 4], "float32")}
    matrix, found = data.embedding_matrix(["", "[UNK]", "dog", "zebu", "cat"], vectors)
    assert matrix.shape == (5, 2) and matrix.dtype == np.float32 and found == 2
    np.testing.assert_array_equal(matrix, [[0, 0], [0, 0], [3, 4], [0, 0], [1, 2]])


def test_embedding_matrix_rejects_bad_vectors():
    with pytest.raises(ValueError, match="no vectors"):
        data.embedding_matrix(["a"], {})
    with pytest.raises(ValueError, match="one length"):
        data.embedding_matrix(["a"], {"a": np.zeros(2), "b": np.zeros(3)})
    with pytest.raises(ValueError, match="1-D"):
        data.embedding_matrix(["a"], {"a": np.zeros((2, 2))})
