"""Do the bands hold the measured runs? One check for both profiles.

A band set on one run is fragile: another seed or another backend can land outside it.

- **full**: a notebook run under several seeds (``make reproduce SEEDS="42 1 2"``) must have every
  seed's value inside the band its stored run asserted (:func:`against_seeds`).
- **quick**: evidence runs execute notebooks without saving them and write their ledger rows to
  ``results/evidence/quick.jsonl``, which is committed::

      python -m toolkit.runner run --profile quick --evidence --seeds 42 1 2 notebooks/02.1-*.ipynb
      python -m toolkit.runner run --profile quick --evidence --seeds 42 1 2 --backend jax notebooks/02.1-*.ipynb

  After nbval, the bands the notebooks assert *today* (the rows that run wrote to
  ``results/quick.jsonl``) must hold every committed evidence value of the same figure
  (:func:`against_evidence`), so a band edited later cannot drift away from its evidence.

``python -m toolkit.bands check`` runs both (``make test`` calls it after nbval);
``python -m toolkit.bands report`` writes ``results/evidence/QUICK.md``: per figure, the band declared
today, the runs (seeds x backends), their range and whether that band holds them.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from . import EVIDENCE_DIR, REPO_ROOT, RESULTS_DIR
from .ledger import fmt as _fmt
from .ledger import latest_rows, read_rows, seed_values
from .ledger import section_key as _section_key

__all__ = ["against_evidence", "against_seeds", "declared_band", "evidence_values", "render"]


def against_seeds(rows: list[dict]) -> list[str]:
    """Every shown full-profile figure whose band does not hold all of its seeds' values: one line each."""
    problems = []
    for r in latest_rows(rows):
        if r.get("unavailable") or r.get("band") is None:
            continue
        lo, hi = r["band"]
        for seed, value in seed_values(rows, r).items():
            if not lo <= value <= hi:
                problems.append(f"{r['notebook']} {r['name']}: seed {seed} gave {value:.4g}, outside [{lo:g}, {hi:g}]")
    return problems


def evidence_values(evidence: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """(notebook, figure) -> the evidence rows with a value, one per run (the last line of each run)."""
    by_run: dict[tuple[str, str, str], dict] = {}
    for row in evidence:
        if row.get("value") is not None:
            by_run[(row["notebook"], row["name"], str(row.get("run")))] = row
    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for (notebook, name, _), row in by_run.items():
        out[(notebook, name)].append(row)
    return dict(out)


def against_evidence(current: list[dict], evidence: list[dict]) -> list[str]:
    """One line per evidence value outside the band that today's run asserts for the same figure (empty
    when every band holds its evidence). Today's band is the one the latest run in ``current`` on the
    evidence row's backend asserted; where today ran on another backend only, its band is used if the
    evidence runs asserted the same band on both backends (so a band that depends on the backend, as in
    8.1, is only held to its own backend's evidence). Figures without evidence are not checked."""
    today = {}
    for backend in sorted({r.get("backend", "?") for r in current}):
        for r in latest_rows([r for r in current if r.get("backend", "?") == backend]):
            if r.get("band") is not None:
                today[(r["notebook"], r["name"], backend)] = r
    values = evidence_values(evidence)
    asserted = {}  # (notebook, name, backend) -> the band of that backend's latest evidence run
    for (notebook, name), rows in values.items():
        for row in sorted(rows, key=lambda r: r["date"]):
            asserted[(notebook, name, row["backend"])] = row["band"]
    problems = []
    for (notebook, name), rows in values.items():
        for row in rows:
            backend = row["backend"]
            now = today.get((notebook, name, backend))
            if now is None:  # today ran elsewhere: borrow its band if the band does not depend on the backend
                now = next((r for (n, m, b), r in today.items() if (n, m) == (notebook, name)
                            and asserted.get((n, m, b)) == asserted[(notebook, name, backend)]), None)
            if now is None:
                continue
            lo, hi = now["band"]
            if not lo <= row["value"] <= hi:
                problems.append(
                    f"{notebook} {name}: seed {row['seed']} on {backend} gave {row['value']:.4g}, "
                    f"outside today's band [{lo:g}, {hi:g}]"
                )
    return problems


def declared_band(notebook: str, name: str, backend: str, profile: str = "quick"
                  ) -> tuple[str, tuple[float, float]] | None:
    """(band name, band) that ``notebook``'s declaration gives the figure ``name`` today for ``profile`` on
    ``backend``; a substitute's figure (``<declared name>_<data>``) gets the declared figure's substitute
    band. ``None`` where the declaration no longer names the figure."""
    from utils.ledger import declared

    try:
        figures = declared(notebook)
    except FileNotFoundError:
        return None
    substitute = name not in figures
    if substitute:
        name = next((f for f in figures if name.startswith(f + "_") and figures[f].substitute_bands), None)
        if name is None:
            return None
    return figures[name].band(profile, backend, substitute=substitute)


def _quick_band(notebook: str, name: str, backend: str) -> tuple[float, float] | None:
    found = declared_band(notebook, name, backend)
    return None if found is None else found[1]


def render(evidence: list[dict], band=_quick_band) -> str:
    """A markdown table: per figure, the quick band declared today, the evidence runs and their range, and
    whether that band holds them all (one row per backend where today's bands differ). ``band(notebook,
    name, backend)`` gives today's band; figures no declaration names any more are left out."""
    values = evidence_values(evidence)
    lines = [
        "| Notebook | Figure | Band today | Runs | Seeds | Backends | Min | Max | All in band |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (notebook, name), rows in sorted(values.items(), key=lambda kv: (_section_key(kv[0][0]), kv[0][1])):
        today = {b: band(notebook, name, b) for b in sorted({r["backend"] for r in rows})}
        if None in today.values():
            continue
        groups = [rows] if len(set(today.values())) == 1 else [
            [r for r in rows if r["backend"] == b] for b in today]
        for group in groups:
            newest = max(group, key=lambda r: r["date"])
            lo, hi = today[newest["backend"]]
            got = [r["value"] for r in group]
            held = all(lo <= v <= hi for v in got)
            label = (newest["description"] or name).replace("|", chr(92) + "|")
            lines.append(
                f"| {notebook} | {label} | [{_fmt(lo)}, {_fmt(hi)}] | {len(group)} | "
                f"{', '.join(sorted({str(r['seed']) for r in group}))} | "
                f"{', '.join(sorted({r['backend'] for r in group}))} | "
                f"{_fmt(min(got))} | {_fmt(max(got))} | {'yes' if held else '**no**'} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.bands", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    chk = sub.add_parser("check", help="the full bands against the seeds, today's quick bands against the evidence")
    chk.add_argument("--current", type=Path, default=RESULTS_DIR)
    sub.add_parser("report", help="write results/evidence/QUICK.md")
    args = parser.parse_args(argv)
    evidence = read_rows("quick", directory=EVIDENCE_DIR)
    if args.cmd == "report":
        out = EVIDENCE_DIR / "QUICK.md"
        out.write_text(
            "# Evidence for the quick-profile bands\n\n"
            "Generated by `python -m toolkit.bands report` from `results/evidence/quick.jsonl`: unsaved "
            "quick-profile runs of the notebooks under several seeds and backends "
            "(`python -m toolkit.runner run --profile quick --evidence --seeds ...`). `Band today` is the "
            "quick band the figure's declaration (`notebooks/figures/<section>.toml`) gives today, one row per "
            "backend where it differs; `make test` checks after nbval that the bands the notebooks assert "
            "still hold every value.\n\n" + render(evidence) + "\n",
            encoding="utf-8",
        )
        print(f"wrote {out.relative_to(REPO_ROOT)}")
        return 0
    full = read_rows("full")
    seeded = [r for r in latest_rows(full) if len(seed_values(full, r)) > 1]
    problems = against_seeds(full)
    print(f"full bands against the seeds: {len(seeded)} figures run under several seeds, "
          f"{len(problems)} value(s) outside")
    current = read_rows("quick", directory=args.current)
    if not current:
        print(f"no quick-profile rows in {args.current}: run `make nbval` first", file=sys.stderr)
        return 1
    quick = against_evidence(current, evidence)
    checked = {(r["notebook"], r["name"]) for r in latest_rows(current)} & set(evidence_values(evidence))
    print(f"quick bands against the evidence: {len(checked)} figures with evidence, {len(quick)} value(s) outside")
    for line in problems + quick:
        print(line, file=sys.stderr)
    return 1 if problems or quick else 0


if __name__ == "__main__":
    raise SystemExit(main())
