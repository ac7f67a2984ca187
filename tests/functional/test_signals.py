"""Signals the user set are kept, and the app refuses to start without a terminal.

Real processes throughout: a ``batch`` started as ``nohup … &`` starts it (SIGHUP and SIGINT
ignored before exec), then hung up on; the app started with no terminal, as cron, a pipe or
``ssh host cmd`` start it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from paths import HELPERS, ROOT
from process_helpers import wait_for_reports, wait_until

from synthetic import write_ar_closes as write_asset

CHILD = HELPERS / "signals_child.py"
MSFT = ROOT / "sample_data" / "MSFT.csv"
QUICK = ["--seeds", "1", "--no-classifiers", "--budget", "quick"]


def hung_up_batch(tmp_path: Path, ignored: tuple[int, ...], to_group: bool):
    """A real ``batch`` of fast1, fast2 and wait on two workers, in its own session, with
    ``ignored`` set to SIG_IGN before exec (what ``nohup`` does for SIGHUP, and a shell's
    ``&`` for SIGINT). Once both fast assets are reported and ``wait`` is held running, it is
    sent SIGHUP (to the whole process group when ``to_group``: a terminal hanging up signals
    every process of its session), then SIGINT if ignored too; then ``wait`` is let go.
    Returns (process, stdout, stderr, runs)."""
    data = tmp_path / "assets"
    data.mkdir()
    for seed, name in enumerate(("fast1", "fast2", "wait")):
        write_asset(data / f"{name}.csv", seed=seed)
    runs = tmp_path / "runs"
    go = tmp_path / "go"
    env = {**os.environ, "SEQLEN_TEST_GO": str(go), "SEQLEN_SETTINGS": str(tmp_path / "settings.json"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}

    def like_nohup() -> None:
        for sig in ignored:
            signal.signal(sig, signal.SIG_IGN)

    proc = subprocess.Popen([sys.executable, str(CHILD), "--dir", str(data), "--runs-dir", str(runs),
                             "--workers", "2", *QUICK], env=env, start_new_session=True,
                            preexec_fn=like_nohup, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_reports(proc, runs, "fast*.json", 2)
        wait_until(go.with_name("wait-started").exists, '"wait" did not start', [proc])
        sent = (signal.SIGHUP, *(s for s in ignored if s != signal.SIGHUP))
        for sig in sent:
            if to_group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
        # The signals have taken effect, with no time allowed for it: the batch stopped, or every
        # process of it ignores them (the kernel dropped them: no handler can run later).
        wait_until(lambda: proc.poll() is not None or group_ignores(proc.pid, sent),
                   "the batch neither stopped nor ignores the signals")
        go.touch()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc, out, err, runs


def group_ignores(group: int, signals: tuple[int, ...]) -> bool:
    """Whether every live process of process group ``group`` ignores ``signals`` (Linux /proc)."""
    mask = sum(1 << (sig - 1) for sig in signals)
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                status = (stat.parent / "status").read_text()
                members.append(int(status.split("SigIgn:")[1].split()[0], 16))
        except (OSError, IndexError, ValueError):
            continue  # the process exited meanwhile
    return bool(members) and all(ignored & mask == mask for ignored in members)


def reported_assets(runs: Path) -> list[str]:
    return sorted(json.loads(path.read_text())["asset"] for path in runs.glob("*.json"))


@pytest.mark.slow
def test_nohup_batch_survives_a_hang_up_and_finishes_every_asset(tmp_path):
    """``nohup seqlen-tui batch … &``, then the terminal hangs up (SIGHUP to every process of
    the session) and a stray Ctrl-C of the shell (SIGINT, ignored by ``&``): the batch and its
    workers keep going. Before: "stopped by SIGHUP", exit 129, "wait" never finished."""
    proc, out, err, runs = hung_up_batch(tmp_path, (signal.SIGHUP, signal.SIGINT), to_group=True)
    assert proc.returncode == 0, err
    assert "stopped by" not in err and "interrupted" not in err and "Traceback" not in err
    assert reported_assets(runs) == ["fast1", "fast2", "wait"]
    assert "3 done" in out


@pytest.mark.slow
def test_a_hang_up_not_ignored_still_stops_the_batch(tmp_path):
    proc, out, err, runs = hung_up_batch(tmp_path, (), to_group=False)
    assert proc.returncode == 128 + signal.SIGHUP, err
    assert "stopped by SIGHUP" in err and "Traceback" not in err
    assert reported_assets(runs) == ["fast1", "fast2"]


# -- the app needs a terminal ------------------------------------------------------------------


def start_app(args: list[str], **streams) -> subprocess.CompletedProcess:
    """``seqlen-tui ARGS`` as cron or ``ssh host cmd`` start it; a hang is a failure, not a wait."""
    env = {**os.environ, "SEQLEN_SETTINGS": os.devnull + ".absent.json"}
    try:
        return subprocess.run([sys.executable, "-m", "seqlen_tui.cli", *args], cwd=ROOT, env=env,
                              text=True, timeout=30, **streams)
    except subprocess.TimeoutExpired:
        pytest.fail("the app started without a terminal and did not return")


@pytest.mark.parametrize("args", [[str(MSFT)], []], ids=["FILE", "bare"])
def test_the_app_without_a_terminal_is_refused_in_one_line(args):
    """Before: the app started and never returned (the test's 30 s timeout)."""
    result = start_app(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    file = str(MSFT) if args else "FILE"
    assert lines[0].startswith("seqlen-tui: the app needs a terminal")
    assert f"seqlen-tui run {file}" in lines[0] and f"seqlen-tui analyze {file}" in lines[0]
    assert result.stdout == ""


def test_the_app_with_keys_on_a_terminal_but_drawing_into_a_pipe_is_refused():
    """stdin a terminal, stderr (where Textual draws) a pipe: the user would see nothing."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        result = start_app([str(MSFT)], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        os.close(slave)
        os.close(master)
    assert result.returncode == 2
    assert "the app needs a terminal" in result.stderr


def test_stdout_may_be_redirected_when_keys_and_screen_are_a_terminal(monkeypatch):
    """``seqlen-tui FILE > log``: Textual reads stdin and draws on stderr, so the app can run."""
    pty = pytest.importorskip("pty")
    from seqlen_tui import cli

    master, slave = pty.openpty()
    try:
        with open(slave, "w", closefd=False) as terminal, open(os.devnull, "w") as redirected:
            monkeypatch.setattr(sys, "__stdin__", terminal)
            monkeypatch.setattr(sys, "__stderr__", terminal)
            monkeypatch.setattr(sys, "__stdout__", redirected)
            assert cli.app_has_a_terminal()
            monkeypatch.setattr(sys, "__stderr__", redirected)
            assert not cli.app_has_a_terminal()
    finally:
        os.close(slave)
        os.close(master)


async def test_the_app_keeps_a_hang_up_its_starter_ignored(tmp_path):
    """``trap '' HUP`` (or ``nohup`` with a terminal kept) before opening the app: the app's own
    SIGHUP handler is not installed over the ignore; SIGTERM still stops it. Before: the app
    replaced the ignore and a hang-up ended it."""
    from seqlen_tui.tui.app import SeqlenApp

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        app = SeqlenApp(None, settings_path=tmp_path / "s.json", runs_dir=tmp_path / "runs")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
