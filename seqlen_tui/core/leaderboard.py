"""The leaderboard's rows: scored on the test block, provisional (validation only, for the live
table), and sorted — one scoring for the run, the race's live rows and the final table."""

from __future__ import annotations

import numpy as np

from .metrics import (
    diebold_mariano,
    majority_rate,
    newey_west_se,
    pesaran_timmermann,
    score_forecast,
)
from .results import LeaderboardRow

#: The models that are not the judge: they have no seeds and never race.
BASELINE_MODELS = ("persistence", "seasonal_naive", "ridge_ar")


def score_row(model, lag, pred, actual, previous, n_val, train_levels, test_naive_mse, naive_loss,
              stability) -> LeaderboardRow:
    """One forecaster's row: validation MSE (and its HAC standard error) on the first ``n_val``
    points of ``pred``, the test scores on the rest; persistence gets no direction or DM test
    against itself."""
    val_loss = (pred[:n_val] - actual[:n_val]) ** 2
    test_loss = (pred[n_val:] - actual[n_val:]) ** 2
    scores = score_forecast(actual[n_val:], pred[n_val:], previous[n_val:], train_levels, test_naive_mse)
    is_naive = model == "persistence"
    return LeaderboardRow(
        model=model,
        lag=lag,
        val_mse=float(np.mean(val_loss)),
        val_mse_se=newey_west_se(val_loss),
        test_mse=scores.mse,
        test_mae=scores.mae,
        mase=scores.mase,
        skill=scores.skill,
        directional_accuracy=None if is_naive else scores.directional_accuracy,
        dm_p_vs_persistence=None if is_naive else diebold_mariano(test_loss, naive_loss[n_val:], alternative="less")[1],
        stability=stability,
        majority_rate=majority_rate(train_levels),
        pt_p=None if is_naive else direction_test(actual[n_val:], pred[n_val:], previous[n_val:]),
    )


def direction_test(actual, pred, previous) -> float | None:
    """Pesaran–Timmermann p-value on the test steps where the series moved."""
    moved = actual != previous
    if moved.sum() < 3:
        return None
    p = pesaran_timmermann(actual[moved] > previous[moved], pred[moved] > previous[moved])[1]
    return None if not np.isfinite(p) else float(p)


def sort_leaderboard(rows: list[LeaderboardRow]) -> list[LeaderboardRow]:
    """Forecasters by validation MSE, then the direction classifiers by accuracy."""
    forecasters = sorted((r for r in rows if r.val_mse is not None), key=lambda r: (r.val_mse, r.lag or 0))
    classifiers = sorted((r for r in rows if r.val_mse is None),
                         key=lambda r: (-(r.directional_accuracy or 0), r.lag or 0))
    return forecasters + classifiers


def provisional_rows(forecasts: dict, actual_val: np.ndarray, seeds: dict[int, int] | None = None) -> list:
    """Leaderboard rows scored on validation only, for the live table."""
    rows = []
    for (model, lag), pred in forecasts.items():
        loss = (pred[:len(actual_val)] - actual_val) ** 2
        rows.append(LeaderboardRow(model, lag, val_mse=float(np.mean(loss)), val_mse_se=newey_west_se(loss),
                                   seeds=(seeds or {}).get(lag) if model not in BASELINE_MODELS else None))
    return rows
