"""``json.dumps(value, ensure_ascii=False, indent=2)``, the same text, faster.

With ``indent`` the standard library encodes in pure Python (its C encoder is for compact
output only): half of ``payment_report --detail``'s CPU for a large region's year (issue 15).
This encoder writes the same layout for the values a report holds (dicts with string keys,
lists, strings, integers, floats, booleans, None), each scalar by the C routines."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_string: Callable[[str], str] = json.encoder.encode_basestring
_float = json.JSONEncoder(ensure_ascii=False).encode


def dumps_indent2(value: Any) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` gives it."""
    parts: list[str] = []
    _encode(value, 0, parts.append)
    return "".join(parts)


def _encode(value: Any, level: int, out: Callable[[str], None]) -> None:
    if isinstance(value, str):
        out(_string(value))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, int):
        out(int.__repr__(value))
    elif isinstance(value, float):
        out(_float(value))
    elif isinstance(value, dict):
        if not value:
            out("{}")
            return
        inner = "\n" + "  " * (level + 1)
        first = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            out(("{" if first else ",") + inner + _string(key) + ": ")
            first = False
            _encode(item, level + 1, out)
        out("\n" + "  " * level + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out("[]")
            return
        inner = "\n" + "  " * (level + 1)
        for index, item in enumerate(value):
            out(("[" if index == 0 else ",") + inner)
            _encode(item, level + 1, out)
        out("\n" + "  " * level + "]")
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
