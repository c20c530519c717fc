"""The figure declarations (notebooks/figures/<section>.toml) against the notebooks and the ledger.

A declaration is the only place a band lives, so these tests make sure that each one parses and can
fail, that the notebook and its declaration name the same figures, and that every band the stored
runs and the quick evidence asserted is the band declared today (a band changed by hand without new
runs shows up here).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolkit import EVIDENCE_DIR, bands
from toolkit.course import notebook_files, section_of
from toolkit.ledger import latest_rows, read_rows
from utils.ledger import FIGURES_DIR, declared, validate_bands

NOTEBOOKS = {section_of(p): p for p in notebook_files()}


def _code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_every_notebook_declares_its_figures_and_nothing_else_is_declared():
    files = {p.stem for p in FIGURES_DIR.glob("*.toml")}
    assert files == set(NOTEBOOKS), f"missing: {sorted(set(NOTEBOOKS) - files)}; orphans: {sorted(files - set(NOTEBOOKS))}"


@pytest.mark.parametrize("section", sorted(NOTEBOOKS))
def test_declared_figures_are_the_ones_the_notebook_records(section):
    figures = declared(section)
    assert figures, f"{section} declares no figures"
    code = _code(NOTEBOOKS[section])
    named = set(re.findall(r"\b([a-z][a-z0-9_]*)\s*=", code)) | set(re.findall(r"[\"']([a-z][a-z0-9_]*)[\"']", code))
    missing = [name for name in figures if name not in named]
    assert not missing, f"{section}: declared but never named in the notebook's code: {missing}"
    assert "bands=" not in code and "record_unavailable" not in code, f"{section}: bands belong in its declaration"


def test_a_band_that_cannot_fail_or_is_missing_is_refused():
    with pytest.raises(ValueError, match="missing"):
        validate_bands({"full": (0, 1)})
    with pytest.raises(ValueError, match="cannot fail"):
        validate_bands({"full": (float("-inf"), float("inf")), "quick": (0, 1)})
    with pytest.raises(ValueError, match="empty"):
        validate_bands({"full": (2, 1), "quick": (0, 1)})


def test_a_band_holding_chance_needs_a_reason(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('[acc]\nchance = 0.5\nfull = [0.4, 0.9]\nquick = [0.6, 0.9]\n')
    with pytest.raises(ValueError, match="chance"):
        declared("x", path)
    path.write_text('[acc]\nchance = 0.5\nchance_reason = "one epoch"\nfull = [0.4, 0.9]\nquick = [0.6, 0.9]\n')
    assert declared("x", path)["acc"].bands["full"] == (0.4, 0.9)


def _declared_band(row: dict) -> tuple[str, tuple[float, float]] | None:
    profile = "capped" if row.get("band_name") == "capped" else row["profile"]
    return bands.declared_band(row["notebook"], row["name"], row["backend"], profile)


def _rows_and_bands(rows: list[dict]):
    for row in latest_rows(rows):
        if row.get("band") is not None:
            yield row, _declared_band(row)


_FULL = None
_EVIDENCE = None


def _ledgers() -> dict[str, list[dict]]:
    global _FULL, _EVIDENCE
    if _FULL is None:
        _FULL, _EVIDENCE = read_rows("full"), read_rows("quick", directory=EVIDENCE_DIR)
    return {"stored full runs": _FULL, "quick evidence": _EVIDENCE}


@pytest.mark.parametrize("kind", ["stored full runs", "quick evidence"])
@pytest.mark.parametrize("section", sorted(NOTEBOOKS))
def test_the_bands_runs_asserted_are_the_declared_ones(section, kind):
    rows = [r for r in _ledgers()[kind] if r["notebook"] == section]
    by_backend: dict[str, list[dict]] = {}
    for row in rows:
        by_backend.setdefault(row["backend"], []).append(row)
    stored_run = max((r["run"] for r in rows), default=None)  # the run whose outputs the notebook keeps
    problems = []
    for backend_rows in by_backend.values():
        for row, declared_band in _rows_and_bands(backend_rows):
            if declared_band is None:
                problems.append(f"{row['name']}: recorded but not declared")
            elif ((kind == "quick evidence" or row["run"] != stored_run)
                  and declared_band[1][0] <= row["value"] <= declared_band[1][1]):
                # a quick band, or the full band of a run that a newer stored run (on another backend) has
                # replaced, may be widened by newer evidence, as long as it holds the older run's value
                continue
            elif [float(b) for b in declared_band[1]] != row["band"]:
                problems.append(f"{row['name']} ({row['backend']}, {declared_band[0]} band): "
                                f"declared {list(declared_band[1])}, the run asserted {row['band']}")
    assert not problems, "\n".join(problems)
