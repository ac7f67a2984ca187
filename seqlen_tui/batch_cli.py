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
from typing import TextIO

from .cli_common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    fail,
    run_options_from_args,
    say,
)
from .core.batch import run_batch
from .core.batch_jobs import AssetOutcome
from .core.batch_plan import collect_files, plan_batch
from .core.errors import DataError, SettingsError
from .core.report import default_runs_dir
from .core.resources import plan_workers
from .core.runner import DataOptions
from .core.settings import SettingsStore, resolve_settings_path
from .terminal import stderr_kept


def run_batch_command(args: argparse.Namespace) -> int:

    files = collect_files(args.files, args.dir, args.pattern)
    use_ray = args.ray or bool(args.ray_address)
    if args.ray_gpus < 0:
        raise DataError(f"--ray-gpus must be 0 or more (got {args.ray_gpus})")
    if args.workers is not None and args.workers < 1:
        raise DataError(f"--workers must be at least 1 (got {args.workers})")
    if use_ray:
        from .core.batch_ray import import_ray

        import_ray()  # a missing extra is a one-line error before any work
    settings_path = resolve_settings_path(args.settings)
    store = SettingsStore(settings_path)
    if args.save:
        store.check_writable()  # before any asset runs: a file we cannot write is refused now
        defaults = store.tool_defaults()
    else:
        try:
            defaults = store.tool_defaults()
        except SettingsError:
            defaults = {}
    options = run_options_from_args(args, defaults, settings_path)
    data = DataOptions(args.column, args.last, args.start, args.end)
    runs_dir = default_runs_dir(args.runs_dir, settings_path, block=defaults)  # the block read above
    plan = plan_batch(files, options, runs_dir, data=data, force=args.force)

    out = sys.stdout
    save = args.save and confirm_save(args, settings_path, len(plan.jobs) + len(plan.ready))
    if save is None:
        return EXIT_USAGE
    skipped = sum(o.status == "skipped" for o in plan.ready)
    failed_early = len(plan.ready) - skipped
    parts = [f"{len(plan.jobs)} to run"]
    if skipped:
        parts.append(f"{skipped} skipped (a report exists for the same data and options; --force reruns)")
    if failed_early:
        parts.append(f"{failed_early} failed before starting")
    print(f"Batch of {plan.total} asset{'s' * (plan.total != 1)}: {', '.join(parts)}", file=out)
    if plan.jobs:
        if use_ray:
            where = f"the Ray cluster at {args.ray_address}" if args.ray_address else (
                f"a local Ray ({args.workers} CPUs)" if args.workers else "a local Ray (all cores)")
            print(f"  on {where}", file=out)
        else:
            workers = plan_workers(args.workers, len(plan.jobs), options.device)
            say(f"  on {workers.workers} worker process{'es' * (workers.workers != 1)} "
                  f"({workers.reason}; {workers.threads} thread{'s' * (workers.threads != 1)} each"
                  f"{'; GPUs ' + ','.join(workers.gpus) if workers.gpus else ''})", file=out)
    print(f"  reports in {runs_dir}", file=out)
    if save:
        print(f"  saving each asset's <ASSET>_SL to {settings_path} as it finishes", file=out)
    out.flush()

    progress = BatchProgress(sys.stderr, len(plan.jobs))
    result = None
    with stopped_by_signals() as received:
        try:
            result = run_batch(plan, runs_dir, workers=args.workers, ray=use_ray,
                               ray_address=args.ray_address, ray_gpus=args.ray_gpus,
                               settings=store if save else None, listener=progress.on_outcome,
                               import_guard=stderr_kept)
        finally:
            progress.close()
    if received:  # SIGTERM, or SIGHUP (the SSH session closed): the terminal may be gone
        with contextlib.suppress(OSError):
            if result is not None:
                report_outcomes(result, out, progress)
            print(f"{PROG}: stopped by {signal.Signals(received[0]).name}", file=sys.stderr)
        return 128 + received[0]
    return report_outcomes(result, out, progress)


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


def report_outcomes(result, out: TextIO, progress: BatchProgress) -> int:
    """The summary table, the counts and the exit code of a finished (or stopped) batch."""
    print(file=out)
    say("\n".join(summary_table(result.outcomes)), file=out)
    print(file=out)
    counts = ", ".join(f"{result.count(s)} {s}" for s in ("done", "skipped", "failed", "interrupted", "not run")
                       if result.count(s))
    print(f"{counts} — in {time.monotonic() - progress.started:,.1f}s", file=out)
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
    """One line per finished asset, and on a TTY a bar over assets with counts and ETA."""

    def __init__(self, stream: TextIO, to_run: int):
        self.stream = stream
        self.tty = stream.isatty()
        self.to_run = to_run
        self.started = time.monotonic()
        self.counts = {"done": 0, "failed": 0, "skipped": 0}
        self.finished_runs = 0
        self._bar_shown = False
        self._bar()  # 0/N at once: the first asset may take a while (TensorFlow starts in each worker)

    def on_outcome(self, outcome: AssetOutcome) -> None:
        if outcome.status in self.counts:
            self.counts[outcome.status] += 1
        if outcome.status == "skipped":
            return  # the header counted them; the summary lists them
        if outcome.status in ("done", "failed") and outcome.seconds is not None:
            self.finished_runs += 1
        self._clear()
        elapsed = time.monotonic() - self.started
        detail = describe(outcome)
        say(f"[{elapsed:6.1f}s] {outcome.status:<11} {outcome.asset:<20} {detail}", file=self.stream, flush=True)
        self._bar()

    def eta(self) -> float | None:
        if not self.finished_runs:
            return None
        left = max(0, self.to_run - self.finished_runs)
        return (time.monotonic() - self.started) / self.finished_runs * left

    def _bar(self) -> None:
        if not self.tty or not self.to_run:
            return
        fraction = min(1.0, self.finished_runs / self.to_run)
        filled = int(24 * fraction)
        eta = self.eta()
        eta_text = "—" if eta is None else _duration(eta)
        c = self.counts
        self.stream.write(f"\r  {'█' * filled}{'·' * (24 - filled)} {self.finished_runs}/{self.to_run}  "
                          f"done {c['done']} · failed {c['failed']} · skipped {c['skipped']}  ETA {eta_text} ")
        self.stream.flush()
        self._bar_shown = True

    def _clear(self) -> None:
        if self._bar_shown:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()
            self._bar_shown = False

    def close(self) -> None:
        self._clear()


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
