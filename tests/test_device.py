"""``seqlen-tui doctor`` and the GPU warning, on any machine: the GPU paths by simulation (a
fake ``nvidia-smi`` on PATH), the step rates and the NumPy parity on whatever device is here."""

from __future__ import annotations

import json
import os

import pytest

from seqlen_tui.cli import main
from seqlen_tui.core.device import (
    GPU_INSTALL_FIX,
    GpuListing,
    gpu_problem,
    nvidia_smi_gpus,
)
from seqlen_tui.core.events import Reporter

H200 = GpuListing("NVIDIA H200", "560.35.03", "143771 MiB")


@pytest.fixture
def fake_h200(tmp_path, monkeypatch):
    """An ``nvidia-smi`` on PATH that lists one H200, as on the users' GPU boxes."""
    exe = tmp_path / "nvidia-smi"
    exe.write_text('#!/bin/sh\necho "NVIDIA H200, 560.35.03, 143771 MiB"\n')
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    return exe


def tensorflow_gpus() -> list:
    from seqlen_tui.core.models import quiet_tensorflow

    quiet_tensorflow()
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
    from seqlen_tui.core.engine import _device

    events = []
    device = _device(Reporter(events.append))
    warnings = [e.message for e in events if e.kind == "warning" and e.stage == "device"]
    if device == "CPU":
        assert len(warnings) == 1 and "fix:" in warnings[0]
    else:
        assert warnings == []


@pytest.mark.slow
def test_doctor_times_the_fused_step_and_checks_it_against_numpy(capsys):
    assert main(["doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    devices = ["/CPU:0"] + [f"/GPU:{i}" for i in range(len(tensorflow_gpus()))]
    assert sorted(report["rates_ms"]) == sorted(devices)
    for device in devices:
        rates = report["rates_ms"][device]
        assert set(rates) == {"24", "168", "336"} and all(ms > 0 for ms in rates.values())
        assert rates["336"] > rates["24"]  # a longer window costs more steps
        assert report["parity"][device]["forward_max_abs_error"] < 1e-4
        assert report["parity"][device]["gradient_max_rel_error"] < 1e-3
    assert main(["doctor"]) == 0
    text = capsys.readouterr().out
    assert "/CPU:0 fused training step" in text and "against float64 NumPy" in text
