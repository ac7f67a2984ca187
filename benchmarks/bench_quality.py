"""Does the robust protocol choose a better sequence length than the article's? (run by hand)

For each sample series: the first 80 % is *seen*, the last 20 % *unseen*. Both protocols choose
a lag from the seen part only. Each pick is then retrained the same way (the robust judge: LSTM
on standardised differences, early stopping on the tail of the seen part, seeds averaged) and
scored one step ahead on the unseen part against persistence.

    python benchmarks/bench_quality.py                 # all samples, standard budget
    python benchmarks/bench_quality.py --budget quick --series MSFT
    python benchmarks/bench_quality.py --batch-size 128 --learning-rate 3e-3   # try a schedule
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ["MSFT", "mauna_loa_co2_weekly", "uk_electricity_demand_halfhourly"]


def unseen_mse(levels: np.ndarray, n_seen: int, lag: int, budget, seeds: int, seed: int) -> float:
    """Retrain the robust judge at ``lag`` on the seen part; MSE one step ahead on the unseen."""
    from seqlen_tui.core.models import Job, LSTMJudge
    from seqlen_tui.core.windows import Prepared, Scaler, Split, TargetTransform

    transform = TargetTransform("diff")
    sequence = transform.sequence(levels)
    targets = np.arange(lag + 1, len(levels))
    train, test = targets[targets < n_seen], targets[targets >= n_seen]
    n_es = max(1, len(train) // 10)
    split = Split(train=train, early_stop=train[-n_es:], val=test, test=test)
    scaler = Scaler.fit(sequence, n_seen - 1 - transform.offset)
    prepared = Prepared(levels, transform, sequence, scaler.transform(sequence), scaler, split)
    jobs = [Job(lag, seed + s) for s in range(seeds)]
    judge = LSTMJudge(budget=budget)
    scaled = judge.predict(prepared, jobs, test, reporter=_silent())
    forecast = np.mean([prepared.to_levels(p, test) for p in scaled.values()], axis=0)
    return float(np.mean((forecast - levels[test]) ** 2))


def _silent():
    from seqlen_tui.core.events import Reporter

    return Reporter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="*", default=SAMPLES)
    parser.add_argument("--budget", default="standard")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    for name, kind in (("epochs", int), ("patience", int), ("batch-size", int), ("learning-rate", float)):
        parser.add_argument(f"--{name}", type=kind, help="override the budget's value")
    args = parser.parse_args()
    overrides = {"epochs": args.epochs, "patience": args.patience, "batch_size": args.batch_size,
                 "learning_rate": args.learning_rate}

    from seqlen_tui.core.article import run_article
    from seqlen_tui.core.data import load_series
    from seqlen_tui.core.engine import RunOptions, run_asset

    rows = []
    for name in args.series:
        series = load_series(ROOT / "sample_data" / f"{name}.csv")
        levels = series.values
        n_seen = int(0.8 * len(levels))
        seen = dataclasses.replace(series, values=levels[:n_seen],
                                   timestamps=None if series.timestamps is None else series.timestamps[:n_seen])
        t0 = time.perf_counter()
        options = RunOptions(budget=args.budget, seeds=args.seeds, seed=args.seed, classifiers=False,
                             **overrides)
        robust = run_asset(seen, options)
        t_robust = time.perf_counter() - t0
        t0 = time.perf_counter()
        article = run_article(levels[:n_seen], seed=args.seed, classifiers=False)
        t_article = time.perf_counter() - t0
        naive = float(np.mean((levels[n_seen:] - levels[n_seen - 1 : -1]) ** 2))
        picks = {"robust": robust.chosen_lag, "article": article.chosen_lag}
        mse = {k: unseen_mse(levels, n_seen, lag, options.resolved_budget(), args.seeds, args.seed) for k, lag in picks.items()}
        rows.append((name, picks, mse, naive, robust.selection.predictable, t_robust, t_article))
        print(f"{name}: robust {picks['robust']} ({t_robust:.0f}s), article {picks['article']} "
              f"({t_article:.0f}s)", file=sys.stderr, flush=True)

    print(f"\n{'series':<34} {'robust':>6} {'article':>7} {'skill robust':>12} {'skill article':>13} "
          f"{'MSE article/robust':>18} {'robust s':>8} {'article s':>9}  beats persistence (validation)")
    for name, picks, mse, naive, predictable, t_robust, t_article in rows:
        print(f"{name:<34} {picks['robust']:>6} {picks['article']:>7} {1 - mse['robust'] / naive:>12.3f} "
              f"{1 - mse['article'] / naive:>13.3f} {mse['article'] / mse['robust']:>18.3f} {t_robust:>8.0f} "
              f"{t_article:>9.0f}  "
              f"{'yes' if predictable else 'no'}")
    print(f"\nbudget {args.budget} = {options.resolved_budget()}, {args.seeds} seeds from seed {args.seed}; skill = 1 − MSE/MSE(persistence) "
          "on the unseen 20 %; both picks retrained the same way.")


if __name__ == "__main__":
    main()
