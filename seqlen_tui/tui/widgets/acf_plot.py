"""One transform's autocorrelation function, drawn in the terminal.

The arrays are computed by the core in a worker; this widget only draws them, and only on
the main thread (plotext keeps global-ish state per figure, which is not thread-safe).
It never calls ``show()``: ``PlotextPlot.render`` builds the figure at the widget's size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from seqlen_tui.core.acf import AcfAnalysis

#: Above this many lags bars merge into a block; a line reads better.
MAX_BAR_LAGS = 80


class AcfPlot(PlotextPlot):
    """ACF with its significance band and the first insignificant lag marked."""

    def __init__(self, title: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.analysis: AcfAnalysis | None = None
        self.show_message(title)

    def show_message(self, text: str) -> None:
        """An empty chart with a title (no file yet, or the transform does not apply)."""
        self.analysis = None
        self.plt.clear_data()
        self.plt.title(text)
        self.refresh()

    def show_analysis(self, result: AcfAnalysis) -> None:
        """Replace whatever was drawn with ``result``."""
        self.analysis = result
        plt = self.plt
        plt.clear_data()
        lags = result.lags.tolist()
        plt.plot(lags, result.band_high.tolist(), color="gray")
        plt.plot(lags, result.band_low.tolist(), color="gray")
        if len(lags) <= MAX_BAR_LAGS:
            plt.bar(lags, result.acf.tolist(), color="blue", width=0.3)
        else:
            plt.plot(lags, result.acf.tolist(), color="blue", marker="braille")
        plt.vline(result.first_insignificant_lag, "red")
        plt.xlim(0, max(lags) + 1)
        plt.title(
            f"ACF {result.label}: first insignificant lag {result.first_insignificant_lag} (red)"
        )
        plt.xlabel("lag")
        self.refresh()
