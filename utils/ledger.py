"""The results ledger: every notebook's key figures, checked and logged.

::

    from utils.ledger import record
    record("imdb_test_accuracy", test_acc, book=0.885,
           bands={"full": (0.87, 0.90), "quick": (0.80, 1.0)})

``record`` appends one JSON line to ``results/<profile>.jsonl`` (profile, seed,
backend, device, data sources, date, wall time since ``utils.start``) and then
asserts that the value lies in the band of the active profile. A band is required
for *every* profile and must be finite on at least one side: a check that cannot
fail is a defect.

``python -m utils.ledger report`` turns each notebook's latest full-profile run
(the rows sharing its ``run`` id, the notebook's start time) into
``results/REPRODUCTION.md`` (book vs ours) and refreshes the table in
``README.md`` between its ``results`` markers. A figure that run did not record
(retired, renamed, or not reached) is left out, never shown from an older run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from . import REPO_ROOT, profile
from .session import current_run

__all__ = [
    "RESULTS_ENV",
    "bands_against_seeds",
    "latest_rows",
    "read_rows",
    "record",
    "record_unavailable",
    "render_table",
    "results_dir",
    "seed_values",
    "spread",
    "stored_run",
]

RESULTS_ENV = "DLWP_RESULTS_DIR"
# Campaign prefix of runs under extra seeds that join an already stored run (its id follows).
EXTENDS = "extends:"
README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"


def results_dir() -> Path:
    """Where ledger lines go: ``DLWP_RESULTS_DIR`` or ``results/``."""
    return Path(os.environ.get(RESULTS_ENV, REPO_ROOT / "results"))


def _check_bands(bands: Mapping[str, tuple[float, float]]) -> None:
    missing = [p for p in profile.PROFILES if p not in bands]
    if missing:
        raise ValueError(f"bands must give a (low, high) band for every profile; missing: {missing}")
    for name, band in bands.items():
        if name not in (*profile.PROFILES, "capped"):
            raise ValueError(f"unknown profile {name!r} in bands")
        lo, hi = band
        if math.isnan(lo) or math.isnan(hi) or lo > hi:
            raise ValueError(f"band {band} for profile {name!r} is empty or not a number")
        if math.isinf(lo) and math.isinf(hi):
            raise ValueError(f"band {band} for profile {name!r} cannot fail; give at least one finite bound")


def _append(row: dict) -> Path:
    out = results_dir() / f"{row['profile']}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, sort_keys=True) + "\n")
    return out


def _base_row(name: str, book, description: str) -> dict:
    run = current_run()
    return {
        "notebook": run.notebook,
        "name": name,
        "description": description,
        "book": book,
        "profile": run.profile,
        "seed": run.seed,
        "backend": run.backend,
        "device": run.device,
        "versions": run.versions,
        "data": run.data,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": run.started_at,  # one id per notebook run: the report shows each notebook's latest run
        "wall_time_s": round(run.elapsed(), 1),
    } | ({"campaign": run.campaign} if run.campaign else {})


def record(
    name: str,
    value: float,
    *,
    bands: Mapping[str, tuple[float, float]],
    book: float | None = None,
    description: str = "",
    chance: float | None = None,
    chance_reason: str = "",
) -> float:
    """Log ``value`` under ``name`` and assert it lies in the active profile's band.

    ``book`` is the figure the first edition reports (``None`` where it reports none).
    ``chance`` is what a model that learned nothing scores (0.5 for a balanced binary task); a band
    that contains it cannot tell a broken run from a working one, so it is refused unless
    ``chance_reason`` says why the notebook accepts it (e.g. a one-epoch quick run).
    Returns ``value`` so the call can end a cell and show it.
    """
    _check_bands(bands)
    if chance is not None and not chance_reason.strip():
        blind = [p for p, (lo, hi) in bands.items() if lo <= chance <= hi]
        if blind:
            raise ValueError(
                f"{name}: the {', '.join(blind)} band(s) contain the chance level {chance:g}, so a run that "
                "learned nothing would pass; narrow the band from measured runs, or give chance_reason=..."
            )
    value = float(value)
    row = _base_row(name, book, description)
    band_name = row["profile"]
    if profile.capped():
        # A full run shortened by DLWP_EPOCH_CAP cannot be held to the book's band:
        # it is held to the "capped" band if the notebook gives one, else to the quick band.
        band_name = "capped" if "capped" in bands else "quick"
        row["epoch_cap"] = profile.epoch_cap()
    lo, hi = (float(b) for b in bands[band_name])
    ok = lo <= value <= hi
    row.update(value=value, band=[lo, hi], in_band=ok)
    _append(row)
    assert ok, (
        f"{name} = {value:.4g} is outside the {band_name}-profile band [{lo:g}, {hi:g}]"
        + (f" (book: {book:g})" if book is not None else "")
        + ". Either the run went wrong or the band needs evidence-based revision."
    )
    return value


def record_unavailable(name: str, *, reason: str, book: float | None = None, description: str = "") -> None:
    """Log that figure ``name`` could not be produced in this run, and why (e.g. missing weights)."""
    if not reason.strip():
        raise ValueError("give the reason the figure is unavailable")
    row = _base_row(name, book, description)
    row.update(value=None, band=None, in_band=None, unavailable=reason)
    _append(row)


# ----------------------------------------------------------------------------- report


def read_rows(profile_name: str = "full", directory: Path | None = None) -> list[dict]:
    path = (directory or results_dir()) / f"{profile_name}.jsonl"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _section_key(notebook: str) -> tuple:
    """Sort key in course order: 2.1 < 6.1a < 6.1b < 6.2 < 10.1, and the supplements (S1.1, S2.1) after."""
    series = 1 if notebook[:1].isalpha() else 0
    parts = []
    for p in notebook.lstrip("SsAaBb").replace("-", ".").split("."):
        m = re.fullmatch(r"(\d+)(\D*)", p)
        parts.append((0, int(m.group(1)), m.group(2)) if m else (1, 0, p))
    return (series, *parts)


def _run_keys(rows: list[dict]) -> list[tuple[str, str]]:
    """(notebook, run) for each row. Rows written before rows carried a ``run`` id are grouped by
    their start time, ``date - wall_time_s``, which all rows of one run share (to the second)."""
    keys: list[tuple[str, str]] = []
    legacy: dict[str, tuple[int, float]] = {}  # notebook -> (run counter, start of that run)
    for row in rows:
        nb = row["notebook"]
        if "run" in row:
            keys.append((nb, str(row["run"])))
            continue
        start = datetime.fromisoformat(row["date"]).timestamp() - float(row.get("wall_time_s") or 0.0)
        count, last_start = legacy.get(nb, (-1, float("nan")))
        if not abs(start - last_start) <= 60:  # also true for the first row (nan)
            count, last_start = count + 1, start
        legacy[nb] = (count, last_start)
        keys.append((nb, f"legacy-{count}"))
    return keys


def _shown_runs(rows: list[dict], keys: list[tuple[str, str]]) -> dict[str, str]:
    """notebook -> the run the report shows: its latest run, or, when that run belongs to a multi-seed
    campaign, the campaign's first run (the one whose outputs are stored in the notebook)."""
    latest_run = dict(keys)  # notebook -> its last run, in file order
    campaign_of = {key: row.get("campaign", "") for row, key in zip(rows, keys, strict=True)}
    first_of: dict[tuple[str, str], str] = {}
    for row, (notebook, run) in zip(rows, keys, strict=True):
        if row.get("campaign"):
            first_of.setdefault((notebook, row["campaign"]), run)
    known = set(keys)
    shown = {}
    for nb, run in latest_run.items():
        campaign = campaign_of[(nb, run)]
        stored = campaign.removeprefix(EXTENDS) if campaign.startswith(EXTENDS) else None
        if stored is not None and (nb, stored) in known:
            shown[nb] = stored  # extra seeds added to a stored run: show the stored run
        else:
            shown[nb] = first_of[(nb, campaign)] if campaign else run
    return shown


def latest_rows(rows: list[dict]) -> list[dict]:
    """The figures of each notebook's latest run (its last line per figure), ordered by notebook then
    first appearance. A figure that the latest run did not record (renamed, retired, or not reached
    because the run failed earlier) is left out rather than shown from an older run. For a multi-seed
    campaign the first seed's run is shown (its outputs are the stored ones); :func:`seed_values`
    gives the others."""
    keys = _run_keys(rows)
    shown = _shown_runs(rows, keys)
    latest: dict[tuple[str, str], dict] = {}
    order: dict[tuple[str, str], int] = {}
    for i, (row, (notebook, run)) in enumerate(zip(rows, keys, strict=True)):
        name = (notebook, row["name"])
        order.setdefault(name, i)
        if shown[notebook] == run:
            latest[name] = row
    return sorted(latest.values(), key=lambda r: (_section_key(r["notebook"]), order[(r["notebook"], r["name"])]))


def seed_values(rows: list[dict], shown: dict) -> dict[int, float]:
    """seed -> value of the figure of row ``shown`` in each seed's latest run of the same campaign
    (just ``{seed: value}`` for a single-seed run)."""
    campaign = shown.get("campaign")
    out: dict[int, float] = {}
    if shown.get("value") is not None:
        out[shown["seed"]] = shown["value"]
    joined = {campaign} if campaign else set()
    if shown.get("run"):
        joined.add(EXTENDS + str(shown["run"]))  # seeds added later to this stored run
    for row in rows:
        same = row.get("campaign") in joined and row["notebook"] == shown["notebook"] and row["name"] == shown["name"]
        if same and row.get("value") is not None:
            out[row["seed"]] = row["value"]
    return out


def stored_run(rows: list[dict], notebook: str) -> str | None:
    """The id of the run whose figures the report shows for ``notebook`` (the stored outputs), or
    ``None`` if the ledger has no run of it with a run id. Extra seeds join it with the campaign
    ``EXTENDS + id`` (``python -m utils.notebooks run --add-seeds 1 2 ...``)."""
    keys = _run_keys(rows)
    run = _shown_runs(rows, keys).get(notebook)
    return None if run is None or run.startswith("legacy-") else run


def bands_against_seeds(rows: list[dict]) -> list[str]:
    """Every shown figure whose band does not hold all of its seeds' values: one line each (empty when
    each band is borne out by the measured spread)."""
    problems = []
    for r in latest_rows(rows):
        if r.get("unavailable") or r.get("band") is None:
            continue
        lo, hi = r["band"]
        for seed, value in seed_values(rows, r).items():
            if not lo <= value <= hi:
                problems.append(f"{r['notebook']} {r['name']}: seed {seed} gave {value:.4g}, outside [{lo:g}, {hi:g}]")
    return problems


def spread(values: list[float]) -> dict[str, float]:
    """Mean, sample standard deviation (0 for one value), min and max of a figure over seeds."""
    if not values:
        raise ValueError("no values")
    n, mean = len(values), sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"n": n, "mean": mean, "sd": sd, "min": min(values), "max": max(values)}


def _fmt(x) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.4g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"
    return str(x)


def render_table(rows: list[dict]) -> str:
    lines = [
        "| Notebook | Figure | Book | Ours | Seeds: mean ± sd (min–max) | Book in seeds' range | Band | In band "
        "| Seed | Data | Date |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in latest_rows(rows):
        label = (r["description"] or r["name"]).replace("|", "\\|")  # a pipe would split the cell
        seeds, within = "–", "–"
        if r.get("unavailable"):
            ours, band, ok = f"_{r['unavailable']}_", "–", "–"
        else:
            ours = _fmt(r["value"]) + (f" (≤{r['epoch_cap']} epochs)" if r.get("epoch_cap") else "")
            band = f"[{_fmt(r['band'][0])}, {_fmt(r['band'][1])}]"
            ok = "yes" if r["in_band"] else "**no**"
            values = seed_values(rows, r)
            if len(values) > 1:
                st = spread(list(values.values()))
                seeds = f"{_fmt(st['mean'])} ± {_fmt(st['sd'])} ({_fmt(st['min'])}–{_fmt(st['max'])}), {st['n']} seeds"
                outside = [s for s, v in values.items() if not r["band"][0] <= v <= r["band"][1]]
                if outside:  # the band does not hold the measured spread
                    ok = f"**no**: seed {', '.join(map(str, outside))} outside"
                if r["book"] is not None:
                    within = "yes" if st["min"] <= r["book"] <= st["max"] else "no"
            else:
                seeds = "1 seed"
        data = "; ".join(f"{k}: {v}" for k, v in (r.get("data") or {}).items()) or "–"
        shown_seeds = ", ".join(str(s) for s in seed_values(rows, r)) or str(r["seed"])
        lines.append(
            f"| {r['notebook']} | {label} | {_fmt(r['book'])} | {ours} | {seeds} | {within} | {band} | {ok} | "
            f"{shown_seeds} | {data} | {r['date'][:10]} |"
        )
    return "\n".join(lines)


def write_report(profile_name: str = "full", out: Path | None = None, readme: Path | None = None) -> Path:
    rows = read_rows(profile_name)
    out = out or results_dir() / "REPRODUCTION.md"
    devices = sorted({r["device"] for r in rows}) or ["–"]
    body = [
        "# Reproduction: book figures vs this course edition",
        "",
        f"Generated by `make reproduce` (`python -m utils.ledger report`) from `results/{profile_name}.jsonl`: "
        f"the latest `{profile_name}`-profile run of each figure. `Band` is the range the notebook asserts for "
        "that profile; a value outside it fails the notebook. Where a notebook was run under several seeds "
        "(`make reproduce SEEDS=\"42 1 2\"`), `Ours` is the first seed's figure (the stored outputs) and the "
        "next columns give the spread over the seeds; `1 seed` marks a figure from a single run. The quick-profile "
        "bands rest on the runs in [`evidence/QUICK.md`](evidence/QUICK.md) (seeds x backends).",
        "",
        f"Devices: {', '.join(devices)}.",
        "",
        render_table(rows) if rows else "_No results recorded yet: run `make reproduce`._",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(body), encoding="utf-8")
    if readme is not None and readme.exists():
        text = readme.read_text(encoding="utf-8")
        if README_START in text and README_END in text:
            head, rest = text.split(README_START, 1)
            _, tail = rest.split(README_END, 1)
            table = render_table(rows) if rows else "_No results recorded yet._"
            readme.write_text(f"{head}{README_START}\n{table}\n{README_END}{tail}", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.ledger", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    rep = sub.add_parser("report", help="write results/REPRODUCTION.md and refresh README's table")
    rep.add_argument("--profile", default="full", choices=profile.PROFILES)
    rep.add_argument("--out", type=Path, default=None)
    rep.add_argument("--readme", type=Path, default=REPO_ROOT / "README.md")
    args = parser.parse_args(argv)
    path = write_report(args.profile, args.out, args.readme)
    print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
