"""Every option, declared once: its kind, default, choices, bounds, help and label.

:class:`RunOptions` declares the run's options, :class:`DataOptions` the data selection and
:class:`PlaceOptions` the asset, the settings file and the runs folder (the command line's
own outputs are declared the same way in ``cli_options``). Each field carries an
:class:`OptionSpec` in its metadata, whose kind (:mod:`.option_kinds`, one class per kind)
reads, checks and offers the value, and every front end is generated from it: the CLI's
flags (``cli_options``), the app's form (``tui.widgets.options_form``) and the settings
file's ``"seqlen_tui"`` block (:func:`resolve_options`, the one place where "flag > settings
block > default" is decided; it holds run options only). A new option is one new field here.

The core's words are its own: a message that names an option writes ``«key»`` (see
:func:`ref`) and each front end renders it — the CLI as its flag (``--max-seq-len``), the app
as the field's label. :class:`OptionError` carries the offending option's key as data.

Standard library only: ``seqlen-tui --help`` builds its parser from this module and stays
instant.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from typing import Any

from .errors import DataError
from .option_kinds import CHOICE, FLOAT, INT, LAGS, PLAIN_INT, SWITCH, TEXT, Kind

PROTOCOLS = ("robust", "article")
#: What the judge models (``auto`` chooses among them on validation).
TARGETS = ("diff", "level", "logret")
BUDGET_NAMES = ("quick", "standard", "thorough")
DEVICES = ("auto", "cpu", "gpu")
#: Options only the robust protocol reads; the article's fixes its own (``core/article.py``).
ROBUST_ONLY = ("robust",)
#: What each protocol does instead of the options it ignores (the refusal's words).
OWN_SETTINGS = {"article": "its own lags, target and training settings"}

#: Seeds go to NumPy and Keras, whose seeds are whole numbers 0 … 2**32 − 1.
MAX_SEED = 2**32 - 1
#: The race's seed cap when «seeds_max» is not set (declared here, beside the option, so the
#: seed range check and the race read one number; :mod:`race` imports it).
DEFAULT_SEEDS_MAX = 8
#: The longest lag or sequence length an option may name: a window of 100,000 steps is already
#: hours per epoch for an LSTM, and longer ones only make the run fail late.
MAX_LAG = 100_000

#: The most stacked LSTM layers «layers» may ask for.
MAX_LAYERS = 3
#: The options that describe the judge's network.
NETWORK_KEYS = ("layers", "units", "dropout")
#: The network you train, declared once in the settings block as one object, e.g.
#: ``"model": {"layers": 2, "units": 64, "dropout": 0.1}``: its keys are these run options (the
#: flags ``--layers``, ``--units`` …), and your training code can read the same object. Beside
#: the network, the training's batch size and learning rate, which both judges share.
MODEL_KEYS = (*NETWORK_KEYS, "batch_size", "learning_rate")
#: Options whose default reproduces the runs made before they existed: a report's options hash
#: leaves them out while they are at that default (:func:`.report.options_hash`), so ``batch``
#: does not run an asset again for an option that changes nothing (:func:`defaults_of` gives
#: the defaults, from their declarations).
HASHED_WHEN_SET = ("layers", "dropout")

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

    ``kind``: what the option's values are (:mod:`.option_kinds`: a number, a choice, a switch,
    lags, text …), which reads, checks and offers them.
    ``optional``: blank (``None``) is allowed and means ``blank`` (the budget's, the device's …).
    Bounds: ``minimum``/``maximum`` inclusive; ``above``/``below`` exclusive. Every number has
    both ends, so a value that cannot work (a negative seed, 100,000 units: a 298 GiB
    allocation) is refused where it is read, before any data is loaded or any model trains.
    ``protocols``: the protocols that read the option; a flag given with another is refused.
    ``help_for``: ``(command, help)`` pairs where a command's flag says more or other than
    ``help`` (``--json`` writes the analysis in ``analyze``, the report in ``run``).
    ``empty``: for text, what to give instead of an empty value (an empty value is refused).
    """

    kind: Kind
    help: str
    label: str
    default: Any = None
    choices: tuple[str, ...] = ()
    #: The app's words for each choice (same order); the CLI shows the bare values.
    choice_words: tuple[str, ...] = ()
    optional: bool = False
    blank: str = ""
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    below: float | None = None
    protocols: tuple[str, ...] = PROTOCOLS
    #: Shown in the app's options form (the rest: CLI flags and settings keys only).
    form: bool = True
    #: Options of the analysis too (``analyze`` has them), not only of a run.
    analysis: bool = False
    metavar: str = "N"
    help_for: tuple[tuple[str, str], ...] = ()
    empty: str = ""

    def help_in(self, command: str) -> str:
        """The option's help in ``command`` (its own words there, else ``help``)."""
        return dict(self.help_for).get(command, self.help)


def option(default: Any, kind: Kind, label: str, help: str, **spec: Any) -> Any:  # noqa: A002
    """A dataclass field (of :class:`RunOptions`, :class:`DataOptions` …) with its :class:`OptionSpec`."""
    return field(default=default, metadata={"option": OptionSpec(kind, help, label, default=default, **spec)})


def specs_of(options_class: type) -> dict[str, OptionSpec]:
    """The key and declaration of every option a dataclass of options declares, in its order."""
    return {f.name: f.metadata["option"] for f in fields(options_class)}


@dataclass(frozen=True)
class RunOptions:
    protocol: str = option("robust", CHOICE, "protocol",
                           "robust (validation chooses, default) or the article's protocol, reproduced exactly",
                           choices=PROTOCOLS, choice_words=("robust (validation chooses)", "article (reproduce it)"))
    target: str = option("diff", CHOICE, "target",
                         "what the LSTM models (default diff: forecast = last level + predicted change; "
                         "auto: the best on validation)",
                         choices=(*TARGETS, "auto"), analysis=True, protocols=ROBUST_ONLY,
                         choice_words=("diff: changes", "level: scaled levels", "logret: log returns",
                                       "auto: best on validation"))
    budget: str = option("standard", CHOICE, "budget",
                         "training effort: epochs, patience, batch size, learning rate (default standard)",
                         choices=BUDGET_NAMES, protocols=ROBUST_ONLY)
    device: str = option("auto", CHOICE, "device",
                         "where the LSTMs train: auto (default: the faster, by step rates measured once per "
                         "machine; the CPU when TensorFlow sees no GPU), cpu or gpu",
                         choices=DEVICES, choice_words=("auto: the faster", "cpu", "gpu"))
    # Early stopping ends a model long before 10,000 epochs; more only makes a typo cost days.
    epochs: int | None = option(None, INT, "epochs", "most epochs per model (overrides the budget)",
                                optional=True, blank="budget's", minimum=1, maximum=10_000)
    patience: int | None = option(None, INT, "patience", "early-stopping patience (overrides the budget)",
                                  optional=True, blank="budget's", minimum=1, maximum=1_000, form=False,
                                  protocols=ROBUST_ONLY)
    # A batch's activations grow with batch × window × units: 8,192 long windows is GiBs already.
    batch_size: int | None = option(None, INT, "batch size", "batch size (overrides the budget)",
                                    optional=True, blank="budget's", minimum=1, maximum=8_192, form=False,
                                    protocols=ROBUST_ONLY)
    learning_rate: float | None = option(None, FLOAT, "learning rate",
                                         "Adam learning rate (overrides the budget)",
                                         optional=True, blank="budget's", above=0, maximum=1, metavar="R",
                                         form=False, protocols=ROBUST_ONLY)  # Adam diverges above 1
    # Each seed is one more model per lag; past 100 the mean's noise is far below any gap the
    # race can tell apart.
    seeds: int = option(2, INT, "seeds", "models per candidate to start the race with, averaged (default 2)",
                        minimum=1, maximum=100, protocols=ROBUST_ONLY)
    seeds_max: int | None = option(None, INT, "seeds max",
                                   "most seeds a lag still in contention gets (default 8, never below «seeds»); "
                                   "equal to «seeds» turns racing off",
                                   optional=True, blank="8", minimum=1, maximum=100, metavar="M",
                                   protocols=ROBUST_ONLY)
    seed: int = option(42, INT, "base seed", "base seed (default 42)", metavar="S", minimum=0,
                       maximum=MAX_SEED)
    folds: int | None = option(None, INT, "folds",
                               "rolling origins: K validation blocks inside train + validation (default: enough "
                               "for about 300 validation points, at most 4); test stays the final block",
                               optional=True, blank="auto", minimum=1, maximum=20, metavar="K", form=False,
                               protocols=ROBUST_ONLY)  # each fold trains every lag again
    # 4,096 units is 67M recurrent weights (about 1 GB with Adam's state): far past a judge of lags.
    units: int = option(16, INT, "LSTM units", "LSTM units per layer (default 16)", minimum=1, maximum=4_096,
                        protocols=ROBUST_ONLY)
    # Three stacked layers already go past what a lag needs judging; each is one more fused op.
    layers: int = option(1, INT, "LSTM layers", "stacked LSTM layers of the network you train (default 1)",
                         minimum=1, maximum=MAX_LAYERS, protocols=ROBUST_ONLY)
    # Recurrent dropout would split the fused op per time step (core/fused_lstm.py): left out.
    dropout: float = option(0.0, FLOAT, "dropout",
                            "dropout on each LSTM layer's inputs while training (default 0; no recurrent "
                            "dropout)", minimum=0, below=1, metavar="P", protocols=ROBUST_ONLY)
    max_lag: int | None = option(None, INT, "max lag",
                                 "largest ACF lag (default: two of the longest natural periods, at least 40, "
                                 "at most n/4)", optional=True, blank="auto", minimum=1, maximum=MAX_LAG,
                                 analysis=True, protocols=ROBUST_ONLY)
    max_seq_len: int | None = option(None, INT, "max seq len",
                                     "leave out candidates longer than N for cost (default: from the training "
                                     "device's measured speed, else 256 on a CPU, 1024 on a GPU; your «lags» "
                                     "pass the default)", optional=True, blank="device's", minimum=1,
                                     maximum=MAX_LAG, protocols=ROBUST_ONLY)
    # At least 200: a model trained on a handful of windows scores by luck on validation and can
    # win the race (1 window "won" before this bound).
    max_train_windows: int | None = option(None, INT, "max train windows",
                                           "train on the most recent N windows only (default 20,000: bounds "
                                           "minute data)", optional=True, blank="20000", minimum=200,
                                           maximum=10_000_000, form=False, protocols=ROBUST_ONLY)
    # At least 1e-6: below about 1e-16, 1 − alpha/2 rounds to 1 and the band's quantile is infinite.
    alpha: float = option(0.05, FLOAT, "ACF alpha", "significance level of the ACF band (default 0.05)",
                          minimum=1e-6, below=1, analysis=True, metavar="A", protocols=ROBUST_ONLY)
    gate_alpha: float = option(0.05, FLOAT, "gate alpha",
                               "family-wise level at which a lag must beat persistence to qualify (default 0.05)",
                               minimum=1e-6, below=1, metavar="A", form=False, protocols=ROBUST_ONLY)
    lags: tuple[int, ...] = option((), LAGS, "own lags", "your own candidate lags, added to the proposed ones",
                                   blank="e.g. 5,24 (optional)", analysis=True, metavar="L1,L2,…", minimum=1,
                                   maximum=MAX_LAG, protocols=ROBUST_ONLY)
    only_lags: bool = option(False, SWITCH, "benchmark only my lags",
                             "benchmark only «lags», not the proposed candidates", protocols=ROBUST_ONLY)
    ladder: bool = option(True, SWITCH, "ladder between the evidence",
                          "a ladder of extra lags from 1 to the longest candidate (no two more than 2× apart, "
                          "refined to 1.5× around the race's leader), so no octave of windows goes untried",
                          protocols=ROBUST_ONLY)
    classifiers: bool = option(True, SWITCH, "direction classifiers (XGBoost, RF)",
                               "the XGBoost/RandomForest direction classifiers on the chosen and the article's lag")
    highway: bool = option(False, SWITCH, "linear highway beside the LSTM",
                           "add LSTNet's linear highway beside the judge's LSTM (a linear map of the window added "
                           "to its forecast); off by default: it did not lower the corpus regret",
                           protocols=ROBUST_ONLY)

    def validate(self) -> None:
        """Every value against its declaration, then the rules between options."""
        for spec_field in fields(self):
            check_value(spec_field.name, getattr(self, spec_field.name))
        if self.seeds_max is not None and self.seeds_max < self.seeds:
            raise OptionError("seeds_max", f"«seeds_max» must be at least «seeds» ({self.seeds}); "
                                           f"got {self.seeds_max}")
        if self.only_lags and not self.lags:
            raise OptionError("only_lags", "«only_lags» needs «lags» (e.g. 24,48) to benchmark")
        # A run seeds its models «seed», «seed»+1, … up to the race's cap: each must be a seed.
        count = self.seed_count()
        if self.seed + count - 1 > MAX_SEED:
            raise OptionError("seed", f"«seed» {self.seed} leaves no room for the run's {count} seeds "
                                      f"(«seed» to «seed» + {count - 1} must be at most {MAX_SEED}); "
                                      f"choose a «seed» of at most {MAX_SEED - count + 1}")

    def seed_count(self) -> int:
        """How many seeds a run may use, from «seed» up: the race's cap (:func:`seeds_cap`);
        the article's protocol seeds every model with «seed» itself."""
        return seeds_cap(self) if self.protocol == "robust" else 1

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DataOptions:
    """Which part of the file is the series: the data selection, recorded (and hashed) in the
    report beside the run options. Not in the settings block: it belongs to one file."""

    column: str | None = option(None, TEXT, "value column",
                                "value column (default: close, adj close, price, value, or the only numeric column)",
                                metavar="C", blank="loader's choice", empty="a column name")
    last: int | None = option(None, PLAIN_INT, "last points", "use only the most recent N points")
    start: str | None = option(None, TEXT, "start", "use points at or after this time, e.g. 2024-01-01",
                               metavar="T", empty="a time such as 2024-01-01")
    end: str | None = option(None, TEXT, "end", "use points at or before this time", metavar="T",
                             empty="a time such as 2024-12-31")

    def load(self, path):
        """The selected series of the file at ``path`` (:func:`seqlen_tui.core.data.load_series`)."""
        from .data import load_series

        return load_series(path, self.column, last=self.last, start=self.start, end=self.end)


#: Where reports go when no runs folder is named (decided by ``core.report.default_runs_dir``).
RUNS_DIR_DEFAULT = "$SEQLEN_RUNS_DIR, else the settings block's runs_dir, else the per-user data folder"
#: Which settings file is read when none is named (decided by ``core.settings.resolve_settings_path``).
SETTINGS_DEFAULT = "$SEQLEN_SETTINGS, else ./settings.json"


@dataclass(frozen=True)
class PlaceOptions:
    """Where a run's names and files are: the asset it is saved as, the settings file, the runs
    folder. Declared here once for every command that takes them; the core decides each one
    (``names.check_asset``, ``settings.resolve_settings_path``, ``report.default_runs_dir``)."""

    asset: str | None = option(None, TEXT, "asset",
                               "asset name for the settings key (default: the file name without extension)",
                               metavar="NAME", blank="from the file name", empty="a name such as BTC-USD")
    settings: str | None = option(
        None, TEXT, "settings file", f"settings file or its folder (default: {SETTINGS_DEFAULT})", metavar="PATH",
        empty="a file or folder",
        help_for=(("analyze", f"settings file or its folder (default: {SETTINGS_DEFAULT}); read only, for "
                              "defaults and the current value"),
                  ("runs", "settings file or its folder whose block may name the runs folder "
                           f"(default: {SETTINGS_DEFAULT})")))
    runs_dir: str | None = option(None, TEXT, "runs folder", f"where run reports go (default: {RUNS_DIR_DEFAULT})",
                                  metavar="DIR", empty="a folder",
                                  help_for=(("runs", f"runs folder (default: {RUNS_DIR_DEFAULT})"),
                                            ("show", f"runs folder (default: {RUNS_DIR_DEFAULT})")))


def ladder_on(options) -> bool:
    """Whether a run trains the ladder of lags: ``ladder`` on, and not only your own lags."""
    return options.ladder and not options.only_lags


@cache
def seeds_cap(options) -> int:
    """The race's seed cap: ``seeds_max``, else the default but never below ``seeds``."""
    return options.seeds_max if options.seeds_max is not None else max(DEFAULT_SEEDS_MAX, options.seeds)


def option_specs() -> dict[str, OptionSpec]:
    """Every run option's key and declaration, in declaration order (the settings block's keys)."""
    return specs_of(RunOptions)


def default_value(key: str) -> Any:
    """A run option's declared default."""
    return option_specs()[key].default


def defaults_of(keys) -> dict[str, Any]:
    """Each run option of ``keys`` with its declared default."""
    return {key: default_value(key) for key in keys}


def declared_model(options: RunOptions) -> bool:
    """Whether the options declare a network other than the default judge's: the run then has
    two stages (:mod:`.model_stage`), the default judge scouting every candidate and the declared
    network training the finalists."""
    return any(getattr(options, key) != default_value(key) for key in NETWORK_KEYS)


def coerce(key: str, value: Any) -> Any:
    """A value from text or JSON (a settings block, a form field) as the run option's type
    (its kind's reading, :meth:`.option_kinds.Kind.coerce`).

    ``ValueError`` says what is wrong in words that need no option name (the caller adds it).
    """
    spec = option_specs()[key]
    return spec.kind.coerce(value, spec)


def check_value(key: str, value: Any) -> Any:
    """``value`` as the option's type (:func:`coerce`); ``OptionError`` when it breaks the
    declaration of ``key``."""
    spec = option_specs()[key]
    try:
        value = coerce(key, value)
    except ValueError as exc:
        raise OptionError(key, f"{ref(key)} {exc}") from None
    if value is None:
        return value
    for number in spec.kind.numbers(value):
        if not in_range(spec, number):
            raise OptionError(key, f"{ref(key)} must be {range_words(spec)}{spec.kind.each} (got {_number(number)})")
    return value


def in_range(spec: OptionSpec, number: float) -> bool:
    """Whether ``number`` is within the declared bounds (an end not declared is open)."""
    return ((spec.minimum is None or number >= spec.minimum) and (spec.maximum is None or number <= spec.maximum)
            and (spec.above is None or number > spec.above) and (spec.below is None or number < spec.below))


def range_words(spec: OptionSpec) -> str:
    """The declared range in words: ``between 1 and 4096``, ``above 0 and at most 1`` …"""
    low = (f"at least {_number(spec.minimum)}" if spec.minimum is not None
           else f"above {_number(spec.above)}" if spec.above is not None else "")
    high = (f"at most {_number(spec.maximum)}" if spec.maximum is not None
            else f"below {_number(spec.below)}" if spec.below is not None else "")
    if spec.minimum is not None and spec.maximum is not None:
        return f"between {_number(spec.minimum)} and {_number(spec.maximum)}"
    return " and ".join(part for part in (low, high) if part) or "a number"


def _number(number: float) -> str:
    """A bound or a value as the user would type it: ``4294967295`` (not ``4.29497e+09``), ``1e-06``."""
    if isinstance(number, int) or (float(number).is_integer() and abs(number) < 1e16):
        return str(int(number))
    return f"{number:g}"


#: The ``(got …)`` a value's message ends with: a block's message shows the value up front.
_GOT = re.compile(r"\s*\(got .*\)$")


def resolve_options(given: dict[str, Any], block: dict[str, Any] | None = None,
                    strict: bool = True, source: str | None = None,
                    runs_protocol: bool = True) -> tuple[RunOptions, list[OptionError]]:
    """The run's options: what the user ``given`` (flags, the form) beats the settings file's
    ``"seqlen_tui"`` block, which beats the declared default.

    ``given`` holds only what the user set (no ``None`` for "not given"). A bad block value, or
    a rule between options that block values break, is an :class:`OptionError` that names the
    block and its file (``source``), never a flag the user did not type: raised when
    ``strict`` (the CLI: exit 2), else returned and the default used (the app: a
    notification). Unknown block keys are the block's own business (the app's keymap, theme …)
    and are ignored. A given option that the chosen protocol does not read is refused by name
    (:func:`refuse_unused`) when the command ``runs_protocol`` (``analyze`` runs none: its
    lags are the analysis's, whatever protocol the block names); block values are not, since
    the block holds the user's usual options for every run and must not make one protocol
    unusable.
    """
    where = f'the "seqlen_tui" block of {source}' if source else 'the settings file\'s "seqlen_tui" block'
    problems = _BlockProblems(strict)
    values = _block_values(block or {}, where, problems)
    from_block = set(values)
    for key, value in given.items():
        if key not in option_specs():
            raise KeyError(key)
        values[key] = value
        from_block.discard(key)
    if runs_protocol:
        refuse_unused(RunOptions(**values), given, protocol_from_block="protocol" in from_block)
    return _validated(values, from_block, where, problems), problems.found


@dataclass
class _BlockProblems:
    """Where a settings-block value that cannot be used goes: raised at once when ``strict``
    (the CLI: exit 2, nothing runs unattended on options the user did not choose), else kept
    to be reported while the default is used (the app: a notification)."""

    strict: bool
    found: list[OptionError] = field(default_factory=list)

    def blame(self, problem: OptionError) -> None:
        if self.strict:
            raise problem from None
        self.found.append(problem)


def _block_values(block: dict[str, Any], where: str, problems: _BlockProblems) -> dict[str, Any]:
    """The block's run options, each checked against its declaration; a bad one is blamed on
    the block and its key (never on a flag the user did not type) and left out. Keys that are
    no run option (the app's keymap, theme …) are the block's own business."""
    values: dict[str, Any] = {}
    for key, value in _with_model_keys(block, where, problems).items():
        if key not in option_specs():
            continue
        try:
            values[key] = check_value(key, value)
        except OptionError as exc:
            reason = _GOT.sub("", str(exc).removeprefix(ref(key)).strip())
            problems.blame(OptionError(key, f"{_json(key)}: {_json(value)} in {where} {reason}; "
                                            f"fix it there or pass {ref(key)}"))
    return values


def _with_model_keys(block: dict[str, Any], where: str, problems: _BlockProblems) -> dict[str, Any]:
    """The block with its ``"model"`` object's keys (:data:`MODEL_KEYS`) beside the others. A
    model that is no object, a key that is no part of a model, or one also given outside the
    model with another value, is blamed on the block and left out."""
    model = block.get("model")
    flat = {key: value for key, value in block.items() if key != "model"}
    if model is None:
        return flat
    if not isinstance(model, dict):
        problems.blame(OptionError("model", f'"model": {_json(model)} in {where} must be an object such as '
                                            '{"layers": 2, "units": 64}; fix it there'))
        return flat
    for key, value in model.items():
        if key not in MODEL_KEYS:
            problems.blame(OptionError("model", f'"model" in {where} has {_json(key)}, which is no part of '
                                                f'a model (known: {", ".join(MODEL_KEYS)}); fix it there'))
        elif key in flat and flat[key] != value:
            problems.blame(OptionError(key, f'{_json(key)} is {_json(flat[key])} in {where} but {_json(value)} '
                                            f'in its "model"; keep one of them there'))
            flat.pop(key)
        else:
            flat[key] = value
    return flat


def _validated(values: dict[str, Any], from_block: set[str], where: str,
               problems: _BlockProblems) -> RunOptions:
    """The options once every rule between them holds. A rule that a given value breaks is
    raised as it is (its message names the flag or the field); one that a block value breaks
    is blamed on the block, and that value gives way to its default."""
    while True:
        options = RunOptions(**values)
        try:
            options.validate()
            return options
        except OptionError as exc:
            if exc.option not in from_block:
                raise
            problems.blame(OptionError(exc.option, f"in {where}: {exc}; fix it there or pass {ref(exc.option)}"))
            del values[exc.option]  # the app: this block value gives way to its default
            from_block.discard(exc.option)


def refuse_unused(options: RunOptions, given: dict[str, Any], protocol_from_block: bool = False) -> None:
    """``OptionError`` naming every ``given`` option that ``options.protocol`` does not read
    (the declaration's ``protocols``): the user asked for something the run would not do."""
    specs = option_specs()
    unused = [key for key in specs if key in given and options.protocol not in specs[key].protocols]
    if unused:
        origin = " (from the settings block)" if protocol_from_block else ""
        instead = (f"uses {OWN_SETTINGS[options.protocol]}" if options.protocol in OWN_SETTINGS
                   else "does not read them")
        raise OptionError(unused[0], f"{ref('protocol')} {options.protocol}{origin} {instead}; "
                                     f"drop {', '.join(map(ref, unused))}")


def _json(value: Any) -> str:
    """A settings value as the file spells it, cut short when long."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
