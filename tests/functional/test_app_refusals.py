"""The app refuses what the CLI refuses, with a notification, and keeps running: out-of-range
numbers (the form's fields carry the declared range) and options the article protocol would
ignore (a field the user changed from the settings block's or the default value)."""

from __future__ import annotations

import json

from app_helpers import errors, open_options, settle
from paths import ROOT
from textual.widgets import Input, Select

from seqlen_tui.tui.app import SeqlenApp
from seqlen_tui.tui.screens.run import RunScreen

MSFT = ROOT / "sample_data" / "MSFT.csv"
SIZE = (120, 40)


def make_app(tmp_path, block: dict) -> SeqlenApp:
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"seqlen_tui": block}))
    return SeqlenApp(str(MSFT), settings_path=settings, runs_dir=tmp_path / "runs")


async def test_the_article_protocol_with_changed_lags_is_refused_in_the_app(tmp_path):
    """Before: the run started and the article's protocol dropped the form's lags without a word."""
    app = make_app(tmp_path, {"seeds": 1})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = await open_options(app, pilot)
        form.query_one("#opt-protocol", Select).value = "article"
        form.query_one("#opt-lags", Input).value = "5,24"
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause(0.1)
        assert app.is_running and not any(isinstance(s, RunScreen) for s in app.screen_stack)
        assert [n.message for n in errors(app)] == [
            "‘protocol’ article uses its own lags, target and training settings; drop ‘own lags’"]


async def test_an_out_of_range_block_value_is_named_with_its_file_and_the_default_used(tmp_path):
    app = make_app(tmp_path, {"units": 100000, "seeds": 1})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        notes = [n.message for n in app._notifications]
        assert any(note.startswith('"units": 100000 in the "seqlen_tui" block of ') and
                   "must be between 1 and 4096; fix it there or pass ‘LSTM units’; the default is used" in note
                   for note in notes), notes
        await open_options(app, pilot)
        assert app.screen.query_one("#opt-units", Input).value == "16"
        assert app.screen.query_one("#opt-seeds", Input).value == "1"


async def test_the_export_s_default_name_stays_in_the_folder_whatever_the_asset(tmp_path):
    """Before: a run of asset ``../../x`` offered ``../../x_leaderboard.csv``, two folders up."""
    from app_helpers import STORED_REPORT

    runs = tmp_path / "runs"
    runs.mkdir()
    report = json.loads(STORED_REPORT.read_text())
    report["asset"] = "../../x"
    (runs / "x_20261125T041959.json").write_text(json.dumps(report))
    app = SeqlenApp(None, settings_path=tmp_path / "settings.json", runs_dir=runs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await settle(app, pilot, group="review")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#export-path", Input).value == "x_leaderboard.csv"
