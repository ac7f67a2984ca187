"""How the app shows a path: short when it lies in the working folder."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str, width: int | None = None) -> str:
    """Relative to the working folder when inside it: shorter in the input and the title;
    with ``width``, long paths lose middle folders, never their file name (Textual would fold
    a path too long for its line mid-name, and a title crops it before the name)."""
    from seqlen_tui.core.pathtext import shown_path

    return shown_path(path, width)


def toast_path(path: Path | str, screen_width: int) -> str:
    """A path for a notification: a toast is at most 60 columns or half the screen wide
    (less its padding and edge), and folds a longer path mid-name like any line."""
    return display_path(path, max(12, min(60, screen_width // 2) - 4))
