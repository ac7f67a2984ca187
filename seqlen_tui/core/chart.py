"""What every terminal chart here is made of, whichever front end draws it.

A chart's plan (:mod:`.loss_curve`'s, :mod:`.acf_chart`'s) is a list of :class:`Layer` s and a few
texts, longest first; :func:`draw_layers` hands the layers to any plotext-like ``plt`` (the
``plotext`` module for the CLI, a ``PlotextPlot``'s own for the app) without importing one, and
:func:`fitting` picks the text a front end has room for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    """One plotext call: ``kind`` ``line`` (through the points), ``scatter`` (the points) or
    ``hline`` (a level across the whole chart at ``ys[0]``, drawn in the frame's own line)."""

    kind: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    marker: str
    color: str


def fitting(texts: tuple[str, ...] | list[str], room: int) -> str:
    """The first (longest) of ``texts`` no wider than ``room``, else the last (shortest)."""
    return next((text for text in texts if len(text) <= room), texts[-1] if texts else "")


def draw_layers(plt, layers: tuple[Layer, ...] | list[Layer]) -> None:
    """Each layer in turn (later ones over earlier ones) on a plotext-like ``plt``."""
    for layer in layers:
        if layer.kind == "hline":
            plt.hline(layer.ys[0], layer.color)
            continue
        draw = plt.plot if layer.kind == "line" else plt.scatter
        draw(list(layer.xs), list(layer.ys), marker=layer.marker, color=layer.color)
