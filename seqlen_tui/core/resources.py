"""What this machine offers a batch, read without importing TensorFlow: cores, free memory,
visible GPUs; how many workers that allows; and the thread limits each worker sets before
its numerical libraries load."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

from .batch_jobs import WORKER_MEMORY
from .options import OptionError
from .threads import available_cores, cpu_threads_environment

THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS")


def limit_threads_env(threads: int) -> None:
    """Thread limits for BLAS/OpenMP and TensorFlow; only effective before they are imported.
    TensorFlow gets one thread per op and ``threads`` ops side by side (see
    :func:`.threads.cpu_threads_environment`)."""
    for name in THREAD_ENV:
        os.environ[name] = str(threads)
    os.environ.update(cpu_threads_environment(threads))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")


def available_memory() -> int | None:
    """Bytes of memory available to new processes (MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def visible_gpus() -> list[str]:
    """GPU ids this process may use, without importing TensorFlow.

    ``CUDA_VISIBLE_DEVICES`` when set (empty or -1: none), else ``nvidia-smi -L``.
    """
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        ids = [part.strip() for part in env.split(",") if part.strip()]
        return [] if not ids or ids[0].startswith("-") else ids
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    if listing.returncode != 0:
        return []
    return [str(i) for i, line in enumerate(ln for ln in listing.stdout.splitlines() if ln.startswith("GPU "))]


@dataclass(frozen=True)
class WorkerPlan:
    workers: int
    threads: int  # per worker
    gpus: tuple[str, ...]
    reason: str


def plan_workers(requested: int | None = None, jobs: int | None = None, device: str = "auto") -> WorkerPlan:
    """The ``workers`` asked for, or: the cores, capped by free memory (~1 GB per worker) and by GPUs —
    unless the assets train on the CPU (``device`` "cpu"), when the GPUs neither cap the
    workers nor are given to them."""
    cores = available_cores()
    memory = available_memory()
    gpus = () if device == "cpu" else tuple(visible_gpus())
    if requested is not None:
        if requested < 1:
            raise OptionError("workers", f"«workers» must be at least 1 (got {requested})")
        workers, why = requested, "«workers»"
    else:
        workers, parts = cores, [f"{cores} core{'s' * (cores != 1)}"]
        if memory is not None:
            workers = min(workers, max(1, memory // WORKER_MEMORY))
            parts.append(f"{memory / 2**30:.1f} GB free")
        if gpus:
            workers = min(workers, len(gpus))
            parts.append(f"{len(gpus)} GPU{'s' * (len(gpus) != 1)}")
        why = ", ".join(parts)
    if jobs is not None:
        workers = max(1, min(workers, jobs))
    threads = max(1, cores // workers)
    return WorkerPlan(workers, threads, gpus, why)
