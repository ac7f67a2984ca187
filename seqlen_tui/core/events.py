"""One small progress/cancellation interface shared by every front end.

The core never prints and never knows who is listening: it calls ``reporter.emit(Event)``.
The CLI prints events to stderr, the app turns them into Textual messages, batch runs log
them, tests collect them.  Cancellation is one ``threading.Event``-like object (anything
with ``is_set()``); long steps call :func:`Reporter.check_cancelled` between units of work
so a cancel takes effect within one unit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol


class Cancelled(Exception):
    """Raised inside the core when the caller's cancellation signal is set."""


class CancelSignal(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Event:
    """A progress event.

    ``kind`` is one of ``stage`` (a new step begins), ``info``, ``warning``, ``progress``
    (``fraction`` in [0, 1] of the whole job) or ``result`` (``data`` holds a partial
    result, e.g. one transform's ACF analysis, so a UI can draw it before the job ends).
    """

    kind: str
    message: str = ""
    stage: str | None = None
    fraction: float | None = None
    data: Any = None
    time: float = field(default_factory=time.time)


# --- typed results: what a front end draws, as fields, not a dict to guess at ----------------
# Each is an ``Event`` of kind ``result`` (so a plain log of every event still reads them); front
# ends match them by type, never by ``kind``/``stage`` strings.


@dataclass(frozen=True, kw_only=True)
class AcfReady(Event):
    """One transform's ACF analysis (``acf.AcfAnalysis``), ready to draw."""

    kind: str = "result"
    stage: str | None = "acf"
    analysis: Any = None


@dataclass(frozen=True, kw_only=True)
class CandidatesReady(Event):
    """The candidates the run benchmarks — after the cost cut and ``only_lags`` — with their
    reasons (``candidates.Candidate``), in the units of ``target``."""

    kind: str = "result"
    stage: str | None = "candidates"
    candidates: tuple = ()
    target: str = "diff"


@dataclass(frozen=True, kw_only=True)
class DeviceChosen(Event):
    """Where the judge trains, and the measured step rates (ms by lag) that chose it."""

    kind: str = "info"
    stage: str | None = "device"
    device: str = "CPU"
    rates_ms: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class DeviceProblem(Event):
    """A GPU is listed but TensorFlow cannot use it: why, and the fix (``message``)."""

    kind: str = "warning"
    stage: str | None = "device"
    device: str = "CPU"


@dataclass(frozen=True, kw_only=True)
class LeaderboardRows(Event):
    """Leaderboard rows (``engine.LeaderboardRow``): provisional ones as lags finish, then the
    final table (``final``)."""

    kind: str = "result"
    stage: str | None = "leaderboard"
    rows: tuple = ()
    final: bool = False


@dataclass(frozen=True, kw_only=True)
class GroupTrained(Event):
    """Some lags' models finished training: their scaled forecasts, whether each stopped early
    and after how many epochs (by ``training.Job``)."""

    kind: str = "result"
    stage: str | None = "group"
    predictions: dict = field(default_factory=dict)
    stopped_early: dict = field(default_factory=dict)
    epochs: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class RaceExits(Event):
    """Lags that left the race after ``round`` (``race.RaceExit``), and those still in it."""

    kind: str = "result"
    stage: str | None = "race"
    exits: tuple = ()
    round: int = 0
    alive: tuple = ()


EventCallback = Callable[[Event], None]


class Reporter:
    """Bundles the caller's callback and cancellation signal; both optional."""

    def __init__(self, callback: EventCallback | None = None, cancel: CancelSignal | None = None):
        self._callback = callback
        self._cancel = cancel

    def emit(self, kind: str, message: str = "", **fields: Any) -> None:
        if self._callback is not None:
            self._callback(Event(kind, message, **fields))

    def send(self, event: Event) -> None:
        """A typed event (:class:`AcfReady`, :class:`LeaderboardRows`, …)."""
        if self._callback is not None:
            self._callback(event)

    def stage(self, stage: str, message: str) -> None:
        self.check_cancelled()
        self.emit("stage", message, stage=stage)

    def info(self, message: str, **fields: Any) -> None:
        self.emit("info", message, **fields)

    def warning(self, message: str, **fields: Any) -> None:
        self.emit("warning", message, **fields)

    def part(self, start: float, end: float) -> Reporter:
        """A reporter for one part of a job: its fractions 0..1 map to ``start..end`` here."""

        def forward(event: Event) -> None:
            if event.fraction is not None:
                from dataclasses import replace

                event = replace(event, fraction=start + (end - start) * event.fraction)
            if self._callback is not None:
                self._callback(event)

        return Reporter(forward, self._cancel)

    def tap(self, listener: EventCallback) -> Reporter:
        """A reporter that shows every event to ``listener`` first, then passes it on."""

        def forward(event: Event) -> None:
            listener(event)
            if self._callback is not None:
                self._callback(event)

        return Reporter(forward, self._cancel)

    @property
    def cancelled(self) -> bool:
        return self._cancel is not None and self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled("cancelled by the user")


SILENT = Reporter()
