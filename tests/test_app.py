"""The app: loads and analyses a file in a worker, survives bad files, starts light.

Driven with Textual's pilot at a fixed size.  ``app.workers.wait_for_complete()`` without
arguments would wait forever here: ``DirectoryTree`` keeps a long-lived ``_loader`` worker,
so the tests wait for the ``analyze`` group only (and never pass it an empty list, which
means "all workers").
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TabbedContent, TextArea

from seqlen_tui.tui.app import SeqlenApp, run_app
from seqlen_tui.tui.widgets.acf_plot import AcfPlot, lag_ticks
from seqlen_tui.tui.widgets.file_tree import DataFileTree

ROOT = Path(__file__).resolve().parents[1]
MSFT = ROOT / "sample_data" / "MSFT.csv"
CO2 = ROOT / "sample_data" / "mauna_loa_co2_weekly.csv"
SIZE = (100, 30)


async def settle(app, pilot) -> None:
    """Let queued messages start any worker, wait for analyses, let results render."""
    await pilot.pause()
    running = [w for w in app.workers if w.group == "analyze"]
    if running:  # an empty list would mean "all workers", the tree's loader included
        await app.workers.wait_for_complete(running)
    await pilot.pause()


def report_text(app) -> str:
    return app.screen.query_one("#report", TextArea).text


def errors(app) -> list:
    return [n for n in app._notifications if n.severity == "error"]


async def test_opens_with_file_and_shows_analysis():
    app = SeqlenApp(str(MSFT))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = report_text(app)
        assert "2,485 points" in text
        assert "Candidate sequence lengths (7): 1, 2, 3, 4, 5, 11, 36" in text
        headline = str(app.screen.query_one("#headline", Static).render())
        assert "1, 2, 3, 4, 5, 11, 36" in headline
        for name in ("raw", "diff", "logret"):
            plot = app.screen.query_one(f"#plot-{name}", AcfPlot)
            assert plot.analysis is not None and plot.analysis.transform == name
        raw = app.screen.query_one("#plot-raw", AcfPlot)
        assert "first insignificant lag 40" in str(raw.render())
        assert not errors(app)


async def test_bad_paths_notify_and_keep_previous_results(tmp_path):
    binary = tmp_path / "prices.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    app = SeqlenApp(str(MSFT))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = report_text(app)
        for bad in (binary, tmp_path / "missing.csv"):
            app.screen.query_one("#path", Input).value = str(bad)
            await pilot.press("ctrl+l", "enter")
            await settle(app, pilot)
            assert app.is_running
            assert report_text(app) == before
        titles = [(n.title, n.message) for n in errors(app)]
        assert len(titles) == 2
        assert all(title == "Cannot use this file" for title, _ in titles)
        assert "binary" in titles[0][1] and "not found" in titles[1][1]
        assert app.screen.current_path == str(MSFT)


async def test_unexpected_worker_error_is_a_notification(monkeypatch):
    import seqlen_tui.core.analysis as analysis

    app = SeqlenApp(str(MSFT))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = report_text(app)

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(analysis, "analyze_series", boom)
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.is_running
        assert [(n.title, n.message) for n in errors(app)] == [
            ("Analysis failed", "RuntimeError: boom")
        ]
        assert report_text(app) == before


async def test_tree_lists_data_files_and_enter_loads_one(tmp_path, monkeypatch):
    for hidden in (".git", ".venv", "__pycache__", "pkg.egg-info"):
        (tmp_path / hidden).mkdir()
        shutil.copy(CO2, tmp_path / hidden / "co2.csv")
    (tmp_path / "notes.md").write_text("not data\n")
    (tmp_path / "data").mkdir()
    shutil.copy(CO2, tmp_path / "co2.csv")
    monkeypatch.chdir(tmp_path)

    app = SeqlenApp(None)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.screen.query_one("#tree", DataFileTree)
        assert app.focused is tree
        for _ in range(20):  # the tree lists folders in its own worker
            await pilot.pause(0.05)
            if len(tree.root.children) == 2:
                break
        assert [str(node.label) for node in tree.root.children] == ["data", "co2.csv"]
        await pilot.press("down", "down", "enter")
        await settle(app, pilot)
        assert "2,225 points" in report_text(app)
        assert app.screen.query_one("#path", Input).value == "co2.csv"


async def test_keys_switch_plots_focus_path_and_zoom():
    app = SeqlenApp(str(MSFT))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        tabs = app.screen.query_one("#plots", TabbedContent)
        assert tabs.active == "raw"
        await pilot.press("t")
        assert tabs.active == "diff"
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is tabs
        assert not isinstance(app.focused, Input)  # a hidden input would swallow keys
        await pilot.press("t")
        assert tabs.active == "logret"
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is None
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#path", Input)
        await pilot.press("r")  # typed into the input (replacing the selected path), no reload
        assert app.focused.value == "r"


def test_lag_ticks_are_whole_numbers():
    assert lag_ticks(40) == [0, 10, 20, 30, 40]
    assert lag_ticks(672) == [0, 200, 400, 600]
    assert lag_ticks(3) == [0, 1, 2, 3]


def test_run_app_returns_zero(monkeypatch):
    monkeypatch.setattr(SeqlenApp, "run", lambda self, *a, **k: None)
    assert run_app(None) == 0


HEAVY = ["tensorflow", "keras", "xgboost"]


def loaded_after(code: str, names: list[str]) -> list[str]:
    probe = (
        f"import sys, json; {code}; print(json.dumps([n for n in {names!r} if n in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["seqlen_tui.tui.app", "seqlen_tui.cli"])
def test_app_and_cli_import_light(module):
    assert loaded_after(f"import {module}", HEAVY + ["pandas", "statsmodels"]) == []


def test_core_imports_no_ui_and_no_deep_learning():
    core = "import seqlen_tui.core.acf, seqlen_tui.core.data, seqlen_tui.core.settings, seqlen_tui.core.analysis"
    assert loaded_after(core, HEAVY + ["textual", "rich"]) == []


def test_help_is_fast_and_light():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "seqlen_tui.cli", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "seqlen-tui" in result.stdout
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if "|" in line
    }
    assert not imported & {"tensorflow", "keras", "xgboost", "pandas"}
