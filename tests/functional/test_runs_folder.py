"""One runs folder for the CLI, the app and batch (issue 28).

The folder is decided once, in the core (``report.default_runs_dir``): ``--runs-dir`` (or the
app's caller) beats ``$SEQLEN_RUNS_DIR``, which beats the settings block's ``runs_dir``, which
beats the per-user data folder. A relative block path is read from the settings file's folder.
Every test points the per-user folder (``$XDG_DATA_HOME``) into ``tmp_path`` and clears
``$SEQLEN_RUNS_DIR``, so nothing here reads or writes the user's own runs.
"""

from __future__ import annotations

import json
import shutil

import pytest
from app_helpers import MSFT, finish_run, messages, settle
from helpers import batch_tasks

from seqlen_tui.cli import main
from seqlen_tui.core import batch
from seqlen_tui.core.report import list_runs
from seqlen_tui.tui.app import SeqlenApp
from seqlen_tui.tui.config import load_config
from seqlen_tui.tui.screens.run import RunScreen

#: Block options that make a run instant and are the same for the app's form and for batch.
QUICK_BLOCK = {"seeds": 1, "classifiers": False, "budget": "quick"}


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    """The per-user data folder inside ``tmp_path`` and no ``$SEQLEN_RUNS_DIR``: a test that
    fails on a front end that ignores the block must not write into the user's runs."""
    monkeypatch.delenv("SEQLEN_RUNS_DIR", raising=False)
    monkeypatch.delenv("SEQLEN_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path / "xdg-data" / "seqlen-tui" / "runs"


@pytest.fixture
def ridge_batch(monkeypatch):
    """A batch asset that does run is judged by ridge AR (never the LSTM)."""
    monkeypatch.setattr(batch, "run_asset_job", batch_tasks.ridge_task)


def write_settings(folder, block: dict):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "settings.json"
    path.write_text(json.dumps({"home": "/project", "seqlen_tui": block}, indent=2) + "\n")
    return path


async def test_runs_show_and_batch_agree_with_the_app_on_the_blocks_runs_folder(
        tmp_path, monkeypatch, ridge_engine, ridge_batch, own_folders, capsys):
    """The issue's case: with a ``runs_dir`` in the block, ``seqlen-tui runs`` lists the run
    made in the app, ``show`` finds it and ``batch`` skips it (same file and options)."""
    shared = tmp_path / "shared-runs"
    settings = write_settings(tmp_path / "project", {**QUICK_BLOCK, "runs_dir": str(shared)})
    data = tmp_path / "project" / "MSFT.csv"
    shutil.copy(MSFT, data)
    monkeypatch.chdir(settings.parent)  # ./settings.json: every command below finds it unasked

    app = SeqlenApp(str(data))  # as `seqlen-tui MSFT.csv` starts it: no runs folder given
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await pilot.pause(0.1)
        assert any(isinstance(s, RunScreen) for s in app.screen_stack), messages(app)
        await finish_run(app, pilot)
    written = list(shared.glob("MSFT_*.json"))
    assert len(written) == 1, (messages(app), sorted(p.name for p in tmp_path.rglob("*.json")))
    chosen = json.loads(written[0].read_text())["chosen_lag"]
    capsys.readouterr()

    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    assert f"1 run(s) in {shared}" in out and "MSFT" in out

    assert main(["show", "MSFT"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"MSFT: {data}") and str(chosen) in out

    assert main(["batch", str(data)]) == 0
    out = capsys.readouterr().out
    assert "0 to run, 1 skipped" in out and f"reports in {shared}" in out
    assert list(shared.glob("MSFT_*.json")) == written  # nothing was run again
    assert not own_folders.exists()  # and nothing went to the per-user folder


def test_run_writes_into_the_blocks_folder_read_from_the_settings_files_folder(
        tmp_path, monkeypatch, series_file, ridge_engine, own_folders, capsys):
    """A relative block path is the settings file's neighbour, wherever the command starts
    (cron, another shell): the same file always means the same folder."""
    settings = write_settings(tmp_path / "conf", {**QUICK_BLOCK, "runs_dir": "runs-here"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    assert main(["run", str(series_file), "--settings", str(settings)]) == 0
    assert [run.asset for run in list_runs(tmp_path / "conf" / "runs-here")] == ["BTC-USD"]
    assert not (elsewhere / "runs-here").exists() and not own_folders.exists()
    assert main(["runs", "--settings", str(settings)]) == 0
    assert f"1 run(s) in {tmp_path / 'conf' / 'runs-here'}" in capsys.readouterr().out
    # The app reads the same file the same way.
    assert load_config(settings).resolved_runs_dir() == tmp_path / "conf" / "runs-here"


def test_a_tilde_in_the_block_is_the_home_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = write_settings(tmp_path / "conf", {"runs_dir": "~/seqlen-runs"})
    assert main(["runs", "--settings", str(settings)]) == 0
    assert f"No stored runs in {tmp_path / 'home' / 'seqlen-runs'};" in capsys.readouterr().out
    assert load_config(settings).resolved_runs_dir() == tmp_path / "home" / "seqlen-runs"


def test_the_flag_beats_the_environment_which_beats_the_block(tmp_path, monkeypatch, capsys):
    settings = write_settings(tmp_path / "conf", {"runs_dir": str(tmp_path / "from-block")})
    monkeypatch.setenv("SEQLEN_RUNS_DIR", str(tmp_path / "from-env"))
    assert main(["runs", "--settings", str(settings)]) == 0
    assert f"No stored runs in {tmp_path / 'from-env'};" in capsys.readouterr().out
    assert main(["runs", "--settings", str(settings), "--runs-dir", str(tmp_path / "from-flag")]) == 0
    assert f"No stored runs in {tmp_path / 'from-flag'};" in capsys.readouterr().out
    assert load_config(settings).resolved_runs_dir() == tmp_path / "from-env"
    assert load_config(settings, tmp_path / "from-app").resolved_runs_dir() == tmp_path / "from-app"


BAD_VALUES = [5, "", "   ", None, ["runs"], {"path": "runs"}]


@pytest.mark.parametrize("value", BAD_VALUES, ids=["number", "empty", "blank", "null", "list", "object"])
def test_a_bad_block_value_is_refused_before_the_run_naming_the_block_and_file(
        value, tmp_path, series_file, ridge_engine, own_folders, capsys):
    settings = write_settings(tmp_path / "conf", {**QUICK_BLOCK, "runs_dir": value})
    assert main(["run", str(series_file), "--settings", str(settings)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    # (one line: the CLI folds runs of spaces, so a blank value reads as one space)
    assert " ".join(f'"runs_dir": {json.dumps(value)} in the "seqlen_tui" block of {settings}'.split()) in err
    assert "must be a folder path" in err and "--runs-dir" in err
    assert not own_folders.exists() and not list(tmp_path.rglob("BTC-USD_*.json"))  # nothing ran
    for command in (["runs"], ["show", "BTC-USD"], ["batch", str(series_file)]):
        assert main([*command, "--settings", str(settings)]) == 2
        assert '"runs_dir"' in capsys.readouterr().err


async def test_the_app_notifies_a_bad_block_value_and_keeps_running(tmp_path, own_folders):
    settings = write_settings(tmp_path / "conf", {"runs_dir": 42})
    app = SeqlenApp(None, settings_path=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = messages(app)
        assert any(f'"runs_dir": 42 in the "seqlen_tui" block of {settings}' in m
                   and str(own_folders) in m for m in shown), shown
        assert app.is_running and app.config.resolved_runs_dir() == own_folders


def test_an_unreadable_settings_file_is_named_when_it_would_decide_the_folder(tmp_path, capsys):
    settings = tmp_path / "settings.json"
    settings.write_text('{"seqlen_tui": {"runs_dir": ')
    assert main(["runs", "--settings", str(settings)]) == 2
    err = capsys.readouterr().err
    assert str(settings) in err and "Traceback" not in err
    # With the folder given, the file is not needed to list the runs.
    assert main(["runs", "--settings", str(settings), "--runs-dir", str(tmp_path / "r")]) == 0


def test_analyze_json_never_replaces_a_stored_report_in_the_blocks_folder(
        tmp_path, series_file, ridge_engine, capsys):
    settings = write_settings(tmp_path / "conf", {**QUICK_BLOCK, "runs_dir": str(tmp_path / "runs")})
    assert main(["run", str(series_file), "--settings", str(settings)]) == 0
    (stored,) = (tmp_path / "runs").glob("BTC-USD_*.json")
    before = stored.read_bytes()
    capsys.readouterr()
    assert main(["analyze", str(series_file), "--settings", str(settings), "--json", str(stored)]) == 2
    assert "is a stored run report in the runs folder" in capsys.readouterr().err
    assert stored.read_bytes() == before
