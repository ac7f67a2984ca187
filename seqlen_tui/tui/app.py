"""The Textual application object and its entry point for the CLI.

Kept thin: it reads the settings block (defaults, keymap, theme), holds the global keys and
shows the choose screen.  Importing this module must stay cheap (no pandas, statsmodels or
TensorFlow): the CLI imports it on every ``seqlen-tui FILE``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .config import AppConfig, load_config
from .screens.choose import ChooseScreen
from .words import in_app

POOR_TERMINAL_THEMES = ("ansi-dark", "ansi-light")


class SeqlenApp(App[int]):
    """Choose the LSTM sequence length for one series."""

    TITLE = "seqlen-tui"
    SUB_TITLE = "choose a file"
    CSS_PATH = "app.tcss"
    # The screen gets class -short below 32 rows; app.tcss then trades chrome for content.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # 32: run.SHORT_ROWS too
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("f10", "quit", "Quit", show=False, id="quit_alt"),
        Binding("f1", "help", "Help", id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help_alt"),
        Binding("f2", "review", "Runs", id="review"),
        Binding("f9", "toggle_ansi", "ANSI theme", show=False, id="toggle_ansi"),
    ]

    def __init__(self, path: str | None = None, *,
                 settings_path: str | os.PathLike | None = None,
                 runs_dir: str | os.PathLike | None = None,
                 config: AppConfig | None = None) -> None:
        super().__init__()
        self.initial_path = path
        self.config = config or load_config(settings_path, runs_dir)
        self._previous_handlers: dict = {}
        if self.no_color:
            self._no_colour_at_all()

    def _no_colour_at_all(self) -> None:
        """``NO_COLOR`` means no colour: Textual's own answer (a monochrome filter) still
        sends 256-colour greys. Strip every colour instead; what colour marked (the cursor
        row, the focused field) is marked by reverse video (``-no-color`` in app.tcss)."""
        from textual.filter import Monochrome, NoColor

        self._filters = [f for f in self._filters if not isinstance(f, Monochrome)] + [NoColor()]
        self.add_class("-no-color")

    def on_mount(self) -> None:
        self._stop_on_signals()
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.config.theme:
            if self.config.theme in self.available_themes:
                self.theme = self.config.theme
            else:
                self.config.problems.append(f"unknown theme {self.config.theme!r}; "
                                            f"try {' or '.join(POOR_TERMINAL_THEMES)}")
        for problem in self.config.problems:
            self.notify(problem, severity="warning", title="Settings", timeout=10)

    def _stop_on_signals(self) -> None:
        """SIGTERM, or SIGHUP (the SSH session closed): stop any run (nothing half-written is
        left: reports and settings are written whole or not at all) and exit 128 + the signal,
        restoring the terminal, instead of dying in raw mode with a worker still training."""
        import asyncio
        import signal

        loop = asyncio.get_running_loop()

        def handler(signum, frame) -> None:
            loop.call_soon_threadsafe(self._stop_by_signal, signum)

        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is None or signal.getsignal(sig) == signal.SIG_IGN:
                continue  # ignored by whoever started us (``trap '' HUP``): it stays ignored
            try:
                self._previous_handlers[sig] = signal.signal(sig, handler)
            except ValueError:  # not the main thread (an embedding host): its signals, its call
                pass

    def on_unmount(self) -> None:
        """The process's own handlers back once the app is gone (tests run many apps)."""
        import signal

        for sig, previous in self._previous_handlers.items():
            signal.signal(sig, previous)
        self._previous_handlers.clear()

    def _stop_by_signal(self, signum: int) -> None:
        for worker in self.workers:
            worker.cancel()
        self.exit(return_code=128 + signum)

    def get_driver_class(self):
        """The platform's driver, drawing through its own copy of the terminal descriptor.

        TensorFlow's first import points descriptor 2 at a file for a few seconds to keep its
        start-up noise off the screen (:mod:`seqlen_tui.terminal`); Textual draws on descriptor
        2, so without a private copy the screen would freeze, then show stale regions.
        """
        driver = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if not issubclass(driver, LinuxDriver) or sys.__stderr__ is None:
            return driver

        class PrivateFdDriver(driver):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                try:
                    self._file = os.fdopen(os.dup(sys.__stderr__.fileno()), "w",
                                           encoding=sys.__stderr__.encoding or "utf-8",
                                           errors="replace", buffering=1)
                except (OSError, ValueError):  # no real descriptor: keep Textual's own
                    pass

        return PrivateFdDriver

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification in the app's words: the core names an option ``«key»``, the app
        by its field's label (:mod:`.words`)."""
        super().notify(in_app(message), title=in_app(title), severity=severity, timeout=timeout,
                       markup=markup)

    def get_default_screen(self) -> Screen:
        return ChooseScreen(self.initial_path)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, then every binding active on ``screen`` (run, stop, save,
        export, …), so the palette (``ctrl+p``) reaches each action by name."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            if binding.action in ("quit", "command_palette"):
                continue  # Textual lists these already
            seen.add(binding.action)
            yield SystemCommand(binding.description, f"key: {self.get_key_display(binding)}",
                                partial(self.run_action, binding.action, active.node))

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_review(self) -> None:
        from .screens.review import ReviewScreen

        if isinstance(self.screen, ReviewScreen):
            return
        if self.screen.is_modal:
            return
        self.push_screen(ReviewScreen())

    def action_toggle_ansi(self) -> None:
        """ansi-dark ⇄ ansi-light ⇄ the default theme, for terminals with few colours."""
        order = [*POOR_TERMINAL_THEMES, "textual-dark"]
        current = self.theme if self.theme in order else order[-1]
        self.theme = order[(order.index(current) + 1) % len(order)]
        self.notify(f"theme {self.theme}", timeout=2)


def run_app(path: str | None) -> int:
    """Open the app (analysing ``path`` at once when given); the exit code for the CLI."""
    from ..terminal import keep_import_noise

    keep_import_noise()
    app = SeqlenApp(path)
    app.run()
    return app.return_code or 0
