"""Run notebooks top to bottom in a fresh kernel and save them with their outputs.

``make reproduce`` uses this with the full profile; maintainers use it to refresh
a notebook's committed outputs after editing it::

    python -m toolkit.runner run --profile full notebooks/03.5-*.ipynb
    python -m toolkit.runner run --profile full --backend jax notebooks/05.2-*.ipynb   # a GPU machine
    python -m toolkit.runner from-script draft.py notebooks/03.5-classifying-movie-reviews.ipynb
    python -m toolkit.runner tidy notebooks/*.ipynb    # fold stored progress-bar frames (stored runs do it)

The kernel gets the user-facing settings as environment variables (``DLWP_PROFILE``,
``DLWP_SEED``, ``KERAS_BACKEND``); where the rows go and which multi-seed campaign the run joins
reach it as arguments of ``utils.session.configure``, in a cell run before the notebook's own and
never saved. When the run to store fails, the notebook keeps its old outputs and the failed
campaign's ledger rows go to ``results/evidence/`` (:func:`toolkit.ledger.set_aside`). On a CPU,
the rows of the runs it made name the CPU as the stored run's stamp does (:func:`cpu_words`), where
``utils`` wrote only the core count (:func:`toolkit.ledger.name_the_cpu`).

``from-script`` turns a "percent" script (cells separated by ``# %%`` lines,
``# %% [markdown]`` for prose whose lines start with ``# ``) into a notebook
without outputs, a convenient way to draft a notebook as plain text.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from utils.profile import PRECISION_ENV_VAR as PRECISION_ENV
from utils.profile import PRECISIONS

from . import EVIDENCE_DIR, RESULTS_DIR, shown

__all__ = ["collapse_progress", "cpu_words", "execute_notebook", "from_script", "kernel_env", "run_notebook", "stamp_run"]

PROFILE_ENV, SEED_ENV, CAP_ENV = "DLWP_PROFILE", "DLWP_SEED", "DLWP_EPOCH_CAP"  # utils.profile, utils.seeding
# Keras's float policy for a whole run (``--precision``), read by ``utils.profile.precision``: the option
# for long full runs on hardware with bf16 units (``results/evidence/bf16/``); float32 by default.
DEFAULT_PRECISION = PRECISIONS[0]
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _set_env(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@contextmanager
def kernel_env(**values: str | None) -> Iterator[None]:
    """Set environment variables for the kernels started inside the block (``None`` unsets one; a kernel
    inherits this process's environment when it starts) and restore every one of them afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    _set_env(values)
    try:
        yield
    finally:
        _set_env(saved)


def _settings_cell(results_dir: Path | None, campaign: str) -> str:
    args = []
    if results_dir is not None:
        args.append(f"results_dir={str(results_dir)!r}")
    if campaign:
        args.append(f"campaign={campaign!r}")
    return f"import utils.session\nutils.session.configure({', '.join(args)})"


def execute_notebook(
    nb,
    folder: Path,
    profile_name: str,
    timeout: int | None = None,
    backend: str | None = None,
    *,
    seed: int | None = None,
    campaign: str = "",
    results_dir: Path | None = None,
    precision: str = DEFAULT_PRECISION,
) -> float:
    """Execute the notebook ``nb`` (an ``nbformat`` node, changed in place) in a fresh kernel whose
    working folder is ``folder``; return wall seconds. Raises nbclient's ``CellExecutionError`` when a
    cell fails. The arguments are :func:`run_notebook`'s; ``toolkit.matrix`` calls this on a worker."""
    import nbformat
    from nbclient import NotebookClient

    if precision not in PRECISIONS:
        raise ValueError(f"precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    injected = bool(campaign or results_dir is not None)
    if injected:
        nb.cells.insert(0, nbformat.v4.new_code_cell(_settings_cell(results_dir, campaign)))
    env = {
        PROFILE_ENV: profile_name,
        PRECISION_ENV: precision,  # utils.start applies it; the rows and the banner say which ran
        # Stored outputs must show the plots: an inherited MPLBACKEND=Agg (as `make test` sets) would leave
        # "<Figure ...>" text where readers expect a picture.
        "MPLBACKEND": INLINE_BACKEND,
    }
    if backend:
        env["KERAS_BACKEND"] = backend
    if seed is not None:
        env[SEED_ENV] = str(seed)
    t0 = time.perf_counter()
    try:
        with kernel_env(**env):
            client = NotebookClient(
                nb,
                timeout=timeout if timeout else -1,
                kernel_name="python3",
                resources={"metadata": {"path": str(folder)}},
                record_timing=False,
            )
            client.execute()
    finally:
        elapsed = time.perf_counter() - t0
    if injected:
        del nb.cells[0]
        for cell in nb.cells:  # number the notebook's own cells from 1 again
            if cell.cell_type == "code" and cell.get("execution_count"):
                cell.execution_count -= 1
                for out in cell.get("outputs", []):
                    if out.get("execution_count"):
                        out["execution_count"] -= 1
    return elapsed


def cpu_words(cpuinfo: str, cores: int | None, onednn: bool = False) -> str:
    """The CPU a run used, in words, from the text of ``/proc/cpuinfo``: "CPU (2 cores, AMD EPYC, AVX2)".

    5.2's training step measured 1.4 to 2.6 times slower on one session's AVX2 CPU than on another's
    AVX-512 one (``results/evidence/onednn/``), so the model and that unit (AVX-512, with bf16 and AMX where
    present, or AVX2) go with the time; ``onednn`` adds "oneDNN on" for a TensorFlow run that turned
    TensorFlow's oneDNN kernels on (``utils`` leaves them off by default). Unknown parts are left out."""
    model, flags = "", set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and not model:
            model = " ".join(value.split())
        elif key.strip() == "flags" and not flags:
            flags = set(value.split())
    if "avx512f" in flags:
        isa = " ".join(["AVX-512"] + ["bf16"] * ("avx512_bf16" in flags) + ["AMX"] * ("amx_tile" in flags))
    else:
        isa = "AVX2" if "avx2" in flags else ""
    parts = [f"{cores} cores" if cores else "", model, isa, "oneDNN on" if onednn else ""]
    return "CPU (" + ", ".join(p for p in parts if p) + ")"


def _device_words(backend: str) -> str:
    if shutil.which("nvidia-smi"):
        return "GPU"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: the core count alone
        cpuinfo = ""
    onednn = backend == "tensorflow" and os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "1"
    return cpu_words(cpuinfo, os.cpu_count(), onednn)


def _as_shown(line: str) -> str:
    """One line of a stream as a terminal shows it: each carriage return writes over the line from its
    start (tqdm redraws its bar that way and clears it with spaces)."""
    if "\r" not in line:
        return line
    end = "\n" if line.endswith("\n") else ""
    shown = ""
    for part in line.removesuffix("\n").split("\r"):
        shown = part + shown[len(part):]
    shown = shown.rstrip()
    return shown + end if shown else ""


def collapse_progress(nb) -> int:
    """Keep of each progress bar only what Jupyter shows: in a cell whose streams hold carriage returns,
    merge consecutive stream outputs of one name (stdout, stderr) and write each line's frames over one
    another; drop a stream left empty (a bar cleared at its end). Changes ``nb`` in place; returns how
    many stream outputs went."""
    def merge(outputs: list) -> list:
        merged: list = []
        for out in outputs:
            if (out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == out.get("name")):
                merged[-1]["text"] += out["text"]
            else:
                merged.append(out)
        return merged

    removed = 0
    for cell in nb.cells:
        outputs = cell.get("outputs") or []
        if not any(o.get("output_type") == "stream" and "\r" in o["text"] for o in outputs):
            continue  # no progress bar: the outputs stay as the kernel sent them
        merged = merge(outputs)
        for out in merged:
            if out.get("output_type") == "stream" and "\r" in out["text"]:
                lines = out["text"].split("\n")  # not splitlines(), which also splits at each "\r"
                out["text"] = "".join(_as_shown(line + "\n") for line in lines[:-1]) + _as_shown(lines[-1])
        kept = merge([o for o in merged if not (o.get("output_type") == "stream" and not o["text"])])
        removed += len(outputs) - len(kept)
        cell["outputs"] = kept
    return removed


def name_the_cpu(profile_name: str, before: set[str], backend: str | None, results_dir: Path) -> int:
    """Name this machine's CPU (:func:`cpu_words`) on the ledger rows of the runs made since ``before``
    (the run ids there before the run started): ``utils`` writes only the core count."""
    from . import ledger

    device = _device_words(backend or os.environ.get("KERAS_BACKEND", "tensorflow"))
    if not device.startswith("CPU"):
        return 0
    return ledger.name_the_cpu(profile_name, ledger.run_ids(profile_name, results_dir) - before, device, results_dir)


def stamp_run(nb, profile_name: str, backend: str | None, seconds: float,
              precision: str = DEFAULT_PRECISION) -> None:
    """Note the stored run in ``nb``'s metadata (read by the syllabus, ``toolkit.course``): its profile,
    backend, device (for a CPU, :func:`cpu_words`), total time and a float policy other than float32;
    drop widget state and progress-bar frames (:func:`collapse_progress`)."""
    backend = backend or os.environ.get("KERAS_BACKEND", "tensorflow")
    nb.metadata.pop("widgets", None)
    collapse_progress(nb)
    nb.metadata["dlwp_run"] = {
        "profile": profile_name,
        "backend": backend,
        "device": _device_words(backend),
        "epoch_cap": os.environ.get(CAP_ENV) or None,
        "seconds": round(seconds, 1),
    }
    if precision != DEFAULT_PRECISION:
        nb.metadata["dlwp_run"]["precision"] = precision


def run_notebook(
    path: Path,
    profile_name: str,
    timeout: int | None = None,
    backend: str | None = None,
    *,
    seed: int | None = None,
    campaign: str = "",
    results_dir: Path | None = None,
    save: bool = True,
    precision: str = DEFAULT_PRECISION,
    copy_to: Path | None = None,
) -> float:
    """Execute ``path`` (fresh kernel, cwd = its folder) and save it in place; return wall seconds.

    ``backend`` (``jax``, ``torch``, ``tensorflow``) sets ``KERAS_BACKEND`` for the kernel and ``seed``
    its ``DLWP_SEED``; ``campaign`` is the multi-seed id its ledger rows carry and ``results_dir``
    where they go (default ``results/``), ``precision`` Keras's float policy for the whole run. With
    ``save=False`` the notebook runs (and records its figures) but the file is left as it was;
    ``copy_to`` (a folder) then keeps the executed copy there, under the notebook's name.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    elapsed = execute_notebook(nb, path.parent, profile_name, timeout, backend,
                               seed=seed, campaign=campaign, results_dir=results_dir, precision=precision)
    if save or copy_to is not None:
        stamp_run(nb, profile_name, backend, elapsed, precision)
    if save:
        nbformat.write(nb, path)
    elif copy_to is not None:
        copy_to.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, copy_to / path.name)
    return elapsed


def from_script(src: Path, dest: Path) -> None:
    """Convert a percent-format script into a notebook (no outputs)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = []
    kind, buf = None, []

    def flush():
        if kind is None:
            return
        text = "\n".join(buf).strip("\n")
        if kind == "markdown":
            lines = [ln[2:] if ln.startswith("# ") else ln[1:] if ln.startswith("#") else ln for ln in text.split("\n")]
            cells.append(new_markdown_cell("\n".join(lines)))
        elif text.strip():
            cells.append(new_code_cell(text))

    for line in src.read_text(encoding="utf-8").split("\n"):
        if line.startswith("# %%"):
            flush()
            kind, buf = ("markdown" if "[markdown]" in line else "code"), []
        else:
            buf.append(line)
    flush()
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, dest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.runner")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="execute notebooks in place, top to bottom, in a fresh kernel")
    run.add_argument("paths", nargs="*", type=Path)
    run.add_argument("--profile", default=os.environ.get(PROFILE_ENV, "full"), choices=("full", "quick"))
    run.add_argument("--timeout", type=int, default=None, help="per-cell timeout in seconds (default none)")
    run.add_argument("--backend", choices=("tensorflow", "jax", "torch"), default=None,
                     help="Keras backend for the kernels (default: KERAS_BACKEND, else tensorflow)")
    run.add_argument("--seeds", nargs="+", default=None,
                     help="run each notebook once per seed; outputs are stored from the first seed only, "
                          "and the report shows the spread (make reproduce SEEDS=\"42 1 2\")")
    run.add_argument("--add-seeds", nargs="+", default=None,
                     help="run each notebook once per seed without saving it, the runs joining the stored "
                          "run's figures in the report (make reproduce ADD_SEEDS=\"1 2\")")
    run.add_argument("--evidence", action="store_true",
                     help="evidence for the bands: save no notebook and write the ledger rows to "
                          "results/evidence/ (committed; see toolkit.bands)")
    run.add_argument("--precision", choices=PRECISIONS, default=os.environ.get(PRECISION_ENV) or DEFAULT_PRECISION,
                     help="Keras's float policy for the whole run (DLWP_PRECISION, default float32); the rows "
                          "and the stamp say which ran, and a notebook that resets the policy fails the run")
    run.add_argument("--copy-to", type=Path, default=None,
                     help="with --evidence or --results-dir: keep each executed notebook in this folder")
    run.add_argument("--results-dir", type=Path, default=None,
                     help="read and write the ledger rows in this folder instead of results/, saving no notebook "
                          "(a trial run)")
    tidy = sub.add_parser("tidy", help="keep of each stored progress bar its last frame (what a stored run does)")
    tidy.add_argument("paths", nargs="+", type=Path)
    conv = sub.add_parser("from-script", help="convert a percent-format script into a notebook")
    conv.add_argument("src", type=Path)
    conv.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "run":  # `--seeds 42 1 2 notebooks/x.ipynb`: the list stops at the first non-number
        for name in ("seeds", "add_seeds"):
            tokens = getattr(args, name)
            if tokens:
                numbers = [t for t in tokens if t.lstrip("-").isdigit()]
                args.paths += [Path(t) for t in tokens[len(numbers):]]
                if not numbers or any(not t.lstrip("-").isdigit() for t in tokens[:len(numbers)]):
                    parser.error(f"--{name.replace('_', '-')} needs whole numbers first, got {tokens}")
                setattr(args, name, [int(t) for t in numbers])
        if not args.paths:
            parser.error("give at least one notebook")

    if args.cmd == "tidy":
        import nbformat

        for path in args.paths:
            nb = nbformat.read(path, as_version=4)
            removed = collapse_progress(nb)
            if removed:
                nbformat.write(nb, path)
                print(f"{shown(path)}: {removed} progress-bar output(s) folded into their last frame")
        return 0

    if args.cmd == "from-script":
        from_script(args.src, args.dest)
        print(f"wrote {args.dest}")
        return 0

    if args.seeds and args.add_seeds:
        parser.error("give --seeds (a new campaign) or --add-seeds (join the stored run), not both")
    if args.evidence and args.add_seeds:
        parser.error("--evidence runs are their own record; give --seeds, not --add-seeds")
    if args.evidence and args.results_dir:
        parser.error("--evidence writes to results/evidence/; give --results-dir only for a trial run")
    # A stored run's rows go to results/ (named, so that a failed one can be found and set aside).
    # Resolved here: the kernel runs in the notebook's folder, where a relative path would land elsewhere.
    results_dir = (EVIDENCE_DIR if args.evidence else args.results_dir or RESULTS_DIR).resolve()
    if args.copy_to:
        args.copy_to = args.copy_to.resolve()
    storing = not (args.add_seeds or args.evidence or args.results_dir)
    if args.copy_to and storing:
        parser.error("--copy-to keeps the executed copy of a run that is not stored: add --evidence or --results-dir")
    failed = []
    timings = []
    seeds = args.add_seeds or args.seeds or [None]
    from . import ledger

    for path in args.paths:
        where = shown(path)
        campaign = time.strftime("%Y%m%dT%H%M%S") + f"-{path.stem[:12]}" if args.seeds or storing else ""
        if args.add_seeds:
            from . import course

            section = course.section_of(path)
            stored = ledger.stored_run(ledger.read_rows(args.profile, results_dir), section)
            if stored is None:
                failed.append(f"{where} (no stored {args.profile} run of {section} in the ledger to add seeds to)")
                continue
            campaign = stored["campaign"]  # the added seeds join the stored run's campaign
        stored_failed = False
        for i, seed in enumerate(seeds):
            stored_here = i == 0 and storing
            label = where + (f" (seed {seed}{', outputs stored' if stored_here else ''})" if seed is not None else "")
            print(f"[{args.profile}] {label} ...", flush=True)
            before = ledger.run_ids(args.profile, results_dir)
            try:
                seconds = run_notebook(path, args.profile, args.timeout, args.backend,
                                       seed=seed, campaign=campaign, results_dir=results_dir, save=stored_here,
                                       precision=args.precision, copy_to=args.copy_to)
            except Exception as exc:  # keep going; report at the end
                name_the_cpu(args.profile, before, args.backend, results_dir)
                failed.append(label)
                stored_failed = stored_failed or stored_here
                print(f"    FAILED: {type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}")
                continue
            name_the_cpu(args.profile, before, args.backend, results_dir)
            timings.append((label, seconds))
            print(f"    ok in {seconds:.1f} s", flush=True)
        if stored_failed:  # the notebook keeps its old outputs: this campaign is evidence, not a stored run
            moved = ledger.set_aside(args.profile, campaign, RESULTS_DIR, EVIDENCE_DIR)
            print(f"    the run to store failed: its campaign's {moved} ledger row(s) moved to "
                  f"{shown(EVIDENCE_DIR / f'{args.profile}.jsonl')}", flush=True)
    if timings:
        print("\nwall time per notebook:")
        for name, seconds in timings:
            print(f"  {seconds:8.1f} s  {name}")
    if failed:
        print(f"\n{len(failed)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
