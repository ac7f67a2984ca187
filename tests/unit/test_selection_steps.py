"""The lag choice's steps one by one: the gate, the choice and the words.

``select_lag`` is gate → one-SE set → choice → words (:mod:`seqlen_tui.core.selection`). The
decision steps return facts (:mod:`seqlen_tui.core.selection_facts`), and every sentence is
written by :mod:`seqlen_tui.core.selection_words` from those facts alone; these tests hold each
step to its job, so that a change of wording cannot change a pick and the reverse.
"""

from __future__ import annotations

import numpy as np

from seqlen_tui.core.selection import (
    PRIOR_ALPHA,
    apply_gate,
    choose_lag,
    select_lag,
    split_finite,
)
from seqlen_tui.core.selection_facts import Choice, GateOutcome, LinearWin
from seqlen_tui.core.selection_words import UNPREDICTABLE_VERDICT, explain


def _plateau():
    """Four lags that all beat persistence clearly: 4 is far worse than the rest, 16 is the
    best, 8 is within its noise and 32, longer and worse by four SEs, is not (the one-SE set
    is 8, 16)."""
    common = np.random.default_rng(1).standard_normal(400) ** 2
    wiggle = np.random.default_rng(2).standard_normal(400)
    wiggle -= wiggle.mean()
    losses = {
        4: 1.50 + common,
        8: 1.0005 + common + 0.02 * wiggle,
        16: 1.000 + common,
        32: 1.002 + common + 0.02 * wiggle,
    }
    naive = 2.0 + common + 0.1 * np.random.default_rng(9).standard_normal(400)
    return losses, naive


def _choose(losses, naive, **kwargs) -> Choice:
    finite, _ = split_finite(losses)
    gate = apply_gate(finite, naive, 0.05)
    defaults = dict(seed_val_losses=None, prior_lags=frozenset(), eliminated=frozenset(),
                    exact_lags=frozenset())
    return choose_lag(gate, finite, **{**defaults, **kwargs})


def test_split_finite_orders_the_lags_and_sets_the_diverged_ones_apart():
    losses = {16: np.ones(5), 4: np.ones(5), 8: np.array([1.0, np.inf, 1, 1, 1]), 2: np.full(5, np.nan)}
    finite, non_finite = split_finite(losses)
    assert list(finite) == [4, 16] and non_finite == (2, 8)


def test_the_gate_reports_facts_in_lag_order():
    losses, naive = _plateau()
    gate = apply_gate(dict(sorted(losses.items())), naive, 0.05, non_finite=(64,))
    assert gate.lags == (4, 8, 16, 32) and gate.qualified == (4, 8, 16, 32)
    assert gate.non_finite == (64,) and gate.alpha == 0.05
    assert list(gate.p_values) == [4, 8, 16, 32]
    assert gate.means[16] == float(np.mean(losses[16]))


def test_each_rule_of_the_choice_is_a_fact():
    losses, naive = _plateau()
    best = _choose(losses, naive)
    assert (best.chosen, best.best, best.rule, best.within) == (16, 16, "best", (8, 16))
    structure = _choose(losses, naive, exact_lags=frozenset({8}))
    assert (structure.chosen, structure.rule) == (8, "structure")
    prior = _choose(losses, naive, prior_lags=frozenset({8}))
    assert (prior.chosen, prior.rule, prior.priors_beaten) == (8, "prior", ())
    # A prior that is the best is chosen by the best rule (the reason names the best).
    assert _choose(losses, naive, prior_lags=frozenset({16})).rule == "best"
    # Priors a better lag beats significantly are passed over, and said to be.
    beaten = _choose(losses, naive, prior_lags=frozenset({4, 32}))
    assert (beaten.chosen, beaten.rule, beaten.priors_beaten) == (16, "best", (4, 32))


def test_nothing_qualifies_gives_the_shortest_lag_and_the_best_by_loss():
    losses, _ = _plateau()
    choice = _choose(losses, np.zeros(400))  # persistence is perfect: nothing beats it
    assert (choice.chosen, choice.best, choice.rule, choice.within) == (4, 16, "unqualified", ())


def _gate(**kwargs) -> GateOutcome:
    facts = dict(alpha=0.05, lags=(4, 8, 16), non_finite=(), means={4: 1.5, 8: 1.25, 16: 1.0},
                 p_values={4: 0.5, 8: 0.01, 16: 0.001}, qualified=(8, 16))
    return GateOutcome(**{**facts, **kwargs})


def test_the_words_come_from_the_facts_alone():
    unqualified = explain(_gate(qualified=()), Choice(4, 16, "unqualified"), prior_alpha=PRIOR_ALPHA)
    assert unqualified.verdict == UNPREDICTABLE_VERDICT and unqualified.warnings == ()
    assert unqualified.reason.endswith("the shortest candidate, 4, is returned")

    words = explain(_gate(), Choice(16, 16, "best", within=(8, 16)), prior_alpha=PRIOR_ALPHA)
    assert words.reason == ("lowest validation MSE among the 2 lags that beat persistence "
                            "(within one standard error: 8, 16)")
    assert words.verdict == (f"Sequence length 16 beats persistence on validation (p = 0.001 over "
                             f"the 3 candidates); {words.reason}.")
    assert words.warnings == ("16 is the longest candidate: a longer sequence might do better "
                              "(try «lags» with longer values)",)


def test_the_warnings_keep_their_order_edge_then_linear_then_non_finite():
    linear = LinearWin(linear_lag=8, linear_mse=0.5, judge_lag=16, judge_mse=1.0, p_value=0.001)
    words = explain(_gate(non_finite=(64,)), Choice(16, 16, "best", within=(16,)),
                    prior_alpha=PRIOR_ALPHA, linear=linear)
    assert [w.split(" ")[0] for w in words.warnings] == ["16", "a", "left"]
    assert "50% lower" in words.warnings[1]
    assert words.verdict.endswith(" A" + words.warnings[1][1:] + ".")
    assert words.warnings[2] == "left out of the choice: lag 64, whose validation error is not finite"


def test_select_lag_is_the_steps_composed():
    losses, naive = _plateau()
    sel = select_lag(losses, naive, prior_lags={8}, own_lags={8})
    choice = _choose(losses, naive, prior_lags=frozenset({8}))
    assert (sel.chosen_lag, sel.best_lag, sel.within, sel.priors_beaten) == (
        choice.chosen, choice.best, choice.within, choice.priors_beaten)
    assert sel.reason.startswith("8 is your own lag, preferred as within one standard error of "
                                 "the best (16)")
