"""The Loss tab (validation MSE by lag) in the run screen, and ``show``/``run --plot`` in the CLI.

A stored report draws its curve with the choice marked; a live run (the ridge judge, held at a
gate so the test can look while it runs) draws the points as its provisional rows arrive, then
the final curve; ``m`` switches to test MSE. Read from the screen as the user sees it.
"""

from __future__ import annotations

import json
import os
import re
import threading

import pytest
from app_helpers import STORED_REPORT, finish_run, messages, screen_text
from judge_swap import swap_judge

from seqlen_tui.cli import main
from seqlen_tui.core.judges import RidgeJudge
from seqlen_tui.tui.app import SeqlenApp
from seqlen_tui.tui.screens.dialogs import ConfirmLag
from seqlen_tui.tui.screens.run import RunScreen
from seqlen_tui.tui.widgets.loss_plot import LossPlot
from synthetic import write_ar2_closes

SIZES = [(80, 24), (120, 40)]
COLOUR = re.compile(r"\x1b\[[0-9;]*[34]8;")


def stored() -> dict:
    return json.loads(STORED_REPORT.read_text())


def article_rows() -> list[dict]:
    """The stored run's LSTM rows as the article's protocol writes them: test MSE only."""
    return [{"model": "lstm", "lag": r["lag"], "val_mse": None, "val_mse_se": None,
             "test_mse": r["test_mse"]} for r in stored()["leaderboard"] if r["model"] == "lstm"]


def make(tmp_path, path=None) -> SeqlenApp:
    return SeqlenApp(None if path is None else str(path), settings_path=tmp_path / "settings.json",
                     runs_dir=tmp_path / "runs")


async def open_stored(app, pilot) -> RunScreen:
    await app.push_screen(RunScreen(report=stored()))
    await pilot.pause()
    await pilot.pause()
    return app.screen


def plot_rows(app) -> str:
    return "\n".join(screen_text(app))


@pytest.mark.parametrize("size", SIZES)
async def test_a_stored_run_shows_its_curve_with_the_choice_marked(tmp_path, size):
    app = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        run = await open_stored(app, pilot)
        plots = run.query_one("#run-plots")
        assert plots.active == "run-diff"  # a stored run opens where it always did
        await pilot.press("t")  # Differenced → Loss
        await pilot.pause()
        assert plots.active == "run-loss"
        plot = run.query_one("#run-plot-loss", LossPlot)
        assert plot.region.height >= 8 and (size[1] < 32 or plot.region.height > 12)
        assert [lag for lag, _ in plot.points] == [1, 2, 3, 4, 5, 11, 36]
        assert plot.curve.chosen == 1 and plot.curve.best == 4 and plot.curve.log_x
        text = plot_rows(app)
        title = plot.title_shown
        assert title in text  # drawn, not dropped for being too wide
        for part in ("val MSE", "◆", "chosen 1", "★", "best 4"):
            assert part in title, (part, title)
        assert "LSTM" in title or "LSTM" in text  # the judge named, in the title or the legend row
        body = text[text.index(title):]
        assert body.count("◆") >= 2 and body.count("★") >= 2  # the marks on the chart and in the key
        assert "●" in body and "+" in body and "│" in body  # judge, ridge AR, error bars
        assert not any(n.severity == "error" for n in app._notifications), messages(app)


@pytest.mark.parametrize("size", SIZES)
async def test_m_switches_to_test_mse_and_t_walks_every_tab(tmp_path, size):
    app = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        run = await open_stored(app, pilot)
        plot = run.query_one("#run-plot-loss", LossPlot)
        await pilot.press("m")  # not on the Loss tab: nothing happens
        await pilot.pause()
        assert plot.split == "val"
        await pilot.press("t", "m")
        await pilot.pause()
        report = stored()
        tests = {row["lag"]: row["test_mse"] for row in report["leaderboard"] if row["model"] == "lstm"}
        assert plot.split == "test" and dict(plot.points) == tests
        assert "test MSE" in plot.title_shown and "no SE" in plot.title_shown
        assert plot.title_shown in plot_rows(app)
        assert not any(p.se for p in plot.curve.points)
        await pilot.press("m")
        await pilot.pause()
        assert plot.split == "val" and "val MSE" in plot.title_shown
        # t walks on from Loss through every tab (the short screen's candidates and log too).
        plots, seen = run.query_one("#run-plots"), []
        for _ in range(5 if size[1] < 32 else 3):
            run.action_next_plot()
            seen.append(plots.active)
        assert seen == (["run-cands", "run-log", "run-raw", "run-diff", "run-loss"] if size[1] < 32
                        else ["run-raw", "run-diff", "run-loss"])
        # The article's protocol has no validation MSE: its test MSE is drawn instead.
        plot.show_rows(article_rows(), "lstm", 4)
        await pilot.pause()
        assert plot.split == "test" and "test MSE" in plot.title_shown and plot.curve.chosen == 4
        await pilot.press("m")  # m still switches: there is no validation MSE to show
        await pilot.pause()
        assert plot.split == "val" and plot.title_shown == "val MSE by lag: no val MSE in this run"


# ----- a live run ----------------------------------------------------------------------------


class GatedJudge(RidgeJudge):
    """The ridge judge, held until the test opens the gate (the baselines' provisional rows,
    ridge AR among them, arrive before it)."""

    gate = threading.Event()

    def predict(self, prepared, jobs, targets, reporter=None):
        GatedJudge.gate.wait(20)
        return super().predict(prepared, jobs, targets, reporter)


@pytest.fixture
def gated_engine(monkeypatch):
    GatedJudge.gate.clear()
    swap_judge(monkeypatch, GatedJudge)
    yield
    GatedJudge.gate.set()  # never leave a worker waiting


@pytest.fixture
def small_series(tmp_path):
    """600 daily closes whose changes are AR(2): a quick run, a clear best lag for ridge AR."""
    return write_ar2_closes(tmp_path / "AR2.csv", 600)


async def start_run(app, pilot, path) -> RunScreen:
    """The run screen on ``path`` straight away (the choose screen's F5 is tested elsewhere)."""
    from seqlen_tui.core.options import RunOptions
    from seqlen_tui.core.runner import DataOptions
    from seqlen_tui.tui.screens.run import RunRequest

    await app.push_screen(RunScreen(RunRequest(str(path), RunOptions(seeds=1, classifiers=False),
                                               DataOptions(), "AR2")))
    await pilot.pause()
    return app.screen


finish = finish_run


async def until(pilot, condition, tries: int = 100) -> bool:
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


@pytest.mark.parametrize("size", SIZES)
async def test_a_live_run_draws_points_as_lags_finish_then_the_final_curve(tmp_path, small_series,
                                                                           gated_engine, size):
    app = make(tmp_path)
    async with app.run_test(size=size) as pilot:
        run = await start_run(app, pilot, small_series)
        plot = run.query_one("#run-plot-loss", LossPlot)
        # The baselines' provisional rows (ridge AR at every lag) before the judge trains.
        assert await until(pilot, lambda: bool(plot.points)), messages(app)
        assert run.running and plot.waiting
        early = list(plot.points)
        assert plot.curve.judge == "ridge_ar" and plot.curve.chosen is None
        assert run.query_one("#run-plots").active == "run-diff"  # nothing switches mid-run
        GatedJudge.gate.set()
        await finish(app, pilot)
        assert isinstance(app.screen, ConfirmLag), messages(app)
        report = run.report
        ridge = sorted((r["lag"], r["val_mse"]) for r in report["leaderboard"] if r["model"] == "ridge_ar")
        # (the final curve also has the lags the race's ladder added around its leader)
        refined = {entry["lag"] for entry in report["race"]["refined"]}
        assert plot.points == ridge and [lag for lag, _ in early] == [lag for lag, _ in ridge if lag not in refined]
        assert not plot.waiting and plot.curve.chosen == report["chosen_lag"]
        # The user never changed tabs: the run ends on the picture of its answer.
        assert run.query_one("#run-plots").active == "run-loss"
        await pilot.press("n")  # close the confirm dialog: the run screen is back
        await pilot.pause()
        assert f"chosen {report['chosen_lag']}" in plot.title_shown
        assert plot.title_shown in plot_rows(app)


async def test_a_tab_the_user_chose_stays_when_the_run_ends(tmp_path, small_series, gated_engine):
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        run = await start_run(app, pilot, small_series)
        await pilot.press("t", "t")  # Loss, then Raw
        await pilot.pause()
        GatedJudge.gate.set()
        await finish(app, pilot)
        assert isinstance(app.screen, ConfirmLag), messages(app)
        assert run.query_one("#run-plots").active == "run-raw"


# ----- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def runs(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / STORED_REPORT.name).write_text(STORED_REPORT.read_text())
    return folder


def clean_env(monkeypatch, **extra: str) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def test_show_plot_in_a_pipe_is_plain_text_with_the_choice_marked(runs, capsys, monkeypatch):
    clean_env(monkeypatch)
    assert main(["show", "MSFT", "--runs-dir", str(runs), "--plot"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    chart = out[out.index("LSTM val MSE ± SE by lag"):]
    assert "◆ chosen 1" in chart and "★ best 4" in chart
    assert "● LSTM" in chart and "+ ridge AR" in chart and "┄ persistence" in chart
    assert "seasonal naive ↑3.23" in chart  # far above the others: named, not drawn
    ticks = next(line for line in chart.splitlines() if re.fullmatch(r"[\s\d]+", line) and line.strip())
    assert ticks.split() == ["1", "2", "3", "4", "5", "11", "36"]  # at the benchmarked lags
    assert max(len(line) for line in chart.splitlines()) <= 80


def test_show_plot_of_an_article_run_draws_its_test_mse(tmp_path, capsys, monkeypatch):
    clean_env(monkeypatch)
    report = {**stored(), "leaderboard": article_rows(), "mse_scale": "minmax", "chosen_lag": 4}
    path = tmp_path / "MSFT_article.json"
    path.write_text(json.dumps(report))
    assert main(["show", str(path), "--plot"]) == 0
    out = capsys.readouterr().out
    assert "LSTM test MSE (no SE) by lag" in out and "◆ chosen 4" in out


@pytest.mark.parametrize("env, colour", [({"FORCE_COLOR": "1"}, True),
                                         ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)])
def test_show_plot_colour_only_when_wanted(runs, capsys, monkeypatch, env, colour):
    clean_env(monkeypatch, **env)
    assert main(["show", "MSFT", "--runs-dir", str(runs), "--plot"]) == 0
    out = capsys.readouterr().out
    assert bool(COLOUR.search(out)) is colour
    if not colour:
        assert "\x1b" not in out


def test_run_plot_prints_the_curve_after_the_leaderboard(series_file, tmp_path, capsys, ridge_engine,
                                                         monkeypatch):
    clean_env(monkeypatch, SEQLEN_SETTINGS=os.devnull + ".absent.json")
    assert main(["run", str(series_file), "--runs-dir", str(tmp_path / "runs"), "--seeds", "1",
                 "--no-classifiers", "--plot"]) == 0
    out = capsys.readouterr().out
    report = json.loads(next((tmp_path / "runs").glob("BTC-USD_*.json")).read_text())
    assert "\x1b" not in out
    assert out.index("Chosen sequence length:") < out.index("ridge AR val MSE") < out.index("Report:")
    assert f"chosen {report['chosen_lag']}" in out[out.index("ridge AR val MSE"):]
