"""The review screen: stored runs (asset, date, file, chosen lag, skill); Enter opens one.

Runs are listed from the runs folder in a worker (a folder can hold many reports); opening
one reads its JSON and shows it on the run screen without recomputing anything.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState


class RunsListed(Message):
    def __init__(self, runs: list) -> None:
        super().__init__()
        self.runs = runs


class ReviewScreen(Screen):
    """Stored runs, newest first."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="review_back"),
        Binding("f6", "refresh", "Refresh", id="review_refresh"),
        Binding("g", "refresh", "Refresh", show=False, id="review_refresh_alt"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.runs: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="runs-info")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "stored runs"
        table = self.query_one("#runs", DataTable)
        table.border_title = "Stored runs: Enter opens one"
        for key, label in (("asset", "asset"), ("date", "date (UTC)"), ("lag", "lag"),
                           ("skill", "skill"), ("protocol", "protocol"), ("file", "file")):
            table.add_column(label, key=key)
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
        table = self.query_one("#runs", DataTable)
        table.clear()
        for index, run in enumerate(self.runs):
            skill = "—" if run.skill is None else f"{run.skill:+.3f}"
            table.add_row(run.asset, run.created_at[:16].replace("T", " "),
                          "—" if run.chosen_lag is None else str(run.chosen_lag), skill,
                          run.protocol or "?", Path(run.file).name, key=str(index))
        if not self.runs:
            from ..paths import display_path

            self.query_one("#runs-info", Static).update(
                f"runs folder: {display_path(self.app.config.resolved_runs_dir())} — no runs "
                "yet: finish a run (f5 on the main screen) and it appears here")

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
        self.app.pop_screen()
