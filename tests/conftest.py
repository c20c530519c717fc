"""Shared test set-up: never download, headless plots, the offline mirror when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["DLWP_OFFLINE"] = "1"  # tests never download
os.environ.setdefault("MPLBACKEND", "Agg")

import utils  # noqa: E402  (sets KERAS_HOME before anything imports keras)

REPO = utils.REPO_ROOT
_DEFAULT_MIRROR = REPO.parent / "shared" / "datasets"


def mirror_or_skip() -> Path:
    """The offline mirror (DLWP_MIRROR or ../shared/datasets); skip the test where there is none."""
    raw = os.environ.get("DLWP_MIRROR") or (str(_DEFAULT_MIRROR) if _DEFAULT_MIRROR.is_dir() else "")
    if not raw or not Path(raw).is_dir():
        pytest.skip("needs the offline dataset mirror (set DLWP_MIRROR)")
    return Path(raw)


@pytest.fixture
def mirror(monkeypatch) -> Path:
    path = mirror_or_skip()
    monkeypatch.setenv("DLWP_MIRROR", str(path))
    return path


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache and forgotten verifications, so each test sees the resolution from scratch."""
    from utils.data import store

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(cache))
    store.forget()
    yield cache
    store.forget()


@pytest.fixture
def no_network(monkeypatch):
    """Fail loudly if anything tries to open a URL."""
    import urllib.request

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to download")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
