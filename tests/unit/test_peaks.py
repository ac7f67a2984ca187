"""Our find_peaks gives scipy's peaks for the options the analysis uses."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks as scipy_find_peaks

from seqlen_tui.core.peaks import find_peaks


def _curves():
    rng = np.random.default_rng(0)
    for seed in range(40):
        n = int(rng.integers(3, 400))
        x = np.random.default_rng(seed).standard_normal(n).cumsum()
        yield x
        yield np.round(x, 0)  # plateaus
        yield np.cos(np.arange(n) * 2 * np.pi / 24) * np.exp(-np.arange(n) / 200) + 0.05 * rng.standard_normal(n)


@pytest.mark.parametrize("options", [
    {},
    {"height": 0.1, "distance": 24},
    {"distance": 2},
    {"prominence": 0.5},
    {"height": 0.0, "distance": 3, "prominence": 0.2},
    {"distance": 7.5},
])
def test_same_peaks_as_scipy(options):
    for x in _curves():
        ours = find_peaks(x, **options)
        ref, _ = scipy_find_peaks(x, **options)
        np.testing.assert_array_equal(ours, ref)


def test_array_conditions_are_read_at_each_peak():
    for x in _curves():
        band = np.abs(np.sin(np.arange(x.size))) * 0.5
        ours = find_peaks(x, height=band, distance=2, prominence=band)
        ref, _ = scipy_find_peaks(x, height=band, distance=2, prominence=band)
        np.testing.assert_array_equal(ours, ref)


def test_known_peaks():
    x = np.array([0, 2, 1, 3, 3, 3, 1, 5, 0, 0.5])
    np.testing.assert_array_equal(find_peaks(x), [1, 4, 7])
    np.testing.assert_array_equal(find_peaks(x, distance=4), [1, 7])  # 7 wins; 4 is 3 away
    np.testing.assert_array_equal(find_peaks(x, prominence=2.5), [7])


# --- which ACF peaks count: significant after the search, and big enough to print ----------

from seqlen_tui.core.acf import MIN_PEAK_ACF, searched_z, significant_peaks  # noqa: E402
from seqlen_tui.core.analysis import analyze_series  # noqa: E402
from seqlen_tui.core.data import DataSummary, FrequencyInfo, Series  # noqa: E402


def _series(values, periods=(), names=()):
    """A Series as the loader would give it, with the clock's natural periods (no file)."""
    frequency = FrequencyInfo("min" if periods else None, 60.0 if periods else None, "test",
                              tuple(periods), tuple(names))
    summary = DataSummary("x.csv", "value", None, ("value",), len(values), len(values), None, None,
                          frequency, {})
    return Series(np.asarray(values, dtype=float), None, summary)


def _peak_lags(analysis):
    return [c.lag for c in analysis.candidates.candidates if any("ACF peak" in r for r in c.reasons)]


@pytest.mark.parametrize("n, periods, seed", [
    # A minute clock searches 2,880 lags (two days): before, 1-3 chance peaks per seed (r = 0.00),
    # seed 3 even "confirmed" the day, 1440.
    (200_000, (1440,), 0), (200_000, (1440,), 1), (200_000, (1440,), 2), (200_000, (1440,), 3),
    # No clock: 40 lags, a million points; today seeds 4, 6 and 7 give r = 0.00 peaks.
    (1_000_000, (), 4), (1_000_000, (), 6), (1_000_000, (), 7),
])
def test_a_long_random_walk_has_no_acf_peak_on_any_transform(n, periods, seed):
    walk = 100 + 0.01 * np.random.default_rng(seed).standard_normal(n).cumsum()
    analysis = analyze_series(_series(walk, periods, ("day",) * len(periods)))
    assert set(analysis.transforms) == {"raw", "diff", "logret"}
    assert {name: a.peaks for name, a in analysis.transforms.items()} == {"raw": (), "diff": (), "logret": ()}
    assert _peak_lags(analysis) == []


def test_a_long_seasonal_series_keeps_its_period():
    from scipy.signal import lfilter

    n = 200_000
    noise = lfilter([1.0], [1.0, -0.5], np.random.default_rng(11).standard_normal(n))  # AR(1)
    values = 50 + np.sin(2 * np.pi * np.arange(n) / 24) + noise  # r = 0.27 at 24
    analysis = analyze_series(_series(values, (24, 168), ("day", "week")))
    assert 24 in analysis.transforms["raw"].peaks  # multiples of 24 tie with it: noise orders them
    assert {23, 24, 25} & set(analysis.transforms["diff"].peaks)  # the differenced AR noise shifts it
    assert 24 in _peak_lags(analysis)
    assert 24 in analysis.candidates.lags


def _flat_acf(n_lags, bumps):
    acf_vals = np.zeros(n_lags + 1)
    acf_vals[0] = 1.0
    for lag, r in bumps.items():
        acf_vals[lag] = r
    return acf_vals


def test_a_peak_must_clear_the_band_widened_for_every_lag_searched():
    n = 10_000  # sigma = 0.01 at every lag of white noise
    sigma = 1 / np.sqrt(n)
    band = np.full(201, 1.96 * sigma)
    band[0] = 0
    # 200 lags searched: the Šidák z is 3.66; 0.030 clears the per-lag band (0.0196) only.
    z = searched_z(0.05, 200)
    assert z == pytest.approx(3.662, abs=0.01)
    acf_vals = _flat_acf(200, {37: 0.030, 90: 0.040})
    assert significant_peaks(acf_vals, band, 2, alpha=0.05) == (90,)


def test_a_natural_period_is_tested_on_its_own_window_only():
    """A calendar period is one question asked in advance (give or take the clock's rounding:
    lags 51-53 for a year of weeks), not a search over every lag: its peak needs the band
    widened for 3 lags, not 104."""
    # gasoline_weekly's differences: r = 0.085 at 52, Bartlett band 0.066 (1,355 points).
    band = np.full(105, 0.066)
    band[0] = 0
    acf_vals = _flat_acf(104, {52: 0.085})
    assert significant_peaks(acf_vals, band, 26, alpha=0.05) == ()  # searched among 104 lags
    assert significant_peaks(acf_vals, band, 26, alpha=0.05, natural_periods=(52,)) == (52,)


def test_a_peak_too_small_to_print_never_counts():
    n = 100_000_000  # the bands are tiny: only the floor stands between r = 0.00 and a peak
    band = np.full(41, 1.96 / np.sqrt(n))
    band[0] = 0
    assert MIN_PEAK_ACF == 0.01
    assert significant_peaks(_flat_acf(40, {10: 0.004}), band, 2) == ()
    assert significant_peaks(_flat_acf(40, {10: 0.012}), band, 2) == (10,)


@pytest.mark.parametrize("name, lags", [
    # Before the search was counted: 1, 2, 3, 4, 11, 36 (36: r = 0.049, z = 2.4 at one lag of 40).
    ("MSFT.csv", [1, 2, 3, 4, 11]),
    ("mauna_loa_co2_weekly.csv", [3, 5, 10, 20, 30, 40, 45, 52]),  # as before
    ("uk_electricity_demand_halfhourly.csv", [6, 9, 10, 20, 30, 40, 48, 336]),  # as before
])
def test_the_samples_keep_their_real_cycles(name, lags):
    from paths import ROOT

    from seqlen_tui.core.data import load_series

    analysis = analyze_series(load_series(ROOT / "sample_data" / name))
    assert list(analysis.candidates.lags) == lags
