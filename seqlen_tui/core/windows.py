"""Targets, chronological splits and input windows — the part of an evaluation that must be
honest before any model is involved.

* **Same targets for every candidate.** Every sequence length is scored on exactly the same
  target points: the first target is late enough for the *longest* candidate (and for the
  seasonal-naive baseline), so shorter lags are not judged on easier or more points.
* **Time order.** Train < validation < test; early stopping watches the last part of *train*,
  never the validation block that chooses the lag.
* **Scaling from training data only.** Mean and standard deviation of the modelled sequence
  come from the values the training windows and targets can see.
* **Vectorised.** Windows are rows of ``sliding_window_view``; no loop over rows.

A sequence length L means L input steps of the modelled sequence: for differences that is L
differences (L+1 levels), for levels L levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .errors import DataError
from .options import OptionError

TARGET_WORDS = {
    "diff": "differences (forecast = last level + predicted change)",
    "level": "levels (standardised)",
    "logret": "log returns (forecast = last level × exp(predicted return))",
}


@dataclass(frozen=True)
class TargetTransform:
    """How levels become the modelled sequence and how forecasts go back to levels."""

    name: str

    @property
    def offset(self) -> int:
        """Levels consumed before the first element of the modelled sequence."""
        return 0 if self.name == "level" else 1

    def sequence(self, levels: np.ndarray) -> np.ndarray:
        if self.name == "diff":
            return np.diff(levels)
        if self.name == "logret":
            if np.any(levels <= 0):
                raise DataError(
                    "«target» logret needs every value above zero; use «target» diff"
                )
            return np.diff(np.log(levels))
        if self.name == "level":
            return np.asarray(levels, dtype=float)
        raise DataError(f"unknown «target» {self.name!r}; choose diff, level, logret or auto")

    def to_level(self, predicted: np.ndarray, previous_level: np.ndarray) -> np.ndarray:
        if self.name == "diff":
            return previous_level + predicted
        if self.name == "logret":
            return previous_level * np.exp(predicted)
        return predicted


@dataclass(frozen=True)
class Split:
    """Target indices (into the level series) of each chronological block."""

    train: np.ndarray
    early_stop: np.ndarray
    val: np.ndarray
    test: np.ndarray
    trimmed: int = 0  # oldest training targets left out by ``max_train``

    @property
    def fit(self) -> np.ndarray:
        """Training targets minus the early-stopping tail."""
        return self.train[: len(self.train) - len(self.early_stop)]

    @property
    def last_train_target(self) -> int:
        return int(self.train[-1])

    def to_dict(self) -> dict:
        blocks = {
            name: {"first": int(block[0]), "last": int(block[-1]), "n": int(len(block))}
            for name, block in (("train", self.train), ("val", self.val), ("test", self.test))
        }
        return {**blocks, "train_left_out": self.trimmed}


#: Shares of the targets in train, validation and test.
SPLIT_FRACTIONS = (0.7, 0.1, 0.2)


def points_before_test(n: int, fractions: tuple[float, float, float] = SPLIT_FRACTIONS) -> int:
    """How many leading points of an ``n``-point series lie before the test block, whatever
    the longest lag: the analysis that proposes candidates sees only these, so the test score
    of the chosen lag is out of sample.

    The test block starts at ``first + round(share · (n − first))`` or later (two roundings,
    each at most half a point down), which is at least ``share · n − 1`` for any ``first ≥ 0``.
    """
    share = (fractions[0] + fractions[1]) / sum(fractions)
    return max(0, int(share * n) - 1)


def chronological_split(
    n: int,
    first_target: int,
    fractions: tuple[float, float, float] = SPLIT_FRACTIONS,
    early_stop_fraction: float = 0.1,
    min_block: int = 20,
    max_train: int | None = None,
) -> Split:
    """Split target indices ``first_target .. n-1`` into train / validation / test in time order.

    ``max_train`` keeps only the most recent training targets (the ``max_train_windows`` option): the
    cost of an epoch is bounded on minute data, and validation and test keep their full size.
    """
    targets = np.arange(first_target, n)
    total = len(targets)
    n_train = int(round(total * fractions[0] / sum(fractions)))
    n_val = int(round(total * fractions[1] / sum(fractions)))
    n_test = total - n_train - n_val
    if min(n_train, n_val, n_test) < min_block:
        raise DataError(
            f"too few points to evaluate: {total} targets give {n_train} train / {n_val} "
            f"validation / {n_test} test points, at least {min_block} each are needed; "
            "use more data or shorter lags («lags», «max_seq_len»)"
        )
    train = targets[:n_train]
    trimmed = 0
    if max_train is not None and n_train > max_train:
        trimmed = n_train - max_train
        train = train[trimmed:]
    n_es = max(1, int(round(len(train) * early_stop_fraction)))
    return Split(
        train=train,
        early_stop=train[len(train) - n_es :],
        val=targets[n_train : n_train + n_val],
        test=targets[n_train + n_val :],
        trimmed=trimmed,
    )


#: Validation points the selection wants at least: fewer make its ranking of lags mostly the
#: noise of a few dozen points (a monthly series of 860 seen points has 86).
VALIDATION_POINTS_WANTED = 300
#: Rolling origins the automatic choice uses at most (each trains every lag once more).
AUTO_FOLDS_MAX = 4


def auto_folds(split: Split, wanted: int = VALIDATION_POINTS_WANTED, most: int = AUTO_FOLDS_MAX,
               min_train: int = 100) -> int:
    """How many rolling origins give the selection about ``wanted`` validation points.

    Why: on a short series the validation block is small (10 % of the targets) and the DM
    tests, the one-SE set and the race rank lags on the noise of those few points. Earlier
    validation blocks of the same length (:func:`rolling_origins`) add points without
    shrinking the last fold's training data, and a short series trains fast, so the extra
    folds cost little where they are used. Long series keep one fold. Never more folds than
    leave ``min_train`` training points in the earliest.
    """
    n_val = len(split.val)
    folds = min(most, max(1, -(-wanted // max(n_val, 1))))
    room = len(split.train) - min_train  # targets the earlier validation blocks may take
    return max(1, min(folds, room // max(n_val, 1) + 1))


def rolling_origins(split: Split, folds: int, early_stop_fraction: float = 0.1,
                    min_train: int = 100) -> list[Split]:
    """``folds`` splits, oldest first, the last being ``split`` itself.

    Each earlier fold moves the validation block back by its own length inside train +
    validation and trains on everything before it; the test block never moves.
    """
    if folds < 1:
        raise OptionError("folds", f"«folds» must be at least 1 (got {folds})")
    region = np.concatenate([split.train, split.val])
    n_val = len(split.val)
    out = []
    for back in range(folds - 1, 0, -1):
        end = len(region) - back * n_val
        train = region[: end - n_val]
        if len(train) < min_train:
            raise OptionError(
                "folds", f"«folds» {folds} leaves only {len(train)} training points in the earliest fold; "
                f"at least {min_train} are needed: use fewer folds or more data"
            )
        n_es = max(1, int(round(len(train) * early_stop_fraction)))
        out.append(Split(train=train, early_stop=train[-n_es:], val=region[end - n_val : end],
                         test=split.test))
    return out + [split]


@dataclass(frozen=True)
class Scaler:
    """Standardisation with statistics from the training part only."""

    mean: float
    scale: float

    @classmethod
    def fit(cls, sequence: np.ndarray, last_train_index: int) -> Scaler:
        seen = sequence[: last_train_index + 1]
        scale = float(np.std(seen))
        return cls(float(np.mean(seen)), scale if scale > 0 else 1.0)

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (values - self.mean) / self.scale

    def inverse(self, values: np.ndarray) -> np.ndarray:
        return values * self.scale + self.mean


@dataclass(frozen=True)
class Prepared:
    """Everything a judge needs for one series, shared by every candidate lag."""

    levels: np.ndarray
    transform: TargetTransform
    sequence: np.ndarray  # modelled sequence, unscaled
    scaled: np.ndarray  # modelled sequence, standardised with training statistics
    scaler: Scaler
    split: Split

    def seq_index(self, targets: np.ndarray) -> np.ndarray:
        """Position in the modelled sequence of each level target."""
        return targets - self.transform.offset

    def windows(self, lag: int, targets: np.ndarray) -> np.ndarray:
        """Scaled inputs: the ``lag`` sequence values before each target, shape (len, lag)."""
        view = sliding_window_view(self.scaled, lag)  # view[i] = scaled[i : i + lag]
        return view[self.seq_index(targets) - lag]

    def scaled_targets(self, targets: np.ndarray) -> np.ndarray:
        return self.scaled[self.seq_index(targets)]

    def with_split(self, split: Split) -> Prepared:
        """The same series evaluated on another split, rescaled on that split's training part."""
        scaler = Scaler.fit(self.sequence, split.last_train_target - self.transform.offset)
        return Prepared(self.levels, self.transform, self.sequence,
                        scaler.transform(self.sequence), scaler, split)

    def to_levels(self, scaled_predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Scaled predictions of the modelled sequence → level forecasts at ``targets``."""
        predicted = self.scaler.inverse(scaled_predictions)
        return self.transform.to_level(predicted, self.levels[targets - 1])


def prepare(
    levels: np.ndarray,
    target: str,
    max_lag: int,
    min_history: int = 0,
    fractions: tuple[float, float, float] = SPLIT_FRACTIONS,
    max_train: int | None = None,
) -> Prepared:
    """Transform, split on shared targets, and scale on the training part only."""
    transform = TargetTransform(target)
    sequence = transform.sequence(np.asarray(levels, dtype=float))
    first_target = max(max_lag + transform.offset, min_history, 1)
    split = chronological_split(len(levels), first_target, fractions, max_train=max_train)
    scaler = Scaler.fit(sequence, split.last_train_target - transform.offset)
    return Prepared(
        levels=np.asarray(levels, dtype=float),
        transform=transform,
        sequence=sequence,
        scaled=scaler.transform(sequence),
        scaler=scaler,
        split=split,
    )
