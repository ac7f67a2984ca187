"""Long paths never break a file name: the summary, the header, the settings line, the save
dialog and the runs folder show a path over 100 characters with its file name whole, by
abbreviating the middle folders ("/tmp/…/daily_prices/MSFT.csv"), and nothing runs past its
panel.  The suite passes from a clone anywhere, so each test builds its own long path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_helpers import (
    MSFT,
    STORED_REPORT,
    open_review,
    review_app,
    screen_text,
    settle,
    widget_text,
)

from seqlen_tui.core.describe import describe_summary, wrapped
from seqlen_tui.core.pathtext import abbreviated, shown_path
from seqlen_tui.tui.app import SeqlenApp
from seqlen_tui.tui.screens.dialogs import ConfirmLag

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
FOLDERS = ("a_rather_long_folder_name_for_projects", "quarterly_market_data_exports_2026", "daily_prices")


def long_folder(tmp_path: Path) -> Path:
    folder = tmp_path.joinpath(*FOLDERS)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def long_msft(tmp_path: Path) -> Path:
    path = long_folder(tmp_path) / "MSFT.csv"
    shutil.copy(MSFT, path)
    assert len(str(path)) > 100
    return path


# --- the rule itself ---------------------------------------------------------------------------

def test_abbreviating_keeps_the_root_and_the_file_name_whole():
    path = "/home/analyst/" + "/".join(FOLDERS) + "/MSFT.csv"
    assert abbreviated(path, 200) == path
    assert abbreviated(path, 40) == "/home/…/daily_prices/MSFT.csv"
    assert abbreviated(path, 70) == "/home/…/quarterly_market_data_exports_2026/daily_prices/MSFT.csv"
    assert abbreviated(path, 20) == "/home/…/MSFT.csv"
    assert abbreviated(path, 12) == "…/MSFT.csv"
    assert abbreviated(path, 5) == "…/MSFT.csv"  # never less than the name: it stays whole
    for width in range(10, 120):
        shown = abbreviated(path, width)
        assert shown.endswith("/MSFT.csv") and len(shown) <= max(width, len("…/MSFT.csv"))


def test_a_path_inside_the_working_folder_is_shown_relative(tmp_path):
    inside = tmp_path / "sample_data" / "MSFT.csv"
    assert shown_path(str(inside), cwd=str(tmp_path)) == "sample_data/MSFT.csv"
    assert shown_path("sample_data/MSFT.csv", cwd=str(tmp_path)) == "sample_data/MSFT.csv"
    assert shown_path("/elsewhere/MSFT.csv", cwd=str(tmp_path)) == "/elsewhere/MSFT.csv"


# --- the summary: the CLI's and the app's -------------------------------------------------------

def test_the_summary_never_breaks_a_long_file_name_at_any_width(tmp_path):
    from seqlen_tui.core.data import load_series

    summary = load_series(long_msft(tmp_path)).summary
    for width in range(30, 121):
        lines = describe_summary(summary, width)
        assert max(map(len, lines)) <= width, (width, lines)
        assert lines[0].startswith("/") and "/MSFT.csv:" in lines[0], (width, lines)  # the name whole
        assert width < 50 or "/daily_prices/MSFT.csv:" in lines[0], (width, lines)  # with its folder


def test_a_path_with_spaces_stays_on_one_line(tmp_path):
    from seqlen_tui.core.data import load_series

    folder = long_folder(tmp_path) / "my exports"
    folder.mkdir()
    shutil.copy(MSFT, folder / "MSFT prices.csv")
    summary = load_series(folder / "MSFT prices.csv").summary
    for width in range(30, 121):
        lines = describe_summary(summary, width)
        assert max(map(len, lines)) <= width, (width, lines)
        assert "/MSFT prices.csv:" in lines[0], (width, lines)
        assert width < 50 or "/my exports/MSFT prices.csv:" in lines[0], (width, lines)


def test_a_long_settings_path_is_wrapped_with_its_name_whole():
    line = "settings: /home/analyst/" + "/".join(FOLDERS) + "/settings.json (block 'seqlen_tui')"
    for width in range(30, 121):
        lines = wrapped([line], width)
        assert max(map(len, lines)) <= width, (width, lines)
        assert any("/settings.json" in part for part in lines), (width, lines)


def test_the_cli_summary_shows_a_long_path_within_the_terminal(tmp_path, monkeypatch, capsys):
    from seqlen_tui.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    path = long_msft(tmp_path)
    assert main(["analyze", str(path), "--settings", str(tmp_path / "settings.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "daily_prices/MSFT.csv: column 'Close'" in lines[0]
    assert max(map(len, lines)) <= 80


# --- the app ---------------------------------------------------------------------------------------

def make(tmp_path, path=None, settings=None) -> SeqlenApp:
    return SeqlenApp(None if path is None else str(path),
                     settings_path=settings or tmp_path / "settings.json", runs_dir=tmp_path / "runs")


@pytest.mark.parametrize("size", SIZES)
async def test_the_choose_screen_shows_a_long_file_path_with_its_name_whole(tmp_path, size):
    settings = long_folder(tmp_path) / "settings.json"
    app = make(tmp_path, long_msft(tmp_path), settings)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.pause()
        report = app.screen.query_one("#report")
        lines = widget_text(report).splitlines()
        assert any("daily_prices/MSFT.csv:" in line for line in lines), lines
        assert max(len(line) for line in report.text.splitlines()) <= report.size.width
        rows = screen_text(app)
        if size[1] >= 32:  # the header shows at 40 rows
            assert "MSFT.csv" in rows[0], rows[0]
        app.screen.query_one("#tabs").active = "options"  # the key line is on the Options tab
        await app.screen.options_form()  # built as its tab is first shown
        await pilot.pause()
        await pilot.pause()
        rows = screen_text(app)
        key_line = next(row for row in rows if "saves" in row and "MSFT_SL" in row)
        assert "/settings.json" in key_line, rows  # whole; "(not set yet)" may wrap after it


@pytest.mark.parametrize("size", SIZES)
async def test_the_save_dialog_shows_a_long_settings_path_with_its_name_whole(tmp_path, size):
    settings = long_folder(tmp_path) / "settings.json"
    app = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.push_screen(ConfirmLag(asset="MSFT", key="MSFT_SL", lag=4, current=None, reason="the best",
                                   runner_up=None, transform="differences", path=str(settings)))
        await pilot.pause()
        await pilot.pause()
        rows = screen_text(app)
        line = next(row for row in rows if "settings " in row)
        assert "daily_prices/settings.json" in line, rows


@pytest.mark.parametrize("size", SIZES)
async def test_the_review_screen_shows_a_long_runs_folder_with_its_name_whole(tmp_path, size):
    runs = long_folder(tmp_path) / "stored_runs_of_the_lstm"
    runs.mkdir()
    shutil.copy(STORED_REPORT, runs / STORED_REPORT.name)
    app = review_app(runs)
    async with app.run_test(size=size) as pilot:
        await open_review(app, pilot)
        rows = screen_text(app)
        line = next(row for row in rows if "runs folder:" in row)
        assert "/stored_runs_of_the_lstm" in line, rows


async def test_an_export_notification_names_the_new_file_whole(tmp_path):
    runs = long_folder(tmp_path) / "stored_runs_of_the_lstm"
    runs.mkdir()
    shutil.copy(STORED_REPORT, runs / STORED_REPORT.name)
    app = review_app(runs)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        export = next(runs.glob("runs_*.csv"))
        last = [f"{n.title}: {n.message}" for n in app._notifications][-1]
        shown = next(word for word in last.split() if word.endswith(export.name))
        assert shown.endswith(f"/{export.name}") and len(shown) <= 36, last  # a toast is 36 wide here
