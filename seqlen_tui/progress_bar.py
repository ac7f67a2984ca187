"""The bar that both terminal displays draw (``run``'s and ``batch``'s), made with ``rich.progress``.

rich draws the bar on one line, erases it before each log line and draws it again below the
line (the log scrolls above a bar that stays), and erases the bar when the display closes.
rich ships with Textual, so this costs no dependency; it is imported only when a bar is drawn.

What the callers keep hand-written, and why:

* Off a terminal (a pipe, a log file, a dumb terminal) there is no bar, only plain lines: ``run`` prints
  ``  42% done, ETA 12s`` every 10 s, ``batch`` one line per asset.  rich's progress has no
  such mode (off a terminal it draws nothing until it stops, then the last bar once), and
  scripts parse those lines, so they are printed as before, byte for byte, without rich.
* The ETA text: ``run``'s comes from the core's measured training speed when it has one,
  ``batch``'s from the assets finished so far; rich's ``TimeRemainingColumn`` estimates its
  own from recent speed.  So the caller writes the text beside the bar.
* The heartbeat ("… still working on …") is a log line: ``run``'s watcher thread prints it
  through :meth:`TerminalBar.line`; rich's own refresh thread only redraws the bar.
* The copy of the terminal's descriptor that ``run`` writes to while TensorFlow's import
  points descriptor 2 elsewhere: rich writes to whatever file it is given.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

Clock = Callable[[], float]


def draws_bars(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal that can show a bar: a TTY whose ``TERM`` is not
    ``dumb`` (rich draws no live display on a dumb terminal, so it gets the plain lines a
    pipe gets)."""
    return stream.isatty() and os.environ.get("TERM", "").lower() not in ("dumb", "unknown")


class TerminalBar:
    """One bar on a terminal with the caller's text beside it; lines printed through
    :meth:`line` appear above it.

    Redrawn only when told (:meth:`show`): no refresh thread, so what is on the terminal
    follows the events, and a test drives it without waiting.
    """

    def __init__(self, file: TextIO, total: float, bar_width: int, clock: Clock = time.monotonic):
        from rich.progress import BarColumn, Progress, TextColumn

        self.console = _terminal_console(file, clock)
        self._progress = Progress(
            BarColumn(bar_width=bar_width), TextColumn("{task.fields[status]}", markup=False),
            console=self.console, auto_refresh=False, transient=True,
            redirect_stdout=False, redirect_stderr=False,  # others' prints stay where they go
            get_time=clock)
        self._task = self._progress.add_task("", total=total, status="")
        self.shown = False

    def show(self, completed: float, status: str) -> None:
        """Draw the bar at ``completed`` of its total, with ``status`` beside it."""
        self._progress.update(self._task, completed=completed, status=status)
        if self.shown:
            self._progress.refresh()
        else:
            self._progress.start()  # draws it
            self.shown = True

    def line(self, text: str) -> None:
        """A log line: the bar, if shown, is erased first and drawn again below the line."""
        self.console.print(text)

    def close(self) -> None:
        """Erase the bar and show the cursor again."""
        if self.shown:
            self.shown = False
            self._progress.stop()


def _terminal_console(file: TextIO, clock: Clock):
    """A rich console for a file the caller knows is a terminal: the text is printed as given
    (no markup, emoji or highlighting; long lines left to the terminal to wrap).

    Two of rich's defaults are turned off. The cursor stays visible: rich hides it while a bar
    is shown, and a batch killed meanwhile (``kill -9``, the out-of-memory killer) would leave
    the user's shell without one. A broken pipe is the caller's error, as a failed ``write``
    is: rich's default points standard output's descriptor at /dev/null and exits."""
    from rich.console import Console

    class _Console(Console):
        def show_cursor(self, show: bool = True) -> bool:
            return True

        def on_broken_pipe(self) -> None:
            raise  # called inside rich's ``except BrokenPipeError``: the caller gets it

    return _Console(file=file, force_terminal=True, force_interactive=True, markup=False,
                    emoji=False, highlight=False, soft_wrap=True, get_time=clock)
