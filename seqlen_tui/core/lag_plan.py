"""Which candidate lags a run benchmarks: the device the plan is for, the cost cut that device
sets (``max_seq_len``), and your own lags with ``only_lags``.

One decision for the run and for the app's preview. The run plans for its live
:class:`~.device.DeviceChoice`; the choose screen, which may not load TensorFlow, plans for the
choice this machine last made (:func:`.device.remembered_choice`), the same type. Both go
through :meth:`DevicePlan.of` and :func:`cost_cut`, so for the same device they leave out the
same lags for the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .analysis import SeriesAnalysis
from .candidates import CandidateSet, DroppedCandidate, with_ladder
from .errors import DataError
from .events import Reporter
from .options import OptionError, RunOptions, ladder_on
from .tf_runtime import default_max_seq_len

if TYPE_CHECKING:
    from .device import DeviceChoice


@dataclass(frozen=True)
class DevicePlan:
    """The device a plan is for, as the cost cut reads it: its label (``CPU``, ``GPU (…)``;
    the cut needs only the kind before the space) and its measured step rates (lag → ms per
    fused step), when it has any."""

    label: str = "CPU"
    rates_ms: dict | None = None

    @classmethod
    def of(cls, choice: DeviceChoice | None) -> DevicePlan:
        """The plan for a device choice, live (a run) or remembered (the preview). No choice —
        a judge that needs no device, such as ridge — plans for the CPU, unmeasured."""
        if choice is None:
            return cls()
        return cls(choice.label, choice.rates_ms.get(choice.name))

    def max_seq_len(self, options: RunOptions) -> int:
        """The cost limit: an explicit ``max_seq_len``, else this device's default (from its
        rates when it has them)."""
        if options.max_seq_len is not None:
            return options.max_seq_len
        return default_max_seq_len(self.label, self.rates_ms)


def cost_cut(analysis: SeriesAnalysis, options: RunOptions, device: DevicePlan) -> tuple[list, list, int]:
    """The candidates within the cost limit (:meth:`DevicePlan.max_seq_len`) with the ladder's
    rungs up to the longest of them (:func:`ladder_for`), those beyond it (as dropped for
    cost), and the limit. Your own ``lags`` pass the device default, not an explicit
    ``max_seq_len``."""
    explicit = options.max_seq_len is not None
    limit = device.max_seq_len(options)
    how = "«max_seq_len»" if explicit else f"the {device.label.split(' ')[0]} default «max_seq_len»"
    keep, cut = [], []
    for candidate in analysis.candidates.candidates:
        if candidate.lag > limit and (explicit or candidate.lag not in options.lags):
            cut.append(DroppedCandidate(candidate.lag, f"longer than {how} {limit} (cost); "
                                        f"set «max_seq_len» {candidate.lag} to include it", kind="cost"))
        else:
            keep.append(candidate)
    return ladder_for(keep, options), cut, limit


def ladder_for(candidates: list, options: RunOptions) -> list:
    """The affordable candidates with the ladder's rungs from 1 to the longest of them
    (:func:`.candidates.with_ladder`), unless ``ladder`` is off or only your own lags train."""
    if not ladder_on(options):
        return candidates
    return list(with_ladder(tuple(candidates)))


def bound_sequence_length(analysis: SeriesAnalysis, options: RunOptions, device: DevicePlan,
                          reporter: Reporter) -> SeriesAnalysis:
    """Drop the candidates :func:`cost_cut` leaves out, listing each as dropped for cost."""
    keep, cut, limit = cost_cut(analysis, options, device)
    if not cut and len(keep) == len(analysis.candidates.candidates):
        return analysis
    if not keep:
        raise OptionError("max_seq_len", f"every candidate is longer than «max_seq_len» {limit}; "
                          "raise it or give your own «lags»")
    if cut:
        reporter.warning(f"left out for cost: {', '.join(str(d.lag) for d in cut)} (longer than "
                         f"«max_seq_len» {limit})", stage="candidates")
    dropped = CandidateSet(tuple(keep), analysis.candidates.dropped + tuple(cut))
    return replace(analysis, candidates=dropped)


def own_lags_only(lags: tuple[int, ...], options: RunOptions) -> tuple[int, ...]:
    """The lags a run trains of ``lags``: all of them, or only your own with ``only_lags``."""
    if not options.only_lags:
        return lags
    return tuple(lag for lag in lags if lag in options.lags)


def benchmarked_lags(analysis: SeriesAnalysis, options: RunOptions, n: int) -> tuple[int, ...]:
    """The candidates a run trains (:func:`own_lags_only`); none is a data error that says why."""
    lags = own_lags_only(analysis.candidates.lags, options)
    if options.only_lags and not lags:
        why = "; ".join(f"{d.lag}: {d.reason}" for d in analysis.candidates.dropped if d.lag in options.lags)
        raise DataError(f"none of «lags» {','.join(map(str, options.lags))} can be benchmarked ({why})")
    if not lags:
        raise DataError(
            f"no candidate sequence length fits {n} points "
            "(each must leave 100+ training windows); use a longer history"
        )
    return lags


def planned_lags(analysis: SeriesAnalysis, options: RunOptions,
                 choice: DeviceChoice | None = None) -> tuple[tuple[int, ...], dict[int, str]]:
    """What a run with these options would benchmark, and why it would leave the others out —
    without TensorFlow (the app's choose screen). ``choice``: the device the run will train on;
    by default the one this machine last chose (:func:`.device.remembered_choice`)."""
    from .device import remembered_choice

    device = DevicePlan.of(remembered_choice(options.device) if choice is None else choice)
    keep, cut, _ = cost_cut(analysis, options, device)
    left_out = {d.lag: d.reason for d in cut}
    kept = tuple(c.lag for c in keep)
    lags = own_lags_only(kept, options)
    left_out.update({lag: "not among your own lags («only_lags»)" for lag in kept if lag not in lags})
    return lags, left_out
