"""What a batch hands a worker and what comes back: one asset's job and its outcome.

Shared by the local pool (:mod:`.batch`) and Ray (:mod:`.batch_ray`), so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .options import RunOptions
from .report import chosen_skill
from .runner import DataOptions

WORKER_MEMORY = 1 << 30  # what one TensorFlow worker costs, roughly
STATUSES = ("done", "skipped", "failed", "interrupted", "not run")


@dataclass(frozen=True)
class AssetJob:
    """One asset to run; everything a worker (maybe on another machine) needs."""

    file: str
    asset: str
    options: RunOptions
    data: DataOptions = DataOptions()
    threads: int = 1  # TensorFlow/BLAS threads this worker may use
    payload: bytes | None = None  # the file's bytes, for workers that cannot see the file


@dataclass
class AssetOutcome:
    """What became of one asset; ``report`` travels back from the worker, then is written."""

    asset: str
    file: str
    status: str  # one of STATUSES
    error: str | None = None
    seconds: float | None = None
    n: int | None = None
    frequency: str | None = None
    chosen_lag: int | None = None
    skill: float | None = None
    report_path: str | None = None
    saved: str | None = None  # what happened to the settings key, for the summary
    report: dict | None = field(default=None, repr=False)

    @classmethod
    def from_report(cls, job: AssetJob, report: dict, seconds: float | None, status: str = "done",
                    report_path: str | None = None) -> AssetOutcome:
        return cls(job.asset, job.file, status, seconds=seconds, n=report.get("n"),
                   frequency=report.get("frequency"), chosen_lag=report.get("chosen_lag"),
                   skill=chosen_skill(report), report_path=report_path, report=report)

    @classmethod
    def failed(cls, asset: str, file: str, error: str, seconds: float | None = None,
               status: str = "failed") -> AssetOutcome:
        return cls(asset, file, status, error=" ".join(str(error).split()), seconds=seconds)

    def row(self) -> dict:
        return {"asset": self.asset, "status": self.status, "n": self.n,
                "frequency": self.frequency, "chosen_lag": self.chosen_lag,
                "skill": None if self.skill is None else round(self.skill, 6),
                "seconds": None if self.seconds is None else round(self.seconds, 2),
                "report": self.report_path, "error": self.error, "file": self.file}


def mark_stopped(in_flight: Iterable[AssetJob], pending: Iterable[AssetJob],
                 finish: Callable[[AssetOutcome], None]) -> None:
    """After Ctrl-C: the running assets are interrupted, the waiting ones not run (a rerun
    finishes both)."""
    for job in in_flight:
        finish(AssetOutcome.failed(job.asset, job.file, "interrupted while running", status="interrupted"))
    for job in pending:
        finish(AssetOutcome.failed(job.asset, job.file, "not started", status="not run"))
