"""The real judge: a small Keras LSTM, trained briefly (marked slow; still runs in CI)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core.data import load_series
from seqlen_tui.core.engine import RunOptions, run_asset
from synthetic import random_profile

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trending_daily_cycle(tmp_path_factory):
    """Trend + a repeating 24-step profile + noise: yesterday's shape is the information."""
    n = 24 * 70
    levels = 50 + np.linspace(0, 30, n) + 4 * random_profile(24, n, noise=0.4, seed=8)
    path = tmp_path_factory.mktemp("lstm") / "cycle.csv"
    pd.DataFrame({"value": levels}).to_csv(path, index=False)
    return load_series(path)


def test_lstm_beats_persistence_and_needs_a_whole_cycle(trending_daily_cycle):
    # On the CPU whatever the box: the numbers below are the CPU's (a GPU's need not be equal).
    options = RunOptions(budget="quick", epochs=25, patience=4, seeds=1, lags=(4, 23),
                         only_lags=True, classifiers=False, device="cpu")
    result = run_asset(trending_daily_cycle, options)
    rows = {(r.model, r.lag): r for r in result.leaderboard}
    assert result.selection.predictable
    assert rows[("lstm", result.chosen_lag)].skill > 0.3
    # 23 differences span the 24 levels of one cycle (the 24th change is minus their sum).
    assert result.chosen_lag == 23
    assert result.device == "CPU"  # trained where it was asked to


def test_same_seed_same_numbers(trending_daily_cycle):
    options = RunOptions(budget="quick", epochs=2, seeds=1, lags=(4,), only_lags=True,
                         classifiers=False, max_lag=30)
    first = run_asset(trending_daily_cycle, options)
    second = run_asset(trending_daily_cycle, options)
    assert [r.val_mse for r in first.leaderboard] == [r.val_mse for r in second.leaderboard]
