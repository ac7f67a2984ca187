"""One transform's autocorrelation function, drawn in the terminal.

The arrays are computed by the core in a worker; the picture's plan (band, zero line, stems or
dots or a line, peaks, cutoff, ticks, titles) is the core's (``core.acf_chart``, which the CLI's
``analyze --plot`` shares); this widget only plans it for its own width and draws it, on the main
thread (plotext keeps global-ish state per figure, which is not thread-safe). It never calls
``show()``: ``PlotextPlot.render`` builds the figure at the widget's size. It draws the
``AcfAnalysis.to_dict()`` form, so a stored report redraws without recomputing.
"""

from __future__ import annotations

from typing import Any

from textual_plotext import PlotextPlot

from ...core.chart import fitting
from ...core.ticks import stepped_ticks as lag_ticks

__all__ = ["AcfPlot", "lag_ticks"]  # lag_ticks: the core's tick rule, still importable from here

#: Below this height the x axis loses its "lag" label (a row of data instead).
SHORT_PLOT_ROWS = 12
#: The y axis labels and the frame: the plot area is the width less these.
AXIS_COLUMNS = 8
#: plotext drops a title wider than the plot: a title gets the width less these.
TITLE_MARGIN = 12


class AcfPlot(PlotextPlot):
    """ACF (lags 1..max) with its significance band, the first insignificant lag (``┆``, red)
    and the peaks (``●``, yellow) marked."""

    def __init__(self, title: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.acf: dict[str, Any] | None = None
        self.titles: list[str] = []
        self._planned_for: int | None = None  # the width the figure was last planned for
        self.show_message(title)

    @property
    def transform(self) -> str | None:
        return None if self.acf is None else self.acf["transform"]

    def render(self):
        if self.acf is not None:
            self._plan(self.size.width)
            # plotext drops a title wider than the plot, so pick the longest one that fits.
            self.plt.title(fitting(self.titles, self.size.width - TITLE_MARGIN))
            # A short plot keeps its row for the data: the ticks say "lag" well enough.
            self.plt.xlabel("lag" if self.size.height >= SHORT_PLOT_ROWS else "")
        return super().render()

    def show_message(self, text: str) -> None:
        """An empty chart with a title (no file yet, or the transform does not apply)."""
        self.acf = None
        self.titles: list[str] = []
        self._planned_for = None
        self.plt.clear_data()
        self.plt.title(text)
        self.plt.xlabel("")
        self.refresh()

    def show_analysis(self, result) -> None:
        """Draw a freshly computed ``AcfAnalysis``."""
        self.show_acf(result.to_dict())

    def show_acf(self, acf: dict[str, Any]) -> None:
        """Replace whatever was drawn with ``acf`` (an ``AcfAnalysis.to_dict()``)."""
        self.acf, self._planned_for = acf, None
        self._plan(self.size.width)
        if self.acf is None:  # nothing to draw: the plan's message is shown
            return
        self.plt.title(self.titles[0])
        self.plt.xlabel("lag")
        self.refresh()

    def _plan(self, width: int) -> None:
        """Plan and draw the chart for ``width`` (once per width: the plan holds the ticks and
        how the lags are drawn, which depend on it)."""
        from ...core.acf_chart import acf_chart, draw_acf_chart

        if self._planned_for == width:
            return
        chart = acf_chart(self.acf, max(width - AXIS_COLUMNS, 10), fine=True)
        if chart.message is not None:
            self.show_message(chart.message)
            return
        self._planned_for = width
        draw_acf_chart(self.plt, chart)
        self.titles = list(chart.titles)
