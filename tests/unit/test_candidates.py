"""Candidate lags: the article's rule plus PACF/AIC/BIC, seasonal peaks and natural periods."""

from __future__ import annotations

import numpy as np
import pytest

from seqlen_tui.core.acf import analyze_transform
from seqlen_tui.core.candidates import (
    MIN_TRAIN_WINDOWS,
    fundamental_periods,
    max_feasible_lag,
    prior_lags,
    propose_candidates,
    seasonal_peaks,
)
from synthetic import AR16, ar_process, random_profile


def _analyses(x, max_lag):
    return {
        name: result
        for name in ("raw", "diff")
        if (result := analyze_transform(x, name, max_lag)) is not None
    }


def test_period_24_profile_puts_24_among_candidates_with_a_peak_reason():
    x = random_profile(24, 24 * 200, seed=11)
    cands = propose_candidates(_analyses(x, 100), len(x))
    assert 24 in cands.lags
    reasons = dict((c.lag, c.reasons) for c in cands.candidates)[24]
    assert any(r.startswith("ACF peak") for r in reasons)
    # Harmonics of 24 are not added as peak candidates of their own.
    peak_lags = {c.lag for c in cands.candidates if any("ACF peak" in r for r in c.reasons)}
    assert peak_lags == {24}


def test_article_rule_and_ar_order_are_candidates():
    x = ar_process((0.5, 0.3), 3000, seed=12)
    analyses = _analyses(x, 40)
    cands = propose_candidates(analyses, len(x))
    base = analyses["diff"].first_insignificant_lag
    for k in (1, 2, 3, 4):
        assert base * k in cands.lags
    assert cands.lags == tuple(sorted(cands.lags))
    # In the judge's units: levels that are AR(2) give 2 lags of levels, 1 of differences.
    levels = {c.lag: c.reasons for c in propose_candidates(analyses, len(x), target="level").candidates}
    assert "PACF cutoff (raw)" in levels[2]
    assert "AR order by BIC (raw)" in levels[2]
    diffs = {c.lag: c.reasons for c in cands.candidates}
    assert "PACF cutoff (raw: 2 levels = 1 difference)" in diffs[1]
    assert "AR order by BIC (raw: 2 levels = 1 difference)" in diffs[1]


def test_orders_of_differences_become_one_more_as_levels():
    changes = ar_process((0.5, 0.3), 3000, seed=12)
    analyses = _analyses(100 + changes.cumsum(), 40)
    assert analyses["diff"].pacf_cutoff == 2
    levels = {c.lag: c.reasons for c in propose_candidates(analyses, 3000, target="level").candidates}
    assert "PACF cutoff (differenced: 2 differences = 3 levels)" in levels[3]
    diffs = {c.lag: c.reasons for c in propose_candidates(analyses, 3000, target="diff").candidates}
    assert "PACF cutoff (differenced)" in diffs[2]


def test_integrated_ar16_keeps_16_for_differences():
    """Differences that are AR(16): the levels' order (17) is 16 differences, so nothing folds
    16 into 17 (measured before: 17 differences lost 7 % on unseen data)."""
    changes = ar_process(AR16, 3000, seed=16)
    analyses = _analyses(100 + changes.cumsum(), 60)
    assert analyses["diff"].ar_order_bic == 16 and analyses["raw"].ar_order_bic == 17
    cands = propose_candidates(analyses, 3000)
    assert 16 in cands.lags and 17 not in cands.lags
    sixteen = next(c for c in cands.candidates if c.lag == 16)
    assert sixteen.exact and "AR order by BIC (differenced)" in sixteen.reasons
    assert "AR order by BIC (raw: 17 levels = 16 differences)" in sixteen.reasons


def test_merge_never_drops_exact_evidence_for_a_lag_without():
    from seqlen_tui.core.candidates import Candidate, merge_close

    kept, merged = merge_close([
        Candidate(16, ("AR order by BIC (differenced)",), exact=True),
        Candidate(17, ("PACF cutoff (raw)",)),  # a reason that used to outrank it
        Candidate(48, ("natural period: one day",)),
        Candidate(50, ("AR order by AIC (differenced)",), exact=True),
    ])
    assert [c.lag for c in kept] == [16, 48, 50]
    assert [d.lag for d in merged] == [17]
    assert all(d.kind == "merged" for d in merged)


def test_natural_periods_are_candidates_only_where_the_acf_shows_the_cycle():
    """Hourly data with a daily cycle only: the day is a candidate (and a prior), the week —
    a seventh harmonic of the day — is left out with its reason; with a weekend the week is in."""
    rng = np.random.default_rng(5)
    day = np.sin(2 * np.pi * np.arange(24) / 24)
    daily = np.resize(day, 3000) + 0.3 * ar_process((0.5,), 3000, seed=6)
    cands = propose_candidates(_analyses(daily, 400), len(daily), (24, 168), ("day", "week"))
    by_lag = {c.lag: c.reasons for c in cands.candidates}
    assert "natural period: one day" in by_lag[24]
    assert 168 not in by_lag
    dropped = {d.lag: d for d in cands.dropped}
    assert dropped[168].kind == "unconfirmed"
    assert "one week, but the ACF shows no cycle of that length" in dropped[168].reason
    analyses = _analyses(daily, 400)
    assert prior_lags(cands, analyses) == {24}

    weekend = 0.4 * np.cos(2 * np.pi * np.arange(24) / 24) + 0.3 * rng.standard_normal(24)
    week = np.concatenate([day] * 5 + [weekend] * 2)
    weekly = np.resize(week, 3000) + 0.3 * ar_process((0.5,), 3000, seed=6)
    lags = propose_candidates(_analyses(weekly, 400), len(weekly), (24, 168), ("day", "week")).lags
    assert {24, 168} <= set(lags)


def test_user_lags_stay_whatever_the_acf_says():
    x = ar_process((0.5,), 2000, seed=13)
    cands = propose_candidates(_analyses(x, 40), len(x), (48, 336), ("day", "week"), (7, 48))
    by_lag = {c.lag: c.reasons for c in cands.candidates}
    assert by_lag[48] == ("your list",) and by_lag[7] == ("your list",)
    # An AR(1) has no cycle: neither calendar period is benchmarked unless listed.
    assert {d.lag: d.kind for d in cands.dropped if d.lag == 336} == {336: "unconfirmed"}


def test_too_long_candidates_are_dropped_with_the_reason():
    x = ar_process((0.5,), 600, seed=14)
    cands = propose_candidates(_analyses(x, 40), len(x), (168,), ("week",), (500,))
    limit = max_feasible_lag(600)
    assert all(lag <= limit for lag in cands.lags)
    dropped = {d.lag: d.reason for d in cands.dropped}
    assert set(dropped) == {168, 500}
    assert "too long for 600 points" in dropped[500]
    assert "your list" in dropped[500]


def test_max_feasible_lag_leaves_enough_training_windows():
    for n in (200, 1000, 5000, 100_000):
        lag = max_feasible_lag(n)
        train = int(0.7 * n)
        assert train - lag - 1 >= MIN_TRAIN_WINDOWS
        assert train - lag - 1 >= 2 * lag
    assert max_feasible_lag(50) == 0


def test_fundamental_periods_fold_harmonics():
    acf = np.zeros(400)
    acf[[24, 48, 72, 96]] = [0.70, 0.72, 0.71, 0.69]
    acf[7], acf[168], acf[12] = 0.3, 0.8, 0.2
    # 48 is "strongest" by noise; 24 is as strong and divides it, so 24 is the period.
    # 168 is a multiple of 24 (and of 7) but clearly stronger: a cycle of its own (a week).
    assert fundamental_periods((168, 48, 72, 24, 96, 7, 12), acf) == (168, 24, 7, 12)
    acf[[120, 144, 192, 216]] = [0.70, 0.70, 0.69, 0.69]
    acf[168] = 0.72  # now just another tooth of 24's comb
    assert fundamental_periods((168, 48, 72, 24, 96), acf) == (24,)
    assert fundamental_periods((24, 49), acf) == (24,)  # within one lag of a multiple
    assert fundamental_periods((), acf) == ()


@pytest.mark.parametrize("seed", range(6))
def test_period_24_is_the_only_seasonal_peak_of_a_24_profile(seed):
    x = random_profile(24, 24 * 200, seed=seed)
    for name in ("raw", "diff"):
        assert seasonal_peaks(analyze_transform(x, name, 100)) == (24,)


def test_close_lags_merge_into_the_most_specific_one():
    from seqlen_tui.core.candidates import Candidate, merge_close

    cands = [
        Candidate(45, ("AR order by BIC (differenced)",)),
        Candidate(46, ("AR order by BIC (raw)",)),
        Candidate(48, ("AR order by AIC (raw)",)),
        Candidate(50, ("AR order by AIC (differenced)",)),
        Candidate(52, ("natural period: one year",)),
        Candidate(2, ("PACF cutoff (raw)",)),
        Candidate(3, ("article: 3 × …",)),  # 3 is 50 % above 2: not close
    ]
    kept, merged = merge_close(cands)
    assert [c.lag for c in kept] == [2, 3, 45, 52]
    assert {d.lag for d in merged} == {46, 48, 50}
    by_lag = {c.lag: c.reasons for c in kept}
    assert any("stands for 50" in r for r in by_lag[52])
    assert next(d for d in merged if d.lag == 48).reason.startswith("close to 45")


def test_your_own_lags_are_never_merged_away():
    from seqlen_tui.core.candidates import Candidate, merge_close

    kept, merged = merge_close([Candidate(48, ("natural period: one day",)),
                                Candidate(50, ("your list",)), Candidate(51, ("your list",))])
    assert [c.lag for c in kept] == [50, 51]
    assert [d.lag for d in merged] == [48]


def test_prior_lags_are_your_own_and_natural_periods_the_acf_confirms():
    seasonal = random_profile(24, 24 * 200, seed=11)
    analyses = _analyses(seasonal, 100)
    cands = propose_candidates(analyses, len(seasonal), (24, 168), ("day", "week"), (5,))
    assert prior_lags(cands, analyses) == {5, 24}  # a week is not in this data
    noise = ar_process((0.5,), 2000, seed=13)
    analyses = _analyses(noise, 40)
    cands = propose_candidates(analyses, len(noise), (7,), ("week",))
    assert 7 not in cands.lags and prior_lags(cands, analyses) == set()
