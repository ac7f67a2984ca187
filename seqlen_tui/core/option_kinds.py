"""What each kind of option is, one class per kind.

An option's declaration (:class:`seqlen_tui.core.options.OptionSpec`) names its kind: one of
the instances at the end of this module. The kind knows everything that depends on it alone:

* how a value is read, from text (a flag, a form field) or from JSON (the settings block):
  :meth:`Kind.coerce`, whose ``ValueError`` says what is wrong in words that need no option
  name (the caller adds it);
* which numbers the declared bounds apply to (:meth:`Kind.numbers`);
* how a value is written back as the text a user would type (:meth:`Kind.to_text`), so that
  ``coerce(to_text(value)) == value``;
* the keyword arguments of its command-line flag, in the standard library's ``argparse``
  vocabulary (plain data: nothing here imports a front end), and the field the app's form
  shows for it (:attr:`Kind.widget`: ``"input"``, ``"select"`` or ``"checkbox"``), with how
  a value becomes what the field holds and back.

Standard library only: ``seqlen-tui --help`` builds its parser from these declarations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol


class Declaration(Protocol):
    """What a kind reads of an option's declaration (:class:`.options.OptionSpec`)."""

    default: Any
    optional: bool
    choices: tuple[str, ...]
    metavar: str


class Kind:
    """The behaviour every option of one kind shares (subclasses override what differs)."""

    #: The kind's name, as argparse names a converter in its messages (``invalid int value``).
    name = "text"
    #: The app's field for it: typed text (``input``), one of the choices (``select``), on/off.
    widget = "input"
    #: Said after the range when the bounds apply to each of several numbers (``between 1 and 9 each``).
    each = ""

    def is_blank(self, value: Any) -> bool:
        """Whether ``value`` means "no value" (then ``None`` when the option is optional)."""
        return value is None or (isinstance(value, str) and not value.strip())

    def coerce(self, value: Any, spec: Declaration) -> Any:
        """``value`` (text or JSON) as the option's type; ``ValueError`` when it cannot be."""
        if self.is_blank(value):
            if spec.optional:
                return None
            raise ValueError("is required")
        return self.parse(value, spec)

    def parse(self, value: Any, spec: Declaration) -> Any:
        """A value that is not blank as the option's type (the kind's own rules)."""
        return value

    def numbers(self, value: Any) -> tuple:
        """The numbers of ``value`` that the declared bounds apply to (none for most kinds)."""
        return ()

    def to_text(self, value: Any) -> str:
        """``value`` as a user would type it in a flag or a form field (blank for ``None``)."""
        return "" if value is None else str(value)

    # ----- the app's form field ----------------------------------------------------------------

    def field_value(self, value: Any) -> Any:
        """What the app's field shows for ``value`` (typed text for an ``input``)."""
        return self.to_text(value)

    def from_field(self, field: Any, spec: Declaration) -> Any:
        """The value a field holds (:meth:`field_value` back), once the field is valid."""
        return self.coerce(field.strip(), spec)

    def empty_field_allowed(self, spec: Declaration) -> bool:
        """Whether an empty field is valid: the option is optional, or empty text is a value
        of the kind (no lags)."""
        return spec.optional or not self.is_blank("")

    # ----- the command-line flag ---------------------------------------------------------------

    def flag_key(self, key: str, spec: Declaration) -> str:
        """The key the flag is named after (``max_seq_len`` → ``--max-seq-len``)."""
        return key

    def flag_help(self, spec: Declaration, help_text: str) -> str:
        """The flag's help, from the option's help in the command."""
        return help_text

    def flag_kwargs(self, spec: Declaration, default: Any) -> dict[str, Any]:
        """The flag's ``add_argument`` keywords besides its name, dest and help.

        ``default``: what the flag leaves when it is not given (``None`` for a run option, so
        that the settings block can fill it). A ``type`` is :meth:`converter`, whose
        ``ValueError`` the front end turns into its own usage error."""
        return {"type": self.converter(spec), "metavar": spec.metavar, "default": default}

    def converter(self, spec: Declaration) -> Callable[[str], Any]:
        """A flag's text as the option's type, named after the kind (argparse shows the name)."""

        def convert(text: str) -> Any:
            return self.coerce(text, spec)

        convert.__name__ = self.name
        return convert


class Text(Kind):
    """Free text: a name, a path, a time. An empty value is kept as given (``""``), so that the
    front end can refuse it by name instead of taking it as "not given"."""

    def is_blank(self, value: Any) -> bool:
        return value is None

    def flag_kwargs(self, spec: Declaration, default: Any) -> dict[str, Any]:
        return {"metavar": spec.metavar, "default": default}


class Plain(Kind):
    """A number read by Python's own ``int`` or ``float``, for the command-line options whose
    range their command checks (``--last``, ``--workers``): the messages are argparse's own
    (``invalid int value: 'x'``)."""

    def __init__(self, number_type: type) -> None:
        self.number_type = number_type
        self.name = number_type.__name__

    def is_blank(self, value: Any) -> bool:
        return value is None  # "" is no number, as ``int("")`` says

    def parse(self, value: Any, spec: Declaration) -> Any:
        try:
            return self.number_type(value)
        except (TypeError, ValueError):
            raise ValueError(f"invalid {self.name} value: {value!r}") from None


class Switch(Kind):
    """On or off. A flag turns on a switch that is off by default and ``--no-…`` turns off one
    that is on; the settings block says ``true`` or ``false`` (text such as ``"yes"`` is refused)."""

    name = "switch"
    widget = "checkbox"

    def parse(self, value: Any, spec: Declaration) -> bool:
        if isinstance(value, bool):
            return value
        raise ValueError(f"must be true or false (got {value!r})")

    def field_value(self, value: Any) -> bool:
        return bool(value)

    def from_field(self, field: Any, spec: Declaration) -> bool:
        return field

    def flag_key(self, key: str, spec: Declaration) -> str:
        """``no_classifiers`` for a switch that is on by default: its flag turns it off."""
        return "no_" + key if spec.default else key

    def flag_help(self, spec: Declaration, help_text: str) -> str:
        return "skip: " + help_text if spec.default else help_text

    def flag_kwargs(self, spec: Declaration, default: Any) -> dict[str, Any]:
        """The other state than the declared default, stored when the flag is given."""
        return {"action": "store_const", "const": not spec.default, "default": default}


class Choice(Kind):
    """One of the declared ``choices`` (the app shows ``choice_words`` for them)."""

    name = "choice"
    widget = "select"

    def parse(self, value: Any, spec: Declaration) -> str:
        if value in spec.choices:
            return value
        raise ValueError(f"must be one of {', '.join(spec.choices)} (got {value!r})")

    def field_value(self, value: Any) -> Any:
        return value

    def from_field(self, field: Any, spec: Declaration) -> Any:
        return field

    def flag_kwargs(self, spec: Declaration, default: Any) -> dict[str, Any]:
        return {"choices": spec.choices, "default": default}


class Number(Kind):
    """A finite number within the declared bounds: whole (``int``) or not (``float``)."""

    def __init__(self, whole: bool) -> None:
        self.whole = whole
        self.name = "int" if whole else "float"

    def parse(self, value: Any, spec: Declaration) -> int | float:
        if isinstance(value, bool):
            raise ValueError(f"must be a number (got {value!r})")
        if isinstance(value, str):
            value = self._from_text(value)
        if not isinstance(value, (int, float)):
            raise ValueError(f"must be a number (got {value!r})")
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number (got {value!r})")
        return self._exact(value)

    def _from_text(self, text: str) -> int | float:
        try:
            return int(text.strip()) if self.whole else float(text.strip())
        except ValueError:
            raise ValueError(f"must be {'a whole number' if self.whole else 'a number'} (got {text!r})") from None

    def _exact(self, value: int | float) -> int | float:
        """A finite number as the kind's type; a fraction is no whole number."""
        if not self.whole:
            return float(value)
        if value != int(value):
            raise ValueError(f"must be a whole number (got {value!r})")
        return int(value)

    def numbers(self, value: Any) -> tuple:
        return (value,)


class Lags(Kind):
    """Lags as a list of whole numbers: ``"5, 24,48"`` typed, ``[5, 24, 48]`` in JSON. Blank text
    is no lags (``()``), never "not given"; the bounds apply to each lag."""

    name = "lags"
    each = " each"

    def is_blank(self, value: Any) -> bool:
        return value is None

    def parse(self, value: Any, spec: Declaration) -> tuple[int, ...]:
        if isinstance(value, str):
            return parse_lags(value)
        if isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return parse_lags(",".join(map(str, value)))
        raise ValueError(f"must be a list of whole numbers, e.g. [24, 48] (got {value!r})")

    def numbers(self, value: Any) -> tuple:
        return tuple(value)

    def to_text(self, value: Any) -> str:
        return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else super().to_text(value)


def parse_lags(text: str) -> tuple[int, ...]:
    """``"5, 24,48"`` → ``(5, 24, 48)``; ``ValueError`` with a short reason."""
    parts = [p for p in str(text).replace(" ", "").split(",") if p]
    try:
        lags = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError("whole numbers separated by commas, e.g. 5,24") from None
    return lags  # their range is the declaration's, checked by options.check_value


TEXT = Text()
INT = Number(whole=True)
FLOAT = Number(whole=False)
PLAIN_INT = Plain(int)
PLAIN_FLOAT = Plain(float)
SWITCH = Switch()
CHOICE = Choice()
LAGS = Lags()
#: Every kind.
KINDS = (TEXT, INT, FLOAT, PLAIN_INT, PLAIN_FLOAT, SWITCH, CHOICE, LAGS)
