"""A pupil's identity and school details, and the rules that keep them census-ready.

Names are kept twice: the legal names the census and transfers need, and the names the pupil
is known by, which are what staff search for and see. National curriculum years follow the
DfE's codes (N1, N2, R, 1-14); 'Year 7', 'Y7' and 'Reception' are read as the same thing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from . import dates
from .flags import Flag
from .text import clean_line
from .upn import clean_upn

YEAR_GROUPS: tuple[str, ...] = ("N1", "N2", "R") + tuple(str(n) for n in range(1, 15))
# For sorting and age checks: Reception is 0, nursery years below it.
YEAR_RANK: dict[str, int] = {code: rank for rank, code in enumerate(YEAR_GROUPS, start=-2)}
GENDERS: dict[str, str] = {"F": "Female", "M": "Male", "U": "Not known"}
_FORMULA_STARTS = ("=", "+", "-", "@")
_GENDER_WORDS = {"f": "F", "female": "F", "girl": "F", "m": "M", "male": "M", "boy": "M",
                 "u": "U", "unknown": "U", "not known": "U"}
# The oldest a young person on a school roll can be (EHC plans run to 25), and the youngest.
OLDEST_AGE = 26
YOUNGEST_AGE = 2
# SEN files are kept until the pupil's 31st birthday (IRMS records management toolkit for
# schools), so a leaver's file may not be deleted before then.
RETENTION_YEARS_AFTER_BIRTH = 31

EDITABLE_FIELDS = ("upn", "legal_surname", "legal_forename", "preferred_surname",
                   "preferred_forename", "dob", "gender", "year_group", "class_name",
                   "admission_date")
FIELD_LABELS = {"upn": "UPN", "legal_surname": "Legal surname", "legal_forename": "Legal forename",
                "preferred_surname": "Preferred surname", "preferred_forename": "Preferred forename",
                "dob": "Date of birth", "gender": "Gender", "year_group": "Year group",
                "class_name": "Class", "admission_date": "Admission date",
                "leaving_date": "Leaving date", "destination": "Destination"}


def clean_year_group(value: str | int | None) -> str:
    text = str(value if value is not None else "").strip().upper()
    text = re.sub(r"^(YEAR|YR|Y|NC)\s*", "", text).strip()
    if text in ("RECEPTION", "REC", "YR", "0"):
        text = "R"
    if text.isdigit():
        text = str(int(text))
    if text not in YEAR_RANK:
        shown = str(value).strip() if value is not None else ""
        raise ValidationError(f"Year group '{shown}' is not a national curriculum year; use N1, "
                              "N2, R or 1 to 14.", field="year_group")
    return text


def clean_name(value: Any, label: str, *, required: bool = True) -> str | None:
    """A name: one line, and never something a spreadsheet would run as a formula."""
    text = clean_line(str(value or ""), label, max_length=60, required=required)
    if text.startswith(_FORMULA_STARTS):
        raise ValidationError(f"{label} '{text[:30]}' starts with '{text[0]}', which no name does "
                              "(it looks like a spreadsheet formula); check the file.", field=label)
    return text or None


def clean_gender(value: str | None) -> str:
    text = (value or "").strip().lower()
    if text not in _GENDER_WORDS:
        raise ValidationError(f"Gender '{(value or '').strip()}' is not recognised; use F, M or "
                              "U (not known).", field="gender")
    return _GENDER_WORDS[text]


@dataclass(frozen=True)
class PupilDetails:
    """What a person may type or a MIS file may supply about a pupil, already checked."""

    upn: str
    legal_surname: str
    legal_forename: str
    dob: dt.date
    gender: str
    year_group: str
    preferred_surname: str | None = None
    preferred_forename: str | None = None
    class_name: str | None = None
    admission_date: dt.date | None = None

    def replace(self, **changes: Any) -> PupilDetails:
        return dataclasses.replace(self, **changes)


def _optional_line(value: Any, label: str, max_length: int) -> str | None:
    return clean_line(str(value or ""), label, max_length=max_length, required=False) or None


def _dob(value: Any, today: dt.date) -> dt.date:
    dob = dates.require_date(value, "Date of birth")
    dates.not_after(dob, dates.add_years(today, -YOUNGEST_AGE), "Date of birth",
                    f"{YOUNGEST_AGE} years ago (a pupil cannot be that young)")
    dates.not_before(dob, dates.add_years(today, -OLDEST_AGE), "Date of birth",
                     f"{OLDEST_AGE} years ago (check the year)")
    return dob


def check_details(raw: Mapping[str, Any], today: dt.date) -> tuple[PupilDetails | None,
                                                                   list[ValidationError]]:
    """Check every field and collect every fault, so a form or an import row can show them all."""
    cleaners = {
        "upn": lambda v: clean_upn(str(v or "")),
        "legal_surname": lambda v: clean_name(v, "Legal surname"),
        "legal_forename": lambda v: clean_name(v, "Legal forename"),
        "preferred_surname": lambda v: clean_name(v, "Preferred surname", required=False),
        "preferred_forename": lambda v: clean_name(v, "Preferred forename", required=False),
        "dob": lambda v: _dob(v, today),
        "gender": clean_gender,
        "year_group": clean_year_group,
        "class_name": lambda v: _optional_line(v, "Class", 30),
        "admission_date": lambda v: dates.parse_date(v, "Admission date", required=False),
    }
    values: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for name, cleaner in cleaners.items():
        try:
            values[name] = cleaner(raw.get(name))
        except ValidationError as exc:
            exc.field = name
            errors.append(exc)
    if not errors:
        try:
            dates.not_before(values["admission_date"], values["dob"], "Admission date",
                             "the date of birth")
        except ValidationError as exc:
            exc.field = "admission_date"
            errors.append(exc)
    if errors:
        return None, errors
    for kind in ("surname", "forename"):
        if values[f"preferred_{kind}"] == values[f"legal_{kind}"]:
            values[f"preferred_{kind}"] = None
    return PupilDetails(**values), []


def clean_details(raw: Mapping[str, Any], today: dt.date) -> PupilDetails:
    """Check every field; the first fault is raised, naming the field."""
    details, errors = check_details(raw, today)
    if errors:
        raise errors[0]
    assert details is not None
    return details


@dataclass(frozen=True)
class Pupil:
    """A pupil as stored, with the register summary the list and header show."""

    id: int
    details: PupilDetails
    leaving_date: dt.date | None
    destination: str | None
    archived_at: str | None
    retain_until: dt.date | None
    sen_status: str | None
    primary_need: str | None
    next_review: dt.date | None
    flags: frozenset[Flag]

    @property
    def surname(self) -> str:
        return self.details.preferred_surname or self.details.legal_surname

    @property
    def forename(self) -> str:
        return self.details.preferred_forename or self.details.legal_forename

    @property
    def display_name(self) -> str:
        """Surname first, as registers are read; the name the pupil is known by."""
        return f"{self.surname}, {self.forename}"

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


def retention_date(dob: dt.date) -> dt.date:
    return dates.add_years(dob, RETENTION_YEARS_AFTER_BIRTH)


def search_text(details: PupilDetails) -> str:
    """Lower-case, accent-free names and UPN, so 'zoe' finds Zoë and a UPN can be pasted."""
    parts = [details.legal_surname, details.legal_forename, details.preferred_surname or "",
             details.preferred_forename or "", details.upn]
    return searchable(" ".join(part for part in parts if part))


def sort_key(details: PupilDetails) -> str:
    """Alphabetical by the names people use; accents do not move a name to the end of the list."""
    surname = details.preferred_surname or details.legal_surname
    forename = details.preferred_forename or details.legal_forename
    return fold(f"{surname}\x1f{forename}")


def searchable(text: str) -> str:
    """fold() without apostrophes, so 'obrien' finds O'Brien and O’Brien."""
    return fold(text).replace("'", "").replace("\u2019", "")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ß", "ss")
