"""Every numeric option has a range, declared once (``core/options.py``), and checked wherever a
value comes in: a flag, the app's form, the settings file's ``"seqlen_tui"`` block. Which
protocol uses which option is declared there too. Report file names made from asset names
stay inside the runs folder (``core/names.py``)."""

from __future__ import annotations

import math

import pytest

from seqlen_tui.core.names import MAX_ASSET_CHARS, MAX_STEM_CHARS, check_asset, report_stem
from seqlen_tui.core.options import (
    PROTOCOLS,
    OptionError,
    RunOptions,
    check_value,
    option_specs,
    resolve_options,
)

NUMERIC = {key: spec for key, spec in option_specs().items() if spec.kind.name in ("int", "float", "lags")}


def lowest(spec) -> float:
    return spec.minimum if spec.minimum is not None else spec.above


def highest(spec) -> float:
    return spec.maximum if spec.maximum is not None else spec.below


def test_every_numeric_option_declares_a_finite_range():
    assert set(NUMERIC) >= {"seed", "units", "epochs", "max_train_windows", "lags", "alpha"}
    for key, spec in NUMERIC.items():
        low, high = lowest(spec), highest(spec)
        assert low is not None and high is not None, key
        assert math.isfinite(low) and math.isfinite(high) and low < high, key


@pytest.mark.parametrize("key", sorted(NUMERIC))
def test_the_range_is_enforced_at_both_ends(key):
    spec = NUMERIC[key]
    step = 1 if spec.kind.name != "float" else max(abs(highest(spec)), 1) * 1e-3
    if spec.minimum is not None:
        assert check_value(key, _value(spec, spec.minimum)) is not None
    if spec.maximum is not None:
        assert check_value(key, _value(spec, spec.maximum)) is not None
    too_low = (spec.minimum if spec.minimum is not None else spec.above) - (step if spec.minimum is not None else 0)
    too_high = (spec.maximum if spec.maximum is not None else spec.below) + (step if spec.maximum is not None else 0)
    for bad in (too_low, too_high):
        with pytest.raises(OptionError) as caught:
            check_value(key, _value(spec, bad))
        assert caught.value.option == key and str(caught.value).startswith(f"«{key}» must be")


def _value(spec, number):
    if spec.kind.name == "lags":
        return [int(number)]
    return int(number) if spec.kind.name == "int" else float(number)


@pytest.mark.parametrize("key, value, message", [
    ("seed", -1, "«seed» must be between 0 and 4294967295 (got -1)"),
    ("units", 100000, "«units» must be between 1 and 4096 (got 100000)"),
    ("max_train_windows", 1, "«max_train_windows» must be between 200 and 10000000 (got 1)"),
    ("epochs", 0, "«epochs» must be between 1 and 10000 (got 0)"),
    ("learning_rate", 5, "«learning_rate» must be above 0 and at most 1 (got 5)"),
    ("lags", "24,1000000", "«lags» must be between 1 and 100000 each (got 1000000)"),
])
def test_the_message_names_the_option_and_its_range(key, value, message):
    with pytest.raises(OptionError) as caught:
        check_value(key, value)
    assert str(caught.value) == message


def test_a_seed_leaves_room_for_the_run_s_seeds():
    """Seeds ``seed``, ``seed``+1, … up to the race's cap must all be valid seeds (NumPy's and
    Keras' seeds stop at 2**32 - 1)."""
    with pytest.raises(OptionError, match=r"«seed» 4294967295 leaves no room") as caught:
        RunOptions(seed=2**32 - 1).validate()
    assert caught.value.option == "seed"
    RunOptions(seed=2**32 - 8).validate()  # seeds_max 8: seeds up to 2**32 - 1
    RunOptions(seed=2**32 - 1, seeds=1, seeds_max=1).validate()


def test_the_app_form_refuses_out_of_range_values_with_the_range():
    from seqlen_tui.tui.widgets.options_form import field_problem

    with pytest.raises(ValueError, match=r"^must be between 1 and 4096 \(got 100000\)$"):
        field_problem("units", "100000")
    field_problem("units", "64")


# ----- the settings block: a bad value is blamed on the block, not on a flag -------------------


def test_a_bad_block_value_names_the_block_and_the_file():
    with pytest.raises(OptionError) as caught:
        resolve_options({}, {"seed": -1}, source="/home/u/settings.json")
    assert str(caught.value) == ('"seed": -1 in the "seqlen_tui" block of /home/u/settings.json must be '
                                 'between 0 and 4294967295; fix it there or pass «seed»')
    options, problems = resolve_options({}, {"units": 0, "seeds": 3}, strict=False, source="s.json")
    assert options.units == 16 and options.seeds == 3
    assert [p.option for p in problems] == ["units"]


def test_a_rule_broken_by_block_values_names_the_block():
    """Today: "«seeds_max» must be at least «seeds» (4)" — the CLI shows it as --seeds-max, a flag
    the user never gave."""
    with pytest.raises(OptionError) as caught:
        resolve_options({}, {"seeds": 4, "seeds_max": 2}, source="/p/settings.json")
    assert str(caught.value).startswith('in the "seqlen_tui" block of /p/settings.json: «seeds_max» must be '
                                        'at least «seeds» (4)')
    # A flag the user gave is the flag's fault, as before.
    with pytest.raises(OptionError) as caught:
        resolve_options({"seeds_max": 2}, {"seeds": 4}, source="/p/settings.json")
    assert str(caught.value).startswith("«seeds_max» must be at least «seeds» (4)")
    # The app: the block's values are reported and the defaults used.
    options, problems = resolve_options({}, {"only_lags": True}, strict=False, source="/p/settings.json")
    assert options == RunOptions() and [p.option for p in problems] == ["only_lags"]


# ----- which protocol uses which option ---------------------------------------------------------


def test_each_option_declares_the_protocols_that_use_it():
    for key, spec in option_specs().items():
        assert spec.protocols and set(spec.protocols) <= set(PROTOCOLS), key
    article = {key for key, spec in option_specs().items() if "article" in spec.protocols}
    assert article == {"protocol", "device", "epochs", "seed", "classifiers"}


def test_options_the_article_protocol_ignores_are_refused_by_name():
    with pytest.raises(OptionError) as caught:
        resolve_options({"protocol": "article", "lags": (5,), "only_lags": True, "target": "level"})
    assert str(caught.value) == ("«protocol» article uses its own lags, target and training settings; "
                                 "drop «target», «lags», «only_lags»")
    assert caught.value.option == "target"
    # The settings block's usual options are the robust protocol's: they do not block the article.
    options, _ = resolve_options({"protocol": "article"}, {"lags": [5], "budget": "quick"})
    assert options.protocol == "article"
    # A protocol set in the block, a flag it ignores: refused, and the block is named.
    with pytest.raises(OptionError, match=r"^«protocol» article \(from the settings block\) uses its own"):
        resolve_options({"units": 32}, {"protocol": "article"})
    resolve_options({"seed": 7, "epochs": 3, "device": "cpu", "classifiers": False}, {"protocol": "article"})


# ----- asset names as report file names ----------------------------------------------------------


@pytest.mark.parametrize("asset, stem", [
    ("BTC-USD", "BTC-USD"),
    ("../../x", "x"),
    ("a/b", "a_b"),
    ("a\\b", "a_b"),
    (".hidden", "hidden"),
    ("日本株 é", "日本株 é"),
    ('w<i>n:d"o|w?s*', "w_i_n_d_o_w_s"),
    ("..", "asset"),
])
def test_a_report_stem_is_one_safe_file_name(asset, stem):
    assert report_stem(asset) == stem


def test_a_long_asset_gives_a_bounded_stem_that_still_tells_names_apart():
    one, two = "x" * 150 + "1", "x" * 150 + "2"
    assert len(report_stem(one)) <= MAX_STEM_CHARS and report_stem(one) != report_stem(two)
    wide = "日" * 150  # 3 bytes each: a file name's limit is in bytes
    assert len(report_stem(wide).encode()) <= 200


@pytest.mark.parametrize("asset, phrase", [
    ("", "«asset» is empty"),
    ("   ", "«asset» is empty"),
    ("a\nb", "«asset» holds a control character"),
    ("a\x00b", "«asset» holds a control character"),
    ("x" * (MAX_ASSET_CHARS + 1), f"«asset» is {MAX_ASSET_CHARS + 1} characters long"),
])
def test_an_asset_that_cannot_work_is_refused(asset, phrase):
    with pytest.raises(OptionError) as caught:
        check_asset(asset)
    assert str(caught.value).startswith(phrase) and caught.value.option == "asset"


def test_the_report_lands_in_the_runs_folder_with_the_asset_kept(tmp_path):
    import json

    from seqlen_tui.core.report import write_report

    runs = tmp_path / "a" / "runs"
    path = write_report({"asset": "../../x", "created_at": "2026-12-07T21:00:00+00:00"}, runs)
    assert path.parent == runs and path.name == "x_20261207T210000.json"
    assert json.loads(path.read_text())["asset"] == "../../x"
    assert not list(tmp_path.glob("*.json"))


def test_the_app_form_refuses_an_asset_that_cannot_work():
    from seqlen_tui.tui.widgets.options_form import _asset

    with pytest.raises(ValueError, match=r"^holds a control character"):
        _asset("BTC\nUSD")
    with pytest.raises(ValueError, match=rf"^is {MAX_ASSET_CHARS + 1} characters long"):
        _asset("x" * (MAX_ASSET_CHARS + 1))
    _asset("../BTC-USD")  # works: its report file name is made safe


def test_the_race_and_the_declaration_agree_on_the_default_seed_cap():
    from seqlen_tui.core.options import DEFAULT_SEEDS_MAX
    from seqlen_tui.core.race import DEFAULT_SEEDS_MAX as RACE_DEFAULT
    from seqlen_tui.core.race import seeds_cap

    assert DEFAULT_SEEDS_MAX == RACE_DEFAULT
    for options in (RunOptions(), RunOptions(seeds=12), RunOptions(seeds=3, seeds_max=5)):
        assert options.seed_count() == seeds_cap(options)
