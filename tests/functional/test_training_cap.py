"""A real (small) LSTM run's training summary: models still improving at the epoch cap are
counted and warned about (moved from tests/unit/test_race.py: it trains TensorFlow)."""

from __future__ import annotations

import pandas as pd

from seqlen_tui.core.data import load_series
from seqlen_tui.core.engine import RunOptions, run_asset
from synthetic import ar_process


def test_models_still_improving_at_the_epoch_cap_are_counted_and_warned(tmp_path):
    """One epoch cannot converge: every LSTM ends at the cap, and the report says so."""
    levels = 1000 + ar_process((0.2, 0.6), 4000, seed=2).cumsum()
    path = tmp_path / "ar2.csv"
    pd.DataFrame({"date": pd.date_range("2020-01-01", periods=len(levels), freq="D"),
                  "close": levels}).to_csv(path, index=False)
    result = run_asset(load_series(path), RunOptions(lags=(2, 3), only_lags=True, seeds=1, seeds_max=1,
                                                     epochs=1, patience=3, classifiers=False))
    training = result.training
    assert training["models"] == 2 and training["at_cap"] == 2 and training["epoch_cap"] == 1
    report = result.to_report("AR2", str(path))
    assert report["training"] == training
    assert any(w.startswith("2 of 2 LSTMs were still improving at the 1-epoch cap") for w in report["warnings"])
