"""``seqlen-tui doctor`` and the GPU warning, on any machine: the GPU paths by simulation (a
fake ``nvidia-smi`` on PATH), the step rates and the NumPy parity on whatever device is here."""

from __future__ import annotations

import json
import os

import pytest
from paths import ROOT

from seqlen_tui.cli import main
from seqlen_tui.core.device import (
    GPU_INSTALL_FIX,
    GpuListing,
    gpu_problem,
    nvidia_smi_gpus,
)
from seqlen_tui.core.events import DeviceProblem, Reporter

H200 = GpuListing("NVIDIA H200", "560.35.03", "143771 MiB")
#: What ``nvidia-smi -q -x`` prints on an H200 box (trimmed to the tags read).
H200_XML = """<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
<nvidia_smi_log>
    <driver_version>560.35.03</driver_version>
    <cuda_version>12.6</cuda_version>
    <attached_gpus>1</attached_gpus>
    <gpu id="00000000:18:00.0">
        <product_name>NVIDIA H200</product_name>
        <fb_memory_usage>
            <total>143771 MiB</total>
            <used>0 MiB</used>
        </fb_memory_usage>
    </gpu>
</nvidia_smi_log>
"""


@pytest.fixture
def fake_h200(tmp_path, monkeypatch):
    """An ``nvidia-smi`` on PATH that lists one H200, as on the users' GPU boxes."""
    exe = tmp_path / "nvidia-smi"
    exe.write_text("#!/bin/sh\ncat <<'EOF'\n" + H200_XML + "EOF\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    return exe


def tensorflow_gpus() -> list:
    from seqlen_tui.core.tf_runtime import load_tensorflow

    load_tensorflow()
    import tensorflow as tf

    return tf.config.list_physical_devices("GPU")


def test_nvidia_smi_listing_is_parsed(fake_h200):
    assert nvidia_smi_gpus() == [H200]


def test_no_nvidia_smi_means_no_listing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert nvidia_smi_gpus() is None


@pytest.mark.parametrize("listed, tf_gpus, cuda, libraries, words", [
    (None, [], "12.5", False, None),  # no NVIDIA driver: nothing to say
    ([H200], ["/physical_device:GPU:0"], "12.5", True, None),  # TensorFlow uses it
    ([H200], [], None, False, "built without CUDA"),
    ([H200], [], "12.5", False, "CUDA libraries (the nvidia-* wheels) are not installed"),
    ([H200], [], "12.5", True, "driver is probably too old"),
])
def test_why_a_listed_gpu_is_not_used(listed, tf_gpus, cuda, libraries, words):
    problem = gpu_problem(listed, tf_gpus, cuda, libraries)
    if words is None:
        assert problem is None
    else:
        assert words in problem and "NVIDIA H200" in problem and "fix:" in problem
        if not libraries:
            assert GPU_INSTALL_FIX in problem


def test_doctor_names_the_fix_when_tensorflow_cannot_use_the_listed_gpu(fake_h200, capsys):
    assert main(["doctor", "--json", "--no-bench"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["nvidia_smi"] == [{"name": "NVIDIA H200", "driver": "560.35.03", "memory": "143771 MiB"}]
    assert report["tensorflow"] and report["keras"]
    if tensorflow_gpus():  # a real GPU box where TensorFlow has the GPU: nothing to fix
        assert report["problem"] is None
    else:
        assert "fix:" in report["problem"] and "NVIDIA H200" in report["problem"]


def test_a_run_on_a_box_with_an_unusable_gpu_warns_once_with_the_fix(fake_h200):
    from seqlen_tui.core.run_device import choose_run_device

    events = []
    choice = choose_run_device(Reporter(events.append))
    warnings = [e.message for e in events if isinstance(e, DeviceProblem)]
    if not choice.is_gpu:
        assert len(warnings) == 1 and "fix:" in warnings[0]
    else:
        assert warnings == []


def test_doctor_times_the_fused_step_and_checks_it_against_numpy(capsys):
    assert main(["doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    devices = ["/CPU:0"] + [f"/GPU:{i}" for i in range(len(tensorflow_gpus()))]
    assert sorted(report["rates_ms"]) == sorted(devices)
    for device in devices:
        rates = report["rates_ms"][device]
        assert set(rates) == {"24", "168", "336"} and all(ms > 0 for ms in rates.values())
        assert rates["336"] > rates["24"]  # a longer window costs more steps
        for prefix in ("", "stacked_"):  # one layer, and two stacked (issue 30's «layers»)
            assert report["parity"][device][f"{prefix}forward_max_abs_error"] < 1e-4
            assert report["parity"][device][f"{prefix}gradient_max_rel_error"] < 1e-3
    assert main(["doctor"]) == 0
    text = capsys.readouterr().out
    assert "/CPU:0 fused training step" in text and "against float64 NumPy" in text


def test_auto_trains_on_the_faster_device_by_the_measured_rates():
    from seqlen_tui.core.device import choose_device

    gpu = ["/physical_device:GPU:0"]
    faster_gpu = {"/CPU:0": {"24": 4.0, "168": 16.0}, "/GPU:0": {"24": 3.0, "168": 5.0}}
    choice = choose_device("auto", gpus=gpu, rates=faster_gpu)
    assert choice.name == "/GPU:0" and choice.is_gpu and "the GPU is faster (5.0 against 16.0" in choice.why
    slower_gpu = {"/CPU:0": {"168": 16.0}, "/GPU:0": {"168": 40.0}}
    assert choose_device("auto", gpus=gpu, rates=slower_gpu).name == "/CPU:0"
    assert choose_device("cpu", gpus=gpu, rates=faster_gpu).name == "/CPU:0"
    assert choose_device("gpu", gpus=gpu, rates=slower_gpu).name == "/GPU:0"
    assert choose_device("auto", gpus=[], rates=faster_gpu).name == "/CPU:0"  # no GPU: no measuring


def test_gpu_asked_for_without_one_is_a_data_error_with_the_fix(fake_h200):
    from seqlen_tui.core.device import choose_device
    from seqlen_tui.core.errors import DataError

    with pytest.raises(DataError, match="a GPU was asked for but TensorFlow has none: .*fix:"):
        choose_device("gpu", gpus=[])


def test_the_rates_are_measured_once_and_then_read_from_the_cache(tmp_path, monkeypatch):
    from seqlen_tui.core.device import cached_rates, rates_cache_path

    monkeypatch.setenv("SEQLEN_CACHE_DIR", str(tmp_path))
    calls = []

    def measure():
        calls.append(1)
        return {"/CPU:0": {"168": 16.0}}

    assert cached_rates("box", measure) == {"/CPU:0": {"168": 16.0}}
    assert cached_rates("box", measure) == {"/CPU:0": {"168": 16.0}} and len(calls) == 1
    assert rates_cache_path() == tmp_path / "device_rates.json"
    rates_cache_path().write_text("not json")  # a damaged cache is measured again, not fatal
    assert cached_rates("box", measure) and len(calls) == 2


def test_the_batch_keeps_the_gpu_bias_gradient_deterministic_on_every_device():
    """≤ 4 × cells per lag (a GPU's deterministic reduction), on the CPU too: same models."""
    from seqlen_tui.core.fused_lstm import deterministic_batch
    from seqlen_tui.core.training import BUDGETS, Job

    quick = BUDGETS["quick"]  # batch 128
    one_seed = [Job(24, 1), Job(48, 1)]
    assert deterministic_batch(quick, one_seed, 16).batch_size == 64  # 4 × 16 cells
    two_seeds = [Job(lag, s) for lag in (24, 48) for s in (1, 2)]
    assert deterministic_batch(quick, two_seeds, 16).batch_size == 128
    uneven = [Job(24, 1), Job(24, 2), Job(48, 1)]
    assert deterministic_batch(quick, uneven, 16).batch_size == 64  # the fewest seeds decide
    assert deterministic_batch(BUDGETS["standard"], one_seed, 16) == BUDGETS["standard"]  # 64 fits


def test_run_with_device_gpu_on_a_box_without_one_exits_2_naming_the_fix(fake_h200, tmp_path, capsys):
    if tensorflow_gpus():
        pytest.skip("this machine has a usable GPU")
    sample = str(ROOT / "sample_data" / "MSFT.csv")
    assert main(["run", sample, "--runs-dir", str(tmp_path), "--device", "gpu", "--no-classifiers"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]  # after the analysis' progress lines
    assert last.startswith("seqlen-tui: a GPU was asked for") and "fix:" in last


def test_the_default_max_seq_len_follows_the_measured_step_rates():
    from seqlen_tui.core.tf_runtime import default_max_seq_len

    # This 2-core CPU (doctor): 5 ms at 24, 18 ms at 168, 30 ms at 336 → about 256.
    assert 240 <= default_max_seq_len("CPU", {"24": 5.0, "168": 18.2, "336": 29.9}) <= 272
    # A GPU ten times faster per step earns far longer windows; capped at 4096.
    assert default_max_seq_len("GPU (H200)", {"24": 0.2, "168": 0.5}) == 4096
    assert default_max_seq_len("GPU (H200)", {"24": 2.0, "168": 4.0}) == 1608  # (24 − 1.67) / 0.0139
    # Without measurements: the constants.
    assert default_max_seq_len("CPU") == 256 and default_max_seq_len("GPU (H200)", {}) == 1024


@pytest.mark.parametrize("user", [None, "3"])
def test_tensorflow_runs_one_thread_per_op_and_ops_side_by_side_unless_the_user_says(user, monkeypatch):
    """The fused step is one small op per lag: one thread each, as many side by side as cores
    (measured 28 s against TensorFlow's default 40 s on 2 cores); a user's setting wins. Set
    before TensorFlow's first import, where TensorFlow reads them."""
    from seqlen_tui.core.tf_runtime import load_tensorflow
    from seqlen_tui.core.threads import available_cores

    for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        monkeypatch.delenv(name, raising=False)
    if user:
        monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", user)
    load_tensorflow()
    assert os.environ["TF_NUM_INTRAOP_THREADS"] == (user or "1")
    assert os.environ["TF_NUM_INTEROP_THREADS"] == str(available_cores())


def test_planned_retracing_stays_off_the_terminal_and_other_tensorflow_warnings_show(capfd, caplog):
    """The fused stack re-traces by design when lags finish; TensorFlow's "define your
    @tf.function outside of the loop" advice must not land in the progress log."""
    from seqlen_tui.core.tf_runtime import load_tensorflow

    load_tensorflow()
    import tensorflow as tf

    for length in range(1, 9):  # eight fresh traces in a row: TensorFlow warns after five
        @tf.function
        def double(x):
            return x * 2

        double(tf.zeros([length]))
    tf.get_logger().warning("another TensorFlow warning")
    shown = capfd.readouterr().err + "\n".join(record.getMessage() for record in caplog.records)
    assert "retracing" not in shown
    assert "another TensorFlow warning" in shown
