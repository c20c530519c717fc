"""toolkit.matrix: jobs on a local Dask cluster of two worker processes; a failing job's error comes back
and the other job's rows are kept; the client alone writes, and no notebook of the checkout changes."""

from __future__ import annotations

import json
import subprocess

import nbformat
import pytest

from toolkit import REPO_ROOT, matrix

NEEDS_DASK = "needs dask[distributed] (make setup-backends)"

GOOD = REPO_ROOT / "notebooks" / "06.1a-one-hot-encoding-of-words-and-characters.ipynb"  # about 6 s quick


def _status() -> set[str]:
    out = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=all", "notebooks"],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.splitlines())


def test_two_workers_keep_the_good_jobs_rows_and_bring_back_the_failure(tmp_path, capsys):
    pytest.importorskip("distributed", reason=NEEDS_DASK)
    folder = tmp_path / "notebooks"  # the failing notebook lives outside the checkout
    folder.mkdir()
    bad = folder / "99.9-fails.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\nraise ValueError('deliberate failure under seed ' + os.environ['DLWP_SEED'])")])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, bad)
    results = tmp_path / "results"
    before, good_bytes = _status(), GOOD.read_bytes()

    status = matrix.main(["run", "--profile", "quick", "--backends", "tensorflow", "--seeds", "7",
                          "--workers", "2", "--results-dir", str(results), str(GOOD), str(bad)])

    out, err = capsys.readouterr()
    assert status == 1
    assert "ValueError: deliberate failure under seed 7" in out + err  # the kernel's error came back
    assert "2 job(s) on 2 worker(s)" in out and "ok notebooks/06.1a" in out
    rows = [json.loads(line) for line in (results / "quick.jsonl").read_text().splitlines()]
    assert rows and {r["notebook"] for r in rows} == {"6.1a"}
    assert {(r["seed"], r["backend"], r["profile"]) for r in rows} == {(7, "tensorflow", "quick")}
    assert len({r["campaign"] for r in rows}) == 1 and len({r["run"] for r in rows}) == 1
    # A trial run saves no notebook and leaves no file in notebooks/ (other work may change other notebooks).
    assert GOOD.read_bytes() == good_bytes
    assert not [line for line in _status() - before if line.startswith("??") or GOOD.name in line]
    assert nbformat.read(bad, as_version=4).cells[0].outputs == []


def _job(seed: int, backend: str, commit: str | None = None) -> matrix.Job:
    return matrix.Job("x.ipynb", "notebooks", "{}", "quick", seed, backend, f"c-{backend}", save=False, commit=commit)


def test_a_worker_at_another_commit_refuses_the_job():
    with pytest.raises(RuntimeError, match="check out the same commit"):
        matrix.run_job(_job(42, "jax", commit="0" * 40))


def test_rows_go_to_the_ledger_with_the_stored_campaign_last_and_distinct_runs():
    jobs = [_job(42, "tensorflow"), _job(1, "tensorflow"), _job(42, "jax"), _job(1, "jax")]
    results = [matrix.JobResult(rows=[{"run": "T0", "seed": j.seed, "backend": j.backend}]) for j in jobs]
    order = matrix.ledger_order(jobs, results, ["tensorflow", "jax"], [42, 1])
    assert [(r["backend"], r["seed"]) for r in order] == [("jax", 42), ("jax", 1), ("tensorflow", 42), ("tensorflow", 1)]
    assert [r["run"] for r in order] == ["T0", "T0#2", "T0#3", "T0#4"]  # same start second, still four runs


def test_a_failed_stored_job_sends_its_campaign_to_the_evidence_file():
    stored = matrix.Job("x.ipynb", "notebooks", "{}", "quick", 42, "tensorflow", "c-tensorflow", save=True, commit=None)
    jobs = [stored, _job(1, "tensorflow"), _job(42, "jax")]  # the first two share the stored campaign
    rows = [{"campaign": j.campaign, "seed": j.seed} for j in jobs]
    passed = [matrix.JobResult(), matrix.JobResult(), matrix.JobResult()]
    assert matrix.split_failed_stored(jobs, passed, rows) == (rows, [])
    failed = [matrix.JobResult(error="AssertionError: outside its band"), matrix.JobResult(), matrix.JobResult()]
    kept, aside = matrix.split_failed_stored(jobs, failed, rows)
    assert kept == [rows[2]] and aside == rows[:2]  # the stored campaign, its passing seed included
    lost_other = [matrix.JobResult(), matrix.JobResult(), matrix.JobResult(error="KilledWorker")]
    assert matrix.split_failed_stored(jobs, lost_other, rows) == (rows, [])  # a job that stores nothing


def test_a_job_names_the_workers_cpu_on_its_rows(monkeypatch):
    from toolkit import runner

    monkeypatch.setattr(runner.shutil, "which", lambda name: None)  # no nvidia-smi: a CPU worker
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import json, pathlib, utils.session\n"
        "out = pathlib.Path(utils.session._SETTINGS['results_dir']) / 'quick.jsonl'\n"
        "rows = [{'run': 'R', 'device': 'CPU (2 cores)'}, {'run': 'R', 'device': 'GPU (NVIDIA H100)'}]\n"
        "out.write_text(''.join(json.dumps(r) + '\\n' for r in rows))")])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    job = matrix.Job("probe.ipynb", "notebooks", nbformat.writes(nb), "quick", 42, "tensorflow", "c", save=False, commit=None)
    result = matrix.run_job(job)
    assert result.error is None, result.details
    assert [r["device"] for r in result.rows] == [runner._device_words("tensorflow"), "GPU (NVIDIA H100)"]
