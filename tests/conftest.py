"""Shared test set-up: the ``slow`` marker (slow tests still run in CI), the tests' own device-rate
cache, and the judge swap that lets the front ends' flows run without training an LSTM."""

import os
import tempfile

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The device-rate cache of --device auto: the tests' own, never the user's.
os.environ["SEQLEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="seqlen-cache-")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: over 5 s on 2 cores (pytest --durations); still part of CI")


def swap_judge(monkeypatch, make_judge):
    """Every run the front ends start uses ``make_judge()`` instead of the LSTM: the flow is
    tested without paying for training (tests about the LSTM itself don't use this)."""
    import seqlen_tui.core.engine as engine
    from seqlen_tui.core.events import SILENT

    real = engine.run_asset

    def run_asset(series, options, reporter=None, judge=None, analysis=None):
        return real(series, options, reporter or SILENT, make_judge(), analysis)

    monkeypatch.setattr(engine, "run_asset", run_asset)


@pytest.fixture
def ridge_engine(monkeypatch):
    """Runs judged by ridge AR (deterministic, instant)."""
    from seqlen_tui.core.judges import RidgeJudge

    swap_judge(monkeypatch, RidgeJudge)


def write_ar2_closes(path, n: int):
    """``n`` daily closes whose changes are AR(2) (0.5, 0.3): a linear judge needs 2 lags."""
    import pandas as pd

    from synthetic import ar_process

    levels = 500 + ar_process((0.5, 0.3), n, seed=4).cumsum()
    pd.DataFrame({"Date": pd.date_range("2020-01-01", periods=len(levels), freq="D"),
                  "Close": levels}).to_csv(path, index=False)
    return path


@pytest.fixture
def series_file(tmp_path):
    """BTC-USD.csv: 1,500 daily closes whose changes are AR(2)."""
    return write_ar2_closes(tmp_path / "BTC-USD.csv", 1500)
