"""Read numbers the way the people who typed or exported them meant, or say which cells could not
be read.

Spreadsheets, accounting packages and PDFs write numbers in styles a plain number parser does not
know: thousands separators, decimal commas, currency and percent signs, and negatives written as
``(12.34)``, ``−12.34`` (a Unicode minus or dash) or ``12.34-``.  A cell that is not read becomes
a missing value, and a series that silently loses its negative half is analysed as if it were
whole; so every style here is read, what was read how is put in the summary's notes, and a value
column with more unreadable cells than a stray footnote explains is refused (:func:`refuse_unreadable`).
Everything is vectorised with pandas string methods: no Python loop over rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import file_error as _refusal
from .timestamps import spread as _spread

__all__ = ["CURRENCY", "MINUS_SIGNS", "UNREADABLE_SHARE", "Unreadable", "count_unreadable",
           "read_formatted_numbers", "refuse_unreadable"]

CURRENCY = "$€£¥₹"
#: Characters that exports put where a minus belongs: U+2212 MINUS SIGN (typeset documents,
#: Excel in some locales), U+2012 FIGURE DASH, U+2013 EN DASH (word processors' autocorrect),
#: U+FE63 SMALL HYPHEN-MINUS and U+FF0D FULLWIDTH HYPHEN-MINUS (East Asian locales, PDFs).
MINUS_SIGNS = "\u2212\u2012\u2013\ufe63\uff0d"
#: The share of a value column's non-empty cells that may be unreadable before the column is
#: refused. A footnote, a "halted" or a "12.5 (est)" is one cell in hundreds; a style this reader
#: does not know (a unit suffix, an unusual minus) hits every value written in it, and the
#: negatives of a price change or a balance are near half of them.  5 % is well above the first
#: and well below the second; and past it, the dropped rows are no longer rare holes but a
#: different series: every 20th point gone moves the neighbours a lag compares.
UNREADABLE_SHARE = 0.05
#: Cells that mean "no value here" in the exports we know (stripped; in lower, upper or title case): they
#: are missing values, counted as such, never "unreadable".  Spreadsheet error values (#VALUE!)
#: are here too: the spreadsheet itself had no number for that cell.
MISSING_MARKERS = frozenset({
    "", "-", "--", "---", "—", "–", "−", "?", ".", "..", "na", "n/a", "n.a.", "n.a", "nan", "-nan", "none",
    "null", "nil", "nd", "missing", "<na>", "#n/a", "#n/a n/a", "#na", "#value!", "#div/0!", "#ref!",
    "#num!", "#null!", "#name?", "#n/a!", "1.#ind", "1.#qnan", "-1.#ind", "-1.#qnan",
})
_MARKERS_ANY_CASE = frozenset(MISSING_MARKERS | {m.upper() for m in MISSING_MARKERS}
                              | {m.title() for m in MISSING_MARKERS} | {"N/a", "n/A", "NaN", "#DIV/0!"})
_NUMBER_BODY = re.compile(r"[+-]?[\d.,']+(?:[eE][+-]?\d+)?")
_THOUSANDS_COMMA = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
#: Each negative style: how it is recognised (after currency signs and spaces are dropped), how
#: it is rewritten to a leading "-", and how the summary names it.
_NEGATIVE_STYLES = (
    ("accounting", r"^\(([^()]*\d[^()]*)\)$", r"-\1", "written as (12.34)"),
    ("trailing", r"^([\d.,'%]*\d[\d.,'%]*)-$", r"-\1", "written as 12.34-"),
) + tuple((f"sign {sign}", f"^{sign}(?=[\\d.,])", "-", f"written with the sign {sign}") for sign in MINUS_SIGNS)


@dataclass(frozen=True)
class Unreadable:
    """Cells of one column that hold text which is neither a number nor a missing-value marker."""

    count: int
    nonempty: int
    example: str | None

    @property
    def share(self) -> float:
        return self.count / self.nonempty if self.nonempty else 0.0


def _is_text(s: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)


def _filled_text(s: pd.Series) -> pd.Series:
    """The column's cells as stripped text, without NaN and without missing-value markers."""
    text = s.dropna().astype(str).str.strip()
    return text[~text.isin(_MARKERS_ANY_CASE)]


def _unreadable(text: pd.Series, read: pd.Series) -> Unreadable:
    """``text``: the filled cells; ``read``: their values (NaN where a cell was not read)."""
    failed = text[read.reindex(text.index).isna().to_numpy()]
    example = None if failed.empty else str(failed.iloc[0])
    if example is not None and len(example) > 40:  # the message stays one readable line
        example = example[:40] + "…"
    return Unreadable(int(failed.size), int(text.size), example)


def count_unreadable(s: pd.Series) -> Unreadable:
    """How many filled cells of a raw column no number parser reads (0 for a numeric column)."""
    if not _is_text(s):
        return Unreadable(0, int(s.notna().sum()), None)
    text = _filled_text(s)
    return _unreadable(text, pd.to_numeric(text, errors="coerce"))


def refuse_unreadable(name: str, column: str, unreadable: Unreadable) -> str | None:
    """Raise a DataError when more than :data:`UNREADABLE_SHARE` of ``column``'s filled cells are
    unreadable text; otherwise return a note for the summary naming the few that were dropped
    (or None when there were none), so a dropped cell is never a silent one."""
    if not unreadable.count:
        return None
    counted = (f"{unreadable.count:,} of {unreadable.nonempty:,} values ({unreadable.share:.0%}) that are "
               f"not numbers (e.g. {unreadable.example!r})")
    if unreadable.share > UNREADABLE_SHARE:
        raise _refusal(name, f"column '{column}' has {counted}; reading it would drop them and analyse "
                             "what is left as if it were whole: clean the file (or export the numbers "
                             "without units or notes), or choose another column with «column»")
    what = "value that is not a number" if unreadable.count == 1 else "values that are not numbers"
    return (f"column '{column}': {unreadable.count:,} {what} (e.g. {unreadable.example!r}) "
            "dropped as missing")


def _negatives(cleaned: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Negatives in any known style rewritten with a leading ``-``; each style's cells as a mask."""
    masks: dict[str, pd.Series] = {}
    maybe = cleaned.str.match(f"[({MINUS_SIGNS}]") | cleaned.str.endswith("-")  # one cheap pass over all
    if not maybe.any():
        return cleaned, masks
    some = cleaned[maybe]
    for style, pattern, replacement, _ in _NEGATIVE_STYLES:
        hit = some.str.match(pattern)
        if hit.any():
            masks[style] = pd.Series(False, index=cleaned.index)
            masks[style][hit.index[hit.to_numpy()]] = True
            some = some.where(~hit, some.str.replace(pattern, replacement, regex=True))
    cleaned = cleaned.copy()
    cleaned[some.index] = some
    return cleaned, masks


def _negatives_note(column: str, masks: dict[str, pd.Series], read: pd.Series, text: pd.Series) -> str | None:
    """"column 'close': read 812 negatives written as (12.34) (e.g. '(8.41)' → -8.41)"."""
    words = {style: said for style, _, _, said in _NEGATIVE_STYLES}
    counts = {style: int((mask & read.reindex(mask.index).notna()).sum()) for style, mask in masks.items()}
    counts = {style: count for style, count in counts.items() if count}
    if not counts:
        return None
    total = sum(counts.values())
    first = next(iter(counts))
    where = masks[first] & read.reindex(masks[first].index).notna()
    example = f" (e.g. {text[where].iloc[0]!r} → {read[where[where].index[0]]:g})"
    if len(counts) == 1:
        return f"column '{column}': read {total:,} negatives {words[first]}{example}"
    parts = ", ".join(f"{count:,} {words[style]}" for style, count in counts.items())
    return f"column '{column}': read {total:,} negatives ({parts}){example}"


def _numbers_share(text: pd.Series):
    """The share of ``text`` that is a number in some known style, with the steps that show it:
    the number bodies, which cells fit, the cleaned text, the negative styles' masks, the
    percent cells."""
    cleaned = text.str.replace(f"[{CURRENCY}\\s\u00a0]", "", regex=True)
    cleaned, negative = _negatives(cleaned)
    percent = cleaned.str.endswith("%")
    body = cleaned.str.removesuffix("%")
    fits = body.str.fullmatch(_NUMBER_BODY.pattern)
    share = float(fits.mean()) if len(fits) and body[fits].str.contains(r"\d").all() else 0.0
    return share, body, fits, cleaned, negative, percent


def read_formatted_numbers(df: pd.DataFrame, sep: str, name: str) -> pd.DataFrame:
    """Text columns that are numbers as people write them, read as numbers: thousands
    separators (``3,003.8``, ``1.234,5``, ``1'234.5``), a decimal comma (``3003,8``), currency
    signs (``$100.13``), percent signs (``12.5%`` is 12.5) and negatives as ``(12.34)``,
    ``−12.34`` or ``12.34-``. What was read how goes into ``df.attrs["notes"]`` for the summary,
    and the cells a converted column could not read into ``df.attrs["unreadable"]`` (they are
    NaN afterwards, so only here can they be told from blanks).

    A column is read when most of its filled cells are numbers (the rule that makes a column
    numeric at all); the rest become NaN and are counted in ``df.attrs["unreadable"]``, so a
    column with more than a few of them is refused when it is chosen, not quietly halved.

    A comma is a decimal comma when the separator is ``;`` or tab, or when every value of the
    column fits that reading alone; when both readings fit every value (``3,003``), the column
    is refused, naming both, rather than read one way by guess.
    """
    notes: list[str] = list(df.attrs.get("notes", []))
    unreadable: dict[str, Unreadable] = dict(df.attrs.get("unreadable", {}))
    for col in df.columns:
        column = _read_column(df[col], sep, name, col)
        if column is None:
            continue
        df[col] = column.values
        unreadable[str(col)] = column.unreadable
        notes += column.notes
    df.attrs["notes"] = notes
    df.attrs["unreadable"] = unreadable
    return df


@dataclass(frozen=True)
class _ReadColumn:
    """One text column read as numbers: the values (NaN where a cell was not read), the cells
    that could not be read, and the notes saying how the rest were."""

    values: pd.Series
    unreadable: Unreadable
    notes: list[str]


def _read_column(s: pd.Series, sep: str, name: str, col) -> _ReadColumn | None:
    """``s`` read as numbers, or None when it is not a text column of numbers (left as it is).

    A sample of the column is tried first, so a column of dates or labels costs one cheap pass.
    """
    if not _is_text(s):
        return None
    text = _filled_text(s)
    if text.empty:
        return None
    if _numbers_share(_spread(text))[0] <= 0.5:
        return None  # a sample says it is no column of numbers (dates, labels, …): skip the work
    share, body, fits, cleaned, negative, percent = _numbers_share(text)
    if share <= 0.5:
        return None  # not a column of numbers (dates, labels, …)
    body = body[fits].str.replace("'", "", regex=False)
    decimal = _decimal_mark(body, sep, name, str(col))
    values = pd.to_numeric(_plain_numbers(body, decimal), errors="coerce")
    if values.isna().mean() > 0.1:
        return None
    others = pd.to_numeric(cleaned[~fits].str.removesuffix("%"), errors="coerce")  # inf, 1e5, …
    read = pd.concat([values, others]).reindex(text.index)
    out = pd.Series(np.nan, index=s.index, dtype="float64")
    out[read.index] = read.to_numpy()
    notes = [_styles_note(col, text, fits, body, decimal, percent, values),
             _negatives_note(str(col), negative, read, text)]
    return _ReadColumn(out, _unreadable(text, read), [note for note in notes if note])


def _plain_numbers(body: pd.Series, decimal: str) -> pd.Series:
    """The number bodies as plain ``1234.5`` text: thousands separators dropped, and a decimal
    comma turned into a point."""
    if decimal == ",":
        return body.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return body.str.replace(",", "", regex=False)


def _styles_note(col, text: pd.Series, fits: pd.Series, body: pd.Series, decimal: str,
                 percent: pd.Series, values: pd.Series) -> str | None:
    """"column 'close' read as numbers (currency signs dropped, a decimal comma; e.g. …)", or
    None when the numbers were written plainly."""
    how = []
    if text.str.contains(f"[{CURRENCY}]", regex=True).any():
        how.append("currency signs dropped")
    if (body.str.contains(",") & (decimal == ".")).any() or body.str.contains(r"\.\d{3}[.,]").any():
        how.append("thousands separators dropped")
    if decimal == ",":
        how.append("a decimal comma")
    if percent.any():
        how.append("percent signs dropped (12.5% is read as 12.5)")
    if not how:
        return None
    example = text[fits].iloc[0]
    return (f"column '{col}' read as numbers ({', '.join(how)}; e.g. {example!r} → "
            f"{values.iloc[0]:g})")


def _decimal_mark(body: pd.Series, sep: str, name: str, col: str) -> str:
    """``","`` or ``"."``: which mark the column's values use for decimals."""
    commas, dots = body.str.contains(","), body.str.contains(".", regex=False)
    both = commas & dots
    if both.any():
        comma_last = body[both].str.rfind(",") > body[both].str.rfind(".")
        if comma_last.all():
            return ","
        if not comma_last.any():
            return "."
        raise _refusal(name, f"column '{col}' mixes 1,234.5 and 1.234,5 number styles; export one style")
    if not commas.any():
        return "."
    with_comma = body[commas]
    as_decimal = with_comma.str.fullmatch(_DECIMAL_COMMA.pattern).all()
    as_thousands = with_comma.str.fullmatch(_THOUSANDS_COMMA.pattern).all()
    if sep in (";", "\t") and as_decimal:
        return ","
    if as_decimal and not as_thousands:
        return ","
    if as_thousands and not as_decimal:
        return "."
    if as_decimal and as_thousands:
        example = with_comma.iloc[0]
        whole = example.replace(",", "")
        raise _refusal(name, f"column '{col}' is ambiguous: {example!r} reads as {whole} with ',' as a "
                             f"thousands separator or as {example.replace(',', '.')} with a decimal comma; "
                             "export it with '.' for decimals (or with ';' between columns for a decimal comma)")
    return "."  # commas that fit neither reading: the values stay unread, pandas' NaN
