"""The review screen over many runs (f2) at 80×24 and 120×40: runs grouped by asset, latest
first; the lag changes marked; one asset's history (h); two runs compared (m, c); the morning
view (l) with its sort (s, d) and export (e); the filter in both views.

Reports are copies of the stored test report with another asset, date, chosen lag, verdict
and options.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_helpers import (
    STORED_REPORT,
    export_twice,
    messages,
    open_review,
    review_app,
    runs_beside_settings,
    settle,
    widget_text,
    write_stored_run,
)
from textual.widgets import DataTable, Input, Static

from seqlen_tui.tui.app import SeqlenApp
from seqlen_tui.tui.screens.compare import CompareCurvesPlot, CompareScreen, HistoryScreen
from seqlen_tui.tui.screens.review import ReviewScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
# (asset, created_at, chosen lag, lags that beat persistence, options changed)
RUNS = [
    ("BTC-USD", "2026-10-01T03:00:00+00:00", 4, [4], {}),
    ("BTC-USD", "2026-10-15T03:00:00+00:00", 4, [4], {}),
    ("BTC-USD", "2026-11-01T03:00:00+00:00", 11, [11], {"seeds": 3}),
    ("BTC-USD", "2026-11-24T03:00:00+00:00", 36, [], {"seeds": 3, "budget": "full"}),
    ("ETH-USD", "2026-11-23T03:00:00+00:00", 5, [5], {}),
    ("ETH-USD", "2026-11-24T03:05:00+00:00", 5, [5], {}),
    ("MSFT", "2026-11-25T04:19:59+00:00", 1, [], {}),
]
# The table's order: the asset whose latest run is newest first, each asset newest first.
GROUPED = [("MSFT", "2026-11-25 04:19"), ("ETH-USD", "2026-11-24 03:05"),
           ("ETH-USD", "2026-11-23 03:00"), ("BTC-USD", "2026-11-24 03:00"),
           ("BTC-USD", "2026-11-01 03:00"), ("BTC-USD", "2026-10-15 03:00"),
           ("BTC-USD", "2026-10-01 03:00")]


def write_runs(runs_dir: Path, runs=RUNS) -> None:
    base = json.loads(STORED_REPORT.read_text())
    runs_dir.mkdir(parents=True, exist_ok=True)
    for position, (asset, created_at, lag, qualified, options) in enumerate(runs):
        scale = 1 + 0.05 * position  # each run's curve apart from the others'
        board = [{**row, "val_mse": row["val_mse"] * scale} if row["val_mse"] else row
                 for row in base["leaderboard"]]
        write_stored_run(runs_dir, base, asset, created_at, options, chosen_lag=lag, qualified=qualified,
                         leaderboard=board)


@pytest.fixture
def runs_folder(tmp_path) -> Path:
    return runs_beside_settings(tmp_path, write_runs)


make_app = review_app


def table_rows(screen, selector: str = "#runs") -> list[dict[str, str]]:
    table = screen.query_one(selector, DataTable)
    keys = [column.key.value for column in table.ordered_columns]
    return [dict(zip(keys, (str(cell) for cell in table.get_row_at(i))))
            for i in range(table.row_count)]


async def highlight(pilot, screen: ReviewScreen, asset: str, date: str) -> None:
    """Moves the cursor to the run of ``asset`` made at ``date`` (``YYYY-MM-DD HH:MM``)."""
    rows = table_rows(screen)
    target = next(i for i, row in enumerate(rows) if row["asset"] == asset and row["date"] == date)
    table = screen.query_one("#runs", DataTable)
    steps = target - table.cursor_row
    await pilot.press(*(["down"] * steps + ["up"] * -steps))
    await pilot.pause()
    run = screen.runs[screen.shown_index()]
    assert (run.asset, run.created_at[:16].replace("T", " ")) == (asset, date)


@pytest.mark.parametrize("size", SIZES)
async def test_runs_are_grouped_by_asset_latest_first_with_the_lag_changes(runs_folder, size):
    app = make_app(runs_folder)
    async with app.run_test(size=size) as pilot:
        screen = await open_review(app, pilot)
        rows = table_rows(screen)
        assert [(row["asset"], row["date"]) for row in rows] == GROUPED
        assert [row["change"] for row in rows] == ["", "", "", "11→36", "4→11", "", ""]
        table = screen.query_one("#runs", DataTable)
        # an asset's later rows dim its name: the groups read at a glance
        dimmed = [table.get_row_at(i)[0].style == "dim" for i in range(table.row_count)]
        assert dimmed == [False, False, True, False, True, True, True]
        assert "7 runs" in str(screen.query_one("#runs-count", Static).render())
        painted = widget_text(table)
        assert "Δ lag" in painted and "11→36" in painted and "4→11" in painted


async def test_a_narrow_table_shows_a_lag_change_as_an_arrow(tmp_path):
    """No room for the Δ lag column at 80 columns (a long asset name, long file names): the
    change shows beside the lag instead."""
    runs = tmp_path / "runs"
    write_runs(runs, [("mauna_loa_co2_weekly_dataset", "2026-10-01T03:00:00+00:00", 4, [], {}),
                      ("mauna_loa_co2_weekly_dataset", "2026-11-01T03:00:00+00:00", 11, [], {}),
                      ("mauna_loa_co2_weekly_dataset", "2026-11-05T03:00:00+00:00", 5, [], {})])
    (tmp_path / "settings.json").write_text("{}")
    app = make_app(runs)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        assert "change" not in screen.query_one("#runs", DataTable).columns
        assert [row["lag"] for row in table_rows(screen)] == ["↓5", "↑11", "4"]


async def test_the_history_of_one_asset_marks_its_changes_and_opens_a_run(runs_folder):
    from seqlen_tui.tui.screens.run import RunScreen

    app = make_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        await highlight(pilot, screen, "BTC-USD", "2026-11-01 03:00")
        await pilot.press("h")
        await settle(app, pilot, group="history")
        history = app.screen
        assert isinstance(history, HistoryScreen) and history.asset == "BTC-USD"
        rows = table_rows(history, "#history-table")
        assert [(r["date"], r["lag"], r["change"]) for r in rows] == [
            ("2026-11-24 03:00", "36", "11→36"), ("2026-11-01 03:00", "11", "4→11"),
            ("2026-10-15 03:00", "4", ""), ("2026-10-01 03:00", "4", "")]
        assert [r["verdict"] for r in rows] == ["not predictable", "predictable", "predictable",
                                                "predictable"]
        assert [r["settings"] for r in rows] == ["budget", "seeds", "same", ""]
        summary = str(history.query_one("#history-summary", Static).render())
        assert "lag 4 → 11 → 36; changed 2 times, last on 2026-11-24 (11→36)" in summary
        plot = history.query_one("#history-plot")
        assert plot.lags == [4, 4, 11, 36]
        await pilot.press("down", "enter")  # the 2026-11-01 run
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert app.screen.report["created_at"].startswith("2026-11-01")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


@pytest.mark.parametrize("size", SIZES)
async def test_a_marked_run_compared_with_another(runs_folder, size):
    app = make_app(runs_folder)
    async with app.run_test(size=size) as pilot:
        screen = await open_review(app, pilot)
        await highlight(pilot, screen, "BTC-USD", "2026-11-24 03:00")
        await pilot.press("m")
        assert screen.query_one("#runs", DataTable).rows  # the mark is the row's label
        assert "marked: BTC-USD 2026-11-24 03:00" in str(
            screen.query_one("#runs-info", Static).render())
        await highlight(pilot, screen, "BTC-USD", "2026-10-01 03:00")
        await pilot.press("c")
        await pilot.pause()
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        # A is the older run, B the newer, whichever was marked
        assert compare.a["created_at"].startswith("2026-10-01")
        assert compare.b["created_at"].startswith("2026-11-24")
        head = widget_text(compare.query_one("#compare-head"))
        assert "A BTC-USD · 2026-10-01 03:00 · lag 4" in head
        assert "B BTC-USD · 2026-11-24 03:00 · lag 36" in head
        # the options that differ, with both values
        diffs = {r["option"]: (r["a"], r["b"]) for r in table_rows(compare, "#compare-diffs")}
        assert diffs == {"seeds": ("1", "3"), "budget": ("quick", "full")}
        # both leaderboards, row by row
        board = table_rows(compare, "#compare-board")
        assert {"val_a", "val_b", "skill_a", "skill_b", "chosen"} <= set(board[0])
        lstm = {r["lag"]: r for r in board if r["model"] == "LSTM"}
        assert lstm["4"]["chosen"] == "A" and lstm["36"]["chosen"] == "B"
        assert all(r["val_a"] not in ("", "—") and r["val_b"] not in ("", "—")
                   for r in lstm.values())
        if size == (120, 40):
            assert "test_a" in board[0] and "da_a" in board[0]  # test MSE, dir.acc
        # the curves overlaid: both runs' points, A and B
        plot = compare.query_one("#compare-plot", CompareCurvesPlot)
        assert [len(c.points) for c in plot.curves] == [7, 7]
        assert plot.curves[0].chosen == 4 and plot.curves[1].chosen == 36
        if size == (80, 24):  # the table and the plot take turns
            assert not plot.display or not plot.region.height
            await pilot.press("t")
            await pilot.pause()
            assert plot.region.height >= 10
            assert not compare.query_one("#compare-board").region.height
        else:
            assert plot.region.height >= 10 and compare.query_one("#compare-board").region.height
        drawn = widget_text(plot)
        assert "A" in drawn.split("\n", 1)[1] and "B" in drawn.split("\n", 1)[1]  # markers
        assert "A BTC-USD 10-01" in drawn and "B BTC-USD 11-24" in drawn  # the legend
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_compare_without_a_mark_takes_the_assets_previous_run(runs_folder):
    app = make_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        await highlight(pilot, screen, "BTC-USD", "2026-11-24 03:00")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert app.screen.a["created_at"].startswith("2026-11-01")
        diffs = [r["option"] for r in table_rows(app.screen, "#compare-diffs")]
        assert diffs == ["budget"]
        await pilot.press("s")  # swap: B becomes A
        await pilot.pause()
        assert app.screen.a["created_at"].startswith("2026-11-24")
        await pilot.press("escape")
        await pilot.pause()
        await highlight(pilot, screen, "MSFT", "2026-11-25 04:19")  # its only run
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert messages(app)[-1].startswith("Nothing to compare")


async def test_two_assets_compared_relative_to_their_persistence(runs_folder):
    app = make_app(runs_folder)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("m")  # MSFT
        await highlight(pilot, screen, "ETH-USD", "2026-11-24 03:05")
        await pilot.press("c")
        await pilot.pause()
        compare = app.screen
        diffs = [r["option"] for r in table_rows(compare, "#compare-diffs")]
        assert diffs == ["file"]  # same options, other data file (same bytes here)
        plot = compare.query_one("#compare-plot", CompareCurvesPlot)
        assert plot.relative and "÷ persistence" in widget_text(plot)


@pytest.mark.parametrize("size", SIZES)
async def test_the_morning_view_has_the_latest_run_of_each_asset(runs_folder, size):
    app = make_app(runs_folder)
    async with app.run_test(size=size) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("l")
        await settle(app, pilot, group="review")
        rows = table_rows(screen)
        assert [(r["asset"], r["date"], r["lag"], r["change"], r["verdict"]) for r in rows] == [
            ("BTC-USD", "2026-11-24 03:00", "36", "11→36", "not predictable"),
            ("ETH-USD", "2026-11-24 03:05", "5", "", "predictable"),
            ("MSFT", "2026-11-25 04:19", "1", "new", "not predictable")]
        assert "3 assets" in str(screen.query_one("#runs-count", Static).render())
        table = screen.query_one("#runs", DataTable)
        assert str(table.columns["asset"].label) == "asset ▲"
        painted = widget_text(table)
        assert "not predictable" in painted and "11→36" in painted
        if size == (120, 40):
            assert "runs" in table.columns and "file" in table.columns


async def test_the_morning_view_sorts_by_the_next_column(runs_folder):
    app = make_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("l", "s")  # by date, newest first
        table = screen.query_one("#runs", DataTable)
        assert [r["asset"] for r in table_rows(screen)] == ["MSFT", "ETH-USD", "BTC-USD"]
        assert str(table.columns["date"].label) == "date (UTC) ▼"
        await pilot.press("d")  # oldest first
        assert [r["asset"] for r in table_rows(screen)] == ["BTC-USD", "ETH-USD", "MSFT"]
        assert str(table.columns["date"].label) == "date (UTC) ▲"
        await pilot.press("s", "s")  # by Δ lag: moved first, then new
        assert [r["asset"] for r in table_rows(screen)] == ["BTC-USD", "MSFT", "ETH-USD"]
        await pilot.press("s", "s")  # by verdict: predictable first
        assert [r["asset"] for r in table_rows(screen)][0] == "ETH-USD"


async def test_enter_in_the_morning_view_opens_the_latest_run_and_l_goes_back(runs_folder):
    app = make_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("l")
        await highlight(pilot, screen, "ETH-USD", "2026-11-24 03:05")
        await pilot.press("enter")  # opens the asset's latest run
        await pilot.pause()
        assert app.screen.report["asset"] == "ETH-USD"
        assert app.screen.report["created_at"].startswith("2026-11-24T03:05")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("l")  # back to every run; the highlighted run stays highlighted
        assert screen.mode == "all" and len(table_rows(screen)) == len(RUNS)
        assert screen.runs[screen.shown_index()].created_at.startswith("2026-11-24T03:05")


async def test_the_morning_view_exports_twice_to_two_files(runs_folder):
    app = make_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(app, pilot)
        await pilot.press("l", "s")  # by date
        await settle(app, pilot, group="review")
        exports = await export_twice(pilot, runs_folder, "latest_*.csv")
        first, second = (path.read_text() for path in exports)
        assert first == second
        lines = first.splitlines()
        assert lines[0] == ("asset,created_at,chosen_lag,previous_lag,change,skill,verdict,runs,"
                            "protocol,judge,file,report")
        assert [line.split(",")[0] for line in lines[1:]] == ["MSFT", "ETH-USD", "BTC-USD"]
        btc = lines[3].split(",")
        assert btc[1:5] == ["2026-11-24T03:00:00+00:00", "36", "11", "11→36"]
        assert btc[6:8] == ["not predictable", "4"]
        assert messages(app)[-1].startswith("Exported: 3 assets") and exports[1].name in messages(app)[-1]
        assert not list(runs_folder.glob("runs_*.csv"))


async def test_the_filter_keeps_the_groups(runs_folder):
    app = make_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        count = screen.query_one("#runs-count", Static)
        await pilot.press("slash", *"btc")
        await pilot.pause()
        assert [(r["asset"], r["date"]) for r in table_rows(screen)] == GROUPED[3:]
        assert [r["change"] for r in table_rows(screen)] == ["11→36", "4→11", "", ""]
        assert "4 of 7 runs" in str(count.render())
        await pilot.press("ctrl+a", "ctrl+k", *"eth")
        await pilot.pause()
        assert [(r["asset"], r["date"]) for r in table_rows(screen)] == GROUPED[1:3]


async def test_the_filter_in_the_morning_view(runs_folder):
    app = make_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("slash", *"ethl")  # "l" is typed into the filter, not a switch
        await pilot.pause()
        assert screen.query_one("#runs-filter", Input).value == "ethl" and screen.mode == "all"
        await pilot.press("backspace", "enter", "l")
        await settle(app, pilot, group="review")
        assert screen.mode == "latest"
        assert [r["date"] for r in table_rows(screen)] == ["2026-11-24 03:05"]
        assert "1 of 3 assets" in str(screen.query_one("#runs-count", Static).render())


async def test_review_keys_can_be_remapped_by_id(runs_folder):
    (runs_folder.parent / "settings.json").write_text(json.dumps(
        {"seqlen_tui": {"keymap": {"review_compare": "x", "review_latest": "f4"}}}))
    app = make_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("f4")
        assert screen.mode == "latest"
        await highlight(pilot, screen, "BTC-USD", "2026-11-24 03:00")
        await pilot.press("x")  # BTC-USD's latest run, with the run before it
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)


def test_the_help_lists_the_compare_keys():
    from seqlen_tui.tui.screens.help import keys_section

    keys = keys_section(SeqlenApp.BINDINGS)
    assert "**Compare runs**: `esc`/`f2` back · `t` plot/table · `s` swap a/b" in keys
    assert "`c` compare" in keys and "`h` history" in keys and "`l` latest" in keys
