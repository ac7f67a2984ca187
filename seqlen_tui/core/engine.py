"""Run one asset with the robust protocol: analyse, benchmark every candidate, choose.

The engine only orchestrates, as a sequence of named phases (:func:`run_asset`): windows and
splits come from :mod:`.windows`, models from :mod:`.judges`, the lags and their cost cut from
:mod:`.lag_plan`, the race from :mod:`.race`, scores from :mod:`.metrics` and
:mod:`.leaderboard`, the choice from :mod:`.selection`. It reports through the caller's
:class:`~.events.Reporter` and stops training within one call of the fused step (at most
:data:`.fused_lstm.BATCHES_PER_CALL` batches) when the caller cancels; a cancelled run returns
nothing (so no report is written).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .analysis import SeriesAnalysis, analyze_series
from .article_report import run_article_report
from .baselines import persistence, seasonal_naive
from .candidates import (
    CandidateSet,
    DroppedCandidate,
    check_lags_fit,
    prior_lags,
    refined_candidate,
    seasonal_peaks,
)
from .classifiers import direction_classifiers
from .data import Series
from .errors import DataError
from .events import SILENT, AcfReady, CandidatesReady, Finished, LeaderboardRows, Reporter
from .judges import LSTMJudge, RidgeJudge
from .lag_plan import DevicePlan, benchmarked_lags, bound_sequence_length
from .leaderboard import provisional_rows, score_row, sort_leaderboard
from .metrics import diebold_mariano
from .model_stage import Transfer, finalists_of, transfer_check
from .names import SCOUT
from .options import NETWORK_KEYS, TARGETS, RunOptions, declared_model
from .race import RaceResult, run_race
from .results import LeaderboardRow, RunResult
from .run_device import choose_run_device
from .seed_stats import lag_stability, seed_average, seed_losses
from .selection import Selection, select_lag
from .training import DEFAULT_MAX_TRAIN_WINDOWS, Job, Judge, budget_for
from .windows import (
    TARGET_WORDS,
    Prepared,
    Split,
    auto_folds,
    chronological_split,
    points_before_test,
    prepare,
    rolling_origins,
)

if TYPE_CHECKING:
    from .device import DeviceChoice

#: The scout's share of the training progress when a declared network trains its finalists.
SCOUT_SHARE = 0.5

#: Target ``auto`` leaves differences only for a target at least this much better.
AUTO_TARGET_MARGIN = 0.01


#: A run with every option at its declared default.
DEFAULT_OPTIONS = RunOptions()


# ----------------------------------------------------------------------------- the phases' outputs


@dataclass(frozen=True)
class TrainingPlan:
    """The device and cost bound phase: where the judge trains and what it may benchmark."""

    analysis: SeriesAnalysis  # candidates longer than the device's cost limit dropped
    lags: tuple[int, ...]
    judge: Judge
    choice: DeviceChoice | None  # None: a judge that needs no device (ridge)
    device: DevicePlan
    #: The declared network, which trains the judge's finalists (:mod:`.model_stage`); None:
    #: one stage, the judge's choice is the run's.
    model_judge: Judge | None = None


@dataclass(frozen=True)
class TargetPlan:
    """The target phase: what the judge models, and the candidates expressed in it."""

    name: str
    reason: str
    analysis: SeriesAnalysis
    lags: tuple[int, ...]
    period: int | None  # seasonal naive's period


@dataclass(frozen=True)
class RunFolds:
    """The folds phase: the real split (the last fold) and the rolling origins before it, each
    with what it forecasts — its validation block, and for the last also the test block."""

    prepared: Prepared
    folds: list[Split]
    fold_prepared: list[Prepared]
    fold_targets: list[np.ndarray]

    @property
    def split(self) -> Split:
        return self.prepared.split

    @property
    def n_val(self) -> list[int]:
        return [len(fold.val) for fold in self.folds]

    @property
    def train_levels(self) -> np.ndarray:
        return self.prepared.levels[: self.split.last_train_target + 1]


@dataclass(frozen=True)
class Trained:
    """The baselines and race phase: every fold's baseline forecasts, and the race."""

    baselines: list[dict]
    race: RaceResult


@dataclass(frozen=True)
class Pooled:
    """The pool phase: every model's forecasts and losses over the folds' validation blocks
    (first ``n_val`` points) then the test block, and each seed's own validation forecasts."""

    forecasts: dict
    losses: dict
    actual: np.ndarray
    previous: np.ndarray
    n_val: int
    seed_parts: list[tuple[dict, np.ndarray]]

    @property
    def naive_loss(self) -> np.ndarray:
        return self.losses[("persistence", None)]


@dataclass(frozen=True)
class ChosenLag:
    """The choose phase: the selection, each lag's stability, and how training ended."""

    selection: Selection
    stability: dict[int, float]
    training: dict | None


@dataclass(frozen=True)
class Staged:
    """The run's answer after the model stage: what was trained, pooled and chosen last, by
    which judge, and (with two stages) the transfer check and the scout's race."""

    target: TargetPlan
    trained: Trained
    pooled: Pooled
    chosen: ChosenLag
    judge: Judge
    transfer: dict | None = None


# ----------------------------------------------------------------------------- the run


def run_asset(
    series: Series,
    options: RunOptions = DEFAULT_OPTIONS,
    reporter: Reporter = SILENT,
    judge: Judge | None = None,
    analysis: SeriesAnalysis | None = None,
    model_judge: Judge | None = None,
) -> RunResult:
    """Analyse the series, benchmark its candidate lags and choose one (robust protocol).

    ``judge`` defaults to the LSTM; tests pass :class:`RidgeJudge` to stay fast. ``analysis``:
    the one a front end already made with :func:`run_analysis` (the app's choose screen), used
    when it was made from this series with these options, so a run analyses once.
    ``model_judge``: the network that trains the judge's finalists in a second stage; by default
    the declared one («layers», «units», «dropout») when it is not the default judge's.
    """
    options.validate()
    check_lags_fit(options.lags, len(series.values))
    timings: dict[str, float] = {}
    started = time.perf_counter()
    analysis = analyse(series, options, reporter, analysis)
    timings["analysis"] = time.perf_counter() - started
    check_before_tensorflow(series, analysis, options)
    plan = plan_training(series, analysis, options, reporter, judge, model_judge)
    target = choose_run_target(series, plan, options, reporter)
    folds = make_folds(series, target, options, reporter)
    t0 = time.perf_counter()
    scouting = reporter.part(0.0, SCOUT_SHARE) if plan.model_judge else reporter
    trained = train_baselines_and_race(folds, target, plan.judge, options, scouting)
    target = with_refined_lags(target, trained.race)
    if trained.race.refined:  # the front ends list the lags the ladder added, with their reasons
        emit_candidates(target.analysis, target.lags, reporter)
    pooled = pool_folds(folds, trained, plan.judge.name)
    chosen = choose_on_validation(pooled, target, trained.race, plan.judge, options,
                                  SILENT if plan.model_judge else reporter)
    staged = Staged(target, trained, pooled, chosen, plan.judge)
    if plan.model_judge is not None:
        staged = model_stage(folds, staged, plan.model_judge, options, reporter)
    timings["train"] = time.perf_counter() - t0
    target, trained, pooled, chosen, final_judge = (staged.target, staged.trained, staged.pooled,
                                                     staged.chosen, staged.judge)
    rows = leaderboard_rows(pooled, folds, trained.race, chosen.stability, final_judge.name)
    if options.classifiers:
        rows += classifier_rows(folds.prepared, target, chosen.selection, options, reporter)
    p_best, p_naive = p_values_on_test_block(chosen.selection, pooled, final_judge.name)
    timings["total"] = time.perf_counter() - started
    leaderboard = tuple(sort_leaderboard(rows))
    reporter.send(LeaderboardRows("leaderboard final", rows=leaderboard, final=True))
    reporter.send(Finished(message="done"))
    return RunResult(
        analysis=target.analysis, options=options, target=target.name, lags=target.lags,
        leaderboard=leaderboard, selection=chosen.selection,
        test_p_vs_best=p_best, test_p_vs_persistence=p_naive, device=plan.device.label,
        split={**folds.split.to_dict(), "folds": [fold.to_dict() for fold in folds.folds]},
        timings=timings, target_reason=target.reason,
        race=trained.race.to_dict(), training=chosen.training, chosen_model=final_judge.name,
        device_choice=device_choice_record(plan.choice, options.device), transfer=staged.transfer,
    )


def analyse(series: Series, options: RunOptions, reporter: Reporter,
            analysis: SeriesAnalysis | None) -> SeriesAnalysis:
    """The analysis phase: the front end's analysis when it fits these options (its ACFs sent
    again, for a screen that draws them), else a fresh one."""
    if analysis is None or not analysis_fits(analysis, series, options):
        analysis = run_analysis(series, options, reporter.part(0.0, 0.02))
    else:
        for name, acf in analysis.transforms.items():  # the front end may draw them again
            reporter.send(AcfReady(f"{name}: ACF ready", analysis=acf))
    reporter.info(f"candidates from the first {analysis.points:,} of {len(series.values):,} points "
                  "(the test block is left out)", stage="candidates")
    return analysis


def check_before_tensorflow(series: Series, analysis: SeriesAnalysis, options: RunOptions) -> None:
    """What this series cannot do fails in a second, before TensorFlow loads, not after."""
    if options.folds is not None and analysis.candidates.lags:
        # Folds this series cannot hold even at its shortest candidate (the real split is
        # checked again when the folds are made).
        rolling_origins(chronological_split(len(series.values), min(analysis.candidates.lags) + 1),
                        options.folds)
    benchmarked_lags(analysis, options, len(series.values))
    if options.target == "logret" and not (series.values > 0).all():
        raise DataError("«target» logret needs every value above zero; use «target» diff")


def plan_training(series: Series, analysis: SeriesAnalysis, options: RunOptions, reporter: Reporter,
                  judge: Judge | None, model_judge: Judge | None = None) -> TrainingPlan:
    """The device and cost bound phase: the training device (none for ridge), the judge (the
    LSTM by default), and the candidates the device's cost limit keeps, as the front ends hear.
    With a declared network (:func:`.options.declared_model`) the default LSTM scouts every
    candidate and the declared one trains its finalists (:func:`model_stage`)."""
    choice = None if isinstance(judge, RidgeJudge) else choose_run_device(reporter, options.device)
    if judge is None:
        judge, model_judge = default_judges(options, choice)
    device = DevicePlan.of(choice)
    analysis = bound_sequence_length(analysis, options, device, reporter)
    lags = benchmarked_lags(analysis, options, len(series.values))
    emit_candidates(analysis, lags, reporter)
    return TrainingPlan(analysis, lags, judge, choice, device, model_judge)


def default_judges(options: RunOptions, choice: DeviceChoice) -> tuple[Judge, Judge | None]:
    """The LSTM judge, and with a declared network the scout (the default LSTM, named
    ``scout``) and that network."""
    shared = {"budget": budget_for(options), "highway": options.highway, "device": choice.name}
    declared = LSTMJudge(units=options.units, layers=options.layers, dropout=options.dropout, **shared)
    if not declared_model(options):
        return declared, None
    return LSTMJudge(name=SCOUT, **shared), declared


def choose_run_target(series: Series, plan: TrainingPlan, options: RunOptions, reporter: Reporter) -> TargetPlan:
    """The target phase: the asked-for target, or with ``auto`` the one :func:`choose_target`
    picks — its candidates re-expressed, bounded and announced when it is not differences."""
    period = seasonal_period(plan.analysis, max(plan.lags))
    if options.target != "auto":
        return TargetPlan(options.target, "", plan.analysis, plan.lags, period)
    target, reason = choose_target(series.values, plan.analysis, plan.lags, period, plan.judge, options, reporter)
    if target == plan.analysis.target:
        return TargetPlan(target, reason, plan.analysis, plan.lags, period)
    analysis = bound_sequence_length(plan.analysis.for_target(target), options, plan.device, reporter)
    lags = benchmarked_lags(analysis, options, len(series.values))
    period = seasonal_period(analysis, max(lags))
    emit_candidates(analysis, lags, reporter)
    reporter.info(f"candidates in {TARGET_WORDS[target].split(' (')[0]}: "
                  f"{', '.join(map(str, lags))}", stage="candidates")
    return TargetPlan(target, reason, analysis, lags, period)


def make_folds(series: Series, target: TargetPlan, options: RunOptions, reporter: Reporter) -> RunFolds:
    """The folds phase: windows for the longest lag, the chronological split and its rolling
    origins (several validation blocks where one would be short)."""
    max_train = options.max_train_windows or DEFAULT_MAX_TRAIN_WINDOWS
    prepared = prepare(series.values, target.name, max(target.lags), min_history=target.period or 0,
                       max_train=max_train)
    if prepared.split.trimmed:
        reporter.warning(
            f"training on the most recent {max_train:,} windows; {prepared.split.trimmed:,} older "
            "ones left out («max_train_windows»)", stage="data")
    split = prepared.split
    folds = rolling_origins(split, options.folds or auto_folds(split))
    if options.folds is None and len(folds) > 1:
        reporter.info(f"{len(folds)} validation blocks of {len(split.val)} points (rolling origins): "
                      "one block would leave the choice to the noise of a few points", stage="data")
    # Every fold forecasts its validation block; the last (the real split) also the test block.
    last = len(folds) - 1
    fold_targets = [np.concatenate([fold.val, fold.test]) if index == last else fold.val
                    for index, fold in enumerate(folds)]
    fold_prepared = [prepared if index == last else prepared.with_split(fold) for index, fold in enumerate(folds)]
    return RunFolds(prepared, folds, fold_prepared, fold_targets)


def train_baselines_and_race(folds: RunFolds, target: TargetPlan, judge: Judge, options: RunOptions,
                             reporter: Reporter) -> Trained:
    """The baselines and race phase: every fold's baselines (the first fold's shown live), then
    the judge's race over the lags on all folds."""
    baselines = [baseline_forecasts(folds.fold_prepared[index], folds.fold_targets[index], target.lags,
                                    target.period, reporter, live=index == 0, n_val=len(fold.val))
                 for index, fold in enumerate(folds.folds)]
    race = run_race(folds.fold_prepared, folds.fold_targets, folds.n_val, target.lags, judge, options, reporter)
    if race.refined:  # the lags the ladder added get their ridge AR yardstick too
        for index, fold_baselines in enumerate(baselines):
            fold_baselines.update(ridge_forecasts(folds.fold_prepared[index], folds.fold_targets[index],
                                                  sorted(race.refined), SILENT))
    return Trained(baselines, race)


def model_stage(folds: RunFolds, scouted: Staged, model_judge: Judge, options: RunOptions,
                reporter: Reporter) -> Staged:
    """The model stage: the declared network races the scout's finalists on the same folds
    (with no ladder: the finalists are the search's result), and chooses by the same rules on
    its own validation losses. The scout's averaged forecasts stay on the leaderboard beside it,
    and the transfer check says what the scout's pick would have cost it."""
    n_val, scout = scouted.pooled.n_val, scouted.judge.name
    scout_losses = {lag: scouted.pooled.losses[(scout, lag)][:n_val] for lag in scouted.target.lags}
    finalists = finalists_of(scouted.chosen.selection, scout_losses, scouted.target.lags)
    words = (network_words(scouted.judge), network_words(model_judge))
    reporter.stage("race", f"your {words[1]} on the scout's finalists {', '.join(map(str, finalists))} "
                           f"(the {words[0]} scouted {len(scouted.target.lags)} lags)")
    race = run_race(folds.fold_prepared, folds.fold_targets, folds.n_val, finalists, model_judge,
                    replace(options, ladder=False), reporter.part(SCOUT_SHARE, 1.0))
    baselines = [{**fold_baselines, **seed_average(scouted.trained.race.per_seed[index], scout)}
                 for index, fold_baselines in enumerate(scouted.trained.baselines)]
    trained = Trained(baselines, race)
    pooled = pool_folds(folds, trained, model_judge.name)
    chosen = choose_on_validation(pooled, replace(scouted.target, lags=finalists), race, model_judge, options,
                                  reporter)
    model_losses = {lag: pooled.losses[(model_judge.name, lag)][:n_val] for lag in finalists}
    transfer = transfer_check(scouted.chosen.selection, chosen.selection, scout_losses, model_losses,
                              finalists, words)
    chosen = with_transfer_sentence(chosen, transfer, reporter)
    record = {**transfer.to_dict(), "scout_race": scouted.trained.race.to_dict()}
    # The run benchmarked every lag the scout did (the report's ``lags``); the finalists are
    # the transfer record's.
    return Staged(scouted.target, trained, pooled, chosen, model_judge, record)


def network_words(judge: Judge) -> str:
    """A judge's network in words, as reports name it (``LSTM(16)``, ``2 × LSTM(64)``); a
    stand-in judge (tests) by its leaderboard name."""
    from .history import network_words as words_of
    from .names import MODEL_NAMES

    if not isinstance(judge, LSTMJudge):
        return MODEL_NAMES.get(judge.name, judge.name)
    return words_of({key: getattr(judge, key) for key in NETWORK_KEYS})


def with_transfer_sentence(chosen: ChosenLag, transfer: Transfer, reporter: Reporter) -> ChosenLag:
    """The choice with the transfer check's sentence among its warnings, when the judges
    disagree significantly (said in the run's log too)."""
    sentence = transfer.sentence()
    if sentence is None:
        return chosen
    reporter.warning(sentence, stage="race")
    selection = chosen.selection
    return replace(chosen, selection=replace(selection, warnings=(*selection.warnings, sentence)))


def with_refined_lags(target: TargetPlan, race: RaceResult) -> TargetPlan:
    """The target plan with the lags the race's ladder added (:meth:`.race.Race.refine`): they
    are candidates like the others from here on, each with the reason it was tried."""
    if not race.refined:
        return target
    candidates = target.analysis.candidates
    added = tuple(refined_candidate(lag, round_number, leader)
                  for lag, (round_number, leader) in race.refined.items())
    merged = CandidateSet(tuple(sorted((*candidates.candidates, *added), key=lambda c: c.lag)),
                          candidates.dropped)
    return replace(target, analysis=replace(target.analysis, candidates=merged), lags=race.lags)


def pool_folds(folds: RunFolds, trained: Trained, judge_name: str) -> Pooled:
    """The pool phase: each model's forecasts, validation blocks in fold order then the test
    block, against the levels they forecast; and each seed's own validation forecasts per fold."""
    levels = folds.prepared.levels
    fold_forecasts = [{**trained.baselines[index], **seed_average(trained.race.per_seed[index], judge_name)}
                      for index in range(len(folds.folds))]
    val_parts = [{key: pred[:len(fold.val)] for key, pred in forecasts.items()}
                 for fold, forecasts in zip(folds.folds, fold_forecasts)]
    seed_parts = [({job: p[:len(fold.val)] for job, p in per_seed.items()}, levels[fold.val])
                  for fold, per_seed in zip(folds.folds, trained.race.per_seed)]
    # The last fold is the real split: what it forecasts past its validation block is the test block.
    n_last_val = len(folds.folds[-1].val)
    test_forecasts = {key: pred[n_last_val:] for key, pred in fold_forecasts[-1].items()}

    val_targets = np.concatenate([fold.val for fold in folds.folds])
    evaluate = np.concatenate([val_targets, folds.split.test])
    actual = levels[evaluate]
    forecasts = {key: np.concatenate([part[key] for part in val_parts] + [test_forecasts[key]])
                 for key in test_forecasts}
    losses = {key: (pred - actual) ** 2 for key, pred in forecasts.items()}
    return Pooled(forecasts, losses, actual, levels[evaluate - 1], len(val_targets), seed_parts)


def choose_on_validation(pooled: Pooled, target: TargetPlan, race: RaceResult, judge: Judge, options: RunOptions,
                         reporter: Reporter) -> ChosenLag:
    """The choose phase: :func:`.selection.select_lag` on the pooled validation losses, with
    what the race and the analysis know; a warning when too many LSTMs ended at the epoch cap."""
    analysis, lags, n_val = target.analysis, target.lags, pooled.n_val
    candidates = analysis.candidates
    longest = max(lags)
    linear = None if judge.name == "ridge_ar" else {lag: pooled.losses[("ridge_ar", lag)][:n_val] for lag in lags}
    selection = select_lag(
        {lag: pooled.losses[(judge.name, lag)][:n_val] for lag in lags},
        pooled.naive_loss[:n_val],
        options.gate_alpha,
        eliminated=frozenset(exit.lag for exit in race.exits),
        exact_lags=frozenset(c.lag for c in candidates.candidates if c.exact),
        rung_lags=frozenset(c.lag for c in candidates.candidates if c.rung),
        seed_val_losses=seed_losses(pooled.seed_parts, lags),
        prior_lags=prior_lags(candidates, analysis.transforms),
        own_lags=frozenset(analysis.user_lags),
        longer_left_out={d.lag: d.reason for d in candidates.dropped
                         if d.lag > longest and d.kind in ("cost", "data", "unconfirmed")},
        linear_val_losses=linear,
    )
    stability = lag_stability(pooled.seed_parts, lags)
    training = race.training_summary(judge.budget.epochs) if isinstance(judge, LSTMJudge) else None
    cap_warning = still_improving_warning(training)
    if cap_warning:
        reporter.warning(cap_warning, stage="train")
        selection = replace(selection, warnings=(*selection.warnings, cap_warning))
    return ChosenLag(selection, stability, training)


def leaderboard_rows(pooled: Pooled, folds: RunFolds, race: RaceResult, stability: dict[int, float],
                     judge_name: str) -> list[LeaderboardRow]:
    """The leaderboard phase: one scored row per forecaster; the judge's rows also say how many
    seeds they average and when they left the race."""
    n_val, naive_loss, train_levels = pooled.n_val, pooled.naive_loss, folds.train_levels
    test_naive_mse = float(np.mean(naive_loss[n_val:]))
    left = {exit.lag: exit.seeds for exit in race.exits}
    rows = []
    for (model, lag), pred in pooled.forecasts.items():
        judged = model == judge_name
        row = score_row(model, lag, pred, pooled.actual, pooled.previous, n_val, train_levels,
                        test_naive_mse, naive_loss, stability.get(lag) if judged else None)
        rows.append(replace(row, seeds=race.seeds[lag], left_race_after=left.get(lag)) if judged else row)
    return rows


def classifier_rows(prepared: Prepared, target: TargetPlan, selection: Selection, options: RunOptions,
                    reporter: Reporter) -> list[LeaderboardRow]:
    """The classifiers phase: XGBoost and RandomForest direction classifiers at the article's
    lag (the first insignificant lag of the differences) and the chosen one."""
    reporter.stage("classifiers", "XGBoost and RandomForest direction classifiers")
    transforms = target.analysis.transforms
    article_lag = transforms["diff"].first_insignificant_lag if "diff" in transforms else target.lags[0]
    rows = []
    for result in direction_classifiers(
        prepared, sorted({article_lag} | ({selection.chosen_lag} - {None})), options.seed, reporter
    ):
        reporter.progress(0.97, stage="classifiers")
        rows.append(LeaderboardRow(result.model, result.lag, directional_accuracy=result.accuracy,
                                   majority_rate=result.majority_rate))
    return rows


def p_values_on_test_block(selection: Selection, pooled: Pooled, judge_name: str) -> tuple[float | None, float | None]:
    """The test phase, on the test block: the two-sided DM p of the chosen lag against the best
    (None when they are the same lag), and the one-sided DM p that it beats persistence."""
    if selection.chosen_lag is None:
        return None, None
    n_val = pooled.n_val
    chosen_test = pooled.losses[(judge_name, selection.chosen_lag)][n_val:]
    best_test = pooled.losses[(judge_name, selection.best_lag)][n_val:]
    p_best = None if selection.best_lag == selection.chosen_lag else diebold_mariano(chosen_test, best_test)[1]
    p_naive = diebold_mariano(chosen_test, pooled.naive_loss[n_val:], alternative="less")[1]
    return p_best, p_naive


def device_choice_record(choice: DeviceChoice | None, requested: str) -> dict:
    """The report's ``device_choice``: what was asked, what was chosen, why, and the rates."""
    if choice is None:
        return {}
    return {"requested": requested, "device": choice.name, "why": choice.why, "rates_ms": choice.rates_ms}


# ----------------------------------------------------------------------------- the phases' parts


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
    forecasts.update(ridge_forecasts(prepared, targets, lags, reporter))
    if live:  # so a UI can show them before any model trains
        actual_val = levels[targets[:len(targets) if n_val is None else n_val]]
        reporter.send(LeaderboardRows(f"{len(forecasts)} provisional row(s)",
                                      rows=tuple(provisional_rows(forecasts, actual_val))))
    return forecasts


def ridge_forecasts(prepared: Prepared, targets, lags, reporter: Reporter) -> dict:
    """Ridge AR's level forecasts at ``targets`` for each of ``lags``."""
    ridge = RidgeJudge().predict(prepared, [Job(lag, 0) for lag in lags], targets, reporter)
    return {("ridge_ar", job.lag): prepared.to_levels(scaled, targets) for job, scaled in ridge.items()}


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


#: What other modules and the tests import from the engine; each lives in its own module now.
__all__ = [
    "DEFAULT_OPTIONS", "LeaderboardRow", "RunOptions", "RunResult", "analysis_fits", "run_analysis",
    "run_article_report", "run_asset",
]
