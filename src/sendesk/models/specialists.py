"""Specialists involved with a pupil: the service, the referral, the parents' consent, visits,
reports and recommendations.

The services are data (resources/specialist_services.json) so a school can add its own. Reports
are kept inside the encrypted database; a size limit keeps the file small enough to back up and
carry. A recommendation is carried out by a provision item in the support plan, so the plan stays
the one plan every service feeds.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ..errors import ValidationError
from ..resources import load_json
from . import dates
from .text import clean_line, clean_text

MAX_REPORT_BYTES = 10 * 1024 * 1024
REPORT_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".rtf": "application/rtf",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# What the first bytes of a file must be for its type (others are not checked).
_MAGIC = {".pdf": (b"%PDF",), ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8",),
          ".jpeg": (b"\xff\xd8",), ".docx": (b"PK",), ".odt": (b"PK",), ".rtf": (b"{\\rtf",)}


@dataclass(frozen=True)
class Service:
    code: str
    label: str
    educational: bool


@functools.lru_cache(maxsize=1)
def services() -> dict[str, Service]:
    return {entry["code"]: Service(entry["code"], entry["label"], bool(entry.get("educational")))
            for entry in load_json("specialist_services.json")["services"]}


def service_label(code: str, detail: str | None = None) -> str:
    service = services().get(code)
    if service is None:
        return detail or code
    if code == "OTHER" and detail:
        return detail
    return f"{service.label} ({detail})" if detail else service.label


class Consent(str, enum.Enum):
    PENDING = "pending"
    GIVEN = "given"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"pending": "Not yet asked or answered", "given": "Given",
                "refused": "Refused"}[self.value]


class RecommendationStatus(str, enum.Enum):
    OPEN = "open"
    NOT_ADOPTED = "not_adopted"


def clean_involvement(raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    code = (raw.get("service") or "").strip()
    if code not in services():
        raise ValidationError("Choose the specialist service.", field="service")
    detail = clean_line(str(raw.get("service_detail") or ""), "Service name", max_length=120,
                        required=code == "OTHER") or None
    referral = dates.require_date(raw.get("referral_date"), "Referral date")
    dates.not_after(referral, today, "Referral date")
    try:
        consent = Consent(raw.get("consent") or "pending")
    except ValueError:
        raise ValidationError("Record whether the parents agreed to the referral.",
                              field="consent") from None
    consent_date = dates.parse_date(raw.get("consent_date"), "Date of consent", required=False)
    if consent is not Consent.PENDING and consent_date is None:
        raise ValidationError("Give the date the parents answered.", field="consent_date")
    dates.not_after(consent_date, today, "Date of consent")
    return {
        "service": code,
        "service_detail": detail,
        "professional": clean_line(str(raw.get("professional") or ""), "Specialist's name",
                                   max_length=120, required=False) or None,
        "referral_date": referral,
        "reason": clean_text(str(raw.get("reason") or ""), "Reason for the referral",
                             max_length=4000),
        "consent": consent,
        "consent_date": consent_date if consent is not Consent.PENDING else None,
        "consent_from": clean_line(str(raw.get("consent_from") or ""), "Consent given by",
                                   max_length=120, required=False) or None,
    }


def check_report_size(name: str, size: int) -> None:
    if size == 0:
        raise ValidationError(f"{name} is empty.", field="file")
    if size > MAX_REPORT_BYTES:
        raise ValidationError(f"{name} is {size / 1024 / 1024:.1f} MB; reports are kept inside the "
                              f"database, up to {MAX_REPORT_BYTES // 1024 // 1024} MB each. Save a "
                              "smaller copy (for example a PDF) and attach that.", field="file")


def check_report_file(filename: str, content: bytes) -> tuple[str, str]:
    """(safe file name, media type) for a report to be stored, or a ValidationError."""
    name = PurePath((filename or "").replace("\\", "/")).name
    name = clean_line(name, "File name", max_length=200)
    suffix = PurePath(name).suffix.lower()
    if suffix not in REPORT_TYPES:
        raise ValidationError(f"{name} is not a type of report sendesk keeps; use PDF, Word, "
                              "OpenDocument, RTF, plain text, PNG or JPEG.", field="file")
    check_report_size(name, len(content))
    magic = _MAGIC.get(suffix)
    if magic and not content.startswith(magic):
        raise ValidationError(f"{name} does not look like a {suffix[1:].upper()} file; it may "
                              "be damaged or misnamed.", field="file")
    return name, REPORT_TYPES[suffix]
