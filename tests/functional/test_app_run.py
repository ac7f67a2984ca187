"""The app's run, confirm and review flow, driven with Textual's pilot.

The LSTM is swapped for the ridge judge (as in ``test_cli_run.py``) except in one ``slow``
test, so the flow — live leaderboard, confirm, decline, stop, review, export — is tested
without paying for training each time.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time

import numpy as np
import pandas as pd
import pytest
from app_helpers import (
    MSFT,
    STORED_REPORT,
    content_text,
    errors,
    finish_run,
    messages,
    open_options,
    screen_text,
    settle,
)
from judge_swap import swap_judge
from textual.clock import MockClock
from textual.widgets import Input, ProgressBar, Static

import seqlen_tui.core.engine as engine
from seqlen_tui.core.events import DeviceChosen
from seqlen_tui.core.judges import RidgeJudge
from seqlen_tui.tui.app import SeqlenApp
from seqlen_tui.tui.messages import CoreEvent
from seqlen_tui.tui.screens.dialogs import ConfirmLag
from seqlen_tui.tui.screens.review import ReviewScreen
from seqlen_tui.tui.screens.run import RunScreen
from seqlen_tui.tui.widgets.acf_plot import AcfPlot
from seqlen_tui.tui.widgets.leaderboard import LeaderboardTable
from synthetic import ar_process

SIZE = (100, 30)
SETTINGS = {"home": "/projects/x", "BTC_USD_SL": 12, "seqlen_tui": {"seeds": 1}}


class BlockingJudge(RidgeJudge):
    """Trains 'forever' in small steps, checking the cancel signal as the LSTM does per batch."""

    started = threading.Event()
    cancelled = threading.Event()  # the run saw the cancel signal and stopped training

    def predict(self, prepared, jobs, targets, reporter=None):
        BlockingJudge.started.set()
        for _ in range(600):
            if reporter.cancelled:
                BlockingJudge.cancelled.set()
            reporter.check_cancelled()
            time.sleep(0.05)
        return super().predict(prepared, jobs, targets, reporter)


@pytest.fixture
def blocking_engine(monkeypatch):
    BlockingJudge.started.clear()
    BlockingJudge.cancelled.clear()
    swap_judge(monkeypatch, BlockingJudge)


@pytest.fixture
def settings_file(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(SETTINGS, indent=2) + "\n")
    return path


@pytest.fixture
def devices_chosen(monkeypatch) -> list[str]:
    """The device each run's ``DeviceChosen`` event named, as the run screen was sent it:
    what the device line must show, on whatever machine the test runs."""
    said: list[str] = []
    post = RunScreen.post_message

    def spy(screen, message):
        if isinstance(message, CoreEvent) and isinstance(message.event, DeviceChosen):
            said.append(message.event.device)
        return post(screen, message)

    monkeypatch.setattr(RunScreen, "post_message", spy)
    return said


def make_app(tmp_path, settings_file, path=MSFT) -> SeqlenApp:
    return SeqlenApp(str(path), settings_path=settings_file, runs_dir=tmp_path / "runs")


async def start_run(app, pilot, classifiers: bool = False, **fields: str) -> RunScreen:
    await settle(app, pilot)
    form = await open_options(app, pilot)
    for name, value in fields.items():
        form.query_one(f"#opt-{name}", Input).value = value
    form.query_one("#opt-classifiers").value = classifiers
    await pilot.pause()
    await pilot.press("f5")
    await pilot.pause(0.1)
    runs = [s for s in app.screen_stack if isinstance(s, RunScreen)]
    assert runs, messages(app)  # (a quick run may already show its confirm dialog)
    return runs[-1]


finish = finish_run


async def test_run_fills_the_leaderboard_and_confirm_saves_the_key(
        tmp_path, settings_file, ridge_engine, devices_chosen):
    app = make_app(tmp_path, settings_file)
    async with app.run_test(size=SIZE) as pilot:
        run = await start_run(app, pilot, classifiers=True)
        await finish(app, pilot)
        assert isinstance(app.screen, ConfirmLag), messages(app)
        report = run.report
        board = run.query_one("#board", LeaderboardTable)
        shown = {(row["model"], row["lag"]) for row in board.shown_rows()}
        candidates = set(report["lags"])  # what the core benchmarked, from the points before test
        assert {1, 2, 3, 4, 5} <= candidates
        assert {("ridge_ar", lag) for lag in candidates} <= shown
        panel = content_text(run.query_one("#candidates .candidates-text"))
        rows = [line.split(maxsplit=1) for line in panel.splitlines() if re.match(r"^\s{0,4}\d+\s{2}", line)]
        assert {int(lag) for lag, why in rows if not why.startswith("left out")} == candidates, panel
        assert {("persistence", None), ("xgb_direction", report["chosen_lag"])} <= shown
        assert board.row_count == len(report["leaderboard"])
        assert board.chosen == ("ridge_ar", report["chosen_lag"])
        assert board.cursor_row == [(r["model"], r["lag"]) for r in board.shown_rows()].index(
            board.chosen)
        assert run.query_one("#run-plot-raw", AcfPlot).transform == "raw"
        assert "AR order by AIC (differenced)" in panel  # each candidate with its reasons
        # A linear judge needs no training device: no choice made, the report's device shown.
        assert devices_chosen == []
        assert f"device: {report['device']}" in str(run.query_one("#device").render())
        assert "Chosen sequence length" in str(run.query_one("#verdict").render())
        dialog_text = str(app.screen.query_one("#confirm-text").render())
        assert f"MSFT_SL = {report['chosen_lag']}" in dialog_text and "not set" in dialog_text

        await pilot.press("y")
        await pilot.pause()
        saved = json.loads(settings_file.read_text())
        assert saved == {**SETTINGS, "MSFT_SL": report["chosen_lag"]}
        assert list(saved) == ["home", "BTC_USD_SL", "seqlen_tui", "MSFT_SL"]
        assert any("saved in" in m for m in messages(app))
        written = list((tmp_path / "runs").glob("MSFT_*.json"))
        assert len(written) == 1 and json.loads(written[0].read_text())["chosen_lag"] == report["chosen_lag"]
        assert isinstance(app.screen, RunScreen) and not errors(app)


async def test_declining_leaves_the_settings_file_byte_identical(tmp_path, settings_file,
                                                                 ridge_engine):
    before = settings_file.read_bytes()
    app = make_app(tmp_path, settings_file)
    async with app.run_test(size=SIZE) as pilot:
        await start_run(app, pilot, seeds="1")
        await finish(app, pilot)
        assert isinstance(app.screen, ConfirmLag)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)
        assert settings_file.read_bytes() == before
        assert not (tmp_path / "settings.json.bak").exists()
        await pilot.press("a")  # the dialog comes back on request; escape declines too
        await pilot.pause()
        assert isinstance(app.screen, ConfirmLag)
        await pilot.press("escape")
        await pilot.pause()
        assert settings_file.read_bytes() == before


async def test_a_settings_write_error_is_shown_not_raised(tmp_path, ridge_engine):
    settings = tmp_path / "settings.json"
    settings.write_text("[1, 2]")  # not an object: the store refuses to touch it
    app = make_app(tmp_path, settings)
    async with app.run_test(size=SIZE) as pilot:
        await start_run(app, pilot, seeds="1")
        await finish(app, pilot)
        await pilot.press("y")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, RunScreen)
        assert errors(app)[-1].title == "Not saved"
        assert settings.read_text() == "[1, 2]"


async def test_stopping_a_run_ends_the_worker_and_writes_nothing(tmp_path, settings_file,
                                                                 blocking_engine):
    before = settings_file.read_bytes()
    app = make_app(tmp_path, settings_file)
    async with app.run_test(size=SIZE) as pilot:
        run = await start_run(app, pilot)
        for _ in range(100):  # wait until training has begun
            if BlockingJudge.started.is_set():
                break
            await pilot.pause(0.05)
        assert BlockingJudge.started.is_set()
        await pilot.pause(0.1)
        board = run.query_one("#board", LeaderboardTable)
        names = [str(board.get_row_at(i)[0]).strip() for i in range(board.row_count)]
        # The baselines are in before any model trains: persistence, and ridge at each of the 5 lags.
        assert "persistence" in names and names.count("ridge AR") >= 5, names
        assert run.running
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("n")  # "keep running"
        await pilot.pause()
        assert run.running
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot, group="run")
        assert BlockingJudge.cancelled.is_set()  # stopped by the signal, not by running out
        assert not run.running
        assert not [w for w in app.workers if w.group == "run" and not w.is_finished]
        assert app.screen is run  # no confirm dialog after a stop
        assert "stopped" in str(run.query_one("#verdict").render()).lower()
        # Stop means stopped: the status row no longer changes (no ETA counting down to
        # nothing), and the log says when and why.
        status = screen_text(app)[0]
        # The progress bar redraws its ETA every second (``update()`` on a 1 s interval): its
        # clock is moved 2.2 s on and that redraw made at once, instead of waiting for two.
        progress = run.query_one("#progress", ProgressBar)
        later = progress._clock.time + 2.2
        progress._clock = MockClock(later)
        progress.update()
        await pilot.pause()
        assert screen_text(app)[0] == status and "stopped" in status, status
        run.query_one("#run-plots").active = "run-log"  # at 30 rows the log is a tab
        await pilot.pause()
        log = "\n".join(strip.text for strip in run.query_one("#run-log RichLog").lines)
        assert "Run stopped at your request (c)" in log, log
        assert not list((tmp_path / "runs").glob("*.json"))
        assert settings_file.read_bytes() == before
        assert not run.check_action("stop", ())
        await pilot.press("escape")  # back to the form, the file still chosen
        await pilot.pause()
        assert type(app.screen).__name__ == "ChooseScreen"
        assert app.screen.current_path == str(MSFT)


async def test_quitting_during_a_run_stops_it_cleanly(tmp_path, settings_file, blocking_engine):
    app = make_app(tmp_path, settings_file)
    async with app.run_test(size=SIZE) as pilot:
        await start_run(app, pilot)
        for _ in range(100):
            if BlockingJudge.started.is_set():
                break
            await pilot.pause(0.05)
        worker = next(w for w in app.workers if w.group == "run")
        await pilot.press("ctrl+q")
    assert worker.cancelled_event.is_set()
    assert not list((tmp_path / "runs").glob("*.json"))


async def test_leaving_a_run_asks_first(tmp_path, settings_file, blocking_engine):
    app = make_app(tmp_path, settings_file)
    async with app.run_test(size=SIZE) as pilot:
        run = await start_run(app, pilot)
        assert BlockingJudge.started.wait(10)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "YesNo"
        assert run.running and not BlockingJudge.cancelled.is_set()  # asking stops nothing yet
        await pilot.press("n")  # stay: the run goes on
        await pilot.pause(0.2)
        assert app.screen is run and run.running and not BlockingJudge.cancelled.is_set()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        # Leaving cancels the run: the judge sees the signal within a step, nothing is written.
        assert BlockingJudge.cancelled.wait(10)
        await settle(app, pilot, group="run")
        assert type(app.screen).__name__ == "ChooseScreen"
        assert all(w.is_finished for w in app.workers if w.group == "run")
        assert not list((tmp_path / "runs").glob("*.json"))


async def test_keys_sort_the_leaderboard(tmp_path, settings_file):
    app = make_app(tmp_path, settings_file, path=None)
    async with app.run_test(size=SIZE) as pilot:
        report = json.loads(STORED_REPORT.read_text())
        app.push_screen(RunScreen(report=report))
        await pilot.pause()
        board = app.screen.query_one("#board", LeaderboardTable)
        core_order = [(r["model"], r["lag"]) for r in report["leaderboard"]]
        assert [(r["model"], r["lag"]) for r in board.shown_rows()] == core_order
        await pilot.press("s", "s")  # model, then lag
        assert board.sort_column == "lag"
        lags = [r["lag"] for r in board.shown_rows() if r["lag"] is not None]
        assert lags == sorted(lags)
        await pilot.press("d")
        lags = [r["lag"] for r in board.shown_rows() if r["lag"] is not None]
        assert lags == sorted(lags, reverse=True)
        await pilot.press("s", "s", "s", "s")  # ... skill
        assert board.sort_column == "skill"
        skills = [r["skill"] for r in board.shown_rows() if r.get("skill") is not None]
        assert skills == sorted(skills)
        assert "skill" in str(board.columns["skill"].label) and "▲" in str(board.columns["skill"].label)


async def test_review_lists_stored_runs_and_opens_one_without_recomputing(
        tmp_path, settings_file, monkeypatch):
    runs = tmp_path / "runs"
    runs.mkdir()
    report = json.loads(STORED_REPORT.read_text())
    (runs / STORED_REPORT.name).write_text(json.dumps(report))
    (runs / "garbage.json").write_text("{broken")

    def no_recompute(*args, **kwargs):
        raise AssertionError("the review screen must not recompute")

    monkeypatch.setattr(engine, "run_asset", no_recompute)
    app = make_app(tmp_path, settings_file, path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await settle(app, pilot, group="review")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        table = review.query_one("#runs")
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][:4] == ["MSFT", "2026-11-25 04:19", "1", "-0.003"]
        await pilot.press("enter")
        await pilot.pause()
        run = app.screen
        assert isinstance(run, RunScreen) and not run.running
        board = run.query_one("#board", LeaderboardTable)
        assert board.row_count == len(report["leaderboard"])
        assert board.chosen == ("lstm", report["chosen_lag"])
        assert run.query_one("#run-plot-diff", AcfPlot).acf["first_insignificant_lag"] == 1
        assert "stored run MSFT" in str(run.query_one("#stage").render())

        # export: CSV by default, Markdown for a .md name; copy puts Markdown on the clipboard
        await pilot.press("e")
        await pilot.pause()
        target = tmp_path / "board.csv"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        rows = list(csv.DictReader(io.StringIO(target.read_text())))
        assert len(rows) == len(report["leaderboard"])
        assert [r["chosen"] for r in rows].count("yes") == 1
        assert float(rows[0]["val_mse"]) == pytest.approx(report["leaderboard"][0]["val_mse"])
        again = run.export_to(str(target))  # the same name again: a new file, the first kept
        assert again == tmp_path / "board-2.csv" and again.read_text() == target.read_text()
        markdown = run.export_to(str(tmp_path / "board.md"))
        text = markdown.read_text()
        assert text.startswith("| model | lag | val MSE") and "**(chosen)**" in text
        await pilot.press("y")
        assert app.clipboard == text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_remapped_run_key_from_the_settings_file(tmp_path, ridge_engine):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"seqlen_tui": {"seeds": 1, "keymap": {"run": "f7"}}}))
    app = make_app(tmp_path, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = app.screen
        await open_options(app, pilot)
        form.query_one("#opt-classifiers").value = False
        await pilot.press("f5")  # no longer the run key
        await pilot.pause()
        assert app.screen is form
        await pilot.press("f7")
        await pilot.pause(0.1)
        assert any(isinstance(s, RunScreen) for s in app.screen_stack)
        await finish(app, pilot)


@pytest.mark.slow
async def test_a_real_lstm_run_end_to_end(tmp_path, settings_file, devices_chosen):
    levels = 500 + ar_process((0.5, 0.3), 1500, seed=4).cumsum()
    data = tmp_path / "BTC-USD.csv"
    pd.DataFrame({"Date": pd.date_range("2020-01-01", periods=len(levels), freq="D"),
                  "Close": levels}).to_csv(data, index=False)
    app = make_app(tmp_path, settings_file, path=data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = await open_options(app, pilot)
        form.query_one("#opt-budget").value = "quick"
        form.query_one("#opt-only_lags").value = True
        run = await start_run(app, pilot, epochs="1", seeds="1", lags="2,5")
        await finish(app, pilot)
        assert isinstance(app.screen, ConfirmLag), messages(app)
        report = run.report
        lstm = [r for r in report["leaderboard"] if r["model"] == "lstm"]
        assert {r["lag"] for r in lstm} == {2, 5}
        assert np.isfinite([r["val_mse"] for r in lstm]).all()
        # The device the run chose (CPU or a GPU: whichever this machine gives), shown as said.
        assert len(devices_chosen) == 1 and report["device"] == devices_chosen[0]
        assert f"device: {devices_chosen[0]}" in str(run.query_one("#device").render())
        await pilot.press("y")
        await pilot.pause()
        saved = json.loads(settings_file.read_text())
        assert saved["BTC_USD_SL"] == report["chosen_lag"] and saved["home"] == "/projects/x"


async def test_a_run_the_core_refuses_is_a_notification(tmp_path, settings_file, ridge_engine):
    app = make_app(tmp_path, settings_file)
    async with app.run_test(size=SIZE) as pilot:
        run = await start_run(app, pilot, lags="100000")
        await settle(app, pilot, group="run")
        assert app.is_running and app.screen is run and not run.running
        assert errors(app)[-1].title == "Run failed" and "too long" in errors(app)[-1].message
        assert "Run failed" in str(run.query_one("#verdict").render())
        assert not list((tmp_path / "runs").glob("*.json"))


async def test_the_choose_screen_shows_what_the_run_benchmarks(tmp_path, settings_file, ridge_engine):
    """Own lag 5 only, max seq len 10: the choose screen marks every other candidate as left
    out (the core's plan, no TensorFlow), and the run's live panel shows 5 — what it trains."""
    app = make_app(tmp_path, settings_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        choose = app.screen
        from seqlen_tui.core.lag_plan import planned_lags
        rungs = [lag for lag in planned_lags(choose.analysis, choose.analysis_options())[0]
                 if lag not in choose.analysis.candidates.lags]
        headline = str(choose.query_one("#headline", Static).render())
        # (MSFT's evidence, 1 … 5, leaves no octave untried: no rungs, none shown)
        assert ("ladder" in headline) == bool(rungs) and (not rungs or f"ladder {', '.join(map(str, rungs))}" in headline)
        await open_options(app, pilot)
        choose.query_one("#opt-lags", Input).value = "5"
        choose.query_one("#opt-max_seq_len", Input).value = "10"
        choose.query_one("#opt-only_lags").value = True
        await pilot.pause(0.6)  # the debounce, then a fresh analysis with these options
        await settle(app, pilot)
        headline = str(choose.query_one("#headline", Static).render())
        planned = [lag for lag in choose.analysis.candidates.lags if lag != 5]
        assert f"a run leaves out {', '.join(map(str, planned))}" in headline, headline
        assert "ladder" not in headline  # only your own lags: no ladder between them
        summary = choose.query_one("#report").text
        assert "A run with these options leaves out:" in summary and "‘benchmark only my lags’" in summary
        run = await start_run(app, pilot)
        await finish(app, pilot)
        assert run.report["lags"] == [5]
        panel = content_text(run.query_one("#candidates .candidates-text"))
        rows = {int(m.group(1)): line for line in panel.splitlines()
                for m in [re.match(r"^\s{0,4}(\d+)\s{2}", line)] if m}  # not the reasons' wrapped lines
        assert panel.split()[0] == "5" and "left out" not in rows[5]
        assert all("left out" in rows[lag] for lag in planned), panel  # shown, each with why
