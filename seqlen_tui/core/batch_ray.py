"""The batch on Ray: the same per-asset task as Ray tasks, locally or on an existing cluster.

Ray does the scheduling, the retries of tasks whose worker or node died, and the resource
accounting (one CPU, ~1 GB of memory and, on clusters with GPUs, a fraction of a GPU per
task); this module only submits, collects and writes.  Files are shipped as bytes with each
task, so cluster nodes need the package (``pip install 'seqlen-tui[ray]'``, the same version)
but not the data; reports and settings are written here, on the machine that runs the batch.

Needs the optional extra ``seqlen-tui[ray]``; importing this module does not import Ray.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from .batch_jobs import WORKER_MEMORY, AssetJob, AssetOutcome, mark_stopped
from .errors import DataError

TASK_RETRIES = 3  # a task whose worker process or node died is rerun up to this often


def import_ray():
    try:
        import ray
    except ImportError:
        raise DataError("«ray» needs Ray: pip install 'seqlen-tui[ray]' (or run without «ray»)") from None
    return ray


def run_on_ray(jobs: Sequence[AssetJob], task: Callable[[AssetJob], AssetOutcome],
               finish: Callable[[AssetOutcome], None], *, address: str | None = None,
               num_cpus: int | None = None, gpu_fraction: float = 0.25) -> bool:
    """Run every job as a Ray task; ``finish`` each outcome as it arrives; True if interrupted.

    Without ``address`` (and without ``RAY_ADDRESS`` set) a local Ray is started for the batch
    with ``num_cpus`` CPUs (default: all) and shut down afterwards; with it, the batch joins that
    cluster.  A Ray already initialised in this process is used as it is.
    """
    ray = import_ray()
    started_here = start_ray(ray, address, num_cpus)
    tasks = _RayTasks(ray, finish)
    pending = deque(jobs)
    try:
        tasks.run(task, pending, gpu_fraction)
    except KeyboardInterrupt:
        tasks.cancel()
        mark_stopped(tasks.refs.values(), pending, finish)
        return True
    finally:
        if started_here:
            ray.shutdown()
    return False


def start_ray(ray, address: str | None, num_cpus: int | None) -> bool:
    """Join the cluster at ``address``, or start a local Ray of ``num_cpus`` CPUs; True if
    started here (the batch shuts it down), False when this process already had a Ray.

    An address that does not answer, or a Ray that will not start, is one :class:`DataError`."""
    if ray.is_initialized():
        return False
    settings = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    if address:
        check_reachable(address)
    try:
        if address:
            ray.init(address=address, **settings)
        else:
            ray.init(num_cpus=num_cpus, runtime_env=local_runtime_env(), **settings)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise DataError(f"cannot start or join {where}: {exc}; check «ray_address» "
                        "(e.g. ray://head:10001 or head:6379)") from None
    return True


class _RayTasks:
    """The batch's jobs as Ray tasks: a window of them in flight (``refs``: each task's job),
    each outcome finished as it arrives."""

    def __init__(self, ray, finish: Callable[[AssetOutcome], None]):
        self.ray = ray
        self.finish = finish
        self.refs: dict = {}

    def run(self, task: Callable[[AssetJob], AssetOutcome], pending: deque[AssetJob], gpu_fraction: float) -> None:
        """Submit and collect until ``pending`` and the window are empty."""
        resources = self.ray.cluster_resources()
        gpus = gpu_fraction if resources.get("GPU", 0) > 0 and gpu_fraction > 0 else 0
        remote = self.ray.remote(task).options(num_cpus=1, num_gpus=gpus, memory=WORKER_MEMORY,
                                               max_retries=TASK_RETRIES, retry_exceptions=False)
        # Keep the cluster busy without reading every file into the object store up front.
        window = max(4, 2 * int(resources.get("CPU", 1)))
        while pending or self.refs:
            self._submit(remote, pending, window)
            if not self.refs:
                break
            self._collect()

    def _submit(self, remote, pending: deque[AssetJob], window: int) -> None:
        """Fill the window; each job travels with its file's bytes."""
        while pending and len(self.refs) < window:
            job = pending.popleft()
            shipped = self._shipped(job)
            if shipped is not None:
                self.refs[remote.remote(shipped)] = job

    def _shipped(self, job: AssetJob) -> AssetJob | None:
        """``job`` with its file's bytes (a cluster node need not see the file), one thread per
        task; None when the file cannot be read, which fails the asset here."""
        try:
            return replace(job, threads=1, payload=Path(job.file).read_bytes())
        except OSError as exc:
            self.finish(AssetOutcome.failed(job.asset, job.file, f"cannot read {job.file}: {exc.strerror or exc}"))
            return None

    def _collect(self) -> None:
        """Wait for one task to end and finish its outcome; a task lost beyond Ray's retries
        (its worker or node died) is a failed asset."""
        ready, _ = self.ray.wait(list(self.refs), num_returns=1)
        for ref in ready:
            job = self.refs.pop(ref)
            try:
                outcome = self.ray.get(ref)
            except self.ray.exceptions.RayError as exc:  # worker or node lost beyond the retries
                outcome = AssetOutcome.failed(job.asset, job.file, f"lost on Ray: {_first_line(exc)}; rerun the batch to retry it")
            self.finish(outcome)

    def cancel(self) -> None:
        """Stop every task in flight (best effort: the batch is stopping)."""
        for ref in self.refs:
            try:
                self.ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001 - best effort while stopping
                pass


def local_runtime_env() -> dict:
    """Workers of a local Ray see the modules this process sees (as spawned processes do).

    Ray workers start from their own ``sys.path``; handing them ours as ``PYTHONPATH`` makes a
    source checkout, or a task defined outside the package (tests, benchmarks), importable.
    """
    paths = [p for p in sys.path if p and os.path.isdir(p)]
    extra = os.environ.get("PYTHONPATH")
    return {"env_vars": {"PYTHONPATH": os.pathsep.join(([extra] if extra else []) + paths)}}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, with one clear line, when a ``host:port`` Ray address does not answer:
    Ray itself retries an unreachable head for minutes."""
    import socket

    if address == "auto":
        return
    host_port = address.split("://", 1)[-1].rsplit("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise DataError(f"«ray_address» {address!r}: expected host:port, ray://host:port or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise DataError(f"«ray_address» {address}: nothing answers there ({exc.strerror or exc}); "
                        "check the head node's address and port (ray://head:10001 or head:6379)") from None

