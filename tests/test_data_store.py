"""store.fetch_checked: cache -> mirror -> download for files pinned by a caller's own check."""

import io

import pytest

from utils.data import store
from utils.data.store import DatasetUnavailable, fetch_checked


def _check_starts_with_ok(path, where):
    if not path.read_bytes().startswith(b"OK"):
        raise store.ChecksumError(f"{path.name} from {where} is not the pinned file")


def _missing(why):
    return f"thing.bin is missing ({why}); put it in datasets/"


def test_mirror_copy_is_checked_then_cached(fresh_cache, tmp_path, monkeypatch, no_network):
    mirror = tmp_path / "mirror"
    (mirror / "datasets").mkdir(parents=True)
    (mirror / "datasets" / "thing.bin").write_bytes(b"OK mirror")
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    path, where = fetch_checked("datasets/thing.bin", "https://example.invalid/thing.bin", _check_starts_with_ok, _missing)
    assert where == "mirror" and path == fresh_cache / "datasets" / "thing.bin" and path.read_bytes() == b"OK mirror"
    assert fetch_checked("datasets/thing.bin", "x", _check_starts_with_ok, _missing)[1] == "cache"


def test_a_wrong_file_is_refused_wherever_it_is(fresh_cache, tmp_path, monkeypatch, no_network):
    (fresh_cache / "datasets").mkdir()
    (fresh_cache / "datasets" / "thing.bin").write_bytes(b"BAD")
    with pytest.raises(store.ChecksumError, match="from cache"):
        fetch_checked("datasets/thing.bin", "x", _check_starts_with_ok, _missing)
    # check_cache=False trusts a file the cache already holds (checked when it was put there)
    assert fetch_checked("datasets/thing.bin", "x", _check_starts_with_ok, _missing, check_cache=False)[1] == "cache"


def test_offline_and_missing_says_what_to_do(fresh_cache, monkeypatch, no_network):
    monkeypatch.delenv("DLWP_MIRROR", raising=False)
    monkeypatch.setenv("DLWP_OFFLINE", "1")
    with pytest.raises(DatasetUnavailable, match=r"thing.bin is missing \(offline: DLWP_OFFLINE is set\); put it in"):
        fetch_checked("datasets/thing.bin", "x", _check_starts_with_ok, _missing)


class _FakeResponse(io.BytesIO):
    headers: dict = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize(("body", "ok"), [(b"OK downloaded", True), (b"NOPE", False)])
def test_download_is_checked_before_it_lands(fresh_cache, monkeypatch, body, ok):
    monkeypatch.delenv("DLWP_MIRROR", raising=False)
    monkeypatch.delenv("DLWP_OFFLINE", raising=False)
    monkeypatch.setattr(store.urllib.request, "urlopen", lambda url, timeout: _FakeResponse(body))
    dest = fresh_cache / "datasets" / "thing.bin"
    if ok:
        assert fetch_checked("datasets/thing.bin", "https://example.invalid/t", _check_starts_with_ok, _missing)[1] == "download"
        assert dest.read_bytes() == body
    else:
        with pytest.raises(store.ChecksumError, match="from download"):
            fetch_checked("datasets/thing.bin", "https://example.invalid/t", _check_starts_with_ok, _missing)
        assert not dest.exists() and not list(dest.parent.glob(".thing.bin.*"))



def test_route_probes_say_which_data_the_loader_will_use(fresh_cache, monkeypatch):
    """The banner's probes (utils.start): the substitute when the official files are absent, the official
    files as soon as they are in the cache -- found, not read (the loaders verify them)."""
    from utils import data
    from utils.data import notmnist, text8

    monkeypatch.setattr(notmnist, "resolve", lambda name: None)  # Fashion-MNIST itself is not needed here
    monkeypatch.setattr(notmnist, "sources", lambda: {"fashion_mnist": "official fashion files [cache]"})
    monkeypatch.setattr(text8, "imdb_raw_dir", lambda: fresh_cache / "aclImdb")
    monkeypatch.delenv("DLWP_MIRROR", raising=False)
    assert data.ROUTE_PROBES["notmnist"]().startswith(notmnist.SUBSTITUTE)
    assert data.ROUTE_PROBES["text8"]().startswith("substitute: 25,000 aclImdb training reviews")
    (fresh_cache / "datasets").mkdir(exist_ok=True)
    (fresh_cache / "datasets" / "notMNIST_small.tar.gz").write_bytes(b"x")
    assert data.ROUTE_PROBES["notmnist"]().startswith(notmnist.SUBSTITUTE)  # both archives are needed
    (fresh_cache / "datasets" / "notMNIST_large.tar.gz").write_bytes(b"x")
    (fresh_cache / "datasets" / "text8.zip").write_bytes(b"x")
    assert data.ROUTE_PROBES["notmnist"]() == "official notMNIST_large + notMNIST_small archives [cache]"
    assert data.ROUTE_PROBES["text8"]() == "official text8.zip [cache]"
