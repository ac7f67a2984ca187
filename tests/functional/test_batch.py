"""`seqlen-tui batch`: many assets on a process pool or on Ray, resumable, one summary.

Workers run the real per-asset task code with the LSTM swapped for the ridge judge
(``helpers.batch_tasks.ridge_task``), so no worker imports TensorFlow; one slow test trains the
real LSTM end to end.  The pool runs in real spawned processes (and a real local Ray); where the
pool is not the subject (reruns: planning, skipping, forcing, saving) one thread of the test
process stands in for it (``in_process_pool``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import batch_tasks
from paths import HELPERS, ROOT
from process_helpers import wait_for_reports, wait_until

from seqlen_tui.cli import main
from seqlen_tui.core import batch, resources
from seqlen_tui.core.batch import run_batch
from seqlen_tui.core.batch_jobs import AssetJob
from seqlen_tui.core.batch_plan import collect_files, plan_batch
from seqlen_tui.core.engine import RunOptions
from seqlen_tui.core.errors import DataError
from seqlen_tui.core.report import list_runs
from seqlen_tui.core.resources import plan_workers, visible_gpus
from synthetic import write_ar_closes as write_asset

CHILD = HELPERS / "batch_cli_child.py"
QUICK = ["--seeds", "1", "--no-classifiers", "--budget", "quick"]


@pytest.fixture
def folder(tmp_path):
    data = tmp_path / "assets"
    data.mkdir()
    for seed, name in enumerate(("AAA", "BBB", "CCC")):
        write_asset(data / f"{name}.csv", seed=seed)
    (data / "BAD.csv").write_text("no numbers here\nat all\n")
    return data


@pytest.fixture
def ridge(monkeypatch):
    """The CLI's default task becomes the ridge task (importable by name in the workers)."""
    monkeypatch.setattr(batch, "run_asset_job", batch_tasks.ridge_task)


def thread_pool(context, workers, waiting, import_guard):
    """Stands in for ``batch._start_pool`` where the pool is not the subject (planning, resume,
    force, saving): one thread of this process runs the jobs one after another, so no worker
    process pays seconds of imports. The real spawned pool is what the other tests here run."""
    return ThreadPoolExecutor(max_workers=1)


@pytest.fixture
def in_process_pool(monkeypatch):
    monkeypatch.setattr(batch, "_start_pool", thread_pool)


def reports(runs: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for path in sorted(runs.glob("*.json")):
        report = json.loads(path.read_text())
        found.setdefault(report["asset"], []).append(report)
    return found


def summary_rows(runs: Path) -> list[dict]:
    newest = sorted(runs.glob("batch_*.csv"), key=lambda p: p.stat().st_mtime)[-1]
    with newest.open(newline="") as handle:
        return list(csv.DictReader(handle))


# -- the pool: a bad file, resume, force, save ---------------------------------------------------


def test_bad_file_is_in_the_summary_and_the_others_get_their_reports(folder, tmp_path, ridge, capsys):
    runs = tmp_path / "runs"
    code = main(["batch", "--dir", str(folder), "--runs-dir", str(runs), "--workers", "2", *QUICK])
    assert code == 1
    out, err = capsys.readouterr()
    found = reports(runs)
    assert sorted(found) == ["AAA", "BBB", "CCC"]
    for asset, (report,) in found.items():
        # Exactly the report `run` writes: same fields, the original file, its own asset name.
        assert report["file"] == str(folder / f"{asset}.csv")
        assert report["chosen_lag"] in report["lags"] and report["leaderboard"]
        assert report["options"]["seeds"] == 1 and report["options"]["classifiers"] is False
    rows = {row["asset"]: row for row in summary_rows(runs)}
    assert rows["BAD"]["status"] == "failed" and "does not look like a table" in rows["BAD"]["error"]
    assert {rows[a]["status"] for a in ("AAA", "BBB", "CCC")} == {"done"}
    assert rows["AAA"]["n"] == "400" and rows["AAA"]["frequency"] == "D"
    assert rows["AAA"]["chosen_lag"] == str(found["AAA"][0]["chosen_lag"])
    assert "BAD" in out and "failed" in out and "3 done, 1 failed" in out
    assert "1 asset failed" in err
    # `seqlen-tui runs` lists batch results like any other.
    assert {run.asset for run in list_runs(runs)} == {"AAA", "BBB", "CCC"}


@pytest.mark.slow
def test_rerun_skips_finished_assets_force_and_changes_rerun(folder, tmp_path, ridge, in_process_pool, capsys):
    runs = tmp_path / "runs"
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"home": "/project", "AAA_SL": 99, "seqlen_tui": {"alpha": 0.05}}))
    base = ["batch", "--dir", str(folder), "--runs-dir", str(runs), "--workers", "2", *QUICK]

    assert main([*base, "--save", "--yes", "--settings", str(settings)]) == 1
    first = reports(runs)
    saved = json.loads(settings.read_text())
    assert saved["home"] == "/project" and saved["seqlen_tui"] == {"alpha": 0.05}
    assert {k: saved[k] for k in ("AAA_SL", "BBB_SL", "CCC_SL")} == {
        asset + "_SL": first[asset][0]["chosen_lag"] for asset in ("AAA", "BBB", "CCC")}
    assert "BAD_SL" not in saved
    capsys.readouterr()

    # Same files, same options: nothing is rerun (the bad file still fails, so exit 1).
    assert main(base) == 1
    assert reports(runs) == first
    assert "3 to run" not in capsys.readouterr().out
    assert {r["asset"]: r["status"] for r in summary_rows(runs)} == {
        "AAA": "skipped", "BBB": "skipped", "CCC": "skipped", "BAD": "failed"}

    # A changed file is a new run of that asset only; --force reruns everything.
    write_asset(folder / "BBB.csv", seed=11)
    (folder / "BAD.csv").unlink()
    assert main(base) == 0
    assert [len(v) for v in reports(runs).values()] == [1, 2, 1]
    assert main([*base, "--force", "--workers", "3"]) == 0
    assert [len(v) for v in reports(runs).values()] == [2, 3, 2]
    # Changed options are a new run of every asset.
    files = collect_files(folder=folder)
    options = RunOptions(seeds=1, classifiers=False, budget="quick")
    assert plan_batch(files, options, runs).jobs == []
    assert len(plan_batch(files, RunOptions(seeds=2, classifiers=False, budget="quick"), runs).jobs) == 3


@pytest.mark.slow
def test_killed_worker_loses_only_the_asset_in_flight(tmp_path, monkeypatch):
    data = tmp_path / "assets"
    data.mkdir()
    for seed, name in enumerate(("a1", "a2", "die", "z1")):
        write_asset(data / f"{name}.csv", seed=seed)
    runs = tmp_path / "runs"
    options = RunOptions(seeds=1, classifiers=False, budget="quick")
    plan = plan_batch(collect_files(folder=data), options, runs)
    result = run_batch(plan, runs, workers=1, task=batch_tasks.dying_task)
    status = {o.asset: o.status for o in result.outcomes}
    assert status == {"a1": "done", "a2": "done", "die": "failed", "z1": "done"}
    assert "worker process died" in next(o.error for o in result.outcomes if o.asset == "die")
    assert not result.all_done and result.count("failed") == 1
    # The rerun finishes only what is missing (planning: no worker process needed for it).
    monkeypatch.setattr(batch, "_start_pool", thread_pool)
    again = run_batch(plan_batch(collect_files(folder=data), options, runs), runs, workers=1,
                      task=batch_tasks.ridge_task)
    assert {o.asset: o.status for o in again.outcomes} == {
        "a1": "skipped", "a2": "skipped", "die": "done", "z1": "skipped"}
    assert again.all_done


def stopped_batch(tmp_path: Path, stop: int, new_session: bool = False):
    """A real ``batch`` of fast1, fast2 and slow on two workers, sent ``stop`` once both fast
    assets are reported (slow still running); returns (process, stderr, runs, args, env)."""
    data = tmp_path / "assets"
    data.mkdir()
    for seed, name in enumerate(("fast1", "fast2", "slow")):
        write_asset(data / f"{name}.csv", seed=seed)
    runs = tmp_path / "runs"
    args = ["--dir", str(data), "--runs-dir", str(runs), "--workers", "2", *QUICK]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, str(CHILD), "slow_task", *args], env=env,
                            start_new_session=new_session, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for_reports(proc, runs, "fast*.json", 2)
        proc.send_signal(stop)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc, err, runs, args, env


@pytest.mark.slow
def test_ctrl_c_keeps_finished_assets_and_a_rerun_finishes_the_rest(tmp_path, ridge, in_process_pool, capsys):
    proc, err, runs, args, _ = stopped_batch(tmp_path, signal.SIGINT)  # "slow" still running
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert sorted(reports(runs)) == ["fast1", "fast2"]
    assert {r["asset"]: r["status"] for r in summary_rows(runs)}["slow"] == "interrupted"

    # The rerun is planning and resuming, no signal: in this process.
    assert main(["batch", *args]) == 0, capsys.readouterr().err
    assert "1 to run, 2 skipped" in capsys.readouterr().out
    assert {asset: len(r) for asset, r in reports(runs).items()} == {"fast1": 1, "fast2": 1, "slow": 1}


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_the_batch_like_ctrl_c_and_leave_no_process(tmp_path, stop):
    """A polite kill, or the SSH session closing: the summary is written, the finished assets
    kept, the exit code is 128 + the signal, and no worker (nor the resource tracker) is left
    running in the batch's process group."""
    # To the parent only: it must end its workers itself.
    proc, err, runs, _, _ = stopped_batch(tmp_path, stop, new_session=True)
    assert proc.returncode == 128 + stop, err
    assert f"stopped by {signal.Signals(stop).name}" in err and "Traceback" not in err
    assert sorted(reports(runs)) == ["fast1", "fast2"]
    assert {r["asset"]: r["status"] for r in summary_rows(runs)}["slow"] == "interrupted"
    # The group empties once the workers and the tracker have exited.
    wait_until(lambda: not group_alive(proc.pid), "processes of the batch are still running after it exited")


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


# -- Ray -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_ray_runs_the_same_task_on_a_local_ray(folder, tmp_path, ridge, capsys):
    ray = pytest.importorskip("ray", reason="the Ray path needs the 'ray' extra (CI installs it)")
    from seqlen_tui.core.batch_ray import local_runtime_env

    # Started here once (as `batch --ray --workers 2` would) and reused by both batches below.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env=local_runtime_env())
    try:
        ray_batches(folder, tmp_path, capsys)
    finally:
        ray.shutdown()


def ray_batches(folder, tmp_path, capsys):
    runs = tmp_path / "runs"
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"home": "/project"}))
    code = main(["batch", "--dir", str(folder), "--runs-dir", str(runs), "--ray", "--workers", "2",
                 "--save", "--yes", "--settings", str(settings), *QUICK])
    assert code == 1
    assert "a local Ray (2 CPUs)" in capsys.readouterr().out
    found = reports(runs)
    assert sorted(found) == ["AAA", "BBB", "CCC"]
    for asset, (report,) in found.items():  # files travel as bytes; the report names the original
        assert report["file"] == str(folder / f"{asset}.csv")
    rows = {row["asset"]: row["status"] for row in summary_rows(runs)}
    assert rows == {"AAA": "done", "BBB": "done", "CCC": "done", "BAD": "failed"}
    saved = json.loads(settings.read_text())
    assert saved["home"] == "/project" and {"AAA_SL", "BBB_SL", "CCC_SL"} <= set(saved)
    # Resume works the same way on Ray: nothing left to run.
    assert main(["batch", "--dir", str(folder), "--runs-dir", str(runs), "--ray", "--workers", "2", *QUICK]) == 1
    assert sum(len(v) for v in reports(runs).values()) == 3


# -- planning, resources, usage ----------------------------------------------------------------


def test_plan_refuses_duplicate_keys_and_fails_unreadable_files_up_front(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    write_asset(tmp_path / "x" / "BTC.csv")
    write_asset(tmp_path / "y" / "btc.csv", seed=1)
    with pytest.raises(DataError, match="both map to the settings key BTC_SL"):
        plan_batch([tmp_path / "x" / "BTC.csv", tmp_path / "y" / "btc.csv"], RunOptions(), tmp_path / "runs")
    plan = plan_batch([tmp_path / "x" / "BTC.csv", tmp_path / "gone.csv"], RunOptions(), tmp_path / "runs")
    assert [job.asset for job in plan.jobs] == ["BTC"]
    errors = {o.file: o.error for o in plan.ready}
    assert "cannot read" in errors[str(tmp_path / "gone.csv")]


def test_collect_files_errors_are_one_line_data_errors(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        collect_files(folder=tmp_path / "nope")
    with pytest.raises(DataError, match="«pattern»"):
        collect_files(folder=tmp_path)
    with pytest.raises(DataError, match="FILE"):
        collect_files()
    write_asset(tmp_path / "a.csv")
    assert collect_files([tmp_path / "a.csv"], tmp_path) == [tmp_path / "a.csv"]  # no duplicates


def test_default_workers_are_capped_by_memory_and_gpus(monkeypatch):
    monkeypatch.setattr(resources, "available_cores", lambda: 16)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    monkeypatch.setattr(resources, "available_memory", lambda: 64 * 2**30)
    assert plan_workers().workers == 16 and plan_workers().threads == 1
    monkeypatch.setattr(resources, "available_memory", lambda: int(3.5 * 2**30))
    assert plan_workers().workers == 3 and plan_workers().threads == 5
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    assert visible_gpus() == ["0", "1"]
    assert plan_workers().workers == 2 and plan_workers().gpus == ("0", "1")
    assert plan_workers(5).workers == 5  # --workers wins
    assert plan_workers(None, jobs=1).workers == 1  # never more workers than assets
    # Training on the CPU: the GPUs neither cap the workers nor are handed out.
    on_cpu = plan_workers(device="cpu")
    assert on_cpu.workers == 3 and on_cpu.gpus == ()
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert visible_gpus() == []


def test_usage_errors_exit_2_in_one_line(tmp_path, capsys, monkeypatch):
    assert main(["batch"]) == 2
    assert main(["batch", "--dir", str(tmp_path / "none")]) == 2
    write_asset(tmp_path / "a.csv")
    assert main(["batch", str(tmp_path / "a.csv"), "--workers", "0"]) == 2
    assert main(["batch", str(tmp_path / "a.csv"), "--epochs", "0"]) == 2
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(["batch", str(tmp_path / "a.csv"), "--runs-dir", str(tmp_path / "runs"), "--save",
                 "--settings", str(tmp_path / "s.json")]) == 2
    err = capsys.readouterr().err
    assert "--save needs --yes" in err and "Traceback" not in err
    assert all(line.startswith("seqlen-tui: ") for line in err.strip().splitlines())
    assert not (tmp_path / "runs").exists()


def test_job_with_payload_names_the_original_file(tmp_path):
    """What a Ray worker on another machine does: the file arrives as bytes."""
    path = write_asset(tmp_path / "ETH-USD.csv")
    job = AssetJob(str(tmp_path / "elsewhere" / "ETH-USD.csv"), "ETH-USD",
                   RunOptions(seeds=1, classifiers=False), payload=path.read_bytes())
    outcome = batch_tasks.ridge_task(job)
    assert outcome.status == "done", outcome.error
    assert outcome.report["file"] == job.file and outcome.report["asset"] == "ETH-USD"
    assert outcome.report["summary"]["path"] == job.file  # built so, not patched afterwards
    assert outcome.report["data_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    bad = batch_tasks.ridge_task(AssetJob(job.file, "ETH-USD", RunOptions(), payload=b"nothing\n"))
    assert bad.status == "failed" and job.file in bad.error and "seqlen-batch-" not in bad.error


# -- the real thing ------------------------------------------------------------------------------


@pytest.mark.slow
def test_real_lstm_batch_on_two_workers(tmp_path, capsys):
    data = tmp_path / "assets"
    data.mkdir()
    for seed, name in enumerate(("ONE", "TWO")):
        write_asset(data / f"{name}.csv", n=300, seed=seed)
    runs = tmp_path / "runs"
    # The CLI's main in this process (the parent needs no TensorFlow); the two workers are real
    # spawned processes running the default task, which trains the LSTM.
    code = main(["batch", "--dir", str(data), "--runs-dir", str(runs), "--workers", "2", "--budget", "quick",
                 "--epochs", "1", "--seeds", "1", "--seeds-max", "1", "--folds", "1", "--lags", "2,5",
                 "--only-lags", "--no-classifiers"])  # one model per lag: no race of extra seeds, one fold
    assert code == 0, capsys.readouterr().err
    found = reports(runs)
    assert sorted(found) == ["ONE", "TWO"]
    for (report,) in found.values():
        assert report["lags"] == [2, 5] and report["chosen_lag"] in (2, 5)
        assert any(row["model"] == "lstm" for row in report["leaderboard"])


def test_batch_modules_import_no_deep_learning_ray_or_ui():
    """Workers import TensorFlow inside the task; the parent never needs it, nor Ray unless --ray."""
    probe = ("import sys, json, seqlen_tui.core.batch, seqlen_tui.core.batch_ray, seqlen_tui.batch_cli; "
             "print(json.dumps([n for n in ('tensorflow', 'keras', 'xgboost', 'ray', 'textual') if n in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
    help_run = subprocess.run([sys.executable, "-m", "seqlen_tui.cli", "batch", "--help"], cwd=ROOT,
                              capture_output=True, text=True, check=True)
    assert "--ray-address" in help_run.stdout and "--workers" in help_run.stdout


def test_unreachable_ray_address_is_one_clear_error_not_a_hang():
    import socket

    from seqlen_tui.core.batch_ray import check_reachable

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DataError, match="nothing answers"):
        check_reachable(f"ray://127.0.0.1:{port}", timeout=2)
    with pytest.raises(DataError, match="expected host:port"):
        check_reachable("headnode")
    check_reachable("auto")
