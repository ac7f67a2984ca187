"""The analyze job: events, cancellation, skipped transforms, JSON-ready output."""

from __future__ import annotations

import json
import threading

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core.analysis import analyze_series
from seqlen_tui.core.data import load_series
from seqlen_tui.core.events import AcfReady, Cancelled, Progress, Reporter
from seqlen_tui.core.jsonutil import dumps
from synthetic import random_profile


@pytest.fixture
def hourly_series(tmp_path):
    n = 24 * 7 * 12
    stamps = pd.date_range("2024-01-01", periods=n, freq="h")
    values = 50 + random_profile(24, n, seed=21)
    path = tmp_path / "load.csv"
    pd.DataFrame({"timestamp": stamps, "load": values}).to_csv(path, index=False)
    return load_series(path)


def test_events_arrive_in_order_with_partial_results(hourly_series):
    events = []
    analysis = analyze_series(hourly_series, reporter=Reporter(events.append))
    kinds = [(type(e).__name__, e.stage) for e in events]
    assert kinds.count(("StageStarted", "acf")) == 3
    results = [e.analysis.transform for e in events if isinstance(e, AcfReady)]
    assert results == ["raw", "diff", "logret"]  # every value is positive
    assert kinds[-1] == ("Progress", "candidates")
    fractions = [e.fraction for e in events if isinstance(e, Progress)]
    assert fractions == sorted(fractions) and len(fractions) == 4
    assert events[-1].fraction == 1.0
    assert analysis.max_lag == 336  # hourly: two weeks
    # A daily cycle only: the day is a candidate, the week (its seventh tooth) is left out.
    assert 24 in analysis.candidates.lags and 168 not in analysis.candidates.lags
    assert {d.lag: d.kind for d in analysis.candidates.dropped}[168] == "unconfirmed"


def test_cancel_stops_before_the_next_step(hourly_series):
    cancel = threading.Event()
    seen = []

    def on_event(event):
        seen.append(event)
        if isinstance(event, AcfReady):
            cancel.set()

    with pytest.raises(Cancelled):
        analyze_series(hourly_series, reporter=Reporter(on_event, cancel))
    assert sum(isinstance(e, AcfReady) for e in seen) == 1


def test_log_returns_skipped_with_reason_when_values_not_positive(tmp_path):
    path = tmp_path / "spread.csv"
    pd.DataFrame({"value": np.random.default_rng(3).standard_normal(500)}).to_csv(path, index=False)
    analysis = analyze_series(load_series(path))
    assert "logret" not in analysis.transforms
    assert "above zero" in analysis.skipped["logret"]


def test_to_dict_is_strict_json(hourly_series):
    doc = json.loads(dumps(analysis_dict := analyze_series(hourly_series).to_dict()))
    assert doc["frequency"] == "h"
    assert doc["acf"]["raw"]["lags"][:3] == [0, 1, 2]
    assert analysis_dict["schema_version"] == 1
