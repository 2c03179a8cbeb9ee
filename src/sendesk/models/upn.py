"""Unique pupil numbers (UPNs) and the DfE check-letter rule.

A UPN is a check letter, the issuing LA's number (3 digits), the school's establishment number
(4), the year of issue (2) and a serial (3). A temporary UPN ends in a letter instead of the last
serial digit. The check letter is the sum of each of characters 2-13 times its position (2..13),
modulo 23, read through the alphabet below; a final letter counts as its own index in that
alphabet. The known LA numbers are data (resources/la_codes.json), because authorities are
created and abolished more often than software is updated.
"""

from __future__ import annotations

import functools
import re

from ..errors import ValidationError
from ..resources import load_json

ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
_SHAPE = re.compile(rf"[{ALPHABET}]\d{{11}}[\d{ALPHABET}]")


@functools.lru_cache(maxsize=1)
def la_names() -> dict[str, str]:
    """LA number -> name, for every number a UPN may carry."""
    return {entry["code"]: entry["name"] for entry in load_json("la_codes.json")["codes"]}


def check_letter(body: str) -> str:
    """The check letter for the 12 characters that follow it."""
    if len(body) != 12:
        raise ValueError("a UPN body has 12 characters")
    total = 0
    for position, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else ALPHABET.index(char)
        total += position * value
    return ALPHABET[total % 23]


def is_temporary(upn: str) -> bool:
    return upn[-1:].isalpha()


def clean_upn(value: str, label: str = "UPN") -> str:
    """A UPN as typed or imported: spaces removed, upper case, every rule checked."""
    text = re.sub(r"\s+", "", value or "").upper()
    if not text:
        raise ValidationError(f"{label} is required.", field="upn")
    if len(text) != 13:
        raise ValidationError(f"{label} {text} has {len(text)} characters; a UPN has 13.",
                              field="upn")
    if not _SHAPE.fullmatch(text):
        raise ValidationError(
            f"{label} {text} is not in the UPN pattern: a letter, 11 digits, then a digit or a "
            "letter (the letters I, O and S are never used).", field="upn")
    la_code = text[1:4]
    if la_code not in la_names():
        raise ValidationError(f"{label} {text} starts with LA number {la_code}, which is not a "
                              "local authority number; check the UPN.", field="upn")
    expected = check_letter(text[1:])
    if text[0] != expected:
        raise ValidationError(f"{label} {text} fails the DfE check-letter test (its check letter "
                              f"should be {expected}); it has probably been mistyped.", field="upn")
    return text


def make_upn(la_code: str, estab: str, year: int, serial: int,
             temporary_letter: str | None = None) -> str:
    """Build a UPN with its check letter (used by the demo school).

    A temporary UPN has a two-digit serial followed by a letter.
    """
    if temporary_letter:
        body = f"{la_code}{estab}{year % 100:02d}{serial % 100:02d}{temporary_letter}"
    else:
        body = f"{la_code}{estab}{year % 100:02d}{serial:03d}"
    if not _SHAPE.fullmatch("A" + body):
        raise ValueError("LA (3 digits), establishment (4), year and serial make a UPN body")
    return check_letter(body) + body
