"""Student copies: solutions stripped and restorable, outputs cleared, and student/ up to date."""

from __future__ import annotations

import nbformat
import pytest
from conftest import REPO

from toolkit import student

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

CELL = """def propagate(w, X):
    m = X.shape[1]
    ### BEGIN SOLUTION
    A = w @ X
    return A / m
    ### END SOLUTION

print("done")"""


def test_strip_cell_replaces_the_region_with_an_indented_stub():
    stripped, solutions = student.strip_cell(CELL)
    assert "w @ X" not in stripped and "BEGIN SOLUTION" not in stripped
    assert "    # YOUR CODE HERE\n    raise NotImplementedError(" in stripped
    assert stripped.startswith("def propagate(w, X):\n    m = X.shape[1]\n")
    assert stripped.endswith('print("done")')
    assert solutions == [["    A = w @ X", "    return A / m"]]


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "without"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
        ("x = 1  ### BEGIN SOLUTION\n### END SOLUTION", "stand alone"),
    ],
)
def test_unbalanced_or_misplaced_markers_are_errors(source, message):
    with pytest.raises(ValueError, match=message):
        student.solution_regions(source)


def test_student_copy_clears_outputs_and_round_trips():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Exercise"),
        nbformat.v4.new_code_cell(CELL, execution_count=3, outputs=[nbformat.v4.new_output("stream", text="done\n")]),
    ])
    copy = student.student_copy(nb)
    assert copy.cells[1].outputs == [] and copy.cells[1].execution_count is None
    assert nb.cells[1].outputs  # the source is untouched
    assert student.fill_solutions(copy, nb).cells[1].source == CELL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_round_trips_through_its_student_copy(path):
    nb = nbformat.read(path, as_version=4)
    copy = student.student_copy(nb)
    filled = student.fill_solutions(copy, nb)
    assert [c.source for c in filled.cells] == [c.source for c in nb.cells]
    for cell in copy.cells:
        assert "### BEGIN SOLUTION" not in cell.source and "### END SOLUTION" not in cell.source


def test_committed_student_copies_are_up_to_date():
    stale = student.build(check=True)
    assert not stale, f"student/ is out of date for {stale}: run `make sync` and commit student/"


def test_build_writes_and_prunes(tmp_path):
    src, dest = tmp_path / "nb", tmp_path / "student"
    src.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)]), src / "a.ipynb")
    dest.mkdir()
    (dest / "gone.ipynb").write_text("{}")
    assert sorted(student.build(src, dest)) == ["a.ipynb", "gone.ipynb"]
    assert not (dest / "gone.ipynb").exists() and "NotImplementedError" in (dest / "a.ipynb").read_text()
    assert student.build(src, dest, check=True) == []
