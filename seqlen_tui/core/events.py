"""One small progress/cancellation interface shared by every front end.

The core never prints and never knows who is listening: it sends typed events (small frozen
dataclasses, one per thing that happened) through a :class:`Reporter`.
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
    """What every event has: a ``message`` for a log line, the ``stage`` of the run it belongs
    to, and ``kind``, its level for a plain log of every event (``stage``, ``info``,
    ``warning``, ``progress`` or ``result``). Front ends match the subclasses by type."""

    kind: str
    message: str = ""
    stage: str | None = None
    fraction: float | None = None
    time: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class StageStarted(Event):
    """A new step of the run begins (``stage`` names it, ``message`` says it)."""

    kind: str = "stage"


@dataclass(frozen=True, kw_only=True)
class Note(Event):
    """Something worth a line in the log."""

    kind: str = "info"


@dataclass(frozen=True, kw_only=True)
class Caution(Event):
    """Something the user should know, e.g. a candidate left out or a model that did not
    converge; the run goes on."""

    kind: str = "warning"


@dataclass(frozen=True, kw_only=True)
class Progress(Event):
    """How much of the job is done (``fraction`` in [0, 1]); while training, the lags still
    training, the epoch, the best validation loss and the measured time left (``eta_s``)."""

    kind: str = "progress"
    fraction: float | None = 0.0
    eta_s: float | None = None
    lags: tuple = ()
    epoch: int | None = None
    val_loss: float | None = None


@dataclass(frozen=True, kw_only=True)
class TrainingEstimate(Event):
    """The training's measured worst case (``seconds``: every model to the epoch cap)."""

    kind: str = "info"
    stage: str | None = "estimate"
    seconds: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Finished(Progress):
    """The run is over (all of it done, nothing left); its result is the call's return value."""

    stage: str | None = "done"
    fraction: float | None = 1.0
    eta_s: float | None = 0.0


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
    reasons (``candidates.Candidate``), in the units of ``target``; and those it does not,
    each with why (``candidates.DroppedCandidate``)."""

    kind: str = "result"
    stage: str | None = "candidates"
    candidates: tuple = ()
    target: str = "diff"
    dropped: tuple = ()


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

    def send(self, event: Event) -> None:
        """Any event (:class:`AcfReady`, :class:`LeaderboardRows`, …)."""
        if self._callback is not None:
            self._callback(event)

    def stage(self, stage: str, message: str) -> None:
        """A new step begins; a cancel takes effect here at the latest."""
        self.check_cancelled()
        self.send(StageStarted(message=message, stage=stage))

    def info(self, message: str, stage: str | None = None) -> None:
        self.send(Note(message=message, stage=stage))

    def warning(self, message: str, stage: str | None = None) -> None:
        self.send(Caution(message=message, stage=stage))

    def progress(self, fraction: float, stage: str | None = None, **detail: Any) -> None:
        """``detail``: :class:`Progress`'s ``eta_s``, ``lags``, ``epoch``, ``val_loss``."""
        self.send(Progress(fraction=fraction, stage=stage, **detail))

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
