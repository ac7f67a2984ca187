"""Shared test set-up: the ``slow`` marker (slow tests still run in CI)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: trains real models; still part of CI")
