"""What a judge is asked to do and how long it may train: the shared vocabulary of the judges,
the fused trainer, the race and the engine (its own module so none of them imports another
to get it).

A judge takes the prepared series and a list of (lag, seed) jobs and returns, per job, its
*scaled* predictions of the modelled sequence at the evaluation targets; the engine turns them
into level forecasts, so every row of the leaderboard compares on the same footing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .events import Reporter
from .windows import Prepared


@dataclass(frozen=True, order=True)
class Job:
    lag: int
    seed: int


class Judge(Protocol):
    name: str
    #: Whether seeds change its forecasts (only then do more seeds, and the race, mean anything).
    seeded: bool

    def predict(
        self, prepared: Prepared, jobs: list[Job], targets: np.ndarray, reporter: Reporter
    ) -> dict[Job, np.ndarray]: ...


@dataclass(frozen=True)
class Budget:
    """How each LSTM trains: Adam at ``learning_rate``, halved (down to ``min_learning_rate``)
    after ``plateau_patience`` epochs without a better early-stopping loss, stopped after
    ``patience`` (best weights kept) or at the ``epochs`` cap.

    Why the decay: at a fixed rate a small LSTM on a few thousand windows keeps creeping
    down for hundreds of epochs, so at any affordable cap most models were still improving
    and the lags were ranked by how far each had got; halving the rate on a plateau settles
    each model within a few dozen epochs (measured in ``benchmarks/bench_convergence.py``).
    ``plateau_patience`` None keeps the rate fixed (the article's way).
    """

    epochs: int
    patience: int
    batch_size: int
    learning_rate: float
    plateau_patience: int | None = None
    lr_factor: float = 0.5
    min_learning_rate: float = 1e-5
    #: An epoch "improves" only when the early-stopping loss (of standardised targets) falls
    #: by more than this (Keras' ``min_delta``, for early stopping and the decay alike): the
    #: last hundred epochs of a slow creep change nothing a lag's ranking depends on.
    min_delta: float = 0.0
    #: The race (:mod:`.race`) may spend this many times its first round's work, counted as
    #: the sum of the lags trained (a fused round's cost grows with the lag, whatever its
    #: seeds): 1 stops after the first round; 2 allows as much again for the lags still in
    #: contention.
    race_work: float = 1.0


#: ``standard`` was chosen on the quality corpus (``benchmarks/bench_convergence.py``): a fixed
#: 2e-3 for at most 40 epochs left 31–100 % of models still improving on hourly and daily
#: series; halving the rate after 2 flat epochs from 3e-3 stops 100 % of them early, in a
#: median 21–44 epochs, in about the old time. On a smooth 5,000-point hourly profile the
#: models still crept on for 100–200 epochs; ``min_delta`` 1e-4 ends the creep (median epochs
#: 71 → 50, training time −32 %). Batch 64 stays ≤ 4 × the 16 cells of a one-seed lag
#: (``fused_lstm.deterministic_batch``). Batch 128 was measured: the same picks on 18 of the 19
#: corpus series in 55 % of the training time on a 5,000-point hourly series, but with a few
#: updates per epoch on short series the picks of two samples followed the base seed (weekly
#: CO₂ 52/52/45, half-hourly demand 48/30/48 for seeds 42/7/123, against 52/52/52 and 48/48/48
#: at 64): stability wins. With ``min_delta`` 5e-4 as well it also picked worse (Manaus 1.083).
BUDGETS = {
    "quick": Budget(epochs=6, patience=2, batch_size=128, learning_rate=3e-3),
    "standard": Budget(epochs=200, patience=6, batch_size=64, learning_rate=3e-3, plateau_patience=2,
                       min_delta=1e-4, race_work=2.0),
    "thorough": Budget(epochs=400, patience=10, batch_size=32, learning_rate=2e-3, plateau_patience=4,
                       min_delta=1e-5, race_work=4.0),
}


#: ``max_train_windows`` when not given: ten years of daily bars or two of hourly ones train
#: in full; minute data trains on its most recent 20,000 windows.
DEFAULT_MAX_TRAIN_WINDOWS = 20_000


def budget_for(options) -> Budget:
    """The run's training budget: the named one, with the epochs, patience, batch size and
    learning rate the user set instead of its own."""
    from dataclasses import replace

    base = BUDGETS[options.budget]
    return replace(
        base,
        epochs=options.epochs or base.epochs,
        patience=options.patience or base.patience,
        batch_size=options.batch_size or base.batch_size,
        learning_rate=options.learning_rate or base.learning_rate,
    )
