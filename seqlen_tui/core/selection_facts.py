"""What each step of the lag choice found, as facts: the gate's outcome, the one-SE set, the
choice, the plateau (a one-SE set over more than an octave) and the linear yardstick's win.

The decision (:mod:`.selection`) produces these and the words (:mod:`.selection_words`) read
them; neither imports the other's internals, and no fact here is a sentence. Kept apart from
both so that the words can be typed without importing the decision (no import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: How the chosen lag was picked: nothing passed the gate (the shortest candidate), the best
#: of the one-SE set, a prior lag, or the shortest lag with exact AR evidence.
ChoiceRule = Literal["unqualified", "best", "prior", "structure"]


@dataclass(frozen=True)
class GateOutcome:
    """The competence gate over the lags whose validation losses are all finite."""

    #: The family-wise level the gate was held at (``gate_alpha``).
    alpha: float
    #: Lags with finite validation losses, shortest first: the family the gate tested.
    lags: tuple[int, ...]
    #: Lags left out before the gate because some validation loss is not finite.
    non_finite: tuple[int, ...]
    #: Mean validation loss of each lag in ``lags``.
    means: dict[int, float]
    #: Each lag's family-wise p-value that it beats persistence (in ``lags`` order).
    p_values: dict[int, float]
    #: The lags whose p-value is below ``alpha``, shortest first.
    qualified: tuple[int, ...]


@dataclass(frozen=True)
class OneSeSet:
    """The qualified lags that cannot be told apart from the best one."""

    #: Qualified lags still in the race (all qualified lags when none stayed).
    contenders: tuple[int, ...]
    #: The contender with the lowest mean validation loss (the shorter on a tie).
    best: int
    #: Contenders within one standard error of the best, closed upward in loss, shortest first.
    within: tuple[int, ...]


@dataclass(frozen=True)
class Choice:
    """The chosen lag, the best one, and which rule decided between them."""

    chosen: int
    best: int
    rule: ChoiceRule
    #: The one-SE set (empty when nothing qualified).
    within: tuple[int, ...] = ()
    #: Prior lags passed over: a better lag beat each significantly, or it left the race.
    priors_beaten: tuple[int, ...] = ()


#: The one-SE set is a *plateau* when its longest lag is more than this many times its
#: shortest: it spans more than an octave, and validation cannot say where in it to be.
PLATEAU_FACTOR = 2


def spans_plateau(low: int, high: int) -> bool:
    """Whether lags from ``low`` to ``high`` span more than an octave (:data:`PLATEAU_FACTOR`)."""
    return high > PLATEAU_FACTOR * low


@dataclass(frozen=True)
class Plateau:
    """A one-SE set that spans more than an octave, and the rule that chose the lag."""

    #: The shortest and longest lags of the one-SE set.
    low: int
    high: int
    #: The best lag on validation, and the chosen one.
    best: int
    chosen: int
    #: The rule that chose (:data:`ChoiceRule`).
    rule: str
    #: Lags tried between ``low`` and ``high`` that are not in the one-SE set (none: every
    #: lag tried in the span is).
    outside: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        """What the report keeps: ``{"low": 4, "high": 32, "rule": "structure"}``."""
        return {"low": self.low, "high": self.high, "rule": self.rule}


@dataclass(frozen=True)
class LinearWin:
    """Ridge AR's best lag beats the judge's best clearly (``selection`` point 4)."""

    linear_lag: int
    linear_mse: float
    judge_lag: int
    judge_mse: float
    #: One-sided Diebold–Mariano p-value that ridge AR's loss is lower.
    p_value: float
