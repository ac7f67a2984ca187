"""The run's answer as a picture: the forecast error at each benchmarked lag.

The curve (``core.loss_curve``) and the picture's plan (what is drawn with which marker, the
ranges, the ticks, the legends) come from the core, which the CLI's ``--plot`` shares; this
widget only hands the plan to its own plotext figure, on the main thread, at its own size. It
is fed leaderboard rows (``LeaderboardRow.to_dict()``): the live table's as lags finish, then
the final ones, or a stored report's.
"""

from __future__ import annotations

from typing import Any

from textual_plotext import PlotextPlot

#: Below this height the legend shares the title's row (the x label row goes to the data).
SHORT_PLOT_ROWS = 12
#: The y axis labels and the frame: the title and the ticks must fit in what is left.
AXIS_COLUMNS = 10


class LossPlot(PlotextPlot):
    """The judge's validation (or test) MSE by lag with ± SE bars, ridge AR, the baselines as
    levels, the chosen and best lags and those that left the race marked."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.rows: list[dict[str, Any]] = []
        self.chosen_model: str | None = None
        self.chosen_lag: int | None = None
        self.split = "val"
        self.waiting = True  # a run still going: an empty curve says "training", not "none"
        self.curve = None  # core.loss_curve.LossCurve
        self.plan = None  # core.loss_curve.PlotPlan for ``_planned_for`` (columns, rows)
        self._planned_for: tuple[int, int] | None = None
        self.title_shown = ""  # what the last render put in the title row (for tests, help)
        #: The key that switches validation/test (the screen's, as the keymap has it); the
        #: title names it while there is room.
        self.toggle_key: str | None = None

    # ----- feeding -----------------------------------------------------------------------------

    def show_rows(self, rows, chosen_model: str | None = None, chosen_lag: int | None = None,
                  *, waiting: bool = False) -> None:
        """Redraw from leaderboard rows; ``chosen_*``: the run's choice, when it has one."""
        self.rows = [dict(row) for row in rows]
        self.chosen_model, self.chosen_lag, self.waiting = chosen_model, chosen_lag, waiting
        self._recompute(fall_back=True)

    def show_report(self, report: dict[str, Any]) -> None:
        """A finished or stored run's curve, its choice marked."""
        from seqlen_tui.core.report import chosen_model

        self.show_rows(report.get("leaderboard") or [], chosen_model(report), report.get("chosen_lag"))

    def toggle_split(self) -> str:
        """Validation (which chose) ↔ test (which reports; no SE there). Returns the new one."""
        self.split = "test" if self.split == "val" else "val"
        self._recompute()
        return self.split

    def _recompute(self, fall_back: bool = False) -> None:
        from seqlen_tui.core.loss_curve import loss_curve

        self.curve = loss_curve(self.rows, self.split, self.chosen_model, self.chosen_lag)
        if fall_back and self.curve.empty and self.split == "val" and not self.waiting:
            # The article's protocol has no validation block: its test MSE is the answer.
            test = loss_curve(self.rows, "test", self.chosen_model, self.chosen_lag)
            if not test.empty:
                self.split, self.curve = "test", test
        self._planned_for = None
        self.refresh()

    # ----- drawing -----------------------------------------------------------------------------

    @property
    def points(self) -> list[tuple[int, float]]:
        """The judge's (lag, MSE) now drawn."""
        return [] if self.curve is None else [(p.lag, p.mse) for p in self.curve.points]

    def _hinted(self, texts: tuple[str, ...]) -> list[str]:
        """Each text with the toggle's key after it, then without (the hint goes first)."""
        if not self.toggle_key:
            return list(texts)
        other = "test" if self.split == "val" else "val"
        return [variant for text in texts for variant in (f"{text} · {self.toggle_key} {other}", text)]

    def render(self):
        from seqlen_tui.core.chart import fitting
        from seqlen_tui.core.loss_curve import draw_plan, plot_plan

        room = max(self.size.width - AXIS_COLUMNS, 10)
        size = (room, self.size.height)
        if self.curve is not None and self._planned_for != size:
            # The data's rows: the height less the title, the frame, the ticks (and the label).
            rows = self.size.height - (5 if self.size.height >= SHORT_PLOT_ROWS else 4)
            self.plan = plot_plan(self.curve, columns=room, waiting=self.waiting, rows=rows)
            self._planned_for = size
            draw_plan(self.plt, self.plan)
        plan = self.plan
        if plan is None:
            title, label = "loss by lag: waiting for the first rows", ""
        elif plan.message is not None:
            title, label = plan.message, ""
        elif self.size.height >= SHORT_PLOT_ROWS:
            title, label = fitting(self._hinted(plan.heading), room), fitting(plan.legend, room)
        else:
            title, label = fitting(self._hinted(plan.titles), room), ""
        self.plt.title(title)
        self.plt.xlabel(label)
        self.title_shown = title
        return super().render()
