"""Packaging: a wheel of utils holds every subpackage and the catalogue, and works outside a checkout.

Offline, like CI: the wheel is built without build isolation (this environment's setuptools, from
the ``dev`` extra) from a copy of the sources in a temporary folder, so no ``build/`` lands in the
checkout. It is installed with ``pip install --target`` into another temporary folder and imported
by a fresh interpreter through ``PYTHONPATH``, which comes before this environment's editable
install of the checkout; the test asserts the copy imported is the installed one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.util import find_spec
from pathlib import Path

import pytest
from conftest import REPO

import utils
from utils import _locations, data

# What the build reads, and folders that must stay out of the wheel (copied to prove it).
_SOURCES = ("pyproject.toml", "setup.py", "utils", "data", "toolkit", "tests", "notebooks")
_IGNORE = shutil.ignore_patterns("__pycache__", "cache", "*.ipynb", "*.egg-info", "build")
_CATALOGUE_FILES = ("catalog.toml", "cats_and_dogs_small.sha256", "README.md")
_PACKAGED = "utils/data/_catalogue"

# Run by a fresh interpreter: where utils, the catalogue, the checkout and the cache were found.
_PROBE = """
import json, os
import utils
from utils import data
print(json.dumps({
    "utils": utils.__file__,
    "catalog_path": str(data.CATALOG_PATH),
    "datasets": sorted(data.catalog().datasets),
    "repo_root": str(utils.REPO_ROOT),
    "keras_home": os.environ["KERAS_HOME"],
    "cache_dir": str(data.cache_dir()),
}))
"""


def _run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=180, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, args))}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    assert find_spec("setuptools"), "building the wheel offline needs setuptools: pip install -e .[dev]"
    tmp = tmp_path_factory.mktemp("packaging")
    src = tmp / "src"
    for name in _SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=_IGNORE)
        elif path.is_file():
            src.mkdir(exist_ok=True)
            shutil.copy2(path, src / name)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-w", tmp / "dist", src)
    (built,) = (tmp / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    _run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", site, wheel)
    return site


def _probe(site: Path, cwd: Path, xdg: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_HOME", "PYTHONHOME")}
    env |= {"PYTHONPATH": str(site), "XDG_CACHE_HOME": str(xdg)}
    return json.loads(_run(sys.executable, "-s", "-c", _PROBE, cwd=cwd, env=env).stdout)


def test_the_wheel_holds_every_utils_module_and_the_catalogue(wheel):
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        modules = {p.relative_to(REPO).as_posix() for p in (REPO / "utils").rglob("*.py") if "__pycache__" not in p.parts}
        assert {"utils/data/catalog.py", "utils/data/store.py"} <= modules
        assert not modules - names, f"not packaged: {sorted(modules - names)}"
        listings = [p.name for p in (REPO / "data").glob("*.sha256")]
        for name in {*_CATALOGUE_FILES, *listings}:
            assert whl.read(f"{_PACKAGED}/{name}") == (REPO / "data" / name).read_bytes(), name
        metadata = whl.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    # Only utils and the wheel's metadata: no toolkit/, tests/, notebooks/ or top-level data/.
    assert {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")} == {"utils"}
    # TensorFlow only through its extra: a GPU machine installs utils without it.
    hard = re.findall(r"^Requires-Dist: ([^;\n]+)$", metadata, flags=re.M)
    assert hard and not any(_name(r) == "tensorflow" for r in hard), hard
    extras = set(re.findall(r"^Provides-Extra: (\S+)$", metadata, flags=re.M))
    assert {"notebooks", "tensorflow", "lab", "dev", "colab", "backends", "gpu"} <= extras


def test_an_installed_copy_outside_a_checkout_reads_its_packaged_catalogue(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _locations.find_checkout([elsewhere, installed]) is None
    found = _probe(installed, elsewhere, tmp_path / "xdg")
    assert Path(found["utils"]).resolve() == (installed / "utils" / "__init__.py").resolve()
    assert Path(found["catalog_path"]).resolve() == (installed / _PACKAGED / "catalog.toml").resolve()
    assert {"mnist", "imdb", "cats_and_dogs_small"} <= set(found["datasets"])
    assert Path(found["repo_root"]).resolve() == elsewhere.resolve()
    assert found["keras_home"] == found["cache_dir"]
    if sys.platform.startswith("linux"):
        assert Path(found["cache_dir"]) == tmp_path / "xdg" / "dlwp-course"


def test_an_installed_copy_run_inside_a_checkout_reads_the_checkout(installed, tmp_path):
    cwd = REPO / "notebooks"
    assert not (cwd / "utils").exists()  # so the import below can only find the installed copy
    found = _probe(installed, cwd, tmp_path / "xdg")
    assert Path(found["utils"]).resolve() == (installed / "utils" / "__init__.py").resolve()
    assert Path(found["catalog_path"]) == REPO / "data" / "catalog.toml"
    assert Path(found["repo_root"]) == REPO
    assert Path(found["keras_home"]) == REPO / "data" / "cache"


def test_this_checkout_reads_its_own_data_folder():
    assert utils.REPO_ROOT == Path(__file__).resolve().parents[1]  # the checkout holding this test
    assert data.DATA_DIR == utils.REPO_ROOT / "data"
    assert data.CATALOG_PATH == utils.REPO_ROOT / "data" / "catalog.toml"


def test_a_checkout_is_a_catalogue_beside_notebooks(tmp_path):
    root = tmp_path / "course"
    (root / "data").mkdir(parents=True)
    (root / "data" / "catalog.toml").write_text("")
    packaged = tmp_path / "packaged"
    packaged.mkdir()
    (packaged / "catalog.toml").write_text("")
    if _locations.find_checkout([tmp_path]) is not None:
        pytest.skip("the temporary folder lies inside a checkout")
    # data/catalog.toml without notebooks/ beside it is not a checkout: the packaged copy is used.
    assert _locations.find_data_dir([root / "data"], packaged=packaged) == packaged
    (root / "notebooks" / "figures").mkdir(parents=True)
    assert _locations.find_checkout([root / "notebooks" / "figures"]) == root
    assert _locations.find_data_dir([tmp_path / "other", root / "notebooks"], packaged=packaged) == root / "data"


def test_no_catalogue_names_every_place_looked_at(tmp_path):
    start = tmp_path / "somewhere" / "deep"
    start.mkdir(parents=True)
    packaged = tmp_path / "site" / "utils" / "data" / "_catalogue"
    if _locations.find_checkout([start]) is not None:
        pytest.skip("the temporary folder lies inside a checkout")
    with pytest.raises(_locations.CatalogueNotFound) as info:
        _locations.find_data_dir([start], packaged=packaged)
    assert isinstance(info.value, FileNotFoundError)
    msg = str(info.value)
    for folder in (start, *start.parents):
        assert str(folder / "data" / "catalog.toml") in msg
    assert str(packaged / "catalog.toml") in msg


def test_the_user_cache_follows_xdg(monkeypatch, tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("XDG_CACHE_HOME is read on Linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _locations.user_cache_dir() == tmp_path / "dlwp-course"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert _locations.user_cache_dir() == Path.home() / ".cache" / "dlwp-course"


# --- the requirement files that stay mirror the extras of pyproject.toml ---


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9._-]+", requirement.strip()).group().lower().replace("_", "-")


def _lines(path: Path) -> list[str]:
    lines = (line.split(" #")[0].split("#")[0].strip() for line in path.read_text().splitlines())
    return [line.replace(" ", "") for line in lines if line]


def _project() -> dict:
    with open(REPO / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]


def test_the_gpu_requirement_file_mirrors_its_extra():
    wanted = sorted(r.replace(" ", "") for r in _project()["optional-dependencies"]["gpu"])
    assert sorted(_lines(REPO / "requirements-gpu.txt")) == wanted


def test_requirements_txt_installs_the_laptop_extras():
    (line,) = _lines(REPO / "requirements.txt")
    named = re.fullmatch(r"-e\.\[([a-z,]+)\]", line)
    assert named, line
    extras = set(named.group(1).split(","))
    assert {"notebooks", "tensorflow"} <= extras <= set(_project()["optional-dependencies"])


def test_tensorflow_comes_only_with_its_extra():
    project = _project()
    assert not any(_name(r) == "tensorflow" for r in project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        assert (extra == "tensorflow") == any(_name(r) == "tensorflow" for r in requirements), extra
