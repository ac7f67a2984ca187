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

#: Above this many lags stems merge into a block (and cost a series each); a line reads better.
MAX_STEM_LAGS = 100


class AcfPlot(PlotextPlot):
    """ACF (lags 1..max) with its significance band and the first insignificant lag marked."""

    def __init__(self, title: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.analysis: AcfAnalysis | None = None
        self.show_message(title)

    def show_message(self, text: str) -> None:
        """An empty chart with a title (no file yet, or the transform does not apply)."""
        self.analysis = None
        self.plt.clear_data()
        self.plt.title(text)
        self.plt.xlabel("")
        self.refresh()

    def show_analysis(self, result: AcfAnalysis) -> None:
        """Replace whatever was drawn with ``result``."""
        self.analysis = result
        plt = self.plt
        plt.clear_data()
        # Lag 0 is always 1; drawing it squashes the lags that matter into the axis.
        keep = result.lags >= 1
        lags = result.lags[keep].tolist()
        acf = result.acf[keep].tolist()
        plt.plot(lags, result.band_high[keep].tolist(), color="gray", marker="braille")
        plt.plot(lags, result.band_low[keep].tolist(), color="gray", marker="braille")
        plt.hline(0, "gray")
        if len(lags) <= MAX_STEM_LAGS:  # one thin stem per lag: the classic ACF bar chart
            for lag, value in zip(lags, acf):
                plt.plot([lag, lag], [0, value], color="blue", marker="braille")
        else:
            plt.plot(lags, acf, color="blue", marker="braille")
        plt.vline(result.first_insignificant_lag, "red")
        top = max(lags)
        plt.xlim(0, top + 1)
        plt.xticks(lag_ticks(top))
        plt.title(
            f"ACF {result.label}: first insignificant lag {result.first_insignificant_lag} (red)"
        )
        plt.xlabel("lag")
        self.refresh()


def lag_ticks(top: int, count: int = 5) -> list[int]:
    """About ``count`` whole-number ticks at 1-2-5 steps: lags are integers, and plotext's
    default ticks (26.2, 52.5, ...) suggest fractional lags."""
    raw_step = max(top / count, 1)
    magnitude = 10 ** (len(str(int(raw_step))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    return list(range(0, top + 1, step))
