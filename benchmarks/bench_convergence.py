"""Does the judge train to convergence?  Training schedules side by side on the corpus (by hand).

For each schedule and series (the seen 80 % of a corpus series, as ``bench_quality.py`` uses it)
the tool runs with its defaults but that schedule, and this prints the share of its LSTMs that
stopped by early stopping before the epoch cap, their median epochs, the run's training time,
its pick and the pick's regret against the cached oracle (``benchmarks/oracle/``; ``nan``
where the oracle's grid lacks the lag).  A schedule is ``epochs,patience,batch,lr[,plateau]``:
``plateau`` is the epochs without improvement before the rate halves (none: a fixed rate).

    python benchmarks/bench_convergence.py --series seattle_temps_hourly sunspots_monthly \\
        --schedule old=40,5,64,2e-3 decay=200,8,64,2e-3,3

Not in CI: a schedule costs about a minute per series on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_quality import load, oracle_mse, oracle_path, regret_of, seen_part  # noqa: E402
from corpus import CORPUS  # noqa: E402


def parse_schedule(text: str):
    from seqlen_tui.core.training import Budget

    label, _, spec = text.partition("=")
    parts = spec.split(",")
    plateau = int(parts[4]) if len(parts) > 4 else None
    return label, Budget(int(parts[0]), int(parts[1]), int(parts[2]), float(parts[3]), plateau_patience=plateau)


def run_one(name: str, budget, seeds: int, seeds_max: int | None) -> dict:
    from seqlen_tui.core.engine import RunOptions, run_asset
    from seqlen_tui.core.events import GroupTrained, Reporter
    from seqlen_tui.core.judges import LSTMJudge

    seen, _ = seen_part(load(name))
    early, epochs = {}, {}

    def listen(event):
        if isinstance(event, GroupTrained):
            early.update(event.stopped_early)
            epochs.update(event.epochs)

    options = RunOptions(classifiers=False, seeds=seeds, **({"seeds_max": seeds_max} if seeds_max else {}))
    started = time.perf_counter()
    result = run_asset(seen, options, Reporter(listen), judge=LSTMJudge(budget=budget))
    seconds = time.perf_counter() - started
    table = oracle_path(name)
    mse = oracle_mse(json.loads(table.read_text())) if table.exists() else {}
    return {"series": name, "lag": result.chosen_lag, "regret": regret_of(mse, result.chosen_lag) if mse else np.nan,
            "early": float(np.mean(list(early.values()))) if early else np.nan,
            "epochs": float(np.median(list(epochs.values()))) if epochs else np.nan,
            "models": len(early), "train_s": result.timings.get("train", np.nan), "total_s": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="*", default=[entry.name for entry in CORPUS])
    parser.add_argument("--schedule", nargs="+", required=True, metavar="LABEL=E,P,B,LR[,PLATEAU]")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--seeds-max", type=int, default=None)
    parser.add_argument("--json", type=Path, help="append each row to this JSON-lines file")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    schedules = [parse_schedule(text) for text in args.schedule]
    print(f"{'schedule':<10} {'series':<24} {'lag':>4} {'regret':>7} {'early':>6} {'epochs':>6} "
          f"{'models':>6} {'train s':>8} {'total s':>8}", flush=True)
    for name in args.series:
        for label, budget in schedules:
            row = {"schedule": label, **run_one(name, budget, args.seeds, args.seeds_max)}
            print(f"{label:<10} {name:<24} {row['lag']:>4} {row['regret']:>7.3f} {row['early']:>6.0%} "
                  f"{row['epochs']:>6.0f} {row['models']:>6} {row['train_s']:>8.1f} {row['total_s']:>8.1f}",
                  flush=True)
            if args.json:
                with args.json.open("a") as out:
                    out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
