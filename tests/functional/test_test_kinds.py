"""The suite's own rule (tests/conftest.py): a unit test that loads TensorFlow or starts the app
fails, naming the folder it belongs in. Run on a throw-away copy of the test set-up, with stand-ins
for TensorFlow and the app so that the check itself costs no training."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from paths import TESTS

UNIT_FILE = '''
def test_pure():
    assert 1 + 1 == 2

def test_imports_tensorflow_and_hides_the_error():
    try:  # refused although a functional test of this process "loaded" it (see below)
        import tensorflow  # noqa: F401
    except ImportError:
        pass

async def test_starts_the_app():
    from textual.app import App

    async with App().run_test():
        pass
'''

#: Collected and run first (functional/ sorts before unit/): a stand-in "TensorFlow" is loaded.
FUNCTIONAL_FILE = '''
import sys, types

def test_may_load_tensorflow():
    sys.modules["tensorflow"] = types.ModuleType("tensorflow")
    import tensorflow  # noqa: F401
'''


@pytest.mark.slow  # a pytest of its own: its start-up
def test_unit_tests_that_load_tensorflow_or_start_the_app_fail_and_functional_ones_may(tmp_path):
    for helper in ("conftest.py", "judge_swap.py", "synthetic.py"):
        shutil.copy(TESTS / helper, tmp_path / helper)
    (tmp_path / "unit").mkdir()
    (tmp_path / "functional").mkdir()
    (tmp_path / "unit" / "test_probe.py").write_text(UNIT_FILE)
    (tmp_path / "functional" / "test_probe_functional.py").write_text(FUNCTIONAL_FILE)
    out = subprocess.run([sys.executable, "-m", "pytest", "-n0", "-p", "no:cacheprovider", "-q", "-p", "no:randomly",
                          "-o", "asyncio_mode=auto", "--rootdir", str(tmp_path), str(tmp_path)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    summary = out.stdout
    assert "2 failed, 2 passed" in summary, summary
    assert ("test_imports_tensorflow_and_hides_the_error imports tensorflow: a test that trains or imports "
            "TensorFlow is a functional test") in summary
    assert "test_starts_the_app starts the Textual app" in summary
    assert "FAILED unit/test_probe.py::test_pure" not in summary
