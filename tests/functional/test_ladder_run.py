"""The ladder in a run (issue 29): a rung is benchmarked where the evidence leaves an octave
untried, the race refines around its leader, and the pick lands where a judge whose error at
every lag is known (a dense oracle) says the best window is — not at the evidence around it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core.candidates import LADDER_REASON
from seqlen_tui.core.data import load_series
from seqlen_tui.core.engine import RunOptions, run_asset
from seqlen_tui.core.events import Reporter
from seqlen_tui.core.judges import RidgeJudge
from seqlen_tui.core.training import Budget
from synthetic import ar_process, random_profile

#: Where the known judge forecasts best: a window no ACF, PACF or AR order of this series shows.
BEST = 15


def known_error(lag: int) -> float:
    """The judge's forecast error at each lag, known everywhere (the test's dense oracle): it
    doubles for each octave away from ``BEST``."""
    return 0.1 * (1 + abs(np.log2(lag / BEST)))


@dataclass(frozen=True)
class KnownJudge:
    """A stand-in for a nonlinear model: its forecast is the truth plus noise of a known size
    per lag (the same draw for every seed: deterministic, instant, no TensorFlow)."""

    name: str = "lstm"
    seeded: bool = False
    budget: Budget = Budget(epochs=1, patience=1, batch_size=64, learning_rate=1e-3)

    def predict(self, prepared, jobs, targets, reporter):
        truth = prepared.scaled_targets(targets)
        return {job: truth + known_error(job.lag) * np.random.default_rng(job.lag).standard_normal(len(truth))
                for job in jobs}


@pytest.fixture(scope="module")
def hourly(tmp_path_factory):
    """1,500 hourly points, AR(1) with a daily shape: the evidence is short lags (1 … 8) and the
    day (24, 49), nothing between 8 and 24."""
    n = 1500
    levels = 50 + ar_process((0.9,), n, seed=1) + 0.5 * random_profile(24, n, noise=0.0, seed=3)
    path = tmp_path_factory.mktemp("ladder") / "load.csv"
    pd.DataFrame({"date": pd.date_range("2020-01-01", periods=n, freq="h"), "load": levels}).to_csv(path, index=False)
    return load_series(path)


def run(series, **options):
    events = []
    options = {"seeds": 1, "folds": 1, "classifiers": False, "device": "cpu", **options}
    result = run_asset(series, RunOptions(**options), Reporter(events.append), KnownJudge())
    return result, [getattr(event, "message", "") for event in events]


def test_a_rung_between_distant_evidence_finds_the_window_the_evidence_misses(hourly, monkeypatch):
    monkeypatch.setattr("seqlen_tui.core.engine.choose_run_device", lambda reporter, device: None)
    without, _ = run(hourly, ladder=False)
    evidence = sorted(without.lags)
    wide = [(low, high) for low, high in zip(evidence, evidence[1:]) if high > 2 * low and low < BEST < high]
    assert wide, f"the evidence {evidence} should leave an octave untried around {BEST}"

    result, messages = run(hourly)
    candidates = {c.lag: c for c in result.analysis.candidates.candidates}
    low, high = wide[0]
    rungs = [lag for lag in result.lags if low < lag < high]
    assert rungs and all(candidates[lag].rung for lag in rungs)
    assert any(candidates[lag].reasons == (LADDER_REASON,) for lag in rungs)
    # The race refined around its leader: the lags it added say so, in the run's log too.
    refined = {entry["lag"]: entry["leader"] for entry in result.race["refined"]}
    assert refined and all(candidates[lag].rung for lag in refined)
    assert any("refining around the leader" in message for message in messages)
    assert all(lag not in without.lags for lag in refined)
    # The pick is where the known error is lowest (within the ladder's 1.5× refinement) and far
    # better than the best the evidence alone could offer.
    chosen, regret = result.chosen_lag, known_error(result.chosen_lag) / known_error(BEST)
    evidence_regret = min(known_error(lag) for lag in evidence) / known_error(BEST)
    assert BEST / 1.5 <= chosen <= BEST * 1.5 and regret < 1.2 < evidence_regret


def test_no_ladder_with_only_your_own_lags_and_a_linear_judge_still_refines(hourly):
    own = run_asset(hourly, RunOptions(seeds=1, folds=1, classifiers=False, lags=(4, 24), only_lags=True),
                    judge=RidgeJudge())
    assert own.lags == (4, 24) and own.race["refined"] == []
    ridge = run_asset(hourly, RunOptions(seeds=1, folds=1, classifiers=False), judge=RidgeJudge())
    assert all(entry["lag"] in ridge.lags for entry in ridge.race["refined"])
    assert ridge.analysis.candidates.lags == ridge.lags
