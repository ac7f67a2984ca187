"""The analyse screen: choose a file, see its summary, candidates and ACF plots.

The screen owns the analysis worker so results land where the widgets live.  Loading and
analysing run in a thread (pandas and statsmodels are imported there, not at start-up);
the worker reports back only through messages, and a failed load leaves the previous
results on screen untouched.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    DirectoryTree,
    Footer,
    Header,
    Input,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)
from textual.worker import Worker, WorkerState, get_current_worker

from ..messages import AnalysisFailed, AnalysisProgress, AnalysisReady
from ..widgets.acf_plot import AcfPlot
from ..widgets.file_tree import DataFileTree

#: (transform name in the core, tab label); the toggle key cycles through them.
PLOT_TABS = (("raw", "Raw"), ("diff", "Differenced"), ("logret", "Log returns"))
NO_FILE = "Choose a CSV or Parquet file on the left"


class AnalyzeScreen(Screen):
    """File chooser on the left; findings and ACF plots of the chosen file on the right."""

    BINDINGS = [
        Binding("f5", "reload", "Reload", id="reload"),
        Binding("r", "reload", "Reload", show=False, id="reload_alt"),
        Binding("ctrl+l", "focus_path", "Path", id="focus_path"),
        Binding("slash", "focus_path", "Path", show=False, id="focus_path_alt"),
        Binding("t", "toggle_plot", "Next plot", id="toggle_plot"),
        Binding("z", "zoom_plot", "Zoom plot", id="zoom_plot"),
        Binding("escape", "unzoom", "Unzoom", show=False, id="unzoom"),
    ]

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.initial_path = path
        self.current_path: str | None = None  # the file whose results are shown
        self._request = 0  # numbers each load; messages from older loads are dropped
        self._focus_before_zoom: Widget | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="chooser"):
                yield Input(
                    self.initial_path or "",
                    placeholder="path to CSV/Parquet, Enter",
                    compact=True,  # one row: at 80x24 every row counts
                    id="path",
                )
                yield DataFileTree(Path.cwd(), id="tree")
            with Vertical(id="results"):
                yield Static(NO_FILE, id="headline")
                yield TextArea("", read_only=True, soft_wrap=False, show_cursor=False, id="report")
                with TabbedContent(id="plots"):
                    for name, label in PLOT_TABS:
                        with TabPane(label, id=name):
                            yield AcfPlot(f"ACF {label.lower()}: no file yet", id=f"plot-{name}")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#chooser").border_title = "Open"
        self.query_one("#report").border_title = "Summary and findings"
        self.query_one("#tree", DataFileTree).focus()
        if self.initial_path:
            self.load(self.initial_path)

    # ----- loading -------------------------------------------------------------------------

    def load(self, path: str) -> None:
        """Start analysing ``path``; any load still running is cancelled (exclusive worker)."""
        self._request += 1
        self._set_status(f"analysing {Path(path).name}…")
        self.analyze_file(self._request, path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="analyze")
    def analyze_file(self, request: int, path: str) -> None:
        # Imported here, in the worker thread, so the first frame never waits for pandas.
        from seqlen_tui.core.analysis import analyze_series
        from seqlen_tui.core.data import load_series
        from seqlen_tui.core.describe import describe_findings, describe_summary
        from seqlen_tui.core.errors import DataError
        from seqlen_tui.core.events import Cancelled, Reporter

        worker = get_current_worker()

        def on_event(event) -> None:
            if event.kind == "stage":
                self.post_message(AnalysisProgress(request, event.message))

        try:
            self.post_message(AnalysisProgress(request, f"reading {Path(path).name}"))
            series = load_series(path)
            reporter = Reporter(on_event, worker.cancelled_event)
            analysis = analyze_series(series, reporter=reporter)
        except DataError as err:
            self.post_message(AnalysisFailed(request, path, str(err)))
            return
        except Cancelled:
            return
        if worker.is_cancelled:
            return
        lines = describe_summary(series.summary) + [""] + describe_findings(analysis)
        self.post_message(AnalysisReady(request, path, analysis, lines))

    @on(AnalysisProgress)
    def _show_progress(self, message: AnalysisProgress) -> None:
        if message.request == self._request:
            self._set_status(message.text + "…")

    @on(AnalysisReady)
    def _show_analysis(self, message: AnalysisReady) -> None:
        if message.request != self._request:
            return
        analysis = message.analysis
        self.current_path = message.path
        self.sub_title = message.path
        lags = ", ".join(map(str, analysis.candidates.lags)) or "none"
        self.query_one("#headline", Static).update(f"Candidate lengths: [b]{lags}[/b]")
        self.query_one("#report", TextArea).load_text("\n".join(message.lines))
        for name, label in PLOT_TABS:
            plot = self.query_one(f"#plot-{name}", AcfPlot)
            if name in analysis.transforms:
                plot.show_analysis(analysis.transforms[name])
            else:
                why = analysis.skipped.get(name, "not computed")
                plot.show_message(f"ACF {label.lower()}: {why}")
        summary = analysis.series.summary
        self._set_status(f"{Path(message.path).name}: {summary.n:,} points")

    @on(AnalysisFailed)
    def _show_failure(self, message: AnalysisFailed) -> None:
        if message.request != self._request:
            return
        self.notify(message.error, severity="error", title="Cannot use this file")
        self._restore_status()

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """An unexpected exception in a worker: say so, keep the app and old results."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"{type(error).__name__}: {error}", severity="error", title="Analysis failed"
            )
            self._restore_status()

    def _set_status(self, text: str) -> None:
        self.query_one("#report").border_subtitle = text

    def _restore_status(self) -> None:
        shown = Path(self.current_path).name if self.current_path else "no file"
        self._set_status(shown)

    # ----- events and actions ---------------------------------------------------------------

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        path = _display_path(event.path)
        self.query_one("#path", Input).value = path
        self.load(path)

    @on(Input.Submitted, "#path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self.notify("Type the path of a CSV or Parquet file first.", severity="warning")
            return
        self.load(str(Path(path).expanduser()))

    def action_reload(self) -> None:
        if self.current_path is None:
            self.notify("No file loaded yet: choose one on the left.", severity="warning")
            return
        self.load(self.current_path)

    def action_focus_path(self) -> None:
        self.query_one("#path", Input).focus()

    def action_toggle_plot(self) -> None:
        tabs = self.query_one("#plots", TabbedContent)
        names = [name for name, _ in PLOT_TABS]
        tabs.active = names[(names.index(tabs.active) + 1) % len(names)]

    def action_zoom_plot(self) -> None:
        """Plots full screen and back.  Focus moves to the plot tabs first: otherwise
        Textual would move it to the (hidden) path input, which then swallows keys."""
        if self.maximized is not None:
            self.action_unzoom()
            return
        plots = self.query_one("#plots", TabbedContent)
        self._focus_before_zoom = self.focused
        plots.query_one(Tabs).focus()
        self.maximize(plots)

    def action_unzoom(self) -> None:
        if self.maximized is None:
            return
        self.minimize()
        if self._focus_before_zoom is not None and self._focus_before_zoom.is_attached:
            self._focus_before_zoom.focus()
        self._focus_before_zoom = None


def _display_path(path: Path) -> str:
    """Relative to the working folder when inside it: shorter in the input and the title."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
