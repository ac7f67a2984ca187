"""Two stages, one answer (issue 30, points 3 and 4): with a declared network the default judge
scouts every candidate, the declared network trains the scout's finalists, the choice is made on
its validation losses, and the report's transfer check says what the scout's pick would cost it.

The judges are stand-ins whose forecast error at every lag is known (instant, no TensorFlow):
the scout does best at a short window, the declared network at a longer one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core.data import load_series
from seqlen_tui.core.describe import describe_leaderboard
from seqlen_tui.core.engine import RunOptions, run_asset
from seqlen_tui.core.events import Reporter
from seqlen_tui.core.model_stage import MAX_FINALISTS, finalists_of, kendall_tau
from seqlen_tui.core.selection import Selection
from seqlen_tui.core.training import Budget
from synthetic import ar_process

LAGS = (2, 4, 6, 8, 12, 16, 24)


@dataclass(frozen=True)
class KnownJudge:
    """Truth plus noise whose size at each lag is ``error(lag)`` (the same draw for every seed)."""

    name: str
    best: int
    seeded: bool = False
    budget: Budget = Budget(epochs=1, patience=1, batch_size=64, learning_rate=1e-3)

    def error(self, lag: int) -> float:
        return 0.05 * (1 + abs(np.log2(lag / self.best)))

    def predict(self, prepared, jobs, targets, reporter):
        truth = prepared.scaled_targets(targets)
        return {job: truth + self.error(job.lag) * np.random.default_rng(job.lag).standard_normal(len(truth))
                for job in jobs}


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    path = tmp_path_factory.mktemp("stage") / "ar.csv"
    values = 100 + ar_process((0.6, 0.2), 1200, seed=4)
    pd.DataFrame({"date": pd.date_range("2020-01-01", periods=1200, freq="D"), "close": values}).to_csv(path, index=False)
    return path


def run(series, scout: KnownJudge, model: KnownJudge | None):
    events = []
    options = RunOptions(seeds=1, folds=1, classifiers=False, device="cpu", lags=LAGS, only_lags=True)
    result = run_asset(load_series(series), options, Reporter(events.append), scout, model_judge=model)
    return result, events


def test_the_declared_network_chooses_among_the_scout_s_finalists(series, monkeypatch):
    monkeypatch.setattr("seqlen_tui.core.engine.choose_run_device", lambda reporter, device: None)
    scout, model = KnownJudge("scout", best=4), KnownJudge("lstm", best=16)
    result, events = run(series, scout, model)
    report = result.to_report("AR", str(series))
    transfer = report["transfer"]
    finalists = transfer["finalists"]
    # The finalists: the scout's pick and best, the longest candidate, then its one-SE set.
    assert {transfer["scout_lag"], 4, max(LAGS)} <= set(finalists) and len(finalists) <= MAX_FINALISTS
    assert set(result.lags) == set(LAGS)  # what the run benchmarked: every lag the scout did
    # The choice is the declared network's best among the finalists, by the same rules.
    model_rows = {row.lag: row.val_mse for row in result.leaderboard if row.model == "lstm"}
    assert set(model_rows) == set(finalists)
    # Its own best (16) did not reach the finalists (the scout's set, ranked by the scout, ends
    # at 12 here): the nearest finalist, 12, is chosen, far from the scout's 4.
    assert 16 not in finalists
    assert result.chosen_lag == min(model_rows, key=model_rows.get) == transfer["model_lag"] == 12
    assert report["chosen_model"] == "lstm"
    # The scout's rows stay on the leaderboard beside it, for every lag it scouted.
    assert {row.lag for row in result.leaderboard if row.model == "scout"} == set(LAGS)
    # The scout's pick costs the declared network significantly: the verdict says so.
    assert transfer["scout_lag"] == 4 and transfer["scout_pick_cost"] > 1.0
    assert transfer["scout_pick_p"] < 0.05 and transfer["disagrees"]
    assert any("would have chosen 4" in warning for warning in report["warnings"])
    assert transfer["rank_agreement"] < 1.0
    assert transfer["scout_race"]["seeds_per_lag"]  # the scout's race is kept
    text = "\n".join(describe_leaderboard(report, width=200))
    assert "judges: the scout LSTM scout chose 4; your LSTM chose 12 among the finalists" in text
    # Progress never runs backwards across the two stages.
    fractions = [e.fraction for e in events if getattr(e, "fraction", None) is not None]
    assert fractions == sorted(fractions)


def test_when_both_judges_agree_nothing_is_said(series, monkeypatch):
    monkeypatch.setattr("seqlen_tui.core.engine.choose_run_device", lambda reporter, device: None)
    result, _ = run(series, KnownJudge("scout", best=8), KnownJudge("lstm", best=8))
    transfer = result.transfer
    assert transfer["scout_lag"] == transfer["model_lag"] == result.chosen_lag == 8
    assert transfer["scout_pick_cost"] == 1.0 and not transfer["disagrees"]
    assert not any("would have chosen" in warning for warning in result.selection.warnings)


def test_one_judge_is_one_stage(series, monkeypatch):
    monkeypatch.setattr("seqlen_tui.core.engine.choose_run_device", lambda reporter, device: None)
    result, _ = run(series, KnownJudge("lstm", best=8), None)
    assert result.transfer is None and result.to_report("AR", str(series))["transfer"] is None
    assert {row.model for row in result.leaderboard} >= {"lstm"}
    assert not any(row.model == "scout" for row in result.leaderboard)


def selection(chosen, best, within):
    return Selection(chosen, best, None, tuple(within), {}, "", "", within=tuple(within))


def test_finalists_keep_the_pick_the_best_and_the_longest_then_the_nearest_of_the_set():
    losses = {lag: np.full(5, 1.0 + abs(lag - 8) / 100) for lag in range(1, 41)}
    within = list(range(2, 21))
    got = finalists_of(selection(3, 8, within), losses, list(range(1, 41)))
    assert {3, 8, 40} <= set(got) and len(got) == MAX_FINALISTS
    assert set(got) - {3, 8, 40} == {7, 9, 6}  # the rest of the set nearest the best
    # Nothing qualified: the lowest validation losses fill in.
    assert set(finalists_of(selection(None, 8, []), losses, list(range(1, 41)))) == {8, 40, 7, 9, 6, 10}


@pytest.mark.parametrize("first, second, tau", [
    ([1, 2, 3], [1, 2, 3], 1.0), ([1, 2, 3], [3, 2, 1], -1.0), ([1, 2, 3], [1, 3, 2], 1 / 3), ([1], [1], None),
])
def test_kendall_tau_on_known_rankings(first, second, tau):
    assert kendall_tau(first, second) == (None if tau is None else pytest.approx(tau))
