"""Stacked layers and dropout in the fused step: the same models as Keras builds them."""

from __future__ import annotations

import numpy as np
import pytest

from seqlen_tui.core.fused_lstm import (
    LagBlock,
    ModelStack,
    block_forecast,
    dropout_masks,
    forecast,
    initial_weights,
    layer_work,
    stacked_initial_weights,
    weight_names,
)
from seqlen_tui.core.judges import LSTMJudge, keras_model, lstm_layer_name
from seqlen_tui.core.training import Budget, Job
from seqlen_tui.core.windows import prepare
from synthetic import random_profile

LAG, UNITS, SEEDS = 5, 4, (1, 2, 3)


def stacked(layers: int) -> dict[str, np.ndarray]:
    """Three models of one lag, every bias perturbed so that each gate differs."""
    rng = np.random.default_rng(layers)
    weights = stacked_initial_weights([Job(LAG, seed) for seed in SEEDS], UNITS, layers)
    for name in weights:
        if name.startswith("bias"):
            weights[name] += rng.normal(0, 0.3, weights[name].shape).astype("float32")
    return weights


def keras_twin(keras, weights: dict[str, np.ndarray], m: int, layers: int, masked: bool = False):
    """Model m of the stack as ``keras_model`` builds it (with ``masked``: a functional twin whose
    layer inputs are multiplied by masks given as extra inputs), with the same weights."""
    if masked:
        inputs = [keras.Input((LAG, 1))] + [keras.Input((LAG, 1 if k == 1 else UNITS)) for k in range(1, layers + 1)]
        h = inputs[0]
        for k in range(1, layers + 1):
            h = keras.layers.Multiply()([h, inputs[k]])
            h = keras.layers.LSTM(UNITS, return_sequences=k < layers, name=lstm_layer_name(k))(h)
        model = keras.Model(inputs, keras.layers.Dense(1, name="head")(h))
    else:
        model = keras_model(keras, LAG, UNITS, layers=layers)
    model.get_layer("lstm").set_weights([weights["kernel"][m][None, :], weights["recurrent"][m], weights["bias"][m]])
    for k in range(2, layers + 1):
        model.get_layer(lstm_layer_name(k)).set_weights(
            [weights[f"{name}_{k}"][m] for name in ("kernel", "recurrent", "bias")])
    model.get_layer("head").set_weights([weights["head"][m][:, None], weights["head_bias"][m:m + 1]])
    return model


def keras_gradients(model, layers: int) -> dict[str, np.ndarray]:
    """The fused names of a Keras model's weights, for comparing gradients."""
    names = {}
    for k in range(1, layers + 1):
        suffix = "" if k == 1 else f"_{k}"
        kernel, recurrent, bias = model.get_layer(lstm_layer_name(k)).trainable_weights
        names.update({f"kernel{suffix}": kernel, f"recurrent{suffix}": recurrent, f"bias{suffix}": bias})
    names["head"], names["head_bias"] = model.get_layer("head").trainable_weights
    return names


def compare_with_keras(layers: int, masks: list[np.ndarray] | None = None) -> None:
    import keras
    import tensorflow as tf

    weights = stacked(layers)
    windows = np.random.default_rng(7).standard_normal((6, LAG)).astype("float32")
    variables = {name: tf.Variable(weights[name]) for name in weight_names(layers)}
    with tf.GradientTape() as tape:
        fused = block_forecast(tf, tf.constant(windows), *variables.values(),
                               masks=None if masks is None else [tf.constant(mask) for mask in masks])
        loss = tf.reduce_sum(fused**2)
    fused_gradients = dict(zip(variables, tape.gradient(loss, list(variables.values()))))
    for m in range(len(SEEDS)):
        model = keras_twin(keras, weights, m, layers, masked=masks is not None)
        inputs = windows[..., None]
        if masks is not None:  # model m's own masks, batch-major as Keras reads them
            inputs = [inputs] + [np.transpose(mask.reshape(LAG, 6, len(SEEDS), -1)[:, :, m], (1, 0, 2))
                                 for mask in masks]
        named = keras_gradients(model, layers)
        with tf.GradientTape() as tape:
            out = model(inputs)
            keras_loss = tf.reduce_sum(out**2)
        grads = dict(zip(named, tape.gradient(keras_loss, list(named.values()))))
        np.testing.assert_allclose(fused.numpy()[:, m], out.numpy()[:, 0], atol=1e-5)
        for name, grad in grads.items():
            np.testing.assert_allclose(fused_gradients[name].numpy()[m].ravel(), np.asarray(grad).ravel(),
                                       atol=1e-5, err_msg=f"{layers} layers, model {m}, {name}")


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_the_stacked_block_forward_and_gradients_equal_keras(layers):
    """Guards the block-diagonal input kernels of deeper layers, the gate order and the
    gradient through the h sequence between BlockLSTM ops (BlockLSTMV2's gradient once swapped two
    gates, which a forward-only check would not see): three models of one lag, each against
    ``keras_model`` with its weights."""
    compare_with_keras(layers)


def test_masked_layer_inputs_reach_each_model_as_keras_multiplies_them():
    """Dropout's masks, laid out per model: the masked window (through a block-diagonal input
    kernel) and the masked h between layers, against a Keras twin that multiplies its inputs."""
    rng = np.random.default_rng(3)
    models = len(SEEDS)
    masks = [(rng.random((LAG, 6, width)) > 0.3).astype("float32") / 0.7 for width in (models, models * UNITS)]
    compare_with_keras(2, masks)


def test_deeper_layers_are_drawn_after_the_first_and_keep_common_random_numbers():
    one, three = initial_weights(Job(3, 4), 8), initial_weights(Job(3, 4), 8, layers=3)
    assert all(np.array_equal(one[name], three[name]) for name in one)  # one layer: today's weights
    assert three["kernel_2"].shape == (8, 32) and three["recurrent_3"].shape == (8, 32)
    assert not np.array_equal(three["kernel_2"], three["kernel_3"])
    assert list(three["bias_2"][8:16]) == [1.0] * 8 and not three["bias_2"][:8].any()
    limit = np.sqrt(6 / (8 + 32))
    assert np.abs(three["kernel_2"]).max() <= limit
    np.testing.assert_allclose(three["recurrent_2"] @ three["recurrent_2"].T, np.eye(8), atol=1e-10)
    longer = initial_weights(Job(24, 4), 8, layers=3)  # same seed, another lag: the same start
    assert all(np.array_equal(three[name], longer[name]) for name in three)


def test_one_layer_without_dropout_trains_to_the_numbers_it_gave_before_stacking():
    """Known answer, from the code before layers and dropout existed (bit-identical then)."""
    prepared = prepare(50 + 4 * random_profile(24, 24 * 20, noise=0.4, seed=8), "diff", max_lag=6)
    jobs = [Job(3, 1), Job(6, 2)]
    out = LSTMJudge(budget=Budget(epochs=2, patience=2, batch_size=64, learning_rate=1e-2)).predict(
        prepared, jobs, prepared.split.val)
    np.testing.assert_allclose(out[jobs[0]][:4], [0.0359397419, 0.2611536086, -0.2645619214, 0.2265972495], atol=1e-8)
    np.testing.assert_allclose(out[jobs[1]][:4], [0.0109165572, 0.0047309683, -0.116297394, 0.2952777445], atol=1e-8)


def test_dropout_masks_are_seeded_per_model_and_per_step():
    import tensorflow as tf

    def masks(seeds, step=5, rate=0.25):
        return [m.numpy() for m in dropout_masks(tf, seeds, tf.constant(step, tf.int64), 4, 32, 3, 2, rate)]

    both, alone, again = masks([1, 2]), masks([1]), masks([1, 2])
    assert [m.shape for m in both] == [(4, 32, 2), (4, 32, 6)]
    assert all(np.array_equal(a, b) for a, b in zip(both, again))  # bit for bit
    # Model 1's masks do not change when model 2 joins the step.
    assert np.array_equal(alone[0], both[0][..., :1]) and np.array_equal(alone[1], both[1][..., :3])
    other_seed, next_step = masks([3]), masks([1], step=6)
    assert not np.array_equal(alone[0], other_seed[0]) and not np.array_equal(alone[1], other_seed[1])
    assert not np.array_equal(alone[0], next_step[0])
    assert not np.array_equal(both[0][..., 0], both[0][..., 1])  # the layers and models differ
    values = np.concatenate([m.ravel() for m in both])
    assert set(np.unique(values)) == {0.0, np.float32(1 / 0.75)}  # inverted dropout
    assert abs(np.mean(values == 0) - 0.25) < 0.05


def fit_data(n=150, lag=6, seed=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, lag)).astype("float32"), rng.standard_normal(n).astype("float32")


def test_dropout_trains_reproducibly_in_the_graph_loop_and_forecasts_without_it():
    """Same seeds, same weights bit for bit (the loop of many batches included, which must count
    steps for the masks as one call per batch does); dropout changes the training; forecasts
    use every unit, so forecasting twice gives the same numbers."""
    windows, targets = fit_data()
    jobs = [Job(lag, seed) for lag in (3, 6) for seed in (1, 2)]

    def trained(dropout, loop):
        stack = ModelStack(jobs, 8, 1e-2, layers=2, dropout=dropout)
        if loop:
            stack.hold_fit_data(windows, targets, batch_size=32)
            stack.train_rows(np.arange(150))
        else:
            for first in range(0, 150, 32):
                stack.train_batch(windows[first:first + 32], targets[first:first + 32])
        return stack.weights_now()

    looped, stepped, plain = trained(0.3, True), trained(0.3, False), trained(0.0, False)
    assert all(np.array_equal(looped[name], stepped[name]) for name in looped)
    assert not np.allclose(looped["kernel_2"], plain["kernel_2"], atol=1e-4)
    blocks = [LagBlock(3, 0, 2), LagBlock(6, 2, 4)]
    first, second = forecast(looped, windows, blocks), forecast(looped, windows, blocks)
    assert np.array_equal(first, second) and np.isfinite(first).all()


def test_a_models_dropout_training_does_not_depend_on_the_models_beside_it():
    windows, targets = fit_data()

    def model_of_seed_1(seeds, dropout=0.3):
        stack = ModelStack([Job(6, seed) for seed in seeds], 8, 1e-2, layers=2, dropout=dropout)
        for first in range(0, 150, 32):
            stack.train_batch(windows[first:first + 32], targets[first:first + 32])
        return {name: w[0] for name, w in stack.weights_now().items()}

    alone, beside, other = model_of_seed_1([1]), model_of_seed_1([1, 2]), model_of_seed_1([1], dropout=0.31)
    for name in alone:  # the same masks; only the summation order of the wider op may differ
        np.testing.assert_allclose(alone[name], beside[name], atol=1e-5)
    assert np.max(np.abs(alone["kernel_2"] - other["kernel_2"])) > 1e-4  # other masks: other weights


def test_the_judge_checks_its_shape_and_counts_deeper_layers_as_more_work():
    with pytest.raises(ValueError):
        LSTMJudge(layers=4)
    with pytest.raises(ValueError):
        LSTMJudge(dropout=1.0)
    assert layer_work(1, 16) == 1.0 and layer_work(3, 16) == pytest.approx(1 + 2 * 32 / 17)


def test_fused_dropout_runs_repeat_bit_for_bit_and_differ_from_no_dropout():
    prepared = prepare(50 + 4 * random_profile(24, 24 * 20, noise=0.4, seed=8), "diff", max_lag=6)
    jobs = [Job(3, 1), Job(6, 2)]
    budget = Budget(epochs=2, patience=2, batch_size=64, learning_rate=1e-2)

    def run(dropout):
        return LSTMJudge(budget=budget, layers=2, dropout=dropout).predict(prepared, jobs, prepared.split.val)

    first, second, plain = run(0.2), run(0.2), run(0.0)
    assert all(np.array_equal(first[job], second[job]) for job in jobs)
    assert all(np.max(np.abs(first[job] - plain[job])) > 1e-4 for job in jobs)


@pytest.mark.slow
def test_fused_two_layer_training_matches_separate_keras_fits():
    n = 24 * 30
    prepared = prepare(50 + 4 * random_profile(24, n, noise=0.4, seed=3), "diff", max_lag=6)
    targets = prepared.split.val
    # Two lag blocks, so every stacked weight is placed per block; each job is one Keras fit of
    # a two-layer model (about 4 s of tracing: this test's cost). Several models inside one block
    # are the forward and gradient tests' case, and Adam is elementwise per model.
    jobs = [Job(3, 1), Job(6, 2)]
    budget = Budget(epochs=3, patience=3, batch_size=64, learning_rate=1e-2, plateau_patience=1)
    fused = LSTMJudge(budget=budget, shuffle=False, layers=2).predict(prepared, jobs, targets)
    separate = LSTMJudge(budget=budget, fused=False, shuffle=False, layers=2).predict(prepared, jobs, targets)
    one_layer = LSTMJudge(budget=budget, shuffle=False).predict(prepared, jobs, targets)
    for job in jobs:
        np.testing.assert_allclose(fused[job], separate[job], atol=1e-4)
        assert np.max(np.abs(fused[job] - one_layer[job])) > 1e-3  # the second layer changed the model
