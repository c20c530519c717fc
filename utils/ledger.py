"""Recording a notebook's figures: each is checked against its declared band and logged.

A notebook's figures are declared beside it, in ``notebooks/figures/<section>.toml``: the book's
value, a description, and the band each profile must hold (where the band came from goes in a
comment there). The notebook itself only names the figure and gives the value, in one closing cell::

    run.check(imdb_test_accuracy=test_acc, imdb_min_val_loss=min_val_loss)

``run.check`` records every figure, prints them beside the book's values, and then fails if any
lies outside its band. ``record(name, value)`` records one figure where a loop is clearer. A figure
whose training ``DLWP_EPOCH_CAP`` shortened names that training's epoch count,
``run.check(..., epochs=num_epochs)`` (or ``epochs={"figure": num_epochs}``): it is then held to its
``capped`` band (else the quick one) and marked in the ledger. Figures of other trainings are not.

A declaration looks like this (``full`` and ``quick`` are required; ``capped`` is the band of a full
run shortened by ``DLWP_EPOCH_CAP``; ``"quick@jax"`` overrides a band on one backend)::

    [imdb_test_accuracy]
    description = "IMDB Dense(16)x2 test accuracy after 4 epochs"
    book = 0.885
    chance = 0.5          # refused inside a band unless chance_reason says why
    full = [0.865, 0.900]
    quick = [0.850, 0.900]

A figure the book measured on data this run may lack says what it ``needs``; the bands of the data
that ran in its place go in a ``[name.substitute]`` table. ``run.check(..., substitute="jfk_weather_2013")``
then writes a "needs ..." row for the book's figure and records the value as ``name_<substitute>``.
A value of ``None`` records the figure as unavailable, with the reason ``needs``.

Each row goes to ``results/<profile>.jsonl`` (see :data:`ROW_FIELDS`). Reading, grouping and
reporting the rows is the maintainers' toolkit's job (``python -m toolkit.ledger``), not this module's.
"""

from __future__ import annotations

import json
import math
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import REPO_ROOT, profile
from .session import Run, current_run

__all__ = ["ROW_FIELDS", "SCHEMA", "Figure", "check", "declared", "figures_path", "fmt", "record", "validate_bands"]

SCHEMA = 2
# Every row has these fields; ``epoch_cap`` (a shortened run), ``unavailable`` (the reason) and ``precision``
# (a float policy other than float32, ``DLWP_PRECISION``) are optional.
ROW_FIELDS = (
    "schema", "notebook", "name", "description", "book", "profile", "band_name", "band", "value", "in_band",
    "seed", "backend", "device", "versions", "data", "date", "run", "campaign", "wall_time_s",
)
FIGURES_DIR = REPO_ROOT / "notebooks" / "figures"
_BAND_KEYS = (*profile.PROFILES, "capped")


def figures_path(notebook: str, folder: Path = FIGURES_DIR) -> Path:
    """Where the figures of ``notebook`` (a section such as ``"3.5"``) are declared."""
    return folder / f"{notebook}.toml"


def validate_bands(bands: Mapping[str, tuple[float, float]], where: str = "bands") -> None:
    """Refuse a band set that misses a profile, is empty, or cannot fail."""
    missing = [p for p in profile.PROFILES if p not in bands]
    if missing:
        raise ValueError(f"{where}: give a (low, high) band for every profile; missing: {missing}")
    for name, band in bands.items():
        if name.split("@", 1)[0] not in _BAND_KEYS:
            raise ValueError(f"{where}: unknown band {name!r} (use {', '.join(_BAND_KEYS)}, optionally @backend)")
        lo, hi = (float(b) for b in band)
        if math.isnan(lo) or math.isnan(hi) or lo > hi:
            raise ValueError(f"{where}: band {list(band)} for {name!r} is empty or not a number")
        if math.isinf(lo) and math.isinf(hi):
            raise ValueError(f"{where}: band {list(band)} for {name!r} cannot fail; give one finite bound")


@dataclass(frozen=True)
class Figure:
    """One declared figure: what it is, the book's value, and its bands."""

    name: str
    description: str
    bands: dict[str, tuple[float, float]]
    book: float | None = None
    chance: float | None = None
    chance_reason: str = ""
    needs: str = ""
    substitute_bands: dict[str, tuple[float, float]] = field(default_factory=dict)

    def band(self, profile_name: str, backend: str, substitute: bool = False) -> tuple[str, tuple[float, float]]:
        """(band name, band) for this run: the backend's own band first, then the profile's."""
        bands = self.substitute_bands if substitute else self.bands
        for key in (f"{profile_name}@{backend}", profile_name):
            if key in bands:
                return key.split("@", 1)[0], bands[key]
        if profile_name == "capped":
            return self.band("quick", backend, substitute)
        raise KeyError(profile_name)


def _figure(name: str, spec: dict, where: str) -> Figure:
    known = {"description", "book", "chance", "chance_reason", "needs", "substitute", *_BAND_KEYS}
    unknown = [k for k in spec if k not in known and k.split("@", 1)[0] not in _BAND_KEYS]
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown}")
    bands = {k: tuple(v) for k, v in spec.items() if k.split("@", 1)[0] in _BAND_KEYS}
    validate_bands(bands, where)
    sub = {k: tuple(v) for k, v in spec.get("substitute", {}).items()}
    if sub:
        validate_bands(sub, f"{where}.substitute")
        if not spec.get("needs"):
            raise ValueError(f"{where}: a figure with substitute bands must say what it needs")
    chance, reason = spec.get("chance"), spec.get("chance_reason", "")
    if chance is not None and not reason.strip():
        blind = [k for k, (lo, hi) in (bands | {f"substitute.{k}": b for k, b in sub.items()}).items()
                 if lo <= chance <= hi]
        if blind:
            raise ValueError(
                f"{where}: the {', '.join(blind)} band(s) contain the chance level {chance:g}, so a run that "
                "learned nothing would pass; narrow the band from measured runs, or give chance_reason"
            )
    return Figure(name=name, description=spec.get("description", ""), bands=bands, book=spec.get("book"),
                  chance=chance, chance_reason=reason, needs=spec.get("needs", ""), substitute_bands=sub)


def declared(notebook: str, path: Path | None = None) -> dict[str, Figure]:
    """The figures declared for ``notebook``, checked (a band that cannot fail is refused here)."""
    path = path or figures_path(notebook)
    if not path.exists():
        raise FileNotFoundError(f"{notebook} declares no figures: {path} is missing")
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: _figure(name, body, f"{path.name} [{name}]") for name, body in spec.items()}


def _data(run: Run) -> dict[str, str]:
    """Where each dataset came from: those named at start, then any the notebook loaded since."""
    from .data import store

    return run.data | {k: v for k, v in store.sources().items() if k not in run.data}


def _policy_held(run: Run) -> None:
    """Refuse to record a run asked to compute in a mixed precision once Keras has left it:
    ``keras.backend.clear_session()`` resets the policy to float32, and the row would then name a precision
    that did not compute the figure. A float32 run names none, and may move to float64 on purpose
    (``utils.gradients.allow_float64``)."""
    keras = sys.modules.get("keras")  # no Keras imported: nothing was computed with it
    if run.precision == "float32" or keras is None:
        return
    now = keras.mixed_precision.global_policy().name
    if now != run.precision:
        raise RuntimeError(
            f"{run.notebook} started in {run.precision} (DLWP_PRECISION) but Keras now computes in {now}: "
            "a keras.backend.clear_session() resets the float policy. Run this notebook in float32 "
            "(unset DLWP_PRECISION), or set the policy again after clearing the session."
        )


def _row(run: Run, name: str, book, description: str) -> dict:
    row = {
        "schema": SCHEMA,
        "notebook": run.notebook,
        "name": name,
        "description": description,
        "book": book,
        "profile": run.profile,
        "seed": run.seed,
        "backend": run.backend,
        "device": run.device,
        "versions": run.versions,
        "data": _data(run),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "run": run.run_id,
        "campaign": run.campaign or run.run_id,
        "wall_time_s": round(run.elapsed(), 1),
    }
    if run.precision != "float32":  # a row without the field ran in float32, Keras's default
        row["precision"] = run.precision
    return row


def _append(run: Run, row: dict) -> None:
    out = run.results_dir / f"{row['profile']}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, sort_keys=True) + "\n")
    run.rows.append(row)


def record(name: str, value: float | None, *, substitute: str | None = None, description: str | None = None,
           epochs: int | None = None, run: Run | None = None, strict: bool = True) -> dict:
    """Record the declared figure ``name``; return its row. Raises AssertionError if the value is
    outside its band (after writing the row), unless ``strict=False``.

    ``substitute`` names the data that ran in place of what the figure ``needs`` (``None``: the
    official data ran). ``value=None`` records the figure as unavailable. ``description`` overrides
    the declared one for this row (e.g. to name a size the run chose). ``epochs`` is the epoch count of
    the training that produced the figure (``utils.profile.epochs``): if a cap shortened it, the figure
    is held to its ``capped`` band.
    """
    run = run or current_run()
    _policy_held(run)
    path = figures_path(run.notebook, run.figures_dir)
    figures = declared(run.notebook, path)
    if name not in figures:
        raise KeyError(f"{name!r} is not declared in {path}")
    fig = figures[name]
    text = description or fig.description
    if value is None or (substitute and fig.needs):
        if not fig.needs:
            raise ValueError(f"{name}: no value, and the declaration says nothing about what it needs")
        row = _row(run, name, fig.book, text)
        row.update(band_name=None, band=None, value=None, in_band=None, unavailable=f"needs {fig.needs}")
        _append(run, row)
        if value is None:
            return row
        name, text = f"{name}_{substitute}", f"{text} ({substitute})"
    row = _row(run, name, None if (substitute and fig.needs) else fig.book, text)
    band_profile = run.profile
    if getattr(epochs, "shortened", False):  # its training was shortened: the "capped" band, else quick
        band_profile = "capped"
        row["epoch_cap"] = int(epochs)
        row["epochs_asked"] = epochs.asked
    band_name, (lo, hi) = fig.band(band_profile, run.backend, substitute=bool(substitute and fig.needs))
    value = float(value)
    row.update(band_name=band_name, band=[float(lo), float(hi)], value=value, in_band=bool(lo <= value <= hi))
    _append(run, row)
    assert row["in_band"] or not strict, (
        f"{name} = {value:.4g} is outside the {band_name} band [{lo:g}, {hi:g}]"
        + (f" (book: {fig.book:g})" if fig.book is not None else "")
        + ". Either the run went wrong or the band needs evidence-based revision."
    )
    return row


def fmt(x) -> str:
    """A figure as the report and run.check print it: 4 significant digits, tiny values in e-notation."""
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.4g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"
    return str(x)


def check(run: Run, figures: Mapping[str, float | None], *, substitute: str | None = None,
          epochs: int | Mapping[str, int] | None = None) -> list[dict]:
    """Record each of ``figures``, print them beside the book's values, then fail if any is outside its band.
    ``epochs``: the epoch count of the training behind all of them, or a mapping figure -> epoch count."""
    def trained(name):
        return epochs.get(name) if isinstance(epochs, Mapping) else epochs

    if isinstance(epochs, Mapping) and (unknown := set(epochs) - set(figures)):
        raise KeyError(f"epochs names figures this check does not record: {sorted(unknown)}")
    rows = [record(name, value, substitute=substitute, epochs=trained(name), run=run, strict=False)
            for name, value in figures.items()]
    shown = [r for r in rows if r.get("value") is not None or r.get("unavailable")]
    width = max(len(r["name"]) for r in shown)
    print(f"{'figure':<{width}}  {'ours':>9}  {'book':>9}  band ({run.profile})")
    for r in shown:
        if r.get("unavailable"):
            print(f"{r['name']:<{width}}  {'–':>9}  {fmt(r['book']):>9}  {r['unavailable']}")
            continue
        mark = "ok" if r["in_band"] else "OUTSIDE"
        band = f"[{fmt(r['band'][0])}, {fmt(r['band'][1])}]" + (" capped" if r["band_name"] == "capped" else "")
        print(f"{r['name']:<{width}}  {fmt(r['value']):>9}  {fmt(r['book']):>9}  {band:<22} {mark}")
    outside = [r for r in rows if r.get("in_band") is False]
    assert not outside, "outside the band: " + "; ".join(
        f"{r['name']} = {r['value']:.4g} not in [{r['band'][0]:g}, {r['band'][1]:g}]" for r in outside
    ) + ". Either the run went wrong or the band needs evidence-based revision."
    return rows
