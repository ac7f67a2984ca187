"""Per-asset task for tests/functional/test_signals.py: module-level, so spawned workers import it.

``waiting_task`` holds the asset named ``wait`` until the file named by ``$SEQLEN_TEST_GO``
exists (the test creates it after sending its signals), so a signal is sure to arrive while an
asset is still running (it says it started by the file ``wait-started`` beside that one); every asset then runs the real task code with the ridge judge.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from helpers.batch_tasks import ridge_task

from seqlen_tui.core.batch_jobs import AssetJob, AssetOutcome


def waiting_task(job: AssetJob) -> AssetOutcome:
    if job.asset == "wait":
        go = Path(os.environ["SEQLEN_TEST_GO"])
        go.with_name("wait-started").touch()  # the test signals once "wait" is on a worker
        deadline = time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return ridge_task(job)
