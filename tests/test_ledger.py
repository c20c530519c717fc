"""utils.ledger: recording a declared figure, checking its band, writing the row."""

import json

import pytest

from utils import ledger, profile, session

FIGURES = """
[imdb_test_accuracy]
description = "IMDB test accuracy"
book = 0.885
chance = 0.5
full = [0.87, 0.90]
quick = [0.80, 1.0]

[val_acc]
description = "augmented validation accuracy"
book = 0.84
full = [0.80, 0.90]
quick = [0.5, 0.8]
capped = [0.7, 0.8]

[speed]
description = "ms per character"
full = [5, 3000]
quick = [5, 3000]
"quick@jax" = [0.3, 3000]

[vgg16_val_accuracy]
description = "VGG16 feature extraction"
book = 0.903
needs = "the VGG16 ImageNet weights"
full = [0.88, 0.92]
quick = [0.6, 0.95]

[gd_acc]
description = "gradient descent on letters"
book = 0.829
needs = "notMNIST"
full = [0.78, 0.87]
quick = [0.4, 0.88]

[gd_acc.substitute]
full = [0.74, 0.81]
quick = [0.6, 0.78]
"""


@pytest.fixture
def run(tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "3.5.toml").write_text(FIGURES)
    return session.Run(notebook="3.5", profile="full", seed=42, backend="tensorflow", device="CPU (2 cores)",
                       versions={"python": "3.11", "tensorflow": "2.21", "keras": "3.15"},
                       data={"imdb": "rebuilt: raw reviews [mirror]"}, started_at="2026-12-05T08:00:00+00:00",
                       results_dir=tmp_path / "results", figures_dir=figures)


def rows(run, profile_name="full"):
    path = run.results_dir / f"{profile_name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_figure_in_band_writes_one_complete_row(run):
    row = ledger.record("imdb_test_accuracy", 0.885, run=run)
    (stored,) = rows(run)
    assert stored == row and run.rows == [row]
    assert set(ledger.ROW_FIELDS) <= set(row)
    assert row["schema"] == ledger.SCHEMA and row["in_band"] is True and row["band"] == [0.87, 0.90]
    assert row["book"] == 0.885 and row["description"] == "IMDB test accuracy" and row["band_name"] == "full"
    assert row["run"] == row["campaign"] == "2026-12-05T08:00:00+00:00"  # a run alone is its own campaign
    assert row["data"]["imdb"].startswith("rebuilt")


def test_check_prints_ours_beside_the_book_and_fails_after_recording_everything(run, capsys):
    with pytest.raises(AssertionError, match=r"val_acc = 0.95 not in \[0.8, 0.9\]"):
        run.check(imdb_test_accuracy=0.88, val_acc=0.95)
    out = capsys.readouterr().out
    assert "imdb_test_accuracy" in out and "0.885" in out and "OUTSIDE" in out
    assert [r["in_band"] for r in rows(run)] == [True, False]  # both recorded before it failed


def test_the_quick_profile_is_held_to_the_quick_band_and_written_apart(run):
    run.profile = "quick"
    assert ledger.record("val_acc", 0.6, run=run)["band"] == [0.5, 0.8]
    assert rows(run, "full") == [] and len(rows(run, "quick")) == 1


def test_record_fails_outside_the_band_after_writing_the_row(run):
    with pytest.raises(AssertionError, match=r"val_acc = 0.95 is outside the full band \[0.8, 0.9\] \(book: 0.84\)"):
        ledger.record("val_acc", 0.95, run=run)
    assert rows(run)[-1]["in_band"] is False


def test_a_backend_can_have_its_own_band(run):
    assert ledger.record("speed", 1.0, run=run, strict=False)["in_band"] is False
    run.backend = "jax"
    row = ledger.record("speed", 1.0, run=run, strict=False)
    assert row["in_band"] is False and row["band"] == [5.0, 3000.0]  # full has no jax override
    run.profile = "quick"
    row = ledger.record("speed", 1.0, run=run)
    assert row["in_band"] is True and row["band"] == [0.3, 3000.0] and row["band_name"] == "quick"


def test_a_shortened_training_is_held_to_the_capped_band_else_the_quick_one(run):
    shortened = profile.Epochs(10, asked=100)
    row = ledger.record("val_acc", 0.75, epochs=shortened, run=run)
    assert row["epoch_cap"] == 10 and row["epochs_asked"] == 100
    assert row["band"] == [0.7, 0.8] and row["band_name"] == "capped"
    row = ledger.record("imdb_test_accuracy", 0.85, epochs=shortened, run=run)  # no capped band: the quick one
    assert row["band_name"] == "quick" and row["in_band"] is True


def test_a_cap_belongs_to_the_figure_it_shortened(run):
    """Two figures in one run, one from a training the cap shortened, one from a training it did not."""
    run.caps.append((100, 30))
    shown = run.check(val_acc=0.75, imdb_test_accuracy=0.88,
                      epochs={"val_acc": profile.Epochs(30, asked=100), "imdb_test_accuracy": profile.Epochs(30, asked=30)})
    assert shown is None  # nothing for a notebook's closing cell to display beside the printed table
    capped, uncapped = rows(run)
    assert capped["band_name"] == "capped" and capped["epoch_cap"] == 30 and capped["band"] == [0.7, 0.8]
    assert uncapped["band_name"] == "full" and "epoch_cap" not in uncapped and uncapped["band"] == [0.87, 0.90]
    with pytest.raises(KeyError, match="nonsense"):
        run.check(val_acc=0.75, epochs={"nonsense": 3})


def test_epochs_notes_a_cap_on_the_open_run(run, monkeypatch):
    monkeypatch.setenv("DLWP_PROFILE", "full")
    monkeypatch.setenv("DLWP_EPOCH_CAP", "10")
    previous = session.activate(run)
    try:
        ten, five = profile.epochs(full=100, quick=2), profile.epochs(full=5, quick=2)
    finally:
        session.activate(previous)
    assert (ten, ten.asked, ten.shortened) == (10, 100, True)
    assert (five, five.asked, five.shortened) == (5, 5, False)  # under the cap: nothing noted
    assert run.caps == [(100, 10)]


def test_no_value_records_what_the_figure_needs(run):
    row = ledger.record("vgg16_val_accuracy", None, run=run)
    assert row["value"] is None and row["unavailable"] == "needs the VGG16 ImageNet weights" and row["book"] == 0.903
    with pytest.raises(ValueError, match="needs"):
        ledger.record("imdb_test_accuracy", None, run=run)  # a figure that needs nothing must have a value


def test_a_substitute_leaves_a_needs_row_and_is_held_to_its_own_band(run):
    run.check(gd_acc=0.78, substitute="fashion_mnist")
    needs, ours = rows(run)
    assert needs["name"] == "gd_acc" and needs["value"] is None and needs["unavailable"] == "needs notMNIST"
    assert needs["book"] == 0.829
    assert ours["name"] == "gd_acc_fashion_mnist" and ours["book"] is None and ours["band"] == [0.74, 0.81]
    assert ours["description"] == "gradient descent on letters (fashion_mnist)"
    row = ledger.record("gd_acc", 0.85, substitute=None, run=run)  # the official data ran
    assert row["name"] == "gd_acc" and row["band"] == [0.78, 0.87] and row["book"] == 0.829
    row = ledger.record("imdb_test_accuracy", 0.88, substitute="other", run=run)  # needs nothing: no effect
    assert row["name"] == "imdb_test_accuracy"


def test_an_undeclared_figure_is_refused_with_the_file_named(run):
    with pytest.raises(KeyError, match="3.5.toml"):
        ledger.record("nonsense", 1.0, run=run)


def test_record_without_a_run_says_to_start_one():
    previous = session.activate(None)
    try:
        with pytest.raises(RuntimeError, match="utils.start"):
            ledger.record("x", 1.0)
    finally:
        session.activate(previous)


@pytest.mark.parametrize("body", [
    "full = [0, 1]",
    "full = [1, 0]\nquick = [0, 1]",
    "full = [-inf, inf]\nquick = [0, 1]",
    "full = [0, 1]\nquick = [0, 1]\nfast = [0, 1]",
    "full = [nan, 1]\nquick = [0, 1]",
    "chance = 0.5\nfull = [0.4, 0.9]\nquick = [0.6, 0.9]",
    "full = [0, 1]\nquick = [0, 1]\n[x.substitute]\nfull = [0, 1]\nquick = [0, 1]",  # substitute without needs
])
def test_declarations_that_cannot_fail_or_make_no_sense_are_refused(tmp_path, body):
    path = tmp_path / "x.toml"
    path.write_text("[x]\n" + body + "\n")
    with pytest.raises(ValueError):
        ledger.declared("x", path)


def test_a_row_names_a_precision_other_than_float32(run):
    import keras

    assert "precision" not in ledger.record("imdb_test_accuracy", 0.88, run=run)  # float32: the default, unsaid
    run.precision = "mixed_bfloat16"
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        assert ledger.record("imdb_test_accuracy", 0.88, run=run)["precision"] == "mixed_bfloat16"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_a_figure_is_refused_when_the_notebook_left_the_runs_precision(run):
    import keras

    run.precision = "mixed_bfloat16"  # the run started in bf16, then a clear_session() put Keras back in float32
    keras.mixed_precision.set_global_policy("float32")
    with pytest.raises(RuntimeError, match="clear_session"):
        ledger.record("imdb_test_accuracy", 0.88, run=run)
    assert rows(run) == []  # nothing written under a precision the row would misname


def test_a_float32_run_may_move_to_float64_on_purpose(run):
    import keras

    keras.mixed_precision.set_global_policy("float64")  # as utils.gradients.allow_float64 does for S1's checks
    try:
        assert "precision" not in ledger.record("imdb_test_accuracy", 0.88, run=run)
    finally:
        keras.mixed_precision.set_global_policy("float32")
