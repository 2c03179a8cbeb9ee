"""The school a database belongs to, and the identifiers English schools are known by."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ValidationError
from .text import clean_line


@dataclass(frozen=True)
class SchoolIdentity:
    name: str
    urn: str | None = None
    la_code: str | None = None
    estab: str | None = None

    @property
    def reference(self) -> str:
        """How the school is named on screens: URN where known, else LA/establishment."""
        if self.urn:
            return f"URN {self.urn}"
        if self.la_code and self.estab:
            return f"{self.la_code}/{self.estab}"
        return ""


def parse_school_reference(text: str) -> dict[str, str]:
    """Accept a 6-digit DfE URN or a 7-digit LA/establishment number (937/4001, 937-4001, 9374001)."""
    value = (text or "").strip()
    if re.fullmatch(r"\d{6}", value):
        return {"urn": value}
    match = re.fullmatch(r"(\d{3})\s*[/\-\s]?\s*(\d{4})", value)
    if match:
        return {"la_code": match.group(1), "estab": match.group(2)}
    raise ValidationError("Enter the school's 6-digit URN (for example 123456) or its LA and "
                          "establishment number (for example 937/4001).", field="urn")


def make_identity(name: str, reference: str) -> SchoolIdentity:
    return SchoolIdentity(clean_line(name, "School name", max_length=120), **parse_school_reference(reference))
