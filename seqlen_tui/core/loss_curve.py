"""The answer as a picture: how the forecast error changes with the window.

From leaderboard rows (``LeaderboardRow.to_dict()``, as a live run sends them and as reports
store them), the judge's error at each benchmarked lag with its standard error, ridge AR at the
same lags, the baselines as levels, and the lags that matter marked (chosen, best, left the
race early). Pure data: the app draws it with plotext, the CLI prints it; neither decides.

:func:`plot_plan` decides the picture once for both front ends (what goes on the chart and with
which marker, the axes' ranges and ticks, the one-line legends); :func:`draw_plan` hands it to
any plotext-like ``plt`` (the ``plotext`` module, or a ``PlotextPlot``'s own) without importing
one. Every mark has its own character, so the chart reads without colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .chart import Layer, draw_layers
from .names import MODEL_NAMES, SCOUT
from .ticks import lag_ticks

#: Lags spanning more than this ratio are drawn on a log-scaled x axis.
LOG_X_SPAN = 10.0
SPLITS = ("val", "test")


@dataclass(frozen=True)
class CurvePoint:
    lag: int
    mse: float
    se: float | None = None  # validation only: the test block has no SE in the report
    seeds: int | None = None
    left_race_after: int | None = None  # set when this lag left the race (its seeds then)


@dataclass(frozen=True)
class LossCurve:
    """One run's error by lag on one split (``val`` chooses, ``test`` reports)."""

    split: str
    judge: str  # the model whose curve it is ("lstm", or "ridge_ar" for a ridge-judged run)
    points: tuple[CurvePoint, ...]  # the judge, by lag
    linear: tuple[CurvePoint, ...] = ()  # ridge AR at the same lags (empty when it is the judge)
    baselines: dict[str, float] = field(default_factory=dict)  # persistence, seasonal naive
    chosen: int | None = None
    best: int | None = None  # the judge's lowest error on this split
    #: The scout's errors (a declared network's run, :mod:`.model_stage`): the default LSTM at
    #: every lag it scouted, beside the network's at its finalists. Empty with one judge.
    scout: tuple[CurvePoint, ...] = ()

    @property
    def lags(self) -> list[int]:
        return [p.lag for p in self.points]

    @property
    def all_lags(self) -> list[int]:
        """Every lag on the chart: the judge's and the scout's."""
        return sorted({*self.lags, *(p.lag for p in self.scout)})

    @property
    def log_x(self) -> bool:
        """Whether the lags span more than a decade (then a log x axis reads better)."""
        lags = [lag for lag in self.all_lags if lag > 0]
        return len(lags) > 1 and max(lags) / min(lags) > LOG_X_SPAN

    @property
    def left_race(self) -> list[int]:
        return [p.lag for p in self.points if p.left_race_after is not None]

    @property
    def empty(self) -> bool:
        return not self.points


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def loss_curve(rows: list[dict], split: str = "val", chosen_model: str | None = None,
               chosen_lag: int | None = None) -> LossCurve:
    """The curve of ``rows`` on ``split``: the judge is ``chosen_model`` (else the LSTM if it
    has rows, else ridge AR); rows without a finite error on the split are left out (a lag
    still training, a classifier)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    key = f"{split}_mse"
    models = {row.get("model") for row in rows}
    judge = chosen_model if chosen_model in models else "lstm" if "lstm" in models else "ridge_ar"

    def points(model: str) -> tuple[CurvePoint, ...]:
        found = [CurvePoint(int(row["lag"]), float(row[key]),
                            row.get("val_mse_se") if split == "val" and _finite(row.get("val_mse_se")) else None,
                            row.get("seeds"), row.get("left_race_after"))
                 for row in rows
                 if row.get("model") == model and row.get("lag") is not None and _finite(row.get(key))]
        return tuple(sorted(found, key=lambda p: p.lag))

    mine = points(judge)
    linear = points("ridge_ar") if judge != "ridge_ar" else ()
    baselines = {row["model"]: float(row[key]) for row in rows
                 if row.get("model") in ("persistence", "seasonal_naive") and _finite(row.get(key))}
    best = min(mine, key=lambda p: (p.mse, p.lag)).lag if mine else None
    scout = points(SCOUT) if judge != SCOUT else ()
    return LossCurve(split, judge, mine, linear, baselines, chosen_lag, best, scout)


def report_curve(report: dict, split: str = "val") -> LossCurve:
    """:func:`loss_curve` of a stored (or just finished) run report."""
    return loss_curve(report.get("leaderboard") or [], split, report.get("chosen_model"),
                      report.get("chosen_lag"))


# ----- the picture: decided here once, drawn by the app and printed by the CLI ----------------

#: One character per thing on the chart, so it reads without colour.
MARKS = {
    "judge": "●", "bar": "│", "linear": "+", "linear_line": "·", "scout": "○",
    "persistence": "┄", "seasonal_naive": "═",
    "chosen": "◆", "best": "★", "left_race": "✗",
}
COLORS = {
    "judge": "blue+", "bar": "blue", "linear": "green", "linear_line": "green", "scout": "cyan",
    "persistence": "gray", "seasonal_naive": "magenta",
    "chosen": "red+", "best": "yellow+", "left_race": "orange",
}
BASELINE_NAMES = {"persistence": "persistence", "seasonal_naive": "seasonal naive"}
SHORT_NAMES = {"ridge_ar": "ridge", "persistence": "persist.", "seasonal_naive": "s.naive"}


@dataclass(frozen=True)
class PlotPlan:
    """Everything a front end needs to draw one :class:`LossCurve` at one width.

    The texts come longest first: a front end shows the first that fits its width. ``titles``
    are one line holding the title and the legend (a short chart); a taller one shows a
    ``heading`` as its title and a ``legend`` in its x-label row. ``message``: nothing to draw,
    say this instead.
    """

    layers: tuple[Layer, ...] = ()
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    xticks: tuple[int, ...] = ()
    log_x: bool = False
    titles: tuple[str, ...] = ()
    heading: tuple[str, ...] = ()
    legend: tuple[str, ...] = ()
    off_chart: dict[str, float] = field(default_factory=dict)
    message: str | None = None
    key: tuple[str, ...] = ()  # the curves' marks alone (a line of its own under a chart)
    notes: tuple[str, ...] = ()  # what the marks cannot say (for a front end with room)


def y_range(curve: LossCurve, bars: bool = True) -> tuple[tuple[float, float], dict[str, float]]:
    """The y range that shows the curves' shape, and the baselines left off the chart.

    The models' errors (the judge and ridge AR) are always in range. A baseline joins them
    when it lies within one span of theirs (else it would flatten the curves: it is named with
    its value instead). The judge's error bars widen the range by at most one more span each
    way (not at all without ``bars``: a short chart spends its few rows on the means); longer
    bars run into the frame (the differences between lags are then well inside the noise, and
    the picture says so)."""
    means = [p.mse for p in curve.points + curve.linear + curve.scout]
    lo, hi = min(means), max(means)
    span = hi - lo or (abs(hi) * 0.05 or 1e-9)
    off = {}
    for name, level in curve.baselines.items():
        if lo - span <= level <= hi + span:
            lo, hi = min(lo, level), max(hi, level)
        else:
            off[name] = level
    span = hi - lo or span
    bars = [(p.mse - p.se, p.mse + p.se) for p in curve.points if p.se is not None and bars]
    if bars:
        lo = max(min(lo, *(low for low, _ in bars)), lo - span)
        hi = min(max(hi, *(high for _, high in bars)), hi + span)
    pad = (hi - lo) * 0.05
    return (lo - pad, hi + pad), off


def x_range(lags: list[int], log_x: bool) -> tuple[float, float]:
    """A little room either side, so the end points are not drawn on the frame."""
    lo, hi = min(lags), max(lags)
    if hi == lo:
        return lo - 1, hi + 1
    if log_x:
        factor = max(1.08, (hi / lo) ** 0.04)
        return lo / factor, hi * factor
    pad = max(0.5, (hi - lo) * 0.04)
    return lo - pad, hi + pad


def x_ticks(lags: list[int], log_x: bool, columns: int,
            xlim: tuple[float, float] | None = None) -> list[int]:
    """The lag axis's ticks for a plot area ``columns`` wide (see :func:`.ticks.lag_ticks`, the
    one tick rule): at every benchmarked lag when their labels fit, else round numbers."""
    if not lags:
        return []
    return lag_ticks(lags, log_x, columns, xlim or x_range(lags, log_x))


def _what(curve: LossCurve) -> str:
    name = MODEL_NAMES.get(curve.judge, curve.judge)
    if curve.split == "test":
        return f"{name} test MSE (no SE)"
    return f"{name} val MSE" + (" ± SE" if any(p.se is not None for p in curve.points) else "")


def _marks(curve: LossCurve, short: bool = False) -> list[str]:
    lags = set(curve.lags)
    chosen = curve.chosen if curve.chosen in lags else None
    parts = []
    if chosen is not None:
        also = (" best" if short else " (best)") if chosen == curve.best else ""
        parts.append(f"{MARKS['chosen']}{'' if short else ' '}chosen {chosen}{also}")
    if curve.best is not None and curve.best != chosen:
        parts.append(f"{MARKS['best']}{'' if short else ' '}best {curve.best}")
    if curve.left_race:
        parts.append(f"{MARKS['left_race']}{'' if short else ' '}left race")
    return parts


def _series(curve: LossCurve, off: dict[str, float], short: bool = False) -> list[str]:
    gap = "" if short else " "
    parts = [f"{MARKS['judge']}{gap}{MODEL_NAMES.get(curve.judge, curve.judge)}"]
    if curve.scout:
        parts.append(f"{MARKS['scout']}{gap}{'scout' if short else MODEL_NAMES[SCOUT]}")
    if curve.linear:
        parts.append(f"{MARKS['linear']}{gap}{SHORT_NAMES['ridge_ar'] if short else MODEL_NAMES['ridge_ar']}")
    for name, level in curve.baselines.items():
        label = SHORT_NAMES[name] if short else BASELINE_NAMES[name]
        if name in off:  # named with its level, and which way off the chart it lies
            label += f" {'↑' if level > max(p.mse for p in curve.points) else '↓'}{level:.3g}"
        parts.append(f"{MARKS[name]}{gap}{label}")
    return parts


#: A chart with fewer rows for its data than this keeps its y range to the means (see y_range).
SHORT_CHART_ROWS = 8


def plot_plan(curve: LossCurve, columns: int = 70, waiting: bool = False,
              rows: int | None = None) -> PlotPlan:
    """The picture of ``curve`` for a plot area ``columns`` wide and ``rows`` high (None: tall
    enough). ``waiting``: the run is still going (an empty curve says so rather than "none")."""
    if curve.empty:
        return PlotPlan(message=empty_message(curve, waiting))
    lags, log_x = curve.all_lags, curve.log_x
    ylim, off = y_range(curve, bars=rows is None or rows >= SHORT_CHART_ROWS)
    xlim = x_range(lags, log_x)
    return PlotPlan(plot_layers(curve, xlim, ylim, off), xlim, ylim, tuple(x_ticks(lags, log_x, columns, xlim)),
                    log_x, titles(curve, off), headings(curve), legends(curve, off), off, None,
                    keys(curve, off), notes(curve, ylim, off))


def empty_message(curve: LossCurve, waiting: bool) -> str:
    """What an empty curve says: still training (``waiting``), or no such errors in the run."""
    what = f"{curve.split} MSE by lag"
    if waiting:
        why = "known when the run ends" if curve.split == "test" else "the first lags are training…"
    else:
        why = f"no {curve.split} MSE in this run"
    return f"{what}: {why}"


# ----- the layers, drawn in this order: later ones over earlier ones --------------------------

def plot_layers(curve: LossCurve, xlim: tuple[float, float], ylim: tuple[float, float],
                off: dict[str, float]) -> tuple[Layer, ...]:
    """The baselines at the back, then the error bars, the curves, and the marked lags on top
    (each point's own marker must not be hidden under a line)."""
    return tuple(baseline_layers(curve, xlim, off) + error_bar_layers(curve, ylim)
                 + curve_layers(curve) + marked_lag_layers(curve))


def baseline_layers(curve: LossCurve, xlim: tuple[float, float], off: dict[str, float]) -> list[Layer]:
    """Each baseline within the y range as a level across the chart (those ``off`` it are named
    in the legends instead)."""
    layers = []
    for name in ("seasonal_naive", "persistence"):
        if name in curve.baselines and name not in off:
            level = curve.baselines[name]
            layers.append(Layer("line", xlim, (level, level), MARKS[name], COLORS[name]))
    return layers


def error_bar_layers(curve: LossCurve, ylim: tuple[float, float]) -> list[Layer]:
    """The judge's ± SE bars, cut at the frame (see :func:`y_range`)."""
    ylo, yhi = ylim
    return [Layer("line", (p.lag, p.lag), (max(ylo, p.mse - p.se), min(yhi, p.mse + p.se)),
                  MARKS["bar"], COLORS["bar"])
            for p in curve.points if p.se is not None and p.se > 0]


def curve_layers(curve: LossCurve) -> list[Layer]:
    """Ridge AR's and the judge's lines (with two points or more), then their points over them."""
    layers = []
    linear = tuple(p.lag for p in curve.linear), tuple(p.mse for p in curve.linear)
    if len(curve.linear) > 1:
        layers.append(Layer("line", *linear, MARKS["linear_line"], COLORS["linear_line"]))
    xs, ys = tuple(curve.lags), tuple(p.mse for p in curve.points)
    if len(xs) > 1:
        layers.append(Layer("line", xs, ys, "braille", COLORS["judge"]))
    if curve.scout:  # the scout's error at every lag it scouted (a declared network's run)
        layers.append(Layer("scatter", tuple(p.lag for p in curve.scout), tuple(p.mse for p in curve.scout),
                            MARKS["scout"], COLORS["scout"]))
    if curve.linear:  # the points over the lines: each model's own marker
        layers.append(Layer("scatter", *linear, MARKS["linear"], COLORS["linear"]))
    layers.append(Layer("scatter", xs, ys, MARKS["judge"], COLORS["judge"]))
    return layers


def marked_lag_layers(curve: LossCurve) -> list[Layer]:
    """The lags that left the race, the best one (when it was not chosen) and the chosen one,
    the chosen on top."""
    layers = []
    by_lag = {p.lag: p.mse for p in curve.points}
    out = curve.left_race
    if out:
        layers.append(Layer("scatter", tuple(out), tuple(by_lag[lag] for lag in out),
                            MARKS["left_race"], COLORS["left_race"]))
    if curve.best is not None and curve.best != curve.chosen:
        layers.append(Layer("scatter", (curve.best,), (by_lag[curve.best],), MARKS["best"], COLORS["best"]))
    if curve.chosen in by_lag:
        layers.append(Layer("scatter", (curve.chosen,), (by_lag[curve.chosen],), MARKS["chosen"],
                            COLORS["chosen"]))
    return layers


# ----- the texts, longest first: a front end shows the first that fits (see fitting) ----------

def _tiny(curve: LossCurve) -> str:
    """The shortest title: the split and the marked lags' characters."""
    short_marks = _marks(curve, short=True)
    return f"{curve.split} MSE: " + " ".join(short_marks) if short_marks else f"{curve.split} MSE"


def titles(curve: LossCurve, off: dict[str, float]) -> tuple[str, ...]:
    """One line with the title and the whole legend (for a short chart), ever shorter: long
    words, then the short names, then the curves left off the chart, then the marks alone."""
    what, marks, short_marks = _what(curve), _marks(curve), _marks(curve, short=True)
    series, short_series = _series(curve, off), _series(curve, off, short=True)
    on_chart = _series(curve, {}, short=True)[:len(short_series) - len(off)] if off else short_series
    brief = {"val": "val MSE ±SE" if "±" in what else "val MSE", "test": "test MSE (no SE)"}[curve.split]
    return tuple(dict.fromkeys((
        f"{what} by lag: " + "  ".join(series + marks),
        f"{what}: " + " ".join(series + marks),
        f"{what}: " + " ".join(short_series + short_marks),
        f"{brief}: " + " ".join(short_series + short_marks),
        f"{brief}: " + " ".join(on_chart + short_marks),
        f"{what}: " + " ".join(marks) if marks else what,
        _tiny(curve),
    )))


def headings(curve: LossCurve) -> tuple[str, ...]:
    """A tall chart's title: what is drawn and the marked lags (the curves go in the legend)."""
    what, marks, short_marks = _what(curve), _marks(curve), _marks(curve, short=True)
    return (
        f"{what} by lag: " + "  ".join(marks) if marks else f"{what} by lag",
        f"{what}: " + " ".join(short_marks) if short_marks else what,
        _tiny(curve),
    )


def legends(curve: LossCurve, off: dict[str, float]) -> tuple[str, ...]:
    """A tall chart's x-label row: the axis and the curves' marks."""
    axis = "lag (log scale)" if curve.log_x else "lag"
    return (f"{axis}   " + "  ".join(_series(curve, off)), f"{axis}  " + " ".join(_series(curve, off, short=True)),
            axis)


def keys(curve: LossCurve, off: dict[str, float]) -> tuple[str, ...]:
    """The curves' marks as a line of their own (under the CLI's chart), with the bars' and the
    race's marks when they are drawn."""
    series = _series(curve, off)
    return ("  ".join(series + [f"{MARKS['bar']} ± SE"] * any(p.se for p in curve.points)
                      + [f"{MARKS['left_race']} left the race"] * bool(curve.left_race)),
            " ".join(_series(curve, off, short=True)))


def notes(curve: LossCurve, ylim: tuple[float, float], off: dict[str, float]) -> tuple[str, ...]:
    """What the marks cannot say: bars cut at the frame, baselines off the chart, no test SE."""
    ylo, yhi = ylim
    found = []
    if any(p.se and (p.mse - p.se < ylo or p.mse + p.se > yhi) for p in curve.points):
        found.append(f"{MARKS['bar']} ± 1 SE of each lag's MSE; bars reaching the frame go further: "
                     "one SE is wider than the spread between the lags")
    if off:
        found.append("↑/↓ and a value: a baseline above/below the chart (drawn, it would flatten the curves)")
    if curve.split == "test":
        found.append("test MSE: the report keeps no SE for the test block, so no bars")
    return tuple(found)


def draw_plan(plt, plan: PlotPlan) -> None:
    """Hand ``plan`` to a plotext-like ``plt`` (its data cleared first; the title and the x label
    are the caller's, who knows the room)."""
    plt.clear_data()
    if plan.message is not None:  # an empty frame (plotext cannot build a log axis of nothing)
        plt.xscale("linear")
        return
    plt.xscale("log" if plan.log_x else "linear")
    draw_layers(plt, plan.layers)
    left, right = plan.xlim
    if plan.log_x:  # plotext scales the data and the ticks, not the limits
        left, right = math.log10(left), math.log10(right)
    plt.xlim(left, right)
    plt.ylim(*plan.ylim)
    plt.xticks(list(plan.xticks))
