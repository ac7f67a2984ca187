"""Cancel latency of the real fused trainer: a cancel set from another thread while the LSTMs
train stops training within one call of the step's graph loop, at most
:data:`~seqlen_tui.core.fused_lstm.BATCHES_PER_CALL` training batches, whatever the moment.

Counted in batches trained after the signal (no wall clock): the signal is set just as a call
starts, the worst moment, since the trainer cannot look at it until that call returns."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from seqlen_tui.core import fused_lstm
from seqlen_tui.core.events import Cancelled, Reporter
from seqlen_tui.core.judges import LSTMJudge
from seqlen_tui.core.training import Budget, Job
from seqlen_tui.core.windows import prepare
from synthetic import random_profile

#: Batch size 8 keeps every call at BATCHES_PER_CALL batches and an epoch several calls long.
BUDGET = Budget(epochs=3, patience=3, batch_size=8, learning_rate=3e-3)


class CancelOnCall:
    """Counts the trainer's calls and batches; as call ``cancel_on`` starts, another thread sets
    the cancel signal (and this one waits until it is set), then the call trains as usual."""

    def __init__(self, monkeypatch, cancel: threading.Event, cancel_on: int):
        self.cancel, self.cancel_on = cancel, cancel_on
        self.calls = self.batches = self.calls_after = self.batches_after = 0
        real = fused_lstm.ModelStack.train_rows

        def counted(stack, rows):
            self.calls += 1
            if self.calls == self.cancel_on:
                setter = threading.Thread(target=self.cancel.set)
                setter.start()
                setter.join(timeout=60)
                assert self.cancel.is_set()
            batches = -(-len(rows) // stack.batch_size)
            self.batches += batches
            if self.cancel.is_set():
                self.calls_after += 1
                self.batches_after += batches
            return real(stack, rows)

        monkeypatch.setattr(fused_lstm.ModelStack, "train_rows", counted)


@pytest.mark.parametrize("cancel_on", [1, 2])  # as the first call starts; mid-epoch
def test_a_cancel_stops_the_fused_trainer_within_one_call(monkeypatch, cancel_on):
    n = 24 * 20
    prepared = prepare(50 + 4 * random_profile(24, n, noise=0.4, seed=8), "diff", max_lag=6)
    jobs = [Job(lag, seed) for lag in (3, 6) for seed in (1, 2)]
    cancel = threading.Event()
    counter = CancelOnCall(monkeypatch, cancel, cancel_on)
    with pytest.raises(Cancelled):
        LSTMJudge(budget=BUDGET).predict(prepared, jobs, prepared.split.val, Reporter(None, cancel))
    calls_per_epoch = -(-len(prepared.windows(6, prepared.split.fit)) // (fused_lstm.BATCHES_PER_CALL * 8))
    assert calls_per_epoch >= 3  # so call 2 is a whole call inside the first epoch
    assert counter.calls == cancel_on  # no call starts after the signal is seen
    assert counter.calls_after == 1  # the call under way when the signal came runs out
    assert 0 < counter.batches_after <= fused_lstm.BATCHES_PER_CALL
    assert counter.batches_after == fused_lstm.BATCHES_PER_CALL  # a whole call: the worst case


def test_without_a_cancel_the_counted_trainer_trains_every_epoch(monkeypatch):
    """The counter itself: with no signal every batch of every epoch trains (3 epochs here)."""
    n = 24 * 20
    prepared = prepare(50 + 4 * random_profile(24, n, noise=0.4, seed=8), "diff", max_lag=6)
    counter = CancelOnCall(monkeypatch, threading.Event(), cancel_on=0)
    out = LSTMJudge(budget=BUDGET).predict(prepared, [Job(3, 1)], prepared.split.val, Reporter())
    fit_windows = len(prepared.windows(6, prepared.split.fit))
    assert counter.batches == BUDGET.epochs * -(-fit_windows // 8) and counter.batches_after == 0
    assert all(np.isfinite(pred).all() for pred in out.values())
