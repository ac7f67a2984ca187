"""What the app reads from the settings file's ``"seqlen_tui"`` block at start-up.

The block holds the user's usual run options (``"budget": "quick"``, ``"seeds": 5`` …),
a ``"keymap"`` (binding id → keys, e.g. ``{"run": "f8"}``), a ``"theme"`` (e.g.
``"ansi-dark"`` for limited terminals) and a ``"runs_dir"``, decided by the core exactly as
the CLI and ``batch`` decide it (:func:`seqlen_tui.core.report.default_runs_dir`).  A file the store cannot read is reported once and
the built-in defaults are used: nothing is ever written at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def option_defaults() -> dict[str, Any]:
    """Every run option's declared default (:mod:`seqlen_tui.core.options`)."""
    from seqlen_tui.core.options import RunOptions

    return RunOptions().to_dict()


@dataclass
class AppConfig:
    settings_path: Path
    runs_dir: Path | None  # None: the core's default, resolved when first needed
    defaults: dict[str, Any] = field(default_factory=option_defaults)
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    problems: list[str] = field(default_factory=list)

    def resolved_runs_dir(self) -> Path:
        if self.runs_dir is None:
            from seqlen_tui.core.report import default_runs_dir

            self.runs_dir = default_runs_dir(None)
        return self.runs_dir


def load_config(settings_path: str | os.PathLike | None = None,
                runs_dir: str | os.PathLike | None = None) -> AppConfig:
    """Read the settings block (cheap: JSON and a path, no pandas or numpy)."""
    from seqlen_tui.core.errors import SettingsError
    from seqlen_tui.core.report import default_runs_dir
    from seqlen_tui.core.settings import SettingsStore, resolve_settings_path

    path = resolve_settings_path(settings_path)
    config = AppConfig(path, None)
    try:
        block = SettingsStore(path).tool_defaults()
    except SettingsError as exc:
        config.problems.append(f"{exc} (using the built-in defaults)")
        config.runs_dir = default_runs_dir(runs_dir)  # no block: the caller's, $SEQLEN_RUNS_DIR or the default
        return config
    # The runs folder as the CLI and batch decide it (core.report), so `seqlen-tui runs` lists
    # and `batch` skips what the app ran; a bad block value is reported and the default used.
    try:
        config.runs_dir = default_runs_dir(runs_dir, path, block=block, fix="set $SEQLEN_RUNS_DIR")
    except SettingsError as exc:
        config.runs_dir = default_runs_dir(runs_dir)
        config.problems.append(f"{exc}; runs go to {config.runs_dir} meanwhile")
    # The block's run options, checked by the core exactly as the CLI checks them; a bad one
    # is reported and its default used (the CLI refuses it: nothing runs there unattended).
    from seqlen_tui.core.errors import DataError
    from seqlen_tui.core.options import resolve_options

    try:
        options, problems = resolve_options({}, block, strict=False, source=str(path))
        config.defaults = options.to_dict()
    except DataError as exc:  # a rule between two block values (seeds_max below seeds …)
        problems = [exc]
    config.problems.extend(f"{exc}; the default is used" for exc in problems)  # exc names the file
    keymap = block.get("keymap", {})
    if isinstance(keymap, dict) and all(isinstance(v, str) for v in keymap.values()):
        config.keymap = {str(k): v for k, v in keymap.items()}
    else:
        config.problems.append('"keymap" in the seqlen_tui block must map binding ids to keys, '
                               'e.g. {"run": "f8"}; ignored')
    if isinstance(block.get("theme"), str):
        config.theme = block["theme"]
    return config
