"""Checks on free text typed by people, shared by every form, import and command."""

from __future__ import annotations

import unicodedata

from ..errors import ValidationError

# Bidirectional overrides can make a name display differently from what is stored.
_BIDI_CONTROLS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def hidden_character(text: str, allowed: str = "") -> str | None:
    """The first character in `text` that does not show (a control, format or direction
    override), apart from those `allowed` and the zero-width joiner some scripts need."""
    for char in text:
        if char in allowed or char == "\u200d":
            continue
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return char
    return None


def clean_line(value: str, label: str, *, max_length: int = 100, required: bool = True) -> str:
    """One line of text: trimmed, NFC-normalised, no control or direction-override characters."""
    text = unicodedata.normalize("NFC", (value or "")).strip()
    if required and not text:
        raise ValidationError(f"{label} is required.", field=label)
    if len(text) > max_length:
        raise ValidationError(f"{label} is too long (at most {max_length} characters).", field=label)
    for char in text:
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            if char not in ("\u200d",):  # zero-width joiner appears in some scripts' names
                raise ValidationError(f"{label} contains a hidden control character; retype it.",
                                      field=label)
    return text


def clean_text(value: str, label: str, *, max_length: int = 20000, required: bool = False) -> str:
    """Several lines of text (notes, views): line breaks and tabs allowed, other controls not."""
    text = unicodedata.normalize("NFC", (value or "")).replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError(f"{label} is required.", field=label)
    if len(text) > max_length:
        raise ValidationError(f"{label} is too long (at most {max_length} characters).", field=label)
    for char in text:
        if char in ("\n", "\t", "\u200d"):
            continue
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            raise ValidationError(f"{label} contains a hidden control character; retype it.",
                                  field=label)
    return text
