"""Known-answer tests for the loader: layouts people really export, frequencies, and bad input.

Fixture files live in tests/data/layouts (good) and tests/data/bad (each must fail with a
message that names the problem and the fix); larger or binary inputs are generated in tmp_path.
"""

from __future__ import annotations

import builtins
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import DATA

from seqlen_tui.core import data as data_mod
from seqlen_tui.core.data import (
    DataSummary,
    FrequencyInfo,
    Series,
    infer_frequency,
    list_numeric_columns,
    load_series,
)
from seqlen_tui.core.errors import DataError

HERE = DATA
LAYOUTS, BAD = HERE / "layouts", HERE / "bad"


def write_csv(path: Path, index: pd.DatetimeIndex, values, header="timestamp,value",
              fmt="%Y-%m-%d %H:%M:%S") -> Path:
    lines = [header] + [f"{t:{fmt}},{v}" for t, v in zip(index, values)]
    path.write_text("\n".join(lines) + "\n")
    return path


def wiggle(n: int) -> np.ndarray:
    return np.round(np.sin(np.arange(n) * 0.7) * 10 + np.arange(n) * 0.01, 4)


# ----------------------------------------------------------------------------- layouts


def test_yahoo_ohlcv_picks_close_not_adj_close():
    s = load_series(LAYOUTS / "yahoo_ohlcv.csv")
    assert isinstance(s, Series) and isinstance(s.summary, DataSummary)
    assert s.summary.column == "Close" and s.summary.time_column == "Date"
    assert s.values[0] == 100.0 and s.values.dtype == np.float64
    assert s.timestamps.dtype == np.dtype("datetime64[ns]")
    assert s.summary.numeric_columns == ("Open", "High", "Low", "Close", "Adj Close", "Volume")
    assert (s.summary.n_rows, s.summary.n) == (40, 40)
    assert s.summary.first == "2024-01-02T00:00:00" and s.summary.dropped == {}


def test_only_adj_close_is_picked_over_volume():
    s = load_series(LAYOUTS / "adj_close_only.csv")
    assert s.summary.column == "Adj Close"
    assert s.values[0] == 50.0


def test_pandas_to_csv_index_layout():
    s = load_series(LAYOUTS / "pandas_index.csv")
    assert s.summary.time_column == "Unnamed: 0" and s.summary.column == "Close"
    assert s.summary.numeric_columns == ("Close",)
    assert s.summary.frequency.alias == "D" and s.summary.frequency.seasonal_periods == (7,)


def test_pandas_range_index_column_is_not_a_value_column(tmp_path):
    pd.DataFrame({"demand": wiggle(40)}).to_csv(tmp_path / "r.csv")  # ",demand\n0,..\n1,.."
    s = load_series(tmp_path / "r.csv")
    assert s.summary.column == "demand" and s.summary.numeric_columns == ("demand",)
    assert s.timestamps is None


def test_half_hourly_demand():
    s = load_series(LAYOUTS / "demand_halfhourly.csv")
    f = s.summary.frequency
    assert s.summary.column == "demand_mw" and s.summary.time_column == "timestamp"
    assert (f.alias, f.seasonal_periods, f.period_names) == ("30min", (48, 336), ("day", "week"))
    assert f.step_seconds == 1800.0 and f.description == "half-hourly"


@pytest.mark.parametrize("name, column, first", [("semicolon.csv", "Price", 10.0), ("tab.tsv", "value", 0.0),
                                                 ("bom_crlf.csv", "Close", 300.0)])
def test_delimiters_bom_and_crlf(name, column, first):
    s = load_series(LAYOUTS / name)
    assert s.summary.column == column and s.values[0] == first
    assert s.summary.time_column.lower() == "date"  # the BOM must not stick to the first header
    assert not np.isnan(s.values).any()


def test_unsorted_rows_come_back_in_time_order():
    s = load_series(LAYOUTS / "unsorted.csv")
    np.testing.assert_array_equal(s.values, np.arange(40.0))
    assert np.all(np.diff(s.timestamps) > np.timedelta64(0))


def test_holes_are_dropped_and_counted():
    s = load_series(LAYOUTS / "holes.csv", min_points=20)
    assert s.summary.dropped == {"bad_timestamp": 1, "missing": 9, "infinite": 2}
    assert s.summary.n_rows == 40 and s.summary.n == 28
    assert np.isfinite(s.values).all()


def test_duplicate_timestamps_keep_the_last():
    s = load_series(LAYOUTS / "duplicates.csv")
    assert s.summary.dropped == {"duplicate_timestamp": 3}
    assert s.summary.n == 35
    np.testing.assert_array_equal(s.values[4:9], [4, 1005, 1006, 1007, 8])


def test_no_time_column_means_row_order():
    s = load_series(LAYOUTS / "no_time.csv")
    assert s.timestamps is None and s.summary.time_column is None
    assert s.summary.first is None and s.summary.last is None
    assert s.summary.frequency.alias is None and s.summary.frequency.seasonal_periods == ()
    assert "no timestamps" in s.summary.frequency.description


def test_column_override_case_insensitive():
    s = load_series(BAD / "ambiguous.csv", column="HIGH")
    assert s.summary.column == "High" and s.values[0] == 11.0
    assert load_series(BAD / "ambiguous.csv", column="Volume").values[0] == 1000.0


def test_unknown_column_lists_choices():
    with pytest.raises(DataError, match=r"no column named 'nope'.*«column».*Open, High, Low, Volume"):
        load_series(BAD / "ambiguous.csv", column="nope")
    with pytest.raises(DataError, match="time column"):
        load_series(BAD / "ambiguous.csv", column="date")


def test_other_time_layouts(tmp_path):
    months = pd.date_range("1949-01-01", periods=48, freq="MS")
    (tmp_path / "air.csv").write_text("Month,#Passengers\n" + "".join(
        f"{t:%Y-%m},{v}\n" for t, v in zip(months, 100 + np.arange(48) % 13)))
    s = load_series(tmp_path / "air.csv")  # AirPassengers: a date-like column not named "date"
    assert s.summary.time_column == "Month" and s.summary.frequency.alias == "MS"
    (tmp_path / "ymd.csv").write_text("date,value\n" + "".join(f"{20240101 + i},{i % 5}\n" for i in range(31)))
    s = load_series(tmp_path / "ymd.csv")  # YYYYMMDD integers
    assert s.summary.first == "2024-01-01T00:00:00" and s.summary.last == "2024-01-31T00:00:00"
    (tmp_path / "step.csv").write_text("time,load\n" + "".join(f"{i},{i % 7}\n" for i in range(40)))
    s = load_series(tmp_path / "step.csv")  # a step counter named "time" is neither time nor value
    assert s.timestamps is None and s.summary.numeric_columns == ("load",)
    (tmp_path / "num.csv").write_text("x,y\n" + "".join(f"{i * 1.5},{'abc' if i == 3 else i % 7}\n"
                                                        for i in range(40)))
    s = load_series(tmp_path / "num.csv", column="y")  # numbers-as-text are not mistaken for dates
    assert s.timestamps is None and s.summary.numeric_columns == ("x", "y") and s.summary.n == 39


def test_grid_operator_layout_needs_column(tmp_path):
    idx = pd.date_range("2024-01-01 00:30", periods=96, freq="30min")
    rows = [f"NSW1,{t:%Y/%m/%d %H:%M:%S},{7000 + v * 10:.2f},{80 + v:.2f},TRADE" for t, v in zip(idx, wiggle(96))]
    (tmp_path / "aemo.csv").write_text("REGION,SETTLEMENTDATE,TOTALDEMAND,RRP,PERIODTYPE\n" + "\n".join(rows))
    with pytest.raises(DataError, match="choices: TOTALDEMAND, RRP"):
        load_series(tmp_path / "aemo.csv")
    s = load_series(tmp_path / "aemo.csv", column="totaldemand")
    assert s.summary.time_column == "SETTLEMENTDATE" and s.summary.frequency.alias == "30min"
    assert s.summary.first == "2024-01-01T00:30:00"


def test_epoch_seconds_column():
    s = load_series(LAYOUTS / "epoch_seconds.csv")
    assert s.summary.time_column == "timestamp"
    assert s.summary.first == "2023-11-14T22:00:00"
    assert s.summary.frequency.alias == "h"


def test_epoch_milliseconds_column(tmp_path):
    ms = 1_700_000_000_000 + 60_000 * np.arange(40)
    (tmp_path / "ms.csv").write_text("time,value\n" + "".join(f"{t},{v}\n" for t, v in zip(ms, wiggle(40))))
    s = load_series(tmp_path / "ms.csv")
    assert s.summary.first == "2023-11-14T22:13:20" and s.summary.frequency.alias == "min"


def test_tz_aware_strings_become_naive_utc():
    s = load_series(LAYOUTS / "tz_aware.csv")
    assert s.summary.first == "2024-01-09T23:00:00"  # 00:00+01:00
    assert s.timestamps.dtype == np.dtype("datetime64[ns]")


def test_day_first_dates_and_split_date_time(tmp_path):
    idx = pd.date_range("2024-01-01 09:00", periods=48, freq="h")
    p = write_csv(tmp_path / "eu.csv", idx, wiggle(48), header="Datum;Kurs", fmt="%d.%m.%Y %H:%M")
    p.write_text(p.read_text().replace(",", ";"))
    s = load_series(p)
    assert s.summary.time_column == "Datum" and s.summary.first == "2024-01-01T09:00:00"
    assert s.summary.last == "2024-01-03T08:00:00"
    lines = ["Date,Time,Close"] + [f"{t:%Y.%m.%d},{t:%H:%M},{v}" for t, v in zip(idx, wiggle(48))]
    (tmp_path / "mt.csv").write_text("\n".join(lines) + "\n")
    s = load_series(tmp_path / "mt.csv")
    assert s.summary.time_column == "Date+Time" and s.summary.frequency.alias == "h"


def test_window_last_start_end():
    s = load_series(LAYOUTS / "unsorted.csv", last=30)
    np.testing.assert_array_equal(s.values, np.arange(10.0, 40.0))
    assert s.summary.dropped == {"before_last_n": 10}
    s = load_series(LAYOUTS / "unsorted.csv", start="2024-03-05", end="2024-04-03", min_points=5)
    assert (s.values[0], s.values[-1]) == (4.0, 33.0)
    assert s.summary.dropped == {"before_start": 4, "after_end": 6}
    assert s.summary.first == "2024-03-05T00:00:00" and s.summary.last == "2024-04-03T00:00:00"


def test_bare_end_date_includes_the_whole_day(tmp_path):
    idx = pd.date_range("2024-01-01", periods=96, freq="h")
    s = load_series(write_csv(tmp_path / "h.csv", idx, wiggle(96)), end="2024-01-02")
    assert s.summary.n == 48 and s.summary.last == "2024-01-02T23:00:00"


@pytest.mark.parametrize("kwargs, words", [
    (dict(last=0), "«last»"), (dict(last=2.5), "«last»"),
    (dict(start="yesterday-ish"), "«start»"), (dict(start="2024-04-01", end="2024-03-01"), "after «end»"),
    (dict(start="2030-01-01"), "no points between"), (dict(last=12), "raise «last»"),
])
def test_window_errors(kwargs, words):
    with pytest.raises(DataError, match=words):
        load_series(LAYOUTS / "unsorted.csv", **kwargs)


def test_start_without_time_column_is_an_error():
    with pytest.raises(DataError, match="need a time column"):
        load_series(LAYOUTS / "no_time.csv", start="2024-01-01")


def test_parquet_round_trip_with_datetime_index(tmp_path):
    pytest.importorskip("pyarrow")
    idx = pd.date_range("2024-01-01", periods=200, freq="15min", name="ts")
    pd.DataFrame({"price": wiggle(200), "volume": np.arange(200)}, index=idx).to_parquet(tmp_path / "x.parquet")
    s = load_series(tmp_path / "x.parquet")
    assert s.summary.time_column == "ts" and s.summary.column == "price"
    np.testing.assert_allclose(s.values, wiggle(200))
    assert s.summary.frequency.seasonal_periods == (4, 96, 672)
    pd.DataFrame({"when": idx.tz_localize("UTC"), "value": wiggle(200)}).to_parquet(tmp_path / "y.pq", index=False)
    assert load_series(tmp_path / "y.pq").summary.first == "2024-01-01T00:00:00"


def test_parquet_without_pyarrow_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` raise ImportError
    with pytest.raises(DataError, match="pip install pyarrow"):
        load_series(BAD / "not_parquet.parquet")


def test_list_numeric_columns():
    assert list_numeric_columns(LAYOUTS / "yahoo_ohlcv.csv") == ("Open", "High", "Low", "Close", "Adj Close", "Volume")
    assert list_numeric_columns(BAD / "no_numeric.csv") == ()


def test_numeric_column_with_text_holes_is_numeric(tmp_path):
    vals = [str(v) for v in wiggle(40)]
    vals[3], vals[7], vals[9] = "n/a", "-", "#N/A"
    (tmp_path / "x.csv").write_text("label,amount\n" + "".join(f"r{i},{v}\n" for i, v in enumerate(vals)))
    s = load_series(tmp_path / "x.csv")
    assert s.summary.column == "amount" and s.summary.dropped == {"missing": 3}


def test_summary_to_dict_is_json_ready():
    d = load_series(LAYOUTS / "holes.csv", min_points=20).summary.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["frequency"] == {"alias": "D", "description": "daily", "seasonal_periods": [7],
                              "period_names": ["week"], "step_seconds": 86400.0}
    assert d["dropped"] == {"bad_timestamp": 1, "missing": 9, "infinite": 2}


def test_series_arrays_are_read_only():
    s = load_series(LAYOUTS / "unsorted.csv")
    with pytest.raises(ValueError):
        s.values[0] = 1.0


# ----------------------------------------------------------------------------- frequency


def session_index(start: str, days: int, first: str, last: str, freq: str) -> pd.DatetimeIndex:
    """Bars inside a trading session on business days only, e.g. 09:30..15:55 every 5 minutes."""
    out = [pd.date_range(f"{d:%Y-%m-%d} {first}", f"{d:%Y-%m-%d} {last}", freq=freq)
           for d in pd.bdate_range(start, periods=days)]
    return out[0].append(out[1:])


@pytest.mark.parametrize("idx, alias, periods, names", [
    (pd.date_range("2024-01-01", periods=24 * 21, freq="h"), "h", (24, 168), ("day", "week")),
    (pd.date_range("2024-01-01", periods=3000, freq="5min"), "5min", (12, 288, 2016), ("hour", "day", "week")),
    (pd.date_range("2024-01-01", periods=3000, freq="15min"), "15min", (4, 96, 672), ("hour", "day", "week")),
    (pd.date_range("2024-01-01", periods=5000, freq="min"), "min", (60, 1440), ("hour", "day")),
    (pd.date_range("2024-01-01", periods=500, freq="D"), "D", (7,), ("week",)),
    (pd.date_range("2020-01-05", periods=200, freq="W"), "W", (52,), ("year",)),
    (pd.date_range("2010-01-01", periods=120, freq="MS"), "MS", (12,), ("year",)),
    (pd.date_range("2010-01-31", periods=120, freq="ME"), "ME", (12,), ("year",)),
    (pd.date_range("2000-01-01", periods=60, freq="QS"), "QS", (4,), ("year",)),
    (pd.date_range("2000-03-31", periods=60, freq="QE"), "QE", (4,), ("year",)),
    (pd.date_range("1990-01-01", periods=30, freq="YS"), "YS", (), ()),
])
def test_regular_frequencies(idx, alias, periods, names):
    f = infer_frequency(idx.to_numpy())
    assert (f.alias, f.seasonal_periods, f.period_names) == (alias, periods, names)


def test_business_daily_with_holidays():
    idx = pd.bdate_range("2023-01-02", periods=260)
    idx = idx.delete([10, 40, 41, 100, 180, 250])  # holidays
    f = infer_frequency(idx.to_numpy())
    assert (f.alias, f.seasonal_periods, f.description) == ("B", (5,), "business daily")


def test_hourly_equity_session_bars(tmp_path):
    idx = session_index("2024-01-02", 30, "09:30", "15:30", "h")  # 7 bars per session
    s = load_series(write_csv(tmp_path / "h.csv", idx, wiggle(len(idx))))
    f = s.summary.frequency
    assert (f.alias, f.seasonal_periods, f.period_names) == ("h", (7, 35), ("session", "week"))
    assert f.description == "hourly (7 bars per session)"


def test_five_minute_session_bars_78_per_session():
    idx = session_index("2024-01-02", 20, "09:30", "15:55", "5min")
    f = infer_frequency(idx.to_numpy())
    assert f.alias == "5min" and "78 bars per session" in f.description
    assert (f.seasonal_periods, f.period_names) == ((12, 78, 390), ("hour", "session", "week"))


def test_irregular_and_missing_timestamps():
    rng = np.random.default_rng(0)
    ticks = np.datetime64("2024-01-01", "ns") + np.cumsum(rng.exponential(7e9, 500)).astype("timedelta64[ns]")
    f = infer_frequency(ticks)
    assert f.alias is None and f.description.startswith("irregular") and f.seasonal_periods == ()
    assert infer_frequency(None).alias is None
    assert infer_frequency(np.array(["2024-01-01"], dtype="datetime64[ns]")).description.startswith("unknown")


def test_frequency_info_is_frozen():
    f = infer_frequency(pd.date_range("2024-01-01", periods=50, freq="D").to_numpy())
    assert isinstance(f, FrequencyInfo)
    with pytest.raises(AttributeError):
        f.alias = "x"


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("name, words", [
    ("empty.csv", ["empty", "header row"]),
    ("blank.csv", ["empty"]),
    ("header_only.csv", ["no data rows"]),
    ("words.txt", ["not look like a table"]),
    ("prices.json", ["JSON", "CSV"]),
    ("page.html", ["HTML"]),
    ("binary.bin", ["binary", "CSV"]),
    ("image.png", ["PNG", "CSV"]),
    ("no_numeric.csv", ["no numeric column", "name, city, joined"]),
    ("all_missing.csv", ["no usable values", "missing", "infinite", "«column»"]),
    ("constant.csv", ["constant", "«column»"]),
    ("too_few.csv", ["only 12 points after cleaning", "at least 30 are needed", "2 missing"]),
    ("ambiguous.csv", ["ambiguous value column", "«column»", "choices: Open, High, Low, Volume"]),
    ("ragged.csv", ["not a consistent table", "line 7"]),
    ("not_parquet.parquet", ["not a readable Parquet file"]),
    ("long_format.csv", ["several series", "repeat a timestamp"]),
])
def test_bad_corpus(name, words):
    with pytest.raises(DataError) as info:
        load_series(BAD / name)
    msg = str(info.value)
    assert msg.startswith(str(BAD / name)) and "\n" not in msg
    for w in words:
        assert w in msg


def test_min_points_is_configurable():
    assert load_series(BAD / "too_few.csv", min_points=12).summary.n == 12


@pytest.mark.parametrize("payload, words", [
    (os.urandom(0) + bytes(range(256)) * 4, "binary"),
    ("date,close\n2024-01-01,1\n".encode("utf-16-le"), "binary"),
    (b"PK\x03\x04" + b"\x00" * 40, "Excel"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip"),
])
def test_binary_payloads(tmp_path, payload, words):
    p = tmp_path / "x.csv"
    p.write_bytes(payload)
    with pytest.raises(DataError, match=words):
        load_series(p)


def test_utf16_with_bom_is_decoded(tmp_path):
    idx = pd.date_range("2024-01-01", periods=40, freq="D")
    text = "date,close\n" + "".join(f"{t:%Y-%m-%d},{v}\n" for t, v in zip(idx, wiggle(40)))
    (tmp_path / "u16.csv").write_text(text, encoding="utf-16")
    assert load_series(tmp_path / "u16.csv").summary.n == 40


def test_latin1_header_is_read(tmp_path):
    text = "Datum;Preis €;Menge\n" + "".join(f"2024-01-{d:02d};{v};{d}\n" for d, v in zip(range(1, 32), wiggle(31)))
    (tmp_path / "l1.csv").write_bytes(text.encode("cp1252"))
    s = load_series(tmp_path / "l1.csv", column="Menge")
    assert s.summary.n == 31 and "Preis" in s.summary.numeric_columns[0]


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_series(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a directory"):
        load_series(tmp_path)


def test_unreadable_file(tmp_path, monkeypatch):
    p = tmp_path / "locked.csv"
    p.write_text((LAYOUTS / "unsorted.csv").read_text())
    if os.geteuid() == 0:  # root reads anything: simulate the OS refusing instead
        real_open = builtins.open

        def refuse(file, *args, **kwargs):
            if Path(str(file)) == p:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(data_mod, "open", refuse, raising=False)
    else:
        p.chmod(0)
    try:
        with pytest.raises(DataError, match="permission denied.*chmod"):
            load_series(p)
    finally:
        p.chmod(0o644)


def test_headerless_numbers_keep_the_first_row(tmp_path):
    (tmp_path / "n.csv").write_text("".join(f"{v}\n" for v in wiggle(40)))
    s = load_series(tmp_path / "n.csv")
    assert s.summary.n == 40 and s.values[0] == wiggle(40)[0]


def test_title_line_above_header_is_skipped(tmp_path):
    idx = pd.date_range("2024-01-01", periods=40, freq="D")
    text = "Export of account 123\n" + "date,close\n" + "".join(f"{t:%Y-%m-%d},{v}\n" for t, v in zip(idx, wiggle(40)))
    (tmp_path / "t.csv").write_text(text)
    assert load_series(tmp_path / "t.csv").summary.time_column == "date"


def test_long_minute_file_loads_with_the_c_parser(tmp_path):
    """Speed is measured in benchmarks/bench_analysis.py; here: a long file loads correctly."""
    n = 200_000
    stamps = np.datetime_as_string(np.arange(n) * np.timedelta64(1, "m") + np.datetime64("2020-01-01T00:00"),
                                   unit="s")
    close = (np.arange(n) % 997 + 0.25).astype(str)
    rows = np.char.add(np.char.add(np.char.add(stamps, ","), close), ",1\n")
    (tmp_path / "big.csv").write_text("Date,Close,Volume\n" + "".join(rows.tolist()))
    s = load_series(tmp_path / "big.csv")
    assert s.summary.n == n and s.summary.frequency.alias == "min"
    assert s.summary.frequency.seasonal_periods == (60, 1440)
    assert s.values[-1] == (n - 1) % 997 + 0.25


# ----------------------------------------------------------------------------- never crash


def load_or_data_error(path: Path, **kwargs) -> None:
    try:
        s = load_series(path, **kwargs)
    except DataError as e:
        assert "\n" not in str(e)
        return
    assert s.values.ndim == 1 and np.isfinite(s.values).all() and s.values.size == s.summary.n
    if s.timestamps is not None:
        assert s.timestamps.size == s.values.size and np.all(np.diff(s.timestamps) > np.timedelta64(0))


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(payload=st.binary(max_size=400))
def test_random_bytes_never_crash(tmp_path, payload):
    p = tmp_path / "fuzz.bin"
    p.write_bytes(payload)
    load_or_data_error(p, min_points=2)


CSVISH = st.lists(st.sampled_from(list("0123456789,;\n\t.-:e abT") + ["n/a", "2024-01-0", "inf", "null"]),
                  max_size=150).map("".join)


@FUZZ
@given(text=CSVISH, header=st.sampled_from(["", "date,close\n", "time;value\n", "a,b,c\n"]))
def test_random_csv_text_never_crashes(tmp_path, text, header):
    p = tmp_path / "fuzz.csv"
    p.write_text(header + text)
    load_or_data_error(p, min_points=2)
    load_or_data_error(p, min_points=2, last=3, start="2024-01-01")


# -- numbers as people write them, compressed files, mixed date orders ---------------------------


def write_rows(path, header: str, rows: list[str]) -> None:
    path.write_text(header + "\n" + "\n".join(rows) + "\n")


DATES = [f"2024-01-{day:02d}" for day in range(1, 31)] + [f"2024-02-{day:02d}" for day in range(1, 11)]


@pytest.mark.parametrize("cell, sep, value, said", [
    ('"3,0{i:02d}.8"', ",", 3000.8, "thousands separators dropped"),
    ('"1.2{i:02d},5"', ",", 1200.5, "a decimal comma"),
    ("30{i:02d},8", ";", 3000.8, "a decimal comma"),
    ('"30{i:02d},8"', ",", 3000.8, "a decimal comma"),  # only the decimal reading fits
    ("$1{i:02d}.13", ",", 100.13, "currency signs dropped"),
    ("1{i:02d}.5%", ",", 100.5, "percent signs dropped"),
    ("1'2{i:02d}.5", ",", 1200.5, None),
])
def test_formatted_numbers_are_read_and_the_summary_says_how(tmp_path, cell, sep, value, said):
    path = tmp_path / "prices.csv"
    write_rows(path, f"date{sep}close", [f"{d}{sep}{cell.format(i=i)}" for i, d in enumerate(DATES)])
    series = load_series(path)
    assert series.values[0] == pytest.approx(value) and len(series.values) == len(DATES)
    if said:
        assert any(said in note for note in series.summary.notes), series.summary.notes


def test_a_comma_both_readings_fit_is_refused_naming_both(tmp_path):
    path = tmp_path / "prices.csv"
    write_rows(path, "date,close", [f'{d},"3,{100 + i:03d}"' for i, d in enumerate(DATES)])
    with pytest.raises(DataError, match=r"'3,100' reads as 3100 with ',' as a thousands separator or as "
                                        r"3\.100 with a decimal comma"):
        load_series(path)


@pytest.mark.parametrize("suffix, opener", [(".csv.gz", "gzip"), (".csv.bz2", "bz2"), (".csv.xz", "lzma")])
def test_compressed_csv_files_are_read(tmp_path, suffix, opener):
    import importlib

    module = importlib.import_module(opener)
    path = tmp_path / f"BTC-USD{suffix}"
    with module.open(path, "wt") as handle:
        handle.write("date,close\n" + "\n".join(f"{d},{100 + i}" for i, d in enumerate(DATES)) + "\n")
    series = load_series(path)
    assert len(series.values) == len(DATES) and series.values[-1] == 100 + len(DATES) - 1


def test_day_first_and_month_first_rows_in_one_column_are_refused_with_examples(tmp_path):
    rows = [f"01/{day:02d}/2024,{day}" for day in range(1, 29)] + ["13/02/2024,29", "14/02/2024,30"]
    path = tmp_path / "prices.csv"
    write_rows(path, "date,close", rows)
    with pytest.raises(DataError, match=r"mixes day-first and month-first dates \('13/02/2024' can only be "
                                        r"day/month, '01/13/2024' only month/day\)"):
        load_series(path)


NUMBER_STYLES = st.sampled_from(["{:,.2f}", "${:.2f}", "{:.2f}%", "{:.2f}"])


@FUZZ
@given(values=st.lists(st.floats(min_value=0.01, max_value=1e6), min_size=25, max_size=60),
       style=NUMBER_STYLES)
def test_any_number_style_reads_back_the_numbers_written(tmp_path, values, style):
    path = tmp_path / "styled.csv"
    cells = [style.format(v) for v in values]
    dates = pd.date_range("2020-01-01", periods=len(values), freq="D").strftime("%Y-%m-%d")
    write_rows(path, "date,close", [f'{d},"{c}"' for d, c in zip(dates, cells)])
    try:
        series = load_series(path, min_points=2)
    except DataError as exc:  # a refusal must name the column (ambiguous commas, constant values)
        assert "'close'" in str(exc)
        return
    assert np.allclose(series.values, np.round(values, 2), rtol=1e-9, atol=1e-9)
