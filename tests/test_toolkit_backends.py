"""toolkit.backends: the backend matrix runs exactly the notebooks whose key changed since they passed."""

import json
import shutil
from pathlib import Path

from toolkit import REPO_ROOT
from toolkit.backends import stale, stamp

NB = "06.1a-one-hot-encoding-of-words-and-characters.ipynb"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "notebooks" / "figures").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "notebooks" / NB, root / "notebooks" / NB)
    shutil.copy(REPO_ROOT / "notebooks" / "figures" / "6.1a.toml", root / "notebooks" / "figures" / "6.1a.toml")
    (root / "utils").mkdir()
    (root / "utils" / "__init__.py").write_text("x = 1\n")
    (root / "requirements.txt").write_text("-e .\n")
    return root


def _junit(path: Path, ok: bool) -> Path:
    failure = "" if ok else '<failure message="boom">Traceback</failure>'
    path.write_text(f'<testsuites><testsuite><testcase classname="c" name="Cell 0" file="notebooks/{NB}"/>'
                    f'<testcase classname="c" name="Cell 1" file="notebooks/{NB}">{failure}</testcase>'
                    '</testsuite></testsuites>')
    return path


def test_a_pass_is_remembered_until_the_notebook_figures_or_library_change(tmp_path):
    root = _tree(tmp_path)
    nb, stamps = root / "notebooks" / NB, tmp_path / "stamps.json"
    assert stale("jax", [nb], stamps, root) == [nb]
    assert stamp("jax", _junit(tmp_path / "a.xml", ok=True), [nb], stamps, root) == []
    assert stale("jax", [nb], stamps, root) == []
    assert stale("torch", [nb], stamps, root) == [nb]  # per backend

    data = json.loads(nb.read_text())
    unchecked = next(c for c in data["cells"] if c["cell_type"] == "code"
                     and not "".join(c["source"]).lstrip().startswith("# NBVAL_CHECK_OUTPUT"))
    unchecked["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["a new run's output\n"]}]
    nb.write_text(json.dumps(data))
    assert stale("jax", [nb], stamps, root) == [], "a re-run that changes no compared output keeps the key"

    unchecked["source"] = ["print('changed code')\n"]
    nb.write_text(json.dumps(data))
    assert stale("jax", [nb], stamps, root) == [nb]
    stamp("jax", _junit(tmp_path / "b.xml", ok=True), [nb], stamps, root)
    (root / "notebooks" / "figures" / "6.1a.toml").write_text("# a band changed\n")
    assert stale("jax", [nb], stamps, root) == [nb]
    stamp("jax", _junit(tmp_path / "c.xml", ok=True), [nb], stamps, root)
    (root / "utils" / "__init__.py").write_text("x = 2\n")
    assert stale("jax", [nb], stamps, root) == [nb]


def test_a_failing_cell_or_a_missing_notebook_is_not_stamped(tmp_path):
    root = _tree(tmp_path)
    nb, stamps = root / "notebooks" / NB, tmp_path / "stamps.json"
    assert stamp("jax", _junit(tmp_path / "bad.xml", ok=False), [nb], stamps, root) == [NB]
    assert stale("jax", [nb], stamps, root) == [nb]
    empty = tmp_path / "none.xml"
    empty.write_text("<testsuites><testsuite/></testsuites>")
    assert stamp("jax", empty, [nb], stamps, root) == [NB]  # never collected: not a pass


def test_the_committed_keys_are_keys_of_existing_notebooks():
    stamps = REPO_ROOT / ".ci" / "backends-verified.json"
    if not stamps.exists():
        return
    names = {p.name for p in (REPO_ROOT / "notebooks").glob("*.ipynb")}
    for backend, done in json.loads(stamps.read_text()).items():
        assert backend in ("jax", "torch", "tensorflow")
        assert set(done) <= names, f"{backend}: keys for notebooks that do not exist: {sorted(set(done) - names)}"
        assert all(len(k) == 16 for k in done.values())


def test_a_notebook_left_out_of_the_matrix_names_its_reason_and_leaves_once_it_passes():
    from toolkit.backends import PENDING, key

    stamps = REPO_ROOT / ".ci" / "backends-verified.json"
    done = json.loads(stamps.read_text()) if stamps.exists() else {}
    names = {p.name for p in (REPO_ROOT / "notebooks").glob("*.ipynb")}
    for name, backends in PENDING.items():
        assert name in names, f"{name} is not a notebook"
        for backend, reason in backends.items():
            assert backend in ("jax", "torch") and len(reason) > 20, f"{name} on {backend}: give a reason"
            passed = done.get(backend, {}).get(name) == key(REPO_ROOT / "notebooks" / name)
            assert not passed, f"{name} passed on {backend} at its current key: remove it from PENDING"
