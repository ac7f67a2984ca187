"""Every screen holds its content at 80×24 and at 120×40: nothing the user needs is cut.

Read from the screen as the user sees it (:func:`app_helpers.screen_text`), not from the
widgets' data: the whole verdict above the footer, the whole time range, an ACF plot at least
8 rows tall, every candidate (or a hint that more are below), one notation per column.
"""

from __future__ import annotations

import json
import re

import pytest
from app_helpers import MSFT, STORED_REPORT, screen_text, settle, widget_text

from seqlen_tui.tui.app import SeqlenApp
from seqlen_tui.tui.screens.run import RunScreen
from seqlen_tui.tui.widgets.acf_plot import AcfPlot
from seqlen_tui.tui.widgets.leaderboard import LeaderboardTable

SIZES = [(80, 24), (120, 40)]


def make(tmp_path, path=None) -> SeqlenApp:
    return SeqlenApp(None if path is None else str(path), settings_path=tmp_path / "settings.json",
                     runs_dir=tmp_path / "runs")


async def show_stored(app, pilot, report: dict) -> None:
    """The run screen on a stored report, drawn."""
    await app.push_screen(RunScreen(report=report))
    await pilot.pause()
    await pilot.pause()


def words(text: str) -> list[str]:
    return re.sub(r"\[/?b\]", "", text).split()


@pytest.mark.parametrize("size", SIZES)
async def test_a_stored_run_shows_its_whole_verdict_a_tall_plot_and_every_candidate(tmp_path, size):
    report = json.loads(STORED_REPORT.read_text())
    app = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        await show_stored(app, pilot, report)
        rows = screen_text(app)
        # The verdict, word for word, in the rows just above the footer.
        shown = " ".join(rows[-6:-1]).split()
        verdict = words(f"next best lag: {report['runner_up']}) — {report['verdict']}")
        assert " ".join(verdict) in " ".join(shown), rows[-6:]
        plot = app.screen.query_one("#run-plot-diff", AcfPlot)
        assert plot.region.height >= 8
        # Every benchmarked candidate on screen (a tab at 80×24), or a hint that more are below.
        if size[1] < 32:
            app.screen.query_one("#run-plots").active = "run-cands"
            await pilot.pause()
            await pilot.pause()
            rows = screen_text(app)
        lags_on_screen = {int(m.group(1)) for row in rows for m in [re.match(r"^[│ ]*\s+(\d+)\s{2}\S", row)] if m}
        hint = any("more below" in row for row in rows)
        assert set(report["lags"]) <= lags_on_screen or hint, rows


@pytest.mark.parametrize("size", SIZES)
async def test_every_leaderboard_column_has_one_notation_and_the_wide_screen_adds_columns(tmp_path, size):
    report = json.loads(STORED_REPORT.read_text())
    app = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        await show_stored(app, pilot, report)
        board = app.screen.query_one("#board", LeaderboardTable)
        keys = board.shown_keys
        assert {"model", "lag", "val_mse", "val_se", "skill", "stability", "seeds"} <= set(keys)
        if size[0] >= 120:
            assert {"test_mse", "mase", "pt_p", "dm_p"} <= set(keys)
        width = sum(column.get_render_width(board) for column in board.columns.values())
        assert width <= board.scrollable_content_region.width  # nothing clipped on the right
        for index, key in enumerate(keys):
            if key in ("model", "seeds"):
                continue
            cells = [str(board.get_row_at(row)[index]) for row in range(board.row_count)]
            figures = [c for c in cells if c not in ("—", "<0.001")]
            notations = {("e" if "e" in c else "fixed", len(c.split(".")[1]) if "." in c else 0)
                         for c in figures}
            assert len(notations) <= 1, (key, cells)


@pytest.mark.parametrize("size", SIZES)
async def test_the_summary_keeps_the_file_points_and_whole_time_range(tmp_path, size):
    app = make(tmp_path, MSFT)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.pause()
        drawn = widget_text(app.screen.query_one("#report"))
        text = " ".join(drawn.split())  # as drawn
        for part in ("MSFT.csv", "column 'Close'", "2,485 points", "(2008-01-02 → 2017-11-10)"):
            assert part in text, part
        # The file name whole on its line, wherever the suite runs from (test_long_paths.py
        # checks a path of over 100 characters).
        assert any("MSFT.csv:" in line for line in drawn.splitlines()), drawn
        # No line of the summary runs past the panel: each ends before the border.
        summary = app.screen.query_one("#report")
        assert max(len(line) for line in summary.text.splitlines()) <= summary.size.width


@pytest.mark.parametrize("size", SIZES)
async def test_zoom_fits_the_plot_and_rewraps_the_log_to_the_screen(tmp_path, size):
    report = json.loads(STORED_REPORT.read_text())
    app = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        await app.push_screen(RunScreen(report=report))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#run-plots").query_one("Tabs").focus()
        await pilot.press("z")
        await pilot.pause()
        plot = screen.query_one("#run-plot-diff", AcfPlot)
        assert screen.maximized is not None and plot.region.width <= size[0]
        assert any("ACF differenced" in row for row in screen_text(app))  # the title is drawn
        await pilot.press("escape")
        await pilot.pause()
        if size[1] < 32:
            return  # the log is a full-width tab there
        log = screen.query_one("#log")
        log.write("a long line " * 20)
        await pilot.pause()
        narrow = max(len(strip.text.rstrip()) for strip in log.lines)
        log.focus()
        await pilot.press("z")
        await pilot.pause()
        await pilot.pause()
        assert max(len(strip.text.rstrip()) for strip in log.lines) > narrow  # wrapped anew


async def test_no_color_means_no_colour_codes_and_the_cursor_still_shows(tmp_path, monkeypatch):
    """NO_COLOR: no 256-colour or true-colour codes at all (Textual's own monochrome filter
    sends greys); the cursor row is marked by reverse video instead."""
    from rich.segment import Segment
    from textual.color import Color

    monkeypatch.setenv("NO_COLOR", "1")
    report = json.loads(STORED_REPORT.read_text())
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_stored(app, pilot, report)
        reverse = 0
        for strip in app.screen._compositor.render_strips():
            segments: list[Segment] = list(strip)
            for line_filter in app._filters:
                segments = line_filter.apply(segments, Color(0, 0, 0))
            for segment in segments:
                style = segment.style
                if style is None:
                    continue
                assert style.color is None or style.color.is_default, segment
                assert style.bgcolor is None or style.bgcolor.is_default, segment
                reverse += bool(style.reverse)
        assert reverse  # the chosen row under the cursor, the active tab


async def test_a_long_verdict_on_a_short_screen_keeps_the_tabs_and_the_log_has_it_whole(tmp_path):
    report = json.loads(STORED_REPORT.read_text())
    report["verdict"] = ("Sequence length 1 beats persistence on validation (p = 0.016 over the 7 candidates); "
                         + "a long explanation that goes on " * 12 + "until it ends.")
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_stored(app, pilot, report)
        rows = screen_text(app)
        assert "stored run MSFT" in rows[0] and "Loss" in rows[1]  # nothing pushed off the top
        bottom = " ".join(" ".join(rows[-5:-1]).split())
        assert ("Sequence length 1 beats persistence on validation (p = 0.016 over the 7 candidates). "
                "(The whole verdict: the Log tab, t.)") in bottom
        log = app.screen.query_one("#run-log RichLog").texts  # written, shown once the tab is
        assert any(line.startswith("verdict: Sequence length 1") and line.endswith("until it ends.")
                   for line in log)
