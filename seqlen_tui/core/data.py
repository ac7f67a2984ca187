"""Load one price/demand series from a CSV or Parquet file, and say what its clock is.

Users hand us whatever their broker, exchange or grid operator exported, so the loader guesses
the delimiter, the time column and the value column the way a person would, cleans the rows a
model cannot use (and counts them, so nothing disappears silently), and turns every failure into
one :class:`DataError` whose one-line message names the problem *and* the fix.  The clock of
the cleaned timestamps (frequency and natural periods) comes from :mod:`.frequency`.
Everything is vectorised (no loops over rows) so a million-row file loads in about a second.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import warnings
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import file_error as _err
from .filekind import broken_link, not_regular
from .frequency import FrequencyInfo, infer_frequency
from .numbers_text import count_unreadable, refuse_unreadable
from .numbers_text import read_formatted_numbers as _read_formatted_numbers
from .read_limits import check_parquet, check_text
from .timestamps import TIME_NAMES as _TIME_NAMES
from .timestamps import TimeColumnError, pick_time
from .timestamps import is_number_dtype as _num_dtype
from .timestamps import is_unnamed as _is_unnamed
from .timestamps import looks_numeric as _is_numeric
from .timestamps import normalised_name as _norm
from .timestamps import parse_strings as _parse_strings
from .timestamps import spread as _spread

__all__ = ["DataSummary", "FrequencyInfo", "Series", "infer_frequency", "list_numeric_columns",
           "load_series"]

#: Values larger than this (or smaller, but not zero, than its inverse) are refused: squared
#: errors of 1e154 overflow, and differences of ±1.7e308 already do.
MAX_MAGNITUDE = 1e100
_SAMPLE_BYTES = 64 * 1024
_NA_TOKENS = ["-", "--", "?", ".", "none", "None", "NONE", "null", "Null", "n/a", "N/A", "#N/A", "nan"]
_VALUE_NAMES = ("close", "adjclose", "price", "value")  # priority order; adjclose only without close
_MAGIC = {
    b"\x89PNG": "a PNG image", b"GIF8": "a GIF image", b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive or Excel workbook (save the sheet as CSV)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file (save the sheet as CSV)",
}


@dataclass(frozen=True)
class DataSummary:
    """What was read and what was used, so reports can say exactly which points were analysed.

    ``time_column`` is ``"Date+Time"`` when separate date and clock-time columns were joined.
    """

    path: str
    column: str
    time_column: str | None
    numeric_columns: tuple[str, ...]
    n_rows: int
    n: int
    first: str | None
    last: str | None
    frequency: FrequencyInfo
    dropped: dict[str, int]
    #: How values were read when they were not plain numbers (thousands separators, …).
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"path": self.path, "column": self.column, "time_column": self.time_column,
                "numeric_columns": list(self.numeric_columns), "n_rows": self.n_rows, "n": self.n,
                "first": self.first, "last": self.last, "frequency": self.frequency.to_dict(),
                "dropped": dict(self.dropped), "notes": list(self.notes)}


@dataclass(frozen=True, eq=False)
class Series:
    """Clean values in time order; arrays are read-only because one Series is shared by views."""

    values: np.ndarray
    timestamps: np.ndarray | None
    summary: DataSummary


def _short(exc: BaseException) -> str:
    """The library's own words, first line only, cut at a sentence or word boundary."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if len(text) <= 160:
        return text
    cut = text[:160]
    end = max(cut.rfind(". "), cut.rfind(": "))
    return cut[: end + 1] if end > 40 else cut.rsplit(" ", 1)[0] + " …"


# ----------------------------------------------------------------------------- reading


def _read_table(path) -> pd.DataFrame:
    """Read the file into a DataFrame of raw columns, or raise a DataError explaining why not.

    The steps run in the order a person would check: is there a regular file at all, can its
    first bytes be read (through gzip/bz2/xz), is it Parquet or text, and did it hold any rows.
    """
    name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else str(path)
    p = _regular_file(name)
    head, compression = _read_head(p, name)
    if not compression and (head.startswith(b"PAR1") or p.suffix.lower() in (".parquet", ".pq")):
        check_parquet(p, name)
        df = _read_formatted_numbers(_read_parquet(p, name), ",", name)  # text columns too
    else:
        df = _read_csv(p, name, head, compression)
    df.columns = [str(c).strip() for c in df.columns]
    _refuse_no_rows(df, name)
    return df


def _regular_file(name: str) -> Path:
    """``name`` as a Path when it is an existing regular file; otherwise a DataError saying what
    is there instead (nothing, a broken link, a folder, a pipe or device) and what to give."""
    try:
        p = Path(name)
        exists, is_dir = p.exists(), p.is_dir()
    except (OSError, ValueError) as e:
        raise _err(name, f"is not a usable path ({_short(e)}); check the file name") from None
    if not exists:
        link = broken_link(p)
        if link:
            raise _err(name, link)
        raise _err(name, "file not found; check the path and spelling")
    if is_dir:
        raise _err(name, "is a directory, not a file; give the path of a CSV or Parquet file")
    kind = not_regular(p)
    if kind:
        raise _err(name, f"{kind}, not a regular file; give the path of a CSV or Parquet file")
    return p


def _read_head(p: Path, name: str) -> tuple[bytes, str | None]:
    """The file's first bytes to sniff, and its compression (None for a plain file).

    A .csv.gz/.bz2/.xz export is recognised by its magic bytes, and the sample is the text
    inside it, so the delimiter and encoding are guessed from the table, not the archive.
    """
    try:
        with open(p, "rb") as fh:
            head = fh.read(_SAMPLE_BYTES)
        compression = next((kind for magic, kind in _COMPRESSED.items() if head.startswith(magic)), None)
        if compression:  # a .csv.gz/.bz2/.xz export: sniff the text inside, let pandas read it all
            head = _decompressed_head(p, compression, name)
    except PermissionError:
        raise _err(name, "permission denied; make the file readable (chmod u+r) or copy it") from None
    except OSError as e:
        raise _err(name, f"cannot be read ({_short(e)}); check the file") from None
    return head, compression


def _refuse_no_rows(df: pd.DataFrame, name: str) -> None:
    """A table without columns, or with a header and nothing under it, has nothing to analyse."""
    if df.shape[1] == 0:
        raise _err(name, "file is empty; export the data with a header row such as date,close")
    if len(df) == 0:
        raise _err(name, "has a header but no data rows; export the rows too, not just the header")


def _read_parquet(p: Path, name: str) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401  (pandas' own error would not say how to fix it)
    except ImportError:
        raise _err(name, "reading Parquet needs pyarrow: pip install pyarrow (or save it as CSV)") from None
    try:
        df = pd.read_parquet(p, engine="pyarrow")
    except Exception as e:  # pyarrow raises many types; all mean "not readable Parquet"
        raise _err(name, f"is not a readable Parquet file ({_short(e)}); "
                         "re-export it or save it as CSV") from None
    if not isinstance(df.index, pd.RangeIndex):  # pandas stores a DatetimeIndex as the index
        try:
            df = df.reset_index()
        except ValueError:  # index name clashes with a column: the column wins
            df = df.reset_index(drop=True)
    return df


def _decode_head(head: bytes, name: str, whole: bool) -> tuple[str, str]:
    """Return the sample as text and the encoding to read the whole file with.

    UTF-8 (with or without BOM) is the norm; UTF-16 only with a BOM, since without one it is
    indistinguishable from binary.  Text that is not UTF-8 but has no control bytes is almost
    always a Windows-1252/Latin-1 export, so it is read as Latin-1 instead of being refused.
    """
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise _err(name, f"is not a text table (looks like {what}); give a CSV or Parquet file")
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    elif b"\x00" in head:
        raise _err(name, "is binary, not a text table; give a UTF-8 CSV (comma, semicolon or tab) or Parquet")
    else:
        encoding = "utf-8-sig"
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
    except UnicodeDecodeError:
        if re.search(rb"[\x00-\x08\x0e-\x1f\x7f]", head):
            raise _err(name, "is binary or not UTF-8 text; re-save it as a UTF-8 CSV or Parquet") from None
        encoding, text = "latin-1", head.decode("latin-1")
    if len(re.findall(r"[\x00-\x08\x0e-\x1f\x7f]", text)) > 0.01 * max(len(text), 1):
        raise _err(name, "is binary, not a text table; give a UTF-8 CSV or Parquet file")
    if not text.strip():
        raise _err(name, "file is empty; export the data with a header row such as date,close")
    return text, encoding


def _sniff(text: str, whole: bool) -> tuple[str, int]:
    """Pick the delimiter that splits most sample lines into the same number (>1) of fields.

    Counting is more predictable than ``csv.Sniffer``, which guesses from character frequencies
    and can be misled, e.g. by decimal commas in a semicolon file.  Leading lines without the
    delimiter (an export's title line) are skipped.
    """
    lines = text.splitlines()
    if not whole:
        lines = lines[:-1] or lines  # the last sample line may be cut mid-way
    lines = lines[:200]
    best, best_score = ",", (0, 0)
    for sep in (",", ";", "\t", "|"):
        try:
            widths = Counter(len(r) for r in csv.reader(lines, delimiter=sep) if len(r) > 1)
        except csv.Error:
            continue
        if widths:
            width, hits = widths.most_common(1)[0]
            if (hits, width) > (best_score[0], best_score[1]):
                best, best_score = sep, (hits, width)
    skip = 0
    if best_score[0] > 1:
        while skip < len(lines) and best not in lines[skip]:
            skip += 1
    return best, skip


def _looks_like_data(names: list[str]) -> bool:
    """A header made only of numbers or dates means the file has no header row at all."""
    s = pd.Series(names, dtype=object)
    number = pd.to_numeric(s, errors="coerce").notna()
    return bool((number | (s.str.contains(r"\d") & _parse_strings(s).notna())).all())


_COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}


def _decompressed_head(p: Path, compression: str, name: str) -> bytes:
    import bz2
    import gzip
    import lzma
    import zlib

    opener = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}[compression]
    try:
        with opener(p, "rb") as fh:
            return fh.read(_SAMPLE_BYTES)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as e:
        raise _err(name, f"is {compression}-compressed but cannot be decompressed ({_short(e)}); "
                         "check the file") from None


def _read_csv(p: Path, name: str, head: bytes, compression: str | None = None) -> pd.DataFrame:
    text, encoding = _decode_head(head, name, whole=len(head) < _SAMPLE_BYTES)
    first = text.lstrip()[:1]
    if first in ("{", "["):
        raise _err(name, "looks like JSON, not a table; convert it to CSV with one column per field")
    if first == "<":
        raise _err(name, "looks like HTML/XML, not a table (a failed download?); give a CSV or Parquet file")
    sep, skip = _sniff(text, whole=len(head) < _SAMPLE_BYTES)
    check_text(p, compression, name, sep, skip)  # rows, columns and memory, before pandas parses
    kwargs = dict(sep=sep, encoding=encoding, engine="c", skiprows=skip, index_col=False,
                  na_values=_NA_TOKENS, skipinitialspace=True, low_memory=False, compression=compression)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = pd.read_csv(p, **kwargs)
            if len(df.columns) and _looks_like_data([str(c) for c in df.columns]):
                df = pd.read_csv(p, header=None, **kwargs)
                df.columns = [f"column{i + 1}" for i in range(df.shape[1])]
    except pd.errors.EmptyDataError:
        raise _err(name, "file is empty; export the data with a header row such as date,close") from None
    except pd.errors.ParserError as e:
        raise _err(name, f"is not a consistent table ({_short(e)}); check the delimiter and "
                         "remove title or footer lines") from None
    except UnicodeDecodeError:
        raise _err(name, "is not UTF-8 text past its first lines; re-save it as a UTF-8 CSV") from None
    except (ValueError, OSError, MemoryError, csv.Error, OverflowError, EOFError, zlib.error) as e:
        raise _err(name, f"could not be read as CSV ({_short(e)}); check the file format") from None
    return _read_formatted_numbers(df, sep, name)


# ----------------------------------------------------------------------------- columns


def _to_float(s: pd.Series) -> np.ndarray:
    try:
        out = pd.to_numeric(s, errors="coerce")
    except (TypeError, ValueError):
        out = pd.to_numeric(s.astype(str), errors="coerce")
    return np.asarray(out.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def _numeric_columns(df: pd.DataFrame, time_cols: list[str]) -> list[str]:
    """Numeric non-time columns, minus a written-out RangeIndex (``df.to_csv()`` leaves one).

    A numeric column *named* like a time column (``time`` = 0, 1, 2 ...) is a step counter, not
    a value, so it is left out too rather than making the value column ambiguous.
    """
    out = []
    for c in df.columns:
        if c in time_cols or _norm(c) in _TIME_NAMES or not _is_numeric(df[c]):
            continue
        if _is_unnamed(c) and _num_dtype(df[c]):
            v = _to_float(df[c])
            if np.all(np.isfinite(v)) and np.all(np.diff(v) == 1):
                continue
        out.append(c)
    return out


def _pick_value(name: str, df: pd.DataFrame, numeric: list[str], column: str | None,
                time_label: str | None) -> str:
    """The value column: the one the user named (checked), or else the one a person would take."""
    choices = ", ".join(numeric) or "none"
    if column is not None:
        return _named_value(name, df, numeric, column, time_label, choices)
    return _guessed_value(name, df, numeric, time_label, choices)


def _named_value(name: str, df: pd.DataFrame, numeric: list[str], column: str, time_label: str | None,
                 choices: str) -> str:
    """The column the user named with «column»: exact name first, else the one match ignoring
    case; refused, listing the choices, when it is missing, ambiguous, the time or not numbers."""
    col = str(column).strip()
    hits = [c for c in df.columns if c == col] or [c for c in df.columns if c.lower() == col.lower()]
    if not hits:
        raise _err(name, f"no column named '{col}'; choose one with «column» (choices: {choices})")
    if len(hits) > 1:
        raise _err(name, f"several columns match '{col}' ignoring case; "
                         "give the exact name with «column»")
    if time_label is not None and hits[0] in time_label.split("+"):
        raise _err(name, f"'{hits[0]}' is the time column; "
                         f"choose a value with «column» (choices: {choices})")
    if hits[0] not in numeric:
        raise _err(name, f"column '{hits[0]}' is not numeric; "
                         f"choose one with «column» (choices: {choices})")
    return hits[0]


def _guessed_value(name: str, df: pd.DataFrame, numeric: list[str], time_label: str | None,
                   choices: str) -> str:
    """Without «column»: the first numeric column named close, adjclose, price or value (in that
    priority), else the only numeric column; several unnamed candidates are refused, not guessed."""
    if not numeric:
        _refuse_no_numeric(name, df, time_label)
    norm = {c: _norm(c) for c in numeric}
    for wanted in _VALUE_NAMES:
        hits = [c for c in numeric if norm[c] == wanted]
        if hits:
            return hits[0]
    if len(numeric) == 1:
        return numeric[0]
    raise _err(name, f"ambiguous value column: choose one with «column» (choices: {choices})")


def _refuse_no_numeric(name: str, df: pd.DataFrame, time_label: str | None) -> None:
    """No column of numbers: a lone text column (a word list, a log) is no table at all; a real
    table is refused naming its columns."""
    if df.shape[1] == 1 or (df.shape[1] == 2 and time_label is None and _is_unnamed(df.columns[0])):
        raise _err(name, "does not look like a table (one column of text, no numbers); "
                         "expected a CSV with a header row such as date,close")
    cols = ", ".join(map(str, df.columns[:12]))
    raise _err(name, f"no numeric column (columns: {cols}); "
                     "the file needs a column of numbers such as close or value")


def _refuse_unread_value_column(name: str, df: pd.DataFrame, numeric: list[str], time_cols: list[str],
                                picked: str) -> None:
    """A column named like the value (close, price, …) that was passed over because too much of
    it is unreadable text is refused, naming it, rather than silently analysing another column
    (``volume``) in its place."""
    rank = {wanted: i for i, wanted in enumerate(_VALUE_NAMES)}
    picked_rank = rank.get(_norm(picked), len(_VALUE_NAMES))
    for c in df.columns:
        if c in numeric or c in time_cols or rank.get(_norm(c), len(_VALUE_NAMES)) >= picked_rank:
            continue
        unreadable = count_unreadable(df[c])
        text = _spread(df[c].dropna()).astype(str)
        if unreadable.count < unreadable.nonempty and text.str.contains(r"\d").mean() > 0.5:
            refuse_unreadable(name, c, unreadable)


# ----------------------------------------------------------------------------- cleaning


def _bound(value: str | None, flag: str, name: str) -> np.datetime64 | None:
    if value is None:
        return None
    try:
        t = pd.Timestamp(str(value).strip())
    except (ValueError, TypeError, OverflowError):
        t = pd.NaT
    if t is pd.NaT or pd.isna(t):
        raise _err(name, f"{flag} {value!r} is not a date or time; use e.g. 2024-01-31 or '2024-01-31 09:30'")
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    if flag == "«end»" and re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", str(value)):
        t = t + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")  # a bare end date includes that whole day
    return t.to_datetime64()


def _dropped_text(dropped: dict[str, int]) -> str:
    return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in dropped.items() if v) or "nothing"


def _clean(vals: np.ndarray, ts: np.ndarray | None, name: str, col: str, choices: str):
    """Drop unusable rows (counting each reason), sort by time, keep the last of repeated stamps.

    Unusable rows go first so a repeated timestamp keeps its last *usable* row; the last one
    wins because a re-export or a corrected bar usually comes later in the file.
    """
    dropped: dict[str, int] = {}
    keep = np.ones(vals.size, dtype=bool)
    if ts is not None:
        keep = ~np.isnat(ts)
        dropped["bad_timestamp"] = int((~keep).sum())
    for reason, mask in (("missing", np.isnan(vals)), ("infinite", np.isinf(vals))):
        dropped[reason] = int((mask & keep).sum())
        keep &= ~mask
    vals = vals[keep]
    if not vals.size:
        raise _err(name, f"column '{col}' has no usable values ({_dropped_text(dropped)}); fix the file "
                         f"or choose another column with «column» (choices: {choices})")
    if ts is None:
        return vals, None, dropped
    ts = ts[keep]
    order = np.argsort(ts, kind="stable")
    vals, ts = vals[order], ts[order]
    kept = np.r_[ts[1:] != ts[:-1], True]  # last row of each run of equal timestamps
    dropped["duplicate_timestamp"] = int((~kept).sum())
    run = np.cumsum(np.r_[True, kept[:-1]]) - 1  # each row's run, i.e. index of its kept row
    conflicting = int((vals[~kept] != vals[kept][run[~kept]]).sum())
    if conflicting * 2 >= ts.size:  # a "long" table of several series, not a few corrected bars
        raise _err(name, f"{conflicting} of {ts.size} rows repeat a timestamp with another value; the "
                         "file seems to hold several series (e.g. one per symbol): filter it to one series")
    return vals[kept], ts[kept], dropped


def _window(vals, ts, dropped, name, start, end, last):
    """Apply ``start``/``end`` (inclusive) and then ``last``, counting what each one removed."""
    lo, hi = _bound(start, "«start»", name), _bound(end, "«end»", name)
    if (lo is not None or hi is not None) and ts is None:
        raise _err(name, "«start»/«end» need a time column and none was found; use «last» instead")
    if lo is not None and hi is not None and lo > hi:
        raise _err(name, f"«start» {start} is after «end» {end}; swap them")
    if ts is not None and (lo is not None or hi is not None):
        span = f"{pd.Timestamp(ts[0]).isoformat()} to {pd.Timestamp(ts[-1]).isoformat()}"
        outside = {"before_start": ts < lo if lo is not None else None,
                   "after_end": ts > hi if hi is not None else None}
        inside = np.ones(ts.size, dtype=bool)
        for reason, mask in outside.items():
            if mask is not None:
                dropped[reason] = int(mask.sum())
                inside &= ~mask
        vals, ts = vals[inside], ts[inside]
        if not vals.size:
            raise _err(name, f"no points between «start» and «end» (the data covers {span}); widen the range")
    if last is not None and vals.size > last:
        dropped["before_last_n"] = int(vals.size - last)
        vals, ts = vals[-last:], (ts[-last:] if ts is not None else None)
    return vals, ts


def load_series(path, column: str | None = None, *, last: int | None = None, start: str | None = None,
                end: str | None = None, min_points: int = 30) -> Series:
    """Load, clean, order and window one series; raise DataError with a fix for anything unusable.

    The frequency is inferred from all clean points, before ``start``/``end``/``last``, because a short
    window (one day of 5-minute bars) cannot show a session or weekly pattern on its own.
    """
    name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else str(path)
    if last is not None and (isinstance(last, bool) or not isinstance(last, (int, np.integer)) or last < 1):
        raise _err(name, f"«last» must be a whole number of points >= 1 (got {last!r})")
    df = _read_table(path)
    notes = list(df.attrs.get("notes", []))
    try:
        time = pick_time(df, _is_numeric)
    except TimeColumnError as exc:
        raise _err(name, str(exc)) from None
    time_label, time_cols, ts = time.label, list(time.columns), time.timestamps
    numeric = _numeric_columns(df, time_cols)
    col = _pick_value(name, df, numeric, column, time_label)
    if column is None:
        _refuse_unread_value_column(name, df, numeric, time_cols, col)
    dropped_note = refuse_unreadable(name, col, df.attrs.get("unreadable", {}).get(col)
                                     or count_unreadable(df[col]))
    notes += [dropped_note] if dropped_note else []
    choices = ", ".join(numeric)
    vals, ts, dropped = _clean(_to_float(df[col]), ts, name, col, choices)
    if time.sentinels:  # NaT in the time column, but named for what they were (0, -1, …)
        dropped["bad_timestamp"] -= time.sentinels
        dropped["epoch_sentinel"] = time.sentinels
    frequency = infer_frequency(ts)
    vals, ts = _window(vals, ts, dropped, name, start, end, last)
    dropped = {k: v for k, v in dropped.items() if v}
    if vals.size < min_points:
        fix = ("raise «last»" if "before_last_n" in dropped else
               "widen «start»/«end»" if {"before_start", "after_end"} & dropped.keys() else
               "use a longer history")
        raise _err(name, f"only {vals.size} points after cleaning; at least {min_points} are needed "
                         f"(read {len(df)} rows of '{col}', dropped {_dropped_text(dropped)}); {fix}")
    largest = float(np.max(np.abs(vals)))
    if largest > MAX_MAGNITUDE or 0 < largest < 1 / MAX_MAGNITUDE:
        scale = f"divide it by 1e{int(np.log10(largest))}" if largest > 1 else \
            f"multiply it by 1e{-int(np.log10(largest))}"
        raise _err(name, f"column '{col}' has values of size {largest:.3g}: their changes and squared "
                         f"errors overflow (or vanish) in floating point; scale the series ({scale}) "
                         "and try again")
    if np.ptp(vals) == 0:
        raise _err(name, f"column '{col}' is constant ({vals.size} points all equal {vals[0]:g}); nothing "
                         f"to learn: choose another column with «column» (choices: {choices})")
    vals = np.ascontiguousarray(vals, dtype="float64")
    vals.flags.writeable = False
    if ts is not None:
        ts = np.ascontiguousarray(ts)
        ts.flags.writeable = False
    iso = (lambda i: pd.Timestamp(ts[i]).isoformat()) if ts is not None else (lambda i: None)
    summary = DataSummary(path=name, column=col, time_column=time_label, numeric_columns=tuple(numeric),
                          n_rows=len(df), n=int(vals.size), first=iso(0), last=iso(-1),
                          frequency=frequency, dropped=dropped,
                          notes=time.notes + tuple(note for note in notes if f"'{col}'" in note))
    return Series(values=vals, timestamps=ts, summary=summary)


def list_numeric_columns(path) -> tuple[str, ...]:
    """Numeric non-time columns for a column picker (empty when there are none)."""
    df = _read_table(path)
    try:
        time_cols = list(pick_time(df, _is_numeric).columns)
    except TimeColumnError as exc:
        raise _err(os.fspath(path), str(exc)) from None
    return tuple(_numeric_columns(df, time_cols))
