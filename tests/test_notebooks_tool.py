import nbformat

from utils import notebooks


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
