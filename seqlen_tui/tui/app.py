"""The Textual application object and its entry point for the CLI.

Kept thin: it sets the title, styles and global keys and shows the analyse screen, which
does the work.  Importing this module must stay cheap (no pandas, statsmodels or
TensorFlow): the CLI imports it on every ``seqlen-tui FILE``.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from .screens.analyze import AnalyzeScreen


class SeqlenApp(App[int]):
    """Choose the LSTM sequence length for one series."""

    TITLE = "seqlen-tui"
    SUB_TITLE = "choose a file"
    CSS_PATH = "app.tcss"
    # The screen gets class -short below 32 rows; app.tcss then trades chrome for content.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.initial_path = path

    def get_default_screen(self) -> Screen:
        return AnalyzeScreen(self.initial_path)


def run_app(path: str | None) -> int:
    """Open the app (analysing ``path`` at once when given); the exit code for the CLI."""
    app = SeqlenApp(path)
    app.run()
    return app.return_code or 0
