import nbformat

from toolkit import runner as notebooks


def test_from_script_builds_cells(tmp_path):
    src = tmp_path / "draft.py"
    src.write_text("# %% [markdown]\n# # Title\n#\n# Some prose.\n\n# %%\nx = 1\nprint(x)\n\n# %%\n\n")
    dest = tmp_path / "out.ipynb"
    notebooks.from_script(src, dest)
    nb = nbformat.read(dest, as_version=4)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    assert nb.cells[0].source == "# Title\n\nSome prose."
    assert nb.cells[1].source == "x = 1\nprint(x)"
    assert nb.metadata.kernelspec.name == "python3"


def test_run_notebook_sets_the_backend_for_the_kernel_only(tmp_path, monkeypatch):
    import os

    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    path = tmp_path / "probe.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nprint(os.environ['KERAS_BACKEND'], os.environ['DLWP_PROFILE'])")])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    notebooks.run_notebook(path, "quick", timeout=60, backend="jax")
    out = nbformat.read(path, as_version=4).cells[0].outputs[0]["text"]
    assert out.strip() == "jax quick"
    assert "KERAS_BACKEND" not in os.environ  # restored afterwards


def test_kernel_env_sets_unsets_and_restores_even_after_an_error(monkeypatch):
    import os

    import pytest

    monkeypatch.setenv("DLWP_PROFILE", "quick")
    monkeypatch.delenv("DLWP_SEED", raising=False)
    with pytest.raises(RuntimeError), notebooks.kernel_env(DLWP_PROFILE=None, DLWP_SEED="7"):
        assert "DLWP_PROFILE" not in os.environ and os.environ["DLWP_SEED"] == "7"
        raise RuntimeError("a cell failed")
    assert os.environ["DLWP_PROFILE"] == "quick" and "DLWP_SEED" not in os.environ


PROBE = ("import os, utils.session\n"
         "print(os.environ['DLWP_SEED'], utils.session._SETTINGS.get('campaign'), utils.session._SETTINGS.get('results_dir'))")


def test_seeded_runs_share_a_campaign_and_only_the_first_is_saved(tmp_path, monkeypatch):
    import os

    monkeypatch.delenv("DLWP_SEED", raising=False)
    path = tmp_path / "probe.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    notebooks.run_notebook(path, "quick", timeout=60, seed=7, campaign="c9")
    notebooks.run_notebook(path, "quick", timeout=60, seed=8, campaign="c9", save=False)
    saved = nbformat.read(path, as_version=4)
    assert len(saved.cells) == 1 and saved.cells[0].execution_count == 1  # the settings cell is not kept
    out = saved.cells[0].outputs[0]["text"]
    assert out.strip() == "7 c9 None"  # the second seed ran but did not replace the stored outputs
    assert "DLWP_SEED" not in os.environ


def test_added_seeds_join_the_stored_runs_campaign_and_leave_the_notebook_alone(tmp_path, monkeypatch):
    import json

    results = tmp_path / "results"
    path = tmp_path / "S9.9-probe.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, pathlib, utils.session\n"
        "pathlib.Path('seen-' + os.environ['DLWP_SEED']).write_text(utils.session._SETTINGS['campaign'])")])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    before = path.read_text()
    assert notebooks.main(["run", "--profile", "quick", "--results-dir", str(results), str(path),
                           "--add-seeds", "1"]) == 1  # nothing stored yet
    assert not (tmp_path / "seen-1").exists()

    results.mkdir()
    stored = {"schema": 2, "notebook": "S9.9", "name": "acc", "value": 0.9, "seed": 42, "run": "R", "campaign": "C",
              "date": "2026-11-24T10:00:30+00:00", "wall_time_s": 30.0}
    (results / "quick.jsonl").write_text(json.dumps(stored) + "\n")
    assert notebooks.main(["run", "--profile", "quick", "--results-dir", str(results), str(path),
                           "--add-seeds", "1", "2"]) == 0
    for seed in (1, 2):
        assert (tmp_path / f"seen-{seed}").read_text() == "C"
    assert path.read_text() == before  # the stored outputs are not replaced


def test_a_trial_run_sends_its_rows_elsewhere_and_saves_nothing(tmp_path):
    path = tmp_path / "probe.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    before = path.read_text()
    assert notebooks.main(["run", "--profile", "quick", "--seeds", "3", "--results-dir", str(tmp_path / "x"),
                           str(path)]) == 0
    assert path.read_text() == before


def test_stored_runs_keep_their_plots_even_under_an_inherited_agg_backend(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("MPLBACKEND", "Agg")  # what `make test` exports
    path = tmp_path / "plot.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()")])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    notebooks.run_notebook(path, "quick", timeout=60)
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert sum("image/png" in (o.get("data") or {}) for o in outputs) == 1  # drawn once, as a picture
    assert os.environ["MPLBACKEND"] == "Agg"  # restored afterwards


def test_seeds_before_the_notebooks_stop_at_the_first_path(monkeypatch, tmp_path):
    """`make evidence` writes `--seeds 42 1 2 NOTEBOOKS`: the numbers are seeds, the rest are notebooks."""
    calls = []
    monkeypatch.setattr(notebooks, "run_notebook", lambda path, *a, seed=None, **k: calls.append((path.name, seed)) or 0.0)
    assert notebooks.main(["run", "--profile", "quick", "--results-dir", str(tmp_path), "--seeds", "42", "1",
                           "a.ipynb", "b.ipynb"]) == 0
    assert calls == [("a.ipynb", 42), ("a.ipynb", 1), ("b.ipynb", 42), ("b.ipynb", 1)]
    import pytest

    with pytest.raises(SystemExit):
        notebooks.main(["run", "--seeds", "a.ipynb"])  # no seed given


AVX2_CPUINFO = ("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma\n\n"
                "processor\t: 1\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma\n")
AVX512_CPUINFO = ("model name\t: Intel(R) Xeon(R) Platinum 8480+\n"
                  "flags\t\t: avx2 avx512f avx512bw avx512_bf16 amx_bf16 amx_tile\n")


def test_the_stored_run_names_the_cpu_and_its_widest_vector_unit():
    # run times differ about twofold between an AVX2 and an AVX-512 machine, so the stamp says which ran
    assert notebooks.cpu_words(AVX2_CPUINFO, 2) == "CPU (2 cores, AMD EPYC, AVX2)"
    assert notebooks.cpu_words(AVX512_CPUINFO, 2) == "CPU (2 cores, Intel(R) Xeon(R) Platinum 8480+, AVX-512 bf16 AMX)"
    assert notebooks.cpu_words(AVX2_CPUINFO, 2, onednn=True) == "CPU (2 cores, AMD EPYC, AVX2, oneDNN on)"
    assert notebooks.cpu_words("", 4) == "CPU (4 cores)"  # no /proc/cpuinfo: the core count alone


def test_the_stamp_says_onednn_only_for_a_tensorflow_run_that_turned_it_on(monkeypatch):
    monkeypatch.setattr(notebooks.shutil, "which", lambda name: None)  # no nvidia-smi: a CPU run
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    nb = nbformat.v4.new_notebook()
    notebooks.stamp_run(nb, "full", "tensorflow", 12.0)
    assert nb.metadata["dlwp_run"]["device"].startswith("CPU (")
    assert "oneDNN on" in nb.metadata["dlwp_run"]["device"]
    notebooks.stamp_run(nb, "full", "jax", 12.0)
    assert "oneDNN" not in nb.metadata["dlwp_run"]["device"]
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    notebooks.stamp_run(nb, "full", "tensorflow", 12.0)
    assert "oneDNN" not in nb.metadata["dlwp_run"]["device"]


FAILS_UNDER_SEED = (  # writes a ledger row as utils.ledger does, then fails under the seed named in the file
    "import json, os, pathlib, utils.session\n"
    "s = utils.session._SETTINGS\n"
    "row = {'schema': 2, 'notebook': 'S9.9', 'name': 'acc', 'value': 0.5, 'seed': int(os.environ['DLWP_SEED']),\n"
    "       'run': 'R' + os.environ['DLWP_SEED'], 'campaign': s['campaign'], 'profile': 'quick'}\n"
    "with open(pathlib.Path(s['results_dir']) / 'quick.jsonl', 'a') as fh:\n"
    "    fh.write(json.dumps(row) + '\\n')\n"
    "assert os.environ['DLWP_SEED'] != pathlib.Path('failing-seed').read_text(), 'a figure outside its band'")


def test_a_failed_run_to_store_sets_its_campaign_aside_as_evidence(tmp_path, monkeypatch):
    import json

    results, evidence = tmp_path / "results", tmp_path / "results" / "evidence"
    results.mkdir()
    monkeypatch.setattr(notebooks, "RESULTS_DIR", results)
    monkeypatch.setattr(notebooks, "EVIDENCE_DIR", evidence)
    old = {"schema": 2, "notebook": "S9.9", "name": "acc", "value": 0.9, "seed": 42, "run": "R", "campaign": "C"}
    (results / "quick.jsonl").write_text(json.dumps(old) + "\n")
    path = tmp_path / "S9.9-probe.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FAILS_UNDER_SEED)])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    before = path.read_text()

    def ledger(folder):
        file = folder / "quick.jsonl"
        return [json.loads(line) for line in file.read_text().splitlines()] if file.exists() else []

    # The run to store (seed 7) fails: the notebook is untouched and the whole campaign, the seed that
    # passed included, leaves the ledger for the evidence file; the old stored run is still the one shown.
    (tmp_path / "failing-seed").write_text("7")
    assert notebooks.main(["run", "--profile", "quick", "--seeds", "7", "8", str(path)]) == 1
    assert path.read_text() == before
    assert ledger(results) == [old]
    aside = ledger(evidence)
    assert [r["seed"] for r in aside] == [7, 8] and len({r["campaign"] for r in aside}) == 1

    # An added seed that fails is part of the stored run's spread: its rows stay where the report sees them.
    (tmp_path / "failing-seed").write_text("8")
    assert notebooks.main(["run", "--profile", "quick", "--seeds", "7", "8", str(path)]) == 1
    assert path.read_text() != before  # seed 7 passed and was stored
    assert [r["seed"] for r in ledger(results)] == [42, 7, 8]
    assert len(ledger(evidence)) == 2


def test_a_stored_progress_bar_keeps_only_what_jupyter_shows():
    stream = lambda name, text: nbformat.v4.new_output("stream", name=name, text=text)  # noqa: E731
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [
        stream("stdout", "loading\n"),
        stream("stderr", "\rdecoding:   0%|  | 0/4"), stream("stderr", "\rdecoding:  50%|# | 2/4"),
        stream("stderr", "\rdecoding: 100%|##| 4/4\n"),                      # a bar that stays
        stream("stdout", "epoch 1\n"),
        stream("stderr", "\rfolds:  50%|# | 1/2"), stream("stderr", "\r" + " " * 30), stream("stderr", "\r"),
        stream("stdout", "done\n"),                                           # a bar cleared at its end
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert notebooks.collapse_progress(nb) == 6
    assert [(o["name"], o["text"]) for o in cell.outputs] == [
        ("stdout", "loading\n"), ("stderr", "decoding: 100%|##| 4/4\n"), ("stdout", "epoch 1\ndone\n")]
    assert notebooks.collapse_progress(nb) == 0  # nothing left to collapse


def test_paths_are_shown_from_the_checkout_when_inside_it_and_as_given_outside(tmp_path):
    from toolkit import REPO_ROOT, matrix, shown

    assert shown(REPO_ROOT / "notebooks" / "x.ipynb") == "notebooks/x.ipynb"
    assert shown(tmp_path / "y.ipynb") == str(tmp_path / "y.ipynb")
    assert notebooks.shown is shown and matrix.shown is shown  # one helper for both runners


def test_the_runner_names_the_cpu_on_the_rows_of_its_own_runs_only(tmp_path, monkeypatch):
    import json

    monkeypatch.setattr(notebooks.shutil, "which", lambda name: None)  # no nvidia-smi: a CPU machine
    results = tmp_path / "trial"
    results.mkdir()
    old = {"schema": 2, "notebook": "S9.9", "name": "acc", "value": 0.9, "run": "earlier", "campaign": "c",
           "device": "CPU (2 cores)"}
    (results / "quick.jsonl").write_text(json.dumps(old, sort_keys=True) + "\n")
    path = tmp_path / "S9.9-probe.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import json, os\n"
        "rows = [{'schema': 2, 'notebook': 'S9.9', 'name': n, 'value': 0.5, 'run': 'now', 'device': d}\n"
        "        for n, d in [('acc', 'CPU (2 cores)'), ('gpu_acc', 'GPU (NVIDIA H100)')]]\n"
        f"with open({str(results / 'quick.jsonl')!r}, 'a') as fh:\n"
        "    fh.writelines(json.dumps(r, sort_keys=True) + '\\n' for r in rows)")])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)
    assert notebooks.main(["run", "--profile", "quick", "--results-dir", str(results), str(path)]) == 0
    rows = [json.loads(line) for line in (results / "quick.jsonl").read_text().splitlines()]
    cpu = notebooks._device_words("tensorflow")
    assert [r["device"] for r in rows] == ["CPU (2 cores)", cpu, "GPU (NVIDIA H100)"]  # the earlier run keeps its words


def _probe(path, source: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nbformat.write(nb, path)


def test_a_bf16_run_computes_in_bf16_and_its_rows_and_copy_say_so(tmp_path):
    import json
    import os

    results, kept = tmp_path / "trial", tmp_path / "kept"
    path = tmp_path / "S9.9-probe.ipynb"
    _probe(path, "import keras, utils\n"
                 "run = utils.start('S9.9', banner=False)\n"
                 "y = keras.layers.Dense(2)(keras.ops.ones((1, 3)))\n"
                 "print(keras.mixed_precision.global_policy().name, keras.backend.standardize_dtype(y.dtype))\n"
                 "from utils import ledger\n"
                 "ledger._append(run, ledger._row(run, 'acc', None, 'probe'))")
    before = path.read_text()
    assert notebooks.main(["run", "--profile", "quick", "--results-dir", str(results), "--precision",
                           "mixed_bfloat16", "--copy-to", str(kept), str(path)]) == 0
    assert path.read_text() == before  # a trial run leaves the notebook alone
    assert "DLWP_PRECISION" not in os.environ  # set for the kernel only
    copy = nbformat.read(kept / path.name, as_version=4)
    assert len(copy.cells) == 1  # the settings cell is not kept
    assert copy.cells[0].outputs[0]["text"].split() == ["mixed_bfloat16", "bfloat16"]
    assert copy.metadata["dlwp_run"]["precision"] == "mixed_bfloat16"
    rows = [json.loads(line) for line in (results / "quick.jsonl").read_text().splitlines()]
    assert [r.get("precision") for r in rows] == ["mixed_bfloat16"]


def test_copy_to_is_refused_for_a_run_to_store(tmp_path):
    import pytest

    with pytest.raises(SystemExit):
        notebooks.main(["run", "--copy-to", str(tmp_path), "a.ipynb"])


def test_a_relative_results_dir_means_from_where_the_runner_was_called(tmp_path, monkeypatch):
    """The kernel works in the notebook's folder; `--results-dir results/x` still means ./results/x."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nbs").mkdir()
    path = tmp_path / "nbs" / "S9.9-probe.ipynb"
    _probe(path, "import utils\nfrom utils import ledger\nrun = utils.start('S9.9', banner=False)\n"
                 "ledger._append(run, ledger._row(run, 'acc', None, 'probe'))")
    assert notebooks.main(["run", "--profile", "quick", "--results-dir", "trial", str(path)]) == 0
    assert (tmp_path / "trial" / "quick.jsonl").exists()
    assert not (tmp_path / "nbs" / "trial").exists()
