"""Two runs side by side, and one asset's runs over time (both opened from the review screen).

``CompareScreen``: what differs between two stored runs (their options, the data file and its
hash), their leaderboards in one table matched row by row on (model, lag), and their
validation-loss-by-lag curves overlaid (``A`` and ``B`` mark the points, so the plot reads
without colour). Under 32 rows the table and the plot take turns (``t``); taller, the plot sits
under the table and ``t`` gives it the whole lower half.

``HistoryScreen``: the chosen lag of each run of one asset, oldest to newest, with the runs
where it changed marked (``24→48``), a plateau beside its lag (``5 (4–32)``: the lags within
one SE of the best span more than an octave) and a plot of the lag run by run.

Both only read reports (the review screen loads them); the arithmetic is
:mod:`seqlen_tui.core.history`'s.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual_plotext import PlotextPlot

from seqlen_tui.core.cells import column_format, seeds_cell
from seqlen_tui.core.history import (
    DATA_FIELDS,
    asset_history,
    history_summary,
    lag_with_plateau,
    option_differences,
    paired_leaderboards,
    report_judge,
    show_value,
    skill_of,
    verdict_word,
)
from seqlen_tui.core.loss_curve import LossCurve, report_curve
from seqlen_tui.core.names import MODEL_NAMES
from seqlen_tui.core.ticks import lag_ticks

#: The two runs' point marks in the overlaid plot (letters: no legend needed, no colour either).
MARKERS = ("A", "B")
#: The curves plot's y labels and frame: its plot area is the width less these.
PLOT_AXIS_COLUMNS = 10
COLORS = ("cyan", "orange")
SHA_CHARS = 12  # a data hash is shown by its first characters


def short_date(created_at: str) -> str:
    return created_at.replace("T", " ")[:16] or "—"


def report_name(report: Mapping) -> str:
    path = report.get("_path")
    return Path(path).name if path else "—"


def run_words(report: Mapping) -> str:
    """``MSFT · 2026-11-25 04:19 · lag 1 · skill -0.003 · not predictable · MSFT_….json``."""
    lag = report.get("chosen_lag")
    skill = skill_of(report)
    return " · ".join([str(report.get("asset", "?")), short_date(str(report.get("created_at", ""))),
                       f"lag {'—' if lag is None else lag}",
                       f"skill {'—' if skill is None else format(skill, '+.3f')}",
                       verdict_word(report), report_name(report)])


def board_title(a: Mapping, b: Mapping, width: int) -> str:
    """The paired leaderboard's title; when the two runs' judges (the networks that judged
    their lags) differ, it names both, in the longest form that fits ``width`` cells."""
    judges = [report_judge(r) for r in (a, b)]
    if judges[0] == judges[1]:
        return "Leaderboards: A | B (chosen: whose lag)"
    pair = " | ".join(f"{mark} judge {judge}" if judge else f"{mark} article's protocol"
                      for mark, judge in zip(MARKERS, judges))
    titles = [f"Leaderboards: {pair} (chosen: whose lag)", f"Leaderboards: {pair}", pair]
    return next((title for title in titles if cell_len(title) <= width), titles[-1])


def cut_left(text: str, width: int) -> str:
    """``text`` in ``width`` cells, cut from the left with ``…`` (paths keep their file name)."""
    if cell_len(text) <= width or width < 2:
        return text
    return "…" + text[-(width - 1):]


def read_briefs(paths: Sequence[str]) -> dict[str, dict]:
    """What the review needs of each report beyond its listing: the verdict in a word
    (:func:`verdict_word`; ``?`` for a report that cannot be read), the options and the data
    fields (for :func:`option_differences`)."""
    found: dict[str, dict] = {}
    for path in paths:
        try:
            report = json.loads(Path(path).read_text(encoding="utf-8"))
            found[path] = {"verdict": verdict_word(report),
                           **{key: report.get(key) for key in ("options", *DATA_FIELDS)}}
        except (OSError, ValueError, AttributeError):
            found[path] = {"verdict": "?"}
    return found


def read_verdicts(paths: Sequence[str]) -> dict[str, str]:
    """Each report's verdict in a word (``?`` for one that cannot be read)."""
    return {path: brief["verdict"] for path, brief in read_briefs(paths).items()}


class VerdictsRead(Message):
    def __init__(self, verdicts: dict[str, str]) -> None:
        super().__init__()
        self.verdicts = verdicts


class BriefsRead(Message):
    def __init__(self, briefs: dict[str, dict]) -> None:
        super().__init__()
        self.briefs = briefs


# ----- the overlaid loss curves --------------------------------------------------------------

class CompareCurvesPlot(PlotextPlot):
    """Two runs' judge curves (validation MSE by lag) on one chart: points marked ``A`` and
    ``B``, each run's line in its colour, the legend in the title. Runs of different assets
    are drawn relative to their own persistence baseline (their MSEs are on other scales)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.curves: tuple[LossCurve, ...] = ()
        self.names: tuple[str, ...] = ()
        self.relative = False
        self.titles: list[str] = []
        self.lags: list[int] = []  # every lag either run drew, for the ticks

    def show_runs(self, a: Mapping, b: Mapping) -> None:
        self.curves = (report_curve(dict(a)), report_curve(dict(b)))
        self.names = tuple(f"{r.get('asset', '?')} {short_date(str(r.get('created_at', '')))[5:]}"
                           for r in (a, b))
        self.relative = (a.get("asset") != b.get("asset")
                         and all("persistence" in c.baselines for c in self.curves))
        self._draw()

    @property
    def log_x(self) -> bool:
        return any(c.log_x for c in self.curves)

    def series(self, which: int) -> tuple[list[int], list[float]]:
        """The lags and the values drawn for run ``which`` (0: A, 1: B)."""
        curve = self.curves[which]
        scale = curve.baselines["persistence"] if self.relative else 1.0
        return curve.lags, [p.mse / scale for p in curve.points]

    def _x(self, lags: list[int]) -> list[float]:
        # A log axis is drawn as log10(lag) on a linear one: plotext's own log scale takes
        # the log again each time the widget renders the same figure.
        return [math.log10(lag) if lag > 0 else 0.0 for lag in lags] if self.log_x else list(lags)

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        what = "val MSE ÷ persistence" if self.relative else "val MSE"
        if not any(c.points for c in self.curves):
            self.titles = [f"{what} by lag: no validation errors in these reports"]
            plt.title(self.titles[0])
            self.refresh()
            return
        lags: set[int] = set()
        for which in range(len(self.curves)):
            x, y = self.series(which)
            if not x:
                continue
            lags.update(x)
            plt.plot(self._x(x), y, color=COLORS[which], marker="braille")
            plt.scatter(self._x(x), y, color=COLORS[which], marker=MARKERS[which])
        self.lags = sorted(lags)
        self._set_ticks(self.size.width)
        legend = [f"{m} {n} (lag {c.chosen if c.chosen is not None else '—'})"
                  for m, n, c in zip(MARKERS, self.names, self.curves)]
        self.titles = [f"{what} by lag: " + ", ".join(legend),
                       f"{what}: " + ", ".join(f"{m} {n}" for m, n in zip(MARKERS, self.names)),
                       f"{what}: " + " vs ".join(MARKERS)]
        plt.title(self.titles[0])
        self.refresh()

    def _set_ticks(self, width: int) -> None:
        """The lag axis's ticks for a widget ``width`` wide: the one tick rule (``core.ticks``),
        at every lag when their labels fit, else round numbers; plotext's x range is the lags'."""
        if not self.lags:
            return
        xlim = (self.lags[0], self.lags[-1])
        ticks = lag_ticks(self.lags, self.log_x, max(width - PLOT_AXIS_COLUMNS, 10), xlim)
        self.plt.xticks(self._x(ticks), [str(t) for t in ticks])

    def render(self):
        if self.titles:  # plotext drops a title wider than the plot: the longest that fits
            width = self.size.width
            self._set_ticks(width)
            self.plt.title(next((t for t in self.titles if cell_len(t) <= width - 12), self.titles[-1]))
            self.plt.xlabel("" if self.size.height < 12 else
                            "lag (log scale)" if self.log_x else "lag")
        return super().render()


# ----- the paired leaderboard ----------------------------------------------------------------

#: (key, label, row field, format); every figure comes as an A and a B column.
PAIRED = (
    ("val", "val MSE", "val_mse", "column"),
    ("skill", "skill", "skill", "+.3f"),
    ("test", "test MSE", "test_mse", "column"),
    ("da", "dir.acc", "directional_accuracy", ".3f"),
    ("seeds", "seeds", "seeds", "seeds"),
)
#: Shown when the table is wide enough, in this order (val MSE and skill always are).
OPTIONAL_PAIRS = ("test", "da", "seeds")


class PairedBoard(DataTable):
    """Both runs' leaderboards in one table: a row per (model, lag), each figure for A then B,
    ``chosen`` says whose choice the row is."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.pairs: list = []
        self.chosen: tuple[tuple[str, int | None] | None, ...] = (None, None)
        self.shown_pairs: tuple[str, ...] = ()

    def show_runs(self, a: Mapping, b: Mapping) -> None:
        self.pairs = paired_leaderboards(a, b)
        self.chosen = tuple((r.get("chosen_model") if isinstance(r.get("chosen_model"), str)
                             else "lstm", r.get("chosen_lag")) for r in (a, b))
        self._rebuild()

    def on_resize(self) -> None:
        self._rebuild()

    def _cells(self) -> dict[str, list[str]]:
        texts: dict[str, list[str]] = {"model": [], "lag": [], "chosen": []}
        for key, _, field, spec in PAIRED:
            values = [row.get(field) for pair in self.pairs for row in (pair.a, pair.b) if row]
            form = column_format([v for v in values if isinstance(v, (int, float))])
            for side in "ab":
                column = texts.setdefault(f"{key}_{side}", [])
                for pair in self.pairs:
                    row = pair.a if side == "a" else pair.b
                    value = None if row is None else row.get(field)
                    if row is None:
                        column.append("")
                    elif spec == "seeds":
                        column.append(seeds_cell(row))
                    elif value is None or (isinstance(value, float) and not math.isfinite(value)):
                        column.append("—")
                    elif spec == "column":
                        column.append(form(value))
                    else:
                        column.append(format(value, spec))
        for pair in self.pairs:
            texts["model"].append(MODEL_NAMES.get(pair.model, pair.model))
            texts["lag"].append("" if pair.lag is None else str(pair.lag))
            texts["chosen"].append(" ".join(m for m, c in zip(MARKERS, self.chosen)
                                            if c == (pair.model, pair.lag)))
        return texts

    def columns_for(self, texts: dict[str, list[str]]) -> list[tuple[str, str]]:
        """(key, label) of the columns that fit the width: model, lag, chosen, val MSE and
        skill always, then the optional pairs while they fit."""
        labels = {"model": "model", "lag": "lag", "chosen": "chosen"}
        for key, label, *_ in PAIRED:
            labels[f"{key}_a"], labels[f"{key}_b"] = f"{label} A", f"{label} B"

        def needed(key: str) -> int:
            return max([cell_len(labels[key])] + [cell_len(t) for t in texts[key]]) + 2 * self.cell_padding

        keys = ["model", "lag", "chosen", "val_a", "val_b", "skill_a", "skill_b"]
        width = self.scrollable_content_region.width
        used = sum(needed(key) for key in keys)
        for pair in OPTIONAL_PAIRS:
            more = needed(f"{pair}_a") + needed(f"{pair}_b")
            if width <= 0 or used + more <= width:
                keys += [f"{pair}_a", f"{pair}_b"]
                used += more
        order = ["model", "lag"] + [f"{k}_{s}" for k, *_ in PAIRED for s in "ab"] + ["chosen"]
        return [(key, labels[key]) for key in order if key in keys]

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        texts = self._cells()
        columns = self.columns_for(texts)
        if tuple(k for k, _ in columns) != self.shown_pairs:
            self.clear(columns=True)
            for key, label in columns:
                self.add_column(Text(label, justify="left" if key == "model" else "right"), key=key)
            self.shown_pairs = tuple(k for k, _ in columns)
        row = self.cursor_row
        self.clear()
        for index in range(len(self.pairs)):
            bold = "bold" if texts["chosen"][index] else ""
            self.add_row(*(Text(texts[key][index], style=bold,
                                justify="left" if key == "model" else "right")
                           for key, _ in columns))
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False)


# ----- the compare screen --------------------------------------------------------------------

class CompareScreen(Screen):
    """Run A (the older) and run B: options that differ, leaderboards, loss curves."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="compare_back"),
        Binding("f2", "back", "Back", show=False, id="compare_runs"),  # the runs are one back
        Binding("t", "toggle_plot", "Plot/table", id="compare_toggle_plot"),
        Binding("s", "swap", "Swap A/B", id="compare_swap"),
    ]

    def __init__(self, a: Mapping, b: Mapping) -> None:
        super().__init__()
        self.a, self.b = a, b
        self.differences = option_differences(a, b)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="compare-head")
        yield DataTable(id="compare-diffs", cursor_type="row", zebra_stripes=True)
        with Vertical(id="compare-lower"):
            yield PairedBoard(id="compare-board")
            yield CompareCurvesPlot(id="compare-plot")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "compare two runs"
        self._show()
        self.query_one("#compare-board").focus()

    def _show(self) -> None:
        a, b = self.a, self.b
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append("A ", style="bold")
        head.append(run_words(a) + "\n")
        head.append("B ", style="bold")
        head.append(run_words(b))
        self.query_one("#compare-head", Static).update(head)
        self._fill_differences()
        board = self.query_one("#compare-board", PairedBoard)
        board.show_runs(a, b)
        self._title_board()
        self.query_one("#compare-plot", CompareCurvesPlot).show_runs(a, b)

    def _fill_differences(self) -> None:
        table = self.query_one("#compare-diffs", DataTable)
        count = len(self.differences)
        table.border_title = (f"What differs: {count} setting{'s' if count != 1 else ''}"
                              if count else "What differs: nothing (same options, same data)")
        table.clear(columns=True)
        names = [d.name for d in self.differences] or ["—"]
        name_width = max(cell_len(n) for n in names + ["option"])
        room = max(table.scrollable_content_region.width or 76, 40)
        value_width = max((room - name_width - 6 * table.cell_padding) // 2, 8)
        table.add_column("option", width=name_width, key="option")
        table.add_column("A", width=value_width, key="a")
        table.add_column("B", width=value_width, key="b")
        for difference in self.differences:
            values = [self._value(difference.name, v, value_width)
                      for v in (difference.a, difference.b)]
            table.add_row(difference.name, *values)
        if not self.differences:
            table.add_row("—", "same", "same")

    @staticmethod
    def _value(name: str, value, width: int) -> str:
        text = show_value(value)
        if name == "data_sha256" and value:
            text = text[:SHA_CHARS] + "…"
        return cut_left(text, width)

    def _title_board(self) -> None:
        board = self.query_one("#compare-board", PairedBoard)
        width = (board.outer_size.width or self.app.size.width) - 4  # corners and a space each side
        board.border_title = board_title(self.a, self.b, width)

    def on_resize(self) -> None:
        if self.is_mounted:
            self._fill_differences()
            self._title_board()

    def action_toggle_plot(self) -> None:
        """The plot alone / back: under 32 rows the table and the plot take turns."""
        self.toggle_class("-show-plot")
        # the hidden table cannot keep the focus: the differences take it meanwhile
        self.query_one("#compare-diffs" if self.has_class("-show-plot") else "#compare-board").focus()

    def action_swap(self) -> None:
        self.a, self.b = self.b, self.a
        self.differences = option_differences(self.a, self.b)
        self._show()

    def action_back(self) -> None:
        self.app.pop_screen()


# ----- one asset's history -------------------------------------------------------------------

class LagHistoryPlot(PlotextPlot):
    """The chosen lag run by run (oldest on the left), the runs marked ``●``, dates as ticks."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.lags: list[int | None] = []
        self.dates: list[str] = []

    def show_steps(self, steps) -> None:
        plt = self.plt
        plt.clear_data()
        points = [(n, s.lag) for n, s in enumerate(steps, 1) if s.lag is not None]
        self.lags = [s.lag for s in steps]
        self.dates = [s.created_at[5:10] for s in steps]
        if not points:
            plt.title("chosen lag by run: no lag chosen")
            self.refresh()
            return
        x, y = (list(v) for v in zip(*points))
        plt.plot(x, y, color="cyan", marker="braille")
        plt.scatter(x, y, color="cyan", marker="●")
        count = min(len(steps), 8)
        picks = sorted({round(1 + i * (len(steps) - 1) / max(count - 1, 1)) for i in range(count)})
        plt.xticks(picks, [self.dates[p - 1] for p in picks])
        levels = sorted(set(y))
        if len(levels) > 5:  # a few whole-number ticks; else each lag chosen is a tick
            levels = [round(levels[0] + i * (levels[-1] - levels[0]) / 4) for i in range(5)]
        plt.yticks(levels, [str(v) for v in levels])
        spread = max(levels[-1] - levels[0], 2)
        plt.ylim(levels[0] - spread * 0.1, levels[-1] + spread * 0.1)
        plt.xlim(0.5, len(steps) + 0.5)
        plt.title("chosen lag by run (oldest left)")
        self.refresh()


HISTORY_COLUMNS = (("date", "date (UTC)"), ("lag", "lag"), ("change", "Δ lag"), ("skill", "skill"),
                   ("verdict", "verdict"), ("settings", "settings changed"))
#: A data field's name in the settings column.
DATA_NAMES = {"data_sha256": "data", "file": "file"}


class HistoryScreen(Screen[int | None]):
    """One asset's runs, newest first, with the lag changes and what changed in the settings
    since the run before; Enter opens one (dismissed with its index into the runs passed in)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="history_back"),
        Binding("f2", "back", "Back", show=False, id="history_runs"),  # the runs are one back
    ]

    def __init__(self, asset: str, runs: Sequence[Mapping]) -> None:
        super().__init__()
        self.asset = asset
        self.runs = runs  # dicts: asset, created_at, chosen_lag, skill, protocol, path
        self.steps = asset_history(runs, asset)
        self.briefs: dict[str, dict] = {}  # report path → verdict, options, data (a worker reads)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="history-summary")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield LagHistoryPlot(id="history-plot")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = f"{self.asset}: chosen lag over time"
        self.query_one("#history-summary", Static).update(
            Text(f"{self.asset}: {history_summary(self.steps)}"))
        table = self.query_one("#history-table", DataTable)
        table.border_title = f"{self.asset}, newest first: Enter opens a run"
        self._fill()
        self.query_one("#history-plot", LagHistoryPlot).show_steps(self.steps)
        table.focus()
        self.read([self._path(step) for step in self.steps])

    def _path(self, step) -> str:
        return str(self.runs[step.index].get("path", ""))

    @work(thread=True, exit_on_error=False, group="history")
    def read(self, paths: list[str]) -> None:
        self.post_message(BriefsRead(read_briefs(paths)))

    @on(BriefsRead)
    def _briefs(self, message: BriefsRead) -> None:
        self.briefs.update(message.briefs)
        self._fill()

    def settings_change(self, position: int) -> str:
        """What differs from the run before (option names, ``data`` for other data)."""
        if position == 0:
            return ""
        before = self.briefs.get(self._path(self.steps[position - 1]))
        now = self.briefs.get(self._path(self.steps[position]))
        if before is None or now is None:
            return "…"
        if "options" not in before or "options" not in now:
            return "?"
        names = [DATA_NAMES.get(d.name, d.name) for d in option_differences(before, now)]
        return ", ".join(dict.fromkeys(names)) or "same"

    def _fill(self) -> None:
        table = self.query_one("#history-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for key, label in HISTORY_COLUMNS:
            table.add_column(Text(label, justify="right" if key in ("lag", "skill") else "left"),
                             key=key)
        for position in reversed(range(len(self.steps))):
            step = self.steps[position]
            values = {"date": short_date(step.created_at),
                      "lag": lag_with_plateau(step.lag, step.plateau),  # 5 (4–32)
                      "change": step.change,
                      "skill": "—" if step.skill is None else f"{step.skill:+.3f}",
                      "verdict": self.briefs.get(self._path(step), {}).get("verdict", "…"),
                      "settings": self.settings_change(position)}
            table.add_row(*(Text(values[key], no_wrap=True,
                                 justify="right" if key in ("lag", "skill") else "left",
                                 style="bold" if key == "change" else "")
                            for key, _ in HISTORY_COLUMNS), key=str(step.index))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)

    @on(DataTable.RowSelected, "#history-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.dismiss(int(event.row_key.value))

    def action_back(self) -> None:
        self.dismiss(None)
