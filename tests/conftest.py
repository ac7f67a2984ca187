"""Shared test set-up: the ``slow`` marker (slow tests still run in CI), each process's own
device-rate cache and data folder, the check that keeps unit tests unit tests, and the fixtures
every folder uses.

Helpers are modules (``synthetic``, ``judge_swap``, ``app_helpers``), imported by name: no test
imports this file.

Kinds: a test under ``tests/unit`` never imports TensorFlow or Keras and never starts the app
(``App.run``, ``run_async`` or ``run_test``); a test that does belongs under ``tests/functional``.
:func:`pytest_runtest_call` fails a unit test that breaks this, whatever ran before it in the
same process (:class:`TrainingImportsRefused`).
"""

from __future__ import annotations

import importlib.abc
import os
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from judge_swap import swap_judge

from synthetic import write_ar2_closes

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The device-rate cache of --device auto: this process's own (each -n worker imports this file
# itself, so workers never share one), never the user's.
CACHE_DIR = tempfile.mkdtemp(prefix="seqlen-cache-")
os.environ["SEQLEN_CACHE_DIR"] = CACHE_DIR
# The per-user data folder (where runs go by default) too: a test that forgets --runs-dir writes
# into this process's own folder, never the user's, and no -n worker lists another's runs.
os.environ["XDG_DATA_HOME"] = os.path.join(CACHE_DIR, "data-home")
# A suite started with SIGHUP ignored (under ``nohup``, or by a CI runner that ignores it) would
# hand that to every app and child it starts, and the hang-up tests would test the wrong thing:
# the app and batch rightly leave an inherited "ignore" alone. Each process here (and each -n
# worker, which imports this file) takes the default users have; the tests about ``nohup`` set
# the ignore themselves.
if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) == signal.SIG_IGN:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)

UNIT_TESTS = Path(__file__).resolve().parent / "unit"
#: Modules a unit test must not import: they mean training (or a model) is under test.
TRAINING_MODULES = ("tensorflow", "keras")
#: The ways to start a Textual app: a unit test calls none of them.
APP_STARTS = ("run", "run_async", "run_test")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: over 5 s on 2 cores (pytest --durations); still part of CI")


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker more than the cores. Many tests wait on a child process (the CLI,
    a batch's pool, TensorFlow's import in a fresh interpreter), and a spare worker keeps the
    cores busy meanwhile: on 2 cores 3 workers ran the suite in 217 s against 289 s for 2 (and
    257 s for 4), all with ``--dist worksteal``."""
    return (os.cpu_count() or 1) + 1


def pytest_unconfigure(config):
    shutil.rmtree(CACHE_DIR, ignore_errors=True)


def in_unit_folder(path: Path) -> bool:
    return UNIT_TESTS in Path(str(path)).parents


def pytest_collection_modifyitems(config, items):
    """The ``slow`` tests first, each group in collection order.

    xdist's ``worksteal`` hands each worker one contiguous block of this list, so the slow tests
    (TensorFlow in this process or in fresh ones, batch pools, Ray) start on one worker, one after
    another, while the others run the app's and the CLI's quick tests; idle workers then steal
    from the ends of the queues. Dealing the slow tests out to every worker instead (measured on
    2 cores, 3 workers) ran several TensorFlow processes side by side on the two cores: 10–15 %
    more CPU time and a slower suite (227–251 s against 201–216 s)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


class TrainingImportsRefused(importlib.abc.MetaPathFinder):
    """While a unit test runs, ``import tensorflow`` (or keras) fails and is remembered, even
    where an earlier test of this process loaded it: its ``sys.modules`` entries are hidden
    meanwhile, so every import goes through this finder. Remembered, because code that
    catches ``ImportError`` (TensorFlow is optional at run time) would hide the refusal."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.hidden: dict[str, object] = {}

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in TRAINING_MODULES:
            self.asked.append(name)
            raise ImportError(f"{name} is refused in a unit test (tests/conftest.py)")
        return None

    def install(self) -> None:
        self.hidden = {name: sys.modules.pop(name) for name in TRAINING_MODULES if name in sys.modules}
        sys.meta_path.insert(0, self)

    def remove(self) -> None:
        sys.meta_path.remove(self)
        sys.modules.update(self.hidden)


@contextmanager
def app_starts_refused(nodeid: str):
    """``App.run``/``run_async``/``run_test`` raise while a unit test runs."""
    from textual.app import App

    def refuse(*args, **kwargs):
        raise AssertionError(f"{nodeid} starts the Textual app: it is a functional test "
                             f"(move it under tests/functional)")

    saved = {name: App.__dict__[name] for name in APP_STARTS}
    for name in APP_STARTS:
        setattr(App, name, refuse)
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(App, name, method)


refused_imports = pytest.StashKey[TrainingImportsRefused]()


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """Fail collecting a unit test module that imports TensorFlow at its top."""
    if not (isinstance(collector, pytest.Module) and in_unit_folder(collector.path)):
        return (yield)
    finder = TrainingImportsRefused()
    finder.install()
    try:
        report = yield
    finally:
        finder.remove()
    if finder.asked and report.outcome == "passed":
        report.outcome = "failed"
        report.longrepr = (f"{collector.nodeid} imports {finder.asked[0]}: "
                           f"a functional test module (move it under tests/functional)")
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """From a unit test's fixtures on, TensorFlow cannot be imported (checked after its call)."""
    if in_unit_folder(item.path):
        item.stash[refused_imports] = TrainingImportsRefused()
        item.stash[refused_imports].install()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a unit test that starts the app or imports TensorFlow (in its fixtures or its body)."""
    finder = item.stash.get(refused_imports, None)
    if finder is None:
        return (yield)
    with app_starts_refused(item.nodeid):
        result = yield
    if finder.asked:
        raise AssertionError(f"{item.nodeid} imports {finder.asked[0]}: a test that trains or imports "
                             f"TensorFlow is a functional test (move it under tests/functional)")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    try:
        return (yield)
    finally:
        finder = item.stash.get(refused_imports, None)
        if finder is not None:
            finder.remove()
            del item.stash[refused_imports]


@pytest.fixture
def cpu_without_tensorflow(monkeypatch):
    """Runs whose stand-in judge is named "lstm" train "on the CPU" without loading TensorFlow
    to choose a device (a unit test's run; the device choice has tests of its own)."""
    import seqlen_tui.core.engine as engine
    from seqlen_tui.core.device import DeviceChoice

    monkeypatch.setattr(engine, "choose_run_device",
                        lambda reporter, requested="auto": DeviceChoice("/CPU:0", "CPU"))


@pytest.fixture
def ridge_engine(monkeypatch):
    """Runs judged by ridge AR (deterministic, instant)."""
    from seqlen_tui.core.judges import RidgeJudge

    swap_judge(monkeypatch, RidgeJudge)


@pytest.fixture
def series_file(tmp_path):
    """BTC-USD.csv: 1,500 daily closes whose changes are AR(2)."""
    return write_ar2_closes(tmp_path / "BTC-USD.csv", 1500)
