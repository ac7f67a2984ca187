"""The choose screen: pick a file, see its summary and ACF, set the run options, start a run.

The screen owns the analysis worker so results land where the widgets live.  Loading and
analysing run in a thread (pandas and statsmodels are imported there, not at start-up);
the worker reports back only through messages, and a failed load leaves the previous
choice and its results on screen untouched.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Checkbox,
    DirectoryTree,
    Footer,
    Header,
    Input,
    Select,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)
from textual.worker import Worker, WorkerState, get_current_worker

from ..messages import AnalysisFailed, AnalysisReady, CoreEvent
from ..paths import display_path
from ..widgets.acf_plot import AcfPlot
from ..widgets.file_tree import DataFileTree
from ..widgets.options_form import OptionsForm, PathLine
from ..words import in_app

#: (transform name in the core, tab label).
PLOT_TABS = (("raw", "Raw"), ("diff", "Differenced"), ("logret", "Log returns"))
#: The right-hand tabs, in the order ``t`` walks them.
TABS = ("summary", "options") + tuple(f"acf-{name}" for name, _ in PLOT_TABS)
NO_FILE = "Choose a CSV or Parquet file on the left"


class SummaryArea(TextArea):
    """The summary's text area: it says when its width changed, so the text is wrapped again
    to fit (only then: re-wrapping on every resize event of the screen feeds back into layout)."""

    class WidthChanged(Message):
        pass

    _last_width = 0

    def on_resize(self, event) -> None:
        if event.size.width != self._last_width:
            self._last_width = event.size.width
            self.post_message(self.WidthChanged())


class ChooseScreen(Screen):
    """File chooser on the left; summary, options and ACF plots of the chosen file on the right."""

    BINDINGS = [
        Binding("f5", "run", "Run", id="run"),
        Binding("ctrl+r", "run", "Run", show=False, id="run_alt"),
        Binding("ctrl+l", "focus_path", "Path", id="focus_path"),
        Binding("slash", "focus_path", "Path", show=False, id="focus_path_alt"),
        Binding("o", "options", "Options", id="options"),
        Binding("t", "next_tab", "Next tab", id="next_tab"),
        Binding("z", "zoom", "Zoom", show=False, id="zoom"),
        Binding("escape", "escape", "Back to files", show=False, id="escape"),
        Binding("f6", "reload", "Reload", show=False, id="reload"),
    ]

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.initial_path = path
        self.current_path: str | None = None  # the file whose results are shown
        self.current_column: str | None = None  # the column asked for (None: loader's choice)
        self.analysis = None  # the shown file's SeriesAnalysis
        self._request = 0  # numbers each load; messages from older loads are dropped
        self._focus_before_zoom: Widget | None = None
        self._options_timer = None  # debounces re-analysis while options are typed
        self._left_out: dict[int, str] = {}  # candidates a run with the form's options leaves out
        self._form_ready: asyncio.Future | None = None  # the Options form's build (options_form)

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
                with TabbedContent(id="tabs"):
                    with TabPane("Summary", id="summary"):
                        yield SummaryArea("", read_only=True, soft_wrap=True, show_cursor=False,
                                          id="report")
                    with TabPane("Options", id="options"):
                        yield OptionsForm(self.app.config.defaults, id="form")
                    for name, label in PLOT_TABS:
                        with TabPane(label, id=f"acf-{name}"):
                            yield AcfPlot(f"ACF {label.lower()}: no file yet", id=f"plot-{name}")
        yield Footer(compact=True)  # at 80 columns every key must fit

    def on_mount(self) -> None:
        self.query_one("#chooser").border_title = "Open"
        self.query_one("#tabs").border_subtitle = "no file"
        self.query_one("#tree", DataFileTree).focus()
        self._update_key_line()
        if self.initial_path:
            self.load(self.initial_path)

    # ----- loading -------------------------------------------------------------------------

    def load(self, path: str, column: str | None = None) -> None:
        """Start analysing ``path``; any load still running is cancelled (exclusive worker)."""
        self._request += 1
        self._set_status(f"analysing {Path(path).name}…")
        self.analyze_file(self._request, path, column, self.analysis_options())

    def analysis_options(self):
        """The options the run would use now: the form's when every field is valid, else the
        settings block's (the analysis must match the run, or the run analyses again)."""
        from seqlen_tui.core.errors import DataError
        from seqlen_tui.core.options import RunOptions

        form = self.query_one("#form", OptionsForm)
        defaults = dict(self.app.config.defaults)
        if form.is_mounted and form.options_valid():
            values = form.values()
            values.pop("asset"), values.pop("column")
            try:
                options = RunOptions(**values)
                options.validate()
                return options
            except DataError:
                pass
        return RunOptions(**defaults)

    @work(thread=True, exclusive=True, exit_on_error=False, group="analyze")
    def analyze_file(self, request: int, path: str, column: str | None, options) -> None:
        # Imported here, in the worker thread, so the first frame never waits for pandas.
        from seqlen_tui.core.data import load_series
        from seqlen_tui.core.engine import run_analysis
        from seqlen_tui.core.errors import DataError
        from seqlen_tui.core.events import Cancelled, Reporter, StageStarted

        worker = get_current_worker()

        def on_event(event) -> None:
            if isinstance(event, StageStarted):  # the status line says which step runs
                self.post_message(CoreEvent(event, request))

        try:
            self.post_message(CoreEvent(StageStarted(message=f"reading {Path(path).name}",
                                                     stage="read"), request))
            series = load_series(path, column)
            reporter = Reporter(on_event, worker.cancelled_event)
            # What the run will start from: the same options, the points before its test block.
            analysis = run_analysis(series, options, reporter)
        except DataError as err:
            self.post_message(AnalysisFailed(request, path, in_app(err)))
            return
        except Cancelled:
            return
        if worker.is_cancelled:
            return
        self.post_message(AnalysisReady(request, path, analysis, column))

    @on(CoreEvent)
    def _show_progress(self, message: CoreEvent) -> None:
        """A step of the analysis began (the worker sends only those): the status line says so."""
        if message.request == self._request:
            self._set_status(message.event.message + "…")

    @on(AnalysisReady)
    def _show_analysis(self, message: AnalysisReady) -> None:
        if message.request != self._request:
            return
        from seqlen_tui.core.settings import asset_from_path

        analysis = message.analysis
        new_file = message.path != self.current_path
        self.analysis = analysis
        self.current_path = message.path
        self.current_column = message.column
        self._show_title()
        summary = analysis.series.summary
        self._left_out = self._show_headline()
        self._show_summary()
        for name, label in PLOT_TABS:
            plot = self.query_one(f"#plot-{name}", AcfPlot)
            if name in analysis.transforms:
                plot.show_analysis(analysis.transforms[name])
            else:
                why = analysis.skipped.get(name, "not computed")
                plot.show_message(f"ACF {label.lower()}: {why}")
        form = self.query_one("#form", OptionsForm)
        if new_file:
            form.set_asset(asset_from_path(message.path))
        form.set_columns(summary.numeric_columns, summary.column)
        self._update_key_line()
        self._set_status(f"{Path(message.path).name}: {summary.n:,} points")

    def on_resize(self) -> None:
        """The file in the header is fitted to the width again."""
        self._show_title()

    def _show_title(self) -> None:
        """The file in the header: its middle folders left out where the header is too narrow,
        so the header never crops the file name away."""
        if self.current_path:
            # The header's icon and its right-hand space take 8 + 10 columns, "title — " the rest.
            room = self.size.width - 18 - len(f"{self.app.title} — ") if self.size.width else None
            self.sub_title = display_path(self.current_path, max(12, room) if room else None)

    def _show_summary(self) -> None:
        """The summary and findings, wrapped to the panel's width (again after a resize), so
        the file, its column, points and time range and every reason are whole."""
        if self.analysis is None:  # before the import: the first frame stays free of pandas
            return
        from seqlen_tui.core.describe import describe_findings, describe_summary, wrapped

        report = self.query_one("#report", TextArea)
        width = max(20, report.scrollable_content_region.width - 2) if report.size.width else None
        lines = describe_summary(self.analysis.series.summary, width) + [""] + describe_findings(self.analysis, width)
        if self._left_out:
            lines += ["", "A run with these options leaves out:"] + wrapped(
                [f"  {lag:>5}  {in_app(why)}" for lag, why in sorted(self._left_out.items())], width)
        text = "\n".join(in_app(line) for line in lines)
        if text != report.text:
            report.load_text(text)

    @on(SummaryArea.WidthChanged)
    def _summary_width_changed(self) -> None:
        self._show_summary()

    def _show_headline(self) -> dict[int, str]:
        """The file, its points and the candidates, struck through where a run with the
        form's options would leave them out (the core's :func:`planned_lags`: the run's own
        decision, for the device this machine last chose)."""
        from seqlen_tui.core.history import network_words
        from seqlen_tui.core.lag_plan import planned_lags
        from seqlen_tui.core.options import declared_model

        analysis, path = self.analysis, self.current_path or ""
        summary = analysis.series.summary
        options = self.analysis_options()
        planned, left_out = planned_lags(analysis, options)
        # A declared network: the default LSTM scouts these lags, the network trains its finalists.
        judge = network_words(options.to_dict()) if declared_model(options) else None
        lags = ", ".join(f"{lag}" if lag in planned else f"[strike]{lag}[/strike]"
                         for lag in analysis.candidates.lags) or "none"
        rungs = [lag for lag in planned if lag not in analysis.candidates.lags]
        self.query_one("#headline", Static).update(
            f"[b]{Path(path).name}[/b] · {summary.column} · {summary.n:,} points · "
            f"candidates [b]{lags}[/b]"
            + (f" · ladder {', '.join(map(str, rungs))}" if rungs else "")
            + (f" · a run leaves out {', '.join(map(str, sorted(left_out)))}" if left_out else "")
            + (f" · {judge} trains the scout's finalists" if judge else "")
        )
        return left_out

    @on(Input.Changed, "#form Input")
    @on(Select.Changed, "#form Select")
    @on(Checkbox.Changed, "#form Checkbox")
    def _options_changed(self, event) -> None:
        """A changed option: the headline follows; an option of the analysis itself (max lag,
        alpha, own lags, target) analyses again, so what is shown is what the run will use."""
        if self.analysis is None or getattr(event, "input", None) is not None and event.input.id == "opt-asset":
            return
        if self._options_timer is not None:
            self._options_timer.stop()
        self._options_timer = self.set_timer(0.4, self._apply_options)

    def _apply_options(self) -> None:
        from seqlen_tui.core.engine import analysis_fits

        self._options_timer = None
        if self.analysis is None:
            return
        if analysis_fits(self.analysis, self.analysis.series, self.analysis_options()):
            self._left_out = self._show_headline()
            self._show_summary()
        else:
            self.load(self.current_path, self.current_column)

    async def options_form(self) -> OptionsForm:
        """The Options tab's form, built the first time it is needed (its tab shown, or a run
        whose options need fixing), its key line drawn; until then it answers from the values
        it would be built with (:class:`OptionsForm`)."""
        if self._form_ready is None:
            self._form_ready = asyncio.ensure_future(self._build_form())
        await self._form_ready
        return self.query_one("#form", OptionsForm)

    async def _build_form(self) -> None:
        await self.query_one("#form", OptionsForm).build()
        self._update_key_line()

    @on(TabbedContent.TabActivated, "#tabs")
    async def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "options":
            await self.options_form()

    @on(AnalysisFailed)
    def _show_failure(self, message: AnalysisFailed) -> None:
        if message.request != self._request:
            return
        self.notify(message.error, severity="error", title="Cannot use this file")
        self._restore_status()
        self._restore_column()

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        """An unexpected exception in a worker: say so, keep the app and old results."""
        if event.state is WorkerState.ERROR and event.worker.group == "analyze":
            error = event.worker.error
            self.notify(
                f"{type(error).__name__}: {error}", severity="error", title="Analysis failed"
            )
            self._restore_status()

    def _set_status(self, text: str) -> None:
        self.query_one("#tabs").border_subtitle = text

    def _restore_status(self) -> None:
        shown = Path(self.current_path).name if self.current_path else "no file"
        self._set_status(shown)

    def _restore_column(self) -> None:
        if self.analysis is not None:
            summary = self.analysis.series.summary
            self.query_one("#form", OptionsForm).set_columns(summary.numeric_columns,
                                                             summary.column)

    # ----- the settings key line -----------------------------------------------------------

    @on(Input.Changed, "#opt-asset")
    def _asset_changed(self) -> None:
        self._update_key_line()

    def _update_key_line(self) -> None:
        from seqlen_tui.core.errors import SettingsError
        from seqlen_tui.core.settings import SettingsStore, settings_key

        form = self.query_one("#form", OptionsForm)
        if not form.is_built:  # drawn when the form is
            return
        line = form.query_one("#key-line", PathLine)
        asset = form.asset.strip()
        path = self.app.config.settings_path
        if not asset:
            line.show_path("saves <ASSET>_SL in ", path)
            return
        try:
            key = settings_key(asset)
        except SettingsError:
            line.show_path("")
            return
        try:
            current = SettingsStore(path).current_value(key)
            now = "not set yet" if current is None else f"now {current}"
        except SettingsError:
            now = "settings file unreadable"
        line.show_path(f"saves [b]{key}[/b] in ", path, f" ({now})")

    # ----- events and actions ---------------------------------------------------------------

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        path = display_path(event.path)
        self.query_one("#path", Input).value = path
        self.load(path)

    @on(Input.Submitted, "#path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self.notify("Type the path of a CSV or Parquet file first.", severity="warning")
            return
        self.load(str(Path(path).expanduser()))

    @on(Select.Changed, "#opt-column")
    def _column_changed(self, event: Select.Changed) -> None:
        if self.current_path is None or event.value is Select.NULL:
            return
        if self.analysis is not None and event.value == self.analysis.series.summary.column:
            return
        self.load(self.current_path, str(event.value))

    def action_reload(self) -> None:
        if self.current_path is None:
            self.notify("No file loaded yet: choose one on the left.", severity="warning")
            return
        self.load(self.current_path, self.current_column)

    async def _checked_form(self) -> OptionsForm | None:
        """The form when every field is valid; else None, the Options tab shown, the fields
        flagged and the first focused (the form is built for that, if it was not yet)."""
        form = self.query_one("#form", OptionsForm)
        if not form.is_built and not (form.options_valid() and form.asset_valid()):
            await self.options_form()
        problems = form.problems() if form.is_built else []
        if not problems:
            return form
        self.query_one("#tabs", TabbedContent).active = "options"
        problems[0][0].focus()
        self.notify("; ".join(f"{(f.id or '').removeprefix('opt-')}: {why}" for f, why in problems),
                    severity="error", title="Fix the flagged options")
        return None

    async def action_run(self) -> None:
        """Check the form, then open the run screen (which starts the run)."""
        if self.current_path is None or self.analysis is None:
            self.notify("Choose a file first: pick one on the left or type its path.",
                        severity="warning", title="No file")
            return
        form = await self._checked_form()
        if form is None:
            return
        from seqlen_tui.core.errors import DataError
        from seqlen_tui.core.options import RunOptions
        from seqlen_tui.core.runner import DataOptions

        values = form.values()
        asset, column = values.pop("asset"), values.pop("column")
        from seqlen_tui.core.options import refuse_unused

        try:
            options = RunOptions(**values)
            options.validate()
            # The form always holds every value: what the user changed from the settings
            # block's (or the default) is what they asked for, as a flag is on the CLI.
            refuse_unused(options, {key: value for key, value in values.items()
                                    if value != self.app.config.defaults.get(key)})
        except DataError as exc:
            self.notify(str(exc), severity="error", title="Fix the options")
            return
        from .run import RunRequest, RunScreen

        same_column = column in (None, self.analysis.series.summary.column)
        # The column the loader picked on its own is recorded as not given (None), as `run
        # FILE` and `batch` record it: the same file and options then carry the same report
        # identity, so `batch` skips what the app ran.
        if same_column and self.current_column is None:
            column = None
        request = RunRequest(path=self.current_path, options=options,
                             data=DataOptions(column=column), asset=asset,
                             series=self.analysis.series if same_column else None,
                             analysis=self.analysis if same_column else None)
        self.app.push_screen(RunScreen(request=request))

    def action_focus_path(self) -> None:
        self.query_one("#path", Input).focus()

    async def action_options(self) -> None:
        self.query_one("#tabs", TabbedContent).active = "options"
        form = await self.options_form()
        form.query_one("#opt-asset", Input).focus()

    def action_next_tab(self) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        tabs.active = TABS[(TABS.index(tabs.active) + 1) % len(TABS)]

    def action_escape(self) -> None:
        if self.maximized is not None:
            self.action_zoom()
        else:
            self.query_one("#tree", DataFileTree).focus()

    def action_zoom(self) -> None:
        """The right-hand tabs full screen and back.  Focus moves to the tab strip first:
        otherwise Textual would move it to the (hidden) path input, which swallows keys."""
        if self.maximized is not None:
            self.minimize()
            if self._focus_before_zoom is not None and self._focus_before_zoom.is_attached:
                self._focus_before_zoom.focus()
            self._focus_before_zoom = None
            return
        tabs = self.query_one("#tabs", TabbedContent)
        self._focus_before_zoom = self.focused
        tabs.query_one(Tabs).focus()
        self.maximize(tabs)
