"""Known answers for how the loader reads values: negatives in every style people export, a
value column that is mostly unreadable text (refused, not halved), and links that lead nowhere.

Each case here once went wrong silently: negatives written as ``(12.34)``, ``−12.34`` or
``12.34-`` were dropped as "missing values" (half the rows gone, exit 0).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core.data import list_numeric_columns, load_series
from seqlen_tui.core.describe import describe_summary
from seqlen_tui.core.errors import DataError

N = 60
DATES = pd.date_range("2024-01-01", periods=N, freq="D").strftime("%Y-%m-%d").tolist()
#: Half of them negative, none zero: 3.0, -8.41, ... (sin has both signs).
VALUES = np.round(np.sin(np.arange(1, N + 1)) * 1000 + np.sign(np.sin(np.arange(1, N + 1))) * 5, 2)
NEGATIVES = int((VALUES < 0).sum())


def write_prices(path, cells, header="date,close", sep=","):
    path.write_text(header + "\n" + "".join(f"{d}{sep}{c}\n" for d, c in zip(DATES, cells)), encoding="utf-8")
    return path


def styled(fmt_negative, fmt_positive="{:.2f}"):
    """Cells with negatives in one style (applied to the absolute value) and plain positives."""
    return [fmt_negative.format(-v) if v < 0 else fmt_positive.format(v) for v in VALUES]


# -- 1. negatives in other styles ----------------------------------------------------------------

@pytest.mark.parametrize("negative, positive, said", [
    ("({:.2f})", "{:.2f}", "written as (12.34)"),
    ("\u2212{:.2f}", "{:.2f}", "written with the sign −"),  # U+2212 MINUS SIGN
    ("\u2012{:.2f}", "{:.2f}", "written with the sign ‒"),  # FIGURE DASH
    ("\u2013{:.2f}", "{:.2f}", "written with the sign –"),  # EN DASH
    ("\ufe63{:.2f}", "{:.2f}", "written with the sign ﹣"),  # SMALL HYPHEN-MINUS
    ("\uff0d{:.2f}", "{:.2f}", "written with the sign －"),  # FULLWIDTH HYPHEN-MINUS
    ("{:.2f}-", "{:.2f}", "written as 12.34-"),
    ('"(${:,.2f})"', '"${:,.2f}"', "written as (12.34)"),  # with currency and thousands separators
    ('"${:,.2f}-"', '"${:,.2f}"', "written as 12.34-"),
    ('"\u2212{:,.2f}"', '"{:,.2f}"', "written with the sign −"),
])
def test_negatives_in_other_styles_are_read_as_negatives_and_the_summary_says_so(tmp_path, negative,
                                                                                  positive, said):
    series = load_series(write_prices(tmp_path / "prices.csv", styled(negative, positive)))
    assert series.summary.n == N and series.summary.dropped == {}  # before: 28 "missing values"
    assert np.array_equal(series.values, VALUES)
    note = next(note for note in series.summary.notes if "negatives" in note)
    assert f"read {NEGATIVES} negatives {said}" in note
    assert any(f"read {NEGATIVES} negatives" in line for line in describe_summary(series.summary))


def test_a_column_mixing_negative_styles_counts_each_style(tmp_path):
    cells = styled("({:.2f})")
    first, second = np.flatnonzero(VALUES < 0)[:2]
    cells[first], cells[second] = f"{-VALUES[first]:.2f}-", f"\u2212{-VALUES[second]:.2f}"
    series = load_series(write_prices(tmp_path / "prices.csv", cells))
    assert np.array_equal(series.values, VALUES)
    note = next(note for note in series.summary.notes if "negatives" in note)
    assert f"read {NEGATIVES} negatives" in note
    assert f"{NEGATIVES - 2} written as (12.34)" in note and "1 written as 12.34-" in note
    assert "1 written with the sign −" in note


def test_a_semicolon_file_with_decimal_commas_and_accounting_negatives(tmp_path):
    cells = [f"({-v:.2f})".replace(".", ",") if v < 0 else f"{v:.2f}".replace(".", ",") for v in VALUES]
    series = load_series(write_prices(tmp_path / "prices.csv", cells, header="date;close", sep=";"))
    assert np.array_equal(series.values, VALUES)


def test_plain_minus_numbers_and_dates_are_untouched(tmp_path):
    series = load_series(write_prices(tmp_path / "prices.csv", [f"{v:.2f}" for v in VALUES]))
    assert np.array_equal(series.values, VALUES) and series.summary.notes == ()
    assert series.summary.time_column == "date"


def test_a_parquet_text_column_with_accounting_negatives(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"date": pd.to_datetime(DATES), "close": styled("({:.2f})")})
    frame.to_parquet(tmp_path / "prices.parquet")
    series = load_series(tmp_path / "prices.parquet")
    assert np.array_equal(series.values, VALUES)


# -- 2. a column that is largely unreadable is refused, not halved -------------------------------

def test_a_column_with_a_large_share_of_unreadable_text_is_refused_naming_it(tmp_path):
    cells = [f"{v:.2f}" for v in VALUES]
    for i in range(0, N, 4):  # 15 of 60 cells (25 %) in a style nobody reads: before, dropped as missing
        cells[i] = f"{VALUES[i]:.2f} EUR"
    with pytest.raises(DataError) as info:
        load_series(write_prices(tmp_path / "prices.csv", cells))
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(tmp_path / "prices.csv"))
    assert "column 'close'" in message and "15 of 60" in message and "(25%)" in message
    assert repr(cells[0]) in message and "«column»" in message


def test_a_mostly_unreadable_named_value_column_is_refused_not_swapped_for_another(tmp_path):
    """Before: 'close' (40 of 60 cells unreadable) was not numeric, so 'volume' was analysed."""
    path = tmp_path / "prices.csv"
    rows = [f"{d},{v:.2f}{' USD' if i % 3 else ''},{100 + i}" for i, (d, v) in enumerate(zip(DATES, VALUES))]
    path.write_text("date,close,volume\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"column 'close' has 40 of 60 values \(67%\) that are not numbers"):
        load_series(path)
    assert load_series(path, column="volume").summary.column == "volume"  # the fix the message names


def test_blanks_and_missing_markers_are_not_unreadable(tmp_path):
    cells = [f"{v:.2f}" for v in VALUES]
    markers = ["", "NA", "null", "-", "n/a", "#N/A", "N/A", "NaN", "—", "n.a.", "#VALUE!"]
    for i, marker in enumerate(markers):
        cells[i * 5] = marker
    series = load_series(write_prices(tmp_path / "prices.csv", cells))
    assert series.summary.n == N - len(markers) and series.summary.dropped == {"missing": len(markers)}


def test_a_few_unreadable_cells_are_dropped_and_named_in_the_summary(tmp_path):
    cells = [f"{v:.2f}" for v in VALUES]
    cells[10], cells[20] = "halted", "12.5 (est)"  # 2 of 60: a footnote, not a style
    series = load_series(write_prices(tmp_path / "prices.csv", cells))
    assert series.summary.n == N - 2 and series.summary.dropped == {"missing": 2}
    assert any("2 values that are not numbers (e.g. 'halted')" in note for note in series.summary.notes)


@pytest.mark.parametrize("folder", ["layouts", "bad"])
def test_every_fixture_file_reads_as_before(folder):
    """The refusal must not catch the fixtures: each layout still loads; each bad file keeps its
    own message (tests/unit/test_data.py checks the words)."""
    from paths import DATA, ROOT

    files = sorted((DATA / folder).iterdir()) + (sorted((ROOT / "sample_data").glob("*.csv"))
                                                 if folder == "layouts" else [])
    for path in files:
        try:
            load_series(path, min_points=12)
        except DataError as exc:
            assert folder == "bad" and "not numbers" not in str(exc), (path, exc)


# -- 4. links that lead nowhere ------------------------------------------------------------------

def test_a_symbolic_link_loop_is_named_as_one(tmp_path):
    os.symlink(tmp_path / "b.csv", tmp_path / "a.csv")
    os.symlink(tmp_path / "a.csv", tmp_path / "b.csv")
    with pytest.raises(DataError) as info:  # before: "file not found; check the path and spelling"
        load_series(tmp_path / "a.csv")
    assert str(info.value) == (f"{tmp_path / 'a.csv'}: is a symbolic link loop; give the path of the "
                               "data file itself")
    with pytest.raises(DataError, match="is a symbolic link loop"):
        list_numeric_columns(tmp_path / "a.csv")


def test_a_dangling_symbolic_link_names_its_missing_target(tmp_path):
    os.symlink(tmp_path / "moved" / "prices.csv", tmp_path / "link.csv")
    with pytest.raises(DataError) as info:
        load_series(tmp_path / "link.csv")
    assert str(info.value) == (f"{tmp_path / 'link.csv'}: is a symbolic link to a missing file "
                               f"{tmp_path / 'moved' / 'prices.csv'}; fix the link or give the file's "
                               "new path")


def test_a_relative_dangling_link_names_the_target_it_would_reach(tmp_path):
    os.symlink("gone.csv", tmp_path / "link.csv")
    with pytest.raises(DataError, match=f"to a missing file {tmp_path / 'gone.csv'};"):
        load_series(tmp_path / "link.csv")


def test_a_link_to_a_real_file_still_reads(tmp_path):
    target = write_prices(tmp_path / "prices.csv", [f"{v:.2f}" for v in VALUES])
    os.symlink(target, tmp_path / "link.csv")
    assert load_series(tmp_path / "link.csv").summary.n == N
