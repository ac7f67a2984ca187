"""Bad options, protocol conflicts, empty values and unusable asset names, through the command
line: each is one line on stderr, exit 2, no traceback, and it happens BEFORE any training
(the engine's entry points raise if they are reached, and no runs folder is made).

Before these checks: ``--seed -1`` failed after the training with "internal error" (exit 1),
``--units 100000`` tried a 298 GiB allocation, ``--max-train-windows 1`` trained on one window,
``--protocol article`` dropped ``--lags`` without a word, ``batch --pattern ''`` was an internal
error, ``--json ''`` wrote nothing and said nothing, and ``--asset ../../x`` put the report
outside the runs folder.
"""

from __future__ import annotations

import json

import pytest

from seqlen_tui.cli import main


class Trained(AssertionError):
    """The run reached training: the refusal came too late."""


@pytest.fixture
def no_training(monkeypatch):
    """Every protocol's entry point raises: a refusal must come before any of them."""
    import seqlen_tui.core.engine as engine

    def reached(*args, **kwargs):
        raise Trained("training was reached")

    monkeypatch.setattr(engine, "run_asset", reached)
    monkeypatch.setattr(engine, "run_article_report", reached)


def refused(capsys, args: list[str], runs=None) -> str:
    """Run the CLI; assert exit 2, one stderr line without a traceback; return that line."""
    code = main(args)
    err = capsys.readouterr().err.strip()
    assert code == 2, (code, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "internal error" not in err, err
    assert "«" not in err  # the core's option names are rendered as flags
    if runs is not None:
        assert not runs.exists()
    return err.removeprefix("seqlen-tui: ")


@pytest.mark.parametrize("flags, message", [
    (["--seed", "-1"], "--seed must be between 0 and 4294967295 (got -1)"),
    (["--units", "100000"], "--units must be between 1 and 4096 (got 100000)"),
    (["--max-train-windows", "1"], "--max-train-windows must be between 200 and 10000000 (got 1)"),
    (["--epochs", "1000000"], "--epochs must be between 1 and 10000 (got 1000000)"),
    (["--batch-size", "0"], "--batch-size must be between 1 and 8192 (got 0)"),
    (["--seeds", "1000"], "--seeds must be between 1 and 100 (got 1000)"),
    (["--learning-rate", "3"], "--learning-rate must be above 0 and at most 1 (got 3)"),
    (["--lags", "5,1000000"], "--lags must be between 1 and 100000 each (got 1000000)"),
    (["--seed", "4294967295"], "--seed 4294967295 leaves no room for the run's 8 seeds"),
    (["--layers", "4"], "--layers must be between 1 and 3 (got 4)"),
    (["--dropout", "1"], "--dropout must be at least 0 and below 1 (got 1"),
])
def test_out_of_range_flags_are_refused_before_training(flags, message, series_file, tmp_path, capsys,
                                                        no_training):
    runs = tmp_path / "runs"
    err = refused(capsys, ["run", str(series_file), "--runs-dir", str(runs), *flags], runs)
    assert err.startswith(message)


def test_batch_refuses_out_of_range_flags_before_planning(series_file, tmp_path, capsys, no_training):
    runs = tmp_path / "runs"
    err = refused(capsys, ["batch", str(series_file), "--runs-dir", str(runs), "--units", "0"], runs)
    assert err == "--units must be between 1 and 4096 (got 0)"


# ----- the settings block ------------------------------------------------------------------------


def settings_with(tmp_path, block: dict):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"seqlen_tui": block}))
    return path


def test_a_bad_block_value_is_blamed_on_the_block_not_on_a_flag(series_file, tmp_path, capsys, no_training):
    settings = settings_with(tmp_path, {"seed": -1})
    runs = tmp_path / "runs"
    err = refused(capsys, ["run", str(series_file), "--runs-dir", str(runs), "--settings", str(settings)], runs)
    assert err == (f'"seed": -1 in the "seqlen_tui" block of {settings} must be between 0 and 4294967295; '
                   "fix it there or pass --seed")


def test_a_rule_broken_inside_the_block_names_the_block(series_file, tmp_path, capsys, no_training):
    """Today: "--seeds-max must be at least --seeds (4)", flags the user never typed."""
    settings = settings_with(tmp_path, {"seeds": 4, "seeds_max": 2})
    err = refused(capsys, ["analyze", str(series_file), "--settings", str(settings)])
    assert err.startswith(f'in the "seqlen_tui" block of {settings}: --seeds-max must be at least --seeds (4)')


def test_a_flag_fixes_a_bad_block_value(series_file, tmp_path, capsys, ridge_engine):
    settings = settings_with(tmp_path, {"seeds": 4, "seeds_max": 2})
    assert main(["run", str(series_file), "--settings", str(settings), "--seeds-max", "4", "--no-classifiers",
                 "--runs-dir", str(tmp_path / "runs")]) == 0


# ----- options the article protocol does not use -------------------------------------------------


@pytest.mark.parametrize("flags, dropped", [
    (["--lags", "5,24", "--only-lags"], "--lags, --only-lags"),
    (["--target", "level"], "--target"),
    (["--lags", "5"], "--lags"),
    (["--budget", "quick", "--units", "32", "--alpha", "0.01"], "--budget, --units, --alpha"),
])
def test_options_the_article_protocol_ignores_are_refused(flags, dropped, series_file, tmp_path, capsys,
                                                          no_training):
    runs = tmp_path / "runs"
    err = refused(capsys, ["run", str(series_file), "--protocol", "article", "--runs-dir", str(runs), *flags],
                  runs)
    assert err == f"--protocol article uses its own lags, target and training settings; drop {dropped}"


def test_the_article_protocol_still_runs_with_block_options_and_its_own_flags(series_file, tmp_path, capsys,
                                                                             no_training):
    """A block's lags are the user's usual robust options: they do not make the article unusable."""
    settings = settings_with(tmp_path, {"lags": [5, 24], "budget": "quick"})
    assert main(["run", str(series_file), "--protocol", "article", "--seed", "3", "--epochs", "2",
                 "--no-classifiers", "--settings", str(settings), "--runs-dir", str(tmp_path / "runs")]) == 1
    assert "training was reached" in capsys.readouterr().err  # no refusal: the run went on to train


def test_analyze_takes_its_lags_whatever_protocol_the_block_names(series_file, tmp_path, capsys):
    """``analyze`` runs no protocol: a block's ``"protocol": "article"`` does not refuse its --lags."""
    settings = settings_with(tmp_path, {"protocol": "article"})
    assert main(["analyze", str(series_file), "--lags", "7", "--settings", str(settings)]) == 0
    assert "7" in capsys.readouterr().out


# ----- empty values -------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["analyze", "{file}", "--asset", ""], "--asset is empty; "),
    (["analyze", "{file}", "--column", ""], "--column is empty; "),
    (["analyze", "{file}", "--json", ""], "--json is empty; "),
    (["analyze", "{file}", "--settings", " "], "--settings is empty; "),
    (["run", "{file}", "--runs-dir", ""], "--runs-dir is empty; "),
    (["runs", "--runs-dir", ""], "--runs-dir is empty; "),
    (["batch", "{file}", "--ray-address", ""], "--ray-address is empty; "),
    (["run", ""], "FILE is empty; give a CSV or Parquet file"),
    (["batch", "{file}", " "], "FILE is empty; give a CSV or Parquet file"),
    (["show", ""], "RUN is empty; "),
])
def test_empty_values_are_refused_by_name(args, message, series_file, capsys, no_training):
    err = refused(capsys, [a.replace("{file}", str(series_file)) for a in args])
    assert err.startswith(message)


@pytest.mark.parametrize("pattern, message", [
    ("", "--pattern '' cannot be used: it is empty; give a pattern inside --dir, e.g. '*.csv'"),
    ("/tmp/*.csv", "--pattern '/tmp/*.csv' cannot be used: it is an absolute path; give a pattern inside "
                   "--dir, e.g. '*.csv'"),
])
def test_batch_refuses_a_pattern_it_cannot_use(pattern, message, series_file, tmp_path, capsys, no_training):
    runs = tmp_path / "runs"
    err = refused(capsys, ["batch", "--dir", str(series_file.parent), "--pattern", pattern,
                           "--runs-dir", str(runs)], runs)
    assert err == message


# ----- asset names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("asset, stem", [("../../x", "x"), ("a/b", "a_b"), ("z" * 150, "z" * 91),
                                         ("BTC" + "日" * 97, "BTC" + "日" * 62)])
def test_the_report_of_any_asset_lands_in_the_runs_folder(asset, stem, series_file, tmp_path, capsys,
                                                          ridge_engine):
    """Before: ``../../x`` wrote outside the runs folder; ``a/b`` and a name of 100 characters
    but 294 bytes (a file name's limit is 255) failed after the training."""
    runs = tmp_path / "deep" / "runs"
    assert main(["run", str(series_file), "--asset", asset, "--runs-dir", str(runs), "--seeds", "1",
                 "--no-classifiers"]) == 0
    capsys.readouterr()
    reports = list(runs.iterdir())
    assert len(reports) == 1 and reports[0].name.startswith(stem)
    assert json.loads(reports[0].read_text())["asset"] == asset
    assert not list(tmp_path.rglob("*.json"))[1:]  # nothing written anywhere else


@pytest.mark.parametrize("asset, message", [
    ("x" * 300, "--asset is 300 characters long; "),
    ("a\nb", "--asset holds a control character"),
])
def test_an_asset_that_cannot_work_is_refused_before_training(asset, message, series_file, tmp_path, capsys,
                                                              no_training):
    runs = tmp_path / "runs"
    err = refused(capsys, ["run", str(series_file), "--asset", asset, "--runs-dir", str(runs)], runs)
    assert err.startswith(message)
