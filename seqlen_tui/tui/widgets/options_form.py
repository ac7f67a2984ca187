"""The run options form: one compact row per option, each flagged inline when invalid.

The rows are generated from the core's declaration of the options
(:mod:`seqlen_tui.core.options`): its labels, choices, blanks and checks, so the form, the CLI
and the settings block cannot disagree. Values are checked as they are typed (Textual
validators, the core's own check) and again when a run is asked for; a run never starts with a
flagged field. The form knows nothing about training: it returns plain keyword arguments for
``RunOptions`` and the data/asset choices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.validation import ValidationResult, Validator
from textual.widgets import Checkbox, Input, Label, Select, Static

from seqlen_tui.core.options import (
    DataOptions,
    OptionSpec,
    PlaceOptions,
    check_value,
    default_value,
    option_specs,
    ref,
    specs_of,
)


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


class PathLine(Static):
    """A one-line hint that holds a path ("saves MSFT_SL in …/settings.json (not set yet)"):
    the path is fitted to the line's width each time the width changes, its middle folders
    left out and its file name whole (a Static folds a path too long for its line mid-name,
    and the line is sized only once its tab shows)."""

    _parts: tuple[str, Any, str] = ("", None, "")

    def show_path(self, before: str, path: Any = None, after: str = "") -> None:
        """``before`` and ``after`` are markup; the path is shown as plain text."""
        self._parts = (before, path, after)
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        from rich.markup import escape
        from rich.text import Text

        from ..paths import display_path

        before, path, after = self._parts
        if path is None:
            self.update(before + after)
            return
        width = self.content_size.width
        room = max(12, width - Text.from_markup(before + after).cell_len) if width else None
        self.update(before + escape(display_path(path, room)) + after)


def _asset(value: str) -> None:
    from seqlen_tui.core.errors import SettingsError
    from seqlen_tui.core.settings import KEY_CHARACTERS, settings_key

    try:
        settings_key(value)
    except SettingsError:  # the core's rule, in the few words a field's error line has room for
        raise ValueError(f"needs letters or digits a key can hold: {KEY_CHARACTERS} "
                         "(é counts as E), e.g. NIKKEI") from None
    from seqlen_tui.core.names import check_asset
    from seqlen_tui.core.options import OptionError

    try:
        check_asset(value)  # a control character, a name too long: the CLI's refusal, here at once
    except OptionError as exc:
        raise ValueError(str(exc).removeprefix("«asset» ")) from None


def field_problem(key: str, text: str) -> None:
    """``ValueError`` with the core's reason when ``text`` is not a valid value of ``key``."""
    try:
        check_value(key, text)
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix(ref(key)).strip()) from None


class OptionSwitch(Checkbox):
    """A checkbox whose mark says on or off (``X`` or blank), not only its colour: on a
    monochrome terminal, with ``NO_COLOR`` or a poor theme the colour alone says nothing."""

    @property
    def _button(self):
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button

    def get_content_height(self, container, viewport, width: int) -> int:
        """As many rows as the label needs at this width (Textual's toggle says always 1):
        a long label wraps instead of losing its end."""
        return max(1, self.render().get_height(self.styles, width))


class OptionsForm(VerticalScroll):
    """Asset, value column, protocol, target, budget and the numbers of a run."""

    def __init__(self, defaults: dict[str, Any], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.defaults = defaults

    def compose(self) -> ComposeResult:
        """The asset and the value column, then every option the core declares for the form
        (:mod:`seqlen_tui.core.options`), in its order, as its kind asks."""
        asset, column = specs_of(PlaceOptions)["asset"], specs_of(DataOptions)["column"]
        yield from self._row("asset", asset.label, Input(
            "", placeholder=asset.blank, compact=True, id="opt-asset",
            validators=[_Check(_asset)], valid_empty=False))
        yield PathLine("", id="key-line", classes="hint")
        yield from self._row("column", column.label, Select(
            [], prompt=column.blank, compact=True, id="opt-column"))
        fields = {"select": self._select_field, "checkbox": self._checkbox_field, "input": self._input_field}
        for key, spec in form_specs().items():
            value = self.defaults.get(key, default_value(key))
            yield from fields[spec.kind.widget](key, spec, spec.kind.field_value(value))

    def _select_field(self, key: str, spec: OptionSpec, value: Any) -> ComposeResult:
        """One of the declared choices, shown in the app's words; a value that is none of them
        (an old settings block) shows the default."""
        words = spec.choice_words or spec.choices
        yield from self._row(key, spec.label, Select(
            tuple(zip(words, spec.choices)), value=value if value in spec.choices else default_value(key),
            allow_blank=False, compact=True, id=f"opt-{key}"))

    def _checkbox_field(self, key: str, spec: OptionSpec, value: bool) -> ComposeResult:
        yield OptionSwitch(spec.label, value, id=f"opt-{key}", compact=True)

    def _input_field(self, key: str, spec: OptionSpec, text: str) -> ComposeResult:
        """Typed text, checked as it is typed by the core's own check of the option."""
        yield from self._row(key, spec.label, Input(
            text, placeholder=spec.blank or str(default_value(key)), compact=True, id=f"opt-{key}",
            validators=[_Check(lambda text: field_problem(key, text))],
            valid_empty=spec.kind.empty_field_allowed(spec)))

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

    def problems(self, flag: bool = True) -> list[tuple[Input, str]]:
        """Every invalid field, in form order, flagged inline unless ``flag`` is false (then
        only the option fields count: the asset is not an option of the analysis)."""
        found = []
        for field in self.query(Input):
            if not flag and field.id == "opt-asset":
                continue
            result = field.validate(field.value)
            if flag:
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
        """``asset``, ``column`` and every run option: the form's fields as the user left them,
        the options it does not show as the settings block or the defaults gave them. Call
        :meth:`problems` first (this assumes every field is valid)."""
        def select(name: str):
            value = self.query_one(f"#opt-{name}", Select).value
            return None if value is Select.NULL else value

        out: dict[str, Any] = {
            "asset": self.query_one("#opt-asset", Input).value.strip(),
            "column": select("column"),
        }
        for key, spec in option_specs().items():
            out[key] = self._field_value(key, spec) if spec.form else self.defaults.get(key, default_value(key))
        return out

    def _field_value(self, key: str, spec: OptionSpec) -> Any:
        """The option's value as its field holds it (its kind reads the field)."""
        field = self.query_one(f"#opt-{key}").value
        return spec.kind.from_field(None if field is Select.NULL else field, spec)


def form_specs():
    return {key: spec for key, spec in option_specs().items() if spec.form}
