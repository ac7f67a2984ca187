"""Many assets: run every file as one asset, on a local process pool or on Ray.

Each file is one asset and gets exactly the report ``run`` writes (:func:`runner.run_file`), in
the same runs folder.  The pieces:

* :func:`plan_batch` — which files still need a run.  An asset whose report already exists for
  the same ``data_sha256`` and ``options_hash`` is skipped unless ``force``; two files with the
  same asset name, or a file that cannot be read, are failed up front.
* :func:`run_asset_job` — the per-asset task: module-level and picklable, so a spawned process
  or a Ray worker can run it; it imports TensorFlow only inside, limits its threads, and turns
  any error into a failed :class:`AssetOutcome` instead of raising, so one bad file never
  stops the others.
* :func:`run_batch` — runs the planned jobs (local pool here, Ray in :mod:`.batch_ray`) and,
  in this process, writes each report and saves each chosen lag (locked settings store) *as it
  arrives*; so an interrupted batch loses only the assets in flight and a rerun finishes the
  rest.  A summary CSV goes beside the reports.

The parent is the only writer of reports and settings: workers (possibly on other machines)
only compute and return the report.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from .batch_jobs import WORKER_MEMORY, AssetJob, AssetOutcome, mark_stopped
from .errors import DataError, SettingsError
from .options import OptionError, RunOptions
from .report import file_stamp, iter_reports, now_iso, write_new_file, write_report
from .runner import DataOptions, report_identity
from .settings import SettingsStore, asset_from_path, settings_key

THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "TF_NUM_INTRAOP_THREADS")
CSV_COLUMNS = ("asset", "status", "n", "frequency", "chosen_lag", "skill", "seconds", "report",
               "error", "file")


# -- the per-asset task (runs in a worker) -----------------------------------------------------


def run_asset_job(job: AssetJob) -> AssetOutcome:
    """The default task: limit TensorFlow's threads, then run the asset (see :func:`execute_job`)."""
    limit_tensorflow_threads(job.threads)
    return execute_job(job)


def execute_job(job: AssetJob) -> AssetOutcome:
    """Run one asset to its report (not written: the parent writes it); never raises.

    With a ``payload`` the file's bytes are written to a private temporary folder under the
    file's own name (so its format and asset are the same) and the report names the original.
    """
    from .events import Cancelled
    from .runner import run_file

    started = time.perf_counter()
    folder = None
    try:
        path = job.file
        if job.payload is not None:
            folder = tempfile.mkdtemp(prefix="seqlen-batch-")
            path = os.path.join(folder, Path(job.file).name)
            with open(path, "wb") as handle:
                handle.write(job.payload)
        try:
            report, _ = run_file(path, job.options, data=job.data, asset=job.asset,
                                 shown_as=job.file if path != job.file else None)
        except (DataError, SettingsError) as exc:
            return AssetOutcome.failed(job.asset, job.file, str(exc).replace(path, job.file),
                                       time.perf_counter() - started)
        return AssetOutcome.from_report(job, report, time.perf_counter() - started)
    except Cancelled:
        return AssetOutcome.failed(job.asset, job.file, "cancelled", status="interrupted")
    except MemoryError:
        return AssetOutcome.failed(job.asset, job.file, "out of memory; use fewer «workers» or «last» N",
                                   time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - one asset's failure must not stop the batch
        return AssetOutcome.failed(job.asset, job.file, f"{type(exc).__name__}: {exc}",
                                   time.perf_counter() - started)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def limit_threads_env(threads: int) -> None:
    """Thread limits for BLAS/OpenMP and TensorFlow; only effective before they are imported."""
    for name in THREAD_ENV:
        os.environ[name] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = str(min(2, threads))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")


def limit_tensorflow_threads(threads: int) -> None:
    """Import TensorFlow (quietly) and cap its thread pools; harmless if already set."""
    from .tf_runtime import quiet_tensorflow

    limit_threads_env(threads)
    quiet_tensorflow()
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # e.g. retracing notes: noise across many assets
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(min(2, threads))
    except RuntimeError:  # the runtime is already initialised (a reused worker): keep its limits
        pass


def init_worker(threads: int, gpus: Sequence[str], counter) -> None:
    """Initialiser of each pool process, before anything heavy is imported."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    limit_threads_env(threads)
    if gpus:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        os.environ["CUDA_VISIBLE_DEVICES"] = gpus[index % len(gpus)]


# -- planning ----------------------------------------------------------------------------------


@dataclass
class BatchPlan:
    jobs: list[AssetJob]
    ready: list[AssetOutcome]  # skipped (finished before) or failed up front, in file order

    @property
    def total(self) -> int:
        return len(self.jobs) + len(self.ready)


def collect_files(files: Iterable[str | os.PathLike] = (), folder: str | os.PathLike | None = None,
                  pattern: str = "*.csv") -> list[Path]:
    """The batch's files: those given, then ``folder``'s files matching ``pattern``, sorted."""
    found = [Path(f) for f in files]
    if folder is not None:
        root = Path(folder)
        if not root.is_dir():
            raise DataError(f"«dir» {root}: no such folder; pass a folder of CSV/Parquet files")
        matched = sorted(p for p in root.glob(pattern) if p.is_file() and not p.name.startswith("."))
        if not matched:
            raise DataError(f"no file in {root} matches {pattern!r}; use «pattern», e.g. '*.parquet'")
        found.extend(matched)
    if not found:
        raise DataError("no files to run; give FILE... or «dir» DIR")
    seen, unique = set(), []
    for path in found:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def finished_reports(runs_dir: Path) -> dict[tuple[str, str, str], tuple[Path, dict]]:
    """The newest readable report per (asset, data_sha256, options_hash) in the runs folder."""
    found: dict[tuple[str, str, str], tuple[Path, dict]] = {}
    for path, report in iter_reports(runs_dir):
        key = (report.get("asset"), report.get("data_sha256"), report.get("options_hash"))
        if None in key:
            continue
        old = found.get(key)
        if old is None or report.get("created_at", "") >= old[1].get("created_at", ""):
            found[key] = (path, report)
    return found


def plan_batch(files: Sequence[str | os.PathLike], options: RunOptions, runs_dir: Path, *,
               data: DataOptions | None = None, force: bool = False) -> BatchPlan:
    """Decide, per file, run it / skip it (already reported) / fail it (unreadable, duplicate)."""
    options.validate()
    data = data or DataOptions()
    done = {} if force else finished_reports(runs_dir)
    jobs, ready = [], []
    owners: dict[str, str] = {}
    for path in files:
        file = str(path)
        asset = asset_from_path(path)
        owner = owners.get(asset.upper())
        if owner is not None:
            ready.append(AssetOutcome.failed(asset, file, f"same asset name as {owner}; rename one of them"))
            continue
        owners[asset.upper()] = file
        try:
            settings_key(asset)
            sha, opts = report_identity(path, options, data)
        except OSError as exc:
            ready.append(AssetOutcome.failed(asset, file, f"cannot read {file}: {exc.strerror or exc}"))
            continue
        except SettingsError as exc:
            ready.append(AssetOutcome.failed(asset, file, str(exc)))
            continue
        previous = done.get((asset, sha, opts))
        if previous is not None:
            report_path, report = previous
            job = AssetJob(file, asset, options, data)
            ready.append(AssetOutcome.from_report(job, report, None, "skipped", str(report_path)))
            ready[-1].report = None
            continue
        jobs.append(AssetJob(file, asset, options, data))
    return BatchPlan(jobs, ready)


# -- resources ---------------------------------------------------------------------------------


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


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


# -- running -----------------------------------------------------------------------------------


Task = Callable[[AssetJob], AssetOutcome]
Listener = Callable[[AssetOutcome], None]


@dataclass
class BatchResult:
    outcomes: list[AssetOutcome]
    interrupted: bool = False
    summary_path: Path | None = None

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def all_done(self) -> bool:
        """Every asset done or skipped (nothing failed, nothing left by an interruption)."""
        return not self.interrupted and not self.count("failed")


class _Finisher:
    """In the parent: write each report and save each lag as the asset finishes."""

    def __init__(self, runs_dir: Path, settings: SettingsStore | None, listener: Listener | None):
        self.runs_dir = runs_dir
        self.settings = settings
        self.listener = listener
        self.outcomes: list[AssetOutcome] = []

    def __call__(self, outcome: AssetOutcome, report: dict | None = None) -> None:
        report = report if report is not None else outcome.report
        outcome.report = None
        if outcome.status == "done" and report is not None:
            try:
                outcome.report_path = str(write_report(report, self.runs_dir))
            except (DataError, OSError) as exc:
                outcome.status, outcome.error = "failed", f"report not written: {exc}"
        if self.settings is not None and outcome.status in ("done", "skipped"):
            self._save(outcome)
        self.outcomes.append(outcome)
        if self.listener is not None:
            self.listener(outcome)

    def _save(self, outcome: AssetOutcome) -> None:
        if outcome.chosen_lag is None:
            outcome.saved = "no lag chosen"
            return
        key = settings_key(outcome.asset)
        try:
            if outcome.status == "skipped" and self.settings.current_value(key) == outcome.chosen_lag:
                outcome.saved = f"{key} already {outcome.chosen_lag}"
                return
            self.settings.save_lag(key, outcome.chosen_lag)
            outcome.saved = f"{key} = {outcome.chosen_lag}"
        except (SettingsError, ValueError) as exc:
            outcome.status, outcome.error = "failed", f"report written, {key} not saved: {exc}"


def run_batch(plan: BatchPlan, runs_dir: Path, *, workers: int | None = None, ray: bool = False,
              ray_address: str | None = None, ray_gpus: float = 0.25,
              settings: SettingsStore | None = None, task: Task | None = None,
              listener: Listener | None = None, summary: bool = True) -> BatchResult:
    """Run the plan's jobs; report every outcome (``listener``) as it arrives.

    ``task`` (default :func:`run_asset_job`) must be a module-level function, so that worker
    processes can import it.  Ctrl-C stops the batch: finished assets keep their reports, those
    in flight are lost and those not started are listed as ``not run``; the result then has
    ``interrupted`` set.
    """
    task = task or run_asset_job
    finish = _Finisher(runs_dir, settings, listener)
    for outcome in plan.ready:
        finish(outcome)
    interrupted = False
    if plan.jobs:
        if ray:
            from .batch_ray import run_on_ray

            interrupted = run_on_ray(plan.jobs, task, finish, address=ray_address,
                                     num_cpus=workers, gpu_fraction=ray_gpus)
        else:
            interrupted = run_local(plan.jobs, task, finish,
                                    plan_workers(workers, len(plan.jobs), plan.jobs[0].options.device))
    result = BatchResult(sorted(finish.outcomes, key=lambda o: (o.asset.lower(), o.file)), interrupted)
    if summary:
        result.summary_path = write_summary(result.outcomes, runs_dir)
    return result


def run_local(jobs: Sequence[AssetJob], task: Task, finish: Callable[[AssetOutcome], None],
              workers: WorkerPlan) -> bool:
    """A spawn-context process pool of ``workers.workers``; returns True if interrupted.

    At most one job per worker is submitted at a time, so when a worker dies (killed, out of
    memory) only the jobs in flight are lost: they are reported failed, a fresh pool takes the
    rest.
    """
    context = multiprocessing.get_context("spawn")
    pending = deque(replace(job, threads=workers.threads) for job in jobs)
    while pending:
        counter = context.Value("i", 0)
        executor = ProcessPoolExecutor(max_workers=min(workers.workers, len(pending)), mp_context=context,
                                       initializer=init_worker, initargs=(workers.threads, workers.gpus, counter))
        in_flight: dict = {}
        broken = stopped = False
        try:
            while (pending and not broken) or in_flight:
                while pending and not broken and len(in_flight) < workers.workers:
                    job = pending.popleft()
                    try:
                        in_flight[executor.submit(task, job)] = job
                    except BrokenProcessPool:
                        pending.appendleft(job)
                        broken = True
                if not in_flight:
                    break
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    job = in_flight.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        outcome = AssetOutcome.failed(
                            job.asset, job.file,
                            "lost: a worker process died while this asset ran (killed or out of "
                            "memory?); rerun the batch to retry it")
                    except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
                        outcome = AssetOutcome.failed(job.asset, job.file, f"{type(exc).__name__}: {exc}")
                    finish(outcome)
        except KeyboardInterrupt:
            stopped = True
            _stop(executor)
            mark_stopped(in_flight.values(), pending, finish)
            return True
        finally:
            if not stopped:
                executor.shutdown(wait=not broken, cancel_futures=True)
    return False


def _stop(executor: ProcessPoolExecutor) -> None:
    """End the pool's processes now (the work in flight is given up)."""
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except (OSError, ValueError):
            pass
    executor.shutdown(wait=False, cancel_futures=True)


# -- summary -----------------------------------------------------------------------------------


def write_summary(outcomes: Sequence[AssetOutcome], runs_dir: Path) -> Path | None:
    """``batch_<UTC time>.csv`` beside the reports, one row per asset; None if not writable."""
    def write_rows(handle) -> None:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for outcome in outcomes:
            writer.writerow({k: "" if v is None else v for k, v in outcome.row().items()})

    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        target = write_new_file(runs_dir, f"batch_{file_stamp(now_iso())}", ".csv", write_rows, newline="")
    except OSError:
        return None
    return target
