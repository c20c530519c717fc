"""The teaching kit, generated from the notebooks so that it never drifts from them.

- :func:`objectives` reads the 3-5 learning objectives of a notebook's header cell.
- ``course/SYLLABUS.md`` (``python -m utils.course syllabus``, ``make syllabus``) sets the 12 weeks of
  ``course/plan.toml`` beside each notebook's title and objectives, its quick-profile time under nbval
  (``course/times.json``, refreshed from a ``make test`` run with ``python -m utils.course times``), its
  full-profile time per device and the data it needed (both from ``results/full.jsonl``).
- The Colab set-up cell (:func:`colab_cell_source`) and the README's "Open in Colab" badges
  (``python -m utils.course colab``) point at the repository named in the plan.

``python -m utils.course check`` fails when any generated file is out of date.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from datetime import date
from pathlib import Path

from . import REPO_ROOT

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
    from .ledger import latest_rows

    runs: dict[str, dict] = {}
    rows = [r for r in rows if ("GPU" in str(r.get("device", ""))) == gpu]
    for row in latest_rows(rows):
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
        "Generated by `make syllabus` from [`plan.toml`](plan.toml), the notebooks' headers and the ledgers;"
        " edit those, not this file.",
        "",
        "**Running a class.** For live demos start Jupyter with `DLWP_PROFILE=quick make lab`: every"
        " notebook runs the same code with fewer epochs and samples, in the *quick* time below. Students"
        " run the *full* profile (the book's settings) at home or on a GPU. Before the term, fill the"
        " offline cache once (`DLWP_MIRROR=<folder> make test`, or run each notebook online once); the"
        " **bold** entries in the data column are files that are not in the offline mirror, so those"
        " figures are reported as unavailable and the notebook runs its documented substitute.",
        "",
        f"Quick times: nbval under `make test`, {times.get('source', 'not measured')}. Full times: the run"
        " whose outputs are stored in each notebook, as `python -m utils.notebooks run` saved it in the"
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


def colab_cell_source(repository: str, branch: str) -> str:
    return "\n".join([
        "# On Google Colab only: fetch this repository and install its `utils` (does nothing elsewhere).",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        f"    !git clone -q --depth 1 -b {branch} https://github.com/{repository} /content/dlwp-course",
        "    %pip install -q -e /content/dlwp-course -r /content/dlwp-course/requirements-colab.txt",
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
            if old == source:
                return False
            cell["source"] = source
            return True
    from nbformat import from_dict

    nb["cells"].insert(1, from_dict({"cell_type": "code", "execution_count": None, "id": "colab-setup",
                                     "metadata": {"tags": [COLAB_TAG]}, "outputs": [], "source": source}))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.course", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("syllabus", help="write course/SYLLABUS.md")
    times = sub.add_parser("times", help="store the quick times of a make test run in course/times.json")
    times.add_argument("--from", dest="source", type=Path, default=NBVAL_TIMES)
    times.add_argument("--where", default="2-core CPU")
    sub.add_parser("colab", help="Colab cell in every notebook, badges in the README index")
    sub.add_parser("check", help="fail when SYLLABUS.md, Colab cells or badges are out of date")
    args = parser.parse_args(argv)
    plan = load_plan()
    repo, branch = plan["course"]["repository"], plan["course"]["branch"]
    if args.cmd == "syllabus":
        SYLLABUS.write_text(_syllabus_text())
        print(f"wrote {SYLLABUS.relative_to(REPO_ROOT)}")
    elif args.cmd == "times":
        measured = json.loads(args.source.read_text())
        quick = {section_of(Path(k)): round(v, 1) for k, v in measured.items() if k.endswith(".ipynb")}
        TIMES.write_text(json.dumps({"source": f"measured {date.today():%Y-%m-%d} on a {args.where}",
                                     "quick_s": dict(sorted(quick.items()))}, indent=1) + "\n")
        print(f"wrote {TIMES.relative_to(REPO_ROOT)} ({len(quick)} notebooks)")
    elif args.cmd == "colab":
        import nbformat

        for path in notebook_files():
            nb = nbformat.read(path, as_version=4)
            if with_colab_cell(nb, repo, branch):
                nbformat.write(nb, path)
                print(f"colab cell: {path.name}")
        readme = REPO_ROOT / "README.md"
        readme.write_text(with_badges(readme.read_text(), repo, branch))
    else:
        stale = []
        if not SYLLABUS.exists() or SYLLABUS.read_text() != _syllabus_text():
            stale.append("course/SYLLABUS.md (make syllabus)")
        for path in notebook_files():
            if with_colab_cell(json.loads(path.read_text()), repo, branch):
                stale.append(f"{path.name}: Colab cell (make colab)")
        readme = (REPO_ROOT / "README.md").read_text()
        if with_badges(readme, repo, branch) != readme:
            stale.append("README.md badges (make colab)")
        if stale:
            print("out of date:\n  " + "\n  ".join(stale), file=sys.stderr)
            return 1
        print("course kit up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
