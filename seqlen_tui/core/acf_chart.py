"""The ACF as a picture, decided once for the CLI (``analyze --plot``) and the app (the choose
and run screens), as :mod:`.loss_curve` decides the error-by-lag picture.

:func:`acf_chart` plans one transform's chart for a plot area of a given width: the data layers
(the significance band, a zero line, the ACF as stems, dots or a line, the peaks, the article's
cutoff), the x range and ticks (:mod:`.ticks`' one rule), and the texts longest first;
:func:`draw_acf_chart` hands the plan to any plotext-like ``plt``. The front ends only pick the
text that fits and build the figure at their size.

Two drawing styles, one picture: ``fine`` (the app) draws the band and the ACF in braille, two
dot columns per character, so stems stay thin; plain (the CLI) draws each with its own
character, so the chart reads without colour in a pipe or under ``NO_COLOR``. The peaks (``●``)
and the cutoff (``┆``) have the same mark in both, and the titles name them by it.

It reads the ``AcfAnalysis.to_dict()`` form, so a stored report redraws without recomputing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .chart import Layer, draw_layers
from .ticks import even_ticks

#: Each thing's character in the plain style (the CLI), and in the fine one (the app).
PLAIN_MARKS = {"band": "·", "stem": "│", "dot": "•", "line": "hd", "peak": "●", "cutoff": "┆"}
FINE_MARKS = {"band": "braille", "stem": "braille", "dot": "braille", "line": "braille", "peak": "●",
              "cutoff": "┆"}
COLORS = {"band": "gray", "zero": "gray", "acf": "blue", "peak": "yellow", "cutoff": "red"}
#: The peaks a title names (the strongest first).
TITLE_PEAKS = 3


@dataclass(frozen=True)
class AcfChart:
    """Everything a front end needs to draw one transform's ACF at one width.

    ``titles`` are the app's (the longest that fits is shown), ``headings`` the CLI's (its header,
    the same words in its own form), ``xlabels`` the x-label row's, longest first. ``message``:
    nothing to draw, say this instead.
    """

    layers: tuple[Layer, ...] = ()
    xlim: tuple[float, float] = (0, 1)
    xticks: tuple[int, ...] = ()
    titles: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    xlabels: tuple[str, ...] = ("lag",)
    message: str | None = None


@dataclass(frozen=True)
class AcfSeries:
    """The lags worth drawing (1 to the max lag: lag 0 is always 1, and drawing it squashes the
    lags that matter into the axis), with their values, band and marked lags."""

    label: str
    lags: tuple[int, ...]
    values: tuple[float, ...]
    high: tuple[float, ...]
    low: tuple[float, ...]
    cutoff: int
    peaks: tuple[int, ...]

    @classmethod
    def from_dict(cls, acf: dict[str, Any]) -> AcfSeries:
        from .acf import TRANSFORM_LABELS  # here: the app draws before it needs numpy

        keep = [i for i, lag in enumerate(acf["lags"]) if lag >= 1]
        lags = tuple(acf["lags"][i] for i in keep)
        shown = set(lags)
        return cls(TRANSFORM_LABELS.get(acf["transform"], acf["transform"]), lags,
                   tuple(acf["acf"][i] for i in keep), tuple(acf["band_high"][i] for i in keep),
                   tuple(acf["band_low"][i] for i in keep), acf["first_insignificant_lag"],
                   tuple(p for p in acf.get("peaks", []) if p in shown))


def acf_chart(acf: dict[str, Any], columns: int, fine: bool = False, alpha: float | None = None) -> AcfChart:
    """The chart of ``acf`` (an ``AcfAnalysis.to_dict()``) for a plot area ``columns`` wide, in
    the ``fine`` (braille) or plain style; ``alpha``, when known, names the band's level."""
    series = AcfSeries.from_dict(acf)
    if not series.lags:
        return AcfChart(message=f"ACF {series.label}: no lags")
    marks = FINE_MARKS if fine else PLAIN_MARKS
    top = max(series.lags)
    return AcfChart(acf_layers(series, columns, fine, marks), (0, top), tuple(even_ticks(top, columns)),
                    titles(series), headings(series), xlabels(alpha, fine))


def acf_shape(lags: int, columns: int, fine: bool) -> str:
    """How the ACF is drawn: ``stems`` from zero while each lag has two dot columns (one for the
    stem, one blank), ``dots`` while each has one, else a ``line`` (no solid block)."""
    dot_columns = columns * (2 if fine else 1)  # braille: two dot columns per character
    if 2 * lags <= dot_columns:
        return "stems"
    return "dots" if lags <= dot_columns else "line"


def acf_layers(series: AcfSeries, columns: int, fine: bool, marks: dict[str, str]) -> tuple[Layer, ...]:
    """The band and the zero line at the back, the ACF, its peaks, and the cutoff on top."""
    lags = series.lags
    layers = [Layer("line", lags, series.high, marks["band"], COLORS["band"]),
              Layer("line", lags, series.low, marks["band"], COLORS["band"]),
              Layer("hline", (), (0.0,), "", COLORS["zero"])]
    layers += value_layers(series, acf_shape(len(lags), columns, fine), marks)
    by_lag = dict(zip(lags, series.values))
    if series.peaks:
        layers.append(Layer("scatter", series.peaks, tuple(by_lag[p] for p in series.peaks), marks["peak"],
                            COLORS["peak"]))
    bottom, upper = min(0.0, *series.values, *series.low), max(0.0, *series.values, *series.high)
    layers.append(Layer("line", (series.cutoff, series.cutoff), (bottom, upper), marks["cutoff"],
                        COLORS["cutoff"]))
    return tuple(layers)


def value_layers(series: AcfSeries, shape: str, marks: dict[str, str]) -> list[Layer]:
    """The ACF itself: one stem per lag, one dot per lag, or one line through them."""
    if shape == "stems":
        return [Layer("line", (lag, lag), (0.0, value), marks["stem"], COLORS["acf"])
                for lag, value in zip(series.lags, series.values)]
    kind, marker = ("scatter", marks["dot"]) if shape == "dots" else ("line", marks["line"])
    return [Layer(kind, series.lags, series.values, marker, COLORS["acf"])]


def _peaks_named(series: AcfSeries) -> str:
    return ", ".join(map(str, series.peaks[:TITLE_PEAKS]))


def titles(series: AcfSeries) -> tuple[str, ...]:
    """The app's titles, longest first: the cutoff and the strongest peaks, the cutoff alone,
    then a short form."""
    title = f"ACF {series.label}: first insignificant lag {series.cutoff} ┆"
    found = [title + f", peaks {_peaks_named(series)} ●"] if series.peaks else []
    return tuple(found + [title, f"ACF {series.label}: 1st insig. {series.cutoff} ┆"])


def headings(series: AcfSeries) -> tuple[str, ...]:
    """The CLI's header, longest first: with the strongest peaks, then without them."""
    heading = f"ACF ({series.label}); first insignificant lag {series.cutoff} ┆"
    found = [heading + f"; peaks {_peaks_named(series)} ●"] if series.peaks else []
    return tuple(found + [heading])


def xlabels(alpha: float | None, fine: bool) -> tuple[str, ...]:
    """The axis, with the band's key when its level is known and its mark is a character."""
    if alpha is None or fine:
        return ("lag",)
    return (f"lag   (···: {1 - alpha:.0%} band around zero)", "lag")


def draw_acf_chart(plt, chart: AcfChart) -> None:
    """Hand ``chart`` to a plotext-like ``plt`` (its data cleared first; the title and the x label
    are the caller's, who knows the room)."""
    plt.clear_data()
    if chart.message is not None:
        return
    draw_layers(plt, chart.layers)
    plt.xlim(*chart.xlim)
    plt.xticks(list(chart.xticks))
