"""The ladder of lags (issue 29): rungs where the evidence leaves an octave untried, and the
race's refinement around its leader."""

from __future__ import annotations

import numpy as np
import pytest

from seqlen_tui.core.candidates import (
    LADDER_RATIO,
    LADDER_REASON,
    OCTAVE,
    Candidate,
    ladder_rungs,
    refinement_rungs,
    with_ladder,
)


def gaps(lags) -> list[float]:
    lags = sorted(lags)
    return [b / a for a, b in zip(lags, lags[1:])]


@pytest.mark.parametrize("evidence", [(4, 13, 16, 26, 33, 39, 49), (1, 2, 7, 14, 21, 24, 28, 48), (24,), (2, 3, 4, 6, 8, 49),
                                      (1, 2, 3, 4), (5, 240), (168,)])
def test_the_ladder_leaves_no_octave_untried_from_1_to_the_longest(evidence):
    rungs = ladder_rungs(evidence, max(evidence))
    lags = sorted({*evidence, *rungs})
    assert lags[0] == 1 and lags[-1] == max(evidence)
    # No gap wider than an octave where whole numbers allow one in between.
    assert all(ratio <= OCTAVE or high - low == 1 for (low, high), ratio in zip(zip(lags, lags[1:]), gaps(lags)))
    assert not set(rungs) & set(evidence)


def test_rungs_go_only_where_the_evidence_leaves_a_gap():
    # 4 → 13 is more than an octave: one rung inside it; 13 … 49 are within an octave of each other.
    assert ladder_rungs((4, 13, 16, 26, 33, 39, 49), 49) == (1, 2, 7)
    assert ladder_rungs((1, 2, 3, 4), 4) == ()
    # A long gap gets rungs spaced geometrically: 8 → 49 is 6.1×, three steps of 1.83×.
    assert ladder_rungs((1, 2, 4, 8, 49), 49) == (15, 27)


def test_each_rung_says_why_it_is_there_and_is_no_evidence():
    evidence = (Candidate(4, ("PACF cutoff (differences)",), exact=True), Candidate(13, ("ACF peak (levels, r=0.40)",)))
    laddered = with_ladder(evidence)
    assert [c.lag for c in laddered] == [1, 2, 4, 7, 13]
    rungs = [c for c in laddered if c.rung]
    assert [c.lag for c in rungs] == [1, 2, 7]
    assert all(c.reasons == (LADDER_REASON,) and not c.exact for c in rungs)
    assert "no octave is skipped" in LADDER_REASON


@pytest.mark.parametrize("trained, leader, expected", [
    ((1, 2, 4, 7, 13, 16), 13, (10,)),   # 7 → 13 is 1.86×: the middle, 10
    ((1, 2, 4, 7, 13, 16), 7, (5, 10)),  # both sides too wide
    ((1, 2, 4, 7, 10, 13, 16), 10, ()),  # 1.43× and 1.3×: close enough
    ((1, 2), 1, ()),                     # no whole number between
    ((24, 48, 96), 96, (68,)),           # the longest: only below
])
def test_refinement_fills_the_leaders_gaps_wider_than_the_ratio(trained, leader, expected):
    added = refinement_rungs(trained, leader)
    assert added == expected
    for lag in added:
        neighbours = sorted({*trained, *added})
        index = neighbours.index(lag)
        assert all(ratio <= LADDER_RATIO + 0.2 for ratio in gaps(neighbours[max(0, index - 1):index + 2]))


def test_repeated_refinement_ends():
    trained, leader = [1, 2, 4, 8, 16, 32, 64, 128, 256], 64
    for _ in range(20):
        added = refinement_rungs(trained, leader)
        if not added:
            break
        trained = sorted({*trained, *added})
        leader = added[-1]
    else:
        pytest.fail("refinement did not end")
    assert max(gaps([lag for lag in trained if lag >= 32][:4])) <= LADDER_RATIO + 0.2
    assert np.all(np.diff(trained) > 0)
