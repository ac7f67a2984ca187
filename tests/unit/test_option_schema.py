"""One schema for every option (``core.options``, ``cli_options``), each kind one class
(``core.option_kinds``): every flag of every command comes from its option's one declaration,
every kind reads back what it writes, and the report's options hash is unchanged."""

from __future__ import annotations

import re

import pytest
from paths import ROOT

from seqlen_tui.cli import UsageError, build_parser
from seqlen_tui.cli_common import as_flags, flag
from seqlen_tui.cli_options import COMMAND_FLAGS, DECLARATIONS, command_options
from seqlen_tui.core.option_kinds import (
    CHOICE,
    FLOAT,
    INT,
    KINDS,
    LAGS,
    PLAIN_FLOAT,
    PLAIN_INT,
    SWITCH,
    TEXT,
)
from seqlen_tui.core.options import (
    DataOptions,
    OptionSpec,
    PlaceOptions,
    RunOptions,
    specs_of,
)

PACKAGE = ROOT / "seqlen_tui"


def subparser(command: str):
    return build_parser()._subparsers._group_actions[0].choices[command]


def flag_actions(parser) -> dict[str, object]:
    """Every optional argument of ``parser`` but ``-h``, by dest."""
    return {action.dest: action for action in parser._actions
            if action.option_strings and action.dest != "help"}


@pytest.mark.parametrize("command", sorted(COMMAND_FLAGS))
def test_each_command_s_flags_are_exactly_its_declared_options(command):
    """No flag is declared by hand: each is its option's declaration, rendered by its kind,
    with the option's help in that command."""
    actions = flag_actions(subparser(command))
    declared = list(command_options(command))
    assert len({key for _, key, _ in declared}) == len(declared), "an option twice in one command"
    assert set(actions) == {key for _, key, _ in declared}
    for _, key, spec in declared:
        action = actions[key]
        assert action.option_strings == [flag(spec.kind.flag_key(key, spec))], key
        assert action.help == as_flags(spec.kind.flag_help(spec, spec.help_in(command))), key


def test_every_declared_option_is_a_flag_of_some_command():
    taken = {(options_class, key) for command in COMMAND_FLAGS for options_class, key, _ in command_options(command)}
    for options_class in DECLARATIONS:
        for key in specs_of(options_class):
            assert (options_class, key) in taken, f"{options_class.__name__}.{key} is no flag"


def test_shared_flags_have_one_declaration():
    """``--settings`` was declared five times by hand (``--runs-dir`` three, ``--save`` three …)."""
    settings = specs_of(PlaceOptions)["settings"]
    commands = [command for command in COMMAND_FLAGS
                if any(key == "settings" for _, key, _ in command_options(command))]
    assert commands == ["analyze", "run", "batch", "runs", "show"]
    for command in commands:
        assert [spec for _, key, spec in command_options(command) if key == "settings"] == [settings]
    for shared in ("settings", "runs_dir", "asset", "column", "last", "start", "end", "save", "yes", "plot"):
        declared = [c for c in DECLARATIONS if shared in specs_of(c)]
        assert len(declared) == 1, shared
    # No flag is spelled in an add_argument call any more (but argparse's own --version).
    for path in PACKAGE.rglob("*.py"):
        assert not re.search(r'add_argument\(\s*"--(?!version)', path.read_text(encoding="utf-8")), path


def test_no_option_kind_is_dispatched_by_name():
    for name in ("cli.py", "cli_common.py", "cli_options.py", "core/options.py", "tui/widgets/options_form.py"):
        text = (PACKAGE / name).read_text(encoding="utf-8")
        assert not re.search(r"\bkind\s*(==|!=|in\s*\()", text), name


ROUND_TRIPS = [
    (INT, OptionSpec(INT, "", "", minimum=1, maximum=10), [1, 7, 10]),
    (INT, OptionSpec(INT, "", "", optional=True), [None, 0, 4294967295]),
    (FLOAT, OptionSpec(FLOAT, "", ""), [0.05, 1e-06, 0.1 + 0.2, 1.0, 123456.789]),
    (LAGS, OptionSpec(LAGS, "", ""), [(), (5,), (5, 24, 48)]),
    (TEXT, OptionSpec(TEXT, "", ""), ["close", "2024-01-01", "Adj Close"]),
    (PLAIN_INT, OptionSpec(PLAIN_INT, "", ""), [600, 0, -3]),
    (PLAIN_FLOAT, OptionSpec(PLAIN_FLOAT, "", ""), [0.25, 1.0, 0.1 + 0.2]),
    (CHOICE, OptionSpec(CHOICE, "", "", choices=("robust", "article")), ["robust", "article"]),
    (SWITCH, OptionSpec(SWITCH, "", ""), [True, False]),
]


def test_every_kind_is_covered():
    assert {id(kind) for kind, _, _ in ROUND_TRIPS} == {id(kind) for kind in KINDS}


@pytest.mark.parametrize("kind, spec, values", ROUND_TRIPS, ids=lambda v: getattr(v, "name", None))
def test_every_kind_round_trips_value_text_value(kind, spec, values):
    for value in values:
        field = kind.field_value(value)
        back = kind.from_field(field, spec)
        assert back == value and type(back) is type(value), (value, field, back)
        if kind.widget == "input":  # a typed field and a flag: the text a user would type
            assert field == kind.to_text(value)
            assert kind.coerce(kind.to_text(value), spec) == value


def test_every_run_option_s_default_round_trips_through_its_form_field():
    for key, spec in specs_of(RunOptions).items():
        assert spec.kind.from_field(spec.kind.field_value(spec.default), spec) == spec.default, key


@pytest.mark.parametrize("argv, message", [
    (["run", "f.csv", "--last", "x"], "argument --last: invalid int value: 'x'"),
    (["batch", "--workers", "2.5"], "argument --workers: invalid int value: '2.5'"),
    (["batch", "--ray-gpus", "x"], "argument --ray-gpus: invalid float value: 'x'"),
    (["run", "f.csv", "--seeds", "x"], "argument --seeds: must be a whole number (got 'x')"),
    (["run", "f.csv", "--alpha", "nan"], "argument --alpha: must be a finite number (got nan)"),
    (["run", "f.csv", "--lags", "5,x"], "argument --lags: whole numbers separated by commas, e.g. 5,24"),
])
def test_flag_values_are_refused_in_the_same_words(argv, message):
    with pytest.raises(UsageError) as caught:
        build_parser().parse_args(argv)
    assert str(caught.value).startswith(message)


def test_flag_defaults_leave_run_options_to_the_settings_block():
    parser = build_parser()
    batch = parser.parse_args(["batch"])
    assert (batch.pattern, batch.ray_gpus, batch.workers, batch.save, batch.ray, batch.force) == \
        ("*.csv", 0.25, None, False, False, False)
    assert batch.seeds is None and batch.classifiers is None and batch.settings is None
    analyze = parser.parse_args(["analyze", "f.csv"])
    assert analyze.target == "diff" and analyze.plot is False and not hasattr(analyze, "protocol")
    run = parser.parse_args(["run", "f.csv", "--no-classifiers", "--highway", "--lags", "5, 24", "--last", "600"])
    assert (run.classifiers, run.highway, run.lags, run.last) == (False, True, (5, 24), 600)
    doctor = parser.parse_args(["doctor", "--json", "--no-bench"])
    assert (doctor.json, doctor.no_bench) == (True, True)


def test_the_report_s_options_hash_is_unchanged():
    """A report written before still names the same options (``batch`` skips it). The pins
    move only when an option is added (issue 29's «ladder»: runs made without a ladder are run
    again by ``batch``, since their answer could differ)."""
    from seqlen_tui.core.report import options_hash
    from seqlen_tui.core.runner import report_options

    assert options_hash(report_options(RunOptions(), DataOptions())) == "2d25063a73909181"
    assert options_hash(report_options(RunOptions(seeds=3, lags=(5, 24)),
                                       DataOptions("close", 100, "2024-01-01", None))) == "cd6931c450ec90f7"
