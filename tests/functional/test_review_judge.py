"""The judge (the network that judged a run's lags) in the review, the morning view, compare
and ``seqlen-tui runs``: a column only when some run's judge is not the default LSTM(16), in
the app only where it fits beside every column that shows without it.

Three reports, copies of the stored test report: BTC-USD's from before «layers» (no such
keys: its judge is the defaults'), MSFT's with the default network written out, and a newer
MSFT run judged by 2 × LSTM(64).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from app_helpers import (
    STORED_REPORT,
    open_review,
    review_app,
    runs_beside_settings,
    settle,
    write_stored_run,
)
from textual.widgets import DataTable

from seqlen_tui.cli import main
from seqlen_tui.core.history import DEFAULT_JUDGE, other_judges
from seqlen_tui.core.report import list_runs
from seqlen_tui.tui.screens.compare import CompareScreen, board_title
from seqlen_tui.tui.screens.review import Measured, fit_latest, fit_runs

BIG = "2 × LSTM(64)"
# (asset, created_at, options added to the stored report's, the judge it shows)
RUNS = [
    ("BTC-USD", "2026-11-20T10:00:00+00:00", {}, DEFAULT_JUDGE),  # old: no «layers» keys
    ("MSFT", "2026-11-24T09:00:00+00:00", {"layers": 1, "dropout": 0.0}, DEFAULT_JUDGE),
    ("MSFT", "2026-11-25T09:00:00+00:00", {"layers": 2, "units": 64, "dropout": 0.0}, BIG),
]


def write_runs(runs_dir: Path, runs=RUNS) -> None:
    base = json.loads(STORED_REPORT.read_text())
    assert "layers" not in base["options"]  # the stored report is an old one
    runs_dir.mkdir(parents=True, exist_ok=True)
    for asset, created_at, options, _ in runs:
        write_stored_run(runs_dir, base, asset, created_at, options)


@pytest.fixture
def runs_folder(tmp_path) -> Path:
    return runs_beside_settings(tmp_path, write_runs)


def table_rows(screen, selector: str = "#runs") -> list[dict[str, str]]:
    table = screen.query_one(selector, DataTable)
    keys = [column.key.value for column in table.ordered_columns]
    return [dict(zip(keys, (str(cell) for cell in table.get_row_at(i))))
            for i in range(table.row_count)]


def test_every_listed_run_carries_its_judge(runs_folder):
    judges = {(run.asset, run.created_at): run.judge for run in list_runs(runs_folder)}
    assert judges == {(asset, created_at): judge for asset, created_at, _, judge in RUNS}
    assert DEFAULT_JUDGE == "LSTM(16)"
    assert not other_judges([DEFAULT_JUDGE, None]) and other_judges([DEFAULT_JUDGE, BIG])


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_runs_and_the_morning_view_show_the_judge(runs_folder, size):
    app = review_app(runs_folder)
    async with app.run_test(size=size) as pilot:
        screen = await open_review(app, pilot)
        rows = table_rows(screen)
        assert [(r["asset"], r["judge"]) for r in rows] == [
            ("MSFT", BIG), ("MSFT", DEFAULT_JUDGE), ("BTC-USD", DEFAULT_JUDGE)]
        # the judge fits at 80 columns too: the file names stay whole (paths cut from the left)
        assert [r["file"].rsplit("/", 1)[-1] for r in rows] == ["MSFT.csv", "MSFT.csv", "BTC-USD.csv"]
        await pilot.press("l")
        await settle(app, pilot, group="review")
        latest = table_rows(screen)
        assert {r["asset"]: r["verdict"] for r in latest}.keys() == {"MSFT", "BTC-USD"}
        columns = list(latest[0])
        if size == (120, 40):
            assert {r["asset"]: r["judge"] for r in latest} == {"MSFT": BIG, "BTC-USD": DEFAULT_JUDGE}
            assert "runs" in columns and "file" in columns
        else:  # 80 columns: asset to verdict and the run count fill the row; no room for more
            assert columns == ["asset", "date", "lag", "change", "skill", "verdict", "runs"]


async def test_default_runs_show_no_judge_column(tmp_path):
    runs = tmp_path / "runs"
    write_runs(runs, RUNS[:2])
    (tmp_path / "settings.json").write_text("{}")
    app = review_app(runs)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_review(app, pilot)
        assert "judge" not in screen.query_one("#runs", DataTable).columns
        await pilot.press("l")
        await settle(app, pilot, group="review")
        assert "judge" not in screen.query_one("#runs", DataTable).columns
        await pilot.press("e")  # the export holds the judge all the same
        await pilot.pause()
        export = next(runs.glob("latest_*.csv"))
        with export.open() as handle:
            assert {row["asset"]: row["judge"] for row in csv.DictReader(handle)} == {
                "MSFT": DEFAULT_JUDGE, "BTC-USD": DEFAULT_JUDGE}


def test_the_judge_gives_way_first():
    """The judge column never takes room from a column that shows without it."""
    widths = {"asset": 7, "date": 16, "lag": 3, "skill": 6, "protocol": 8, "judge": 12, "file": 4}
    for outer, shown in judge_gives_way(fit_runs, widths, range(60, 121)):
        assert shown["file"] >= 11, outer
    measured = Measured(widths, longest_name=11)
    assert "judge" in fit_runs(measured, 80, 2)[0] and "judge" not in fit_runs(measured, 70, 2)[0]
    latest = {"asset": 9, "date": 18, "lag": 5, "change": 7, "skill": 9, "verdict": 15, "runs": 4,
              "judge": 12, "file": 4}
    assert len(list(judge_gives_way(fit_latest, latest, range(70, 161)))) == 91


def judge_gives_way(fit, widths: dict, outers):
    """For each outer width, the columns ``fit`` shows with the judge, after checking that they
    hold every column it shows without the judge, and the same tightness."""
    measured = Measured(widths, longest_name=11)
    without = Measured({k: w for k, w in widths.items() if k != "judge"}, longest_name=11)
    for outer in outers:
        shown, tight = fit(measured, outer, 2)
        plain, plain_tight = fit(without, outer, 2)
        assert tight == plain_tight and set(plain) <= set(shown), outer
        yield outer, shown


async def test_compare_names_both_judges_and_the_layers(runs_folder):
    app = review_app(runs_folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(app, pilot)
        assert table_rows(screen)[0]["judge"] == BIG  # highlighted: the newest MSFT run
        await pilot.press("c")  # with the asset's previous run
        await pilot.pause()
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        diffs = {r["option"]: (r["a"], r["b"]) for r in table_rows(compare, "#compare-diffs")}
        assert diffs == {"layers": ("1", "2"), "units": ("16", "64")}
        title = str(compare.query_one("#compare-board").border_title)
        assert f"A judge {DEFAULT_JUDGE} | B judge {BIG}" in title
        assert len(title) <= 76
    a, b = ({"options": {"units": 16}}, {"options": {"layers": 2, "units": 64, "dropout": 0.1}})
    assert board_title(a, b, 200) == ("Leaderboards: A judge LSTM(16) | B judge 2 × LSTM(64), "
                                      "dropout 0.1 (chosen: whose lag)")
    assert board_title(a, a, 40) == "Leaderboards: A | B (chosen: whose lag)"
    assert board_title({"options": {"protocol": "article"}}, a, 200).startswith(
        "Leaderboards: A article's protocol | B judge LSTM(16)")


def test_seqlen_tui_runs_lists_the_judge_only_when_one_differs(runs_folder, tmp_path, capsys):
    assert main(["runs", "--runs-dir", str(runs_folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-2:] == ["judge", "file"]
    judges = {line.split()[0] + " " + line.split()[1]: line for line in lines[1:4]}
    assert BIG in judges["MSFT 2026-11-25"] and DEFAULT_JUDGE in judges["MSFT 2026-11-24"]
    assert DEFAULT_JUDGE in judges["BTC-USD 2026-11-20"]
    plain = tmp_path / "plain"
    write_runs(plain, RUNS[:2])
    assert main(["runs", "--runs-dir", str(plain)]) == 0
    out = capsys.readouterr().out
    assert "judge" not in out.splitlines()[0] and DEFAULT_JUDGE not in out


async def test_the_run_screen_says_what_the_scout_chose_when_it_differs():
    from seqlen_tui.tui.screens.run import RunScreen

    report = json.loads(STORED_REPORT.read_text())
    report["options"] = {**report["options"], "layers": 2, "units": 64}
    report["transfer"] = {"scout": "LSTM(16)", "model": BIG, "finalists": [report["chosen_lag"], 47],
                          "scout_lag": 47, "model_lag": report["chosen_lag"], "rank_agreement": 0.5,
                          "scout_pick_cost": 1.2, "scout_pick_p": 0.01, "disagrees": True}
    app = review_app(Path("/nonexistent/runs"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(RunScreen(report=report))
        await pilot.pause()
        head = str(app.screen.query_one("#verdict").render())
        assert f"Chosen sequence length: {report['chosen_lag']}" in head
        assert "the scout LSTM(16) chose 47" in head
        assert app.screen.query_one("#board").border_title.startswith(f"Leaderboard · judge {BIG}")
