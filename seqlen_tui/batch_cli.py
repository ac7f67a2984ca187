"""``seqlen-tui batch``: the terminal side of :mod:`seqlen_tui.core.batch`.

It parses nothing (``cli.py`` does) and decides nothing (the core does): it reads the options,
asks once before saving, shows a progress bar over assets (done / failed / skipped, ETA) and
prints the summary table.  Imported only when the command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from .cli_common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    as_flags,
    fail,
    run_options_from_args,
    say,
)
from .core.batch import BatchResult, run_batch
from .core.batch_jobs import AssetOutcome
from .core.batch_plan import BatchPlan, collect_files, plan_batch
from .core.errors import DataError, SettingsError
from .core.report import default_runs_dir
from .core.resources import plan_workers
from .core.runner import DataOptions
from .core.settings import SettingsStore, resolve_settings_path
from .progress_bar import Clock, TerminalBar, draws_bars
from .terminal import stderr_kept


def run_batch_command(args: argparse.Namespace) -> int:
    """Plan the batch, ask before saving, say what will run, run it with a progress display,
    and print the summary; the exit code says how it ended."""
    files = collect_files(args.files, args.dir, args.pattern)
    use_ray = check_batch_flags(args)
    settings_path = resolve_settings_path(args.settings)
    store = SettingsStore(settings_path)
    defaults = batch_defaults(store, args.save)
    options = run_options_from_args(args, defaults, settings_path)
    data = DataOptions(args.column, args.last, args.start, args.end)
    runs_dir = default_runs_dir(args.runs_dir, settings_path, block=defaults)  # the block read above
    plan = plan_batch(files, options, runs_dir, data=data, force=args.force)

    save = args.save and confirm_save(args, settings_path, len(plan.jobs) + len(plan.ready))
    if save is None:
        return EXIT_USAGE
    where = where_it_runs(args, use_ray, len(plan.jobs), options.device)
    print_header(plan, where, runs_dir, settings_path if save else None, sys.stdout)
    return run_with_progress(plan, runs_dir, args, use_ray, store if save else None)


def check_batch_flags(args: argparse.Namespace) -> bool:
    """Whether the batch runs on Ray. The numbers the parser does not bound are checked here,
    and a missing Ray extra is a one-line error before any work."""
    use_ray = args.ray or bool(args.ray_address)
    if args.ray_gpus < 0:
        raise DataError(f"--ray-gpus must be 0 or more (got {args.ray_gpus})")
    if args.workers is not None and args.workers < 1:
        raise DataError(f"--workers must be at least 1 (got {args.workers})")
    if use_ray:
        from .core.batch_ray import import_ray

        import_ray()
    return use_ray


def batch_defaults(store: SettingsStore, save: bool) -> dict:
    """The settings block's defaults. A batch that saves needs the file: one it cannot write is
    refused before any asset runs. One that does not save runs on without an unreadable file's
    defaults."""
    if save:
        store.check_writable()
        return store.tool_defaults()
    try:
        return store.tool_defaults()
    except SettingsError:
        return {}


def where_it_runs(args: argparse.Namespace, use_ray: bool, jobs: int, device: str) -> str | None:
    """The header's line saying where the jobs run; None when nothing runs."""
    if not jobs:
        return None
    return ray_line(args) if use_ray else pool_line(args, jobs, device)


def ray_line(args: argparse.Namespace) -> str:
    """Where a Ray batch runs: the cluster named, or a local Ray of ``--workers`` CPUs."""
    where = f"the Ray cluster at {args.ray_address}" if args.ray_address else (
        f"a local Ray ({args.workers} CPUs)" if args.workers else "a local Ray (all cores)")
    return f"  on {where}"


def pool_line(args: argparse.Namespace, jobs: int, device: str) -> str:
    """Where a local batch runs: how many worker processes, why, and their threads and GPUs."""
    workers = plan_workers(args.workers, jobs, device)
    return as_flags(f"  on {workers.workers} worker process{'es' * (workers.workers != 1)} "
                    f"({workers.reason}; {workers.threads} thread{'s' * (workers.threads != 1)} each"
                    f"{'; GPUs ' + ','.join(workers.gpus) if workers.gpus else ''})")


def print_header(plan: BatchPlan, where: str | None, runs_dir: Path, saving_to: Path | None,
                 out: TextIO) -> None:
    """What the batch will do: how many assets run, are skipped or failed already; where they
    run (``where``, None when nothing runs), where the reports go and the lags are saved."""
    skipped = sum(o.status == "skipped" for o in plan.ready)
    failed_early = len(plan.ready) - skipped
    parts = [f"{len(plan.jobs)} to run"]
    if skipped:
        parts.append(f"{skipped} skipped (a report exists for the same data and options; --force reruns)")
    if failed_early:
        parts.append(f"{failed_early} failed before starting")
    print(f"Batch of {plan.total} asset{'s' * (plan.total != 1)}: {', '.join(parts)}", file=out)
    if where is not None:
        print(where, file=out)
    print(f"  reports in {runs_dir}", file=out)
    if saving_to is not None:
        print(f"  saving each asset's <ASSET>_SL to {saving_to} as it finishes", file=out)
    out.flush()


def run_with_progress(plan: BatchPlan, runs_dir: Path, args: argparse.Namespace, use_ray: bool,
                      store: SettingsStore | None) -> int:
    """Run the planned jobs with the progress display on stderr (saving into ``store`` unless
    None); a stop signal ends the batch as Ctrl-C does, with its own exit code."""
    progress = BatchProgress(sys.stderr, len(plan.jobs))
    result = None
    with stopped_by_signals() as received:
        try:
            result = run_batch(plan, runs_dir, workers=args.workers, ray=use_ray,
                               ray_address=args.ray_address, ray_gpus=args.ray_gpus,
                               settings=store, listener=progress.on_outcome,
                               import_guard=stderr_kept)
        finally:
            progress.close()
    if received:
        return report_stopped(result, received[0], sys.stdout, progress)
    return report_outcomes(result, sys.stdout, progress)


def report_stopped(result: BatchResult | None, signum: int, out: TextIO, progress: BatchProgress) -> int:
    """SIGTERM, or SIGHUP (the SSH session closed): the summary if the batch got that far, and
    the signal named; the terminal may be gone, so a failed write ends it quietly."""
    with contextlib.suppress(OSError):
        if result is not None:
            report_outcomes(result, out, progress)
        print(f"{PROG}: stopped by {signal.Signals(signum).name}", file=sys.stderr)
    return 128 + signum


#: Signals that stop a batch as Ctrl-C does: a polite kill, and the terminal going away.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class StopSignal(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C would be, so the batch stops the same way:
    workers ended, finished assets kept, the rest listed as not run, the summary written."""


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[list[int]]:
    """While the batch runs, SIGTERM and SIGHUP stop it like Ctrl-C; the list receives the
    signal's number (empty if none came).

    A signal the process inherited as ignored stays ignored: that is how ``nohup`` (SIGHUP)
    and a shell's background job (SIGINT) tell a program to keep running when the terminal
    goes, and the worker processes, spawned meanwhile, inherit the ignore too."""
    received: list[int] = []

    def stop(signum, frame) -> None:
        if not received:
            received.append(signum)
            raise StopSignal()

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS
                if signal.getsignal(sig) != signal.SIG_IGN}
    try:
        yield received
    except StopSignal:  # arrived outside the pool's loop (planning, the summary): stopped all the same
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def report_outcomes(result: BatchResult, out: TextIO, progress: BatchProgress) -> int:
    """The summary table, the counts and the exit code of a finished (or stopped) batch."""
    print(file=out)
    say("\n".join(summary_table(result.outcomes)), file=out)
    print(file=out)
    counts = ", ".join(f"{result.count(s)} {s}" for s in ("done", "skipped", "failed", "interrupted", "not run")
                       if result.count(s))
    print(f"{counts} — in {progress.clock() - progress.started:,.1f}s", file=out)
    if result.summary_path is not None:
        print(f"Summary: {result.summary_path}", file=out)
    out.flush()
    if result.interrupted:
        left = result.count("interrupted") + result.count("not run")
        print(f"{PROG}: interrupted; {left} asset{'s' * (left != 1)} not finished — run the same "
              "command again to finish them (finished assets are skipped)", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.count("failed"):
        n = result.count("failed")
        others = "; the others are done" if result.count("done") + result.count("skipped") else ""
        print(f"{PROG}: {n} asset{'s' * (n != 1)} failed (see the summary){others}", file=sys.stderr)
    return EXIT_OK if result.all_done else EXIT_FAILED


def confirm_save(args: argparse.Namespace, path, count: int) -> bool | None:
    """True to save, False not to; None (a usage error) when it cannot ask and --yes is missing."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        fail("--save needs --yes when there is no terminal to confirm on", EXIT_USAGE)
        return None
    answer = input(f"Save each finished asset's <ASSET>_SL ({count} assets) to {path}? [y/N] ").strip().lower()
    if answer in ("y", "yes"):
        return True
    print("Not saving.")
    return False


class BatchProgress:
    """One line per finished asset, and on a TTY a bar over assets with counts and ETA
    (:class:`~seqlen_tui.progress_bar.TerminalBar`: the lines scroll above it).

    ``clock`` (seconds, monotonic) stamps the lines and measures the ETA; a test hands in its
    own to drive the display without waiting.
    """

    def __init__(self, stream: TextIO, to_run: int, clock: Clock = time.monotonic):
        self.stream = stream
        self.tty = draws_bars(stream)
        self.to_run = to_run
        self.clock = clock
        self.started = clock()
        self.counts = {"done": 0, "failed": 0, "skipped": 0}
        self.finished_runs = 0
        self._bar: TerminalBar | None = None
        if self.tty and to_run:
            self._bar = TerminalBar(stream, total=to_run, bar_width=24, clock=clock)
        self._draw()  # 0/N at once: the first asset may take a while (TensorFlow starts in each worker)

    def on_outcome(self, outcome: AssetOutcome) -> None:
        if outcome.status in self.counts:
            self.counts[outcome.status] += 1
        if outcome.status == "skipped":
            return  # the header counted them; the summary lists them
        if outcome.status in ("done", "failed") and outcome.seconds is not None:
            self.finished_runs += 1
        elapsed = self.clock() - self.started
        line = as_flags(f"[{elapsed:6.1f}s] {outcome.status:<11} {outcome.asset:<20} {describe(outcome)}")
        if self._bar is not None:
            self._draw()  # the new counts first, so the bar drawn again below the line has them
            self._bar.line(line)  # the bar is erased first, and drawn again below the line
        else:
            print(line, file=self.stream, flush=True)

    def eta(self) -> float | None:
        if not self.finished_runs:
            return None
        left = max(0, self.to_run - self.finished_runs)
        return (self.clock() - self.started) / self.finished_runs * left

    def _draw(self) -> None:
        if self._bar is None:
            return
        eta = self.eta()
        eta_text = "—" if eta is None else _duration(eta)
        c = self.counts
        self._bar.show(min(self.to_run, self.finished_runs),
                       f"{self.finished_runs}/{self.to_run}  done {c['done']} · failed {c['failed']} · "
                       f"skipped {c['skipped']}  ETA {eta_text}")

    def close(self) -> None:
        """Erase the bar (if any)."""
        if self._bar is not None:
            self._bar.close()


def describe(outcome: AssetOutcome) -> str:
    if outcome.status in ("done", "skipped"):
        lag = "—" if outcome.chosen_lag is None else outcome.chosen_lag
        skill = "—" if outcome.skill is None else f"{outcome.skill:+.3f}"
        took = "" if outcome.seconds is None else f"  ({outcome.seconds:.1f}s)"
        saved = f"  saved {outcome.saved}" if outcome.saved else ""
        return f"lag {lag}  skill {skill}{took}{saved}"
    return outcome.error or ""


def summary_table(outcomes: list[AssetOutcome]) -> list[str]:
    """asset, status, n, frequency, chosen lag, skill vs persistence, time; errors below."""
    width = max([5, *(len(o.asset) for o in outcomes)])
    lines = [f"{'asset':<{width}}  {'status':<11} {'n':>7} {'freq':<6} {'lag':>5} {'skill':>7} {'time':>8}"]
    for o in outcomes:
        n = "—" if o.n is None else f"{o.n:,}"
        lag = "—" if o.chosen_lag is None else str(o.chosen_lag)
        skill = "—" if o.skill is None else f"{o.skill:+.3f}"
        took = "—" if o.seconds is None else _duration(o.seconds)
        lines.append(f"{o.asset:<{width}}  {o.status:<11} {n:>7} {o.frequency or '—':<6} {lag:>5} {skill:>7} {took:>8}")
    problems = [o for o in outcomes if o.error and o.status == "failed"]
    if problems:
        lines.append("")
        lines.extend(f"{o.asset}: {o.error}" for o in problems)
    return lines


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
