"""Where an output file may go, and how it is written: never over what the user had.

A typo or a tab-completion slip (``--json data.csv``, ``--json settings.json``) must not
destroy the data being analysed or the settings file, so every output path is checked against
the run's inputs before any work starts, and again just before writing (the run may have
taken an hour). Paths are compared as files, not as strings: through symbolic links
(``os.path.realpath``) and hard links (``os.path.samefile``).

An existing file at the path is replaced only when it is one of our own JSON outputs (an
``analyze --json`` or ``run --json`` document, recognised by its marker keys) or empty: it
holds nothing the user wrote. Anything else is refused, not replaced.

Writes are atomic (a temporary file beside the target, then ``os.replace``), so a full disk or
a crash half-way leaves the previous file whole and no half a JSON behind.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from .errors import DataError
from .filekind import not_regular

#: Keys every ``analyze --json`` and ``run --json`` document has (``Analysis.to_dict`` and the
#: report built on it, since the first schema), and that no settings file or other JSON is
#: likely to hold all of.
OUR_MARKERS = ("schema_version", "acf", "candidates", "max_lag")
#: Our largest outputs are reports of a few MB; past this a file is not read to recognise it.
_LARGEST_OWN_OUTPUT = 256 << 20
#: The files a settings save owns beside the settings file (see :mod:`.settings`).
_SETTINGS_COMPANIONS = (("", "the settings file"), (".bak", "the settings file's backup"),
                        (".lock", "the settings file's lock"))

DEFAULT_FIX = "choose another «json» path"


def check_output_path(path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = (),
                      settings: str | os.PathLike | None = None, fix: str = DEFAULT_FIX,
                      new_name: bool = False, runs_dir: str | os.PathLike | None = None) -> Path:
    """The file to write for ``path`` (symbolic links followed, so a link is kept and its
    target written), or a :class:`DataError` naming the path, why, and ``fix``.

    ``inputs``: the data files read; ``settings``: the settings file in effect (its ``.bak``
    and ``.lock`` are protected too, present or not: the next save writes them); ``runs_dir``:
    the runs folder, whose stored run reports are history that ``runs`` and ``show`` read.
    An existing file at ``path`` is refused unless it is our own earlier output (or empty); with
    ``new_name`` (a writer that never overwrites but takes ``name-2``, such as the app's
    export) only the inputs and the settings files are refused.
    """
    shown = os.fspath(path)
    target = Path(os.path.realpath(os.path.expanduser(shown)))
    _refuse_inputs(target, shown, inputs, fix)
    if settings is not None:
        _refuse_settings_files(target, shown, os.fspath(settings), fix)
    if not target.parent.is_dir():  # found now, not when the hour-long run tries to write
        raise DataError(f"{shown}: the folder {target.parent} does not exist; create it or {fix}")
    if os.path.lexists(target) and not new_name:
        _refuse_replacing(target, shown, fix, runs_dir)
    return target


def _refuse_inputs(target: Path, shown: str, inputs: Iterable[str | os.PathLike], fix: str) -> None:
    """Writing over a data file the run reads would destroy the data being analysed."""
    for source in inputs:
        if _same_file(target, source):
            raise DataError(f"{shown} is the data file {os.fspath(source)}; writing there would "
                            f"destroy it; {fix}")


def _refuse_settings_files(target: Path, shown: str, settings_path: str, fix: str) -> None:
    """The settings file, its backup and its lock belong to the settings store, present or not."""
    for suffix, what in _SETTINGS_COMPANIONS:
        if _same_file(target, settings_path + suffix):
            raise DataError(f"{shown} is {what} ({settings_path}{suffix}); an output never "
                            f"goes there; {fix}")


def _refuse_replacing(target: Path, shown: str, fix: str, runs_dir: str | os.PathLike | None) -> None:
    """An existing ``target`` is replaced only when it is our own earlier output: never a pipe,
    device or folder, never a stored run report in the runs folder, never the user's file."""
    kind = not_regular(target)
    if kind:
        raise DataError(f"{shown} {kind}, not a file an output can replace; {fix}"
                        + (" (or '-' for standard output)" if fix == DEFAULT_FIX else ""))
    if runs_dir is not None and _same_file(target.parent, runs_dir) and is_stored_report(target):
        raise DataError(f"{shown} is a stored run report in the runs folder ({os.fspath(runs_dir)}); "
                        f"it was not replaced; {fix}")
    if not is_own_output(target):
        raise DataError(f"{shown} exists and is not a seqlen-tui JSON output; it was not "
                        f"replaced; {fix}")


def is_own_output(path: str | os.PathLike) -> bool:
    """True for an empty file or a JSON object with every :data:`OUR_MARKERS` key."""
    try:
        if os.path.getsize(path) == 0:
            return True
    except OSError:
        return False
    return _own_document(path) is not None


def is_stored_report(path: str | os.PathLike) -> bool:
    """A run report as ``run`` and ``batch`` store them (not an ``analyze`` output)."""
    document = _own_document(path)
    return document is not None and all(key in document for key in ("leaderboard", "data_sha256", "created_at"))


def _own_document(path: str | os.PathLike) -> dict | None:
    """The file's JSON object if it is one of our outputs, else None (read only when small
    enough and starting like an object, so a large CSV is not parsed to be recognised)."""
    try:
        if os.path.getsize(path) > _LARGEST_OWN_OUTPUT:
            return None
        with open(path, "rb") as handle:
            if not handle.read(4096).lstrip().startswith(b"{"):
                return None
            handle.seek(0)
            document = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    if isinstance(document, dict) and all(key in document for key in OUR_MARKERS):
        return document
    return None


def write_output(path: str | os.PathLike, text: str, *, inputs: Iterable[str | os.PathLike] = (),
                 settings: str | os.PathLike | None = None, fix: str = DEFAULT_FIX,
                 runs_dir: str | os.PathLike | None = None) -> Path:
    """Check ``path`` (:func:`check_output_path`, again: the file system may have changed
    since the run started) and write ``text`` there whole or not at all; the path written."""
    target = check_output_path(path, inputs=inputs, settings=settings, fix=fix, runs_dir=runs_dir)
    from .settings import write_temp

    temp = None
    try:
        temp = write_temp(target, text.encode("utf-8"), _mode_for(target), None)
        os.replace(temp, target)
    except OSError as exc:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        raise DataError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}; {fix}") from None
    return target


def _same_file(target: Path, other: str | os.PathLike) -> bool:
    """One file under two names: the same real path, or (hard links) the same inode."""
    other_real = os.path.realpath(os.path.expanduser(os.fspath(other)))
    if os.path.normcase(str(target)) == os.path.normcase(other_real):
        return True
    try:
        return os.path.samefile(target, other_real)
    except OSError:  # either one does not exist (yet): no inode to share
        return False


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or a new file's (0o666 less the umask), since
    ``mkstemp`` creates its file private (0o600)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        from .settings import process_umask

        return 0o666 & ~process_umask()
