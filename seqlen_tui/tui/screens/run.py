"""The run screen: watch one run (or review a stored one), then save its lag.

A live run starts the core in a thread worker (group ``run``).  The worker hands each of the
core's events to this screen as it is (a :class:`~..messages.CoreEvent`), and the screen draws
it by its type: a time-stamped log, a progress bar with ETA,
the ACF plots as soon as each transform is computed, the candidates with their reasons, the
device once the run has looked, and the leaderboard filling in (baselines first, then each
LSTM training group).  ``c`` stops the run (after a confirmation) within one call of 16 training batches and
nothing is written.  When it ends the confirm dialog opens; ``a`` opens it again later.

Given a stored report instead, the same screen shows it without recomputing anything.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from functools import singledispatchmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    ProgressBar,
    RichLog,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)
from textual.worker import Worker, WorkerState, get_current_worker

from seqlen_tui.core.events import (
    AcfReady,
    CandidatesReady,
    Caution,
    DeviceChosen,
    DeviceProblem,
    Event,
    LeaderboardRows,
    Note,
    Progress,
    RaceExits,
    StageStarted,
    TrainingEstimate,
)

from ..messages import CoreEvent, RunCancelled, RunFailed, RunFinished
from ..widgets.acf_plot import AcfPlot
from ..widgets.leaderboard import COLUMNS, LeaderboardTable
from ..widgets.loss_plot import LossPlot
from ..words import in_app
from .dialogs import ConfirmLag, ExportDialog, YesNo

if TYPE_CHECKING:
    from seqlen_tui.core.options import RunOptions
    from seqlen_tui.core.runner import DataOptions

PLOTS = (("raw", "Raw"), ("diff", "Differenced"))
#: Below this many rows the screen is "short" (the app's breakpoint, ``-short`` in the CSS).
SHORT_ROWS = 32


@dataclass(frozen=True)
class RunRequest:
    """What to run: the file, the options, the part of the file, the asset name."""

    path: str
    options: RunOptions
    data: DataOptions
    asset: str
    #: The series and analysis the choose screen already made (read and analysed once); the
    #: run uses the analysis only when it was made with the run's options.
    series: Any = None
    analysis: Any = None


class ReflowLog(RichLog):
    """A log that wraps its lines again at its new width (zoomed, or the terminal resized):
    a RichLog keeps the wrapping of the width it had when each line was written."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.texts: list[str] = []
        self._wrapped_at = 0

    def write(self, content, *args, **kwargs):  # noqa: D401 - RichLog's own signature
        if isinstance(content, str):
            self.texts = (self.texts + [content])[-(self.max_lines or 2000):]
        return super().write(content, *args, **kwargs)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if self.texts and width != self._wrapped_at:
            self._wrapped_at = width
            texts, self.texts = self.texts, []
            self.clear()
            for text in texts:
                self.write(text)


def verdict_head(report: dict) -> str:
    """The verdict line's head: the chosen lag, the next best, and with a declared network the
    scout's pick where it differs (the report's ``transfer``: the Log and the CLI give the rest)."""
    chosen, runner = report.get("chosen_lag"), report.get("runner_up")
    notes = [] if runner is None else [f"next best lag: {runner}"]
    transfer = report.get("transfer") or {}
    if transfer.get("scout_lag") not in (None, chosen):
        notes.append(f"the scout {transfer['scout']} chose {transfer['scout_lag']}")
    return f"Chosen sequence length: {chosen}" + (f" ({'; '.join(notes)})" if notes else "")


class RunScreen(Screen):
    """A live run (``request``) or a stored report (``report``)."""

    BINDINGS = [
        Binding("c", "stop", "Stop run", id="stop"),
        Binding("escape", "back", "Back", id="back"),
        Binding("a", "save", "Save lag", id="save"),
        Binding("s", "sort", "Sort", id="sort"),
        Binding("d", "flip_sort", "Reverse", show=False, id="flip_sort"),
        Binding("e", "export", "Export", id="export"),
        Binding("y", "copy", "Copy", id="copy"),
        Binding("t", "next_plot", "Next plot", show=False, id="next_plot"),
        # On the Loss tab only; named in the plot's title (the footer is full at 80 columns).
        Binding("m", "loss_split", "Val/test MSE", show=False, id="loss_split"),
        Binding("z", "zoom", "Zoom", show=False, id="zoom"),
        Binding("tab", "focus_next", show=False),
    ]

    def __init__(self, request: RunRequest | None = None, report: dict | None = None) -> None:
        super().__init__()
        if (request is None) == (report is None):
            raise ValueError("give a run request or a stored report")
        self.request = request
        self.report: dict | None = report
        self.report_path: str | None = report.get("_path") if report else None
        self.running = False
        self.stopping = False
        self.acf_seen: set[str] = set()
        # The tab this screen itself last showed: another one activated means the user chose it
        # (then the end of the run leaves the tabs alone; else it shows the Loss tab).
        self._tab_by_screen = "run-diff"
        self._tabs_touched = False
        self._focus_before_zoom = None

    # ----- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="run-status"):
            yield ProgressBar(total=1.0, show_eta=True, id="progress")
            yield Static("", id="stage")
            yield Static("device: not known yet", id="device")
        with Horizontal(id="run-top"):
            # Under 32 rows the side column gives way: the candidates and the log become tabs
            # beside the plots, each as tall as a plot (see _arrange).
            with TabbedContent(id="run-plots", initial="run-diff"):
                for name, label in PLOTS:
                    with TabPane(label, id=f"run-{name}"):
                        yield AcfPlot(f"ACF {label.lower()}: computing…", id=f"run-plot-{name}")
                with TabPane("Loss", id="run-loss"):  # the error by lag, filled in as lags finish
                    yield LossPlot(id="run-plot-loss")
                with TabPane("Candidates", id="run-cands"):
                    with VerticalScroll(classes="candidates"):
                        yield Static("computing…", classes="candidates-text")
                with TabPane("Log", id="run-log"):
                    yield self._new_log()
            with Vertical(id="run-side"):
                with VerticalScroll(id="candidates", classes="candidates"):
                    yield Static("computing…", classes="candidates-text")
                yield self._new_log(id="log")
        yield LeaderboardTable(id="board")
        yield Static("", id="verdict")
        yield Footer(compact=True)  # at 80 columns every key must fit

    @staticmethod
    def _new_log(id: str | None = None) -> RichLog:  # noqa: A002
        return ReflowLog(id=id, classes="run-log", wrap=True, markup=False, highlight=False,
                         max_lines=2000, min_width=20)

    def on_resize(self) -> None:
        self._arrange()
        self._show_verdict()

    def _arrange(self) -> None:
        """Under 32 rows: candidates and log as tabs (the side column is hidden by the CSS)."""
        short = self.app.size.height < SHORT_ROWS
        plots = self.query_one("#run-plots", TabbedContent)
        for pane in ("run-cands", "run-log"):
            if short:
                plots.show_tab(pane)
            else:
                plots.hide_tab(pane)
        if not short and plots.active in ("run-cands", "run-log"):
            self._tab_by_screen = "run-diff"
            plots.active = "run-diff"
        self.call_after_refresh(self._hint_candidates)

    @on(TabbedContent.TabActivated, "#run-plots")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id != self._tab_by_screen:
            self._tabs_touched = True
        self.refresh_bindings()  # m (val/test MSE) shows on the Loss tab only
        self.call_after_refresh(self._hint_candidates)

    def _hint_candidates(self) -> None:
        """Say so on the panel's border when some candidates are out of sight."""
        for panel in self.query(".candidates").results(VerticalScroll):
            hidden = panel.max_scroll_y > 0
            panel.border_subtitle = "more below · tab here, ↓" if hidden else ""

    def on_mount(self) -> None:
        self.query_one("#candidates").border_title = "Candidates"
        self.query_one("#log").border_title = "Log"
        self._arrange()
        board = self.query_one("#board", LeaderboardTable)
        board.border_title = "Leaderboard"
        board.border_subtitle = "s sort · d reverse"
        if self.report is not None:
            self.show_report(self.report, stored=True)
        else:
            request = self.request
            self.sub_title = f"running {request.asset}"
            self.query_one("#verdict", Static).update(
                f"Running {request.asset} ({request.options.protocol}, {request.options.budget} "
                "budget): rows appear as models finish; c stops."
            )
            self.running = True
            self.refresh_bindings()
            self._log_line(time.time(), f"reading {request.path}", "info")
            self.run_asset(request)
        board.focus()

    # ----- the worker ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="run")
    def run_asset(self, request: RunRequest) -> None:
        """The run, in a thread: each of the core's events goes to the screen as it happens,
        then how the run ended (a report, written or not; a refusal; a cancel)."""
        from seqlen_tui.core.errors import DataError
        from seqlen_tui.core.events import Cancelled

        worker = get_current_worker()
        try:
            report = self._build_report(request, worker.cancelled_event)
        except Cancelled:
            self.post_message(RunCancelled())
            return
        except DataError as exc:
            self.post_message(RunFailed(in_app(exc)))
            return
        if worker.is_cancelled:
            self.post_message(RunCancelled())
            return
        self.post_message(self._write_report(report))

    def _build_report(self, request: RunRequest, cancel) -> dict:
        """The core's run on the request's series (read here unless the choose screen already
        read it), every event posted to this screen; ``cancel`` stops it (``Cancelled``)."""
        # Heavy imports happen here, in the worker: TensorFlow only if the judge needs it.
        from seqlen_tui.core.events import Reporter
        from seqlen_tui.core.runner import build_report

        series = request.series if request.series is not None else request.data.load(request.path)
        reporter = Reporter(lambda event: self.post_message(CoreEvent(event)), cancel)
        return build_report(series, request.options, request.asset, request.path,
                            reporter, request.data, analysis=request.analysis)

    def _write_report(self, report: dict) -> RunFinished:
        """The finished run, its report written to the runs folder (or why it could not be)."""
        from seqlen_tui.core.errors import DataError, SettingsError
        from seqlen_tui.core.report import write_report

        try:
            written = str(write_report(report, self.app.config.resolved_runs_dir()))
        except (DataError, SettingsError, OSError) as exc:
            return RunFinished(report, None, in_app(exc))
        return RunFinished(report, written, None)

    # ----- the core's events, each drawn by its type -----------------------------------------

    @on(CoreEvent)
    def _core_event(self, message: CoreEvent) -> None:
        self._draw_event(message.event)

    @singledispatchmethod
    def _draw_event(self, event: Event) -> None:
        """An event this screen does not draw (a group's forecasts): nothing to do."""

    @_draw_event.register(StageStarted)
    @_draw_event.register(Note)
    @_draw_event.register(Caution)
    @_draw_event.register(TrainingEstimate)
    def _log_event(self, event: Event) -> None:
        """A line in the log, when the event says something (warnings marked)."""
        if event.message:
            self._log_line(event.time, in_app(event.message), event.kind)

    @_draw_event.register(RaceExits)
    def _race_exits(self, event: RaceExits) -> None:
        """Lags that left the race: a plain line in the log."""
        self._log_line(event.time, in_app(event.message), "info")

    @_draw_event.register(DeviceChosen)
    def _device(self, event: DeviceChosen) -> None:
        """Where the judge trains: said in the log and on the status row."""
        self._log_event(event)
        self.query_one("#device", Static).update(f"device: {event.device}")

    @_draw_event.register(DeviceProblem)
    def _device_problem(self, event: DeviceProblem) -> None:
        """A listed GPU TensorFlow cannot use: a log line, and a warning with the fix."""
        self._log_event(event)
        self.notify(in_app(event.message), title="GPU not used", severity="warning", timeout=15)

    @_draw_event.register(Progress)
    def _progress(self, event: Progress) -> None:
        """The bar; while training, which lags and which epoch on the status row."""
        self.query_one("#progress", ProgressBar).update(progress=min(1.0, event.fraction))
        if event.epoch is not None:
            self.query_one("#stage", Static).update(
                f"lags {','.join(map(str, event.lags))} epoch {event.epoch}")

    @_draw_event.register(AcfReady)
    def _acf(self, event: AcfReady) -> None:
        """One transform's ACF, drawn in its tab as soon as it is computed."""
        acf = event.analysis.to_dict()
        name = acf["transform"]
        if name in dict(PLOTS):
            self.query_one(f"#run-plot-{name}", AcfPlot).show_acf(acf)

    @_draw_event.register(CandidatesReady)
    def _candidates(self, event: CandidatesReady) -> None:
        """What the core benchmarks, and what it leaves out: the app never recomputes it."""
        self.show_candidates([c.to_dict() for c in event.candidates],
                             [d.to_dict() for d in event.dropped])

    @_draw_event.register(LeaderboardRows)
    def _rows(self, event: LeaderboardRows) -> None:
        """Provisional rows are merged in as lags finish; the final table replaces them all."""
        rows = [asdict(r) if is_dataclass(r) else dict(r) for r in event.rows]
        board = self.query_one("#board", LeaderboardTable)
        if event.final:
            board.replace_rows(rows)
        else:
            board.merge_rows(rows)
        self._draw_loss()

    def _log_line(self, stamp: float, text: str, severity: str) -> None:
        """A time-stamped log line; a stage or a note also shows on the status row."""
        clock = datetime.fromtimestamp(stamp).strftime("%H:%M:%S")
        mark = "! " if severity == "warning" else ""
        self._write_log(f"{clock} {mark}{text}")
        if severity == "stage" or severity == "info":
            self.query_one("#stage", Static).update(text[:60])

    # ----- how the run ended -----------------------------------------------------------------

    @on(RunFinished)
    def _finished(self, message: RunFinished) -> None:
        self.running = False
        self.report_path = message.path
        self.show_report(message.report, stored=False)
        if message.write_error:
            self.notify(message.write_error, severity="error", title="Report not written")
        self.refresh_bindings()
        if not self._tabs_touched:  # the picture of the answer, unless the user chose a tab
            self._tab_by_screen = "run-loss"
            self.query_one("#run-plots", TabbedContent).active = "run-loss"
        self.action_save()

    @on(RunFailed)
    def _failed(self, message: RunFailed) -> None:
        self.running = False
        self._ended(f"Run failed: {message.error}")
        self.notify(message.error, severity="error", title="Run failed")

    @on(RunCancelled)
    def _cancelled(self, message: RunCancelled) -> None:
        self.running = False
        self._ended("Run stopped at your request (c): nothing was written. escape goes back to "
                    "change options.")
        self.notify("Run stopped; no report written.", title="Stopped")

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "run":
            return
        if event.state is WorkerState.ERROR:
            self.running = False
            error = event.worker.error
            self._ended(f"Run failed: {type(error).__name__}: {error}")
            self.notify(f"{type(error).__name__}: {error}", severity="error", title="Run failed")
        elif event.state is WorkerState.CANCELLED and self.running:
            self.running = False
            self._ended("Run stopped: nothing was written.")

    def _write_log(self, line: str) -> None:
        """One line in the log, in the side panel and in its tab alike."""
        for log in self.query(".run-log").results(RichLog):
            log.write(line)

    def _ended(self, text: str) -> None:
        """A run that will not finish: the ETA stops (it would count down to nothing), the log
        and the verdict say what happened."""
        self.stopping = False
        for eta in self.query_one("#progress", ProgressBar).query("#eta"):
            eta.display = False
        self._write_log(f"{datetime.now():%H:%M:%S} {text}")
        self.query_one("#verdict", Static).update(text)
        self.query_one("#stage", Static).update("stopped")
        self.sub_title = text.split(":")[0]
        self.refresh_bindings()

    # ----- drawing a report ------------------------------------------------------------------

    def show_report(self, report: dict, *, stored: bool) -> None:
        """Everything from a report: plots, candidates, the final table, the verdict."""
        self.report = report
        for name, label in PLOTS:
            plot = self.query_one(f"#run-plot-{name}", AcfPlot)
            acf = report.get("acf", {}).get(name)
            if acf:
                plot.show_acf(acf)
            else:
                why = report.get("skipped_transforms", {}).get(name, "not computed")
                plot.show_message(f"ACF {label.lower()}: {why}")
        candidates = report.get("candidates", [])
        lags = set(report.get("lags") or [c["lag"] for c in candidates])
        unused = [{"lag": c["lag"], "reason": "not benchmarked with this run's options"}
                  for c in candidates if c["lag"] not in lags]
        self.show_candidates([c for c in candidates if c["lag"] in lags],
                             list(report.get("dropped_candidates", [])) + unused)
        board = self.query_one("#board", LeaderboardTable)
        rows = report.get("leaderboard", [])
        board.replace_rows(rows)
        from seqlen_tui.core.history import plateau_label, report_judge, report_plateau

        plateau = plateau_label(report_plateau(report))  # the one-SE set spans > an octave
        judge = report_judge(report)
        board.border_title = " · ".join(["Leaderboard", *([f"judge {judge}"] if judge else []),
                                         *([f"plateau {plateau} (one SE)"] if plateau else [])])
        from seqlen_tui.core.report import chosen_model

        board.mark_chosen(chosen_model(report), report.get("chosen_lag"))
        self._draw_loss()
        self.query_one("#device", Static).update(f"device: {report.get('device', '?')}")
        progress = self.query_one("#progress", ProgressBar)
        progress.update(progress=1.0)
        asset = report.get("asset", "?")
        if stored:
            progress.display = False
            when = str(report.get("created_at", ""))[:16].replace("T", " ")
            self.query_one("#stage", Static).update(f"stored run {asset} · {when}")
            self.sub_title = f"{asset} · stored run"
        else:
            self.query_one("#stage", Static).update("done")
            self.sub_title = f"{asset} · done"
        if stored:
            self._write_log(f"file: {report.get('file')}")
        self._write_log(f"target: {report.get('target_words', report.get('target'))}")
        self._write_log(f"reason: {in_app(report.get('reason', ''))}")
        for warning in report.get("warnings", []):
            self._write_log(f"! {in_app(warning)}")
        if not stored and self.report_path:
            self._write_log(f"report: {self.report_path}")
        self._write_log(f"verdict: {in_app(report.get('verdict', ''))}")
        self._show_verdict()

    #: Rows the verdict may take on a short screen before it gives its first sentence only.
    SHORT_VERDICT_ROWS = 4

    def _show_verdict(self) -> None:
        """The choice and the verdict above the footer. On a short screen a verdict longer
        than four rows keeps its first sentence and points to the log, which has it whole:
        otherwise it would push the status row and the tabs off the screen."""
        import textwrap

        report = self.report
        if report is None or self.running:
            return
        head = verdict_head(report)
        verdict = in_app(report.get("verdict", ""))
        width = max(20, self.app.size.width - 2)
        if (self.app.size.height < SHORT_ROWS
                and len(textwrap.wrap(f"{head} — {verdict}", width)) > self.SHORT_VERDICT_ROWS):
            first = re.split(r"(?<=[;.])\s", verdict, maxsplit=1)[0].rstrip(";.")
            verdict = f"{first}. [dim](The whole verdict: the Log tab, t.)[/dim]"
        self.query_one("#verdict", Static).update(f"[b]{head}[/b] — {verdict}")

    def _draw_loss(self) -> None:
        """The Loss tab from the leaderboard's rows as they are now (provisional while the run
        goes, final after), the choice marked once the board has one."""
        board = self.query_one("#board", LeaderboardTable)
        model, lag = board.chosen or (None, None)
        plot = self.query_one("#run-plot-loss", LossPlot)
        plot.toggle_key = next((key for key, bindings in self._bindings.key_to_bindings.items()
                                if any(b.action == "loss_split" for b in bindings)), None)
        plot.show_rows(board.shown_rows(), model, lag, waiting=self.running)

    def show_candidates(self, candidates: list[dict], dropped: list[dict] = ()) -> None:
        """The benchmarked candidates with their reasons (what the core trained, never
        recomputed here), then those left out, struck through, each with why."""
        from rich.table import Table
        from rich.text import Text

        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right")
        table.add_column(ratio=1)  # the reasons wrap under themselves
        for c in candidates:
            table.add_row(str(c["lag"]), in_app("; ".join(c.get("reasons", []))))
        for d in sorted(dropped, key=lambda d: d["lag"]):
            table.add_row(Text(str(d["lag"]), style="strike dim"),
                          Text("left out: " + in_app(d.get("reason", "")), style="dim"))
        for text in self.query(".candidates-text").results(Static):
            text.update(table if candidates or dropped else "none")
        self.call_after_refresh(self._hint_candidates)

    # ----- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.running
        if action in ("save", "export", "copy"):
            return self.report is not None and not self.running
        if action == "loss_split":
            plots = self.query("#run-plots").results(TabbedContent)
            return any(tabs.active == "run-loss" for tabs in plots)
        return True

    def action_stop(self) -> None:
        if not self.running:
            return

        def answer(stop: bool | None) -> None:
            if stop and self.running:
                self.stop_run()

        self.app.push_screen(YesNo("Stop the run?", "Stop this run? Its results are thrown "
                                   "away and no report is written.", yes="Stop",
                                   no="Keep running"), answer)

    def stop_run(self) -> None:
        """Cancel the worker: the core sees the signal within one call of the fused step
        (at most 16 training batches) and stops."""
        self.stopping = True
        self.query_one("#stage", Static).update("stopping…")
        self.query_one("#verdict", Static).update("Stopping: the current batch finishes first…")
        for worker in self.app.workers:
            if worker.group == "run" and worker.node is self:
                worker.cancel()

    def action_back(self) -> None:
        if self.maximized is not None:
            self.action_zoom()
            return
        if not self.running:
            self.app.pop_screen()
            return

        def answer(stop: bool | None) -> None:
            if stop:
                self.stop_run()
                self.app.pop_screen()

        self.app.push_screen(YesNo("Leave the run?", "A run is in progress. Stop it and go "
                                   "back? No report is written.", yes="Stop and leave",
                                   no="Stay"), answer)

    def action_save(self) -> None:
        if self.report is None or self.running:
            return
        from seqlen_tui.core.errors import SettingsError
        from seqlen_tui.core.settings import SettingsStore, settings_key

        report = self.report
        lag = report.get("chosen_lag")
        if lag is None:
            self.notify("This run chose no lag; nothing to save.", severity="warning")
            return
        config = self.app.config
        try:
            key = settings_key(report["asset"])
        except SettingsError as exc:
            self.notify(str(exc), severity="error", title="Cannot save")
            return
        store = SettingsStore(config.settings_path, lock_timeout=2.0)
        current, read_error = None, None
        try:
            current = store.current_value(key)
        except SettingsError as exc:
            read_error = str(exc)
        from ..paths import display_path

        dialog = ConfirmLag(
            asset=report["asset"], key=key, lag=int(lag), current=current,
            reason=report.get("reason", ""), runner_up=report.get("runner_up"),
            transform=report.get("target_words", report.get("target", "?")),
            path=display_path(config.settings_path),
            protocol=report.get("options", {}).get("protocol", "robust"),
            read_error=read_error,
        )

        def answer(save: bool | None) -> None:
            if not save:
                self.notify(f"{key} not saved; a saves it later.", title="Not saved")
                return
            try:
                written = store.save_lag(key, int(lag))
            except (SettingsError, ValueError, OSError) as exc:
                self.notify(str(exc), severity="error", title="Not saved", timeout=12)
                return
            self.notify(f"{key} = {lag} saved in {written}", title="Saved")

        self.app.push_screen(dialog, answer)

    def action_sort(self) -> None:
        how = self.query_one("#board", LeaderboardTable).sort_next()
        self.query_one("#board").border_subtitle = f"sorted {how} · s next · d reverse"

    def action_flip_sort(self) -> None:
        how = self.query_one("#board", LeaderboardTable).flip_sort()
        self.query_one("#board").border_subtitle = f"sorted {how} · s next · d reverse"

    @on(DataTable.HeaderSelected, "#board")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        board = self.query_one("#board", LeaderboardTable)
        key = event.column_key.value
        reverse = board.sort_column == key and not board.sort_reverse
        board.sort_by(key, reverse)
        board.border_subtitle = f"sorted {board.sort_description()} · s next · d reverse"

    def action_export(self) -> None:
        if self.report is None or self.running:
            return
        from seqlen_tui.core.names import report_stem

        # The asset as a file name (an asset such as ../../x must not point the default elsewhere).
        default = f"{report_stem(str(self.report.get('asset', 'run')))}_leaderboard.csv"

        def answer(target: str | None) -> None:
            if target:
                self.export_to(target)

        self.app.push_screen(ExportDialog(default), answer)

    def export_to(self, target: str) -> Path | None:
        board = self.query_one("#board", LeaderboardTable)
        path = Path(target).expanduser()
        markdown = path.suffix.lower() in (".md", ".markdown")
        text = board.to_markdown() if markdown else board.to_csv()
        from seqlen_tui.core.errors import DataError
        from seqlen_tui.core.outputs import check_output_path
        from seqlen_tui.core.report import write_new_file

        from ..paths import toast_path

        source = (self.report or {}).get("file")
        try:  # never the data file, the settings file or its .bak/.lock: the CLI's --json rule
            check_output_path(path, inputs=[source] if source else [], settings=self.app.config.settings_path,
                              fix="choose another file name", new_name=True)
        except DataError as exc:
            self.notify(str(exc), severity="error", title="Not exported")
            return None
        try:  # never over a file that exists: name-2.csv, name-3.csv, … instead
            path = write_new_file(path.parent, path.stem, path.suffix, lambda handle: handle.write(text))
        except OSError as exc:
            self.notify(f"cannot write {toast_path(path, self.app.size.width)}: {exc.strerror or exc}",
                        severity="error", title="Not exported")
            return None
        kind = "Markdown" if markdown else "CSV"
        self.notify(f"{board.row_count} rows as {kind} in {toast_path(path, self.app.size.width)}",
                    title="Exported")
        return path

    def action_copy(self) -> None:
        if self.report is None or self.running:
            return
        board = self.query_one("#board", LeaderboardTable)
        self.app.copy_to_clipboard(board.to_markdown())
        self.notify("Leaderboard copied as Markdown (OSC 52: your terminal must allow it).",
                    title="Copied")

    def action_next_plot(self) -> None:
        """The next tab above the table: the plots, and on a short screen the candidates and
        the log."""
        tabs = self.query_one("#run-plots", TabbedContent)
        names = [f"run-{name}" for name, _ in PLOTS] + ["run-loss"]
        if self.app.size.height < SHORT_ROWS:
            names += ["run-cands", "run-log"]
        index = names.index(tabs.active) if tabs.active in names else -1
        tabs.active = names[(index + 1) % len(names)]

    def action_loss_split(self) -> None:
        """The Loss tab: validation MSE (which chose) or test MSE (which reports)."""
        self.query_one("#run-plot-loss", LossPlot).toggle_split()

    def action_zoom(self) -> None:
        """The focused panel (table, log) full screen, or the plots when nothing else is."""
        if self.maximized is not None:
            self.minimize()
            if self._focus_before_zoom is not None and self._focus_before_zoom.is_attached:
                self._focus_before_zoom.focus()
            return
        self._focus_before_zoom = self.focused
        focused = self.focused
        if focused is None or focused.id not in ("board", "log"):
            plots = self.query_one("#run-plots", TabbedContent)
            plots.query_one(Tabs).focus()
            self.maximize(plots)
        else:
            self.maximize(focused)


__all__ = ["RunRequest", "RunScreen", "COLUMNS"]
