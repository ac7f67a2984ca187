"""Only regular files are read as data or settings.

Opening a FIFO (named pipe) blocks until someone writes to it, forever in practice; a device
or a socket is not a file of numbers either. So every path is checked before it is opened:
``os.stat`` follows symbolic links, so a link to a regular file is fine.
"""

from __future__ import annotations

import os
import stat

KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a FIFO (named pipe)"),
    (stat.S_ISSOCK, "is a socket"),
    (stat.S_ISCHR, "is a character device"),
    (stat.S_ISBLK, "is a block device"),
)


def not_regular(path: str | os.PathLike) -> str | None:
    """Why ``path`` is no regular file ("is a FIFO (named pipe)", …), or None if it is one
    or does not exist (the caller says "not found" in its own words)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return None  # unreadable metadata: opening it will say why
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in KINDS if test(mode)), "is not a regular file")


def broken_link(path: str | os.PathLike) -> str | None:
    """Why a path that does not resolve is no plain "not found", with the fix: "is a symbolic
    link loop; …" or "is a symbolic link to a missing file X; …" (X as the link would reach
    it), or None.

    A loop and a link left behind by a moved file both look like a missing file to ``exists()``,
    and "check the spelling" sends the user the wrong way: the name is right, the link is not.
    """
    import errno

    try:
        os.stat(path)
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop; give the path of the data file itself"
    except ValueError:
        return None
    try:
        target = os.readlink(path)
    except (OSError, ValueError):
        return None  # not a link itself (a missing file, or a link higher up the path)
    reached = os.path.normpath(os.path.join(os.path.dirname(os.fspath(path)), target))
    return f"is a symbolic link to a missing file {reached}; fix the link or give the file's new path"
