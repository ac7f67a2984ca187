"""The plateau beside the lag (issue 29): one asset's history in the review (h) shows
``5 (4–32)`` for a stored run whose one-SE set spans 4..32, at 80×24 without scrolling
sideways; an old report without the field shows its lag alone and breaks nothing (the runs,
the morning view, the compare screen); ``seqlen-tui runs`` lists the plateau in a column.

Reports are copies of the stored test report with another asset, date, lag and one-SE set.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_helpers import STORED_REPORT, open_review, review_app, settle, widget_text
from textual.widgets import DataTable

from seqlen_tui.cli import main
from seqlen_tui.tui.screens.compare import CompareScreen, HistoryScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
# (created_at, chosen lag, extra fields): oldest first
RUNS = [
    ("2026-10-01T03:00:00+00:00", 9, {}),  # made before the one-SE set was kept
    ("2026-11-01T03:00:00+00:00", 5, {"within_one_se": [4, 5, 12, 32]}),  # before the field
    ("2026-12-01T03:00:00+00:00", 23, {"within_one_se": [4, 5, 12, 23, 32],
                                       "plateau": {"low": 4, "high": 32, "rule": "structure"},
                                       "choice_rule": "structure"}),
]


@pytest.fixture
def runs_folder(tmp_path) -> Path:
    base = json.loads(STORED_REPORT.read_text())
    base.pop("within_one_se", None)
    base.pop("plateau", None)
    runs = tmp_path / "runs"
    runs.mkdir()
    for created_at, lag, extra in RUNS:
        report = dict(base, asset="SUNSPOTS", created_at=created_at, chosen_lag=lag,
                      qualified=[lag], file="data/sunspots.csv", **extra)
        stamp = created_at[:19].replace("-", "").replace(":", "")
        (runs / f"SUNSPOTS_{stamp}.json").write_text(json.dumps(report))
    (tmp_path / "settings.json").write_text(json.dumps({"home": "/x"}))
    return runs


def history_rows(screen) -> list[dict[str, str]]:
    table = screen.query_one("#history-table", DataTable)
    keys = [column.key.value for column in table.ordered_columns]
    return [dict(zip(keys, (str(cell) for cell in table.get_row_at(i))))
            for i in range(table.row_count)]


@pytest.mark.parametrize("size", SIZES)
async def test_the_history_shows_the_plateau_beside_the_lag_and_fits(runs_folder, size):
    app = review_app(runs_folder)
    async with app.run_test(size=size) as pilot:
        await open_review(app, pilot)
        await pilot.press("h")
        await settle(app, pilot, group="history")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        rows = history_rows(history)
        assert [r["lag"] for r in rows] == ["23 (4–32)", "5 (4–32)", "9"]  # newest first
        assert [r["change"] for r in rows] == ["5→23", "9→5", ""]
        table = history.query_one("#history-table", DataTable)
        painted = widget_text(table)
        assert "23 (4–32)" in painted and "5 (4–32)" in painted
        assert "settings changed" in painted  # the last column still shows: nothing cut off
        assert table.virtual_size.width <= table.scrollable_content_region.width


async def test_an_old_report_without_the_field_breaks_nothing(runs_folder):
    app = review_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        assert screen.query_one("#runs", DataTable).row_count == 3
        await pilot.press("l")  # the morning view
        await settle(app, pilot, group="review")
        await pilot.press("l")  # back to every run
        await settle(app, pilot, group="review")
        await pilot.press("c")  # the newest run with the one before it (no field, derived)
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # the oldest run: no one-SE set at all
        await pilot.pause()
        assert app.screen.report["chosen_lag"] == 9
        assert app.screen.query_one("#board").border_title == "Leaderboard · judge LSTM(16)"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("up", "up", "enter")  # the newest: its leaderboard says the plateau
        await pilot.pause()
        assert app.screen.query_one("#board").border_title == "Leaderboard · judge LSTM(16) · plateau 4–32 (one SE)"


def test_the_runs_listing_has_a_plateau_column(runs_folder, capsys):
    assert main(["runs", "--runs-dir", str(runs_folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:6] == ["asset", "date", "(UTC)", "lag", "plateau", "skill"]
    cells = {line.split()[3]: line.split()[4] for line in lines[1:4]}
    assert cells == {"23": "4–32", "5": "4–32", "9": "—"}
