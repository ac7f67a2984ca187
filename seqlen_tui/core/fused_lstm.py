"""Train many small LSTMs — every candidate lag × seed — in one training step.

Why: an LSTM(16) over a few thousand windows is a few GFLOP per epoch; training one model per
Keras ``fit`` spends the time on per-model, per-step framework overhead, not arithmetic. Here
every model of a run trains in one ``tf.function`` step, and each lag's models (one per seed)
run their whole recurrence as **one** TensorFlow op, ``BlockLSTM`` (the fused LSTM kernel
behind ``tf.compat.v1``'s ``LSTMBlockFusedCell``): the seeds of a lag share the op through a
block-diagonal recurrent matrix, so a step costs a handful of ops per lag instead of a dozen
per time step, and the step loops over 16 batches per call in the graph (:data:`BATCHES_PER_CALL`).
Measured on a 2-core CPU (``benchmarks/bench_engine.py``), training is about 15× faster than
separate fits. The first fused design, a ``keras.layers.RNN`` over a many-model
cell with masks for shorter lags trained by ``Model.fit``, reached 3.8×: per-step op overhead
in the RNN loop, and Keras' tracing of its step, cost the rest.

Each model stays exactly the model the user would train alone (``keras.layers.LSTM(16)`` +
``Dense(1)`` with Keras' Adam, or its stacked form, :func:`..judges.keras_model`; tests compare
them fit for fit):

* model m reads only its last ``L_m`` inputs (each lag's op sees its own window);
* it is initialised as Keras' ``LSTM`` initialises one model (Glorot-uniform kernel,
  orthogonal recurrent kernel, zero bias with forget-gate bias 1, Glorot head), from its
  seed, so its start does not depend on which other models share the step (and lags with the
  same seed start alike: common random numbers, see :func:`initial_weights`);
* the loss is the sum of the per-model MSEs and Adam works elementwise: no parameter is
  shared, so each model's update is exactly the one it would get alone;
* early stopping and best-weight restore are per model; once every seed of a lag has
  stopped, its forecasts are reported at once (a UI shows them while longer lags train on),
  and the lag leaves the step when the work saved outweighs tracing a new one.

Deeper models and dropout keep one op per lag and layer:

* with ``layers`` = 2 or 3, layer k is one more ``BlockLSTM`` over the h sequence the layer
  below returns for every step, with a block-diagonal *input* kernel as well (model m's layer k
  reads only its own layer k−1), and the head reads the last layer's last h; their initial
  weights are Keras' for ``LSTM(units)`` on ``units`` features, drawn from the seed after the
  first layer's (:func:`initial_weights`), so one layer gives the same weights as before;
* ``dropout`` thins each layer's *input* (the window, and the h between layers) while
  training, from masks seeded by each job's seed and the step counter (:func:`dropout_masks`),
  so CPU runs repeat bit for bit and a model's masks do not depend on the models beside it;
  forecasts and the early-stopping scores use no dropout. Recurrent dropout is left out: a
  mask on h inside the recurrence would have to be applied between time steps, which the
  fused op cannot do, so each step would be its own op again (Keras' cuDNN path refuses it
  for the same reason).

``BlockLSTMV2`` would take Keras' gate order directly, but its registered gradient swaps the
forget and cell gates (TensorFlow 2.21, measured against a reference loop; a test guards
this); so the V1 op is used, with the gates permuted and its forget bias and cell clip off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .events import GroupTrained, Reporter, TrainingEstimate
from .names import counted
from .options import MAX_LAYERS
from .tf_runtime import load_tensorflow
from .training import Budget, Job

#: Keras orders an LSTM's gates i, f, c, o; ``BlockLSTM`` wants i, c, f, o.
BLOCK_GATE_ORDER = [0, 2, 1, 3]

#: Training batches per call of the step's loop (:meth:`ModelStack.train_rows`). One Python
#: call per batch cost 14 % of an epoch in dispatch on a 2-core CPU (228 against 196 ms an
#: epoch for 7 lags × 2 seeds, the same weights bit for bit); 16 batches keep most of the
#: saving. A cancel is looked at between calls, so training stops within one call: at most
#: this many batches after the signal, never more than one epoch's training time (an epoch
#: shorter than 16 batches is one call), a fraction of a second in the measurement above
#: (tests/functional/test_cancel_latency.py counts the batches).
BATCHES_PER_CALL = 16

#: Windows per call when forecasting: ``BlockLSTM`` keeps seven (steps, batch, cells) tensors,
#: so long lags forecast in smaller chunks to bound memory to about this many bytes.
FORECAST_CHUNK_BYTES = 128 * 2**20

WEIGHT_NAMES = ("kernel", "recurrent", "bias", "head", "head_bias")
#: The optional linear highway (LSTNet's autoregressive component, Lai et al. 2018): each model
#: adds ``window · highway`` to its forecast, over its own lag; stacked (M, L_max), zeros at start.
HIGHWAY = "highway"


def highway_term(windows, highway, lag: int, max_lag: int, einsum):
    """The highway's share of one lag block's forecasts: windows (batch, lag) → (batch, S)."""
    return einsum("bl,ml->bm", windows, highway[:, max_lag - lag:])


def initial_weights(job: Job, units: int, layers: int = 1) -> dict[str, np.ndarray]:
    """Keras-LSTM-style initial weights for one model, from its seed alone.

    Every lag with the same seed starts from the same weights (their shapes do not depend on
    the lag) and sees the same batch order: *common random numbers*. The lags then differ
    only by what they are meant to differ by, the length of their input, so the comparison
    between lags carries far less training noise than with independent starts — and the
    choice depends less on the base seed.

    Layers 2 and 3 (``kernel_2``, ``recurrent_2``, ``bias_2``, …) start as Keras' ``LSTM(units)``
    on an input of ``units`` features; they are drawn after everything one layer draws, so a
    one-layer model's weights do not depend on ``layers``.
    """
    rng = np.random.default_rng(job.seed)
    gates = 4 * units
    limit = np.sqrt(6.0 / (1 + gates))  # Glorot uniform, fan_in 1, fan_out 4H
    kernel = rng.uniform(-limit, limit, size=(1, gates))
    recurrent = _orthogonal(rng, units)
    head_limit = np.sqrt(6.0 / (units + 1))
    head = rng.uniform(-head_limit, head_limit, size=(units,))
    out = {"kernel": kernel, "recurrent": recurrent, "bias": _unit_forget_bias(units), "head": head,
           "head_bias": np.zeros(1)}
    for layer in range(2, layers + 1):
        deep_limit = np.sqrt(6.0 / (units + gates))  # Glorot uniform, fan_in H, fan_out 4H
        out[f"kernel_{layer}"] = rng.uniform(-deep_limit, deep_limit, size=(units, gates))
        out[f"recurrent_{layer}"] = _orthogonal(rng, units)
        out[f"bias_{layer}"] = _unit_forget_bias(units)
    return out


def _orthogonal(rng: np.random.Generator, units: int) -> np.ndarray:
    """Orthogonal (H, 4H): QR of a Gaussian (4H, H), sign-fixed, transposed (as Keras does)."""
    q, r = np.linalg.qr(rng.standard_normal((4 * units, units)))
    return (q * np.sign(np.diag(r))).T


def _unit_forget_bias(units: int) -> np.ndarray:
    bias = np.zeros(4 * units)
    bias[units : 2 * units] = 1.0  # unit forget bias
    return bias


def deep_weight_names(layers: int) -> tuple[str, ...]:
    """The weights of layers 2…``layers``, layer by layer: kernel (H, 4H), recurrent, bias."""
    return tuple(f"{name}_{layer}" for layer in range(2, layers + 1) for name in ("kernel", "recurrent", "bias"))


def weight_names(layers: int = 1) -> tuple[str, ...]:
    """Every LSTM weight of a ``layers``-deep model, in :func:`block_forecast`'s argument order."""
    return WEIGHT_NAMES + deep_weight_names(layers)


def check_shape(layers: int, dropout: float) -> None:
    """A network the fused step can train (the option schema checks the same bounds first)."""
    if not 1 <= layers <= MAX_LAYERS:
        raise ValueError(f"layers must be 1 to {MAX_LAYERS}, not {layers}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be at least 0 and below 1, not {dropout}")


@dataclass(frozen=True)
class LagBlock:
    """The models of one lag: rows ``start:stop`` of every stacked weight."""

    lag: int
    start: int
    stop: int

    @property
    def models(self) -> int:
        return self.stop - self.start


def lag_blocks(jobs: list[Job]) -> list[LagBlock]:
    """Consecutive runs of equal lag in ``jobs`` (sorted by lag)."""
    blocks: list[LagBlock] = []
    for index, job in enumerate(jobs):
        if blocks and blocks[-1].lag == job.lag:
            blocks[-1] = LagBlock(job.lag, blocks[-1].start, index + 1)
        else:
            blocks.append(LagBlock(job.lag, index, index + 1))
    return blocks


def stacked_initial_weights(jobs: list[Job], units: int, layers: int = 1) -> dict[str, np.ndarray]:
    """Every job's initial weights, model axis first: kernel (M, 4H), recurrent (M, H, 4H),
    bias (M, 4H), head (M, H), head_bias (M,); per layer k ≥ 2 kernel_k and recurrent_k
    (M, H, 4H), bias_k (M, 4H)."""
    weights = [initial_weights(job, units, layers) for job in jobs]
    out = {name: np.stack([w[name] for w in weights]).astype("float32") for name in weight_names(layers)}
    out["kernel"] = out["kernel"][:, 0, :]
    out["head_bias"] = out["head_bias"][:, 0]
    return out


def block_forecast(tf, windows, kernel, recurrent, bias, head, head_bias, *deeper, masks=None):
    """Forecasts of S LSTMs of one lag: windows (batch, lag) → (batch, S), one ``BlockLSTM`` per layer.

    The S models become one LSTM of S·H cells whose recurrent matrix is block-diagonal (so no
    model sees another's state), with the gates laid out gate-major as the op expects.
    Weights are the stacked per-model ones (model axis first, Keras layout). Shapes may be
    dynamic, so one traced graph serves every lag (see :func:`compiled_block_forecast`).

    ``deeper`` holds layers 2… as consecutive (kernel_k, recurrent_k, bias_k): layer k is one
    more ``BlockLSTM`` over the previous layer's h at every step, its input kernel
    block-diagonal too (model m reads only its own h). ``masks`` (training with dropout only):
    one scaled dropout mask per layer, (lag, batch, S) for the window — each model then reads
    its own masked copy, through a block-diagonal input kernel — and (lag, batch, S·H) for the
    h sequence entering each deeper layer (see :func:`dropout_masks`).
    """
    models, units = tf.shape(head)[0], tf.shape(head)[1]
    steps = tf.transpose(windows)[:, :, None]  # (lag, batch, 1), time-major
    if masks is None:  # every model reads the same input: one shared input row
        input_weights = _gate_major(tf, kernel, models, units)[None, :]
    else:
        steps = steps * masks[0]  # (lag, batch, S): model m's own masked window
        input_weights = _block_diagonal(tf, kernel[:, None, :], models, units)
    h = _block_lstm(tf, steps, input_weights, recurrent, bias, models, units)
    for layer in range(len(deeper) // 3):
        layer_kernel, layer_recurrent, layer_bias = deeper[3 * layer : 3 * layer + 3]
        if masks is not None:
            h = h * masks[layer + 1]
        h = _block_lstm(tf, h, _block_diagonal(tf, layer_kernel, models, units), layer_recurrent, layer_bias,
                        models, units)
    last = tf.reshape(h[-1], (-1, models, units))  # every model's h after the last step
    return tf.einsum("bmh,mh->bm", last, head) + head_bias


def _gate_major(tf, w, models, units):
    """(S, 4H) → (4·S·H,), gates in BlockLSTM's order, then model, then unit."""
    w = tf.gather(tf.reshape(w, (models, 4, units)), BLOCK_GATE_ORDER, axis=1)
    return tf.reshape(tf.transpose(w, (1, 0, 2)), (4 * models * units,))


def _block_diagonal(tf, w, models, units):
    """Per-model matrices (S, F, 4H) → one (S·F, 4·S·H): model m's F inputs reach only its own
    gates, laid out gate-major."""
    per_model = tf.gather(tf.reshape(w, (models, -1, 4, units)), BLOCK_GATE_ORDER, axis=2)
    block_diagonal = tf.einsum("mhgk,mn->mhgnk", per_model, tf.eye(models, dtype=per_model.dtype))
    return tf.reshape(block_diagonal, (-1, 4 * models * units))


def _block_lstm(tf, steps, input_weights, recurrent, bias, models, units):
    """One ``BlockLSTM`` of S·H cells over ``steps`` (lag, batch, F); its h at every step."""
    cells = models * units
    weights = tf.concat([input_weights, _block_diagonal(tf, recurrent, models, units)], 0)
    zeros = tf.zeros((tf.shape(steps)[1], cells), dtype=steps.dtype)
    no_peephole = tf.zeros((cells,), dtype=steps.dtype)
    outputs = tf.raw_ops.BlockLSTM(
        seq_len_max=tf.cast(tf.shape(steps)[0], tf.int64), x=steps, cs_prev=zeros, h_prev=zeros,
        w=weights, wci=no_peephole, wcf=no_peephole, wco=no_peephole, b=_gate_major(tf, bias, models, units),
        forget_bias=0.0, cell_clip=-1.0, use_peephole=False,
    )
    return outputs[-1]


#: Counter slots per training step in a dropout mask's seed: (job seed, step · slots + layer).
MASK_SLOTS = 4


def dropout_masks(tf, seeds, step, lag, batch, units, layers, rate):
    """Inverted-dropout masks of one lag block for one training step, one per layer input.

    Model m's masks come from a stateless RNG seeded by (its job's seed, ``step`` · 4 + layer),
    so they repeat bit for bit from run to run and do not depend on which other models share
    the step. Each element of the input sequence — every time step, window and feature — has
    its own draw, as Keras' ``Dropout`` layer before an ``LSTM`` draws them (the Keras
    reference, :func:`..judges.keras_model`): a mask held over the time steps would, on the
    one-feature window, blank whole windows instead of thinning them. Kept units are scaled
    by 1 / (1 − ``rate``). Returns (lag, batch, S) for the window and (lag, batch, S·H) per
    deeper layer (time-major, as :func:`block_forecast` takes them).
    """
    masks = []
    for layer in range(1, layers + 1):
        width = 1 if layer == 1 else units
        seeded = [tf.stack([tf.constant(seed, tf.int64), step * MASK_SLOTS + layer]) for seed in seeds]
        draws = [tf.random.stateless_uniform((lag, batch, width), seed=seed) for seed in seeded]
        masks.append(tf.cast(tf.concat(draws, axis=2) >= rate, tf.float32) / (1.0 - rate))
    return masks


_COMPILED: dict = {}


def compiled_block_forecast(layers: int = 1, dropout: bool = False):
    """:func:`block_forecast` as one ``tf.function`` with fully dynamic shapes (one per depth,
    and per whether it takes dropout masks).

    Why: building the training graph op by op costs about a millisecond per op in Python, and
    each lag (forward and gradient) has dozens of ops; traced once and called per lag, every
    lag after the first adds one call op, and the gradient function is built once too.
    """
    key = ("block", layers, dropout)
    if key not in _COMPILED:
        import tensorflow as tf

        spec = lambda *shape: tf.TensorSpec(shape, tf.float32)  # noqa: E731
        signature = [spec(None, None), spec(None, None), spec(None, None, None), spec(None, None),
                     spec(None, None), spec(None)]
        signature += [spec(None, None, None), spec(None, None, None), spec(None, None)] * (layers - 1)
        weights = len(signature)
        if dropout:
            signature += [spec(None, None, None)] * layers
        _COMPILED[key] = tf.function(
            lambda *args: block_forecast(tf, *args[:weights], masks=list(args[weights:]) if dropout else None),
            autograph=False, reduce_retracing=True, input_signature=signature,
        )
    return _COMPILED[key]


def forecast(weights: dict[str, np.ndarray], windows: np.ndarray, blocks: list[LagBlock],
             only: list[LagBlock] | None = None, layers: int | None = None) -> np.ndarray:
    """Every model's scaled forecast for windows (n, L_max) → (n, M), NaN for lags not asked.

    Eager TensorFlow, one ``BlockLSTM`` call per lag, layer and chunk (chunks bound its
    memory). No dropout: a forecast uses every unit. ``layers`` defaults to the depth the
    weights have (their ``kernel_k`` entries).
    """
    import tensorflow as tf

    n, max_lag = windows.shape
    units = weights["head"].shape[1]
    layers = layers or weight_depth(weights)
    out = np.full((n, weights["head"].shape[0]), np.nan, dtype="float32")
    compiled = compiled_block_forecast(layers)
    for block in blocks if only is None else only:
        rows = slice(block.start, block.stop)
        w = [tf.constant(weights[name][rows]) for name in weight_names(layers)]
        chunk = max(64, FORECAST_CHUNK_BYTES // (7 * 4 * block.lag * block.models * units * layers))
        for first in range(0, n, chunk):
            x = np.ascontiguousarray(windows[first:first + chunk, max_lag - block.lag:], dtype="float32")
            out[first:first + chunk, rows] = compiled(tf.constant(x), *w).numpy()
            if HIGHWAY in weights:
                out[first:first + chunk, rows] += highway_term(
                    x, weights[HIGHWAY][rows], block.lag, weights[HIGHWAY].shape[1], np.einsum)
    return out


def weight_depth(weights: dict[str, np.ndarray]) -> int:
    """How many LSTM layers a weight dictionary holds."""
    return 1 + sum(1 for name in weights if name.startswith("kernel_"))


def layer_work(layers: int, units: int) -> float:
    """A model's work per window step relative to one layer, counted by each layer's inputs
    (window or h) plus its recurrent h: the first reads 1 + H, each deeper one H + H. Simple
    on purpose: the ETA's rate is measured on the run itself, so only the ratio between
    models matters, and every model of a step has the same depth."""
    return 1.0 + (layers - 1) * 2.0 * units / (1.0 + units)


class ModelStack:
    """Every model's weights (stacked, model axis first) and their Adam training step.

    The step is one ``tf.function``: each running lag's models forecast the batch through
    :func:`compiled_block_forecast`, the loss is the sum of the per-model MSEs, and Adam
    updates every weight elementwise exactly as ``keras.optimizers.Adam`` does (β₁ 0.9,
    β₂ 0.999, ε 1e-7), so each model moves as it would alone. Each model has its own
    learning rate (``rates``), which :class:`EarlyStopping` lowers on that model's plateau
    as Keras' ``ReduceLROnPlateau`` would. Lags whose models have all
    stopped can be left out of the step (:meth:`use_lags`), which costs one new trace.
    Given the fit windows (:meth:`hold_fit_data`), :meth:`train_rows` runs many batches in
    one call, a graph loop over the same step.

    ``layers`` (1–3) stacks LSTMs per model (:func:`block_forecast`); ``dropout`` (0 ≤ p < 1)
    drops each layer's inputs while training, from seeded masks (:func:`dropout_masks`, the
    step counter ``iterations`` in their seed), never when forecasting.
    """

    BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7

    def __init__(self, jobs: list[Job], units: int, learning_rate: float, highway: bool = False,
                 layers: int = 1, dropout: float = 0.0):
        import tensorflow as tf

        check_shape(layers, dropout)
        self.tf = tf
        self.blocks = lag_blocks(jobs)
        self.max_lag = max(job.lag for job in jobs)
        self.learning_rate = learning_rate
        self.units, self.layers, self.dropout = units, layers, dropout
        self.seeds = [job.seed for job in jobs]
        start = stacked_initial_weights(jobs, units, layers)
        self.variables = {name: tf.Variable(start[name], name=name) for name in weight_names(layers)}
        if highway:
            self.variables[HIGHWAY] = tf.Variable(np.zeros((len(jobs), self.max_lag), "float32"), name=HIGHWAY)
        self.moments = [tf.Variable(tf.zeros_like(v)) for v in self.variables.values()]
        self.velocities = [tf.Variable(tf.zeros_like(v)) for v in self.variables.values()]
        self.rates = tf.Variable(np.full(len(jobs), learning_rate, dtype="float32"), name="rates")
        self.iterations = tf.Variable(0.0)
        self.step = None
        self.train_loop = None
        self.fit_windows = self.fit_targets = None
        self.batch_size = 0
        self.use_lags(self.blocks)

    def hold_fit_data(self, windows: np.ndarray, targets: np.ndarray, batch_size: int) -> None:
        """Keep the fit windows on the device, for :meth:`train_rows`."""
        tf = self.tf
        self.fit_windows = tf.constant(np.ascontiguousarray(windows, dtype="float32"))
        self.fit_targets = tf.constant(np.ascontiguousarray(targets, dtype="float32"))
        self.batch_size = batch_size
        self.use_lags(self.step_blocks)

    def use_lags(self, blocks: list[LagBlock]) -> None:
        """Build the training step for these lags (traced on its first call)."""
        tf, max_lag, variables = self.tf, self.max_lag, list(self.variables.values())
        compiled = compiled_block_forecast(self.layers, self.dropout > 0)
        rates = self.rates

        lstm_weights = [self.variables[name] for name in weight_names(self.layers)]
        highway = self.variables.get(HIGHWAY)

        def forecast_batch(windows):
            out = []
            for block in blocks:
                x = windows[:, max_lag - block.lag:]
                y = compiled(x, *[v[block.start:block.stop] for v in lstm_weights], *self.training_masks(block, x))
                if highway is not None:
                    y = y + highway_term(x, highway[block.start:block.stop], block.lag, max_lag, tf.einsum)
                out.append(y)
            return out

        def update(windows, targets):
            with tf.GradientTape() as tape:
                errors = tf.concat(forecast_batch(windows), axis=1) - targets[:, None]
                loss = tf.reduce_sum(tf.reduce_mean(tf.square(errors), axis=0))
            gradients = tape.gradient(loss, variables)
            self.iterations.assign_add(1.0)
            t = self.iterations
            alpha = rates * tf.sqrt(1 - self.BETA_2**t) / (1 - self.BETA_1**t)
            for variable, gradient, moment, velocity in zip(variables, gradients, self.moments, self.velocities):
                moment.assign_add((gradient - moment) * (1 - self.BETA_1))
                velocity.assign_add((tf.square(gradient) - velocity) * (1 - self.BETA_2))
                per_model = tf.reshape(alpha, [-1] + [1] * (len(variable.shape) - 1))
                variable.assign_sub(per_model * moment / (tf.sqrt(velocity) + self.EPSILON))
            return loss

        self.step = tf.function(update, autograph=False, input_signature=[
            tf.TensorSpec((None, max_lag), tf.float32), tf.TensorSpec((None,), tf.float32)])
        self.step_blocks = blocks
        if self.fit_windows is not None:
            self.train_loop = self._train_loop(update)

    def training_masks(self, block: LagBlock, windows) -> list:
        """This step's dropout masks for one lag block (none without dropout)."""
        if self.dropout <= 0:
            return []
        tf = self.tf
        step = tf.cast(self.iterations, tf.int64)  # read before the step counts itself
        return dropout_masks(tf, self.seeds[block.start:block.stop], step, block.lag, tf.shape(windows)[0],
                             self.units, self.layers, self.dropout)

    def _train_loop(self, update):
        """``update`` (the step's ops) over consecutive batches of the given rows of the held fit
        windows, as a graph loop: one call instead of one per batch, the same updates in the
        same order. The ops are built into the loop itself, not called as the traced step: a
        nested function doubled the time to build and optimise each new graph."""
        tf, size = self.tf, self.batch_size

        @tf.function(autograph=False, input_signature=[
            tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None, self.max_lag), tf.float32),
            tf.TensorSpec((None,), tf.float32)])
        def train_loop(rows, windows, targets):
            # The fit windows come in as arguments, not captured constants: a captured array is
            # copied into every new graph (and folded by its optimiser), at a cost that grows
            # with the series.
            def one_batch(first):
                batch = rows[first:first + size]
                with tf.control_dependencies([update(tf.gather(windows, batch), tf.gather(targets, batch))]):
                    return first + size

            tf.while_loop(lambda first: first < tf.shape(rows)[0], one_batch, [tf.constant(0)],
                          parallel_iterations=1)  # batch after batch

        return train_loop

    def train_batch(self, windows: np.ndarray, targets: np.ndarray) -> None:
        self.step(self.tf.constant(windows), self.tf.constant(targets))

    def train_rows(self, rows: np.ndarray) -> None:
        """Train on ``rows`` of the held fit windows, ``batch_size`` at a time, in one call."""
        self.train_loop(self.tf.constant(rows, dtype=self.tf.int32), self.fit_windows, self.fit_targets)

    def weights_now(self) -> dict[str, np.ndarray]:
        return {name: np.array(v.numpy()) for name, v in self.variables.items()}


class TrainingClock:
    """Estimates how long training will take, from the run's own speed.

    Work is counted in *units*: one unit is one model reading one window step in one training
    batch, so a batch costs the sum of the running models' lags. The first
    ``CALIBRATION_BATCHES`` batches after the graph is built give a rate (wall time per unit,
    the epochs' evaluations included); the estimate of the
    rest (every model to its full epochs, so an upper bound that early stopping undercuts) is
    emitted once as ``info`` with ``data["estimate_s"]``; every later progress event carries
    ``data["eta_s"]`` from the rate measured so far, and the ETA converges as models stop.
    """

    CALIBRATION_BATCHES = 10

    def __init__(self, batches_per_epoch: int, epochs: int, reporter: Reporter):
        self.batches_per_epoch = batches_per_epoch
        self.epochs = epochs
        self.reporter = reporter
        self.epochs_done = 0
        self.batches = 0
        self.done_units = 0.0
        self.measured_units = 0.0
        self.measured_seconds = 0.0
        self._batch_start: float | None = None
        self._estimated = False

    def remaining_units(self, units_per_batch: float) -> float:
        """The work left if every running model trains to the last epoch."""
        return units_per_batch * self.batches_per_epoch * (self.epochs - self.epochs_done)

    def eta(self, units_per_batch: float) -> float | None:
        if self.measured_units <= 0:
            return None
        return self.measured_seconds / self.measured_units * self.remaining_units(units_per_batch)

    def fraction(self, units_per_batch: float) -> float:
        """Share of the training done: work done over work done plus work left."""
        total = self.done_units + self.remaining_units(units_per_batch)
        return self.done_units / total if total > 0 else 1.0

    def batches_done(self, units_per_batch: float, count: int = 1) -> None:
        """``count`` batches of ``units_per_batch`` each were trained since the last call."""
        now = time.perf_counter()
        self.done_units += units_per_batch * count
        if self._batch_start is not None:  # the first call also pays for tracing the graph
            self.measured_units += units_per_batch * count
            self.measured_seconds += now - self._batch_start
        self._batch_start = now
        self.batches += count
        if not self._estimated and self.batches > self.CALIBRATION_BATCHES:
            self._estimated = True
            estimate = self.eta(units_per_batch)
            if estimate is not None:
                self.reporter.send(TrainingEstimate(
                    message=f"estimated training time: at most {format_seconds(estimate)} "
                    f"(every model to {self.epochs} epochs; early stopping usually ends sooner)",
                    seconds=estimate))

    def retraced(self) -> None:
        """A new step was built: its first batch pays for tracing, not training."""
        self._batch_start = None

    def epoch_done(self) -> None:
        # The epoch's evaluation is timed with the next batch, so the rate includes it.
        self.epochs_done += 1


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class EarlyStopping:
    """Per-model early stopping with best-weight restore, and the learning rate's decay.

    After every epoch each running model is scored on the early-stopping windows; a model
    that has not improved for ``budget.patience`` epochs stops (its best weights are kept, as
    if it trained alone); one that has not improved for ``budget.plateau_patience`` epochs
    since its last improvement or decay has its learning rate multiplied by
    ``budget.lr_factor`` (Keras' ``ReduceLROnPlateau``); an improvement must exceed
    ``budget.min_delta``, as Keras counts one. A lag is done
    when every one of its models has stopped. ``epochs[m]`` counts model m's epochs.
    """

    def __init__(self, stack, blocks: list[LagBlock], x_es: np.ndarray, y_es: np.ndarray, budget: Budget):
        self.stack, self.blocks = stack, blocks
        self.x_es, self.y_es, self.budget = x_es, y_es, budget
        self.patience = budget.patience
        self.best_weights = stack.weights_now()
        models = blocks[-1].stop
        self.best = np.full(models, np.inf)
        self.wait = np.zeros(models, dtype=int)
        self.plateau_wait = np.zeros(models, dtype=int)
        self.rates = np.full(models, budget.learning_rate)
        self.epochs = np.zeros(models, dtype=int)
        self.stopped = np.zeros(models, dtype=bool)
        self.done: list[LagBlock] = []

    @property
    def running(self) -> list[LagBlock]:
        return [block for block in self.blocks if block not in self.done]

    def units_per_batch(self) -> float:
        """The running models' work per batch: window steps, times :func:`layer_work` when deeper."""
        steps = float(sum(block.lag * block.models for block in self.running))
        return steps * layer_work(self.stack.layers, self.stack.units)

    def epoch_end(self) -> tuple[np.ndarray, list[LagBlock]]:
        """Score the running models; returns their losses and the lags that have just finished."""
        running = self.running
        now = self.stack.weights_now()
        losses = np.mean((forecast(now, self.x_es, self.blocks, running) - self.y_es[:, None]) ** 2, axis=0)
        improved = self.record(losses)
        for name, best in self.best_weights.items():
            best[improved] = now[name][improved]  # every weight has the model axis first
        finished = [block for block in running if self.stopped[block.start:block.stop].all()]
        self.done.extend(finished)
        return losses, finished

    def record(self, losses: np.ndarray) -> np.ndarray:
        """Count an epoch of every running model (NaN: a lag not scored); returns which
        improved by more than ``min_delta``. Stops the patient ones and lowers rates."""
        running_now = ~np.isnan(losses) & ~self.stopped
        self.epochs += running_now
        improved = running_now & (losses < self.best - self.budget.min_delta)
        self.best = np.where(improved, losses, self.best)
        self.wait = np.where(improved, 0, self.wait + running_now)
        self.stopped |= self.wait >= self.patience
        self.decay(improved, running_now)
        return improved

    def decay(self, improved: np.ndarray, running: np.ndarray) -> None:
        """Lower the rate of each running model on a plateau of ``plateau_patience`` epochs."""
        plateau = self.budget.plateau_patience
        if plateau is None:
            return
        self.plateau_wait = np.where(improved, 0, self.plateau_wait + (running & ~improved))
        lower = (self.plateau_wait >= plateau) & (self.rates > self.budget.min_learning_rate)
        if lower.any():
            self.rates = np.where(lower, np.maximum(self.rates * self.budget.lr_factor,
                                                    self.budget.min_learning_rate), self.rates)
            self.plateau_wait = np.where(lower, 0, self.plateau_wait)
            self.stack.rates.assign(self.rates.astype("float32"))


def deterministic_batch(budget: Budget, jobs: list[Job], units: int) -> Budget:
    """The batch capped at 4 × units × the fewest seeds of any lag in this training step.

    On a GPU, the bias gradient's reduction inside ``BlockLSTMGrad`` turns atomic (not
    bit-reproducible) above 4 × the cells of a lag (``../shared/GUIDE.md`` §7). The cap holds on
    every device, so a CPU and a GPU train the same models and give the same picks (the
    standard budget's 64 never needs it; a batch of 128 would train a race round that adds one
    seed per lag at 64).
    """
    from dataclasses import replace

    fewest = min(block.models for block in lag_blocks(sorted(jobs)))
    limit = 4 * units * fewest
    return budget if budget.batch_size <= limit else replace(budget, batch_size=limit)


def fused_predict(prepared, jobs: list[Job], targets: np.ndarray, units: int, budget: Budget,
                  reporter: Reporter, shuffle: bool = True, highway: bool = False,
                  device: str | None = None, layers: int = 1, dropout: float = 0.0) -> dict[Job, np.ndarray]:
    """Train every job together and return scaled predictions at ``targets``.

    Emits ``result`` events (stage ``group``, ``data["predictions"]``) as each lag finishes,
    so a UI can add its row while the other lags train. Batches are drawn in one shuffled
    order per epoch (from the smallest seed), shared by every model. ``layers`` LSTMs deep
    (1–3), ``dropout`` on each layer's inputs while training (see :class:`ModelStack`).
    """
    load_tensorflow()
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    check_shape(layers, dropout)
    shape = {"layers": layers, "dropout": dropout}
    budget = deterministic_batch(budget, jobs, units)
    on_gpu = device.startswith("/GPU") if device else bool(tf.config.list_logical_devices("GPU"))
    try:
        if device is None:
            return _train_and_predict(prepared, jobs, targets, units, budget, reporter, shuffle, highway, **shape)
        with tf.device(device):
            return _train_and_predict(prepared, jobs, targets, units, budget, reporter, shuffle, highway, **shape)
    except tf.errors.OpError as error:
        # A GPU build without BlockLSTM's kernel (or without a deterministic one) fails on
        # the first step, before any result is out: train on the CPU rather than fail the run.
        if not on_gpu:
            raise
        reporter.warning(
            f"the GPU could not run the fused LSTM ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:160]}); training on the CPU instead", stage="train")
        with tf.device("/CPU:0"):
            return _train_and_predict(prepared, jobs, targets, units, budget, reporter, shuffle, highway, **shape)


def _train_and_predict(prepared, jobs: list[Job], targets: np.ndarray, units: int, budget: Budget,
                       reporter: Reporter, shuffle: bool, highway: bool = False, layers: int = 1,
                       dropout: float = 0.0) -> dict[Job, np.ndarray]:
    jobs = sorted(jobs)
    split = prepared.split
    stack = ModelStack(jobs, units, budget.learning_rate, highway, layers=layers, dropout=dropout)
    blocks, max_lag = stack.blocks, stack.max_lag
    x_fit = prepared.windows(max_lag, split.fit)
    stack.hold_fit_data(x_fit, prepared.scaled_targets(split.fit), budget.batch_size)
    stopping = EarlyStopping(stack, blocks, prepared.windows(max_lag, split.early_stop),
                             prepared.scaled_targets(split.early_stop), budget)
    batches = -(-len(x_fit) // budget.batch_size)
    clock = TrainingClock(batches, budget.epochs, reporter)
    x_targets = prepared.windows(max_lag, targets)
    rng = np.random.default_rng(min(job.seed for job in jobs))
    out: dict[Job, np.ndarray] = {}

    def report(finished: list[LagBlock], why: str) -> None:
        if not finished:
            return
        pred = forecast(stopping.best_weights, x_targets, blocks, finished)
        done = {jobs[m]: pred[:, m].astype(float) for block in finished for m in range(block.start, block.stop)}
        out.update(done)
        lags = ", ".join(str(block.lag) for block in finished)
        members = [m for block in finished for m in range(block.start, block.stop)]
        reporter.send(GroupTrained(f"lag{'s' if len(finished) > 1 else ''} {lags} {why}", predictions=done,
                                   stopped_early={jobs[m]: bool(stopping.stopped[m]) for m in members},
                                   epochs={jobs[m]: int(stopping.epochs[m]) for m in members}))

    reporter.info(f"training lags {', '.join(str(block.lag) for block in blocks)} × "
                  f"{counted(len(jobs) // len(blocks), 'seed')} ({counted(len(jobs), 'LSTM')} in one training step)", stage="train")
    traced_units = stopping.units_per_batch()  # the work of the step as it is traced now
    trace_seconds = None
    rows_per_call = BATCHES_PER_CALL * budget.batch_size
    for epoch in range(budget.epochs):
        order = rng.permutation(len(x_fit)) if shuffle else np.arange(len(x_fit))
        for first in range(0, len(x_fit), rows_per_call):
            reporter.check_cancelled()  # between calls: a cancel stops within one call's batches
            rows = order[first:first + rows_per_call]
            started = time.perf_counter()
            stack.train_rows(rows)
            if trace_seconds is None:
                trace_seconds = time.perf_counter() - started
            clock.batches_done(traced_units, -(-len(rows) // budget.batch_size))
        losses, finished = stopping.epoch_end()
        clock.epoch_done()
        report(finished, f"stopped improving by epoch {epoch + 1}")
        running_units = stopping.units_per_batch()
        if finished and running_units and worth_retracing(clock, traced_units - running_units, trace_seconds):
            stack.use_lags(stopping.running)
            clock.retraced()
            traced_units = running_units
        reporter.progress(clock.fraction(traced_units), stage="train", eta_s=clock.eta(traced_units),
                          lags=tuple(block.lag for block in stopping.running or finished),
                          epoch=epoch + 1, val_loss=float(np.nanmin(losses)))
        if not stopping.running:
            break
    report(stopping.running, f"trained to {budget.epochs} epochs")
    reporter.progress(1.0, stage="train", eta_s=0.0)
    return out


def worth_retracing(clock: TrainingClock, saved_units: float, trace_seconds: float | None) -> bool:
    """Leave finished lags out of the step when the work they would still cost (every batch
    of the remaining epochs) outweighs tracing a new step, which costs about what the first did."""
    if clock.measured_units <= 0 or trace_seconds is None:
        return False
    seconds_per_unit = clock.measured_seconds / clock.measured_units
    return seconds_per_unit * clock.remaining_units(saved_units) > trace_seconds
