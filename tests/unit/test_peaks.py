"""Our find_peaks gives scipy's peaks for the options the analysis uses."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks as scipy_find_peaks

from seqlen_tui.core.peaks import find_peaks


def _curves():
    rng = np.random.default_rng(0)
    for seed in range(40):
        n = int(rng.integers(3, 400))
        x = np.random.default_rng(seed).standard_normal(n).cumsum()
        yield x
        yield np.round(x, 0)  # plateaus
        yield np.cos(np.arange(n) * 2 * np.pi / 24) * np.exp(-np.arange(n) / 200) + 0.05 * rng.standard_normal(n)


@pytest.mark.parametrize("options", [
    {},
    {"height": 0.1, "distance": 24},
    {"distance": 2},
    {"prominence": 0.5},
    {"height": 0.0, "distance": 3, "prominence": 0.2},
    {"distance": 7.5},
])
def test_same_peaks_as_scipy(options):
    for x in _curves():
        ours = find_peaks(x, **options)
        ref, _ = scipy_find_peaks(x, **options)
        np.testing.assert_array_equal(ours, ref)


def test_array_conditions_are_read_at_each_peak():
    for x in _curves():
        band = np.abs(np.sin(np.arange(x.size))) * 0.5
        ours = find_peaks(x, height=band, distance=2, prominence=band)
        ref, _ = scipy_find_peaks(x, height=band, distance=2, prominence=band)
        np.testing.assert_array_equal(ours, ref)


def test_known_peaks():
    x = np.array([0, 2, 1, 3, 3, 3, 1, 5, 0, 0.5])
    np.testing.assert_array_equal(find_peaks(x), [1, 4, 7])
    np.testing.assert_array_equal(find_peaks(x, distance=4), [1, 7])  # 7 wins; 4 is 3 away
    np.testing.assert_array_equal(find_peaks(x, prominence=2.5), [7])
