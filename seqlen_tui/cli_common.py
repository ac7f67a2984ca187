"""What every command-line front end shares (``cli`` and ``batch_cli``): the program's name, its
exit codes, the one-line error, the option flags generated from the core's declaration
(:mod:`seqlen_tui.core.options`), and the core's option names rendered as flags.

Standard library only at import time (``seqlen-tui --help`` stays instant; the option
declaration is standard library too).
"""

from __future__ import annotations

import argparse
import sys

from .core.options import coerce, default_value, option_specs, render, resolve_options

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "seqlen-tui"


def flag(key: str) -> str:
    """An option's flag: ``max_seq_len`` → ``--max-seq-len``."""
    return "--" + key.replace("_", "-")


def as_flags(text: str) -> str:
    """The core's words for the terminal: ``«max_seq_len»`` → ``--max-seq-len``."""
    return render(text, flag)


def fail(message: str, code: int) -> int:
    print(f"{PROG}: {' '.join(as_flags(message).split())}", file=sys.stderr)
    return code


def say(text: str, file=None, **kwargs) -> None:
    """``print`` for text that may hold the core's option names."""
    print(as_flags(text), file=file if file is not None else sys.stdout, **kwargs)


def add_option_arguments(parser: argparse.ArgumentParser, analysis_only: bool = False,
                         skip: tuple[str, ...] = ()) -> None:
    """One flag per declared option (or per analysis option), from its declaration.

    Every flag defaults to ``None`` ("not given"), so :func:`run_options_from_args` can let
    the settings block fill what the command line left out. A switch that is on by default
    is turned off with ``--no-…``.
    """
    for key, spec in option_specs().items():
        if key in skip or (analysis_only and not spec.analysis):
            continue
        helptext = as_flags(spec.help)
        if spec.kind == "switch":
            if default_value(key):
                parser.add_argument(flag("no_" + key), dest=key, action="store_const", const=False,
                                    default=None, help="skip: " + helptext)
            else:
                parser.add_argument(flag(key), dest=key, action="store_const", const=True, default=None,
                                    help=helptext)
        elif spec.kind == "choice":
            parser.add_argument(flag(key), dest=key, choices=spec.choices, default=None, help=helptext)
        else:
            parser.add_argument(flag(key), dest=key, type=_parser_type(key), default=None,
                                metavar=spec.metavar, help=helptext)


def _parser_type(key: str):
    """argparse's converter: the declaration's own parsing, its message as argparse's."""

    def convert(text: str):
        try:
            return coerce(key, text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = option_specs()[key].kind  # argparse names the type in its message
    return convert


def given_options(args: argparse.Namespace) -> dict:
    """The declared options the command line set (``None`` means not given)."""
    return {key: getattr(args, key) for key in option_specs()
            if getattr(args, key, None) is not None}


def run_options_from_args(args: argparse.Namespace, block: dict, source=None):
    """The run's options: flags, then the settings file's ``seqlen_tui`` block, then the
    declared defaults (the core decides the precedence and checks every value). ``source``:
    the settings file the block came from, named when one of its values is refused."""
    return resolve_options(given_options(args), block, source=None if source is None else str(source),
                           runs_protocol=hasattr(args, "protocol"))[0]  # analyze runs no protocol


#: Text options where an empty value would silently mean "not given" (``--json ''`` wrote
#: nothing, ``--runs-dir ''`` used the default folder, ``--asset ''`` the file's name): an empty
#: value is almost always an unset shell variable (``--runs-dir "$RUNS"``), so it is refused.
#: ``--pattern`` is the batch plan's to judge (it knows what a pattern inside ``--dir`` is).
TEXT_OPTIONS = {"asset": "a name such as BTC-USD", "column": "a column name", "json": "a path or '-'",
                "settings": "a file or folder", "runs_dir": "a folder", "dir": "a folder",
                "start": "a time such as 2024-01-01", "end": "a time such as 2024-12-31",
                "ray_address": "an address such as ray://head:10001"}


#: Positional arguments (``run ''`` was taken as a file with an empty asset name).
POSITIONALS = {"file": ("FILE", "a CSV or Parquet file"), "files": ("FILE", "a CSV or Parquet file"),
               "run": ("RUN", "a report file or an asset name from 'seqlen-tui runs'")}


def refuse_empty_values(args: argparse.Namespace) -> None:
    """``DataError`` (exit 2) naming the first text option or argument given as empty or blank."""
    from .core.errors import DataError

    for key, (name, what) in POSITIONALS.items():
        value = getattr(args, key, None)
        if any(isinstance(item, str) and not item.strip() for item in (value if isinstance(value, list) else [value])):
            raise DataError(f"{name} is empty; give {what}")
    for key, what in TEXT_OPTIONS.items():
        value = getattr(args, key, None)
        if isinstance(value, str) and not value.strip():
            raise DataError(f"{flag(key)} is empty; give {what}, or leave {flag(key)} out")
