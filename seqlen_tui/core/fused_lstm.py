"""Train many small LSTMs — every candidate lag × seed — as one Keras model and one ``fit``.

Why: an LSTM(16) over a few thousand windows is a few GFLOP per epoch; training one model per
``fit`` spends the time on per-model, per-step framework overhead, not arithmetic. Here one
``keras.layers.RNN`` runs a cell that computes M independent LSTMs at once (weights shaped
``(M, inputs, 4H)`` and ``(M, H, 4H)``, gates by ``einsum`` over the model axis), so each
training step is one graph call for all models. Measured on a 2-core CPU this is several
times faster than separate fits (``benchmarks/bench_engine.py``).

Each model stays exactly the model the user would train alone:

* model m reads only its last ``L_m`` inputs: a mask channel holds its state at zero for the
  first ``L_max - L_m`` steps of the shared window;
* it is initialised as Keras' ``LSTM`` initialises one model (Glorot-uniform kernel,
  orthogonal recurrent kernel, zero bias with forget-gate bias 1, Glorot head), from its
  seed, so its start does not depend on which other models share the fit (and lags with the
  same seed start alike: common random numbers, see :func:`initial_weights`);
* the loss is the sum of the per-model MSEs: no parameter is shared, so each model's
  gradient is exactly the gradient it would get alone;
* early stopping and best-weight restore are per model (:class:`PerModelEarlyStopping`).

Lags train in groups chosen by cost (:func:`group_lags`): close lengths share one recurrent
loop, while a much longer lag (a week of half-hours) trains apart so short models do not wait
through its steps.
"""

from __future__ import annotations

import time

import numpy as np

from .events import Cancelled, Reporter
from .models import Budget, Job, quiet_tensorflow

#: The fixed cost of one recurrent step (the framework's per-op overhead), in units of one
#: more model's arithmetic in that step. Measured on a 2-core CPU (TF 2.21): an epoch of 6
#: models over 24 steps took 1.09 s and of 12 models 1.37 s, so six more models cost 0.28 s
#: against 0.81 s of fixed cost: about 17 models' worth.
STEP_OVERHEAD_MODELS = 17.0


def group_lags(lags: list[int], overhead: float = STEP_OVERHEAD_MODELS) -> list[list[int]]:
    """Split the sorted lags into training groups of least total cost.

    ``lags`` has one entry per model (a lag repeated once per seed). A group trains for its
    longest lag's number of steps, each step costing ``overhead + models in the group``; so
    short lags join a long group while the steps they add cost less than the overhead they
    save, and train apart when they would mostly wait for the long ones. Exact by dynamic
    programming over the (few) distinct lags.
    """
    unique = sorted(set(lags))
    counts = [lags.count(lag) for lag in unique]
    best = [0.0] * (len(unique) + 1)  # best[j]: least cost of the first j lags
    start = [0] * (len(unique) + 1)
    for j in range(1, len(unique) + 1):
        best[j] = float("inf")
        for i in range(j):
            cost = best[i] + unique[j - 1] * (overhead + sum(counts[i:j]))
            if cost < best[j]:
                best[j], start[j] = cost, i
    groups: list[list[int]] = []
    j = len(unique)
    while j > 0:
        groups.insert(0, unique[start[j]:j])
        j = start[j]
    return groups


def initial_weights(job: Job, units: int) -> dict[str, np.ndarray]:
    """Keras-LSTM-style initial weights for one model, from its seed alone.

    Every lag with the same seed starts from the same weights (their shapes do not depend on
    the lag) and sees the same batch order: *common random numbers*. The lags then differ
    only by what they are meant to differ by, the length of their input, so the comparison
    between lags carries far less training noise than with independent starts — and the
    choice depends less on the base seed.
    """
    rng = np.random.default_rng(job.seed)
    gates = 4 * units
    limit = np.sqrt(6.0 / (1 + gates))  # Glorot uniform, fan_in 1, fan_out 4H
    kernel = rng.uniform(-limit, limit, size=(1, gates))
    # Orthogonal (H, 4H): QR of a Gaussian (4H, H), sign-fixed, transposed (as Keras does).
    q, r = np.linalg.qr(rng.standard_normal((gates, units)))
    recurrent = (q * np.sign(np.diag(r))).T
    bias = np.zeros(gates)
    bias[units : 2 * units] = 1.0  # unit forget bias
    head_limit = np.sqrt(6.0 / (units + 1))
    head = rng.uniform(-head_limit, head_limit, size=(units,))
    return {"kernel": kernel, "recurrent": recurrent, "bias": bias, "head": head, "head_bias": np.zeros(1)}


def build_fused_model(keras, jobs: list[Job], units: int, max_lag: int):
    """One Keras model computing every job's forecast: input (batch, L_max, 1 + M) → (batch, M)."""
    import tensorflow as tf

    n_models = len(jobs)
    weights = [initial_weights(job, units) for job in jobs]

    class MultiLSTMCell(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.state_size = [n_models * units, n_models * units]
            self.output_size = n_models * units

        def build(self, input_shape):
            stack = lambda key: np.stack([w[key] for w in weights]).astype("float32")  # noqa: E731
            init = lambda key: keras.initializers.Constant(stack(key))  # noqa: E731
            self.kernel = self.add_weight(shape=(n_models, 1, 4 * units), initializer=init("kernel"), name="kernel")
            self.recurrent = self.add_weight(shape=(n_models, units, 4 * units), initializer=init("recurrent"), name="recurrent")
            self.bias = self.add_weight(shape=(n_models, 4 * units), initializer=init("bias"), name="bias")
            self.built = True

        def call(self, inputs, states):
            x, active = inputs[:, :1], inputs[:, 1:, None]  # (b, 1), (b, M, 1)
            h = tf.reshape(states[0], (-1, n_models, units))
            c = tf.reshape(states[1], (-1, n_models, units))
            z = (tf.einsum("bi,mig->bmg", x, self.kernel)
                 + tf.einsum("bmh,mhg->bmg", h, self.recurrent) + self.bias)
            i, f, g, o = tf.split(z, 4, axis=-1)
            c_new = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h_new = tf.sigmoid(o) * tf.tanh(c_new)
            h = active * h_new + (1.0 - active) * h
            c = active * c_new + (1.0 - active) * c
            flat_h = tf.reshape(h, (-1, n_models * units))
            return flat_h, [flat_h, tf.reshape(c, (-1, n_models * units))]

    class MultiHead(keras.layers.Layer):
        def build(self, input_shape):
            head = np.stack([w["head"] for w in weights]).astype("float32")
            self.w = self.add_weight(shape=(n_models, units), initializer=keras.initializers.Constant(head), name="head")
            self.b = self.add_weight(shape=(n_models,), initializer="zeros", name="head_bias")

        def call(self, h):
            h = tf.reshape(h, (-1, n_models, units))
            return tf.einsum("bmh,mh->bm", h, self.w) + self.b

    inputs = keras.Input((max_lag, 1 + n_models))
    hidden = keras.layers.RNN(MultiLSTMCell())(inputs)
    return keras.Model(inputs, MultiHead()(hidden))


def with_masks(windows: np.ndarray, lags: list[int]) -> np.ndarray:
    """Append one 0/1 channel per model: active from step ``L_max - L_m`` on."""
    n, max_lag = windows.shape
    steps = np.arange(max_lag)[:, None]
    active = (steps >= max_lag - np.asarray(lags)[None, :]).astype("float32")  # (T, M)
    out = np.empty((n, max_lag, 1 + len(lags)), dtype="float32")
    out[..., 0] = windows
    out[..., 1:] = active[None]
    return out


def per_model_mse(y_true, y_pred):
    """Sum over models of each model's MSE: each model's gradient is exactly its own."""
    import tensorflow as tf

    y_true = tf.reshape(tf.cast(y_true, y_pred.dtype), (-1, 1))
    return tf.reduce_sum(tf.reduce_mean(tf.square(y_pred - y_true), axis=0))


def make_early_stopping(keras, x_es: np.ndarray, y_es: np.ndarray, patience: int, reporter: Reporter,
                        progress, on_batch=None):
    """Per-model early stopping with best-weight restore, as a Keras callback."""

    class PerModelEarlyStopping(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.best = None
            self.wait = None
            self.best_weights = [w.copy() for w in self.model.get_weights()]

        def on_train_batch_end(self, batch, logs=None):
            if on_batch is not None:
                on_batch()
            if reporter.cancelled:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            pred = self.model.predict(x_es, batch_size=4096, verbose=0)
            losses = np.mean((pred - y_es[:, None]) ** 2, axis=0)  # (M,)
            if self.best is None:
                self.best = np.full_like(losses, np.inf)
                self.wait = np.zeros(losses.shape, dtype=int)
                self.stopped = np.zeros(losses.shape, dtype=bool)
            # A model that has stopped keeps its best weights, as if trained alone: it goes on
            # computing (it shares the graph) but its later epochs are ignored.
            improved = (losses < self.best) & ~self.stopped
            self.best = np.where(improved, losses, self.best)
            self.wait = np.where(improved, 0, self.wait + (~self.stopped))
            self.stopped |= self.wait >= patience
            if improved.any():
                current = self.model.get_weights()
                for best, now in zip(self.best_weights, current):
                    best[improved] = now[improved]  # every weight has the model axis first
            progress(epoch, losses)
            if self.stopped.all():
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self.model.set_weights(self.best_weights)
            if reporter.cancelled:
                raise Cancelled("cancelled by the user")

    return PerModelEarlyStopping()


class TrainingClock:
    """Estimates how long the training groups will take, from the run's own speed.

    Work is counted in *units* (batches × steps × models, what one training step costs). The
    first ``CALIBRATION_BATCHES`` batches after the graph is built give a rate; the estimate of
    the rest (every group to its full epochs, so an upper bound that early stopping undercuts)
    is emitted once as ``info`` with ``data["estimate_s"]``, and every later progress event
    carries ``data["eta_s"]`` from the rate measured so far: the ETA converges as groups finish.
    """

    CALIBRATION_BATCHES = 10

    def __init__(self, units_per_epoch: list[float], epochs: int, reporter: Reporter):
        self.units_per_epoch = units_per_epoch
        self.epochs = epochs
        self.reporter = reporter
        self.group = 0
        self.epochs_done = 0
        self.measured_units = 0.0
        self.measured_seconds = 0.0
        self.overhead = 0.0  # seconds from fit start to the first finished batch (graph tracing)
        self._batch_start: float | None = None
        self._estimated = False

    def remaining_units(self) -> float:
        current = self.units_per_epoch[self.group] * (self.epochs - self.epochs_done)
        return current + sum(u * self.epochs for u in self.units_per_epoch[self.group + 1:])

    def eta(self) -> float | None:
        if self.measured_units <= 0:
            return None
        rate = self.measured_seconds / self.measured_units
        later_groups = len(self.units_per_epoch) - self.group - 1
        return rate * self.remaining_units() + self.overhead * later_groups

    def start_group(self, index: int) -> None:
        self.group, self.epochs_done = index, 0
        self._fit_started = time.perf_counter()
        self._batch_start = None
        self._batches = 0

    def batch_done(self, units_per_batch: float) -> None:
        now = time.perf_counter()
        if self._batch_start is None:  # the first batch pays for tracing the graph
            if self.group == 0:
                self.overhead = now - self._fit_started
        else:
            self.measured_units += units_per_batch
            self.measured_seconds += now - self._batch_start
        self._batch_start = now
        self._batches += 1
        if not self._estimated and self._batches > self.CALIBRATION_BATCHES:
            self._estimated = True
            estimate = self.eta()
            if estimate is not None:
                self.reporter.info(
                    f"estimated training time: at most {format_seconds(estimate)} "
                    f"(every model to {self.epochs} epochs; early stopping usually ends sooner)",
                    stage="estimate", data={"estimate_s": estimate},
                )

    def epoch_done(self) -> None:
        self.epochs_done += 1
        self._batch_start = None  # the epoch's evaluation is not a training batch


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def fused_predict(prepared, jobs: list[Job], targets: np.ndarray, units: int, budget: Budget,
                  reporter: Reporter, shuffle: bool = True) -> dict[Job, np.ndarray]:
    """Train every job (grouped by lag length) and return scaled predictions at ``targets``."""
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    split = prepared.split
    out: dict[Job, np.ndarray] = {}
    groups = group_lags([job.lag for job in jobs])
    cost = {i: sum(lag for lag in group for job in jobs if job.lag == lag) for i, group in enumerate(groups)}
    total_cost = sum(cost.values())
    done_cost = 0.0
    n_batches = -(-len(split.fit) // budget.batch_size)
    step_units = [max(group) * sum(job.lag in group for job in jobs) for group in groups]
    clock = TrainingClock([n_batches * u for u in step_units], budget.epochs, reporter)
    for index, group in enumerate(groups):
        reporter.check_cancelled()
        clock.start_group(index)
        group_jobs = [job for job in jobs if job.lag in group]
        lags = [job.lag for job in group_jobs]
        max_lag = max(lags)
        reporter.emit(
            "info",
            f"training group {index + 1}/{len(groups)}: lags {', '.join(map(str, group))} "
            f"× {len(group_jobs) // len(group)} seeds ({len(group_jobs)} LSTMs in one model)",
            stage="train", data={"group": group, "models": len(group_jobs)},
        )
        keras.utils.set_random_seed(min(job.seed for job in group_jobs))
        model = build_fused_model(keras, group_jobs, units, max_lag)
        model.compile(optimizer=keras.optimizers.Adam(budget.learning_rate), loss=per_model_mse)
        x_fit = with_masks(prepared.windows(max_lag, split.fit), lags)
        x_es = with_masks(prepared.windows(max_lag, split.early_stop), lags)
        share = cost[index] / total_cost

        def progress(epoch, losses, base=done_cost, share=share, group=group):
            clock.epoch_done()
            reporter.emit(
                "progress", stage="train",
                fraction=min(1.0, base + share * (epoch + 1) / budget.epochs),
                data={"group": group, "epoch": epoch + 1, "val_loss": float(np.min(losses)),
                      "eta_s": clock.eta()},
            )

        model.fit(
            x_fit, prepared.scaled_targets(split.fit).astype("float32"),
            epochs=budget.epochs, batch_size=budget.batch_size, shuffle=shuffle, verbose=0,
            callbacks=[make_early_stopping(keras, x_es, prepared.scaled_targets(split.early_stop),
                                           budget.patience, reporter, progress,
                                           lambda units=step_units[index]: clock.batch_done(units))],
        )
        done_cost += share
        clock.epochs_done = budget.epochs
        reporter.emit("progress", stage="train", fraction=done_cost, data={"eta_s": clock.eta()})
        pred = model.predict(with_masks(prepared.windows(max_lag, targets), lags), batch_size=4096, verbose=0)
        finished = {job: np.asarray(pred[:, column], dtype=float) for column, job in enumerate(group_jobs)}
        out.update(finished)
        keras.backend.clear_session()
        # So a UI can add these lags to its leaderboard while the next group trains.
        reporter.emit("result", f"lags {', '.join(map(str, group))} trained", stage="group",
                      data={"predictions": finished})
    return out
