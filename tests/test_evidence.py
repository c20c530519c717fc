"""The quick-profile bands against committed evidence runs (utils.evidence)."""

import re

import pytest

from utils import evidence, ledger


def _row(name, value, band, *, seed=42, backend="tensorflow", run="r1", date="2026-11-25T00:00:00+00:00"):
    return {"notebook": "2.1", "name": name, "description": name, "value": value, "band": band,
            "in_band": band[0] <= value <= band[1], "seed": seed, "backend": backend, "run": run, "date": date,
            "profile": "quick"}


def test_a_band_that_misses_an_evidence_value_is_reported():
    current = [_row("acc", 0.95, [0.9, 1.0])]
    ev = [_row("acc", 0.93, [0.85, 1.0], run="a"), _row("acc", 0.88, [0.85, 1.0], seed=2, backend="jax", run="b")]
    problems = evidence.check(current, ev)
    assert problems == ["2.1 acc: seed 2 on jax gave 0.88, outside today's band [0.9, 1]"]
    assert evidence.check([_row("acc", 0.95, [0.85, 1.0])], ev) == []


def test_a_band_that_depends_on_the_backend_is_held_to_its_own_backends_evidence():
    today_tf = [_row("ms", 200.0, [5, 3000])]
    ev = [_row("ms", 210.0, [5, 3000], run="a"), _row("ms", 2.1, [0.3, 3000], backend="jax", run="b")]
    assert evidence.check(today_tf, ev) == []  # the JAX run asserted another band: not held to TensorFlow's
    today_jax = [_row("ms", 3.0, [2.5, 3000], backend="jax")]  # today's JAX band is narrower than its evidence
    assert evidence.check(today_tf + today_jax, ev) == ["2.1 ms: seed 42 on jax gave 2.1, outside today's band [2.5, 3000]"]
    same = [_row("acc", 0.93, [0.6, 1.0], run="a"), _row("acc", 0.65, [0.6, 1.0], backend="jax", run="b")]
    assert evidence.check([_row("acc", 0.9, [0.7, 1.0])], same) == [
        "2.1 acc: seed 42 on jax gave 0.65, outside today's band [0.7, 1]"]  # same band on both: borrowed


def test_only_each_evidence_runs_last_line_counts():
    ev = [_row("acc", 0.5, [0.0, 1.0], run="a"), _row("acc", 0.93, [0.9, 1.0], run="a")]
    assert [r["value"] for r in evidence.evidence_values(ev)[("2.1", "acc")]] == [0.93]
    assert evidence.check([_row("acc", 0.95, [0.9, 1.0])], ev) == []


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
        for backend in ("tensorflow", "jax"):  # the band of each backend's latest evidence run holds its values
            mine = [r for r in got if r["backend"] == backend]
            lo, hi = max(mine, key=lambda r: r["date"])["band"]
            outside = [(r["seed"], r["value"]) for r in mine if not lo <= r["value"] <= hi]
            assert outside == [], f"{notebook} {name} on {backend}: evidence outside the band [{lo}, {hi}]"


def test_the_evidence_report_is_current():
    rows = ledger.read_rows("quick", directory=evidence.EVIDENCE_DIR)
    text = (evidence.EVIDENCE_DIR / "QUICK.md").read_text(encoding="utf-8")
    assert evidence.render(rows) in text, "run `python -m utils.evidence report`"


def test_check_needs_a_quick_run_first(tmp_path, capsys):
    assert evidence.main(["check", "--current", str(tmp_path)]) == 1
    assert "make nbval" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [["--evidence", "--add-seeds", "1"]])
def test_evidence_runs_do_not_join_stored_runs(flags):
    from utils import notebooks

    with pytest.raises(SystemExit):
        notebooks.main(["run", "notebooks/02.1-a-first-look-at-a-neural-network.ipynb", *flags])
