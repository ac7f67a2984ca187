"""How the app shows a path: short when it lies in the working folder."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path | str) -> str:
    """Relative to the working folder when inside it: shorter in the input and the title."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
