"""One series in, its memory and candidate sequence lengths out: the `analyze` job.

Runs the ACF analysis for each transform, then proposes candidates.  It reports each step
through the shared :class:`~seqlen_tui.core.events.Reporter` (the app draws each transform's
ACF as soon as it is ready) and stops between steps when the caller cancels.
"""

from __future__ import annotations

from dataclasses import dataclass

from .acf import TRANSFORMS, AcfAnalysis, analyze_transform, check_max_lag, default_max_lag
from .candidates import CandidateSet, propose_candidates
from .data import Series
from .events import SILENT, AcfReady, Reporter
from .options import OptionError

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class SeriesAnalysis:
    series: Series
    max_lag: int
    alpha: float
    transforms: dict[str, AcfAnalysis]
    skipped: dict[str, str]
    candidates: CandidateSet
    #: The judge's target the candidates are expressed in (lags of differences by default).
    target: str = "diff"
    #: Points the ACF saw: all of them for ``analyze``, those before the test block for a run.
    points: int | None = None
    user_lags: tuple[int, ...] = ()
    #: What the user should know about the series itself (e.g. it barely moves).
    warnings: tuple[str, ...] = ()

    def for_target(self, target: str) -> SeriesAnalysis:
        """The same evidence, with the candidates re-expressed for another judge target
        (target ``auto`` decides the target after the candidates were first proposed)."""
        from dataclasses import replace

        if target == self.target:
            return self
        frequency = self.series.summary.frequency
        candidates = propose_candidates(self.transforms, len(self.series.values),
                                        frequency.seasonal_periods, frequency.period_names,
                                        self.user_lags, target=target)
        return replace(self, candidates=candidates, target=target)

    def to_dict(self) -> dict:
        summary = self.series.summary
        return {
            "schema_version": SCHEMA_VERSION,
            "file": summary.path,
            "column": summary.column,
            "n": summary.n,
            "frequency": summary.frequency.alias,
            "dropped": dict(summary.dropped),
            "summary": summary.to_dict(),
            "max_lag": self.max_lag,
            "alpha": self.alpha,
            "acf": {name: analysis.to_dict() for name, analysis in self.transforms.items()},
            "skipped_transforms": dict(self.skipped),
            "candidates_target": self.target,
            "analysed_points": self.points if self.points is not None else summary.n,
            **self.candidates.to_dict(),
        }


def peak_distance(seasonal_periods: tuple[int, ...]) -> int:
    """Minimum spacing of ACF peaks: half the shortest natural period (the article fixed 24)."""
    return max(2, min(seasonal_periods) // 2) if seasonal_periods else 2


def analyze_series(
    series: Series,
    *,
    max_lag: int | None = None,
    alpha: float = 0.05,
    user_lags: tuple[int, ...] = (),
    reporter: Reporter = SILENT,
    target: str = "diff",
    points: int | None = None,
) -> SeriesAnalysis:
    """ACF, PACF and AR orders of each transform, then candidates in ``target``'s units.

    ``points`` limits the evidence to the series' first points: a run passes those before its
    test block (:func:`~seqlen_tui.core.windows.points_before_test`), so the lags it tests were
    not found by looking at the test data.  Feasibility still counts the whole series.
    """
    if not 0 < alpha < 1:
        raise OptionError("alpha", f"«alpha» must be between 0 and 1, e.g. 0.05 (got {alpha})")
    n = len(series.values)
    values = series.values if points is None else series.values[:points]
    frequency = series.summary.frequency
    if max_lag is None:
        max_lag = default_max_lag(len(values), frequency.seasonal_periods)
    check_max_lag(max_lag, len(values))
    distance = peak_distance(frequency.seasonal_periods)

    transforms: dict[str, AcfAnalysis] = {}
    skipped: dict[str, str] = {}
    for step, name in enumerate(TRANSFORMS):
        reporter.stage("acf", f"ACF of the {name} series up to lag {max_lag}")
        analysis = analyze_transform(values, name, max_lag, alpha, distance, frequency.seasonal_periods)
        if analysis is None:
            skipped[name] = _skip_reason(name)
            reporter.info(f"{name}: skipped ({skipped[name]})")
        else:
            transforms[name] = analysis
            reporter.send(AcfReady(f"{name}: ACF ready", analysis=analysis))
        reporter.progress((step + 1) / (len(TRANSFORMS) + 1), stage="acf")

    reporter.stage("candidates", "choosing candidate sequence lengths")
    candidates = propose_candidates(
        transforms,
        n,
        frequency.seasonal_periods,
        frequency.period_names,
        tuple(user_lags),
        target=target,
    )
    reporter.progress(1.0, stage="candidates")
    warnings = series_warnings(values)
    for warning in warnings:
        reporter.warning(warning, stage="data")
    return SeriesAnalysis(series, max_lag, alpha, transforms, skipped, candidates, target,
                          len(values), tuple(user_lags), warnings)


#: At least this share of zero changes makes a series "near-constant".
NEAR_CONSTANT_SHARE = 0.99


def series_warnings(values) -> tuple[str, ...]:
    """What the user should know before trusting any lag: a series that barely moves (≥ 99 %
    of its changes are zero, e.g. constant but for one spike) has ACFs made of a few points."""
    import numpy as np

    changes = np.diff(np.asarray(values, dtype=float))
    if not changes.size:
        return ()
    share = float(np.mean(changes == 0))
    if share < NEAR_CONSTANT_SHARE:
        return ()
    return (f"the series barely moves: {share:.1%} of its {changes.size:,} changes are zero, so its "
            "ACFs and every candidate rest on a handful of points; check the column and the data",)


def _skip_reason(name: str) -> str:
    if name == "logret":
        return "log returns need every value above zero"
    return "the series is constant under this transform"
