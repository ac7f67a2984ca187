"""Command line entry point: parse arguments, then open the app or call the core.

Start-up must be instant (``seqlen-tui --help`` is typed often over slow SSH links), so this
module imports only the standard library at import time; pandas, statsmodels and the app are
imported inside the command that needs them, and TensorFlow never here.

Exit codes: 0 success, 1 a run failed, 2 usage or data error (one line on stderr, never a
traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import __version__
from .cli_common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    data_options_from_args,
    fail,
    run_options_from_args,
    say,
)
from .cli_options import add_flags
from .terminal import keep_import_noise, startup_messages

COMMANDS = ("analyze", "run", "batch", "runs", "show", "doctor")


class UsageError(Exception):
    """A bad command line; shown as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line instead of usage + message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Choose the input sequence length (lookback) of an LSTM for one series. "
            "With a FILE (CSV or Parquet) or nothing, opens the app; with a command, runs it."
        ),
        epilog="Exit codes: 0 ok, 1 run failed, 2 usage or data error, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    analyze = sub.add_parser(
        "analyze",
        help="ACF/PACF analysis and candidate sequence lengths for one series (fast, no training)",
        description=(
            "Load a series, analyse the ACF of the raw, differenced and log-return series "
            "(plus PACF, AR orders by AIC/BIC and seasonal peaks) and list the candidate "
            "sequence lengths with the reason for each."
        ),
    )
    analyze.add_argument("file", metavar="FILE", help=FILE_HELP)
    add_flags(analyze, "analyze")

    run = sub.add_parser(
        "run",
        help="benchmark an LSTM at every candidate sequence length and choose one",
        description=(
            "Analyse the series, train a small LSTM at every candidate sequence length (several "
            "seeds) beside naive baselines, ridge AR and direction classifiers, choose the "
            "length on validation and report on test; optionally save <ASSET>_SL."
        ),
    )
    run.add_argument("file", metavar="FILE", help=FILE_HELP)
    add_flags(run, "run")

    batch = sub.add_parser(
        "batch",
        help="run many assets (one per file) on a local process pool or on Ray; resumable",
        description=(
            "Run every file as one asset, exactly as 'run' would (same report, same runs folder), "
            "several at a time: a local process pool by default, or Ray tasks with --ray. Assets "
            "whose report exists for the same file contents and options are skipped, so an "
            "interrupted batch resumes where it stopped. Prints a summary table and writes it as "
            "CSV beside the reports."
        ),
        epilog="Exit codes: 0 every asset done or skipped, 1 any failed, 2 usage error, 130 interrupted.",
    )
    batch.add_argument("files", nargs="*", metavar="FILE", help="CSV or Parquet files, one asset each")
    add_flags(batch, "batch")

    runs = sub.add_parser(
        "runs", help="list stored runs (asset, date, lag, plateau, skill, judge, file)",
        description="List the stored runs, newest first: asset, date, chosen lag, plateau, skill, "
                    "protocol and data file, and the judge (the network that judged the lags) when "
                    "some run's is not the default LSTM(16).")
    add_flags(runs, "runs")
    show = sub.add_parser("show", help="print a stored run's leaderboard from its report; --save saves its choice")
    show.add_argument("run", metavar="RUN", help="report file name or path, or an asset name (its newest run)")
    add_flags(show, "show")
    doctor = sub.add_parser(
        "doctor", help="what this machine trains on: TensorFlow's build, the GPUs, step rates",
        description=(
            "Report Python, TensorFlow and Keras with their CUDA/cuDNN build versions, the GPUs "
            "nvidia-smi lists, the devices TensorFlow sees and, when a listed GPU is unusable, why "
            "and the fix; then time the fused training step on each usable device and check it "
            "against a float64 NumPy reference (a few seconds). Exits 0 whenever it could report."
        ),
    )
    add_flags(doctor, "doctor")
    return parser


#: The data file argument of ``analyze`` and ``run`` (its selection flags: ``core.options.DataOptions``).
FILE_HELP = "CSV (comma, semicolon or tab) or Parquet file"


class StdoutError(OSError):
    """Writing to our own standard output failed (a closed pipe, a full disk, ``/dev/full``):
    told apart from every other OS error, such as a worker pool's broken pipe."""


class _GuardedStdout:
    """``sys.stdout`` for the length of :func:`main`: its write errors become
    :class:`StdoutError`, so only a failure of *our* output is treated as one."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def print_what_can_be_printed() -> None:
    """A terminal or pipe that is not UTF-8 (``LANG=C``, ``PYTHONIOENCODING=ascii``) gets
    ``\\xf6`` for ``ö`` in a file name or an asset, not a crash; and a file name holding bytes
    that are no UTF-8 (kept by Python as lone surrogates) prints escaped as well."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):  # not a text stream we may reconfigure
            pass


def _silence_stdout(stream) -> None:
    """After our stdout failed: point it at the null device, so that the interpreter's last
    flush of what is still buffered does not print "Exception ignored ... BrokenPipeError"."""
    try:
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    print_what_can_be_printed()
    real_stdout = sys.stdout
    if real_stdout is not None:  # None: stdout closed (``>&-``), where print() writes nothing
        sys.stdout = _GuardedStdout(real_stdout)
    try:
        return run_guarded(argv, real_stdout)
    finally:
        sys.stdout = real_stdout


def run_guarded(argv: list[str], real_stdout) -> int:
    """The command's exit code; every failure becomes one line on stderr and its exit code,
    never a traceback."""
    try:
        code = dispatch(argv)
        if real_stdout is not None:
            sys.stdout.flush()  # inside the guard: a full stdout is found here, not at exit
        return code
    except StdoutError as exc:
        return stdout_failed(exc, real_stdout)
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError as exc:  # not our stdout (that is StdoutError): e.g. a worker's pipe
        return fail(f"a pipe to another process broke: {exc.strerror or exc}", EXIT_FAILED)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        return unexpected_failure(exc)


def stdout_failed(exc: StdoutError, real_stdout) -> int:
    """Our own output failed: a reader that stopped early (``| head``) is no failure; a full
    disk or a closed stdout is. Either way nothing more is written to it."""
    _silence_stdout(real_stdout)
    if exc.errno == errno.EPIPE:
        return EXIT_OK
    return fail(f"cannot write to standard output: {exc.strerror or exc}", EXIT_FAILED)


def unexpected_failure(exc: Exception) -> int:
    """A refusal (bad data, settings, options) is a usage error; a cancel is an interrupt; any
    other exception is an internal error in one line (the traceback with ``SEQLEN_DEBUG``)."""
    from .core.errors import DataError, SettingsError
    from .core.events import Cancelled

    if isinstance(exc, (DataError, SettingsError)):
        return fail(str(exc), EXIT_USAGE)
    if isinstance(exc, Cancelled):
        return fail("cancelled", EXIT_INTERRUPTED)
    if os.environ.get("SEQLEN_DEBUG"):
        raise exc
    return fail(
        f"internal error: {type(exc).__name__}: {exc} (set SEQLEN_DEBUG=1 for the traceback)",
        EXIT_FAILED,
    )


def dispatch(argv: list[str]) -> int:
    """A known command wins; any other first argument is a file for the app."""
    first = argv[0] if argv else None
    if first is None:
        return open_app(None)
    if first.startswith("-") or first in COMMANDS:
        args = build_parser().parse_args(argv)
        from .cli_options import refuse_empty_values

        refuse_empty_values(args)  # an empty --json, --runs-dir …: refused, not taken as "not given"
        keep_import_noise()
        if args.command is None:
            return open_app(None)
        return COMMAND_HANDLERS[args.command](args)
    if Path(first).exists():
        if len(argv) > 1:
            raise UsageError(f"unexpected arguments after the file: {' '.join(argv[1:])}")
        return open_app(first)
    from .core.filekind import broken_link

    if link := broken_link(first):  # a link that leads nowhere is no "no such file or command"
        raise UsageError(f"{first}: {link}")
    raise UsageError(
        f"no such file or command: {first!r} (commands: {', '.join(COMMANDS)}; "
        "or give a CSV/Parquet file to open it in the app)"
    )


def open_app(path: str | None) -> int:
    """Open the app, on a terminal only: under cron, in a pipe or over ``ssh host cmd`` it
    would wait for keys that never come and never return."""
    if not app_has_a_terminal():
        import shlex

        file = shlex.quote(path) if path else "FILE"
        raise UsageError(
            "the app needs a terminal (standard input and standard error are not both one here); "
            f"without one, run '{PROG} run {file}' to benchmark and choose, or "
            f"'{PROG} analyze {file}' for the candidates")
    from .tui.app import run_app

    return run_app(path)


def app_has_a_terminal() -> bool:
    """Textual reads keys from standard input and draws on standard error (its Linux driver
    uses ``sys.__stdin__`` and ``sys.__stderr__``), so both must be terminals; standard output
    may be redirected (``seqlen-tui FILE > log`` still works)."""
    for stream in (sys.__stdin__, sys.__stderr__):
        try:
            if stream is None or not os.isatty(stream.fileno()):
                return False
        except (AttributeError, OSError, ValueError):
            return False
    return True


def color_wanted(stream) -> bool:
    """Colour only on a terminal; ``FORCE_COLOR`` asks for it anyway (a pager that shows it),
    ``NO_COLOR`` (any non-empty value, no-color.org) forbids it, and wins over both."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def text_width(stream) -> int | None:
    """The width to wrap the human text to: ``$COLUMNS`` when set, else the terminal's when
    ``stream`` is one; None (no wrapping) for a pipe or a file."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns or None  # 0: a terminal of no known size
    except (AttributeError, OSError, ValueError):
        pass
    return None


#: The ACF chart's width where the text has room (narrower terminals get a narrower chart).
PLOT_WIDTH = 78


def run_analyze(args: argparse.Namespace) -> int:
    from .core.analysis import analyze_series
    from .core.describe import describe_findings, describe_summary, plot_acf_text, wrapped
    from .core.jsonutil import dumps

    check_json_output(args)
    human = sys.stderr if args.json == "-" else sys.stdout
    width = text_width(human)
    from .core.names import check_asset
    from .core.settings import asset_from_path

    settings = read_settings(args.settings, check_asset(args.asset or asset_from_path(args.file)))
    options = run_options_from_args(args, settings["defaults"], settings.get("path"))
    series = data_options_from_args(args).load(args.file)
    analysis = analyze_series(series, max_lag=options.max_lag, alpha=options.alpha, user_lags=options.lags,
                              target=args.target)
    say("\n".join(describe_summary(series.summary, width)), file=human)
    say("\n".join(wrapped([settings["line"]], width)), file=human)
    print(file=human)
    say("\n".join(describe_findings(analysis, width)), file=human)
    if args.plot:
        plot_width = PLOT_WIDTH if width is None else max(40, min(PLOT_WIDTH, width - 1))
        for name in ("raw", "diff"):
            if name in analysis.transforms:
                print(file=human)
                print(plot_acf_text(analysis.transforms[name], width=plot_width, color=color_wanted(human)),
                      file=human)
    if args.json:
        text = dumps(analysis.to_dict())
        if args.json == "-":
            sys.stdout.write(json_for_stdout(text) + "\n")
        else:
            write_text(args, text + "\n")
            print(f"\nJSON written to {args.json}", file=human)
    return EXIT_OK


def read_settings(explicit: str | None, asset: str, *, strict: bool = False) -> dict:
    """The settings key this asset writes, its current value and the tool's defaults.

    ``analyze`` only reads the file; a file it cannot read is reported in the output line
    and the built-in defaults are used, since nothing is written. ``run`` passes ``strict``:
    it trains with the block's options, so a file it cannot read is refused (exit 2) before
    any training rather than trained past with options the user did not choose.
    """
    from .core.errors import SettingsError
    from .core.settings import SettingsStore, resolve_settings_path, settings_key

    key = settings_key(asset)
    path = resolve_settings_path(explicit)
    try:
        store = SettingsStore(path)
        current = store.current_value(key)
        defaults = store.tool_defaults()
    except SettingsError as exc:
        if strict:
            raise
        return {"defaults": {}, "line": f"  settings key: {key} (settings not read: {exc})"}
    where = "not set" if current is None else f"now {current}"
    return {"defaults": defaults, "path": path, "line": f"  settings key: {key} in {path} ({where})"}


def json_for_stdout(text: str) -> str:
    """JSON for ``--json -``: as is on a UTF-8 stdout; on any other (``LANG=C``, a Windows code
    page) every non-ASCII character as a ``\\uXXXX`` escape, which is still the same JSON,
    where the stream's own replacement would write ``\\xf6``, which no JSON parser reads."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("_", "-")
    if encoding in ("utf-8", "utf8", "utf-16", "utf-32") or text.isascii():
        return text
    import re

    def escape(match: re.Match) -> str:
        units = match.group().encode("utf-16-be", "surrogatepass")
        return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))

    return re.sub(r"[^\x00-\x7f]", escape, text)


def check_json_output(args: argparse.Namespace) -> None:
    """Refuse a ``--json`` path that is the data file, the settings file in effect (or its
    ``.bak``/``.lock``) or someone else's file, now: before loading or training, not after."""
    if args.json and args.json != "-":
        from .core.outputs import check_output_path
        from .core.settings import resolve_settings_path

        check_output_path(args.json, inputs=[args.file], settings=resolve_settings_path(args.settings),
                          runs_dir=runs_folder(args))


def runs_folder(args: argparse.Namespace):
    """The runs folder in effect, as the app and ``batch`` decide it (``--runs-dir``, else
    ``$SEQLEN_RUNS_DIR``, else the settings block's ``runs_dir``, else the per-user folder).

    ``analyze`` has no ``--runs-dir``, and it reads past a settings file it cannot read (its
    defaults then apply): so does the runs folder its ``--json`` check protects."""
    from .core.errors import SettingsError
    from .core.report import default_runs_dir
    from .core.settings import SettingsStore, resolve_settings_path

    settings = resolve_settings_path(getattr(args, "settings", None))
    block = None  # read by the core when it decides
    if args.command == "analyze":
        try:
            block = SettingsStore(settings).tool_defaults()
        except SettingsError:
            block = {}  # unreadable: no block (a bad runs_dir in a readable one is still refused)
    return default_runs_dir(getattr(args, "runs_dir", None), settings, block=block)


def write_text(args: argparse.Namespace, text: str) -> None:
    """Write the ``--json`` output whole or not at all (checked again: the file system may
    have changed while the run trained); one clear line when it cannot be written."""
    from .core.outputs import write_output
    from .core.settings import resolve_settings_path

    write_output(args.json, text, inputs=[args.file], settings=resolve_settings_path(args.settings),
                 runs_dir=runs_folder(args))


def run_run(args: argparse.Namespace) -> int:
    from .core.candidates import check_lags_fit
    from .core.describe import describe_leaderboard, describe_summary
    from .core.errors import DataError
    from .core.jsonutil import dumps
    from .core.report import write_report
    from .core.runner import build_report
    from .core.settings import asset_from_path
    from .progress import ProgressPrinter

    check_json_output(args)
    human = sys.stderr if args.json == "-" else sys.stdout
    width = text_width(human)
    from .core.names import check_asset

    asset = check_asset(args.asset or asset_from_path(args.file))  # a name that cannot work: refused now
    settings = read_settings(args.settings, asset, strict=True)
    runs_dir = runs_folder(args)  # a bad block runs_dir is refused now, not after the training
    defaults = settings["defaults"]
    options = run_options_from_args(args, defaults, settings.get("path"))
    if args.save:  # a settings file the run could not write is refused now, not after training
        from .core.settings import SettingsStore, resolve_settings_path

        SettingsStore(resolve_settings_path(args.settings)).check_writable()
    data = data_options_from_args(args)
    series = data.load(args.file)
    check_lags_fit(options.lags, len(series.values))
    say("\n".join(describe_summary(series.summary, width)), file=human)
    say(settings["line"], file=human, flush=True)
    with ProgressPrinter(sys.stderr) as progress:
        report = build_report(series, options, asset, args.file, progress.reporter(), data)
    # The training is done: an output that cannot be written (a full disk, a read-only runs
    # folder) is reported at the end, after the leaderboard, the choice and the save it asked
    # for; the exit code is then 1, as for a batch asset whose report was not written.
    problems: list[str] = []
    try:
        path = write_report(report, runs_dir)
    except (DataError, OSError) as exc:
        path = None
        problems.append(report_not_written(exc, runs_dir))
    print(file=human)
    say("\n".join(describe_leaderboard(report, width)), file=human)
    if args.plot:
        print_loss_plot(report, human)
    print(f"\nReport: {path}" if path is not None else "\nReport: not written (see the last line)", file=human)
    if args.json:
        text = dumps(report)
        if args.json == "-":
            sys.stdout.write(json_for_stdout(text) + "\n")
        else:
            try:
                write_text(args, text + "\n")
            except DataError as exc:
                problems.append(str(exc))
    code = finish_run(args, report, asset, path, human)
    for problem in problems:
        fail(problem, EXIT_FAILED)
    return EXIT_FAILED if problems else code


def finish_run(args: argparse.Namespace, report: dict, asset: str, path: Path | None, human) -> int:
    """Save the chosen lag when asked (also when the report could not be written: the choice
    is on the screen and ``--save`` asked for it), else say how to save it later."""
    from .core.settings import settings_key

    if report["chosen_lag"] is None:
        if args.save:
            print(f"{PROG}: nothing to save: no sequence length was chosen", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK
    later = None if path is None else save_command(path, args.settings)
    if args.save:
        return save_choice(args, asset, report["chosen_lag"], human, later)
    if later is None:
        print(f"Not saved: with no report to save {settings_key(asset)} from later, run again with "
              "--save to save it", file=human)
        return EXIT_OK
    print(f"Not saved: to save {settings_key(asset)} = {report['chosen_lag']} from this run's report "
          f"(no training), run:\n  {later}", file=human)
    return EXIT_OK


def report_not_written(exc: Exception, runs_dir: Path) -> str:
    """The one line for a report that could not be written after the training (batch's words)."""
    if isinstance(exc, OSError):
        full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
        fix = "free some space there or pass «runs_dir» DIR" if full else "pass «runs_dir» DIR, a folder you can write"
        return f"report not written: cannot write in {runs_dir}: {exc.strerror or exc}; {fix}"
    return f"report not written: {exc}"


def save_command(report_path: Path, settings: str | None) -> str:
    """The exact command that saves a stored run's choice: ``show REPORT --save``, with the
    settings file when one was named (else the same default applies: run it from here)."""
    import shlex

    words = [PROG, "show", str(report_path), "--save"]
    if settings:
        words += ["--settings", settings]
    return " ".join(shlex.quote(word) for word in words)


def save_choice(args: argparse.Namespace, asset: str, lag: int, human, later: str | None = None) -> int:
    """Show the key, the old and the new value; ask on a terminal unless --yes. ``later``: the
    command that saves it afterwards, shown when nothing was written."""
    from .core.settings import SettingsStore, resolve_settings_path, settings_key

    key = settings_key(asset)
    store = SettingsStore(resolve_settings_path(args.settings))
    old = store.current_value(key)
    print(f"\nSave {key} = {lag} to {store.path} (now: {'not set' if old is None else old})", file=human)
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"{PROG}: not saved: no terminal to confirm on; add --yes to save without asking", file=sys.stderr)
            if later:
                print(f"Not saved: to save it without asking, run:\n  {later} --yes", file=human)
            return EXIT_FAILED
        answer = input("Write it? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Not saved." + (f" To save it later, run:\n  {later}" if later else ""), file=human)
            return EXIT_OK
    written = store.save_lag(key, lag)
    print(f"Saved {key} = {lag} in {written} (previous file kept as {written.name}.bak)", file=human)
    return EXIT_OK


def run_batch(args: argparse.Namespace) -> int:
    from .batch_cli import run_batch_command

    return run_batch_command(args)


def run_runs(args: argparse.Namespace) -> int:
    from .core.history import other_judges, plateau_label
    from .core.report import list_runs

    folder = runs_folder(args)
    skipped: list = []
    runs = list_runs(folder, skipped)
    for path, why in skipped:  # one damaged report never hides the others
        print(f"{PROG}: warning: skipped {path}: {why}", file=sys.stderr)
    if not runs:
        print(f"No stored runs in {folder}; 'seqlen-tui run FILE' makes one.")
        return EXIT_OK
    # plateau: the lags within one SE of the best, where they span more than an octave; the
    # judge (the network that judged the lags) only when some run's is not the default, as
    # in the app's review, so a folder of default runs lists as before
    judged = other_judges(run.judge for run in runs)
    width = max([len("judge")] + [len(run.judge or "—") for run in runs])
    judge_head = f"{'judge':<{width}} " if judged else ""
    print(f"{'asset':<24} {'date (UTC)':<20} {'lag':>5} {'plateau':<8} {'skill':>7}  {'protocol':<8} "
          f"{judge_head}file")
    for run in runs:
        skill = "—" if run.skill is None else f"{run.skill:.3f}"
        lag = "—" if run.chosen_lag is None else str(run.chosen_lag)
        plateau = plateau_label(run.plateau) or "—"
        judge = f"{run.judge or '—':<{width}} " if judged else ""
        print(f"{run.asset:<24} {run.created_at[:19].replace('T', ' '):<20} {lag:>5} {plateau:<8} "
              f"{skill:>7}  {run.protocol:<8} {judge}{run.file}")
    print(f"\n{len(runs)} run(s) in {folder}; 'seqlen-tui show ASSET' prints the newest of an asset.")
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    from .core.describe import describe_leaderboard
    from .core.report import load_run

    report = load_run(args.run, runs_folder(args))
    print(f"{report['asset']}: {report.get('file')} — run {report.get('created_at')}, "
          f"{report.get('n')} points, device {report.get('device')}")
    say("\n".join(describe_leaderboard(report, text_width(sys.stdout))))
    if args.plot:
        print_loss_plot(report, sys.stdout)
    if args.save:
        if report.get("chosen_lag") is None:
            print(f"{PROG}: nothing to save: this run chose no sequence length", file=sys.stderr)
            return EXIT_FAILED
        return save_choice(args, report["asset"], report["chosen_lag"], sys.stdout)
    return EXIT_OK


def print_loss_plot(report: dict, stream) -> None:
    """The run's validation MSE by lag (test MSE for the article's protocol, which has no
    validation) as a chart on ``stream`` (plain text in a pipe, a file or under ``NO_COLOR``;
    as wide as the text, at most :data:`PLOT_WIDTH`)."""
    from .core.describe import plot_loss_text
    from .core.loss_curve import report_curve

    width = text_width(stream)
    plot_width = PLOT_WIDTH if width is None else max(40, min(PLOT_WIDTH, width - 1))
    curve = report_curve(report)
    if curve.empty:  # the article's protocol has no validation block: its test MSE is the answer
        curve = report_curve(report, "test")
    print(file=stream)
    print(plot_loss_text(curve, width=plot_width, color=color_wanted(stream)), file=stream)


def run_doctor(args: argparse.Namespace) -> int:
    import json

    from .core.device import describe, gather

    if not args.json:
        print("checking the devices (a few seconds)…", file=sys.stderr, flush=True)
    report = gather(measure=not args.no_bench)
    report.startup_messages = list(startup_messages)
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
    else:
        say("\n".join(describe(report)))
    return EXIT_OK


COMMAND_HANDLERS = {"analyze": run_analyze, "run": run_run, "batch": run_batch, "runs": run_runs,
                    "show": run_show, "doctor": run_doctor}


if __name__ == "__main__":
    sys.exit(main())
