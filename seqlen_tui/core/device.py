"""What this machine can train on, why a GPU is not used, and how fast each device runs the
fused training step — the facts behind ``seqlen-tui doctor``.

Why a separate check: a plain ``pip install tensorflow`` on Linux is a CUDA build *without*
the CUDA libraries; TensorFlow then logs one line (hidden by the quiet start-up) and trains on
the CPU. A user on a GPU box sees nothing wrong. ``nvidia-smi`` says what the box has; the
TensorFlow build says what it could use; the difference is the problem, and it has a one-line
fix. Every check here runs without training a model, except :func:`step_rates` and
:func:`parity`, which time and verify the real fused step on each usable device.
"""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from .options import DEVICES
from .tf_runtime import load_tensorflow

#: The fix for a GPU that TensorFlow cannot use because the CUDA libraries are missing.
GPU_INSTALL_FIX = "pip install 'seqlen-tui[gpu]'  (TensorFlow with its CUDA libraries)"
#: Lags whose fused training step ``doctor`` times (3 seeds each, the standard batch).
RATE_LAGS = (24, 168, 336)
RATE_SEEDS = 3
NVIDIA_SMI_TIMEOUT_S = 10


@dataclass(frozen=True)
class GpuListing:
    """One GPU as ``nvidia-smi`` lists it."""

    name: str
    driver: str
    memory: str


@dataclass
class DeviceReport:
    """Everything ``doctor`` prints; ``to_dict`` is its JSON form."""

    python: str
    tensorflow: str | None
    keras: str | None
    cuda_build: str | None
    cudnn_build: str | None
    nvidia_smi: list[GpuListing] | None  # None: no nvidia-smi on PATH
    tensorflow_devices: list[str] = field(default_factory=list)
    problem: str | None = None  # why a listed GPU is not used, and the fix
    rates_ms: dict[str, dict[str, float]] = field(default_factory=dict)  # device → lag → ms/step
    parity: dict[str, dict[str, float]] = field(default_factory=dict)  # device → largest errors
    #: What TensorFlow wrote to the terminal while it loaded (kept by the front end): often
    #: the reason a GPU is not used ("Could not find cuda drivers", "Cannot dlopen …").
    startup_messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["nvidia_smi"] = None if self.nvidia_smi is None else [asdict(g) for g in self.nvidia_smi]
        return out


def nvidia_smi_gpus() -> list[GpuListing] | None:
    """The GPUs ``nvidia-smi`` lists; ``None`` when it is not on PATH, ``[]`` when it fails.

    Read from its XML report (``-q -x``: every driver since 2011 writes it, and its tags, unlike
    the CSV query's column names, do not change between releases)."""
    import xml.etree.ElementTree as ET

    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "-q", "-x"], capture_output=True, text=True,
                             timeout=NVIDIA_SMI_TIMEOUT_S, check=True).stdout
        log = ET.fromstring(out)
    except (OSError, subprocess.SubprocessError, ET.ParseError):
        return []
    driver = (log.findtext("driver_version") or "").strip()
    gpus = []
    for gpu in log.iter("gpu"):
        name = (gpu.findtext("product_name") or "").strip()
        if name:
            gpus.append(GpuListing(name, driver, (gpu.findtext("fb_memory_usage/total") or "").strip()))
    return gpus


def gpu_problem(listed: list[GpuListing] | None, tf_gpus: list[str], cuda_build: str | None,
                cuda_libraries: bool) -> str | None:
    """Why a GPU that ``nvidia-smi`` lists is not usable by TensorFlow, with the fix; ``None``
    when nothing is listed or TensorFlow sees a GPU."""
    if not listed or tf_gpus:
        return None
    names = ", ".join(sorted({g.name for g in listed}))
    if not cuda_build:
        return (f"nvidia-smi lists {names}, but this TensorFlow was built without CUDA: "
                f"training runs on the CPU; fix: {GPU_INSTALL_FIX}")
    if not cuda_libraries:
        return (f"nvidia-smi lists {names}, but TensorFlow's CUDA libraries (the nvidia-* wheels) "
                f"are not installed, so it cannot use the GPU and trains on the CPU; fix: {GPU_INSTALL_FIX}")
    drivers = ", ".join(sorted({g.driver for g in listed}))
    return (f"nvidia-smi lists {names} (driver {drivers}) and TensorFlow has its CUDA {cuda_build} "
            "libraries, yet it sees no GPU: the driver is probably too old for this CUDA; fix: "
            "update the NVIDIA driver, or install a TensorFlow built for it")


def cuda_libraries_installed() -> bool:
    """Whether the ``nvidia-*`` wheels that ``tensorflow[and-cuda]`` brings are importable."""
    import importlib.util

    try:
        return importlib.util.find_spec("nvidia.cudnn") is not None
    except (ImportError, ValueError):
        return False


def listed_but_unusable() -> str | None:
    """The one-line warning for a run on a box whose GPU TensorFlow cannot use (else ``None``).

    Cheap when there is no ``nvidia-smi``; TensorFlow is already imported by the time a run
    asks (it is about to train)."""
    listed = nvidia_smi_gpus()
    if not listed:
        return None
    load_tensorflow()
    import tensorflow as tf

    tf_gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    build = tf.sysconfig.get_build_info()
    return gpu_problem(listed, tf_gpus, build.get("cuda_version"), cuda_libraries_installed())


def gather(measure: bool = True) -> DeviceReport:
    """The whole report; ``measure`` adds step rates and the parity check per device."""
    listed = nvidia_smi_gpus()
    report = DeviceReport(python=platform.python_version(), tensorflow=None, keras=None,
                          cuda_build=None, cudnn_build=None, nvidia_smi=listed)
    try:
        load_tensorflow()
        import keras
        import tensorflow as tf
    except ImportError as exc:
        report.problem = f"TensorFlow cannot be imported ({exc}); fix: pip install -e ."
        return report
    build = tf.sysconfig.get_build_info()
    report.tensorflow, report.keras = tf.__version__, keras.__version__
    report.cuda_build, report.cudnn_build = build.get("cuda_version"), build.get("cudnn_version")
    devices = tf.config.list_physical_devices()
    report.tensorflow_devices = [f"{d.device_type}: {d.name}" for d in devices]
    tf_gpus = [d.name for d in devices if d.device_type == "GPU"]
    report.problem = gpu_problem(listed, tf_gpus, report.cuda_build, cuda_libraries_installed())
    if measure:
        for name in ["/CPU:0"] + [f"/GPU:{i}" for i in range(len(tf_gpus))]:
            with tf.device(name):
                report.rates_ms[name] = step_rates()
                report.parity[name] = parity()
        if tf_gpus:  # what device "auto" will read on this machine
            from .tf_runtime import training_device

            remember_rates(machine_key(training_device()), report.rates_ms)
    return report


def step_rates(lags=RATE_LAGS, seeds: int = RATE_SEEDS, steps: int = 5) -> dict[str, float]:
    """Milliseconds per fused training step (forward, gradient, Adam) at each lag, with
    ``seeds`` models and the standard batch, timed after one untimed step (the trace)."""
    from .fused_lstm import ModelStack
    from .training import BUDGETS, Job

    budget = BUDGETS["standard"]
    rng = np.random.default_rng(0)
    out = {}
    for lag in lags:
        stack = ModelStack([Job(lag, seed) for seed in range(seeds)], units=16,
                           learning_rate=budget.learning_rate)
        windows = rng.standard_normal((budget.batch_size, lag)).astype("float32")
        targets = rng.standard_normal(budget.batch_size).astype("float32")
        stack.train_batch(windows, targets)
        started = time.perf_counter()
        for _ in range(steps):
            stack.train_batch(windows, targets)
        stack.variables["head"].numpy()  # wait for the device to finish
        out[str(lag)] = round(1000 * (time.perf_counter() - started) / steps, 2)
    return out


def reference_forecast(windows: np.ndarray, weights: dict[str, np.ndarray]) -> np.ndarray:
    """Plain stacked LSTMs per model, step by step in float64 NumPy, Keras' gate order (i, f, c,
    o): layer 1 reads the window, each deeper layer (``kernel_k``, ``recurrent_k``, ``bias_k``)
    the layer below's h at every step; the head reads the top layer's last h."""
    from .fused_lstm import weight_depth

    layers = weight_depth(weights)
    out = []
    for m in range(weights["head"].shape[0]):
        sequence = windows[:, :, None]  # (batch, steps, features)
        for layer in range(1, layers + 1):
            suffix = "" if layer == 1 else f"_{layer}"
            kernel = weights["kernel" + suffix][m].reshape(sequence.shape[2], -1)
            sequence = _lstm_layer(sequence, kernel, weights["recurrent" + suffix][m], weights["bias" + suffix][m])
        out.append(sequence[:, -1] @ weights["head"][m] + weights["head_bias"][m])
    return np.stack(out, axis=1)


def _lstm_layer(sequence: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """One LSTM layer over ``sequence`` (batch, steps, features): its h at every step."""
    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    h = np.zeros((sequence.shape[0], recurrent.shape[0]))
    c = np.zeros_like(h)
    states = []
    for t in range(sequence.shape[1]):
        i, f, g, o = np.split(sequence[:, t] @ kernel + h @ recurrent + bias, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        states.append(h)
    return np.stack(states, axis=1)


#: The deepest network ``doctor`` checks the fused step with, beside one layer (stacked layers
#: are declared with «layers», issue 30).
PARITY_STACKED_LAYERS = 2


def parity(lag: int = 12, seeds: int = 3, units: int = 16, probes: int = 6) -> dict[str, float]:
    """Largest errors of the fused forward pass and of its gradient on this device, against a
    float64 NumPy reference (the gradient by central differences at ``probes`` weights): one
    layer, and :data:`PARITY_STACKED_LAYERS` stacked (``stacked_…``), each gradient probed in
    its top layer's recurrent kernel."""
    one = _parity(lag, seeds, units, probes, layers=1)
    stacked = _parity(lag, seeds, units, probes, layers=PARITY_STACKED_LAYERS)
    return {**one, **{f"stacked_{key}": value for key, value in stacked.items()}}


def _parity(lag: int, seeds: int, units: int, probes: int, layers: int) -> dict[str, float]:
    load_tensorflow()
    import tensorflow as tf

    from .fused_lstm import block_forecast, stacked_initial_weights, weight_names
    from .training import Job

    rng = np.random.default_rng(1)
    weights = stacked_initial_weights([Job(lag, seed) for seed in range(seeds)], units, layers=layers)
    weights = {name: weights[name] for name in weight_names(layers)}
    weights["bias"] += rng.normal(0, 0.3, weights["bias"].shape).astype("float32")
    windows = rng.standard_normal((32, lag)).astype("float32")
    probed = "recurrent" if layers == 1 else f"recurrent_{layers}"
    variables = {k: tf.Variable(v) for k, v in weights.items()}
    with tf.GradientTape() as tape:
        forecast = block_forecast(tf, tf.constant(windows), *(variables[name] for name in weight_names(layers)))
        loss = tf.reduce_sum(forecast ** 2)
    grad = tape.gradient(loss, variables[probed]).numpy()
    exact = {k: v.astype("float64") for k, v in weights.items()}
    windows64 = windows.astype("float64")
    forward_error = float(np.max(np.abs(forecast.numpy() - reference_forecast(windows64, exact))))
    gradient_error, eps = 0.0, 1e-6
    for index in rng.choice(exact[probed].size, size=probes, replace=False):
        where = np.unravel_index(index, exact[probed].shape)
        values = []
        for sign in (1, -1):
            shifted = {**exact, probed: exact[probed].copy()}
            shifted[probed][where] += sign * eps
            values.append(np.sum(reference_forecast(windows64, shifted) ** 2))
        numeric = (values[0] - values[1]) / (2 * eps)
        gradient_error = max(gradient_error, abs(float(grad[where]) - numeric) / max(1.0, abs(numeric)))
    return {"forward_max_abs_error": forward_error, "gradient_max_rel_error": gradient_error}


STARTUP_LINES_SHOWN = 12
#: absl's line header (``I0000 00:00:1796062242.558113   31966 port.cc:153] ``): severity,
#: time, thread and source line, noise for a person; ``--json`` keeps the lines whole.
ABSL_PREFIX = re.compile(r"^[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\] ")


def describe(report: DeviceReport) -> list[str]:
    """``doctor``'s text."""
    lines = [f"Python {report.python}; TensorFlow {report.tensorflow or '—'}; Keras {report.keras or '—'}; "
             f"CUDA build {report.cuda_build or 'none'}, cuDNN build {report.cudnn_build or 'none'}"]
    if report.nvidia_smi is None:
        lines.append("nvidia-smi: not found (no NVIDIA driver on this machine)")
    elif not report.nvidia_smi:
        lines.append("nvidia-smi: found, but it listed no GPU (or failed)")
    else:
        for gpu in report.nvidia_smi:
            lines.append(f"nvidia-smi: {gpu.name}, driver {gpu.driver}, {gpu.memory}")
    lines.append("TensorFlow sees: " + ("; ".join(report.tensorflow_devices) or "nothing"))
    if report.problem:
        lines.append(f"problem: {report.problem}")
    if report.startup_messages:
        said = list(dict.fromkeys(ABSL_PREFIX.sub("", line) for line in report.startup_messages))
        lines.append("TensorFlow's start-up messages:")
        lines.extend(f"  {line}" for line in said[:STARTUP_LINES_SHOWN])
        hidden = len(said) - STARTUP_LINES_SHOWN
        if hidden > 0:
            lines.append(f"  … and {hidden} more (the JSON report lists them all)")
    for device, rates in report.rates_ms.items():
        per_lag = ", ".join(f"lag {lag}: {ms:.1f} ms" for lag, ms in rates.items())
        check = report.parity.get(device, {})
        lines.append(f"{device} fused training step ({RATE_SEEDS} seeds, batch 64): {per_lag}")
        if check:
            lines.append(f"{device} against float64 NumPy: forward max |error| "
                         f"{check['forward_max_abs_error']:.2g}, gradient max relative error "
                         f"{check['gradient_max_rel_error']:.2g}")
        if "stacked_forward_max_abs_error" in check:
            lines.append(f"{device} {PARITY_STACKED_LAYERS} stacked layers: forward max |error| "
                         f"{check['stacked_forward_max_abs_error']:.2g}, gradient max relative error "
                         f"{check['stacked_gradient_max_rel_error']:.2g}")
    return lines


# --- choosing the training device -----------------------------------------------------------


#: The lag whose step time decides device ``auto`` (a week of hours: the long windows are
#: where a device's speed matters).
DECIDING_LAG = "168"


@dataclass(frozen=True)
class DeviceChoice:
    """Where the judge trains: a TensorFlow device name, a label for people, and the measured
    rates (ms per fused step, by device and lag) that chose it, when ``auto`` measured."""

    name: str  # "/CPU:0" or "/GPU:0"
    label: str  # "CPU" or "GPU (NVIDIA H200)"
    rates_ms: dict = field(default_factory=dict)
    why: str = ""

    @property
    def is_gpu(self) -> bool:
        return self.name.startswith("/GPU")


def rates_cache_path():
    """Per-user cache of the measured step rates (``$SEQLEN_CACHE_DIR`` overrides)."""
    import os
    from pathlib import Path

    folder = os.environ.get("SEQLEN_CACHE_DIR")
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("seqlen-tui")
    return Path(folder) / "device_rates.json"


def machine_key(device_label: str) -> str:
    """What the cached rates depend on: the TensorFlow version, the GPU and the CPU count."""
    import os

    load_tensorflow()
    import tensorflow as tf

    return f"tf {tf.__version__}; {device_label}; {os.cpu_count()} CPUs"


def cached_rates(key: str, measure) -> dict:
    """The rates for this machine from the cache, measuring (``measure()``) and storing them on
    first use: ``auto`` then reads the same numbers every run, so the choice does not wobble
    with the machine's load."""
    import json

    path = rates_cache_path()
    try:
        cache = json.loads(path.read_text())
    except (OSError, ValueError):
        cache = {}
    if not isinstance(cache, dict):
        cache = {}
    if key not in cache:
        cache[key] = measure()
        store_cache(cache)
    return cache[key]


def store_cache(cache: dict) -> None:
    """Write the rates cache atomically; an unwritable cache only means measuring again."""
    import json

    path = rates_cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache, indent=1))
        tmp.replace(path)
    except OSError:
        pass


def remember_rates(key: str, rates: dict) -> None:
    """``doctor``'s fresh measurement replaces the machine's cached rates (what ``auto`` reads)."""
    import json

    try:
        cache = json.loads(rates_cache_path().read_text())
    except (OSError, ValueError):
        cache = {}
    cache = cache if isinstance(cache, dict) else {}
    cache[key] = rates
    store_cache(cache)


#: The cache's entry for the last run's device (read by the app without TensorFlow).
LAST_CHOICE = "last choice"


def remember_choice(choice: DeviceChoice) -> None:
    """Record the device a run trains on and its rates, so a front end can say which candidates
    a run would leave out for cost before TensorFlow is loaded."""
    import json

    try:
        cache = json.loads(rates_cache_path().read_text())
    except (OSError, ValueError):
        cache = {}
    cache = cache if isinstance(cache, dict) else {}
    cache[LAST_CHOICE] = {"device": choice.label, "rates_ms": choice.rates_ms.get(choice.name)}
    store_cache(cache)


def last_choice() -> dict | None:
    """What :func:`remember_choice` recorded on this machine, if anything."""
    import json

    try:
        entry = json.loads(rates_cache_path().read_text()).get(LAST_CHOICE)
    except (OSError, ValueError, AttributeError):
        return None
    return entry if isinstance(entry, dict) else None


def remembered_choice(requested: str) -> DeviceChoice:
    """Without TensorFlow, the choice a run with device ``requested`` would make, as this machine
    last made it: ``auto`` is what :func:`remember_choice` recorded (the CPU when nothing was);
    ``cpu`` and ``gpu`` are that device, unmeasured (asked for, nothing is timed). The same type
    as :func:`choose_device`'s, so a preview plans through the same decision as the run
    (:meth:`.lag_plan.DevicePlan.of`)."""
    if requested != "auto":
        return DeviceChoice(f"/{requested.upper()}:0", requested.upper())
    last = last_choice() or {}
    label = str(last.get("device", "CPU"))
    name = "/GPU:0" if label.startswith("GPU") else "/CPU:0"
    rates = last.get("rates_ms")
    return DeviceChoice(name, label, {} if rates is None else {name: rates})


def choose_device(requested: str, gpus: list[str] | None = None, rates: dict | None = None) -> DeviceChoice:
    """``cpu``, ``gpu`` (an error naming the fix when there is none) or ``auto``: the faster
    device by the cached step rates at lag 168, the CPU when TensorFlow sees no GPU.

    ``gpus`` (TensorFlow's GPU names) and ``rates`` can be injected (tests, ``doctor``)."""
    load_tensorflow()
    import tensorflow as tf

    from .errors import DataError

    if requested not in DEVICES:
        raise DataError(f"unknown device {requested!r}; choose auto, cpu or gpu")
    if gpus is None:
        gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    cpu = DeviceChoice("/CPU:0", "CPU", why="asked for the CPU" if requested == "cpu" else "no GPU")
    if requested == "cpu":
        return cpu
    if not gpus:
        if requested == "gpu":
            problem = listed_but_unusable() or "no GPU is listed by nvidia-smi or seen by TensorFlow"
            raise DataError(f"a GPU was asked for but TensorFlow has none: {problem}")
        return cpu
    from .tf_runtime import training_device

    label = training_device()  # "GPU (its name)"
    gpu = DeviceChoice("/GPU:0", label)
    if requested == "gpu":
        return DeviceChoice(gpu.name, gpu.label, why="asked for the GPU")
    if rates is None:
        rates = cached_rates(machine_key(label), measure_devices)
    cpu_ms = rates.get("/CPU:0", {}).get(DECIDING_LAG)
    gpu_ms = rates.get("/GPU:0", {}).get(DECIDING_LAG)
    if cpu_ms is not None and gpu_ms is not None and cpu_ms < gpu_ms:
        return DeviceChoice(cpu.name, cpu.label, rates, f"auto: the CPU is faster ({cpu_ms:.1f} against "
                            f"{gpu_ms:.1f} ms per step at lag {DECIDING_LAG})")
    why = (f"auto: the GPU is faster ({gpu_ms:.1f} against {cpu_ms:.1f} ms per step at lag {DECIDING_LAG})"
           if cpu_ms is not None and gpu_ms is not None else "auto: the GPU")
    return DeviceChoice(gpu.name, gpu.label, rates, why)


def measure_devices() -> dict:
    """Step rates on the CPU and the first GPU (a few seconds each)."""
    load_tensorflow()
    import tensorflow as tf

    out = {}
    for name in ("/CPU:0", "/GPU:0"):
        with tf.device(name):
            out[name] = step_rates(lags=(24, int(DECIDING_LAG)))
    return out
