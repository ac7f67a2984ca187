"""Shared helpers for the app's pilot and snapshot tests.

``app.workers.wait_for_complete()`` without arguments would wait forever: ``DirectoryTree``
keeps a long-lived loader worker, so the helpers wait for one named group only (and never
pass an empty list, which means "all workers").
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MSFT = ROOT / "sample_data" / "MSFT.csv"
CO2 = ROOT / "sample_data" / "mauna_loa_co2_weekly.csv"
STORED_REPORT = ROOT / "tests" / "data" / "app" / "MSFT_20261125T041959.json"


async def settle(app, pilot, group: str = "analyze") -> None:
    """Let queued messages start workers, wait for ``group``'s, let results render."""
    await pilot.pause()
    for _ in range(3):
        running = [w for w in app.workers if w.group == group and not w.is_finished]
        if not running:
            break
        await app.workers.wait_for_complete(running)
        await pilot.pause()
    await pilot.pause()


async def open_options(app, pilot):
    """Open the Options tab as the user does (``o``: the asset field focused) and return its
    form, built when the tab is first shown (the choose screen's first frame goes without it).
    Where the tab shows already, no key is pressed: ``o`` would be typed into a field."""
    if app.screen.query_one("#tabs").active != "options":
        await pilot.press("o")
    form = await app.screen.options_form()
    await pilot.pause()
    return form


def errors(app) -> list:
    return [n for n in app._notifications if n.severity == "error"]


def messages(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def project(tmp_path: Path) -> Path:
    """A working folder with the MSFT sample in ``sample_data/`` and a stored run in
    ``runs/``, so pictures show the same tree and paths on every machine."""
    folder = tmp_path / "project"
    (folder / "sample_data").mkdir(parents=True)
    shutil.copy(MSFT, folder / "sample_data" / "MSFT.csv")
    (folder / "runs").mkdir()
    shutil.copy(STORED_REPORT, folder / "runs" / STORED_REPORT.name)
    return folder


def screen_text(app) -> list[str]:
    """The screen as the user sees it, one string per terminal row (dialogs and all)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def widget_text(widget) -> str:
    """All the lines a widget draws (its whole height, seen or scrolled out of sight)."""
    from textual.geometry import Region

    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(strip.text.rstrip() for strip in strips)


def content_text(static, width: int = 70) -> str:
    """A Static's content as plain text at ``width`` (whether or not it is on screen now)."""
    from rich.console import Console

    console = Console(width=width, color_system=None, legacy_windows=False)
    with console.capture() as captured:
        console.print(static.content)
    return captured.get()


async def finish_run(app, pilot) -> None:
    """Wait for the run worker, then (briefly) for the confirm dialog it opens."""
    from seqlen_tui.tui.screens.dialogs import ConfirmLag

    await settle(app, pilot, group="run")
    for _ in range(5):
        if isinstance(app.screen, ConfirmLag):
            break
        await pilot.pause(0.05)


def write_stored_run(runs_dir: Path, base: dict, asset: str, created_at: str, options: dict, **fields) -> None:
    """A copy of the stored report ``base`` as ``asset``'s run at ``created_at``, its options
    updated with ``options`` and its other fields with ``fields``, under the name a run gets."""
    import json

    report = dict(base, asset=asset, created_at=created_at, file=f"data/{asset}.csv",
                  options={**base["options"], **options}, **fields)
    stamp = created_at[:19].replace("-", "").replace(":", "")
    (runs_dir / f"{asset}_{stamp}.json").write_text(json.dumps(report))


def runs_beside_settings(tmp_path: Path, write_runs) -> Path:
    """A runs folder filled by ``write_runs(folder)``, with a settings file beside it."""
    import json

    runs = tmp_path / "runs"
    write_runs(runs)
    (tmp_path / "settings.json").write_text(json.dumps({"home": "/x"}))
    return runs


def review_app(runs: Path):
    """The app on a runs folder, with the settings file beside it."""
    from seqlen_tui.tui.app import SeqlenApp

    return SeqlenApp(None, settings_path=runs.parent / "settings.json", runs_dir=runs)


async def open_review(app, pilot):
    """f2: the review screen, its listing done."""
    from seqlen_tui.tui.screens.review import ReviewScreen

    await pilot.press("f2")
    await settle(app, pilot, group="review")
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


async def export_twice(pilot, folder: Path, pattern: str) -> list[Path]:
    """Press ``e`` twice on the review and return the two exports, oldest first; they must be
    two files (the second never overwrites the first)."""
    for _ in range(2):
        await pilot.press("e")
        await pilot.pause()
    exports = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime_ns)
    assert len(exports) == 2 and exports[0].name != exports[1].name
    return exports
