"""`run`, `runs`, `show` and `--save` through the command line, in-process.

The LSTM is swapped for the ridge judge except in one end-to-end check, so the flow (report,
listing, saving, refusing) is tested without paying for training each time.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from seqlen_tui.cli import main


def test_run_writes_a_report_that_runs_and_show_read(series_file, tmp_path, capsys, ridge_engine):
    runs = tmp_path / "runs"
    assert main(["run", str(series_file), "--runs-dir", str(runs), "--seeds", "2"]) == 0
    out = capsys.readouterr().out
    assert "Chosen sequence length:" in out and "persistence" in out
    reports = list(runs.glob("BTC-USD_*.json"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text())
    for key in ("schema_version", "asset", "created_at", "file", "data_sha256", "options",
                "options_hash", "target", "leaderboard", "chosen_lag", "reason", "verdict",
                "runner_up", "device", "versions", "timings", "acf", "candidates"):
        assert key in report
    assert report["asset"] == "BTC-USD" and report["target"] == "diff"
    models = {row["model"] for row in report["leaderboard"]}
    assert {"persistence", "ridge_ar", "xgb_direction", "rf_direction"} <= models

    assert main(["runs", "--runs-dir", str(runs)]) == 0
    listing = capsys.readouterr().out
    assert "BTC-USD" in listing and str(report["chosen_lag"]) in listing
    assert main(["show", "BTC-USD", "--runs-dir", str(runs)]) == 0
    assert "Chosen sequence length: %d" % report["chosen_lag"] in capsys.readouterr().out


def test_save_yes_writes_the_key_and_keeps_the_rest(series_file, tmp_path, capsys, ridge_engine):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"home": "/x", "ETH_USD_SL": 7, "seqlen_tui": {"alpha": 0.05}}, indent=4))
    code = main(["run", str(series_file), "--runs-dir", str(tmp_path / "r"), "--seeds", "1",
                 "--no-classifiers", "--save", "--yes", "--settings", str(settings)])
    assert code == 0
    saved = json.loads(settings.read_text())
    assert list(saved) == ["home", "ETH_USD_SL", "seqlen_tui", "BTC_USD_SL"]
    report = json.loads(next((tmp_path / "r").glob("BTC-USD_*.json")).read_text())
    assert type(saved["BTC_USD_SL"]) is int and saved["BTC_USD_SL"] == report["chosen_lag"]
    assert "Save BTC_USD_SL" in capsys.readouterr().out


def test_save_without_terminal_or_yes_writes_nothing_and_exits_1(series_file, tmp_path, capsys,
                                                                 ridge_engine, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    settings = tmp_path / "settings.json"
    settings.write_text('{"keep": 1}')
    code = main(["run", str(series_file), "--runs-dir", str(tmp_path / "r"), "--seeds", "1",
                 "--no-classifiers", "--save", "--settings", str(settings)])
    assert code == 1
    assert settings.read_text() == '{"keep": 1}'
    assert "--yes" in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["--epochs", "0"], "--epochs"),
    (["--lags", "100000"], "too long"),
    (["--protocol", "magic"], "--protocol"),
    (["--seeds", "0"], "--seeds"),
    (["--seeds", "3", "--seeds-max", "2"], "--seeds-max must be at least --seeds (3)"),
])
def test_bad_run_options_exit_2(series_file, tmp_path, capsys, args, words):
    assert main(["run", str(series_file), "--runs-dir", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and words in err
    assert not list(Path(tmp_path).glob("*.json"))


@pytest.mark.slow
def test_run_end_to_end_with_the_lstm(series_file, tmp_path, capsys):
    code = main(["run", str(series_file), "--runs-dir", str(tmp_path), "--budget", "quick",
                 "--epochs", "2", "--seeds", "1", "--lags", "2,5", "--only-lags",
                 "--no-classifiers", "--device", "cpu", "--json", "-"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["device"] == "CPU"  # where it was told to train, on any box
    assert {row["lag"] for row in report["leaderboard"] if row["model"] == "lstm"} == {2, 5}
    assert np.isfinite([row["val_mse"] for row in report["leaderboard"] if row["model"] == "lstm"]).all()
