"""Protocol ``article``: the article's benchmark (:mod:`.article`) run on the chosen device and
reported in the shape of the robust protocol's report."""

from __future__ import annotations

import time

from .analysis import analyze_series
from .data import Series
from .events import Reporter
from .options import RunOptions
from .results import LeaderboardRow
from .run_device import choose_run_device


def run_article_report(series: Series, options: RunOptions, reporter: Reporter, asset: str,
                       file: str, recorded: dict | None = None, shown_as: str | None = None) -> dict:
    """Protocol ``article``: the article's benchmark, as a report of the same shape.

    Its MSE is on MinMax-scaled values and there is no validation block, so ``val_mse`` is
    empty and ``test_mse`` holds the article's scaled MSE (``mse_scale: "minmax"``).
    """
    from .article import run_article
    from .report import report_header
    from .tf_runtime import load_tensorflow

    options.validate()
    started = time.perf_counter()
    analysis = analyze_series(series, max_lag=options.max_lag, alpha=options.alpha,
                              reporter=reporter.part(0.0, 0.02))
    choice = choose_run_device(reporter, options.device)
    load_tensorflow()
    import tensorflow as tf

    with tf.device(choice.name):
        result = run_article(series.values, seed=options.seed, epochs=options.epochs or 10,
                             reporter=reporter.part(0.02, 1.0), classifiers=options.classifiers)
    rows = [LeaderboardRow("lstm", r.lag, test_mse=r.mse, directional_accuracy=r.directional_accuracy)
            for r in result.lstm]
    rows += [LeaderboardRow(name, result.base_lag, directional_accuracy=acc)
             for name, acc in result.classifiers.items()]
    rows.sort(key=lambda r: -(r.directional_accuracy or 0))  # the article sorts by DA
    lstm = sorted(result.lstm, key=lambda r: r.mse)
    return {
        **report_header(analysis.to_dict(), asset, file, options.to_dict() if recorded is None else recorded,
                        shown_as),
        "target": "level",
        "target_words": "MinMax-scaled levels, scaler fitted on the whole series (the article)",
        "mse_scale": "minmax",
        "lags": list(result.lags),
        "leaderboard": [row.to_dict() for row in rows],
        "chosen_lag": result.chosen_lag,
        "chosen_model": "lstm",
        "runner_up": next((r.lag for r in lstm if r.lag != result.chosen_lag), None),
        "reason": result.rule,
        "verdict": (f"The article's rule picks {result.chosen_lag} ({result.rule}); it has no "
                    "persistence baseline, so this says nothing about beating the last value."),
        "warnings": list(result.notes),
        "article": result.to_dict(),
        "device": choice.label,
        "timings": {"total": time.perf_counter() - started},
    }
