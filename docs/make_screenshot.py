"""Regenerate docs/run_screen.svg: the run screen showing the stored MSFT test report.

    python docs/make_screenshot.py
"""

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ["TEXTUAL_ANIMATIONS"] = "none"

from app_helpers import STORED_REPORT, project  # noqa: E402

from seqlen_tui.core.report import load_run  # noqa: E402
from seqlen_tui.tui.app import SeqlenApp  # noqa: E402
from seqlen_tui.tui.screens.run import RunScreen  # noqa: E402


async def main() -> None:
    os.chdir(project(Path(tempfile.mkdtemp())))
    app = SeqlenApp(None, settings_path=Path("settings.json"), runs_dir=Path("runs"))
    async with app.run_test(size=(110, 34)) as pilot:
        await app.push_screen(RunScreen(report=load_run(STORED_REPORT.name, Path("runs"))))
        await pilot.pause(0.3)
        app.save_screenshot("run_screen.svg", path=str(ROOT / "docs"))


if __name__ == "__main__":
    asyncio.run(main())
