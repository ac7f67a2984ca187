"""The answer as a picture: how the forecast error changes with the window.

From leaderboard rows (``LeaderboardRow.to_dict()``, as a live run sends them and as reports
store them), the judge's error at each benchmarked lag with its standard error, ridge AR at the
same lags, the baselines as levels, and the lags that matter marked (chosen, best, left the
race early). Pure data: the app draws it with plotext, the CLI prints it; neither decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

#: Lags spanning more than this ratio are drawn on a log-scaled x axis.
LOG_X_SPAN = 10.0
SPLITS = ("val", "test")


@dataclass(frozen=True)
class CurvePoint:
    lag: int
    mse: float
    se: float | None = None  # validation only: the test block has no SE in the report
    seeds: int | None = None
    left_race_after: int | None = None  # the round after which this lag left the race


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

    @property
    def lags(self) -> list[int]:
        return [p.lag for p in self.points]

    @property
    def log_x(self) -> bool:
        """Whether the lags span more than a decade (then a log x axis reads better)."""
        lags = [lag for lag in self.lags if lag > 0]
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
    return LossCurve(split, judge, mine, linear, baselines, chosen_lag, best)


def report_curve(report: dict, split: str = "val") -> LossCurve:
    """:func:`loss_curve` of a stored (or just finished) run report."""
    return loss_curve(report.get("leaderboard") or [], split, report.get("chosen_model"),
                      report.get("chosen_lag"))
