"""The batch's summary: ``batch_<UTC time>.csv`` beside the reports, one row per asset."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from .batch_jobs import AssetOutcome
from .report import file_stamp, now_iso, write_new_file

CSV_COLUMNS = ("asset", "status", "n", "frequency", "chosen_lag", "skill", "seconds", "report",
               "error", "file")


def write_summary(outcomes: Sequence[AssetOutcome], runs_dir: Path) -> Path | None:
    """``batch_<UTC time>.csv`` beside the reports, one row per asset; None if not writable."""
    def write_rows(handle) -> None:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for outcome in outcomes:
            writer.writerow({k: "" if v is None else v for k, v in outcome.row().items()})

    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        target = write_new_file(runs_dir, f"batch_{file_stamp(now_iso())}", ".csv", write_rows, newline="")
    except OSError:
        return None
    return target
