"""Modal dialogs: confirm saving the chosen lag, a yes/no question, export the leaderboard.

Each is a ``ModalScreen`` that dismisses with its answer; the caller acts on it in a
callback (frogmouth's pattern), so a dialog never writes anything itself.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

#: The label of the settings file's line in :class:`ConfirmLag`.
SETTINGS_LABEL = "settings     "


class ConfirmLag(ModalScreen[bool]):
    """Save the chosen lag?  Shows what will change: key, value now, value after, why."""

    BINDINGS = [
        Binding("y", "answer(True)", "Save", id="confirm_yes"),
        Binding("n", "answer(False)", "Don't save", id="confirm_no"),
        Binding("escape", "answer(False)", "Don't save", show=False, id="confirm_escape"),
        Binding("left,right", "app.focus_previous", show=False),
    ]

    def __init__(self, *, asset: str, key: str, lag: int, current: Any, reason: str,
                 runner_up: int | None, transform: str, path: str, protocol: str = "robust",
                 read_error: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.lines = [
            f"Save [b]{key} = {lag}[/b] for {asset}?",
            "",
            f"chosen lag   [b]{lag}[/b]" + ("" if runner_up is None else f"   (next best lag: {runner_up})"),
            f"why          {reason}",
            f"transform    {transform}",
            f"protocol     {protocol}",
            f"{SETTINGS_LABEL}{path}",
            f"{key} now {'(unreadable: ' + read_error + ')' if read_error else ('not set' if current is None else current)}",
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("\n".join(self.lines), id="confirm-text")
            with Horizontal(classes="buttons"):
                yield Button("Save (y)", variant="primary", id="yes")
                yield Button("Don't save (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Save the sequence length"
        self.query_one("#yes", Button).focus()

    def on_resize(self) -> None:
        """The settings path fitted to the dialog's width: middle folders left out, the file
        name whole (a path too long for the line would be folded mid-name)."""
        from ..paths import display_path

        text = self.query_one("#confirm-text", Static)
        if not text.size.width:
            return
        room = max(12, text.size.width - len(SETTINGS_LABEL))
        shown = [f"{SETTINGS_LABEL}{display_path(self.path, room)}" if line.startswith(SETTINGS_LABEL)
                 else line for line in self.lines]
        text.update("\n".join(shown))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class YesNo(ModalScreen[bool]):
    """A question with two answers; ``escape`` and ``n`` say no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="yesno_yes"),
        Binding("n", "answer(False)", "No", id="yesno_no"),
        Binding("escape", "answer(False)", "No", show=False, id="yesno_escape"),
        Binding("left,right", "app.focus_previous", show=False),
    ]

    def __init__(self, title: str, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.title_text, self.question, self.yes, self.no = title, question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(self.question)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = self.title_text
        self.query_one("#no", Button).focus()  # the safe answer under Enter

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ExportDialog(ModalScreen[str | None]):
    """Where to export: a file name ending in ``.md`` gives Markdown, anything else CSV."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export_cancel")]

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("File (.csv → CSV, .md → Markdown), Enter to write:")
            yield Input(self.default, id="export-path", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Write", variant="primary", id="write")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Export the leaderboard"
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._write()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "write":
            self._write()
        else:
            self.dismiss(None)

    def _write(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.notify("Type a file name, e.g. MSFT_leaderboard.csv", severity="warning")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
