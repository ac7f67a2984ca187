"""The fused many-LSTM model equals separate Keras fits, model by model."""

from __future__ import annotations

import numpy as np
import pytest

from seqlen_tui.core.device import reference_forecast
from seqlen_tui.core.events import Caution, GroupTrained, Progress, Reporter, TrainingEstimate
from seqlen_tui.core.fused_lstm import (
    LagBlock,
    ModelStack,
    TrainingClock,
    block_forecast,
    format_seconds,
    lag_blocks,
    stacked_initial_weights,
    worth_retracing,
)
from seqlen_tui.core.judges import LSTMJudge
from seqlen_tui.core.training import Budget, Job
from seqlen_tui.core.windows import prepare
from synthetic import random_profile


def test_lag_blocks_are_the_runs_of_equal_lag():
    jobs = [Job(lag, seed) for lag in (3, 6, 24) for seed in (1, 2)]
    assert lag_blocks(jobs) == [LagBlock(3, 0, 2), LagBlock(6, 2, 4), LagBlock(24, 4, 6)]
    assert [block.models for block in lag_blocks(jobs)] == [2, 2, 2]


def test_block_lstm_forward_and_gradient_equal_a_plain_lstm_per_model():
    """Guards the gate order and the block-diagonal layout, and the op's gradient: TF's
    BlockLSTMV2 gradient swaps two gates, which a forward-only check would not see."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    weights = stacked_initial_weights([Job(5, seed) for seed in (1, 2, 3)], units=4)
    weights["bias"] += rng.normal(0, 0.3, weights["bias"].shape).astype("float32")  # every gate differs
    windows = rng.standard_normal((7, 5)).astype("float32")
    got = block_forecast(tf, tf.constant(windows), *[tf.constant(weights[k]) for k in weights]).numpy()
    np.testing.assert_allclose(got, reference_forecast(windows, weights), atol=1e-5)

    def gradients(forward):
        variables = {k: tf.Variable(v) for k, v in weights.items()}
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(forward(variables) ** 2)
        return tape.gradient(loss, list(variables.values()))

    def loop(variables):  # the same models as plain TensorFlow ops, one step at a time
        h = tf.zeros((7, 3, 4))
        c = tf.zeros((7, 3, 4))
        for t in range(5):
            z = (windows[:, t, None, None] * variables["kernel"][None]
                 + tf.einsum("bmh,mhg->bmg", h, variables["recurrent"]) + variables["bias"])
            i, f, g, o = tf.split(z, 4, axis=-1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h = tf.sigmoid(o) * tf.tanh(c)
        return tf.einsum("bmh,mh->bm", h, variables["head"]) + variables["head_bias"]

    block = gradients(lambda v: block_forecast(tf, tf.constant(windows), *v.values()))
    for got_grad, want_grad in zip(block, gradients(loop)):
        np.testing.assert_allclose(got_grad.numpy(), want_grad.numpy(), atol=1e-5)


@pytest.mark.slow
def test_fused_training_matches_separate_fits():
    n = 24 * 40
    levels = 50 + np.linspace(0, 30, n) + 4 * random_profile(24, n, noise=0.4, seed=8)
    prepared = prepare(levels, "diff", max_lag=12)
    targets = prepared.split.val
    # Two models in one lag block, one in another: each job is one separate Keras fit, this
    # test's cost. A rate that overshoots, halved after each flat epoch, so the decay is exercised
    # too (measured: both lag-3 models have their rate halved, one from epoch 4 and one at epoch 6,
    # so one block holds models at different rates; the lag-6 model keeps its rate).
    jobs = [Job(3, 1), Job(3, 2), Job(6, 1)]
    budget = Budget(epochs=6, patience=4, batch_size=64, learning_rate=0.1, plateau_patience=1, min_delta=1e-3)
    events = []
    fused = LSTMJudge(budget=budget, fused=True, shuffle=False).predict(prepared, jobs, targets,
                                                                       Reporter(events.append))
    separate = LSTMJudge(budget=budget, fused=False, shuffle=False).predict(prepared, jobs, targets, Reporter())
    for job in jobs:
        np.testing.assert_allclose(fused[job], separate[job], atol=1e-4)
    # Different seeds really are different models.
    assert np.max(np.abs(fused[jobs[0]] - fused[jobs[1]])) > 1e-3
    # The run estimated its duration, reported a finite ETA, a rising fraction and each lag's predictions.
    assert [e for e in events if isinstance(e, TrainingEstimate) and e.seconds > 0]
    progress = [e for e in events if isinstance(e, Progress)]
    etas = [e.eta_s for e in progress if e.eta_s is not None]
    assert all(e.lags and e.epoch >= 1 for e in progress[:-1])  # which lags, which epoch
    assert etas and etas[-1] == 0
    fractions = [e.fraction for e in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    groups = [e.predictions for e in events if isinstance(e, GroupTrained)]
    assert sorted(job for group in groups for job in group) == sorted(jobs)
    epochs = {job: n for e in events if isinstance(e, GroupTrained) for job, n in e.epochs.items()}
    assert sorted(epochs) == sorted(jobs) and all(1 <= n <= 6 for n in epochs.values())


def test_the_graph_loop_trains_exactly_as_one_call_per_batch():
    """Many batches per call (a graph loop, for speed) must give the same weights bit for bit
    as one step per batch: batches in order, the short last one included, and after the step
    is rebuilt for fewer lags."""
    rng = np.random.default_rng(5)
    windows = rng.standard_normal((150, 8)).astype("float32")
    targets = rng.standard_normal(150).astype("float32")
    jobs = [Job(lag, seed) for lag in (3, 8) for seed in (1, 2)]
    order = rng.permutation(150)
    looped, stepped = ModelStack(jobs, 16, 1e-2), ModelStack(jobs, 16, 1e-2)
    looped.hold_fit_data(windows, targets, batch_size=32)
    for blocks in (looped.blocks, looped.blocks[1:]):
        looped.use_lags(blocks)
        stepped.use_lags(blocks)
        looped.train_rows(order[:96])  # three batches in one call
        looped.train_rows(order[96:])  # 32 and the short 22
        for first in range(0, 150, 32):
            rows = order[first:first + 32]
            stepped.train_batch(windows[rows], targets[rows])
    after_loop, after_steps = looped.weights_now(), stepped.weights_now()
    assert all(np.array_equal(after_loop[name], after_steps[name]) for name in after_steps)
    assert not np.array_equal(after_loop["kernel"], stacked_initial_weights(jobs, 16)["kernel"])


def test_training_clock_counts_the_work_left_for_the_running_models():
    clock = TrainingClock(batches_per_epoch=10, epochs=5, reporter=Reporter())
    assert clock.eta(30.0) is None  # nothing measured yet
    clock.batches_done(30.0, count=2)  # the first call traces the graph: not timed
    assert clock.measured_units == 0 and clock.done_units == 60
    clock.measured_units, clock.measured_seconds = 300.0, 3.0  # 0.01 s per unit
    clock.epochs_done = 2
    assert clock.remaining_units(30.0) == 30 * 10 * 3
    assert clock.eta(30.0) == pytest.approx(0.01 * 900)
    # Models that stop early take their work out of the estimate at once.
    assert clock.eta(6.0) == pytest.approx(0.01 * 180)
    assert clock.fraction(30.0) == pytest.approx(60 / (60 + 900))
    clock.epochs_done = 5
    assert clock.eta(30.0) == 0 and clock.fraction(30.0) == 1.0


def test_finished_lags_leave_the_step_only_when_the_saving_beats_a_new_trace():
    clock = TrainingClock(batches_per_epoch=50, epochs=40, reporter=Reporter())
    assert not worth_retracing(clock, 100.0, trace_seconds=1.0)  # no speed measured yet
    clock.measured_units, clock.measured_seconds = 100_000.0, 1.0  # 1e-5 s per unit
    clock.epochs_done = 10
    # A lag of 168 × 3 seeds left for 30 epochs of 50 batches: 7.6 s of work, more than a 1 s trace.
    assert worth_retracing(clock, 168 * 3, trace_seconds=1.0)
    # A lag of 1 × 3 seeds would save 0.05 s: not worth a trace.
    assert not worth_retracing(clock, 3, trace_seconds=1.0)
    clock.epochs_done = 39  # one epoch left (0.25 s): not worth it even for the long lag
    assert not worth_retracing(clock, 168 * 3, trace_seconds=1.0)


def test_format_seconds_reads_naturally():
    assert format_seconds(42.4) == "42 s"
    assert format_seconds(125) == "2 min 05 s"
    assert format_seconds(3 * 3600 + 61) == "3 h 01 min"


def test_a_gpu_that_cannot_run_the_fused_step_falls_back_to_the_cpu(monkeypatch):
    """No GPU here: simulate one whose first fused step fails (a missing kernel), and check
    the run warns and trains on the CPU instead of failing."""
    import tensorflow as tf

    from seqlen_tui.core import fused_lstm

    real_train_rows = fused_lstm.ModelStack.train_rows
    calls = {"n": 0}

    def failing_once(self, rows):
        calls["n"] += 1
        if calls["n"] == 1:
            raise tf.errors.NotFoundError(None, None, "No registered 'BlockLSTM' OpKernel for 'GPU'")
        return real_train_rows(self, rows)

    monkeypatch.setattr(fused_lstm.ModelStack, "train_rows", failing_once)
    monkeypatch.setattr(tf.config, "list_logical_devices", lambda kind=None: ["GPU:0"] if kind == "GPU" else [])
    n = 24 * 20
    prepared = prepare(50 + 4 * random_profile(24, n, noise=0.4, seed=8), "diff", max_lag=6)
    jobs = [Job(3, 1), Job(6, 1)]
    events = []
    out = LSTMJudge(budget=Budget(epochs=1, patience=1, batch_size=64, learning_rate=3e-3)).predict(
        prepared, jobs, prepared.split.val, Reporter(events.append))
    assert sorted(out) == jobs and all(np.isfinite(p).all() for p in out.values())
    warnings = [e.message for e in events if isinstance(e, Caution)]
    assert any("training on the CPU instead" in w and "BlockLSTM" in w for w in warnings)


def test_without_a_gpu_a_failing_step_is_not_hidden(monkeypatch):
    import tensorflow as tf

    from seqlen_tui.core import fused_lstm

    def failing(self, rows):
        raise tf.errors.InternalError(None, None, "boom")

    monkeypatch.setattr(fused_lstm.ModelStack, "train_rows", failing)
    prepared = prepare(50 + 4 * random_profile(24, 24 * 20, noise=0.4, seed=8), "diff", max_lag=6)
    with pytest.raises(tf.errors.InternalError):
        LSTMJudge(budget=Budget(epochs=1, patience=1, batch_size=64, learning_rate=3e-3)).predict(
            prepared, [Job(3, 1)], prepared.split.val, Reporter())


@pytest.mark.slow
def test_fused_training_with_the_linear_highway_matches_separate_keras_fits():
    """LSTNet's highway (a linear map of the window added to the LSTM's forecast) trains in the
    fused step exactly as the Keras model with an ``Add`` of the two does."""
    n = 24 * 30
    levels = 50 + 4 * random_profile(24, n, noise=0.4, seed=3)
    prepared = prepare(levels, "diff", max_lag=8)
    targets = prepared.split.val
    # Two models in the first lag block, one in the second: the highway's weights are placed per
    # model inside a block and per block (the seeds' independence is the test above's). Each job
    # is one separate Keras fit, the cost of this test.
    jobs = [Job(4, 1), Job(4, 2), Job(8, 1)]
    budget = Budget(epochs=3, patience=3, batch_size=64, learning_rate=1e-2, plateau_patience=1)
    fused = LSTMJudge(budget=budget, shuffle=False, highway=True).predict(prepared, jobs, targets)
    separate = LSTMJudge(budget=budget, fused=False, shuffle=False, highway=True).predict(prepared, jobs, targets)
    plain = LSTMJudge(budget=budget, shuffle=False).predict(prepared, jobs, targets)
    for job in jobs:
        np.testing.assert_allclose(fused[job], separate[job], atol=1e-4)
        assert np.max(np.abs(fused[job] - plain[job])) > 1e-3  # the highway changed the model
