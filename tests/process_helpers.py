"""Helpers for tests that drive real ``seqlen-tui`` processes."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def wait_for_reports(proc: subprocess.Popen, runs: Path, pattern: str, count: int,
                     timeout: float = 120) -> None:
    """Wait until ``count`` reports matching ``pattern`` are in ``runs``: the batch is then known
    to be mid-way (what a signal test needs), and a child that died first fails with its output."""
    deadline = time.monotonic() + timeout
    while len(list(runs.glob(pattern))) < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{count} reports {pattern} did not appear"
        time.sleep(0.1)
