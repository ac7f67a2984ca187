"""Command line entry point: parse arguments, then open the app or call the core.

Start-up must be instant (``seqlen-tui --help`` is typed often over slow SSH links), so this
module imports only the standard library at import time; pandas, statsmodels and the app are
imported inside the command that needs them, and TensorFlow never here.

Exit codes: 0 success, 1 a run failed, 2 usage or data error (one line on stderr, never a
traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
COMMANDS = ("analyze",)
PROG = "seqlen-tui"


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
    add_data_arguments(analyze)
    analyze.add_argument("--asset", metavar="NAME", help="asset name for the settings key (default: the file name without extension)")
    analyze.add_argument("--settings", metavar="PATH", help="settings file or its folder (default: $SEQLEN_SETTINGS, else ./settings.json); read only, for defaults and the current value")
    analyze.add_argument("--max-lag", type=int, metavar="N", help="largest ACF lag (default: two of the longest natural periods, at least 40, at most n/4)")
    analyze.add_argument("--alpha", type=float, metavar="A", help="significance level of the ACF band (default 0.05)")
    analyze.add_argument("--lags", type=parse_lag_list, default=(), metavar="L1,L2,…", help="your own candidate lags, added to the proposed ones")
    analyze.add_argument("--json", metavar="PATH", help="write the analysis as JSON to PATH, or '-' for stdout (human output then goes to stderr)")
    analyze.add_argument("--plot", action="store_true", help="draw the ACFs with their bands in the terminal")
    return parser


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="CSV (comma, semicolon or tab) or Parquet file")
    parser.add_argument("--column", metavar="C", help="value column (default: close, adj close, price, value, or the only numeric column)")
    parser.add_argument("--last", type=int, metavar="N", help="use only the most recent N points")
    parser.add_argument("--start", metavar="T", help="use points at or after this time, e.g. 2024-01-01")
    parser.add_argument("--end", metavar="T", help="use points at or before this time")


def parse_lag_list(text: str) -> tuple[int, ...]:
    try:
        lags = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, got {text!r}") from None
    if not lags or min(lags) < 1:
        raise argparse.ArgumentTypeError(f"lags must be whole numbers of at least 1, got {text!r}")
    return lags


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return dispatch(argv)
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        from .core.errors import DataError, SettingsError
        from .core.events import Cancelled

        if isinstance(exc, (DataError, SettingsError)):
            return fail(str(exc), EXIT_USAGE)
        if isinstance(exc, Cancelled):
            return fail("cancelled", EXIT_INTERRUPTED)
        if os.environ.get("SEQLEN_DEBUG"):
            raise
        return fail(
            f"internal error: {type(exc).__name__}: {exc} (set SEQLEN_DEBUG=1 for the traceback)",
            EXIT_FAILED,
        )


def fail(message: str, code: int) -> int:
    print(f"{PROG}: {' '.join(message.split())}", file=sys.stderr)
    return code


def dispatch(argv: list[str]) -> int:
    """A known command wins; any other first argument is a file for the app."""
    first = argv[0] if argv else None
    if first is None:
        return open_app(None)
    if first.startswith("-") or first in COMMANDS:
        args = build_parser().parse_args(argv)
        if args.command is None:
            return open_app(None)
        return COMMAND_HANDLERS[args.command](args)
    if Path(first).exists():
        if len(argv) > 1:
            raise UsageError(f"unexpected arguments after the file: {' '.join(argv[1:])}")
        return open_app(first)
    raise UsageError(
        f"no such file or command: {first!r} (commands: {', '.join(COMMANDS)}; "
        "or give a CSV/Parquet file to open it in the app)"
    )


def open_app(path: str | None) -> int:
    from .tui.app import run_app

    return run_app(path)


def run_analyze(args: argparse.Namespace) -> int:
    from .core.analysis import analyze_series
    from .core.data import load_series
    from .core.describe import describe_findings, describe_summary, plot_acf_text
    from .core.jsonutil import dumps

    human = sys.stderr if args.json == "-" else sys.stdout
    settings = read_settings(args.settings, args.asset or args.file)
    defaults = settings["defaults"]
    alpha = args.alpha if args.alpha is not None else setting(defaults, "alpha", float, 0.05)
    max_lag = args.max_lag if args.max_lag is not None else setting(defaults, "max_lag", int, None)
    series = load_series(args.file, args.column, last=args.last, start=args.start, end=args.end)
    analysis = analyze_series(series, max_lag=max_lag, alpha=alpha, user_lags=args.lags)
    print("\n".join(describe_summary(series.summary)), file=human)
    print(settings["line"], file=human)
    print(file=human)
    print("\n".join(describe_findings(analysis)), file=human)
    if args.plot:
        for name in ("raw", "diff"):
            if name in analysis.transforms:
                print(file=human)
                print(plot_acf_text(analysis.transforms[name]), file=human)
    if args.json:
        text = dumps(analysis.to_dict())
        if args.json == "-":
            sys.stdout.write(text + "\n")
        else:
            write_text(Path(args.json), text + "\n")
            print(f"\nJSON written to {args.json}", file=human)
    return EXIT_OK


def read_settings(explicit: str | None, asset_source: str) -> dict:
    """The settings key this asset writes, its current value and the tool's defaults.

    ``analyze`` only reads the file; a file it cannot read is reported in the output line
    and the built-in defaults are used, since nothing is written.
    """
    from .core.errors import SettingsError
    from .core.settings import SettingsStore, asset_from_path, resolve_settings_path, settings_key

    key = settings_key(asset_from_path(asset_source) if asset_source.endswith(SUFFIXES) else asset_source)
    path = resolve_settings_path(explicit)
    try:
        store = SettingsStore(path)
        current = store.current_value(key)
        defaults = store.tool_defaults()
    except SettingsError as exc:
        return {"defaults": {}, "line": f"  settings key: {key} (settings not read: {exc})"}
    where = "not set" if current is None else f"now {current}"
    return {"defaults": defaults, "line": f"  settings key: {key} in {path} ({where})"}


def setting(defaults: dict, name: str, kind: type, fallback):
    """One default from the settings file's ``seqlen_tui`` block, type-checked."""
    from .core.errors import DataError

    value = defaults.get(name, fallback)
    if value is fallback:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
        raise DataError(
            f"settings: seqlen_tui.{name} must be a {'whole number' if kind is int else 'number'} "
            f"(got {value!r}); fix it in the settings file or pass --{name.replace('_', '-')}"
        )
    return kind(value)


SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".gz", ".bz2", ".xz", ".zip")


def write_text(path: Path, text: str) -> None:
    """Write an output file, turning OS errors into one clear line."""
    from .core.errors import DataError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}; choose another --json path") from None


COMMAND_HANDLERS = {"analyze": run_analyze}


if __name__ == "__main__":
    sys.exit(main())
