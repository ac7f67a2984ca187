"""core.history with known answers: grouping by asset, the latest run of each, lag changes,
the morning view's sort, and what differs between two runs."""

from __future__ import annotations

import json

import pytest

from seqlen_tui.core.history import (
    Difference,
    asset_history,
    change_label,
    flatten,
    group_by_asset,
    grouped_order,
    history_summary,
    lag_changes,
    latest_per_asset,
    morning_view,
    newest_first,
    option_differences,
    paired_leaderboards,
    previous_runs,
    show_value,
    skill_of,
    sort_morning,
    verdict_word,
)

STORED = "tests/data/app/MSFT_20261125T041959.json"


def run(asset, created_at, lag, **extra) -> dict:
    return {"asset": asset, "created_at": created_at, "chosen_lag": lag, **extra}


# index: 0      1       2       3       4       5       6
RUNS = [
    run("BTC", "2026-10-01T03:00:00+00:00", 24, skill=0.01, qualified=[24]),
    run("ETH", "2026-11-23T03:00:00+00:00", 5, skill=0.02, qualified=[5]),
    run("BTC", "2026-11-01T03:00:00+00:00", 48, skill=0.03, qualified=[48]),
    run("MSFT", "2026-11-25T04:19:59+00:00", 1, skill=-0.003, qualified=[]),
    run("BTC", "2026-10-15T03:00:00+00:00", 24, skill=None, qualified=[24]),
    run("BTC", "2026-11-24T05:00:00+01:00", 11, skill=0.005, qualified=[]),  # 04:00 UTC
    run("ETH", "2026-11-24T03:05:00+00:00", 5, skill=0.02, qualified=[5]),
]


def test_newest_first_compares_times_across_offsets():
    assert newest_first(RUNS) == [3, 5, 6, 1, 2, 4, 0]


def test_groups_come_latest_first_and_each_group_newest_first():
    assert group_by_asset(RUNS) == [("MSFT", [3]), ("BTC", [5, 2, 4, 0]), ("ETH", [6, 1])]
    assert grouped_order(RUNS) == [3, 5, 2, 4, 0, 6, 1]
    assert latest_per_asset(RUNS) == [3, 5, 6]


def test_groups_with_equal_latest_times_go_by_name():
    runs = [run("b", "2026-01-01T00:00:00+00:00", 1), run("a", "2026-01-01T00:00:00+00:00", 2)]
    assert [asset for asset, _ in group_by_asset(runs)] == ["a", "b"]


def test_previous_runs_and_lag_changes():
    assert previous_runs(RUNS) == {5: 2, 2: 4, 4: 0, 6: 1}
    assert lag_changes(RUNS) == {5: (48, 11), 2: (24, 48)}
    assert change_label(24, 48) == "24→48" and change_label(None, 5) == "—→5"


def test_an_asset_history_oldest_first_with_its_changes():
    steps = asset_history(RUNS, "BTC")
    assert [s.index for s in steps] == [0, 4, 2, 5]
    assert [s.lag for s in steps] == [24, 24, 48, 11]
    assert [s.change for s in steps] == ["", "", "24→48", "48→11"]
    assert [s.first for s in steps] == [True, False, False, False]
    assert history_summary(steps) == ("4 runs, 2026-10-01 to 2026-11-24; lag 24 → 48 → 11; "
                                      "changed 2 times, last on 2026-11-24 (48→11)")
    assert history_summary(asset_history(RUNS, "ETH")) == "2 runs, 2026-11-23 to 2026-11-24; lag 5 every time"
    assert asset_history(RUNS, "nope") == [] and history_summary([]) == "no runs"


def test_verdict_in_a_word():
    assert verdict_word({"chosen_lag": 4, "qualified": [4, 5]}) == "predictable"
    assert verdict_word({"chosen_lag": 1, "qualified": []}) == "not predictable"
    assert verdict_word({"chosen_lag": 7}) == "untested"  # the article protocol has no gate
    assert verdict_word({"chosen_lag": None, "qualified": []}) == "none"


def test_skill_from_a_stored_report_is_the_chosen_rows():
    report = json.loads(open(STORED).read())
    assert report["chosen_lag"] == 1
    assert skill_of(report) == pytest.approx(-0.0032057898048474254)
    assert skill_of({"skill": 0.5}) == 0.5 and skill_of({"chosen_lag": 3}) is None
    assert verdict_word(report) == "not predictable"


def test_the_morning_view_has_the_latest_run_of_each_asset():
    rows = morning_view(RUNS)
    assert [(r.asset, r.index, r.lag, r.runs) for r in rows] == [
        ("MSFT", 3, 1, 1), ("BTC", 5, 11, 4), ("ETH", 6, 5, 2)]
    assert [r.change for r in rows] == ["new", "48→11", ""]
    assert [r.verdict for r in rows] == ["not predictable", "not predictable", "predictable"]
    words = morning_view(RUNS, verdicts={5: "predictable"})
    assert [r.verdict for r in words] == ["not predictable", "predictable", "predictable"]


@pytest.mark.parametrize("column, order", [
    ("asset", ["BTC", "ETH", "MSFT"]),
    ("date", ["MSFT", "BTC", "ETH"]),
    ("lag", ["MSFT", "ETH", "BTC"]),
    ("change", ["BTC", "MSFT", "ETH"]),  # moved, then new, then unchanged
    ("skill", ["ETH", "BTC", "MSFT"]),
    ("verdict", ["ETH", "BTC", "MSFT"]),  # predictable first; ties by asset
])
def test_the_morning_view_sorts_by_each_column(column, order):
    rows = morning_view(RUNS)
    assert [r.asset for r in sort_morning(rows, column)] == order
    if column in ("asset", "date", "lag", "skill"):
        assert [r.asset for r in sort_morning(rows, column, reverse=True)] == order[::-1]


def test_missing_values_sort_last_either_way():
    runs = [run("A", "2026-01-01T00:00:00+00:00", None, skill=None),
            run("B", "2026-01-02T00:00:00+00:00", 3, skill=0.1),
            run("C", "2026-01-03T00:00:00+00:00", 9, skill=-0.1)]
    rows = morning_view(runs)
    assert [r.asset for r in sort_morning(rows, "lag")] == ["B", "C", "A"]
    assert [r.asset for r in sort_morning(rows, "lag", reverse=True)] == ["C", "B", "A"]
    assert [r.asset for r in sort_morning(rows, "skill")] == ["B", "C", "A"]
    assert [r.verdict for r in rows] == ["untested", "untested", "none"]
    with pytest.raises(ValueError):
        sort_morning(rows, "colour")


def test_option_differences_name_nested_keys_and_the_data():
    a = {"options": {"seeds": 1, "lags": [], "data": {"column": "Close", "last": None}},
         "file": "a.csv", "data_sha256": "x1"}
    b = {"options": {"seeds": 3, "lags": [5, 20], "data": {"column": "Close", "last": 500},
                     "units": 32},
         "file": "a.csv", "data_sha256": "x2"}
    assert option_differences(a, b) == [
        Difference("seeds", 1, 3), Difference("lags", [], [5, 20]),
        Difference("data.last", None, 500), Difference("units", None, 32),
        Difference("data_sha256", "x1", "x2")]
    assert option_differences(a, a) == []
    assert flatten({"a": {"b": {"c": 1}}, "d": {}}) == {"a.b.c": 1, "d": {}}


def test_values_are_shown_short():
    assert [show_value(v) for v in (None, True, False, [], [5, 20], 0.05, "robust", 3)] == [
        "—", "yes", "no", "(none)", "5, 20", "0.05", "robust", "3"]


def test_leaderboards_are_paired_by_model_and_lag():
    a = {"leaderboard": [{"model": "persistence", "lag": None, "val_mse": 1.0},
                         {"model": "lstm", "lag": 5, "val_mse": 0.5},
                         {"model": "lstm", "lag": 2, "val_mse": 0.6},
                         {"model": "ridge_ar", "lag": 2, "val_mse": 0.7}]}
    b = {"leaderboard": [{"model": "lstm", "lag": 48, "val_mse": 0.4},
                         {"model": "lstm", "lag": 5, "val_mse": 0.45},
                         {"model": "persistence", "lag": None, "val_mse": 1.1},
                         {"model": "mystery", "lag": 1, "val_mse": 9.0}]}
    rows = paired_leaderboards(a, b)
    assert [(r.model, r.lag) for r in rows] == [("lstm", 2), ("lstm", 5), ("lstm", 48),
                                                ("ridge_ar", 2), ("persistence", None),
                                                ("mystery", 1)]
    assert [(r.a is not None, r.b is not None) for r in rows] == [
        (True, False), (True, True), (False, True), (True, False), (True, True), (False, True)]
    assert rows[1].a["val_mse"] == 0.5 and rows[1].b["val_mse"] == 0.45
