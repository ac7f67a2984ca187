"""How a file path is shown to a person: short where it can be, and its file name always whole.

Why: a path is one long "word" to a text wrapper, so a 110-character path in an 80-column
summary was cut wherever the line ended — ``MSFT.cs`` on one line and ``v`` on the next — and
a header simply cropped it before the name.  The name is what the reader looks for; the middle
folders are what they can spare.  So a path is shown relative to the working folder when that
is shorter, and, where a width is given, with its middle folders replaced by ``…``:
``/tmp/…/daily_prices/MSFT.csv``.  Only what is *shown* changes: reports, JSON and settings
keep the path exactly as given.
"""

from __future__ import annotations

import os

ELLIPSIS = "…"


def shown_path(path: str | os.PathLike, width: int | None = None, cwd: str | None = None) -> str:
    """``path`` as a person reads it: relative to ``cwd`` (the working folder) when it lies
    inside it and that is shorter, then :func:`abbreviated` to ``width`` when given."""
    text = relative_when_shorter(path, cwd)
    return abbreviated(text, width) if width else text


def relative_when_shorter(path: str | os.PathLike, cwd: str | None = None) -> str:
    """Relative to ``cwd`` when ``path`` lies inside it (as written or with links resolved)
    and the relative form is shorter; else as given.  Never ``../``: a path that climbs out of
    the working folder is harder to read than the absolute one."""
    text = os.fspath(path)
    folder = os.fspath(cwd) if cwd is not None else os.getcwd()
    candidates = [text]
    for base, target in ((os.path.abspath(folder), os.path.abspath(text)),
                         (os.path.realpath(folder), os.path.realpath(text))):
        try:
            relative = os.path.relpath(target, base)
        except ValueError:  # another drive (Windows)
            continue
        if relative != os.curdir and not relative.startswith(os.pardir):
            candidates.append(relative)
    return min(candidates, key=len)


def abbreviated(path: str, width: int) -> str:
    """``path`` in at most ``width`` characters where its file name allows: the middle
    folders become ``…``; the root's first folder and as many of the last folders as fit are
    kept, and the file name always stays whole (``…/NAME`` when nothing else fits, even if
    that is wider than ``width``)."""
    if len(path) <= width:
        return path
    sep = os.sep if os.sep in path else "/"
    parts = path.split(sep)
    name = parts[-1]
    folders = parts[:-1]
    head = folders[:2] if folders[:1] == [""] else folders[:1]  # "/tmp", "data" or "C:"
    middle = folders[len(head):]
    if not middle:  # nothing between the root's folder and the name to leave out
        shorter = sep.join([ELLIPSIS, name])
        return shorter if len(shorter) < len(path) else path
    tail = [name]
    for folder in reversed(middle):  # the nearest folders say most about the file
        if len(sep.join(head + [ELLIPSIS, folder] + tail)) > width:
            break
        tail.insert(0, folder)
    shown = sep.join(head + [ELLIPSIS] + tail)
    return shown if len(shown) <= width else sep.join([ELLIPSIS, name])
