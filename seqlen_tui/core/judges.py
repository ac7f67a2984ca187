"""The judges: models that score a sequence length.

* :class:`RidgeJudge` — ridge regression on the same windows: linear, deterministic, instant.
  It is the ``ridge_ar`` baseline and a stand-in judge for fast tests.
* :class:`LSTMJudge` — the small Keras LSTM the user will actually train, early stopping on
  the last part of *train* with the best weights restored: every job of a run in one fused
  model (:mod:`.fused_lstm`), or one Keras ``fit`` per job (the reference the fused path is
  tested against). TensorFlow is imported inside the work, never at start-up. ``layers``
  (1–3) stacks LSTM(units) layers and ``dropout`` drops each layer's inputs while training;
  the defaults (1, 0.0) are the article's model.
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
    """``layers`` × LSTM(units) + Dense(1) per job, trained to early stopping on the tail of train.

    ``dropout`` (0 ≤ p < 1) drops the inputs of each LSTM layer (the window, and the h
    sequence between layers) while training, as Keras' ``Dropout`` before each ``LSTM``; no
    recurrent dropout (it would split the fused step's one op per lag). The fused path draws
    its masks from the jobs' seeds, so a run repeats bit for bit on a CPU; the Keras reference
    draws its own, so the two agree only without dropout.
    """

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
    #: Stacked LSTM layers per model (1–3), each of ``units`` cells.
    layers: int = 1
    #: Dropout on each LSTM layer's input while training (0: none).
    dropout: float = 0.0

    def __post_init__(self):
        from .fused_lstm import check_shape

        check_shape(self.layers, self.dropout)

    def predict(self, prepared, jobs, targets, reporter=SILENT):
        """Fused (all jobs in one model per lag group) unless ``fused=False``."""
        if self.fused:
            from .fused_lstm import fused_predict

            return fused_predict(prepared, jobs, targets, self.units, self.budget, reporter,
                                 shuffle=self.shuffle, highway=self.highway, device=self.device,
                                 layers=self.layers, dropout=self.dropout)
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
            model = keras_model(keras, job.lag, self.units, self.highway, self.layers, self.dropout)
            _set_initial_weights(model, job, self.units, self.layers)
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


def keras_model(keras, lag: int, units: int, highway: bool = False, layers: int = 1, dropout: float = 0.0):
    """``LSTM(units) → Dense(1)`` over a window of ``lag`` steps; with ``highway``, plus a linear
    map of the window itself (LSTNet's autoregressive component), its weights starting at zero.

    ``layers`` > 1 stacks ``LSTM(units, return_sequences=True)`` layers before the last one
    (named ``lstm``, ``lstm_2``, ``lstm_3``); ``dropout`` > 0 puts ``Dropout(p)`` before each
    LSTM (the highway reads the window undropped)."""
    inputs = keras.Input((lag, 1))
    h = inputs
    for layer in range(1, layers + 1):
        if dropout > 0:
            h = keras.layers.Dropout(dropout, name=f"dropout_{layer}")(h)
        h = keras.layers.LSTM(units, return_sequences=layer < layers, name=lstm_layer_name(layer))(h)
    out = keras.layers.Dense(1, name="head")(h)
    if highway:
        linear = keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros", name="highway")
        out = keras.layers.Add()([out, linear(keras.layers.Flatten()(inputs))])
    return keras.Model(inputs, out)


def lstm_layer_name(layer: int) -> str:
    """The Keras name of LSTM layer ``layer`` (1-based) in :func:`keras_model`."""
    return "lstm" if layer == 1 else f"lstm_{layer}"


def _set_initial_weights(model, job: Job, units: int, layers: int = 1) -> None:
    """The same start as the fused path gives this job, so the two can be compared."""
    from .fused_lstm import initial_weights

    w = initial_weights(job, units, layers)
    model.get_layer("lstm").set_weights([w["kernel"], w["recurrent"], w["bias"]])
    for layer in range(2, layers + 1):
        model.get_layer(lstm_layer_name(layer)).set_weights(
            [w[f"kernel_{layer}"], w[f"recurrent_{layer}"], w[f"bias_{layer}"]])
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
