"""The backend matrix's cache: which notebooks already passed on JAX and PyTorch at today's hash.

``make test-backends`` runs every notebook under nbval (quick profile) on each other backend, with
TensorFlow blocked (``tests/without_tensorflow``), but only the notebooks whose *key* changed since
they last passed there. A notebook's key hashes what that run depends on:

- the notebook's code cells and the stored outputs of its ``# NBVAL_CHECK_OUTPUT`` cells (what nbval
  compares; a re-run that only refreshes other outputs keeps the key),
- its figure declaration (``notebooks/figures/<section>.toml``),
- the students' library, the dependency files and the test set-up (utils/, requirements.txt,
  pyproject.toml, setup.py, tests/nbval_sanitize.cfg, tests/without_tensorflow/, notebooks/conftest.py).

The keys of passing notebooks are committed in ``.ci/backends-verified.json``, so CI after a change
runs what the change touched and a change to ``utils/`` runs everything::

    python -m toolkit.backends stale jax notebooks/*.ipynb          # prints the ones to run
    python -m toolkit.backends stamp --junit build/nbval-jax.xml jax notebooks/*.ipynb  # records the ones that passed
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from . import REPO_ROOT

__all__ = ["PENDING", "key", "stale", "stamp"]

STAMPS = REPO_ROOT / ".ci" / "backends-verified.json"
LIBRARY = ("utils", "requirements.txt", "pyproject.toml", "setup.py", "tests/nbval_sanitize.cfg",
           "tests/without_tensorflow", "notebooks/conftest.py")
MARKER = "# NBVAL_CHECK_OUTPUT"
# Notebooks left out of the matrix on a backend, each with its reason ("<file name>": {backend: reason}).
# `make test-backends` prints them; tests/test_toolkit_backends.py fails when one of them has passed there
# at its current key (then it must leave this list), so the list cannot outlive its reason.
PENDING: dict[str, dict[str, str]] = {}


def _library_hash(root: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256()
    for name in LIBRARY:
        path = root / name
        files = sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts) if path.is_dir() else [path]
        for f in files:
            if f.exists():
                digest.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def _section(path: Path) -> str:
    return path.name.split("-", 1)[0].lstrip("0")


def key(path: Path, library: str | None = None, root: Path = REPO_ROOT) -> str:
    """The hash a backend run of ``path`` depends on (see the module's docstring)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    digest = hashlib.sha256((library or _library_hash(root)).encode())
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        digest.update(source.encode() + b"\0")
        if source.lstrip().startswith(MARKER):
            digest.update(json.dumps(cell.get("outputs", []), sort_keys=True).encode() + b"\0")
    figures = root / "notebooks" / "figures" / f"{_section(Path(path))}.toml"
    if figures.exists():
        digest.update(figures.read_bytes())
    return digest.hexdigest()[:16]


def _load(stamps: Path) -> dict:
    return json.loads(stamps.read_text()) if stamps.exists() else {}


def stale(backend: str, paths: list[Path], stamps: Path = STAMPS, root: Path = REPO_ROOT) -> list[Path]:
    """The notebooks among ``paths`` that have not passed on ``backend`` at their current key."""
    done = _load(stamps).get(backend, {})
    library = _library_hash(root)
    for p in paths:
        if backend in PENDING.get(Path(p).name, {}):
            print(f"{backend}: left out {Path(p).name}: {PENDING[Path(p).name][backend]}", file=sys.stderr)
    return [p for p in paths if backend not in PENDING.get(Path(p).name, {})
            and done.get(Path(p).name) != key(p, library, root)]


def _passed(junit: Path) -> tuple[set[str], set[str]]:
    """Notebook file names with every cell passing, and those with a failing cell, from nbval's JUnit XML."""
    cells: dict[str, bool] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = Path(case.get("file") or case.get("classname", "").replace(".", "/") + ".ipynb").name
        bad = any(child.tag in ("failure", "error") for child in case)
        cells[name] = cells.get(name, True) and not bad
    return {n for n, ok in cells.items() if ok}, {n for n, ok in cells.items() if not ok}


def stamp(backend: str, junit: Path, paths: list[Path], stamps: Path = STAMPS, root: Path = REPO_ROOT) -> list[str]:
    """Record the key of each of ``paths`` whose cells all passed in ``junit``; return the failed ones."""
    passed, failed = _passed(junit)
    data = _load(stamps)
    done = data.setdefault(backend, {})
    library = _library_hash(root)
    for p in paths:
        if Path(p).name in passed:
            done[Path(p).name] = key(p, library, root)
        else:
            done.pop(Path(p).name, None)
    data[backend] = dict(sorted(done.items()))
    stamps.parent.mkdir(parents=True, exist_ok=True)
    stamps.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return sorted(failed | {Path(p).name for p in paths if Path(p).name not in passed})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.backends")
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stale", help="print the notebooks not yet verified on BACKEND at their current key")
    s.add_argument("backend")
    s.add_argument("paths", nargs="*", type=Path)
    t = sub.add_parser("stamp", help="record the notebooks that passed in nbval's JUnit XML")
    t.add_argument("backend")
    t.add_argument("--junit", type=Path, required=True)
    t.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "stale":
        print(" ".join(str(p) for p in stale(args.backend, args.paths)))
        return 0
    failed = stamp(args.backend, args.junit, args.paths)
    if failed:
        print(f"{args.backend}: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
