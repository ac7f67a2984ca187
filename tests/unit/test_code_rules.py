"""The code's own rules, checked where CI runs the tests: ruff's lint rules (C901 included: no
function above complexity 10) on the package, and the layer contracts of ``[tool.importlinter]``
(the core imports no front end; the app imports no CLI module).

Both tools run as subprocesses from the environment the tests run in (``pip install -e
'.[test]'`` puts them next to the interpreter), so a failure shows their own report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "seqlen_tui"
#: The complexity the issue set: ruff's C901 (mccabe) at 10.
MAX_COMPLEXITY = 10
#: Top-level modules that both front ends use (the app keeps TensorFlow's start-up noise off the
#: screen with seqlen_tui.terminal too): the core may not import them, the app may.
SHARED_FRONT_END = {"seqlen_tui.terminal"}
#: Libraries that draw on a terminal: a front end's business, never the core's.
TERMINAL_UI_LIBRARIES = {"textual", "textual_plotext", "rich"}


def tool(name: str) -> str:
    """The executable ``name`` installed beside this interpreter (the test extra installs it)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed beside {sys.executable}: pip install -e '.[test]'")
    return str(path)


def run(command: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def shown(done: subprocess.CompletedProcess) -> str:
    return f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def contracts() -> dict[str, dict]:
    """The import contracts by their source package."""
    table = pyproject()["tool"]["importlinter"]["contracts"]
    return {contract["source_modules"][0]: contract for contract in table}


def front_end_modules() -> set[str]:
    """Every module of the package outside the core: the app package and each top-level module."""
    top = {f"seqlen_tui.{path.stem}" for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    return top | {"seqlen_tui.tui"}


def test_ruff_passes_on_the_package():
    """ruff with the project's configuration: its lint rules and C901 at max-complexity 10."""
    done = run([tool("ruff"), "check", "--no-cache", "--output-format", "concise", "seqlen_tui"])
    assert done.returncode == 0, shown(done)


def test_the_import_contracts_hold():
    done = run([tool("lint-imports"), "--no-cache"])
    assert done.returncode == 0, shown(done)
    assert "0 broken" in done.stdout, shown(done)


def test_the_complexity_rule_is_configured_and_never_waived():
    """C901 is selected at 10, and nothing switches it off: no ignore, no per-file ignore, no
    ``noqa`` naming it, no blanket ``noqa`` (which silences every rule on its line) and no
    file-level ``ruff: noqa`` anywhere in the package."""
    config = pyproject()["tool"]["ruff"]
    lint = config.get("lint", {})
    assert "C901" in lint["select"]
    assert lint["mccabe"]["max-complexity"] == MAX_COMPLEXITY
    waivers = [*lint.get("ignore", []), *lint.get("extend-ignore", []), *config.get("ignore", [])]
    for table in (lint, config):
        for key in ("per-file-ignores", "extend-per-file-ignores"):
            waivers += [code for codes in table.get(key, {}).values() for code in codes]
    assert not [code for code in waivers if "C901".startswith(code)], waivers
    assert not list(ROOT.glob("*ruff.toml")), "a ruff.toml would override pyproject.toml's rules"
    waiving = re.compile(r"#\s*noqa(?!\s*:)|#\s*noqa\s*:[^#\n]*\bC9|#\s*ruff\s*:\s*noqa", re.IGNORECASE)
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if waiving.search(line)]
    assert not found, "\n".join(found)


def test_the_contracts_name_every_front_end_module():
    """A new CLI module is kept out of the core and the app as soon as it exists: the core's
    contract forbids every module outside the core (and the terminal UI libraries), the app's
    every top-level module but the shared ones."""
    by_source = contracts()
    front_end = front_end_modules()
    core = set(by_source["seqlen_tui.core"]["forbidden_modules"])
    assert front_end | TERMINAL_UI_LIBRARIES <= core, sorted(front_end | TERMINAL_UI_LIBRARIES - core)
    app = set(by_source["seqlen_tui.tui"]["forbidden_modules"])
    cli = front_end - SHARED_FRONT_END - {"seqlen_tui.tui"}
    assert cli <= app, sorted(cli - app)
    assert by_source["seqlen_tui.core"]["type"] == by_source["seqlen_tui.tui"]["type"] == "forbidden"


@pytest.mark.parametrize(("module", "line"), [
    ("core/json_edit.py", "import textual  # scratch: the core draws on the terminal\n"),
    ("tui/words.py", "from seqlen_tui import cli_common  # scratch: the app uses a CLI module\n"),
], ids=["core-imports-textual", "app-imports-cli"])
def test_the_contracts_catch_a_forbidden_import(tmp_path, module, line):
    """The contracts are not vacuous: in a scratch copy where a core module imports textual, or
    an app module a CLI module, lint-imports fails and names the import."""
    shutil.copytree(PACKAGE, tmp_path / "seqlen_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    broken = tmp_path / "seqlen_tui" / module
    broken.write_text(line + broken.read_text(encoding="utf-8"), encoding="utf-8")
    done = run([tool("lint-imports"), "--no-cache"], cwd=tmp_path)
    assert done.returncode == 1, shown(done)
    assert "1 broken" in done.stdout and f"seqlen_tui.{module[:-3].replace('/', '.')}" in done.stdout, \
        shown(done)
