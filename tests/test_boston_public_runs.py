"""The Keras 2 runs of the book's Boston K-fold found in public notebooks (results/evidence/), and
the summary of them that notebook 3.7 quotes."""

import csv
import statistics

import nbformat
from conftest import REPO

TSV = REPO / "results" / "evidence" / "boston_keras2_public_runs.tsv"
OFFICIAL = 2.3837935992396706  # the book's run (fchollet/deep-learning-with-python-notebooks, Keras 2.0.8)


def _rows():
    with TSV.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _independent():
    return [float(r["kfold_mean"]) for r in _rows() if r["independent_rerun"] == "yes"]


def test_every_row_names_its_source_and_why_it_is_left_out():
    rows = _rows()
    assert len({r["repo"] for r in rows}) == len(rows)
    for r in rows:
        assert "/" in r["repo"] and len(r["commit"]) == 40, r["repo"]
        assert r["independent_rerun"] in {"yes", "no"}
        assert (r["independent_rerun"] == "no") == bool(r["why_not"]), r["repo"]
        if r["independent_rerun"] == "yes":
            folds = [float(r[f"fold{i}"]) for i in range(1, 5) if r[f"fold{i}"]]
            assert not folds or abs(sum(folds) / 4 - float(r["kfold_mean"])) < 1e-5, r["repo"]
    official = [r for r in rows if r["why_not"] == "the official run (the book's figures)"]
    assert len(official) == 1 and float(official[0]["kfold_mean"]) == OFFICIAL


def test_copies_of_the_official_outputs_are_not_counted():
    for r in _rows():
        if r["kfold_mean"] and abs(float(r["kfold_mean"]) - OFFICIAL) < 1e-6:
            assert r["independent_rerun"] == "no", r["repo"]


def test_notebook_points_at_the_runs_without_retyping_their_summary():
    """3.7 interprets the public runs and names the table; the summary is computed from it, never typed."""
    runs = _independent()
    assert len(runs) >= 30 and min(runs) < OFFICIAL < max(runs)  # the book's run is an ordinary Keras 2 run
    typed = [f"{statistics.mean(runs):.2f} ± {statistics.stdev(runs):.2f}", f"{min(runs):.2f}–{max(runs):.2f}"]
    nb = nbformat.read(REPO / "notebooks" / "03.7-predicting-house-prices.ipynb", as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert TSV.name in prose, f"3.7 should point at {TSV.name}"
    assert not [t for t in typed if t in prose], "3.7 retypes the summary: a number a run measured"
