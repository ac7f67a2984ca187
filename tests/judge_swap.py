"""Run the front ends' flows with another judge than the LSTM (a helper module, not a fixture
file: tests import it by name, never ``conftest``)."""

from __future__ import annotations

from collections.abc import Callable


def swap_judge(monkeypatch, make_judge: Callable[[], object]) -> None:
    """Every run the front ends start uses ``make_judge()`` instead of the LSTM: the flow is
    tested without paying for training (tests about the LSTM itself don't use this)."""
    import seqlen_tui.core.engine as engine
    from seqlen_tui.core.events import SILENT

    real = engine.run_asset

    def run_asset(series, options, reporter=None, judge=None, analysis=None):
        return real(series, options, reporter or SILENT, make_judge(), analysis)

    monkeypatch.setattr(engine, "run_asset", run_asset)
