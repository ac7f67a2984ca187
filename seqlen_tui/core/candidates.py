"""Which sequence lengths are worth benchmarking, and why each one.

The article benchmarks only multiples of one number (the first insignificant lag of the
differenced ACF, × 1..4).  That misses the lengths practice says matter most: the AR order
the data supports (PACF cutoff, AIC/BIC), and one or two seasonal periods (a window should
hold at least one cycle).  We keep the article's rule and add those, each tagged with the
reason it is there, so the leaderboard can be read as "why was 48 tried? — one day".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .acf import TRANSFORM_LABELS, AcfAnalysis

#: A candidate must leave at least this many training windows …
MIN_TRAIN_WINDOWS = 100
#: … and at least this many windows per input step (long windows need more examples).
WINDOWS_PER_STEP = 2
#: Share of the series used for training in the default chronological split.
TRAIN_FRACTION = 0.7
#: Seasonal ACF peaks taken per transform (strongest first, harmonics skipped).
PEAKS_PER_TRANSFORM = 3
#: A seasonal peak must reach this share of the strongest one to become a candidate.
PEAK_SHARE_OF_TOP = 0.5
#: A multiple of a period must beat it by this much ACF to count as a period of its own.
HARMONIC_MARGIN = 0.05
#: A harmonic may sit this share of its length off an exact multiple (the base peak's own
#: one-lag error, multiplied: 48 and 72 are the day's when the day's peak fell at 25).
HARMONIC_DRIFT = 0.05
#: Lags within this fraction of each other are one candidate (see :func:`merge_close`).
CLOSE_LAGS = 0.1
#: The article multiplies its base lag by 1..4.
ARTICLE_MULTIPLIERS = (1, 2, 3, 4)
#: The ladder's first round: from 1 to the longest candidate, no two neighbours more than this
#: far apart, so every octave of windows is tried (see :func:`with_ladder`) …
OCTAVE = 2.0
#: … and the race refines around its leader until its neighbours are at most this far apart.
LADDER_RATIO = 1.5
#: Why a rung of the ladder is benchmarked.
LADDER_REASON = "ladder: no evidence here, tried so no octave is skipped"


#: Which transform's PACF and AR orders are exact evidence for each judge target, and how far
#: an order found on each transform moves in that target's units.  An AR order ``p`` of the
#: levels of an integrated series is an AR order ``p - 1`` of its differences (the unit root
#: takes one lag), so "17 levels" is 16 differences and the reverse.
EVIDENCE = {
    "diff": {"diff": 0, "raw": -1},
    "logret": {"logret": 0, "diff": 0, "raw": -1},
    "level": {"raw": 0, "diff": +1},
}
EXACT_TRANSFORM = {"diff": "diff", "logret": "logret", "level": "raw"}
UNIT_WORDS = {"diff": "differences", "logret": "log returns", "level": "levels"}
TRANSFORM_UNITS = {"raw": "levels", "diff": "differences", "logret": "log returns"}


@dataclass(frozen=True)
class Candidate:
    lag: int
    reasons: tuple[str, ...]
    #: A PACF cutoff or AR order measured on the very sequence the judge models.
    exact: bool = False
    #: A rung of the ladder (:func:`with_ladder`): tried for coverage, with no evidence of its own.
    rung: bool = False

    def to_dict(self) -> dict:
        return {"lag": self.lag, "reasons": list(self.reasons)}


#: Why a candidate was left out: merged into a close one, too long for the data, too costly to
#: train (longer than the sequence-length cap), or a calendar period the data show no cycle at.
DropKind = Literal["merged", "data", "cost", "unconfirmed"]


@dataclass(frozen=True)
class DroppedCandidate:
    lag: int
    reason: str
    kind: DropKind = "merged"

    def to_dict(self) -> dict:
        return {"lag": self.lag, "reason": self.reason}


@dataclass(frozen=True)
class CandidateSet:
    candidates: tuple[Candidate, ...]
    dropped: tuple[DroppedCandidate, ...]

    @property
    def lags(self) -> tuple[int, ...]:
        return tuple(c.lag for c in self.candidates)

    def to_dict(self) -> dict:
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "dropped_candidates": [d.to_dict() for d in self.dropped],
        }


def max_feasible_lag(n: int, train_fraction: float = TRAIN_FRACTION) -> int:
    """The longest lag that still leaves enough training windows (0 if none does).

    With a differenced target, lag L uses L+1 levels per window, so the training part of
    ``n`` points holds ``floor(train_fraction * n) - L - 1`` windows; we want at least
    ``MIN_TRAIN_WINDOWS`` of them and at least ``WINDOWS_PER_STEP`` per input step.
    """
    train_points = int(train_fraction * n)
    by_count = train_points - 1 - MIN_TRAIN_WINDOWS
    by_ratio = (train_points - 1) // (WINDOWS_PER_STEP + 1)
    return max(0, min(by_count, by_ratio))


def check_lags_fit(lags: tuple[int, ...], n: int) -> None:
    """Refuse lags the user asked for that the data cannot train (one line, names the limit)."""
    from .errors import DataError

    limit = max_feasible_lag(n)
    too_long = [lag for lag in lags if lag > limit]
    if too_long:
        raise DataError(
            f"«lags» {','.join(map(str, too_long))}: too long for {n:,} points (at most {limit} "
            f"leaves {MIN_TRAIN_WINDOWS}+ training windows); use shorter lags or more data"
        )


def propose_candidates(
    analyses: dict[str, AcfAnalysis],
    n: int,
    seasonal_periods: tuple[int, ...] = (),
    period_names: tuple[str, ...] = (),
    user_lags: tuple[int, ...] = (),
    target: str = "diff",
) -> CandidateSet:
    """Candidate lags with their reasons, sorted, in the units of the judge's ``target``
    (lags of differences, of log returns or of levels); too-long ones listed as dropped.

    AR orders and PACF cutoffs move by one between levels and differences (see
    :data:`EVIDENCE`) and the reason says so; periods and ACF peaks keep their value (a day
    is 24 hours whatever is modelled).  ``n`` is the whole series' length (it bounds the
    feasible lags), even when the ACF saw only the part before the test block.

    The sources, in the order their reasons are listed: the article's multiples, each
    transform's AR orders and ACF peaks, the natural periods the data confirm, your list.
    Then the lags too long for the data are dropped, and close lags merged.
    """
    if target not in EVIDENCE:
        raise ValueError(f"unknown target {target!r}")
    found = Evidence()
    add_article_lags(found, analyses)
    own = EXACT_TRANSFORM[target] if EXACT_TRANSFORM[target] in analyses else "diff"
    for name in EVIDENCE[target]:
        analysis = analyses.get(name)
        if analysis is not None:
            add_ar_orders(found, analysis, name, target, exact=name == own)
            add_acf_peaks(found, analysis, name)
    unconfirmed = add_natural_periods(found, analyses, seasonal_periods, period_names, user_lags)
    for lag in user_lags:
        found.add(lag, "your list")
    kept, too_long = split_feasible(found, n)
    kept, merged = merge_close(kept)
    return CandidateSet(tuple(kept), tuple(merged + too_long + unconfirmed))


@dataclass
class Evidence:
    """The candidates found so far: each lag's reasons in the order they were found, and the
    lags with exact evidence (an uncapped AR order or PACF cutoff of the judge's own sequence)."""

    reasons: dict[int, list[str]] = field(default_factory=dict)
    exact: set[int] = field(default_factory=set)

    def add(self, lag: int | None, why: str) -> None:
        """One more reason for ``lag`` (a lag below 1, or a reason it has, adds nothing)."""
        if lag is not None and lag >= 1 and why not in self.reasons.setdefault(int(lag), []):
            self.reasons[int(lag)].append(why)


def add_article_lags(found: Evidence, analyses: dict[str, AcfAnalysis]) -> None:
    """The article's rule: 1..4 × the first insignificant ACF lag of the differences."""
    diff = analyses.get("diff")
    if diff is None:
        return
    base = diff.first_insignificant_lag
    for k in ARTICLE_MULTIPLIERS:
        found.add(base * k, f"article: {k} × first insignificant ACF lag of differences ({base})")


def ar_orders(analysis: AcfAnalysis) -> list[tuple[str, int, str]]:
    """The PACF cutoff and the AIC and BIC AR orders of one transform, as (what, order,
    capped): ``capped`` names an order at the search's cap, which only says "at least this"."""
    orders = [("PACF cutoff", analysis.pacf_cutoff, "")]
    for criterion, order in (("AIC", analysis.ar_order_aic), ("BIC", analysis.ar_order_bic)):
        capped = ", the search's cap" if order == analysis.ar_max_order else ""
        orders.append((f"AR order by {criterion}", order, capped))
    return orders


def add_ar_orders(found: Evidence, analysis: AcfAnalysis, name: str, target: str, exact: bool) -> None:
    """The AR orders of transform ``name`` as lags of ``target``; with ``exact`` (``name`` is
    the judge's own sequence) each uncapped one is exact evidence too."""
    for what, order, capped in ar_orders(analysis):
        lag, why = order_in_units(what, order, name, target, capped)
        found.add(lag, why)
        # An order at the search's cap only says "at least this": not exact evidence
        # (measured: half-hourly demand kept AIC's capped 50 beside the day, 48, and the
        # judge's noise chose 50, 31 % worse on unseen data).
        if exact and lag >= 1 and not capped:
            found.exact.add(lag)


def add_acf_peaks(found: Evidence, analysis: AcfAnalysis, name: str) -> None:
    """The strong seasonal ACF peaks of the levels and the differences (other transforms'
    peaks add nothing these two do not show)."""
    if name not in ("raw", "diff"):
        return
    for peak in seasonal_peaks(analysis):
        found.add(peak, f"ACF peak ({TRANSFORM_LABELS[name]}, r={analysis.acf[peak]:.2f})")


def add_natural_periods(found: Evidence, analyses: dict[str, AcfAnalysis],
                        seasonal_periods: tuple[int, ...], period_names: tuple[str, ...],
                        user_lags: tuple[int, ...]) -> list[DroppedCandidate]:
    """The clock's natural periods the ACF confirms as cycles; the others are returned as
    dropped (``unconfirmed``), unless you listed them yourself."""
    names = period_names or tuple(f"period {p}" for p in seasonal_periods)
    confirmed = confirmed_periods(analyses)
    unconfirmed = []
    for period, name in zip(seasonal_periods, names):
        if is_confirmed(period, confirmed):
            found.add(period, f"natural period: one {name}")
        elif period not in user_lags:
            unconfirmed.append(DroppedCandidate(
                period, f"one {name}, but the ACF shows no cycle of that length "
                        f"({describe_periods(confirmed)}); list it among your own lags to benchmark it",
                kind="unconfirmed"))
    return unconfirmed


def split_feasible(found: Evidence, n: int) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """The candidates, shortest first, and those too long to train on ``n`` points
    (dropped, ``data``, with their reasons)."""
    limit = max_feasible_lag(n)
    kept, dropped = [], []
    for lag in sorted(found.reasons):
        if lag <= limit:
            kept.append(Candidate(lag, tuple(found.reasons[lag]), exact=lag in found.exact))
        else:
            why = "; ".join(found.reasons[lag])
            dropped.append(
                DroppedCandidate(
                    lag,
                    f"too long for {n} points: at most {limit} leaves {MIN_TRAIN_WINDOWS}+ "
                    f"training windows ({why})",
                    kind="data",
                )
            )
    return kept, dropped


def confirmed_periods(analyses: dict[str, AcfAnalysis]) -> tuple[int, ...]:
    """The cycles the data show: the strong fundamental ACF periods of the levels and the
    differences (:func:`strong_periods`: harmonics folded away, noise bumps below half the
    strongest cycle left out).

    Why only fundamentals: a daily cycle puts peaks of nearly equal height at 24, 48, …, 168;
    counting 168 as "a week the data confirm" made every hourly series with a daily cycle
    benchmark (and prefer) a week it does not have — measured on the quality corpus: a weekly
    window cost 1.29× the best unseen MSE on a pure daily profile and 1.05× on hourly water
    levels, and it is the costliest lag of the run (seven times the day's steps).
    """
    found: set[int] = set()
    for name in ("raw", "diff"):
        analysis = analyses.get(name)
        if analysis is not None:
            found.update(strong_periods(analysis))
    return tuple(sorted(found))


def is_confirmed(period: int, confirmed: tuple[int, ...], tolerance: float = CLOSE_LAGS) -> bool:
    return any(abs(found - period) <= tolerance * period for found in confirmed)


def describe_periods(periods: tuple[int, ...]) -> str:
    if not periods:
        return "it shows none"
    return "its cycles: " + ", ".join(map(str, periods[:4])) + (" …" if len(periods) > 4 else "")


def order_in_units(what: str, order: int, transform: str, target: str, capped: str = "") -> tuple[int, str]:
    """An AR order or PACF cutoff found on ``transform``, as a lag of the ``target`` sequence,
    with its reason: "PACF cutoff (raw: 17 levels = 16 differences)"."""
    label = TRANSFORM_LABELS[transform]
    shift = EVIDENCE[target][transform]
    if shift == 0:
        return order, f"{what} ({label}{capped})"
    moved = order + shift

    def units(words: str, count: int) -> str:
        return words[:-1] if count == 1 else words

    return moved, (f"{what} ({label}{capped}: {order} {units(TRANSFORM_UNITS[transform], order)} = "
                   f"{moved} {units(UNIT_WORDS[target], moved)})")


def ladder_rungs(lags, top: int, ratio: float = OCTAVE) -> tuple[int, ...]:
    """The lags that fill every gap wider than ``ratio`` in 1, ``lags``, ``top``: spaced
    geometrically inside each gap, so no two neighbours are more than ``ratio`` apart (where
    whole numbers allow).

    Why: ACF, PACF and AR orders are linear evidence. A nonlinear series keeps its information
    where they show nothing (measured, issue 29: a chaotic delay system had candidates 4 and 13
    and nothing between; its best window was 12, and the tool's pick cost 1.34×)."""
    points = sorted({1, top, *(lag for lag in lags if 1 <= lag <= top)})
    rungs: set[int] = set()
    for low, high in zip(points, points[1:]):
        steps = int(np.ceil(np.log(high / low) / np.log(ratio) - 1e-9))
        inside = np.rint(low * (high / low) ** (np.arange(1, steps) / steps)).astype(int)
        rungs.update(int(lag) for lag in inside if low < lag < high)
    missing_one = {1} - set(lags)  # the ladder starts at 1 even when no evidence does
    return tuple(sorted(rungs | missing_one))


def with_ladder(candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
    """The candidates and the ladder's rungs from 1 to the longest of them (:func:`ladder_rungs`
    at ``OCTAVE``), shortest first; each rung says why it is there."""
    if not candidates:
        return candidates
    lags = [c.lag for c in candidates]
    rungs = [Candidate(lag, (LADDER_REASON,), rung=True) for lag in ladder_rungs(lags, max(lags))]
    return tuple(sorted((*candidates, *rungs), key=lambda c: c.lag))


def refinement_rungs(trained, leader: int, ratio: float = LADDER_RATIO) -> tuple[int, ...]:
    """Lags to add around the race's ``leader``: the whole-number geometric middle of each gap
    between it and its nearest trained neighbour below and above, where that gap is wider than
    ``ratio`` (none when whole numbers leave no room)."""
    below = [lag for lag in trained if lag < leader]
    above = [lag for lag in trained if lag > leader]
    gaps = ([(max(below), leader)] if below else []) + ([(leader, min(above))] if above else [])
    middles = {int(np.rint(np.sqrt(low * high))) for low, high in gaps if high / low > ratio}
    return tuple(sorted(lag for lag in middles if lag not in trained and lag >= 1))


def refined_candidate(lag: int, round_number: int, leader: int) -> Candidate:
    """A lag the race added around its leader (:func:`refinement_rungs`), with why."""
    return Candidate(lag, (f"ladder: between the leader {leader} and its neighbour, tried after race "
                           f"round {round_number} so no gap over {LADDER_RATIO:g}× is left around the best",),
                     rung=True)


def _priority(candidate: Candidate) -> int:
    """Which candidate speaks for a cluster of close lags: the most specific reason wins."""
    order = ("your list", "natural period", "ACF peak", "exact", "PACF cutoff", "AR order", "article")
    # An order measured on the judge's own sequence outranks orders measured on another one.
    tags = candidate.reasons + (("exact",) if candidate.exact else ())
    return min(
        (i for i, prefix in enumerate(order) for why in tags if why.startswith(prefix)),
        default=len(order),
    )


def prior_lags(candidates: CandidateSet, analyses: dict[str, AcfAnalysis],
               tolerance: float = CLOSE_LAGS) -> set[int]:
    """Your own lags, and natural periods of the clock (a day, a week, a year) that the data
    confirm with an ACF peak within ``tolerance``: lags a user would defend without a model,
    preferred when the judge cannot tell lags apart.  An unconfirmed calendar period (a
    "week" of daily prices with no weekly pattern) is not a prior."""
    confirmed = confirmed_periods(analyses)
    chosen = set()
    for candidate in candidates.candidates:
        reasons = candidate.reasons
        if any(why.startswith("your list") for why in reasons):
            chosen.add(candidate.lag)
        elif any(why.startswith("natural period") for why in reasons) and is_confirmed(
                candidate.lag, confirmed, tolerance):
            chosen.add(candidate.lag)
    return chosen


def merge_close(candidates: list[Candidate], tolerance: float = CLOSE_LAGS) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """One candidate per cluster of lags within ``tolerance`` of the cluster's shortest.

    Lags 45, 46 and 48 forecast alike; benchmarking all three only lets seed noise decide
    between them (measured: CO₂ weekly chose 45, 45 and 48 for three base seeds). The member
    with the most specific reason (your list, a natural period, an ACF peak, …; then the
    shortest) is kept and takes over the others' reasons; your own lags are never merged away,
    and neither is a lag with *exact* evidence (a PACF cutoff or AR order of the very sequence
    the judge models) for one without: a 10 % step can be the difference between the order
    the data has and one that is not (measured: differences that are AR(16) lost 7 % on unseen
    data at lag 17).
    """
    clusters: list[list[Candidate]] = []
    for cand in sorted(candidates, key=lambda c: c.lag):
        if clusters and cand.lag <= clusters[-1][0].lag * (1 + tolerance):
            clusters[-1].append(cand)
        else:
            clusters.append([cand])
    kept: list[Candidate] = []
    merged: list[DroppedCandidate] = []
    for cluster in clusters:
        user = [c for c in cluster if _priority(c) == 0]
        leader = min(cluster, key=lambda c: (_priority(c), c.lag))
        survivors = user or [leader]
        exact = [c for c in cluster if c.exact]
        if exact and not any(c.exact for c in survivors):
            survivors.append(min(exact, key=lambda c: (_priority(c), c.lag)))
            survivors.sort(key=lambda c: c.lag)
        for cand in cluster:
            if cand in survivors:
                continue
            host = min(survivors, key=lambda c: abs(c.lag - cand.lag))
            merged.append(DroppedCandidate(
                cand.lag, f"close to {host.lag} (within {tolerance:.0%}): " + "; ".join(cand.reasons)
            ))
        for survivor in survivors:
            extra = [f"stands for {c.lag} ({'; '.join(c.reasons)})" for c in cluster
                     if c not in survivors and min(survivors, key=lambda s: abs(s.lag - c.lag)) is survivor]
            kept.append(Candidate(survivor.lag, survivor.reasons + tuple(extra), survivor.exact))
    return kept, merged


def seasonal_peaks(analysis: AcfAnalysis) -> tuple[int, ...]:
    """The few ACF peaks worth a candidate: fundamentals at least half as strong as the top one.

    Weaker peaks are mostly the shape *within* one cycle (a load curve's morning and evening
    bumps) rather than cycles of their own.
    """
    return strong_periods(analysis)[:PEAKS_PER_TRANSFORM]


def strong_periods(analysis: AcfAnalysis) -> tuple[int, ...]:
    """Fundamental ACF periods at least ``PEAK_SHARE_OF_TOP`` as strong as the strongest."""
    periods = fundamental_periods(analysis.peaks, analysis.acf)
    if not periods:
        return ()
    top = max(analysis.acf[p] for p in periods)
    return tuple(p for p in periods if analysis.acf[p] >= PEAK_SHARE_OF_TOP * top)


def fundamental_periods(
    peaks: tuple[int, ...], acf_values, tolerance: int = 1, margin: float = HARMONIC_MARGIN
) -> tuple[int, ...]:
    """Seasonal periods from ACF peaks given strongest first, harmonics folded away.

    A 24-step cycle shows peaks of nearly equal height at 24, 48, 72, …, and noise decides
    which of them is "strongest" (and may put the first at 25: a multiple may then be off by
    ``HARMONIC_DRIFT`` of its length, or ``tolerance`` lags for short ones). A multiple of a
    period is a cycle of its own only when it stands out of the period's comb by ``margin``:
    above the period's own peak, or above the comb's teeth on either side of it. A week of
    hourly load stands out (measured on half-hourly UK demand: r = 0.87 at 336 against 0.73
    and 0.72 at 288 and 384, while only 0.04 above the day's 0.82); a daily cycle's seventh
    day does not (0.76 between 0.77 and 0.76).
    """

    def is_multiple(big: int, small: int) -> bool:
        # A peak found one lag off the period (25 for a day of 24) drifts by one per cycle: its
        # k-th multiple may sit k lags from k × the peak, within HARMONIC_DRIFT of its length.
        times = round(big / small)
        return big > small and times >= 2 and abs(big - times * small) <= max(tolerance, HARMONIC_DRIFT * big)

    def tooth(lag: int, width: int) -> float:  # the ACF's top near ``lag``
        window = acf_values[max(1, lag - width):lag + width + 1]
        return float(np.max(window)) if len(window) else -np.inf

    def width(lag: int) -> int:
        return max(tolerance, int(HARMONIC_DRIFT * lag))

    def on_the_comb(big: int, small: int) -> bool:
        # Every multiple in between is a tooth too: a lag merely near 17 × 3 (a year of weekly
        # CO₂ beside a 3-week bump) is not a harmonic of 3 when the ACF between them is flat.
        floor = 0.5 * min(acf_values[small], acf_values[big])
        return all(tooth(j * small, width(j * small)) >= floor for j in range(2, round(big / small)))

    def explained(big: int, small: int) -> bool:
        if not is_multiple(big, small) or not on_the_comb(big, small):
            return False
        if acf_values[big] >= acf_values[small] + margin:
            return False
        neighbours = max(tooth(big - small, tolerance), tooth(big + small, tolerance))
        return not acf_values[big] >= neighbours + margin

    kept: list[int] = []
    for peak in peaks:
        if any(explained(peak, base) for base in kept):
            continue
        harmonics = [b for b in kept if explained(b, peak)]
        position = kept.index(harmonics[0]) if harmonics else len(kept)
        kept = [b for b in kept if b not in harmonics]
        kept.insert(min(position, len(kept)), peak)
    return tuple(kept)
