"""Child process for tests/functional/test_settings.py: ``python settings_child.py PATH KEY LAG``.

Runs ``SettingsStore(PATH).save_lag(KEY, LAG)`` in a real separate process, so the tests
exercise the OS-level lock and a process that dies mid-save.  Environment knobs:

* ``SEQLEN_TEST_DIE=exit|sigkill``: die at the moment the temp file would replace the
  settings file (temp written and fsynced, .bak written), like a crash or ``kill -9``;
* ``SEQLEN_TEST_READY`` / ``SEQLEN_TEST_GO``: touch READY, then wait for GO to exist, so
  the parent can release many children at the same instant;
* ``SEQLEN_TEST_SLOW=SECONDS``: sleep in every fsync, widening the read-modify-write window
  so a missing lock would show up as a lost key.
"""

import os
import signal
import sys
import time
from pathlib import Path

from seqlen_tui.core.errors import SettingsError
from seqlen_tui.core.settings import SettingsStore


def die_at_the_replace(target: str, how: str) -> None:
    """``SEQLEN_TEST_DIE``: die when the temp file would replace ``target``."""
    real_replace = os.replace

    def replace(src, dst):
        if os.fspath(dst) == target:
            if how == "sigkill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(9)
        real_replace(src, dst)

    os.replace = replace


def slow_fsyncs(seconds: float) -> None:
    """``SEQLEN_TEST_SLOW``: every fsync sleeps first, widening the read-modify-write window."""
    real_fsync = os.fsync

    def fsync(fd):
        time.sleep(seconds)
        real_fsync(fd)

    os.fsync = fsync


def met_at_the_go_file() -> bool:
    """``SEQLEN_TEST_READY`` / ``SEQLEN_TEST_GO``: say ready, then wait for go (False: no go)."""
    if ready := os.environ.get("SEQLEN_TEST_READY"):
        Path(ready).touch()
    if go := os.environ.get("SEQLEN_TEST_GO"):
        deadline = time.monotonic() + 15
        while not os.path.exists(go):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
    return True


def main() -> int:
    path, key, lag = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if die := os.environ.get("SEQLEN_TEST_DIE"):
        die_at_the_replace(os.path.realpath(path), die)
    if slow := float(os.environ.get("SEQLEN_TEST_SLOW", "0")):
        slow_fsyncs(slow)
    if not met_at_the_go_file():
        return 4
    try:
        SettingsStore(path).save_lag(key, lag)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
