"""What TensorFlow says on the terminal while it loads: kept, not shown.

TensorFlow and absl write start-up lines (oneDNN, "Could not find cuda drivers", CPU features)
straight to file descriptor 2 while TensorFlow loads, even with ``TF_CPP_MIN_LOG_LEVEL=3``:
a dozen lines in the middle of a progress log or over the app's screen. The front ends own
the terminal, so they decide: during that first import descriptor 2 points at an anonymous
temporary file, and the text is kept in :data:`startup_messages` (``doctor`` shows it: it is
often the reason a GPU is not used). The core only calls the guard it is given
(:func:`seqlen_tui.core.tf_runtime.set_import_guard`); it never touches descriptors.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

#: What TensorFlow wrote to descriptor 2 while it loaded in this process, one entry per line.
startup_messages: list[str] = []


@contextmanager
def stderr_kept() -> Iterator[None]:
    """Point descriptor 2 at a temporary file for the block; keep what was written there.

    Python exceptions still propagate (``sys.stderr`` is flushed first, and the descriptor is
    restored before the exception leaves the block). Where descriptor 2 is not a real one
    (an embedding host, a test runner's capture), the block runs unguarded.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", errors="replace")
            startup_messages.extend(line for line in text.splitlines() if line.strip())


def keep_import_noise() -> None:
    """Guard TensorFlow's first import in this process with :func:`stderr_kept`."""
    from .core.tf_runtime import set_import_guard

    set_import_guard(stderr_kept)
