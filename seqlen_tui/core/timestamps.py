"""Find a file's time column and read it as its writer meant, or refuse it with an example.

Exports write time in many ways (ISO text, day-first or month-first dates, two-digit years,
zone abbreviations, a date and a clock column, epoch numbers with 0 or -1 for "unknown", Excel
serial numbers, plain years, YYYYMMDD integers, typed Parquet timestamps or durations), and a
wrong reading is worse than none: it reorders rows or changes the clock without a word.  So
anything that can be read two ways is decided by evidence in the file (a field above 12, the
file's own order, which reading gives a regular clock) or refused with an example of each way,
and every reading that is not plain ISO is said in a note the summary shows.

Everything is vectorised: formats are tried on a sample, then run over the whole column.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from .frequency import infer_frequency

__all__ = ["TIME_NAMES", "MixedDateOrder", "TimeColumn", "TimeColumnError", "as_ns", "epoch",
           "is_number_dtype", "is_unnamed", "looks_numeric", "normalised_name", "parse_strings", "pick_time",
           "refuse_mixed_day_order", "spread", "to_datetime"]

TIME_NAMES = ("datetime", "timestamp", "date", "time", "ds")  # normalised names, best first
#: Columns named so hold a number per row that is a time (plain years, Excel serial days).
_CALENDAR_NAMES = ("year", "years", "yr", "day")
_CLOCK = r"^\s*\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*$"
_NS_LO, _NS_HI = np.datetime64("1677-09-22", "us"), np.datetime64("2262-04-10", "us")
#: day, month, year (two or four digits) and whatever follows (a time of day, a zone).
_DMY = r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)(.*)$"
#: A reading is a regular clock when its frequency is regular *and* the points fill at least
#: this share of the steps between the first and the last: day-first monthly dates read
#: month-first are "daily" by their median spacing, but fill 12 of 365 days a year.
_MIN_COVERAGE = 0.1

#: UTC offsets of the zone abbreviations exports commonly write.  Deliberately small and
#: explicit: an abbreviation that is not here (or that names several zones) is refused by name.
ZONE_OFFSETS = {
    "UTC": "+00:00", "UT": "+00:00", "GMT": "+00:00", "Z": "+00:00", "WET": "+00:00",
    "BST": "+01:00", "WEST": "+01:00", "CET": "+01:00", "MET": "+01:00", "CEST": "+02:00",
    "MEST": "+02:00", "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00",
    "EST": "-05:00", "EDT": "-04:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00",
    "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
    "HKT": "+08:00", "SGT": "+08:00", "AWST": "+08:00", "JST": "+09:00", "KST": "+09:00",
    "ACST": "+09:30", "ACDT": "+10:30", "AEST": "+10:00", "AEDT": "+11:00",
    "NZST": "+12:00", "NZDT": "+13:00",
}
#: Abbreviations that name several zones: refused, naming the candidates.
_AMBIGUOUS_ZONES = {"CST": "US Central -06:00 or China +08:00", "IST": "India +05:30, Ireland +01:00 "
                    "or Israel +02:00", "AST": "Atlantic -04:00 or Arabia +03:00"}
_UTC_NAMES = {"UTC", "UT", "GMT", "Z"}
_ZONE = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?\s*\(?(Z|[A-Za-z]{2,5})\)?$"
_EXCEL_ORIGIN_DAYS = 25569.0  # 1970-01-01 as an Excel serial day (Excel counts from 1899-12-30)


class TimeColumnError(ValueError):
    """A time column that cannot be read one way only; the message names the column's values."""


class MixedDateOrder(TimeColumnError):
    """A text date column with day-first rows and month-first rows: any reading swaps some."""


@dataclass
class _Said:
    """What a reading tells the summary: notes, and how many rows held epoch sentinels."""

    notes: list[str] = field(default_factory=list)
    sentinels: int = 0


@dataclass(frozen=True)
class TimeColumn:
    """The time column found (``label`` is ``"Date+Time"`` for joined columns), its naive UTC
    timestamps (NaT where unreadable or a sentinel), the notes on how it was read, and how many
    rows were epoch sentinels (0, -1, …) rather than times."""

    label: str | None = None
    columns: tuple[str, ...] = ()
    timestamps: np.ndarray | None = None
    notes: tuple[str, ...] = ()
    sentinels: int = 0


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


def looks_numeric(s: pd.Series) -> bool:
    """Numbers, or text that is mostly numbers (over half a sample parses, so a few 'n/a' or
    '-' don't hide a value column): a value column, not a date column."""
    if is_number_dtype(s):
        return bool(s.notna().any())
    if is_bool_dtype(s.dtype) or is_datetime64_any_dtype(s.dtype) or s.dtype.kind == "m":
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


# ----------------------------------------------------------------------------- numbers


def epoch(s: pd.Series, said: _Said | None = None) -> pd.Series | None:
    """Numbers in a time column, read by their range: YYYYMMDD, plain years (1950), Excel
    serial days (36526 = 2000-01-01, fractions are times of day), or Unix epoch seconds, ms,
    us or ns chosen by magnitude.

    Exports write 0 or -1 (or another time long before the rest) for "unknown"; read as
    times they would put 1970 points before a 50-year gap, so they are set to NaT and counted
    in ``said.sentinels`` for the summary's dropped rows.
    """
    said = said if said is not None else _Said()
    v = _floats(s)
    finite = np.isfinite(v)
    sentinel = finite & (v <= 0)
    bulk = v[finite & ~sentinel]
    if not bulk.size:
        return None
    whole = bool(np.all(bulk == np.round(bulk)))
    out: pd.Series | None = None
    if whole and bulk.min() >= 19000101 and bulk.max() <= 21001231:
        txt = pd.Series(np.where(finite & ~sentinel, v, np.nan)).round().astype("Int64").astype(str)
        out = pd.to_datetime(txt, format="%Y%m%d", errors="coerce")
    elif whole and bulk.min() >= 1678 and bulk.max() <= 2261:  # plain years, inside datetime64[ns]
        years = np.where(finite & ~sentinel, v, np.nan)
        out = pd.to_datetime(pd.Series(years).astype("Int64").astype(str), format="%Y", errors="coerce")
        said.notes.append(f"read as years ({int(bulk[0])} = 1 January {int(bulk[0])})")
    elif bulk.min() >= 10000 and bulk.max() <= 73051:  # Excel days 1927 .. 2100
        ms = np.round((np.where(finite & ~sentinel, v, np.nan) - _EXCEL_ORIGIN_DAYS) * 86_400_000)
        out = pd.to_datetime(pd.Series(ms), unit="ms", errors="coerce")
        first = pd.Timestamp(out.dropna().iloc[0])
        shown = first.isoformat(sep=" ").removesuffix(" 00:00:00")
        said.notes.append(f"read as Excel serial dates ({bulk[0]:g} = {shown})")
    else:
        med = float(np.median(np.abs(bulk)))
        for unit, lo in (("s", 1e8), ("ms", 1e11), ("us", 1e14), ("ns", 1e17)):
            if lo <= med < lo * 73:  # 1973 .. ~2200 in that unit
                q1, q3 = np.percentile(bulk, [25, 75])
                sentinel |= finite & (v < q1 - 10 * max(q3 - q1, lo / 1e8 * 86400))  # far before the rest
                kept = np.where(finite & ~sentinel & (np.abs(v) < lo * 1000), v, np.nan)
                out = pd.to_datetime(pd.Series(kept), unit=unit, errors="coerce")
                break
    if out is None:
        return None
    said.sentinels += int(sentinel.sum())
    out.index = s.index
    return out


# ----------------------------------------------------------------------------- text


def _zones_to_offsets(txt: pd.Series, said: _Said) -> pd.Series:
    """``2021-03-28 01:30 BST`` → ``2021-03-28 01:30+01:00``, so the parser converts to UTC.

    pandas reads UTC and GMT itself but no other abbreviation, so a column of them used to be
    no time column at all and a shuffled file was analysed in its shuffled order.  The zone is
    the last word after a time of day (checked on a sample); splitting off the last word is
    plain string work, several times faster than a regular expression over a million rows.
    """
    if not spread(txt.dropna()).str.contains(_ZONE.replace("(Z|", "(?:Z|"), regex=True).any():
        return txt
    parts = txt.str.rpartition(" ")
    head, word = parts[0], parts[2].str.strip("()")
    upper = word.str.upper()
    zoned = (head.str.len() > 0) & word.str.fullmatch(r"Z|[A-Za-z]{2,5}").fillna(False).astype(bool) \
        & ~upper.isin(["AM", "PM"])
    if not zoned.any():
        return txt
    unknown = zoned & ~upper.isin(list(ZONE_OFFSETS))
    if unknown.any():
        row = unknown.idxmax()
        zone, value = str(upper[row]), str(txt[row])
        why = (f"names more than one zone ({_AMBIGUOUS_ZONES[zone]})" if zone in _AMBIGUOUS_ZONES
               else "is not a zone abbreviation this tool knows")
        raise TimeColumnError(f"has the time zone {zone!r} (in {value!r}), which {why}; write the UTC "
                              "offset instead (e.g. 2021-06-01 12:00+05:00) or times in UTC")
    out = txt.copy()
    out[zoned] = head[zoned].str.rstrip() + upper[zoned].map(ZONE_OFFSETS)
    used = pd.unique(upper[zoned])
    if set(used) - _UTC_NAMES:
        said.notes.append("zone abbreviations converted to UTC (" + ", ".join(
            f"{z} {ZONE_OFFSETS[z]}" for z in sorted(used)) + ")")
    return out


def _clock_of(r: pd.Series) -> tuple[bool, bool, str]:
    """(regular, in file order, description) of one reading of a column."""
    a = as_ns(_naive(r))
    a = a[~np.isnat(a)]
    if a.size < 2:
        return False, False, "no dates"
    steps = np.diff(a).astype("int64")
    ordered = bool(np.all(steps >= 0) or np.all(steps <= 0))
    freq = infer_frequency(a)
    ts = np.unique(a)
    span = float((ts[-1] - ts[0]).astype("int64")) / 1e9
    coverage = (ts.size - 1) * (freq.step_seconds or 0.0) / span if span > 0 else 0.0
    regular = freq.alias is not None and coverage >= _MIN_COVERAGE
    return regular, ordered, freq.description


def _two_digit_centuries(yy: np.ndarray, written: pd.Series) -> tuple[np.ndarray, str | None]:
    """Full years for two-digit ones (NaN stays NaN), chosen so the file's own order is kept;
    ``written`` is the text of each entry of ``yy``, for an example in a refusal.

    pandas puts 00-68 in the 2000s and 69-99 in the 1900s, which reorders a file running from
    1950 to 2020.  Here a file in time order with one rollover (99 → 00, or 00 → 99 when newest
    first) has the years before it in one century and after it in the next; a file without a
    rollover is all in one century, the latest that puts no year after this one; any other
    file is refused, since no century choice can be told from it.
    """
    ok = ~np.isnan(yy)
    seq = yy[ok]
    this_year = date.today().year
    steps = np.diff(seq)
    for down, rising in ((steps < 0, True), (steps > 0, False)):  # oldest first, newest first
        if down.sum() != 1:
            continue
        cut = int(np.argmax(down)) + 1
        before, after = seq[:cut], seq[cut:]
        jump = abs(seq[cut] - seq[cut - 1])  # a rollover (99 -> 00) is a short step the long way round
        if 100 - jump < jump and ((rising and after.max() < before.min())
                                  or (not rising and after.min() > before.max())):
            full = seq + np.where(np.arange(seq.size) < cut, 1900 if rising else 2000, 2000 if rising else 1900)
            if full.max() <= this_year + 1:
                out = np.full(yy.shape, np.nan)
                out[ok] = full
                return out, (f"two-digit years read as {int(full.min())}-{int(full.max())}, the "
                             "file's order (its years roll over between 99 and 00)")
    ordered = seq.size < 2 or bool(np.all(steps >= 0) or np.all(steps <= 0))
    values = np.unique(seq)
    gaps = np.diff(values)
    compact = values.size < 2 or (values[0] + 100 - values[-1]) >= gaps.max()
    if not (ordered or compact):
        first = int(np.argmax(ok))
        example, year = str(written.iloc[first]).split(" ")[0], int(yy[first])
        raise TimeColumnError(f"has two-digit years whose century cannot be told from the file's order "
                              f"({example!r} could be {1900 + year} or {2000 + year}); "
                              "write four-digit years (ISO dates such as 1999-12-31 are safest)")
    century = 2000 if 2000 + values[-1] <= this_year + 1 else 1900
    note = None
    if century == 1900 and values[0] < 69:  # where pandas would have said 20xx
        note = f"two-digit years read as {int(1900 + values[0])}-{int(1900 + values[-1])}, not in the future"
    return yy + century, note


def _day_month_text(dmy: pd.DataFrame, years: np.ndarray, day_first: bool) -> pd.Series:
    """ISO text (``YYYY-MM-DD`` + the rest) for rows that matched, reading day-first or not."""
    day, month = (dmy[0], dmy[1]) if day_first else (dmy[1], dmy[0])
    year = pd.Series(years, index=dmy.index).astype("Int64").astype(str).str.zfill(4)
    return year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2) + dmy[3].fillna("")


def _read_day_month_year(txt: pd.Series, dotted: bool, said: _Said, decide: bool) -> pd.Series:
    """A column of D/M/Y or M/D/Y dates (two- or four-digit years), read the one way it means.

    A field above 12 proves the order.  When every field is 12 or less, both readings are
    parsed and the one that gives a regular clock (per :mod:`.frequency`, filling its steps)
    is kept, and the summary says which; when both are regular the file's order decides; when
    that cannot decide either, the column is refused with an example of each reading (dotted
    dates, 01.02.2024, are day-first by convention and fall back to it).  ``decide=False`` (a
    sample, whose spacing is not the file's) only reads it, month-first unless proven otherwise.
    """
    dmy = txt.str.extract(_DMY)
    rows = dmy[0].notna()
    found = dmy[rows]
    first, second = found[0].astype(int), found[1].astype(int)
    _refuse_both_orders(txt[rows], first > 12, second > 12)
    years = found[2].astype(float).to_numpy()
    two = found[2].str.len().to_numpy() == 2
    if two.any():
        short = np.where(two, years, np.nan)
        full, note = _two_digit_centuries(short, txt[rows])
        years = np.where(two, full, years)
        if note:
            said.notes.append(note)

    def reading(day_first: bool) -> pd.Series:
        out = txt.copy()
        out[rows] = _day_month_text(found, years, day_first)
        return parse_strings(out)

    if (first > 12).any() or (second > 12).any() or not (first != second).any() or not decide:
        return reading(bool((first > 12).any() or (dotted and not (second > 12).any())))
    by_day, by_month = reading(True), reading(False)
    (day_ok, day_ordered, day_clock), (month_ok, month_ordered, month_clock) = \
        _clock_of(by_day), _clock_of(by_month)
    choice = None
    if day_ok != month_ok:
        choice = day_ok
    elif day_ok and day_ordered != month_ordered:
        choice = day_ordered
    elif dotted:
        choice = True
    row = (first != second).idxmax()
    written = str(txt[row]).split()[0] if str(txt[row]).split() else str(txt[row])
    as_day, as_month = _naive(by_day)[row], _naive(by_month)[row]
    if choice is None:
        both = "both readings give a regular clock" if day_ok else "neither reading gives a regular clock"
        raise TimeColumnError(
            f"reads two ways: {written} reads as {as_day:%Y-%m-%d} day-first or {as_month:%Y-%m-%d} "
            f"month-first, and {both} (day-first: {day_clock}; month-first: {month_clock}); write ISO "
            f"dates (year-month-day, e.g. {as_day:%Y-%m-%d}) so there is one reading")
    chosen, other = (as_day, "month-first") if choice else (as_month, "day-first")
    said.notes.append(f"dates read {'day' if choice else 'month'}-first ({written} = "
                      f"{chosen.day} {chosen:%B %Y}; read {other} they are not "
                      f"{'a regular clock' if day_ok != month_ok else 'in the order of the file'})")
    return by_day if choice else by_month


def refuse_mixed_day_order(txt: pd.Series) -> None:
    """``13/01/2024`` can only be day/month and ``01/13/2024`` only month/day: a column with
    both would have its ambiguous rows (day ≤ 12) read one way, silently swapping some dates,
    so it is refused with an example of each."""
    fields = txt.dropna().str.extract(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})\b").astype(float)
    _refuse_both_orders(txt, fields[0] > 12, fields[1] > 12)


def _refuse_both_orders(txt: pd.Series, day_first: pd.Series, month_first: pd.Series) -> None:
    if day_first.any() and month_first.any():
        a, b = txt.loc[day_first[day_first].index[0]], txt.loc[month_first[month_first].index[0]]
        raise MixedDateOrder(f"mixes day-first and month-first dates ({a!r} can only be day/month, "
                             f"{b!r} only month/day), so some dates would be read swapped; export one "
                             "date format (ISO, e.g. 2024-01-31, is safest)")


def _naive(r: pd.Series) -> pd.Series:
    if getattr(r.dt, "tz", None) is not None:
        return r.dt.tz_convert("UTC").dt.tz_localize(None)
    return r


def to_datetime(s: pd.Series, allow_numbers: bool, said: _Said | None = None,
                decide: bool = True) -> pd.Series | None:
    """One column as naive UTC datetimes (NaT where unreadable), or None if it is no time column.

    ``allow_numbers``: numbers are times only in a column named like one (a ``close`` column
    of 1950..2000 is prices, not years).  ``said`` collects what the summary should say.
    ``decide=False`` for a sample: a reading that needs the whole column's clock to choose
    (day-first or month-first) is not chosen, nor refused, on a sample.
    """
    said = said if said is not None else _Said()
    if is_datetime64_any_dtype(s.dtype):
        r = s
    elif s.dtype.kind == "m":  # durations: elapsed time, a regular clock from an arbitrary origin
        r = pd.Timestamp(0) + s
        said.notes.append("durations read as elapsed time from an arbitrary origin "
                          "(1970-01-01 00:00:00 = 0)")
    elif is_bool_dtype(s.dtype):
        return None
    elif is_number_dtype(s):
        r = epoch(s, said) if allow_numbers else None
    else:
        txt = s.where(s.isna(), s.astype(str).str.strip())
        txt = _zones_to_offsets(txt, said)
        sample = spread(txt.dropna())
        dmy = sample.str.match(_DMY)
        if bool(len(sample)) and dmy.mean() > 0.5:
            dotted = sample.str.match(r"^\d{1,2}\.\d{1,2}\.").mean() > 0.5
            r = _read_day_month_year(txt, bool(dotted), said, decide)
        else:
            if dmy.any():  # a few D/M/Y rows among others: still never half day-first, half month-first
                refuse_mixed_day_order(txt)
            r = parse_strings(txt)
    if r is None:
        return None
    return _naive(r)


def as_ns(r: pd.Series) -> np.ndarray:
    """datetime64[ns] (what callers expect; pandas 3 defaults to us), out-of-range -> NaT."""
    a = r.to_numpy(dtype="datetime64[us]")
    a = np.where((a < _NS_LO) | (a > _NS_HI), np.datetime64("NaT", "us"), a)
    return a.astype("datetime64[ns]")


def _looks_like_a_time_name(norm: str) -> bool:
    """Names a person gives a time column (``date``, ``TradeDate``, ``timestamp_utc``), not
    names that merely contain the word (``runtime``, ``update_note``)."""
    return norm in TIME_NAMES or norm.endswith(("date", "datetime", "timestamp")) or \
        norm.startswith(("date", "timestamp"))


def pick_time(df: pd.DataFrame, looks_numeric: Callable[[pd.Series], bool] = looks_numeric) -> TimeColumn:
    """Find the time column: by name, then an unnamed first column, then any date-like text.

    ``looks_numeric`` is the loader's own test for a value column, so text columns it reads as
    numbers are never mistaken for dates.  A column named like a time column whose values
    cannot be read is refused, naming a value that failed, rather than passed over (which
    would analyse the rows in file order as if that were time order).
    """
    cols = list(df.columns)
    norm = {c: normalised_name(c) for c in cols}
    by_name = sorted((c for c in cols if norm[c] in TIME_NAMES), key=lambda c: TIME_NAMES.index(norm[c]))
    dates = [c for c in cols if norm[c] == "date"]
    times = [c for c in cols if norm[c] == "time" and not is_number_dtype(df[c])]
    if dates and times and spread(df[times[0]].dropna()).astype(str).str.match(_CLOCK).mean() > 0.8:
        joined = df[dates[0]].astype(str).str.strip() + " " + df[times[0]].astype(str).str.strip()
        said = _Said()
        label = f"{dates[0]}+{times[0]}"
        try:
            r = to_datetime(joined.where(df[dates[0]].notna() & df[times[0]].notna()), False, said)
        except TimeColumnError as exc:
            raise type(exc)(f"columns '{label}' {exc}") from None
        if r is not None and r.notna().mean() > 0.5:  # MetaTrader-style separate date and time
            return TimeColumn(label, (dates[0], times[0]), as_ns(r),
                              tuple(f"columns '{label}': {n}" for n in said.notes), said.sentinels)
    typed = [c for c in cols if is_datetime64_any_dtype(df[c].dtype)]
    durations = [c for c in cols if df[c].dtype.kind == "m"]
    named = [c for c in cols if c not in by_name and ("date" in norm[c] or "time" in norm[c])]
    calendar = [c for c in cols if norm[c] in _CALENDAR_NAMES and is_number_dtype(df[c])]
    unnamed = [cols[0]] if is_unnamed(cols[0]) else []
    others = [c for c in cols if not is_number_dtype(df[c]) and df[c].dtype.kind != "m"
              and not looks_numeric(df[c])
              and spread(df[c].dropna()).astype(str).str.contains(r"\d").mean() > 0.9]
    seen: set[str] = set()
    for group, need, numbers in ((typed, 0.5, False), (by_name, 0.5, True), (named, 0.5, True),
                                 (durations, 0.5, False), (calendar, 0.5, True), (unnamed, 0.5, False),
                                 (others, 0.9, False)):
        for c in group:
            if c in seen:
                continue
            seen.add(c)
            s = df[c]
            said = _Said()
            try:
                probe = to_datetime(spread(s.dropna()), numbers, decide=False)
                if probe is None or len(probe) == 0 or probe.notna().mean() < need:
                    continue
                full = to_datetime(s, numbers, said)
            except TimeColumnError as exc:
                raise type(exc)(f"column '{c}' {exc}") from None
            if full is not None:
                return TimeColumn(c, (c,), as_ns(full), tuple(f"column '{c}': {n}" for n in said.notes),
                                  said.sentinels)
    _refuse_unreadable_time_names(df, cols, norm, looks_numeric)
    return TimeColumn()


def _refuse_unreadable_time_names(df, cols, norm, looks_numeric) -> None:
    """No time column was found, but a text column is named like one: say which value failed."""
    for c in cols:
        s = df[c]
        if (not _looks_like_a_time_name(norm[c]) or is_number_dtype(s) or is_bool_dtype(s.dtype)
                or looks_numeric(s)):
            continue
        text = s.dropna().astype(str).str.strip()
        text = text[text != ""]
        if text.empty:
            continue
        sample = spread(text, 200)
        try:
            failed = to_datetime(sample, False, decide=False).isna()
        except TimeColumnError:
            failed = pd.Series(True, index=sample.index)
        example = sample[failed].iloc[0] if failed.any() else sample.iloc[0]
        raise TimeColumnError(f"column '{c}' is named like a time column but its values cannot be read as "
                              f"dates or times (e.g. {example!r}); write ISO 8601 dates (2024-01-31 or "
                              "2024-01-31T09:30:00Z), or rename or drop the column to use row order")
