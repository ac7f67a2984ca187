"""Messages that carry worker results back to the UI thread.

Workers run in threads and must not touch widgets; they ``post_message`` one of these
(thread-safe) and the screen's handler updates the widgets on the main thread.

What the core says while it works arrives as the core's own typed event
(:mod:`seqlen_tui.core.events`), wrapped in one :class:`CoreEvent`; a screen dispatches on the
event's type. The rest are how a job ended, which the core says by returning or raising: small
dataclasses, one per outcome. Messages of a job that can be superseded (the choose screen's
analysis: the user chose another file meanwhile) carry its ``request`` number, so a result
from an older job is recognised and dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from seqlen_tui.core.events import Event, Progress

if TYPE_CHECKING:  # the core's analysis pulls in numpy/pandas; only type checkers need it here
    from seqlen_tui.core.analysis import SeriesAnalysis


@dataclass
class CoreEvent(Message):
    """One event the core sent (a stage began, a note, progress, rows…), as it sent it."""

    event: Event
    #: The job that sent it (the choose screen numbers its analyses; a run screen has one job).
    request: int = 0

    def can_replace(self, message: Message) -> bool:
        """Progress is drawn as it is now: a newer one queued behind it makes this one stale."""
        return (isinstance(message, CoreEvent) and isinstance(message.event, Progress)
                and isinstance(self.event, Progress))


# ----- choose screen: how loading and analysing one file ended ------------------------------


@dataclass
class AnalysisReady(Message):
    """A file was loaded and analysed (the screen words it with ``core.describe`` at its width)."""

    request: int
    path: str
    analysis: SeriesAnalysis
    column: str | None = None  # the column asked for (None: the loader's default)


@dataclass
class AnalysisFailed(Message):
    """The file cannot be used (a ``DataError``): the message names the problem and the fix."""

    request: int
    path: str
    error: str


# ----- run screen: how one benchmark run ended ----------------------------------------------


@dataclass
class RunFinished(Message):
    """The run ended with a report, written to ``path`` (``None`` if writing failed)."""

    report: dict[str, Any]
    path: str | None
    write_error: str | None


@dataclass
class RunFailed(Message):
    """The run stopped on a ``DataError`` (bad options for this series, etc.)."""

    error: str


@dataclass
class RunCancelled(Message):
    """The user stopped the run; nothing was written."""
