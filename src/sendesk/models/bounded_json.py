"""JSON from files the app did not write itself, read within bounds.

Python's own reader gives a RecursionError on a deeply nested file, an OverflowError or a
ValueError deep inside later code on a 10^30 integer, and accepts NaN, Infinity and repeated
keys. None of those appears in a file sendesk (or a school following its formats) writes, so
each is refused here, once, as a JsonRefused: a ValueError whose message is one plain sentence,
so every caller that already reports unreadable JSON reports these too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 32
# The largest integer every JSON reader agrees on (a double holds it exactly).
MAX_INT = 2 ** 53


class JsonRefused(ValueError):
    """A file that is JSON but outside what any real sendesk file holds."""


def _int_within(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if len(text.lstrip("-")) > len(str(limit)) or abs(int(text)) > limit:
            raise JsonRefused(f"it holds a number larger than {limit:,}")
        return int(text)
    return parse


def _float_within(limit: int) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not math.isfinite(value) or abs(value) > limit:
            raise JsonRefused(f"it holds a number larger than {limit:,}")
        return value
    return parse


def _constant(text: str) -> Any:
    raise JsonRefused(f"it holds {text}, which is not a number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise JsonRefused("it gives the same name twice in one place")
    return result


def _depth_within(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return False
            stack.extend((child, depth + 1) for child in
                         (item.values() if isinstance(item, dict) else item))
    return True


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH, max_int: int = MAX_INT,
          encoding: str = "utf-8") -> Any:
    """The JSON in `data`; JsonRefused (a ValueError) when it is nested more than `max_depth`
    levels, holds an integer beyond `max_int` (2^53 unless a caller types its numbers itself
    and names the field), NaN or Infinity, or a repeated key. Bytes that are not text in
    `encoding` raise UnicodeDecodeError, as bytes.decode does."""
    text = data.decode(encoding) if isinstance(data, (bytes, bytearray)) else data
    try:
        value = json.loads(text, parse_int=_int_within(max_int),
                           parse_float=_float_within(max_int), parse_constant=_constant,
                           object_pairs_hook=_object)
    except RecursionError:
        raise JsonRefused(f"it is nested too deeply (more than {max_depth} levels)") \
            from None
    if not _depth_within(value, max_depth):
        raise JsonRefused(f"it is nested too deeply (more than {max_depth} levels)")
    return value
