"""Messages that carry worker results back to the UI thread.

Workers run in threads and must not touch widgets; they ``post_message`` one of these
(thread-safe) and the screen's handler updates the widgets on the main thread.  Each
message carries the ``request`` number of the job that produced it, so a result from a
superseded job (the user chose another file meanwhile) is recognised and dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # the core pulls in numpy/pandas; only type checkers need it here
    from seqlen_tui.core.analysis import SeriesAnalysis


# ----- choose screen: load and analyse one file ---------------------------------------------


class AnalysisProgress(Message):
    """A step of the analysis began (shown as a status line)."""

    def __init__(self, request: int, text: str) -> None:
        super().__init__()
        self.request = request
        self.text = text


class AnalysisReady(Message):
    """A file was loaded and analysed (the screen words it with ``core.describe`` at its width)."""

    def __init__(self, request: int, path: str, analysis: SeriesAnalysis,
                 column: str | None = None) -> None:
        super().__init__()
        self.request = request
        self.path = path
        self.analysis = analysis
        self.column = column  # the column asked for (None: the loader's default)


class AnalysisFailed(Message):
    """The file cannot be used (a ``DataError``): the message names the problem and the fix."""

    def __init__(self, request: int, path: str, error: str) -> None:
        super().__init__()
        self.request = request
        self.path = path
        self.error = error


# ----- run screen: one benchmark run -------------------------------------------------------


class RunLog(Message):
    """A line for the progress log (a stage began, an info or a warning)."""

    def __init__(self, time: float, text: str, severity: str = "info") -> None:
        super().__init__()
        self.time = time
        self.text = text
        self.severity = severity


class RunProgress(Message):
    """How far the whole run is, 0..1; stale ones are replaced by newer ones in the queue."""

    def __init__(self, fraction: float, detail: str = "") -> None:
        super().__init__()
        self.fraction = fraction
        self.detail = detail

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunProgress)


class RunAcf(Message):
    """One transform's ACF is computed (the ``AcfAnalysis.to_dict()`` form)."""

    def __init__(self, acf: dict[str, Any]) -> None:
        super().__init__()
        self.acf = acf


class RunCandidates(Message):
    """The candidate lags with their reasons (``[{"lag": 5, "reasons": [...]}, ...]``)."""

    def __init__(self, candidates: list[dict[str, Any]], dropped: list[dict[str, Any]] = ()) -> None:
        super().__init__()
        self.candidates = candidates
        self.dropped = list(dropped)  # [{"lag": 168, "reason": "…"}, ...]


class RunDevice(Message):
    """The run looked for a training device: ``"CPU"`` or ``"GPU (name)"``."""

    def __init__(self, device: str) -> None:
        super().__init__()
        self.device = device


class RunDeviceProblem(Message):
    """A GPU is listed on this box but TensorFlow cannot use it: the one-line reason and fix."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RunRows(Message):
    """Leaderboard rows as dicts: provisional ones are merged in, a final table replaces all."""

    def __init__(self, rows: list[dict[str, Any]], final: bool) -> None:
        super().__init__()
        self.rows = rows
        self.final = final


class RunFinished(Message):
    """The run ended with a report, written to ``path`` (``None`` if writing failed)."""

    def __init__(self, report: dict[str, Any], path: str | None, write_error: str | None) -> None:
        super().__init__()
        self.report = report
        self.path = path
        self.write_error = write_error


class RunFailed(Message):
    """The run stopped on a ``DataError`` (bad options for this series, etc.)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class RunCancelled(Message):
    """The user stopped the run; nothing was written."""
