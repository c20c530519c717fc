"""The exercises as an nbgrader course, generated from the notebooks (one source, three outputs).

The notebooks stay the source. From them this module writes an nbgrader course directory::

    python -m toolkit.assignments build [--root course/nbgrader]   # source/week01/ ... week12/
    python -m toolkit.assignments release                           # nbgrader generate_assignment, then student/
    python -m toolkit.assignments check                             # student/ is what nbgrader releases

- Each week of ``course/plan.toml`` is one assignment, ``source/weekNN/``, holding that week's notebooks.
- A cell with a ``### BEGIN SOLUTION`` region becomes an nbgrader *autograded answer* cell.
- The checks that follow it (``check_array(...)`` and friends from ``utils.checks``, in the same cell
  after the region or in the next cell) become *autograder test* cells, one per check call, worth
  :data:`CHECK_POINTS` each and locked.
- Each notebook ends with one *manually graded* open question (:data:`OPEN_POINTS`): try one of the
  notebook's suggestions and explain what changed.

``student/`` is exactly what ``nbgrader generate_assignment`` releases (solutions replaced by a stub,
outputs cleared), copied flat; a test fails when it is out of date. nbgrader runs from its own
environment (``make setup-grading``: ``.venv-grading``, the ``teaching`` extra), and executes the
notebooks with the course's kernel (the ``dlwp-course`` kernelspec, pointing at ``.venv``), so the
notebooks see the same packages as in class. Grading uses nbgrader's own commands and gradebook:
``nbgrader autograde weekNN``, ``nbgrader generate_feedback weekNN``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import REPO_ROOT
from .course import load_plan, notebook_files, section_of

__all__ = [
    "CHECK_POINTS", "OPEN_POINTS", "assignment_notebook", "build", "grading_env", "nbgrader", "release",
    "split_checks", "write_config",
]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CHECK_POINTS = 1
OPEN_POINTS = 2
KERNEL = "dlwp-course"
ROOT = REPO_ROOT / "course" / "nbgrader"
STUDENT_DIR = REPO_ROOT / "student"
GRADING_VENV = REPO_ROOT / ".venv-grading"
CODE_STUB = '# YOUR CODE HERE\nraise NotImplementedError("write your answer here, then run the check below")'
_CHECK = re.compile(r"\bcheck_(array|scalar|in_range|true)\(")
OPEN_QUESTION = """**Open question (graded by hand).** Take one of the suggestions under *Try next* above (or a
change of your own to one of this notebook's experiments), run it, and explain in a few sentences what
you changed, what you measured, and why you think it came out that way.

### BEGIN SOLUTION
*For the grader:* full marks for a change that was actually run (numbers quoted from its output), a
measurement compared with the notebook's own, and an explanation that uses the notebook's ideas; one
mark when one of the three is missing.
### END SOLUTION"""


def _nbgrader(kind: str, grade_id: str, points: int = 0) -> dict:
    meta = {"schema_version": 3, "grade_id": grade_id, "task": False, "locked": kind == "test",
            "solution": kind in ("answer", "open"), "grade": kind in ("test", "open")}
    if meta["grade"]:
        meta["points"] = points
    return meta


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _top_level(source: str) -> list[tuple[int, int]]:
    """(first line, last line), 0-based, of each top-level statement (magics read as comments)."""
    text = "\n".join("#" + line if line.lstrip().startswith(("!", "%")) else line for line in source.split("\n"))
    return [(node.lineno - 1, node.end_lineno - 1) for node in ast.parse(text).body]


def split_checks(source: str) -> list[str]:
    """A test cell's source cut into one cell per check call: each piece ends with a top-level statement
    that calls a ``check_*`` function (statements before it ride along); trailing lines join the last."""
    lines, pieces, start = source.split("\n"), [], 0
    for first, last in _top_level(source):
        if _CHECK.search("\n".join(lines[first:last + 1])):
            pieces.append("\n".join(lines[start:last + 1]).strip("\n"))
            start = last + 1
    rest = "\n".join(lines[start:]).strip("\n")
    if rest and pieces:
        pieces[-1] += "\n" + rest
    elif rest:
        pieces.append(rest)
    return pieces


def _split_answer(source: str) -> tuple[str, str]:
    """An exercise cell's (answer, checks): the checks start at the first top-level statement after the
    last solution region that calls a check."""
    lines = source.split("\n")
    end = max(i for i, line in enumerate(lines) if line.strip() == END)
    for first, last in _top_level(source):
        if first > end and _CHECK.search("\n".join(lines[first:last + 1])):
            return "\n".join(lines[:first]).rstrip("\n"), "\n".join(lines[first:]).strip("\n")
    return source, ""


def assignment_notebook(nb: dict, section: str) -> dict:
    """The nbgrader source version of notebook ``nb``: answer cells, test cells (one per check), and a
    closing open question; outputs cleared. ``nb`` itself is left unchanged."""
    import nbformat

    slug = section.lower().replace(".", "-")
    out = copy.deepcopy(nb)
    cells, exercise = [], 0
    pending_checks = False  # the previous cell was an answer whose checks live in the next cell
    for cell in out["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        src = _source(cell) if cell["cell_type"] == "code" else ""
        if BEGIN in src:
            exercise += 1
            answer, checks = _split_answer(src)
            cell["source"] = answer
            cell["metadata"]["nbgrader"] = _nbgrader("answer", f"{slug}-answer-{exercise}")
            cells.append(cell)
            pending_checks = not checks
            src = checks
            if not checks:
                continue
        elif not (pending_checks and _CHECK.search(src)):
            pending_checks = False
            cells.append(cell)
            continue
        pending_checks = False
        for k, piece in enumerate(split_checks(src), start=1):
            test = nbformat.v4.new_code_cell(piece)
            test["id"] = f"{slug}-check-{exercise}-{k}"
            test["metadata"]["nbgrader"] = _nbgrader("test", test["id"], CHECK_POINTS)
            cells.append(test)
    if exercise:
        question = nbformat.v4.new_markdown_cell(OPEN_QUESTION)
        question["id"] = f"{slug}-open-question"
        question["metadata"]["nbgrader"] = _nbgrader("open", question["id"], OPEN_POINTS)
        cells.append(question)
    out["cells"] = cells
    out["metadata"]["kernelspec"] = {"display_name": "DLwP course (.venv)", "language": "python", "name": KERNEL}
    return out


def write_config(root: Path) -> Path:
    """``nbgrader_config.py`` for a course directory at ``root``."""
    path = root / "nbgrader_config.py"
    path.write_text(
        "# Written by `python -m toolkit.assignments build`: the course edition's nbgrader settings.\n"
        "c = get_config()  # noqa: F821\n"
        'c.CourseDirectory.course_id = "dlwp-course"\n'
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.ClearSolutions.code_stub = {{'python': {CODE_STUB!r}}}\n"
        f"c.Execute.kernel_name = {KERNEL!r}\n"
        "c.Execute.timeout = 900  # seconds per cell: a chapter notebook trains models\n"
        "c.ClearMetadataPreprocessor.enabled = False\n",
        encoding="utf-8",
    )
    return path


def build(root: Path = ROOT, only: list[str] | None = None) -> list[Path]:
    """Write the nbgrader course at ``root``: config and ``source/<week>/``; return the notebooks written.
    ``only`` limits it to some sections (each in its week's assignment)."""
    import nbformat

    paths = {section_of(p): p for p in notebook_files()}
    written = []
    if (root / "source").exists():
        shutil.rmtree(root / "source")
    for number, week in enumerate(load_plan()["week"], start=1):
        for section in week["notebooks"]:
            if section not in paths or (only and section not in only):
                continue
            src = paths[section]
            dest = root / "source" / f"week{number:02d}" / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            nb = assignment_notebook(nbformat.read(src, as_version=4), section)
            nbformat.write(nbformat.from_dict(nb), dest)
            written.append(dest)
    write_config(root)
    return written


def grading_env(venv: Path = GRADING_VENV) -> dict[str, str]:
    """The environment nbgrader runs in: its own venv first on PATH, its kernelspec folder found."""
    env = dict(os.environ)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
    return env


def nbgrader(root: Path, *args: str, venv: Path = GRADING_VENV, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader <args>`` in the course directory ``root`` from the grading environment."""
    exe = venv / "bin" / "nbgrader"
    if not exe.exists():
        raise FileNotFoundError(f"{exe} is missing: run `make setup-grading` (nbgrader in its own venv)")
    return subprocess.run([str(exe), *args], cwd=root, env=grading_env(venv), check=check, text=True,
                          capture_output=True)


def release(root: Path = ROOT, dest: Path = STUDENT_DIR, *, check: bool = False) -> list[str]:
    """Build the course, run ``nbgrader generate_assignment`` for every week, and copy what it releases
    into ``dest`` (flat); with ``check``, only compare. Returns the stale (or written) notebook names."""
    import nbformat

    build(root)
    stale, expected = [], set()
    for week in sorted(p.name for p in (root / "source").iterdir()):
        nbgrader(root, "generate_assignment", week, "--force")
        for path in sorted((root / "release" / week).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            text = nbformat.writes(nb) + "\n"
            target = dest / path.name
            expected.add(path.name)
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(path.name)
                if not check:
                    dest.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
    for extra in sorted(p.name for p in dest.glob("*.ipynb")) if dest.exists() else []:
        if extra not in expected:
            stale.append(extra)
            if not check:
                (dest / extra).unlink()
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.assignments", description=__doc__.split("\n\n")[0])
    parser.add_argument("cmd", choices=("build", "release", "check"))
    parser.add_argument("--root", type=Path, default=ROOT, help="the nbgrader course directory")
    args = parser.parse_args(argv)
    if args.cmd == "build":
        written = build(args.root)
        print(f"{len(written)} notebooks in {args.root}/source/ (nbgrader_config.py beside it)")
        return 0
    stale = release(args.root, check=args.cmd == "check")
    if args.cmd == "check" and stale:
        print(f"student/ differs from nbgrader's release for {', '.join(stale)}: run `make sync`", file=sys.stderr)
        return 1
    print(f"student/: {len(stale)} notebook(s) {'to update' if args.cmd == 'check' else 'written'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
