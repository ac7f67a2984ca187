"""Protocol ``article``: the article's benchmark, reproduced literally and kept apart.

The article ("LSTM Sequence Length Helper", Hans De Weme, 2025) picks the LSTM lookback like
this, and this module does exactly the same so users can check its answer and we can measure
our robust protocol against it.  Nothing here is shared with, or bent towards, the robust path.

1. ``base`` = the first insignificant lag of the ACF of the *differenced* series
   (``nlags=168``, ``alpha=0.05``; if no lag is insignificant, 168); lags = ``base × 1..4``.
2. ``MinMaxScaler`` fitted on the *whole* series (test included — the article's leak, kept);
   windows of the longest lag ``L`` (window ``k`` = ``scaled[k:k+L]``, target
   ``scaled[k+L]``), each lag uses the last ``lag`` values of those windows
   (``X[:, -seq_len:]``), so every lag predicts the same targets.
3. First 80 % of windows (``int(len * 0.8)``) train, the rest test.
4. ``Sequential([Input((lag, 1)), LSTM(16), Dense(1)])``, adam, mse; ``fit(epochs=10,
   batch_size=32 (Keras' default), validation_split=0.1, callbacks=[EarlyStopping(
   patience=3)])`` — the last weights are kept (no ``restore_best_weights``).
5. Test MSE on the *scaled* values; directional accuracy ``accuracy_score(sign(diff(y_test)),
   sign(diff(preds)))`` — a zero in both counts as a match.
6. XGBoost and RandomForest "next move up?" classifiers at ``base``, on raw close windows.
7. The leaderboard rule: if the lowest-MSE lag is also the highest-DA lag, it wins; otherwise
   the lag with the lowest ``mse × (1 − DA)``.

Only deviation: every model is seeded (``keras.utils.set_random_seed(seed)`` before each LSTM,
``enable_op_determinism()``, ``random_state=seed`` for both classifiers); the article seeds
nothing, so its own numbers change from run to run.  Inputs the article cannot handle (it
returns no LSTM results when the series is shorter than its longest lag, or crashes on a
test block too small to score) raise one :class:`DataError` instead.

TensorFlow, Keras, XGBoost and scikit-learn are imported inside the functions that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .acf import analyze_transform, max_lag_limit
from .candidates import Candidate
from .errors import DataError
from .events import SILENT, Cancelled, CandidatesReady, Reporter
from .judges import training_callback
from .tf_runtime import load_tensorflow

#: The article's settings.
ARTICLE_MAX_LAG = 168
ARTICLE_ALPHA = 0.05
ARTICLE_MULTIPLIERS = (1, 2, 3, 4)
ARTICLE_EPOCHS = 10
ARTICLE_BATCH_SIZE = 32  # Keras' default, which the article relies on
ARTICLE_PATIENCE = 3
ARTICLE_VALIDATION_SPLIT = 0.1
ARTICLE_TRAIN_FRACTION = 0.8
ARTICLE_UNITS = 16
#: Fewest windows (at the longest lag) we accept: enough for a validation slice and a test
#: block of a few points.  Below it the article either returns nothing or crashes.
MIN_ARTICLE_WINDOWS = 20

RULE_AGREE = "lowest MSE and highest DA agree"
RULE_CONFLICT = "conflict: min mse × (1 − DA)"
RULE_NONE = "no LSTM results"


@dataclass(frozen=True)
class ArticleLagResult:
    lag: int
    mse: float  # on the MinMax-scaled values, as the article
    directional_accuracy: float

    def to_dict(self) -> dict:
        return {"lag": self.lag, "mse": self.mse, "directional_accuracy": self.directional_accuracy}


@dataclass(frozen=True)
class ArticleResult:
    base_lag: int  # first insignificant lag of the differenced ACF (nlags 168 or capped)
    lags: tuple[int, ...]  # base × 1..4
    lstm: tuple[ArticleLagResult, ...]
    classifiers: dict[str, float]  # {"xgb_direction": acc, "rf_direction": acc} at base_lag
    chosen_lag: int | None
    rule: str  # which leaderboard rule decided
    # Bookkeeping (not in the article): how the run was made.
    acf_nlags: int = ARTICLE_MAX_LAG  # < 168 when the series was too short for 168 lags
    seed: int = 42
    epochs: int = ARTICLE_EPOCHS
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "protocol": "article",
            "base_lag": self.base_lag,
            "lags": list(self.lags),
            "lstm": [row.to_dict() for row in self.lstm],
            "classifiers": dict(self.classifiers),
            "chosen_lag": self.chosen_lag,
            "rule": self.rule,
            "acf_nlags": self.acf_nlags,
            "acf_nlags_capped": self.acf_nlags < ARTICLE_MAX_LAG,
            "seed": self.seed,
            "epochs": self.epochs,
            "notes": list(self.notes),
        }


# ----------------------------------------------------------------------------- pure pieces


def article_acf_nlags(n: int, nlags: int = ARTICLE_MAX_LAG) -> int:
    """``nlags``, capped so the ACF is still estimated from at least half of the differences."""
    limit = max_lag_limit(n)
    if limit < 1:
        raise DataError(
            f"article protocol: {n} points are too few for an ACF; it needs at least "
            f"5 points (and far more for its LSTM benchmark)"
        )
    return min(int(nlags), limit)


def article_lags(
    values: np.ndarray, alpha: float = ARTICLE_ALPHA, nlags: int = ARTICLE_MAX_LAG
) -> tuple[int, tuple[int, ...]]:
    """The article's base lag (first insignificant lag of the differenced ACF) and base × 1..4.

    ``nlags`` is capped at ``(n - 1) // 2 - 1`` for short series (see :func:`article_acf_nlags`);
    when no lag up to it is insignificant, the base is that cap, as the article's fallback.
    """
    values = np.asarray(values, dtype=float)
    capped = article_acf_nlags(len(values), nlags)
    analysis = analyze_transform(values, "diff", max_lag=capped, alpha=alpha)
    if analysis is None:
        raise DataError(
            "article protocol: the differenced series is constant or not finite, so its ACF "
            "is undefined; use a series whose steps vary"
        )
    base = int(analysis.first_insignificant_lag)
    return base, tuple(base * m for m in ARTICLE_MULTIPLIERS)


def article_leaderboard_choice(results: list[ArticleLagResult]) -> tuple[int | None, str]:
    """The article's rule, literally, ties included.

    The article sorts its leaderboard by directional accuracy (descending, stable) and then
    takes ``min`` by MSE and ``max`` by DA over that order, so ties go to the entry that comes
    first in it; the conflict case takes ``min`` of ``mse * (1 - da)`` over the same order.
    """
    board = sorted(results, key=lambda r: r.directional_accuracy, reverse=True)
    if not board:
        return None, RULE_NONE
    best_by_mse = min(board, key=lambda r: r.mse)
    best_by_da = max(board, key=lambda r: r.directional_accuracy)
    if best_by_mse.lag == best_by_da.lag:
        return best_by_mse.lag, RULE_AGREE
    combined = min(board, key=lambda r: r.mse * (1 - r.directional_accuracy))
    return combined.lag, RULE_CONFLICT


def article_scale(values: np.ndarray) -> np.ndarray:
    """``MinMaxScaler().fit_transform`` on the whole series, shape (n, 1) — test part included."""
    from sklearn.preprocessing import MinMaxScaler

    column = np.asarray(values, dtype=float).reshape(-1, 1)
    return MinMaxScaler().fit_transform(column)


def article_windows(scaled: np.ndarray, max_lag: int, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """The article's ``X[:, -seq_len:]`` and ``y`` for windows cut at ``max_lag``.

    Window ``k`` (``k = 0 … n - max_lag - 1``) ends just before target ``scaled[k + max_lag]``;
    its last ``seq_len`` values are ``scaled[k + max_lag - seq_len : k + max_lag]``.  Returns
    a read-only view of shape (n - max_lag, seq_len, 1) and ``y`` of shape (n - max_lag,).
    """
    from numpy.lib.stride_tricks import sliding_window_view

    column = np.asarray(scaled, dtype=float).reshape(-1)
    n_windows = len(column) - max_lag
    if n_windows <= 0:
        return np.empty((0, seq_len, 1)), np.empty(0)
    x = sliding_window_view(column[max_lag - seq_len :], seq_len)[:n_windows]
    return x[..., None], column[max_lag:]


def article_split(n: int) -> int:
    """The article's split index: ``int(n * 0.8)``."""
    return int(n * ARTICLE_TRAIN_FRACTION)


def article_directional_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """``accuracy_score(np.sign(np.diff(y_true)), np.sign(np.diff(y_pred)))``.

    Signs are compared as they are: two flat steps (0 and 0) count as a match, a flat step
    against a move does not.
    """
    from sklearn.metrics import accuracy_score

    return float(accuracy_score(np.sign(np.diff(y_true)), np.sign(np.diff(y_pred))))


def article_classifier_data(close: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Features and target of the article's ``benchmark_classifier``, vectorised.

    The article builds ``df['target'] = (close.shift(-1) > close).astype(int)`` and *then*
    calls ``dropna()``.  The last row's ``shift(-1)`` is NaN, but ``NaN > x`` is ``False``,
    so its target is 0, not NaN, and ``dropna`` drops nothing: the last row stays, labelled
    "down".  Rows are ``i = lag … n-1`` with features ``close[i-lag:i]`` (the ``lag`` values
    *before* row ``i``, not including it) and target ``close[i+1] > close[i]`` — so the move
    to predict starts one step after the window ends.  Both quirks are reproduced as written.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    close = np.asarray(close, dtype=float)
    n = len(close)
    target = np.zeros(n, dtype=int)
    target[:-1] = (close[1:] > close[:-1]).astype(int)  # last row: NaN > x -> False -> 0
    if n - lag <= 0:
        return np.empty((0, lag)), np.empty(0, dtype=int)
    x = sliding_window_view(close, lag)[: n - lag]  # row i - lag = close[i-lag:i]
    return x, target[lag:]


# ----------------------------------------------------------------------------- the run


def run_article(
    series_values: np.ndarray,
    *,
    seed: int = 42,
    epochs: int = ARTICLE_EPOCHS,
    reporter: Reporter = SILENT,
    classifiers: bool = True,
) -> ArticleResult:
    """The article's whole benchmark on one series (``Series.values``, in time order)."""
    reporter.check_cancelled()
    values = np.asarray(series_values, dtype=float)
    notes: list[str] = []
    if not np.isfinite(values).all():
        raise DataError("article protocol: the series has missing or infinite values; clean it first")

    reporter.stage("acf", "article: ACF of the differenced series")
    nlags = article_acf_nlags(len(values))
    if nlags < ARTICLE_MAX_LAG:
        notes.append(
            f"ACF nlags capped at {nlags} (the article uses {ARTICLE_MAX_LAG}; "
            f"{len(values)} points support at most {nlags})"
        )
    base, lags = article_lags(values, ARTICLE_ALPHA, nlags)
    longest = max(lags)
    n_windows = len(values) - longest
    reporter.info(
        f"article: first insignificant lag of the differenced ACF is {base}; "
        f"testing lags {', '.join(map(str, lags))}",
        stage="acf",
    )
    reporter.send(CandidatesReady(
        f"benchmarking {', '.join(map(str, lags))}", target="level",
        candidates=tuple(Candidate(lag, (f"article: {k} × first insignificant ACF lag of differences ({base})",))
                         for lag, k in zip(lags, ARTICLE_MULTIPLIERS))))
    if n_windows < MIN_ARTICLE_WINDOWS:
        raise DataError(
            f"article protocol: {len(values)} points are too few for its longest lag {longest} "
            f"(base {base} × 4); it needs at least {longest + MIN_ARTICLE_WINDOWS} points"
        )

    units = len(lags) + (2 if classifiers else 0)
    lstm_rows, lstm_notes = _benchmark_lstm(values, lags, seed, epochs, reporter, units)
    notes.extend(lstm_notes)

    accuracies: dict[str, float] = {}
    if classifiers:
        # The article's order: XGB, then RF.
        for index, name in enumerate(("xgb_direction", "rf_direction")):
            reporter.check_cancelled()
            reporter.info(f"article: {name} at lag {base}", stage="classifiers")
            accuracies[name] = _benchmark_classifier(values, name, base, seed)
            reporter.progress((len(lags) + index + 1) / units, stage="classifiers", lags=(base,))

    chosen, rule = article_leaderboard_choice(list(lstm_rows))
    reporter.info(
        f"article: best sequence length {chosen} ({rule})" if chosen is not None
        else "article: no LSTM models to evaluate the sequence length",
        stage="result",
    )
    return ArticleResult(
        base_lag=base,
        lags=lags,
        lstm=tuple(lstm_rows),
        classifiers=accuracies,
        chosen_lag=chosen,
        rule=rule,
        acf_nlags=nlags,
        seed=seed,
        epochs=epochs,
        notes=tuple(notes),
    )


def _benchmark_lstm(
    values: np.ndarray, lags: tuple[int, ...], seed: int, epochs: int, reporter: Reporter,
    units: int,
) -> tuple[list[ArticleLagResult], list[str]]:
    """The article's ``benchmark_lstm``: one small LSTM per lag on shared targets."""
    reporter.check_cancelled()
    load_tensorflow()
    import keras
    import tensorflow as tf
    from sklearn.metrics import mean_squared_error

    tf.config.experimental.enable_op_determinism()
    scaled = article_scale(values)
    longest = max(lags)
    rows: list[ArticleLagResult] = []
    notes: list[str] = []
    for index, lag in enumerate(lags):
        reporter.check_cancelled()
        reporter.info(f"article: LSTM lag {lag} ({index + 1}/{len(lags)})", stage="train")
        x, y = article_windows(scaled, longest, lag)
        split = article_split(len(x))
        # Keras casts inputs to float32 either way; a float32 copy halves the memory of the
        # float64 windows the article builds (same numbers reach the model).
        x_train = np.ascontiguousarray(x[:split], dtype=np.float32)
        x_test = np.ascontiguousarray(x[split:], dtype=np.float32)
        y_train, y_test = y[:split], y[split:]

        keras.utils.set_random_seed(seed)  # not in the article: it seeds nothing
        model = keras.Sequential(
            [keras.Input((lag, 1)), keras.layers.LSTM(ARTICLE_UNITS), keras.layers.Dense(1)]
        )
        model.compile(optimizer="adam", loss="mse")
        try:
            model.fit(
                x_train,
                y_train,
                epochs=epochs,
                batch_size=ARTICLE_BATCH_SIZE,
                verbose=0,
                validation_split=ARTICLE_VALIDATION_SPLIT,
                callbacks=[
                    keras.callbacks.EarlyStopping(patience=ARTICLE_PATIENCE),
                    training_callback(
                        keras, reporter,
                        lambda epoch, i=index: (i + (epoch + 1) / epochs) / units,
                        (lag,),
                    ),
                ],
            )
        except Exception as exc:  # the article skips a lag whose training fails
            reporter.check_cancelled()
            message = f"LSTM training failed at lag {lag}: {exc}"
            notes.append(message)
            reporter.warning(f"article: {message}", stage="train")
            keras.backend.clear_session()
            continue
        reporter.check_cancelled()  # the callback stopped training within one batch
        preds = np.asarray(model.predict(x_test, batch_size=ARTICLE_BATCH_SIZE, verbose=0)).ravel()
        keras.backend.clear_session()
        mse = float(mean_squared_error(y_test, preds))
        da = article_directional_accuracy(y_test, preds)
        rows.append(ArticleLagResult(lag=lag, mse=mse, directional_accuracy=da))
        reporter.info(f"article: lag {lag}: MSE = {mse:.5f}, DirAcc = {da:.3f}", stage="train")
    return rows, notes


def _benchmark_classifier(values: np.ndarray, name: str, lag: int, seed: int) -> float:
    """The article's ``benchmark_classifier``: accuracy on the last 20 % of rows."""
    x, y = article_classifier_data(values, lag)
    split = article_split(len(x))
    if name == "rf_direction":
        from sklearn.ensemble import RandomForestClassifier

        clf = RandomForestClassifier(n_estimators=100, random_state=seed)  # seed: not in article
    else:
        from xgboost import XGBClassifier

        # The article also passes use_label_encoder=False, which XGBoost ≥ 2 ignores (and warns
        # about); it changes nothing. random_state: not in the article.
        clf = XGBClassifier(eval_metric="logloss", random_state=seed)
    clf.fit(x[:split], y[:split])
    return float(clf.score(x[split:], y[split:]))


__all__ = [
    "ArticleLagResult",
    "ArticleResult",
    "Cancelled",
    "article_classifier_data",
    "article_directional_accuracy",
    "article_lags",
    "article_leaderboard_choice",
    "article_scale",
    "article_split",
    "article_windows",
    "run_article",
]
