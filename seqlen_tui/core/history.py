"""Runs over time: grouping stored runs by asset, the latest run of each, where the chosen lag
changed, and what differs between two runs.

Users come back to ask "did BTC's lag change since last month?", "which of my fifty assets
moved?" and "how did this run differ from the last one?". Everything here is a pure function
of report dicts (a stored report, or any dict with at least ``asset``, ``created_at`` and
``chosen_lag``; ``skill`` is read when present, else from the leaderboard; the plateau from
``plateau``, else from ``within_one_se``), so the app's review screen, a test or a script
answer them the same way. Runs are referred to by their index in
the list passed in; nothing is read from disk.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .names import MODEL_NAMES
from .options import HASHED_WHEN_SET, NETWORK_KEYS, defaults_of
from .selection_facts import spans_plateau

#: The one-word verdicts, most useful first (the morning view sorts by this order).
VERDICTS = ("predictable", "not predictable", "untested", "none")
#: The morning view's sortable columns, in the order a sort key walks them.
MORNING_SORTS = ("asset", "date", "lag", "change", "skill", "verdict")
#: Top-level report fields compared besides the options (the data itself).
DATA_FIELDS = ("file", "data_sha256")


# ----- order and groups ----------------------------------------------------------------------

def _time_key(report: Mapping) -> tuple[float, str]:
    """When a run was made, comparable across offsets; an unreadable date sorts as oldest."""
    text = str(report.get("created_at") or "")
    try:
        stamp = datetime.fromisoformat(text).timestamp()
    except ValueError:
        stamp = -math.inf
    return stamp, text


def newest_first(reports: Sequence[Mapping]) -> list[int]:
    """The runs' indexes, newest first (runs made at the same time keep their given order)."""
    return sorted(range(len(reports)), key=lambda i: _time_key(reports[i]), reverse=True)


def group_by_asset(reports: Sequence[Mapping]) -> list[tuple[str, list[int]]]:
    """``(asset, indexes)`` per asset, each asset's runs newest first, the asset whose latest
    run is newest first (ties: by name)."""
    groups: dict[str, list[int]] = {}
    for index in newest_first(reports):
        groups.setdefault(str(reports[index].get("asset", "")), []).append(index)
    newest = {asset: _time_key(reports[runs[0]]) for asset, runs in groups.items()}
    order = sorted(groups, key=lambda asset: asset)
    order.sort(key=lambda asset: newest[asset], reverse=True)
    return [(asset, groups[asset]) for asset in order]


def grouped_order(reports: Sequence[Mapping]) -> list[int]:
    """Every run's index, grouped by asset (:func:`group_by_asset`'s order)."""
    return [index for _, runs in group_by_asset(reports) for index in runs]


def latest_per_asset(reports: Sequence[Mapping]) -> list[int]:
    """The newest run of each asset, the newest of them first."""
    return [runs[0] for _, runs in group_by_asset(reports)]


def previous_runs(reports: Sequence[Mapping]) -> dict[int, int]:
    """Each run's index → the index of the same asset's run just before it (first runs are
    left out)."""
    found: dict[int, int] = {}
    for _, runs in group_by_asset(reports):
        for newer, older in zip(runs, runs[1:]):
            found[newer] = older
    return found


# ----- the chosen lag over time --------------------------------------------------------------

def change_label(before: int | None, after: int | None) -> str:
    """``24→48``; a missing lag shows as ``—``."""
    return f"{'—' if before is None else before}→{'—' if after is None else after}"


def lag_changes(reports: Sequence[Mapping]) -> dict[int, tuple[int | None, int | None]]:
    """The runs whose chosen lag differs from the asset's previous run: index → (before, after)."""
    changes = {}
    for newer, older in previous_runs(reports).items():
        before, after = reports[older].get("chosen_lag"), reports[newer].get("chosen_lag")
        if before != after:
            changes[newer] = (before, after)
    return changes


# ----- the plateau: a one-SE set that spans more than an octave -----------------------------

def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def report_plateau(report: Mapping) -> tuple[int, int] | None:
    """The run's plateau as ``(low, high)``: the report's ``plateau`` field, or for a report
    made before it, its one-SE set (``within_one_se``) when that spans more than an octave;
    ``None`` when neither says there is one (or the fields are not what they should be)."""
    if "plateau" in report:
        found = report["plateau"]
        if isinstance(found, Mapping) and _whole(found.get("low")) and _whole(found.get("high")):
            return found["low"], found["high"]
        return None
    within = report.get("within_one_se")
    if not isinstance(within, list) or not within or not all(_whole(lag) for lag in within):
        return None
    low, high = min(within), max(within)
    return (low, high) if spans_plateau(low, high) else None


def report_judge(report: Mapping) -> str | None:
    """The network that judged a run's lags, in a few words ("LSTM(16)", "2 × LSTM(64),
    dropout 0.1"), from its options; None for the article's protocol, whose network is its own.
    A report from before «layers» and «dropout» existed was judged with their defaults."""
    options = report.get("options") or {}
    if options.get("protocol", "robust") != "robust":
        return None
    return network_words(options)


def network_words(values: Mapping) -> str:
    """A network in a few words from its options (:data:`.options.NETWORK_KEYS`; a missing one
    at its default): ``LSTM(16)``, ``2 × LSTM(64), dropout 0.1``."""
    network = {**defaults_of(NETWORK_KEYS), **values}
    units, layers, dropout = network["units"], network["layers"], network["dropout"]
    network = f"LSTM({units})" if layers == 1 else f"{layers} × LSTM({units})"
    return f"{network}, dropout {dropout:g}" if dropout else network


#: The judge of a run that declares no network (and of every run before «layers» existed).
DEFAULT_JUDGE = report_judge({})


def judge_of(report: Mapping) -> str | None:
    """The run's judge in words: the ``judge`` field when there is one (a stored-run summary),
    else :func:`report_judge` of the report."""
    return report["judge"] if "judge" in report else report_judge(report)


def other_judges(judges) -> bool:
    """Whether some run was judged by other than the default network (the article's protocol,
    ``None``, counts as default: its protocol says it): the front ends show a judge column
    only then, so a folder of default runs looks as before."""
    return any(judge not in (None, DEFAULT_JUDGE) for judge in judges)


def plateau_label(plateau: tuple[int, int] | None) -> str:
    """``4–32``, or empty when there is no plateau."""
    return "" if plateau is None else f"{plateau[0]}–{plateau[1]}"


def lag_with_plateau(lag: int | None, plateau: tuple[int, int] | None) -> str:
    """The chosen lag as the histories show it: ``5 (4–32)`` on a plateau, ``5``, ``—``."""
    shown = "—" if lag is None else str(lag)
    return f"{shown} ({plateau_label(plateau)})" if plateau is not None and lag is not None else shown


@dataclass(frozen=True)
class HistoryStep:
    """One run in its asset's history."""

    index: int  # into the reports passed in
    created_at: str
    lag: int | None
    previous: int | None  # the lag of the asset's run before this one
    first: bool  # the asset's first run (no previous)
    skill: float | None
    #: The one-SE set's span ``(low, high)`` when it is a plateau (:func:`report_plateau`).
    plateau: tuple[int, int] | None = None

    @property
    def changed(self) -> bool:
        return not self.first and self.lag != self.previous

    @property
    def change(self) -> str:
        """``24→48`` where the lag changed, else empty."""
        return change_label(self.previous, self.lag) if self.changed else ""


def asset_history(reports: Sequence[Mapping], asset: str) -> list[HistoryStep]:
    """``asset``'s runs, oldest first, each with the lag of the run before it."""
    runs = next((runs for name, runs in group_by_asset(reports) if name == asset), [])
    steps, previous = [], None
    for number, index in enumerate(reversed(runs)):
        report = reports[index]
        lag = report.get("chosen_lag")
        steps.append(HistoryStep(index, str(report.get("created_at") or ""), lag, previous,
                                 number == 0, skill_of(report), report_plateau(report)))
        previous = lag
    return steps


def history_summary(steps: Sequence[HistoryStep]) -> str:
    """One line: how many runs, over which dates, the lags in order and the last change."""
    if not steps:
        return "no runs"
    first, last = steps[0].created_at[:10], steps[-1].created_at[:10]
    lags = [step.lag for step in steps]
    path = [lags[0]] + [lag for before, lag in zip(lags, lags[1:]) if lag != before]
    runs = f"{len(steps)} run{'s' if len(steps) != 1 else ''}"
    span = first if first == last else f"{first} to {last}"
    changes = [step for step in steps if step.changed]
    if not changes:
        return f"{runs}, {span}; lag {path[0] if path[0] is not None else '—'} every time"
    shown = " → ".join("—" if lag is None else str(lag) for lag in path)
    latest = changes[-1]
    times = f"{len(changes)} time{'s' if len(changes) != 1 else ''}"
    return (f"{runs}, {span}; lag {shown}; changed {times}, last on "
            f"{latest.created_at[:10]} ({latest.change})")


# ----- one run in a word ---------------------------------------------------------------------

def skill_of(report: Mapping) -> float | None:
    """The chosen model's test skill: the ``skill`` field when there is one (a stored-run
    summary), else the leaderboard row of the chosen model and lag."""
    if "skill" in report:
        return report["skill"]
    model = report.get("chosen_model") if isinstance(report.get("chosen_model"), str) else "lstm"
    for row in report.get("leaderboard") or []:
        if row.get("model") == model and row.get("lag") == report.get("chosen_lag"):
            return row.get("skill")
    return None


def verdict_word(report: Mapping) -> str:
    """The verdict in a word: ``predictable`` (a lag beat persistence on validation),
    ``not predictable`` (none did), ``untested`` (no persistence test: the article's
    protocol), ``none`` (no lag was chosen)."""
    if report.get("chosen_lag") is None:
        return "none"
    qualified = report.get("qualified")
    if qualified is None:
        return "untested"
    return "predictable" if qualified else "not predictable"


# ----- the morning view: the latest run of every asset ---------------------------------------

@dataclass(frozen=True)
class LatestRun:
    index: int  # into the reports passed in
    asset: str
    created_at: str
    lag: int | None
    previous: int | None  # the lag of the asset's run before (None also when first)
    runs: int  # how many runs the asset has
    skill: float | None
    verdict: str
    judge: str | None = None  # the network that judged the lags (:func:`judge_of`)

    @property
    def changed(self) -> bool:
        return self.runs > 1 and self.lag != self.previous

    @property
    def change(self) -> str:
        """``24→48`` when the lag moved since the asset's previous run, ``new`` for an asset's
        first run, else empty."""
        if self.runs == 1:
            return "new"
        return change_label(self.previous, self.lag) if self.changed else ""


def morning_view(reports: Sequence[Mapping],
                 verdicts: Mapping[int, str] | None = None) -> list[LatestRun]:
    """The latest run of every asset, newest first, with its lag change since the asset's
    previous run; ``verdicts`` (index → word) where the reports passed in do not say it."""
    rows = []
    previous = previous_runs(reports)
    for asset, runs in group_by_asset(reports):
        index = runs[0]
        report = reports[index]
        before = reports[previous[index]].get("chosen_lag") if index in previous else None
        word = verdicts[index] if verdicts is not None and index in verdicts else verdict_word(report)
        rows.append(LatestRun(index, asset, str(report.get("created_at") or ""),
                              report.get("chosen_lag"), before, len(runs), skill_of(report), word,
                              judge_of(report)))
    return rows


def sort_morning(rows: Sequence[LatestRun], column: str, reverse: bool = False) -> list[LatestRun]:
    """``rows`` sorted by ``column`` (one of :data:`MORNING_SORTS`) in its natural direction:
    asset A→Z, newest first, shortest lag first, moved assets first (then new ones), highest
    skill first, predictable first. ``reverse`` flips it; missing values stay last."""
    if column not in MORNING_SORTS:
        raise ValueError(f"column must be one of {MORNING_SORTS}, got {column!r}")
    keys = {
        "asset": lambda r: r.asset.lower(),
        "date": lambda r: _time_key({"created_at": r.created_at}),
        "lag": lambda r: r.lag,
        "change": lambda r: 0 if r.changed else 1 if r.runs == 1 else 2,
        "skill": lambda r: r.skill if r.skill is not None and math.isfinite(r.skill) else None,
        "verdict": lambda r: VERDICTS.index(r.verdict) if r.verdict in VERDICTS else len(VERDICTS),
    }
    key = keys[column]
    descending = column in ("date", "skill")  # newest, most skilful first
    ordered = sorted(rows, key=lambda r: r.asset.lower())  # ties: by asset
    present = [r for r in ordered if key(r) is not None]
    missing = [r for r in ordered if key(r) is None]
    return sorted(present, key=key, reverse=descending != reverse) + missing


# ----- two runs side by side -----------------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    name: str  # "seeds", "data.column", "data_sha256"
    a: Any
    b: Any


_ABSENT = object()


def flatten(options: Mapping, prefix: str = "") -> dict[str, Any]:
    """Nested options as one level: ``{"data": {"column": "Close"}}`` → ``{"data.column": ...}``."""
    flat: dict[str, Any] = {}
    for key, value in options.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def option_differences(a: Mapping, b: Mapping) -> list[Difference]:
    """The options two runs differ in (``options``, nested keys dotted), then the data file
    and its hash if they differ. A key one run lacks has ``None`` there."""
    # A run from before an option that changes nothing at its default was made with that default.
    unset = defaults_of(HASHED_WHEN_SET)
    first = {**unset, **flatten(a.get("options") or {})}
    second = {**unset, **flatten(b.get("options") or {})}
    names = list(first) + [name for name in second if name not in first]
    found = []
    for name in names:
        left, right = first.get(name, _ABSENT), second.get(name, _ABSENT)
        if left != right:
            found.append(Difference(name, None if left is _ABSENT else left,
                                    None if right is _ABSENT else right))
    for name in DATA_FIELDS:
        if a.get(name) != b.get(name):
            found.append(Difference(name, a.get(name), b.get(name)))
    return found


def show_value(value: Any) -> str:
    """An option's value in a few characters: ``—`` for none, lists comma-joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(show_value(v) for v in value) if value else "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class PairedRow:
    """One leaderboard row (model, lag) of two runs; ``None`` where a run has no such row."""

    model: str
    lag: int | None
    a: Mapping | None
    b: Mapping | None


def paired_leaderboards(a: Mapping, b: Mapping) -> list[PairedRow]:
    """The two runs' leaderboards row by row, matched on (model, lag): the models in the
    leaderboard's usual order (LSTM, ridge AR, baselines, classifiers; others after), each
    by lag."""
    rows_a = {(r.get("model"), r.get("lag")): r for r in a.get("leaderboard") or []}
    rows_b = {(r.get("model"), r.get("lag")): r for r in b.get("leaderboard") or []}
    keys = list(rows_a) + [key for key in rows_b if key not in rows_a]
    known = list(MODEL_NAMES)

    def order(key):
        model, lag = key
        rank = known.index(model) if model in known else len(known)
        return rank, str(model), lag is None, lag or 0

    return [PairedRow(str(model), lag, rows_a.get((model, lag)), rows_b.get((model, lag)))
            for model, lag in sorted(keys, key=order)]
