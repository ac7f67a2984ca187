"""A whole run is reproducible: the same file and options give the same leaderboard, every row
and every number, and the same chosen lag, in two fresh processes (so no TensorFlow state,
cache or seed can carry from one to the other). Each fresh process also shows the first thing a
user sees of a run: it says it loads TensorFlow before that import's seconds of silence.

A CPU claim: both runs force ``--device cpu``, so the test means the same on a GPU box. (On a
GPU the fused step is deterministic too, ``enable_op_determinism``, but the GPU's numbers need
not equal the CPU's.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from paths import ROOT

from synthetic import write_ar2_closes

pytestmark = pytest.mark.slow

#: Several lags, two seeds racing up to three (the standard budget pays for a round of the race;
#: with one fold it stops at two seeds on this series), two folds, the classifiers on, two epochs
#: (each process's time is TensorFlow's import and graph tracing, not the epochs).
RUN = ("--device", "cpu", "--lags", "3,5,8", "--only-lags", "--seeds", "2", "--seeds-max", "3",
       "--folds", "2", "--epochs", "2", "--budget", "standard")

#: What the choice and the leaderboard are made of (not the file's timings or creation time).
COMPARED = ("leaderboard", "chosen_lag", "chosen_model", "best_lag", "runner_up", "qualified",
            "within_one_se", "gate_p_values", "race", "lags", "split", "target")


def start_run(series, folder) -> subprocess.Popen:
    folder.mkdir()
    env = {**os.environ, "SEQLEN_CACHE_DIR": str(folder / "cache"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen([sys.executable, "-m", "seqlen_tui.cli", "run", str(series), *RUN,
                             "--runs-dir", str(folder / "runs"), "--settings", str(folder / "settings.json"),
                             "--json", str(folder / "report.json")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def compared_fields(folder) -> str:
    """The compared fields as JSON text: equal text is equal numbers, NaN included."""
    report = json.loads((folder / "report.json").read_text())
    return json.dumps({key: report[key] for key in COMPARED}, sort_keys=True)


def test_two_fresh_processes_give_the_same_leaderboard_and_lag(tmp_path):
    series = write_ar2_closes(tmp_path / "AR2.csv", 400)
    runs = [start_run(series, tmp_path / name) for name in ("first", "second")]
    for proc in runs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, out + err
        assert_tensorflow_announced_before_training(err)
    first, second = compared_fields(tmp_path / "first"), compared_fields(tmp_path / "second")
    assert first == second
    report = json.loads(first)
    lstm_rows = [row for row in report["leaderboard"] if row["model"] == "lstm"]
    assert sorted({row["lag"] for row in lstm_rows}) == [3, 5, 8]  # every lag trained and compared
    assert any(row["model"].endswith("direction") or "xgb" in row["model"].lower()
               for row in report["leaderboard"])  # the classifiers ran
    assert max(report["race"]["seeds_per_lag"].values()) == 3  # the race gave a lag another seed
    assert report["chosen_lag"] in (3, 5, 8)


def assert_tensorflow_announced_before_training(stderr: str) -> None:
    """The core says it loads TensorFlow (once) before the silent import, then the device.

    Heartbeats ("… still working on: loading TensorFlow") come after 10 silent seconds, as on a
    loaded machine: the announcement is counted without them."""
    lines = [line for line in stderr.splitlines() if "still working on" not in line]
    loading = next(i for i, line in enumerate(lines) if "loading TensorFlow" in line)
    device = next(i for i, line in enumerate(lines) if "training on CPU" in line or "training on GPU" in line)
    assert loading < device and sum("loading TensorFlow" in line for line in lines) == 1
