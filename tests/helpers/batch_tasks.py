"""Per-asset tasks for tests/functional/test_batch.py and the benchmark: module-level, so spawned pool
processes and Ray workers import them by name (they get the parent's ``sys.path``).

``ridge_task`` runs the real task code (:func:`seqlen_tui.core.batch.execute_job`) with the
engine's LSTM swapped for the ridge judge, so a worker never imports TensorFlow.
``dying_task`` kills its own process on an asset named ``die``, like ``kill -9`` or the OOM killer.
"""

from __future__ import annotations

import os

from seqlen_tui.core import engine
from seqlen_tui.core.batch import execute_job
from seqlen_tui.core.batch_jobs import AssetJob, AssetOutcome
from seqlen_tui.core.judges import RidgeJudge

_real_run_asset = engine.run_asset


def _ridge_run_asset(series, options, reporter=None, judge=None, analysis=None):
    return _real_run_asset(series, options, reporter, RidgeJudge(), analysis)


def ridge_task(job: AssetJob) -> AssetOutcome:
    engine.run_asset = _ridge_run_asset  # restored after, in case this runs in the test process
    try:
        return execute_job(job)
    finally:
        engine.run_asset = _real_run_asset


def dying_task(job: AssetJob) -> AssetOutcome:
    if job.asset == "die":
        os._exit(9)
    return ridge_task(job)


def slow_task(job: AssetJob) -> AssetOutcome:
    """Hangs on an asset named ``slow`` (until the batch is interrupted), like a long training."""
    if job.asset == "slow":
        import time

        time.sleep(600)
    return ridge_task(job)
