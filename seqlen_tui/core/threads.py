"""How many cores this process may use, and how TensorFlow's thread pools should share them.

Its own module (it imports nothing heavy) so that TensorFlow's start-up and the batch's
resource planning read the same rule.
"""

from __future__ import annotations

import os

__all__ = ["available_cores", "cpu_threads_environment", "tensorflow_pools"]


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def tensorflow_pools(cores: int) -> tuple[int, int]:
    """TensorFlow's (threads per op, ops side by side) on ``cores``: see
    :func:`cpu_threads_environment` for why."""
    return 1, max(1, cores)


def cpu_threads_environment(cores: int) -> dict[str, str]:
    """TensorFlow's thread pools for the fused judge: one thread per op, ops side by side on
    every core (a user's own ``TF_NUM_*_THREADS`` win; a batch worker sets its share).

    Why: the fused training step is one small ``BlockLSTM`` op per lag, each far too small to
    split across threads, and independent of the others. TensorFlow's default (every core for
    each op *and* for running ops side by side) oversubscribes the cores. Measured on a 2-core
    CPU (``benchmarks/bench_engine.py``): the default run on a 5,000-point hourly series
    trained in 28 s instead of 40 s, with the same models (the same epochs and pick); two
    threads per op and one op at a time took 54 s; the article's one-model Keras fits do not
    change (25 s against 26 s).
    """
    per_op, side_by_side = tensorflow_pools(cores)
    return {"TF_NUM_INTRAOP_THREADS": str(per_op), "TF_NUM_INTEROP_THREADS": str(side_by_side)}
