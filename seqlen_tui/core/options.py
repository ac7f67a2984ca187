"""Every run option, declared once: its type, default, choices, bounds, help and label.

:class:`RunOptions` is the declaration. Each field carries an :class:`OptionSpec` in its
metadata, and every front end is generated from it: the CLI's flags (``cli_common``), the
app's form (``tui.widgets.options_form``) and the settings file's ``"seqlen_tui"`` block
(:func:`resolve_options`, the one place where "flag > settings block > default" is decided).
A new option is one new field here.

The core's words are its own: a message that names an option writes ``«key»`` (see
:func:`ref`) and each front end renders it — the CLI as its flag (``--max-seq-len``), the app
as the field's label. :class:`OptionError` carries the offending option's key as data.

Standard library only: ``seqlen-tui --help`` builds its parser from this module and stays
instant.
"""

from __future__ import annotations

import math
import re
from dataclasses import MISSING, asdict, dataclass, field, fields
from functools import cache
from typing import Any

from .errors import DataError

PROTOCOLS = ("robust", "article")
#: What the judge models (``auto`` chooses among them on validation).
TARGETS = ("diff", "level", "logret")
BUDGET_NAMES = ("quick", "standard", "thorough")
DEVICES = ("auto", "cpu", "gpu")

#: ``«key»`` in a core message: an option, named by each front end in its own words.
OPTION_REF = re.compile(r"«([a-z_]+)»")


def ref(key: str) -> str:
    """How the core names an option in a message (rendered by :func:`render`)."""
    return f"«{key}»"


def render(text: str, name) -> str:
    """``text`` with every ``«key»`` replaced by ``name(key)`` (a flag, a label, …)."""
    return OPTION_REF.sub(lambda match: name(match.group(1)), str(text))


class OptionError(DataError):
    """A bad option value. ``option`` is its key; the message names it as ``«key»``."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class OptionSpec:
    """What a front end needs to offer one option.

    ``kind``: ``int``, ``float``, ``choice``, ``switch`` (on/off) or ``lags`` (a list of lags).
    ``optional``: blank (``None``) is allowed and means ``blank`` (the budget's, the device's …).
    Bounds: ``minimum`` inclusive; ``above``/``below`` exclusive.
    """

    kind: str
    help: str
    label: str
    choices: tuple[str, ...] = ()
    #: The app's words for each choice (same order); the CLI shows the bare values.
    choice_words: tuple[str, ...] = ()
    optional: bool = False
    blank: str = ""
    minimum: float | None = None
    above: float | None = None
    below: float | None = None
    #: Shown in the app's options form (the rest: CLI flags and settings keys only).
    form: bool = True
    #: Options of the analysis too (``analyze`` has them), not only of a run.
    analysis: bool = False
    metavar: str = "N"


def option(default: Any, kind: str, label: str, help: str, **spec: Any) -> Any:  # noqa: A002
    """A :class:`RunOptions` field with its :class:`OptionSpec`."""
    return field(default=default, metadata={"option": OptionSpec(kind, help, label, **spec)})


@dataclass(frozen=True)
class RunOptions:
    protocol: str = option("robust", "choice", "protocol",
                           "robust (validation chooses, default) or the article's protocol, reproduced exactly",
                           choices=PROTOCOLS, choice_words=("robust (validation chooses)", "article (reproduce it)"))
    target: str = option("diff", "choice", "target",
                         "what the LSTM models (default diff: forecast = last level + predicted change; "
                         "auto: the best on validation)",
                         choices=(*TARGETS, "auto"), analysis=True,
                         choice_words=("diff: changes", "level: scaled levels", "logret: log returns",
                                       "auto: best on validation"))
    budget: str = option("standard", "choice", "budget",
                         "training effort: epochs, patience, batch size, learning rate (default standard)",
                         choices=BUDGET_NAMES)
    device: str = option("auto", "choice", "device",
                         "where the LSTMs train: auto (default: the faster, by step rates measured once per "
                         "machine; the CPU when TensorFlow sees no GPU), cpu or gpu",
                         choices=DEVICES, choice_words=("auto: the faster", "cpu", "gpu"))
    epochs: int | None = option(None, "int", "epochs", "most epochs per model (overrides the budget)",
                                optional=True, blank="budget's", minimum=1)
    patience: int | None = option(None, "int", "patience", "early-stopping patience (overrides the budget)",
                                  optional=True, blank="budget's", minimum=1, form=False)
    batch_size: int | None = option(None, "int", "batch size", "batch size (overrides the budget)",
                                    optional=True, blank="budget's", minimum=1, form=False)
    learning_rate: float | None = option(None, "float", "learning rate",
                                         "Adam learning rate (overrides the budget)",
                                         optional=True, blank="budget's", above=0, metavar="R",
                                         form=False)
    seeds: int = option(2, "int", "seeds", "models per candidate to start the race with, averaged (default 2)",
                        minimum=1)
    seeds_max: int | None = option(None, "int", "seeds max",
                                   "most seeds a lag still in contention gets (default 8, never below «seeds»); "
                                   "equal to «seeds» turns racing off",
                                   optional=True, blank="8", minimum=1, metavar="M")
    seed: int = option(42, "int", "base seed", "base seed (default 42)", metavar="S")
    folds: int | None = option(None, "int", "folds",
                               "rolling origins: K validation blocks inside train + validation (default: enough "
                               "for about 300 validation points, at most 4); test stays the final block",
                               optional=True, blank="auto", minimum=1, metavar="K", form=False)
    units: int = option(16, "int", "LSTM units", "LSTM units (default 16)", minimum=1)
    max_lag: int | None = option(None, "int", "max lag",
                                 "largest ACF lag (default: two of the longest natural periods, at least 40, "
                                 "at most n/4)", optional=True, blank="auto", minimum=1, analysis=True)
    max_seq_len: int | None = option(None, "int", "max seq len",
                                     "leave out candidates longer than N for cost (default: from the training "
                                     "device's measured speed, else 256 on a CPU, 1024 on a GPU; your «lags» "
                                     "pass the default)", optional=True, blank="device's", minimum=1)
    max_train_windows: int | None = option(None, "int", "max train windows",
                                           "train on the most recent N windows only (default 20,000: bounds "
                                           "minute data)", optional=True, blank="20000", minimum=1, form=False)
    # At least 1e-6: below about 1e-16, 1 − alpha/2 rounds to 1 and the band's quantile is infinite.
    alpha: float = option(0.05, "float", "ACF alpha", "significance level of the ACF band (default 0.05)",
                          minimum=1e-6, below=1, analysis=True, metavar="A")
    gate_alpha: float = option(0.05, "float", "gate alpha",
                               "family-wise level at which a lag must beat persistence to qualify (default 0.05)",
                               minimum=1e-6, below=1, metavar="A", form=False)
    lags: tuple[int, ...] = option((), "lags", "own lags", "your own candidate lags, added to the proposed ones",
                                   blank="e.g. 5,24 (optional)", analysis=True, metavar="L1,L2,…")
    only_lags: bool = option(False, "switch", "benchmark only my lags",
                             "benchmark only «lags», not the proposed candidates")
    classifiers: bool = option(True, "switch", "direction classifiers (XGBoost, RF)",
                               "the XGBoost/RandomForest direction classifiers on the chosen and the article's lag")
    highway: bool = option(False, "switch", "linear highway beside the LSTM",
                           "add LSTNet's linear highway beside the judge's LSTM (a linear map of the window added "
                           "to its forecast); off by default: it did not lower the corpus regret")

    def validate(self) -> None:
        """Every value against its declaration, then the rules between options."""
        for spec_field in fields(self):
            check_value(spec_field.name, getattr(self, spec_field.name))
        if self.seeds_max is not None and self.seeds_max < self.seeds:
            raise OptionError("seeds_max", f"«seeds_max» must be at least «seeds» ({self.seeds}); "
                                           f"got {self.seeds_max}")
        if self.only_lags and not self.lags:
            raise OptionError("only_lags", "«only_lags» needs «lags» (e.g. 24,48) to benchmark")

    def to_dict(self) -> dict:
        return asdict(self)


@cache
def option_specs() -> dict[str, OptionSpec]:
    """Every option's key and declaration, in declaration order."""
    return {f.name: f.metadata["option"] for f in fields(RunOptions)}


def default_value(key: str) -> Any:
    spec_field = next(f for f in fields(RunOptions) if f.name == key)
    return spec_field.default if spec_field.default is not MISSING else None


def parse_lags(text: str) -> tuple[int, ...]:
    """``"5, 24,48"`` → ``(5, 24, 48)``; ``ValueError`` with a short reason."""
    parts = [p for p in str(text).replace(" ", "").split(",") if p]
    try:
        lags = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError("whole numbers separated by commas, e.g. 5,24") from None
    if any(lag < 1 for lag in lags):
        raise ValueError("every lag must be at least 1")
    return lags


def coerce(key: str, value: Any) -> Any:
    """A value from text or JSON (a settings block, a form field) as the option's type.

    ``ValueError`` says what is wrong in words that need no option name (the caller adds it).
    """
    spec = option_specs()[key]
    if value is None or (isinstance(value, str) and not value.strip() and spec.kind != "lags"):
        if spec.optional:
            return None
        raise ValueError("is required")
    if spec.kind == "switch":
        if isinstance(value, bool):
            return value
        raise ValueError(f"must be true or false (got {value!r})")
    if spec.kind == "choice":
        if value in spec.choices:
            return value
        raise ValueError(f"must be one of {', '.join(spec.choices)} (got {value!r})")
    if spec.kind == "lags":
        if isinstance(value, str):
            return parse_lags(value)
        if isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return parse_lags(",".join(map(str, value)))
        raise ValueError(f"must be a list of whole numbers, e.g. [24, 48] (got {value!r})")
    if isinstance(value, bool):
        raise ValueError(f"must be a number (got {value!r})")
    if isinstance(value, str):
        try:
            value = float(value.strip()) if spec.kind == "float" else int(value.strip())
        except ValueError:
            raise ValueError(f"must be {'a number' if spec.kind == 'float' else 'a whole number'} "
                             f"(got {value!r})") from None
    if not isinstance(value, (int, float)):
        raise ValueError(f"must be a number (got {value!r})")
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number (got {value!r})")
    if spec.kind == "int":
        if value != int(value):
            raise ValueError(f"must be a whole number (got {value!r})")
        return int(value)
    return float(value)


def check_value(key: str, value: Any) -> Any:
    """``value`` as the option's type (:func:`coerce`); ``OptionError`` when it breaks the
    declaration of ``key``."""
    spec = option_specs()[key]
    try:
        value = coerce(key, value)
    except ValueError as exc:
        raise OptionError(key, f"{ref(key)} {exc}") from None
    if value is None or spec.kind in ("switch", "choice", "lags"):
        return value
    if spec.minimum is not None and spec.below is not None and not spec.minimum <= value < spec.below:
        raise OptionError(key, f"{ref(key)} must be at least {spec.minimum:g} and below {spec.below:g} "
                               f"(got {value:g})")
    if spec.minimum is not None and value < spec.minimum:
        raise OptionError(key, f"{ref(key)} must be at least {spec.minimum:g} (got {value:g})")
    if spec.above is not None and spec.below is not None and not spec.above < value < spec.below:
        raise OptionError(key, f"{ref(key)} must be between {spec.above:g} and {spec.below:g} (got {value:g})")
    if spec.above is not None and not value > spec.above:
        raise OptionError(key, f"{ref(key)} must be above {spec.above:g} (got {value:g})")
    if spec.below is not None and not value < spec.below:
        raise OptionError(key, f"{ref(key)} must be below {spec.below:g} (got {value:g})")
    return value


def resolve_options(given: dict[str, Any], block: dict[str, Any] | None = None,
                    strict: bool = True) -> tuple[RunOptions, list[OptionError]]:
    """The run's options: what the user ``given`` (flags, the form) beats the settings file's
    ``"seqlen_tui"`` block, which beats the declared default.

    ``given`` holds only what the user set (no ``None`` for "not given"). A bad block value is an
    :class:`OptionError` naming the settings key: raised when ``strict`` (the CLI: exit 2),
    else returned and the default used (the app: a notification). Unknown block keys are the
    block's own business (the app's keymap, theme …) and are ignored.
    """
    specs = option_specs()
    values: dict[str, Any] = {}
    problems: list[OptionError] = []
    for key, value in (block or {}).items():
        if key not in specs:
            continue
        try:
            values[key] = check_value(key, value)
        except OptionError as exc:
            problem = OptionError(key, f"settings: seqlen_tui.{key} "
                                       f"{str(exc).removeprefix(ref(key)).strip()}; fix it in the settings "
                                       f"file or set {ref(key)}")
            if strict:
                raise problem from None
            problems.append(problem)
    for key, value in given.items():
        if key not in specs:
            raise KeyError(key)
        values[key] = value
    options = RunOptions(**values)
    options.validate()
    return options, problems
