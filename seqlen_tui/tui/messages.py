"""Messages that carry worker results back to the UI thread.

Workers run in threads and must not touch widgets; they ``post_message`` one of these
(thread-safe) and the screen's handler updates the widgets on the main thread.  Each
message carries the ``request`` number of the load that produced it, so a result from a
superseded load (the user chose another file meanwhile) is recognised and dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the core pulls in numpy/pandas; only type checkers need it here
    from seqlen_tui.core.analysis import SeriesAnalysis


class AnalysisProgress(Message):
    """A step of the analysis began (shown as a status line)."""

    def __init__(self, request: int, text: str) -> None:
        super().__init__()
        self.request = request
        self.text = text


class AnalysisReady(Message):
    """A file was loaded and analysed; the text is already worded by ``core.describe``."""

    def __init__(self, request: int, path: str, analysis: SeriesAnalysis, lines: list[str]) -> None:
        super().__init__()
        self.request = request
        self.path = path
        self.analysis = analysis
        self.lines = lines


class AnalysisFailed(Message):
    """The file cannot be used (a ``DataError``): the message names the problem and the fix."""

    def __init__(self, request: int, path: str, error: str) -> None:
        super().__init__()
        self.request = request
        self.path = path
        self.error = error
