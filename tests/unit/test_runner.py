"""The shared file-to-report entry point used by the CLI, the app and batch runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqlen_tui.core.engine import RunOptions
from seqlen_tui.core.errors import DataError
from seqlen_tui.core.runner import DataOptions, report_identity, run_file


@pytest.fixture
def prices(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "eth-usd.csv"
    pd.DataFrame({"Date": pd.date_range("2020-01-01", periods=900, freq="D"),
                  "Close": 100 + rng.standard_normal(900).cumsum()}).to_csv(path, index=False)
    return path


def test_run_file_writes_a_report_whose_identity_matches(prices, tmp_path, ridge_engine):
    options = RunOptions(seeds=1, classifiers=False)
    data = DataOptions(last=600)
    report, written = run_file(prices, options, data=data, runs_dir=tmp_path / "runs")
    assert written.parent == tmp_path / "runs" and written.name.startswith("eth-usd_")
    assert report["n"] == 600
    assert (report["data_sha256"], report["options_hash"]) == report_identity(prices, options, data)
    # A different data selection is a different run.
    assert report_identity(prices, options, DataOptions(last=500))[1] != report["options_hash"]


def test_run_file_bad_file_is_a_data_error_and_writes_nothing(tmp_path, ridge_engine):
    bad = tmp_path / "bad.csv"
    bad.write_text("no numbers here\nat all\n")
    with pytest.raises(DataError):
        run_file(bad, RunOptions(seeds=1), runs_dir=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_write_new_file_never_overwrites_and_leaves_nothing_behind_on_failure(tmp_path):
    import pytest

    from seqlen_tui.core.report import file_stamp, write_new_file

    assert file_stamp("2026-11-25T08:22:04+00:00") == "20261125T082204"
    first = write_new_file(tmp_path, "MSFT_x", ".json", lambda handle: handle.write("one"))
    second = write_new_file(tmp_path, "MSFT_x", ".json", lambda handle: handle.write("two"))
    assert (first.name, second.name) == ("MSFT_x.json", "MSFT_x-2.json")
    assert first.read_text() == "one" and second.read_text() == "two"

    def fails(handle):
        handle.write("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_new_file(tmp_path, "MSFT_x", ".json", fails)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MSFT_x-2.json", "MSFT_x.json"]
