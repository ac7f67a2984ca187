"""Read and update the user's ``settings.json`` without ever losing what was in it.

The file belongs to the user's training code (it reads ``<ASSET>_SL`` from it), and it holds
their other keys too, so this module only ever changes one key and keeps everything else:
other keys, their order, the file mode, a symlink pointing at the real file, and every byte
the user wrote. A save edits the text (:mod:`json_edit`), never re-serialises it: a round trip
through ``json`` would turn ``1e400`` into ``Infinity`` (refused by strict parsers such as
Node's), shorten long decimals, and reformat the whole file. The diff of a save is the key's
line, or one inserted line; the edited text is parsed again before it is written.

A save is safe against the three ways such a file usually gets damaged:

* a crash mid-write: we write a temp file in the same folder, fsync it and ``os.replace`` it
  over the original, so readers see either the old file or the new one, never half of each;
* two tools saving at once: an exclusive ``filelock`` on ``<name>.lock`` next to the file,
  inside which we re-read the file, so each writer keeps the key the other just wrote.
  It is an OS lock (flock), so a killed process never leaves a stale lock behind;
* a file we cannot parse: we refuse and leave it byte-identical instead of "repairing" it.
  So are files ``json`` cannot read safely: nested past 200 levels (RecursionError) or
  holding a lone surrogate escape (``"\\ud800"``, which fails when printed or written).

A hard-linked file (link count > 1) is written through in place instead of renamed over, so
every name shows the new value: ``.bak`` and a durable temp copy first, then overwrite,
truncate and fsync, under the ``.lock`` and an flock on the file itself (the other names
have their own ``.lock``). A failed write puts the old bytes back.

The previous contents are kept in ``<name>.bak`` so a user can undo a save by hand.
A zero-byte (or whitespace-only) file counts as ``{}``: it is what ``touch settings.json``
makes, holds nothing to lose, and its bytes still go to ``.bak``.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import numbers
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from seqlen_tui.core import json_edit
from seqlen_tui.core.errors import SettingsError
from seqlen_tui.core.filekind import not_regular

try:
    import fcntl
except ImportError:  # Windows: the .lock file is the only lock
    fcntl = None  # type: ignore[assignment]

ENV_VAR = "SEQLEN_SETTINGS"
DEFAULT_NAME = "settings.json"
TOOL_BLOCK = "seqlen_tui"
_FIX = "fix or move it; it was not changed"
# Pandas reads these transparently, so "BTC-USD.csv.gz" is still the asset "BTC-USD".
_COMPRESSION_SUFFIXES = {".gz", ".bz2", ".xz", ".zip", ".zst", ".tar"}


#: Letters that NFKD does not decompose into an ASCII base letter plus marks, spelled the way
#: they are usually written in ASCII (German, Nordic, Polish, Icelandic, ... place names).
_ASCII_SPELLINGS = str.maketrans({
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH",
    "ħ": "h", "Ħ": "H", "ı": "i", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "NG", "ĸ": "k",
})
KEY_CHARACTERS = "A-Z, 0-9 and _"


def settings_key(asset: str) -> str:
    """``BTC-USD`` -> ``BTC_USD_SL``, ``Zürich`` -> ``ZURICH_SL``: a name the user's code can also
    use as an identifier, so keys hold only A-Z, 0-9 and ``_``.

    Accented letters count as their base letter (NFKD splits ``é`` into ``e`` and a mark, which
    is dropped; full-width ``Ｎ`` becomes ``N``), so ``é`` and ``e`` name one key. Anything else
    (``-``, ``日本``) separates words; a name with nothing left is refused, saying what may be used.
    """
    decomposed = unicodedata.normalize("NFKD", asset.translate(_ASCII_SPELLINGS))
    base_letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    cleaned = re.sub(r"[^A-Z0-9_]+", "_", base_letters.translate(_ASCII_SPELLINGS).upper()).strip("_")
    if not cleaned:
        shown = ascii(asset) if not asset.isprintable() else repr(asset)
        raise SettingsError(
            f"cannot make a settings key from the asset name {shown}: a key may hold only "
            f"{KEY_CHARACTERS} (accented letters count as their base letter, é as E); "
            "name the asset with some of them, e.g. «asset» NIKKEI"
        )
    return f"{cleaned}_SL"


def asset_from_path(path: str | os.PathLike[str]) -> str:
    """The asset name a data file implies: its stem, ignoring a compression suffix."""
    p = Path(path)
    if p.suffix.lower() in _COMPRESSION_SUFFIXES:
        p = Path(p.stem)
    return p.stem


def resolve_settings_path(
    explicit: str | os.PathLike[str] | None,
    environ: Mapping[str, str] = os.environ,
) -> Path:
    """The path asked for (``explicit``) beats ``$SEQLEN_SETTINGS`` beats ``./settings.json``.

    A directory means ``settings.json`` inside it, because the original article's users keep
    the file in their project folder (their ``home`` key): ``~/myproject`` works.
    Symlinks are not resolved here, so messages show the path the user gave.
    """
    raw = explicit if explicit not in (None, "") else environ.get(ENV_VAR) or DEFAULT_NAME
    path = Path(os.path.expanduser(os.fspath(raw)))
    if not path.is_absolute():
        path = Path.cwd() / path
    return path / DEFAULT_NAME if path.is_dir() else path


class SettingsStore:
    """One settings file: read it, read the tool's defaults from it, save one lag into it."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"SettingsStore({str(self.path)!r})"

    # -- reading ----------------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        """The file's top-level object in file order; ``{}`` if the file does not exist."""
        return _parse(self.path, self._read_bytes(self.path))

    def current_value(self, key: str) -> Any | None:
        return self.read().get(key)

    def tool_defaults(self) -> dict[str, Any]:
        """The optional ``"seqlen_tui": {...}`` block, where users keep their usual options."""
        block = self.read().get(TOOL_BLOCK)
        if block is None:
            return {}
        if not isinstance(block, dict):
            raise SettingsError(
                f'"{TOOL_BLOCK}" in {self.path} must be an object like {{"max_lag": 200}}, '
                f"not {_json_type(block)}; {_FIX}"
            )
        return block

    # -- writing ----------------------------------------------------------------------------

    def check_writable(self) -> Path:
        """The real file a save would write, or a :class:`SettingsError` saying why it cannot
        be written — checked before any work, so a run never trains to be refused at the end.

        A file whose mode bits deny writing is refused even for root (``os.access`` says yes
        to root): a user who marks the file read-only means "don't write it", and replacing
        it by a rename would do just that.
        """
        target = Path(os.path.realpath(self.path))
        folder = target.parent
        if not folder.is_dir():
            raise SettingsError(f"folder {folder} does not exist; create it or pass «settings»")
        if not os.access(folder, os.W_OK):
            raise SettingsError(
                f"folder {folder} is read-only, so {target.name} cannot be saved safely; "
                f"make it writable or pass «settings»; {target} was not changed"
            )
        raw = self._read_bytes(target)  # not a regular file, or unreadable: refused here
        if raw is not None:
            mode = target.stat().st_mode
            if not mode & 0o222 or not os.access(target, os.W_OK):
                raise SettingsError(
                    f"settings file {target} is read-only (mode {mode & 0o777:o}); make it "
                    f"writable (chmod u+w) to save into it, or pass «settings»; it was not changed")
            _parse(target, raw)  # a file we could not merge into is refused now, not after a run
        return target

    def save_lag(self, key: str, lag: int) -> Path:
        """Store ``lag`` under ``key`` as a plain int and return the file actually written."""
        if isinstance(lag, bool) or not isinstance(lag, numbers.Integral) or lag < 1:
            raise ValueError(f"the sequence length must be a positive integer, got {lag!r}")
        return self.update({key: int(lag)})  # int(): numpy ints are not JSON-serialisable

    def update(self, values: Mapping[str, Any]) -> Path:
        """Set ``values`` and keep every other key; existing keys keep their position.

        Returns the real file written: a symlinked settings file is updated at its target and
        the link stays, since the user made it on purpose (e.g. to share one file).
        """
        for key in values:
            if not isinstance(key, str) or not key:
                raise ValueError(f"settings keys must be non-empty strings, got {key!r}")
        try:  # fail on unserialisable values before touching anything; never write NaN/Infinity
            json.dumps(dict(values), ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"cannot store these values as JSON: {exc}") from exc

        target = self.check_writable()
        lock = FileLock(target.with_name(target.name + ".lock"), timeout=self.lock_timeout)
        try:
            lock.acquire()
        except Timeout:
            raise SettingsError(
                f"another seqlen-tui is saving to {target} (waited {self.lock_timeout:g} s "
                f"for {lock.lock_file}); let it finish and try again"
            ) from None
        except OSError as exc:  # the lock file itself could not be created or opened
            raise SettingsError(
                f"cannot use the lock file {lock.lock_file}: {_reason(exc)}; remove or fix it, "
                f"or pass «settings»; {target} was not changed"
            ) from exc
        try:
            with self._inode_lock(target):
                self._write_locked(target, values)
        finally:
            lock.release()
        return target

    @contextlib.contextmanager
    def _inode_lock(self, target: Path) -> Iterator[None]:
        """Also lock a hard-linked file itself: its other names have other ``.lock`` files.

        A hard-linked file is written in place (its inode stays), so an flock on it serialises
        the saves made through every name; a file with one name needs only the ``.lock``.
        """
        try:
            fd = os.open(target, os.O_RDONLY) if target.stat().st_nlink > 1 else None
        except OSError:  # absent (nothing to share yet) or unreadable (the read will say so)
            fd = None
        if fd is None or fcntl is None:
            if fd is not None:
                os.close(fd)
            yield
            return
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise SettingsError(
                            f"another seqlen-tui is saving to {target} through another of its names "
                            f"(waited {self.lock_timeout:g} s); let it finish and try again") from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # releases the flock

    def _write_locked(self, target: Path, values: Mapping[str, Any]) -> None:
        # Re-read under the lock: what we read before may be stale if another writer just saved.
        old_bytes = self._read_bytes(target)
        new_bytes = _edited(target, old_bytes, values)

        _remove_leftovers(target)
        try:
            old_stat = target.stat() if old_bytes is not None else None
            mode = old_stat.st_mode & 0o7777 if old_stat else 0o666 & ~process_umask()
            if old_stat is not None and old_stat.st_nlink > 1:
                _write_through(target, new_bytes, old_bytes, mode, old_stat)
                _fsync_dir(target.parent)
                return
            tmp = write_temp(target, new_bytes, mode, old_stat)
            bak_tmp = None
            try:
                if old_bytes is not None:
                    bak = target.with_name(target.name + ".bak")
                    bak_tmp = write_temp(bak, old_bytes, mode, old_stat)
                    os.replace(bak_tmp, bak)
                    bak_tmp = None
                os.replace(tmp, target)
            except BaseException:
                _unlink_quietly(tmp)
                if bak_tmp is not None:
                    _unlink_quietly(bak_tmp)
                raise
        except OSError as exc:
            raise SettingsError(f"could not save {target}: {_reason(exc)}; it was not changed") from exc
        _fsync_dir(target.parent)

    @staticmethod
    def _read_bytes(path: Path) -> bytes | None:
        kind = not_regular(path)
        if kind:  # a FIFO would block the read (and a later save) forever
            raise SettingsError(f"settings file {path} {kind}, not a regular file; point «settings» "
                                "at a JSON file")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SettingsError(f"cannot read settings file {path}: {_reason(exc)}") from exc


def _parse(path: Path, raw: bytes | None) -> dict[str, Any]:
    """Parse strictly: anything but a JSON object is refused, naming where the problem is."""
    if raw is None:
        return {}
    return _parse_text(path, _decode(path, raw)[1])


def _decode(path: Path, raw: bytes) -> tuple[bytes, str]:
    """``(bom, text)``: the BOM Windows editors add is tolerated, and kept by a save."""
    bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
    try:
        return bom, raw[len(bom):].decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: len(bom) + exc.start].count(b"\n") + 1
        raise SettingsError(f"settings file {path} is not UTF-8 text (line {line}); {_FIX}") from None


def _parse_text(path: Path, text: str, parse_constant: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """The object in ``text`` (``{}`` when blank), or a :class:`SettingsError` naming the problem.

    Refused besides invalid JSON: nesting past :data:`json_edit.MAX_DEPTH` (``json.loads`` would
    recurse until RecursionError) and lone surrogate escapes such as ``"\\ud800"`` (Python reads
    them, but they are not Unicode text: printing or saving them fails later, far from the cause).
    """
    if not text.strip():
        return {}
    try:
        json_edit.check_depth(text)
        data = json.loads(text, parse_constant=parse_constant)
    except json_edit.JsonEditError as exc:
        raise SettingsError(f"settings file {path} is {exc}; {_FIX}") from None
    except RecursionError:  # only if the caller's own stack was already deep
        raise SettingsError(f"settings file {path} is nested too deep; {_FIX}") from None
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"settings file {path} is not valid JSON: {exc.msg} at line {exc.lineno} "
            f"column {exc.colno}; {_FIX}"
        ) from None
    if not isinstance(data, dict):
        start = len(text) - len(text.lstrip())
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        raise SettingsError(
            f"settings file {path} must hold a JSON object ({{...}}) but holds "
            f"{_json_type(data)} at line {line} column {col}; {_FIX}"
        )
    where = _lone_surrogate(data)
    if where:
        raise SettingsError(
            f"settings file {path} holds a lone surrogate (a \\ud800-\\udfff escape without its "
            f"pair, not Unicode text) in {where}; {_FIX}"
        )
    return data


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(data: dict[str, Any]) -> str | None:
    """Where the first string holding a lone surrogate is (``"a" > item 2``), or None.

    ``json`` joins a valid ``\\ud83d\\ude00`` pair into one character, so any surrogate left in
    a decoded string is unpaired. Walked with an explicit stack: the depth is already bounded,
    but a loop needs no recursion limit at all.
    """
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return where
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if _SURROGATE.search(key):
                    return f"a key ({ascii(key)}) {'in ' + where if where else 'at the top level'}"
                stack.append((item, f"{where} > {_quoted(key)}" if where else _quoted(key)))
        elif isinstance(value, list):
            stack.extend((item, f"{where} > item {index + 1}") for index, item in reversed(list(enumerate(value))))
    return None


def _quoted(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _edited(path: Path, raw: bytes | None, values: Mapping[str, Any]) -> bytes:
    """The file's new bytes: ``values`` set in its text, every other byte as the user wrote it.

    The result is verified before anyone writes it: it must parse, hold exactly the old object
    with ``values`` set, and use no NaN/Infinity literal beyond those the user already had
    (Python's json writes them, strict parsers such as Node's refuse them).
    """
    bom, text = _decode(path, raw) if raw is not None else (b"", "")
    old_constants: list[str] = []
    old = _parse_text(path, text, parse_constant=_counting(old_constants))
    for key, value in values.items():
        text = json_edit.set_member(text, key, json.dumps(value, ensure_ascii=False, allow_nan=False))
    new_constants: list[str] = []
    try:
        new = json.loads(text, parse_constant=_counting(new_constants))
    except ValueError as exc:  # a defect of json_edit, never the user's file
        raise SettingsError(f"could not save {path}: the edited text does not parse ({exc}); "
                            "it was not changed") from None
    expected = {**old, **values}
    if (len(new_constants) > len(old_constants) or json.dumps(new) != json.dumps(expected)
            or any(type(new[key]) is not type(value) for key, value in values.items())):
        raise SettingsError(f"could not save {path}: the edited text does not read back as "
                            "intended; it was not changed")
    return bom + text.encode("utf-8")


def _counting(seen: list[str]) -> Callable[[str], float]:
    """A ``parse_constant`` that reads NaN/Infinity as Python does and counts them."""
    def read(name: str) -> float:
        seen.append(name)
        return float(name)
    return read


def _write_through(target: Path, new_bytes: bytes, old_bytes: bytes, mode: int, old_stat: os.stat_result) -> None:
    """Save a hard-linked file in place, so every name of it shows the new value.

    A rename would give this name a new inode and leave the other names on the old one, with
    the old value, without a word; a hard link is as deliberate as a symlink, so it is kept.
    The price is atomicity, so: the old bytes go to ``.bak`` first and a durable temp copy of
    the new ones is written, then the file is overwritten, truncated and fsynced under the lock.
    If that write fails, the old bytes are put back; only if that fails too does the message
    point at the ``.bak``.
    """
    bak = target.with_name(target.name + ".bak")
    bak_tmp = write_temp(bak, old_bytes, mode, old_stat)
    try:
        os.replace(bak_tmp, bak)
    except BaseException:
        _unlink_quietly(bak_tmp)
        raise
    copy = write_temp(target, new_bytes, mode, old_stat)  # the new text, safe on disk meanwhile
    try:
        fd = os.open(target, os.O_WRONLY)
        try:
            try:
                _overwrite(fd, new_bytes)
            except OSError as exc:
                try:
                    _overwrite(fd, old_bytes)
                except OSError:
                    raise SettingsError(
                        f"could not save {target}: {_reason(exc)}; it may be damaged: its previous "
                        f"contents are in {bak}, copy them back") from exc
                raise
        finally:
            os.close(fd)
    finally:
        _unlink_quietly(copy)


def _overwrite(fd: int, payload: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]
    os.ftruncate(fd, len(payload))
    os.fsync(fd)


def _remove_leftovers(target: Path) -> None:
    """Temp files of this settings file that a killed save left behind (``kill -9`` mid-write,
    a full disk): called under the file's lock, so none of them belongs to a save in progress,
    and only names of :func:`write_temp`'s own pattern for this file are touched."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}(\.bak)?\.[A-Za-z0-9_]{{8}}\.tmp$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if pattern.match(name):
            _unlink_quietly(str(target.parent / name))


def write_temp(beside: Path, payload: bytes, mode: int, like: os.stat_result | None) -> str:
    """Write ``payload`` durably to a temp file in ``beside``'s folder, ready for os.replace.

    Same folder, because os.replace is only atomic within one filesystem.
    """
    fd, tmp = tempfile.mkstemp(dir=beside.parent, prefix=f".{beside.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if like is not None and hasattr(os, "chown") and (like.st_uid, like.st_gid) != _owner(tmp):
            try:  # e.g. run with sudo: keep the file the user's; only root may do this
                os.chown(tmp, like.st_uid, like.st_gid)
            except OSError:
                pass
        os.chmod(tmp, mode)  # after chown, which may clear setuid/setgid bits
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _owner(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_uid, st.st_gid


def process_umask() -> int:
    """The process umask, read without changing it where possible (os.umask is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; best effort, since not every OS/filesystem allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false",
             type(None): "null", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)
