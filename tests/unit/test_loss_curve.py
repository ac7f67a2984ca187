"""The error-by-lag curve (``core.loss_curve``): known answers from hand-made leaderboard rows,
the stored report's curve, and the picture's plan (ranges, ticks, marks, legends)."""

from __future__ import annotations

import json
import math

import pytest
from app_helpers import STORED_REPORT

from seqlen_tui.core.chart import fitting
from seqlen_tui.core.loss_curve import (
    MARKS,
    draw_plan,
    loss_curve,
    plot_plan,
    report_curve,
    x_ticks,
    y_range,
)


def row(model, lag, val, se=None, test=None, **extra):
    return {"model": model, "lag": lag, "val_mse": val, "val_mse_se": se, "test_mse": test, **extra}


#: An LSTM at lags 2..48 (best at 12), ridge AR beside it, both baselines, a classifier, a lag
#: still training (no MSE yet) and two lags that left the race.
ROWS = [
    row("lstm", 12, 0.50, 0.02, 0.61),
    row("lstm", 2, 0.60, 0.03, 0.58, left_race_after=2),
    row("lstm", 48, 0.70, 0.04, 0.66, left_race_after=3),
    row("lstm", 6, 0.52, 0.02, 0.57),
    row("lstm", 24, None, None, None),  # still training
    row("lstm", 36, float("nan"), None, None),  # no finite error: left out
    row("ridge_ar", 2, 0.65, 0.03, 0.64),
    row("ridge_ar", 12, 0.55, 0.02, 0.60),
    row("persistence", None, 0.80, 0.05, 0.81),
    row("seasonal_naive", 7, 0.90, 0.06, 0.95),
    row("xgb_direction", 2, None, None, None, directional_accuracy=0.51),
]


def test_the_judge_is_the_lstm_sorted_by_lag_and_rows_without_a_finite_error_are_left_out():
    curve = loss_curve(ROWS, chosen_lag=6)
    assert curve.judge == "lstm" and curve.split == "val"
    assert curve.lags == [2, 6, 12, 48]  # 24 (no MSE yet) and 36 (NaN) skipped
    assert [p.mse for p in curve.points] == [0.60, 0.52, 0.50, 0.70]
    assert [p.se for p in curve.points] == [0.03, 0.02, 0.02, 0.04]
    assert [(p.lag, p.mse) for p in curve.linear] == [(2, 0.65), (12, 0.55)]
    assert curve.baselines == {"persistence": 0.80, "seasonal_naive": 0.90}
    assert curve.best == 12 and curve.chosen == 6
    assert curve.left_race == [2, 48]


def test_the_test_split_has_no_se_and_its_own_best():
    curve = loss_curve(ROWS, "test", chosen_lag=6)
    assert [p.se for p in curve.points] == [None] * 4
    assert curve.best == 6  # lowest test MSE (0.57), not validation's 12
    assert curve.baselines["persistence"] == 0.81
    plan = plot_plan(curve)
    assert not any(layer.marker == MARKS["bar"] for layer in plan.layers)
    assert all("no SE" in title for title in plan.titles[:-1])
    with pytest.raises(ValueError):
        loss_curve(ROWS, "train")


def test_log_x_only_when_the_lags_span_more_than_a_decade():
    assert loss_curve(ROWS).log_x  # 2..48
    assert not loss_curve([row("lstm", lag, 1.0) for lag in (2, 5, 20)]).log_x  # exactly 10: linear
    assert loss_curve([row("lstm", lag, 1.0) for lag in (2, 5, 21)]).log_x
    assert not loss_curve([row("lstm", 5, 1.0)]).log_x
    assert loss_curve([]).empty


def test_a_ridge_judged_run_uses_ridge_ar_as_its_judge():
    rows = [r for r in ROWS if r["model"] != "lstm"]
    curve = loss_curve(rows, chosen_lag=12)
    assert curve.judge == "ridge_ar" and curve.lags == [2, 12] and curve.linear == ()
    # The report's chosen_model decides even when LSTM rows exist.
    report = {"leaderboard": ROWS, "chosen_model": "ridge_ar", "chosen_lag": 12}
    curve = report_curve(report)
    assert curve.judge == "ridge_ar" and curve.linear == () and curve.best == 12
    assert plot_plan(curve).titles[0].startswith("ridge AR val MSE ± SE by lag")


def test_the_stored_report_curve():
    report = json.loads(STORED_REPORT.read_text())
    curve = report_curve(report)
    assert curve.judge == "lstm" and curve.lags == [1, 2, 3, 4, 5, 11, 36]
    assert curve.chosen == 1 and curve.best == 4 == report["best_lag"]
    assert curve.log_x and curve.left_race == []
    assert len(curve.linear) == 7 and set(curve.baselines) == {"persistence", "seasonal_naive"}
    test = report_curve(report, "test")
    assert test.best == 11 and all(p.se is None for p in test.points)


def test_the_y_range_keeps_the_curves_and_names_a_far_baseline():
    curve = loss_curve(ROWS)
    (low, high), off = y_range(curve)
    # Means span 0.50..0.80 (persistence within one span: drawn); seasonal naive 0.90 too.
    assert off == {}
    assert low < 0.50 - 0.02 and high > 0.90
    far = loss_curve([row("lstm", 1, 1.0, 0.01), row("lstm", 2, 1.1, 0.01), row("persistence", None, 5.0)])
    (low, high), off = y_range(far)
    assert off == {"persistence": 5.0} and high < 2
    plan = plot_plan(far)
    assert any("persistence ↑5" in title for title in plan.titles)
    # Error bars widen the range by at most one span each way; longer ones run to the frame.
    noisy = loss_curve([row("lstm", 1, 1.0, 10.0), row("lstm", 2, 1.1, 10.0)])
    (low, high), _ = y_range(noisy)
    assert 0.85 < low < 0.9 and 1.2 < high < 1.3
    bars = [layer for layer in plot_plan(noisy).layers if layer.marker == MARKS["bar"]]
    assert bars and all(min(layer.ys) >= low and max(layer.ys) <= high for layer in bars)
    assert any("one SE is wider" in note for note in plot_plan(noisy).notes)
    # A short chart spends its few rows on the means: no room made for the bars at all.
    (low, high), _ = y_range(noisy, bars=False)
    assert 0.99 < low < 1.0 and 1.1 < high < 1.11
    assert plot_plan(noisy, rows=4).ylim == (low, high) and plot_plan(noisy, rows=12).ylim != (low, high)


def test_ticks_at_every_lag_when_they_fit_else_round_numbers():
    lags = [1, 2, 3, 4, 5, 11, 36]
    assert x_ticks(lags, True, 70) == lags
    many = list(range(1, 200, 3))
    linear = x_ticks(many, False, 60)
    steps = {b - a for a, b in zip(linear, linear[1:])}
    assert len(steps) == 1 and steps.pop() in (10, 20, 25, 50)  # a regular 1-2-5 step
    logged = x_ticks([1, 2, 3, 5, 7, 10, 14, 20, 30, 60, 90, 180, 365], True, 30)
    assert set(logged) <= {m * 10 ** k for k in range(4) for m in (1, 2, 3, 5)} and len(logged) >= 3
    assert x_ticks([], False, 50) == []
    assert x_ticks([7], False, 50) == [7]


def test_the_plan_marks_chosen_best_and_race_exits_each_with_its_own_character():
    plan = plot_plan(loss_curve(ROWS, chosen_lag=6), columns=70)
    by_marker = {layer.marker: layer for layer in plan.layers if layer.kind == "scatter"}
    assert by_marker[MARKS["chosen"]].xs == (6,) and by_marker[MARKS["best"]].xs == (12,)
    assert by_marker[MARKS["left_race"]].xs == (2, 48)
    assert by_marker[MARKS["linear"]].xs == (2, 12)
    # Marks are drawn last, the chosen one on top.
    assert plan.layers[-1].marker == MARKS["chosen"]
    assert len(set(MARKS.values())) == len(MARKS)  # one character each: readable without colour
    title = plan.titles[0]
    for part in ("LSTM val MSE ± SE", "◆ chosen 6", "★ best 12", "✗ left race", "+ ridge AR", "┄ persistence"):
        assert part in title, part
    assert [len(t) for t in plan.titles] == sorted((len(t) for t in plan.titles), reverse=True)
    assert fitting(plan.titles, 50) in plan.titles and len(fitting(plan.titles, 50)) <= 50
    assert fitting(("a long one", "short"), 3) == "short"
    # Chosen = best: one mark that says both.
    same = plot_plan(loss_curve(ROWS, chosen_lag=12))
    assert "◆ chosen 12 (best)" in same.titles[0] and "★" not in same.titles[0]


def test_an_empty_curve_says_why():
    assert "training" in plot_plan(loss_curve([]), waiting=True).message
    assert plot_plan(loss_curve([], "test"), waiting=True).message.endswith("known when the run ends")
    assert plot_plan(loss_curve([])).message == "val MSE by lag: no val MSE in this run"


class Recorder:
    """A plotext stand-in: records the calls."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))


def test_draw_plan_gives_plotext_log_limits_on_a_log_axis():
    plan = plot_plan(loss_curve(ROWS, chosen_lag=6))
    plt = Recorder()
    draw_plan(plt, plan)
    calls = dict((name, args) for name, args, _ in plt.calls)
    assert plt.calls[0][0] == "clear_data" and calls["xscale"] == ("log",)
    left, right = calls["xlim"]
    assert math.isclose(10 ** left, plan.xlim[0]) and math.isclose(10 ** right, plan.xlim[1])
    assert calls["xticks"] == (list(plan.xticks),)
    assert sum(name in ("plot", "scatter") for name, *_ in plt.calls) == len(plan.layers)


def test_a_message_after_a_log_axis_still_builds():
    """plotext cannot build a log axis without data: an empty curve after a drawn one (the
    toggle to a split the run has no MSE for) resets the scale."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(60, 10)
    draw_plan(plt, plot_plan(loss_curve(ROWS)))
    assert "●" in plt.build()
    draw_plan(plt, plot_plan(loss_curve([])))
    plt.title("nothing")
    assert "nothing" in plt.build()
    plt.clear_figure()


def test_a_declared_network_s_curve_shows_the_scout_beside_it_over_every_lag_it_scouted():
    """Issue 30: the network trained the scout's finalists (6, 12, 24); the scout, every lag from
    2 to 96. Both are on the chart, each with its own mark, and the x axis spans the scout's."""
    rows = [row("lstm", lag, mse, 0.01) for lag, mse in ((6, 0.52), (12, 0.50), (24, 0.51))]
    rows += [row("scout", lag, 0.55 + abs(lag - 8) / 400) for lag in (2, 4, 6, 8, 12, 24, 48, 96)]
    curve = loss_curve(rows, chosen_model="lstm", chosen_lag=12)
    assert curve.judge == "lstm" and curve.lags == [6, 12, 24]
    assert [p.lag for p in curve.scout] == [2, 4, 6, 8, 12, 24, 48, 96] and curve.log_x
    plan = plot_plan(curve, columns=70)
    scout = next(layer for layer in plan.layers if layer.marker == MARKS["scout"])
    assert scout.xs == (2, 4, 6, 8, 12, 24, 48, 96)
    assert plan.xlim[0] < 2 and plan.xlim[1] > 96  # the scout's lags are on the axis
    assert plan.ylim[1] >= max(p.mse for p in curve.scout)  # and its errors in range
    assert "○ LSTM scout" in plan.titles[0]
    # One judge: no scout on the chart.
    assert loss_curve(ROWS).scout == () and MARKS["scout"] not in plot_plan(loss_curve(ROWS)).titles[0]
