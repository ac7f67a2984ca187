"""Nothing unbounded when reading: a gzip bomb, a header of a million names, a hundred thousand
empty columns and a file too big for the machine's memory are each refused with one line, before
the parser builds what they describe, in bounded memory (a hang is bounded by the
child's timeout, not asserted on the clock).

Before, each of them ran out of memory ("internal error") or hung for a minute or more.
The adversarial files are built in tmp_path; the bomb is made of one small gzip member written
many times over (a valid multi-member gzip file), so building it costs milliseconds.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from paths import ROOT

from seqlen_tui.core import read_limits
from seqlen_tui.core.data import list_numeric_columns, load_series
from seqlen_tui.core.errors import DataError


def gzip_bomb(path, rows: int, row: bytes = b"1,2\n", header: bytes = b"time,value\n"):
    """``rows`` copies of ``row`` under ``header``, gzip-compressed to a few hundred KB."""
    per_member = 250_000
    member = gzip.compress(row * per_member, compresslevel=9)
    with open(path, "wb") as fh:
        fh.write(gzip.compress(header))
        for _ in range(rows // per_member):
            fh.write(member)
    return path


def cli_bounded(*args: str, memory_limit: int = 3 << 30, timeout: float = 60):
    """``seqlen-tui ARGS`` in a child whose address space is capped (RLIMIT_AS), which prints its
    peak resident size on stderr's last line: a bound is proven, not hoped for."""
    code = ("import resource, sys\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({memory_limit}, {memory_limit}))\n"
            "from seqlen_tui.cli import main\n"
            "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as exit:\n    code = exit.code\n"
            # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child forked from a
            # pytest that has grown (TensorFlow loaded by earlier tests) would report its parent's size.
            "peak = [line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')]\n"
            "print('peak_kb', peak[0], file=sys.stderr)\n"
            "sys.exit(code)\n")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=timeout, env=env)
    lines = result.stderr.strip().splitlines()
    peak_kb = int(lines[-1].split()[1]) if lines and lines[-1].startswith("peak_kb") else None
    return result.returncode, lines[:-1] if peak_kb is not None else lines, peak_kb


def never_parsed(monkeypatch) -> None:
    """pandas' reader fails if called: a refusal that passes was made before any parsing."""

    def parse(*args, **kwargs):
        raise AssertionError("pandas.read_csv was called: the file was parsed, not refused up front")

    monkeypatch.setattr(pd, "read_csv", parse)


# -- the real defaults stop the real cases --------------------------------------------------------

def test_a_gzip_bomb_of_100m_rows_is_refused_past_the_row_limit_in_bounded_memory(tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb.csv.gz", 100_000_000)
    assert bomb.stat().st_size < 600_000  # the case: ~190 KB that expands to 100M rows
    code, lines, peak_kb = cli_bounded("analyze", str(bomb))
    # before: 9.5 GB resident, then MemoryError: "internal error", exit 1
    assert code == 2 and len(lines) == 1, lines
    assert lines[0] == (f"seqlen-tui: {bomb}: has more than 20,000,000 rows, the most one series is read "
                        "with (--last applies after reading); keep only the rows you need (e.g. the recent "
                        "years) in a smaller file, or split it")
    assert peak_kb is not None and peak_kb < 600_000, peak_kb  # the child's whole peak: imports included


def test_a_header_of_a_million_column_names_is_refused_at_once(tmp_path, monkeypatch):
    path = tmp_path / "wide.csv"
    with open(path, "w") as fh:
        fh.write(",".join(f"name{i}" for i in range(1_000_000)) + "\n")  # a 10 MB header line
        fh.write(",".join("1" for _ in range(1_000_000)) + "\n")
    never_parsed(monkeypatch)  # refused from the header's count alone, before pandas reads a row
    with pytest.raises(DataError) as info:  # before: past 12 GB, never returned
        load_series(path)
    assert str(info.value) == (f"{path}: has more than 10,000 columns in its header, the most one file may "
                               "have (a wrong delimiter or a broken export?); keep the time and value "
                               "columns in a smaller file")


def test_a_hundred_thousand_empty_columns_are_refused_with_their_count(tmp_path, monkeypatch):
    path = tmp_path / "empty_columns.csv"
    path.write_text("".join("," * 99_999 + "\n" for _ in range(7)))  # 700 KB: before, 65 s and 4 GB
    never_parsed(monkeypatch)  # before: 65 s and 4 GB in pandas
    with pytest.raises(DataError, match=r"has 100,000 columns in its header, more than the 10,000"):
        load_series(path)
    with pytest.raises(DataError, match="100,000 columns"):
        list_numeric_columns(path)  # the app's column picker reads through the same door


def test_the_cli_refuses_a_wide_header_with_one_line_and_exit_2(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("date," + ",".join(f"c{i}" for i in range(20_000)) + "\n2024-01-01," + "1," * 19_999 + "1\n")
    code, lines, _ = cli_bounded("analyze", str(path))
    assert code == 2 and len(lines) == 1 and "has 20,001 columns in its header" in lines[0], lines
    assert "Traceback" not in "\n".join(lines)


# -- each limit, lowered so a small file shows it ---------------------------------------------------

def small_file(path, rows: int, columns: int = 2):
    """``rows`` hourly values under a header of ``columns`` names: time, value, x1, x2, …"""
    stamps = pd.date_range("2020-01-01", periods=rows, freq="h").strftime("%Y-%m-%d %H:%M")
    extra = "".join(f",x{i}" for i in range(1, columns - 1))
    values = np.round(np.sin(np.arange(rows)) * 10 + 50, 3)
    cells = "".join(f",{i % 7}" for i in range(1, columns - 1))
    path.write_text(f"time,value{extra}\n" + "".join(f"{t},{v}{cells}\n" for t, v in zip(stamps, values)))
    return path


def test_the_row_limit_counts_rows_not_the_header(tmp_path, monkeypatch):
    monkeypatch.setattr(read_limits, "MAX_ROWS", 500)
    assert load_series(small_file(tmp_path / "ok.csv", 500)).summary.n == 500
    with pytest.raises(DataError, match=r"has more than 500 rows, the most one series is read with"):
        load_series(small_file(tmp_path / "big.csv", 501))


def test_the_column_limit_is_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(read_limits, "MAX_COLUMNS", 40)
    assert load_series(small_file(tmp_path / "ok.csv", 60, columns=40), column="value").summary.n == 60
    with pytest.raises(DataError, match=r"has 41 columns in its header, more than the 40 one file may have"):
        load_series(small_file(tmp_path / "wide.csv", 60, columns=41), column="value")


def test_a_header_longer_than_a_chunk_is_counted_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(read_limits, "_CHUNK", 64)
    monkeypatch.setattr(read_limits, "MAX_COLUMNS", 30)
    path = tmp_path / "title.csv"
    path.write_text("Export of account 123 (all rows)\n" + small_file(tmp_path / "x.csv", 40, 31).read_text())
    with pytest.raises(DataError, match="has 31 columns in its header"):
        load_series(path, column="value")


def test_a_file_past_the_memory_share_is_refused_naming_the_need_and_the_fix(tmp_path, monkeypatch):
    path = small_file(tmp_path / "prices.csv", 5_000)  # ~120 KB of text: ~1.5 MB to read
    monkeypatch.setattr(read_limits, "available_memory", lambda: 2_000_000)  # budget: 500 KB
    with pytest.raises(DataError) as info:
        load_series(path)
    message = str(info.value)
    assert message.startswith(f"{path}: needs at least ") and "of memory to read" in message
    assert "more than 25% of the 2 MB this machine has free" in message
    assert "keep only the rows and columns you need" in message and "\n" not in message


def test_a_compressed_file_is_measured_by_what_it_expands_to(tmp_path, monkeypatch):
    plain = small_file(tmp_path / "prices.csv", 5_000)
    packed = tmp_path / "prices.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert packed.stat().st_size < 60_000
    monkeypatch.setattr(read_limits, "available_memory", lambda: 2_000_000)
    with pytest.raises(DataError, match=r"needs at least .* of text so far"):
        load_series(packed)


def test_a_truncated_gzip_file_is_refused_as_damaged(tmp_path):
    packed = gzip.compress(small_file(tmp_path / "prices.csv", 5_000).read_bytes())
    (tmp_path / "cut.csv.gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DataError, match=r"cut.csv.gz: is gzip-compressed but cannot be decompressed \("):
        load_series(tmp_path / "cut.csv.gz")


def test_a_parquet_file_is_checked_from_its_footer(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=300, freq="D"),
                          "close": np.sin(np.arange(300)) + 5})
    frame.to_parquet(tmp_path / "prices.parquet")
    assert load_series(tmp_path / "prices.parquet").summary.n == 300
    monkeypatch.setattr(read_limits, "MAX_ROWS", 299)
    with pytest.raises(DataError, match="has more than 299 rows"):
        load_series(tmp_path / "prices.parquet")
    monkeypatch.setattr(read_limits, "MAX_ROWS", 300)
    monkeypatch.setattr(read_limits, "MAX_COLUMNS", 1)
    with pytest.raises(DataError, match="has 2 columns in its header, more than the 1 one file"):
        load_series(tmp_path / "prices.parquet")


def test_available_memory_is_the_machines_or_less():
    free = read_limits.available_memory()
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert 0 < free <= total
    assert read_limits.memory_budget() == int(free * read_limits.MEMORY_SHARE)


# -- the same reads through the CLI: exit 0 with the right numbers, or exit 2 and one line ---------

def cli(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEQLEN_SETTINGS": str(cwd / "settings.json")}
    return subprocess.run([sys.executable, "-m", "seqlen_tui.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


def accounts(path, negative: str = "({:.2f})", junk_every: int = 0):
    """120 daily balances, every other one negative, written in one style (``negative``)."""
    values = np.round((np.arange(120) % 2 * 2 - 1) * (50 + np.sin(np.arange(120)) * 20), 2)
    cells = [negative.format(-v) if v < 0 else f"{v:.2f}" for v in values]
    for i in range(0, 120, junk_every) if junk_every else ():
        cells[i] = f"{values[i]:.2f} EUR"
    dates = pd.date_range("2024-01-01", periods=120, freq="D").strftime("%Y-%m-%d")
    path.write_text("date,balance\n" + "".join(f"{d},{c}\n" for d, c in zip(dates, cells)), encoding="utf-8")
    return path, values


@pytest.mark.parametrize("negative, said", [("({:.2f})", "written as (12.34)"),
                                            ("\u2212{:.2f}", "written with the sign \u2212"),
                                            ("{:.2f}-", "written as 12.34-")])
def test_the_cli_reads_negatives_in_any_style_and_says_so(tmp_path, negative, said, monkeypatch, capsys):
    from seqlen_tui.cli import main

    path, values = accounts(tmp_path / "ledger.csv", negative)
    # The CLI's main in this process (what it reads is the subject, not the process), as `cli` runs it.
    monkeypatch.setenv("SEQLEN_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.chdir(tmp_path)
    code = main(["analyze", str(path), "--json", str(tmp_path / "out.json")])
    out, err = capsys.readouterr()
    # before: exit 2 "no numeric column (columns: date, balance)": half the cells unread, so not
    # numeric; with fewer negatives than positives, exit 0 over the positive rows alone
    assert code == 0, err
    assert "column 'balance', 120 points" in out and "dropped" not in out
    assert f"column 'balance': read 60 negatives {said}" in out
    import json

    summary = json.loads((tmp_path / "out.json").read_text())["summary"]
    assert summary["n"] == 120 and summary["dropped"] == {}


def test_the_cli_refuses_a_largely_unreadable_column_with_one_line(tmp_path):
    path, _ = accounts(tmp_path / "ledger.csv", junk_every=5)  # 24 of 120 cells (20 %) as '50.00 EUR'
    result = cli("analyze", str(path), cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    # before: exit 2 "no numeric column (columns: date, balance)", which names neither the cells nor
    # the fix (tests/unit/test_data_values.py has the case that was halved, exit 0)
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert f"{path}: column 'balance' has 24 of 120 values (20%) that are not numbers (e.g. '" in lines[0]
    assert "EUR'" in lines[0] and lines[0].endswith("or choose another column with --column")


def test_the_cli_names_a_symbolic_link_loop_and_a_dangling_link(tmp_path):
    os.symlink(tmp_path / "b.csv", tmp_path / "a.csv")
    os.symlink(tmp_path / "a.csv", tmp_path / "b.csv")
    os.symlink(tmp_path / "moved.csv", tmp_path / "c.csv")
    with ThreadPoolExecutor(2) as side_by_side:  # two fresh processes, neither waits for the other
        loop, dangling = side_by_side.map(lambda name: cli("analyze", str(tmp_path / name), cwd=tmp_path),
                                          ("a.csv", "c.csv"))
    assert (loop.returncode, dangling.returncode) == (2, 2)  # before: "file not found; check the path …"
    assert loop.stderr.strip() == f"seqlen-tui: {tmp_path / 'a.csv'}: is a symbolic link loop; give the path of the data file itself"
    assert dangling.stderr.strip() == (f"seqlen-tui: {tmp_path / 'c.csv'}: is a symbolic link to a missing file "
                                       f"{tmp_path / 'moved.csv'}; fix the link or give the file's new path")


def test_opening_a_link_that_leads_nowhere_in_the_app_names_the_link(tmp_path):
    os.symlink(tmp_path / "self.csv", tmp_path / "self.csv")
    os.symlink("gone/prices.csv", tmp_path / "old.csv")
    loop, dangling = cli(str(tmp_path / "self.csv"), cwd=tmp_path), cli(str(tmp_path / "old.csv"), cwd=tmp_path)
    # before: "no such file or command: '…self.csv' (commands: analyze, run, …)"
    assert (loop.returncode, dangling.returncode) == (2, 2)
    assert loop.stderr.strip() == (f"seqlen-tui: {tmp_path / 'self.csv'}: is a symbolic link loop; give the "
                                   "path of the data file itself")
    assert dangling.stderr.strip() == (f"seqlen-tui: {tmp_path / 'old.csv'}: is a symbolic link to a missing "
                                       f"file {tmp_path / 'gone' / 'prices.csv'}; fix the link or give the "
                                       "file's new path")


# -- the app: the summary says how negatives were read; a refusal is a notification ------------------

async def test_the_app_summary_says_how_negatives_were_read(tmp_path):
    from app_helpers import settle, widget_text

    from seqlen_tui.tui.app import SeqlenApp

    path, _ = accounts(tmp_path / "ledger.csv")
    app = SeqlenApp(str(path), settings_path=tmp_path / "s.json", runs_dir=tmp_path / "runs")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        text = " ".join(widget_text(app.screen.query_one("#report")).split())
        assert "120 points" in text and "column 'balance': read 60 negatives written as (12.34)" in text


async def test_the_app_refuses_a_gzip_bomb_with_a_notification_and_keeps_running(tmp_path):
    from app_helpers import errors, settle

    from seqlen_tui.tui.app import SeqlenApp

    bomb = gzip_bomb(tmp_path / "bomb.csv.gz", 100_000_000)
    app = SeqlenApp(str(bomb), settings_path=tmp_path / "s.json", runs_dir=tmp_path / "runs")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.is_running and "has more than 20,000,000 rows" in errors(app)[-1].message
