"""The series' memory: ACF, PACF and AR orders of the raw, differenced and log-return series.

Why three transforms: prices and loads are usually non-stationary, so the raw ACF mostly says
"trend" (it decays slowly from 1); the ACF of the *differences* shows the short memory the
LSTM can use, and log returns are what quants look at when every value is positive.

Every figure is cheap on purpose (the whole analysis of a 1,000,000-point series takes about a
second, its ACF a fifth of one):

* the ACF is statsmodels' ``acf(fft=True)`` computed with a real FFT (same numbers, faster);
  its Bartlett band is kept as a band *around zero* (``band_low``/``band_high``), which is
  what plots draw and what significance means (a lag is significant outside the band);
* the PACF is the Levinson–Durbin recursion on that same ACF (statsmodels' ``pacf(method=
  "ldb")`` recomputes the ACF without FFT and takes minutes on long series);
* AR orders by AIC and BIC come from one Cholesky (QR) factorisation of the lag matrix: the
  residual sum of squares of every nested order falls out of the cumulative projections,
  fitted on a common sample exactly as ``statsmodels.tsa.ar_model.ar_select_order`` does, so the chosen orders are
  the same (a test checks) at a fraction of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from .options import OptionError
from .peaks import find_peaks

TRANSFORMS = ("raw", "diff", "logret")
TRANSFORM_LABELS = {"raw": "raw", "diff": "differenced", "logret": "log returns"}

#: AR order search: capped so that selection stays fast and meaningful. Measured on the
#: corpus benchmark (``bench_quality.py``, label ``arwide``): searching up to 256 lags (and a
#: tenth of the series) whatever the ACF's range changed one pick of 19 (tree rings, 22 → 77,
#: regret 1.005 → 1.003) and took 20 % longer (AIC orders of 241 on half-hourly series).
MAX_AR_ORDER = 50
#: AR orders are fitted on at most this many of the most recent points.
AR_FIT_POINTS = 20_000
#: The article's fixed peak distance and height for its ``seasonal_peak_lag``.
ARTICLE_PEAK_DISTANCE = 24
ARTICLE_PEAK_HEIGHT = 0.1
#: Default max lag bounds (two of the longest natural periods, within these bounds).
MIN_DEFAULT_MAX_LAG = 40
#: The smallest ACF a peak may have, however long the series (see :func:`significant_peaks`).
MIN_PEAK_ACF = 0.01
#: A natural period's peak is expected within this share of it either side, and at least one
#: lag: the clock's own rounding (a year is 52.18 weeks or 365.25 days, a trading year 250-253
#: days).
NATURAL_PERIOD_WINDOW = 0.01


@dataclass(frozen=True)
class AcfAnalysis:
    """What one transform of the series says about its memory."""

    transform: str
    n: int
    alpha: float
    lags: np.ndarray
    acf: np.ndarray
    band_low: np.ndarray
    band_high: np.ndarray
    # The article's three figures, computed exactly as the article does.
    first_insignificant_lag: int
    max_significant_lag: int
    seasonal_peak_lag: int | None
    # Our additions.
    peaks: tuple[int, ...]
    pacf: np.ndarray
    pacf_band: float
    pacf_cutoff: int
    ar_order_aic: int
    ar_order_bic: int
    ar_max_order: int

    @property
    def label(self) -> str:
        return TRANSFORM_LABELS[self.transform]

    def to_dict(self) -> dict:
        return {
            "transform": self.transform,
            "n": self.n,
            "first_insignificant_lag": self.first_insignificant_lag,
            "max_significant_lag": self.max_significant_lag,
            "seasonal_peak_lag": self.seasonal_peak_lag,
            "peaks": list(self.peaks),
            "pacf_cutoff": self.pacf_cutoff,
            "ar_order_aic": self.ar_order_aic,
            "ar_order_bic": self.ar_order_bic,
            "ar_max_order": self.ar_max_order,
            "lags": self.lags.tolist(),
            "acf": self.acf.tolist(),
            "band_low": self.band_low.tolist(),
            "band_high": self.band_high.tolist(),
            "pacf": self.pacf.tolist(),
            "pacf_band": self.pacf_band,
        }


def transform_series(values: np.ndarray, transform: str) -> np.ndarray | None:
    """The series seen through ``transform``; ``None`` when it does not apply."""
    if transform == "raw":
        return values
    if transform == "diff":
        return np.diff(values)
    if transform == "logret":
        if np.any(values <= 0):
            return None
        return np.diff(np.log(values))
    raise ValueError(f"unknown transform {transform!r}")


def default_max_lag(n: int, seasonal_periods: tuple[int, ...] = ()) -> int:
    """Two of the longest natural periods, at least 40, at most a quarter of the series."""
    wanted = max(MIN_DEFAULT_MAX_LAG, 2 * max(seasonal_periods, default=0))
    return max(1, min(wanted, n // 4))


def check_max_lag(max_lag: int, n: int) -> None:
    """Refuse lags the data cannot support, saying what would work."""
    if max_lag < 1:
        raise OptionError("max_lag", f"«max_lag» must be at least 1 (got {max_lag})")
    limit = max_lag_limit(n)
    if max_lag > limit:
        raise OptionError(
            "max_lag", f"«max_lag» {max_lag} is too long for {n} points: the ACF up to lag {max_lag} needs "
            f"at least {minimum_points(max_lag)} points; use «max_lag» {max(1, limit)} or less, "
            "or more data"
        )


def max_lag_limit(n: int) -> int:
    """The longest lag whose ACF is still estimated from at least half of the differences."""
    return (n - 1) // 2 - 1


def minimum_points(max_lag: int) -> int:
    return 2 * (max_lag + 1) + 1


def analyze_transform(
    values: np.ndarray,
    transform: str,
    max_lag: int,
    alpha: float = 0.05,
    peak_distance: int = 2,
    natural_periods: tuple[int, ...] = (),
) -> AcfAnalysis | None:
    """ACF/PACF/AR analysis of one transform; ``None`` if the transform is undefined or flat.

    ``natural_periods`` (the clock's day, week, year in steps) are the lags where a peak is
    expected before looking: they are tested on their own window, every other lag as part of
    the whole search (:func:`significant_peaks`).
    """
    x = transform_series(np.asarray(values, dtype=float), transform)
    if x is None or len(x) < 3 or not np.isfinite(x).all() or np.ptp(x) == 0:
        return None
    nlags = min(max_lag, len(x) - 1)
    acf_vals, confint = acf_with_confint(x, nlags, alpha)
    band_high = confint[:, 1] - acf_vals
    band_low = -band_high
    first_insig, max_sig, seasonal_peak = article_figures(acf_vals, confint, nlags)
    pacf_vals, pacf_band = _pacf(acf_vals, len(x), alpha, min(nlags, len(x) // 2 - 1))
    max_order = min(MAX_AR_ORDER, nlags, max(1, len(x) // 10))
    aic, bic = ar_orders(x, max_order=max_order)
    return AcfAnalysis(
        transform=transform,
        n=len(x),
        alpha=alpha,
        lags=np.arange(nlags + 1),
        acf=acf_vals,
        band_low=band_low,
        band_high=band_high,
        first_insignificant_lag=first_insig,
        max_significant_lag=max_sig,
        seasonal_peak_lag=seasonal_peak,
        peaks=significant_peaks(acf_vals, band_high, peak_distance, alpha, natural_periods),
        pacf=pacf_vals,
        pacf_band=pacf_band,
        pacf_cutoff=pacf_cutoff(pacf_vals, pacf_band),
        ar_order_aic=aic,
        ar_order_bic=bic,
        ar_max_order=max_order,
    )


def acf_with_confint(x: np.ndarray, nlags: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """ACF and its Bartlett confidence interval, as ``statsmodels.tsa.stattools.acf(x, nlags,
    alpha=alpha, fft=True)`` returns them (a test checks equality).

    Computed with a real FFT padded to a fast length: about four times faster than
    statsmodels' complex FFT, which matters on million-point minute series.
    """
    from scipy import fft as sp_fft

    centred = x - x.mean()
    size = sp_fft.next_fast_len(2 * len(x) - 1, real=True)
    spectrum = sp_fft.rfft(centred, size)
    acov = sp_fft.irfft(spectrum * np.conj(spectrum), size)[: nlags + 1]
    acf_vals = acov / acov[0]
    # Bartlett's formula: var(r_k) = (1 + 2 * sum_{j<k} r_j^2) / n, and 0 at lag 0.
    varacf = np.ones(nlags + 1) / len(x)
    varacf[0] = 0.0
    varacf[2:] *= 1 + 2 * np.cumsum(acf_vals[1:-1] ** 2)
    half_width = _z(alpha) * np.sqrt(varacf)
    confint = np.column_stack([acf_vals - half_width, acf_vals + half_width])
    return acf_vals, confint


def article_figures(acf_vals: np.ndarray, confint: np.ndarray, max_lag: int) -> tuple[int, int, int | None]:
    """The article's ``first_insignificant_lag``, ``max_significant_lag``, ``seasonal_peak_lag``.

    Kept literally: the first lag whose confidence interval contains zero (else ``max_lag``);
    the largest lag whose interval excludes zero (lag 0 always does, so this is never below 0);
    the first peak of ``find_peaks(acf[1:], height=0.1, distance=24)``.
    """
    lo, hi = confint[:, 0], confint[:, 1]
    insignificant = np.flatnonzero((lo < 0) & (hi > 0))
    first_insig = int(insignificant[0]) if insignificant.size else int(max_lag)
    significant = np.flatnonzero((lo > 0) | (hi < 0))
    max_sig = int(significant.max()) if significant.size else 1
    peaks = find_peaks(acf_vals[1:], height=ARTICLE_PEAK_HEIGHT, distance=ARTICLE_PEAK_DISTANCE)
    seasonal = int(peaks[0] + 1) if peaks.size else None
    return first_insig, max_sig, seasonal


def significant_peaks(
    acf_vals: np.ndarray,
    band_high: np.ndarray,
    distance: int,
    alpha: float = 0.05,
    natural_periods: tuple[int, ...] = (),
) -> tuple[int, ...]:
    """Lags of positive ACF peaks that are significant and stand out from their neighbours.

    ``band_high`` is the per-lag Bartlett band at ``alpha`` (what the plots draw). A peak must

    * clear that band **widened for the number of lags searched**: looking for the highest of
      2,880 lags, a per-lag 95 % band is crossed somewhere by chance nearly every time (a
      million-point random walk gave 1-3 "peaks" of r = 0.00 per seed). The band is scaled
      from ``z(alpha)`` to the Šidák ``z`` over the lags searched (:func:`searched_z`), so a
      series with no memory at all shows no peak with probability ``1 - alpha``. A natural
      period of the clock is a question asked before looking, not found by the search: a peak
      within ``NATURAL_PERIOD_WINDOW`` of one (the clock's rounding, at least one lag) is tested
      against the lags of that window only (51-53 for a year of weeks), so a weak but real
      yearly cycle still confirms its year (weekly gasoline's differences: r = 0.085 at 52 on
      1,355 points, against 0.081 for 3 lags and 0.117 for all 104);
    * reach ``MIN_PEAK_ACF`` (0.01): on long series the band shrinks as ``1/sqrt(n)`` and a
      correlation of 0.004 becomes "significant" while explaining 0.002 % of the variance and
      printing as r = 0.00. Below 100,000 points the widened band is above 0.01 anyway, so
      the floor only speaks where significance has stopped meaning size;
    * rise above its surroundings by more than the per-lag band (its prominence), so noise
      wiggles on a slowly decaying ACF are not peaks.

    Strongest first.
    """
    if len(acf_vals) < 3:
        return ()
    body, band = acf_vals[1:], band_high[1:]
    height = np.maximum(band * (peak_z(len(body), alpha, natural_periods) / _z(alpha)), MIN_PEAK_ACF)
    peaks = find_peaks(body, height=height, distance=max(1, distance), prominence=band)
    if not peaks.size:
        return ()
    order = np.argsort(-body[peaks], kind="stable")
    return tuple(int(p + 1) for p in peaks[order])


def searched_z(alpha: float, searched: int) -> float:
    """The two-sided normal quantile that ``searched`` independent lags all stay inside with
    probability ``1 - alpha`` (Šidák: each lag at ``1 - (1 - alpha) ** (1 / searched)``)."""
    per_lag = -np.expm1(np.log1p(-alpha) / max(1, searched))
    return NormalDist().inv_cdf(1 - per_lag / 2)


def peak_z(searched: int, alpha: float, natural_periods: tuple[int, ...] = ()) -> np.ndarray:
    """The ``z`` each of lags ``1..searched`` must clear to be a peak: the whole search's,
    or, within ``NATURAL_PERIOD_WINDOW`` of a natural period, that window's (the smallest
    window that holds the lag)."""
    z = np.full(searched, searched_z(alpha, searched))
    for period in sorted(set(natural_periods)):
        reach = max(1, int(NATURAL_PERIOD_WINDOW * period))
        first, last = max(1, period - reach), min(searched, period + reach)
        if first > last:
            continue
        z[first - 1 : last] = np.minimum(z[first - 1 : last], searched_z(alpha, last - first + 1))
    return z


def _z(alpha: float) -> float:
    """Two-sided normal quantile (stdlib: importing scipy.stats costs most of a second)."""
    return NormalDist().inv_cdf(1 - alpha / 2)


def _pacf(acf_vals: np.ndarray, n: int, alpha: float, nlags: int) -> tuple[np.ndarray, float]:
    """PACF for lags 1..nlags by Levinson–Durbin on the (biased) ACF, and its ± band.

    The same numbers as ``statsmodels.tsa.stattools.pacf(x, method="ldb")`` (a test checks),
    from the ACF we already have.
    """
    band = float(_z(alpha) / np.sqrt(n))
    pacf_vals = np.zeros(max(nlags, 0))
    if nlags < 1:
        return pacf_vals, band
    r = acf_vals[: nlags + 1]
    phi = np.zeros(0)
    error = 1.0
    for k in range(1, nlags + 1):
        reflection = (r[k] - phi @ r[k - 1 : 0 : -1]) / error if k > 1 else r[1]
        phi = np.r_[phi - reflection * phi[::-1], reflection]
        error *= 1 - reflection**2
        pacf_vals[k - 1] = reflection
        if error <= 0:
            break
    return pacf_vals, band


def pacf_cutoff(pacf_vals: np.ndarray, band: float) -> int:
    """The last lag before the first insignificant PACF lag (0 when lag 1 is insignificant).

    For an AR(p) process the PACF is significant up to p and drops inside the band after it.
    """
    inside = np.flatnonzero(np.abs(pacf_vals) <= band)
    return int(inside[0]) if inside.size else int(len(pacf_vals))


def ar_orders(x: np.ndarray, max_order: int) -> tuple[int, int]:
    """AR order (with constant) by AIC and by BIC over 0..max_order, on a common sample.

    Same sample and criteria as ``ar_select_order(x, maxlag=max_order, trend="c")``: every
    order is fitted to the targets ``x[max_order:]``. One Cholesky factor of the Gram matrix
    of ``[1, x_{t-1}, …, x_{t-p}]`` (the R of its QR decomposition) gives every nested
    residual sum of squares at once.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    x = np.asarray(x, dtype=float)[-AR_FIT_POINTS:]
    p = int(max(0, min(max_order, len(x) // 2 - 1)))
    if p == 0:
        return 0, 0
    windows = sliding_window_view(x, p + 1)  # row t: x[t], …, x[t+p]
    y = windows[:, -1]
    lagged = windows[:, -2::-1]  # columns: lag 1, lag 2, …, lag p
    # Centre (the constant absorbs it) so the Gram matrix of price levels stays well conditioned.
    design = np.column_stack([np.ones(len(y)), lagged - x.mean()])
    target = y - x.mean()
    gram = design.T @ design
    chol = np.linalg.cholesky(gram + np.eye(p + 1) * 1e-12 * np.trace(gram))
    proj = np.linalg.solve(chol, design.T @ target)  # = Q.T @ y for design = Q R, R = chol.T
    total = float(target @ target)
    rss = total - np.cumsum(proj**2)  # rss[k] = RSS with constant + k lags
    rss = np.maximum(rss, np.finfo(float).tiny * max(total, 1.0))
    nobs = len(y)
    k = np.arange(p + 1) + 1  # parameters: constant + lags
    llf_term = nobs * np.log(rss / nobs)
    aic = llf_term + 2 * k
    bic = llf_term + np.log(nobs) * k
    return int(np.argmin(aic)), int(np.argmin(bic))
