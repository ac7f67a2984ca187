"""json_edit: one top-level member changed in the text, every other byte as it was."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlen_tui.core.json_edit import MAX_DEPTH, JsonEditError, check_depth, locate, set_member


def strict_loads(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def test_locate_gives_each_member_span():
    text = '{ "a" : [1, {"b": "}"}] ,"c":"x\\"y",\n "d": 1e400 }'
    top = locate(text)
    assert (top.start, top.end) == (0, len(text))
    assert [(m.key, text[m.value_start:m.value_end]) for m in top.members] == [
        ("a", '[1, {"b": "}"}]'), ("c", '"x\\"y"'), ("d", "1e400")]
    assert text[top.members[0].key_start:top.members[0].key_end] == '"a"'


def test_locate_decodes_escaped_keys_and_keeps_duplicates():
    top = locate('{"\\u0041": 1, "A": 2}')
    assert [m.key for m in top.members] == ["A", "A"]


def test_locate_refuses_a_non_object():
    with pytest.raises(JsonEditError):
        locate("[1, 2]")


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 100_000, '{"a": ' + "[" * (MAX_DEPTH + 1)])
def test_check_depth_stops_past_the_limit(text):
    with pytest.raises(JsonEditError, match=rf"nested too deep \(over {MAX_DEPTH} levels\) at line 1"):
        check_depth(text)


def test_check_depth_ignores_brackets_in_strings_and_allows_the_limit():
    check_depth('{"s": "' + "[" * 1000 + '"}')
    check_depth("[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_check_depth_names_the_line():
    with pytest.raises(JsonEditError, match="at line 3"):
        check_depth('{\n"a":\n' + "[" * (MAX_DEPTH + 1))


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("", '{\n    "K": 7\n}\n'),
        (" \r\n", '{\r\n    "K": 7\r\n}\r\n'),
        ('{"K": 1, "K": 2}', '{"K": 1, "K": 7}'),
        ('{"a": {"K": 1}}', '{"a": {"K": 1}, "K": 7}'),
        ('{\n  "a": 1 ,\n  "b": [\n    2\n  ]\n}', '{\n  "a": 1 ,\n  "b": [\n    2\n  ],\n  "K": 7\n}'),
        ('{"a":\n  1}', '{"a":\n  1, "K": 7}'),  # a value on the key's next line: the usual ": "
    ],
)
def test_set_member(text, after):
    assert set_member(text, "K", "7") == after


# Random settings objects in random layouts: after the edit, the strict parse is the old
# object with the key set, and every byte outside the edit is the user's.
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)
layouts = st.sampled_from([
    {"indent": None}, {"indent": 2}, {"indent": 4}, {"indent": "\t"}, {"indent": None, "separators": (",", ":")},
    {"indent": 1, "separators": (" ,", " : ")}, {"indent": None, "separators": (" , ", ":  ")},
])


@settings(max_examples=150, deadline=None)
@given(data=st.dictionaries(st.text(max_size=6), json_values, max_size=6), layout=layouts,
       ascii_only=st.booleans(), crlf=st.booleans(), key=st.sampled_from(["MSFT_SL", "A", ""]),
       value=st.integers(1, 10**6))
def test_random_objects_keep_every_other_byte(data, layout, ascii_only, crlf, key, value):
    text = json.dumps(data, ensure_ascii=ascii_only, **layout)
    if crlf:
        text = text.replace("\n", "\r\n")
    edited = set_member(text, key, str(value))

    assert strict_loads(edited) == {**data, key: value}
    assert list(strict_loads(edited)) == list({**data, key: value})
    if key in data:  # replaced in place: the same bytes before and after the value
        member = [m for m in locate(text).members if m.key == key][-1]
        assert edited == text[:member.value_start] + str(value) + text[member.value_end:]
    else:  # inserted after the last member: the old text is intact around the insertion
        end = locate(text).members[-1].value_end if data else None
        if end is not None:
            inserted = edited[end:len(edited) - (len(text) - end)]
            assert edited[:end] == text[:end] and edited.endswith(text[end:])
            assert inserted.startswith(",") and inserted.rstrip().endswith(str(value))
            assert inserted.count("\n") == (1 if "\n" in text[:end] and layout["indent"] is not None else 0)
