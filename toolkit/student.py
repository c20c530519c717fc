"""Student copies of the notebooks: solutions stripped, outputs cleared, everything else identical.

In a source notebook, a reference solution sits between two marker lines inside a code cell::

    def propagate(w, b, X, Y):
        ### BEGIN SOLUTION
        ...the reference code...
        ### END SOLUTION

The student copy keeps the marker-free lines and replaces each region with a stub at the same
indentation (``# YOUR CODE HERE`` and ``raise NotImplementedError(...)``), so the check cell that
follows fails with a clear message until the student writes an answer. Outputs and execution
counts are cleared. ``fill_solutions`` puts the reference code back, which must give the source
cells again (a test checks it for every notebook)::

    python -m toolkit.student build          # writes student/ from notebooks/   (make sync does it too)
    python -m toolkit.student check          # exits 1 if student/ is out of date (CI)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from . import REPO_ROOT

__all__ = ["BEGIN", "END", "STUDENT_DIR", "build", "fill_solutions", "solution_regions", "strip_cell", "student_copy"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUDENT_DIR = REPO_ROOT / "student"
_STUB = ("# YOUR CODE HERE", 'raise NotImplementedError("write your answer here, then run the check below")')


def solution_regions(source: str) -> list[tuple[int, int]]:
    """(begin line, end line) index pairs of the solution regions of a cell; raises on unbalanced markers."""
    regions, start = [], None
    for i, line in enumerate(source.split("\n")):
        mark = line.strip()
        if mark == BEGIN:
            if start is not None:
                raise ValueError(f"line {i + 1}: {BEGIN} inside another solution region")
            start = i
        elif mark == END:
            if start is None:
                raise ValueError(f"line {i + 1}: {END} without {BEGIN}")
            regions.append((start, i))
            start = None
        elif BEGIN.lower() in mark.lower() or END.lower() in mark.lower():
            raise ValueError(f"line {i + 1}: a solution marker must stand alone on its line: {line!r}")
    if start is not None:
        raise ValueError(f"line {start + 1}: {BEGIN} is never closed")
    return regions


def strip_cell(source: str) -> tuple[str, list[list[str]]]:
    """The student version of one cell's source, and the solution lines taken out of each region."""
    lines = source.split("\n")
    out, solutions, pos = [], [], 0
    for begin, end in solution_regions(source):
        out += lines[pos:begin]
        indent = re.match(r"\s*", lines[begin]).group(0)
        out += [indent + s for s in _STUB]
        solutions.append(lines[begin + 1 : end])
        pos = end + 1
    out += lines[pos:]
    return "\n".join(out), solutions


def student_copy(nb):
    """A student copy of notebook ``nb`` (an nbformat node); ``nb`` is left unchanged."""
    import copy

    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.source = strip_cell(cell.source)[0]
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    out.metadata.pop("widgets", None)
    return out


def fill_solutions(student_nb, source_nb):
    """Put the reference solutions of ``source_nb`` back into ``student_nb`` (sources only)."""
    import copy

    out = copy.deepcopy(student_nb)
    for cell, ref in zip(out.cells, source_nb.cells, strict=True):
        if cell.cell_type != "code":
            continue
        solutions = strip_cell(ref.source)[1]
        lines, filled, k = cell.source.split("\n"), [], 0
        i = 0
        while i < len(lines):
            if lines[i].strip() == _STUB[0] and i + 1 < len(lines) and lines[i + 1].strip() == _STUB[1]:
                indent = re.match(r"\s*", lines[i]).group(0)
                filled += [indent + BEGIN, *solutions[k], indent + END]
                k, i = k + 1, i + 2
            else:
                filled.append(lines[i])
                i += 1
        cell.source = "\n".join(filled)
    return out


def build(src_dir: Path | None = None, dest_dir: Path | None = None, *, check: bool = False) -> list[str]:
    """Write (or, with ``check``, compare) the student copy of every notebook; return the stale names."""
    import nbformat

    src_dir, dest_dir = src_dir or REPO_ROOT / "notebooks", dest_dir or STUDENT_DIR
    stale = []
    expected = set()
    for path in sorted(src_dir.glob("*.ipynb")):
        text = nbformat.writes(student_copy(nbformat.read(path, as_version=4))) + "\n"
        target = dest_dir / path.name
        expected.add(path.name)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(path.name)
            if not check:
                dest_dir.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    for extra in sorted(p.name for p in dest_dir.glob("*.ipynb")) if dest_dir.exists() else []:
        if extra not in expected:
            stale.append(extra)
            if not check:
                (dest_dir / extra).unlink()
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.student", description=__doc__.split("\n\n")[0])
    parser.add_argument("cmd", choices=("build", "check"))
    args = parser.parse_args(argv)
    stale = build(check=args.cmd == "check")
    if args.cmd == "check" and stale:
        print(f"student/ is out of date for {', '.join(stale)}: run `make sync` and commit it.", file=sys.stderr)
        return 1
    print(f"student/: {len(stale)} notebook(s) {'to update' if args.cmd == 'check' else 'written'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
