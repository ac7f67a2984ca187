"""A run trains the network you declared (issue 30): the settings block's ``"model"`` object
reaches the fused judge (after the default LSTM scouted the lags), the report records it and
both judges' picks, and the leaderboard's title names it."""

from __future__ import annotations

import json

from seqlen_tui.cli import main
from seqlen_tui.core import fused_lstm
from synthetic import write_ar2_closes


def test_the_declared_model_trains_and_the_leaderboard_names_it(tmp_path, monkeypatch, capsys):
    built = []
    original = fused_lstm.ModelStack.__init__

    def spy(self, jobs, units, learning_rate, highway=False, layers=1, dropout=0.0):
        built.append((units, layers, dropout))
        original(self, jobs, units, learning_rate, highway, layers=layers, dropout=dropout)

    monkeypatch.setattr(fused_lstm.ModelStack, "__init__", spy)
    series = write_ar2_closes(tmp_path / "AR2.csv", 300)
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"seqlen_tui": {"model": {"layers": 2, "units": 8, "dropout": 0.1}}}))
    report_file = tmp_path / "report.json"
    code = main(["run", str(series), "--settings", str(settings), "--runs-dir", str(tmp_path / "runs"),
                 "--device", "cpu", "--lags", "2,4", "--only-lags", "--seeds", "1", "--seeds-max", "1",
                 "--folds", "1", "--epochs", "1", "--no-classifiers", "--json", str(report_file)])
    out = capsys.readouterr().out
    assert code == 0
    # Two stages: the default LSTM(16) scouts both lags, the declared network trains the finalists.
    assert set(built) == {(16, 1, 0.0), (8, 2, 0.1)} and built[-1] == (8, 2, 0.1)
    report = json.loads(report_file.read_text())
    assert {key: report["options"][key] for key in ("layers", "units", "dropout")} == \
        {"layers": 2, "units": 8, "dropout": 0.1}
    assert "judge 2 × LSTM(8), dropout 0.1)" in out
    assert {row["model"] for row in report["leaderboard"]} >= {"lstm", "scout"}
    assert report["transfer"]["scout"] == "LSTM(16)" and report["transfer"]["model"] == "2 × LSTM(8), dropout 0.1"
    assert "judges: the scout LSTM(16) chose" in out
