"""``python batch_cli_child.py TASK ARGS...``: ``seqlen-tui batch ARGS`` in a real process, with
the per-asset task swapped for ``helpers.batch_tasks.TASK`` (e.g. ``slow_task``), so a test
can interrupt it with a real SIGINT."""

import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for helpers.*

from helpers import batch_tasks  # noqa: E402

from seqlen_tui.cli import main  # noqa: E402
from seqlen_tui.core import batch  # noqa: E402

if __name__ == "__main__":
    # Ctrl-C as at a terminal: a shell starts background jobs with SIGINT ignored, and Python
    # then installs no KeyboardInterrupt handler, so a suite run with "&" or nohup would see
    # the batch ignore the test's SIGINT (as it should, in the background) and hang.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    batch.run_asset_job = getattr(batch_tasks, sys.argv[1])
    sys.exit(main(["batch", *sys.argv[2:]]))
