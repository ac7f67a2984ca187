"""The one tick rule (``core.ticks``): whole-number lags at 1-2-5 steps that fit the columns, the
same answers as the four copies it replaced (the ACF's in the CLI and in the app, the loss
curve's, checked in test_loss_curve.py)."""

from __future__ import annotations

import pytest

from seqlen_tui.core.ticks import (
    even_ticks,
    labels_fit,
    lag_ticks,
    round_steps,
    stepped_ticks,
    tick_positions,
)


def old_cli_acf_ticks(top: int, width: int) -> list[int]:
    """``describe.plot_acf_text``'s inline rule before it used the shared one."""
    columns = max(width - 8, 10)
    step = next(m * 10 ** k for k in range(12) for m in (1, 2, 5) if top / (m * 10 ** k) <= columns // 8)
    return list(range(0, top + 1, step))


def old_app_acf_ticks(top: int, count: int = 5) -> list[int]:
    """``tui.widgets.acf_plot.lag_ticks`` before it used the shared rule."""
    raw_step = max(top / count, 1)
    magnitude = 10 ** (len(str(int(raw_step))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    return list(range(0, top + 1, step))


def test_round_steps_are_1_2_5_and_cover_the_top():
    assert list(round_steps(40)) == [1, 2, 5, 10, 20, 50, 100, 200, 500]
    assert all(max(round_steps(top)) > top for top in (1, 9, 10, 99, 12345))


@pytest.mark.parametrize("top", [1, 2, 3, 7, 12, 30, 40, 99, 100, 200, 365, 672, 1000, 4096])
def test_the_acf_ticks_are_the_old_ones(top):
    for width in (20, 40, 60, 78, 100, 120, 200):
        assert even_ticks(top, max(width - 8, 10)) == old_cli_acf_ticks(top, width), (top, width)
    for count in (3, 5, 8):
        assert stepped_ticks(top, count) == old_app_acf_ticks(top, count), (top, count)


def test_even_ticks_leave_each_tick_its_columns():
    for top in (12, 40, 200, 1000):
        for columns in (10, 46, 70, 110):
            ticks = even_ticks(top, columns)
            assert ticks[0] == 0 and ticks[-1] <= top and len(ticks) - 1 <= max(columns // 8, 1)
            if len(ticks) > 1:
                assert str(ticks[1] - ticks[0]).strip("0") in ("1", "2", "5")


def test_lag_ticks_every_lag_when_the_labels_fit_else_round_numbers():
    assert lag_ticks([1, 5, 11, 36], False, 70, (0, 40)) == [1, 5, 11, 36]
    linear = lag_ticks(list(range(1, 200, 3)), False, 60, (0, 200))
    assert linear == list(range(20, 201, 20))
    logged = lag_ticks([1, 2, 3, 5, 7, 10, 14, 20, 30, 60, 90, 180, 365], True, 30, (0.9, 400))
    assert logged == [1, 3, 10, 30, 100, 300]  # 1-2-5 does not fit: 1-3
    assert lag_ticks([], True, 30, (1, 2)) == []


def test_labels_fit_leaves_a_blank_between_labels():
    position = tick_positions((0, 10), False, 11)  # one column per lag
    assert labels_fit([0, 2, 4], position) and not labels_fit([0, 1], position)
    assert not labels_fit([8, 10], position)  # "10" spans columns 9-11, "8" ends at 8.5
