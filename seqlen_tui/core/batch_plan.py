"""Which files a batch still has to run: each file one asset, skipped when a report for the
same data and options exists (unless ``force``), failed up front when it cannot be read; a
batch where two files share a settings key is refused whole."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .batch_jobs import AssetJob, AssetOutcome
from .errors import DataError, SettingsError
from .options import RunOptions
from .report import iter_reports
from .runner import DataOptions, report_identity
from .settings import asset_from_path, settings_key


@dataclass
class BatchPlan:
    jobs: list[AssetJob]
    ready: list[AssetOutcome]  # skipped (finished before) or failed up front, in file order

    @property
    def total(self) -> int:
        return len(self.jobs) + len(self.ready)


def collect_files(files: Iterable[str | os.PathLike] = (), folder: str | os.PathLike | None = None,
                  pattern: str = "*.csv") -> list[Path]:
    """The batch's files: those given, then ``folder``'s files matching ``pattern``, sorted."""
    found = [Path(f) for f in files]
    if folder is not None:
        root = Path(folder)
        if not root.is_dir():
            raise DataError(f"«dir» {root}: no such folder; pass a folder of CSV/Parquet files")
        check_pattern(pattern)
        try:
            matched = sorted(p for p in root.glob(pattern) if p.is_file() and not p.name.startswith("."))
        except (ValueError, NotImplementedError) as exc:  # whatever else glob refuses
            raise DataError(bad_pattern(pattern, str(exc).lower().rstrip("."))) from None
        if not matched:
            raise DataError(f"no file in {root} matches {pattern!r}; use «pattern», e.g. '*.parquet'")
        found.extend(matched)
    if not found:
        raise DataError("no files to run; give FILE... or «dir» DIR")
    seen, unique = set(), []
    for path in found:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def check_pattern(pattern: str) -> str:
    """``pattern`` if it can select files inside «dir»; else a ``DataError`` naming it (an empty or
    absolute pattern made ``Path.glob`` raise, an "internal error" with exit 1)."""
    if not pattern.strip():
        raise DataError(bad_pattern(pattern, "it is empty"))
    if os.path.isabs(pattern) or pattern.startswith("~"):
        raise DataError(bad_pattern(pattern, "it is an absolute path"))
    return pattern


def bad_pattern(pattern: str, why: str) -> str:
    return f"«pattern» {pattern!r} cannot be used: {why}; give a pattern inside «dir», e.g. '*.csv'"


def finished_reports(runs_dir: Path) -> dict[tuple[str, str, str], tuple[Path, dict]]:
    """The newest readable report per (asset, data_sha256, options_hash) in the runs folder."""
    found: dict[tuple[str, str, str], tuple[Path, dict]] = {}
    for path, report in iter_reports(runs_dir):
        key = (report.get("asset"), report.get("data_sha256"), report.get("options_hash"))
        if None in key:
            continue
        old = found.get(key)
        if old is None or report.get("created_at", "") >= old[1].get("created_at", ""):
            found[key] = (path, report)
    return found


def check_unique_keys(files: Sequence[str | os.PathLike]) -> None:
    """Refuse the batch, before anything runs, when two files map to one settings key
    (``a-b.csv`` and ``a_b.csv`` are both ``A_B_SL``; ``x/BTC.csv`` and ``y/btc.csv`` are both
    ``BTC_SL``): the second saved would overwrite the first, and their reports would share an
    asset. Every clash is named in the one line, with both files. A name that makes no key
    at all fails on its own, in :func:`plan_batch`."""
    owners: dict[str, str] = {}
    clashes: list[str] = []
    for path in files:
        try:
            key = settings_key(asset_from_path(path))
        except SettingsError:
            continue
        owner = owners.setdefault(key, str(path))
        if owner != str(path):
            clashes.append(f"{owner} and {path} both map to the settings key {key}")
    if clashes:
        raise DataError("; ".join(clashes) + "; rename one file of each pair, or run them in "
                        "separate batches (nothing was run)")


def plan_batch(files: Sequence[str | os.PathLike], options: RunOptions, runs_dir: Path, *,
               data: DataOptions | None = None, force: bool = False) -> BatchPlan:
    """Decide, per file, run it / skip it (already reported) / fail it (unreadable); refuse the
    whole batch (:class:`DataError`) when two files share a settings key."""
    options.validate()
    check_unique_keys(files)
    data = data or DataOptions()
    done = {} if force else finished_reports(runs_dir)
    jobs, ready = [], []
    for path in files:
        file = str(path)
        asset = asset_from_path(path)
        try:
            settings_key(asset)
            sha, opts = report_identity(path, options, data)
        except OSError as exc:
            ready.append(AssetOutcome.failed(asset, file, f"cannot read {file}: {exc.strerror or exc}"))
            continue
        except (SettingsError, DataError) as exc:  # e.g. a FIFO among the files: failed, not read
            ready.append(AssetOutcome.failed(asset, file, str(exc)))
            continue
        previous = done.get((asset, sha, opts))
        if previous is not None:
            report_path, report = previous
            job = AssetJob(file, asset, options, data)
            ready.append(AssetOutcome.from_report(job, report, None, "skipped", str(report_path)))
            ready[-1].report = None
            continue
        jobs.append(AssetJob(file, asset, options, data))
    return BatchPlan(jobs, ready)
