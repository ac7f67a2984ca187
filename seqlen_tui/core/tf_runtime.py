"""TensorFlow's start-up: imported once, quietly, with the environment a GPU box needs; which
device trains; and the longest window worth benchmarking there by default.

Nothing here runs at import: TensorFlow loads inside the work, never at start-up.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

import numpy as np

from .threads import available_cores, cpu_threads_environment


def set_import_guard(guard: Callable[[], AbstractContextManager] | None) -> None:
    """Wrap TensorFlow's first import in ``guard()`` (None: no wrapper).

    TensorFlow and absl write start-up lines (oneDNN, CUDA stubs, CPU features) straight to
    file descriptor 2 while TensorFlow loads, before any Python logging setting applies. Where
    those lines go is the business of the front end that owns the terminal: the CLI and the app
    install a guard that keeps them (``doctor`` shows them); the core never touches descriptors.
    """
    global _import_guard
    _import_guard = guard or nullcontext


_import_guard: Callable[[], AbstractContextManager] = nullcontext
_import_lock = threading.Lock()


def load_tensorflow() -> None:
    """Import TensorFlow and Keras once, inside the front end's import guard, with the
    environment a GPU box needs (:data:`GPU_ENVIRONMENT`) and TF32 off."""
    import sys

    for name, value in {**GPU_ENVIRONMENT, **cpu_threads_environment(available_cores())}.items():
        os.environ.setdefault(name, value)
    _quiet_planned_retracing()
    if "tensorflow" in sys.modules and "keras" in sys.modules:
        return
    with _import_lock, _import_guard():
        import keras  # noqa: F401
        import tensorflow as tf
    # TF32 (on by default on Ampere and later) rounds the GEMMs' inputs to 10 bits: about
    # 1e-3 relative error, beyond what the fused/Keras parity allows. Off for the judge.
    tf.config.experimental.enable_tensor_float_32_execution(False)


class _PlannedRetracing(logging.Filter):
    """Drops TensorFlow's "N out of the last M calls … triggered tf.function retracing" warning.

    The fused stack builds a new training graph on purpose whenever lags finish (a smaller
    stack trains faster; measured cheaper than gating the finished lags inside one graph), so
    a run on a series with many candidates re-traces often, and TensorFlow's advice ("define
    your @tf.function outside of the loop") would land in the middle of the progress log as if
    something were wrong. Every other TensorFlow warning still shows.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def _quiet_planned_retracing() -> None:
    logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _PlannedRetracing) for f in logger.filters):
        logger.addFilter(_PlannedRetracing())


#: Set before TensorFlow's first import (a user's own setting wins). Memory growth through the
#: environment applies even when TensorFlow was initialised before ``training_device`` runs (the
#: API call is then silently too late, and TensorFlow takes the whole GPU on a shared box); the
#: CUDA compute cache keeps the kernels that an H100/H200 JIT-compiles from the wheel's PTX
#: (the wheel carries SASS only up to sm_89), so that cost is paid once per machine.
GPU_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "TF_FORCE_GPU_ALLOW_GROWTH": "true",
    "CUDA_CACHE_MAXSIZE": str(4 * 2**30),
}


def training_device() -> str:
    """Which device trains: the first GPU TensorFlow sees, else the CPU."""
    load_tensorflow()
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "CPU"
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised
            pass
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU ({details.get('device_name', gpus[0].name)})"


#: ``max_seq_len`` when not given: a CPU trains a 336-step window (a week of half-hours)
#: × 3 seeds in many minutes; a GPU runs the recurrent steps in parallel across the batch.
DEFAULT_MAX_SEQ_LEN = {"CPU": 256, "GPU": 1024}

#: With measured step rates, the default ``max_seq_len`` is the longest lag whose fused step
#: (3 seeds, batch 64) takes at most this long: on the 2-core CPU where 256 was set it is ≈ 256
#: (``seqlen-tui doctor``: 18 ms at lag 168, 30 ms at 336), so a faster device earns longer windows.
MAX_STEP_MS = 24.0
MAX_SEQ_LEN_BOUNDS = (64, 4096)


def default_max_seq_len(device: str, rates_ms: dict | None = None) -> int:
    """The longest sequence length benchmarked by default on this training device: from its
    measured step rates (ms per step by lag, a straight line through them) when there are any,
    else a constant per kind of device."""
    fallback = DEFAULT_MAX_SEQ_LEN["GPU" if device.startswith("GPU") else "CPU"]
    points = sorted((int(lag), float(ms)) for lag, ms in (rates_ms or {}).items())
    if len(points) < 2:
        return fallback
    lags, ms = np.array(points).T
    slope, intercept = np.polyfit(lags, ms, 1)
    if not slope > 0:
        return MAX_SEQ_LEN_BOUNDS[1]
    longest = (MAX_STEP_MS - intercept) / slope
    return int(np.clip(longest // 8 * 8, *MAX_SEQ_LEN_BOUNDS))
