"""The plateau (issue 29): where the one-SE set spans more than an octave, the verdict names
it and the rule that chose inside it, the report keeps it, and the histories show it beside
the lag; old reports without the field still read (derived from ``within_one_se``, or none).

Known answers: synthetic per-point validation losses with a shared heavy-tailed part (every
lag sees the same hard points) and a small wiggle, so which lags are within one standard error
of the best (12) is set by their offsets.
"""

from __future__ import annotations

import types

import numpy as np

from seqlen_tui.core.history import (
    asset_history,
    lag_with_plateau,
    plateau_label,
    report_plateau,
)
from seqlen_tui.core.options import RunOptions
from seqlen_tui.core.results import RunResult
from seqlen_tui.core.selection import PRIOR_ALPHA, select_lag
from seqlen_tui.core.selection_facts import PLATEAU_FACTOR, Choice, GateOutcome, Plateau
from seqlen_tui.core.selection_words import explain

COMMON = np.random.default_rng(1).standard_normal(400) ** 2
WIGGLE = np.random.default_rng(2).standard_normal(400)
WIGGLE -= WIGGLE.mean()
NAIVE = 2.0 + COMMON + 0.1 * np.random.default_rng(9).standard_normal(400)


def losses(offsets: dict[int, float]) -> dict[int, np.ndarray]:
    """Per-point losses: each lag its offset over the common part; all but 12 wiggle a little."""
    return {lag: offset + COMMON + (0.0 if lag == 12 else 0.02) * WIGGLE
            for lag, offset in offsets.items()}


#: 4, 5, 12 and 32 cannot be told apart (the one-SE set spans 4..32, three octaves); 2 and 16
#: are clearly worse.
WIDE = {2: 1.5, 4: 1.0003, 5: 1.0002, 12: 1.0, 16: 1.3, 32: 1.0004}
#: 8 and 12 within one SE of each other (less than an octave); 4 and 32 clearly worse.
NARROW = {4: 1.5, 8: 1.0005, 12: 1.0, 32: 1.5}


def test_a_one_se_set_over_three_octaves_is_a_plateau_named_in_the_verdict():
    sel = select_lag(losses(WIDE), NAIVE, exact_lags={5})
    assert (sel.chosen_lag, sel.best_lag, sel.within, sel.rule) == (5, 12, (4, 5, 12, 32), "structure")
    assert sel.plateau == Plateau(low=4, high=32, best=12, chosen=5, rule="structure", outside=(16,))
    assert ("The lags within one standard error of the best (12) on validation run from 4 to 32 "
            "(of the lags tried in between, 16 is not): a plateau") in sel.verdict
    assert ("inside it 5 is chosen as the shortest lag, not longer than the best, with the data's "
            "own AR order") in sel.verdict
    assert "plateau: lags from 4 to 32 are as good on validation (one SE; not 16)" in sel.warnings


def test_the_plateau_sentence_says_each_rule():
    best = select_lag(losses(WIDE), NAIVE)
    assert best.rule == "best" and best.plateau.rule == "best"
    assert "a plateau, where validation cannot tell the lags apart; inside it the best on " \
           "validation, 12, is chosen." in best.verdict
    own = select_lag(losses(WIDE), NAIVE, prior_lags={5}, own_lags={5})
    assert (own.chosen_lag, own.rule) == (5, "prior")
    assert "inside it 5 is chosen as your own lag." in own.verdict
    period = select_lag(losses(WIDE), NAIVE, prior_lags={5})
    assert "inside it 5 is chosen as the natural period of the clock that the ACF confirms." in period.verdict
    # Every lag tried in the span within: said so, and the warning says "any lag tried".
    whole = select_lag(losses({k: v for k, v in WIDE.items() if k != 16}), NAIVE)
    assert whole.plateau.outside == ()
    assert ("Every lag tried from 4 to 32 is within one standard error of the best (12) on "
            "validation: a plateau") in whole.verdict
    assert "plateau: any lag tried from 4 to 32 is as good on validation (one SE)" in whole.warnings


def test_a_prior_chosen_outside_the_plateau_is_not_said_to_be_inside_it():
    gate = GateOutcome(alpha=0.05, lags=(4, 12, 32, 48), non_finite=(),
                       means={4: 1.0, 12: 0.99, 32: 1.0, 48: 1.05},
                       p_values={4: 0.001, 12: 0.001, 32: 0.001, 48: 0.001}, qualified=(4, 12, 32, 48))
    choice = Choice(48, 12, "prior", within=(4, 12, 32))
    plateau = Plateau(low=4, high=32, best=12, chosen=48, rule="prior")
    words = explain(gate, choice, prior_alpha=PRIOR_ALPHA, plateau=plateau)
    assert ("48 is chosen outside it as the natural period of the clock that the ACF confirms, "
            "not significantly worse than the best.") in words.verdict
    assert "inside it" not in words.verdict


def test_an_octave_or_less_is_no_plateau():
    sel = select_lag(losses(NARROW), NAIVE)
    assert sel.within == (8, 12) and sel.plateau is None
    assert "plateau" not in sel.verdict and not any("plateau" in w for w in sel.warnings)
    # Exactly an octave is not more than one.
    assert PLATEAU_FACTOR == 2
    assert report_plateau({"within_one_se": [8, 16]}) is None
    assert report_plateau({"within_one_se": [8, 17]}) == (8, 17)


def test_nothing_qualified_is_no_plateau():
    sel = select_lag(losses(WIDE), np.zeros(400))  # persistence is perfect: nothing beats it
    assert sel.rule == "unqualified" and sel.plateau is None and "plateau" not in sel.verdict


def _report(selection) -> dict:
    analysis = types.SimpleNamespace(to_dict=lambda: {}, warnings=())
    result = RunResult(analysis=analysis, options=RunOptions(), target="level", lags=(2, 4, 5, 12, 16, 32),
                       leaderboard=(), selection=selection, test_p_vs_best=None,
                       test_p_vs_persistence=None, device="cpu", split={})
    return result.to_report("X", __file__, options={})


def test_the_report_keeps_the_plateau_and_the_rule():
    report = _report(select_lag(losses(WIDE), NAIVE, exact_lags={5}))
    assert report["plateau"] == {"low": 4, "high": 32, "rule": "structure"}
    assert report["choice_rule"] == "structure"
    assert report_plateau(report) == (4, 32)
    narrow = _report(select_lag(losses(NARROW), NAIVE))
    assert narrow["plateau"] is None and narrow["choice_rule"] == "best"
    assert report_plateau(narrow) is None


def test_old_reports_without_the_field_read_as_before():
    # Made before the field: derived from the one-SE set where there is one, else none.
    assert report_plateau({"within_one_se": [4, 5, 12, 32]}) == (4, 32)
    assert report_plateau({"within_one_se": []}) is None
    assert report_plateau({}) is None
    # Damaged fields are no plateau, never an error.
    for bad in ({"plateau": "4-32"}, {"plateau": {"low": "4", "high": 32}}, {"plateau": None},
                {"within_one_se": ["4", 32]}, {"within_one_se": [True, 32]}, {"within_one_se": 7}):
        assert report_plateau(bad) is None
    # The field wins over the set (a report that has it says what the run found).
    assert report_plateau({"plateau": None, "within_one_se": [4, 32]}) is None


def test_the_history_shows_the_plateau_beside_the_lag():
    reports = [
        {"asset": "SUN", "created_at": "2026-10-01T00:00:00+00:00", "chosen_lag": 9},  # oldest
        {"asset": "SUN", "created_at": "2026-11-01T00:00:00+00:00", "chosen_lag": 5,
         "within_one_se": [4, 5, 12, 32]},  # before the field: derived
        {"asset": "SUN", "created_at": "2026-12-01T00:00:00+00:00", "chosen_lag": 23,
         "plateau": {"low": 4, "high": 32, "rule": "structure"}},
    ]
    steps = asset_history(reports, "SUN")
    assert [step.plateau for step in steps] == [None, (4, 32), (4, 32)]
    assert [lag_with_plateau(step.lag, step.plateau) for step in steps] == ["9", "5 (4–32)", "23 (4–32)"]
    assert plateau_label(None) == "" and lag_with_plateau(None, (4, 32)) == "—"
