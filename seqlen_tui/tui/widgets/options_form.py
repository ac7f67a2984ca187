"""The run options form: one compact row per option, each flagged inline when invalid.

Values are checked as they are typed (Textual validators) and again when a run is asked
for; a run never starts with a flagged field.  The form knows nothing about training: it
returns plain keyword arguments for ``RunOptions`` and the data/asset choices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.validation import Integer, ValidationResult, Validator
from textual.widgets import Checkbox, Input, Label, Select, Static

PROTOCOLS = (("robust (validation chooses)", "robust"), ("article (reproduce it)", "article"))
TARGETS = (("diff: changes", "diff"), ("level: scaled levels", "level"),
           ("logret: log returns", "logret"), ("auto: best on validation", "auto"))
BUDGETS = (("quick", "quick"), ("standard", "standard"), ("thorough", "thorough"))
DEVICES = (("auto: the faster", "auto"), ("cpu", "cpu"), ("gpu", "gpu"))


def parse_lags(text: str) -> tuple[int, ...]:
    """``"5, 24,48"`` -> ``(5, 24, 48)``; raises ``ValueError`` with a short reason."""
    parts = [p for p in text.replace(" ", "").split(",") if p]
    try:
        lags = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError("whole numbers separated by commas, e.g. 5,24") from None
    if any(lag < 1 for lag in lags):
        raise ValueError("every lag must be at least 1")
    return lags


class _Check(Validator):
    """A validator from a function that raises ``ValueError`` with the message to show."""

    def __init__(self, check: Callable[[str], Any]) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        try:
            self.check(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


def _alpha(value: str) -> None:
    try:
        alpha = float(value)
    except ValueError:
        raise ValueError("a number between 0 and 1, e.g. 0.05") from None
    if not 0 < alpha < 1:
        raise ValueError("must be between 0 and 1, e.g. 0.05")


def _asset(value: str) -> None:
    from seqlen_tui.core.errors import SettingsError
    from seqlen_tui.core.settings import settings_key

    try:
        settings_key(value)
    except SettingsError:
        raise ValueError("needs letters or digits") from None


#: (id, label, placeholder, integer?, minimum, optional?)
INT_FIELDS = (
    ("epochs", "epochs", "budget's", 1, True),
    ("seeds", "seeds", "2", 1, False),
    ("seeds_max", "seeds max", "8", 1, True),
    ("seed", "base seed", "42", None, False),
    ("units", "LSTM units", "16", 1, False),
    ("max_lag", "max lag", "auto", 1, True),
    ("max_seq_len", "max seq len", "device's", 1, True),
)


class OptionsForm(VerticalScroll):
    """Asset, value column, protocol, target, budget and the numbers of a run."""

    def __init__(self, defaults: dict[str, Any], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.defaults = defaults

    def compose(self) -> ComposeResult:
        d = self.defaults
        yield from self._row("asset", "asset", Input(
            "", placeholder="from the file name", compact=True, id="opt-asset",
            validators=[_Check(_asset)], valid_empty=False))
        yield Static("", id="key-line", classes="hint")
        yield from self._row("column", "value column", Select(
            [], prompt="loader's choice", compact=True, id="opt-column"))
        yield from self._row("protocol", "protocol", Select(
            PROTOCOLS, value=_pick(d["protocol"], PROTOCOLS, "robust"), allow_blank=False,
            compact=True, id="opt-protocol"))
        yield from self._row("target", "target", Select(
            TARGETS, value=_pick(d["target"], TARGETS, "diff"), allow_blank=False,
            compact=True, id="opt-target"))
        yield from self._row("budget", "budget", Select(
            BUDGETS, value=_pick(d["budget"], BUDGETS, "standard"), allow_blank=False,
            compact=True, id="opt-budget"))
        yield from self._row("device", "device", Select(
            DEVICES, value=_pick(d.get("device", "auto"), DEVICES, "auto"), allow_blank=False,
            compact=True, id="opt-device"))
        for name, label, placeholder, minimum, optional in INT_FIELDS:
            value = d.get(name)
            validators: list[Validator] = [Integer(minimum=minimum,
                                                   failure_description=_int_words(minimum))]
            yield from self._row(name, label, Input(
                "" if value is None else str(value), placeholder=placeholder, compact=True,
                id=f"opt-{name}", validators=validators, valid_empty=optional))
        yield from self._row("alpha", "ACF alpha", Input(
            str(d.get("alpha", 0.05)), placeholder="0.05", compact=True, id="opt-alpha",
            validators=[_Check(_alpha)]))
        lags = d.get("lags") or ()
        lag_text = ",".join(map(str, lags)) if isinstance(lags, (list, tuple)) else str(lags)
        yield from self._row("lags", "own lags", Input(
            lag_text, placeholder="e.g. 5,24 (optional)", compact=True, id="opt-lags",
            validators=[_Check(parse_lags)], valid_empty=True))
        yield Checkbox("benchmark only my lags", bool(d.get("only_lags")), id="opt-only_lags",
                       compact=True)
        yield Checkbox("direction classifiers (XGBoost, RF)", bool(d.get("classifiers", True)),
                       id="opt-classifiers", compact=True)
        yield Checkbox("linear highway beside the LSTM", bool(d.get("highway")), id="opt-highway",
                       compact=True)

    def _row(self, name: str, label: str, widget) -> ComposeResult:
        with Horizontal(classes="field", id=f"row-{name}"):
            yield Label(label, classes="field-label")
            yield widget
        yield Static("", id=f"err-{name}", classes="field-error")

    def on_mount(self) -> None:
        for field in self.query(Input):
            if field.value:
                self._show(field, field.validate(field.value))

    # ----- validation ------------------------------------------------------------------------

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._show(event.input, event.validation_result)

    def _show(self, field: Input, result: ValidationResult | None) -> None:
        name = (field.id or "").removeprefix("opt-")
        error = self.query_one(f"#err-{name}", Static)
        problems = [] if result is None or result.is_valid else result.failure_descriptions
        error.update(f"{name.replace('_', ' ')}: {problems[0]}" if problems else "")
        error.display = bool(problems)

    def problems(self) -> list[tuple[Input, str]]:
        """Every invalid field (and flag it), in form order."""
        found = []
        for field in self.query(Input):
            result = field.validate(field.value)
            self._show(field, result)
            if result is not None and not result.is_valid:
                found.append((field, result.failure_descriptions[0]))
        return found

    # ----- values ----------------------------------------------------------------------------

    def set_asset(self, asset: str) -> None:
        self.query_one("#opt-asset", Input).value = asset

    def set_columns(self, columns: tuple[str, ...], chosen: str | None) -> None:
        select = self.query_one("#opt-column", Select)
        with select.prevent(Select.Changed):
            select.set_options([(c, c) for c in columns])
            if chosen in columns:
                select.value = chosen

    def values(self) -> dict[str, Any]:
        """The form as ``RunOptions`` keywords plus ``asset`` and ``column``; call
        :meth:`problems` first (this assumes every field is valid)."""
        def text(name: str) -> str:
            return self.query_one(f"#opt-{name}", Input).value.strip()

        def select(name: str):
            value = self.query_one(f"#opt-{name}", Select).value
            return None if value is Select.NULL else value

        out: dict[str, Any] = {
            "asset": text("asset"),
            "column": select("column"),
            "protocol": select("protocol"),
            "target": select("target"),
            "budget": select("budget"),
            "device": select("device"),
            "alpha": float(text("alpha")),
            "lags": parse_lags(text("lags")),
            "only_lags": self.query_one("#opt-only_lags", Checkbox).value,
            "classifiers": self.query_one("#opt-classifiers", Checkbox).value,
            "highway": self.query_one("#opt-highway", Checkbox).value,
        }
        for name, *_ in INT_FIELDS:
            out[name] = int(text(name)) if text(name) else None
        return out


def _int_words(minimum: int | None) -> str:
    return "a whole number" if minimum is None else f"a whole number of at least {minimum}"


def _pick(value: Any, choices, fallback: str) -> str:
    return value if value in {v for _, v in choices} else fallback


