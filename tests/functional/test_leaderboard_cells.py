"""One leaderboard column schema (``core.leaderboard_columns``): the CLI's table (``run``,
``show``) and the app's leaderboard show the same cell text for the same report row, in one
notation per column."""

from __future__ import annotations

import json

from app_helpers import STORED_REPORT
from textual.app import App, ComposeResult

from seqlen_tui.core.describe import describe_leaderboard
from seqlen_tui.core.leaderboard_columns import LEADERBOARD_COLUMNS, table_cells
from seqlen_tui.core.report import chosen_model
from seqlen_tui.tui.widgets.leaderboard import LeaderboardTable


class BoardApp(App):
    def compose(self) -> ComposeResult:
        yield LeaderboardTable(id="board")


def cli_rows(report: dict) -> list[list[str]]:
    """The CLI table's rows as words (after the ``▶`` margin): cells hold no two spaces in a row,
    and columns are one space apart or more."""
    lines = describe_leaderboard(report)
    start = next(i for i, line in enumerate(lines) if line.startswith("  model "))
    return [line[2:].split() for line in lines[start + 1:start + 1 + len(report["leaderboard"])]]


async def test_the_cli_and_the_app_show_the_same_cells():
    report = json.loads(STORED_REPORT.read_text())
    rows = report["leaderboard"]
    app = BoardApp()
    async with app.run_test(size=(200, 40)) as pilot:  # wide: every column shown
        board = app.query_one("#board", LeaderboardTable)
        board.replace_rows(rows)
        board.mark_chosen(chosen_model(report), report["chosen_lag"])
        await pilot.pause()
        assert board.shown_keys == tuple(column.key for column in LEADERBOARD_COLUMNS)
        shown = [[str(cell).removeprefix("▶ ").strip() for cell in board.get_row_at(index)]
                 for index in range(board.row_count)]
    cli = cli_rows(report)
    assert [" ".join(cells).split() for cells in shown] == cli
    cells = table_cells(rows)
    assert shown == [[cells[column.key][index] for column in LEADERBOARD_COLUMNS] for index in range(len(rows))]
    # The more informative notation of the two each front end had: every digit of the column's
    # smallest figure, a signed skill, p-values to three decimals.
    lstm4 = shown[0]
    assert lstm4[:6] == ["LSTM", "4", "0.5837", "0.1405", "0.5013", "-0.006"]
    assert lstm4[8:10] == ["0.989", "0.944"]
    assert shown[1][5] == "+0.002"


def test_a_wide_figure_widens_the_cli_column_and_rows_still_line_up():
    rows = [{"model": "lstm", "lag": 5, "val_mse": 12345678.9, "val_mse_se": 0.00001, "test_mse": 1.0},
            {"model": "persistence", "lag": None, "val_mse": 0.5, "val_mse_se": 0.1, "test_mse": 1.0}]
    lines = describe_leaderboard({"leaderboard": rows, "chosen_lag": 5, "chosen_model": "lstm"})
    table = [line for line in lines if line.startswith(("  model", "▶", "  persistence"))]
    assert len(table) == 3 and len({len(line) for line in table}) == 1
