"""Every command's flags, each from the one declaration of its option.

The core declares the run options (:class:`~seqlen_tui.core.options.RunOptions`), the data
selection (:class:`~seqlen_tui.core.options.DataOptions`) and where a run's names and files are
(:class:`~seqlen_tui.core.options.PlaceOptions`: asset, settings file, runs folder). This module
declares, the same way, the options only the command line has (outputs, batch's pool, doctor's
report), and :data:`COMMAND_FLAGS` says which command takes which: a shared flag such as
``--settings`` is declared once and added to every command that takes it. Each flag is rendered
from its declaration by its kind (:mod:`seqlen_tui.core.option_kinds`).

Standard library only at import time (``seqlen-tui --help`` stays instant).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .cli_common import as_flags, flag
from .core.option_kinds import CHOICE, PLAIN_FLOAT, PLAIN_INT, SWITCH, TEXT
from .core.options import (
    TARGETS,
    DataOptions,
    OptionSpec,
    PlaceOptions,
    RunOptions,
    option,
    specs_of,
)

_PLOT_LOSS = ("after the leaderboard, draw the validation MSE by lag (± SE) with ridge AR, the baselines and the "
              "chosen and best lags marked")


@dataclass(frozen=True)
class OutputOptions:
    """What a command writes or asks besides its text: JSON, the saved lag, a chart."""

    json: str | None = option(None, TEXT, "JSON output",
                              "also write the report to PATH, or '-' for stdout (human output then goes to stderr)",
                              metavar="PATH", empty="a path or '-'",
                              help_for=(("analyze", "write the analysis as JSON to PATH, or '-' for stdout (human "
                                                    "output then goes to stderr)"),))
    save: bool = option(False, SWITCH, "save",
                        "write the chosen length as <ASSET>_SL to the settings file (asks first)",
                        help_for=(("batch", "write each finished asset's <ASSET>_SL to the settings file as it "
                                            "finishes (asks once)"),
                                  ("show", "write the run's chosen length as <ASSET>_SL to the settings file (asks "
                                           "first; no training)")))
    yes: bool = option(False, SWITCH, "yes", "with «save»: do not ask")
    plot: bool = option(False, SWITCH, "plot", _PLOT_LOSS,
                        help_for=(("analyze", "draw the ACFs with their bands in the terminal"),))


@dataclass(frozen=True)
class AnalyzeOptions:
    """``analyze``'s own: the target its candidates are expressed in (a run may also say auto)."""

    target: str = option("diff", CHOICE, "target",
                         "express the candidates in lags of what the LSTM will model (default diff; run «target» "
                         "auto re-expresses them once it has chosen)", choices=TARGETS)


@dataclass(frozen=True)
class BatchOptions:
    """Which files a batch runs and where: a local process pool or Ray."""

    dir: str | None = option(None, TEXT, "folder", "also run the files in DIR matching «pattern»", metavar="DIR",
                             empty="a folder")
    # No ``empty``: an empty pattern is the batch plan's to judge (it knows what a pattern inside a folder is).
    pattern: str = option("*.csv", TEXT, "pattern", "file pattern inside «dir» (default '*.csv')", metavar="GLOB")
    workers: int | None = option(None, PLAIN_INT, "workers",
                                 "assets at a time (default: the cores, capped by free memory at ~1 GB each and by "
                                 "GPUs); with «ray» on a local Ray: its CPUs")
    ray: bool = option(False, SWITCH, "Ray",
                       "run the assets as Ray tasks (needs seqlen-tui[ray]); a local Ray unless «ray_address»")
    ray_address: str | None = option(None, TEXT, "Ray address",
                                     "join this Ray cluster (e.g. ray://head:10001, head:6379 or auto); implies «ray»",
                                     metavar="ADDR", empty="an address such as ray://head:10001")
    ray_gpus: float = option(0.25, PLAIN_FLOAT, "GPUs per Ray task",
                             "GPUs per Ray task when the cluster has GPUs (default 0.25: four assets share one GPU)",
                             metavar="F")
    force: bool = option(False, SWITCH, "force",
                         "rerun assets that already have a report for the same data and options")


@dataclass(frozen=True)
class DoctorOptions:
    """What ``doctor`` reports and how."""

    json: bool = option(False, SWITCH, "JSON", "print the report as JSON on stdout")
    no_bench: bool = option(False, SWITCH, "no timings", "skip the step timings and the check against NumPy")


def _run_options(analysis: bool) -> tuple[str, ...]:
    """The run options of the analysis (``analyze`` has them too; its target is its own), or
    every other one: what to benchmark and how hard to train."""
    return tuple(key for key, spec in specs_of(RunOptions).items() if (spec.analysis and key != "target") == analysis)


def _all(options_class: type) -> tuple[str, ...]:
    return tuple(specs_of(options_class))


#: Each command's flags in help order, as ``(declaring class, keys)``; the positional
#: arguments come first (``cli.build_parser``).
COMMAND_FLAGS: dict[str, tuple[tuple[type, tuple[str, ...]], ...]] = {
    "analyze": ((DataOptions, _all(DataOptions)), (PlaceOptions, ("asset",)), (RunOptions, _run_options(True)),
                (PlaceOptions, ("settings",)), (OutputOptions, ("json", "plot")), (AnalyzeOptions, ("target",))),
    "run": ((DataOptions, _all(DataOptions)), (PlaceOptions, ("asset",)), (RunOptions, _run_options(True)),
            (RunOptions, _run_options(False)), (PlaceOptions, ("runs_dir",)), (OutputOptions, ("json", "save", "yes")),
            (PlaceOptions, ("settings",)), (OutputOptions, ("plot",))),
    "batch": ((BatchOptions, _all(BatchOptions)), (DataOptions, _all(DataOptions)), (RunOptions, _run_options(True)),
              (RunOptions, _run_options(False)), (PlaceOptions, ("runs_dir",)), (OutputOptions, ("save", "yes")),
              (PlaceOptions, ("settings",))),
    "runs": ((PlaceOptions, ("runs_dir", "settings")),),
    "show": ((PlaceOptions, ("runs_dir",)), (OutputOptions, ("save", "yes")), (PlaceOptions, ("settings",)),
             (OutputOptions, ("plot",))),
    "doctor": ((DoctorOptions, _all(DoctorOptions)),),
}
#: Every class that declares options, in the order their text options are checked for emptiness.
DECLARATIONS = (PlaceOptions, DataOptions, OutputOptions, BatchOptions, RunOptions, AnalyzeOptions, DoctorOptions)


def command_options(command: str) -> Iterator[tuple[type, str, OptionSpec]]:
    """``(declaring class, key, declaration)`` of every option ``command`` takes, in help order."""
    for options_class, keys in COMMAND_FLAGS[command]:
        specs = specs_of(options_class)
        for key in keys:
            yield options_class, key, specs[key]


def add_flags(parser: argparse.ArgumentParser, command: str) -> None:
    """Every flag of ``command``, each from its option's declaration (:func:`add_flag`)."""
    for options_class, key, spec in command_options(command):
        # A run option's flag defaults to None ("not given"), so that the settings block can
        # fill what the command line left out (cli_common.run_options_from_args).
        add_flag(parser, key, spec, command, default=None if options_class is RunOptions else spec.default)


def add_flag(parser: argparse.ArgumentParser, key: str, spec: OptionSpec, command: str, default: Any) -> None:
    """One option as a flag, as its kind renders it: ``--max-seq-len N``, ``--no-classifiers`` …"""
    kwargs = spec.kind.flag_kwargs(spec, default)
    if "type" in kwargs:
        kwargs["type"] = _argparse_type(kwargs["type"])
    help_text = as_flags(spec.kind.flag_help(spec, spec.help_in(command)))
    parser.add_argument(flag(spec.kind.flag_key(key, spec)), dest=key, help=help_text, **kwargs)


def _argparse_type(convert):
    """argparse's converter: the kind's own reading, its message as argparse's usage error."""

    def converted(text: str):
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    converted.__name__ = convert.__name__  # argparse names the type in its message
    return converted


def text_options() -> dict[str, str]:
    """Text options where an empty value would silently mean "not given" (``--json ''`` wrote
    nothing, ``--runs-dir ''`` used the default folder, ``--asset ''`` the file's name), with
    what to give instead: an empty value is almost always an unset shell variable
    (``--runs-dir "$RUNS"``), so it is refused."""
    return {key: spec.empty for options_class in DECLARATIONS
            for key, spec in specs_of(options_class).items() if spec.empty}


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
    for key, what in text_options().items():
        value = getattr(args, key, None)
        if isinstance(value, str) and not value.strip():
            raise DataError(f"{flag(key)} is empty; give {what}, or leave {flag(key)} out")
