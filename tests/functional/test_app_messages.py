"""The app's messages carry the core's events as they are, and the run screen draws each
event by its type (no app copy of an event to keep in step with the core)."""

from __future__ import annotations

import dataclasses
import inspect

from seqlen_tui.core import events
from seqlen_tui.tui.messages import CoreEvent
from seqlen_tui.tui.screens.run import RunScreen


def core_event_types() -> set[type]:
    return {cls for _, cls in inspect.getmembers(events, inspect.isclass)
            if issubclass(cls, events.Event) and dataclasses.is_dataclass(cls)}


def test_every_core_event_is_drawn_except_the_forecasts():
    """A new event in the core must be drawn, or named here as one the run screen leaves out:
    only the groups' raw forecasts (the leaderboard rows say what they scored)."""
    dispatch = vars(RunScreen)["_draw_event"].dispatcher.dispatch
    ignored = dispatch(events.Event)
    assert {cls for cls in core_event_types() if dispatch(cls) is ignored} == {
        events.Event, events.GroupTrained}


def test_only_progress_coalesces():
    """A queued progress event makes an older one stale; a log line never is."""
    progress = CoreEvent(events.Progress(fraction=0.2))
    assert progress.can_replace(CoreEvent(events.Progress(fraction=0.3)))
    assert progress.can_replace(CoreEvent(events.Finished()))
    assert not progress.can_replace(CoreEvent(events.Note(message="a line")))
    assert not CoreEvent(events.Note(message="a line")).can_replace(progress)


def test_the_event_is_carried_as_the_core_sent_it():
    event = events.StageStarted(message="analysing", stage="acf")
    message = CoreEvent(event, request=3)
    assert message.event is event and message.request == 3
