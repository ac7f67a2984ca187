"""Direction classifiers (XGBoost, RandomForest): "up or down next?", a different question from
the judges', scored by accuracy beside the majority-direction rate. Imported inside the work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .events import SILENT, Reporter
from .windows import Prepared


@dataclass(frozen=True)
class DirectionResult:
    model: str
    lag: int
    accuracy: float
    majority_rate: float


def direction_classifiers(
    prepared: Prepared, lags: list[int], seed: int, reporter: Reporter = SILENT
) -> list[DirectionResult]:
    """XGBoost and RandomForest predicting the next step's direction from windows of returns.

    Features are the last ``lag`` changes (the unscaled modelled sequence for diff/logret,
    differences of levels otherwise); trained on the training block, scored on test.
    """
    from sklearn.ensemble import RandomForestClassifier
    from xgboost import XGBClassifier

    split = prepared.split
    changes = np.diff(prepared.levels)  # changes[i] = level[i+1] - level[i]
    results: list[DirectionResult] = []
    for lag in lags:
        train_t = split.train[split.train - 1 - lag >= 0]
        x_train, y_train = _direction_data(changes, lag, train_t)
        x_test, y_test = _direction_data(changes, lag, split.test)
        majority = max(y_train.mean(), 1 - y_train.mean())
        for name, model in (
            ("xgb_direction", XGBClassifier(n_estimators=200, max_depth=3, learning_rate=0.05,
                                            random_state=seed, n_jobs=2, verbosity=0)),
            ("rf_direction", RandomForestClassifier(n_estimators=200, min_samples_leaf=5,
                                                    random_state=seed, n_jobs=2)),
        ):
            reporter.check_cancelled()
            model.fit(x_train, y_train)
            accuracy = float(np.mean(model.predict(x_test) == y_test))
            results.append(DirectionResult(name, lag, accuracy, float(majority)))
    return results


def _direction_data(changes: np.ndarray, lag: int, targets: np.ndarray):
    from numpy.lib.stride_tricks import sliding_window_view

    view = sliding_window_view(changes, lag)  # view[i] = changes[i : i + lag]
    # Target t's change is changes[t-1]; its inputs are the lag changes before it.
    x = view[targets - 1 - lag]
    y = (changes[targets - 1] > 0).astype(int)
    return x, y
