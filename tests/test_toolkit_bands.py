"""toolkit.bands: the full bands against the seeds, the quick bands against committed evidence runs."""

import re

import pytest

from toolkit import bands as evidence
from toolkit import ledger


def _row(name, value, band, *, seed=42, backend="tensorflow", run="r1", date="2026-11-25T00:00:00+00:00"):
    return {"schema": 2, "notebook": "2.1", "name": name, "description": name, "value": value, "band": band,
            "in_band": band[0] <= value <= band[1], "seed": seed, "backend": backend, "run": run, "date": date,
            "campaign": run, "profile": "quick"}


def test_a_band_that_misses_an_evidence_value_is_reported():
    current = [_row("acc", 0.95, [0.9, 1.0])]
    ev = [_row("acc", 0.93, [0.85, 1.0], run="a"), _row("acc", 0.88, [0.85, 1.0], seed=2, backend="jax", run="b")]
    problems = evidence.against_evidence(current, ev)
    assert problems == ["2.1 acc: seed 2 on jax gave 0.88, outside today's band [0.9, 1]"]
    assert evidence.against_evidence([_row("acc", 0.95, [0.85, 1.0])], ev) == []


def test_a_band_that_depends_on_the_backend_is_held_to_its_own_backends_evidence():
    today_tf = [_row("ms", 200.0, [5, 3000])]
    ev = [_row("ms", 210.0, [5, 3000], run="a"), _row("ms", 2.1, [0.3, 3000], backend="jax", run="b")]
    assert evidence.against_evidence(today_tf, ev) == []  # the JAX run asserted another band: not held to TensorFlow's
    today_jax = [_row("ms", 3.0, [2.5, 3000], backend="jax")]  # today's JAX band is narrower than its evidence
    assert evidence.against_evidence(today_tf + today_jax, ev) == ["2.1 ms: seed 42 on jax gave 2.1, outside today's band [2.5, 3000]"]
    same = [_row("acc", 0.93, [0.6, 1.0], run="a"), _row("acc", 0.65, [0.6, 1.0], backend="jax", run="b")]
    assert evidence.against_evidence([_row("acc", 0.9, [0.7, 1.0])], same) == [
        "2.1 acc: seed 42 on jax gave 0.65, outside today's band [0.7, 1]"]  # same band on both: borrowed


def test_only_each_evidence_runs_last_line_counts():
    ev = [_row("acc", 0.5, [0.0, 1.0], run="a"), _row("acc", 0.93, [0.9, 1.0], run="a")]
    assert [r["value"] for r in evidence.evidence_values(ev)[("2.1", "acc")]] == [0.93]
    assert evidence.against_evidence([_row("acc", 0.95, [0.9, 1.0])], ev) == []


def test_the_committed_evidence_covers_chapters_2_to_5_1_on_three_seeds_and_two_backends():
    """#17: every quick figure of chapters 2-4 and 5.1 has evidence from seeds 42, 1, 2 on TensorFlow and JAX,
    and the band of the latest evidence run holds them all."""
    rows = ledger.read_rows("quick", directory=evidence.EVIDENCE_DIR)
    assert rows, "no committed evidence: run `make evidence`"
    values = evidence.evidence_values(rows)
    in_scope = {k: v for k, v in values.items() if re.fullmatch(r"[234]\.\d+|5\.1", k[0])}
    notebooks = {nb for nb, _ in in_scope}
    assert notebooks == {"2.1", "2.2", "3.5", "3.6", "3.7", "4.1", "4.4", "4.5", "4.6", "5.1"}
    for (notebook, name), got in in_scope.items():
        runs = {(r["seed"], r["backend"]) for r in got}
        assert runs >= {(s, b) for s in (42, 1, 2) for b in ("tensorflow", "jax")}, (notebook, name, runs)
        from utils.ledger import declared

        for backend in ("tensorflow", "jax"):  # the band declared today for each backend holds its values
            mine = [r for r in got if r["backend"] == backend]
            lo, hi = declared(notebook)[name].band("quick", backend)[1]
            outside = [(r["seed"], r["value"]) for r in mine if not lo <= r["value"] <= hi]
            assert outside == [], f"{notebook} {name} on {backend}: evidence outside the band [{lo}, {hi}]"


def test_the_evidence_report_is_current():
    rows = ledger.read_rows("quick", directory=evidence.EVIDENCE_DIR)
    text = (evidence.EVIDENCE_DIR / "QUICK.md").read_text(encoding="utf-8")
    assert evidence.render(rows) in text, "run `python -m toolkit.bands report`"


def test_the_evidence_report_shows_todays_band_not_the_one_the_runs_asserted():
    """A band widened after its evidence runs holds them in the report as in `check`; a band that does not
    is shown as such; backends with different bands today get a row each; a figure no declaration names
    any more is left out."""
    ev = [_row("acc", 0.88, [0.9, 1.0], run="a"), _row("acc", 0.95, [0.9, 1.0], backend="jax", run="b"),
          _row("gone", 0.5, [0.0, 1.0], run="c")]
    today = {"acc": {"tensorflow": (0.85, 1.0), "jax": (0.85, 1.0)}, "gone": {}}
    table = evidence.render(ev, band=lambda nb, name, backend: today[name].get(backend))
    assert [line.split(" | ")[2:] for line in table.splitlines()[2:]] == [
        ["[0.85, 1]", "2", "42", "jax, tensorflow", "0.88", "0.95", "yes |"]]
    today["acc"]["jax"] = (0.9, 1.0)  # the bands differ: one row per backend, TensorFlow's 0.88 outside its own
    rows = evidence.render(ev, band=lambda nb, name, backend: today[name].get(backend)).splitlines()[2:]
    assert [(r.split(" | ")[5], r.split(" | ")[2], r.split(" | ")[-1]) for r in rows] == [
        ("jax", "[0.9, 1]", "yes |"), ("tensorflow", "[0.85, 1]", "yes |")]
    today["acc"]["tensorflow"] = (0.9, 1.0)
    today["acc"]["jax"] = (0.9, 1.0)
    assert evidence.render(ev, band=lambda nb, name, backend: today[name].get(backend)).endswith("**no** |")


def test_todays_band_is_read_from_the_declaration():
    from utils.ledger import declared

    speedup = declared("8.1")["sampling_speedup"]
    assert evidence.declared_band("8.1", "sampling_speedup", "torch") == speedup.band("quick", "torch")
    assert speedup.band("quick", "torch") != speedup.band("quick", "tensorflow")
    assert evidence.declared_band("8.1", "char_lstm_best_loss", "jax", "capped") == ("capped", (1.4, 1.9))
    assert evidence.declared_band("6.3", "weather_gru_best_val_mae_jfk_weather_2013", "tensorflow") == \
        declared("6.3")["weather_gru_best_val_mae"].band("quick", "tensorflow", substitute=True)
    assert evidence.declared_band("8.1", "no_such_figure", "tensorflow") is None


def test_check_needs_a_quick_run_first(tmp_path, capsys):
    assert evidence.main(["check", "--current", str(tmp_path)]) == 1
    assert "make nbval" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [["--evidence", "--add-seeds", "1"]])
def test_evidence_runs_do_not_join_stored_runs(flags):
    from toolkit import runner

    with pytest.raises(SystemExit):
        runner.main(["run", "notebooks/02.1-a-first-look-at-a-neural-network.ipynb", *flags])


def test_a_full_band_that_misses_a_seed_is_reported():
    rows = []
    for i, (seed, value) in enumerate(((42, 2.62), (1, 2.65), (2, 3.41))):
        row = _row("kfold_mae", value, [2.0, 3.3], seed=seed, run=f"r{i}") | {"campaign": "c1", "profile": "full"}
        rows.append(row)
    assert evidence.against_seeds(rows) == ["2.1 kfold_mae: seed 2 gave 3.41, outside [2, 3.3]"]
    assert "**no**: seed 2 outside" in next(x for x in ledger.render_table(
        [r | {"book": 2.384, "data": {}, "device": "CPU"} for r in rows]).splitlines() if "kfold_mae" in x)
    rows[-1]["value"] = 3.01
    assert evidence.against_seeds(rows) == []


def test_the_committed_full_bands_hold_every_seed():
    """Wherever a stored figure was run under several seeds, its band holds all of them."""
    assert evidence.against_seeds(ledger.read_rows("full")) == []


def test_every_figure_of_chapters_2_to_5_1_comes_from_three_seeds():
    """#17: the reproduction table gives mean +/- sd over at least three seeds for chapters 2-4 and 5.1."""
    rows = ledger.read_rows("full")
    shown = [r for r in ledger.latest_rows(rows) if re.fullmatch(r"[234]\.\d+|5\.1", r["notebook"])]
    assert {r["notebook"] for r in shown} >= {"2.1", "2.2", "3.5", "3.6", "3.7", "4.1", "4.4", "4.5", "4.6", "5.1"}
    short = [f"{r['notebook']} {r['name']}: seeds {sorted(ledger.seed_values(rows, r))}"
             for r in shown if not r.get("unavailable") and len(ledger.seed_values(rows, r)) < 3]
    assert short == [], "run the notebook with SEEDS=\"42 1 2\" (or ADD_SEEDS) and regenerate the report"
