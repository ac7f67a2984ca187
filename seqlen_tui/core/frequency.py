"""The series' clock: its frequency, from the median spacing, and the seasonal periods it implies.

Which seasonal lags (a day, a week, a trading session) the analysis offers as sequence lengths
depends on this, so weekends, holidays and overnight gaps must not turn hourly bars into
"irregular": the median spacing shrugs them off, and intraday equity bars are recognised by
the number of bars per calendar day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_DAY = 86400.0
# Seasonal lags longer than a week of 5-minute bars are impractical LSTM lookbacks; shorter
# than 4 steps they are not a "season" worth offering as a sequence length.
_MIN_PERIOD, _MAX_PERIOD = 4, 2016


@dataclass(frozen=True)
class FrequencyInfo:
    """The series' clock and the seasonal periods (in steps) that clock implies."""

    alias: str | None
    step_seconds: float | None
    description: str
    seasonal_periods: tuple[int, ...] = ()
    period_names: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"alias": self.alias, "description": self.description,
                "seasonal_periods": list(self.seasonal_periods),
                "period_names": list(self.period_names), "step_seconds": self.step_seconds}


def _human(seconds: float) -> str:
    for unit, size in (("days", _DAY), ("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} seconds"


def _subdaily(ts: np.ndarray, step: float) -> FrequencyInfo:
    """Intraday steps: per-hour/per-day/per-week periods, or per-session when trading hours only."""
    days, counts = np.unique(ts.astype("datetime64[D]"), return_counts=True)
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    business = bool(days.size >= 5 and np.mean(weekday >= 5) < 0.1)
    full_day = _DAY / step
    bars = int(round(float(np.median(counts))))
    session = days.size >= 3 and bars < 0.75 * full_day
    if step % 3600 == 0:
        k = int(step // 3600)
        alias, desc = ("h", "hourly") if k == 1 else (f"{k}h", f"{k}-hourly")
    elif step % 60 == 0:
        k = int(step // 60)
        alias = "min" if k == 1 else f"{k}min"
        desc = {30: "half-hourly", 15: "quarter-hourly", 1: "1-minute"}.get(k, f"{k}-minute")
    elif step >= 1:
        alias, desc = (f"{int(step)}s" if step != 1 else "s"), f"{int(step)}-second"
    else:
        alias, desc = f"{int(round(step * 1000))}ms", f"{int(round(step * 1000))}-millisecond"
    cands = [(unit / step, nm) for nm, unit in (("minute", 60.0), ("hour", 3600.0))]
    day_bars = bars if session else full_day
    cands += [(day_bars, "session" if session else "day"), (day_bars * (5 if business else 7), "week")]
    ok = [(int(round(p)), nm) for p, nm in cands
          if abs(p - round(p)) < 1e-9 and _MIN_PERIOD <= round(p) <= _MAX_PERIOD]
    ok = sorted(ok)[:3]
    if session:
        desc = f"{desc} ({bars} bars per session)"
    return FrequencyInfo(alias, step, desc, tuple(p for p, _ in ok), tuple(nm for _, nm in ok))


def infer_frequency(timestamps: np.ndarray | None) -> FrequencyInfo:
    """Classify the median spacing, which shrugs off weekends, holidays and overnight gaps."""
    if timestamps is None:
        return FrequencyInfo(None, None, "unknown (no timestamps: row order is time order)")
    ts = _distinct_in_order(timestamps)
    if ts.size < 2:
        return FrequencyInfo(None, None, "unknown (fewer than 2 timestamps)")
    d = np.diff(ts).astype("int64") / 1e9
    step = float(np.median(d))
    irregular = FrequencyInfo(None, step, f"irregular (median spacing {_human(step)})")
    if step < 0.9 * _DAY:
        return _intraday(ts, d, step, irregular)
    return _calendar(ts, step, irregular)


def _distinct_in_order(timestamps: np.ndarray) -> np.ndarray:
    """The valid timestamps, sorted, each once: repeats and NaT would distort the spacing."""
    ts = np.asarray(timestamps, dtype="datetime64[ns]")
    ts = ts[~np.isnat(ts)]
    if np.any(ts[1:] < ts[:-1]):  # callers normally pass sorted data; np.unique is slow on 1M
        ts = np.sort(ts)
    return ts[np.r_[True, ts[1:] != ts[:-1]]] if ts.size else ts


def _intraday(ts: np.ndarray, d: np.ndarray, step: float, irregular: FrequencyInfo) -> FrequencyInfo:
    """A sub-daily median step: bars on a grid of (nearly) that step, or ``irregular`` ticks.

    ``d`` are the spacings in seconds; the step is rounded to whole seconds (milliseconds below
    one second), and most spacings must sit on that grid, since ticks are not bars.
    """
    rounded = round(step) if step >= 1 else round(step, 3)
    on_grid = np.mean(np.abs(d - rounded) <= 0.01 * rounded)  # ticks are not bars
    if rounded <= 0 or abs(step - rounded) > 0.01 * step or on_grid < 0.5:
        return irregular
    return _subdaily(ts, float(rounded))


def _calendar(ts: np.ndarray, step: float, irregular: FrequencyInfo) -> FrequencyInfo:
    """A step of about a day or more: daily (calendar or business), weekly, monthly, quarterly or
    yearly, the last three anchored at period starts when most stamps fall on the 1st."""
    days = (ts + np.timedelta64(12, "h")).astype("datetime64[D]")  # tz-shifted midnights round right
    idx = pd.DatetimeIndex(days)
    if step <= 1.1 * _DAY:
        if np.mean(idx.day_of_week >= 5) >= 0.1:
            return FrequencyInfo("D", step, "daily", (7,), ("week",))
        return FrequencyInfo("B", step, "business daily", (5,), ("week",))
    if 6.5 * _DAY <= step <= 7.5 * _DAY:
        return FrequencyInfo("W", step, "weekly", (52,), ("year",))
    starts = np.mean(idx.day == 1) >= 0.8
    if 27.5 * _DAY <= step <= 31.5 * _DAY:
        return FrequencyInfo("MS" if starts else "ME", step, "monthly", (12,), ("year",))
    if 88 * _DAY <= step <= 93 * _DAY:
        return FrequencyInfo("QS" if starts else "QE", step, "quarterly", (4,), ("year",))
    if 364 * _DAY <= step <= 367 * _DAY:
        return FrequencyInfo("YS" if starts else "YE", step, "yearly")
    return irregular
