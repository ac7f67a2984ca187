"""Is the tool's lag right on series nobody tuned it on?  Regret against an oracle (by hand).

For every series of the corpus (``benchmarks/corpus.py``: real series from packages that ship
their data, synthetic ones with known answers) the first 80 % is *seen*, the last 20 % *unseen*.

* **The tool** runs with its defaults on the seen part only and picks a lag.
* **AIC and BIC** pick the AR order of the seen part's differences (``ar_select_order``: the
  one-line call a user could make instead), in the judge's units (lags of differences).
* **The oracle** is fixed and follows none of the tool's defaults: LSTM(16) on standardised
  differences (scaler fitted on the seen part), trained on the seen part to convergence (early
  stopping on the seen part's last 10 % with the best weights restored, patience
  ``ORACLE.patience``, an epoch cap that ≥ 90 % of its models stop before), then scored one
  step ahead on the unseen part.  Every lag of a grid — a geometric ladder, every candidate the
  tool considered, and every lag the tool, AIC and BIC pick — trains ``FIRST_SEEDS`` seeds;
  the lags near the best and every pick get ``NEAR_SEEDS``.  A lag's oracle MSE is the mean of
  its seeds' unseen MSEs (what one trained model of that lag delivers).  Each series' table is
  cached as JSON in ``benchmarks/oracle/``; a later run trains only what is missing.

Regret of a pick = its oracle MSE ÷ the best grid lag's.  *Spread* = worst ÷ best grid lag: the
series where the lag matters (spread ≥ 1.10) are summarised apart, since on a random walk any
lag scores ≈ 1.00.

    pip install -e '.[bench]'
    python benchmarks/bench_quality.py --label before          # tool picks + oracle, every series
    python benchmarks/bench_quality.py --label after --series sunspots_monthly syn_ar16_integrated
    python benchmarks/bench_quality.py --table before after    # print the tables from the caches
    python benchmarks/bench_quality.py --samples-stability     # same pick from 3 base seeds?
    # issue 30's second oracle (2 × LSTM(64)) and the tool with that network declared; the
    # default judge's picks (label after29) scored by it: what a big-model user loses today
    python benchmarks/bench_quality.py --network 2x64 --label two64 --near-seeds 3 --series …
    python benchmarks/bench_quality.py --network 2x64 --oracle-only --series …
    python benchmarks/bench_quality.py --network 2x64 --table after29 two64 --series …

Not in CI: the whole corpus takes about an hour on a 2-core CPU (most of it the oracle, once).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import BY_NAME, CORPUS, corpus_file  # noqa: E402

ORACLE_DIR = HERE / "oracle"
PICKS_DIR = HERE / "picks"
SEEN_FRACTION = 0.8
#: The oracle's training schedule: fixed, whatever the tool's budgets become.
ORACLE = {"units": 16, "epochs": 400, "patience": 10, "batch_size": 64, "learning_rate": 1e-3,
          "early_stop_fraction": 0.1}
#: The networks an oracle and the tool can be (``--network``): the default judge's, and a
#: user-sized one (issue 30's second oracle: 2 × LSTM(64), the same schedule, ≥ 3 seeds a lag
#: near the best). A second network's tables are kept apart (``oracle/<network>/``) and the
#: tool then runs with that network declared (two stages: the default LSTM scouts).
NETWORKS = {"16": {}, "2x64": {"units": 64, "layers": 2}}
#: Geometric ladder of lags every series' grid holds (up to what its seen part can train);
#: longer lags join the grid when the tool considers or picks them, or AIC/BIC do.
LADDER = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)
#: Nonlinear series (``CorpusSeries.nonlinear``) hold every lag up to this in their grid too:
#: their best window need not sit at any landmark the ladder or the candidates hold.
DENSE_UP_TO = 24
#: … and their ladder stops here (the picks of the tool, AIC and BIC still join beyond it): the
#: longest memory among them is 12 steps, and on the 2-core CPU each longer rung costs as much
#: as a third of the dense grid.
NONLINEAR_LADDER_TO = 64
#: The longest lag the oracle trains (the tool's CPU default --max-seq-len).
ORACLE_MAX_LAG = 256
FIRST_SEEDS = 2
NEAR_SEEDS = 5
#: … and up to MAX_SEEDS where the standard error of their mean exceeds this share of it.
#: (10 seeds leave a synthetic daily profile's best lag at ± 6 %; 20 would settle it, but that
#: series' refinement ran over 35 minutes on one core: raise it with an hour to spare, then
#: ``--oracle-only`` refines every series' table without rerunning the tool.)
MAX_SEEDS = 10
MAX_RELATIVE_SE = 0.03
#: Lags whose oracle MSE is within this factor of the best get NEAR_SEEDS seeds.
NEAR_FACTOR = 1.05
MATTERS_SPREAD = 1.10
#: AIC or BIC "beats" the tool when its regret is lower by more than this factor: 3 % since
#: issue 29 (1 % before, which is below what validation resolves on monthly climate series).
BEATEN_BY = 1.03
BEATEN_WORDS = f"> {BEATEN_BY - 1:.0%}"
SAMPLES = ("MSFT", "mauna_loa_co2_weekly", "uk_electricity_demand_halfhourly")


# --- data ------------------------------------------------------------------------------------

def load(name: str):
    from seqlen_tui.core.data import load_series

    return load_series(corpus_file(BY_NAME[name]))


def seen_part(series):
    n_seen = int(SEEN_FRACTION * len(series.values))
    timestamps = None if series.timestamps is None else series.timestamps[:n_seen]
    return dataclasses.replace(series, values=series.values[:n_seen], timestamps=timestamps), n_seen


def oracle_max_lag(n_seen: int) -> int:
    """Longest oracle lag: the tool's CPU cap, and at least 2 windows per input step."""
    return int(min(ORACLE_MAX_LAG, (n_seen - 1) // 3))


# --- the tool, AIC and BIC -------------------------------------------------------------------

#: Options of the tool's runs beyond its defaults (``--highway`` sets ``highway``).
TOOL_OPTIONS: dict = {}


def first_share(series, share: float):
    """The first ``share`` of a series (a cut: what the tool would have seen earlier)."""
    n = int(round(share * len(series.values)))
    timestamps = None if series.timestamps is None else series.timestamps[:n]
    return dataclasses.replace(series, values=series.values[:n], timestamps=timestamps)


def tool_pick(name: str, seed: int = 42, inputs_path: Path | None = None, cut: float = 1.0) -> dict:
    """The tool's run on the seen part (on its first ``cut`` of it with a cut); with
    ``inputs_path``, what its selection saw is kept there (``.npz``) so that other selection
    rules can be replayed offline (``--replay``)."""
    from seqlen_tui.core.engine import RunOptions, run_asset

    seen, _ = seen_part(load(name))
    seen = first_share(seen, cut) if cut < 1 else seen
    started = time.perf_counter()
    with selection_inputs_kept(inputs_path):
        result = run_asset(seen, RunOptions(classifiers=False, seed=seed, **TOOL_OPTIONS))
    from seqlen_tui.core.candidates import prior_lags

    selection = result.selection
    return {
        "series": name, "seed": seed, "lag": result.chosen_lag, "target": result.target,
        "candidates": list(result.lags), "best_lag": selection.best_lag,
        "within": list(getattr(selection, "within", ())),
        "priors": sorted(prior_lags(result.analysis.candidates, result.analysis.transforms)),
        "qualified": list(selection.qualified),
        "reason": selection.reason, "verdict": selection.verdict, "warnings": list(selection.warnings),
        "race": result.race, "training": result.training, "cut": cut,
        "rungs": [c.lag for c in result.analysis.candidates.candidates if c.rung],
        "train_seconds": round(result.timings.get("train", float("nan")), 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


@contextlib.contextmanager
def selection_inputs_kept(inputs_path: Path | None):
    """While open, every ``select_lag`` call of the engine also saves its arguments at
    ``inputs_path`` (``.npz``; nothing when None), for offline replays of other rules."""
    from seqlen_tui.core import engine

    original = engine.select_lag

    def recording(val_losses, naive_val_losses, gate_alpha=0.05, **kwargs):
        if inputs_path is not None:
            keep_selection_inputs(inputs_path, val_losses, naive_val_losses, kwargs)
        return original(val_losses, naive_val_losses, gate_alpha, **kwargs)

    engine.select_lag = recording
    try:
        yield
    finally:
        engine.select_lag = original


def ic_picks(name: str) -> dict[str, int]:
    """AR order of the seen differences by AIC and BIC: lags in the judge's units."""
    from statsmodels.tsa.ar_model import ar_select_order

    seen, n_seen = seen_part(load(name))
    diffs = np.diff(seen.values)
    maxlag = int(min(oracle_max_lag(n_seen), len(diffs) // 10))
    picks = {}
    for ic in ("aic", "bic"):
        lags = ar_select_order(diffs, maxlag=maxlag, ic=ic, trend="c").ar_lags
        picks[ic] = int(max(1, max(lags) if lags else 0))
    return picks


# --- the oracle ------------------------------------------------------------------------------

def oracle_path(name: str) -> Path:
    return ORACLE_DIR / f"{name}.json"


def read_oracle(name: str) -> dict:
    path = oracle_path(name)
    if path.exists():
        table = json.loads(path.read_text())
        if table.get("config") == ORACLE:
            return table
        print(f"{name}: oracle config changed; retraining", file=sys.stderr)
    return {"series": name, "config": ORACLE, "lags": {}}


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    tmp.replace(path)


def oracle_prepared(levels: np.ndarray, n_seen: int):
    """Differences, standardised on the seen part; train on the seen part (targets after the
    longest oracle lag, so a lag's result does not depend on which lags trained beside it),
    early-stop on its last 10 %, score on every unseen point."""
    from seqlen_tui.core.windows import Prepared, Scaler, Split, TargetTransform

    transform = TargetTransform("diff")
    sequence = transform.sequence(levels)
    first = oracle_max_lag(n_seen) + 1
    train = np.arange(first, n_seen)
    unseen = np.arange(n_seen, len(levels))
    n_es = max(1, int(round(len(train) * ORACLE["early_stop_fraction"])))
    split = Split(train=train, early_stop=train[-n_es:], val=unseen, test=unseen)
    scaler = Scaler.fit(sequence, n_seen - 1 - transform.offset)
    return Prepared(levels, transform, sequence, scaler.transform(sequence), scaler, split)


def train_oracle(name: str, table: dict, lags: list[int], seeds: range) -> None:
    """Train the missing (lag, seed) models in one fused call per seed group; cache each."""
    from seqlen_tui.core.events import GroupTrained, Reporter
    from seqlen_tui.core.fused_lstm import fused_predict
    from seqlen_tui.core.training import Budget, Job

    missing = sorted({lag for lag in lags for seed in seeds if str(seed) not in table["lags"].get(str(lag), {})})
    if not missing:
        return
    series = load(name)
    levels = np.asarray(series.values, dtype=float)
    _, n_seen = seen_part(series)
    prepared = oracle_prepared(levels, n_seen)
    unseen = prepared.split.val
    jobs = [Job(lag, seed) for lag in missing for seed in seeds]
    early: dict = {}

    def listen(event):
        if isinstance(event, GroupTrained):
            early.update(event.stopped_early)

    budget = Budget(ORACLE["epochs"], ORACLE["patience"], ORACLE["batch_size"], ORACLE["learning_rate"])
    started = time.perf_counter()
    scaled = fused_predict(prepared, jobs, unseen, ORACLE["units"], budget, Reporter(listen),
                           layers=ORACLE.get("layers", 1))
    seconds = time.perf_counter() - started
    for job, pred in scaled.items():
        forecast = prepared.to_levels(pred, unseen)
        mse = float(np.mean((forecast - levels[unseen]) ** 2))
        table["lags"].setdefault(str(job.lag), {})[str(job.seed)] = {
            "mse": mse, "stopped_early": bool(early.get(job, False))}
    table.setdefault("train_seconds", 0.0)
    table["train_seconds"] = round(table["train_seconds"] + seconds, 1)
    naive = float(np.mean((levels[unseen] - levels[unseen - 1]) ** 2))
    table["persistence_mse"] = naive
    write_json(oracle_path(name), table)
    print(f"  oracle {name}: lags {missing} × seeds {list(seeds)} in {seconds:.0f}s", file=sys.stderr, flush=True)


def oracle_mse(table: dict) -> dict[int, float]:
    return {int(lag): float(np.mean([s["mse"] for s in seeds.values()]))
            for lag, seeds in table["lags"].items() if seeds}


def complete_oracle(name: str, picks: list[int], considered: list[int] = ()) -> dict:
    """The grid (ladder ∪ candidates ∪ picks, and every lag up to ``DENSE_UP_TO`` for a
    nonlinear series), FIRST_SEEDS everywhere, NEAR_SEEDS near the
    best and at the picks."""
    table = read_oracle(name)
    _, n_seen = seen_part(load(name))
    cap = oracle_max_lag(n_seen)
    nonlinear = BY_NAME[name].nonlinear
    dense = range(1, DENSE_UP_TO + 1) if nonlinear else ()
    ladder = [lag for lag in LADDER if lag <= NONLINEAR_LADDER_TO] if nonlinear else LADDER
    grid = sorted({lag for lag in (*ladder, *dense, *considered, *picks) if lag <= cap})
    table["grid_cap"] = cap
    train_oracle(name, table, grid, range(FIRST_SEEDS))
    # More seeds near the best until the best and its neighbours all have NEAR_SEEDS (a lag
    # that looked best on two lucky seeds must not stand as the oracle's best).
    for _ in range(4):
        mse = oracle_mse(table)
        best = min(mse.values())
        near = sorted({lag for lag, m in mse.items() if m <= NEAR_FACTOR * best} | set(picks) & set(mse))
        if all(len(table["lags"][str(lag)]) >= NEAR_SEEDS for lag in near):
            break
        train_oracle(name, table, near, range(FIRST_SEEDS, NEAR_SEEDS))
    # Where the seeds disagree (a smooth series can score one lag 0.02 and 0.11 on two seeds),
    # up to MAX_SEEDS at the picks and near the best, so a regret is not one unlucky seed.
    noisy = [lag for lag in near if relative_se(table, lag) > MAX_RELATIVE_SE]
    if noisy:
        train_oracle(name, table, noisy, range(NEAR_SEEDS, MAX_SEEDS))
    return table


def relative_se(table: dict, lag: int) -> float:
    values = [s["mse"] for s in table["lags"][str(lag)].values()]
    return float(np.std(values, ddof=1) / np.sqrt(len(values)) / np.mean(values)) if len(values) > 1 else np.inf


# --- the table -------------------------------------------------------------------------------

def picks_path(label: str, name: str) -> Path:
    return PICKS_DIR / label / f"{name}.json"


#: ``select_lag``'s set arguments a run's saved inputs keep (older saves lack ``rung_lags``).
SET_INPUTS = ("eliminated", "exact_lags", "prior_lags", "own_lags", "rung_lags")


def keep_selection_inputs(path: Path, val_losses: dict, naive_val_losses, kwargs: dict) -> None:
    arrays = {"naive": np.asarray(naive_val_losses)}
    for lag, loss in val_losses.items():
        arrays[f"val_{lag}"] = np.asarray(loss)
    for lag, loss in (kwargs.get("seed_val_losses") or {}).items():
        arrays[f"seeds_{lag}"] = np.asarray(loss)
    for lag, loss in (kwargs.get("linear_val_losses") or {}).items():
        arrays[f"linear_{lag}"] = np.asarray(loss)
    for key in SET_INPUTS:
        arrays[key] = np.asarray(sorted(kwargs.get(key) or ()), dtype=int)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def read_selection_inputs(path: Path) -> dict:
    """``select_lag``'s arguments as the tool's run gave them (see :func:`keep_selection_inputs`)."""
    data = np.load(path)

    def by(prefix: str) -> dict[int, np.ndarray]:
        return {int(k.split("_")[1]): data[k] for k in data.files if k.startswith(prefix)}

    return {"val_losses": by("val_"), "naive_val_losses": data["naive"],
            "seed_val_losses": by("seeds_") or None, "linear_val_losses": by("linear_") or None,
            **{key: frozenset(int(v) for v in data[key]) for key in SET_INPUTS if key in data.files}}


def cut_label(label: str, cut: float) -> str:
    """Where a cut's picks are kept: the label itself for the whole seen part."""
    return label if cut >= 1 else f"{label}-cut{round(cut * 100)}"


def record_picks(label: str, name: str, tool_only: bool = False, cut: float = 1.0) -> dict:
    label = cut_label(label, cut)
    path = picks_path(label, name)
    if path.exists():
        record = json.loads(path.read_text())
    else:
        others = [p for p in PICKS_DIR.glob(f"*/{name}.json")]
        ic = ({key: json.loads(others[0].read_text())[key] for key in ("aic", "bic")} if others
              else ic_picks(name))  # AIC and BIC do not depend on the tool: computed once
        record = {"tool": tool_pick(name, inputs_path=path.with_suffix(".npz"), cut=cut), **ic}
        write_json(path, record)
        print(f"{name} [{label}]: tool {record['tool']['lag']} ({record['tool']['seconds']}s), "
              f"AIC {record['aic']}, BIC {record['bic']}", file=sys.stderr, flush=True)
    return record


def regret_of(mse: dict[int, float], lag: int) -> float:
    """A lag's oracle MSE over the best grid lag's (NaN when the grid lacks it)."""
    return mse[lag] / min(mse.values()) if lag in mse else float("nan")


def regret_rows(label: str, names: list[str]) -> list[dict]:
    rows = []
    for name in names:
        path = picks_path(label, name)
        if not path.exists() or not oracle_path(name).exists():
            continue
        record = json.loads(path.read_text())
        table = json.loads(oracle_path(name).read_text())
        mse = oracle_mse(table)
        best_lag = min(mse, key=mse.get)
        best, worst = mse[best_lag], max(mse.values())
        regret = partial(regret_of, mse)

        early = [s["stopped_early"] for seeds in table["lags"].values() for s in seeds.values()]
        rows.append({
            "series": name, "kind": BY_NAME[name].kind, "tool": record["tool"]["lag"],
            "tool_regret": regret(record["tool"]["lag"]), "aic": record["aic"], "aic_regret": regret(record["aic"]),
            "bic": record["bic"], "bic_regret": regret(record["bic"]), "best": best_lag,
            "spread": worst / best, "seconds": record["tool"]["seconds"],
            "skill": 1 - best / table["persistence_mse"], "early": float(np.mean(early)),
            "tool_early": tool_early_share(record["tool"]), "training": record["tool"].get("training"),
            "gap_p": {ic: oracle_gap_p(table, record["tool"]["lag"], record[ic]) for ic in ("aic", "bic")},
        })
    return rows


def oracle_gap_p(table: dict, pick: int, rival: int) -> float:
    """One-sided p that ``rival`` truly beats ``pick`` on unseen data, from the oracle's own
    seeds: a paired t-test of log unseen MSE over the seeds both lags trained (seed s starts
    both from the same draw). It says whether a gap in the table is more than the oracle's
    training noise (NaN with fewer than three shared seeds)."""
    from scipy.stats import ttest_rel

    a, b = table["lags"].get(str(pick), {}), table["lags"].get(str(rival), {})
    shared = sorted(set(a) & set(b))
    if len(shared) < 3:
        return float("nan")
    ours = np.log([a[s]["mse"] for s in shared])
    theirs = np.log([b[s]["mse"] for s in shared])
    return float(ttest_rel(ours, theirs, alternative="greater").pvalue)


def tool_early_share(tool: dict) -> float:
    """Share of the tool's LSTMs that early stopping ended before the cap (NaN if unrecorded)."""
    training = tool.get("training") or {}
    return training["stopped_early"] / training["models"] if training.get("models") else float("nan")


def print_table(label: str, names: list[str]) -> None:
    rows = regret_rows(label, names)
    if not rows:
        print(f"[{label}] nothing recorded yet")
        return
    print(f"\n[{label}] regret = oracle unseen MSE of the pick ÷ the best grid lag's")
    print(f"{'series':<24} {'tool':>5} {'regret':>7} {'AIC':>5} {'regret':>7} {'BIC':>5} {'regret':>7} "
          f"{'oracle':>6} {'spread':>7} {'skill':>6} {'early':>6} {'tool s':>7} {'t.early':>7}")
    for r in rows:
        flag = " *" if r["spread"] >= MATTERS_SPREAD else ""
        print(f"{r['series']:<24} {r['tool']:>5} {r['tool_regret']:>7.3f} {r['aic']:>5} {r['aic_regret']:>7.3f} "
              f"{r['bic']:>5} {r['bic_regret']:>7.3f} {r['best']:>6} {r['spread']:>7.3f} {r['skill']:>6.3f} "
              f"{r['early']:>6.0%} {r['seconds']:>7.0f} {r['tool_early']:>7.0%}{flag}")
    matters = [r for r in rows if r["spread"] >= MATTERS_SPREAD]
    for title, group in (("lag matters (spread ≥ 1.10, *)", matters), ("all series", rows)):
        if not group:
            continue
        tool = [r["tool_regret"] for r in group]
        beaten = [f"{r['series']} ({ic.upper()} {r[ic]}, oracle p {r['gap_p'][ic]:.2g})" for r in group
                  for ic in ("aic", "bic")
                  if r[f"{ic}_regret"] < r["tool_regret"] / BEATEN_BY
                  and r[f"{ic}_regret"] <= r[f"{'bic' if ic == 'aic' else 'aic'}_regret"]]
        print(f"{title}: {len(group)} series; tool regret median {statistics.median(tool):.3f}, "
              f"max {max(tool):.3f}; AIC median {statistics.median(r['aic_regret'] for r in group):.3f}, "
              f"BIC median {statistics.median(r['bic_regret'] for r in group):.3f}; "
              f"AIC or BIC beats the tool by {BEATEN_WORDS} on: {', '.join(beaten) or 'none'}")
    early = np.mean([r["early"] for r in rows])
    print(f"oracle models stopped early: {early:.0%}; oracle {ORACLE}")
    trained = [r["training"] for r in rows if r["training"]]
    if trained:
        models = sum(t["models"] for t in trained)
        stopped = sum(t["stopped_early"] for t in trained)
        print(f"the tool's LSTMs stopped early: {stopped} of {models} ({stopped / models:.1%}); "
              f"tool time {sum(r['seconds'] for r in rows):.0f} s over {len(rows)} series")
    print_tie_breaks(label, [r["series"] for r in rows])


def tie_break_picks(tool: dict) -> dict[str, int] | None:
    """What each tie-break would pick from the run's one-SE set (None when it has none)."""
    within = tool.get("within") or []
    if not within:
        return None
    priors = [lag for lag in within if lag in tool.get("priors", [])]
    return {"shortest": within[0], "prior": (priors or within)[0], "best": tool["best_lag"],
            "longest": within[-1], "prior, else best": (priors or [tool["best_lag"]])[0]}


def print_tie_breaks(label: str, names: list[str]) -> None:
    """Regret of each tie-break inside the one-SE set, on the series where the lag matters."""
    regrets: dict[str, list[float]] = {}
    for name in names:
        tool = json.loads(picks_path(label, name).read_text())["tool"]
        picks = tie_break_picks(tool)
        mse = oracle_mse(json.loads(oracle_path(name).read_text()))
        if picks is None or max(mse.values()) < MATTERS_SPREAD * min(mse.values()):
            continue
        for rule, lag in picks.items():
            if lag in mse:
                regrets.setdefault(rule, []).append(mse[lag] / min(mse.values()))
    if regrets:
        print("tie-break inside the one-SE set (lag matters): " + "; ".join(
            f"{rule} median {statistics.median(v):.3f} mean {np.mean(v):.3f} max {max(v):.3f} (n={len(v)})"
            for rule, v in regrets.items()))


# --- replaying other selection rules on a run's saved inputs ---------------------------------

def replay_rules() -> dict:
    """Selection rules to compare offline, each ``(selection, inputs) -> lag``: the engine's own
    (``select_lag`` as it is now) and alternatives that differ only after the one-SE set is
    formed.  ``inputs`` are ``select_lag``'s arguments as the run gave them.  Replayed on three
    runs' inputs (labels ``rw15``, ``arwide``, ``current``), none beat the engine's rule.
    The two "linear verdict" rules (issue 30: where ridge AR beats the judge clearly, trust
    ridge's ranking instead) were replayed on ``after29``: far worse where the verdict fires
    (seattle 1.113 → 2.032, elnino 1.037 → 1.130, daily profile 1.100 → 1.184), so the engine
    keeps the judge's ranking there."""
    def means(inputs: dict) -> dict[int, float]:
        return {lag: float(np.mean(loss)) for lag, loss in inputs["val_losses"].items()}

    def priors_within(selection, inputs) -> list[int]:
        return [lag for lag in selection.within if lag in inputs["prior_lags"]]

    def fallback(pick):
        """Priors in the one-SE set first, then ``pick`` among the exact lags of the one-SE set
        not longer than the best, else the best."""
        def rule(selection, inputs) -> int:
            priors = priors_within(selection, inputs)
            if priors:
                return priors[0]
            exact = [lag for lag in selection.within
                     if lag in inputs["exact_lags"] and lag <= selection.best_lag]
            return pick(exact, means(inputs)) if exact else selection.best_lag
        return rule

    def ridge_within(selection, inputs) -> int:
        linear = inputs.get("linear_val_losses") or {}
        scored = [lag for lag in selection.within if lag in linear]
        return min(scored, key=lambda lag: float(np.mean(linear[lag]))) if scored else selection.chosen_lag

    def one_model(selection, inputs) -> int:
        """The engine's rule on the mean of each seed's own losses (what one trained model
        delivers, as the oracle scores it) instead of the loss of the seeds' averaged forecast."""
        from seqlen_tui.core.selection import select_lag

        seeds = inputs.get("seed_val_losses") or {}
        if set(seeds) != set(inputs["val_losses"]):
            return selection.chosen_lag
        return select_lag(**{**inputs, "val_losses": {lag: rows.mean(axis=0) for lag, rows in seeds.items()}}).chosen_lag

    return {
        "engine": lambda selection, inputs: selection.chosen_lag,
        **linear_verdict_rules(),
        **plateau_rules(priors_within),
        "engine on one-model losses": one_model,
        "best": lambda selection, inputs: selection.best_lag,
        "prior in set, shortest exact": fallback(lambda exact, m: exact[0]),
        "prior in set, longest exact": fallback(lambda exact, m: exact[-1]),
        "prior in set, best exact": fallback(lambda exact, m: min(exact, key=m.get)),
        "prior in set, best": lambda selection, inputs: (priors_within(selection, inputs)
                                                          or [selection.best_lag])[0],
        "ridge-best in one-SE set": ridge_within,
    }


def linear_verdict_rules() -> dict:
    """Rules that differ from the engine's only where the linear verdict fires (ridge AR's best
    beats the judge's best clearly: the judge is far from what its inputs allow, issue 30)."""
    def linear_verdict(pick):
        """``pick`` where the linear verdict fires; the engine elsewhere."""
        def rule(selection, inputs) -> int:
            linear = inputs.get("linear_val_losses") or {}
            fired = any("linear autoregression beats" in warning for warning in selection.warnings)
            return pick(selection, linear) if fired and linear else selection.chosen_lag
        return rule

    def ridge_best(selection, linear) -> int:
        return min(linear, key=lambda lag: (float(np.mean(linear[lag])), lag))

    def ridge_best_qualified(selection, linear) -> int:
        scored = [lag for lag in selection.qualified if lag in linear] or list(linear)
        return min(scored, key=lambda lag: (float(np.mean(linear[lag])), lag))

    return {"linear verdict: ridge's best": linear_verdict(ridge_best),
            "linear verdict: ridge's best qualified": linear_verdict(ridge_best_qualified)}


def plateau_rules(priors_within) -> dict:
    """Rules that differ from the engine's only inside a plateau: a one-SE set spanning more
    than an octave, where validation cannot tell the lags apart (issue 29)."""
    def spans_plateau(selection) -> bool:
        within = selection.within
        return bool(within) and max(within) > 2 * min(within)

    def in_plateau(pick):
        """``pick`` inside a one-SE set that spans more than an octave; the engine elsewhere."""
        def rule(selection, inputs) -> int:
            return pick(selection, inputs) if spans_plateau(selection) else selection.chosen_lag
        return rule

    def middle(selection, inputs) -> int:
        centre = np.sqrt(min(selection.within) * max(selection.within))
        return min(selection.within, key=lambda lag: (abs(np.log(lag / centre)), lag))

    return {
        "plateau: best": in_plateau(lambda selection, inputs: selection.best_lag),
        "plateau: prior, else best": in_plateau(lambda selection, inputs: (priors_within(selection, inputs)
                                                                            or [selection.best_lag])[0]),
        "plateau: geometric middle": in_plateau(middle),
        "plateau: longest": in_plateau(lambda selection, inputs: selection.within[-1]),
    }


def replayed_picks(path: Path, rules: dict) -> dict[str, int]:
    """Each rule's pick from one run's saved selection inputs."""
    from seqlen_tui.core.selection import select_lag

    inputs = read_selection_inputs(path)
    selection = select_lag(**inputs)
    # With no lag qualifying, every rule returns what the engine does (the shortest).
    return {rule: pick(selection, inputs) if selection.within else selection.chosen_lag
            for rule, pick in rules.items()}


def replay_stability(rules: dict) -> None:
    """Each rule's picks on the samples from the three base seeds of ``--samples-stability``."""
    def sample_and_seed(path: Path) -> tuple[str, int]:
        sample, seed = path.stem.rsplit("_", 1)
        return sample, int(seed)

    runs = sorted((PICKS_DIR / "stability").glob("*.npz"), key=sample_and_seed)
    if not runs:
        return
    print("\nstability on the samples (picks from base seeds "
          f"{', '.join(map(str, sorted({sample_and_seed(path)[1] for path in runs})))}):")
    for sample in sorted({sample_and_seed(path)[0] for path in runs}):
        picks = [replayed_picks(path, rules) for path in runs if sample_and_seed(path)[0] == sample]
        print(f"  {sample:<34}" + "; ".join(
            f"({number}) {'/'.join(str(p[rule]) for p in picks)}" for number, rule in enumerate(rules, 1)))


def replay(label: str, names: list[str]) -> None:
    """Each rule of :func:`replay_rules` on ``label``'s saved selection inputs, scored by the
    oracle: its picks, its regret where the lag matters, and where AIC or BIC beats it by > ``BEATEN_BY``."""
    rules = replay_rules()
    picks: dict[str, dict[str, int]] = {rule: {} for rule in rules}
    rows = {r["series"]: r for r in regret_rows(label, names)}
    for name in rows:
        path = picks_path(label, name).with_suffix(".npz")
        if path.exists():
            for rule, lag in replayed_picks(path, rules).items():
                picks[rule][name] = lag
    series = [name for name in rows if name in picks["engine"]]
    if not series:
        print(f"[{label}] no saved selection inputs")
        return
    print(f"\n[{label}] replayed on the saved selection inputs of {len(series)} series "
          f"(regret where the lag matters; * marks a pick AIC or BIC beats by {BEATEN_WORDS})")
    print(f"{'series':<24}" + "".join(f"{f'({number})':>15}" for number in range(1, len(rules) + 1)))
    summary = {rule: [] for rule in rules}
    beaten = {rule: [] for rule in rules}
    for name in series:
        mse = oracle_mse(json.loads(oracle_path(name).read_text()))
        row, cells = rows[name], []
        for rule in rules:
            lag = picks[rule][name]
            regret = regret_of(mse, lag)
            rival = min(row["aic_regret"], row["bic_regret"])
            mark = "*" if rival < regret / BEATEN_BY else " "
            if mark == "*":
                beaten[rule].append(name)
            if row["spread"] >= MATTERS_SPREAD:
                summary[rule].append(regret)
            cells.append(f"{lag:>5} {regret:>7.3f}{mark}")
        print(f"{name:<24}" + "".join(f"{cell:>15}" for cell in cells))
    for number, (rule, values) in enumerate(summary.items(), 1):
        values = [v for v in values if np.isfinite(v)]
        print(f"({number}) {rule:<30} lag matters: median {statistics.median(values):.3f} mean {np.mean(values):.3f} "
              f"max {max(values):.3f} (n={len(values)}); AIC/BIC beat it by {BEATEN_WORDS} on "
              f"{len(beaten[rule])}: {', '.join(beaten[rule]) or 'none'}")
    replay_stability(rules)


def replay_cuts(label: str, cuts: list[float], names: list[str]) -> None:
    """Each rule on every cut's saved selection inputs (``--cuts``): its regret per cut where
    the lag matters, and on how many series its pick changed between cuts."""
    rules = replay_rules()
    shares = sorted({*cuts, 1.0})
    regrets = {rule: {cut: [] for cut in shares} for rule in rules}
    changed = {rule: [] for rule in rules}
    for name in names:
        paths = [picks_path(cut_label(label, cut), name).with_suffix(".npz") for cut in shares]
        if not all(path.exists() for path in paths) or not oracle_path(name).exists():
            continue
        mse = oracle_mse(json.loads(oracle_path(name).read_text()))
        matters = max(mse.values()) >= MATTERS_SPREAD * min(mse.values())
        picks = [replayed_picks(path, rules) for path in paths]
        for rule in rules:
            lags = [p[rule] for p in picks]
            if len(set(lags)) > 1:
                changed[rule].append(f"{name} {'/'.join(map(str, lags))}")
            if matters:
                for cut, lag in zip(shares, lags):
                    regrets[rule][cut].append(regret_of(mse, lag))
    print(f"\n[{label}] rules replayed on the cuts {', '.join(f'{c:.0%}' for c in shares)} "
          "(regret where the lag matters: median / max / over 1.05; missing oracle lags as n/a)")
    for number, rule in enumerate(rules, 1):
        cells = []
        for cut in shares:
            values = [v for v in regrets[rule][cut] if np.isfinite(v)]
            missing = len(regrets[rule][cut]) - len(values)
            cells.append(f"{cut:.0%} {statistics.median(values):.3f}/{max(values):.3f}/{sum(v > 1.05 for v in values)}"
                         + (f" ({missing} n/a)" if missing else "") if values else f"{cut:.0%} –")
        print(f"({number}) {rule:<30} " + "; ".join(cells) + f"; changed on {len(changed[rule])}")
    for number, rule in enumerate(rules, 1):
        print(f"  ({number}) changed: {', '.join(changed[rule]) or 'none'}")


# --- stability on the samples ----------------------------------------------------------------

def samples_stability(seeds=(42, 7, 123)) -> None:
    """The pick from three base seeds on each bundled sample, and what each tie-break inside
    the one-SE set would have picked (they are functions of the same run)."""
    from seqlen_tui.core.candidates import prior_lags
    from seqlen_tui.core.data import load_series
    from seqlen_tui.core.engine import RunOptions, run_asset

    for name in SAMPLES:
        series = load_series(ROOT / "sample_data" / f"{name}.csv")
        picks, rules = [], {}
        for seed in seeds:
            with selection_inputs_kept(PICKS_DIR / "stability" / f"{name}_{seed}.npz"):
                result = run_asset(series, RunOptions(classifiers=False, seed=seed))
            picks.append(result.chosen_lag)
            tool = {"within": list(result.selection.within), "best_lag": result.selection.best_lag,
                    "priors": sorted(prior_lags(result.analysis.candidates, result.analysis.transforms))}
            for rule, lag in (tie_break_picks(tool) or {"no lag qualified": result.chosen_lag}).items():
                rules.setdefault(rule, []).append(lag)
        print(f"{name:<34} picks {picks} for base seeds {list(seeds)}: "
              f"{'stable' if len(set(picks)) == 1 else 'UNSTABLE'}; by tie-break: {rules}", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="*", default=[entry.name for entry in CORPUS],
                        choices=[entry.name for entry in CORPUS], metavar="NAME")
    parser.add_argument("--label", help="record the tool's picks under this label, then the oracle")
    parser.add_argument("--table", nargs="*", metavar="LABEL", help="print these labels' tables only")
    parser.add_argument("--no-oracle", action="store_true", help="record picks only")
    parser.add_argument("--oracle-only", action="store_true",
                        help="complete the oracle for every label's recorded picks, without running the tool")
    parser.add_argument("--max-seeds", type=int, metavar="N",
                        help=f"the oracle's seeds at noisy lags near the best and at the picks "
                             f"(default {MAX_SEEDS}): more settles a close call")
    parser.add_argument("--near-seeds", type=int, metavar="N",
                        help=f"the oracle's seeds near the best and at the picks (default {NEAR_SEEDS})")
    parser.add_argument("--samples-stability", action="store_true")
    parser.add_argument("--replay", metavar="LABEL",
                        help="replay other selection rules on LABEL's saved selection inputs")
    parser.add_argument("--highway", action="store_true", help="the tool's judge with LSTNet's linear highway")
    parser.add_argument("--cuts", nargs="*", type=float, default=[], metavar="SHARE",
                        help="also run the tool on the first SHARE of each seen part (e.g. 0.7 0.9), "
                             "kept under LABEL-cut70 …; with --table, print the cuts' table for LABEL")
    parser.add_argument("--no-ladder", action="store_true", help="the tool without its ladder of lags")
    parser.add_argument("--network", choices=sorted(NETWORKS), default="16",
                        help="the oracle's network and the tool's declared one (default 16: LSTM(16), as "
                             "every table so far); 2x64: issue 30's second oracle, kept in oracle/2x64/")
    args = parser.parse_args()
    if not (args.label or args.oracle_only or args.samples_stability or args.replay
            or args.table is not None):
        parser.error("give --label LABEL (to run), --oracle-only or --table (to print)")
    return args


def oracle_for_every_label(name: str, record: dict) -> None:
    """Complete the oracle of one series; every label's picks join the grid, so tables of
    different labels share one oracle."""
    picks, considered = [lag for lag in (record["aic"], record["bic"]) if lag is not None], []
    for other in PICKS_DIR.iterdir():
        if picks_path(other.name, name).exists():
            recorded = json.loads(picks_path(other.name, name).read_text())
            tool = recorded["tool"]
            picks += [tool["lag"], *tool.get("within", []), recorded["aic"], recorded["bic"]]
            # The ladder's rungs are not evidence: the grid already covers every octave, and
            # scoring each rung of every label would multiply the oracle's training.
            considered += [lag for lag in tool["candidates"] if lag not in tool.get("rungs", ())]
    complete_oracle(name, sorted(set(picks)), sorted(set(considered)))


def record_and_score(args: argparse.Namespace) -> None:
    for name in args.series:
        record = {"aic": None, "bic": None} if args.oracle_only else record_picks(args.label, name)
        for cut in () if args.oracle_only else args.cuts:
            record_picks(args.label, name, cut=cut)
        if not args.no_oracle:
            oracle_for_every_label(name, record)
    if args.label:
        print_table(args.label, args.series)
        if args.cuts:
            print_cuts(args.label, args.cuts, args.series)


def print_cuts(label: str, cuts: list[float], names: list[str]) -> None:
    """The pick on each cut of the seen part (and on all of it), its regret, and how often the
    pick changed between cuts: a pick that moves with a few more months of data is not stable."""
    shares = sorted({*cuts, 1.0})
    print(f"\n[{label}] the pick on the first {', '.join(f'{c:.0%}' for c in shares)} of the seen part "
          "(regret on the same unseen part)")
    print(f"{'series':<24}" + "".join(f"{f'{c:.0%}':>14}" for c in shares) + f"{'changes':>8}  plateau at 100 %")
    regrets = {c: [] for c in shares}
    changed = moved = 0
    for name in names:
        paths = [picks_path(cut_label(label, c), name) for c in shares]
        if not all(path.exists() for path in paths) or not oracle_path(name).exists():
            continue
        tools = [json.loads(path.read_text())["tool"] for path in paths]
        mse = oracle_mse(json.loads(oracle_path(name).read_text()))
        matters = max(mse.values()) >= MATTERS_SPREAD * min(mse.values())
        lags = [tool["lag"] for tool in tools]
        changes = sum(a != b for a, b in zip(lags, lags[1:]))
        changed += changes > 0
        moved += changes
        cells = []
        for cut, lag in zip(shares, lags):
            regret = regret_of(mse, lag)
            if matters:
                regrets[cut].append(regret)
            cells.append(f"{lag:>5} {regret:>6.3f}{'*' if matters else ' '}")
        within = tools[-1].get("within") or []
        plateau = f"{min(within)}–{max(within)}" if within and max(within) > 2 * min(within) else ""
        print(f"{name:<24}" + "".join(f"{cell:>14}" for cell in cells) + f"{changes:>8}  {plateau}")
    for cut, values in regrets.items():
        values = [v for v in values if np.isfinite(v)]
        if values:
            print(f"cut {cut:.0%}, lag matters (*): median {statistics.median(values):.3f}, max {max(values):.3f} "
                  f"(n={len(values)}); over 1.05: {sum(v > 1.05 for v in values)}")
    print(f"the pick changed between cuts on {changed} series ({moved} changes in all)")


def configure(args: argparse.Namespace) -> None:
    """The seeds of the oracle and the tool's options, as the flags set them."""
    global MAX_SEEDS, NEAR_SEEDS
    use_network(args.network)
    if args.near_seeds:
        NEAR_SEEDS = args.near_seeds
    if args.max_seeds:
        MAX_SEEDS = args.max_seeds
    if args.highway:
        TOOL_OPTIONS["highway"] = True
    if args.no_ladder:
        TOOL_OPTIONS["ladder"] = False


def use_network(name: str) -> None:
    """The oracle and the tool for ``name`` (:data:`NETWORKS`): the default keeps everything as
    it was (the same cached tables); another network has its own oracle folder and config, and
    the tool declares it (``layers``, ``units``)."""
    global ORACLE, ORACLE_DIR
    network = NETWORKS[name]
    if not network:
        return
    ORACLE = {**ORACLE, **network}
    ORACLE_DIR = HERE / "oracle" / name
    TOOL_OPTIONS.update(network)


def main() -> None:
    args = parse_args()
    configure(args)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.samples_stability:
        samples_stability()
    elif args.replay:  # the samples' stability runs replay with it (--samples-stability keeps them)
        replay(args.replay, args.series)
        if args.cuts:
            replay_cuts(args.replay, args.cuts, args.series)
    elif args.table is not None:
        for label in args.table or sorted(p.name for p in PICKS_DIR.iterdir()):
            print_table(label, args.series)
            if args.cuts:
                print_cuts(label, args.cuts, args.series)
    else:
        record_and_score(args)


if __name__ == "__main__":
    main()
