"""Many assets: run every file as one asset, on a local process pool or on Ray.

Each file is one asset and gets exactly the report ``run`` writes (:func:`runner.run_file`), in
the same runs folder.  The pieces (planning in :mod:`.batch_plan`, the machine's resources in
:mod:`.resources`, the summary CSV in :mod:`.batch_summary`; supervision here):

* :func:`~.batch_plan.plan_batch` — which files still need a run.
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

import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path

from .batch_jobs import AssetJob, AssetOutcome, mark_stopped
from .batch_plan import BatchPlan
from .batch_summary import write_summary
from .errors import DataError, SettingsError
from .report import write_report
from .resources import WorkerPlan, limit_threads_env, plan_workers
from .settings import SettingsStore, settings_key
from .tf_runtime import set_import_guard
from .threads import tensorflow_pools

ImportGuard = Callable[[], AbstractContextManager]


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


def limit_tensorflow_threads(threads: int) -> None:
    """Import TensorFlow (quietly) and cap its thread pools; harmless if already set."""
    from .tf_runtime import load_tensorflow

    limit_threads_env(threads)
    load_tensorflow()
    import tensorflow as tf

    # Warnings repeated by every worker are noise across many assets (the planned retracing
    # note is already dropped for every front end, by load_tensorflow).
    tf.get_logger().setLevel("ERROR")
    per_op, side_by_side = tensorflow_pools(threads)
    try:
        tf.config.threading.set_intra_op_parallelism_threads(per_op)
        tf.config.threading.set_inter_op_parallelism_threads(side_by_side)
    except RuntimeError:  # the runtime is already initialised (a reused worker): keep its limits
        pass


def init_worker(threads: int, gpus: Sequence[str], counter, import_guard: ImportGuard | None = None) -> None:
    """Initialiser of each pool process, before anything heavy is imported: the front end's
    guard around TensorFlow's first import (the workers share its terminal), thread limits,
    and one GPU per worker in turn."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    set_import_guard(import_guard)
    limit_threads_env(threads)
    if gpus:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        os.environ["CUDA_VISIBLE_DEVICES"] = gpus[index % len(gpus)]


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
              listener: Listener | None = None, summary: bool = True,
              import_guard: ImportGuard | None = None) -> BatchResult:
    """Run the plan's jobs; report every outcome (``listener``) as it arrives.

    ``import_guard`` (module-level, so workers can import it) wraps TensorFlow's first import
    in each local worker, which shares the front end's terminal; Ray workers log to Ray.

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
                                    plan_workers(workers, len(plan.jobs), plan.jobs[0].options.device),
                                    import_guard)
    result = BatchResult(sorted(finish.outcomes, key=lambda o: (o.asset.lower(), o.file)), interrupted)
    if summary:
        result.summary_path = write_summary(result.outcomes, runs_dir)
    return result


def run_local(jobs: Sequence[AssetJob], task: Task, finish: Callable[[AssetOutcome], None],
              workers: WorkerPlan, import_guard: ImportGuard | None = None) -> bool:
    """A spawn-context process pool of ``workers.workers``; returns True if interrupted.

    At most one job per worker is submitted at a time, so when a worker dies (killed, out of
    memory) only the jobs in flight are lost: they are reported failed, a fresh pool takes the
    rest.
    """
    context = multiprocessing.get_context("spawn")
    pending = deque(replace(job, threads=workers.threads) for job in jobs)
    while pending:
        try:
            executor = _start_pool(context, workers, len(pending), import_guard)
        except (OSError, BrokenProcessPool) as exc:
            _fail_unstarted(pending, exc, finish)
            return False
        if _PoolRound(executor, task, finish, workers.workers).run(pending):
            return True
    return False


def _start_pool(context, workers: WorkerPlan, waiting: int, import_guard: ImportGuard | None) -> ProcessPoolExecutor:
    """A pool of at most ``workers.workers`` processes (never more than ``waiting`` jobs need),
    each set up by :func:`init_worker`; the shared counter hands out the GPUs in turn."""
    counter = context.Value("i", 0)
    return ProcessPoolExecutor(max_workers=min(workers.workers, waiting), mp_context=context,
                               initializer=init_worker, initargs=(workers.threads, workers.gpus, counter, import_guard))


class _PoolRound:
    """One process pool's life: it takes one job per free worker until the jobs run out or the
    pool breaks (a worker died); then the jobs still waiting go to a fresh pool."""

    def __init__(self, executor: ProcessPoolExecutor, task: Task, finish: Callable[[AssetOutcome], None],
                 size: int):
        self.executor = executor
        self.task = task
        self.finish = finish
        self.size = size
        self.in_flight: dict[Future, AssetJob] = {}
        self.broken = False  # this pool takes no more jobs
        self.submitted = 0

    def run(self, pending: deque[AssetJob]) -> bool:
        """Run jobs from ``pending`` until none is left or the pool broke (those left stay in
        ``pending``); True if Ctrl-C stopped the batch, its processes ended at once."""
        stopped = False
        try:
            while (pending and not self.broken) or self.in_flight:
                self._fill(pending)
                if not self.in_flight:
                    break
                self._collect()
        except KeyboardInterrupt:
            stopped = True
            _stop(self.executor)
            mark_stopped(self.in_flight.values(), pending, self.finish)
            return True
        finally:
            if not stopped:
                self.executor.shutdown(wait=not self.broken, cancel_futures=True)
        return False

    def _fill(self, pending: deque[AssetJob]) -> None:
        """Submit jobs until every worker has one. A submit that fails (the pool broke, or an
        OSError such as BrokenPipeError: a worker died as it was spawned) puts its job back
        for a fresh pool, unless this pool took none: a fresh one would not either, so every
        waiting job fails with the reason."""
        while pending and not self.broken and len(self.in_flight) < self.size:
            job = pending.popleft()
            try:
                self.in_flight[self.executor.submit(self.task, job)] = job
                self.submitted += 1
            except (BrokenProcessPool, OSError) as exc:
                pending.appendleft(job)
                self.broken = True
                if not self.submitted:
                    _fail_unstarted(pending, exc, self.finish)

    def _collect(self) -> None:
        """Wait for at least one job in flight to end, and finish each that did."""
        done, _ = wait(self.in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            job = self.in_flight.pop(future)
            self.finish(self._outcome(future, job))

    def _outcome(self, future: Future, job: AssetJob) -> AssetOutcome:
        """The job's outcome; a worker that died with it breaks the pool and loses the job."""
        try:
            return future.result()
        except BrokenProcessPool:
            self.broken = True
            return AssetOutcome.failed(
                job.asset, job.file,
                "lost: a worker process died while this asset ran (killed or out of "
                "memory?); rerun the batch to retry it")
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
            return AssetOutcome.failed(job.asset, job.file, f"{type(exc).__name__}: {exc}")


def _fail_unstarted(pending: deque, exc: BaseException, finish: Callable[[AssetOutcome], None]) -> None:
    """The pool's processes cannot start (no memory, no processes left, a broken pipe while
    spawning): every asset still waiting fails with that reason, so the batch ends as a failure
    with its summary, never as a success that ran nothing; a rerun retries them."""
    why = f"{type(exc).__name__}: {exc}".rstrip(": ")
    while pending:
        job = pending.popleft()
        finish(AssetOutcome.failed(job.asset, job.file, f"not run: the worker processes could not start "
                                                        f"({why}); fix that and rerun the batch"))


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
