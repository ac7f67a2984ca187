"""One device choice for the app's preview and the run: the lags a run benchmarks and the reasons
it leaves the others out are the same decision (:mod:`seqlen_tui.core.lag_plan`) whether the
device is the run's live choice or the one the preview remembers — without TensorFlow or the
real device (the device choice is monkeypatched)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core import device as device_module
from seqlen_tui.core import tf_runtime
from seqlen_tui.core.data import load_series
from seqlen_tui.core.device import DeviceChoice, remember_choice, remembered_choice
from seqlen_tui.core.engine import run_analysis, run_asset
from seqlen_tui.core.events import DeviceChosen, Reporter
from seqlen_tui.core.judges import RidgeJudge
from seqlen_tui.core.lag_plan import DevicePlan, cost_cut, planned_lags
from seqlen_tui.core.options import RunOptions
from seqlen_tui.core.training import Budget
from synthetic import random_profile

#: A GPU measured fast enough for windows up to 104 steps, an unmeasured CPU (its default, 256),
#: and a CPU measured slow (the lower bound, 64): three different cost limits.
GPU_MEASURED = DeviceChoice("/GPU:0", "GPU (Test Card)", {"/GPU:0": {"24": 2.0, "168": 40.0},
                                                          "/CPU:0": {"24": 9.0, "168": 90.0}}, "auto: the GPU")
CPU_UNMEASURED = DeviceChoice("/CPU:0", "CPU", why="no GPU")
CPU_MEASURED = DeviceChoice("/CPU:0", "CPU", {"/CPU:0": {"24": 10.0, "168": 200.0},
                                              "/GPU:0": {"24": 20.0, "168": 400.0}}, "auto: the CPU is faster")


@dataclass(frozen=True)
class StandInJudge:
    """Not ridge, so a run chooses a training device for it, but forecasting like ridge: instant,
    no TensorFlow."""

    name: str = "lstm"
    seeded: bool = False
    budget: Budget = Budget(epochs=1, patience=1, batch_size=64, learning_rate=1e-3)

    def predict(self, prepared, jobs, targets, reporter):
        return RidgeJudge().predict(prepared, jobs, targets, reporter)


@pytest.fixture(scope="module")
def hourly_series(tmp_path_factory):
    """2,000 hourly points with a day and a week: candidates 2, 4, 6, 8, 12, 24, 47 and 168."""
    n = 2000
    levels = 50 + random_profile(24, n, seed=3) + random_profile(168, n, noise=0.3, seed=5) + np.arange(n) * 0.001
    path = tmp_path_factory.mktemp("plan") / "load.csv"
    pd.DataFrame({"date": pd.date_range("2020-01-01", periods=n, freq="h"), "load": levels}).to_csv(path, index=False)
    return load_series(path)


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """This test's own device cache: nothing remembered until a run remembers its choice."""
    monkeypatch.setenv("SEQLEN_CACHE_DIR", str(tmp_path / "cache"))


def pretend_device(monkeypatch, choice: DeviceChoice) -> None:
    """The run's live device choice returns ``choice``; TensorFlow is never asked."""
    monkeypatch.setattr(device_module, "choose_device", lambda requested, gpus=None, rates=None: choice)
    monkeypatch.setattr(device_module, "listed_but_unusable", lambda: None)
    monkeypatch.setattr(tf_runtime, "training_device", lambda: choice.label)


@pytest.mark.parametrize("choice, cut", [(GPU_MEASURED, {168}), (CPU_UNMEASURED, set()), (CPU_MEASURED, {168})],
                         ids=["gpu-measured", "cpu-unmeasured", "cpu-measured"])
@pytest.mark.parametrize("options", [RunOptions(seeds=1, folds=1, classifiers=False),
                                     RunOptions(seeds=1, folds=1, classifiers=False, lags=(2, 24, 168), only_lags=True)],
                         ids=["every-candidate", "only-own-lags"])
def test_the_preview_plans_what_the_run_benchmarks_on_the_device_it_remembers(
        hourly_series, own_cache, monkeypatch, choice, cut, options):
    pretend_device(monkeypatch, choice)
    events = []
    result = run_asset(hourly_series, options, Reporter(events.append), StandInJudge())
    assert [e.device for e in events if isinstance(e, DeviceChosen)] == [choice.label]
    assert result.device == choice.label

    # The preview, after the run, reads the device the run remembered: the same plan.
    planned, left_out = planned_lags(run_analysis(hourly_series, options), options)
    # (the run may add lags the preview cannot know: the race's ladder refines around its leader)
    refined = {entry["lag"] for entry in result.race["refined"]}
    assert planned == tuple(lag for lag in result.lags if lag not in refined)
    cost = {d.lag: d.reason for d in result.analysis.candidates.dropped if d.kind == "cost"}
    assert {lag: why for lag, why in left_out.items() if "(cost)" in why} == cost
    own_only = set(left_out) - set(cost)
    assert own_only == ({2, 4, 6, 8, 12, 24, 47, 168} - set(options.lags) - cut if options.only_lags else set())
    # Not vacuous: what the device cuts differs between the devices, and own lags pass its default.
    assert set(cost) == (cut - set(options.lags))


@pytest.mark.parametrize("choice", [GPU_MEASURED, CPU_UNMEASURED, CPU_MEASURED])
def test_a_remembered_choice_plans_like_the_choice_it_remembers(hourly_series, own_cache, choice):
    remember_choice(choice)
    assert DevicePlan.of(remembered_choice("auto")) == DevicePlan.of(choice)


@pytest.mark.parametrize("requested, live", [
    ("cpu", DeviceChoice("/CPU:0", "CPU", why="asked for the CPU")),
    ("gpu", DeviceChoice("/GPU:0", "GPU (Test Card)", why="asked for the GPU")),
])
def test_an_asked_for_device_cuts_like_the_run_without_remembering(hourly_series, own_cache, requested, live):
    """``cpu`` and ``gpu`` measure nothing: the preview's plan cuts as the run's does, even with a
    different device remembered."""
    remember_choice(GPU_MEASURED if requested == "cpu" else CPU_MEASURED)
    options = RunOptions(device=requested)
    analysis = run_analysis(hourly_series, options)
    assert cost_cut(analysis, options, DevicePlan.of(remembered_choice(requested))) == \
        cost_cut(analysis, options, DevicePlan.of(live))


def test_with_nothing_remembered_the_preview_plans_for_an_unmeasured_cpu(own_cache):
    assert DevicePlan.of(remembered_choice("auto")) == DevicePlan("CPU", None) == DevicePlan.of(None)


def test_the_preview_shows_the_ladders_rungs_the_run_will_train(hourly_series, own_cache):
    """The ladder is part of the plan: the preview lists its rungs (1, and between 47 and 168)
    and the run benchmarks them; with ``ladder`` off neither does."""
    options = RunOptions(seeds=1, folds=1, classifiers=False, max_seq_len=256)
    analysis = run_analysis(hourly_series, options)
    planned, _ = planned_lags(analysis, options)
    rungs = sorted(set(planned) - set(analysis.candidates.lags))
    assert 1 in rungs and any(47 < lag < 168 for lag in rungs)
    assert all(b <= 2 * a for a, b in zip(planned, planned[1:]))
    off, _ = planned_lags(analysis, RunOptions(seeds=1, folds=1, classifiers=False, max_seq_len=256, ladder=False))
    assert off == analysis.candidates.lags
