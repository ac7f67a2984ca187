"""Find a file's time column and read it as its writer meant.

Exports write time in many ways (ISO text, day-first or month-first dates, a date and a clock
column, epoch numbers, YYYYMMDD integers, typed Parquet timestamps), and a wrong reading is
worse than none: it reorders rows or changes the clock, silently.  So every reading here is
vectorised (formats are tried on a sample, then run over the whole column) and anything that
could be read two ways is either decided by evidence or refused with an example of each way.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

__all__ = ["TIME_NAMES", "MixedDateOrder", "as_ns", "epoch", "is_number_dtype", "is_unnamed",
           "normalised_name", "parse_strings", "pick_time", "refuse_mixed_day_order", "spread",
           "to_datetime"]

TIME_NAMES = ("datetime", "timestamp", "date", "time", "ds")  # normalised names, best first
_CLOCK = r"^\s*\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*$"
_NS_LO, _NS_HI = np.datetime64("1677-09-22", "us"), np.datetime64("2262-04-10", "us")


def normalised_name(name: str) -> str:
    """``"Adj Close"`` → ``"adjclose"``: column names compared the way a person reads them."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_unnamed(name: str) -> bool:
    """A column pandas named itself (a written-out index), not one the user named."""
    return name in ("", "index", "level_0") or bool(re.fullmatch(r"Unnamed: \d+", name))


def spread(s: pd.Series, k: int = 2000) -> pd.Series:
    """An evenly spaced sample: classifying columns on it keeps 1M-row files fast."""
    return s if len(s) <= k else s.iloc[np.linspace(0, len(s) - 1, k).astype(int)]


def is_number_dtype(s: pd.Series) -> bool:
    """Numbers stored as numbers (not booleans, not durations)."""
    return is_numeric_dtype(s.dtype) and not is_bool_dtype(s.dtype) and s.dtype.kind != "m"


def _floats(s: pd.Series) -> np.ndarray:
    out = pd.to_numeric(s, errors="coerce")
    return np.asarray(out.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def _looks_numeric(s: pd.Series) -> bool:
    """Text that is mostly numbers: a value column, not a date column."""
    if is_number_dtype(s):
        return bool(s.notna().any())
    if is_bool_dtype(s.dtype) or is_datetime64_any_dtype(s.dtype):
        return False
    sample = spread(s.dropna()).astype(str).str.strip()
    sample = sample[sample != ""]
    try:
        return bool(len(sample)) and pd.to_numeric(sample, errors="coerce").notna().mean() > 0.5
    except (TypeError, ValueError):
        return False


def parse_strings(s: pd.Series, dayfirst: bool = False) -> pd.Series:
    """Parse date strings to UTC with the format that wins on a sample; per-element only for the rest.

    ISO and inferred formats run in compiled code; ``format="mixed"`` calls dateutil per element
    (far slower on a million rows), so it only sees the strings the fast pass could not read.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Could not infer format", dayfirst hints

        def parse(x: pd.Series, fmt: str | None) -> pd.Series | None:
            try:
                return pd.to_datetime(x, errors="coerce", utc=True, format=fmt, dayfirst=dayfirst)
            except (ValueError, TypeError, OverflowError):
                return None

        probe = spread(s.dropna(), 500)
        scores = {fmt: (-1 if (r := parse(probe, fmt)) is None else int(r.notna().sum()))
                  for fmt in ("ISO8601", None)}
        best = parse(s, max(scores, key=scores.get)) if max(scores.values()) > 0 else None
        if best is None:
            best = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us, UTC]")
        rest = best.isna() & s.notna()
        if rest.any() and (r := parse(s[rest], "mixed")) is not None:
            best = best.copy()
            best[rest] = r
        return best


def epoch(s: pd.Series) -> pd.Series | None:
    """Numbers in a time column: YYYYMMDD, or epoch seconds/ms/us/ns chosen by magnitude."""
    v = _floats(s)
    fin = v[np.isfinite(v)]
    if not fin.size:
        return None
    if np.all(fin == np.round(fin)) and fin.min() >= 19000101 and fin.max() <= 21001231:
        txt = pd.Series(np.where(np.isfinite(v), v, np.nan)).round().astype("Int64").astype(str)
        return pd.to_datetime(txt, format="%Y%m%d", errors="coerce")
    med = float(np.median(np.abs(fin)))
    for unit, lo in (("s", 1e8), ("ms", 1e11), ("us", 1e14), ("ns", 1e17)):
        if lo <= med < lo * 73:  # 1973 .. ~2200 in that unit
            v = np.where(np.isfinite(v) & (np.abs(v) < lo * 1000), v, np.nan)
            return pd.to_datetime(pd.Series(v), unit=unit, errors="coerce")
    return None


class MixedDateOrder(ValueError):
    """A text date column with day-first rows and month-first rows: any reading swaps some."""


def refuse_mixed_day_order(txt: pd.Series) -> None:
    """``13/01/2024`` can only be day/month and ``01/13/2024`` only month/day: a column with
    both would have its ambiguous rows (day ≤ 12) read one way, silently swapping some dates,
    so it is refused with an example of each."""
    fields = txt.dropna().str.extract(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})\b").astype(float)
    day_first, month_first = fields[0] > 12, fields[1] > 12
    if day_first.any() and month_first.any():
        a, b = txt.loc[day_first[day_first].index[0]], txt.loc[month_first[month_first].index[0]]
        raise MixedDateOrder(f"mixes day-first and month-first dates ({a!r} can only be day/month, "
                             f"{b!r} only month/day), so some dates would be read swapped; export one "
                             "date format (ISO, e.g. 2024-01-31, is safest)")


def to_datetime(s: pd.Series, allow_numbers: bool) -> pd.Series | None:
    """One column as naive UTC datetimes (NaT where unreadable), or None if it is no time column."""
    if is_datetime64_any_dtype(s.dtype):
        r = s
    elif is_bool_dtype(s.dtype):
        return None
    elif is_number_dtype(s):
        r = epoch(s) if allow_numbers else None
    else:
        txt = s.where(s.isna(), s.astype(str).str.strip())
        sample = spread(txt.dropna())
        m = sample.str.extract(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})\b").astype(float)
        # 13/01/2024 proves day-first; dotted dates (01.02.2024) are day-first by convention.
        dotted = bool(len(m)) and sample.str.match(r"^\d{1,2}\.\d{1,2}\.").mean() > 0.5
        dayfirst = bool(((m[0] > 12).any() or dotted) and not (m[1] > 12).any())
        if len(m):
            refuse_mixed_day_order(txt)
        if len(m) and (m[2] >= 1000).mean() > 0.5:  # D/M/YYYY or M/D/YYYY: rewrite to ISO, 5x faster
            txt = txt.str.replace(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})",
                                  r"\3-\2-\1" if dayfirst else r"\3-\1-\2", regex=True)
        r = parse_strings(txt, dayfirst)
    if r is None:
        return None
    if getattr(r.dt, "tz", None) is not None:
        r = r.dt.tz_convert("UTC").dt.tz_localize(None)
    return r


def as_ns(r: pd.Series) -> np.ndarray:
    """datetime64[ns] (what callers expect; pandas 3 defaults to us), out-of-range -> NaT."""
    a = r.to_numpy(dtype="datetime64[us]")
    a = np.where((a < _NS_LO) | (a > _NS_HI), np.datetime64("NaT", "us"), a)
    return a.astype("datetime64[ns]")


def pick_time(df: pd.DataFrame, looks_numeric: Callable[[pd.Series], bool] = _looks_numeric,
              ) -> tuple[str | None, list[str], np.ndarray | None]:
    """Find the time column: by name, then an unnamed first column, then any date-like text.

    ``looks_numeric`` is the loader's own test for a value column, so text columns it reads as
    numbers are never mistaken for dates.
    """
    cols = list(df.columns)
    norm = {c: normalised_name(c) for c in cols}
    by_name = sorted((c for c in cols if norm[c] in TIME_NAMES), key=lambda c: TIME_NAMES.index(norm[c]))
    dates = [c for c in cols if norm[c] == "date"]
    times = [c for c in cols if norm[c] == "time" and not is_number_dtype(df[c])]
    if dates and times and spread(df[times[0]].dropna()).astype(str).str.match(_CLOCK).mean() > 0.8:
        joined = df[dates[0]].astype(str).str.strip() + " " + df[times[0]].astype(str).str.strip()
        r = to_datetime(joined.where(df[dates[0]].notna() & df[times[0]].notna()), False)
        if r is not None and r.notna().mean() > 0.5:  # MetaTrader-style separate date and time
            return f"{dates[0]}+{times[0]}", [dates[0], times[0]], as_ns(r)
    typed = [c for c in cols if is_datetime64_any_dtype(df[c].dtype)]
    named = [c for c in cols if c not in by_name and ("date" in norm[c] or "time" in norm[c])]
    unnamed = [cols[0]] if is_unnamed(cols[0]) else []
    others = [c for c in cols if not is_number_dtype(df[c]) and not looks_numeric(df[c])
              and spread(df[c].dropna()).astype(str).str.contains(r"\d").mean() > 0.9]
    seen: set[str] = set()
    for group, need, numbers in ((typed, 0.5, False), (by_name, 0.5, True), (named, 0.5, True),
                                 (unnamed, 0.5, False), (others, 0.9, False)):
        for c in group:
            if c in seen:
                continue
            seen.add(c)
            s = df[c]
            try:
                probe = to_datetime(spread(s.dropna()), numbers)
                if probe is None or len(probe) == 0 or probe.notna().mean() < need:
                    continue
                full = to_datetime(s, numbers)
            except MixedDateOrder as exc:
                raise MixedDateOrder(f"column '{c}' {exc}") from None
            if full is not None:
                return c, [c], as_ns(full)
    return None, [], None
