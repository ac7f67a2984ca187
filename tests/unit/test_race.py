"""Racing the lags, the gate's stepdown test and the training schedule — without TensorFlow
(a seeded stand-in judge with known noise); the epoch-cap count of a real LSTM run is in
tests/functional/test_training_cap.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core.data import load_series
from seqlen_tui.core.describe import describe_leaderboard
from seqlen_tui.core.engine import RunOptions, run_asset
from seqlen_tui.core.errors import DataError
from seqlen_tui.core.events import RaceExits, Reporter
from seqlen_tui.core.judges import RidgeJudge
from seqlen_tui.core.metrics import diebold_mariano, stationary_bootstrap_indices, stepdown_p_values
from seqlen_tui.core.race import race_exits, race_over
from seqlen_tui.core.seed_stats import lag_stability
from seqlen_tui.core.selection import holm_adjust, select_lag
from seqlen_tui.core.training import Budget, Job, budget_for
from synthetic import ar_process

#: NoisyRidge is named "lstm": its runs choose a device as the LSTM's do, without TensorFlow here.
pytestmark = pytest.mark.usefixtures("cpu_without_tensorflow")


@pytest.fixture(scope="module")
def ar2_file(tmp_path_factory):
    """Changes that are AR(2): lag 1 misses half the signal, lags 2 and 3 are equally right."""
    levels = 1000 + ar_process((0.2, 0.6), 4000, seed=2).cumsum()
    path = tmp_path_factory.mktemp("race") / "ar2.csv"
    pd.DataFrame({"date": pd.date_range("2020-01-01", periods=len(levels), freq="D"),
                  "close": levels}).to_csv(path, index=False)
    return path


@dataclass(frozen=True)
class NoisyRidge:
    """A seeded judge with known answers: ridge AR's forecast plus a small seed-dependent
    error (the same for every lag at a seed, so the seeds are paired as with the LSTM).
    Records every job it trains, in order."""

    name: str = "lstm"
    seeded: bool = True
    budget: Budget = Budget(epochs=1, patience=1, batch_size=64, learning_rate=1e-3, race_work=100.0)
    trained: list = field(default_factory=list)

    def predict(self, prepared, jobs, targets, reporter):
        ridge = RidgeJudge().predict(prepared, jobs, targets, reporter)
        out = {}
        for job, pred in ridge.items():
            self.trained.append(job)
            noise = np.random.default_rng(job.seed).standard_normal(len(pred))
            out[job] = pred + 0.05 * noise + 0.001 * job.lag * noise[::-1]
        return out


def run_race(path, judge, **options):
    events = []
    options = {"lags": (1, 2, 3), "only_lags": True, "classifiers": False, **options}
    result = run_asset(load_series(path), RunOptions(**options), Reporter(events.append), judge)
    return result, events


def test_a_clearly_worse_lag_leaves_after_the_first_round_and_near_equal_ones_go_to_the_cap(ar2_file):
    judge = NoisyRidge()
    result, events = run_race(ar2_file, judge, seeds=2, seeds_max=5)
    race = result.race
    [exit] = race["exits"]
    assert exit["lag"] == 1 and exit["round"] == 1 and exit["seeds"] == 2 and exit["p_value"] < 0.01
    assert race["seeds_per_lag"] == {"1": 2, "2": 5, "3": 5} and race["rounds"] == 4
    assert race["ended"] == "cap"
    # Lag 1 trained no more after it left: 2 seeds of it, 5 of each other.
    assert sum(job.lag == 1 for job in judge.trained) == 2
    assert sorted(job.seed for job in judge.trained if job.lag == 3) == [42, 43, 44, 45, 46]
    # The leaderboard, the log and the report say who left, when and with how many seeds.
    rows = {row.lag: row for row in result.leaderboard if row.model == "lstm"}
    assert (rows[1].seeds, rows[1].left_race_after) == (2, 2)
    assert (rows[2].seeds, rows[2].left_race_after) == (5, None)
    messages = [e.message for e in events if isinstance(e, RaceExits)]
    assert len(messages) == 1 and messages[0].startswith("left the race after 2 seeds: 1 (p ")
    text = "\n".join(describe_leaderboard(result.to_report("AR2", str(ar2_file))))
    assert "1 left after round 1 with 2 seeds" in text and "2✗" in text
    # The left lag cannot be chosen; the choice is among the survivors.
    assert result.chosen_lag in (2, 3)


def test_seeds_equal_to_seeds_max_is_the_fixed_seed_protocol(ar2_file):
    judge = NoisyRidge()
    result, events = run_race(ar2_file, judge, seeds=3, seeds_max=3)
    assert result.race["rounds"] == 1 and result.race["exits"] == []
    assert sorted(judge.trained) == sorted(Job(lag, 42 + s) for lag in (1, 2, 3) for s in range(3))
    assert not [e for e in events if e.stage == "race"]
    assert {row.seeds for row in result.leaderboard if row.model == "lstm"} == {3}


def test_the_race_stops_when_the_budget_is_spent(ar2_file):
    # race_work 2: the race may train lags summing to 2 × (1 + 2 + 3) = 12; after the first
    # round (6), lag 1 leaves and 2 + 3 = 5 fit once (11), not twice (16).
    judge = NoisyRidge(budget=Budget(1, 1, 64, 1e-3, race_work=2.0))
    result, events = run_race(ar2_file, judge, seeds=2, seeds_max=8)
    assert result.race["ended"] == "budget" and result.race["rounds"] == 2
    assert result.race["seeds_per_lag"] == {"1": 2, "2": 3, "3": 3}
    assert any("the budget's training is spent" in e.message for e in events if e.stage == "race")


def test_a_deterministic_judge_does_not_race(ar2_file):
    result, _ = run_race(ar2_file, RidgeJudge(), seeds=2, seeds_max=8)
    assert result.race["rounds"] == 1 and result.race["seeds_max"] == 2


def test_seeds_max_below_seeds_is_a_data_error(ar2_file):
    with pytest.raises(DataError, match="«seeds_max» must be at least «seeds»"):
        run_race(ar2_file, RidgeJudge(), seeds=3, seeds_max=2)


def test_race_exits_on_an_injected_score_table():
    rng = np.random.default_rng(0)
    base = rng.standard_normal(400) ** 2
    losses = {4: base, 8: base + 0.03 + 0.5 * rng.standard_normal(400), 16: base + 0.5 + 0.1 * rng.standard_normal(400)}
    exits = race_exits(losses, [4, 8, 16], round_number=1, seeds={4: 2, 8: 2, 16: 2})
    assert [(e.lag, e.leader, e.seeds) for e in exits] == [(16, 4, 2)]
    assert race_exits(losses, [4], 1, {4: 2}) == []
    assert race_over([4], {4: 2}, 8) and race_over([4, 8], {4: 8, 8: 8}, 8) and not race_over([4, 8], {4: 3, 8: 3}, 8)


def test_stability_with_unequal_seed_counts_counts_a_lag_that_left_as_losing():
    actual = np.zeros(10)
    per_seed = {Job(1, 0): np.full(10, 0.5), Job(2, 0): np.full(10, 0.1),  # seed 0: 2 wins
                Job(1, 1): np.full(10, 0.05), Job(2, 1): np.full(10, 0.1),  # seed 1: 1 wins
                Job(2, 2): np.full(10, 0.1), Job(2, 3): np.full(10, 0.1)}  # 1 left after 2 seeds
    assert lag_stability([(per_seed, actual)], [1, 2]) == {1: 0.25, 2: 0.75}


# ----------------------------------------------------------------------------- the gate


def test_stationary_bootstrap_keeps_blocks_and_stays_in_range():
    index = stationary_bootstrap_indices(50, 200, 5.0, np.random.default_rng(1))
    assert index.shape == (200, 50) and index.min() >= 0 and index.max() < 50
    steps = np.diff(index, axis=1)
    continued = np.mean((steps == 1) | (steps == -49))
    assert 0.75 < continued < 0.88  # blocks of mean length 5: a new start 1 time in 5


def test_stepdown_counts_near_copies_as_one_test_where_holm_counts_them_all():
    rng = np.random.default_rng(5)
    y = rng.standard_t(3, 500) * 3
    naive = y ** 2
    shared = 0.97 * y + 0.9 * rng.standard_normal(500)  # nine lags making nearly the same errors
    losses = {lag: (shared + 0.05 * rng.standard_normal(500)) ** 2 for lag in range(1, 10)}
    raw = {lag: diebold_mariano(loss, naive, alternative="less")[1] for lag, loss in losses.items()}
    holm = holm_adjust(raw)
    stepdown = stepdown_p_values(losses, naive)
    assert max(raw.values()) < 0.04 and min(holm.values()) > 0.15  # Holm: none would qualify
    assert max(stepdown.values()) < 0.05  # the stepdown: all do
    # A model no better than the benchmark is not called better, and a clear winner is.
    mixed = stepdown_p_values({1: naive + 0.01 * rng.standard_normal(500), 2: 0.5 * naive}, naive)
    assert mixed[1] > 0.2 and mixed[2] <= 0.002
    # Deterministic: the same data gives the same p-values.
    assert stepdown_p_values(losses, naive) == stepdown


def test_the_gate_qualifies_lags_holm_would_have_refused():
    rng = np.random.default_rng(5)
    y = rng.standard_t(3, 500) * 3
    shared = 0.97 * y + 0.9 * rng.standard_normal(500)
    losses = {lag: (shared + 0.05 * rng.standard_normal(500)) ** 2 for lag in range(1, 10)}
    selection = select_lag(losses, y ** 2)
    assert selection.qualified == tuple(range(1, 10))


# ----------------------------------------------------------------------------- the schedule


class FakeStack:
    def __init__(self, models):
        self.assigned = []
        self.rates = self

    def assign(self, value):
        self.assigned.append(np.array(value))


def test_the_learning_rate_halves_after_each_plateau_of_a_model():
    from seqlen_tui.core.fused_lstm import EarlyStopping

    budget = Budget(epochs=50, patience=4, batch_size=64, learning_rate=1e-3, plateau_patience=2)
    stopping = EarlyStopping.__new__(EarlyStopping)
    stopping.stack, stopping.budget = FakeStack(2), budget
    stopping.plateau_wait = np.zeros(2, dtype=int)
    stopping.rates = np.full(2, 1e-3)
    # Model 0 improves every epoch; model 1 stalls from the first epoch on.
    for _ in range(4):
        stopping.decay(improved=np.array([True, False]), running=np.array([True, True]))
    assert list(stopping.rates) == [1e-3, 2.5e-4]  # halved at its 2nd and 4th flat epoch
    assert len(stopping.stack.assigned) == 2


def test_a_budget_without_plateau_keeps_its_rate_and_options_keep_the_schedule():
    from seqlen_tui.core.training import BUDGETS

    standard = BUDGETS["standard"]
    assert standard.plateau_patience is not None and standard.batch_size <= 4 * 16
    resolved = budget_for(RunOptions(epochs=7))
    assert resolved.epochs == 7 and resolved.plateau_patience == standard.plateau_patience
    assert resolved.race_work == standard.race_work


def test_an_improvement_smaller_than_min_delta_counts_as_a_flat_epoch():
    from seqlen_tui.core.fused_lstm import EarlyStopping

    budget = Budget(epochs=50, patience=2, batch_size=64, learning_rate=1e-3, plateau_patience=1, min_delta=0.01)
    stopping = EarlyStopping.__new__(EarlyStopping)
    stopping.stack, stopping.budget, stopping.patience = FakeStack(2), budget, budget.patience
    stopping.best, stopping.wait = np.full(2, np.inf), np.zeros(2, dtype=int)
    stopping.epochs, stopping.stopped = np.zeros(2, dtype=int), np.zeros(2, dtype=bool)
    stopping.plateau_wait, stopping.rates = np.zeros(2, dtype=int), np.full(2, 1e-3)
    stopping.record(np.array([1.0, 1.0]))
    # Model 0 creeps down by 0.5 % an epoch (less than min_delta), model 1 falls.
    improved = [list(stopping.record(np.array(losses))) for losses in ([0.995, 0.9], [0.991, 0.8])]
    assert improved == [[False, True], [False, True]]
    assert list(stopping.stopped) == [True, False] and list(stopping.best) == [1.0, 0.8]
    assert list(stopping.epochs) == [3, 3] and stopping.rates[0] < 1e-3 == stopping.rates[1]
    # A lag not scored this epoch (NaN) is not counted.
    stopping.record(np.array([np.nan, 0.7]))
    assert list(stopping.epochs) == [3, 4]
