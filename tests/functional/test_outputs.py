"""Outputs never overwrite inputs, failures to write are failures, stdout errors end cleanly.

Every case here was seen to fail on the code before this change (see the docstrings): the
``--json`` path could be the data file or the settings file, ``run`` lost its leaderboard when
the report could not be written, a batch whose workers could not start exited 0, and a full or
non-UTF-8 stdout was an "internal error".
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from paths import ROOT

from seqlen_tui.cli import main
from seqlen_tui.core.errors import DataError

MSFT = ROOT / "sample_data" / "MSFT.csv"
QUICK = ["--seeds", "1", "--no-classifiers", "--budget", "quick"]


def cli(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 60,
        **popen) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    environ.setdefault("SEQLEN_SETTINGS", os.devnull + ".absent.json")
    popen.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "seqlen_tui.cli", *args], cwd=cwd, timeout=timeout,
                          env={**environ, **(env or {})}, **popen)


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    """In-process runs read the tests' own (absent) settings file, never ./settings.json."""
    monkeypatch.setenv("SEQLEN_SETTINGS", str(tmp_path / "absent-settings.json"))


@pytest.fixture
def data(tmp_path):
    """A copy of MSFT.csv (2,485 business days) in its own folder."""
    path = tmp_path / "MSFT.csv"
    path.write_bytes(MSFT.read_bytes())
    return path


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("seqlen-tui: ") and "Traceback" not in err, err
    return lines[0]


def last_error_line(err: str) -> str:
    """The line after the progress log: the one that says what failed."""
    assert "Traceback" not in err and "internal error" not in err, err
    line = err.strip().splitlines()[-1]
    assert line.startswith("seqlen-tui: "), err
    return line


# -- no output path may be an input ----------------------------------------------------------


def test_json_onto_the_data_file_is_refused_and_the_data_kept(data, capsys):
    """Before: exit 0, MSFT.csv replaced by the analysis JSON."""
    before = data.read_bytes()
    assert main(["analyze", str(data), "--json", str(data)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(data) in line and "data file" in line and "choose another --json path" in line
    assert data.read_bytes() == before


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_json_onto_the_data_file_through_a_link_is_refused(data, tmp_path, capsys, link):
    """Before: exit 0; the symlink's target (the data) or the shared inode was overwritten."""
    other = tmp_path / "out.json"
    (os.symlink if link == "symlink" else os.link)(data, other)
    before = data.read_bytes()
    assert main(["analyze", str(data), "--json", str(other)]) == 2
    assert "data file" in one_error_line(capsys.readouterr().err)
    assert data.read_bytes() == before


def test_json_onto_the_settings_file_in_effect_is_refused(data, tmp_path, capsys, monkeypatch):
    """Before: exit 0, the user's settings.json replaced by the analysis (no lock, no .bak)."""
    settings = tmp_path / "settings.json"
    settings.write_text('{"home": "/project", "MSFT_SL": 11}\n')
    monkeypatch.delenv("SEQLEN_SETTINGS", raising=False)
    monkeypatch.chdir(tmp_path)  # ./settings.json is the file in effect
    assert main(["analyze", str(data), "--json", "settings.json"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "settings file" in line and "settings.json" in line
    assert settings.read_text() == '{"home": "/project", "MSFT_SL": 11}\n'


@pytest.mark.parametrize("suffix", [".bak", ".lock"])
def test_json_onto_the_settings_backup_or_lock_is_refused_even_when_absent(data, tmp_path, capsys, suffix):
    """Before: exit 0, a JSON analysis written where the next save keeps its backup / takes its lock."""
    settings = tmp_path / "s.json"
    target = tmp_path / f"s.json{suffix}"
    assert main(["analyze", str(data), "--settings", str(settings), "--json", str(target)]) == 2
    assert "settings file" in one_error_line(capsys.readouterr().err)
    assert not target.exists()


def test_an_existing_file_of_another_kind_is_refused_not_replaced(data, tmp_path, capsys):
    """Before: exit 0, notes.json (the user's own JSON) replaced."""
    notes = tmp_path / "notes.json"
    notes.write_text('{"todo": ["buy milk"]}\n')
    assert main(["analyze", str(data), "--json", str(notes)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(notes) in line and "not a seqlen-tui JSON output" in line and "choose another --json path" in line
    assert notes.read_text() == '{"todo": ["buy milk"]}\n'


def test_our_own_earlier_output_is_replaced(data, tmp_path, capsys):
    out = tmp_path / "analysis.json"
    assert main(["analyze", str(data), "--json", str(out), "--max-lag", "20"]) == 0
    assert json.loads(out.read_text())["max_lag"] == 20
    assert main(["analyze", str(data), "--json", str(out), "--max-lag", "30"]) == 0
    assert json.loads(out.read_text())["max_lag"] == 30
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_json_through_a_symlink_to_our_output_keeps_the_link(data, tmp_path, capsys):
    real = tmp_path / "real.json"
    assert main(["analyze", str(data), "--json", str(real)]) == 0
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    assert main(["analyze", str(data), "--json", str(link), "--max-lag", "25"]) == 0
    assert link.is_symlink() and json.loads(real.read_text())["max_lag"] == 25


def test_run_json_onto_the_data_file_is_refused_before_loading_or_training(data, tmp_path, capsys,
                                                                          monkeypatch):
    """Before: the run trained, then wrote its report over MSFT.csv."""
    import seqlen_tui.core.runner as runner

    def never(*args, **kwargs):
        raise AssertionError("trained before refusing the --json path")

    monkeypatch.setattr(runner, "build_report", never)
    before = data.read_bytes()
    code = main(["run", str(data), "--json", str(data), "--runs-dir", str(tmp_path / "runs"), *QUICK])
    assert code == 2
    assert "data file" in one_error_line(capsys.readouterr().err)
    assert data.read_bytes() == before and not (tmp_path / "runs").exists()


def test_run_json_onto_a_stored_report_is_refused_before_training(data, tmp_path, capsys, monkeypatch):
    """A stored run is history (``runs``, ``show`` and the app's review read it). Before: the
    run trained, then replaced the stored report with its own."""
    from app_helpers import STORED_REPORT

    import seqlen_tui.core.runner as runner

    def never(*args, **kwargs):
        raise AssertionError("trained before refusing the --json path")

    monkeypatch.setattr(runner, "build_report", never)
    runs = tmp_path / "runs"
    runs.mkdir()
    stored = runs / STORED_REPORT.name
    stored.write_bytes(STORED_REPORT.read_bytes())
    assert main(["run", str(data), "--json", str(stored), "--runs-dir", str(runs), *QUICK]) == 2
    assert "stored run report" in one_error_line(capsys.readouterr().err)
    assert stored.read_bytes() == STORED_REPORT.read_bytes()
    elsewhere = tmp_path / "copy.json"  # the same report outside the runs folder is ours to replace
    elsewhere.write_bytes(STORED_REPORT.read_bytes())
    from seqlen_tui.core.outputs import check_output_path

    assert check_output_path(elsewhere, runs_dir=runs) == elsewhere


def test_run_json_into_a_missing_folder_is_refused_before_training(data, tmp_path, capsys, monkeypatch):
    """Before: the run trained, then failed to write: "cannot write …: No such file or directory"."""
    import seqlen_tui.core.runner as runner

    def never(*args, **kwargs):
        raise AssertionError("trained before refusing the --json path")

    monkeypatch.setattr(runner, "build_report", never)
    target = tmp_path / "no-such-folder" / "out.json"
    assert main(["run", str(data), "--json", str(target), "--runs-dir", str(tmp_path / "runs"), *QUICK]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "does not exist" in line and "choose another --json path" in line


def test_the_rule_is_in_the_core_for_every_front_end(data, tmp_path):
    from seqlen_tui.core.outputs import check_output_path

    settings = tmp_path / "settings.json"
    with pytest.raises(DataError, match="data file"):
        check_output_path(data, inputs=[data], settings=settings)
    with pytest.raises(DataError, match="settings file"):
        check_output_path(tmp_path / "settings.json.bak", inputs=[data], settings=settings)
    check_output_path(tmp_path / "new.json", inputs=[data], settings=settings)  # a new name is fine
    settings.write_text("{}\n")
    os.link(settings, tmp_path / "hard.json")
    (tmp_path / "soft.json").symlink_to(settings)
    for other in ("hard.json", "soft.json"):
        with pytest.raises(DataError, match="is the settings file"):
            check_output_path(tmp_path / other, settings=settings)


def test_a_json_write_that_fails_half_way_leaves_the_old_file_whole(data, tmp_path):
    """Before: the file was truncated, then written until the limit: half a JSON file was left.

    A real partial write: the child may write at most 4 KiB per file (RLIMIT_FSIZE; Python
    ignores SIGXFSZ, so the write fails with EFBIG), and the analysis is larger."""
    resource = pytest.importorskip("resource")
    out = tmp_path / "analysis.json"
    assert main(["analyze", str(data), "--json", str(out)]) == 0  # the old file: no limit, no child needed
    old = out.read_bytes()
    assert len(old) > 8192

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = cli("analyze", str(data), "--json", str(out), "--max-lag", "30", text=True,
                 preexec_fn=small_files)
    assert result.returncode == 2, result.stderr
    assert "cannot write" in result.stderr.strip().splitlines()[-1]
    assert out.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MSFT.csv", "analysis.json"]


# -- batch: settings keys are what must be unique -----------------------------------------------


def test_batch_refuses_two_files_with_one_settings_key_before_training(tmp_path, capsys, monkeypatch):
    """Before: a-b and a_b both ran and both saved A_B_SL: the second overwrote the first."""
    from helpers import batch_tasks

    from seqlen_tui.core import batch

    monkeypatch.setattr(batch, "run_asset_job", batch_tasks.ridge_task)
    folder = tmp_path / "assets"
    folder.mkdir()
    for name in ("a-b", "a_b"):
        (folder / f"{name}.csv").write_bytes(MSFT.read_bytes())
    settings = tmp_path / "settings.json"
    code = main(["batch", "--dir", str(folder), "--runs-dir", str(tmp_path / "runs"), "--save", "--yes",
                 "--settings", str(settings), "--workers", "1", *QUICK])
    assert code == 2
    line = one_error_line(capsys.readouterr().err)
    assert "a-b.csv" in line and "a_b.csv" in line and "A_B_SL" in line and "rename one" in line
    assert not settings.exists() and not (tmp_path / "runs").exists()


def test_plan_compares_settings_keys_not_asset_names(tmp_path):
    from seqlen_tui.core.batch_plan import plan_batch
    from seqlen_tui.core.engine import RunOptions

    for name in ("x.y", "X_Y", "other"):
        (tmp_path / f"{name}.csv").write_bytes(MSFT.read_bytes())
    with pytest.raises(DataError) as caught:
        plan_batch([tmp_path / "x.y.csv", tmp_path / "other.csv", tmp_path / "X_Y.csv"], RunOptions(),
                   tmp_path / "runs")
    message = str(caught.value)
    assert "x.y.csv" in message and "X_Y.csv" in message and "X_Y_SL" in message


# -- failures are failures -----------------------------------------------------------------------


def test_run_whose_report_cannot_be_written_still_prints_the_leaderboard_and_fails(
        series_file, tmp_path, capsys, ridge_engine, monkeypatch):
    """Before: "internal error: OSError: [Errno 28] No space left on device", exit 1, and the
    leaderboard and the chosen lag of the finished training were never shown."""
    import seqlen_tui.core.report as report

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(report, "write_report", full_disk)
    settings = tmp_path / "settings.json"
    code = main(["run", str(series_file), "--runs-dir", str(tmp_path / "runs"), "--save", "--yes",
                 "--settings", str(settings), *QUICK])
    assert code == 1
    captured = capsys.readouterr()
    assert "Chosen sequence length:" in captured.out and "persistence" in captured.out
    line = last_error_line(captured.err)
    assert "report not written" in line and "No space left on device" in line and "--runs-dir" in line
    # --save --yes was asked for: the chosen lag is saved even though the report is lost.
    assert "BTC_USD_SL" in json.loads(settings.read_text())


def test_run_into_a_read_only_runs_folder_prints_the_leaderboard_and_fails(
        series_file, tmp_path, capsys, ridge_engine, monkeypatch):
    """Before: "internal error: PermissionError", exit 1, no leaderboard (as root, chmod does not
    stop writes, so the OS error is raised where the report is written)."""
    import seqlen_tui.core.report as report

    real_write_new_file = report.write_new_file

    def read_only(folder, *args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))

    monkeypatch.setattr(report, "write_new_file", read_only)
    code = main(["run", str(series_file), "--runs-dir", str(tmp_path / "runs"), *QUICK])
    monkeypatch.setattr(report, "write_new_file", real_write_new_file)
    assert code == 1
    captured = capsys.readouterr()
    assert "Chosen sequence length:" in captured.out
    assert "Report: not written" in captured.out
    line = last_error_line(captured.err)
    assert "report not written" in line and "Permission denied" in line and "a folder you can write" in line


@pytest.mark.parametrize("failure", [BrokenPipeError, "BrokenProcessPool"])
def test_batch_whose_workers_cannot_start_fails(tmp_path, capsys, monkeypatch, failure):
    """Before: exit 0, no summary, the assets never ran (cli.main's BrokenPipeError handler
    turned the failure into success; a BrokenProcessPool was an "internal error")."""
    from concurrent.futures.process import BrokenProcessPool

    from seqlen_tui.core import batch

    error = BrokenProcessPool if failure == "BrokenProcessPool" else failure

    def cannot_start(*args, **kwargs):
        raise error(errno.EPIPE, "Broken pipe") if error is BrokenPipeError else error("no workers")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", cannot_start)
    folder = tmp_path / "assets"
    folder.mkdir()
    for name in ("AAA", "BBB"):
        (folder / f"{name}.csv").write_bytes(MSFT.read_bytes())
    code = main(["batch", "--dir", str(folder), "--runs-dir", str(tmp_path / "runs"), *QUICK])
    assert code == 1
    captured = capsys.readouterr()
    assert "AAA" in captured.out and "BBB" in captured.out and "2 failed" in captured.out
    assert "worker processes could not start" in captured.out
    assert captured.err.strip().splitlines()[-1] == "seqlen-tui: 2 assets failed (see the summary)"
    assert "Traceback" not in captured.err


def test_a_worker_that_dies_as_it_is_spawned_fails_the_waiting_assets_once(tmp_path, monkeypatch):
    """``submit`` spawns the worker and writes its start-up data down a pipe: a worker that dies
    at once is a BrokenPipeError there. Every waiting asset fails with that reason (no pool is
    retried forever, none is reported done)."""
    from seqlen_tui.core import batch
    from seqlen_tui.core.batch_jobs import AssetJob
    from seqlen_tui.core.engine import RunOptions
    from seqlen_tui.core.resources import WorkerPlan

    class SpawnFails:
        started = 0

        def __init__(self, *args, **kwargs):
            SpawnFails.started += 1

        def submit(self, *args, **kwargs):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

        def shutdown(self, *args, **kwargs):
            pass

    monkeypatch.setattr(batch, "ProcessPoolExecutor", SpawnFails)
    jobs = [AssetJob(f"{name}.csv", name, RunOptions()) for name in ("a", "b", "c")]
    outcomes = []
    assert batch.run_local(jobs, batch.run_asset_job, outcomes.append, WorkerPlan(2, 1, (), "test")) is False
    assert [(o.asset, o.status) for o in outcomes] == [("a", "failed"), ("b", "failed"), ("c", "failed")]
    assert all("could not start (BrokenPipeError" in o.error for o in outcomes)
    assert SpawnFails.started == 1


def test_a_spawn_that_fails_after_the_pool_took_work_retries_on_a_fresh_pool(monkeypatch):
    """One worker fails to spawn while another already runs an asset: the running asset
    finishes, the waiting ones go to a fresh pool, nothing is failed for a passing fault."""
    from concurrent.futures import Future

    from seqlen_tui.core import batch
    from seqlen_tui.core.batch_jobs import AssetJob, AssetOutcome
    from seqlen_tui.core.engine import RunOptions
    from seqlen_tui.core.resources import WorkerPlan

    class FirstPoolSpawnsOnce:
        pools = 0

        def __init__(self, *args, **kwargs):
            FirstPoolSpawnsOnce.pools += 1
            self.first, self.taken = FirstPoolSpawnsOnce.pools == 1, 0

        def submit(self, task, job):
            if self.first and self.taken:
                raise BrokenPipeError(errno.EPIPE, "Broken pipe")
            self.taken += 1
            future = Future()
            future.set_result(AssetOutcome(job.asset, job.file, "done"))
            return future

        def shutdown(self, *args, **kwargs):
            pass

    monkeypatch.setattr(batch, "ProcessPoolExecutor", FirstPoolSpawnsOnce)
    jobs = [AssetJob(f"{name}.csv", name, RunOptions()) for name in ("a", "b", "c")]
    outcomes = []
    batch.run_local(jobs, batch.run_asset_job, outcomes.append, WorkerPlan(2, 1, (), "test"))
    assert sorted((o.asset, o.status) for o in outcomes) == [("a", "done"), ("b", "done"), ("c", "done")]
    assert FirstPoolSpawnsOnce.pools == 2


def test_a_broken_pipe_that_is_not_our_stdout_is_a_failure(monkeypatch, capsys):
    """Before: exit 0 and nothing said."""
    import seqlen_tui.cli as cli_module

    def handler(args):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setitem(cli_module.COMMAND_HANDLERS, "runs", handler)
    assert main(["runs"]) == 1
    assert "Broken pipe" in one_error_line(capsys.readouterr().err)


def test_stdout_that_is_full_is_one_line_exit_1(data):
    """Before: "internal error: OSError: [Errno 28] No space left on device", exit 1."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        result = cli("analyze", str(data), stdout=full, stderr=subprocess.PIPE, capture_output=False,
                     text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == "seqlen-tui: cannot write to standard output: No space left on device"


def test_a_closed_stdout_pipe_is_a_quiet_exit(data):
    """A reader that stops early (``| head``): exit 0, nothing on stderr, no "Exception ignored"."""
    proc = subprocess.Popen([sys.executable, "-m", "seqlen_tui.cli", "analyze", str(data), "--json", "-"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "SEQLEN_SETTINGS": os.devnull + ".absent.json"})
    proc.stdout.close()  # before the child writes anything
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert b"Exception ignored" not in err and b"Traceback" not in err


def test_a_closed_stdout_prints_nothing_and_is_no_internal_error(data):
    """``seqlen-tui analyze FILE >&-``: Python has no sys.stdout; the analysis runs as before."""
    result = cli("analyze", str(data), stdout=None, stderr=subprocess.PIPE, capture_output=False,
                 text=True, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_stdout_that_is_not_utf8_prints_what_it_can(tmp_path, encoding):
    """Before: "internal error: UnicodeEncodeError: 'ascii' codec can't encode character", exit 1."""
    data = tmp_path / "Köln_日本.csv"
    data.write_bytes(MSFT.read_bytes())
    with ThreadPoolExecutor(2) as side_by_side:  # two fresh processes, neither waits for the other
        text_run = side_by_side.submit(cli, "analyze", str(data), env={"PYTHONIOENCODING": encoding})
        json_run = side_by_side.submit(cli, "analyze", str(data), "--json", "-", env={"PYTHONIOENCODING": encoding})
        result, as_json = text_run.result(), json_run.result()
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode(encoding)
    assert "ACF findings" in out and "\\u65e5" in out  # 日 escaped, never a crash
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout.decode(encoding))["file"] == str(data)  # valid JSON, same text


async def test_the_apps_export_refuses_the_settings_backup_and_the_data_file(tmp_path):
    """The leaderboard export (e) takes a path typed by the user. Before: a CSV written at
    settings.json.bak (where the next save keeps the user's previous file)."""
    from app_helpers import STORED_REPORT

    from seqlen_tui.tui.app import SeqlenApp
    from seqlen_tui.tui.screens.run import RunScreen

    settings = tmp_path / "settings.json"
    settings.write_text('{"home": "/project"}\n')
    data = tmp_path / "MSFT.csv"
    data.write_bytes(MSFT.read_bytes())
    report = {**json.loads(STORED_REPORT.read_text()), "file": str(data)}
    app = SeqlenApp(None, settings_path=settings, runs_dir=tmp_path / "runs")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(RunScreen(report=report))
        await pilot.pause()
        run = app.screen
        notes = []
        run.notify = lambda message, **kwargs: notes.append(message)
        assert run.export_to(str(tmp_path / "settings.json.bak")) is None
        assert "settings file's backup" in notes[-1] and "choose another file name" in notes[-1]
        assert not (tmp_path / "settings.json.bak").exists()
        assert run.export_to(str(data)) is None and "data file" in notes[-1]
        assert run.export_to(str(tmp_path / "board.csv")) == tmp_path / "board.csv"
    assert settings.read_text() == '{"home": "/project"}\n'
