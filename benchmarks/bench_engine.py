"""Training speed: one ``fit`` per model (the article's loop) vs the fused many-LSTM model.

Run by hand: ``python benchmarks/bench_engine.py [--epochs 10] [--full [--repeat N]]``. Each variant runs in
its own process (so each pays its own TensorFlow start and its peak memory is its own), side
by side in one invocation, on a generated 5,000-point hourly series:

(a) 4 lags × 3 seeds, equal epochs (no early stopping), separate fits vs fused;
(b) with ``--full``: the robust default end to end vs the article protocol end to end (with
    ``--repeat N``, N rounds of the three, alternating, and the median of each ratio: on a
    shared machine one round's ratio moves by ±10 %);
(c) peak memory (max RSS) of each;
(e) with ``--ladder-cost``: the default run with and without its ladder of lags (issue 29's
    target: at most 1.3×), alternating ``--repeat`` rounds, and the median ratio;
(f) with ``--model-cost``: the default run and the two-stage run of a declared 2 × LSTM(64)
    (issue 30's target: at most 3×), alternating ``--repeat`` rounds, and the median ratio;
(d) ``seqlen-tui --help`` and importing the app without TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, "tests")
from synthetic import random_profile
variant, epochs, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
n = 5000
levels = 100 + np.linspace(0, 20, n) + 5 * random_profile(24, n, noise=0.5, seed=3)
t_start = time.perf_counter()
# Every variant pays the same TensorFlow import: time it apart.
from seqlen_tui.core.tf_runtime import load_tensorflow
load_tensorflow()
t0 = time.perf_counter()
extra = {}
if variant in ("separate", "fused"):
    from seqlen_tui.core.judges import LSTMJudge
    from seqlen_tui.core.training import Budget, Job
    from seqlen_tui.core.windows import prepare
    prepared = prepare(levels, "diff", max_lag=24)
    jobs = [Job(lag, seed) for lag in (6, 12, 18, 24) for seed in (1, 2, 3)]
    budget = Budget(epochs=epochs, patience=epochs, batch_size=32, learning_rate=1e-3)
    judge = LSTMJudge(budget=budget, fused=variant == "fused")
    judge.predict(prepared, jobs, prepared.split.val, reporter=__import__("seqlen_tui.core.events", fromlist=["Reporter"]).Reporter())
elif variant.startswith("robust"):
    from seqlen_tui.core.article import article_acf_nlags, article_lags
    from seqlen_tui.core.data import load_series
    from seqlen_tui.core.engine import RunOptions, run_asset
    same = {}
    if variant == "robust-article-lags":  # the article's candidate set, trained the robust way
        same = {"lags": article_lags(levels, 0.05, article_acf_nlags(len(levels)))[1], "only_lags": True}
    if variant == "robust-no-ladder":  # the default run as it was before the ladder (issue 29)
        same = {"ladder": False}
    if variant == "robust-2x64":  # a declared network: the scout, then 2 × LSTM(64) on its finalists
        same = {"layers": 2, "units": 64}
    result = run_asset(load_series(path), RunOptions(classifiers=False, **same))
    extra = {"train_s": result.timings["train"], "lags": list(result.lags), "race": result.race,
             "training": result.training, "chosen": result.chosen_lag,
             "transfer": {k: v for k, v in (result.transfer or {}).items() if k != "scout_race"}}
elif variant == "article":
    from seqlen_tui.core.article import run_article
    result = run_article(levels, classifiers=False)
    extra = {"train_s": time.perf_counter() - t0, "lags": list(result.lags), "chosen": result.chosen_lag}
# VmHWM (this process's own peak): ru_maxrss survives exec, so it could report the parent's.
peak_kb = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(json.dumps({"seconds": time.perf_counter() - t0, "import_s": t0 - t_start,
                  "max_rss_mb": (peak_kb[0] if peak_kb else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024,
                  **extra}))
"""


def run_child(variant: str, epochs: int, path: str) -> dict:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, variant, str(epochs), path],
                         capture_output=True, text=True, check=True)
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "process_s": time.perf_counter() - started}


def timed_process(args: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def side_by_side(tag: str, path: str, repeat: int, variants: tuple, target: str, describe) -> None:
    """``variants`` (base, other: each a (child variant, name) pair) run alternately ``repeat``
    rounds on ``path``; each run printed by ``describe(run)``, then the ratio other / base of the
    whole process time and its median."""
    import numpy as np

    (base_variant, base_name), (other_variant, other_name) = variants
    ratios = []
    for round_ in range(repeat):
        base, other = run_child(base_variant, 0, path), run_child(other_variant, 0, path)
        ratios.append(other["process_s"] / base["process_s"])
        for name, run in ((base_name, base), (other_name, other)):
            print(f"({tag}) round {round_ + 1}, {name:<25} whole process {run['process_s']:6.1f} s, training "
                  f"{run['train_s']:6.1f} s, {describe(run)}")
        print(f"    ratio {other_name} / {base_name}: {ratios[-1]:.2f}× (target {target})")
    print(f"    median of {repeat} round(s): {np.median(ratios):.2f}× (range {min(ratios):.2f}–{max(ratios):.2f})")


def ladder_cost(path: str, repeat: int) -> None:
    """(e): the whole default run with its ladder over the same run without it, alternating."""
    side_by_side("e", path, repeat, (("robust-no-ladder", "without the ladder"), ("robust", "with the ladder")),
                 "≤ 1.3×", lambda run: (f"on lags {run['lags']}, chose {run['chosen']} (race refined "
                                        f"{[entry['lag'] for entry in run['race'].get('refined', [])]})"))


def model_cost(path: str, repeat: int) -> None:
    """(f): the two-stage run of a declared 2 × LSTM(64) over the default run, alternating."""
    side_by_side("f", path, repeat, (("robust", "default LSTM(16)"), ("robust-2x64", "2 × LSTM(64), two stages")),
                 "≤ 3×", lambda run: (f"chose {run['chosen']}, peak {run['max_rss_mb']:.0f} MB"
                                      + (f", transfer {run['transfer']}" if run.get("transfer") else "")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--full", action="store_true", help="also (b): robust vs article end to end")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of (b), alternating; medians of the ratios")
    parser.add_argument("--ladder-cost", action="store_true",
                        help="only (e): the default run with and without the ladder, side by side")
    parser.add_argument("--model-cost", action="store_true",
                        help="only (f): the default run and a declared 2 × LSTM(64)'s two stages, side by side")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        import numpy as np
        import pandas as pd

        sys.path.insert(0, "tests")
        from synthetic import random_profile

        n = 5000
        levels = 100 + np.linspace(0, 20, n) + 5 * random_profile(24, n, noise=0.5, seed=3)
        path = str(Path(tmp) / "hourly.csv")
        pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
                      "value": levels}).to_csv(path, index=False)

        if args.ladder_cost:
            ladder_cost(path, args.repeat)
            return
        if args.model_cost:
            model_cost(path, args.repeat)
            return
        print(f"(a) 4 lags × 3 seeds, {args.epochs} epochs each, batch 32, 5,000 hourly points")
        sep = run_child("separate", args.epochs, path)
        fused = run_child("fused", args.epochs, path)
        print(f"    separate fits: {sep['seconds']:7.1f} s training (+{sep['import_s']:.1f} s TensorFlow "
              f"import), peak {sep['max_rss_mb']:6.0f} MB")
        print(f"    fused:         {fused['seconds']:7.1f} s training (+{fused['import_s']:.1f} s TensorFlow "
              f"import), peak {fused['max_rss_mb']:6.0f} MB")
        print(f"    ratio separate / fused: {sep['seconds'] / fused['seconds']:.2f}× training, "
              f"{(sep['seconds'] + sep['import_s']) / (fused['seconds'] + fused['import_s']):.2f}× "
              "with the import (target ≥ 5×)")
        if args.full:
            same_ratios, whole_ratios = [], []
            for round_ in range(args.repeat):
                robust = run_child("robust", 0, path)
                same = run_child("robust-article-lags", 0, path)
                article = run_child("article", 0, path)
                same_ratios.append(same["train_s"] / article["train_s"])
                whole_ratios.append(robust["process_s"] / article["process_s"])
                print(f"(b) end to end on the same series (no classifiers); training without the import"
                      f"{f', round {round_ + 1} of {args.repeat}' if args.repeat > 1 else ''}")
                print(f"    robust default:      whole process {robust['process_s']:6.1f} s, training "
                      f"{robust['train_s']:6.1f} s on lags {robust['lags']} (race {robust['race']['seeds_per_lag']}, "
                      f"{robust['training']['stopped_early']}/{robust['training']['models']} stopped early), "
                      f"peak {robust['max_rss_mb']:6.0f} MB, chose {robust['chosen']}")
                print(f"    robust, article lags: whole process {same['process_s']:6.1f} s, training "
                      f"{same['train_s']:6.1f} s on lags {same['lags']}, chose {same['chosen']}")
                print(f"    article:             whole process {article['process_s']:6.1f} s, training "
                      f"{article['train_s']:6.1f} s on lags {article['lags']}, peak {article['max_rss_mb']:6.0f} MB, "
                      f"chose {article['chosen']}")
                print(f"    ratios: training on the same lags robust / article {same_ratios[-1]:.2f}× "
                      f"(target ≤ 1×); whole default run / whole article run {whole_ratios[-1]:.2f}× (target < 1×)")
            if args.repeat > 1:
                print(f"    median of {args.repeat} rounds: same lags {np.median(same_ratios):.2f}× "
                      f"(range {min(same_ratios):.2f}–{max(same_ratios):.2f}); whole run "
                      f"{np.median(whole_ratios):.2f}× (range {min(whole_ratios):.2f}–{max(whole_ratios):.2f})")
    help_s = timed_process([sys.executable, "-m", "seqlen_tui.cli", "--help"])
    app_s = timed_process([sys.executable, "-c", "import seqlen_tui.tui.app"])
    print(f"(d) seqlen-tui --help: {help_s:.3f} s; import of the app module: {app_s:.3f} s (best of 3)")


if __name__ == "__main__":
    main()
