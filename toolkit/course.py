"""Everything generated from the notebooks and the measurements, so that none of it drifts.

- :func:`objectives` reads the 3-5 learning objectives of a notebook's header cell.
- ``course/SYLLABUS.md`` sets the 12 weeks of ``course/plan.toml`` beside each notebook's title and
  objectives, its quick-profile time under nbval (``course/times.json``, taken from the last
  ``make test`` run), its full-profile time per device and the data it needed.
- Each notebook header's **Time** row (:func:`time_row`) is written from the same measurements: the
  quick time from ``course/times.json``, the full time from the stored run (the notebook's metadata,
  written by the runner). No notebook types a time by hand.
- The Colab set-up cell (:func:`colab_cell_source`, collapsed) and the README's "Open in Colab"
  badges point at the repository named in the plan.

``python -m toolkit.course sync`` writes all of it, and the student copies (nbgrader's release,
:mod:`toolkit.assignments`) and the reproduction report too (``make sync``); ``python -m toolkit.course
check`` fails when any of it but the student copies is out of date (their own test checks those).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from datetime import date
from pathlib import Path

from . import REPO_ROOT, shown

__all__ = [
    "COLAB_TAG", "badge", "colab_cell_source", "full_runs", "header", "load_plan", "notebook_files",
    "objectives", "quick_times", "render_syllabus", "section_of", "with_badges", "with_colab_cell",
]

COURSE_DIR = REPO_ROOT / "course"
PLAN = COURSE_DIR / "plan.toml"
TIMES = COURSE_DIR / "times.json"
SYLLABUS = COURSE_DIR / "SYLLABUS.md"
NBVAL_TIMES = REPO_ROOT / "results" / "nbval-times.json"  # written by notebooks/conftest.py (git-ignored)
COLAB_TAG = "colab-setup"
TIME_ROW = re.compile(r"^\| \*\*Time[^|]*\*\* \|.*\|$", re.M)
_OBJECTIVES = re.compile(r"^\*\*Objectives\.\*\*[^\n]*\n((?:- [^\n]+\n?)+)", re.M)


def objectives(markdown: str) -> list[str]:
    """The bullets that follow the ``**Objectives.**`` line of a header cell ([] when absent)."""
    m = _OBJECTIVES.search(markdown)
    return [line[2:].strip() for line in m.group(1).splitlines()] if m else []


def notebook_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or REPO_ROOT / "notebooks").glob("*.ipynb"))


def section_of(path: Path) -> str:
    """``02.1-a-first-look….ipynb`` → ``2.1``; ``S1.4-….ipynb`` → ``S1.4``; ``06.1a-…`` → ``6.1a``."""
    prefix = path.name.split("-", 1)[0]
    return prefix.lstrip("0") if prefix[0].isdigit() else prefix


def header(path: Path) -> dict:
    """Section, title and objectives from a notebook's first (markdown) cell."""
    cells = json.loads(path.read_text())["cells"]  # metadata read below
    source = "".join(cells[0]["source"]) if isinstance(cells[0]["source"], list) else cells[0]["source"]
    title = source.splitlines()[0].lstrip("# ").strip()
    title = re.sub(r"^\S+\s+·\s+", "", title)  # drop "2.1 · "
    stored = json.loads(path.read_text()).get("metadata", {}).get("dlwp_run")
    return {"section": section_of(path), "title": title, "objectives": objectives(source), "path": path,
            "stored_run": stored if stored and stored.get("profile") == "full" else None}


def load_plan(path: Path = PLAN) -> dict:
    plan = tomllib.loads(path.read_text())
    seen: dict[str, int] = {}
    for number, week in enumerate(plan["week"], start=1):
        for section in week["notebooks"]:
            if section in seen:
                raise ValueError(f"{section} is planned in week {seen[section]} and week {number}")
            seen[section] = number
    return plan


def quick_times(path: Path = TIMES) -> dict:
    return json.loads(path.read_text()) if path.exists() else {"quick_s": {}, "source": "not measured"}


def full_runs(rows: list[dict], gpu: bool = False) -> dict[str, dict]:
    """Per notebook, from the ledger rows of its latest run on a CPU (or, with ``gpu``, on a GPU):
    wall seconds (the last figure's ``wall_time_s``), device, epoch cap, the data sources it used and
    what it lacked."""
    from .ledger import latest_rows, worded_now

    runs: dict[str, dict] = {}
    rows = [r for r in rows if ("GPU" in str(r.get("device", ""))) == gpu]
    for row in worded_now(latest_rows(rows)):
        run = runs.setdefault(row["notebook"], {"seconds": 0.0, "devices": set(), "epoch_cap": None,
                                                "data": {}, "needs": []})
        run["seconds"] = max(run["seconds"], float(row.get("wall_time_s") or 0.0))
        run["devices"].add(row.get("device", "?"))
        run["epoch_cap"] = row.get("epoch_cap") or run["epoch_cap"]
        run["data"].update(row.get("data") or {})
        if row.get("unavailable") and row["unavailable"] not in run["needs"]:
            run["needs"].append(row["unavailable"])
    return runs


def _minutes(seconds: float | None) -> str:
    if not seconds:
        return "—"
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def _data_cell(run: dict | None) -> str:
    if not run:
        return "—"
    parts = []
    for name, source in sorted(run["data"].items()):
        kind = source.split(":", 1)[0].split(" ", 1)[0]
        parts.append(f"{name} ({kind})" if kind in ("substitute", "rebuilt") else name)
    parts += [f"**{need}**" for need in run["needs"]]
    return "; ".join(parts) or "none"


def render_syllabus(plan: dict, headers: dict[str, dict], times: dict, runs: dict[str, dict],
                    gpu_runs: dict[str, dict] | None = None) -> str:
    """Markdown for course/SYLLABUS.md; ``runs``/``gpu_runs`` as :func:`full_runs` gives them."""
    quick, gpu_runs = times.get("quick_s", {}), gpu_runs or {}
    out = [
        "# Syllabus: 12 weeks",
        "",
        "Generated by `make sync` from [`plan.toml`](plan.toml), the notebooks' headers and the ledgers;"
        " edit those, not this file.",
        "",
        "**Running a class.** For live demos start Jupyter with `DLWP_PROFILE=quick make lab`: every"
        " notebook runs the same code with fewer epochs and samples, in the *quick* time below. Students"
        " run the *full* profile (the book's settings) at home or on a GPU. Before the term, fill the"
        " offline cache once (`DLWP_MIRROR=<folder> make test`, or run each notebook online once); the"
        " **bold** entries in the data column are files that are not in the offline mirror, so those"
        " figures are reported as unavailable and the notebook runs its documented substitute.",
        "",
        "**Grading with nbgrader.** Each week below is one nbgrader assignment (`week01` … `week12`): `make"
        " assignments` generates them in `course/nbgrader/`; collect submissions into"
        " `submitted/<student>/weekNN/`, then `nbgrader autograde weekNN` (with `DLWP_PROFILE=quick`) and"
        " `nbgrader generate_feedback weekNN` from that folder, using `.venv-grading/bin/nbgrader`. Every"
        " exercise check is worth one point, each notebook's open question two, graded by hand. The whole"
        " workflow, with or without JupyterHub: [`docs/teaching.md`](../docs/teaching.md).",
        "",
        f"Quick times: nbval under `make test`, {times.get('source', 'not measured')}. Full times: the run"
        " whose outputs are stored in each notebook, as `python -m toolkit.runner run` saved it in the"
        " notebook's metadata; \"~\" marks older runs that did not save it, shown by the time their last"
        " figure reached the ledger (`results/full.jsonl`), a lower bound. *capped* marks runs with fewer"
        " epochs than the book (`DLWP_EPOCH_CAP`). GPU: `make reproduce-gpu` runs, where one has run.",
        "",
    ]
    for number, week in enumerate(plan["week"], start=1):
        out += [f"## Week {number} · {week['title']}", "",
                f"*Prerequisites:* {week['prerequisites']}  ", f"*Lecture:* {week['lecture']}  ",
                f"*Lab:* {week['lab']}", "",
                "| Notebook | Quick (CPU) | Full (CPU) | Full (GPU) | Data, weights |", "|---|---|---|---|---|"]
        for section in week["notebooks"]:
            head, run = headers.get(section), runs.get(section)
            if head is None:
                out.append(f"| {section} *(not written yet)* | — | — | — | — |")
                continue
            rel = head["path"].relative_to(REPO_ROOT).as_posix()
            gpu, stored = gpu_runs.get(section), head.get("stored_run")
            cpu_s = f"~{_minutes(run['seconds'])}" if run else "—"  # time to its last ledger figure
            gpu_s = _minutes(gpu and gpu["seconds"])
            cap = run and run["epoch_cap"]
            if stored:  # the runner stored the whole run's time in the notebook's metadata
                cap = stored.get("epoch_cap")
                if stored["device"] == "GPU":
                    gpu_s = _minutes(stored["seconds"])
                else:
                    cpu_s = _minutes(stored["seconds"])
            cap = f" (capped at {cap} epochs)" if cap else ""
            out.append(f"| [{section} {head['title']}](../{rel}) | {_minutes(quick.get(section))} |"
                       f" {cpu_s}{cap} | {gpu_s} | {_data_cell(run or gpu)} |")
        out.append("")
        for section in week["notebooks"]:
            if section in headers:
                out.append(f"**{section}** — after it you can: "
                           + "; ".join(headers[section]["objectives"]) + ".")
                out.append("")
    return "\n".join(out).rstrip() + "\n"


def badge(repository: str, branch: str, rel_path: str) -> str:
    url = f"https://colab.research.google.com/github/{repository}/blob/{branch}/{rel_path}"
    return f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


COLAB_METADATA = {"tags": [COLAB_TAG], "cellView": "form", "jupyter": {"source_hidden": True}}


def colab_cell_source(repository: str, branch: str) -> str:
    """The set-up cell: folded away in Jupyter and Colab (its metadata), a no-op outside Colab."""
    return "\n".join([
        "# @title Set-up on Google Colab (does nothing elsewhere)",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        f"    !git clone -q --depth 1 -b {branch} https://github.com/{repository} /content/dlwp-course",
        '    %pip install -q -e "/content/dlwp-course[colab]"',
        "    %cd /content/dlwp-course/notebooks",
        "    import site",
        "",
        "    site.main()  # pick up the editable install without restarting the runtime",
    ])


def with_colab_cell(nb: dict, repository: str, branch: str) -> bool:
    """Insert (or refresh) the tagged Colab cell right after the header; True when ``nb`` changed.
    A new cell is stored unexecuted: it has no effect outside Colab, and the next full run numbers it."""
    source = colab_cell_source(repository, branch)
    for cell in nb["cells"]:
        if COLAB_TAG in cell.get("metadata", {}).get("tags", []):
            old = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if old == source and all(cell["metadata"].get(k) == v for k, v in COLAB_METADATA.items()):
                return False
            cell["source"] = source
            cell["metadata"].update(COLAB_METADATA)
            return True
    from nbformat import from_dict

    nb["cells"].insert(1, from_dict({"cell_type": "code", "execution_count": None, "id": "colab-setup",
                                     "metadata": dict(COLAB_METADATA), "outputs": [], "source": source}))
    return True


def time_row(section: str, stored: dict | None, quick_s: float | None, run: dict | None) -> str:
    """The header's **Time** row, from measurements only: the quick time under nbval and the stored
    full run's time (or, for a run that predates the runner's record, a lower bound from the ledger)."""
    parts = [f"quick {_minutes(quick_s)} under nbval" if quick_s else "quick: not measured yet"]
    if stored:
        where = "a GPU" if stored.get("device") == "GPU" else stored.get("device", "CPU")
        cap = f", epochs capped at {stored['epoch_cap']}" if stored.get("epoch_cap") else ""
        parts.append(f"full {_minutes(stored['seconds'])} (the stored run: {where}, {stored.get('backend', '?')}{cap})")
    elif run:
        cap = f", epochs capped at {run['epoch_cap']}" if run.get("epoch_cap") else ""
        parts.append(f"full ≥ {_minutes(run['seconds'])} (the stored run, to its last recorded figure{cap})")
    else:
        parts.append("full: not measured yet")
    return "| **Time** | " + " · ".join(parts) + " — measured; see `course/SYLLABUS.md` |"


def with_time_row(nb: dict, row: str) -> bool:
    """Put ``row`` in place of the header cell's Time row; True when ``nb`` changed."""
    cell = nb["cells"][0]
    text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    if not TIME_ROW.search(text):
        raise ValueError("the header cell has no '| **Time** | ... |' row")
    new = TIME_ROW.sub(lambda _: row, text, count=1)
    if new == text:
        return False
    cell["source"] = new
    return True


def with_badges(readme: str, repository: str, branch: str) -> str:
    """The README's notebook index with an "Open in Colab" badge at the end of every notebook row."""
    start, end = readme.index("<!-- index:start -->"), readme.index("<!-- index:end -->")
    lines = readme[start:end].split("\n")
    for i, line in enumerate(lines):
        m = re.search(r"\]\((notebooks/[^)]+\.ipynb)\)", line)
        line = re.sub(r" \[!\[Open in Colab\][^|]*\|$", "", line.rstrip())
        if m:
            line = line[: -1].rstrip() + " | " + badge(repository, branch, m.group(1)) + " |"
        elif line.startswith("| Chapter") and not line.endswith("Colab |"):
            line += " Colab |"
        elif line.startswith("|---") and line.count("|") == 4:
            line += "---|"
        lines[i] = line
    return readme[:start] + "\n".join(lines) + readme[end:]


def _headers() -> dict[str, dict]:
    return {h["section"]: h for h in map(header, notebook_files())}


def _syllabus_text() -> str:
    from .ledger import read_rows

    rows = read_rows("full")
    return render_syllabus(load_plan(), _headers(), quick_times(), full_runs(rows), full_runs(rows, gpu=True))


def _time_rows() -> dict[Path, str]:
    from .ledger import read_rows

    runs, quick = full_runs(read_rows("full")), quick_times().get("quick_s", {})
    return {h["path"]: time_row(h["section"], h["stored_run"], quick.get(h["section"]), runs.get(h["section"]))
            for h in _headers().values()}


def store_times(source: Path = NBVAL_TIMES, where: str = "2-core CPU") -> int:
    """course/times.json from the quick times of the last ``make test`` (nbval) run. Raises ValueError,
    leaving the file as it was, when that run left out a notebook: the times of one run (say
    ``pytest --nbval-lax notebooks/S1.4-*.ipynb``) must not replace the course's."""
    measured = json.loads(source.read_text())
    quick = {section_of(Path(k)): round(v, 1) for k, v in measured.items() if k.endswith(".ipynb")}
    missing = sorted({section_of(p) for p in notebook_files()} - set(quick), key=str)
    if missing:
        raise ValueError(f"{shown(source)} has no time for {len(missing)} notebook(s) ({', '.join(missing[:5])}"
                         f"{', ...' if len(missing) > 5 else ''}): a partial nbval run; {shown(TIMES)} keeps its "
                         "times (`make test` measures them all)")
    TIMES.write_text(json.dumps({"source": f"measured {date.today():%Y-%m-%d} on a {where}",
                                 "quick_s": dict(sorted(quick.items()))}, indent=1) + "\n")
    return len(quick)


def stale(repo: str, branch: str) -> list[str]:
    """What ``sync`` would change: one line per out-of-date generated file."""
    out = []
    if not SYLLABUS.exists() or SYLLABUS.read_text() != _syllabus_text():
        out.append("course/SYLLABUS.md")
    rows = _time_rows()
    for path in notebook_files():
        nb = json.loads(path.read_text())
        if with_colab_cell(nb, repo, branch):
            out.append(f"{path.name}: Colab cell")
        if with_time_row(nb, rows[path]):
            out.append(f"{path.name}: header Time row")
    readme = (REPO_ROOT / "README.md").read_text()
    if with_badges(readme, repo, branch) != readme:
        out.append("README.md badges")
    return out


def sync(repo: str, branch: str) -> list[str]:
    """Write every generated file: times (when a make test run left them), Colab cells, header Time
    rows, README badges, syllabus, student copies, the reproduction report. Returns what changed."""
    import nbformat

    from . import assignments, ledger

    changed = []
    if NBVAL_TIMES.exists() and (not TIMES.exists() or NBVAL_TIMES.stat().st_mtime > TIMES.stat().st_mtime):
        try:
            store_times()
            changed.append("course/times.json")
        except ValueError as exc:
            print(f"times not taken: {exc}", file=sys.stderr)
    rows = _time_rows()
    for path in notebook_files():
        nb = nbformat.read(path, as_version=4)
        colab, time = with_colab_cell(nb, repo, branch), with_time_row(nb, rows[path])
        if colab or time:
            nbformat.write(nb, path)
            changed.append(path.name)
    readme = REPO_ROOT / "README.md"
    text = readme.read_text()
    if with_badges(text, repo, branch) != text:
        readme.write_text(with_badges(text, repo, branch))
        changed.append("README.md")
    if not SYLLABUS.exists() or SYLLABUS.read_text() != _syllabus_text():
        SYLLABUS.write_text(_syllabus_text())
        changed.append("course/SYLLABUS.md")
    changed += [f"student/{name}" for name in assignments.release()]
    ledger.write_report()
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.course", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("sync", help="write every generated file (make sync)")
    sub.add_parser("check", help="fail when a generated file is out of date")
    times = sub.add_parser("times", help="only course/times.json, from a make test run's nbval times")
    times.add_argument("--from", dest="source", type=Path, default=NBVAL_TIMES)
    times.add_argument("--where", default="2-core CPU")
    args = parser.parse_args(argv)
    plan = load_plan()
    repo, branch = plan["course"]["repository"], plan["course"]["branch"]
    if args.cmd == "times":
        try:
            print(f"wrote {TIMES.relative_to(REPO_ROOT)} ({store_times(args.source, args.where)} notebooks)")
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 1
    elif args.cmd == "sync":
        changed = sync(repo, branch)
        print("updated: " + (", ".join(changed) if changed else "nothing (all generated files were current)"))
    else:
        out = stale(repo, branch)
        if out:
            print("out of date (run `make sync`):\n  " + "\n  ".join(out), file=sys.stderr)
            return 1
        print("generated files up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
