"""A one-line filter whose editing keys act in the order they were typed.

Why: Textual resolves a widget's key bindings (Backspace, Delete, the arrows, ctrl+w …) only
after the key has reached the widget and bubbled back to the app, against whatever has the
focus *then*. The review screen's Enter is a priority binding that moves the focus to the
table at once (so "/btc ⏎ ⏎" opens the run even typed in one burst); a Backspace typed just
before that Enter was still queued in the input, found the table focused when its binding was
looked up, and was lost ("/btcx ⌫ ⏎" filtered by "btcx"). Here the input runs its own editing
actions as it reads each key, so they no longer depend on where the focus went meanwhile.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


def _own_actions() -> dict[str, str]:
    actions = {}
    for binding in Input.BINDINGS:
        for key in binding.key.split(","):
            actions[key.strip()] = binding.action
    actions.pop("enter", None)  # Enter stays the screen's (it leaves the filter)
    return actions


class FilterInput(Input):
    """An :class:`~textual.widgets.Input` that edits on every key it reads, focused or not."""

    EDITING_ACTIONS = _own_actions()

    async def _on_key(self, event: events.Key) -> None:
        action = self.EDITING_ACTIONS.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        await self.run_action(action)
