"""``find_peaks`` for ACF curves, without importing ``scipy.signal``.

Importing ``scipy.signal`` costs about 0.75 s (its array-API backends), three quarters of
what ``seqlen-tui analyze`` would otherwise take.  This is the subset of
``scipy.signal.find_peaks`` the analysis uses — ``height``, ``distance`` and ``prominence``,
applied in scipy's order — and gives the same peaks (a test compares them on random and
plateaued curves).
"""

from __future__ import annotations

import numpy as np


def find_peaks(
    x: np.ndarray,
    height: float | np.ndarray | None = None,
    distance: float | None = None,
    prominence: float | np.ndarray | None = None,
) -> np.ndarray:
    """Indices of peaks of ``x`` satisfying the conditions, in increasing order."""
    x = np.asarray(x, dtype=float)
    peaks = local_maxima(x)
    if height is not None:
        peaks = peaks[x[peaks] >= _at(height, peaks)]
    if distance is not None and peaks.size > 1:
        peaks = _select_by_distance(peaks, x[peaks], float(np.ceil(distance)))
    if prominence is not None and peaks.size:
        peaks = peaks[prominences(x, peaks) >= _at(prominence, peaks)]
    return peaks


def _at(condition: float | np.ndarray, peaks: np.ndarray) -> np.ndarray | float:
    return condition[peaks] if isinstance(condition, np.ndarray) else condition


def local_maxima(x: np.ndarray) -> np.ndarray:
    """Strict local maxima; a flat top counts once, at its middle (rounded down), as scipy."""
    if x.size < 3:
        return np.zeros(0, dtype=int)
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    ends = np.r_[starts[1:] - 1, x.size - 1]
    values = x[starts]
    inner = np.arange(1, len(starts) - 1)
    is_peak = (values[inner] > values[inner - 1]) & (values[inner] > values[inner + 1])
    runs = inner[is_peak]
    return (starts[runs] + ends[runs]) // 2


def _select_by_distance(peaks: np.ndarray, heights: np.ndarray, distance: float) -> np.ndarray:
    """Keep the highest peaks, dropping lower ones closer than ``distance`` (scipy's rule)."""
    keep = np.ones(peaks.size, dtype=bool)
    for i in np.argsort(heights)[::-1]:  # scipy's (unstable) order, so ties break alike
        if not keep[i]:
            continue
        close = np.abs(peaks - peaks[i]) < distance
        close[i] = False
        keep[close] = False
    return peaks[keep]


def prominences(x: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """How far each peak rises above the higher of its two bases (scipy's definition)."""
    out = np.empty(peaks.size)
    for k, peak in enumerate(peaks):
        top = x[peak]
        higher_left = np.flatnonzero(x[:peak] > top)
        left_min = x[(higher_left[-1] + 1 if higher_left.size else 0) : peak + 1].min()
        higher_right = np.flatnonzero(x[peak + 1 :] > top)
        right_end = peak + 1 + higher_right[0] if higher_right.size else x.size
        right_min = x[peak:right_end].min()
        out[k] = top - max(left_min, right_min)
    return out
