"""Helpers for tests that drive real ``seqlen-tui`` processes: they wait for what a process
shows (files it wrote), never for a length of time, with a generous deadline that only a hung or
dead child reaches."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

#: Seconds before a wait gives up: far beyond what a loaded 2-core machine needs.
DEADLINE_S = 120


def wait_until(condition: Callable[[], bool], failure: str, procs: Sequence[subprocess.Popen] = (),
               timeout: float = DEADLINE_S) -> None:
    """Poll ``condition`` until it holds; a child in ``procs`` that exited first fails at once
    with its output."""
    deadline = time.monotonic() + timeout
    while not condition():
        for proc in procs:
            assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, failure
        time.sleep(0.01)


def wait_for_reports(proc: subprocess.Popen, runs: Path, pattern: str, count: int,
                     timeout: float = DEADLINE_S) -> None:
    """Wait until ``count`` reports matching ``pattern`` are in ``runs``: the batch is then known
    to be mid-way (what a signal test needs), and a child that died first fails with its output."""
    wait_until(lambda: len(list(runs.glob(pattern))) >= count, f"{count} reports {pattern} did not appear",
               [proc], timeout)
