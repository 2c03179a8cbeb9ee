"""Keeping protected addresses out of everything that leaves the school.

A protected address (a looked-after pupil's placement, a contact marked 'do not disclose') is
as telling in part as in whole: the street line, a "street, town" part of a one-line address,
or the postcode alone is enough to find a child. So each secret becomes several patterns:
the whole address, each line, each comma- or semicolon-separated part of two or more words
(and that part without its house number), and every UK-postcode-shaped token (with or without its space). Each is matched
case-insensitively across any run of spaces, line breaks, commas or semicolons, so it is found
however a note or a document has wrapped or re-punctuated it. Pure rules: no Qt, no database.
"""

from __future__ import annotations

import re
from typing import Iterable

WITHHELD = "[withheld]"
POSTCODE = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})(?![A-Z0-9])", re.IGNORECASE)
_SEPARATORS = r"[\s,;]+"
_GAP = r"[\s,;]*"
_HOUSE_NUMBER = re.compile(r"^(?:(?:flat|apartment|unit)\s+)?\d+[A-Z]?\b\s*", re.IGNORECASE)
MIN_LINE = 6   # a one-word line shorter than this ("Flat", "Rd") says too little to hide


def fragments(secret: str) -> list[str]:
    """The pieces of one address that must not appear anywhere, longest first."""
    secret = (secret or "").strip()
    if not secret:
        return []
    found = {secret}
    for line in secret.splitlines():
        line = line.strip()
        if len(line) >= MIN_LINE or len(line.split()) >= 2:
            found.add(line)
        for part in re.split(r"[,;]", line):
            part = part.strip()
            if len(part.split()) >= 2:
                found.add(part)
            street = _HOUSE_NUMBER.sub("", part).strip()
            if len(street.split()) >= 2:
                found.add(street)     # "Juniper Terrace" names the place without its number
    return sorted(found, key=len, reverse=True)


def postcodes(secret: str) -> list[str]:
    """Every UK-postcode-shaped token in an address, as outward and inward code."""
    return [f"{m.group(1)} {m.group(2)}".upper() for m in POSTCODE.finditer(secret or "")]


def _fragment_pattern(text: str) -> str | None:
    words = [w for w in re.split(_SEPARATORS, text) if w]
    if not words:
        return None
    body = _GAP.join(re.escape(w) for w in words)
    return rf"(?<!\w){body}(?!\w)"


def _postcode_pattern(code: str) -> str:
    outward, inward = code.split()
    return rf"(?<![A-Za-z0-9]){re.escape(outward)}{_GAP}{re.escape(inward)}(?![A-Za-z0-9])"


def patterns(secrets: Iterable[str]) -> list[re.Pattern[str]]:
    """One compiled pattern per fragment and postcode of every secret, longest first, so the
    whole address is replaced as one mark before its parts are looked for."""
    texts: set[str] = set()
    codes: set[str] = set()
    for secret in secrets:
        texts.update(fragments(secret))
        codes.update(postcodes(secret))
    found = [p for p in (_fragment_pattern(t) for t in sorted(texts, key=len, reverse=True)) if p]
    found += [_postcode_pattern(code) for code in sorted(codes)]
    return [re.compile(p, re.IGNORECASE) for p in found]


def redact_text(text: str, compiled: Iterable[re.Pattern[str]]) -> tuple[str, int]:
    """The text with every match replaced by WITHHELD, and how many were replaced."""
    total = 0
    for pattern in compiled:
        text, count = pattern.subn(WITHHELD, text)
        total += count
    return text, total


class Redactor:
    """Patterns built once for a set of secrets, applied to many strings."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.patterns = patterns(s for s in secrets if s and s.strip())
        self.count = 0

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __call__(self, text: str) -> str:
        text, count = redact_text(text, self.patterns)
        self.count += count
        return text
