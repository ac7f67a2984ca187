"""A directory tree that shows only folders and files the app can open.

Listing everything (virtual environments, caches, thousands of source files) buries the
few data files a user is looking for, so the tree keeps data files and visible folders.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.widgets import DirectoryTree

DATA_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".parquet", ".pq"})
HIDDEN_DIRS = frozenset({".venv", "venv", "__pycache__", "node_modules"})


class DataFileTree(DirectoryTree):
    """``DirectoryTree`` filtered to data files and non-hidden folders."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if _visible(path)]


def _visible(path: Path) -> bool:
    name = path.name
    if name.startswith(".") or name in HIDDEN_DIRS or name.endswith(".egg-info"):
        return False
    try:
        if path.is_dir():
            return True
    except OSError:  # unreadable entries are not worth an error in a file chooser
        return False
    return path.suffix.lower() in DATA_SUFFIXES
