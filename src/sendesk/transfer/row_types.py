"""Every value of a received pupil record, typed against this school's schema before anything
is written.

A signed package proves only who sent it, not that the sender's software (or a hostile
school) wrote what sendesk itself would. A start date of "not a date" or 12345 would be
stored, pass `verify`, and then break the pupil list, Home and the documents for the whole
school. So each column is given a type from the live schema (its declared type and name) and
the domain (code lists, bounds): dates are real ISO dates in a sensible range, codes are in
their lists, whole numbers within bounds, flags 0 or 1, text cleaned as typed text is (hidden
characters, lengths; names also refuse markup), structured text is the JSON the app reads
back, and every reference resolves to a row the package holds. The first fault refuses the
package with one sentence naming the table and the field.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from ..errors import ValidationError
from ..models import bounded_json, dates, notifications, outcomes, provision, sen, specialists
from ..models.apdr import Decision, Stage
from ..models.contacts import CONSENT_GIVERS
from ..models.ehc import RequestedBy, ReviewKind
from ..models.exam_access import Arrangement, clean_arrangement
from ..models.measures import SCHOOL_SCALE_LIMIT, MeasureKind
from ..models.my_story import ConsentBy, clean_story
from ..models.pupils import clean_details
from ..models.registers import RegisterKind
from ..models.text import hidden_character
from .errors import TamperedPackage

# Dates naming something planned may lie some years ahead; every other date is of something
# that has happened, allowing for a sending computer whose clock is wrong by a year or two.
PLANNED_DATES = frozenset({"review_date", "target_date", "next_review_by", "meeting_on",
                           "pep_date", "ended_on", "end_date", "ceased_on",
                           "pep_review_date", "valid_to", "valid_from"})
# Dates whose names do not end in _on, _date or _since.
DATE_COLUMNS = frozenset({"next_review_by", "valid_from", "valid_to"})
PAST_YEARS_AHEAD = 2
PLANNED_YEARS_AHEAD = 10
FLAGS = frozenset({"parental_responsibility", "do_not_disclose_address", "has_ihp",
                   "at_risk_of_exclusion", "pfa_discussed", "delivered", "answer",
                   "share_staff", "share_specialists", "share_la", "share_next_school",
                   "young_person"})
# Whole numbers: (least, most); anything else is an id or count up to 2^53.
BOUNDS: dict[str, tuple[int, int]] = {
    "number": (1, 1000), "rank": (1, 50), "position": (0, 10_000),
    "group_size": (1, provision.MAX_GROUP), "minutes": (0, provision.MAX_MINUTES),
    "weeks": (1, provision.MAX_WEEKS), "rate_pence": (0, provision.MAX_RATE_PENCE),
    "size": (0, specialists.MAX_REPORT_BYTES)}
REALS: dict[str, tuple[float, float]] = {
    "sessions_per_week": (0.0, float(provision.MAX_SESSIONS_PER_WEEK)),
    "entry_value": (-SCHOOL_SCALE_LIMIT, SCHOOL_SCALE_LIMIT),
    "exit_value": (-SCHOOL_SCALE_LIMIT, SCHOOL_SCALE_LIMIT)}
# People's names: one line, and no markup (they are printed on letters and shown in lists).
NAMES = frozenset({("contacts", "name"), ("contacts", "relationship"), ("consents", "given_by"),
                   ("parent_notifications", "recipient"),
                   ("parent_notifications_due", "young_person_recipient"),
                   ("specialist_involvements", "professional"),
                   ("specialist_involvements", "consent_from"), ("ehcna_requests", "consent_from"),
                   ("ehcna_requests", "head_name"), ("ehc_plans", "caseworker"),
                   ("exam_access_arrangements", "assessor"), ("my_story", "consent_by")})
NAME_LENGTH = 100
LINE_LENGTH = 400
TEXT_LENGTH = 20_000
LONG_TEXT = {"draft_state": 200_000, "discussion": 50_000, "actions": 50_000}
# Short text in the newer sections, bounded as the app bounds what is typed.
SHORT_TEXT = {("exam_access_arrangements", "detail"): 200, ("ehcna_requests", "sent_readiness"): 20}
_MARKUP = re.compile(r"<\s*[/!?A-Za-z]|&#?[A-Za-z0-9]+;")
_FORMULA_STARTS = ("=", "+", "-", "@")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
                        r"(Z|[+-]\d{2}:\d{2})?)?")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@functools.lru_cache(maxsize=1)
def codes() -> dict[tuple[str, str], frozenset[str]]:
    """The code lists a column's value must come from."""
    needs = frozenset(sen.need_codes())
    areas = frozenset(sen.areas())
    pfa = frozenset(outcomes.PFA_AREAS)
    stages = frozenset(s.value for s in Stage)
    decisions = frozenset(d.value for d in Decision)
    return {
        ("sen_status_history", "status"): frozenset(sen.statuses()),
        ("sen_needs", "code"): needs, ("apdr_assessments", "primary_need"): needs,
        ("concern_runs", "need_code"): needs,
        ("apdr_outcomes", "area"): areas, ("apdr_provision_items", "area"): areas,
        ("concern_runs", "area"): areas,
        ("apdr_outcomes", "pfa_area"): pfa, ("ehc_outcomes", "pfa_area"): pfa,
        ("register_entries", "register"): frozenset(k.value for k in RegisterKind),
        ("apdr_cycles", "stage"): stages, ("send_pathways", "stage"): stages,
        ("send_pathways", "status"): frozenset({"open", "closed"}),
        ("send_pathways", "close_decision"): decisions, ("apdr_reviews", "decision"): decisions,
        ("apdr_provision_items", "cost_basis"): frozenset({"hour", "session", "year"}),
        ("provision_measures", "kind"): frozenset(k.value for k in MeasureKind),
        ("apdr_review_progress", "progress"): frozenset({"achieved", "partly", "not_yet"}),
        ("concern_runs", "status"): frozenset({"draft", "finished"}),
        ("concern_runs", "outcome_kind"): frozenset({"monitoring", "pathway", "sen_support"}),
        ("consents", "giver_kind"): frozenset(CONSENT_GIVERS),
        ("ehc_reviews", "recommendation"): frozenset({"maintain", "amend", "cease"}),
        ("ehcna_exceptions", "kind"): frozenset({"sudden_change", "newly_arrived",
                                                 "not_safe_in_mainstream"}),
        ("ehcna_requests", "decision"): frozenset({"assess", "not_assess"}),
        ("ehcna_requests", "plan_decision"): frozenset({"issue", "not_issue"}),
        ("ehcna_requests", "requested_by"): frozenset(r.value for r in RequestedBy),
        ("ehc_reviews", "kind"): frozenset(k.value for k in ReviewKind),
        ("need_reviews", "kept_need"): needs,
        ("exam_access_arrangements", "arrangement"): frozenset(a.value for a in Arrangement),
        ("my_story", "consent_as"): frozenset(c.value for c in ConsentBy),
        ("parent_notifications_due", "change"): frozenset({"added", "removed"}),
        ("parent_notifications", "method"): frozenset(notifications.METHODS),
        ("parent_notifications_due", "young_person_method"): frozenset(notifications.METHODS),
        ("specialist_involvements", "consent"): frozenset({"pending", "given", "refused"}),
        ("specialist_involvements", "service"): frozenset(specialists.services()),
        ("specialist_recommendations", "status"): frozenset({"open", "not_adopted"}),
        ("specialist_reports", "media_type"): frozenset(specialists.REPORT_TYPES.values()),
    }


class Fault(Exception):
    """What is wrong with one value, in words that follow the field's name."""


def markup_in(text: str) -> bool:
    """Whether text from outside holds an HTML tag or entity, which no name or signature does."""
    return bool(_MARKUP.search(text))


def clean_outside_name(value: Any, *, max_length: int = NAME_LENGTH) -> str:
    """A person's name from another school: the checks a typed name gets, and no markup."""
    if not isinstance(value, str):
        raise Fault("is not text")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise Fault("is empty")
    if len(text) > max_length:
        raise Fault(f"is longer than {max_length} characters")
    if hidden_character(text) is not None:
        raise Fault("contains a hidden control character")
    if markup_in(text):
        raise Fault("contains markup")
    if text.startswith(_FORMULA_STARTS):
        raise Fault(f"starts with '{text[0]}', which no name does")
    return text


def _text(value: Any, max_length: int, allowed: str = "\n\t") -> str:
    if not isinstance(value, str):
        raise Fault("is not text")
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    if len(text) > max_length:
        raise Fault(f"is longer than {max_length:,} characters")
    if hidden_character(text, allowed) is not None:
        raise Fault("contains a hidden control character")
    return text


def _date(value: Any, latest: dt.date) -> str:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise Fault("is not a date written YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Fault(f"'{value}' is not a real date") from None
    if day.year < dates.FIRST_YEAR or day > latest:
        raise Fault(f"'{value}' is outside the years a school record can hold")
    return value


def check_timestamp(value: Any, latest: dt.date) -> str:
    """An ISO date and time (as session.now_text writes) between 1900 and `latest`."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise Fault("is not a date and time")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Fault(f"'{value[:40]}' is not a real date and time") from None
    if moment.year < dates.FIRST_YEAR or moment.date() > latest:
        raise Fault(f"'{value[:40]}' is outside the years a school record can hold")
    return value


def _whole(value: Any, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Fault("is not a whole number")
    if not least <= value <= most:
        raise Fault(f"is {value}, outside {least} to {most:,}")
    return value


def _real(value: Any, least: float, most: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Fault("is not a number")
    if not least <= value <= most:
        raise Fault(f"is {value}, outside {least:g} to {most:g}")
    return value


def _json_text(value: Any, shape: type) -> str:
    text = _text(value, LONG_TEXT["draft_state"])
    try:
        parsed = bounded_json.loads(text)
    except ValueError:
        raise Fault("is not the structured text sendesk writes") from None
    if not isinstance(parsed, shape):
        raise Fault("is not the structured text sendesk writes")
    return text


def _concern_json(column: str, value: str) -> str:
    """concern_runs keeps its discussion, actions and draft as JSON the record window reads."""
    text = _json_text(value, dict if column == "draft_state" else list)
    parsed = bounded_json.loads(text)
    if column == "discussion" and not all(
            isinstance(p, list) and len(p) in (2, 3) and all(isinstance(s, str) for s in p)
            for p in parsed):
        raise Fault("is not a list of headings and text")  # [heading, text, field id]
    if column == "actions" and not all(isinstance(a, str) for a in parsed):
        raise Fault("is not a list of actions")
    if column == "draft_state":
        answers = parsed.get("answers", [])
        if not (isinstance(answers, list) and all(
                isinstance(a, list) and 2 <= len(a) <= 3 for a in answers)
                and isinstance(parsed.get("discussion", {}), dict)
                and isinstance(parsed.get("extras", {}), dict)):
            raise Fault("is not a saved flowchart draft")
    return text


def check_value(table: str, column: str, declared: str, value: Any, today: dt.date) -> Any:
    """The value as it will be stored, or Fault. Used for every column that is not an id, a
    reference, a user or an attachment (those are checked by check_rows)."""
    if value is None:
        return None
    latest = dates.add_years(today, PLANNED_YEARS_AHEAD if column in PLANNED_DATES
                             else PAST_YEARS_AHEAD)
    allowed = codes().get((table, column))
    if allowed is not None:
        if not isinstance(value, str) or value not in allowed:
            raise Fault(f"'{str(value)[:30]}' is not one of the codes sendesk knows")
        return value
    if column.endswith("_at"):
        return check_timestamp(value, latest)
    if column.endswith(("_on", "_date", "_since")) or column in DATE_COLUMNS:
        return _date(value, latest)
    if declared == "INTEGER":
        if column in FLAGS:
            # JSON true is not 1: sendesk writes flags as numbers, so anything else is refused.
            if isinstance(value, (bool, float)) or value not in (0, 1):
                raise Fault("is not 0 or 1")
            if table == "my_story" and column == "share_next_school" and value != 1:
                raise Fault("is 0: the pupil's account was sent without consent to share it "
                            "with the next school")
            return int(value)
        least, most = BOUNDS.get(column, (-1, bounded_json.MAX_INT))
        return _whole(value, least, most)
    if declared == "REAL":
        least_r, most_r = REALS.get(column, (0.0, float(bounded_json.MAX_INT)))
        return _real(value, least_r, most_r)
    if (table, column) in NAMES:
        return clean_outside_name(value)
    if table == "concern_runs" and column in LONG_TEXT:
        return _concern_json(column, value)
    if column == "sha256":
        if not isinstance(value, str) or not _SHA256.fullmatch(value):
            raise Fault("is not a SHA-256 fingerprint")
        return value
    if (table, column) in SHORT_TEXT:
        return _text(value, SHORT_TEXT[(table, column)], allowed="")
    return _text(value, LONG_TEXT.get(column, TEXT_LENGTH))


def refused(table: str, number: int, column: str, fault: str) -> TamperedPackage:
    return TamperedPackage(f"The pupil record inside this package cannot be imported: in row "
                           f"{number} of {table}, {column} {fault}. Nothing was imported.")


def check_pupil(pupil: dict[str, Any], today: dt.date) -> None:
    """The pupil's own details, checked (and normalised) as a typed record is."""
    for name, value in pupil.items():
        if value is not None and not isinstance(value, str):
            raise refused("the pupil's details", 1, name, "is not text")
    try:
        details = clean_details(pupil, today)
        leaving = dates.parse_date(pupil.get("leaving_date"), "Leaving date", required=False)
        destination = _text(pupil.get("destination") or "", LINE_LENGTH, allowed="").strip()
    except ValidationError as exc:
        raise TamperedPackage(f"The pupil record inside this package cannot be imported: the "
                              f"pupil's details are wrong ({str(exc).rstrip('.')}). Nothing was "
                              "imported.") from exc
    except Fault as exc:
        raise refused("the pupil's details", 1, "destination", str(exc)) from exc
    pupil.update({
        "upn": details.upn, "legal_surname": details.legal_surname,
        "legal_forename": details.legal_forename, "preferred_surname": details.preferred_surname,
        "preferred_forename": details.preferred_forename, "dob": details.dob.isoformat(),
        "gender": details.gender, "year_group": details.year_group,
        "class_name": details.class_name,
        "admission_date": details.admission_date.isoformat() if details.admission_date else None,
        "leaving_date": leaving.isoformat() if leaving else None,
        "destination": destination or None})


def check_rows(tables: Mapping[str, list[dict[str, Any]]], known: Iterable[Any],
               today: dt.date) -> None:
    """Type every value of every row in place; the first fault is raised as TamperedPackage.

    `known` are the record's TableInfo (record.owned_tables), which carry each column's
    declared SQL type and whether it may be empty."""
    by_name = {t.name: t for t in known}
    ids: dict[str, set[int]] = {}
    for name, rows in tables.items():
        table = by_name[name]
        if table.has_id:
            seen = [row["id"] for row in rows]
            if len(set(seen)) != len(seen):
                raise refused(name, len(seen), "id", "repeats another row's id")
            ids[name] = set(seen)
    for name, rows in tables.items():
        table = by_name[name]
        for number, row in enumerate(rows, start=1):
            for column, value in list(row.items()):
                try:
                    if value is None and column in table.not_null:
                        raise Fault("is empty, and must be given")
                    row[column] = _checked(table, column, table.types.get(column, ""), value,
                                           ids, today)
                except Fault as exc:
                    raise refused(name, number, column, str(exc)) from None
            _keeps_the_forms_rules(name, number, row, today)


# Tables whose rows must pass the same check as the form that types them: a row the form would
# refuse (an arrangement valid to before it was assessed, a story shared without a consent
# recorded) is refused from a package too, as the app would then act on it.
ROW_RULES: dict[str, Callable[[Mapping[str, Any], dt.date], Any]] = {
    "my_story": clean_story, "exam_access_arrangements": clean_arrangement}


def _keeps_the_forms_rules(table: str, number: int, row: Mapping[str, Any],
                           today: dt.date) -> None:
    rule = ROW_RULES.get(table)
    if rule is None:
        return
    try:
        rule(row, today)
    except ValidationError as exc:
        reason = str(exc).rstrip(".")
        raise TamperedPackage(f"The pupil record inside this package cannot be imported: row "
                              f"{number} of {table} breaks a rule the form keeps ("
                              f"{reason[:1].lower()}{reason[1:]}). Nothing was imported."
                              ) from None


def _checked(table: Any, column: str, declared: str, value: Any, ids: Mapping[str, Collection[int]],
             today: dt.date) -> Any:
    is_ref = isinstance(value, dict)
    kind = next(iter(value)) if is_ref else None
    if column in table.user_columns:
        if value is None:
            return None
        if kind != "$user":
            raise Fault("is not a member of staff")
        return {"$user": clean_outside_name(value["$user"])}
    if declared == "BLOB":
        if kind != "$attachment":
            raise Fault("is not an attachment of the package")
        return value
    if is_ref:
        raise Fault("is not a value this field holds")
    if column == "id" and table.has_id:
        return _whole(value, 1, bounded_json.MAX_INT)
    parent = table.parents.get(column)
    if parent == "pupils":
        return _whole(value, 1, bounded_json.MAX_INT)
    if parent is not None:
        if value is None:
            return None
        if isinstance(value, bool) or value not in ids.get(parent, ()):
            raise Fault(f"refers to a row of {parent} the package does not hold")
        return value
    return check_value(table.name, column, declared, value, today)
