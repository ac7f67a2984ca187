"""How much one data file may cost to read, checked before the file is parsed.

A parser builds what the file describes: a 190 KB ``.csv.gz`` that expands to 100M rows becomes
9.5 GB of DataFrame, a 10 MB header line with 1M names becomes 1M columns (past 12 GB), and 100,000
empty columns cost 4 GB and a minute.  None of these is a series anyone can analyse, and all of
them end in a MemoryError or a hang, long after the user could have been told.  So the file's text
is streamed once first (decompressed, in 1 MiB chunks, never held whole): its header is counted,
its rows and bytes are counted, and reading stops with one clear line as soon as a limit is
passed.  Every limit is here, with why it is what it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError
from .errors import file_error as _refusal

__all__ = ["MAX_COLUMNS", "MAX_ROWS", "MEMORY_SHARE", "TextSize", "available_memory", "check_parquet",
           "check_text", "memory_budget"]

#: Columns one file may have. Wide exports exist (500 tickers side by side, a sensor grid), but
#: one series needs two columns; past 10,000 the parser's per-column cost (about 40 KB each in
#: pandas) and the column classification dominate, and a header that wide is a wrong delimiter
#: or a broken export far more often than a table.
MAX_COLUMNS = 10_000
#: Rows one file may have: 20M is 38 years of 1-minute bars, more than any lookback analysis needs
#: (the analysis and training use the recent part anyway), and still a few seconds to parse.
MAX_ROWS = 20_000_000
#: The share of the machine's available memory one file may take to read. The analysis and the
#: training need memory after reading, and the user's other programs need theirs: a quarter
#: leaves both room.
MEMORY_SHARE = 0.25
#: Bytes of memory a CSV's text takes while pandas reads it and the loader cleans it: measured at
#: 11x for a 29 MB, 1M-row file of timestamps and prices (peak resident size over the text size),
#: rounded up. Object columns of text cost that; plain numbers cost less.
MEMORY_PER_TEXT_BYTE = 12
#: A Parquet file's uncompressed column data grows less when read: typed columns arrive as arrays.
MEMORY_PER_PARQUET_BYTE = 3
#: What each column costs on its own, whatever its length (pandas' blocks, the column checks).
MEMORY_PER_COLUMN = 40_000
_CHUNK = 1 << 20


def _gb(size: float) -> str:
    return f"{size / 1e9:.1f} GB" if size >= 1e8 else f"{size / 1e6:.0f} MB"


def available_memory() -> int:
    """Bytes this process could still take: the kernel's MemAvailable, or less when a cgroup
    (a container, a systemd slice) limits the process more tightly than the machine does."""
    free = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    free = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    if free is None:
        try:
            free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            free = 8 << 30  # unknown (not Linux, no sysconf): assume a modest machine
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            limit = Path(limit_file).read_text().strip()
            if limit.isdigit() and int(limit) < (1 << 60):
                free = min(free, int(limit) - int(Path(usage_file).read_text().strip()))
            break
        except (OSError, ValueError):
            continue
    return max(int(free), 0)


def memory_budget() -> int:
    """Bytes reading one file may take: :data:`MEMORY_SHARE` of :func:`available_memory`."""
    return int(available_memory() * MEMORY_SHARE)


def _too_much_memory(name: str, needed: int, budget: int, what: str) -> DataError:
    return _refusal(name, f"needs at least {_gb(needed)} of memory to read ({what}), more than "
                          f"{MEMORY_SHARE:.0%} of the {_gb(budget / MEMORY_SHARE)} this machine has free; "
                          "keep only the rows and columns you need (e.g. the recent years) in a smaller "
                          "file, or free memory")


def _too_many_columns(name: str, count: int, exact: bool) -> DataError:
    """``exact``: the whole header was counted; otherwise counting stopped past the limit."""
    counted = (f"{count:,} columns in its header, more than the {MAX_COLUMNS:,} one file may have" if exact
               else f"more than {MAX_COLUMNS:,} columns in its header, the most one file may have")
    return _refusal(name, f"has {counted} (a wrong delimiter or a broken export?); keep the time and "
                          "value columns in a smaller file")


def _too_many_rows(name: str) -> DataError:
    return _refusal(name, f"has more than {MAX_ROWS:,} rows, the most one series is read with "
                          "(«last» applies after reading); keep only the rows you need (e.g. the "
                          "recent years) in a smaller file, or split it")


@dataclass(frozen=True)
class TextSize:
    """What the stream showed: the header's fields, the lines and the (decompressed) bytes."""

    columns: int
    lines: int
    size: int


def _open_binary(path: Path, compression: str | None):
    import bz2
    import gzip
    import lzma

    return {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}.get(compression, open)(path, "rb")


def check_text(path: Path, compression: str | None, name: str, sep: str, skip: int,
               budget: int | None = None) -> TextSize:
    """Stream the file's text once and raise a DataError past a limit, before anything is parsed.

    ``compression`` ("gzip", "bz2", "xz" or None) says how to open it; ``skip`` lines come before the header,
    whose fields are counted by ``sep`` (an over-count when a name quotes the separator, which
    only matters at the limit).  Reading stops at the first limit passed, so a bomb costs one
    chunk of memory and the time to decompress ``MAX_ROWS`` rows, not what it expands to.
    """
    import lzma
    import zlib

    try:
        return _stream_text(path, compression, name, sep, skip,
                            memory_budget() if budget is None else budget)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
        what = f"is {compression}-compressed but cannot be decompressed" if compression else "cannot be read"
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise _refusal(name, f"{what} ({text}); check the file") from None


def _stream_text(path: Path, compression: str | None, name: str, sep: str, skip: int,
                 budget: int) -> TextSize:
    mark = sep.encode("ascii", "replace") or b","
    fields, header_done, lines, size = 1, False, 0, 0
    with _open_binary(path, compression) as stream:
        while chunk := stream.read(_CHUNK):
            if not header_done:
                start, line = 0, lines
                while line < skip:  # lines above the header (an export's title)
                    newline = chunk.find(b"\n", start)
                    if newline < 0:
                        break
                    start, line = newline + 1, line + 1
                if line >= skip:
                    end = chunk.find(b"\n", start)
                    fields += chunk.count(mark, start, end if end >= 0 else len(chunk))
                    header_done = end >= 0
                if fields > MAX_COLUMNS:
                    raise _too_many_columns(name, fields, exact=header_done)
            lines += chunk.count(b"\n")
            size += len(chunk)
            if lines > MAX_ROWS + skip + 1:
                raise _too_many_rows(name)
            needed = size * MEMORY_PER_TEXT_BYTE + fields * MEMORY_PER_COLUMN
            if needed > budget:
                raise _too_much_memory(name, needed, budget, f"{_gb(size)} of text so far")
    return TextSize(fields, lines, size)


def check_parquet(path: Path, name: str, budget: int | None = None) -> None:
    """The same limits for a Parquet file, from its footer (rows, columns and uncompressed size),
    before any column is decoded.  A footer that cannot be read is left to the reader, which
    says so in its own words."""
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        rows, columns = meta.num_rows, meta.num_columns
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception:  # noqa: BLE001 - not Parquet, or damaged: _read_parquet words it
        return
    if columns > MAX_COLUMNS:
        raise _too_many_columns(name, columns, exact=True)
    if rows > MAX_ROWS:
        raise _too_many_rows(name)
    budget = memory_budget() if budget is None else budget
    needed = size * MEMORY_PER_PARQUET_BYTE + columns * MEMORY_PER_COLUMN
    if needed > budget:
        raise _too_much_memory(name, needed, budget, f"{_gb(size)} of column data uncompressed")
