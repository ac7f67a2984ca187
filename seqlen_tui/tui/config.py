"""What the app reads from the settings file's ``"seqlen_tui"`` block at start-up.

The block holds the user's usual run options (``"budget": "quick"``, ``"seeds": 5`` …),
a ``"keymap"`` (binding id → keys, e.g. ``{"run": "f6"}``) and a ``"theme"`` (e.g.
``"ansi-dark"`` for limited terminals).  A file the store cannot read is reported once and
the built-in defaults are used: nothing is ever written at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Run options the form shows, with the built-in defaults (``None``: blank, the budget decides).
FORM_DEFAULTS: dict[str, Any] = {
    "protocol": "robust",
    "target": "diff",
    "budget": "standard",
    "epochs": None,
    "seeds": 2,
    "seeds_max": None,
    "seed": 42,
    "units": 16,
    "max_lag": None,
    "max_seq_len": None,
    "alpha": 0.05,
    "lags": (),
    "only_lags": False,
    "classifiers": True,
    "highway": False,
    "device": "auto",
}

CHOICES = {
    "protocol": ("robust", "article"),
    "target": ("diff", "level", "logret", "auto"),
    "budget": ("quick", "standard", "thorough"),
    "device": ("auto", "cpu", "gpu"),
}


@dataclass
class AppConfig:
    settings_path: Path
    runs_dir: Path | None  # None: the core's default, resolved when first needed
    defaults: dict[str, Any] = field(default_factory=lambda: dict(FORM_DEFAULTS))
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
    from seqlen_tui.core.settings import SettingsStore, resolve_settings_path

    path = resolve_settings_path(settings_path)
    explicit_runs = Path(runs_dir).expanduser() if runs_dir else None
    if explicit_runs is None and os.environ.get("SEQLEN_RUNS_DIR"):
        explicit_runs = Path(os.environ["SEQLEN_RUNS_DIR"]).expanduser()
    config = AppConfig(path, explicit_runs)
    try:
        block = SettingsStore(path).tool_defaults()
    except SettingsError as exc:
        config.problems.append(f"{exc} (using the built-in defaults)")
        return config
    for name, value in block.items():
        if name in CHOICES and value not in CHOICES[name]:
            config.problems.append(f'seqlen_tui.{name} in {path.name} must be one of '
                                   f'{", ".join(CHOICES[name])} (got {value!r}); ignored')
        elif name in FORM_DEFAULTS:
            config.defaults[name] = value
    keymap = block.get("keymap", {})
    if isinstance(keymap, dict) and all(isinstance(v, str) for v in keymap.values()):
        config.keymap = {str(k): v for k, v in keymap.items()}
    else:
        config.problems.append('"keymap" in the seqlen_tui block must map binding ids to keys, '
                               'e.g. {"run": "f6"}; ignored')
    if isinstance(block.get("theme"), str):
        config.theme = block["theme"]
    if config.runs_dir is None and isinstance(block.get("runs_dir"), str):
        config.runs_dir = Path(block["runs_dir"]).expanduser()
    return config
