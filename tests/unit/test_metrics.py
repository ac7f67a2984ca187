"""Forecast scores and tests: known answers worked out by hand, sizes checked by simulation."""

from __future__ import annotations

import math
import subprocess
import sys
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seqlen_tui.core.metrics import (
    ForecastScores,
    diebold_mariano,
    directional_accuracy,
    hln_factor,
    mae,
    majority_rate,
    mase,
    mse,
    newey_west_se,
    paired_loss_se,
    pesaran_timmermann,
    rmse,
    score_forecast,
    skill,
)

PHI = NormalDist().cdf

# errors: -0.5, 0, 1, -1
ACTUAL = [1.0, 2.0, 3.0, 4.0]
PRED = [1.5, 2.0, 2.0, 5.0]
# moves: +2, -1, +4, -1 (season 1); +1, +3, +3 (season 2)
TRAIN = [10.0, 12.0, 11.0, 15.0, 14.0]


# --------------------------------------------------------------------------- point scores


def test_mse_rmse_mae_by_hand():
    assert mse(ACTUAL, PRED) == pytest.approx((0.25 + 0 + 1 + 1) / 4)  # 0.5625
    assert rmse(ACTUAL, PRED) == pytest.approx(0.75)
    assert mae(ACTUAL, PRED) == pytest.approx((0.5 + 0 + 1 + 1) / 4)  # 0.625


def test_mase_season_1_and_2_by_hand():
    assert mase(ACTUAL, PRED, TRAIN) == pytest.approx(0.625 / ((2 + 1 + 4 + 1) / 4))  # 0.3125
    assert mase(ACTUAL, PRED, TRAIN, season=2) == pytest.approx(0.625 / ((1 + 3 + 3) / 3))


def test_mase_is_nan_without_a_scale():
    assert math.isnan(mase(ACTUAL, PRED, [5.0, 5.0, 5.0]))  # constant train: scale 0
    assert math.isnan(mase(ACTUAL, PRED, [1.0, 2.0], season=2))  # no seasonal naive exists
    with pytest.raises(ValueError, match="season"):
        mase(ACTUAL, PRED, TRAIN, season=0)


def test_skill_against_persistence():
    assert skill(0.25, 1.0) == pytest.approx(0.75)
    assert skill(2.0, 1.0) == pytest.approx(-1.0)
    assert skill(1.0, 1.0) == 0.0
    assert math.isnan(skill(1.0, 0.0))


@pytest.mark.parametrize("func", [mse, rmse, mae])
def test_bad_shapes_raise_clear_errors(func):
    with pytest.raises(ValueError, match="empty"):
        func([], [])
    with pytest.raises(ValueError, match="same target points"):
        func([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="1-D"):
        func([[1.0]], [[1.0]])


def test_nan_propagates_instead_of_being_dropped():
    assert math.isnan(mse([1.0, np.nan], [1.0, 2.0]))
    assert math.isnan(directional_accuracy([1.0, np.nan], [1.0, 2.0], [0.0, 0.0]))
    assert math.isnan(newey_west_se([1.0, np.nan, 2.0]))


# --------------------------------------------------------------------------- directions


def test_directional_accuracy_by_hand():
    previous = [10.0, 10.0, 10.0, 10.0, 10.0]
    actual = [11.0, 9.0, 10.0, 12.0, 8.0]  # up, down, (no move: excluded), up, down
    pred = [10.5, 9.5, 11.0, 10.0, 9.0]  # up, down, up, (no call: a miss), down
    assert directional_accuracy(actual, pred, previous) == pytest.approx(3 / 4)


def test_directional_accuracy_nan_when_nothing_moved():
    assert math.isnan(directional_accuracy([1.0, 1.0], [2.0, 0.0], [1.0, 1.0]))


def test_persistence_calls_no_direction_so_scores_zero():
    y = np.array([1.0, 3.0, 2.0, 5.0])
    prev = np.array([0.0, 1.0, 3.0, 2.0])
    assert directional_accuracy(y, prev, prev) == 0.0


def test_majority_rate_by_hand():
    # moves +1, 0, +1, -2, +3, +1: four up, one down, the zero excluded
    assert majority_rate([1.0, 2.0, 2.0, 3.0, 1.0, 4.0, 5.0]) == pytest.approx(4 / 5)
    assert majority_rate([5.0, 4.0, 3.0, 4.0]) == pytest.approx(2 / 3)
    assert math.isnan(majority_rate([2.0, 2.0, 2.0]))
    assert math.isnan(majority_rate([2.0]))


# --------------------------------------------------------------------------- Pesaran–Timmermann


def test_pesaran_timmermann_by_hand():
    a = np.array([1, 1, 1, 0, 0, 1, 0, 1, 1, 0], dtype=bool)
    f = np.array([1, 1, 0, 0, 1, 1, 0, 1, 0, 0], dtype=bool)
    n, p_hit, p_y, p_x = 10, 7 / 10, 6 / 10, 5 / 10
    p_star = p_y * p_x + (1 - p_y) * (1 - p_x)  # 0.5
    var_p = p_star * (1 - p_star) / n  # 0.025
    var_p_star = (  # 0.001 + 0 + 0.0024
        (2 * p_y - 1) ** 2 * p_x * (1 - p_x) / n
        + (2 * p_x - 1) ** 2 * p_y * (1 - p_y) / n
        + 4 * p_y * p_x * (1 - p_y) * (1 - p_x) / n**2
    )
    assert var_p - var_p_star == pytest.approx(0.0216)
    expected = (p_hit - p_star) / math.sqrt(0.0216)  # 1.3608...
    stat, p = pesaran_timmermann(a, f)
    assert stat == pytest.approx(expected, rel=1e-12)
    assert stat == pytest.approx(1.360827634879543)
    assert p == pytest.approx(1 - PHI(expected), rel=1e-9)


def test_pesaran_timmermann_perfect_predictor():
    a = np.random.default_rng(0).random(1000) < 0.5
    stat, p = pesaran_timmermann(a, a.copy())
    assert stat > 25  # ≈ sqrt(n) for a balanced perfect call
    assert p < 1e-12


def test_pesaran_timmermann_size_under_independence():
    rejections = []
    for seed in range(400):
        rng = np.random.default_rng(seed)
        a, f = rng.random(200) < 0.55, rng.random(200) < 0.45
        rejections.append(pesaran_timmermann(a, f)[1] < 0.05)
    assert 0.01 <= np.mean(rejections) <= 0.10


def test_pesaran_timmermann_degenerate_and_bad_input():
    a = np.array([True, False, True, True])
    assert all(map(math.isnan, pesaran_timmermann(a, np.ones(4, dtype=bool))))
    assert all(map(math.isnan, pesaran_timmermann(np.zeros(4, dtype=bool), a)))
    with pytest.raises(ValueError, match="boolean"):
        pesaran_timmermann(np.array([1.0, -1.0]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="same target points"):
        pesaran_timmermann(a, a[:3])


# --------------------------------------------------------------------------- Newey–West


def test_newey_west_lag_0_is_the_iid_se_with_ddof_0():
    d = np.array([1.0, -1.0, 2.0, 0.0, 3.0])  # mean 1, squared deviations sum to 10
    assert newey_west_se(d, lags=0) == pytest.approx(math.sqrt(10 / 5 / 5))
    assert newey_west_se(d, lags=0) == pytest.approx(d.std(ddof=0) / math.sqrt(5))


def test_newey_west_lag_1_by_hand():
    d = np.array([1.0, 2.0, 3.0, 5.0, 4.0])  # deviations -2, -1, 0, 2, 1
    gamma0, gamma1 = 10 / 5, (2 + 0 + 0 + 2) / 5
    assert newey_west_se(d, lags=1) == pytest.approx(math.sqrt((gamma0 + gamma1) / 5))


@pytest.mark.parametrize("lags", [0, 1, 4, 12, 60, 299])
def test_newey_west_matches_statsmodels_hac(lags):
    # The OLS module alone: statsmodels.api imports all of statsmodels (twice the seconds).
    ols = pytest.importorskip("statsmodels.regression.linear_model").OLS
    rng = np.random.default_rng(lags)
    d = 0.3 * rng.standard_normal(300).cumsum() + rng.standard_normal(300)  # autocorrelated
    fit = ols(d, np.ones(d.size)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False}
    )
    assert newey_west_se(d, lags) == pytest.approx(fit.bse[0], rel=1e-10, abs=1e-12)


def test_newey_west_default_lags_rule_of_thumb():
    ols = pytest.importorskip("statsmodels.regression.linear_model").OLS
    d = np.random.default_rng(7).standard_normal(1000).cumsum()
    lags = 6  # floor(4 * (1000/100) ** (2/9)) = floor(6.67...)
    fit = ols(d, np.ones(d.size)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False}
    )
    assert newey_west_se(d) == pytest.approx(fit.bse[0], rel=1e-10)


def test_newey_west_edge_cases():
    assert math.isnan(newey_west_se([3.0]))
    assert newey_west_se([2.0, 2.0, 2.0]) == 0.0
    with pytest.raises(ValueError, match="lags"):
        newey_west_se([1.0, 2.0], lags=-1)
    with pytest.raises(ValueError, match="empty"):
        newey_west_se([])


def test_paired_loss_se_is_the_se_of_the_difference():
    a = np.array([3.0, 2.0, 5.0, 4.0, 6.0])
    b = np.array([2.0, 0.0, 2.0, 4.0, 3.0])  # a - b = 1, 2, 3, 0, 3
    assert paired_loss_se(a, b) == pytest.approx(newey_west_se([1.0, 2.0, 3.0, 0.0, 3.0]))


# --------------------------------------------------------------------------- Diebold–Mariano


def test_diebold_mariano_by_hand_h1():
    d = np.array([1.0, -1.0, 2.0, 0.0, 3.0])  # mean 1, γ0 = 10/5 = 2
    zeros = np.zeros(5)
    raw = 1 / math.sqrt(2 / 5)  # sqrt(2.5)
    stat, p = diebold_mariano(d, zeros, hln=False)
    assert stat == pytest.approx(raw)
    assert p == pytest.approx(2 * (1 - PHI(raw)))
    # HLN for h = 1 is sqrt((n - 1) / n) = sqrt(4/5): sqrt(2.5 * 0.8) = sqrt(2)
    assert hln_factor(5, 1) == pytest.approx(math.sqrt(4 / 5))
    stat, p = diebold_mariano(d, zeros)
    assert stat == pytest.approx(math.sqrt(2))
    # Student t, 4 df, closed form: F(t) = 1/2 + 3/8 · t/sqrt(1 + t²/4) · (1 − t²/(12(1 + t²/4)))
    t = math.sqrt(2)
    cdf = 0.5 + 3 / 8 * t / math.sqrt(1.5) * (1 - 2 / (12 * 1.5))  # 0.884900...
    assert p == pytest.approx(2 * (1 - cdf), rel=1e-9)
    assert diebold_mariano(d, zeros, alternative="greater")[1] == pytest.approx(1 - cdf)
    assert diebold_mariano(d, zeros, alternative="less")[1] == pytest.approx(cdf)


def test_diebold_mariano_by_hand_h2():
    d = np.array([1.0, 2.0, 3.0, 5.0, 4.0])  # mean 3, γ0 = 2, γ1 = 0.8: LRV = 2 + 2·0.8
    # HLN factor h = 2, n = 5: (5 + 1 - 4 + 2/5) / 5 = 0.48
    stat, _ = diebold_mariano(d, np.zeros(5), horizon=2)
    assert stat == pytest.approx(3 / math.sqrt(3.6 / 5) * math.sqrt(0.48))  # 3·sqrt(2/3)


def test_diebold_mariano_negative_lrv_falls_back_to_gamma0():
    d = np.array([1.0, -1.0, 2.0, 0.0, 3.0])  # γ0 = 2, γ1 = -1: LRV = 2 - 2 = 0
    stat, _ = diebold_mariano(d, np.zeros(5), horizon=2)
    assert stat == pytest.approx(1 / math.sqrt(2 / 5) * math.sqrt(0.48))


def test_diebold_mariano_identical_losses():
    loss = np.random.default_rng(1).random(50)
    assert diebold_mariano(loss, loss) == (0.0, 1.0)
    assert diebold_mariano(loss, loss, alternative="less") == (0.0, 0.5)


def test_diebold_mariano_degenerate_cases():
    assert all(map(math.isnan, diebold_mariano([1.0, 2.0], [0.0, 0.0])))  # n < 3
    assert all(map(math.isnan, diebold_mariano([2.0, 3.0, 4.0], [1.0, 2.0, 3.0])))  # d ≡ 1
    assert all(map(math.isnan, diebold_mariano([1.0, 5.0, 2.0], [0.0] * 3, horizon=3)))
    with pytest.raises(ValueError, match="alternative"):
        diebold_mariano([1.0] * 3, [0.0] * 3, alternative="better")
    with pytest.raises(ValueError, match="horizon"):
        diebold_mariano([1.0] * 3, [0.0] * 3, horizon=0)


def test_diebold_mariano_detects_a_clearly_better_model():
    rng = np.random.default_rng(2)
    loss_b = rng.standard_normal(200) ** 2
    loss_a = 0.5 * loss_b + 0.1 * np.abs(rng.standard_normal(200))
    stat, p = diebold_mariano(loss_a, loss_b, alternative="less")
    assert stat < 0 and p < 0.01
    assert diebold_mariano(loss_a, loss_b, alternative="greater")[1] > 0.99


def test_diebold_mariano_size_under_the_null():
    rejections = []
    for seed in range(300):
        rng = np.random.default_rng(1000 + seed)
        loss_a, loss_b = rng.standard_normal((2, 100)) ** 2
        rejections.append(diebold_mariano(loss_a, loss_b)[1] < 0.05)
    assert 0.02 <= np.mean(rejections) <= 0.09


@settings(max_examples=50, deadline=None)
@given(
    arrays(float, 20, elements=st.floats(0, 10)),
    arrays(float, 20, elements=st.floats(0, 10)),
)
def test_diebold_mariano_is_antisymmetric(a, b):
    stat_ab, p_ab = diebold_mariano(a, b)
    stat_ba, p_ba = diebold_mariano(b, a)
    if math.isnan(stat_ab):
        assert math.isnan(stat_ba)
    else:
        assert stat_ab == pytest.approx(-stat_ba)
        assert p_ab == pytest.approx(p_ba)
        assert 0.0 <= p_ab <= 1.0


# --------------------------------------------------------------------------- all together


def test_score_forecast_by_hand():
    previous = [0.0, 2.0, 4.0, 3.0]  # persistence errors 1, 0, -1, 1: MSE 0.75
    scores = score_forecast(ACTUAL, PRED, previous, TRAIN, mse_naive=0.75)
    assert isinstance(scores, ForecastScores)
    assert scores.mse == pytest.approx(0.5625)
    assert scores.rmse == pytest.approx(0.75)
    assert scores.mae == pytest.approx(0.625)
    assert scores.mase == pytest.approx(0.3125)
    assert scores.skill == pytest.approx(0.25)
    # actual moves +1, 0 (excluded), -1, +1; predicted +1.5, 0, -2, +2: 3 of 3
    assert scores.directional_accuracy == 1.0
    assert score_forecast(ACTUAL, PRED, previous, TRAIN) == scores  # default: persistence
    assert score_forecast(ACTUAL, PRED, previous, TRAIN, season=2).mase == pytest.approx(
        0.625 / (7 / 3)
    )
    assert scores.to_dict() == {
        "mse": scores.mse,
        "rmse": scores.rmse,
        "mae": scores.mae,
        "mase": scores.mase,
        "skill": scores.skill,
        "directional_accuracy": 1.0,
    }


def test_importing_metrics_costs_numpy_only():
    code = "import sys, seqlen_tui.core.metrics; print('scipy' in sys.modules, 'textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
