"""Run reports: one JSON file per finished run, in a runs folder, readable without recomputing.

Users come back later to review leaderboards (``seqlen-tui runs`` / ``show``, the app's review
screen), and batch runs skip assets whose report already exists for the same data and options
— hence ``data_sha256`` and ``options_hash``.  Reports are written whole under a name nobody
else holds (temp file + hard link, :func:`write_new_file`), so a crash never leaves half a
report and two runs never share one; NaN and infinities become ``null``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import DataError, SettingsError
from .filekind import not_regular
from .history import report_judge, report_plateau
from .jsonutil import dumps, to_jsonable

SCHEMA_VERSION = 1
RUNS_ENV = "SEQLEN_RUNS_DIR"
VERSIONED = ("seqlen-tui", "numpy", "pandas", "statsmodels", "scikit-learn", "keras",
             "tensorflow", "xgboost")


RUNS_KEY = "runs_dir"


def default_runs_dir(explicit: str | os.PathLike | None = None,
                     settings_path: str | os.PathLike | None = None, *,
                     block: Mapping[str, Any] | None = None, fix: str = "pass «runs_dir»") -> Path:
    """The runs folder, decided here once for the CLI, the app and batch, so that ``runs``
    lists, ``show`` finds and ``batch`` skips what any of them ran.

    ``explicit`` (``--runs-dir``, the app's caller) beats ``$SEQLEN_RUNS_DIR``, which beats
    the settings block's ``runs_dir``, which beats the per-user data folder. The environment
    stays above the block because the README has always put it right after the flag, the
    app read it first, and it is the per-session override (a test, one cron line) of the
    file's lasting choice. ``~`` is expanded everywhere.

    The block is read only when flag and environment leave the choice to it: from
    ``block`` when the caller has read it already, else from the file at ``settings_path``
    (an unreadable file is then a :class:`SettingsError`: the folder cannot be known). A bad
    block value is refused (:func:`block_runs_dir`); ``fix`` is the other way out the
    message offers (the CLI has a flag, the app an environment variable).
    """
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(RUNS_ENV):
        return Path(os.environ[RUNS_ENV]).expanduser()
    if settings_path is not None:
        if block is None:
            from .settings import SettingsStore

            block = SettingsStore(settings_path).tool_defaults()
        chosen = block_runs_dir(block, settings_path, fix)
        if chosen is not None:
            return chosen
    from platformdirs import user_data_dir

    return Path(user_data_dir("seqlen-tui", appauthor=False)) / "runs"


def block_runs_dir(block: Mapping[str, Any], settings_path: str | os.PathLike,
                   fix: str = "pass «runs_dir»") -> Path | None:
    """The block's ``runs_dir`` as a folder, None when the block has none.

    A relative path is read from the settings file's folder, not the current one: the app is
    started from anywhere and cron runs ``batch`` from ``$HOME``, and one file must name one
    folder for all of them (as a relative path in any config file means "next to me"). A
    value that is not a non-empty string (``5``, ``""``, ``null``, a list) is a
    :class:`SettingsError` naming the block and its file.
    """
    if RUNS_KEY not in block:
        return None
    value = block[RUNS_KEY]
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        from .settings import TOOL_BLOCK

        try:
            shown = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            shown = repr(value)
        raise SettingsError(
            f'"{RUNS_KEY}": {shown[:40]} in the "{TOOL_BLOCK}" block of {os.fspath(settings_path)} '
            'must be a folder path such as "~/seqlen-runs" (a relative one is read from the '
            f"settings file's folder); fix it there or {fix}")
    folder = Path(value).expanduser()
    return folder if folder.is_absolute() else Path(settings_path).parent / folder


def file_sha256(path: str | os.PathLike) -> str:
    """The file's SHA-256 (a regular file's only: a FIFO would block the read forever)."""
    kind = not_regular(path)
    if kind:
        raise DataError(f"{os.fspath(path)} {kind}, not a regular file; give a CSV or Parquet file")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def options_hash(options: dict) -> str:
    """A short hash of what a report was run with; options still at a default that reproduces
    the runs made before they existed (:data:`.options.HASHED_WHEN_SET`) are left out, so those
    reports keep their hash."""
    from .options import HASHED_WHEN_SET, defaults_of

    unset = defaults_of(HASHED_WHEN_SET)
    hashed = {key: value for key, value in options.items() if not (key in unset and value == unset[key])}
    canonical = json.dumps(to_jsonable(hashed), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def package_versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str | None] = {}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def report_header(analysis: dict, asset: str, file: str, options: dict, shown_as: str | None = None) -> dict:
    """What every run report starts with: the analysis, then who, when, on what, with what.

    ``file`` is the file read (its bytes are hashed); ``shown_as`` the name the report gives it
    when that was a private copy (a batch worker on another machine reads the user's file from
    a temporary folder): the report is built with it, never patched afterwards.
    """
    shown = str(file) if shown_as is None else shown_as
    if shown_as is not None:
        analysis = {**analysis, "file": shown,
                    **({"summary": {**analysis["summary"], "path": shown}} if isinstance(analysis.get("summary"), dict) else {})}
    return {
        **analysis,
        "schema_version": SCHEMA_VERSION,
        "asset": asset,
        "created_at": now_iso(),
        "file": shown,
        "data_sha256": file_sha256(file),
        "options": options,
        "options_hash": options_hash(options),
        "versions": package_versions(),
    }


def write_report(report: dict, runs_dir: Path) -> Path:
    """Write the report as ``<ASSET>_<UTC time>.json`` in ``runs_dir``, atomically.

    ``<ASSET>`` is :func:`~.names.report_stem` of the asset (the report keeps the name as
    given): an asset such as ``../../x`` or ``a/b`` must neither leave the runs folder, where
    ``runs`` would never find the report, nor fail after the whole training.
    """
    from .names import report_stem

    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the runs folder {runs_dir}: {exc.strerror}; pass «runs_dir»") from None
    stem = f"{report_stem(report['asset'])}_{report_stem(file_stamp(report['created_at']))}"
    if (runs_dir / f"{stem}.json").resolve().parent != runs_dir.resolve():  # report_stem's promise, kept
        raise DataError(f"the report name {stem!r} would leave the runs folder {runs_dir}; pass another «asset»")
    return write_new_file(runs_dir, stem, ".json", lambda handle: handle.write(dumps(report) + "\n"))


def file_stamp(iso_time: str) -> str:
    """``2026-11-25T08:22:04+00:00`` → ``20261125T082204``: sortable, safe in a file name."""
    return iso_time.replace("-", "").replace(":", "").split(".")[0].removesuffix("+0000")


def write_new_file(folder: Path, stem: str, suffix: str, write, newline: str | None = None) -> Path:
    """Write ``<stem><suffix>`` (or ``<stem>-2<suffix>``, … if taken) in ``folder``: never over
    an existing file, never half a file, whoever else writes the same name at the same moment.

    ``write(handle)`` fills a temporary file; a hard link then gives it its name, and a link
    fails when the name exists (checking first and renaming later would let two writers of
    one name in the same second both "win", and one report would be lost). Where the file
    system has no hard links, an exclusive create takes the name and the text is copied in.
    The temporary file is removed on every path.
    """
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".write-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            write(handle)
        for counter in range(1, 100_000):
            target = folder / (f"{stem}{suffix}" if counter == 1 else f"{stem}-{counter}{suffix}")
            try:
                os.link(temp, target)
                return target
            except FileExistsError:
                continue
            except OSError:  # no hard links here (some network or FUSE file systems)
                if _claim_by_copy(temp, target):
                    return target
        raise OSError(f"no free name for {stem}{suffix} in {folder}")
    finally:
        Path(temp).unlink(missing_ok=True)


def _claim_by_copy(source: str, target: Path) -> bool:
    """Take ``target`` with an exclusive create and copy ``source`` into it; False if taken."""
    import shutil

    try:
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    try:
        with open(source, "rb") as src, os.fdopen(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return True


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredRun:
    path: Path
    asset: str
    created_at: str
    file: str
    chosen_lag: int | None
    skill: float | None
    protocol: str
    #: The one-SE set's span ``(low, high)`` when it is a plateau (``history.report_plateau``).
    plateau: tuple[int, int] | None = None
    #: The network that judged its lags, in words (``history.report_judge``: ``LSTM(16)``,
    #: ``2 × LSTM(64)``; a report from before «layers» the defaults'; None: the article's).
    judge: str | None = None


def report_problem(report) -> str | None:
    """What makes ``report`` unusable as a run report (one phrase), or None if it is usable.

    Checked before anything reads a field, so one damaged file in the runs folder is skipped
    with a warning instead of breaking ``runs``, ``show`` and the review for every other run.
    """
    if not isinstance(report, dict):
        return f"not a JSON object but {type(report).__name__}"
    if not isinstance(report.get("asset"), str) or not report["asset"]:
        return "its asset is missing or not a name"
    rows = report.get("leaderboard")
    if not isinstance(rows, list) or not all(isinstance(row, dict) and isinstance(row.get("model"), str)
                                             for row in rows):
        return "its leaderboard is not a list of rows"
    for key, kind, words in (("created_at", str, "a date"), ("options", dict, "an object"),
                             ("file", str, "a path"), ("warnings", list, "a list")):
        if key in report and not isinstance(report[key], kind):
            return f"its {key} is not {words}"
    lag = report.get("chosen_lag")
    if lag is not None and (isinstance(lag, bool) or not isinstance(lag, int)):
        return "its chosen_lag is not a whole number"
    return None


def iter_reports(runs_dir: Path, skipped: list | None = None):
    """``(path, report)`` for every usable run report in the folder. Other JSON files (not
    reports, unreadable or damaged) are skipped; with ``skipped`` a list, ``(path, why)`` of
    each damaged report is appended to it, so a front end can say which."""
    for path in sorted(runs_dir.glob("*.json")) if runs_dir.is_dir() else []:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            if skipped is not None:
                skipped.append((path, f"not readable JSON ({type(exc).__name__})"))
            continue
        if not isinstance(report, dict) or not ({"asset", "leaderboard"} & report.keys()):
            continue  # some other JSON file: not ours to judge
        problem = report_problem(report)
        if problem:
            if skipped is not None:
                skipped.append((path, problem))
            continue
        yield path, report


def list_runs(runs_dir: Path, skipped: list | None = None) -> list[StoredRun]:
    """Every usable report in the folder, newest first; damaged ones are skipped (and listed
    in ``skipped``, see :func:`iter_reports`)."""
    runs = []
    for path, report in iter_reports(runs_dir, skipped):
        runs.append(StoredRun(path, report["asset"], report.get("created_at", ""),
                              report.get("file", ""), report.get("chosen_lag"),
                              chosen_skill(report), report.get("options", {}).get("protocol", ""),
                              report_plateau(report), report_judge(report)))
    return sorted(runs, key=lambda run: run.created_at, reverse=True)


def chosen_model(report: dict) -> str:
    """The leaderboard model whose lag the report chose (reports before it was recorded: the LSTM)."""
    model = report.get("chosen_model")
    return model if isinstance(model, str) else "lstm"


def chosen_skill(report: dict) -> float | None:
    for row in report.get("leaderboard", []):
        if row.get("model") == chosen_model(report) and row.get("lag") == report.get("chosen_lag"):
            return row.get("skill")
    return None


def load_run(ref: str, runs_dir: Path) -> dict:
    """A report by path, by file name in the runs folder, or the newest one of an asset."""
    candidates = [Path(ref), runs_dir / ref, runs_dir / f"{ref}.json"]
    for path in candidates:
        if path.is_file():
            return _read(path)
    matches = [run for run in list_runs(runs_dir) if run.asset.lower() == ref.lower()]
    if matches:
        return _read(matches[0].path)
    raise DataError(
        f"no stored run {ref!r} in {runs_dir}; list them with 'seqlen-tui runs' "
        "and pass a file name, a path or an asset name"
    )


def _read(path: Path) -> dict:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a readable run report ({exc}); run the asset again") from None
    if not isinstance(report, dict) or "leaderboard" not in report:
        raise DataError(f"{path}: not a seqlen-tui run report; pass a file from 'seqlen-tui runs'")
    problem = report_problem(report)
    if problem:
        raise DataError(f"{path}: a damaged run report ({problem}); run the asset again or remove the file")
    report["_path"] = str(path)
    return report
