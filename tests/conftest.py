"""Shared test set-up: the ``slow`` marker (slow tests still run in CI)."""

import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The device-rate cache of --device auto: the tests' own, never the user's.
os.environ["SEQLEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="seqlen-cache-")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: trains real models; still part of CI")
