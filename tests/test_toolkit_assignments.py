"""toolkit.assignments: the notebooks as an nbgrader course, graded end to end with nbgrader itself.

The end-to-end test takes one chapter's assignment (S1.2, two autograded checks and an open question)
through ``nbgrader generate_assignment``, then grades three submissions with ``nbgrader autograde``
and ``nbgrader generate_feedback``, and reads the scores from nbgrader's own gradebook. nbgrader runs
from ``.venv-grading`` (``make setup-grading``); the notebooks run on the course's kernel.
"""

from __future__ import annotations

import json
import os
import subprocess

import nbformat
import pytest
from conftest import REPO

from toolkit import assignments

SECTION, WEEK = "S1.2", "week02"
NOTEBOOK = "S1.2-shallow-and-deep-networks.ipynb"


def _grading_venv():
    if not (assignments.GRADING_VENV / "bin" / "nbgrader").exists():
        pytest.fail("nbgrader is not installed: run `make setup-grading` (make test does)")
    return assignments.GRADING_VENV


def test_a_test_cell_is_cut_into_one_graded_cell_per_check():
    source = "x = 1\ncheck_array(a, b)\n\ny = f(x)\ncheck_scalar(\n    y, 2\n)\nprint('done')"
    assert assignments.split_checks(source) == ["x = 1\ncheck_array(a, b)", "y = f(x)\ncheck_scalar(\n    y, 2\n)\nprint('done')"]
    assert assignments.split_checks("print(1)") == ["print(1)"]


def test_an_exercise_becomes_an_answer_cell_locked_checks_and_an_open_question():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 9.9 · T"),
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\n\n"
                                  "check_scalar(f(1), 2)\ncheck_scalar(f(2), 4)"),
        nbformat.v4.new_code_cell("def g(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell("check_true(g(1) == 1, 'g')"),
        nbformat.v4.new_code_cell("run.check(a=1)", outputs=[], execution_count=3),
    ])
    out = assignments.assignment_notebook(nb, "9.9")
    kinds = [(c.cell_type, c.metadata.get("nbgrader", {}).get("grade_id"), c.metadata.get("nbgrader", {}).get("points"))
             for c in out.cells]
    assert kinds == [("markdown", None, None), ("code", "9-9-answer-1", None), ("code", "9-9-check-1-1", 1),
                     ("code", "9-9-check-1-2", 1), ("code", "9-9-answer-2", None), ("code", "9-9-check-2-1", 1),
                     ("code", None, None), ("markdown", "9-9-open-question", assignments.OPEN_POINTS)]
    assert out.cells[1].source.endswith("### END SOLUTION") and out.cells[2].source == "check_scalar(f(1), 2)"
    assert all(c.metadata["nbgrader"]["locked"] for c in out.cells if "check" in c.metadata.get("nbgrader", {}).get("grade_id", ""))
    assert out.metadata.kernelspec.name == assignments.KERNEL and nb.cells[1].source.count("check_") == 2  # source untouched


def test_every_notebook_becomes_a_valid_assignment_with_checks(tmp_path):
    written = assignments.build(tmp_path)
    assert len(written) == len(list((REPO / "notebooks").glob("*.ipynb")))
    for path in written:
        nb = nbformat.read(path, as_version=4)
        graded = [c.metadata["nbgrader"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert any(g["locked"] for g in graded), f"{path.name}: no autograded check"
        assert len({g["grade_id"] for g in graded}) == len(graded)
    assert (tmp_path / "nbgrader_config.py").read_text().count("dlwp-course") == 2


def test_student_copies_are_exactly_what_nbgrader_releases(tmp_path):
    _grading_venv()
    stale = assignments.release(tmp_path / "course", check=True)
    assert stale == [], f"student/ differs from nbgrader's release for {stale}: run `make sync`"


def _gradebook(root, venv) -> dict:
    query = (
        "import json; from nbgrader.api import Gradebook\n"
        "out = {}\n"
        "with Gradebook('sqlite:///gradebook.db') as gb:\n"
        f"    for sub in gb.notebook_submissions({NOTEBOOK[:-6]!r}, {WEEK!r}):\n"
        "        out[sub.student.id] = {g.name: g.score for g in sub.grades}\n"
        "        out[sub.student.id]['manual'] = [g.name for g in sub.grades if g.needs_manual_grade]\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(venv / "bin" / "python"), "-c", query], cwd=root, capture_output=True,
                          text=True, env=assignments.grading_env(venv))
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_three_submissions_are_graded_by_nbgrader_end_to_end(tmp_path, monkeypatch):
    venv = _grading_venv()
    root = tmp_path / "course"
    assignments.build(root, only=[SECTION])
    assignments.nbgrader(root, "generate_assignment", WEEK, "--force")
    released = nbformat.read(root / "release" / WEEK / NOTEBOOK, as_version=4)
    source = nbformat.read(root / "source" / WEEK / NOTEBOOK, as_version=4)
    answer = next(i for i, c in enumerate(source.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "s1-2-answer-1")
    solution = "\n".join(ln for ln in source.cells[answer].source.split("\n") if "### " not in ln)
    submissions = {
        "solution": solution,
        "wrong": solution.replace("np.where(Z > 0, 1.0, alpha)", "np.where(Z > 0, 1.0, 0.0)"),  # ReLU's derivative
        "raises": solution.replace("return np.where(Z > 0, Z, alpha * Z)", "raise NotImplementedError"),
    }
    assert len(set(submissions.values())) == 3
    for student, code in submissions.items():
        nb = nbformat.from_dict(json.loads(json.dumps(released)))
        nb.cells[answer].source = code
        nb.cells[-1].source = "I trained the deep network with a leaky ReLU; its validation accuracy moved a little."
        dest = root / "submitted" / student / WEEK / NOTEBOOK
        dest.parent.mkdir(parents=True)
        nbformat.write(nb, dest)
        assignments.nbgrader(root, "db", "student", "add", student)
    for key, value in {"DLWP_PROFILE": "quick", "DLWP_OFFLINE": "1", "MPLBACKEND": "Agg"}.items():
        monkeypatch.setenv(key, value)
    graded = assignments.nbgrader(root, "autograde", WEEK, "--force", check=False)
    assert graded.returncode == 0, graded.stderr[-3000:]
    assignments.nbgrader(root, "generate_feedback", WEEK, "--force")

    scores = _gradebook(root, venv)
    checks = ["s1-2-check-1-1", "s1-2-check-1-2"]
    assert {s: [scores[s][c] for c in checks] for s in submissions} == {
        "solution": [1, 1],  # full marks
        "wrong": [1, 0],  # one wrong answer loses exactly that check's point
        "raises": [0, 1],  # a cell that raises gets 0; the rest is still graded
    }
    # the written answer to the open question waits for a human grader (an unanswered one would score 0)
    assert all(scores[s]["manual"] == ["s1-2-open-question"] for s in submissions), scores
    for student in submissions:
        html = root / "feedback" / student / WEEK / NOTEBOOK.replace(".ipynb", ".html")
        assert html.exists() and "s1-2-check-1-2" in html.read_text(encoding="utf-8"), student
    assert os.environ["DLWP_PROFILE"] == "quick"
