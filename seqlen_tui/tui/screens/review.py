"""The review screen: stored runs (asset, date, file, chosen lag, skill); Enter opens one.

Runs are listed from the runs folder in a worker (a folder can hold many reports); opening
one reads its JSON and shows it on the run screen without recomputing anything. ``/`` filters
the table by asset or file; ``e`` exports the shown runs as CSV (a new file each time).

Column widths are computed here, from the rows, whenever the rows or the table's width change,
and the columns are rebuilt with those widths before the rows go in: Textual's DataTable only
widens auto-width columns on its own idle pass, and a frame painted before that pass stays
cached at the labels' widths (dates cut to the day, file names to 4 letters) until the table's
caches are cleared.
"""

from __future__ import annotations

import csv
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

COLUMNS = (("asset", "asset"), ("date", "date (UTC)"), ("lag", "lag"), ("skill", "skill"),
           ("protocol", "protocol"), ("file", "file"))
JUSTIFY = {"lag": "right", "skill": "right"}  # numbers line up on the right
EXPORT_FIELDS = ("asset", "created_at", "chosen_lag", "skill", "protocol", "file", "report")
SEPARATORS = "/\\"
BORDERS = 2  # #runs's round border, left and right (app.tcss); #runs.-tight has none


class RunsListed(Message):
    def __init__(self, runs: list) -> None:
        super().__init__()
        self.runs = runs


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


def cells(run, seconds: bool) -> dict[str, str]:
    return {"asset": run.asset, "date": run_date(run.created_at, seconds),
            "lag": "—" if run.chosen_lag is None else str(run.chosen_lag),
            "skill": "—" if run.skill is None else f"{run.skill:+.3f}",
            "protocol": run.protocol or "?", "file": run.file or "—"}


class RunsTable(DataTable):
    """The runs table; says when its width changes, so the screen can re-fit the columns."""

    class Resized(Message):
        pass

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())


class ReviewScreen(Screen):
    """Stored runs, newest first."""

    BINDINGS = [
        # "/", Enter in the filter and esc act before the next key is handed to a widget
        # (priority): what is typed right after "/" lands in the filter, even typed fast.
        Binding("escape", "back", "Back", priority=True, id="review_back"),
        Binding("f6", "refresh", "Refresh", id="review_refresh"),
        Binding("g", "refresh", "Refresh", show=False, id="review_refresh_alt"),
        Binding("slash", "filter", "Filter", priority=True, id="review_filter"),
        Binding("enter", "leave_filter", "", show=False, priority=True,  # no help/palette line
                id="review_leave_filter"),
        Binding("e", "export", "Export", id="review_export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.runs: list = []
        self.shown: list[int] = []  # indexes into self.runs, in table order
        self._fitted: tuple | None = None  # (width, runs, shown) the columns were fitted to

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="runs-info")
        with Horizontal(id="runs-bar"):
            yield Input(placeholder="/ filter by asset or file", id="runs-filter", compact=True)
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
        from ..paths import display_path

        self.query_one("#runs-info", Static).update(f"runs folder: {display_path(runs_dir)}")
        self.list_runs(runs_dir)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review")
    def list_runs(self, runs_dir: Path) -> None:
        from seqlen_tui.core.report import list_runs

        self.post_message(RunsListed(list_runs(runs_dir)))

    @on(RunsListed)
    def _listed(self, message: RunsListed) -> None:
        self.runs = message.runs
        self._fill()
        if not self.runs:
            from ..paths import display_path

            self.query_one("#runs-info", Static).update(
                f"runs folder: {display_path(self.app.config.resolved_runs_dir())} — no runs "
                "yet: finish a run (f5 on the main screen) and it appears here")

    # ----- the table -------------------------------------------------------------------------

    def _matches(self, run, query: str) -> bool:
        return not query or any(query in text.lower()
                                for text in (run.asset, run.file, Path(run.path).name))

    def _fill(self) -> None:
        """Shows the runs the filter lets through, columns fitted to the rows and the width."""
        query = self.query_one("#runs-filter", Input).value.strip().lower()
        self.shown = [i for i, run in enumerate(self.runs) if self._matches(run, query)]
        count = self.query_one("#runs-count", Static)
        total = f"{len(self.runs)} run{'s' if len(self.runs) != 1 else ''}"
        count.update(total if len(self.shown) == len(self.runs) else f"{len(self.shown)} of {total}")
        self._build()

    def _layout(self, table: DataTable, seconds: bool) -> tuple[dict[str, int], bool]:
        """The columns shown and their widths, and whether the table drops its side borders.

        Every column is as wide as its longest value (over all runs, so filtering does not
        make columns jump); the file column gets the rest of the row, never less than the
        longest file name (paths are shortened from the left to fit). When the row is short
        of room the protocol column goes first, then the table's side borders."""
        widths = {key: cell_len(label) for key, label in COLUMNS}
        longest_name = widths["file"]
        longest_path = widths["file"]
        for run in self.runs:
            for key, text in cells(run, seconds).items():
                if key == "file":
                    longest_name = max(longest_name, cell_len(file_name(text)))
                    longest_path = max(longest_path, cell_len(text))
                else:
                    widths[key] = max(widths[key], cell_len(text))
        outer = table.outer_size.width
        if not outer:  # not laid out yet: whole paths; the first resize fits them
            return {**widths, "file": longest_path}, False
        if len(self.shown) + 1 > table.content_region.height:  # header and rows
            outer -= table.styles.scrollbar_size_vertical
        padding = 2 * table.cell_padding
        options = [(widths, False), ({k: w for k, w in widths.items() if k != "protocol"}, False),
                   ({k: w for k, w in widths.items() if k != "protocol"}, True)]
        for keys, tight in options:
            room = outer - (0 if tight else BORDERS)
            rest = room - sum(w + padding for k, w in keys.items() if k != "file") - padding
            if rest >= longest_name:
                return {**keys, "file": rest}, tight
        return {**options[-1][0], "file": longest_name}, True  # scrolls sideways

    def _build(self) -> None:
        table = self.query_one("#runs", DataTable)
        minutes = [(run.asset, run_date(run.created_at)) for run in self.runs]
        seconds = len(set(minutes)) < len(minutes)  # two runs of an asset in one minute
        widths, tight = self._layout(table, seconds)
        self._fitted = (table.outer_size.width, id(self.runs), tuple(self.shown))
        table.set_class(tight, "-tight")
        highlighted = self.shown_index()
        # Columns first, with their final widths, then the rows: nothing is measured later
        # (clear(columns=True) also drops the table's cached lines).
        table.clear(columns=True)
        for key, label in COLUMNS:
            if key in widths:
                table.add_column(Text(label, justify=JUSTIFY.get(key, "left")),
                                 width=widths[key], key=key)
        for index in self.shown:
            values = cells(self.runs[index], seconds)
            values["file"] = shorten_left(values["file"], widths["file"])
            table.add_row(*(Text(values[key], no_wrap=True, overflow="ellipsis",
                                 justify=JUSTIFY.get(key, "left"))
                            for key, _ in COLUMNS if key in widths), key=str(index))
        if highlighted in self.shown:
            table.move_cursor(row=self.shown.index(highlighted), animate=False)
        self.refresh_bindings()

    @on(RunsTable.Resized)
    def _resized(self) -> None:
        table = self.query_one("#runs", DataTable)
        if self._fitted != (table.outer_size.width, id(self.runs), tuple(self.shown)):
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
        return True

    def action_export(self) -> None:
        """The shown runs as CSV in the runs folder, in a new file each time
        (``runs_<UTC time>.csv``, ``-2``, ``-3``… if taken): nothing is overwritten."""
        from seqlen_tui.core.report import write_new_file

        from ..paths import display_path

        if not self.shown:
            return
        runs_dir = self.app.config.resolved_runs_dir()
        runs = [self.runs[index] for index in self.shown]

        def write(handle) -> None:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(EXPORT_FIELDS)
            for run in runs:
                writer.writerow([run.asset, run.created_at,
                                 "" if run.chosen_lag is None else run.chosen_lag,
                                 "" if run.skill is None else run.skill, run.protocol,
                                 run.file, Path(run.path).name])

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        try:
            runs_dir.mkdir(parents=True, exist_ok=True)
            path = write_new_file(runs_dir, f"runs_{stamp}", ".csv", write, newline="")
        except OSError as exc:
            self.notify(f"cannot write in {display_path(runs_dir)}: {exc.strerror or exc}",
                        severity="error", title="Not exported")
            return
        self.notify(f"{len(runs)} run{'s' if len(runs) != 1 else ''} as CSV in "
                    f"{display_path(path)}", title="Exported")

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
