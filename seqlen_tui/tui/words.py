"""The core's words in the app's: an option the core names ``«max_seq_len»`` is shown as the
label of its field in the options form (``‘max seq len’``), since the app has no flags."""

from __future__ import annotations

from seqlen_tui.core.options import option_specs, render


def label(key: str) -> str:
    spec = option_specs().get(key)
    return f"‘{spec.label if spec is not None else key.replace('_', ' ')}’"


def in_app(text: object) -> str:
    return render(str(text), label)
