"""Progress of a run on the terminal: a bar with ETA on a TTY, plain lines otherwise.

It is one consumer of the core's event stream (the app is another), so it never decides
anything: it prints stage lines, and for ``progress`` events redraws one status line.
"""

from __future__ import annotations

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


class ProgressPrinter:
    def __init__(self, stream: TextIO, cancel=None):
        self.stream = stream
        self.cancel = cancel
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self._bar_shown = False
        self._last_plain = 0.0

    def reporter(self) -> Reporter:
        return Reporter(self.on_event, self.cancel)

    def __enter__(self) -> ProgressPrinter:
        return self

    def __exit__(self, *exc) -> None:
        self._clear_bar()

    def on_event(self, event: Event) -> None:
        """Stages, warnings, race exits and notes get a line (on a terminal the training's
        per-group notes give way to the bar); progress redraws the bar."""
        if isinstance(event, (Caution, DeviceProblem)):
            self._line("warning: " + event.message)
        elif isinstance(event, Progress):
            if event.fraction is not None:
                self._progress(event.fraction, event.eta_s)
        elif isinstance(event, (StageStarted, RaceExits, DeviceChosen, TrainingEstimate)) or (
                isinstance(event, Note) and (event.stage != "train" or not self.tty)):
            self._line(event.message)

    def _line(self, text: str) -> None:
        self._clear_bar()
        elapsed = time.monotonic() - self.started
        print(f"[{elapsed:6.1f}s] {as_flags(text)}", file=self.stream, flush=True)

    def _progress(self, fraction: float, eta: float | None = None) -> None:
        """``eta`` from the core (measured training speed) wins over elapsed / fraction."""
        elapsed = time.monotonic() - self.started
        if eta is None:
            eta = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        eta_text = "—" if eta is None else f"{eta:,.0f}s"
        if self.tty:
            filled = int(30 * fraction)
            bar = "█" * filled + "·" * (30 - filled)
            self.stream.write(f"\r  {bar} {fraction:6.1%}  ETA {eta_text:>7} ")
            self.stream.flush()
            self._bar_shown = True
        elif elapsed - self._last_plain >= 10:
            self._last_plain = elapsed
            print(f"  {fraction:.0%} done, ETA {eta_text}", file=self.stream, flush=True)

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()
            self._bar_shown = False
