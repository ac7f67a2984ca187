"""The one error type users see for bad input.

Every message names the problem *and* the fix, because it is shown as-is: one line on stderr
by the CLI (exit code 2), a notification in the app.
"""

import re


class DataError(ValueError):
    """Input the tool cannot use: a bad file, a bad column, too few points, bad options."""


class SettingsError(RuntimeError):
    """The settings file cannot be read or written safely; it was left untouched."""


def file_error(name: str, msg: str) -> DataError:
    """``name: msg`` as a :class:`DataError` on one line: messages are shown verbatim, so line
    breaks from a file or column name are flattened."""
    return DataError(re.sub(r"\s*[\r\n]+\s*", " ", f"{name}: {msg}"))
