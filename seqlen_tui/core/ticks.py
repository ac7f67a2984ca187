"""Where a lag axis puts its ticks: one rule for every chart (the ACF, the loss curve, two runs
compared), in the CLI and in the app.

Lags are whole numbers, so the ticks are too (plotext's own ticks, 26.2, 52.5, …, suggest
fractional lags). They sit at round numbers, a 1-2-5 step (1, 2, 5, 10, 20, …), the densest that
fits the columns the plot area has:

- :func:`even_ticks`, for an axis that runs 0 to the last lag with every lag on it (the ACF):
  ticks from 0 at one step, at least :data:`COLUMNS_PER_TICK` columns apart;
- :func:`lag_ticks`, for the lags a run benchmarked (a few, uneven): a tick at every one when
  their labels fit (one blank between labels), else round numbers: a 1-2-5 step on a linear
  axis, 1, 2, 5 × 10ⁿ on a log one.

Pure arithmetic: no plotting library is imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

#: The round numbers' leading digits: a 1-2-5 sequence.
ROUND_MANTISSAS = (1, 2, 5)
#: The room an evenly stepped axis gives each tick (its label and the gap to the next).
COLUMNS_PER_TICK = 8


def round_steps(top: int) -> Iterator[int]:
    """1, 2, 5, 10, 20, 50, … until a step longer than ``top`` (so some step always covers it)."""
    for power in range(len(str(top)) + 1):
        for mantissa in ROUND_MANTISSAS:
            yield mantissa * 10 ** power


def round_step(top: int, most: int) -> int:
    """The smallest round step that cuts 0..``top`` into at most ``most`` steps."""
    return next(step for step in round_steps(top) if top / step <= most)


def stepped_ticks(top: int, most: int = 5) -> list[int]:
    """0 to ``top`` at the round step that makes at most ``most`` steps (about ``most`` ticks)."""
    return list(range(0, top + 1, round_step(top, most)))


def even_ticks(top: int, columns: int) -> list[int]:
    """0 to ``top`` at the densest round step that leaves :data:`COLUMNS_PER_TICK` columns of a
    plot area ``columns`` wide to each tick (one tick at least)."""
    return stepped_ticks(top, max(columns // COLUMNS_PER_TICK, 1))


# ----- ticks at the benchmarked lags, or round numbers when their labels do not fit -------------

Position = Callable[[float], float]


def tick_positions(xlim: tuple[float, float], log_x: bool, columns: int) -> Position:
    """The column (0 to ``columns`` - 1) at which a value is drawn on an axis spanning ``xlim``."""
    left, right = xlim
    scale = math.log if log_x else float
    width = (scale(right) - scale(left)) or 1

    def position(value: float) -> float:
        return (scale(value) - scale(left)) / width * (columns - 1)

    return position


def labels_fit(ticks: list[int], position: Position) -> bool:
    """Whether the ticks' labels, each centred on its tick, leave a blank between neighbours."""
    end = -math.inf
    for tick in ticks:
        middle, half = position(tick), len(str(tick)) / 2
        if middle - half < end + 1:
            return False
        end = middle + half
    return True


def _log_round_ticks(top: int, xlim: tuple[float, float], fits: Callable[[list[int]], bool]) -> list[int] | None:
    """The densest of 1-2-5, 1-3 and 1 × 10ⁿ within ``xlim`` whose labels fit (two ticks at least)."""
    left, right = xlim
    decades = range(len(str(top)) + 1)
    for mantissas in ((1, 2, 5), (1, 3), (1,)):
        ticks = sorted(m * 10 ** k for k in decades for m in mantissas if left <= m * 10 ** k <= right)
        if len(ticks) >= 2 and fits(ticks):
            return ticks
    return None


def _linear_round_ticks(lags: list[int], xlim: tuple[float, float],
                        fits: Callable[[list[int]], bool]) -> list[int] | None:
    """The positive multiples of the densest round step within ``xlim`` whose labels fit."""
    left, right = xlim
    for step in round_steps(lags[-1]):
        ticks = list(range(math.ceil(left / step) * step, int(right) + 1, step))
        ticks = [t for t in ticks if t > 0] or [lags[0]]
        if fits(ticks):
            return ticks
    return None


def lag_ticks(lags: list[int], log_x: bool, columns: int, xlim: tuple[float, float]) -> list[int]:
    """Ticks at every lag in ``lags`` when their labels fit a plot area ``columns`` wide spanning
    ``xlim``; else round numbers (1, 2, 5 × 10ⁿ on a log axis, a 1-2-5 step on a linear one),
    the densest set that fits; else the two ends, or the first lag alone."""
    if not lags:
        return []
    position = tick_positions(xlim, log_x, columns)

    def fits(ticks: list[int]) -> bool:
        return labels_fit(ticks, position)

    lags = sorted(set(lags))
    if fits(lags):
        return lags
    rounded = (_log_round_ticks(lags[-1], xlim, fits) if log_x else _linear_round_ticks(lags, xlim, fits))
    if rounded is not None:
        return rounded
    ends = [lags[0], lags[-1]]
    return ends if fits(ends) else [lags[0]]
