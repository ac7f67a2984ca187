"""Two stages, one answer: the small judge scouts every candidate, your model trains the finalists.

Why: the lag ``<ASSET>_SL`` records should be the lag for the network the user trains, not for
the article's LSTM(16) (issue 30: on monthly sunspots a 2 × LSTM(64) gains 10 % from a long
window, the small one 6 %). Training the user's network on every candidate would cost several
times the run, so the cheap default judge races them all (the *scout*) and only its finalists —
the lags it could not tell from its best, its best and its pick, and the longest candidate it
kept — are trained with the user's network, with seeds as that network's own race needs. The
choice is then made on the user's network's validation losses, by the same rules.

The *transfer check* says how far the two judges agree: both picks, how alike their rankings of
the finalists are (Kendall's τ of their mean validation losses), and what the scout's pick costs
the user's network on validation (the ratio of the two lags' MSEs and its two-sided DM p). When
the scout's pick is significantly worse for the user's network, the verdict says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .metrics import diebold_mariano
from .selection import Selection

#: Most lags the user's network trains in the second stage. Its cost is that of this many lags
#: of the user's network; the one-SE set beyond it keeps its lags nearest the scout's best.
MAX_FINALISTS = 6
#: A scout's pick costing the user's network this much (two-sided DM p on validation) is said.
TRANSFER_ALPHA = 0.05


def finalists_of(selection: Selection, val_losses: dict[int, np.ndarray], lags) -> tuple[int, ...]:
    """The scout's finalists, shortest first: its pick, its best, the longest candidate, then
    the rest of its one-SE set by validation loss, at most :data:`MAX_FINALISTS`. Without a
    one-SE set (nothing beat persistence) the lags with the lowest validation losses fill in."""
    mean = {lag: float(np.mean(val_losses[lag])) for lag in lags}
    mean = {lag: loss for lag, loss in mean.items() if np.isfinite(loss)}
    musts = [lag for lag in (selection.chosen_lag, selection.best_lag, max(lags)) if lag is not None]

    def by_loss(lag: int) -> tuple[float, int]:
        return mean.get(lag, np.inf), lag

    picked: list[int] = []
    for lag in [*musts, *sorted(selection.within, key=by_loss), *sorted(mean, key=by_loss)]:
        if lag not in picked and len(picked) < MAX_FINALISTS:
            picked.append(lag)
    return tuple(sorted(picked))


def kendall_tau(first: list[float], second: list[float]) -> float | None:
    """Kendall's τ-a of two rankings of the same items (None for fewer than two); here, not
    ``scipy.stats.kendalltau``, because importing ``scipy.stats`` costs most of a second."""
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if len(a) < 2:
        return None
    upper = np.triu_indices(len(a), k=1)
    signs = np.sign(a[:, None] - a[None, :])[upper] * np.sign(b[:, None] - b[None, :])[upper]
    return float(np.mean(signs))


@dataclass(frozen=True)
class Transfer:
    """What the scout's choice would have meant for the user's network (the report's
    ``transfer``)."""

    scout: str  # the scout's network in words ("LSTM(16)")
    model: str  # the user's network in words ("2 × LSTM(64)")
    finalists: tuple[int, ...]
    scout_lag: int | None
    model_lag: int | None
    rank_agreement: float | None  # Kendall's τ of the two judges' mean validation losses
    scout_pick_cost: float | None  # the user's network's val MSE at the scout's pick / at its own
    scout_pick_p: float | None  # two-sided DM p of that difference on validation

    @property
    def disagrees(self) -> bool:
        """The scout's pick is significantly worse for the user's network."""
        return (self.scout_pick_p is not None and self.scout_pick_p < TRANSFER_ALPHA
                and (self.scout_pick_cost or 0.0) > 1.0)

    def sentence(self) -> str | None:
        """The verdict's sentence when the judges disagree significantly, else None."""
        if not self.disagrees:
            return None
        return (f"the small judge ({self.scout}) would have chosen {self.scout_lag}: for your "
                f"{self.model} that lag's validation MSE is {self.scout_pick_cost:.2f}× that of "
                f"{self.model_lag} (DM p = {self.scout_pick_p:.3g}), so the lag for your network is not the "
                "small judge's")

    def to_dict(self) -> dict:
        return {"scout": self.scout, "model": self.model, "finalists": list(self.finalists),
                "scout_lag": self.scout_lag, "model_lag": self.model_lag,
                "rank_agreement": self.rank_agreement, "scout_pick_cost": self.scout_pick_cost,
                "scout_pick_p": self.scout_pick_p, "disagrees": self.disagrees}


def transfer_check(scout: Selection, model: Selection, scout_losses: dict[int, np.ndarray],
                   model_losses: dict[int, np.ndarray], finalists: tuple[int, ...],
                   words: tuple[str, str]) -> Transfer:
    """Both judges' picks, their rankings' agreement over the finalists, and what the scout's
    pick costs the user's network on validation (``words``: the scout's and the model's names)."""
    tau = kendall_tau([float(np.mean(scout_losses[lag])) for lag in finalists],
                      [float(np.mean(model_losses[lag])) for lag in finalists])
    cost = p = None
    scout_lag, model_lag = scout.chosen_lag, model.chosen_lag
    if scout_lag in model_losses and model_lag in model_losses and scout_lag != model_lag:
        at_scout, at_model = model_losses[scout_lag], model_losses[model_lag]
        cost = float(np.mean(at_scout) / np.mean(at_model))
        p = float(diebold_mariano(at_scout, at_model)[1])
    elif scout_lag is not None and scout_lag == model_lag:
        cost = 1.0
    return Transfer(words[0], words[1], finalists, scout_lag, model_lag, tau, cost, p)


__all__ = ["MAX_FINALISTS", "TRANSFER_ALPHA", "Transfer", "finalists_of", "kendall_tau", "transfer_check"]
