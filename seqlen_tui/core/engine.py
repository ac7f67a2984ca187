"""Run one asset with the robust protocol: analyse, benchmark every candidate, choose.

The engine only orchestrates: windows and splits come from :mod:`.windows`, models from
:mod:`.judges`, scores from :mod:`.metrics`, the choice from :mod:`.selection`.  It reports
through the caller's :class:`~.events.Reporter` and stops within one training batch when the
caller cancels; a cancelled run returns nothing (so no report is written).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from .analysis import SeriesAnalysis, analyze_series
from .baselines import persistence, seasonal_naive
from .candidates import DroppedCandidate, check_lags_fit, prior_lags, seasonal_peaks
from .classifiers import direction_classifiers
from .data import Series
from .errors import DataError
from .events import (
    SILENT,
    AcfReady,
    CandidatesReady,
    DeviceChosen,
    DeviceProblem,
    Finished,
    GroupTrained,
    LeaderboardRows,
    RaceExits,
    Reporter,
)
from .judges import LSTMJudge, RidgeJudge
from .metrics import (
    diebold_mariano,
    majority_rate,
    newey_west_se,
    pesaran_timmermann,
    score_forecast,
)
from .names import counted
from .options import TARGETS, OptionError, RunOptions
from .selection import Selection, select_lag
from .tf_runtime import default_max_seq_len
from .training import DEFAULT_MAX_TRAIN_WINDOWS, Job, Judge, budget_for
from .windows import (
    TARGET_WORDS,
    Prepared,
    auto_folds,
    chronological_split,
    points_before_test,
    prepare,
    rolling_origins,
)

#: The models that are not the judge: they have no seeds and never race.
BASELINE_MODELS = ("persistence", "seasonal_naive", "ridge_ar")
#: Target ``auto`` leaves differences only for a target at least this much better.
AUTO_TARGET_MARGIN = 0.01


#: A run with every option at its declared default.
DEFAULT_OPTIONS = RunOptions()


@dataclass(frozen=True)
class LeaderboardRow:
    model: str
    lag: int | None
    val_mse: float | None = None
    val_mse_se: float | None = None
    test_mse: float | None = None
    test_mae: float | None = None
    mase: float | None = None
    skill: float | None = None
    directional_accuracy: float | None = None
    dm_p_vs_persistence: float | None = None
    stability: float | None = None
    majority_rate: float | None = None
    pt_p: float | None = None  # Pesaran–Timmermann p-value of the directional accuracy
    seeds: int | None = None  # the judge's seeds averaged at this lag (racing gives contenders more)
    left_race_after: int | None = None  # seeds this lag had when it left the race; None: it stayed


    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RunResult:
    analysis: SeriesAnalysis
    options: RunOptions
    target: str
    lags: tuple[int, ...]
    leaderboard: tuple[LeaderboardRow, ...]
    selection: Selection
    test_p_vs_best: float | None
    test_p_vs_persistence: float | None
    device: str
    split: dict
    timings: dict[str, float] = field(default_factory=dict)
    target_reason: str = ""
    device_choice: dict = field(default_factory=dict)  # requested, why, the rates that chose it
    race: dict = field(default_factory=dict)  # RaceResult.to_dict: seeds per lag, who left when
    training: dict | None = None  # RaceResult.training_summary: early stops, models at the cap
    #: The leaderboard model whose lag is chosen (the judge: "lstm", or a stand-in).
    chosen_model: str = "lstm"

    @property
    def chosen_lag(self) -> int:
        return self.selection.chosen_lag

    def to_report(self, asset: str, file: str, options: dict | None = None, shown_as: str | None = None) -> dict:
        """The JSON report: everything ``analyze`` reports, plus the benchmark and the choice.

        ``options``: what the report records and hashes (the run's options and the data
        selection, ``runner.report_options``; the run's own by default); ``shown_as``: see
        :func:`.report.report_header`."""
        from .report import report_header

        selection = self.selection
        return {
            **report_header(self.analysis.to_dict(), asset, file,
                            self.options.to_dict() if options is None else options, shown_as),
            "target": self.target,
            "target_words": TARGET_WORDS[self.target],
            "target_reason": self.target_reason,
            "lags": list(self.lags),
            "split": self.split,
            "leaderboard": [row.to_dict() for row in self.leaderboard],
            "chosen_lag": selection.chosen_lag,
            "chosen_model": self.chosen_model,
            "best_lag": selection.best_lag,
            "runner_up": selection.runner_up,
            "qualified": list(selection.qualified),
            "within_one_se": list(selection.within),
            "priors_passed_over": list(selection.priors_beaten),
            "gate_p_values": {str(k): v for k, v in selection.gate_p_values.items()},
            "reason": selection.reason,
            "verdict": selection.verdict,
            "warnings": list(self.analysis.warnings) + list(selection.warnings),
            "test_dm_p_vs_best": self.test_p_vs_best,
            "test_dm_p_vs_persistence": self.test_p_vs_persistence,
            "race": self.race,
            "training": self.training,
            "device": self.device,
            "device_choice": self.device_choice,
            "timings": self.timings,
        }


def run_asset(
    series: Series,
    options: RunOptions = DEFAULT_OPTIONS,
    reporter: Reporter = SILENT,
    judge: Judge | None = None,
    analysis: SeriesAnalysis | None = None,
) -> RunResult:
    """Analyse the series, benchmark its candidate lags and choose one (robust protocol).

    ``judge`` defaults to the LSTM; tests pass :class:`RidgeJudge` to stay fast. ``analysis``:
    the one a front end already made with :func:`run_analysis` (the app's choose screen), used
    when it was made from this series with these options, so a run analyses once.
    """
    options.validate()
    check_lags_fit(options.lags, len(series.values))
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if analysis is None or not analysis_fits(analysis, series, options):
        analysis = run_analysis(series, options, reporter.part(0.0, 0.02))
    else:
        for name, acf in analysis.transforms.items():  # the front end may draw them again
            reporter.send(AcfReady(f"{name}: ACF ready", analysis=acf))
    reporter.info(f"candidates from the first {analysis.points:,} of {len(series.values):,} points "
                  "(the test block is left out)", stage="candidates")
    timings["analysis"] = time.perf_counter() - started
    if options.folds is not None and analysis.candidates.lags:
        # Before TensorFlow loads: folds this series cannot hold even at its shortest candidate
        # fail in a second, not after the import (the real split is checked again below).
        rolling_origins(chronological_split(len(series.values), min(analysis.candidates.lags) + 1),
                        options.folds)
    # Before TensorFlow loads: what this series cannot do fails in a second, not after the import.
    benchmarked_lags(analysis, options, len(series.values))
    if options.target == "logret" and not (series.values > 0).all():
        raise DataError("«target» logret needs every value above zero; use «target» diff")
    choice = None if isinstance(judge, RidgeJudge) else _device(reporter, options.device)
    device = "CPU" if choice is None else choice.label
    judge = judge or LSTMJudge(units=options.units, budget=budget_for(options), highway=options.highway,
                               device=choice.name)
    device_rates = None if choice is None else choice.rates_ms.get(choice.name)
    analysis = bound_sequence_length(analysis, options, device, reporter, device_rates)
    lags = benchmarked_lags(analysis, options, len(series.values))

    emit_candidates(analysis, lags, reporter)
    period = seasonal_period(analysis, max(lags))
    target, target_reason = options.target, ""
    if target == "auto":
        target, target_reason = choose_target(series.values, analysis, lags, period, judge, options, reporter)
        if target != analysis.target:
            analysis = bound_sequence_length(analysis.for_target(target), options, device, reporter,
                                             device_rates)
            lags = benchmarked_lags(analysis, options, len(series.values))
            period = seasonal_period(analysis, max(lags))
            emit_candidates(analysis, lags, reporter)
            reporter.info(f"candidates in {TARGET_WORDS[target].split(' (')[0]}: "
                          f"{', '.join(map(str, lags))}", stage="candidates")
    max_train = options.max_train_windows or DEFAULT_MAX_TRAIN_WINDOWS
    prepared = prepare(series.values, target, max(lags), min_history=period or 0, max_train=max_train)
    if prepared.split.trimmed:
        reporter.warning(
            f"training on the most recent {max_train:,} windows; {prepared.split.trimmed:,} older "
            "ones left out («max_train_windows»)", stage="data")
    split = prepared.split
    folds = rolling_origins(split, options.folds or auto_folds(split))
    if options.folds is None and len(folds) > 1:
        reporter.info(f"{len(folds)} validation blocks of {len(split.val)} points (rolling origins): "
                      "one block would leave the choice to the noise of a few points", stage="data")
    levels = prepared.levels
    train_levels = levels[: split.last_train_target + 1]

    # Every fold forecasts its validation block; the last (the real split) also the test block.
    t0 = time.perf_counter()
    fold_targets = [np.concatenate([fold.val, fold.test]) if index == len(folds) - 1 else fold.val
                    for index, fold in enumerate(folds)]
    fold_prepared = [prepared if index == len(folds) - 1 else prepared.with_split(fold)
                     for index, fold in enumerate(folds)]
    baselines = [baseline_forecasts(fold_prepared[index], fold_targets[index], lags, period,
                                    reporter, live=index == 0, n_val=len(fold.val))
                 for index, fold in enumerate(folds)]
    race = run_race(fold_prepared, fold_targets, [len(fold.val) for fold in folds], lags, judge,
                    options, reporter, live_rows=baselines[0])
    timings["train"] = time.perf_counter() - t0
    val_parts = []
    seed_parts: list[tuple[dict, np.ndarray]] = []
    for index, fold in enumerate(folds):
        n_fold_val = len(fold.val)
        fold_forecasts = {**baselines[index], **seed_average(race.per_seed[index], judge.name)}
        val_parts.append({key: pred[:n_fold_val] for key, pred in fold_forecasts.items()})
        seed_parts.append(({job: p[:n_fold_val] for job, p in race.per_seed[index].items()}, levels[fold.val]))
        if index == len(folds) - 1:
            test_forecasts = {key: pred[n_fold_val:] for key, pred in fold_forecasts.items()}

    val_targets = np.concatenate([fold.val for fold in folds])
    evaluate = np.concatenate([val_targets, split.test])
    n_val = len(val_targets)
    actual = levels[evaluate]
    previous = levels[evaluate - 1]
    forecasts = {key: np.concatenate([part[key] for part in val_parts] + [test_forecasts[key]])
                 for key in test_forecasts}
    losses = {key: (pred - actual) ** 2 for key, pred in forecasts.items()}
    naive_loss = losses[("persistence", None)]
    longest = max(lags)
    selection = select_lag(
        {lag: losses[(judge.name, lag)][:n_val] for lag in lags},
        naive_loss[:n_val],
        options.gate_alpha,
        eliminated=frozenset(exit.lag for exit in race.exits),
        exact_lags=frozenset(c.lag for c in analysis.candidates.candidates if c.exact),
        seed_val_losses=seed_losses(seed_parts, lags),
        prior_lags=prior_lags(analysis.candidates, analysis.transforms),
        own_lags=frozenset(analysis.user_lags),
        longer_left_out={d.lag: d.reason for d in analysis.candidates.dropped
                         if d.lag > longest and d.kind in ("cost", "data", "unconfirmed")},
        linear_val_losses=None if judge.name == "ridge_ar" else
        {lag: losses[("ridge_ar", lag)][:n_val] for lag in lags},
    )
    stability = lag_stability(seed_parts, lags)
    training = race.training_summary(judge.budget.epochs) if isinstance(judge, LSTMJudge) else None
    cap_warning = still_improving_warning(training)
    if cap_warning:
        reporter.warning(cap_warning, stage="train")
        selection = replace(selection, warnings=(*selection.warnings, cap_warning))

    rows = []
    test_naive_mse = float(np.mean(naive_loss[n_val:]))
    left = {exit.lag: exit.seeds for exit in race.exits}
    for (model, lag), pred in forecasts.items():
        judged = model == judge.name
        row = _row(model, lag, pred, actual, previous, n_val, train_levels,
                   test_naive_mse, naive_loss, stability.get(lag) if judged else None)
        rows.append(replace(row, seeds=race.seeds[lag], left_race_after=left.get(lag)) if judged else row)
    if options.classifiers:
        reporter.stage("classifiers", "XGBoost and RandomForest direction classifiers")
        article_lag = analysis.transforms["diff"].first_insignificant_lag if "diff" in analysis.transforms else lags[0]
        for result in direction_classifiers(
            prepared, sorted({article_lag} | ({selection.chosen_lag} - {None})), options.seed, reporter
        ):
            reporter.progress(0.97, stage="classifiers")
            rows.append(LeaderboardRow(result.model, result.lag,
                                       directional_accuracy=result.accuracy,
                                       majority_rate=result.majority_rate))

    p_best = p_naive = None
    if selection.chosen_lag is not None:
        chosen_test = losses[(judge.name, selection.chosen_lag)][n_val:]
        best_test = losses[(judge.name, selection.best_lag)][n_val:]
        p_best = None if selection.best_lag == selection.chosen_lag else diebold_mariano(chosen_test, best_test)[1]
        p_naive = diebold_mariano(chosen_test, naive_loss[n_val:], alternative="less")[1]
    timings["total"] = time.perf_counter() - started
    leaderboard = tuple(sort_leaderboard(rows))
    reporter.send(LeaderboardRows("leaderboard final", rows=leaderboard, final=True))
    reporter.send(Finished(message="done"))
    return RunResult(
        analysis=analysis, options=options, target=target, lags=lags,
        leaderboard=leaderboard, selection=selection,
        test_p_vs_best=p_best, test_p_vs_persistence=p_naive, device=device,
        split={**split.to_dict(), "folds": [fold.to_dict() for fold in folds]},
        timings=timings, target_reason=target_reason,
        race=race.to_dict(), training=training, chosen_model=judge.name,
        device_choice={} if choice is None else {"requested": options.device, "device": choice.name,
                                                  "why": choice.why, "rates_ms": choice.rates_ms},
    )


#: More than this share of the LSTMs still improving at the epoch cap gets a warning.
AT_CAP_WARNING_SHARE = 0.10


def still_improving_warning(training: dict | None) -> str | None:
    """A warning when too many LSTMs hit the epoch cap: their lags were ranked unconverged."""
    if not training or not training["models"]:
        return None
    at_cap, models = training["at_cap"], training["models"]
    if at_cap <= AT_CAP_WARNING_SHARE * models:
        return None
    return (f"{at_cap} of {models} LSTMs were still improving at the {training['epoch_cap']}-epoch cap "
            "(not converged, so the ranking of lags is less certain): raise the epoch cap or use "
            "the thorough budget")


def run_analysis(series: Series, options: RunOptions, reporter: Reporter = SILENT) -> SeriesAnalysis:
    """The analysis a run with these options starts from: the ACF evidence and the candidates.

    The candidates come from the points before the test block (a run must not find the lags it
    tests by looking at its test data), with the run's ``max_lag``, ``alpha``, ``lags`` and
    target. The app's choose screen calls this too, so it shows what the run will benchmark.
    """
    return analyze_series(
        series, max_lag=options.max_lag, alpha=options.alpha, user_lags=options.lags,
        reporter=reporter, points=points_before_test(len(series.values)),
        target="diff" if options.target == "auto" else options.target,
    )


def analysis_fits(analysis: SeriesAnalysis, series: Series, options: RunOptions) -> bool:
    """Whether ``analysis`` is what :func:`run_analysis` would make of ``series`` and ``options``."""
    from .acf import default_max_lag

    points = points_before_test(len(series.values))
    max_lag = options.max_lag or default_max_lag(points, series.summary.frequency.seasonal_periods)
    return (analysis.series is series and analysis.points == points and analysis.max_lag == max_lag
            and analysis.alpha == options.alpha and tuple(analysis.user_lags) == tuple(options.lags)
            and analysis.target == ("diff" if options.target == "auto" else options.target))


def emit_candidates(analysis: SeriesAnalysis, lags: tuple[int, ...], reporter: Reporter) -> None:
    """Tell the front ends which candidates this run benchmarks (they never recompute them)."""
    chosen = tuple(c for c in analysis.candidates.candidates if c.lag in lags)
    unused = tuple(DroppedCandidate(c.lag, "not benchmarked with these options (e.g. «only_lags»)")
                   for c in analysis.candidates.candidates if c.lag not in lags)
    reporter.send(CandidatesReady(f"benchmarking {', '.join(map(str, lags))}", candidates=chosen,
                                  target=analysis.target, dropped=analysis.candidates.dropped + unused))


def benchmarked_lags(analysis: SeriesAnalysis, options: RunOptions, n: int) -> tuple[int, ...]:
    """The candidates a run trains: all of them, or only your ``lags`` with ``only_lags``."""
    lags = analysis.candidates.lags
    if options.only_lags:
        lags = tuple(lag for lag in lags if lag in options.lags)
        if not lags:
            why = "; ".join(f"{d.lag}: {d.reason}" for d in analysis.candidates.dropped if d.lag in options.lags)
            raise DataError(f"none of «lags» {','.join(map(str, options.lags))} can be benchmarked ({why})")
    if not lags:
        raise DataError(
            f"no candidate sequence length fits {n} points "
            "(each must leave 100+ training windows); use a longer history"
        )
    return lags


def cost_cut(analysis: SeriesAnalysis, options: RunOptions, device: str,
             rates_ms: dict | None = None) -> tuple[list, list, int]:
    """The candidates within ``max_seq_len`` and those beyond it (as dropped for cost), and the
    limit: ``max_seq_len``, else the device's default (from its measured step rates ``rates_ms``,
    lag → ms, when it has them). Your own ``lags`` pass the device default, not an explicit
    ``max_seq_len``."""
    from .candidates import DroppedCandidate

    explicit = options.max_seq_len is not None
    limit = options.max_seq_len if explicit else default_max_seq_len(device, rates_ms)
    keep, cut = [], []
    for candidate in analysis.candidates.candidates:
        if candidate.lag > limit and (explicit or candidate.lag not in options.lags):
            how = "«max_seq_len»" if explicit else f"the {device.split(' ')[0]} default «max_seq_len»"
            cut.append(DroppedCandidate(candidate.lag, f"longer than {how} {limit} (cost); "
                                        f"set «max_seq_len» {candidate.lag} to include it", kind="cost"))
        else:
            keep.append(candidate)
    return keep, cut, limit


def bound_sequence_length(analysis: SeriesAnalysis, options: RunOptions, device: str,
                          reporter: Reporter, rates_ms: dict | None = None) -> SeriesAnalysis:
    """Drop the candidates :func:`cost_cut` leaves out, listing each as dropped for cost."""
    from dataclasses import replace

    from .candidates import CandidateSet

    keep, cut, limit = cost_cut(analysis, options, device, rates_ms)
    if not cut:
        return analysis
    if not keep:
        raise OptionError("max_seq_len", f"every candidate is longer than «max_seq_len» {limit}; "
                          "raise it or give your own «lags»")
    reporter.warning(f"left out for cost: {', '.join(str(d.lag) for d in cut)} (longer than "
                     f"«max_seq_len» {limit})", stage="candidates")
    dropped = CandidateSet(tuple(keep), analysis.candidates.dropped + tuple(cut))
    return replace(analysis, candidates=dropped)


def planned_lags(analysis: SeriesAnalysis, options: RunOptions) -> tuple[tuple[int, ...], dict[int, str]]:
    """What a run with these options would benchmark, and why it would leave the others out —
    without TensorFlow (the app's choose screen): the device is the one the last run chose on
    this machine (``device.last_choice``), else the CPU."""
    from .device import last_choice

    last = last_choice() or {}
    device = str(last.get("device", "CPU")) if options.device == "auto" else options.device.upper()
    keep, cut, _ = cost_cut(analysis, options, device, last.get("rates_ms") if options.device == "auto" else None)
    left_out = {d.lag: d.reason for d in cut}
    lags = tuple(c.lag for c in keep)
    if options.only_lags:
        left_out.update({lag: "not among your own lags («only_lags»)" for lag in lags if lag not in options.lags})
        lags = tuple(lag for lag in lags if lag in options.lags)
    return lags, left_out


def _row(model, lag, pred, actual, previous, n_val, train_levels, test_naive_mse, naive_loss, stability):
    val_loss = (pred[:n_val] - actual[:n_val]) ** 2
    test_loss = (pred[n_val:] - actual[n_val:]) ** 2
    scores = score_forecast(actual[n_val:], pred[n_val:], previous[n_val:], train_levels, test_naive_mse)
    is_naive = model == "persistence"
    return LeaderboardRow(
        model=model,
        lag=lag,
        val_mse=float(np.mean(val_loss)),
        val_mse_se=newey_west_se(val_loss),
        test_mse=scores.mse,
        test_mae=scores.mae,
        mase=scores.mase,
        skill=scores.skill,
        directional_accuracy=None if is_naive else scores.directional_accuracy,
        dm_p_vs_persistence=None if is_naive else diebold_mariano(test_loss, naive_loss[n_val:], alternative="less")[1],
        stability=stability,
        majority_rate=majority_rate(train_levels),
        pt_p=None if is_naive else direction_test(actual[n_val:], pred[n_val:], previous[n_val:]),
    )


def direction_test(actual, pred, previous) -> float | None:
    """Pesaran–Timmermann p-value on the test steps where the series moved."""
    moved = actual != previous
    if moved.sum() < 3:
        return None
    p = pesaran_timmermann(actual[moved] > previous[moved], pred[moved] > previous[moved])[1]
    return None if not np.isfinite(p) else float(p)


def sort_leaderboard(rows: list[LeaderboardRow]) -> list[LeaderboardRow]:
    """Forecasters by validation MSE, then the direction classifiers by accuracy."""
    forecasters = sorted((r for r in rows if r.val_mse is not None), key=lambda r: (r.val_mse, r.lag or 0))
    classifiers = sorted((r for r in rows if r.val_mse is None),
                         key=lambda r: (-(r.directional_accuracy or 0), r.lag or 0))
    return forecasters + classifiers


def provisional_rows(forecasts: dict, actual_val: np.ndarray, seeds: dict[int, int] | None = None) -> list:
    """Leaderboard rows scored on validation only, for the live table."""
    rows = []
    for (model, lag), pred in forecasts.items():
        loss = (pred[:len(actual_val)] - actual_val) ** 2
        rows.append(LeaderboardRow(model, lag, val_mse=float(np.mean(loss)), val_mse_se=newey_west_se(loss),
                                   seeds=(seeds or {}).get(lag) if model not in BASELINE_MODELS else None))
    return rows


def baseline_forecasts(prepared: Prepared, targets, lags, period, reporter: Reporter,
                       live: bool = True, n_val: int | None = None) -> dict:
    """Level forecasts of the baselines at ``targets``: persistence, seasonal naive, ridge AR.

    With ``live`` they are emitted as provisional leaderboard rows (validation MSE on the first
    ``n_val`` targets) before any LSTM trains.
    """
    levels = prepared.levels
    forecasts: dict[tuple[str, int | None], np.ndarray] = {
        ("persistence", None): persistence(levels, targets)
    }
    if period:
        forecasts[("seasonal_naive", period)] = seasonal_naive(levels, targets, period)
    reporter.stage("baselines", "ridge AR baseline on every candidate")
    ridge = RidgeJudge().predict(prepared, [Job(lag, 0) for lag in lags], targets, reporter)
    for job, scaled in ridge.items():
        forecasts[("ridge_ar", job.lag)] = prepared.to_levels(scaled, targets)
    if live:  # so a UI can show them before any model trains
        actual_val = levels[targets[:len(targets) if n_val is None else n_val]]
        reporter.send(LeaderboardRows(f"{len(forecasts)} provisional row(s)",
                                      rows=tuple(provisional_rows(forecasts, actual_val))))
    return forecasts


@dataclass
class RaceResult:
    """What the race trained: every fold's level forecasts per (lag, seed), who left when,
    and how the LSTMs' training ended."""

    per_seed: list[dict[Job, np.ndarray]]
    exits: list
    seeds: dict[int, int]
    rounds: int
    seeds_start: int
    seeds_max: int  # equal to seeds_start: no race
    ended: str = ""  # "one left", "cap" (seeds_max reached) or "budget" (race_work spent)
    #: Per (fold, job): whether early stopping ended its training, and after how many epochs.
    stopped_early: dict[tuple[int, Job], bool] = field(default_factory=dict)
    epochs: dict[tuple[int, Job], int] = field(default_factory=dict)

    def training_summary(self, epoch_cap: int) -> dict:
        """How many models stopped early and how many were still improving at the cap."""
        models = len(self.stopped_early)
        early = sum(self.stopped_early.values())
        epochs = list(self.epochs.values())
        return {"models": models, "stopped_early": early, "at_cap": models - early,
                "epoch_cap": epoch_cap, "median_epochs": float(np.median(epochs)) if epochs else None}

    def to_dict(self) -> dict:
        return {"seeds": self.seeds_start, "seeds_max": self.seeds_max, "rounds": self.rounds, "ended": self.ended,
                "seeds_per_lag": {str(lag): n for lag, n in sorted(self.seeds.items())},
                "exits": [exit.to_dict() for exit in self.exits]}


def run_race(fold_prepared: list[Prepared], fold_targets: list[np.ndarray], fold_n_val: list[int], lags,
             judge: Judge, options: RunOptions, reporter: Reporter, live_rows: dict) -> RaceResult:
    """Train every lag with ``options.seeds`` seeds, then race (see :mod:`.race`): after each
    round the lags significantly worse than the leader leave, the others get one more seed.

    Every fold trains each round; the race reads the validation losses of all folds together.
    The first fold's rows are emitted live (with ``live_rows``, its baselines) as lags finish.
    """
    from .race import describe_exits, race_exits, race_over, seeds_cap

    # A deterministic judge gives every seed the same forecast: nothing to race.
    seeds_max = seeds_cap(options) if getattr(judge, "seeded", True) else options.seeds
    seeds = dict.fromkeys(lags, options.seeds)
    alive = list(lags)
    per_seed: list[dict[Job, np.ndarray]] = [{} for _ in fold_targets]
    result = RaceResult(per_seed, [], seeds, 0, options.seeds, seeds_max)
    first_levels = fold_prepared[0].levels[fold_targets[0][:fold_n_val[0]]]
    rounds_left = seeds_max - options.seeds
    budget = getattr(judge, "budget", None)
    work_allowed = (budget.race_work if budget else 1.0) * sum(lags)  # in lag-steps per round
    work_done, ended = sum(lags), "cap"
    jobs = [Job(lag, options.seed + s) for lag in lags for s in range(options.seeds)]
    while True:
        result.rounds += 1
        if result.rounds == 1:
            share = (0.03, 0.95 if rounds_left == 0 else 0.70)
            reporter.stage("train", f"training {counted(len(lags), 'lag')} × {counted(options.seeds, 'seed')}"
                           + (f" (racing: up to {seeds_max} seeds for the lags still in contention)"
                              if seeds_max > options.seeds else ""))
        else:  # later rounds share what is left, one slice per possible round
            share = tuple(0.70 + 0.25 * (result.rounds - k) / rounds_left for k in (2, 1))
            reporter.stage("race", f"race round {result.rounds}: {', '.join(map(str, alive))} "
                           f"get seed {seeds[alive[0]]} of at most {seeds_max}")
        for index, prepared in enumerate(fold_prepared):
            if len(fold_prepared) > 1:
                reporter.stage("fold", f"fold {index + 1}/{len(fold_prepared)}: validation from "
                                       f"target {fold_targets[index][0]}")
            part = reporter.part(share[0] + (share[1] - share[0]) * index / len(fold_prepared),
                                 share[0] + (share[1] - share[0]) * (index + 1) / len(fold_prepared))

            def absorb(predictions: dict, index: int = index, prepared: Prepared = prepared) -> None:
                done = {job: prepared.to_levels(p, fold_targets[index]) for job, p in predictions.items()}
                per_seed[index].update(done)
                if index == 0:  # the live table follows the first fold
                    finished = {job.lag for job in done}
                    averaged = {key: pred for key, pred in seed_average(per_seed[0], judge.name).items()
                                if key[1] in finished}
                    reporter.send(LeaderboardRows(f"{len(averaged)} provisional row(s)",
                                                  rows=tuple(provisional_rows(averaged, first_levels, seeds))))

            def on_group(event, index: int = index, absorb=absorb) -> None:
                if isinstance(event, GroupTrained):
                    result.stopped_early.update({(index, job): flag for job, flag in event.stopped_early.items()})
                    result.epochs.update({(index, job): n for job, n in event.epochs.items()})
                    absorb(event.predictions)

            scaled = judge.predict(prepared, jobs, fold_targets[index], part.tap(on_group))
            unshown = {job: pred for job, pred in scaled.items() if job not in per_seed[index]}
            if unshown:  # a judge that reports no groups (ridge): its rows come all at once
                absorb(unshown)
        if race_over(alive, seeds, seeds_max):
            break
        val_losses = race_losses(per_seed, fold_prepared, fold_targets, fold_n_val, alive, judge.name)
        exits = race_exits(val_losses, alive, result.rounds, seeds)
        if exits:
            result.exits.extend(exits)
            alive = [lag for lag in alive if lag not in {exit.lag for exit in exits}]
            reporter.send(RaceExits(describe_exits(exits), exits=tuple(exits), round=result.rounds,
                                    alive=tuple(alive)))
        if race_over(alive, seeds, seeds_max):
            break
        if work_done + sum(alive) > work_allowed:
            ended = "budget"
            break
        work_done += sum(alive)
        jobs = [Job(lag, options.seed + seeds[lag]) for lag in alive]
        for lag in alive:
            seeds[lag] += 1
    if seeds_max > options.seeds:
        tied = ", ".join(map(str, alive))
        why = {"budget": f"the budget's training is spent ({tied} still in contention, with "
                         f"{counted(max(seeds[lag] for lag in alive), 'seed')})",
               "cap": f"{tied} could not be told apart at {seeds_max} seeds"}
        reporter.info(f"race over: {why[ended] if len(alive) > 1 else f'{alive[0]} is the only lag left'}",
                      stage="race")
    result.ended = ended if len(alive) > 1 else "one left"
    return result


def race_losses(per_seed, fold_prepared, fold_targets, fold_n_val, lags, name) -> dict[int, np.ndarray]:
    """Each lag's per-point validation losses of its seed-averaged forecast, folds together."""
    out = {}
    for lag in lags:
        parts = []
        for index, prepared in enumerate(fold_prepared):
            preds = [pred for job, pred in per_seed[index].items() if job.lag == lag]
            val = fold_targets[index][:fold_n_val[index]]
            parts.append((np.mean(preds, axis=0)[:len(val)] - prepared.levels[val]) ** 2)
        out[lag] = np.concatenate(parts)
    return out


def seed_average(per_seed: dict[Job, np.ndarray], name: str) -> dict:
    """The judge's forecast per lag: the mean of its seeds' forecasts."""
    by_lag: dict[int, list[np.ndarray]] = {}
    for job, pred in per_seed.items():
        by_lag.setdefault(job.lag, []).append(pred)
    return {(name, lag): np.mean(preds, axis=0) for lag, preds in sorted(by_lag.items())}


def seed_losses(parts: list[tuple[dict[Job, np.ndarray], np.ndarray]], lags) -> dict[int, np.ndarray]:
    """Each seed's own squared validation errors per lag, folds concatenated: (seeds, points),
    rows in seed order (so lags with fewer seeds share their rows with the others' first ones)."""
    out = {}
    for lag in lags:
        seeds = sorted({job.seed for job in parts[0][0] if job.lag == lag})
        out[lag] = np.array([np.concatenate([(per_seed[Job(lag, seed)] - actual) ** 2
                                             for per_seed, actual in parts]) for seed in seeds])
    return out


def lag_stability(parts: list[tuple[dict[Job, np.ndarray], np.ndarray]], lags) -> dict[int, float]:
    """Share of (fold, seed) pairs whose own model scores best on that fold's validation.

    With racing, lags have different seed counts: each seed is contested by the lags that
    trained it, and a lag that left the race counts as losing every later seed — it left
    because the leader beat it significantly. So stability is a share of every (fold, seed)
    pair of the run, whatever a lag's own count."""
    wins = dict.fromkeys(lags, 0)
    trials = 0
    for per_seed, actual_val in parts:
        for seed in sorted({job.seed for job in per_seed}):
            contenders = [lag for lag in lags if Job(lag, seed) in per_seed]
            mse = {lag: float(np.mean((per_seed[Job(lag, seed)] - actual_val) ** 2)) for lag in contenders}
            wins[min(contenders, key=lambda lag: (mse[lag], lag))] += 1
            trials += 1
    return {lag: wins[lag] / trials for lag in lags}


def seasonal_period(analysis: SeriesAnalysis, longest: int) -> int | None:
    """The strongest detected period not longer than the longest candidate, for seasonal naive."""
    # Seasonal naive repeats *levels*, so the raw series' ACF says which lag repeats best.
    result = analysis.transforms.get("raw") or analysis.transforms.get("diff")
    found = [(float(result.acf[p]), p) for p in seasonal_peaks(result)] if result else []
    periods = [p for _, p in sorted(found, reverse=True) if 1 < p <= longest]
    if periods:
        return periods[0]
    natural = [p for p in analysis.series.summary.frequency.seasonal_periods if p <= longest]
    return natural[0] if natural else None


def choose_target(levels, analysis: SeriesAnalysis, lags, period, judge, options, reporter) -> tuple[str, str]:
    """Target ``auto``: the transform with the lowest validation loss at one lag — the
    shortest with exact evidence in differences (the order the data's own AR structure
    suggests), else the second shortest candidate."""
    exact = [c.lag for c in analysis.candidates.candidates if c.exact and c.lag in lags]
    lag = exact[0] if exact else lags[min(1, len(lags) - 1)]
    reporter.stage("target", f"choosing the target transform at lag {lag}")
    candidates = [t for t in TARGETS if t != "logret" or np.all(levels > 0)]
    scores = {}
    for target in candidates:
        prepared = prepare(levels, target, max(lags), min_history=period or 0,
                           max_train=options.max_train_windows or DEFAULT_MAX_TRAIN_WINDOWS)
        val = prepared.split.val
        preds = judge.predict(prepared, [Job(lag, options.seed)], val, reporter)
        level_pred = prepared.to_levels(next(iter(preds.values())), val)
        scores[target] = float(np.mean((level_pred - levels[val]) ** 2))
    # Differences stay unless another target is clearly better: log returns of a price far
    # from zero forecast almost exactly like differences, and a tie should not flip the target.
    best = min(scores, key=lambda t: scores[t] * (1 + AUTO_TARGET_MARGIN * (t != "diff")))
    detail = ", ".join(f"{t} {s:.4g}" for t, s in scores.items())
    if best == "diff" and min(scores.values()) < scores["diff"]:
        return best, (f"auto: diff kept; no target beat it by {AUTO_TARGET_MARGIN:.0%} in validation "
                      f"MSE at lag {lag} ({detail})")
    return best, f"auto: {best} had the lowest validation MSE at lag {lag} ({detail})"


def _device(reporter: Reporter, requested: str = "auto"):
    """The training device (:func:`.device.choose_device`), said in the log; on a box whose
    listed GPU TensorFlow cannot use, one warning with the fix."""
    import sys

    from .device import choose_device, listed_but_unusable, remember_choice
    from .tf_runtime import training_device

    if "tensorflow" not in sys.modules:  # the first import is seconds of silence otherwise
        reporter.stage("device", "loading TensorFlow (first use in this process, a few seconds)")
    training_device()  # TensorFlow loaded, memory growth on
    choice = choose_device(requested)
    remember_choice(choice)
    why = f" ({choice.why})" if choice.why and requested != "cpu" else ""
    reporter.send(DeviceChosen(f"training on {choice.label}{why}", device=choice.label,
                               rates_ms=choice.rates_ms))
    if not choice.is_gpu and requested != "cpu":
        problem = listed_but_unusable()
        if problem:
            reporter.send(DeviceProblem(problem, device=choice.label))
    return choice


__all__ = ["RunOptions", "RunResult", "LeaderboardRow", "run_asset", "run_article_report"]


def run_article_report(series: Series, options: RunOptions, reporter: Reporter, asset: str,
                       file: str, recorded: dict | None = None, shown_as: str | None = None) -> dict:
    """Protocol ``article``: the article's benchmark, as a report of the same shape.

    Its MSE is on MinMax-scaled values and there is no validation block, so ``val_mse`` is
    empty and ``test_mse`` holds the article's scaled MSE (``mse_scale: "minmax"``).
    """
    from .article import run_article
    from .report import report_header
    from .tf_runtime import load_tensorflow

    options.validate()
    started = time.perf_counter()
    analysis = analyze_series(series, max_lag=options.max_lag, alpha=options.alpha,
                              reporter=reporter.part(0.0, 0.02))
    choice = _device(reporter, options.device)
    load_tensorflow()
    import tensorflow as tf

    with tf.device(choice.name):
        result = run_article(series.values, seed=options.seed, epochs=options.epochs or 10,
                             reporter=reporter.part(0.02, 1.0), classifiers=options.classifiers)
    rows = [LeaderboardRow("lstm", r.lag, test_mse=r.mse, directional_accuracy=r.directional_accuracy)
            for r in result.lstm]
    rows += [LeaderboardRow(name, result.base_lag, directional_accuracy=acc)
             for name, acc in result.classifiers.items()]
    rows.sort(key=lambda r: -(r.directional_accuracy or 0))  # the article sorts by DA
    lstm = sorted(result.lstm, key=lambda r: r.mse)
    return {
        **report_header(analysis.to_dict(), asset, file, options.to_dict() if recorded is None else recorded,
                        shown_as),
        "target": "level",
        "target_words": "MinMax-scaled levels, scaler fitted on the whole series (the article)",
        "mse_scale": "minmax",
        "lags": list(result.lags),
        "leaderboard": [row.to_dict() for row in rows],
        "chosen_lag": result.chosen_lag,
        "chosen_model": "lstm",
        "runner_up": next((r.lag for r in lstm if r.lag != result.chosen_lag), None),
        "reason": result.rule,
        "verdict": (f"The article's rule picks {result.chosen_lag} ({result.rule}); it has no "
                    "persistence baseline, so this says nothing about beating the last value."),
        "warnings": list(result.notes),
        "article": result.to_dict(),
        "device": choice.label,
        "timings": {"total": time.perf_counter() - started},
    }
