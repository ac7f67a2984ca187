"""Progress of a run on the terminal: a bar with ETA on a TTY, plain lines otherwise.

It is one consumer of the core's event stream (the app is another), so it never decides
anything: it prints stage lines, and for ``progress`` events redraws the bar (rich.progress,
:mod:`seqlen_tui.progress_bar`, which keeps the log lines above it) or, into a pipe or a
file, prints ``  42% done, ETA 12s`` at most every 10 s.

A step can be silent for a while (TensorFlow's first import, which the core announces as a
stage; the direction classifiers), so while the printer is open a watcher thread prints a
heartbeat line after every ``heartbeat_s`` seconds without a line. It writes to its own copy
of the stream's descriptor: TensorFlow's import points descriptor 2 at a file
(:mod:`seqlen_tui.terminal`), and the lines must still reach the terminal meanwhile.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TextIO

from .cli_common import as_flags
from .core.events import (
    Caution,
    DeviceChosen,
    DeviceProblem,
    Event,
    Note,
    Progress,
    RaceExits,
    Reporter,
    StageStarted,
    TrainingEstimate,
)
from .progress_bar import Clock, TerminalBar, draws_bars


class ProgressPrinter:
    """Prints one run's events on ``stream``: a bar on a terminal, plain lines elsewhere.

    ``clock`` (seconds, monotonic) stamps the lines and measures the ETA; a test hands in its
    own to drive the display without waiting.
    """

    def __init__(self, stream: TextIO, cancel=None, heartbeat_s: float = 10.0, tick_s: float = 0.25,
                 clock: Clock = time.monotonic):
        self.stream = stream
        self.out: TextIO = stream
        self.cancel = cancel
        self.tty = draws_bars(stream)
        self.clock = clock
        self.started = clock()
        self.heartbeat_s = heartbeat_s
        self.tick_s = tick_s
        self._bar: TerminalBar | None = None  # drawn from the first progress event on a terminal
        self._last_plain = 0.0
        self._last_output = self.started
        self._stage, self._stage_at = "", self.started  # the last stage and its start, for the heartbeat
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._own_out = False

    def reporter(self) -> Reporter:
        return Reporter(self.on_event, self.cancel)

    def __enter__(self) -> ProgressPrinter:
        self.out, self._own_out = _own_copy(self.stream)
        self._watcher = threading.Thread(target=self._watch, name="progress-watcher", daemon=True)
        self._watcher.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=2 * self.tick_s + 1)
        with self._lock:
            self._clear_bar()
            if self._own_out:
                self.out.close()
            self.out, self._own_out = self.stream, False

    def on_event(self, event: Event) -> None:
        """Stages, warnings, race exits and notes get a line (on a terminal the training's
        per-group notes give way to the bar); progress redraws the bar."""
        with self._lock:
            if isinstance(event, StageStarted) and event.message:
                self._stage, self._stage_at = event.message, self.clock()
            if isinstance(event, Progress):
                if event.fraction is not None:
                    self._progress(event.fraction, event.eta_s)
            elif self._is_logged(event):
                prefix = "warning: " if isinstance(event, (Caution, DeviceProblem)) else ""
                self._line(prefix + event.message)

    def _is_logged(self, event: Event) -> bool:
        """Whether ``event`` gets a line of the log."""
        if isinstance(event, Note):
            return event.stage != "train" or not self.tty  # on a terminal the bar says it
        return isinstance(event, (Caution, DeviceProblem, StageStarted, RaceExits, DeviceChosen,
                                  TrainingEstimate))

    def _watch(self) -> None:
        """After ``heartbeat_s`` seconds without a line, say what is still running."""
        while not self._stop.wait(self.tick_s):
            with self._lock:
                if self._stop.is_set():
                    return
                self._heartbeat()

    def _heartbeat(self) -> None:
        now = self.clock()
        if now - self._last_output >= self.heartbeat_s:
            self._line(f"… still working on: {self._stage or 'the run'} "
                       f"({now - self._stage_at:.0f}s so far)")

    def _line(self, text: str) -> None:
        now = self.clock()
        self._last_output = now
        _flush(self.stream, self.out)
        line = f"[{now - self.started:6.1f}s] {as_flags(text)}"
        if self._bar is not None:
            self._bar.line(line)  # the bar is erased first, and drawn again below the line
        else:
            print(line, file=self.out, flush=True)

    def _progress(self, fraction: float, eta: float | None = None) -> None:
        """``eta`` from the core (measured training speed) wins over elapsed / fraction."""
        elapsed = self.clock() - self.started
        if eta is None:
            eta = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        eta_text = "—" if eta is None else f"{eta:,.0f}s"
        if self.tty:
            self._draw_bar(fraction, eta_text)
        elif elapsed - self._last_plain >= 10:
            self._last_plain = elapsed
            self._last_output = self.clock()
            _flush(self.stream, self.out)
            print(f"  {fraction:.0%} done, ETA {eta_text}", file=self.out, flush=True)

    def _draw_bar(self, fraction: float, eta_text: str) -> None:
        if self._bar is None:
            self._bar = TerminalBar(self.out, total=1.0, bar_width=30, clock=self.clock)
        _flush(self.stream, self.out)
        self._bar.show(fraction, f"{fraction:6.1%}  ETA {eta_text:>7}")
        self._last_output = self.clock()

    def _clear_bar(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _own_copy(stream: TextIO) -> tuple[TextIO, bool]:
    """A writer on a copy of ``stream``'s descriptor (True), else ``stream`` itself (False: a
    stream without a descriptor, such as a test's capture, is not redirected under us)."""
    try:
        fd = stream.fileno()
        copy = os.dup(fd)
    except (AttributeError, OSError, ValueError):
        return stream, False
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return os.fdopen(copy, "w", encoding=encoding, errors="replace", buffering=1), True


def _flush(stream: TextIO, out: TextIO) -> None:
    """Flush what others wrote to ``stream`` first, so the lines keep their order."""
    if out is not stream:
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
