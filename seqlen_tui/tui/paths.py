"""How the app shows a path: short when it lies in the working folder."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str, width: int | None = None) -> str:
    """Relative to the working folder when inside it: shorter in the input and the title;
    with ``width``, long paths lose middle folders, never their file name (Textual would fold
    a path too long for its line mid-name, and a title crops it before the name)."""
    from seqlen_tui.core.pathtext import shown_path

    return shown_path(path, width)
