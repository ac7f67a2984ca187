"""TensorFlow's start-up noise: kept off the terminal by the front ends, shown by ``doctor``,
and never a file descriptor touched by the core."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from paths import ROOT

from seqlen_tui import terminal


def test_stderr_kept_holds_what_is_written_to_descriptor_2_and_restores_it(capfd, monkeypatch):
    monkeypatch.setattr(terminal, "startup_messages", [])
    with terminal.stderr_kept():
        os.write(2, b"I0000 cudart_stub.cc:31] Could not find cuda drivers\n\n")
    os.write(2, b"after the block\n")
    assert terminal.startup_messages == ["I0000 cudart_stub.cc:31] Could not find cuda drivers"]
    assert capfd.readouterr().err == "after the block\n"


def test_stderr_kept_lets_exceptions_through_with_descriptor_2_restored(capfd, monkeypatch):
    monkeypatch.setattr(terminal, "startup_messages", [])
    with pytest.raises(ImportError), terminal.stderr_kept():
        os.write(2, b"half loaded\n")
        raise ImportError("no module named tensorflow")
    os.write(2, b"visible\n")
    assert terminal.startup_messages == ["half loaded"]
    assert capfd.readouterr().err == "visible\n"


def test_the_core_never_touches_file_descriptors():
    """Where TensorFlow's import noise goes is the front end's business (seqlen_tui.terminal)."""
    pattern = re.compile(r"\bos\.(dup2?|devnull)\b|\bdup2\(")
    offenders = [f"{path.name}:{number}"
                 for path in sorted((ROOT / "seqlen_tui" / "core").glob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


@pytest.mark.slow
def test_tensorflow_start_up_lines_stay_off_stderr_and_doctor_shows_them():
    # Two fresh processes, each importing TensorFlow: started together, neither waits for the other.
    pipes = {"cwd": ROOT, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    unguarded = subprocess.Popen(
        [sys.executable, "-c", "from seqlen_tui.core.tf_runtime import load_tensorflow; load_tensorflow()"], **pipes)
    doctor = subprocess.Popen([sys.executable, "-m", "seqlen_tui.cli", "doctor", "--no-bench", "--json"], **pipes)
    try:
        _, unguarded_err = unguarded.communicate(timeout=300)
        out, err = doctor.communicate(timeout=300)
    finally:
        for proc in (unguarded, doctor):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    said = [line for line in unguarded_err.splitlines() if line.strip()]
    assert doctor.returncode == 0, err
    assert err == ""  # not absl's "WARNING: All log messages before …", oneDNN, CUDA stubs
    assert len(json.loads(out)["startup_messages"]) == len(said)
