"""Time columns read as their writer meant, or refused with an example (issue 27, slice S3).

Each test builds a small file the way a real export writes it and checks the exact clock,
first timestamp, order or message that a person reading the file would expect.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from paths import ROOT

from seqlen_tui.core.data import load_series
from seqlen_tui.core.describe import describe_summary
from seqlen_tui.core.errors import DataError


def write_rows(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def wiggle(n: int) -> np.ndarray:
    """Values that are not constant and say which row they came from (row i -> i + 0.5 ...)."""
    return np.round(np.arange(n) + np.sin(np.arange(n)) * 0.25, 4)


def dated(path: Path, stamps: list[str], header: str = "date,close") -> Path:
    return write_rows(path, header, [f"{t},{v}" for t, v in zip(stamps, wiggle(len(stamps)))])


# ----------------------------------------------------------------------------- 1. day-first / month-first


def test_monthly_dates_written_day_first_are_read_day_first_and_the_summary_says_so(tmp_path):
    months = pd.date_range("2000-01-01", periods=48, freq="MS")
    s = load_series(dated(tmp_path / "m.csv", list(months.strftime("%d/%m/%Y"))))
    assert s.summary.frequency.alias == "MS" and s.summary.frequency.seasonal_periods == (12,)
    assert s.summary.first == "2000-01-01T00:00:00" and s.summary.last == "2003-12-01T00:00:00"
    assert pd.Timestamp(s.timestamps[1]) == pd.Timestamp("2000-02-01")
    assert "column 'date': dates read day-first (01/02/2000 = 1 February 2000;" in s.summary.notes[0]
    assert any("day-first (01/02/2000 = 1 February 2000;" in line for line in describe_summary(s.summary))


def test_quarterly_dates_written_day_first_are_quarterly(tmp_path):
    quarters = pd.date_range("1990-01-01", periods=40, freq="QS")
    s = load_series(dated(tmp_path / "q.csv", list(quarters.strftime("%d/%m/%Y"))))
    assert s.summary.frequency.alias == "QS" and s.summary.frequency.seasonal_periods == (4,)
    assert s.summary.last == "1999-10-01T00:00:00"


def test_monthly_dates_written_month_first_stay_month_first_and_say_so(tmp_path):
    months = pd.date_range("2000-01-01", periods=48, freq="MS")
    stamps = list((months + pd.Timedelta(days=1)).strftime("%m/%d/%Y"))  # 01/02/2000 = 2 January
    s = load_series(dated(tmp_path / "us.csv", stamps))
    assert s.summary.frequency.description == "monthly" and s.summary.first == "2000-01-02T00:00:00"
    assert "dates read month-first (01/02/2000 = 2 January 2000;" in s.summary.notes[0]


def test_day_first_with_times_of_day_is_read_day_first(tmp_path):
    idx = pd.date_range("2024-01-01", periods=12 * 4, freq="6h")  # days 1..12: every field <= 12
    s = load_series(dated(tmp_path / "h.csv", list(idx.strftime("%d/%m/%Y %H:%M"))))
    assert s.summary.frequency.alias == "6h" and s.summary.last == "2024-01-12T18:00:00"


def test_five_minute_session_bars_written_day_first_over_twelve_days_are_read_day_first(tmp_path):
    days = pd.bdate_range("2024-01-01", "2024-01-12")
    idx = pd.DatetimeIndex([t for d in days for t in pd.date_range(d + pd.Timedelta("9:30:00"), periods=78,
                                                                     freq="5min")])
    s = load_series(dated(tmp_path / "bars.csv", list(idx.strftime("%d/%m/%Y %H:%M"))))  # 780 rows
    assert s.summary.frequency.alias == "5min" and s.summary.frequency.seasonal_periods == (12, 78, 390)
    assert s.summary.last == "2024-01-12T15:55:00"


def test_dates_both_readings_read_as_a_regular_clock_are_refused_with_each_reading(tmp_path):
    days = pd.date_range("2024-01-01", periods=12, freq="D")  # daily one way, monthly the other
    path = dated(tmp_path / "both.csv", list(days.strftime("%m/%d/%Y")))
    with pytest.raises(DataError, match=r"column 'date' reads two ways: 01/02/2024 reads as 2024-02-01 "
                                        r"day-first or 2024-01-02 month-first, and both readings give a "
                                        r"regular clock .*write ISO dates"):
        load_series(path, min_points=5)


def test_dates_neither_reading_reads_as_a_regular_clock_are_refused(tmp_path):
    stamps = ["03/04/2020", "01/02/2020", "07/11/2021", "05/06/2020", "12/01/2022", "02/09/2021",
              "11/03/2020", "04/12/2022", "06/05/2021", "09/08/2022", "10/07/2020", "08/10/2021"]
    with pytest.raises(DataError, match=r"03/04/2020 reads as 2020-04-03 day-first or 2020-03-04 month-first, "
                                        r"and neither reading gives a regular clock"):
        load_series(dated(tmp_path / "neither.csv", stamps), min_points=5)


def test_the_cli_reads_day_first_monthly_dates_as_monthly(tmp_path):
    months = pd.date_range("2000-01-01", periods=60, freq="MS")
    path = dated(tmp_path / "monthly.csv", list(months.strftime("%d/%m/%Y")))
    out = subprocess.run([sys.executable, "-m", "seqlen_tui.cli", "analyze", str(path), "--json", "-"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["frequency"] == "MS"
    assert "dates read day-first (01/02/2000 = 1 February 2000;" in out.stderr


# ----------------------------------------------------------------------------- 2. two-digit years


def test_two_digit_years_keep_the_files_order_across_the_century(tmp_path):
    months = pd.date_range("1950-01-01", "2020-12-01", freq="MS") + pd.Timedelta(days=14)
    s = load_series(dated(tmp_path / "yy.csv", list(months.strftime("%d/%m/%y"))))
    assert s.summary.first == "1950-01-15T00:00:00" and s.summary.last == "2020-12-15T00:00:00"
    assert np.array_equal(s.values, wiggle(len(months)))  # the file's order, not re-sorted
    assert s.summary.frequency.description == "monthly"
    assert any("two-digit years" in note and "1950" in note for note in s.summary.notes)


def test_two_digit_years_newest_first_keep_the_files_order(tmp_path):
    years = pd.to_datetime([f"{year}-06-30" for year in range(1960, 2020)])
    stamps = list(years.strftime("%d/%m/%y"))[::-1]  # newest first, 19 .. 00, 99 .. 60
    s = load_series(dated(tmp_path / "desc.csv", stamps), min_points=5)
    assert s.summary.first == "1960-06-30T00:00:00" and s.summary.last == "2019-06-30T00:00:00"
    assert np.array_equal(s.values, wiggle(len(stamps))[::-1])


def test_two_digit_years_of_one_century_stay_in_it(tmp_path):
    days = pd.date_range("2015-12-01", "2016-01-31", freq="D")  # 15 then 16: no rollover
    s = load_series(dated(tmp_path / "yy.csv", list(days.strftime("%d/%m/%y"))))
    assert s.summary.first == "2015-12-01T00:00:00" and s.summary.last == "2016-01-31T00:00:00"
    assert s.summary.frequency.alias == "D"


def test_ambiguous_day_month_and_two_digit_years_together(tmp_path):
    months = pd.date_range("1990-01-01", "2009-12-01", freq="MS")
    s = load_series(dated(tmp_path / "both.csv", list(months.strftime("%d/%m/%y"))))
    assert s.summary.frequency.alias == "MS" and s.summary.first == "1990-01-01T00:00:00"
    assert np.array_equal(s.values, wiggle(len(months)))


def test_two_digit_years_whose_century_cannot_be_told_from_the_order_are_refused(tmp_path):
    months = pd.date_range("1950-01-01", "2020-12-01", freq="MS") + pd.Timedelta(days=14)
    stamps = list(months.strftime("%d/%m/%y"))
    shuffled = [stamps[i] for i in np.random.default_rng(0).permutation(len(stamps))]
    with pytest.raises(DataError, match=r"column 'date' has two-digit years .*'\d\d/\d\d/\d\d' could be 19\d\d "
                                        r"or 20\d\d.*write four-digit years"):
        load_series(dated(tmp_path / "shuffled.csv", shuffled))


# ----------------------------------------------------------------------------- 3. zone abbreviations


def test_zone_abbreviations_across_a_clock_change_become_utc_in_time_order(tmp_path):
    utc = pd.date_range("2021-03-27 20:00", periods=40, freq="h")  # the UK goes GMT -> BST at 01:00 UTC
    local = [f"{t + pd.Timedelta(hours=1):%Y-%m-%d %H:%M} BST" if t >= pd.Timestamp("2021-03-28 01:00")
             else f"{t:%Y-%m-%d %H:%M} GMT" for t in utc]
    order = np.random.default_rng(1).permutation(len(local))
    rows = [f"{local[i]},{i}" for i in order]
    s = load_series(write_rows(tmp_path / "uk.csv", "time,demand", rows))
    assert s.summary.time_column == "time" and s.summary.frequency.alias == "h"
    assert s.summary.first == "2021-03-27T20:00:00"
    assert np.array_equal(s.values, np.arange(40))  # sorted by the real (UTC) time
    assert any("zone abbreviations" in note and "BST" in note for note in s.summary.notes)


@pytest.mark.parametrize("zone, utc", [("UTC", "12:00"), ("Z", "12:00"), ("GMT", "12:00"), ("BST", "11:00"),
                                       ("EST", "17:00"), ("EDT", "16:00"), ("CET", "11:00"),
                                       ("CEST", "10:00"), ("PST", "20:00"), ("PDT", "19:00"),
                                       ("JST", "03:00"), ("AEST", "02:00")])
def test_each_common_zone_abbreviation_is_its_offset(tmp_path, zone, utc):
    idx = pd.date_range("2021-06-01 12:00", periods=40, freq="D")
    s = load_series(dated(tmp_path / "z.csv", [f"{t:%Y-%m-%d %H:%M} {zone}" for t in idx], "timestamp,close"))
    assert s.summary.first.endswith(f"T{utc}:00") and s.summary.frequency.description == "daily"


def test_a_zone_abbreviation_naming_several_zones_is_refused_naming_them(tmp_path):
    idx = pd.date_range("2021-06-01 12:00", periods=40, freq="D")
    with pytest.raises(DataError, match=r"zone 'CST' .*names more than one zone \(US Central -06:00 or China "
                                        r"\+08:00\)"):
        load_series(dated(tmp_path / "c.csv", [f"{t:%Y-%m-%d %H:%M} CST" for t in idx], "timestamp,close"))


def test_an_unknown_zone_abbreviation_is_refused_by_name(tmp_path):
    idx = pd.date_range("2021-06-01 12:00", periods=40, freq="D")
    with pytest.raises(DataError, match=r"column 'timestamp'.*zone 'XST'.*\+05:00"):
        load_series(dated(tmp_path / "x.csv", [f"{t:%Y-%m-%d %H:%M} XST" for t in idx], "timestamp,close"))


# ----------------------------------------------------------------------------- 4. epoch sentinels


@pytest.mark.parametrize("scale", [1, 1000, 1_000_000, 1_000_000_000])
def test_epoch_sentinels_are_dropped_and_counted(tmp_path, scale):
    seconds = 1_600_000_000 + 3600 * np.arange(40)
    stamps = [str(t * scale) for t in seconds]
    stamps[3], stamps[20], stamps[30] = "0", "-1", str(86400 * scale)  # 0, -1 and 2 January 1970
    s = load_series(dated(tmp_path / "e.csv", stamps, "timestamp,close"))
    assert s.summary.dropped == {"epoch_sentinel": 3}
    assert s.summary.first == "2020-09-13T12:26:40" and s.summary.frequency.alias == "h"
    assert any("3 epoch sentinel" in line for line in describe_summary(s.summary))


# ----------------------------------------------------------------------------- 5. Excel serials, years


def test_excel_serial_dates_are_read(tmp_path):
    serials = [str(36526 + i) for i in range(40)]  # 36526 = 2000-01-01 in Excel
    s = load_series(dated(tmp_path / "x.csv", serials, "Date,Close"))
    assert s.summary.first == "2000-01-01T00:00:00" and s.summary.frequency.alias == "D"
    assert any("Excel serial" in note for note in s.summary.notes)


def test_excel_serial_dates_with_fractions_are_times_of_day(tmp_path):
    serials = [f"{36526 + i / 24:.10f}" for i in range(48)]
    s = load_series(dated(tmp_path / "x.csv", serials, "datetime,close"))
    assert s.summary.first == "2000-01-01T00:00:00" and s.summary.last == "2000-01-02T23:00:00"
    assert s.summary.frequency.alias == "h"


@pytest.mark.parametrize("header", ["Year,Passengers", "date,close", "year,value"])
def test_integer_years_are_read_as_yearly(tmp_path, header):
    years = [str(1950 + i) for i in range(40)]
    s = load_series(dated(tmp_path / "y.csv", years, header))
    assert s.summary.time_column == header.split(",")[0]
    assert s.summary.first == "1950-01-01T00:00:00" and s.summary.last == "1989-01-01T00:00:00"
    assert s.summary.frequency.alias == "YS"


# ----------------------------------------------------------------------------- 6. durations


def test_a_parquet_duration_column_is_elapsed_time(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "elapsed.parquet"
    pd.DataFrame({"elapsed": pd.to_timedelta(np.arange(40) * 5, unit="min"),
                  "load": wiggle(40)}).to_parquet(path)
    s = load_series(path)
    assert s.summary.time_column == "elapsed" and s.summary.frequency.alias == "5min"
    assert s.summary.first == "1970-01-01T00:00:00" and s.summary.last == "1970-01-01T03:15:00"
    assert any("elapsed time" in note for note in s.summary.notes)


# ----------------------------------------------------------------------------- 7. unreadable date columns


def test_a_date_column_that_cannot_be_read_is_named_with_the_failing_value(tmp_path):
    stamps = [f"day {i} of the trial" for i in range(40)]
    with pytest.raises(DataError, match=r"column 'date' .*'day 0 of the trial'.*ISO 8601"):
        load_series(dated(tmp_path / "t.csv", stamps))
