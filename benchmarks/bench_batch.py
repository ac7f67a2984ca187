"""Batch throughput: N small generated assets one at a time vs ``--workers 2`` vs ``--ray``.

Run by hand: ``python benchmarks/bench_batch.py [--assets 8] [--points 500] [--seeds 1]``.
Each variant is the real command line (``python -m seqlen_tui.cli batch ...``) in its own
process with its own empty runs folder, run side by side in one invocation on the same files,
so each pays what a user pays: process and worker start, TensorFlow import, Ray start.

* sequential: ``--workers 1`` (one worker process, assets one after another);
* pool: ``--workers 2`` (two spawned worker processes);
* ray: ``--ray --workers 2`` (a local Ray with 2 CPUs, started and stopped by the batch).

Prints wall time, throughput (assets per minute) and the speed-up over sequential.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def make_assets(folder: Path, count: int, points: int) -> None:
    import numpy as np
    import pandas as pd

    from synthetic import ar_process, random_profile

    for i in range(count):
        if i % 2:
            levels = 100 + ar_process((0.5, 0.2), points, seed=i).cumsum()  # a price-like walk
        else:
            levels = 50 + 5 * random_profile(24, points, noise=0.5, seed=i)  # an hourly load shape
        frame = pd.DataFrame({"time": pd.date_range("2024-01-01", periods=points, freq="h"),
                              "value": np.round(levels, 4)})
        frame.to_csv(folder / f"ASSET{i:02d}.csv", index=False)


def run_variant(name: str, extra: list[str], folder: Path, common: list[str]) -> dict:
    runs = folder.parent / f"runs-{name}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "seqlen_tui.cli", "batch", "--dir", str(folder), "--runs-dir", str(runs),
         *common, *extra],
        capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    summary = sorted(runs.glob("batch_*.csv"))
    rows = list(csv.DictReader(summary[-1].open())) if summary else []
    done = sum(row["status"] == "done" for row in rows)
    if result.returncode != 0:
        print(f"{name}: exit {result.returncode}\n{result.stderr[-2000:]}", file=sys.stderr)
    per_asset = [float(row["seconds"]) for row in rows if row["seconds"]]
    return {"name": name, "seconds": seconds, "done": done, "code": result.returncode,
            "mean_asset_s": sum(per_asset) / len(per_asset) if per_asset else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assets", type=int, default=8)
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()

    common = ["--budget", args.budget, "--seeds", str(args.seeds), "--no-classifiers"]
    variants = [("sequential", ["--workers", "1"]), ("pool", ["--workers", "2"])]
    if not args.skip_ray:
        variants.append(("ray", ["--ray", "--workers", "2"]))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "assets"
        folder.mkdir()
        make_assets(folder, args.assets, args.points)
        print(f"{args.assets} assets × {args.points} hourly points; batch options: {' '.join(common)}; "
              f"{os.cpu_count()} cores")
        results = [run_variant(name, extra, folder, common) for name, extra in variants]
    base = results[0]["seconds"]
    print(f"{'variant':<12} {'wall s':>8} {'assets/min':>11} {'speed-up':>9} {'done':>5} {'mean s/asset':>13}")
    for r in results:
        rate = 60 * r["done"] / r["seconds"] if r["seconds"] else 0.0
        print(f"{r['name']:<12} {r['seconds']:8.1f} {rate:11.2f} {base / r['seconds']:8.2f}× "
              f"{r['done']:>5} {r['mean_asset_s']:13.1f}")
    print("(mean s/asset: time inside a worker per asset, its TensorFlow import not included)")


if __name__ == "__main__":
    main()
