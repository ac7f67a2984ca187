"""Pictures of the choose, run (from a stored report), confirm and review screens at 80×24
and 120×40 (pytest-textual-snapshot).  Stable by construction: a fixed working folder, a
stored report (no timings or clock times in the picture), animations off.

Update after a deliberate change with ``pytest tests/functional/test_app_snapshots.py --snapshot-update``
and look at the pictures before committing them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_helpers import STORED_REPORT, project, settle

from seqlen_tui.tui.app import SeqlenApp
from seqlen_tui.tui.screens.run import RunScreen
from seqlen_tui.tui.widgets.file_tree import DataFileTree

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    where = project(tmp_path)
    (where / "settings.json").write_text(json.dumps({"home": "/x", "MSFT_SL": 5}))
    monkeypatch.chdir(where)
    return where


def app_in(folder: Path, path: str | None = None) -> SeqlenApp:
    return SeqlenApp(path, settings_path=Path("settings.json"), runs_dir=Path("runs"))


def stored_report() -> dict:
    from seqlen_tui.core.report import load_run

    return load_run(STORED_REPORT.name, Path("runs"))


async def wait_for_tree(app, pilot) -> None:
    for _ in range(100):  # the screen composes, then the tree lists the folder in a worker
        trees = app.screen.query(DataFileTree)
        if trees and trees.first().root.children:
            break
        await pilot.pause(0.05)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_choose_screen(snap_compare, folder, size):
    async def ready(pilot):
        await wait_for_tree(pilot.app, pilot)
        await settle(pilot.app, pilot)

    assert snap_compare(app_in(folder, "sample_data/MSFT.csv"), terminal_size=size,
                        run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_choose_screen_options(snap_compare, folder, size):
    async def ready(pilot):
        await wait_for_tree(pilot.app, pilot)
        await settle(pilot.app, pilot)
        await pilot.press("o", "escape")  # the form, focus back on the tree (no cursor)

    assert snap_compare(app_in(folder, "sample_data/MSFT.csv"), terminal_size=size,
                        run_before=ready)


async def _show_stored_run(pilot) -> None:
    await pilot.app.push_screen(RunScreen(report=stored_report()))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_run_screen_from_a_stored_report(snap_compare, folder, size):
    assert snap_compare(app_in(folder), terminal_size=size, run_before=_show_stored_run)


@pytest.mark.parametrize("size", SIZES)
def test_confirm_dialog(snap_compare, folder, size):
    async def ready(pilot):
        await _show_stored_run(pilot)
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(app_in(folder), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_review_screen(snap_compare, folder, size):
    async def ready(pilot):
        await pilot.press("f2")
        await settle(pilot.app, pilot, group="review")

    assert snap_compare(app_in(folder), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_run_screen_loss_tab(snap_compare, folder, size):
    async def ready(pilot):
        await _show_stored_run(pilot)
        await pilot.press("t")  # Differenced → Loss: validation MSE by lag, the choice marked
        await pilot.pause()

    assert snap_compare(app_in(folder), terminal_size=size, run_before=ready)


def add_runs(folder: Path) -> None:
    """More stored runs beside the test report: an older MSFT run (other lag and seeds) and
    two BTC-USD runs (the lag moved from 11 to 36), each curve a little apart."""
    base = json.loads(STORED_REPORT.read_text())
    for asset, created_at, lag, qualified, options, scale in (
            ("MSFT", "2026-11-18T16:30:45+00:00", 4, [4], {"seeds": 3}, 1.04),
            ("BTC-USD", "2026-11-20T10:00:00+00:00", 11, [11], {}, 1.10),
            ("BTC-USD", "2026-11-24T22:05:11+00:00", 36, [], {"budget": "full"}, 0.95)):
        board = [{**row, "val_mse": row["val_mse"] * scale} if row["val_mse"] else row
                 for row in base["leaderboard"]]
        report = dict(base, asset=asset, created_at=created_at, chosen_lag=lag,
                      qualified=qualified, leaderboard=board,
                      options={**base["options"], **options},
                      file=base["file"] if asset == "MSFT" else f"data/{asset}.csv")
        stamp = created_at[:19].replace("-", "").replace(":", "")
        (folder / "runs" / f"{asset}_{stamp}.json").write_text(json.dumps(report))


@pytest.mark.parametrize("size", SIZES)
def test_review_compare_screen(snap_compare, folder, size):
    add_runs(folder)

    async def ready(pilot):
        await pilot.press("f2")
        await settle(pilot.app, pilot, group="review")
        await pilot.press("c")  # the newest MSFT run with the one before it
        await pilot.pause()

    assert snap_compare(app_in(folder), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_review_morning_view(snap_compare, folder, size):
    add_runs(folder)

    async def ready(pilot):
        await pilot.press("f2")
        await settle(pilot.app, pilot, group="review")
        await pilot.press("l")  # the latest run of each asset
        await settle(pilot.app, pilot, group="review")

    assert snap_compare(app_in(folder), terminal_size=size, run_before=ready)
