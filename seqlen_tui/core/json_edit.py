"""Change one top-level member of a JSON object *in its text*, leaving every other byte alone.

Why not ``json.loads`` + ``json.dumps``: a round trip rewrites what the user wrote. ``1e400``
comes back as ``Infinity`` (which Node's ``JSON.parse`` refuses), ``3.141592653589793238`` loses
digits, ``1.0E+2`` becomes ``100.0``, ``"\\u00e9"`` becomes ``"é"``, tabs become four spaces and
CRLF becomes LF. The settings file belongs to the user's training code, so a save must be a
one-line diff: the key's value replaced where it stands, or one member inserted after the last.

The scanner here only walks the *top-level* object: nested values are skipped as token runs
with a depth counter, never by recursion, so no file can exhaust the stack. It expects text
that :func:`json.loads` has already accepted (:func:`check_depth` first, so that call cannot
recurse too deep either); the caller verifies the edited text again before writing it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

#: Deeper than any real settings file (they nest a few levels), and far enough below Python's
#: recursion limit (1000 frames, shared with the caller's own stack) that ``json.loads`` of a
#: file within it never raises RecursionError, even from deep inside the app.
MAX_DEPTH = 200

#: A JSON string (escapes included; the unrolled form stays linear on long strings) or one of
#: the structural characters. Numbers, literals and whitespace are simply skipped by finditer.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]')
_WHITESPACE = " \t\n\r"
_NEW_INDENT = "    "  # an object written from nothing looks like the tool's old output


class JsonEditError(ValueError):
    """The text is not a JSON object this module can edit; the message says why, without a path."""


@dataclass(frozen=True)
class Member:
    """One ``"key": value`` of the top-level object, as offsets into the text."""

    key: str
    key_start: int  # the key's opening quote
    key_end: int  # just after its closing quote
    value_start: int
    value_end: int  # just after the value's last character


@dataclass(frozen=True)
class TopObject:
    start: int  # the opening brace
    end: int  # just after the closing brace
    members: tuple[Member, ...]


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """:class:`JsonEditError` if brackets nest deeper than ``limit``; strings are skipped.

    Runs before ``json.loads``, whose C scanner recurses once per level: 100,000 levels would
    end in RecursionError. Stops at the first bracket past the limit, so it is fast on such files.
    """
    depth = 0
    for token in _TOKEN.finditer(text):
        char = token.group()
        if char in "{[":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, token.start()) + 1
                raise JsonEditError(f"nested too deep (over {limit} levels) at line {line}")
        elif char in "}]":
            depth -= 1


def locate(text: str) -> TopObject:
    """The top-level object's members in file order (a duplicate key appears each time).

    ``text`` must already be valid JSON holding an object (the caller parsed it).
    """
    tokens = _TOKEN.finditer(text)
    first = next(tokens, None)
    if first is None or first.group() != "{":
        raise JsonEditError("does not hold a JSON object")
    scan = _TopLevelScan(text, first.start())
    for token in tokens:
        top = scan.feed(token)
        if top is not None:
            return top
    raise JsonEditError("ends before its object is closed")


@dataclass
class _TopLevelScan:
    """The walk over the top-level object's tokens, one token at a time.

    At depth 1 a member is read in three steps (``expecting``): its key, the colon, then its
    value, which ends at the next top-level comma or at the closing brace. Anything nested is
    only counted (``depth``), never parsed, so no file can exhaust the stack.
    """

    text: str
    start: int  # the opening brace
    members: list[Member] = field(default_factory=list)
    depth: int = 1
    expecting: str = "key"  # then "colon", then "value" (until a comma or the brace)
    key: str | None = None
    key_start: int = 0
    key_end: int = 0
    value_start: int = 0

    def feed(self, token: re.Match) -> TopObject | None:
        """Take the next token; the whole object once its closing brace is reached, else None."""
        char = token.group()
        if self.depth == 1:
            if self.expecting == "key":
                return self._key(token, char)
            if self.expecting == "colon":
                self.value_start, self.expecting = _skip_whitespace(self.text, token.end()), "value"
                return None
            if char in ",}":
                return self._value_end(token, char)
        if char in "{[":
            self.depth += 1
        elif char in "}]":
            self.depth -= 1
        return None

    def _key(self, token: re.Match, char: str) -> TopObject | None:
        """A member's key, or the closing brace of an empty object (or after a trailing member)."""
        if char == "}":
            return self._closed(token)
        self.key, self.key_start, self.key_end = json.loads(char), token.start(), token.end()
        self.expecting = "colon"
        return None

    def _value_end(self, token: re.Match, char: str) -> TopObject | None:
        """The comma or brace after a value: the member is complete (its value's trailing
        whitespace left out of its span)."""
        value_end = token.start()
        while self.text[value_end - 1] in _WHITESPACE:
            value_end -= 1
        self.members.append(Member(self.key, self.key_start, self.key_end, self.value_start, value_end))
        if char == "}":
            return self._closed(token)
        self.expecting = "key"
        return None

    def _closed(self, token: re.Match) -> TopObject:
        return TopObject(self.start, token.end(), tuple(self.members))


def _skip_whitespace(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def set_member(text: str, key: str, value_json: str) -> str:
    """``text`` with the top-level ``key`` set to ``value_json`` (already-serialised JSON).

    An existing key has its value's span replaced where it stands; with duplicate keys the
    *last* one, since that is the one every JSON parser keeps. A new key is inserted after the
    last member in the file's own style: its indent, newline (CRLF kept) and spacing around
    ``:``. An empty object, or a blank file, gets a small indented object.
    """
    if not text.strip(_WHITESPACE):
        newline = "\r\n" if "\r\n" in text else "\n"
        return _small_object(key, value_json, newline) + newline
    top = locate(text)
    for member in reversed(top.members):
        if member.key == key:
            return text[: member.value_start] + value_json + text[member.value_end:]
    key_json = json.dumps(key, ensure_ascii=False)
    if not top.members:
        newline = "\r\n" if "\r\n" in text else "\n"
        return text[: top.start] + _small_object(key, value_json, newline) + text[top.end:]
    last = top.members[-1]
    colon = text[last.key_end: last.value_start]
    if "\n" in colon:
        colon = ": "
    before_last = _gap_before(text, top, len(top.members) - 1)
    if "\n" in before_last:  # one member per line: a new line, indented like the last member
        indent = before_last[before_last.rindex("\n") + 1:]
        newline = "\r\n" if before_last[: before_last.rindex("\n") + 1].endswith("\r\n") else "\n"
        gap = newline + indent
    elif len(top.members) > 1:  # all on one line: the same gap that follows the other commas
        gap = before_last
    else:
        gap = " " if " " in colon or before_last else ""
    return text[: last.value_end] + "," + gap + key_json + colon + value_json + text[last.value_end:]


def _gap_before(text: str, top: TopObject, index: int) -> str:
    """The whitespace before member ``index``'s key: after ``{`` or after the previous comma."""
    start = top.start + 1 if index == 0 else text.index(",", top.members[index - 1].value_end) + 1
    return text[start: top.members[index].key_start]


def _small_object(key: str, value_json: str, newline: str) -> str:
    return "{" + newline + _NEW_INDENT + json.dumps(key, ensure_ascii=False) + ": " + value_json + newline + "}"
