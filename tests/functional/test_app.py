"""The app's choose screen: loads and analyses a file in a worker, survives bad files,
validates the options form, starts light.  Driven with Textual's pilot at a fixed size."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from app_helpers import CO2, MSFT, ROOT, errors, open_options, settle
from textual.widgets import Input, Static, TabbedContent, TextArea

from seqlen_tui.tui.app import SeqlenApp, run_app
from seqlen_tui.tui.widgets.acf_plot import AcfPlot, lag_ticks
from seqlen_tui.tui.widgets.file_tree import DataFileTree
from seqlen_tui.tui.widgets.options_form import OptionsForm

SIZE = (100, 30)


@pytest.fixture
def make_app(tmp_path):
    def make(path=None, settings: dict | None = None):
        settings_path = tmp_path / "settings.json"
        if settings is not None:
            settings_path.write_text(json.dumps(settings))
        return SeqlenApp(None if path is None else str(path), settings_path=settings_path,
                         runs_dir=tmp_path / "runs")
    return make


def report_text(app) -> str:
    return app.screen.query_one("#report", TextArea).text


async def test_opens_with_file_and_shows_analysis(make_app):
    app = make_app(MSFT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = " ".join(report_text(app).split())  # wrapped to the panel's width
        assert "2,485 points" in text
        assert "Candidate sequence lengths, in lags of differences (5): 1, 2, 3, 4, 5" in text  # no chance peak at 36
        headline = str(app.screen.query_one("#headline", Static).render())
        assert "2,485 points" in headline and "candidates" in headline
        for name in ("raw", "diff", "logret"):
            plot = app.screen.query_one(f"#plot-{name}", AcfPlot)
            assert plot.transform == name
        app.screen.query_one("#tabs", TabbedContent).active = "acf-raw"
        await pilot.pause()
        raw = app.screen.query_one("#plot-raw", AcfPlot)
        assert "first insignificant lag 40" in str(raw.render())
        await open_options(app, pilot)
        assert app.screen.query_one("#opt-asset", Input).value == "MSFT"
        key_line = str(app.screen.query_one("#key-line", Static).render())
        assert "MSFT_SL" in key_line and "not set yet" in key_line
        assert not errors(app)
        assert not app.screen.query("#run-plots")  # opening a file never starts a run


async def test_bad_paths_notify_and_keep_previous_results(make_app, tmp_path):
    binary = tmp_path / "prices.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    app = make_app(MSFT)
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
        await open_options(app, pilot)
        assert app.screen.query_one("#opt-asset", Input).value == "MSFT"


async def test_unexpected_worker_error_is_a_notification(make_app, monkeypatch):
    import seqlen_tui.core.engine as engine

    app = make_app(MSFT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = report_text(app)

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(engine, "run_analysis", boom)
        await pilot.press("f6")
        await settle(app, pilot)
        assert app.is_running
        assert [(n.title, n.message) for n in errors(app)] == [
            ("Analysis failed", "RuntimeError: boom")
        ]
        assert report_text(app) == before


async def test_tree_lists_data_files_and_enter_loads_one(tmp_path, monkeypatch, make_app):
    for hidden in (".git", ".venv", "__pycache__", "pkg.egg-info"):
        (tmp_path / hidden).mkdir()
        shutil.copy(CO2, tmp_path / hidden / "co2.csv")
    (tmp_path / "notes.md").write_text("not data\n")
    (tmp_path / "data").mkdir()
    shutil.copy(CO2, tmp_path / "co2.csv")
    monkeypatch.chdir(tmp_path)

    app = make_app()
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
        await open_options(app, pilot)
        assert app.screen.query_one("#opt-asset", Input).value == "co2"


@pytest.mark.slow
async def test_keys_switch_tabs_focus_path_and_zoom(make_app):
    app = make_app(MSFT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        tabs = app.screen.query_one("#tabs", TabbedContent)
        assert tabs.active == "summary"
        await pilot.press("t")
        assert tabs.active == "options"
        await pilot.press("t")
        assert tabs.active == "acf-raw"
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is tabs
        assert not isinstance(app.focused, Input)  # a hidden input would swallow keys
        await pilot.press("t")
        assert tabs.active == "acf-diff"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.maximized is None
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#path", Input)
        await pilot.press("t")  # typed into the input (replacing the selected path)
        assert app.focused.value == "t"
        await pilot.press("escape", "o")
        assert tabs.active == "options"
        assert app.focused is app.screen.query_one("#opt-asset", Input)


async def test_invalid_options_are_flagged_and_block_the_run(make_app):
    app = make_app(MSFT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await open_options(app, pilot)
        screen.query_one("#opt-epochs", Input).value = "0"
        screen.query_one("#opt-alpha", Input).value = "1.5"
        screen.query_one("#opt-lags", Input).value = "5,x"
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen is screen and app.is_running  # no run screen
        for name, words in (("epochs", "between 1 and 10000"), ("alpha", "at least 1e-06 and below 1"),
                            ("lags", "whole numbers")):
            error = screen.query_one(f"#err-{name}", Static)
            assert error.display and words in str(error.render())
            assert screen.query_one(f"#opt-{name}", Input).has_class("-invalid")
        assert screen.query_one("#tabs", TabbedContent).active == "options"
        assert app.focused is screen.query_one("#opt-epochs", Input)
        assert errors(app) and errors(app)[-1].title == "Fix the flagged options"
        screen.query_one("#opt-asset", Input).value = "!!!"
        await pilot.pause()
        assert "letters or digits" in str(screen.query_one("#err-asset", Static).render())


async def test_a_run_asked_before_the_options_tab_was_opened_flags_the_asset_there(make_app, tmp_path):
    """The Options form is built when first needed: F5 on a file whose name makes no settings
    key builds it, shows the tab, flags the asset and focuses it, as when it had been open."""
    data = tmp_path / "---.csv"
    shutil.copy(MSFT, data)
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert not screen.query_one("#form", OptionsForm).is_built
        await pilot.press("f5")
        await screen.options_form()
        await pilot.pause()
        assert app.screen is screen and app.is_running  # no run screen
        assert screen.query_one("#tabs", TabbedContent).active == "options"
        asset = screen.query_one("#opt-asset", Input)
        assert asset.value == "---" and asset.has_class("-invalid") and app.focused is asset
        assert "letters or digits" in str(screen.query_one("#err-asset", Static).render())
        assert errors(app) and errors(app)[-1].title == "Fix the flagged options"


async def test_run_without_a_file_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert [n.title for n in app._notifications] == ["No file"]


async def test_settings_block_sets_form_defaults_keymap_and_theme(make_app):
    app = make_app(MSFT, settings={
        "home": "/x",
        "MSFT_SL": 7,
        "seqlen_tui": {"budget": "quick", "seeds": 2, "max_lag": 60, "lags": [5, 24],
                       "theme": "ansi-dark", "keymap": {"next_tab": "f8"}},
    })
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert app.theme == "ansi-dark"
        form = screen.query_one("#form", OptionsForm)
        unbuilt = form.values()  # what a run started without opening the tab uses
        assert not form.is_built and form.options_valid() and unbuilt["asset"] == "MSFT"
        tabs = screen.query_one("#tabs", TabbedContent)
        await pilot.press("f8")
        assert tabs.active == "options"
        await screen.options_form()  # built as its tab is first shown
        await pilot.pause()
        assert form.is_built and form.values() == unbuilt and form.options_valid()
        assert str(screen.query_one("#opt-budget").value) == "quick"
        assert screen.query_one("#opt-seeds", Input).value == "2"
        assert screen.query_one("#opt-max_lag", Input).value == "60"
        assert screen.query_one("#opt-lags", Input).value == "5,24"
        assert "(now 7)" in str(screen.query_one("#key-line", Static).render())


async def test_bad_choice_in_the_settings_block_is_reported(make_app):
    app = make_app(MSFT, settings={"seqlen_tui": {"budget": "fast", "seeds": 2}})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert any('"budget": "fast" in the "seqlen_tui" block of' in n.message for n in app._notifications)
        unbuilt = app.screen.query_one("#form", OptionsForm).values()
        form = await open_options(app, pilot)
        assert form.values() == unbuilt  # the run uses the default budget, opened or not
        assert str(app.screen.query_one("#opt-budget").value) == "standard"
        assert app.screen.query_one("#opt-seeds", Input).value == "2"


async def test_unreadable_settings_warn_and_use_defaults(make_app, tmp_path):
    (tmp_path / "settings.json").write_text("{not json")
    app = make_app(MSFT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.is_running
        assert any("not valid JSON" in n.message for n in app._notifications)
        await open_options(app, pilot)
        assert app.screen.query_one("#opt-seeds", Input).value == "2"


async def test_help_opens_and_closes(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChooseScreen"


def test_lag_ticks_are_whole_numbers():
    assert lag_ticks(40) == [0, 10, 20, 30, 40]
    assert lag_ticks(672) == [0, 200, 400, 600]
    assert lag_ticks(3) == [0, 1, 2, 3]


def test_run_app_returns_the_apps_exit_code(monkeypatch):
    """``seqlen-tui FILE`` exits with what the app returned (0 when it set none); the app is
    opened on the file it was given."""
    opened = []

    def fake_run(self, *args, **kwargs):
        opened.append(self.initial_path)
        self._return_code = self._code  # what App.exit(return_code=…) leaves behind

    monkeypatch.setattr(SeqlenApp, "run", fake_run)
    for code in (0, 3):
        monkeypatch.setattr(SeqlenApp, "_code", code, raising=False)
        assert run_app("prices.csv") == code
    assert opened == ["prices.csv", "prices.csv"]


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


def test_first_frame_imports_no_deep_learning():
    """The app draws its first frame (and opens the run screen's module) without TensorFlow."""
    code = (
        "import asyncio; from seqlen_tui.tui.app import SeqlenApp; "
        "import seqlen_tui.tui.screens.run, seqlen_tui.tui.screens.review; "
        "app = SeqlenApp(None, settings_path='/nonexistent/settings.json', runs_dir='/nonexistent'); "
        "asyncio.run(app.run_test(size=(80, 24)).__aenter__())"
    )
    assert loaded_after(code, HEAVY + ["pandas", "statsmodels"]) == []


def test_core_imports_no_ui_and_no_deep_learning():
    """Every core module, imported: no front end, no TensorFlow/Keras/XGBoost (they load inside
    the work). The list is read from the folder, so a new module is covered without asking."""
    modules = sorted(p.stem for p in (ROOT / "seqlen_tui" / "core").glob("*.py") if p.stem != "__init__")
    assert len(modules) > 25
    core = "import " + ", ".join(f"seqlen_tui.core.{name}" for name in modules)
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


async def test_command_palette_lists_the_screen_actions(make_app):
    app = make_app(MSFT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = {command.title: command for command in app.get_system_commands(app.screen)}
        assert {"Run", "Options", "Help", "Runs"} <= set(titles)
        assert "f5" in titles["Run"].help
        await titles["Help"].callback()
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"


async def test_a_declared_network_is_named_in_the_choose_screen_s_headline(make_app):
    """Issue 30: with a "model" in the settings block, the headline says that the network trains
    the finalists the default LSTM scouts among these candidates; without one it says nothing."""
    app = make_app(MSFT, settings={"home": "/x", "seqlen_tui": {"model": {"layers": 2, "units": 64}}})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        headline = str(app.screen.query_one("#headline", Static).render())
        assert "2 × LSTM(64) trains the scout's finalists" in headline
    plain = make_app(MSFT, settings={"home": "/x"})
    async with plain.run_test(size=SIZE) as pilot:
        await settle(plain, pilot)
        assert "scout" not in str(plain.screen.query_one("#headline", Static).render())
