"""The fast path of custody.canonical gives exactly the RFC 8785 reference bytes."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785

from vault.custody.log import canonical

CASES: list[Any] = [
    {"b": 1, "a": [True, False, None], "c": {"z": "", "y": -0, "x": 2**53 - 1}},
    {"text": "café \u00e9\u0301 \u2028 \u2029 \x7f \x00\x01\x1f \b\f\n\r\t \" \\ / <>&'"},
    {"emoji 😀": 1, "\ue000": 2, "z": "😀 \U0010ffff"},  # non-BMP key: reference path
    {"\ue000": 1, "\uffff": 2, "a": 3, "é": 4, "ä": 5, "Z": 6},
    {"nested": [[{"k": [1, 2, {"b": None, "a": "ü"}]}]], "n": -(2**53) + 1},
    {"float": 1.5, "exp": 1e21, "small": 5e-7},  # floats: reference path
    [], {}, "", 0, "only a string", [{"seq": 12, "details": {"path": "C:\\Users\\x"}}],
]


@pytest.mark.parametrize("obj", CASES, ids=range(len(CASES)))
def test_same_bytes_as_the_reference(obj: Any) -> None:
    assert canonical(obj) == bytes(rfc8785.dumps(obj))


def test_integers_beyond_two_to_the_53_are_refused_as_by_the_reference() -> None:
    with pytest.raises(rfc8785.IntegerDomainError):
        rfc8785.dumps({"n": 2**53})
    with pytest.raises(rfc8785.IntegerDomainError):
        canonical({"n": 2**53})
