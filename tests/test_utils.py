"""The students' library as a whole: it never reaches into the maintainers' toolkit, and the only
settings it reads from the environment are the user-facing ones the README lists."""

import ast
import re
from pathlib import Path

from conftest import REPO

UTILS = sorted((REPO / "utils").rglob("*.py"))
USER_FACING = {"DLWP_PROFILE", "DLWP_MIRROR", "DLWP_OFFLINE", "DLWP_EPOCH_CAP", "DLWP_SEED", "DLWP_PRECISION"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_the_students_library_imports_the_toolkit():
    offenders = {p.relative_to(REPO).as_posix(): sorted(n for n in _imports(p) if n.split(".")[0] == "toolkit")
                 for p in UTILS}
    assert not {k: v for k, v in offenders.items() if v}


def _code_strings(path: Path) -> set[str]:
    """String constants in the code, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}


def test_the_students_library_writes_no_readme_syllabus_or_notebook():
    for path in UTILS:
        strings = " ".join(_code_strings(path))
        for generated in ("README", "SYLLABUS", "REPRODUCTION", "plan.toml", "times.json"):
            assert generated not in strings, f"{path.relative_to(REPO)} names {generated}: that is the toolkit's job"
        assert "nbformat" not in _imports(path), f"{path.relative_to(REPO)} edits notebooks: the toolkit's job"


def test_the_environment_variables_read_are_the_user_facing_six_and_the_readme_lists_them():
    used = set()
    for path in UTILS:
        used |= set(re.findall(r"\bDLWP_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert used == USER_FACING
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = {m for m in re.findall(r"^\| `(DLWP_[A-Z_]+)` \|", readme, re.M)}
    assert table == USER_FACING, "README's table of environment variables"
    toolkit = set()
    for path in (REPO / "toolkit").rglob("*.py"):
        toolkit |= set(re.findall(r"\bDLWP_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert toolkit <= USER_FACING, f"the toolkit passes other settings as arguments, not {toolkit - USER_FACING}"
