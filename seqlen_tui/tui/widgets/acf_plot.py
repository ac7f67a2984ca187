"""One transform's autocorrelation function, drawn in the terminal.

The arrays are computed by the core in a worker; this widget only draws them, and only on
the main thread (plotext keeps global-ish state per figure, which is not thread-safe).
It never calls ``show()``: ``PlotextPlot.render`` builds the figure at the widget's size.
It draws the ``AcfAnalysis.to_dict()`` form, so a stored report redraws without recomputing.
"""

from __future__ import annotations

from typing import Any

from textual_plotext import PlotextPlot

#: Above this many lags stems merge into a block (and cost a series each); a line reads better.
MAX_STEM_LAGS = 100
LABELS = {"raw": "raw", "diff": "differenced", "logret": "log returns"}
#: Below this height the x axis loses its "lag" label (a row of data instead).
SHORT_PLOT_ROWS = 12


class AcfPlot(PlotextPlot):
    """ACF (lags 1..max) with its significance band, the first insignificant lag (red line)
    and the seasonal peaks (yellow dots) marked."""

    def __init__(self, title: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.acf: dict[str, Any] | None = None
        self.titles: list[str] = []
        self.show_message(title)

    @property
    def transform(self) -> str | None:
        return None if self.acf is None else self.acf["transform"]

    def render(self):
        # plotext drops a title wider than the plot, so pick the longest one that fits.
        if self.acf is not None and self.titles:
            width = self.size.width
            self.plt.title(next((t for t in self.titles if len(t) <= width - 12), self.titles[-1]))
            # A short plot keeps its row for the data: the ticks say "lag" well enough.
            self.plt.xlabel("lag" if self.size.height >= SHORT_PLOT_ROWS else "")
        return super().render()

    def show_message(self, text: str) -> None:
        """An empty chart with a title (no file yet, or the transform does not apply)."""
        self.acf = None
        self.titles: list[str] = []
        self.plt.clear_data()
        self.plt.title(text)
        self.plt.xlabel("")
        self.refresh()

    def show_analysis(self, result) -> None:
        """Draw a freshly computed ``AcfAnalysis``."""
        self.show_acf(result.to_dict())

    def show_acf(self, acf: dict[str, Any]) -> None:
        """Replace whatever was drawn with ``acf`` (an ``AcfAnalysis.to_dict()``)."""
        self.acf = acf
        plt = self.plt
        plt.clear_data()
        # Lag 0 is always 1; drawing it squashes the lags that matter into the axis.
        keep = [i for i, lag in enumerate(acf["lags"]) if lag >= 1]
        lags = [acf["lags"][i] for i in keep]
        values = [acf["acf"][i] for i in keep]
        if not lags:
            self.show_message(f"ACF {LABELS.get(acf['transform'], '')}: no lags")
            return
        plt.plot(lags, [acf["band_high"][i] for i in keep], color="gray", marker="braille")
        plt.plot(lags, [acf["band_low"][i] for i in keep], color="gray", marker="braille")
        plt.hline(0, "gray")
        if len(lags) <= MAX_STEM_LAGS:  # one thin stem per lag: the classic ACF bar chart
            for lag, value in zip(lags, values):
                plt.plot([lag, lag], [0, value], color="blue", marker="braille")
        else:
            plt.plot(lags, values, color="blue", marker="braille")
        by_lag = dict(zip(lags, values))
        peaks = [p for p in acf.get("peaks", []) if p in by_lag]
        if peaks:
            plt.scatter(peaks, [by_lag[p] for p in peaks], color="yellow", marker="●")
        first = acf["first_insignificant_lag"]
        plt.vline(first, "red")
        top = max(lags)
        plt.xlim(0, top + 1)
        plt.xticks(lag_ticks(top))
        label = LABELS.get(acf["transform"], acf["transform"])
        title = f"ACF {label}: first insignificant lag {first} (red)"
        self.titles = [title]
        if peaks:
            self.titles.insert(0, title + f", peaks {', '.join(map(str, peaks[:3]))} (dots)")
        self.titles.append(f"ACF {label}: 1st insig. {first}")
        plt.title(self.titles[0])
        plt.xlabel("lag")
        self.refresh()


def lag_ticks(top: int, count: int = 5) -> list[int]:
    """About ``count`` whole-number ticks at 1-2-5 steps: lags are integers, and plotext's
    default ticks (26.2, 52.5, ...) suggest fractional lags."""
    raw_step = max(top / count, 1)
    magnitude = 10 ** (len(str(int(raw_step))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    return list(range(0, top + 1, step))
