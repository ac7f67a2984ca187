"""The lag choice in words: the reason, the verdict and the warnings of a
:class:`~.selection.Selection`, built from the facts the decision found
(:mod:`.selection_facts`).

Every sentence of the choice is written here and nowhere else, so the decision can be read
without its prose and the prose changed without touching the decision. Option names appear
as ``«option_key»``: each front end renders them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

from .selection_facts import Choice, GateOutcome, LinearWin, Plateau


@dataclass(frozen=True)
class Explanation:
    """What a :class:`~.selection.Selection` says: why this lag, the verdict, the warnings."""

    reason: str
    verdict: str
    warnings: tuple[str, ...] = ()


def _lags(lags) -> str:
    """Lags as the reports list them: ``4, 8, 12``."""
    return ", ".join(map(str, lags))


#: The verdict when no lag beats persistence.
UNPREDICTABLE_VERDICT = (
    "At this model size the series is not predictable beyond its last value: "
    "no sequence length beat persistence, so any short lag will do."
)


def nothing_finite(non_finite: tuple[int, ...]) -> Explanation:
    """Every model diverged: nothing is chosen, and the fix to try."""
    return Explanation(
        reason="no lag has a finite validation error (every model diverged, or the data "
               "overflow in floating point)",
        verdict="No sequence length is chosen: no model produced a finite validation error. "
                "Check the data's scale, or lower «learning_rate».",
        warnings=(f"non-finite validation errors at every lag ({_lags(non_finite)})",))


def explain(gate: GateOutcome, choice: Choice, *, prior_alpha: float,
            own_lags: frozenset[int] | set[int] = frozenset(),
            longer_left_out: dict[int, str] | None = None,
            linear: LinearWin | None = None, plateau: Plateau | None = None) -> Explanation:
    """The reason, verdict and warnings of one choice, in the order the reports show them:
    the choice's own warning (an edge of the candidates), the plateau's, the linear
    yardstick's, the lags left out for a non-finite error."""
    if choice.rule == "unqualified":
        reason = unqualified_reason(choice.chosen, gate.alpha)
        verdict = UNPREDICTABLE_VERDICT
        warnings = []
    else:
        reason = choice_reason(gate, choice, prior_alpha, own_lags)
        verdict = (f"Sequence length {choice.chosen} beats persistence on validation "
                   f"(p = {gate.p_values[choice.chosen]:.3g} over the {len(gate.lags)} candidates); "
                   f"{reason}.")
        warnings = edge_warnings(choice.chosen, gate.lags, longer_left_out or {})
        if plateau is not None:
            verdict += " " + plateau_sentence(plateau, own_lags)
            warnings.append(plateau_warning(plateau))
    if linear is not None:
        sentence = linear_sentence(linear)
        warnings.append(sentence)
        verdict += " " + sentence[0].upper() + sentence[1:] + "."
    if gate.non_finite:
        warnings.append(non_finite_warning(gate.non_finite))
    return Explanation(reason, verdict, tuple(warnings))


def unqualified_reason(chosen: int, gate_alpha: float) -> str:
    """Nothing passed the gate: the shortest candidate is returned."""
    return (
        f"no lag beat persistence on validation (stepdown p ≥ {gate_alpha:g} over the candidates "
        "for all); "
        f"the shortest candidate, {chosen}, is returned"
    )


def choice_reason(gate: GateOutcome, choice: Choice, prior_alpha: float,
                  own_lags: frozenset[int] | set[int]) -> str:
    """Why this lag among those that passed the gate, and which priors were passed over."""
    if choice.rule == "best":
        reason = best_reason(len(gate.qualified), choice.within)
    elif choice.rule == "prior":
        reason = prior_reason(choice, gate.means, prior_alpha, own_lags)
    else:
        reason = structure_reason(choice, gate.means)
    if choice.priors_beaten:
        reason += priors_beaten_clause(choice.priors_beaten, prior_alpha)
    return reason


def best_reason(qualified: int, within: tuple[int, ...]) -> str:
    """The best lag was chosen; the one-SE set is named when it holds others."""
    reason = f"lowest validation MSE among the {qualified} lags that beat persistence"
    if len(within) > 1:
        reason += f" (within one standard error: {_lags(within)})"
    return reason


def prior_reason(choice: Choice, means: dict[int, float], prior_alpha: float,
                 own_lags: frozenset[int] | set[int]) -> str:
    """A prior lag (yours, or a confirmed natural period) was chosen over the best."""
    chosen, best, within = choice.chosen, choice.best, choice.within
    where = ("within one standard error of" if chosen in within
             else "not significantly worse (DM p ≥ {:g}) than".format(prior_alpha))
    what = ("your own lag" if chosen in own_lags
            else "a natural period that the ACF confirms as a cycle")
    shorter = [lag for lag in within if lag < chosen]
    return (
        f"{chosen} is {what}, preferred as {where} the best ({best}): validation MSE "
        f"{means[chosen]:.4g} vs {means[best]:.4g} (within one standard error: "
        f"{_lags(within)})"
        + (f"; shorter lags within ({_lags(shorter)}) are not preferred: "
           "neither yours nor a confirmed period" if shorter else "")
    )


def structure_reason(choice: Choice, means: dict[int, float]) -> str:
    """The shortest lag of the one-SE set with exact AR evidence was chosen over the best."""
    return (
        f"shortest lag within one standard error of the best ({choice.best}) that the series' own "
        f"AR structure suggests (its PACF cutoff or AR order): validation MSE "
        f"{means[choice.chosen]:.4g} vs {means[choice.best]:.4g} (within: {_lags(choice.within)})"
    )


def priors_beaten_clause(beaten: tuple[int, ...], prior_alpha: float) -> str:
    """The priors passed over because a better lag beats them significantly."""
    return (f"; {_lags(beaten)} passed over although preferred: a better lag "
            f"beats {'it' if len(beaten) == 1 else 'them'} significantly (DM p < {prior_alpha:g})")


def edge_warnings(chosen: int, lags: tuple[int, ...], longer_left_out: dict[int, str]) -> list[str]:
    """A warning when the chosen lag is the longest or (of several) the shortest candidate."""
    if chosen == lags[-1]:
        return [edge_warning(chosen, longer_left_out)]
    if chosen == lags[0] and len(lags) > 1:
        return [f"{chosen} is the shortest candidate: a shorter one might do as well"]
    return []


def edge_warning(chosen: int, longer_left_out: dict[int, str]) -> str:
    """The longest benchmarked lag won: a longer one might do better — unless none exists.

    "Longest candidate" is only true when nothing longer was left out; when something was,
    name it and why (the reason says how to include it)."""
    if not longer_left_out:
        return (f"{chosen} is the longest candidate: a longer sequence might do better "
                "(try «lags» with longer values)")
    left = "; ".join(f"{lag}: {why}" for lag, why in sorted(longer_left_out.items()))
    return (f"{chosen} is the longest lag benchmarked and it won: the longer candidates left out "
            f"might do better ({left})")


def plateau_sentence(plateau: Plateau, own_lags: frozenset[int] | set[int] = frozenset()) -> str:
    """One sentence: the one-SE set spans more than an octave, and which rule chose in it."""
    low, high, best = plateau.low, plateau.high, plateau.best
    if plateau.outside:
        span = (f"The lags within one standard error of the best ({best}) on validation run "
                f"from {low} to {high} (of the lags tried in between, {_lags(plateau.outside)} "
                f"{'is' if len(plateau.outside) == 1 else 'are'} not)")
    else:
        span = (f"Every lag tried from {low} to {high} is within one standard error of the best "
                f"({best}) on validation")
    return f"{span}: a plateau, where validation cannot tell the lags apart; {plateau_rule(plateau, own_lags)}."


def plateau_rule(plateau: Plateau, own_lags: frozenset[int] | set[int]) -> str:
    """Which rule chose inside the plateau, as ``choose_lag`` applies it."""
    chosen = plateau.chosen
    if plateau.rule == "best":
        return f"inside it the best on validation, {chosen}, is chosen"
    if plateau.rule == "structure":
        return (f"inside it {chosen} is chosen as the shortest lag, not longer than the best, with "
                "the data's own AR order (its PACF cutoff or AR order)")
    if plateau.rule == "prior":
        what = ("your own lag" if chosen in own_lags
                else "the natural period of the clock that the ACF confirms")
        if plateau.low <= chosen <= plateau.high and chosen not in plateau.outside:
            return f"inside it {chosen} is chosen as {what}"
        return f"{chosen} is chosen outside it as {what}, not significantly worse than the best"
    return f"{chosen} is chosen (rule: {plateau.rule})"


def plateau_warning(plateau: Plateau) -> str:
    """The plateau in a line: the leaderboard's and the CLI's warning."""
    if plateau.outside:
        return (f"plateau: lags from {plateau.low} to {plateau.high} are as good on validation "
                f"(one SE; not {_lags(plateau.outside)})")
    return f"plateau: any lag tried from {plateau.low} to {plateau.high} is as good on validation (one SE)"


def linear_sentence(win: LinearWin) -> str:
    """One sentence: ridge AR's best lag beats the judge's best clearly."""
    linear_mse, judge_mse = win.linear_mse, win.judge_mse
    return (f"a linear autoregression beats the LSTM here: ridge AR at lag {win.linear_lag} has "
            f"validation MSE {linear_mse:.4g} against {judge_mse:.4g} for the best LSTM (lag "
            f"{win.judge_lag}), {1 - linear_mse / judge_mse:.0%} lower (DM p = {win.p_value:.2g}); "
            "the LSTM's ranking of lags is less reliable (more epochs or a larger LSTM may close "
            "the gap)")


def non_finite_warning(non_finite: tuple[int, ...]) -> str:
    """Some lags were left out of the choice for a non-finite validation error."""
    return (f"left out of the choice: lag{'s' * (len(non_finite) > 1)} "
            f"{_lags(non_finite)}, whose validation error is not finite")
