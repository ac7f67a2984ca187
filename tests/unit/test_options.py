"""One declaration per option (``seqlen_tui.core.options``): the CLI's flags, the app's form and
the settings block all come from it, and the core decides "flag > settings block > default"."""

from __future__ import annotations

import json
import re

import pytest
from paths import ROOT

from seqlen_tui.cli import build_parser, main
from seqlen_tui.core.options import OptionError, RunOptions, option_specs, resolve_options

README = ROOT / "README.md"


def test_the_settings_block_sets_every_option_and_a_flag_beats_it():
    block = {"seeds": 1, "budget": "quick", "alpha": 0.01, "keymap": {"run": "f7"}}
    options, problems = resolve_options({}, block)
    assert (options.seeds, options.budget, options.alpha) == (1, "quick", 0.01) and not problems
    options, _ = resolve_options({"seeds": 3}, block)
    assert (options.seeds, options.budget) == (3, "quick")
    assert resolve_options({}, {})[0] == RunOptions()


def test_a_bad_block_value_names_the_settings_key():
    with pytest.raises(OptionError) as caught:
        resolve_options({}, {"max_lag": 1e400})
    assert caught.value.option == "max_lag"
    assert str(caught.value).startswith('"max_lag": Infinity in the settings file\'s "seqlen_tui" block must be '
                                        'a finite number; fix it there or pass «max_lag»')
    # The app's way: reported, and the default used.
    options, problems = resolve_options({}, {"max_lag": "x", "seeds": 4}, strict=False)
    assert options.max_lag is None and options.seeds == 4
    assert [p.option for p in problems] == ["max_lag"]


def test_cli_run_reads_the_whole_settings_block(series_file, tmp_path, ridge_engine):
    """The issue's case: seeds 1 and the quick budget from the block, in the report's options."""
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"seqlen_tui": {"seeds": 1, "budget": "quick"}}))
    runs = tmp_path / "runs"
    assert main(["run", str(series_file), "--runs-dir", str(runs), "--settings", str(settings),
                 "--no-classifiers"]) == 0
    report = json.loads(next(runs.glob("*.json")).read_text())
    assert report["options"]["seeds"] == 1 and report["options"]["budget"] == "quick"
    assert report["options"]["classifiers"] is False  # the flag


def test_cli_renders_the_core_option_names_as_flags(series_file, tmp_path, capsys):
    assert main(["run", str(series_file), "--seeds", "0", "--runs-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == "seqlen-tui: --seeds must be between 1 and 100 (got 0)"
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"seqlen_tui": {"alpha": float("nan")}}))
    assert main(["analyze", str(series_file), "--settings", str(settings)]) == 2
    err = capsys.readouterr().err
    assert f'"alpha": NaN in the "seqlen_tui" block of {settings} must be a finite number' in err
    assert "pass --alpha" in err
    assert "«" not in err


def test_every_declared_option_has_a_flag_and_a_readme_row():
    help_text = build_parser()._subparsers._group_actions[0].choices["run"].format_help()
    readme = README.read_text(encoding="utf-8")
    for key, spec in option_specs().items():
        flag = "--no-" + key.replace("_", "-") if spec.kind.name == "switch" and RunOptions().to_dict()[key] \
            else "--" + key.replace("_", "-")
        assert re.search(rf"{flag}\b", help_text), flag
        assert f"| `{key}` |" in readme, key
