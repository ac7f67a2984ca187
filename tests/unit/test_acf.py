"""ACF analysis: known answers on series whose memory we know."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from seqlen_tui.core.acf import (
    acf_with_confint,
    analyze_transform,
    ar_orders,
    article_figures,
    check_max_lag,
    default_max_lag,
    pacf_cutoff,
)
from seqlen_tui.core.errors import DataError
from synthetic import ar_process, random_profile, random_walk, white_noise


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ar2_has_pacf_cutoff_2_and_ar_order_2(seed):
    x = ar_process((0.5, 0.3), 4000, seed=seed)
    result = analyze_transform(x, "raw", max_lag=40)
    assert result.pacf_cutoff == 2
    assert result.ar_order_aic == 2
    assert result.ar_order_bic == 2


def test_ar1_has_pacf_cutoff_1():
    result = analyze_transform(ar_process((0.7,), 4000, seed=3), "raw", max_lag=40)
    assert result.pacf_cutoff == 1
    assert result.ar_order_bic == 1


def test_white_noise_first_insignificant_lag_is_1():
    result = analyze_transform(white_noise(3000, seed=4), "raw", max_lag=40)
    assert result.first_insignificant_lag == 1
    assert result.pacf_cutoff == 0
    assert result.ar_order_bic == 0
    assert result.peaks == ()


def test_period_24_profile_gives_peak_24_without_timestamps():
    x = random_profile(24, 24 * 200, seed=5)
    result = analyze_transform(x, "raw", max_lag=100, peak_distance=2)
    # The strongest peaks are the cycle and its multiples (noise orders them).
    assert set(result.peaks[:4]) == {24, 48, 72, 96}
    assert result.seasonal_peak_lag == 24  # the article's rule finds it too
    diff = analyze_transform(x, "diff", max_lag=100)
    assert set(diff.peaks[:4]) == {24, 48, 72, 96}


def test_random_walk_raw_acf_never_cuts_off_but_differences_do():
    x = random_walk(3000, seed=6)
    raw = analyze_transform(x, "raw", max_lag=50)
    diff = analyze_transform(x, "diff", max_lag=50)
    assert raw.first_insignificant_lag == 50  # the article's fallback: max_lag
    assert raw.max_significant_lag == 50
    assert diff.first_insignificant_lag == 1


def test_acf_matches_statsmodels_values_and_band():
    from statsmodels.tsa.stattools import acf

    for x in (random_walk(500, seed=7), ar_process((0.5, 0.3), 301, seed=8)):
        ours, confint = acf_with_confint(x, 40, 0.05)
        ref = acf(x, nlags=40, alpha=0.05, fft=True, result_object=True)
        np.testing.assert_allclose(ours, ref.acf, atol=1e-12)
        np.testing.assert_allclose(confint, ref.confint, atol=1e-12)


def test_band_is_symmetric_around_zero_and_marks_significance():
    result = analyze_transform(ar_process((0.6,), 2000, seed=9), "raw", max_lag=30)
    np.testing.assert_allclose(result.band_low, -result.band_high)
    assert result.band_high[0] == 0.0
    outside = np.abs(result.acf[1:]) > result.band_high[1:]
    # The article's first insignificant lag is the first lag inside the band.
    assert not outside[result.first_insignificant_lag - 1]
    assert outside[: result.first_insignificant_lag - 1].all()


@pytest.mark.parametrize("seed", [0, 1])
def test_ar_orders_match_statsmodels_ar_select_order(seed):
    from statsmodels.tsa.ar_model import ar_select_order

    for x in (ar_process((0.5, 0.3), 800, seed=seed), random_walk(600, seed=seed) * 10):
        max_order = 20
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            aic = ar_select_order(x, maxlag=max_order, ic="aic").ar_lags
            bic = ar_select_order(x, maxlag=max_order, ic="bic").ar_lags
        assert ar_orders(x, max_order) == (max(aic or [0]), max(bic or [0]))


def test_article_figures_literally():
    acf_vals = np.array([1.0, 0.8, 0.05, 0.3, 0.02])
    half = np.array([0.0, 0.1, 0.1, 0.1, 0.1])
    confint = np.column_stack([acf_vals - half, acf_vals + half])
    first, max_sig, peak = article_figures(acf_vals, confint, max_lag=4)
    assert (first, max_sig, peak) == (2, 3, 3)
    # No insignificant lag: the article falls back to max_lag.
    first, _, _ = article_figures(acf_vals, np.column_stack([acf_vals, acf_vals]), max_lag=4)
    assert first == 4


def test_pacf_cutoff_counts_leading_significant_lags():
    assert pacf_cutoff(np.array([0.5, 0.3, 0.01, 0.4]), band=0.05) == 2
    assert pacf_cutoff(np.array([0.01, 0.5]), band=0.05) == 0
    assert pacf_cutoff(np.array([0.5, 0.5]), band=0.05) == 2


def test_log_returns_need_positive_values_and_flat_series_are_skipped():
    assert analyze_transform(np.array([1.0, -2.0, 3.0] * 50), "logret", 10) is None
    assert analyze_transform(np.arange(200.0), "diff", 10) is None  # constant differences
    assert analyze_transform(np.arange(1.0, 201.0), "raw", 10) is not None


def test_default_max_lag_follows_periods_and_bounds():
    assert default_max_lag(5000, (24, 168)) == 336
    assert default_max_lag(1000, ()) == 40
    assert default_max_lag(1000, (5,)) == 40
    assert default_max_lag(100, (24, 168)) == 25  # at most n/4


def test_check_max_lag_names_the_limit():
    check_max_lag(40, 200)
    with pytest.raises(DataError, match=r"«max_lag» 150 is too long for 200 points.*«max_lag» 98"):
        check_max_lag(150, 200)
    with pytest.raises(DataError, match="at least 1"):
        check_max_lag(0, 200)
