"""The network you train, declared once (issue 30): «layers», «units» and «dropout» as run
options, a ``"model"`` object in the settings block, and what reports say of the judge."""

from __future__ import annotations

import pytest

from seqlen_tui.core.history import option_differences, report_judge
from seqlen_tui.core.options import DataOptions, OptionError, RunOptions, resolve_options
from seqlen_tui.core.report import options_hash
from seqlen_tui.core.runner import report_options


def test_the_model_object_sets_the_same_options_as_the_flags():
    from_block, problems = resolve_options({}, {"model": {"layers": 2, "units": 64, "dropout": 0.1}})
    from_flags, _ = resolve_options({"layers": 2, "units": 64, "dropout": 0.1})
    assert from_block == from_flags and problems == []
    assert (from_block.layers, from_block.units, from_block.dropout) == (2, 64, 0.1)


def test_a_flag_beats_the_model_object():
    options, _ = resolve_options({"units": 32}, {"model": {"units": 64, "layers": 2}})
    assert (options.units, options.layers) == (32, 2)


@pytest.mark.parametrize("block, blamed, words", [
    ({"model": {"layerz": 2}}, "model", '"layerz", which is no part of a model'),
    ({"model": 5}, "model", "must be an object"),
    ({"model": {"units": 64}, "units": 8}, "units", 'in its "model"; keep one of them there'),
    ({"model": {"layers": 4}}, "layers", "between 1 and 3"),
    ({"model": {"dropout": 1.0}}, "dropout", "below 1"),
])
def test_a_model_object_that_cannot_be_used_is_named_and_the_defaults_stay(block, blamed, words):
    options, problems = resolve_options({}, block, strict=False, source="settings.json")
    assert [p.option for p in problems] == [blamed] and words in str(problems[0])
    assert "settings.json" in str(problems[0])
    assert (options.layers, options.dropout) == (1, 0.0)
    with pytest.raises(OptionError):  # the CLI: refused, nothing runs on options nobody chose
        resolve_options({}, block, strict=True)


def test_agreeing_values_inside_and_outside_the_model_are_fine():
    options, problems = resolve_options({}, {"model": {"units": 64}, "units": 64}, strict=False)
    assert options.units == 64 and problems == []


def test_the_defaults_keep_every_report_s_hash_and_a_declared_model_changes_it():
    default = options_hash(report_options(RunOptions(), DataOptions()))
    assert default == "2d25063a73909181"  # the pin of tests/unit/test_option_schema.py
    assert options_hash(report_options(RunOptions(layers=2), DataOptions())) != default
    assert options_hash(report_options(RunOptions(dropout=0.2), DataOptions())) != default


@pytest.mark.parametrize("options, label", [
    ({}, "LSTM(16)"),  # a report from before the options: their defaults
    ({"units": 16, "layers": 1, "dropout": 0.0}, "LSTM(16)"),
    ({"units": 64, "layers": 2, "dropout": 0.0}, "2 × LSTM(64)"),
    ({"units": 64, "layers": 3, "dropout": 0.25}, "3 × LSTM(64), dropout 0.25"),
    ({"protocol": "article"}, None),  # the article's network is its own
])
def test_the_report_names_its_judge(options, label):
    assert report_judge({"options": options}) == label


def test_an_old_report_and_a_new_default_one_differ_in_no_model_option():
    old = {"options": {"units": 16, "seeds": 2}}
    new = {"options": {"units": 16, "seeds": 2, "layers": 1, "dropout": 0.0}}
    assert option_differences(old, new) == []
    declared = {"options": {"units": 16, "seeds": 2, "layers": 2, "dropout": 0.0}}
    assert [(d.name, d.a, d.b) for d in option_differences(old, declared)] == [("layers", 1, 2)]
