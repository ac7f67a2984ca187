"""The fused many-LSTM model equals separate Keras fits, model by model."""

from __future__ import annotations

import numpy as np
import pytest

from seqlen_tui.core.events import Reporter
from seqlen_tui.core.fused_lstm import TrainingClock, format_seconds, group_lags, with_masks
from seqlen_tui.core.models import Budget, Job, LSTMJudge
from seqlen_tui.core.windows import prepare
from synthetic import random_profile


def test_group_lags_trades_padding_steps_against_per_step_overhead():
    three = lambda lags: [lag for lag in lags for _ in range(3)]  # noqa: E731 - three seeds each
    # Close lengths share one loop: the steps short lags wait cost less than a second loop.
    assert group_lags(three([6, 12, 18, 24])) == [[6, 12, 18, 24]]
    # A week of half-hours trains apart: six short models would wait 300+ steps each.
    assert group_lags(three([6, 10, 20, 30, 40, 48, 336])) == [[6, 10], [20, 30, 40, 48], [336]]
    # Without per-step overhead every lag trains alone; with a huge one, all together.
    assert group_lags(three([2, 4, 8]), overhead=0) == [[2], [4], [8]]
    assert group_lags(three([2, 4, 8]), overhead=1e6) == [[2, 4, 8]]


def test_masks_activate_each_model_for_its_last_lag_steps():
    x = with_masks(np.arange(8.0).reshape(2, 4), [1, 4])
    assert x.shape == (2, 4, 3)
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(x[1, :, 1], [0, 0, 0, 1])  # lag 1: last step only
    np.testing.assert_array_equal(x[1, :, 2], [1, 1, 1, 1])  # lag 4: every step


@pytest.mark.slow
def test_fused_training_matches_separate_fits():
    n = 24 * 40
    levels = 50 + np.linspace(0, 30, n) + 4 * random_profile(24, n, noise=0.4, seed=8)
    prepared = prepare(levels, "diff", max_lag=12)
    targets = prepared.split.val
    jobs = [Job(lag, seed) for lag in (3, 6) for seed in (1, 2)]
    budget = Budget(epochs=3, patience=1, batch_size=64, learning_rate=3e-3)
    events = []
    fused = LSTMJudge(budget=budget, fused=True, shuffle=False).predict(prepared, jobs, targets,
                                                                       Reporter(events.append))
    separate = LSTMJudge(budget=budget, fused=False, shuffle=False).predict(prepared, jobs, targets, Reporter())
    for job in jobs:
        np.testing.assert_allclose(fused[job], separate[job], atol=1e-4)
    # Different seeds really are different models.
    assert np.max(np.abs(fused[jobs[0]] - fused[jobs[1]])) > 1e-3
    # The run estimated its duration, reported a finite ETA and each group's predictions.
    assert [e for e in events if e.stage == "estimate" and e.data["estimate_s"] > 0]
    etas = [e.data["eta_s"] for e in events if e.kind == "progress" and e.data and e.data.get("eta_s") is not None]
    assert etas and etas[-1] == 0
    groups = [e.data["predictions"] for e in events if e.kind == "result" and e.stage == "group"]
    assert sorted(job for group in groups for job in group) == sorted(jobs)


def test_training_clock_counts_the_remaining_work_of_every_group():
    clock = TrainingClock([100.0, 300.0], epochs=10, reporter=Reporter())
    clock.start_group(0)
    assert clock.eta() is None  # nothing measured yet
    clock.measured_units, clock.measured_seconds = 100.0, 2.0  # 0.02 s per unit
    clock.epochs_done = 4
    assert clock.remaining_units() == 100 * 6 + 300 * 10
    assert clock.eta() == pytest.approx(0.02 * 3600)
    clock.overhead = 1.5  # the next group's graph still has to be traced
    assert clock.eta() == pytest.approx(0.02 * 3600 + 1.5)
    clock.start_group(1)
    clock.epochs_done = 10
    assert clock.eta() == 0


def test_format_seconds_reads_naturally():
    assert format_seconds(42.4) == "42 s"
    assert format_seconds(125) == "2 min 05 s"
    assert format_seconds(3 * 3600 + 61) == "3 h 01 min"
