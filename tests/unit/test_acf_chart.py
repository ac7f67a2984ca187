"""The ACF chart's one plan (``core.acf_chart``), drawn by the CLI and the app: the same layers
(band, zero line, stems/dots/line, peaks, cutoff) in both styles, marks that read without colour
in the plain one, ticks from the one tick rule, titles longest first."""

from __future__ import annotations

import math
import re

import plotext
import pytest

from seqlen_tui.core.acf_chart import acf_chart, acf_shape, draw_acf_chart
from seqlen_tui.core.chart import fitting
from seqlen_tui.core.ticks import even_ticks


def acf_dict(max_lag: int = 40, peaks=(12, 24), cutoff: int = 3) -> dict:
    lags = list(range(max_lag + 1))
    values = [1.0] + [0.6 * math.cos(lag / 2) / (1 + lag / 10) for lag in lags[1:]]
    return {"transform": "diff", "lags": lags, "acf": values, "band_high": [0.1] * len(lags),
            "band_low": [-0.1] * len(lags), "first_insignificant_lag": cutoff, "peaks": list(peaks)}


def kinds(chart, marker):
    return [layer for layer in chart.layers if layer.marker == marker]


@pytest.mark.parametrize("fine", [False, True])
def test_both_styles_draw_the_same_things(fine):
    chart = acf_chart(acf_dict(), 90, fine=fine)  # room for a stem per lag in both styles
    assert chart.message is None and chart.xlim == (0, 40)
    assert chart.xticks == tuple(even_ticks(40, 90))
    peaks = kinds(chart, "●")
    assert len(peaks) == 1 and peaks[0].xs == (12, 24)  # the peaks, in both front ends
    cutoff = kinds(chart, "┆")
    assert len(cutoff) == 1 and cutoff[0].xs == (3, 3) and chart.layers[-1] == cutoff[0]  # on top
    assert [layer.kind for layer in chart.layers[:3]] == ["line", "line", "hline"]  # band, zero
    stems = [layer for layer in chart.layers if layer.kind == "line" and len(set(layer.xs)) == 1
             and layer.ys[0] == 0.0]
    assert [layer.xs[0] for layer in stems] == list(range(1, 41))  # lag 0 left out
    assert ("braille" in {layer.marker for layer in chart.layers}) == fine


def test_plain_marks_read_without_colour():
    assert {layer.marker for layer in acf_chart(acf_dict(), 90).layers} == {"·", "", "│", "●", "┆"}
    assert {layer.marker for layer in acf_chart(acf_dict(), 60).layers} == {"·", "", "•", "●", "┆"}
    assert {layer.marker for layer in acf_chart(acf_dict(), 30).layers} == {"·", "", "hd", "●", "┆"}


def test_stems_then_dots_then_a_line_as_the_lags_crowd_the_columns():
    assert [acf_shape(40, columns, False) for columns in (80, 60, 30)] == ["stems", "dots", "line"]
    assert [acf_shape(40, columns, True) for columns in (40, 30, 15)] == ["stems", "dots", "line"]


def test_titles_longest_first_name_the_marks():
    chart = acf_chart(acf_dict(peaks=(12, 24, 36, 7)), 70)
    assert chart.titles[0] == "ACF differenced: first insignificant lag 3 ┆, peaks 12, 24, 36 ●"
    assert chart.headings[0] == "ACF (differenced); first insignificant lag 3 ┆; peaks 12, 24, 36 ●"
    assert chart.headings[-1] == "ACF (differenced); first insignificant lag 3 ┆"
    for texts in (chart.titles, chart.headings):
        assert [len(t) for t in texts] == sorted((len(t) for t in texts), reverse=True)
    assert fitting(chart.titles, 35) == "ACF differenced: 1st insig. 3 ┆"
    assert acf_chart(acf_dict(peaks=()), 70).titles[0] == "ACF differenced: first insignificant lag 3 ┆"


def test_the_band_key_only_where_its_dots_are_characters():
    assert acf_chart(acf_dict(), 70, alpha=0.05).xlabels[0] == "lag   (···: 95% band around zero)"
    assert acf_chart(acf_dict(), 70, fine=True, alpha=0.05).xlabels == ("lag",)
    assert acf_chart(acf_dict(), 70).xlabels == ("lag",)


def test_no_lags_is_a_message():
    empty = {"transform": "raw", "lags": [0], "acf": [1.0], "band_high": [0.0], "band_low": [0.0],
             "first_insignificant_lag": 1, "peaks": []}
    assert acf_chart(empty, 70).message == "ACF raw: no lags"


def test_drawn_plain_the_peaks_and_cutoff_show_without_escape_codes():
    chart = acf_chart(acf_dict(), 70, alpha=0.05)
    plotext.clear_figure()
    plotext.plotsize(78, 15)
    plotext.theme("clear")
    draw_acf_chart(plotext, chart)
    plotext.title(fitting(chart.headings, 70))
    text = plotext.build()
    plotext.clear_figure()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert "●" in plain and "┆" in plain and "peaks 12, 24 ●" in plain
