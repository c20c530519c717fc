"""toolkit.ledger: grouping rows into runs and campaigns, the report, and the one-off migration."""

import json

import pytest

from toolkit import ledger


def _row(notebook, name, value, run, *, seed=42, campaign=None, book=None, band=(0, 5), date=None, **extra):
    return {"schema": 2, "notebook": notebook, "name": name, "value": value, "run": run,
            "campaign": campaign or run, "seed": seed, "book": book, "description": "", "band": list(band),
            "band_name": "full", "in_band": band[0] <= value <= band[1] if value is not None else None,
            "data": {}, "backend": "tensorflow", "device": "CPU (2 cores)", "profile": "full",
            "date": date or run, "wall_time_s": 1.0} | extra


def test_the_report_shows_each_notebooks_latest_run_only():
    rows = [
        _row("5.4", "p_cat", 0.52, "2026-11-22T01:00:00+00:00"),
        _row("5.4", "centre", 0.20, "2026-11-22T01:00:00+00:00"),
        _row("3.5", "acc", 0.88, "2026-11-22T01:04:30+00:00"),
        # a later 5.4 run that no longer records p_cat (retired) and records a new figure
        _row("5.4", "centre", 0.31, "2026-11-22T02:00:00+00:00"),
        _row("5.4", "loaded_acc", 0.80, "2026-11-22T02:00:00+00:00"),
    ]
    shown = {(r["notebook"], r["name"]): r["value"] for r in ledger.latest_rows(rows)}
    assert shown == {("3.5", "acc"): 0.88, ("5.4", "centre"): 0.31, ("5.4", "loaded_acc"): 0.80}


def test_a_multi_seed_campaign_shows_its_first_run_and_the_spread():
    rows = [_row("3.7", "kfold_mae", v, f"2026-11-24T0{i}:00:00+00:00", seed=s, campaign="c1", book=2.384)
            for i, (s, v) in enumerate(((42, 2.62), (1, 2.65), (2, 3.01)))]
    rows.append(_row("2.1", "acc", 0.975, "2026-11-24T05:00:00+00:00", book=0.978))
    shown = {r["name"]: r for r in ledger.latest_rows(rows)}
    assert shown["kfold_mae"]["seed"] == 42  # the first seed's run: its outputs are the stored ones
    assert ledger.seed_values(rows, shown["kfold_mae"]) == {42: 2.62, 1: 2.65, 2: 3.01}
    st = ledger.spread([2.62, 2.65, 3.01])
    assert st["n"] == 3 and st["min"] == 2.62 and st["max"] == 3.01
    assert abs(st["mean"] - 2.76) < 1e-9 and abs(st["sd"] - 0.21702534) < 1e-6
    table = ledger.render_table(rows)
    line = next(x for x in table.splitlines() if "kfold_mae" in x)
    assert "2.76 ± 0.217 (2.62–3.01), 3 seeds" in line and "| no |" in line  # 2.384 lies outside 2.62-3.01
    assert "42, 1, 2" in line and "| tensorflow, CPU (2 cores) |" in line  # the backend and the device that ran it
    assert "1 seed" in next(x for x in table.splitlines() if "| acc |" in x)


def test_the_spread_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        ledger.spread([])


def test_seeds_added_later_join_the_stored_runs_campaign():
    old = _row("3.7", "kfold_mae", 2.70, "2026-11-24T00:00:00+00:00")
    stored = _row("3.7", "kfold_mae", 2.62, "2026-11-24T01:00:00+00:00")
    extra = [_row("3.7", "kfold_mae", v, f"2026-11-24T0{h}:00:00+00:00", seed=s, campaign=stored["campaign"])
             for h, s, v in ((2, 1, 2.65), (3, 2, 3.01))]
    rows = [old, stored, *extra]
    assert ledger.stored_run(rows, "3.7")["run"] == stored["run"]
    shown = {r["name"]: r for r in ledger.latest_rows(rows)}["kfold_mae"]
    assert shown["seed"] == 42 and shown["value"] == 2.62  # the stored run, not the last extra seed
    assert ledger.seed_values(rows, shown) == {42: 2.62, 1: 2.65, 2: 3.01}
    assert ledger.stored_run([], "3.7") is None


def test_sections_sort_in_course_order():
    names = ["S1.2", "6.2", "10.1", "6.1b", "S2.1", "2.1", "6.1a", "S1.10"]
    assert sorted(names, key=ledger.section_key) == ["2.1", "6.1a", "6.1b", "6.2", "10.1", "S1.2", "S1.10", "S2.1"]


def test_the_report_marks_unavailable_and_capped_figures(tmp_path):
    rows = [_row("3.5", "acc", 0.889, "2026-11-22T01:00:00+00:00", book=0.885),
            _row("5.3", "vgg16", None, "2026-11-22T02:00:00+00:00", band=(0, 1), unavailable="needs VGG16 weights"),
            _row("5.2", "aug", 0.755, "2026-11-22T03:00:00+00:00", epoch_cap=30)]
    rows[1]["band"] = None
    (tmp_path / "full.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    table = ledger.write_report("full", tmp_path / "R.md", directory=tmp_path).read_text()
    assert table.index("| 3.5 |") < table.index("| 5.2 |") < table.index("| 5.3 |")
    assert "_needs VGG16 weights_" in table and "0.755 (≤30 epochs)" in table


def test_rows_of_another_schema_are_refused_with_the_fix(tmp_path):
    (tmp_path / "full.jsonl").write_text(json.dumps({"notebook": "2.1"}) + "\n")
    with pytest.raises(ValueError, match="toolkit.ledger migrate"):
        ledger.read_rows("full", tmp_path)


def test_migration_gives_legacy_rows_a_run_and_joins_added_seeds_to_their_run():
    legacy = [  # two schema-1 runs without run ids: only their start times (date - wall time) tell them apart
        {"notebook": "5.2", "name": "counts", "value": 2000, "date": "2026-11-22T01:08:30+00:00", "wall_time_s": 510.0},
        {"notebook": "5.2", "name": "aug", "value": 0.56, "date": "2026-11-22T01:08:31+00:00", "wall_time_s": 511.0},
        {"notebook": "5.2", "name": "scratch", "value": 0.76, "date": "2026-11-22T02:16:17+00:00", "wall_time_s": 977.0},
        {"notebook": "5.2", "name": "aug", "value": 0.77, "date": "2026-11-22T03:15:44+00:00", "wall_time_s": 4544.0},
        {"notebook": "3.7", "name": "mae", "value": 2.6, "run": "R", "seed": 42, "date": "2026-11-23T00:00:00+00:00"},
        {"notebook": "3.7", "name": "mae", "value": 2.7, "run": "S", "seed": 1, "campaign": "extends:R",
         "date": "2026-11-23T01:00:00+00:00"},
    ]
    for row in legacy:
        row |= {"profile": "full", "band": [0, 5000]}
    new = ledger.migrate_rows(legacy)
    assert all(r["schema"] == 2 and r["band_name"] == "full" for r in new)
    first, second = {new[0]["run"], new[1]["run"]}, {new[2]["run"], new[3]["run"]}
    assert len(first) == 1 and len(second) == 1 and first != second
    assert new[4]["campaign"] == new[5]["campaign"] == "R"
    shown = {r["name"]: r["value"] for r in ledger.latest_rows(new) if r["notebook"] == "5.2"}
    assert shown == {"scratch": 0.76, "aug": 0.77}  # the old run's `counts` is not shown
    assert ledger.migrate_rows(new) == new  # idempotent


def test_the_committed_ledgers_are_schema_2():
    assert ledger.read_rows("full") and ledger.read_rows("quick", directory=ledger.EVIDENCE_DIR)


def test_a_new_campaign_shows_what_moved_since_the_previous_one():
    old = [_row("3.7", "kfold_mae", v, f"2026-11-24T0{i}:00:00+00:00", seed=s, campaign="before", book=2.384)
           for i, (s, v) in enumerate(((42, 2.6), (1, 2.9), (2, 3.0)))]
    new = [_row("3.7", "kfold_mae", v, f"2026-12-05T0{i}:00:00+00:00", seed=s, campaign="after", book=2.384)
           for i, (s, v) in enumerate(((42, 2.3), (1, 2.5), (2, 2.4)))]
    other = [_row("2.1", "acc", 0.97, "2026-12-05T09:00:00+00:00")]
    rows = old + other + new
    shown = {r["name"]: r for r in ledger.latest_rows(rows)}
    assert ledger.previous_values(rows, shown["kfold_mae"]) == {42: 2.6, 1: 2.9, 2: 3.0}
    assert ledger.previous_values(rows, shown["acc"]) == {}  # a first campaign moved nothing
    table = ledger.render_table(rows)
    line = next(x for x in table.splitlines() if "kfold_mae" in x)
    assert "| 2.833 (3 seeds); moved -0.433 |" in line  # means 2.8333 -> 2.4
    assert "| yes |" in line  # 2.384 now lies in the seeds' range 2.3-2.5
    acc_line = next(x for x in table.splitlines() if "| acc |" in x)
    assert acc_line.count("| – |") >= 2  # no previous campaign


def test_rows_show_todays_declared_words_but_keep_a_runs_own_description(monkeypatch):
    """8.1's stored run once said "(2-core CPU)" for a GPU run and "the stored run is capped" for a
    60-epoch run: words the declaration has since corrected. The report takes the declaration's words
    where the row only carried its declaration's, and keeps a description the run wrote itself."""
    from utils.ledger import declared

    fig = declared("8.1")
    predict, divergence = fig["sampling_ms_per_char_predict"], fig["char_lstm_late_divergence_loss"]
    before = _row("8.1", "sampling_ms_per_char_predict", 3.2, "2026-12-04T17:00:00+00:00",
                  description=predict.description + " (2-core CPU)")
    unavailable = _row("8.1", "char_lstm_late_divergence_loss", None, "2026-12-04T17:00:00+00:00",
                       unavailable="needs the book's 60 epochs; the stored run is capped")
    own = _row("8.1", "sampling_ms_per_char_compiled", 2.3, "2026-12-06T01:00:00+00:00",
               description="words this run wrote itself")
    declared_then = {"2026-12-04T17:00:00+00:00": None,  # no declaration yet: the notebook wrote the words
                     "2026-12-06T01:00:00+00:00": {"sampling_ms_per_char_compiled": {"description": "declared then"}}}
    monkeypatch.setattr(ledger, "_declaration_at", lambda notebook, date, root=None: declared_then[date])
    shown = {r["name"]: r for r in ledger.worded_now([before, unavailable, own])}
    assert shown["sampling_ms_per_char_predict"]["description"] == predict.description
    assert shown["char_lstm_late_divergence_loss"]["unavailable"] == f"needs {divergence.needs}"
    assert shown["sampling_ms_per_char_compiled"]["description"] == "words this run wrote itself"
    assert shown["sampling_ms_per_char_predict"]["value"] == 3.2 and before["description"].endswith("(2-core CPU)")
    # a row that carried the declaration of its day takes today's wording
    declared_then["2026-12-06T01:00:00+00:00"] = {"sampling_ms_per_char_compiled": {"description": "words this run wrote itself"}}
    assert ledger.worded_now([own])[0]["description"] == fig["sampling_ms_per_char_compiled"].description


def test_a_declaration_is_read_as_committed_at_a_date():
    if ledger._declaration_at("8.1", "2026-12-05T14:00:00+00:00") is None:
        pytest.skip("no git history here (an export or a shallow clone)")
    assert ledger._declaration_at("8.1", "2026-12-01T00:00:00+00:00") is None  # before 8.1.toml existed
    assert "sampling_ms_per_char_predict" in ledger._declaration_at("8.1", "2026-12-05T14:00:00+00:00")


def test_setting_a_campaign_aside_keeps_a_row_another_kernel_appends_meanwhile(tmp_path, monkeypatch):
    import pathlib

    results, evidence = tmp_path / "results", tmp_path / "evidence"
    results.mkdir()
    row = lambda campaign, value: json.dumps({"campaign": campaign, "value": value}) + "\n"  # noqa: E731
    source = results / "full.jsonl"
    source.write_text(row("stored", 1) + row("failed", 2) + row("failed", 3))
    swap = pathlib.Path.replace

    def append_then_swap(self, target):
        # A kernel appends to the old file after set_aside read it and before the new one replaces it.
        with open(source, "a") as fh:
            fh.write(row("other", 4) + row("failed", 5))
        return swap(self, target)

    monkeypatch.setattr(pathlib.Path, "replace", append_then_swap)
    assert ledger.set_aside("full", "failed", results, evidence) == 3
    values = lambda file: [json.loads(line)["value"] for line in file.read_text().splitlines()]  # noqa: E731
    assert values(source) == [1, 4]
    assert values(evidence / "full.jsonl") == [2, 3, 5]
    assert ledger.set_aside("full", "nothing-here", results, evidence) == 0
    assert values(source) == [1, 4]


def test_naming_the_cpu_changes_only_bare_cpu_rows_of_the_given_runs(tmp_path):
    rows = [_row("3.5", "acc", 0.9, "r1"), _row("3.5", "loss", 0.3, "r1", device="CPU"),
            _row("3.5", "acc", 0.8, "r2"), _row("3.5", "acc", 0.7, "r1", device="GPU (NVIDIA H100)")]
    (tmp_path / "full.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    words = "CPU (2 cores, AMD EPYC, AVX-512 bf16)"
    assert ledger.name_the_cpu("full", {"r1"}, words, tmp_path) == 2
    assert [r["device"] for r in ledger.read_rows("full", tmp_path)] == [words, words, "CPU (2 cores)", "GPU (NVIDIA H100)"]
    assert ledger.run_ids("full", tmp_path) == {"r1", "r2"}
    assert ledger.name_the_cpu("full", {"r1"}, "CPU (4 cores)", tmp_path) == 0  # already described
