"""The value syntax of stored-query parameters (TF-2 3.18.4.1.2.3.1; checklist 3.1).

A parameter Slot carries its values as text in one or more rim:Value elements:
- strings in single quotes, a quote inside doubled (`'O''Brien'`); numbers unquoted (`20221016`);
- lists in parentheses, `('a','b')`, which a sender may split across Values, only between items
  (`('a',` then `'b')`);
- codes as `'code^^scheme'`.
Anything else is malformed and raises `QueryValueError`, whose message the stored-query layer returns to
the client. Nothing here is ever pasted into SQL: the result is a list of plain literals.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_SPACE = " \t\r\n"
_STOP = "(),'" + _SPACE


class QueryValueError(ValueError):
    """A parameter value that does not follow the stored-query value syntax."""


# A token is "(", ")", "," or a literal, tagged with the index of the Value it came from.
_OPEN, _CLOSE, _COMMA, _LITERAL = "(", ")", ",", "literal"


def _tokenize(text: str, value_index: int) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
        elif c in "(),":
            tokens.append((c, c, value_index))
            i += 1
        elif c == "'":
            parts: list[str] = []
            i += 1
            while True:
                end = text.find("'", i)
                if end < 0:
                    raise QueryValueError(f"unterminated quoted string in {text!r}")
                parts.append(text[i:end])
                if text.startswith("''", end):  # '' is an escaped quote inside the string
                    parts.append("'")
                    i = end + 2
                else:
                    i = end + 1
                    break
            tokens.append((_LITERAL, "".join(parts), value_index))
        else:
            start = i
            while i < n and text[i] not in _STOP:
                i += 1
            word = text[start:i]
            if not _NUMBER.fullmatch(word):
                raise QueryValueError(
                    f"unquoted value {word!r} in {text!r}: strings must be in single quotes"
                )
            tokens.append((_LITERAL, word, value_index))
    return tokens


def parse_value_list(values: list[str]) -> list[str]:
    """The literals of ONE parameter Slot, in order, from the raw text of its Value elements.

    Several complete values (`'a'` / `'b'` or `('a')` / `('b')`) simply add up: within one Slot
    they all mean OR. A list split across Values must break after a comma.
    """
    tokens = [t for index, text in enumerate(values) for t in _tokenize(text, index)]
    result: list[str] = []
    in_list = False
    expect_item = True  # a literal (or, outside a list, an opening parenthesis) must come next
    previous_value = -1  # Value index of the token that completed the last item
    for kind, text, value_index in tokens:
        if kind == _LITERAL:
            if not expect_item and (in_list or value_index == previous_value):
                raise QueryValueError(f"missing comma before {text!r}")
            result.append(text)
            expect_item, previous_value = False, value_index
        elif kind == _OPEN:
            if in_list:
                raise QueryValueError("nested parentheses are not allowed")
            if not expect_item and value_index == previous_value:
                raise QueryValueError("missing comma before '('")
            in_list, expect_item = True, True
        elif kind == _CLOSE:
            if not in_list:
                raise QueryValueError("')' without matching '('")
            if expect_item:
                raise QueryValueError("empty list item before ')'")
            in_list, previous_value = False, value_index
        else:  # comma
            if expect_item:
                raise QueryValueError("a comma must follow a value")
            expect_item = True
    if in_list:
        raise QueryValueError("list not closed: missing ')'")
    if expect_item and tokens:
        raise QueryValueError("value list ends with a comma or '('")
    return result


def parse_code(value: str) -> tuple[str, str]:
    """`code^^scheme` -> (code, scheme), the form of coded query parameters (TF-2 3.18.4.1.2.3.7.1)."""
    code, sep, scheme = value.partition("^^")
    if not sep or not code or not scheme:
        raise QueryValueError(f"coded value {value!r} is not of the form code^^scheme")
    return code, scheme
