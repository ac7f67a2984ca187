"""Statistics over the judge's seeds: the seed-averaged forecast, each seed's own losses, how
often a lag's own model wins (stability), and the losses the race compares.

The judge trains one model per (lag, seed); everything that reads those forecasts by seed is
here, so the race and the run's choice read them the same way.
"""

from __future__ import annotations

import numpy as np

from .training import Job
from .windows import Prepared


def race_losses(per_seed: list[dict[Job, np.ndarray]], fold_prepared: list[Prepared],
                fold_targets: list[np.ndarray], fold_n_val: list[int], lags, name: str) -> dict[int, np.ndarray]:
    """Each lag's per-point validation losses of its seed-averaged forecast, folds together."""
    out = {}
    for lag in lags:
        parts = []
        for index, prepared in enumerate(fold_prepared):
            preds = [pred for job, pred in per_seed[index].items() if job.lag == lag]
            val = fold_targets[index][:fold_n_val[index]]
            parts.append((np.mean(preds, axis=0)[:len(val)] - prepared.levels[val]) ** 2)
        out[lag] = np.concatenate(parts)
    return out


def seed_average(per_seed: dict[Job, np.ndarray], name: str) -> dict:
    """The judge's forecast per lag: the mean of its seeds' forecasts."""
    by_lag: dict[int, list[np.ndarray]] = {}
    for job, pred in per_seed.items():
        by_lag.setdefault(job.lag, []).append(pred)
    return {(name, lag): np.mean(preds, axis=0) for lag, preds in sorted(by_lag.items())}


def seed_losses(parts: list[tuple[dict[Job, np.ndarray], np.ndarray]], lags) -> dict[int, np.ndarray]:
    """Each seed's own squared validation errors per lag, folds concatenated: (seeds, points),
    rows in seed order (so lags with fewer seeds share their rows with the others' first ones)."""
    out = {}
    for lag in lags:
        seeds = sorted({job.seed for job in parts[0][0] if job.lag == lag})
        out[lag] = np.array([np.concatenate([(per_seed[Job(lag, seed)] - actual) ** 2
                                             for per_seed, actual in parts]) for seed in seeds])
    return out


def lag_stability(parts: list[tuple[dict[Job, np.ndarray], np.ndarray]], lags) -> dict[int, float]:
    """Share of (fold, seed) pairs whose own model scores best on that fold's validation.

    With racing, lags have different seed counts: each seed is contested by the lags that
    trained it, and a lag that left the race counts as losing every later seed — it left
    because the leader beat it significantly. So stability is a share of every (fold, seed)
    pair of the run, whatever a lag's own count."""
    wins = dict.fromkeys(lags, 0)
    trials = 0
    for per_seed, actual_val in parts:
        for seed in sorted({job.seed for job in per_seed}):
            contenders = [lag for lag in lags if Job(lag, seed) in per_seed]
            mse = {lag: float(np.mean((per_seed[Job(lag, seed)] - actual_val) ** 2)) for lag in contenders}
            wins[min(contenders, key=lambda lag: (mse[lag], lag))] += 1
            trials += 1
    return {lag: wins[lag] / trials for lag in lags}
