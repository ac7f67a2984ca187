"""The device a run trains on: chosen live (:func:`.device.choose_device`), said in the log,
and remembered for the app's preview (:func:`.device.remember_choice`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .events import DeviceChosen, DeviceProblem, Reporter

if TYPE_CHECKING:
    from .device import DeviceChoice


def choose_run_device(reporter: Reporter, requested: str = "auto") -> DeviceChoice:
    """The training device (:func:`.device.choose_device`), said in the log; on a box whose
    listed GPU TensorFlow cannot use, one warning with the fix."""
    from .device import choose_device, listed_but_unusable, remember_choice
    from .tf_runtime import training_device

    if "tensorflow" not in sys.modules:  # the first import is seconds of silence otherwise
        reporter.stage("device", "loading TensorFlow (first use in this process, a few seconds)")
    training_device()  # TensorFlow loaded, memory growth on
    choice = choose_device(requested)
    remember_choice(choice)
    why = f" ({choice.why})" if choice.why and requested != "cpu" else ""
    reporter.send(DeviceChosen(f"training on {choice.label}{why}", device=choice.label,
                               rates_ms=choice.rates_ms))
    if not choice.is_gpu and requested != "cpu":
        problem = listed_but_unusable()
        if problem:
            reporter.send(DeviceProblem(problem, device=choice.label))
    return choice
