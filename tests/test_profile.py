import pytest

from utils import profile


def test_default_is_full(monkeypatch):
    monkeypatch.delenv("DLWP_PROFILE", raising=False)
    assert profile.current() == "full"
    assert profile.pick(full=20, quick=3) == 20


def test_quick_profile(monkeypatch):
    monkeypatch.setenv("DLWP_PROFILE", "Quick ")
    assert profile.current() == "quick"
    assert profile.is_quick()
    assert profile.pick(full=20, quick=3) == 3


def test_unknown_profile_is_an_error(monkeypatch):
    monkeypatch.setenv("DLWP_PROFILE", "fast")
    with pytest.raises(ValueError, match="DLWP_PROFILE"):
        profile.current()


def test_epoch_cap_applies_to_full_only(monkeypatch):
    monkeypatch.setenv("DLWP_PROFILE", "full")
    monkeypatch.setenv("DLWP_EPOCH_CAP", "12")
    assert profile.epochs(full=100, quick=2) == 12
    assert profile.epochs(full=5, quick=2) == 5
    monkeypatch.setenv("DLWP_PROFILE", "quick")
    assert profile.epoch_cap() is None
    assert profile.epochs(full=100, quick=2) == 2


def test_no_cap_means_book_epochs(monkeypatch):
    monkeypatch.delenv("DLWP_EPOCH_CAP", raising=False)
    monkeypatch.setenv("DLWP_PROFILE", "full")
    assert profile.epochs(full=100, quick=2) == 100


@pytest.mark.parametrize("bad", ["0", "-3", "ten"])
def test_bad_cap_is_an_error(monkeypatch, bad):
    monkeypatch.setenv("DLWP_PROFILE", "full")
    monkeypatch.setenv("DLWP_EPOCH_CAP", bad)
    with pytest.raises(ValueError, match="DLWP_EPOCH_CAP"):
        profile.epoch_cap()


def test_precision_is_float32_unless_asked(monkeypatch):
    monkeypatch.delenv("DLWP_PRECISION", raising=False)
    assert profile.precision() == "float32"
    monkeypatch.setenv("DLWP_PRECISION", " Mixed_BFloat16")
    assert profile.precision() == "mixed_bfloat16"


def test_an_unknown_precision_says_what_to_use(monkeypatch):
    monkeypatch.setenv("DLWP_PRECISION", "bf16")
    with pytest.raises(ValueError, match="DLWP_PRECISION='bf16'.*float32, mixed_bfloat16"):
        profile.precision()
