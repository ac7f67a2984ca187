"""The judges (models that score a sequence length) and the baselines beside them.

A judge takes the prepared series and a list of (lag, seed) jobs and returns, per job, its
*scaled* predictions of the modelled sequence at the evaluation targets; the engine turns them
into level forecasts, so every row of the leaderboard compares on the same footing.

* :class:`RidgeJudge` — ridge regression on the same windows: linear, deterministic, instant.
  It is the ``ridge_ar`` baseline and a stand-in judge for fast tests.
* :class:`LSTMJudge` — the small Keras LSTM the user will actually train, one model per job,
  early stopping on the last part of *train* with the best weights restored. TensorFlow is
  imported here, inside the work, never at start-up.

Baselines (persistence, seasonal naive) need no training; direction classifiers (XGBoost,
RandomForest) answer a different question — "up or down next?" — and are scored by accuracy
beside the majority-direction rate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .events import SILENT, Cancelled, Reporter
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
class RidgeJudge:
    """Ridge regression of the next (scaled) value on the last ``lag`` values."""

    alpha: float = 1.0
    name: str = "ridge_ar"
    seeded: bool = False  # deterministic: every seed gives the same fit

    def predict(self, prepared, jobs, targets, reporter=SILENT):
        from sklearn.linear_model import Ridge

        out: dict[Job, np.ndarray] = {}
        fitted: dict[int, np.ndarray] = {}
        train = prepared.split.train
        for job in jobs:
            reporter.check_cancelled()
            if job.lag not in fitted:
                model = Ridge(alpha=self.alpha)
                model.fit(prepared.windows(job.lag, train), prepared.scaled_targets(train))
                fitted[job.lag] = model.predict(prepared.windows(job.lag, targets))
            out[job] = fitted[job.lag]
        return out


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
#: 71 → 50, training time −32 %). ``batch_size`` stays ≤ 4 × the 16 cells of a one-seed lag,
#: so a GPU's reductions stay deterministic (``../shared/GUIDE.md`` §7).
BUDGETS = {
    "quick": Budget(epochs=6, patience=2, batch_size=128, learning_rate=3e-3),
    "standard": Budget(epochs=200, patience=6, batch_size=64, learning_rate=3e-3, plateau_patience=2,
                       min_delta=1e-4, race_work=2.0),
    "thorough": Budget(epochs=400, patience=10, batch_size=32, learning_rate=2e-3, plateau_patience=4,
                       min_delta=1e-5, race_work=4.0),
}


def quiet_tensorflow() -> None:
    """Import TensorFlow and Keras once, without their start-up noise on the user's terminal.

    ``TF_CPP_MIN_LOG_LEVEL`` silences TensorFlow's own logging, but absl and the CUDA stubs
    write to file descriptor 2 while TensorFlow loads, before any Python setting applies; so
    the first import runs with descriptor 2 pointed at /dev/null. Python exceptions still
    propagate.
    """
    import sys

    for name, value in GPU_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if "tensorflow" in sys.modules and "keras" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras  # noqa: F401
            import tensorflow as tf
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    # TF32 (on by default on Ampere and later) rounds the GEMMs' inputs to 10 bits: about
    # 1e-3 relative error, beyond what the fused/Keras parity allows. Off for the judge.
    tf.config.experimental.enable_tensor_float_32_execution(False)


#: Set before TensorFlow's first import (a user's own setting wins). Memory growth through the
#: environment applies even when TensorFlow was initialised before ``training_device`` runs (the
#: API call is then silently too late, and TensorFlow takes the whole GPU on a shared box); the
#: CUDA compute cache keeps the kernels that an H100/H200 JIT-compiles from the wheel's PTX
#: (the wheel carries SASS only up to sm_89), so that cost is paid once per machine.
GPU_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "TF_FORCE_GPU_ALLOW_GROWTH": "true",
    "CUDA_CACHE_MAXSIZE": str(4 * 2**30),
}


def training_device() -> str:
    """Which device trains: the first GPU TensorFlow sees, else the CPU."""
    quiet_tensorflow()
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "CPU"
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised
            pass
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU ({details.get('device_name', gpus[0].name)})"


#: ``--max-seq-len`` when not given: a CPU trains a 336-step window (a week of half-hours)
#: × 3 seeds in many minutes; a GPU runs the recurrent steps in parallel across the batch.
DEFAULT_MAX_SEQ_LEN = {"CPU": 256, "GPU": 1024}

#: ``--max-train-windows`` when not given: ten years of daily bars or two of hourly ones train
#: in full; minute data trains on its most recent 20,000 windows.
DEFAULT_MAX_TRAIN_WINDOWS = 20_000


#: With measured step rates, the default ``--max-seq-len`` is the longest lag whose fused step
#: (3 seeds, batch 64) takes at most this long: on the 2-core CPU where 256 was set it is ≈ 256
#: (``seqlen-tui doctor``: 18 ms at lag 168, 30 ms at 336), so a faster device earns longer windows.
MAX_STEP_MS = 24.0
MAX_SEQ_LEN_BOUNDS = (64, 4096)


def default_max_seq_len(device: str, rates_ms: dict | None = None) -> int:
    """The longest sequence length benchmarked by default on this training device: from its
    measured step rates (ms per step by lag, a straight line through them) when there are any,
    else a constant per kind of device."""
    fallback = DEFAULT_MAX_SEQ_LEN["GPU" if device.startswith("GPU") else "CPU"]
    points = sorted((int(lag), float(ms)) for lag, ms in (rates_ms or {}).items())
    if len(points) < 2:
        return fallback
    lags, ms = np.array(points).T
    slope, intercept = np.polyfit(lags, ms, 1)
    if not slope > 0:
        return MAX_SEQ_LEN_BOUNDS[1]
    longest = (MAX_STEP_MS - intercept) / slope
    return int(np.clip(longest // 8 * 8, *MAX_SEQ_LEN_BOUNDS))


@dataclass(frozen=True)
class LSTMJudge:
    """LSTM(units) + Dense(1) per job, trained to early stopping on the tail of train."""

    units: int = 16
    budget: Budget = BUDGETS["standard"]
    fused: bool = True
    shuffle: bool = True
    name: str = "lstm"
    seeded: bool = True
    #: LSTNet's linear highway beside the LSTM (measured on the corpus; off by default, see README).
    highway: bool = False
    #: The TensorFlow device to train on ("/CPU:0", "/GPU:0"); None: TensorFlow's placement.
    device: str | None = None

    def predict(self, prepared, jobs, targets, reporter=SILENT):
        """Fused (all jobs in one model per lag group) unless ``fused=False``."""
        if self.fused:
            from .fused_lstm import fused_predict

            return fused_predict(prepared, jobs, targets, self.units, self.budget, reporter,
                                 shuffle=self.shuffle, highway=self.highway, device=self.device)
        if self.device is None:
            return self._predict_separately(prepared, jobs, targets, reporter)
        import tensorflow as tf

        with tf.device(self.device):
            return self._predict_separately(prepared, jobs, targets, reporter)

    def _predict_separately(self, prepared, jobs, targets, reporter):
        """One Keras model and one ``fit`` per job: the article's way, kept as a reference."""
        quiet_tensorflow()
        import keras
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
        split = prepared.split
        out: dict[Job, np.ndarray] = {}
        for index, job in enumerate(jobs):
            reporter.check_cancelled()
            reporter.emit(
                "info",
                f"LSTM lag {job.lag}, seed {job.seed} ({index + 1}/{len(jobs)})",
                stage="train",
                data={"lag": job.lag, "seed": job.seed, "index": index, "total": len(jobs)},
            )
            keras.utils.set_random_seed(job.seed)
            model = keras_model(keras, job.lag, self.units, self.highway)
            _set_initial_weights(model, job, self.units)
            model.compile(optimizer=keras.optimizers.Adam(self.budget.learning_rate), loss="mse")
            fit_x = prepared.windows(job.lag, split.fit)[..., None]
            es_x = prepared.windows(job.lag, split.early_stop)[..., None]
            model.fit(
                fit_x,
                prepared.scaled_targets(split.fit),
                validation_data=(es_x, prepared.scaled_targets(split.early_stop)),
                epochs=self.budget.epochs,
                batch_size=self.budget.batch_size,
                shuffle=self.shuffle,
                verbose=0,
                callbacks=[
                    keras.callbacks.EarlyStopping(
                        patience=self.budget.patience, min_delta=self.budget.min_delta,
                        restore_best_weights=True,
                    ),
                    *plateau_callbacks(keras, self.budget),
                    training_callback(
                        keras, reporter,
                        lambda epoch, i=index: (i + (epoch + 1) / self.budget.epochs) / len(jobs),
                        {"lag": job.lag, "seed": job.seed},
                    ),
                ],
            )
            reporter.check_cancelled()
            eval_x = prepared.windows(job.lag, targets)[..., None]
            out[job] = np.asarray(model.predict(eval_x, batch_size=4096, verbose=0)).ravel()
            keras.backend.clear_session()
        return out


def plateau_callbacks(keras, budget: Budget) -> list:
    """Keras' form of the budget's learning-rate decay (none when the rate is fixed)."""
    if budget.plateau_patience is None:
        return []
    return [keras.callbacks.ReduceLROnPlateau(
        factor=budget.lr_factor, patience=budget.plateau_patience, min_delta=budget.min_delta,
        min_lr=budget.min_learning_rate)]


def keras_model(keras, lag: int, units: int, highway: bool = False):
    """``LSTM(units) → Dense(1)`` over a window of ``lag`` steps; with ``highway``, plus a linear
    map of the window itself (LSTNet's autoregressive component), its weights starting at zero."""
    inputs = keras.Input((lag, 1))
    out = keras.layers.Dense(1, name="head")(keras.layers.LSTM(units, name="lstm")(inputs))
    if highway:
        linear = keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros", name="highway")
        out = keras.layers.Add()([out, linear(keras.layers.Flatten()(inputs))])
    return keras.Model(inputs, out)


def _set_initial_weights(model, job: Job, units: int) -> None:
    """The same start as the fused path gives this job, so the two can be compared."""
    from .fused_lstm import initial_weights

    w = initial_weights(job, units)
    model.get_layer("lstm").set_weights([w["kernel"], w["recurrent"], w["bias"]])
    model.get_layer("head").set_weights([w["head"][:, None], w["head_bias"]])


def training_callback(keras, reporter: Reporter, fraction, data: dict):
    """A Keras callback shared by every per-model ``fit``: it stops training within one batch
    of a cancel (raising :class:`Cancelled` when ``fit`` ends) and reports each epoch, with
    ``fraction(epoch)`` the share of the whole job done after that epoch."""

    class Progress(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if reporter.cancelled:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            reporter.emit(
                "progress", stage="train", fraction=min(1.0, fraction(epoch)),
                data={**data, "epoch": epoch + 1, "loss": logs.get("loss"),
                      "val_loss": logs.get("val_loss")},
            )

        def on_train_end(self, logs=None):
            if reporter.cancelled:
                raise Cancelled("cancelled by the user")

    return Progress()


def persistence(levels: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Repeat the last value: the forecast every model must beat."""
    return levels[targets - 1]


def seasonal_naive(levels: np.ndarray, targets: np.ndarray, period: int) -> np.ndarray:
    """Repeat the value one period ago."""
    return levels[targets - period]


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
