"""One asset, file to report: the single entry point the CLI, the app and batch runs share.

Every front end does the same four things — load the file, run the chosen protocol, stamp the
report, write it — so they live here once.  ``report_identity`` gives the two hashes a batch
compares before re-running an asset (same file bytes, same options → same report).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from . import engine
from .data import Series
from .events import SILENT, Reporter
from .options import DataOptions, RunOptions  # DataOptions: declared with every option
from .report import file_sha256, options_hash, write_report
from .settings import asset_from_path

#: The whole file as the series: no column named, no points left out.
WHOLE_FILE = DataOptions()


def report_options(options: RunOptions, data: DataOptions) -> dict:
    """The options a report records and hashes: the model's and the data selection's."""
    return {**options.to_dict(), "data": asdict(data)}


def report_identity(path: str | Path, options: RunOptions, data: DataOptions) -> tuple[str, str]:
    """``(data_sha256, options_hash)`` a report of this file and these options will carry."""
    return file_sha256(path), options_hash(report_options(options, data))


def build_report(series: Series, options: RunOptions, asset: str, file: str | Path,
                 reporter: Reporter = SILENT, data: DataOptions = WHOLE_FILE,
                 analysis=None, shown_as: str | None = None) -> dict:
    """Run the chosen protocol on a loaded series and return its report (not yet written);
    ``analysis``: one already made of this series (``engine.run_analysis``), reused when it
    matches the options."""
    from .names import check_asset

    options.validate()
    check_asset(asset)  # before the training: a name that cannot work fails now, not at the report
    recorded = report_options(options, data)
    if options.protocol == "article":
        return engine.run_article_report(series, options, reporter, asset, str(file), recorded, shown_as)
    result = engine.run_asset(series, options, reporter=reporter, analysis=analysis)
    return result.to_report(asset, str(file), recorded, shown_as)


def run_file(path: str | Path, options: RunOptions | None = None, *, data: DataOptions = WHOLE_FILE,
             asset: str | None = None, runs_dir: Path | None = None,
             reporter: Reporter = SILENT, shown_as: str | None = None) -> tuple[dict, Path | None]:
    """Load ``path``, run it, and write the report into ``runs_dir`` (when given).

    Returns the report and where it was written.  Raises ``DataError`` for a bad file or bad
    options and ``Cancelled`` when the reporter's signal is set; nothing is written then.
    """
    options = options or RunOptions()
    options.validate()
    series = data.load(path)
    report = build_report(series, options, asset or asset_from_path(path), path, reporter, data,
                          shown_as=shown_as)
    written = write_report(report, runs_dir) if runs_dir is not None else None
    return report, written
