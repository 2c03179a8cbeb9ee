"""Specialists involved with a pupil: referrals with the parents' consent, visits, reports
(kept inside the encrypted database) and recommendations.

Recommendations must feed the one support plan: each is carried out by a provision item that
names it, or marked as not adopted with the reason. recommendations_not_in_plan() lists those
still waiting. The SENCO records all of this (Permission.MANAGE_PLANS); anyone who may view
records may read it, and opening a stored report is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..models import dates
from ..models.roles import Permission
from ..models.specialists import (
    Consent,
    RecommendationStatus,
    check_report_file,
    check_report_size,
    clean_involvement,
    service_label,
    services,
)
from ..models.text import clean_line, clean_text
from ..operations import Kind, changed, operation, viewed
from ..session import Session
from ..store.database import Row
from ..store.files import atomic_write
from ._common import as_text, record_changes, require_editable, today


@dataclass(frozen=True)
class Visit:
    id: int
    visit_date: dt.date
    notes: str
    entered_at: str


@dataclass(frozen=True)
class ReportInfo:
    """A stored report without its content (read that with report_content)."""

    id: int
    title: str
    report_date: dt.date
    filename: str
    media_type: str
    size: int
    entered_at: str


@dataclass(frozen=True)
class Recommendation:
    id: int
    involvement_id: int
    service: str
    report_id: int | None
    text: str
    recommended_on: dt.date
    status: RecommendationStatus
    not_adopted_reason: str | None
    item_ids: tuple[int, ...]   # provision items, in any plan, that carry it out


@dataclass(frozen=True)
class Involvement:
    id: int
    pupil_id: int
    service_code: str
    service: str           # the label shown to people
    educational: bool
    professional: str | None
    referral_date: dt.date
    reason: str
    consent: Consent
    consent_date: dt.date | None
    consent_from: str | None
    ended_on: dt.date | None
    visits: tuple[Visit, ...]
    reports: tuple[ReportInfo, ...]
    recommendations: tuple[Recommendation, ...]

    @property
    def active(self) -> bool:
        return self.ended_on is None and self.consent is Consent.GIVEN


_INVOLVEMENT_FIELDS = ("service", "service_detail", "professional", "referral_date", "reason",
                       "consent", "consent_date", "consent_from")


def _stored(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {name: (value.value if isinstance(value, Consent) else as_text(value))
            for name, value in fields.items()}


def _involvement_row(session: Session, involvement_id: int) -> Row:
    row = session.db.query_one("SELECT * FROM specialist_involvements WHERE id = ?",
                               (int(involvement_id),))
    if row is None:
        raise ValidationError("That specialist involvement is not in this database.",
                              field="involvement")
    return row


def _writable(session: Session, involvement_id: int) -> Row:
    row = _involvement_row(session, involvement_id)
    require_editable(session, row["pupil_id"])
    return row


def _require_consent(row: Row) -> None:
    if row["consent"] != Consent.GIVEN.value:
        raise ValidationError("Record the parents' consent to this referral first; specialists are "
                              "involved only with the parents' agreement.", field="consent")


@operation(Permission.MANAGE_PLANS, audit="recorded a specialist referral")
def add_involvement(session: Session, pupil_id: int, raw: Mapping[str, Any]) -> int:
    """Record a referral to a specialist service; returns its id."""
    fields = _stored(clean_involvement(raw, today(session)))
    require_editable(session, pupil_id)
    cursor = session.db.execute(
        "INSERT INTO specialist_involvements (pupil_id, " + ", ".join(_INVOLVEMENT_FIELDS)
        + ", entered_at, entered_by) VALUES (:pupil_id, "
        + ", ".join(f":{n}" for n in _INVOLVEMENT_FIELDS) + ", :now, :user)",
        {**fields, "pupil_id": int(pupil_id), "now": session.now_text(), "user": session.user.id})
    involvement_id = int(cursor.lastrowid)
    changed(session, Kind.SPECIALIST, int(pupil_id), involvement_id=involvement_id,
            service=fields["service"], consent=fields["consent"])
    return involvement_id


@operation(Permission.MANAGE_PLANS, audit="changed a specialist referral")
def update_involvement(session: Session, involvement_id: int, changes: Mapping[str, Any]) -> list[str]:
    """Correct or complete a referral (for example the parents' answer); old values are kept in
    the change trail. Returns the changed fields."""
    row = _writable(session, involvement_id)
    current = {n: row[n] for n in _INVOLVEMENT_FIELDS}
    new = _stored(clean_involvement(current | dict(changes), today(session)))
    fields = record_changes(session, row["pupil_id"], "specialist", row["id"], current, new)
    if fields:
        session.db.execute("UPDATE specialist_involvements SET "
                           + ", ".join(f"{n} = :{n}" for n in _INVOLVEMENT_FIELDS)
                           + " WHERE id = :id", {**new, "id": row["id"]})
        changed(session, Kind.SPECIALIST, row["pupil_id"], involvement_id=row["id"], fields=fields)
    return fields


@operation(Permission.MANAGE_PLANS, audit="ended a specialist involvement")
def end_involvement(session: Session, involvement_id: int, ended_on: dt.date | str) -> None:
    day = dates.require_date(ended_on, "End date")
    row = _writable(session, involvement_id)
    if row["ended_on"] is not None:
        raise ValidationError("This involvement has already ended.", field="involvement")
    dates.not_after(day, today(session), "End date")
    dates.not_before(day, dt.date.fromisoformat(row["referral_date"]), "End date",
                     "the referral date")
    record_changes(session, row["pupil_id"], "specialist", row["id"], {"ended_on": None},
                   {"ended_on": day})
    session.db.execute("UPDATE specialist_involvements SET ended_on = ? WHERE id = ?",
                       (day.isoformat(), row["id"]))
    changed(session, Kind.SPECIALIST, row["pupil_id"], involvement_id=row["id"])


@operation(Permission.MANAGE_PLANS, audit="recorded a specialist visit")
def add_visit(session: Session, involvement_id: int, visit_date: dt.date | str, notes: str = "") -> int:
    day = dates.require_date(visit_date, "Date of the visit")
    text = clean_text(notes, "What was done or agreed", max_length=8000)
    row = _writable(session, involvement_id)
    _require_consent(row)
    dates.not_after(day, today(session), "Date of the visit")
    dates.not_before(day, dt.date.fromisoformat(row["referral_date"]), "Date of the visit",
                     "the referral date")
    cursor = session.db.execute(
        "INSERT INTO specialist_visits (involvement_id, visit_date, notes, entered_at, entered_by)"
        " VALUES (?, ?, ?, ?, ?)", (row["id"], day.isoformat(), text, session.now_text(),
                                    session.user.id))
    visit_id = int(cursor.lastrowid)
    changed(session, Kind.SPECIALIST, row["pupil_id"], involvement_id=row["id"], visit_id=visit_id)
    return visit_id


@operation(Permission.MANAGE_PLANS, audit="stored a specialist report")
def attach_report(session: Session, involvement_id: int, filename: str, content: bytes,
                  title: str, report_date: dt.date | str) -> int:
    """Store a specialist's report inside the encrypted database; returns its id."""
    name, media_type = check_report_file(filename, content)
    heading = clean_line(title or name, "Title", max_length=200)
    day = dates.require_date(report_date, "Date of the report")
    row = _writable(session, involvement_id)
    _require_consent(row)
    dates.not_after(day, today(session), "Date of the report")
    digest = hashlib.sha256(content).hexdigest()
    cursor = session.db.execute(
        "INSERT INTO specialist_reports (involvement_id, title, report_date, filename,"
        " media_type, size, sha256, content, entered_at, entered_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row["id"], heading, day.isoformat(), name, media_type, len(content), digest,
         bytes(content), session.now_text(), session.user.id))
    report_id = int(cursor.lastrowid)
    changed(session, Kind.SPECIALIST, row["pupil_id"], involvement_id=row["id"],
            report_id=report_id, size=len(content), sha256=digest)
    return report_id


@operation(Permission.MANAGE_PLANS)
def attach_report_file(session: Session, involvement_id: int, path: Path, title: str,
                       report_date: dt.date | str) -> int:
    """attach_report for a file on disk; a file over the size limit is refused before it is read."""
    path = Path(path)
    try:
        check_report_size(path.name, path.stat().st_size)
        content = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path.name} could not be read ({exc.strerror or 'disk error'}).",
                              field="file") from exc
    return attach_report(session, involvement_id, path.name, content, title, report_date)


@operation(Permission.VIEW_RECORDS, writes=False, audit="opened a specialist report")
def report_content(session: Session, report_id: int) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of a stored report; opening it is audited."""
    row = session.db.query_one(
        "SELECT r.*, i.pupil_id FROM specialist_reports r JOIN specialist_involvements i"
        " ON i.id = r.involvement_id WHERE r.id = ?", (int(report_id),))
    if row is None:
        raise ValidationError("That report is not in this database.", field="report")
    content = bytes(row["content"])
    if hashlib.sha256(content).hexdigest() != row["sha256"]:
        raise ValidationError(f"The stored copy of {row['filename']} does not match what was "
                              "saved; restore the database from a backup.", field="report")
    viewed(session, "pupil", row["pupil_id"], report_id=row["id"])
    return row["filename"], row["media_type"], content


@operation(Permission.EXPORT_DOCUMENTS, writes=False,
           audit="saved a copy of a specialist report")
def save_report_copy(session: Session, report_id: int, path: Path) -> int:
    """Write a decrypted copy of a stored report to a file (for example to print it); only for
    those who may export documents, and audited. Returns the number of bytes written."""
    _, _, content = report_content(session, report_id)
    atomic_write(Path(path), content)
    viewed(session, "report", report_id, size=len(content))
    return len(content)


@operation(Permission.MANAGE_PLANS, audit="recorded a specialist recommendation")
def add_recommendation(session: Session, involvement_id: int, text: str,
                       recommended_on: dt.date | str, report_id: int | None = None) -> int:
    words = clean_text(text, "Recommendation", max_length=4000, required=True)
    day = dates.require_date(recommended_on, "Date of the recommendation")
    row = _writable(session, involvement_id)
    _require_consent(row)
    dates.not_after(day, today(session), "Date of the recommendation")
    dates.not_before(day, dt.date.fromisoformat(row["referral_date"]),
                     "Date of the recommendation", "the referral date")
    if report_id is not None and not session.db.scalar(
            "SELECT 1 FROM specialist_reports WHERE id = ? AND involvement_id = ?",
            (int(report_id), row["id"])):
        raise ValidationError("That report belongs to another involvement.", field="report")
    cursor = session.db.execute(
        "INSERT INTO specialist_recommendations (involvement_id, report_id, text,"
        " recommended_on, entered_at, entered_by) VALUES (?, ?, ?, ?, ?, ?)",
        (row["id"], report_id, words, day.isoformat(), session.now_text(), session.user.id))
    recommendation_id = int(cursor.lastrowid)
    changed(session, Kind.SPECIALIST, row["pupil_id"], involvement_id=row["id"],
            recommendation_id=recommendation_id)
    return recommendation_id


@operation(Permission.MANAGE_PLANS, audit="marked a recommendation not adopted")
def mark_not_adopted(session: Session, recommendation_id: int, reason: str) -> None:
    """Record that a recommendation will not be carried out, and why (agreed with the parents)."""
    why = clean_text(reason, "Reason", max_length=4000, required=True)
    rec = session.db.query_one("SELECT * FROM specialist_recommendations WHERE id = ?",
                               (int(recommendation_id),))
    if rec is None:
        raise ValidationError("That recommendation is not in this database.",
                              field="recommendation")
    row = _writable(session, rec["involvement_id"])
    if rec["status"] != RecommendationStatus.OPEN.value:
        raise ValidationError("This recommendation has already been decided.",
                              field="recommendation")
    record_changes(session, row["pupil_id"], "recommendation", rec["id"],
                   {"status": rec["status"]}, {"status": RecommendationStatus.NOT_ADOPTED.value})
    session.db.execute("UPDATE specialist_recommendations SET status = ?, not_adopted_reason = ?,"
                       " decided_at = ?, decided_by = ? WHERE id = ?",
                       (RecommendationStatus.NOT_ADOPTED.value, why, session.now_text(),
                        session.user.id, rec["id"]))
    changed(session, Kind.SPECIALIST, row["pupil_id"], recommendation_id=rec["id"])


# --- reading ----------------------------------------------------------------------------------
def _recommendations_sql(session: Session, where: str) -> str:
    return (f"SELECT r.*, i.service, i.service_detail, (SELECT {session.db.group_ids('p.id')} FROM"
            " apdr_provision_items p WHERE p.recommendation_id = r.id AND p.removed_at IS NULL)"
            " AS items FROM specialist_recommendations r JOIN specialist_involvements i"
            f" ON i.id = r.involvement_id WHERE {where} ORDER BY r.recommended_on, r.id")


def _recommendations_from(rows: list[Row]) -> list[Recommendation]:
    return [Recommendation(r["id"], r["involvement_id"], service_label(r["service"], r["service_detail"]),
                           r["report_id"], r["text"], dt.date.fromisoformat(r["recommended_on"]),
                           RecommendationStatus(r["status"]), r["not_adopted_reason"],
                           tuple(int(x) for x in (r["items"] or "").split(",") if x))
            for r in rows]


def _recommendations(session: Session, where: str, params: tuple) -> list[Recommendation]:
    return _recommendations_from(session.db.query(_recommendations_sql(session, where), params))


@operation(Permission.VIEW_RECORDS, writes=False)
def involvements(session: Session, pupil_id: int) -> list[Involvement]:
    """Every specialist involvement of a pupil, in the order of referral. Their visits, reports
    and recommendations are read once for all of them (four queries, not three for each
    involvement), sent in one batch (on the school server one round trip, not four)."""
    pupil = (int(pupil_id),)
    rows, visit_rows, report_rows, recommendation_rows = session.db.query_batch([
        ("SELECT * FROM specialist_involvements WHERE pupil_id = ? ORDER BY referral_date, id",
         pupil),
        ("SELECT v.* FROM specialist_visits v JOIN specialist_involvements i"
         " ON i.id = v.involvement_id WHERE i.pupil_id = ? ORDER BY v.visit_date, v.id", pupil),
        ("SELECT r.id, r.involvement_id, r.title, r.report_date, r.filename, r.media_type,"
         " r.size, r.entered_at FROM specialist_reports r JOIN specialist_involvements i"
         " ON i.id = r.involvement_id WHERE i.pupil_id = ? ORDER BY r.report_date, r.id", pupil),
        (_recommendations_sql(session, "i.pupil_id = ?"), pupil)])
    visits: dict[int, list[Visit]] = {}
    for v in visit_rows:
        visits.setdefault(v["involvement_id"], []).append(
            Visit(v["id"], dt.date.fromisoformat(v["visit_date"]), v["notes"], v["entered_at"]))
    reports: dict[int, list[ReportInfo]] = {}
    for r in report_rows:
        reports.setdefault(r["involvement_id"], []).append(ReportInfo(
            r["id"], r["title"], dt.date.fromisoformat(r["report_date"]), r["filename"],
            r["media_type"], r["size"], r["entered_at"]))
    recommended: dict[int, list[Recommendation]] = {}
    for recommendation in _recommendations_from(recommendation_rows):
        recommended.setdefault(recommendation.involvement_id, []).append(recommendation)
    found = []
    for row in rows:
        service = services().get(row["service"])
        found.append(Involvement(
            row["id"], row["pupil_id"], row["service"],
            service_label(row["service"], row["service_detail"]),
            bool(service and service.educational), row["professional"],
            dt.date.fromisoformat(row["referral_date"]), row["reason"], Consent(row["consent"]),
            dates.from_text(row["consent_date"]), row["consent_from"], dates.from_text(row["ended_on"]),
            tuple(visits.get(row["id"], ())), tuple(reports.get(row["id"], ())),
            tuple(recommended.get(row["id"], ()))))
    return found


@operation(Permission.VIEW_RECORDS, writes=False)
def recommendations_not_in_plan(session: Session, pupil_id: int) -> list[Recommendation]:
    """Open recommendations that no provision item in the pupil's current plan (the latest
    cycle's, draft or agreed) carries out and that were not marked as not adopted."""
    return _recommendations(
        session,
        "i.pupil_id = ? AND r.status = 'open' AND NOT EXISTS ("
        " SELECT 1 FROM apdr_provision_items p JOIN apdr_plans pl ON pl.id = p.plan_id"
        " JOIN apdr_cycles c ON c.id = pl.cycle_id JOIN send_pathways w ON w.id = c.pathway_id"
        " WHERE p.recommendation_id = r.id AND p.removed_at IS NULL AND p.ended_on IS NULL"
        " AND w.pupil_id = i.pupil_id AND w.status = 'open'"
        " AND c.number = (SELECT max(number) FROM apdr_cycles WHERE pathway_id = w.id))",
        (int(pupil_id),))


@operation(Permission.VIEW_RECORDS, writes=False)
def active_on(session: Session, pupil_id: int, day: dt.date) -> list[Involvement]:
    """Specialists actively involved on a day (referred, with consent, not ended): their views
    belong in a review held that day."""
    return [found for found in involvements(session, pupil_id)
            if found.consent is Consent.GIVEN and found.referral_date <= day
            and (found.ended_on is None or found.ended_on >= day)]


# --- a report and an NSA primary need ---------------------------------------------------------
# NSA ("SEN support but no specialist assessment of the type of need") stops being true once a
# specialist has assessed the pupil: a report recorded after the needs were last set asks the
# SENCO to review the primary need, until the needs change or the SENCO records keeping NSA.
@operation(Permission.VIEW_RECORDS, writes=False)
def need_review_due(session: Session, pupil_id: int) -> str | None:
    """The sentence the record shows while a specialist's report waits for the SENCO to review
    an NSA primary need, or None."""
    pupil_id = int(pupil_id)
    if session.db.scalar("SELECT code FROM sen_needs WHERE pupil_id = ? AND end_date IS NULL"
                         " AND rank = 1", (pupil_id,)) != "NSA":
        return None
    # A report entered with the needs (the same moment) still asks; a review at the same
    # moment as the report answers it.
    needs_set = session.db.scalar("SELECT max(entered_at) FROM sen_needs WHERE pupil_id = ?",
                                  (pupil_id,))
    reviewed = session.db.scalar("SELECT max(entered_at) FROM need_reviews WHERE pupil_id = ?",
                                 (pupil_id,))
    report = session.db.query_one(
        "SELECT r.report_date, i.service, i.service_detail FROM specialist_reports r"
        " JOIN specialist_involvements i ON i.id = r.involvement_id"
        " WHERE i.pupil_id = ? AND r.entered_at >= ? AND r.entered_at > ?"
        " ORDER BY r.entered_at DESC, r.id DESC", (pupil_id, needs_set or "", reviewed or ""))
    if report is None:
        return None
    service = service_label(report["service"], report["service_detail"])
    return (f"The primary need is NSA (no specialist assessment of the type of need), but a "
            f"report from {service} dated {dates.format_uk(dt.date.fromisoformat(report['report_date']))}"
            " is now on record: review the primary need.")


@operation(Permission.CHANGE_SEN_STATUS, audit="reviewed an NSA primary need and kept it")
def keep_nsa_after_review(session: Session, pupil_id: int, note: str,
                          reviewed_on: dt.date | str | None = None) -> int:
    """Record that the SENCO reviewed the primary need after a specialist's report and NSA
    still stands (the report did not identify a type of need), with why."""
    why = clean_text(note, "Why NSA still applies", max_length=2000, required=True)
    day = dates.parse_date(reviewed_on, "Date reviewed", required=False) or today(session)
    dates.not_after(day, today(session), "Date reviewed")
    pupil = require_editable(session, pupil_id)
    if need_review_due(session, pupil["id"]) is None:
        raise ValidationError("No specialist's report is waiting for the primary need to be "
                              "reviewed.", field="need")
    review_id = int(session.db.scalar(
        "INSERT INTO need_reviews (pupil_id, reviewed_on, kept_need, note, entered_at,"
        " entered_by) VALUES (?, ?, 'NSA', ?, ?, ?) RETURNING id",
        (pupil["id"], day.isoformat(), why, session.now_text(), session.user.id)))
    changed(session, Kind.SEN, pupil["id"], need_review_id=review_id)
    return review_id
