"""Racing the candidate lags: seeds go to the lags that can still win.

Every candidate starts with the same ``seeds`` (common random numbers: seed s starts every lag
from the same weights and batch order). After each round the *leader* is the lag with the
lowest validation MSE of its seed-averaged forecast; every other lag whose paired loss is worse
than the leader's with a one-sided Diebold–Mariano p below ``RACE_ALPHA`` — Holm-adjusted over
the lags still in the race — leaves it. The survivors get one more seed each, and the race
ends when one lag is left or the survivors have ``seeds_max`` seeds (they cannot be told apart
at that many).

Why: a fixed count spends as many seeds on a hopeless lag as on a contender, and too few on
the contenders — measured on a smooth hourly series, three seeds left lags 26 % apart in
validation MSE "within one SE". Racing (Maron & Moore's Hoeffding races; irace's F-race) keeps
the comparison that matters well estimated for about the cost of the fixed count. The bar is
strict (p < 0.01 after Holm) because a lag that leaves never comes back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .metrics import diebold_mariano
from .options import DEFAULT_SEEDS_MAX, seeds_cap  # noqa: F401 - the race's cap, declared with its option
from .selection import holm_adjust

#: A lag leaves the race when the leader beats it at this Holm-adjusted one-sided DM p-value.
RACE_ALPHA = 0.01


@dataclass(frozen=True)
class RaceExit:
    """A lag that left the race: after which round, with how many seeds, beaten by whom."""

    lag: int
    round: int
    seeds: int
    leader: int
    p_value: float  # Holm-adjusted one-sided DM p that the leader's loss is lower

    def to_dict(self) -> dict:
        return asdict(self)


def race_exits(val_losses: dict[int, np.ndarray], alive: list[int], round_number: int,
               seeds: dict[int, int], alpha: float = RACE_ALPHA) -> list[RaceExit]:
    """The lags of ``alive`` that leave after this round (none when only one is alive).

    ``val_losses[lag]`` are the per-point validation losses of the lag's seed-averaged
    forecast; ``seeds[lag]`` how many seeds that average holds. The test counts the
    validation points' noise only. Counting the seeds' disagreement too (as the choice does)
    was measured on the quality corpus and dropped: with two seeds it kept a smooth hourly
    temperature's day (24) in the race, and the choice then took that prior at 2.37× the best
    unseen MSE (26 wins).
    """
    if len(alive) < 2:
        return []
    means = {lag: float(np.mean(val_losses[lag])) for lag in alive}
    leader = min(alive, key=lambda lag: (means[lag], lag))
    raw = {lag: diebold_mariano(val_losses[leader], val_losses[lag], alternative="less")[1]
           for lag in alive if lag != leader}
    adjusted = holm_adjust(raw)
    return [RaceExit(lag, round_number, seeds[lag], leader, float(p))
            for lag, p in sorted(adjusted.items()) if np.isfinite(p) and p < alpha]


def race_over(alive: list[int], seeds: dict[int, int], seeds_max: int) -> bool:
    """One lag left, or every survivor at the seed cap."""
    return len(alive) < 2 or all(seeds[lag] >= seeds_max for lag in alive)


def describe_exits(exits: list[RaceExit]) -> str:
    """One log line for a round's exits."""
    by_leader = {exit.leader for exit in exits}
    leader = by_leader.pop() if len(by_leader) == 1 else None
    lags = ", ".join(f"{exit.lag} (p {exit.p_value:.2g})" for exit in exits)
    seeds = {exit.seeds for exit in exits}
    after = f"after {seeds.pop()} seeds" if len(seeds) == 1 else "after round " + str(exits[0].round)
    return (f"left the race {after}: {lags} — significantly worse than "
            f"{leader if leader is not None else 'the leader'} (one-sided DM, Holm-adjusted p < {RACE_ALPHA:g})")
