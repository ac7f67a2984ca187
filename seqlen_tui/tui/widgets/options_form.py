"""The run options form: one compact row per option, each flagged inline when invalid.

The rows are generated from the core's declaration of the options
(:mod:`seqlen_tui.core.options`): its labels, choices, blanks and checks, so the form, the CLI
and the settings block cannot disagree. Values are checked as they are typed (Textual
validators, the core's own check) and again when a run is asked for; a run never starts with a
flagged field. The form knows nothing about training: it returns plain keyword arguments for
``RunOptions`` and the data/asset choices.

Its rows are built the first time they are needed (:meth:`OptionsForm.build`: its tab shown, or
a run whose options need fixing), not with the screen: a hundred-odd widgets would cost the first
frame most of a second. Until then the form answers from what it would be built with (the
settings block's values or the defaults, the asset and the columns it was given), through the
same checks, so a run started without opening the tab uses the same options.
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
        self._compose_rows = False  # set by build(): the first compose (with the screen) is empty
        self.is_built = False  # the rows are mounted: the fields hold the values
        self._asset = ""  # until built: what the asset field would hold
        self._columns: tuple[str, ...] = ()  # until built: the column choices ...
        self._chosen: str | None = None  # ... and the one chosen (None: none)

    async def build(self) -> None:
        """Mount the rows (call once): the fields start from the values the form answered with
        so far, checked and flagged as they would have been from the start."""
        self._compose_rows = True
        await self.recompose()
        for field in self.query(Input):
            if field.value:
                self._show(field, field.validate(field.value))
        self.is_built = True
        self.set_asset(self._asset)
        self.set_columns(self._columns, self._chosen)

    def compose(self) -> ComposeResult:
        """The asset and the value column, then every option the core declares for the form
        (:mod:`seqlen_tui.core.options`), in its order, as its kind asks."""
        if not self._compose_rows:
            return
        asset, column = specs_of(PlaceOptions)["asset"], specs_of(DataOptions)["column"]
        yield from self._row("asset", asset.label, Input(
            "", placeholder=asset.blank, compact=True, id="opt-asset",
            validators=[_Check(_asset)], valid_empty=False))
        yield PathLine("", id="key-line", classes="hint")
        yield from self._row("column", column.label, Select(
            [], prompt=column.blank, compact=True, id="opt-column"))
        fields = {"select": self._select_field, "checkbox": self._checkbox_field, "input": self._input_field}
        for key, spec in form_specs().items():
            yield from fields[spec.kind.widget](key, spec, self._initial(key, spec))

    def _initial(self, key: str, spec: OptionSpec) -> Any:
        """What the option's field is built with: the settings block's value or the default,
        as its kind shows it; for a choice that is none of the declared ones (an old settings
        block), the default."""
        value = spec.kind.field_value(self.defaults.get(key, default_value(key)))
        if spec.kind.widget == "select" and value not in spec.choices:
            return default_value(key)
        return value

    def _select_field(self, key: str, spec: OptionSpec, value: Any) -> ComposeResult:
        """One of the declared choices, shown in the app's words."""
        words = spec.choice_words or spec.choices
        yield from self._row(key, spec.label, Select(
            tuple(zip(words, spec.choices)), value=value,
            allow_blank=False, compact=True, id=f"opt-{key}"))

    def _checkbox_field(self, key: str, spec: OptionSpec, value: bool) -> ComposeResult:
        yield OptionSwitch(spec.label, value, id=f"opt-{key}", compact=True)

    def _input_field(self, key: str, spec: OptionSpec, text: str) -> ComposeResult:
        """Typed text, checked as it is typed by the core's own check of the option."""
        yield from self._row(key, spec.label, Input(
            text, placeholder=spec.blank or str(default_value(key)), compact=True, id=f"opt-{key}",
            validators=[_Check(_option_check(key))], valid_empty=spec.kind.empty_field_allowed(spec)))

    def _row(self, name: str, label: str, widget) -> ComposeResult:
        with Horizontal(classes="field", id=f"row-{name}"):
            yield Label(label, classes="field-label")
            yield widget
        yield Static("", id=f"err-{name}", classes="field-error")

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
        only the option fields count: the asset is not an option of the analysis). The form
        must be built; before, :meth:`options_valid` and :meth:`asset_valid` say the same."""
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

    def options_valid(self) -> bool:
        """Whether every option field holds a valid value (the asset aside), flagging none:
        the fields' own checks, on what they hold or, before the form is built, on what they
        would be built with."""
        if self.is_built:
            return not self.problems(flag=False)
        return all(_passes(_option_check(key), self._initial(key, spec), spec.kind.empty_field_allowed(spec))
                   for key, spec in form_specs().items() if spec.kind.widget == "input")

    def asset_valid(self) -> bool:
        """Whether the asset is one a settings key can be made of (the asset field's check)."""
        return _passes(_asset, self.asset, valid_empty=False)

    # ----- values ----------------------------------------------------------------------------

    @property
    def asset(self) -> str:
        """The asset as its field holds it (or will, once built)."""
        return self.query_one("#opt-asset", Input).value if self.is_built else self._asset

    def set_asset(self, asset: str) -> None:
        self._asset = asset
        if self.is_built:
            self.query_one("#opt-asset", Input).value = asset

    def set_columns(self, columns: tuple[str, ...], chosen: str | None) -> None:
        self._columns, self._chosen = tuple(columns), chosen if chosen in columns else None
        if not self.is_built:
            return
        select = self.query_one("#opt-column", Select)
        with select.prevent(Select.Changed):
            select.set_options([(c, c) for c in columns])
            if chosen in columns:
                select.value = chosen

    def values(self) -> dict[str, Any]:
        """``asset``, ``column`` and every run option: the form's fields as the user left them,
        the options it does not show as the settings block or the defaults gave them. Call
        :meth:`problems` first (this assumes every field is valid)."""
        out: dict[str, Any] = {"asset": self.asset.strip(), "column": self._field("column", self._chosen)}
        for key, spec in option_specs().items():
            out[key] = self._field_value(key, spec) if spec.form else self.defaults.get(key, default_value(key))
        return out

    def _field(self, name: str, unbuilt: Any) -> Any:
        """What the field holds (``unbuilt``, what it would be built with, before the form is)."""
        value = self.query_one(f"#opt-{name}").value if self.is_built else unbuilt
        return None if value is Select.NULL else value

    def _field_value(self, key: str, spec: OptionSpec) -> Any:
        """The option's value as its field holds it (its kind reads the field)."""
        return spec.kind.from_field(self._field(key, self._initial(key, spec)), spec)


def form_specs():
    return {key: spec for key, spec in option_specs().items() if spec.form}


def _option_check(key: str) -> Callable[[str], None]:
    """The check of ``key``'s field as it is typed."""
    return lambda text: field_problem(key, text)


def _passes(check: Callable[[str], Any], text: str, valid_empty: bool) -> bool:
    """Whether a field holding ``text`` would be valid: what ``Input.validate`` decides with
    ``_Check(check)`` as its one validator."""
    return (valid_empty and not text) or _Check(check).validate(text).is_valid
