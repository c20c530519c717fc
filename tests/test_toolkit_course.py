"""toolkit.course: objectives, the syllabus, header Time rows, Colab cells and badges."""

import json

import nbformat
import pytest
from conftest import REPO

from toolkit import course

HEADER = """# 9.9 · A title

| | |
|---|---|
| **Shows** | things |

**Objectives.** After this notebook you can:
- build a thing from parts
- measure how long it takes
- explain why it works

**Changes since the book.** None.
"""


def test_objectives_are_read_from_the_header():
    assert course.objectives(HEADER) == ["build a thing from parts", "measure how long it takes",
                                         "explain why it works"]
    assert course.objectives(HEADER.replace("**Objectives.**", "**Goals.**")) == []


@pytest.mark.parametrize(("name", "section"), [
    ("02.1-a-first-look.ipynb", "2.1"), ("06.1a-one-hot.ipynb", "6.1a"), ("S1.4-reg.ipynb", "S1.4"),
    ("S2.6-char-lstm.ipynb", "S2.6"), ("10.2-x.ipynb", "10.2"),
])
def test_section_of(name, section, tmp_path):
    assert course.section_of(tmp_path / name) == section


def test_plan_covers_every_notebook_exactly_once():
    plan = course.load_plan()
    assert len(plan["week"]) == 12
    planned = [s for week in plan["week"] for s in week["notebooks"]]
    existing = {course.section_of(p) for p in course.notebook_files()}
    assert sorted(existing - set(planned)) == [], "notebooks missing from course/plan.toml"
    assert sorted(set(planned) - existing) == [], "course/plan.toml plans notebooks that do not exist"


def test_a_notebook_planned_twice_is_refused(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text('[course]\nrepository = "a/b"\nbranch = "main"\n'
                    '[[week]]\nnotebooks = ["2.1"]\n[[week]]\nnotebooks = ["3.5", "2.1"]\n')
    with pytest.raises(ValueError, match="2.1 is planned in week 1 and week 2"):
        course.load_plan(plan)


def _row(nb, seconds, device="CPU (2 cores)", **extra):
    return {"notebook": nb, "name": "acc", "value": 0.9, "date": "2026-11-24T10:00:00+00:00",
            "wall_time_s": seconds, "device": device, "run": f"{nb}-{device}", "campaign": f"{nb}-{device}", **extra}


def test_full_runs_split_cpu_and_gpu_and_collect_needs():
    rows = [_row("5.3", 600.0, data={"cats": "official x [cache]"}),
            _row("5.3", 700.0, unavailable="needs VGG16 weights"),
            _row("5.3", 60.0, device="GPU (NVIDIA H100)"),
            _row("6.3", 900.0, epoch_cap=3, data={"weather": "substitute: JFK [package]"})]
    cpu, gpu = course.full_runs(rows), course.full_runs(rows, gpu=True)
    assert cpu["5.3"]["seconds"] == 700.0 and cpu["5.3"]["needs"] == ["needs VGG16 weights"]
    assert gpu["5.3"]["seconds"] == 60.0 and "6.3" not in gpu
    assert cpu["6.3"]["epoch_cap"] == 3


def test_syllabus_lists_times_data_and_objectives(tmp_path):
    path = tmp_path / "09.9-a-title.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(HEADER)])
    path.write_text(nbformat.writes(nb))
    head = course.header(path)
    head["path"] = course.REPO_ROOT / "notebooks" / path.name
    plan = {"week": [{"title": "T", "prerequisites": "none", "lecture": "L", "lab": "B",
                      "notebooks": ["9.9", "9.10"]}]}
    runs = course.full_runs([_row("9.9", 1200.0, epoch_cap=5, unavailable="needs GloVe",
                                  data={"weather": "substitute: JFK [package]"})])
    text = course.render_syllabus(plan, {"9.9": head}, {"quick_s": {"9.9": 41.0}, "source": "s"}, runs)
    line = next(ln for ln in text.splitlines() if ln.startswith("| [9.9 A title]"))
    assert "| 41 s |" in line and "~20 min (capped at 5 epochs)" in line
    assert "weather (substitute)" in line and "**needs GloVe**" in line
    assert "9.10 *(not written yet)*" in text
    assert "measure how long it takes" in text
    head["stored_run"] = {"profile": "full", "device": "GPU", "seconds": 120.0, "epoch_cap": None}
    text = course.render_syllabus(plan, {"9.9": head}, {"quick_s": {}, "source": "s"}, runs)
    line = next(ln for ln in text.splitlines() if ln.startswith("| [9.9 A title]"))
    assert "| — | ~20 min | 2 min |" in line, line


def test_colab_cell_is_inserted_once_after_the_header():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(HEADER),
                                         nbformat.v4.new_code_cell("import utils")])
    assert course.with_colab_cell(nb, "me/repo", "main") is True
    assert course.with_colab_cell(nb, "me/repo", "main") is False
    cell = nb.cells[1]
    assert course.COLAB_TAG in cell.metadata["tags"] and cell.execution_count is None
    assert 'if "google.colab" in sys.modules:' in cell.source and "github.com/me/repo" in cell.source
    assert course.with_colab_cell(nb, "me/other", "main") is True and len(nb.cells) == 3


def test_badges_are_added_once_per_notebook_row():
    readme = ("x\n<!-- index:start -->\n| Chapter | Notebook | Book |\n|---|---|---|\n"
              "| 2 · Ch | [2.1 T](notebooks/02.1-t.ipynb) | §2.1 |\n<!-- index:end -->\n")
    once = course.with_badges(readme, "me/repo", "main")
    assert course.with_badges(once, "me/repo", "main") == once
    row = next(ln for ln in once.splitlines() if "02.1-t" in ln)
    assert row.endswith("(https://colab.research.google.com/github/me/repo/blob/main/notebooks/02.1-t.ipynb) |")
    assert "| Chapter | Notebook | Book | Colab |" in once and "|---|---|---|---|" in once


def test_generated_course_files_are_up_to_date():
    assert course.main(["check"]) == 0, "run `make sync` and commit the result"


def test_times_come_from_a_measured_run():
    times = json.loads((REPO / "course" / "times.json").read_text())
    assert times["source"].startswith("measured ")
    assert all(0 < s < 600 for s in times["quick_s"].values())


def test_times_of_a_partial_nbval_run_do_not_replace_the_courses(tmp_path, monkeypatch):
    """One notebook under nbval writes results/nbval-times.json too: its one time must not become the course's."""
    times = tmp_path / "times.json"
    times.write_text('{"source": "measured before", "quick_s": {"2.1": 10.0}}\n')
    monkeypatch.setattr(course, "TIMES", times)
    partial = tmp_path / "nbval-times.json"
    partial.write_text('{"S1.4-regularisation.ipynb": 9.1}')
    with pytest.raises(ValueError, match="partial nbval run"):
        course.store_times(partial)
    assert course.main(["times", "--from", str(partial)]) == 1
    assert "2.1" in json.loads(times.read_text())["quick_s"]
    every = tmp_path / "all.json"
    every.write_text(json.dumps({p.name: 5.0 for p in course.notebook_files()}))
    assert course.store_times(every) == len(course.notebook_files())
    assert set(json.loads(times.read_text())["quick_s"]) == {course.section_of(p) for p in course.notebook_files()}


def test_the_header_time_row_is_written_from_measurements_only():
    stored = {"profile": "full", "device": "CPU (2 cores)", "backend": "tensorflow", "seconds": 5029.1, "epoch_cap": "30"}
    row = course.time_row("5.2", stored, 41.0, None)
    assert row == ("| **Time** | quick 41 s under nbval · full 84 min (the stored run: CPU (2 cores), tensorflow, "
                   "epochs capped at 30) — measured; see `course/SYLLABUS.md` |")
    assert "full ≥ 2 min (the stored run, to its last recorded figure)" in course.time_row(
        "S1.1", None, None, {"seconds": 150.0, "epoch_cap": None})
    assert "quick: not measured yet" in course.time_row("9.9", None, None, None)
    nb = {"cells": [{"cell_type": "markdown", "source": "# 9.9 · T\n\n| | |\n|---|---|\n| **Time (2-core CPU)** | full ≈ 17 min |\n"}]}
    assert course.with_time_row(nb, row) is True and course.with_time_row(nb, row) is False
    assert "≈ 17 min" not in nb["cells"][0]["source"] and row in nb["cells"][0]["source"]
    with pytest.raises(ValueError, match="Time"):
        course.with_time_row({"cells": [{"cell_type": "markdown", "source": "# no table"}]}, row)


def test_no_header_states_a_time_by_hand():
    """Outside the generated Time row, a header cell carries no durations (they drift; the row does not)."""
    import re

    for path in course.notebook_files():
        header = json.loads(path.read_text())["cells"][0]
        text = "".join(header["source"]) if isinstance(header["source"], list) else header["source"]
        body = course.TIME_ROW.sub("", text)
        body = " ".join(s for s in re.split(r"(?<=\.)\s", body) if "sampl" not in s)  # a data's sampling interval
        found = re.findall(r"\b\d[\d,.]*(?:\s(?:s|sec|seconds)|\s?(?:min|minutes|h|hours))\b(?! ahead)", body)
        assert not found, f"{path.name}: a time typed by hand in the header: {found}"
