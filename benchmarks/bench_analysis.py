"""Speed of the analysis on long series, measured side by side with the statsmodels calls it
replaces, in one process run (run by hand: ``python benchmarks/bench_analysis.py``).

Targets (issue 3): the ACF of a 1,000,000-point series well under a second; the whole
`analyze` of one file in about a second; ``seqlen-tui --help`` instant.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def row(label: str, ours: float, theirs: float | None = None) -> None:
    ratio = f"{theirs / ours:6.1f}× faster" if theirs else ""
    ref = f"{theirs:8.3f} s" if theirs else " " * 10
    print(f"{label:<44} {ours:8.3f} s   {ref}   {ratio}")


def main() -> None:
    from statsmodels.tsa.ar_model import ar_select_order
    from statsmodels.tsa.stattools import acf, pacf

    from seqlen_tui.core.acf import acf_with_confint, analyze_transform, ar_orders
    from seqlen_tui.core.analysis import analyze_series
    from seqlen_tui.core.data import load_series

    rng = np.random.default_rng(0)
    n = 1_000_000
    x = 100 + rng.standard_normal(n).cumsum() + 5 * np.sin(np.arange(n) * 2 * np.pi / 1440)
    print(f"{'step (best of 3)':<44} {'ours':>10}   {'statsmodels':>10}")
    row(
        f"ACF + band, {n:,} points, 2,880 lags",
        timed(lambda: acf_with_confint(x, 2880, 0.05)),
        timed(lambda: acf(x, nlags=2880, alpha=0.05, fft=True, result_object=True)),
    )
    short = x[:50_000]
    row(
        "PACF 100 lags, 50,000 points (pacf ldb)",
        timed(lambda: analyze_transform(short, "raw", 100)),  # includes ACF + AR orders
        timed(lambda: pacf(short, nlags=100, method="ldb"), repeat=1),
    )
    tail = x[-20_000:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row(
            "AR order 0..50 by AIC and BIC, 20,000 points",
            timed(lambda: ar_orders(tail, 50)),
            timed(lambda: ar_select_order(tail, maxlag=50, ic="aic"), repeat=1),
        )
    row(f"one transform end to end, {n:,} points", timed(lambda: analyze_transform(x, "diff", 2880), 1))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "minute.csv"
        stamps = pd.date_range("2024-01-01", periods=n, freq="min")
        pd.DataFrame({"timestamp": stamps, "close": np.round(x, 4)}).to_csv(path, index=False)
        row(f"load a {n:,}-row minute CSV", timed(lambda: load_series(path), 1))
        series = load_series(path)
        row(f"analyze_series, {n:,} points (3 transforms)", timed(lambda: analyze_series(series), 1))
        row(
            "seqlen-tui analyze on a 4,032-point file (process)",
            timed(lambda: subprocess.run(
                [sys.executable, "-m", "seqlen_tui.cli", "analyze",
                 "sample_data/uk_electricity_demand_halfhourly.csv"],
                check=True, capture_output=True)),
        )
    row(
        "seqlen-tui --help (process)",
        timed(lambda: subprocess.run([sys.executable, "-m", "seqlen_tui.cli", "--help"],
                                     check=True, capture_output=True)),
    )


if __name__ == "__main__":
    main()
