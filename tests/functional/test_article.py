"""``--protocol article``: the article's benchmark, reproduced literally.

Only ``test_run_article_trains_deterministically_and_cancels`` trains (tiny data, one epoch).
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core.article import (
    RULE_AGREE,
    RULE_CONFLICT,
    RULE_NONE,
    ArticleLagResult,
    article_classifier_data,
    article_directional_accuracy,
    article_lags,
    article_leaderboard_choice,
    article_scale,
    article_split,
    article_windows,
    run_article,
)
from seqlen_tui.core.errors import DataError
from seqlen_tui.core.events import Cancelled, Progress, Reporter

# ----------------------------------------------------------------------------- lags


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_white_noise_levels_give_base_two(seed):
    # Differences of white noise are MA(1) with lag-1 ACF -0.5 (significant) and 0 beyond.
    values = 100 + np.random.default_rng(seed).standard_normal(2000)
    assert article_lags(values) == (2, (2, 4, 6, 8))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_walk_gives_base_one(seed):
    # Differences of a random walk are white noise: lag 1 is already insignificant.
    values = 100 + np.random.default_rng(seed).standard_normal(2000).cumsum()
    assert article_lags(values) == (1, (1, 2, 3, 4))


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_article_lags_match_statsmodels_literally():
    from statsmodels.tsa.stattools import acf

    values = 100 + np.random.default_rng(5).standard_normal(1500)
    diffed = pd.Series(values).diff().dropna()
    acf_vals, confint = acf(diffed, nlags=168, alpha=0.05, fft=True)
    expected = next(
        (i for i, (_, ci) in enumerate(zip(acf_vals, confint)) if ci[0] < 0 and ci[1] > 0), 168
    )
    assert article_lags(values)[0] == expected


def test_short_series_caps_nlags_and_flat_steps_are_refused():
    # 41 points support at most (41 - 1) // 2 - 1 = 19 lags; still answers.
    base, lags = article_lags(100 + np.random.default_rng(0).standard_normal(41))
    assert 1 <= base <= 19 and lags == tuple(base * m for m in (1, 2, 3, 4))
    with pytest.raises(DataError):
        article_lags(np.arange(50.0))  # constant differences: ACF undefined


# ----------------------------------------------------------------------------- leaderboard


def _r(lag, mse, da):
    return ArticleLagResult(lag=lag, mse=mse, directional_accuracy=da)


def test_leaderboard_agree():
    results = [_r(4, 0.010, 0.60), _r(8, 0.020, 0.55), _r(12, 0.030, 0.50)]
    assert article_leaderboard_choice(results) == (4, RULE_AGREE)


def test_leaderboard_conflict_uses_mse_times_one_minus_da():
    # Lowest MSE: lag 4; highest DA: lag 8 -> conflict. mse × (1 − DA):
    #   lag 4: 0.010 × 0.50 = 0.0050;  lag 8: 0.030 × 0.30 = 0.0090;  lag 12: 0.011 × 0.40 = 0.0044
    # -> lag 12, neither the MSE nor the DA winner.
    results = [_r(4, 0.010, 0.50), _r(8, 0.030, 0.70), _r(12, 0.011, 0.60)]
    assert article_leaderboard_choice(results) == (12, RULE_CONFLICT)


def test_leaderboard_ties_follow_the_articles_da_sorted_order():
    # Equal MSE: the article's min() runs over the board sorted by DA (descending), so lag 8
    # (higher DA) comes first and wins on MSE too: "agree", not a conflict.
    assert article_leaderboard_choice([_r(4, 0.01, 0.5), _r(8, 0.01, 0.6)]) == (8, RULE_AGREE)


def test_leaderboard_empty():
    assert article_leaderboard_choice([]) == (None, RULE_NONE)


# ----------------------------------------------------------------------------- metrics, data


def test_directional_accuracy_counts_flat_on_flat_as_a_match():
    y_true = np.array([1.0, 1.0, 2.0, 1.0])  # steps: 0, +, -
    y_pred = np.array([5.0, 5.0, 6.0, 6.0])  # steps: 0, +, 0
    assert article_directional_accuracy(y_true, y_pred) == pytest.approx(2 / 3)
    assert article_directional_accuracy(np.array([1.0, 1.0]), np.array([3.0, 3.0])) == 1.0


def test_scaler_is_fitted_on_the_whole_series_as_the_article_does():
    # The series peaks inside the test block: with the article's whole-series MinMax fit, the
    # test targets reach exactly 1.0 while the training targets stay below it.
    values = np.r_[np.linspace(10, 20, 80), np.linspace(20, 30, 40)]
    scaled = article_scale(values)
    x, y = article_windows(scaled, max_lag=8, seq_len=4)
    split = article_split(len(x))
    assert y[split:].max() == 1.0 and x[split:].max() == pytest.approx(1.0, abs=0.02)
    assert y[:split].max() < 1.0 and scaled.min() == 0.0


def test_windows_equal_the_articles_loop():
    rng = np.random.default_rng(3)
    scaled = article_scale(rng.standard_normal(60).cumsum())
    longest = 12
    loop_x = np.array([scaled[i - longest : i] for i in range(longest, len(scaled))])
    loop_y = np.array([scaled[i, 0] for i in range(longest, len(scaled))])
    for seq_len in (3, 6, 9, 12):
        x, y = article_windows(scaled, longest, seq_len)
        np.testing.assert_array_equal(x, np.array([w[-seq_len:] for w in loop_x]))
        np.testing.assert_array_equal(y, loop_y)


def test_classifier_data_equals_the_articles_pandas_code():
    close = np.round(100 + np.random.default_rng(4).standard_normal(40).cumsum(), 1)
    lag = 3
    df = pd.Series(close).to_frame(name="close")
    df["target"] = (df["close"].shift(-1) > df["close"]).astype(int)
    df = df.dropna()
    assert len(df) == len(close)  # nothing dropped: NaN > x is False, not NaN
    loop_x = np.array(
        [df.iloc[i - lag : i].drop(columns="target").values.flatten() for i in range(lag, len(df))]
    )
    loop_y = df["target"].iloc[lag:].values
    x, y = article_classifier_data(close, lag)
    np.testing.assert_array_equal(x, loop_x)
    np.testing.assert_array_equal(y, loop_y)
    assert y[-1] == 0  # the last row is labelled "down"


# ----------------------------------------------------------------------------- the run


def test_cancel_before_anything_trains():
    cancel = threading.Event()
    cancel.set()
    events = []
    with pytest.raises(Cancelled):
        run_article(
            100 + np.random.default_rng(0).standard_normal(300).cumsum(),
            reporter=Reporter(events.append, cancel),
        )
    assert not any(e.stage == "train" for e in events)


def test_too_short_for_the_longest_lag_is_a_data_error():
    values = 100 + np.random.default_rng(0).standard_normal(2000)[:20]  # white noise: base 2
    with pytest.raises(DataError, match="too few"):
        run_article(values)


@pytest.mark.slow  # ~30 s on 2 CPUs: three runs' worth of Keras graph building
def test_run_article_trains_deterministically_and_cancels():
    values = 100 + np.random.default_rng(11).standard_normal(300).cumsum()
    events = []
    first = run_article(values, seed=7, epochs=1, reporter=Reporter(events.append))

    base, lags = article_lags(values)
    assert (first.base_lag, first.lags) == (base, lags)
    assert [row.lag for row in first.lstm] == list(lags) and len(first.lstm) == 4
    for row in first.lstm:
        assert math.isfinite(row.mse) and 0.0 <= row.directional_accuracy <= 1.0
    assert set(first.classifiers) == {"xgb_direction", "rf_direction"}
    assert all(0.0 <= acc <= 1.0 for acc in first.classifiers.values())
    assert first.chosen_lag in lags
    assert first.rule in (RULE_AGREE, RULE_CONFLICT)
    assert (first.chosen_lag, first.rule) == article_leaderboard_choice(list(first.lstm))
    assert first.to_dict()["lstm"][0]["lag"] == lags[0]

    lag_infos = [e.message for e in events if e.message.startswith("article: LSTM lag")]
    assert lag_infos == [f"article: LSTM lag {lag} ({i}/4)" for i, lag in enumerate(lags, 1)]
    fractions = [e.fraction for e in events if isinstance(e, Progress)]
    assert len(fractions) == 4 + 2 and fractions == sorted(fractions) and fractions[-1] == 1.0

    second = run_article(values, seed=7, epochs=1)
    assert second == first  # same seed, same numbers (dataclass equality: every float)

    # Cancel as the first model starts: training stops, Cancelled is raised, nothing follows.
    cancel = threading.Event()
    seen = []

    def on_event(event):
        seen.append(event)
        if event.message.startswith("article: LSTM lag"):
            cancel.set()

    with pytest.raises(Cancelled):
        run_article(values, seed=7, epochs=1, reporter=Reporter(on_event, cancel))
    assert sum(e.message.startswith("article: LSTM lag") for e in seen) == 1
    assert not any(e.stage == "classifiers" for e in seen)
