"""The command line: the analyze job end to end, exit codes, one-line errors, JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from paths import ROOT

from seqlen_tui.cli import main
from synthetic import random_profile

SAMPLES = ROOT / "sample_data"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "seqlen_tui.cli", *args],
        capture_output=True, text=True, cwd=cwd or ROOT, timeout=120,
    )


def test_analyze_sample_prints_summary_findings_and_candidates(capsys):
    assert main(["analyze", str(SAMPLES / "uk_electricity_demand_halfhourly.csv")]) == 0
    out = capsys.readouterr().out
    words = " ".join(out.split())  # the words, wherever the text wraps (a terminal's width)
    assert "4,032 points" in words
    assert "half-hourly" in words
    assert "settings key: UK_ELECTRICITY_DEMAND_HALFHOURLY_SL" in words
    candidates = re.search(r"Candidate sequence lengths[^:]*: (\d+(?:, \d+)*)", words).group(1)
    lags = [int(x) for x in candidates.split(",") if x.strip()]
    assert 48 in lags and 336 in lags


def test_json_to_stdout_is_valid_json_with_the_schema(capsys):
    assert main(["analyze", str(SAMPLES / "MSFT.csv"), "--json", "-"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # stdout holds only JSON
    assert "ACF findings" in captured.err  # human output went to stderr
    assert doc["schema_version"] == 1
    assert doc["column"] == "Close" and doc["n"] == 2485 and doc["frequency"] == "B"
    for name in ("raw", "diff", "logret"):
        block = doc["acf"][name]
        for key in ("first_insignificant_lag", "max_significant_lag", "seasonal_peak_lag", "peaks",
                    "pacf_cutoff", "ar_order_aic", "ar_order_bic", "lags", "acf", "band_low", "band_high"):
            assert key in block
        assert len(block["lags"]) == len(block["acf"]) == len(block["band_high"]) == doc["max_lag"] + 1
    assert [c["lag"] for c in doc["candidates"]] == sorted(c["lag"] for c in doc["candidates"])
    assert all(c["reasons"] for c in doc["candidates"])


def test_json_file_nan_becomes_null_and_dropped_counted(tmp_path, capsys):
    csv = tmp_path / "holes.csv"
    values = np.round(random_profile(24, 1200, seed=1) + 10, 3).astype(object)
    values[[5, 50, 500]] = ["", "n/a", "inf"]
    pd.DataFrame({"value": values}).to_csv(csv, index=False)
    out = tmp_path / "out.json"
    assert main(["analyze", str(csv), "--json", str(out)]) == 0
    text = out.read_text()
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert sum(doc["dropped"].values()) == 3
    assert doc["frequency"] is None
    assert 24 in [c["lag"] for c in doc["candidates"]]


def test_plot_draws_both_acfs(capsys):
    assert main(["analyze", str(SAMPLES / "MSFT.csv"), "--plot"]) == 0
    out = capsys.readouterr().out
    assert "ACF (raw)" in out and "ACF (differenced)" in out


def test_user_lags_and_max_lag(capsys):
    assert main(["analyze", str(SAMPLES / "MSFT.csv"), "--lags", "7,63", "--max-lag", "60"]) == 0
    out = capsys.readouterr().out
    assert "max lag 60" in out
    assert "    63  your list" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (["analyze", "nope.csv"], "nope.csv"),
        (["analyze", "sample_data"], "directory"),
        (["analyze", "sample_data/MSFT.csv", "--column", "Nope"], "--column"),
        (["analyze", "sample_data/MSFT.csv", "--max-lag", "5000"], "--max-lag"),
        (["analyze", "sample_data/MSFT.csv", "--alpha", "2"], "--alpha"),
        (["analyze", "sample_data/MSFT.csv", "--lags", "0,x"], "--lags"),
        (["analyze", "sample_data/MSFT.csv", "--last", "10"], "30"),
        (["analyze"], "FILE"),
        (["frobnicate"], "no such file or command"),
        (["analyze", "sample_data/MSFT.csv", "--bogus"], "--bogus"),
    ],
)
def test_bad_input_is_one_line_on_stderr_exit_2(args, words, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)  # the paths above are relative to the repository
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("seqlen-tui: ")
    assert words.lower() in lines[0].lower()
    assert "Traceback" not in err


def test_bad_file_in_a_subprocess_has_no_traceback(tmp_path):
    bad = tmp_path / "image.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    result = run_cli("analyze", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_settings_defaults_and_current_value_are_read(tmp_path, capsys):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"home": "x", "MSFT_SL": 12, "seqlen_tui": {"alpha": 0.01, "max_lag": 30}}))
    before = settings.read_bytes()
    assert main(["analyze", str(SAMPLES / "MSFT.csv"), "--settings", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "settings key: MSFT_SL" in out and "(now 12)" in out
    assert "max lag 30, alpha 0.01" in out
    assert settings.read_bytes() == before  # analyze never writes


def test_malformed_settings_do_not_stop_analyze(tmp_path, capsys):
    settings = tmp_path / "settings.json"
    settings.write_text("{not json")
    assert main(["analyze", str(SAMPLES / "MSFT.csv"), "--settings", str(settings)]) == 0
    assert "settings not read" in capsys.readouterr().out
    assert settings.read_text() == "{not json"


def test_help_and_version_exit_0():
    result = run_cli("--help")
    assert result.returncode == 0 and "analyze" in result.stdout
    result = run_cli("analyze", "--help")
    assert result.returncode == 0 and "--max-lag" in result.stdout
    result = run_cli("--version")
    assert result.returncode == 0 and "seqlen-tui" in result.stdout


def test_interrupt_exits_130(monkeypatch, capsys):
    import seqlen_tui.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMAND_HANDLERS, "analyze", interrupted)
    assert main(["analyze", "x.csv"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_unexpected_error_exits_1_with_one_line(monkeypatch, capsys):
    import seqlen_tui.cli as cli

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setitem(cli.COMMAND_HANDLERS, "analyze", broken)
    assert main(["analyze", "x.csv"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "boom" in err


def test_existing_file_as_first_argument_opens_the_app(monkeypatch):
    import seqlen_tui.cli as cli

    opened = []
    monkeypatch.setattr(cli, "open_app", lambda path: opened.append(path) or 0)
    assert main([str(SAMPLES / "MSFT.csv")]) == 0
    assert main([]) == 0
    assert opened == [str(SAMPLES / "MSFT.csv"), None]
