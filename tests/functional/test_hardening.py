"""Hardening: no hang, no internal error, no lag from nonsense, no report lost, no worker left
behind. Concurrency cases run with real processes."""

from __future__ import annotations

import json
import subprocess
import sys

from paths import ROOT
from process_helpers import wait_until

#: Sixteen processes each write ten reports under one asset's name at the same moment: each says
#: it is ready (its imports done) and waits for the go file, which the test makes once all are.
WRITER = """
import sys, time
from pathlib import Path
from seqlen_tui.core.report import write_new_file
folder, who, barrier = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
(barrier / f"ready-{who}").touch()
while not (barrier / "go").exists():
    time.sleep(0.001)
for i in range(10):
    write_new_file(folder, "BTC_20261130T000000", ".json", lambda h: h.write(f"{who}-{i}"))
"""


def test_sixteen_writers_of_one_name_lose_no_report(tmp_path):
    reports, barrier = tmp_path / "reports", tmp_path / "barrier"
    reports.mkdir()
    barrier.mkdir()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(reports), str(n), str(barrier)],
                                cwd=ROOT) for n in range(16)]
    # Every writer imported and waiting: they collide on purpose.
    wait_until(lambda: len(list(barrier.glob("ready-*"))) == 16, "the 16 writers did not start", writers)
    (barrier / "go").touch()
    assert [w.wait(timeout=120) for w in writers] == [0] * 16
    texts = sorted(path.read_text() for path in reports.glob("BTC_*.json"))
    assert len(texts) == 160 and len(set(texts)) == 160  # each report kept, under its own name
    assert not list(reports.glob(".write-*"))  # no temporary file left behind


# -- only regular files are read -----------------------------------------------------------------

MSFT = ROOT / "sample_data" / "MSFT.csv"


def cli(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "seqlen_tui.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_a_fifo_as_data_is_refused_at_once_not_read_forever(tmp_path):
    import os

    fifo = tmp_path / "prices.csv"
    os.mkfifo(fifo)
    result = cli("analyze", str(fifo), timeout=30)  # before: blocked in open() until killed
    assert result.returncode == 2
    assert result.stderr.strip().endswith("prices.csv: is a FIFO (named pipe), not a regular file; "
                                          "give the path of a CSV or Parquet file")
    assert "Traceback" not in result.stderr


def test_a_fifo_among_batch_files_fails_up_front_and_the_others_are_planned(tmp_path):
    import os

    from seqlen_tui.core.batch_plan import plan_batch
    from seqlen_tui.core.options import RunOptions

    fifo = tmp_path / "PIPE.csv"
    os.mkfifo(fifo)
    plan = plan_batch([fifo, MSFT], RunOptions(), tmp_path / "runs")
    assert [job.asset for job in plan.jobs] == ["MSFT"]
    assert plan.ready[0].status == "failed" and "FIFO" in plan.ready[0].error


async def test_the_app_refuses_a_fifo_with_a_notification_and_keeps_running(tmp_path):
    import os

    from app_helpers import errors, settle

    from seqlen_tui.tui.app import SeqlenApp

    fifo = tmp_path / "live.csv"
    os.mkfifo(fifo)
    app = SeqlenApp(str(fifo), settings_path=tmp_path / "s.json", runs_dir=tmp_path / "runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.is_running and "FIFO" in errors(app)[-1].message


def test_a_fifo_as_settings_file_is_refused_before_a_run_trains(tmp_path):
    import os

    fifo = tmp_path / "settings.json"
    os.mkfifo(fifo)
    result = cli("run", str(MSFT), "--save", "--yes", env={"SEQLEN_SETTINGS": str(fifo),
                                                         "SEQLEN_RUNS_DIR": str(tmp_path / "runs")})
    assert result.returncode == 2 and "is a FIFO (named pipe), not a regular file" in result.stderr
    # Refused before the run: nothing loaded TensorFlow, nothing trained, no report.
    assert "loading TensorFlow" not in result.stderr and "training on" not in result.stderr
    assert not (tmp_path / "runs").exists()


# -- a read-only settings file is never replaced ------------------------------------------------


def test_a_read_only_settings_file_is_refused_before_training_and_left_alone(tmp_path, monkeypatch, capsys):
    settings = tmp_path / "settings.json"
    settings.write_text('{"home": "/x"}\n')
    settings.chmod(0o444)  # as root too: os.access would say yes, the mode bits say no
    # The CLI's main in this process (the refusal is the subject, not the process).
    from seqlen_tui.cli import main

    monkeypatch.setenv("SEQLEN_SETTINGS", str(settings))
    monkeypatch.setenv("SEQLEN_RUNS_DIR", str(tmp_path / "runs"))
    assert main(["run", str(MSFT), "--save", "--yes"]) == 2
    assert "is read-only (mode 444)" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()  # refused before any training
    assert main(["batch", str(MSFT), "--save", "--yes"]) == 2
    assert "is read-only" in capsys.readouterr().err and not (tmp_path / "runs").exists()
    assert settings.read_text() == '{"home": "/x"}\n' and (settings.stat().st_mode & 0o777) == 0o444


def test_the_store_refuses_a_read_only_file_even_for_root(tmp_path):
    import pytest

    from seqlen_tui.core.errors import SettingsError
    from seqlen_tui.core.settings import SettingsStore

    settings = tmp_path / "settings.json"
    settings.write_text("{}\n")
    settings.chmod(0o444)
    with pytest.raises(SettingsError, match="read-only"):
        SettingsStore(settings).save_lag("BTC_SL", 24)
    assert settings.read_text() == "{}\n" and not list(tmp_path.glob("*.bak"))


# -- nonsense in: a clear error, never a lag --------------------------------------------------


def test_values_whose_changes_overflow_are_refused_with_the_fix(tmp_path, capsys):
    import numpy as np
    import pandas as pd

    from seqlen_tui.cli import main

    huge = tmp_path / "HUGE.csv"
    pd.DataFrame({"close": np.where(np.arange(300) % 2, 1.7e308, -1.7e308)}).to_csv(huge, index=False)
    assert main(["analyze", str(huge)]) == 2
    err = capsys.readouterr().err
    assert "values of size 1.7e+308" in err and "scale the series (divide it by 1e308)" in err
    settings = tmp_path / "settings.json"
    assert main(["run", str(huge), "--save", "--yes", "--settings", str(settings)]) == 2
    assert not settings.exists()  # before: HUGE_SL = 7 written with exit 0


def test_a_series_constant_but_for_one_spike_is_warned_about(tmp_path, capsys):
    import numpy as np
    import pandas as pd

    from seqlen_tui.cli import main

    values = np.full(300, 5.0)
    values[150] = 9.0
    spike = tmp_path / "SPIKE.csv"
    pd.DataFrame({"close": values}).to_csv(spike, index=False)
    assert main(["analyze", str(spike), "--settings", str(tmp_path / "s.json")]) == 0
    assert "warning: the series barely moves: 99.3% of its 299 changes are zero" in capsys.readouterr().out


def test_no_finite_score_means_no_choice_and_one_bad_lag_is_left_out():
    import numpy as np

    from seqlen_tui.core.selection import select_lag

    rng = np.random.default_rng(0)
    naive = 1 + rng.random(200)
    nothing = select_lag({4: np.full(200, np.nan), 8: np.full(200, np.inf)}, naive)
    assert nothing.chosen_lag is None and "No sequence length is chosen" in nothing.verdict
    good = 0.5 * naive
    some = select_lag({4: good, 8: np.full(200, np.nan)}, naive)
    assert some.chosen_lag == 4 and any("lag 8, whose validation error is not finite" in w for w in some.warnings)


def test_alpha_too_small_for_a_finite_quantile_is_an_option_error(capsys):
    from seqlen_tui.cli import main

    assert main(["analyze", str(MSFT), "--alpha", "1e-16"]) == 2
    assert capsys.readouterr().err.strip() == "seqlen-tui: --alpha must be at least 1e-06 and below 1 (got 1e-16)"
    assert main(["run", str(MSFT), "--learning-rate", "inf"]) == 2  # before: accepted, "trained"
    assert "must be a finite number" in capsys.readouterr().err


# -- a damaged report never hides the others ------------------------------------------------


def test_damaged_reports_are_skipped_with_a_warning_and_the_good_ones_listed(tmp_path, capsys):
    import json
    import shutil

    from app_helpers import STORED_REPORT

    from seqlen_tui.cli import main

    runs = tmp_path / "runs"
    runs.mkdir()
    shutil.copy(STORED_REPORT, runs / STORED_REPORT.name)
    (runs / "BAD_1.json").write_text(json.dumps({"asset": "BAD", "leaderboard": "notalist"}))
    (runs / "BAD_2.json").write_text(json.dumps({"asset": 7, "leaderboard": []}))
    (runs / "BAD_3.json").write_text(json.dumps({"asset": "BAD", "leaderboard": [], "created_at": 5}))
    assert main(["runs", "--runs-dir", str(runs)]) == 0
    out, err = capsys.readouterr()
    assert "MSFT" in out and "1 run(s)" in out  # before: an internal error, nothing listed
    assert err.count("warning: skipped") == 3 and "its leaderboard is not a list of rows" in err
    assert main(["show", "nothing", "--runs-dir", str(runs)]) == 2
    assert "no stored run 'nothing'" in capsys.readouterr().err
    assert main(["show", str(runs / "BAD_1.json"), "--runs-dir", str(runs)]) == 2
    assert "a damaged run report (its leaderboard is not a list of rows)" in capsys.readouterr().err
    assert main(["show", "MSFT", "--runs-dir", str(runs)]) == 0


async def test_sigterm_or_sighup_stops_the_app_and_its_run_and_exits_128_plus_the_signal(tmp_path, monkeypatch):
    import signal

    from app_helpers import settle

    from seqlen_tui.tui.app import SeqlenApp

    before = signal.getsignal(signal.SIGTERM)
    app = SeqlenApp(str(MSFT), settings_path=tmp_path / "s.json", runs_dir=tmp_path / "runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert signal.getsignal(signal.SIGTERM) is not before  # the app's own handler
        handler = signal.getsignal(signal.SIGHUP)
        handler(signal.SIGHUP, None)  # what the SSH session closing delivers (not sent for real:
        for _ in range(100):          # the test runner's own process would get it); then wait for
            if app.return_code is not None:  # the app to take it, not for a length of time
                break
            await pilot.pause()
    assert app.return_code == 128 + signal.SIGHUP
    assert signal.getsignal(signal.SIGTERM) == before  # restored when the app is gone
    assert not (tmp_path / "runs").exists()


# -- no leftovers ------------------------------------------------------------------------------


def test_a_save_removes_temp_files_that_killed_saves_left_and_nothing_else(tmp_path):
    from seqlen_tui.core.settings import SettingsStore

    settings = tmp_path / "settings.json"
    settings.write_text('{"home": "/x"}\n')
    left = [tmp_path / ".settings.json.k3j9a_x1.tmp", tmp_path / ".settings.json.bak.0a1b2c3d.tmp"]
    kept = [tmp_path / ".other.json.k3j9a_x1.tmp", tmp_path / "notes.tmp", tmp_path / ".settings.json.mine.tmp"]
    for path in left + kept:
        path.write_bytes(b"x" * 1000)
    SettingsStore(settings).save_lag("BTC_SL", 24)
    assert not any(path.exists() for path in left)
    assert all(path.exists() for path in kept)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".settings.json")) == [
        ".settings.json.mine.tmp"]  # not of the store's own pattern: not ours to remove


def test_a_failed_backup_rename_leaves_no_temp_file(tmp_path, monkeypatch):
    import os

    import pytest

    from seqlen_tui.core import settings as store_module
    from seqlen_tui.core.errors import SettingsError

    settings = tmp_path / "settings.json"
    settings.write_text('{"home": "/x"}\n')
    real_replace = os.replace

    def failing(src, dst):
        if str(dst).endswith(".bak"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(store_module.os, "replace", failing)
    with pytest.raises(SettingsError, match="No space left"):
        store_module.SettingsStore(settings).save_lag("BTC_SL", 24)
    assert settings.read_text() == '{"home": "/x"}\n'
    assert not list(tmp_path.glob(".settings.json*.tmp"))


async def test_the_review_lists_the_good_runs_and_names_a_damaged_report(tmp_path):
    import json
    import shutil

    from app_helpers import STORED_REPORT, settle

    from seqlen_tui.tui.app import SeqlenApp

    runs = tmp_path / "runs"
    runs.mkdir()
    shutil.copy(STORED_REPORT, runs / STORED_REPORT.name)
    (runs / "BAD_1.json").write_text(json.dumps({"asset": "BAD", "leaderboard": "notalist"}))
    app = SeqlenApp(None, settings_path=tmp_path / "s.json", runs_dir=runs)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_review()
        await settle(app, pilot, group="review")
        await pilot.pause()
        assert [run.asset for run in app.screen.runs] == ["MSFT"]  # before: none listed at all
        warning = [n for n in app._notifications if "damaged" in n.title][-1]
        assert warning.title == "Skipped 1 damaged report" and "BAD_1.json" in warning.message


# -- every check that needs no model runs before TensorFlow loads --------------------------------

#: One fresh process runs each command line of its JSON argument in turn; after each, the exit code
#: and whether TensorFlow is loaded yet go to stdout, and a separator to stderr (a command that
#: loaded TensorFlow is caught by its own line: nothing unloads it).
LATE = """
import json, sys
from seqlen_tui.cli import main
for args in json.loads(sys.argv[1]):
    code = main(args)
    print(code, "tensorflow" in sys.modules, flush=True)
    print("--- end of command", file=sys.stderr, flush=True)
"""


def test_refusals_that_need_no_model_come_before_tensorflow_loads(tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    negative = tmp_path / "NEG.csv"
    pd.DataFrame({"close": np.cumsum(rng.normal(0, 1, 300))}).to_csv(negative, index=False)
    short = tmp_path / "SHORT.csv"
    pd.DataFrame({"close": 100 + np.cumsum(rng.normal(0, 1, 60))}).to_csv(short, index=False)
    cases = (([str(negative), "--target", "logret"], "needs every value above zero"),
             ([str(short)], "no candidate sequence length fits 60 points"),
             ([str(MSFT), "--folds", "1000"], "folds"))
    commands = [["run", *args, "--runs-dir", str(tmp_path / "runs"), "--settings", str(tmp_path / "s.json")]
                for args, _ in cases]
    result = subprocess.run([sys.executable, "-c", LATE, json.dumps(commands)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    ends = [line.split() for line in result.stdout.splitlines() if line.split()[-1:] in (["True"], ["False"])]
    errs = result.stderr.split("--- end of command\n")
    assert len(ends) == len(cases) and len(errs) == len(cases) + 1, (result.stdout, result.stderr)
    for (args, words), end, err in zip(cases, ends, errs, strict=False):
        assert end == ["2", "False"], (args, result.stdout, result.stderr)
        assert words in err, (args, err)
