"""The run matrix: (notebook, profile, seed, backend) jobs on a Dask cluster, results back to this checkout.

::

    python -m toolkit.matrix run --profile quick --backends tensorflow jax torch --seeds 42 1 2 --evidence \\
        notebooks/02.*.ipynb
    python -m toolkit.matrix run --profile full --backends jax --seeds 42 1 2 --gpu \\
        --scheduler tcp://head:8786 notebooks/08.4-*.ipynb

Without ``--scheduler`` the jobs run on a local cluster of this machine, one worker process per core
(``--workers N``; with ``--gpu``, one worker offering ``GPU=1``). With it, they go to the workers of that
Dask scheduler (``dask scheduler``; ``dask worker tcp://head:8786 --nthreads 1 --nworkers N
[--resources GPU=1]``, started from the root of a checkout with ``utils`` installed). ``--gpu`` jobs ask
for the worker resource ``GPU=1``, so they land only on workers that offer it. Scheduling, placement and
retries are Dask's.

Each job executes one notebook with :func:`toolkit.runner.execute_notebook` on its worker, in a fresh
kernel, from the notebook's JSON as the client sent it (an uncommitted edit to the notebook travels; one to
``utils/`` does not: the worker's checkout must be at the client's commit, checked by each job). Its
ledger rows go to a private temporary folder on the worker and come back with the result; so does the
executed notebook, for the stored run only. The client alone writes:

- the executed notebook in place, for the stored run as ``toolkit.runner`` chooses it (the first seed,
  here of the first backend; none with ``--evidence`` or ``--results-dir``);
- each notebook's ledger rows, once all its jobs are done, to ``results/<profile>.jsonl``,
  ``results/evidence/`` (``--evidence``) or ``--results-dir``: one campaign per (notebook, backend),
  seeds in the order given, the first backend's campaign last so that the report shows the stored run.

A failed job prints its error (the cell's exception); the other jobs' results are kept; the exit status
is then 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import EVIDENCE_DIR, REPO_ROOT, RESULTS_DIR, shown

__all__ = ["Job", "JobResult", "checkout_commit", "ledger_order", "main", "run_job", "run_matrix", "split_failed_stored"]

BACKENDS = ("tensorflow", "jax", "torch")
GPU = {"GPU": 1}  # the worker resource a --gpu job asks for (`dask worker ... --resources GPU=1`)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Job:
    """One cell of the matrix, as sent to a worker."""

    path: str  # the notebook as the client names it (for messages)
    folder: str  # its folder: relative to the checkout's root, or absolute when outside the checkout
    source: str  # the notebook's JSON
    profile: str
    seed: int
    backend: str
    campaign: str
    save: bool  # the stored run: send the executed notebook back
    commit: str | None  # the client's `git rev-parse HEAD`; None: not checked
    timeout: int | None = None  # per cell, seconds

    @property
    def label(self) -> str:
        return f"{self.path} ({self.backend}, seed {self.seed}{', outputs stored' if self.save else ''})"


@dataclass
class JobResult:
    """What comes back from a worker: the rows the run wrote, the executed notebook (stored run only)."""

    rows: list[dict] = field(default_factory=list)
    notebook: str | None = None
    seconds: float = 0.0
    error: str | None = None  # "Name: message" of the exception that stopped the run
    details: str | None = None  # its full text (the failing cell and the traceback)
    worker: str = ""


def checkout_commit(root: Path = REPO_ROOT) -> str | None:
    """``git rev-parse HEAD`` of the checkout at ``root``, or ``None`` outside a git checkout."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _check_worker(commit: str | None) -> None:
    """Refuse to run on a checkout at another commit, or on a worker running jobs side by side in threads
    (a run sets environment variables for its kernel, which are one per process)."""
    here = socket.gethostname()
    if commit is not None:
        mine = checkout_commit()
        if mine != commit:
            raise RuntimeError(f"the worker on {here} has its checkout {REPO_ROOT} at "
                               f"{mine[:12] if mine else 'no git commit'}, the client at {commit[:12]}: "
                               "check out the same commit on every machine")
    try:
        from distributed import get_worker

        threads = get_worker().state.nthreads
    except (ImportError, ValueError):  # not inside a Dask worker (a direct call)
        return
    if threads > 1:
        raise RuntimeError(f"the worker on {here} runs {threads} threads: start workers with --nthreads 1")


def run_job(job: Job) -> JobResult:
    """Execute ``job`` on this machine (a Dask worker): the notebook in a fresh kernel, its rows to a
    private folder; return them, the executed notebook when ``job.save``, or the error that stopped it."""
    import nbformat

    from .ledger import BARE_CPU
    from .runner import _device_words, execute_notebook, stamp_run

    _check_worker(job.commit)
    folder = REPO_ROOT / job.folder  # an absolute folder stays as it is
    if not folder.is_dir():  # a notebook from outside this machine's checkout runs beside the course's
        folder = REPO_ROOT / "notebooks"
    nb = nbformat.reads(job.source, as_version=4)
    result = JobResult(worker=socket.gethostname())
    with tempfile.TemporaryDirectory(prefix="dlwp-matrix-") as tmp:
        t0 = time.perf_counter()
        try:
            result.seconds = execute_notebook(nb, folder, job.profile, job.timeout, job.backend,
                                              seed=job.seed, campaign=job.campaign, results_dir=Path(tmp))
        except Exception as exc:  # the cell's error goes back to the client, with the rows written before it
            result.seconds = time.perf_counter() - t0
            result.details = _ANSI.sub("", str(exc)).strip()
            if hasattr(exc, "ename"):  # nbclient's CellExecutionError: the exception raised in the kernel
                result.error = f"{exc.ename}: {_ANSI.sub('', str(exc.evalue)).strip()}"
            else:
                result.error = f"{type(exc).__name__}: {result.details.splitlines()[-1] if result.details else ''}"
        for ledger in sorted(Path(tmp).glob("*.jsonl")):
            result.rows += [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines() if line.strip()]
    cpu = _device_words(job.backend)  # this worker's CPU, as the runner names it (toolkit.ledger.name_the_cpu)
    if cpu.startswith("CPU"):
        result.rows = [row | {"device": cpu} if BARE_CPU.fullmatch(str(row.get("device", ""))) else row
                       for row in result.rows]
    if job.save and result.error is None:
        stamp_run(nb, job.profile, job.backend, result.seconds)
        result.notebook = nbformat.writes(nb)
    return result


def ledger_order(jobs: list[Job], results: list[JobResult], backends: list[str], seeds: list[int]) -> list[dict]:
    """One notebook's rows as they go to the ledger: the first backend's campaign last (it holds the
    stored run, which the report shows: the first run of the latest campaign), seeds in the order given.
    Jobs of one notebook run side by side and may start in the same second, which is a run's id
    (``utils.session.Run.run_id``): a repeated id gets a suffix, so that each run stays one run."""
    order = sorted(range(len(jobs)), key=lambda i: (-backends.index(jobs[i].backend), seeds.index(jobs[i].seed)))
    taken: set[str] = set()
    out = []
    for i in order:
        renamed: dict[str, str] = {}
        for row in results[i].rows:
            run = str(row["run"])
            if run not in renamed:
                new, n = run, 1
                while new in taken:
                    n += 1
                    new = f"{run}#{n}"
                renamed[run] = new
            out.append(row | {"run": renamed[run]})
        taken.update(renamed.values())
    return out


def split_failed_stored(jobs: list[Job], results: list[JobResult], rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """``rows`` as (for the ledger, for the evidence file): when the job that was to store its notebook
    failed, the notebook keeps its old outputs, so its campaign's rows are evidence for the bands and
    must not become the campaign the report shows (as ``toolkit.runner`` does with ``ledger.set_aside``)."""
    failed = {job.campaign for job, result in zip(jobs, results, strict=True) if job.save and result.error}
    return [r for r in rows if r["campaign"] not in failed], [r for r in rows if r["campaign"] in failed]


def _write_rows(rows: list[dict], directory: Path) -> None:
    for row in rows:
        out = directory / f"{row['profile']}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, sort_keys=True) + "\n")


def run_matrix(
    paths: list[Path],
    profile_name: str,
    backends: list[str],
    seeds: list[int],
    *,
    evidence: bool = False,
    results_dir: Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    gpu: bool = False,
    timeout: int | None = None,
) -> list[tuple[Job, JobResult]]:
    """Run every (notebook, seed, backend) job on the cluster and write what comes back (see the module's
    doc); return the failed jobs with their results."""
    from distributed import Client, LocalCluster, as_completed

    directory = EVIDENCE_DIR if evidence else results_dir or RESULTS_DIR
    stored = not evidence and results_dir is None
    commit = checkout_commit()
    if commit is None:
        print("note: not a git checkout; the workers' commit is not checked", file=sys.stderr)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    jobs: list[Job] = []
    owner: list[int] = []  # jobs[i] runs paths[owner[i]]
    for p, path in enumerate(paths):
        full = path.resolve()
        folder = full.parent.relative_to(REPO_ROOT) if full.is_relative_to(REPO_ROOT) else full.parent
        source = path.read_text(encoding="utf-8")
        for b, backend in enumerate(backends):
            campaign = f"{stamp}-{path.stem[:12]}-{backend}"
            for s, seed in enumerate(seeds):
                jobs.append(Job(shown(path), str(folder), source, profile_name, seed, backend, campaign,
                                save=stored and b == 0 and s == 0, commit=commit, timeout=timeout))
                owner.append(p)

    if scheduler:
        cluster = None
        client = Client(scheduler)
        # The scheduler unpickles the jobs too, so it needs this package (a lambda travels by value).
        if not client.run_on_scheduler(lambda: __import__("importlib.util").util.find_spec("toolkit") is not None):
            client.close()
            raise SystemExit(f"the scheduler at {scheduler} cannot import toolkit: start `dask scheduler` (and "
                             "each `dask worker`) from the root of a checkout with PYTHONPATH=.")
        offered = [w for w in client.scheduler_info(n_workers=-1)["workers"].values() if w.get("resources", {}).get("GPU")]
        if gpu and not offered:
            client.close()
            raise SystemExit(f"no worker of {scheduler} offers GPU: start GPU workers with --resources GPU=1")
    else:
        n = workers or (1 if gpu else os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               resources=GPU if gpu else None, dashboard_address=":0")
        client = Client(cluster)
    print(f"{len(jobs)} job(s) on {len(client.scheduler_info(n_workers=-1)['workers'])} worker(s) "
          f"({scheduler or 'local cluster'}; dashboard {client.dashboard_link})", flush=True)

    results: dict[int, JobResult] = {}
    pending = [len(backends) * len(seeds)] * len(paths)
    failed: list[tuple[Job, JobResult]] = []
    try:
        futures = {client.submit(run_job, job, resources=GPU if gpu else None, pure=False): i
                   for i, job in enumerate(jobs)}
        for done, future in enumerate(as_completed(futures), start=1):
            i = futures[future]
            job = jobs[i]
            if future.status == "error":  # raised outside the notebook: the commit check, a lost worker
                exc = future.exception()
                result = JobResult(error=f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}", details=str(exc))
            else:
                result = future.result()
            results[i] = result
            if result.error:
                failed.append((job, result))
                print(f"[{done}/{len(jobs)}] FAILED {job.label} after {result.seconds:.1f} s"
                      f"{' on ' + result.worker if result.worker else ''}: {result.error}", flush=True)
            else:
                print(f"[{done}/{len(jobs)}] ok {job.label} in {result.seconds:.1f} s on {result.worker}", flush=True)
                if result.notebook is not None:
                    import nbformat

                    nbformat.write(nbformat.reads(result.notebook, as_version=4), paths[owner[i]])
            pending[owner[i]] -= 1
            if not pending[owner[i]]:  # the notebook's jobs are done: its rows go to the ledger together
                mine = [k for k in range(len(jobs)) if owner[k] == owner[i]]
                kept, aside = split_failed_stored([jobs[k] for k in mine], [results[k] for k in mine],
                                                  ledger_order([jobs[k] for k in mine], [results[k] for k in mine],
                                                               backends, seeds))
                _write_rows(kept, directory)
                if aside:
                    _write_rows(aside, EVIDENCE_DIR)
                    print(f"the run to store failed: its campaign's {len(aside)} row(s) went to "
                          f"{shown(EVIDENCE_DIR / f'{profile_name}.jsonl')}", flush=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return failed


def _split(tokens: list[str] | None, fits, name: str, parser: argparse.ArgumentParser) -> tuple[list[str], list[Path]]:
    """``--seeds 42 1 notebooks/x.ipynb``: the option's values stop at the first token that does not fit."""
    tokens = tokens or []
    n = next((i for i, t in enumerate(tokens) if not fits(t)), len(tokens))
    if tokens and n == 0:
        parser.error(f"--{name} needs values first, got {tokens}")
    return tokens[:n], [Path(t) for t in tokens[n:]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit.matrix", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run notebooks x seeds x backends on a Dask cluster")
    run.add_argument("paths", nargs="*", type=Path)
    run.add_argument("--profile", default="quick", choices=("full", "quick"))
    run.add_argument("--backends", nargs="+", default=None, help=f"Keras backends, of {', '.join(BACKENDS)} "
                     "(default: tensorflow); the first one's first seed is the stored run")
    run.add_argument("--seeds", nargs="+", default=None, help="seeds (default: 42)")
    run.add_argument("--evidence", action="store_true",
                     help="save no notebook; ledger rows to results/evidence/ (as toolkit.runner --evidence)")
    run.add_argument("--results-dir", type=Path, default=None,
                     help="save no notebook; ledger rows to this folder (a trial run)")
    run.add_argument("--scheduler", default=None,
                     help="address of a Dask scheduler (tcp://host:8786); default: a local cluster")
    run.add_argument("--workers", type=int, default=None,
                     help="worker processes of the local cluster (default: one per core; with --gpu, one)")
    run.add_argument("--gpu", action="store_true", help="each job needs a worker offering the resource GPU=1")
    run.add_argument("--timeout", type=int, default=None, help="per-cell timeout in seconds (default none)")
    args = parser.parse_args(argv)

    backends, more = _split(args.backends, lambda t: t in BACKENDS, "backends", parser)
    seeds, rest = _split(args.seeds, lambda t: t.lstrip("-").isdigit(), "seeds", parser)
    paths = args.paths + more + rest
    if not paths:
        parser.error("give at least one notebook")
    if missing := [str(p) for p in paths if not p.is_file()]:
        parser.error(f"no such notebook: {', '.join(missing)}")
    if args.evidence and args.results_dir:
        parser.error("--evidence writes to results/evidence/; give --results-dir only for a trial run")
    if args.workers is not None and args.scheduler:
        parser.error("--workers sizes the local cluster; a scheduler's workers are started with `dask worker`")
    try:
        import distributed  # noqa: F401
    except ImportError:
        parser.error("needs Dask: pip install 'dask[distributed]' (make setup-backends)")

    failed = run_matrix(paths, args.profile, list(dict.fromkeys(backends)) or ["tensorflow"],
                        list(dict.fromkeys(int(s) for s in seeds)) or [42], evidence=args.evidence,
                        results_dir=args.results_dir, scheduler=args.scheduler, workers=args.workers,
                        gpu=args.gpu, timeout=args.timeout)
    if failed:
        print(f"\n{len(failed)} job(s) failed:", file=sys.stderr)
        for job, result in failed:
            print(f"  {job.label}: {result.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # run as toolkit.matrix, so that workers import run_job rather than receive __main__'s
    from toolkit.matrix import main as _main

    raise SystemExit(_main())
