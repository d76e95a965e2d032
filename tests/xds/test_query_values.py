"""query_values: the stored-query value syntax (TF-2 3.18.4.1.2.3.1; checklist 3.1)."""

from __future__ import annotations

import pytest

from xds.ebxml.query_values import QueryValueError, parse_code, parse_value_list


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["'a'"], ["a"]),
        (["  'a b'  "], ["a b"]),
        (["('a','b')"], ["a", "b"]),
        (["( 'a' , 'b' )"], ["a", "b"]),
        (["('a',", "'b')"], ["a", "b"]),  # a list split across Values, after a comma
        (["('a',", "'b',", "'c')"], ["a", "b", "c"]),
        (["('a'", ",'b')"], ["a", "b"]),
        (["'O''Brien'"], ["O'Brien"]),  # '' escapes a quote
        (["''''"], ["'"]),
        (["''"], [""]),
        (["'it''s, (fine)'"], ["it's, (fine)"]),  # separators inside quotes are text
        (["20221016161616"], ["20221016161616"]),  # numbers unquoted
        (["(1, -2, 3.5)"], ["1", "-2", "3.5"]),
        (["'a'", "'b'"], ["a", "b"]),  # one value per Value element
        (["('a')", "('b','c')"], ["a", "b", "c"]),  # complete lists in several Values: all OR
        ([], []),
        ([""], []),
    ],
)
def test_valid_syntax(values: list[str], expected: list[str]) -> None:
    assert parse_value_list(values) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["'abc"], "unterminated quoted string"),
        (["'a''"], "unterminated quoted string"),
        (["abc"], "unquoted value 'abc'"),
        (["urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"], "must be in single quotes"),
        (["('a','b'"], "list not closed"),
        (["('a',"], "list not closed"),
        (["'a')"], "')' without matching '('"),
        (["(('a'))"], "nested parentheses"),
        (["()"], "empty list item"),
        (["('a',)"], "empty list item"),
        (["('a' 'b')"], "missing comma before 'b'"),
        (["('a'", "'b')"], "missing comma before 'b'"),  # split between items needs the comma
        (["'a' 'b'"], "missing comma before 'b'"),
        (["'a'('b')"], "missing comma before '('"),
        (["'a',"], "ends with a comma"),
        ([",'a'"], "a comma must follow a value"),
        (["('a',,'b')"], "a comma must follow a value"),
    ],
)
def test_malformed_syntax_is_refused_with_a_precise_message(values: list[str], message: str) -> None:
    with pytest.raises(QueryValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_value_list(values)


def test_query_value_error_is_a_value_error() -> None:
    assert issubclass(QueryValueError, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("34108-1^^2.16.840.1.113883.6.1", ("34108-1", "2.16.840.1.113883.6.1")),
        (
            "History and Physical^^Connect-a-thon classCodes",
            ("History and Physical", "Connect-a-thon classCodes"),
        ),
    ],
)
def test_parse_code(value: str, expected: tuple[str, str]) -> None:
    assert parse_code(value) == expected


@pytest.mark.parametrize("value", ["34108-1", "34108-1^2.16", "^^2.16", "34108-1^^"])
def test_parse_code_refuses_incomplete_codes(value: str) -> None:
    with pytest.raises(QueryValueError, match="code\\^\\^scheme"):
        parse_code(value)
