"""Reading the results ledger, grouping its rows into runs, and the reproduction report.

The students' library writes one JSON row per figure (``utils.ledger``; fields in
``utils.ledger.ROW_FIELDS``) to ``results/<profile>.jsonl``. Every row names its ``run`` (one
execution of one notebook) and its ``campaign`` (the runs of one notebook under several seeds; a
run alone is its own campaign). The figures the report shows for a notebook are those of the
first run of its latest campaign: that run's outputs are the ones stored in the notebook.

::

    python -m toolkit.ledger report    # results/REPRODUCTION.md from results/full.jsonl
    python -m toolkit.ledger migrate   # rewrite rows written before schema 2 (done once, kept for forks)
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from utils.ledger import fmt  # one number format for the notebooks' tables and the report

from . import EVIDENCE_DIR, REPO_ROOT, RESULTS_DIR

__all__ = [
    "fmt", "latest_rows", "migrate_rows", "name_the_cpu", "read_rows", "run_ids", "render_table", "section_key", "seed_values",
    "set_aside", "shown_runs", "spread", "stored_run", "worded_now", "write_report",
]

SCHEMA = 2


def read_rows(profile_name: str = "full", directory: Path | None = None) -> list[dict]:
    """The rows of ``<directory>/<profile>.jsonl`` (``results/`` by default); refuses rows of another schema."""
    path = (directory or RESULTS_DIR) / f"{profile_name}.jsonl"
    if not path.exists():
        return []
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                row = json.loads(line)
                if row.get("schema") != SCHEMA:
                    raise ValueError(f"{path}:{number}: a row of schema {row.get('schema')!r}, expected {SCHEMA}; "
                                     "run `python -m toolkit.ledger migrate`")
                rows.append(row)
    return rows


def _rewrite(source: Path, split) -> list[str]:
    """Rewrite ``source`` as ``split(lines)`` keeps it; return the lines ``split`` took out.

    ``split`` maps the file's lines to (lines to keep, lines taken out). Another notebook's kernel may
    append a row (``utils.ledger``: open, write one line, close) while this rewrites the file. The old
    file stays open here, so whatever lands in it after it was read, up to a moment after the swap, goes
    through ``split`` too and is carried over instead of being lost."""
    with open(source, encoding="utf-8") as old:
        lines = old.read().splitlines(keepends=True)
        kept, taken = split(lines)
        if kept == lines and not taken:
            return []
        partial = source.with_name(source.name + ".part")
        partial.write_text("".join(kept), encoding="utf-8")
        partial.replace(source)
        time.sleep(0.2)  # an append that opened the old file just before the swap finishes in it
        late_kept, late_taken = split(old.read().splitlines(keepends=True))
    if late_kept:
        with open(source, "a", encoding="utf-8") as fh:
            fh.writelines(late_kept)
    return taken + late_taken


def set_aside(profile_name: str, campaign: str, directory: Path | None = None,
              evidence_dir: Path | None = None) -> int:
    """Move the rows of ``campaign`` from ``<directory>/<profile>.jsonl`` (``results/``) to the evidence
    file ``<evidence_dir>/<profile>.jsonl`` (``results/evidence/``); return how many moved.

    The runner calls this when a run that was to be stored fails (a figure outside its band, a cell
    error): its notebook keeps the previous outputs, so the report must keep showing the previous
    campaign, and "previous campaign" must not become the failed one. The rows stay as evidence for
    the bands, byte for byte; the other rows keep their order."""
    source = (directory or RESULTS_DIR) / f"{profile_name}.jsonl"
    if not campaign or not source.exists():
        return 0

    def split(lines: list[str]) -> tuple[list[str], list[str]]:
        kept, moved = [], []
        for line in lines:
            if line.strip() and json.loads(line).get("campaign") == campaign:
                moved.append(line if line.endswith("\n") else line + "\n")
            else:
                kept.append(line)
        return kept, moved

    moved = _rewrite(source, split)
    if moved:
        dest = (evidence_dir or EVIDENCE_DIR) / f"{profile_name}.jsonl"
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "a", encoding="utf-8") as fh:
            fh.writelines(moved)
    return len(moved)


BARE_CPU = re.compile(r"CPU( \(\d+ cores?\))?")


def run_ids(profile_name: str, directory: Path | None = None) -> set[str]:
    """The runs (``run``) that have rows in ``<directory>/<profile>.jsonl``, whatever their schema."""
    path = (directory or RESULTS_DIR) / f"{profile_name}.jsonl"
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {str(json.loads(line).get("run", "")) for line in lines if line.strip()}


def name_the_cpu(profile_name: str, runs: set[str], device: str, directory: Path | None = None) -> int:
    """Give the rows of ``runs`` the runner's description of the CPU (``device``, for example
    "CPU (2 cores, AMD EPYC, AVX-512 bf16, oneDNN on)"); return how many rows changed.

    ``utils`` writes a CPU only as its core count, but the same notebook takes 1.4 to 2.6 times longer
    on one session's CPU than on another's (``results/evidence/onednn/``). The runner knows the machine
    it ran on and names it here, on the rows of the runs it made only; a row that names a GPU, or one
    already described, keeps its words."""
    source = (directory or RESULTS_DIR) / f"{profile_name}.jsonl"
    if not runs or not source.exists():
        return 0
    changed = []

    def split(lines: list[str]) -> tuple[list[str], list[str]]:
        kept = []
        for line in lines:
            row = json.loads(line) if line.strip() else {}
            if row.get("run") in runs and BARE_CPU.fullmatch(str(row.get("device", ""))):
                row["device"] = device
                line = json.dumps(row, sort_keys=True) + "\n"
                changed.append(line)
            kept.append(line)
        return kept, []

    _rewrite(source, split)
    return len(changed)


def section_key(notebook: str) -> tuple:
    """Sort key in course order: 2.1 < 6.1a < 6.1b < 6.2 < 10.1, and the supplements (S1.1, S2.1) after."""
    series = 1 if notebook[:1].isalpha() else 0
    parts = []
    for p in notebook.lstrip("SsAaBb").replace("-", ".").split("."):
        m = re.fullmatch(r"(\d+)(\D*)", p)
        parts.append((0, int(m.group(1)), m.group(2)) if m else (1, 0, p))
    return (series, *parts)


def shown_runs(rows: list[dict]) -> dict[str, str]:
    """notebook -> the run the report shows: the first run of the notebook's latest campaign."""
    latest_campaign: dict[str, str] = {}
    first_run: dict[tuple[str, str], str] = {}
    for row in rows:
        latest_campaign[row["notebook"]] = row["campaign"]
        first_run.setdefault((row["notebook"], row["campaign"]), row["run"])
    return {nb: first_run[(nb, campaign)] for nb, campaign in latest_campaign.items()}


def latest_rows(rows: list[dict]) -> list[dict]:
    """The figures of each notebook's shown run (its last row per figure), in course order, then in the
    order the notebook first recorded them. A figure that run did not record is left out, never shown
    from an older run."""
    shown = shown_runs(rows)
    latest: dict[tuple[str, str], dict] = {}
    order: dict[tuple[str, str], int] = {}
    for i, row in enumerate(rows):
        key = (row["notebook"], row["name"])
        order.setdefault(key, i)
        if shown[row["notebook"]] == row["run"]:
            latest[key] = row
    return sorted(latest.values(), key=lambda r: (section_key(r["notebook"]), order[(r["notebook"], r["name"])]))


def _declaration_at(notebook: str, date: str, root: Path = REPO_ROOT) -> dict | None:
    """``notebook``'s figure declaration as committed at ``date`` (ISO), read from git; ``None`` where
    git or the history cannot say (an export without .git, a shallow clone)."""
    import subprocess
    import tomllib

    from utils.ledger import figures_path

    rel = figures_path(notebook).relative_to(root).as_posix()
    try:
        commit = subprocess.run(["git", "log", "-1", "--format=%H", f"--before={date}", "--", rel], cwd=root,
                                capture_output=True, text=True, check=True).stdout.strip()
        if not commit:
            return None
        text = subprocess.run(["git", "show", f"{commit}:{rel}"], cwd=root, capture_output=True, text=True,
                              check=True).stdout
        return tomllib.loads(text)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None


def worded_now(rows: list[dict], root: Path = REPO_ROOT) -> list[dict]:
    """``rows`` (copies) in the words of today's declarations: a row that only carried its declaration's
    description or ``needs`` when it ran shows the declaration's current wording, so correcting a
    declaration's words corrects the report and the syllabus without re-training; a description the run
    wrote itself (``record(description=...)``), the value, band and everything measured stay as recorded."""
    from utils.ledger import declared

    now: dict[str, dict] = {}
    then: dict[tuple[str, str], dict | None] = {}
    out = []
    for row in rows:
        row = dict(row)
        if row["notebook"] not in now:
            try:
                now[row["notebook"]] = declared(row["notebook"])
            except (FileNotFoundError, ValueError):
                now[row["notebook"]] = {}
        fig = now[row["notebook"]].get(row["name"])
        if fig is not None and row.get("unavailable") and fig.needs:
            row["unavailable"] = f"needs {fig.needs}"  # the reason is always the declaration's (utils.ledger.record)
        if fig is not None and row.get("description") != fig.description:
            at = (row["notebook"], row["date"])
            if at not in then:
                then[at] = _declaration_at(row["notebook"], row["date"], root)
            old = None if then[at] is None else then[at].get(row["name"])
            if old is None or old.get("description") == row.get("description"):
                row["description"] = fig.description
        out.append(row)
    return out


def seed_values(rows: list[dict], shown: dict) -> dict[int, float]:
    """seed -> the figure of row ``shown`` in each seed's latest run of the same campaign."""
    out: dict[int, float] = {}
    if shown.get("value") is not None:
        out[shown["seed"]] = shown["value"]
    for row in rows:
        same = (row["campaign"], row["notebook"], row["name"]) == (shown["campaign"], shown["notebook"], shown["name"])
        if same and row.get("value") is not None and row["run"] != shown["run"]:
            out[row["seed"]] = row["value"]
    return out


def previous_values(rows: list[dict], shown: dict) -> dict[int, float]:
    """seed -> the figure of row ``shown`` in the notebook's campaign before the shown one (``{}`` if none):
    what a re-run campaign moved."""
    campaigns: list[str] = []
    for row in rows:
        if row["notebook"] == shown["notebook"] and row["campaign"] not in campaigns:
            campaigns.append(row["campaign"])
    at = campaigns.index(shown["campaign"]) if shown["campaign"] in campaigns else 0
    if at == 0:
        return {}
    before = campaigns[at - 1]
    return {row["seed"]: row["value"] for row in rows
            if (row["campaign"], row["notebook"], row["name"]) == (before, shown["notebook"], shown["name"])
            and row.get("value") is not None}


def stored_run(rows: list[dict], notebook: str) -> dict | None:
    """The first row of the run whose figures the report shows for ``notebook``, or ``None``."""
    run = shown_runs(rows).get(notebook)
    return next((r for r in rows if r["notebook"] == notebook and r["run"] == run), None)


def spread(values: list[float]) -> dict[str, float]:
    """Mean, sample standard deviation (0 for one value), min and max of a figure over seeds."""
    if not values:
        raise ValueError("no values")
    n, mean = len(values), sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"n": n, "mean": mean, "sd": sd, "min": min(values), "max": max(values)}


def render_table(rows: list[dict]) -> str:
    lines = [
        "| Notebook | Figure | Book | Ours | Seeds: mean ± sd (min–max) | Book in seeds' range | Previous campaign "
        "| Band | In band | Seed | Backend, device | Data | Date |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in worded_now(latest_rows(rows)):
        label = (r["description"] or r["name"]).replace("|", "\\|")  # a pipe would split the cell
        seeds, within, moved = "–", "–", "–"
        if r.get("unavailable"):
            ours, band, ok = f"_{r['unavailable']}_", "–", "–"
        else:
            ours = fmt(r["value"]) + (f" (≤{r['epoch_cap']} epochs)" if r.get("epoch_cap") else "")
            band = f"[{fmt(r['band'][0])}, {fmt(r['band'][1])}]"
            ok = "yes" if r["in_band"] else "**no**"
            values = seed_values(rows, r)
            if len(values) > 1:
                st = spread(list(values.values()))
                seeds = f"{fmt(st['mean'])} ± {fmt(st['sd'])} ({fmt(st['min'])}–{fmt(st['max'])}), {st['n']} seeds"
                outside = [s for s, v in values.items() if not r["band"][0] <= v <= r["band"][1]]
                if outside:  # the band does not hold the measured spread
                    ok = f"**no**: seed {', '.join(map(str, outside))} outside"
                if r["book"] is not None:
                    within = "yes" if st["min"] <= r["book"] <= st["max"] else "no"
            else:
                seeds = "1 seed"
            before = previous_values(rows, r)
            if before:
                then = spread(list(before.values()))["mean"]
                now = spread(list(values.values()))["mean"]
                moved = f"{fmt(then)} ({len(before)} seed{'s' if len(before) > 1 else ''}); moved {now - then:+.3g}"
        data = "; ".join(f"{k}: {v}" for k, v in (r.get("data") or {}).items()) or "–"
        shown_seeds = ", ".join(str(s) for s in seed_values(rows, r)) or str(r["seed"])
        lines.append(
            f"| {r['notebook']} | {label} | {fmt(r['book'])} | {ours} | {seeds} | {within} | {moved} | {band} | {ok} | "
            f"{shown_seeds} | {r['backend']}, {r['device']}{', ' + r['precision'] if r.get('precision') else ''} | {data} | {r['date'][:10]} |"
        )
    return "\n".join(lines)


def write_report(profile_name: str = "full", out: Path | None = None, directory: Path | None = None) -> Path:
    rows = read_rows(profile_name, directory)
    out = out or RESULTS_DIR / "REPRODUCTION.md"
    devices = sorted({r["device"] for r in rows}) or ["–"]
    body = [
        "# Reproduction: book figures vs this course edition",
        "",
        f"Generated by `python -m toolkit.ledger report` from `results/{profile_name}.jsonl`: for each notebook, "
        "the figures of the run whose outputs are stored in it. `Band` is the range the notebook's declaration "
        "(`notebooks/figures/<section>.toml`) asserts for that run; a value outside it fails the notebook. Where "
        "a notebook was run under several seeds (`make reproduce SEEDS=\"42 1 2\"`), `Ours` is the first seed's "
        "figure (the stored outputs) and the next columns give the spread over the seeds; `1 seed` marks a figure "
        "from a single run. `Previous campaign` gives the mean of the same figure in the notebook's campaign "
        "before (its seeds) and how far the mean over today's seeds moved from it. `(≤N epochs)` marks a figure whose training `DLWP_EPOCH_CAP` shortened. The "
        "quick-profile bands rest on the runs in [`evidence/QUICK.md`](evidence/QUICK.md) (seeds × backends).",
        "",
        f"Devices: {', '.join(devices)}.",
        "",
        render_table(rows) if rows else "_No results recorded yet: run `make reproduce`._",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(body), encoding="utf-8")
    return out


# ----------------------------------------------------------------------------- migration to schema 2

EXTENDS = "extends:"  # the old campaign prefix of seeds added to a stored run (schema 1 only)


def migrate_rows(rows: list[dict]) -> list[dict]:
    """Schema-1 rows as schema 2: every row gets an explicit ``run`` and ``campaign`` and a ``band_name``.

    Rows written before rows carried a run id are grouped by their start time (``date - wall_time_s``,
    shared to the second by the rows of one run); seeds added to a stored run (campaign
    ``extends:<run>``) join that run's campaign.
    """
    out: list[dict] = []
    legacy: dict[str, tuple[str, float]] = {}  # notebook -> (run id, start time) of its current legacy run
    campaign_of_run: dict[tuple[str, str], str] = {}
    for old in rows:
        row = dict(old)
        if row.get("schema") == SCHEMA:
            out.append(row)
            campaign_of_run.setdefault((row["notebook"], row["run"]), row["campaign"])
            continue
        nb = row["notebook"]
        if "run" not in row:
            start = datetime.fromisoformat(row["date"]).timestamp() - float(row.get("wall_time_s") or 0.0)
            run_id, last = legacy.get(nb, ("", float("nan")))
            if not abs(start - last) <= 60:  # also true for the first row (nan)
                run_id = datetime.fromtimestamp(start, UTC).isoformat(timespec="seconds")
                legacy[nb] = (run_id, start)
            row["run"] = run_id
        row["run"] = str(row["run"])
        campaign = str(row.get("campaign") or "")
        if campaign.startswith(EXTENDS):
            stored = campaign.removeprefix(EXTENDS)
            campaign = campaign_of_run.get((nb, stored), stored)
        row["campaign"] = campaign or campaign_of_run.get((nb, row["run"]), row["run"])
        campaign_of_run.setdefault((nb, row["run"]), row["campaign"])
        if row.get("band") is None:
            row["band_name"] = None
        else:
            row["band_name"] = "capped" if row.get("epoch_cap") and row["profile"] == "full" else row["profile"]
        row["schema"] = SCHEMA
        out.append(row)
    return out


def _migrate_file(path: Path) -> int:
    if not path.exists():
        return 0
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    new = migrate_rows(rows)
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in new), encoding="utf-8")
    return sum(1 for a, b in zip(rows, new, strict=True) if a != b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.ledger", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    rep = sub.add_parser("report", help="write results/REPRODUCTION.md")
    rep.add_argument("--profile", default="full", choices=("full", "quick"))
    rep.add_argument("--out", type=Path, default=None)
    sub.add_parser("migrate", help="rewrite schema-1 rows of results/ and results/evidence/ as schema 2")
    args = parser.parse_args(argv)
    if args.cmd == "migrate":
        for path in (RESULTS_DIR / "full.jsonl", RESULTS_DIR / "quick.jsonl", EVIDENCE_DIR / "quick.jsonl"):
            print(f"{path.relative_to(REPO_ROOT)}: {_migrate_file(path)} row(s) rewritten")
        return 0
    path = write_report(args.profile, args.out)
    print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
