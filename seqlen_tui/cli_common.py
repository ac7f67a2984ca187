"""What every command-line front end shares (``cli`` and ``batch_cli``): the program's name, its
exit codes, the one-line error, the core's option names rendered as flags, and the run
options read from the flags (the flags themselves: :mod:`seqlen_tui.cli_options`).

Standard library only at import time (``seqlen-tui --help`` stays instant; the option
declaration is standard library too).
"""

from __future__ import annotations

import argparse
import sys

from .core.options import DataOptions, option_specs, render, resolve_options, specs_of

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


def data_options_from_args(args: argparse.Namespace) -> DataOptions:
    """The data selection the flags made (``--column``, ``--last``, ``--start``, ``--end``)."""
    return DataOptions(**{key: getattr(args, key) for key in specs_of(DataOptions)})
