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
