"""The review screen: stored runs (asset, date, file, chosen lag, skill); Enter opens one.

Runs are listed from the runs folder in a worker (a folder can hold many reports); opening
one reads its JSON and shows it on the run screen without recomputing anything. ``/`` filters
the table by asset or file; ``e`` exports the shown runs as CSV (a new file each time).

The runs come grouped by asset (the asset whose latest run is newest first, each asset's runs
newest first, its name dimmed after its first row), and a run whose chosen lag differs from
its asset's previous run says so in the ``Δ lag`` column (``24→48``; on a narrow screen an
arrow beside the lag). ``h`` shows the highlighted asset's history; ``m`` marks a run and ``c``
compares it with the highlighted one (without a mark: with the asset's previous run); ``l``
switches to the morning view, the latest run of every asset with its verdict in a word,
sorted by ``s`` (``d`` reverses) and exported by ``e`` like the runs. The arithmetic is
:mod:`seqlen_tui.core.history`'s; the compare and history screens are in :mod:`.compare`.

Column widths are computed here, from the rows, whenever the rows or the table's width change,
and the columns are rebuilt with those widths before the rows go in: Textual's DataTable only
widens auto-width columns on its own idle pass, and a frame painted before that pass stays
cached at the labels' widths (dates cut to the day, file names to 4 letters) until the table's
caches are cleared.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from seqlen_tui.core.history import (
    MORNING_SORTS,
    change_label,
    grouped_order,
    lag_changes,
    latest_per_asset,
    morning_view,
    other_judges,
    previous_runs,
    sort_morning,
)

from ..widgets.filter_input import FilterInput
from .compare import CompareScreen, HistoryScreen, VerdictsRead, read_verdicts

# The judge column (the network that judged the lags: ``LSTM(16)``, ``2 × LSTM(64)``) shows
# only when some run's judge is not the default, and then only where it fits once every other
# column has its room: it is the first to give way. At 80 columns the other columns already
# share the row (the protocol column goes to keep file names whole), so a folder of default
# runs looks exactly as before, and a judge never pushes out what showed without it.
COLUMNS = (("asset", "asset"), ("date", "date (UTC)"), ("lag", "lag"), ("change", "Δ lag"),
           ("skill", "skill"), ("protocol", "protocol"), ("judge", "judge"), ("file", "file"))
JUSTIFY = {"lag": "right", "skill": "right", "change": "right", "runs": "right"}  # numbers right
EXPORT_FIELDS = ("asset", "created_at", "chosen_lag", "skill", "protocol", "judge", "file", "report")
#: The morning view (``l``): the latest run of each asset. Runs, judge and file show when they fit.
LATEST_COLUMNS = (("asset", "asset"), ("date", "date (UTC)"), ("lag", "lag"), ("change", "Δ lag"),
                  ("skill", "skill"), ("verdict", "verdict"), ("runs", "runs"), ("judge", "judge"),
                  ("file", "file"))
LATEST_OPTIONAL = ("runs", "judge", "file")
LATEST_EXPORT_FIELDS = ("asset", "created_at", "chosen_lag", "previous_lag", "change", "skill",
                        "verdict", "runs", "protocol", "judge", "file", "report")
DESCENDING = ("date", "skill")  # the morning view's columns sorted high to low at first
MARK = "●"  # the marked run's row label (c compares it with the highlighted run)
SEPARATORS = "/\\"
BORDERS = 2  # #runs's round border, left and right (app.tcss); #runs.-tight has none


class RunsListed(Message):
    def __init__(self, runs: list, skipped: list = ()) -> None:
        super().__init__()
        self.runs = runs
        self.skipped = list(skipped)  # (path, why) of damaged reports left out


def shorten_left(path: str, width: int) -> str:
    """``path`` when it fits in ``width`` cells, else ``…`` and as many trailing folders as fit;
    the file name itself is never cut (it is returned whole even when wider)."""
    if cell_len(path) <= width:
        return path
    for index, char in enumerate(path):  # the longest tail that fits comes first
        if char in SEPARATORS and 1 + cell_len(path[index:]) <= width:
            return "…" + path[index:]
    return file_name(path)


def file_name(path: str) -> str:
    return path[max(path.rfind(sep) for sep in SEPARATORS) + 1:]


def run_date(created_at: str, seconds: bool = False) -> str:
    """``2026-11-25 04:19`` (with ``:59`` seconds when two runs would look alike)."""
    return created_at.replace("T", " ")[:19 if seconds else 16] or "—"


def cells(run, seconds: bool, change: tuple | None = None, arrows: bool = False) -> dict[str, str]:
    """A run's cells; ``change``: (lag before, lag now) where the lag changed since the asset's
    previous run, shown as ``24→48``, or with ``arrows`` as ``↑48`` in the lag cell."""
    lag = "—" if run.chosen_lag is None else str(run.chosen_lag)
    if arrows and change:
        before, after = change
        lag = ("•" if before is None or after is None else "↑" if after > before else "↓") + lag
    return {"asset": run.asset, "date": run_date(run.created_at, seconds), "lag": lag,
            "change": change_label(*change) if change else "",
            "skill": "—" if run.skill is None else f"{run.skill:+.3f}",
            "protocol": run.protocol or "?", "judge": run.judge or "—", "file": run.file or "—"}


def summary(run) -> dict:
    """A listed run as the dict :mod:`seqlen_tui.core.history` reads."""
    plateau = run.plateau  # (low, high) of the one-SE set: kept as the report keeps it
    return {"asset": run.asset, "created_at": run.created_at, "chosen_lag": run.chosen_lag,
            "skill": run.skill, "protocol": run.protocol, "judge": run.judge, "file": run.file,
            "path": str(run.path),
            "plateau": None if plateau is None else {"low": plateau[0], "high": plateau[1]}}


@dataclass(frozen=True)
class Measured:
    """Each column's widest cell over every run or asset (its label included), so neither
    filtering nor sorting makes a column jump."""

    widths: dict[str, int]  # by column key; the file column's is its label's
    longest_name: int  # the longest file name: a path is shortened to no less
    longest_path: int = 0  # the longest whole path (the file column before the first layout)
    arrow_lag: int = 0  # the lag column with its arrow (``↑48``), when ``Δ lag`` gives way


def measure_runs(runs: list, changes: dict[int, tuple], seconds: bool) -> Measured:
    """The runs view's columns at their widest; ``Δ lag`` only when some run's lag changed,
    the judge only when some run's is not the default."""
    widths = {key: cell_len(label) for key, label in COLUMNS}
    if not changes:
        del widths["change"]
    if not other_judges(run.judge for run in runs):
        del widths["judge"]
    arrow_lag = widths["lag"]
    longest_name = widths["file"]
    longest_path = widths["file"]
    for index, run in enumerate(runs):
        for key, text in cells(run, seconds, changes.get(index)).items():
            if key == "file":
                longest_name = max(longest_name, cell_len(file_name(text)))
                longest_path = max(longest_path, cell_len(text))
            elif key in widths:
                widths[key] = max(widths[key], cell_len(text))
        if index in changes:
            arrow_lag = max(arrow_lag, cell_len(cells(run, seconds, changes[index], arrows=True)["lag"]))
    return Measured(widths, longest_name, longest_path, arrow_lag)


def runs_layouts(measured: Measured) -> list[tuple[dict[str, int], bool]]:
    """The runs view's layouts, widest first, each with whether it drops the side borders:
    every column; without protocol; without the borders too; and, when ``Δ lag`` shows, with
    an arrow beside the lag instead of it. None has the judge: :func:`fit_runs` adds it."""
    widths = {k: w for k, w in measured.widths.items() if k != "judge"}
    slim = {k: w for k, w in widths.items() if k != "protocol"}
    layouts = [(widths, False), (slim, False), (slim, True)]
    if "change" in widths:
        layouts.append(({**{k: w for k, w in slim.items() if k != "change"},
                         "lag": measured.arrow_lag}, True))
    return layouts


def fit_runs(measured: Measured, outer: int, padding: int) -> tuple[dict[str, int], bool]:
    """The first layout whose file column (the rest of the row) holds the longest file name,
    with the judge (when measured) if the file still holds it beside it; with none, the
    narrowest, and the table scrolls sideways."""
    layouts = runs_layouts(measured)
    judge = measured.widths.get("judge")
    for keys, tight in layouts:
        room = outer - (0 if tight else BORDERS)
        rest = room - sum(w + padding for k, w in keys.items() if k != "file") - padding
        if rest < measured.longest_name:
            continue
        if judge is not None and rest - judge - padding >= measured.longest_name:
            return {**keys, "judge": judge, "file": rest - judge - padding}, tight
        return {**keys, "file": rest}, tight
    return {**layouts[-1][0], "file": measured.longest_name}, True  # scrolls sideways


def fit_latest(measured: Measured, outer: int, padding: int) -> tuple[dict[str, int], bool]:
    """The morning view's columns: asset to verdict always, then the run count, the file (the
    rest of the row) and the judge (when measured) while they fit; the side borders go before
    they do. The judge gives way to the file: it shows beside it, or alone where the file
    does not fit."""
    widths = measured.widths
    required = {k: w for k, w in widths.items() if k not in LATEST_OPTIONAL}
    for tight in (False, True):
        room = outer - (0 if tight else BORDERS) - sum(w + padding for w in required.values())
        if room < 0:
            continue
        chosen = dict(required)
        if room >= widths["runs"] + padding:
            chosen["runs"] = widths["runs"]
            room -= widths["runs"] + padding
        file_fits = room - padding >= measured.longest_name
        judge = widths.get("judge")
        if judge is not None and room - judge - padding >= (padding + measured.longest_name
                                                            if file_fits else 0):
            chosen["judge"] = judge
            room -= judge + padding
        if file_fits:
            chosen["file"] = room - padding
        return chosen, tight
    return required, True  # scrolls sideways


class RunsTable(DataTable):
    """The runs table; says when its width changes, so the screen can re-fit the columns."""

    class Resized(Message):
        pass

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())


class ReviewScreen(Screen):
    """Stored runs grouped by asset, newest first; or the latest run of each asset."""

    BINDINGS = [
        # "/", Enter in the filter and esc act before the next key is handed to a widget
        # (priority): what is typed right after "/" lands in the filter, even typed fast.
        Binding("escape", "back", "Back", priority=True, id="review_back"),
        Binding("f6", "refresh", "Refresh", show=False, id="review_refresh"),
        Binding("g", "refresh", "Refresh", show=False, id="review_refresh_alt"),
        # f2 opens this screen; here it lists the runs again (and the footer keeps its room)
        Binding("f2", "refresh", "Refresh", show=False, id="review_refresh_f2"),
        Binding("slash", "filter", "Filter", priority=True, id="review_filter"),
        Binding("enter", "leave_filter", "", show=False, priority=True,  # no help/palette line
                id="review_leave_filter"),
        Binding("e", "export", "Export", id="review_export"),
        # One key, two bindings: check_action keeps the one that applies (and its label).
        Binding("l", "latest", "Latest", id="review_latest"),
        Binding("l", "all_runs", "All", id="review_all"),
        Binding("s", "sort", "Sort", id="review_sort"),
        Binding("d", "flip_sort", "Reverse sort", show=False, id="review_flip_sort"),
        Binding("c", "compare", "Compare", id="review_compare"),
        # Not in the footer (80 columns hold no more): the line above the table says them.
        Binding("m", "mark", "Mark", show=False, id="review_mark"),
        Binding("space", "mark", "Mark", show=False, id="review_mark_alt"),
        Binding("h", "history", "History", show=False, id="review_history"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.runs: list = []
        self.shown: list[int] = []  # indexes into self.runs, in table order
        self._fitted: tuple | None = None  # (width, runs, shown, …) the columns were fitted to
        self.mode = "all"  # or "latest": the morning view
        self.summaries: list[dict] = []  # self.runs as core.history reads them
        self.order: list[int] = []  # self.runs grouped by asset
        self.changes: dict[int, tuple] = {}  # run → (lag before, lag now) where it changed
        self.previous: dict[int, int] = {}  # run → the asset's run before it
        self.latest: list = []  # core.history.LatestRun of each asset
        self.verdicts: dict[str, str] = {}  # report path → verdict in a word (read in a worker)
        self.sort_column, self.sort_reverse = "asset", False  # the morning view's order
        self.marked: Path | None = None  # the marked run's report (c compares with it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="runs-info")
        with Horizontal(id="runs-bar"):
            yield FilterInput(placeholder="/ filter by asset or file", id="runs-filter", compact=True)
            yield Static("", id="runs-count")
        yield RunsTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)  # at 80 columns every key must fit

    def on_mount(self) -> None:
        self.sub_title = "stored runs"
        table = self.query_one("#runs", DataTable)
        table.border_title = "Stored runs: Enter opens one"
        self._fill()
        table.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        runs_dir = self.app.config.resolved_runs_dir()
        self.query_one("#runs-info", Static).update(self._folder_text())
        self.list_runs(runs_dir)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review")
    def list_runs(self, runs_dir: Path) -> None:
        from seqlen_tui.core.report import list_runs

        skipped: list = []
        runs = list_runs(runs_dir, skipped)
        self.post_message(RunsListed(runs, skipped))

    @on(RunsListed)
    def _listed(self, message: RunsListed) -> None:
        if message.skipped:  # one damaged report never hides the others: say which, list the rest
            names = ", ".join(f"{path.name} ({why})" for path, why in message.skipped[:3])
            more = len(message.skipped) - 3
            self.notify(names + (f" and {more} more" if more > 0 else ""), severity="warning",
                        title=f"Skipped {len(message.skipped)} damaged report"
                              f"{'s' * (len(message.skipped) != 1)}", timeout=12)
        self.runs = message.runs
        self.summaries = [summary(run) for run in self.runs]
        self.order = grouped_order(self.summaries)
        self.changes = lag_changes(self.summaries)
        self.previous = previous_runs(self.summaries)
        self._derive_latest()
        self._fill()
        self._show_info()
        missing = [str(self.runs[i].path) for i in latest_per_asset(self.summaries)
                   if str(self.runs[i].path) not in self.verdicts]
        if missing:
            self.load_verdicts(missing)

    @work(thread=True, exit_on_error=False, group="review")
    def load_verdicts(self, paths: list[str]) -> None:
        """The verdict of each asset's latest run: only the reports themselves say it."""
        self.post_message(VerdictsRead(read_verdicts(paths)))

    @on(VerdictsRead)
    def _verdicts_read(self, message: VerdictsRead) -> None:
        self.verdicts.update(message.verdicts)
        self._derive_latest()
        if self.mode == "latest":
            self._fill()

    def _derive_latest(self) -> None:
        latest = latest_per_asset(self.summaries)
        self.latest = morning_view(self.summaries, {
            index: self.verdicts.get(str(self.runs[index].path), "…") for index in latest})

    def _marked_index(self) -> int | None:
        return next((i for i, run in enumerate(self.runs) if run.path == self.marked), None)

    def _folder_text(self, after: int = 0) -> str:
        """"runs folder: PATH", the path fitted to the line with ``after`` more characters
        behind it: middle folders left out, the folder's own name whole (the line would
        fold a long path mid-name)."""
        from ..paths import display_path

        label = "runs folder: "
        width = self.query_one("#runs-info", Static).content_size.width
        room = max(12, width - len(label) - after) if width else None
        return label + display_path(self.app.config.resolved_runs_dir(), room)

    def _show_info(self) -> None:
        """The runs folder, and the marked run if any (or, with none yet, how to mark)."""
        if not self.runs:
            text = (f"{self._folder_text()} — no runs yet: finish a run (f5 on the main screen) and it "
                    "appears here")
        elif (marked := self._marked_index()) is not None:
            run = self.runs[marked]
            text = f"{MARK} marked: {run.asset} {run_date(run.created_at)} · c compares it with the highlighted run"
        else:
            hints = " · m marks a run, c compares · h history"
            text = self._folder_text(len(hints)) + hints
        self.query_one("#runs-info", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))

    # ----- the table -------------------------------------------------------------------------

    def _matches(self, run, query: str) -> bool:
        return not query or any(query in text.lower()
                                for text in (run.asset, run.file, Path(run.path).name))

    def _fill(self) -> None:
        """Shows the runs the filter lets through, columns fitted to the rows and the width."""
        query = self.query_one("#runs-filter", Input).value.strip().lower()
        if self.mode == "latest":
            rows = sort_morning(self.latest, self.sort_column, self.sort_reverse)
            self.shown = [row.index for row in rows if self._matches(self.runs[row.index], query)]
            every, unit = len(rows), "asset"
        else:
            self.shown = [i for i in self.order if self._matches(self.runs[i], query)]
            every, unit = len(self.runs), "run"
        count = self.query_one("#runs-count", Static)
        total = f"{every} {unit}{'s' if every != 1 else ''}"
        count.update(total if len(self.shown) == every else f"{len(self.shown)} of {total}")
        self._build()

    def _layout(self, table: DataTable, seconds: bool) -> tuple[dict[str, int], bool]:
        """The columns shown and their widths, and whether the table drops its side borders.

        Every column is as wide as its longest value (over all runs, so filtering does not
        make columns jump); the file column gets the rest of the row, never less than the
        longest file name (paths are shortened from the left to fit). When the row is short
        of room the protocol column goes first, then the table's side borders, then the
        ``Δ lag`` column (an arrow beside the lag says it instead). That column shows only
        when some run's lag changed."""
        measured = measure_runs(self.runs, self.changes, seconds)
        if not table.outer_size.width:  # not laid out yet: whole paths; the first resize fits them
            return {**measured.widths, "file": measured.longest_path}, False
        return fit_runs(measured, self._room(table), 2 * table.cell_padding)

    def _room(self, table: DataTable) -> int:
        """The table's width for its columns: less the scrollbar when the rows overflow, less
        the row-label column while the marked run is shown."""
        outer = table.outer_size.width
        if len(self.shown) + 1 > table.content_region.height:  # header and rows
            outer -= table.styles.scrollbar_size_vertical
        if self._marked_index() in self.shown:  # the mark's row-label column
            outer -= cell_len(MARK) + 2 * table.cell_padding
        return outer

    def _fit_key(self, table: DataTable) -> tuple:
        return (table.outer_size.width, id(self.runs), tuple(self.shown), self.mode, self.marked)

    def _build(self) -> None:
        table = self.query_one("#runs", DataTable)
        minutes = [(run.asset, run_date(run.created_at)) for run in self.runs]
        seconds = len(set(minutes)) < len(minutes)  # two runs of an asset in one minute
        if self.mode == "latest":
            columns, widths, tight = self._latest_layout(table)
        else:
            columns = COLUMNS
            widths, tight = self._layout(table, seconds)
        arrows = self.mode == "all" and bool(self.changes) and "change" not in widths
        self._fitted = self._fit_key(table)
        table.set_class(tight, "-tight")
        highlighted = self.shown_index()
        marked = self._marked_index()
        # Columns first, with their final widths, then the rows: nothing is measured later
        # (clear(columns=True) also drops the table's cached lines).
        table.clear(columns=True)
        for key, label in columns:
            if key in widths:
                table.add_column(Text(self._label(key, label), justify=JUSTIFY.get(key, "left")),
                                 width=widths[key], key=key)
        latest = {row.index: row for row in self.latest}
        above = None  # the asset of the row above: an asset's later rows dim its name
        for index in self.shown:
            run = self.runs[index]
            if self.mode == "latest":
                values = self._latest_cells(latest[index], seconds)
            else:
                values = cells(run, seconds, self.changes.get(index), arrows)
            values["file"] = shorten_left(values.get("file", ""), widths.get("file", 0))
            styles = {"asset": "dim" if self.mode == "all" and run.asset == above else "",
                      "change": "bold"}
            above = run.asset
            table.add_row(*(Text(values[key], no_wrap=True, overflow="ellipsis",
                                 justify=JUSTIFY.get(key, "left"), style=styles.get(key, ""))
                            for key, _ in columns if key in widths), key=str(index),
                          label=Text(MARK) if index == marked else None)
        if highlighted is not None and highlighted not in self.shown:
            # the morning view shows one run per asset: stay on the highlighted run's asset
            highlighted = next((i for i in self.shown
                                if self.runs[i].asset == self.runs[highlighted].asset), None)
        if highlighted in self.shown:
            table.move_cursor(row=self.shown.index(highlighted), animate=False)
        table.border_title = ("Latest run per asset: Enter opens one" if self.mode == "latest"
                              else "Stored runs by asset, newest first: Enter opens one")
        self.refresh_bindings()

    def _label(self, key: str, label: str) -> str:
        """A column's label; the morning view's sorted column carries its direction."""
        if self.mode != "latest" or key != self.sort_column:
            return label
        descending = (key in DESCENDING) != self.sort_reverse
        return f"{label} {'▼' if descending else '▲'}"

    def _latest_cells(self, row, seconds: bool) -> dict[str, str]:
        run = self.runs[row.index]
        return {"asset": row.asset, "date": run_date(row.created_at, seconds),
                "lag": "—" if row.lag is None else str(row.lag), "change": row.change,
                "skill": "—" if row.skill is None else f"{row.skill:+.3f}",
                "verdict": row.verdict, "runs": str(row.runs), "judge": row.judge or "—",
                "file": run.file or "—"}

    def _latest_layout(self, table: DataTable) -> tuple[tuple, dict[str, int], bool]:
        """The morning view's columns and widths (over every asset, so neither filtering nor
        sorting makes them jump; a sortable label has room for its arrow): asset to verdict
        always, then the run count and the file (the rest of the row, paths shortened from the
        left) while they fit; the side borders go before they do."""
        measured = self._measure_latest()
        if not table.outer_size.width:
            return LATEST_COLUMNS, measured.widths, False
        widths, tight = fit_latest(measured, self._room(table), 2 * table.cell_padding)
        return LATEST_COLUMNS, widths, tight

    def _measure_latest(self) -> Measured:
        """The morning view's columns at their widest, over the latest run of every asset."""
        widths = {key: cell_len(label) + (2 if key in MORNING_SORTS else 0)
                  for key, label in LATEST_COLUMNS}
        if not other_judges(row.judge for row in self.latest):
            del widths["judge"]
        longest_name = widths["file"]
        for row in self.latest:
            for key, text in self._latest_cells(row, False).items():
                if key == "file":
                    longest_name = max(longest_name, cell_len(file_name(text)))
                elif key in widths:
                    widths[key] = max(widths[key], cell_len(text))
        return Measured(widths, longest_name)

    @on(RunsTable.Resized)
    def _resized(self) -> None:
        table = self.query_one("#runs", DataTable)
        if self._fitted != self._fit_key(table):
            self._build()

    def shown_index(self) -> int | None:
        """The highlighted run (an index into ``self.runs``), if any."""
        table = self.query_one("#runs", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value)

    # ----- filter and export -----------------------------------------------------------------

    @on(Input.Changed, "#runs-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill()

    # Focus moves at once (Screen.set_focus, not Widget.focus, which waits for the keys
    # already queued), and a key that is not for us here goes on to the focused widget.

    def _in_filter(self) -> bool:
        return self.focused is self.query_one("#runs-filter", Input)

    def action_filter(self) -> None:
        if self._in_filter():
            raise SkipAction()  # "/" is typed into the filter (paths have them)
        self.set_focus(self.query_one("#runs-filter", Input))

    def action_leave_filter(self) -> None:
        if not self._in_filter():
            raise SkipAction()  # Enter in the table opens the run
        self.set_focus(self.query_one("#runs", DataTable))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return bool(self.shown)
        if action == "latest":
            return self.mode == "all"
        if action in ("all_runs", "sort", "flip_sort"):
            return self.mode == "latest"
        return True

    def action_export(self) -> None:
        """The shown runs (or, in the morning view, the shown assets' latest runs) as CSV in
        the runs folder, in a new file each time (``runs_<UTC time>.csv`` or
        ``latest_<UTC time>.csv``, ``-2``, ``-3``… if taken): nothing is overwritten."""
        from seqlen_tui.core.report import write_new_file

        from ..paths import toast_path

        if not self.shown:
            return
        runs_dir = self.app.config.resolved_runs_dir()
        runs = [self.runs[index] for index in self.shown]
        if self.mode == "latest":
            missing = [str(run.path) for run in runs if str(run.path) not in self.verdicts]
            if missing:  # a few small reads: the file says what the screen will say
                self.verdicts.update(read_verdicts(missing))
                self._derive_latest()
            latest = {row.index: row for row in self.latest}
            rows = [latest[index] for index in self.shown]

        def write(handle) -> None:
            writer = csv.writer(handle, lineterminator="\n")
            if self.mode == "latest":
                writer.writerow(LATEST_EXPORT_FIELDS)
                for row in rows:
                    run = self.runs[row.index]
                    writer.writerow([row.asset, row.created_at, "" if row.lag is None else row.lag,
                                     "" if row.previous is None or row.runs == 1 else row.previous,
                                     row.change, "" if row.skill is None else row.skill,
                                     row.verdict, row.runs, run.protocol, run.judge or "",
                                     run.file,
                                     Path(run.path).name])
                return
            writer.writerow(EXPORT_FIELDS)
            for run in runs:
                writer.writerow([run.asset, run.created_at,
                                 "" if run.chosen_lag is None else run.chosen_lag,
                                 "" if run.skill is None else run.skill, run.protocol,
                                 run.judge or "", run.file, Path(run.path).name])

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        stem, unit = ("latest", "asset") if self.mode == "latest" else ("runs", "run")
        try:
            runs_dir.mkdir(parents=True, exist_ok=True)
            path = write_new_file(runs_dir, f"{stem}_{stamp}", ".csv", write, newline="")
        except OSError as exc:
            self.notify(f"cannot write in {toast_path(runs_dir, self.app.size.width)}: {exc.strerror or exc}",
                        severity="error", title="Not exported")
            return
        self.notify(f"{len(runs)} {unit}{'s' if len(runs) != 1 else ''} as CSV in "
                    f"{toast_path(path, self.app.size.width)}", title="Exported")

    # ----- the morning view, marks, comparing, one asset's history ---------------------------

    def action_latest(self) -> None:
        """The morning view: the latest run of every asset."""
        self.mode = "latest"
        self._fill()

    def action_all_runs(self) -> None:
        self.mode = "all"
        self._fill()

    def action_sort(self) -> None:
        """The morning view by its next column (asset, date, lag, Δ lag, skill, verdict)."""
        position = MORNING_SORTS.index(self.sort_column) if self.sort_column in MORNING_SORTS else -1
        self.sort_column = MORNING_SORTS[(position + 1) % len(MORNING_SORTS)]
        self.sort_reverse = False
        self._fill()

    def action_flip_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._fill()

    def action_mark(self) -> None:
        """Marks the highlighted run for ``c`` (again: unmarks it; one run is marked at most)."""
        index = self.shown_index()
        if index is None:
            return
        path = self.runs[index].path
        self.marked = None if self.marked == path else path
        self._build()
        self._show_info()

    def action_compare(self) -> None:
        """The marked run and the highlighted one side by side (the older as A); with no other
        run marked, the highlighted run and its asset's previous run."""
        index = self.shown_index()
        if index is None:
            return
        other = self._marked_index()
        if other is None or other == index:
            other = self.previous.get(index)
        if other is None:
            self.notify("mark a run with m, highlight another and press c (or press c on a run "
                        "that has an earlier run of its asset)", title="Nothing to compare")
            return
        from seqlen_tui.core.errors import DataError
        from seqlen_tui.core.history import newest_first
        from seqlen_tui.core.report import load_run

        pair = [index, other]
        newer, older = (pair[i] for i in newest_first([self.summaries[i] for i in pair]))
        try:
            a, b = (load_run(str(self.runs[i].path), self.app.config.resolved_runs_dir())
                    for i in (older, newer))
        except DataError as exc:
            self.notify(str(exc), severity="error", title="Cannot compare")
            return
        self.app.push_screen(CompareScreen(a, b))

    def action_history(self) -> None:
        """The highlighted run's asset: its chosen lag over time (Enter there opens a run)."""
        index = self.shown_index()
        if index is None:
            return

        def opened(chosen: int | None) -> None:
            if chosen is not None:
                self.open_run(chosen)

        self.app.push_screen(HistoryScreen(self.runs[index].asset, self.summaries), opened)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "review" and event.state is WorkerState.ERROR:
            self.notify(str(event.worker.error), severity="error", title="Cannot list runs")

    @on(DataTable.RowSelected, "#runs")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.open_run(int(event.row_key.value))

    def open_run(self, index: int) -> None:
        from seqlen_tui.core.errors import DataError
        from seqlen_tui.core.report import load_run

        run = self.runs[index]
        try:
            report = load_run(str(run.path), self.app.config.resolved_runs_dir())
        except DataError as exc:
            self.notify(str(exc), severity="error", title="Cannot open this run")
            return
        from .run import RunScreen

        self.app.push_screen(RunScreen(report=report))

    def action_back(self) -> None:
        """Leaves the filter for the table first; from the table, back to the last screen."""
        if self._in_filter():
            self.set_focus(self.query_one("#runs", DataTable))
            return
        self.app.pop_screen()
