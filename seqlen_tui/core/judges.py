"""The judges: models that score a sequence length.

* :class:`RidgeJudge` — ridge regression on the same windows: linear, deterministic, instant.
  It is the ``ridge_ar`` baseline and a stand-in judge for fast tests.
* :class:`LSTMJudge` — the small Keras LSTM the user will actually train, early stopping on
  the last part of *train* with the best weights restored: every job of a run in one fused
  model (:mod:`.fused_lstm`), or one Keras ``fit`` per job (the reference the fused path is
  tested against). TensorFlow is imported inside the work, never at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .events import SILENT, Cancelled, Reporter
from .tf_runtime import load_tensorflow
from .training import BUDGETS, Budget, Job


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
        load_tensorflow()
        import keras
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
        split = prepared.split
        out: dict[Job, np.ndarray] = {}
        for index, job in enumerate(jobs):
            reporter.check_cancelled()
            reporter.info(f"LSTM lag {job.lag}, seed {job.seed} ({index + 1}/{len(jobs)})", stage="train")
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
                        (job.lag,),
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


def training_callback(keras, reporter: Reporter, fraction, lags: tuple):
    """A Keras callback shared by every per-model ``fit``: it stops training within one batch
    of a cancel (raising :class:`Cancelled` when ``fit`` ends) and reports each epoch, with
    ``fraction(epoch)`` the share of the whole job done after that epoch."""

    class Progress(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if reporter.cancelled:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            reporter.progress(min(1.0, fraction(epoch)), stage="train", lags=lags,
                              epoch=epoch + 1, val_loss=logs.get("val_loss"))

        def on_train_end(self, logs=None):
            if reporter.cancelled:
                raise Cancelled("cancelled by the user")

    return Progress()
