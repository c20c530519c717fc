"""5.2 in float32 against mixed_bfloat16: the stored float32 run and the bf16 run, figure by figure (#27).

Reads the rows of 5.2's stored full run (``results/full.jsonl``, its latest campaign) and of the bf16 run
kept here (``full.jsonl``, written by ``python -m toolkit.runner run --precision mixed_bfloat16``) and
prints one Markdown table: each figure, its full band, both values, and the seconds from the notebook's
start to the check that recorded it. A second table gives each training's time per step, the median and
quartiles over its epochs of what Keras printed (``100/100 - 26s - 256ms/step``), read from the stored
notebook and from the bf16 run's executed copy kept here: medians are what a machine that was busy now
and then (the float32 run shared its CPU with other work for part of its time) still measures fairly.
Run from the checkout::

    python results/evidence/bf16/compare.py > results/evidence/bf16/comparison.md
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def rows_of(path: Path, notebook: str = "5.2") -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("notebook") == notebook]
    if not rows:
        raise SystemExit(f"no {notebook} rows in {path}")
    last = rows[-1]["campaign"]
    return [r for r in rows if r["campaign"] == last]


NOTEBOOK = "05.2-using-convnets-with-small-datasets.ipynb"
TRAININGS = ("from scratch", "with augmentation and dropout")  # 5.2's two fits, in the notebook's order
STEP = re.compile(r"^\d+/\d+ - \d+s - (\d+)ms/step", re.M)


def step_times(path: Path) -> list[tuple[int, list[int]]]:
    """(epochs, ms per step of each epoch) for each cell of ``path`` that trained with verbose=2."""
    out = []
    for cell in nbformat.read(path, as_version=4).cells:
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        ms = [int(m) for m in STEP.findall(text)]
        if ms:
            out.append((len(ms), ms))
    return out


def quartiles(ms: list[int]) -> str:
    q1, q2, q3 = statistics.quantiles(ms, n=4)
    return f"{q2:.0f} ({q1:.0f}–{q3:.0f})"


def main() -> None:
    f32 = {r["name"]: r for r in rows_of(ROOT / "results" / "full.jsonl")}
    bf16 = {r["name"]: r for r in rows_of(HERE / "full.jsonl")}
    first = next(iter(bf16.values()))
    print(f"float32: stored run of {next(iter(f32.values()))['date'][:10]}, {next(iter(f32.values()))['device']}  ")
    print(f"bf16: run of {first['date'][:10]}, {first['device']}, precision {first.get('precision', 'float32')}\n")
    print("| Figure | Book | Full band | float32 | mixed_bfloat16 | bf16 − float32 | In band (bf16) "
          "| s to its check: float32 | bf16 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, b in bf16.items():
        f = f32.get(name)
        if f is None:
            continue
        book = "–" if b.get("book") is None else f"{b['book']:g}"
        print(f"| {name} | {book} | [{b['band'][0]:g}, {b['band'][1]:g}] | {f['value']:.4g} | {b['value']:.4g} | "
              f"{b['value'] - f['value']:+.3f} | {'yes' if b['in_band'] else '**no**'} | "
              f"{f['wall_time_s']:.0f} | {b['wall_time_s']:.0f} |")
    print("\n| Training | Epochs | ms per step, float32: median (quartiles) | mixed_bfloat16 | float32 ÷ bf16 |")
    print("|---|---|---|---|---|")
    f32_steps, bf16_steps = step_times(ROOT / "notebooks" / NOTEBOOK), step_times(HERE / NOTEBOOK)
    for name, (n, f), (m, b) in zip(TRAININGS, f32_steps, bf16_steps, strict=True):
        print(f"| {name} | {n} / {m} | {quartiles(f)} | {quartiles(b)} | "
              f"{statistics.median(f) / statistics.median(b):.2f}× |")


if __name__ == "__main__":
    main()
