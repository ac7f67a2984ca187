"""``python signals_child.py ARGS...``: ``seqlen-tui batch ARGS`` in a real process, with the
per-asset task swapped for ``helpers.signal_tasks.waiting_task``. Unlike batch_cli_child.py it
leaves every signal as the process inherited it: the test sets them as ``nohup`` or a shell's
``&`` would."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for helpers.*

from helpers import signal_tasks  # noqa: E402

from seqlen_tui.cli import main  # noqa: E402
from seqlen_tui.core import batch  # noqa: E402

if __name__ == "__main__":
    batch.run_asset_job = signal_tasks.waiting_task
    sys.exit(main(["batch", *sys.argv[1:]]))
