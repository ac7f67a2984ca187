"""What a newcomer sees on the command line: a chart without escape codes in a pipe (and none
with NO_COLOR), regular ticks and no solid bar row, text wrapped at word boundaries, a
leaderboard whose ▶ sits on the chosen row and whose columns are explained, the exact command
that saves an unsaved choice, and lines while a step is silent."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys

import pytest
from paths import ROOT

from seqlen_tui import progress
from seqlen_tui.cli import main
from seqlen_tui.core.analysis import analyze_series
from seqlen_tui.core.data import load_series
from seqlen_tui.core.describe import describe_leaderboard, plot_acf_text
from seqlen_tui.core.events import StageStarted

MSFT = ROOT / "sample_data" / "MSFT.csv"
COLOUR = re.compile(r"\x1b\[[0-9;]*[34]8;")  # an SGR foreground or background colour


def cli_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    return {**env, "SEQLEN_SETTINGS": os.devnull + ".absent.json", **extra}


def analyze_plots_through_a_pipe(*envs: dict) -> list[str]:
    """``analyze --plot`` into a pipe, once per environment in ``envs`` (the processes run side by
    side); the stdout of each."""
    procs = [subprocess.Popen([sys.executable, "-m", "seqlen_tui.cli", "analyze", str(MSFT), "--plot"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                              env=cli_env(**env)) for env in envs]
    try:
        done = [(proc, *proc.communicate(timeout=60)) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, _, err in done:
        assert proc.returncode == 0, err
    return [out for _, out, _ in done]


def analyze_plot_on_a_terminal(**env: str) -> str:
    """``analyze --plot`` with its stdout on a pseudo-terminal: what a user's terminal gets."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "seqlen_tui.cli", "analyze", str(MSFT), "--plot"],
                            stdout=slave, stderr=subprocess.PIPE, cwd=ROOT, env=cli_env(COLUMNS="100", **env))
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    return b"".join(chunks).decode("utf-8", errors="replace")


def msft_acf(name: str, max_lag: int | None = None):
    return analyze_series(load_series(MSFT, None), max_lag=max_lag, alpha=0.05).transforms[name]


# --- the chart ---------------------------------------------------------------------------------


def test_plot_in_a_pipe_has_no_escape_codes_unless_forced():
    plain, forced = analyze_plots_through_a_pipe({}, {"FORCE_COLOR": "1"})
    assert "ACF (raw)" in plain and "ACF (differenced)" in plain
    assert "\x1b" not in plain
    # The check can see colour: asked for, the same pipe gets it.
    assert COLOUR.search(forced)


def test_a_terminal_gets_colour():
    assert COLOUR.search(analyze_plot_on_a_terminal())  # so the check below can see colour


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"NO_COLOR": "1", "FORCE_COLOR": "1"}])
def test_no_color_means_no_colour_even_on_a_terminal_and_when_forced(env):
    text = analyze_plot_on_a_terminal(**env)
    assert "ACF (differenced)" in text
    assert not COLOUR.search(text)


def tick_labels(chart: str) -> tuple[list[int], list[int]]:
    """The x tick labels under the chart's bottom frame, and the columns of its tick marks."""
    lines = chart.splitlines()
    row = next(i for i, line in enumerate(lines) if line.lstrip().startswith("└"))
    marks = [column for column, char in enumerate(lines[row]) if char == "┬"]
    return [int(label) for label in lines[row + 1].split()], marks


@pytest.mark.parametrize("name, max_lag, ticks", [
    ("diff", None, list(range(0, 41, 5))),  # MSFT: max lag 40
    ("raw", 30, list(range(0, 31, 5))),
    ("diff", 12, list(range(0, 13, 2))),
    ("raw", 200, list(range(0, 201, 50))),
])
def test_x_ticks_are_round_numbers_at_a_fixed_step(name, max_lag, ticks):
    chart = plot_acf_text(msft_acf(name, max_lag), color=False)
    values, columns = tick_labels(chart)
    assert values == ticks and len(columns) == len(ticks)
    gaps = {b - a for a, b in zip(columns, columns[1:])}
    assert max(gaps) - min(gaps) <= 1  # evenly spaced on the screen too (a column of rounding)


@pytest.mark.parametrize("name, max_lag", [("diff", None), ("raw", None), ("diff", 30), ("raw", 200)])
def test_no_solid_bar_row(name, max_lag):
    """The old chart drew the bars as a row of █▄████ across zero; lags are stems, dots or a line."""
    chart = plot_acf_text(msft_acf(name, max_lag), color=False)
    assert "█" not in chart
    canvas = [line.split("┤", 1)[-1].split("│", 1)[-1] for line in chart.splitlines()
              if ("┤" in line or line.lstrip().startswith("│"))]
    longest = max(len(run) for row in canvas for run in re.findall(r"[▄▀▌▐█]+", row) or [""])
    assert longest < 8 if max_lag == 200 else longest == 0


def test_analyze_wraps_at_word_boundaries_to_the_terminal_width(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(["analyze", str(MSFT)]) == 0
    wide = capsys.readouterr().out
    assert max(map(len, wide.splitlines())) > 80  # the reasons are long: something to wrap
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["analyze", str(MSFT)]) == 0
    narrow = capsys.readouterr().out
    assert max(map(len, narrow.splitlines())) <= 80
    # Only the whitespace moved (no word cut) in the summary and the candidates' reasons; the
    # findings table, too wide for 80 columns, becomes one block per transform. A path too long
    # for its line (the settings file's, from a deep clone) may lose middle folders to "…" but
    # never its file name: each path is compared by that name, so a cut name still fails.
    def part(text: str, start: str, end: str | None) -> list[str]:
        words = text[text.index(start) if start else 0:text.index(end) if end else None].split()
        return [word.rsplit("/", 1)[-1] if "/" in word else word for word in words]

    for start, end in (("", "ACF findings"), ("Candidate sequence lengths", None)):
        assert part(narrow, start, end) == part(wide, start, end)
    assert "differenced: 1st insignificant lag 1" in " ".join(narrow.split())


# --- the leaderboard ---------------------------------------------------------------------------


def hand_made_report(**changes) -> dict:
    rows = [
        {"model": "lstm", "lag": 5, "val_mse": 0.98, "test_mse": 1.01, "skill": -0.01, "mase": 1.0,
         "directional_accuracy": 0.5, "pt_p": 0.6, "dm_p_vs_persistence": 0.7, "stability": 0.6, "seeds": 2},
        {"model": "lstm", "lag": 1, "val_mse": 0.99, "test_mse": 1.02, "skill": -0.02, "mase": 1.0,
         "directional_accuracy": 0.5, "pt_p": 0.5, "dm_p_vs_persistence": 0.8, "stability": 0.4, "seeds": 2},
        {"model": "persistence", "lag": None, "val_mse": 1.0, "test_mse": 1.0, "skill": 0.0, "mase": 0.99},
        {"model": "ridge_ar", "lag": 1, "val_mse": 1.0, "test_mse": 1.0, "skill": 0.0, "mase": 0.99},
        {"model": "ridge_ar", "lag": 5, "val_mse": 1.01, "test_mse": 1.0, "skill": 0.0, "mase": 0.99},
    ]
    report = {"target": "diff", "target_words": "differences", "leaderboard": rows, "chosen_lag": 1,
              "chosen_model": "lstm", "best_lag": 5, "runner_up": 5, "qualified": [],
              "verdict": "At this model size the series is not predictable beyond its last value.",
              "test_dm_p_vs_persistence": 0.74, "test_dm_p_vs_best": 0.46, "warnings": []}
    return {**report, **changes}


def marked_rows(lines: list[str]) -> list[tuple[str, str]]:
    return [tuple(line[1:].split()[:2]) for line in lines if line.startswith("▶")]


@pytest.mark.parametrize("model, lag, row", [
    ("persistence", 1, ("persistence", "—")),  # a baseline has no lag: its only row
    ("persistence", None, ("persistence", "—")),
    ("lstm", 1, ("LSTM", "1")),
    ("lstm", 5, ("LSTM", "5")),
    ("ridge_ar", 5, ("ridge", "AR")),
])
def test_the_marker_sits_on_the_chosen_row_whatever_the_model(model, lag, row):
    lines = describe_leaderboard(hand_made_report(chosen_model=model, chosen_lag=lag))
    assert marked_rows(lines) == [row]
    if model == "ridge_ar":  # the ridge row at lag 5, not at 1
        assert next(line for line in lines if line.startswith("▶")).split()[3] == "5"


def test_the_columns_and_the_runner_up_are_explained():
    lines = describe_leaderboard(hand_made_report())
    text = "\n".join(lines)
    legend = [line for line in lines if re.match(r"  (val MSE ± SE|skill|dir\.acc|DM p|stab\.):", line)]
    assert len(legend) == 5
    assert "PT p: Pesaran–Timmermann p-value that dir.acc beats chance" in text
    assert "DM p: one-sided Diebold–Mariano p-value that the row beats persistence" in text
    assert "skill: 1 − MSE/persistence's MSE" in text and "MASE: MAE/persistence's MAE on training" in text
    assert "stab.: share of the (fold, seed) models whose best lag is this one" in text
    assert "  runner-up: 5 (the lowest validation MSE of the LSTM's other lags)" in lines
    assert ("  test DM p, the choice vs persistence (one-sided): 0.74; vs the best lag (5, two-sided): 0.46"
            in lines)
    assert "small p after 'not predictable'" not in text  # p = 0.74: nothing to explain


def test_a_small_test_p_after_not_predictable_is_explained():
    small = "\n".join(describe_leaderboard(hand_made_report(test_dm_p_vs_persistence=0.01)))
    assert "a small p after 'not predictable': the choice beat persistence on the test block alone" in small
    predictable = "\n".join(describe_leaderboard(hand_made_report(test_dm_p_vs_persistence=0.01, qualified=[1, 5])))
    assert "a small p after" not in predictable


def test_prose_wraps_but_the_table_does_not():
    report = hand_made_report(test_dm_p_vs_persistence=0.01)
    wide, narrow = describe_leaderboard(report), describe_leaderboard(report, width=60)
    rows = [line for line in wide if line.startswith(("▶", "  LSTM", "  persistence", "  ridge"))]
    assert rows and all(line in narrow for line in rows)
    assert all(len(line) <= 60 for line in narrow if line not in rows and "val MSE    " not in line)
    assert " ".join(narrow).split() == " ".join(wide).split()


# --- run: the closing line ---------------------------------------------------------------------


def test_run_ends_with_the_exact_command_that_saves_the_choice(series_file, tmp_path, capsys, ridge_engine,
                                                                monkeypatch):
    settings = tmp_path / "my settings.json"  # a space: the command must quote it
    settings.write_text('{"keep": 1}')
    runs = tmp_path / "runs"
    assert main(["run", str(series_file), "--runs-dir", str(runs), "--seeds", "1", "--no-classifiers",
                 "--settings", str(settings)]) == 0
    out = capsys.readouterr().out.splitlines()
    report_path = next(runs.glob("BTC-USD_*.json"))
    lag = json.loads(report_path.read_text())["chosen_lag"]
    command = f"seqlen-tui show {shlex.quote(str(report_path))} --save --settings {shlex.quote(str(settings))}"
    assert out[-2:] == [f"Not saved: to save BTC_USD_SL = {lag} from this run's report (no training), run:",
                        f"  {command}"]
    assert json.loads(settings.read_text()) == {"keep": 1}

    # The command does what it says (no terminal here, so with --yes, as it would tell).
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    words = shlex.split(command)
    assert main(words[1:]) == 1 and json.loads(settings.read_text()) == {"keep": 1}
    assert f"  {command} --yes" not in capsys.readouterr().out  # show has nothing to re-run
    assert main([*words[1:], "--yes"]) == 0
    assert json.loads(settings.read_text()) == {"keep": 1, "BTC_USD_SL": lag}


def test_run_save_without_a_terminal_names_the_command_with_yes(series_file, tmp_path, capsys, ridge_engine,
                                                                 monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    settings = tmp_path / "settings.json"
    settings.write_text("{}")
    assert main(["run", str(series_file), "--runs-dir", str(tmp_path / "r"), "--seeds", "1", "--no-classifiers",
                 "--save", "--settings", str(settings)]) == 1
    out = capsys.readouterr().out.splitlines()
    report_path = next((tmp_path / "r").glob("BTC-USD_*.json"))
    assert out[-1] == f"  seqlen-tui show {report_path} --save --settings {settings} --yes"


# --- progress while a step is silent -----------------------------------------------------------


def test_a_silent_stage_gets_a_heartbeat_line():
    """An injected clock decides when a beat is due; the watcher thread ticks every millisecond,
    so a beat per tick (the bug this guards) would print many lines between two clock steps."""
    from process_helpers import wait_until

    now = [0.0]
    stream = io.StringIO()

    def beats() -> list[str]:
        text = stream.getvalue().splitlines()
        return [line for line in text
                if "… still working on: XGBoost and RandomForest direction classifiers" in line]

    with progress.ProgressPrinter(stream, heartbeat_s=10.0, tick_s=0.001, clock=lambda: now[0]) as printer:
        printer.on_event(StageStarted(message="XGBoost and RandomForest direction classifiers",
                                      stage="classifiers"))
        now[0] = 10.0  # ten silent seconds: one beat is due
        wait_until(lambda: len(beats()) >= 1, "no heartbeat after 10 silent seconds")
        now[0] = 20.0  # ten more: one more
        wait_until(lambda: len(beats()) >= 2, "no second heartbeat after 20 silent seconds")
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("] XGBoost and RandomForest direction classifiers")
    assert len(beats()) == 2  # one per 10 s of silence, not one per tick
    assert beats()[1].endswith("(20s so far)")
