"""The terminal progress displays of ``run`` (ProgressPrinter) and ``batch`` (BatchProgress).

On a terminal: a rich.progress bar with the fraction (or the assets' count) and the ETA, erased
before every log line and drawn again below it, erased when the display closes. Into a pipe or
a file: plain lines that scripts parse, with no escape code. Every display is driven by events
and an injected clock, so no test waits on the wall clock (the heartbeat's watcher thread
ticks, but what it prints is decided by the injected clock).
"""

from __future__ import annotations

import io
import os
import re
import select
import time

import pytest

from seqlen_tui.batch_cli import BatchProgress
from seqlen_tui.core.batch_jobs import AssetOutcome
from seqlen_tui.core.events import Caution, Note, Progress, StageStarted
from seqlen_tui.progress import ProgressPrinter

SGR = re.compile(r"\x1b\[[0-9;]*m")  # colours: whatever the terminal's colour settings make them
ERASE_LINE = "\r\x1b[2K"  # rich's "cursor to the line's start, erase the line"
ERASED_AT_CLOSE = "\r\x1b[1A\x1b[2K"  # up onto the bar's line, erase it
BAR = "━"


class Terminal(io.StringIO):
    """What a TTY receives, kept as text."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def a_plain_terminal(monkeypatch):
    """The same terminal for every run of the suite: 100 columns, not a dumb one."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "30")
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


def visible(text: str) -> str:
    return SGR.sub("", text)


def run_events(printer: ProgressPrinter, clock: Clock) -> None:
    """A run's events: a stage, analysis progress, the training's progress with the core's ETA,
    a training note, a warning, a stage with an option name, more progress."""
    printer.on_event(StageStarted(message="autocorrelation of the returns", stage="acf"))
    clock.now += 2
    printer.on_event(Progress(fraction=0.25, stage="acf"))
    clock.now += 1
    printer.on_event(Progress(fraction=0.5, stage="train", eta_s=12.0))
    printer.on_event(Note(message="lags 2, 5 stopped improving by epoch 9", stage="train"))
    clock.now += 10
    printer.on_event(Caution(message="few rows for «max_seq_len» 60", stage="train"))
    printer.on_event(StageStarted(message="direction classifiers", stage="classifiers"))
    printer.on_event(Progress(fraction=0.75, stage="classifiers"))


# -- run -----------------------------------------------------------------------------------------


def test_run_on_a_terminal_draws_a_bar_with_fraction_and_eta_and_erases_it_before_each_line():
    clock, terminal = Clock(), Terminal()
    with ProgressPrinter(terminal, heartbeat_s=1e9, clock=clock) as printer:
        run_events(printer, clock)
    out = terminal.getvalue()
    shown = visible(out)

    # Before the first progress event there is no bar: the first line is a plain line.
    assert out.startswith("[   0.0s] autocorrelation of the returns\n")
    # The bar: 30 cells of rich's bar, the fraction, and the ETA (elapsed / fraction at first,
    # then the core's measured one, which wins).
    bars = re.findall(rf"([{BAR}╸╺]{{30}}) +(\d+\.\d%)  ETA +(\S+)", shown)
    assert [(fraction, eta) for _, fraction, eta in bars][:2] == [("25.0%", "6s"), ("50.0%", "12s")]
    assert ("75.0%", "4s") in [(fraction, eta) for _, fraction, eta in bars]  # 13 s for 0.75
    # Every log line after the bar appeared is printed on an erased line, and the bar comes back.
    for line in ("[  13.0s] warning: few rows for --max-seq-len 60\n", "[  13.0s] direction classifiers\n"):
        assert ERASE_LINE + line in shown
        assert BAR in shown.split(line, 1)[1]
    # On a terminal the training's notes give way to the bar.
    assert "stopped improving" not in out
    # Closed: the bar's line erased; the cursor was never hidden (a killed run leaves it shown).
    assert out.endswith(ERASED_AT_CLOSE) and "\x1b[?25" not in out


def test_run_into_a_pipe_is_plain_lines_without_escape_codes():
    clock, pipe = Clock(), io.StringIO()
    with ProgressPrinter(pipe, heartbeat_s=1e9, clock=clock) as printer:
        run_events(printer, clock)
        clock.now += 10
        printer.on_event(Progress(fraction=0.9, stage="classifiers"))
    # Byte for byte what scripts parse: a progress line at most every 10 s, the notes kept.
    assert pipe.getvalue() == (
        "[   0.0s] autocorrelation of the returns\n"
        "[   3.0s] lags 2, 5 stopped improving by epoch 9\n"
        "[  13.0s] warning: few rows for --max-seq-len 60\n"
        "[  13.0s] direction classifiers\n"
        "  75% done, ETA 4s\n"
        "  90% done, ETA 3s\n")


def test_run_on_a_dumb_terminal_gets_the_plain_lines(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    clock, terminal = Clock(), Terminal()
    with ProgressPrinter(terminal, heartbeat_s=1e9, clock=clock) as printer:
        run_events(printer, clock)
    assert "\x1b" not in terminal.getvalue() and "  75% done, ETA 4s\n" in terminal.getvalue()


def test_a_silent_stage_gets_a_heartbeat_line_above_the_bar():
    """The watcher thread ticks every 10 ms; the injected clock decides when a line is due."""
    clock, terminal = Clock(), Terminal()
    with ProgressPrinter(terminal, heartbeat_s=10.0, tick_s=0.01, clock=clock) as printer:
        printer.on_event(StageStarted(message="direction classifiers", stage="classifiers"))
        printer.on_event(Progress(fraction=0.5, stage="classifiers", eta_s=30.0))
        clock.now += 9  # not yet due
        time.sleep(0.1)
        assert "still working" not in terminal.getvalue()
        clock.now += 2
        for _ in range(500):
            if "still working" in terminal.getvalue():
                break
            time.sleep(0.01)
    shown = visible(terminal.getvalue())
    beat = "[  11.0s] … still working on: direction classifiers (11s so far)\n"
    assert shown.count(beat) == 1  # once per silence, not once per tick
    assert ERASE_LINE + beat in shown and BAR in shown.split(beat, 1)[1]


def test_run_on_a_real_pseudo_terminal_writes_through_its_own_descriptor():
    """The printer writes to a copy of the terminal's descriptor (TensorFlow's import points
    descriptor 2 elsewhere meanwhile); the bar reaches the terminal and is erased at the end."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        with open(slave, "w", encoding="utf-8", closefd=False) as terminal:
            clock = Clock()
            with ProgressPrinter(terminal, heartbeat_s=1e9, clock=clock) as printer:
                assert printer.out is not terminal  # its own copy of the descriptor
                run_events(printer, clock)
        received = b""
        while select.select([master], [], [], 0.05)[0]:  # written already: nothing waits
            chunk = os.read(master, 65536)
            if not chunk:
                break
            received += chunk
    finally:
        os.close(slave)
        os.close(master)
    shown = visible(received.decode("utf-8")).replace("\r\n", "\n")  # the terminal's newline
    assert "50.0%  ETA     12s" in shown and BAR * 10 in shown
    assert ERASE_LINE + "[  13.0s] direction classifiers\n" in shown
    assert shown.endswith(ERASED_AT_CLOSE)


# -- batch ---------------------------------------------------------------------------------------


def batch_outcomes(progress: BatchProgress, clock: Clock) -> None:
    clock.now += 5
    progress.on_outcome(AssetOutcome("AAA", "AAA.csv", "done", seconds=5.0, chosen_lag=7, skill=0.1234))
    progress.on_outcome(AssetOutcome("OLD", "OLD.csv", "skipped", chosen_lag=3))
    clock.now += 2
    progress.on_outcome(AssetOutcome.failed("BAD", "BAD.csv", "no numbers; try «column»", 1.0))


def test_batch_on_a_terminal_draws_a_bar_over_assets_with_counts_and_eta():
    clock, terminal = Clock(), Terminal()
    progress = BatchProgress(terminal, 3, clock=clock)
    assert "0/3  done 0 · failed 0 · skipped 0  ETA —" in visible(terminal.getvalue())  # at once
    batch_outcomes(progress, clock)
    progress.close()
    out = terminal.getvalue()
    shown = visible(out)
    assert re.search(rf"[{BAR}╸╺]{{24}} 1/3  done 1 · failed 0 · skipped 0  ETA 10\.0s", shown)
    done = "[   5.0s] done        AAA                  lag 7  skill +0.123  (5.0s)\n"
    failed = "[   7.0s] failed      BAD                  no numbers; try --column\n"
    for line in (done, failed):
        assert ERASE_LINE + line in shown and BAR in shown.split(line, 1)[1]
    # The bar drawn again below the failed asset's line already counts it.
    assert shown.split(failed, 1)[1].count("2/3  done 1 · failed 1 · skipped 1  ETA 3.5s") >= 1
    assert "OLD" not in shown  # the header counted the skipped; the summary lists them
    assert out.endswith(ERASED_AT_CLOSE)


def test_batch_into_a_pipe_is_one_plain_line_per_asset():
    clock, pipe = Clock(), io.StringIO()
    progress = BatchProgress(pipe, 3, clock=clock)
    batch_outcomes(progress, clock)
    progress.close()
    assert pipe.getvalue() == (
        "[   5.0s] done        AAA                  lag 7  skill +0.123  (5.0s)\n"
        "[   7.0s] failed      BAD                  no numbers; try --column\n")


def test_batch_with_nothing_to_run_draws_no_bar():
    terminal = Terminal()
    BatchProgress(terminal, 0, clock=Clock()).close()
    assert terminal.getvalue() == ""
