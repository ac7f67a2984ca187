"""Series with known answers, generated (no data files needed)."""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter


def ar_process(coefs: tuple[float, ...], n: int, seed: int = 0, burn_in: int = 500) -> np.ndarray:
    """x_t = sum_i coefs[i] * x_{t-1-i} + e_t with standard normal noise."""
    noise = np.random.default_rng(seed).standard_normal(n + burn_in)
    return lfilter([1.0], np.r_[1.0, -np.asarray(coefs)], noise)[burn_in:]


def white_noise(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n)


def random_profile(period: int, n: int, noise: float = 0.5, seed: int = 0) -> np.ndarray:
    """A random profile of length ``period`` repeated, plus noise (like a daily load shape)."""
    rng = np.random.default_rng(seed)
    profile = rng.standard_normal(period)
    return np.resize(profile, n) + noise * rng.standard_normal(n)


def random_walk(n: int, seed: int = 0, start: float = 100.0) -> np.ndarray:
    return start + np.random.default_rng(seed).standard_normal(n).cumsum()


#: Differences that are AR(16) with real weight at lag 16 (as in benchmarks/corpus.py).
AR16 = (0.25, 0.1, 0.0, 0.05, 0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.05, 0.0, 0.0, 0.0, 0.3)


def write_ar_closes(path, n: int = 400, seed: int = 0):
    """``n`` daily closes whose changes are AR(2) (0.5, 0.2): one small asset file for the
    batch tests, different per ``seed``."""
    import pandas as pd

    levels = 100 + ar_process((0.5, 0.2), n, seed=seed).cumsum()
    pd.DataFrame({"Date": pd.date_range("2021-01-01", periods=n, freq="D"),
                  "Close": levels}).to_csv(path, index=False)
    return path


def write_ar2_closes(path, n: int):
    """``n`` daily closes whose changes are AR(2) (0.5, 0.3): a linear judge needs 2 lags."""
    import pandas as pd

    levels = 500 + ar_process((0.5, 0.3), n, seed=4).cumsum()
    pd.DataFrame({"Date": pd.date_range("2020-01-01", periods=len(levels), freq="D"),
                  "Close": levels}).to_csv(path, index=False)
    return path
