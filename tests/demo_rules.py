"""Every stored row of an invented school, held to the core's own validation.

The demo school and the benchmarks' scale school write most of their rows in bulk (60,000
pupils would take hours through the repositories), so nothing stops them inventing data the
app itself refuses: an EHC plan "issued" in 2013, a review on Christmas Day. This module runs
each row back through what the core uses when a person or a package writes it:

* the model cleaners a repository calls (pupil details, contacts, consents, registers, notes,
  SEN status steps and needs, EHC plans);
* the typed check every received package's rows pass (transfer.record.parse_record, on the
  pupil's own record as the app would send it);
* the school calendar: no review, meeting, deadline, visit or session on a day that is not a
  school day;
* plausibility: assessments that fit the need and age, destinations that fit the age.

faults() returns one line per broken row (empty when all is well), so a failing test shows them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from sendesk.demo.catalogue import TOOLS, destination_fits
from sendesk.errors import SendeskError, ValidationError
from sendesk.models import contacts, exam_access, my_story, notes, notifications, registers, sen
from sendesk.models.ehc import plan as ehc_plan
from sendesk.models.ehc import request as ehc_request
from sendesk.models.pupils import YEAR_RANK, check_details
from sendesk.records import school_calendar
from sendesk.session import Session
from sendesk.transfer import record

# Dates of something held, due or planned on a school day: reviews, meetings, deadlines, visits,
# sessions delivered. (Dates a rule derives, such as an EHC plan's next review, are the rule's.)
SCHOOL_DAYS = (("apdr_plans", "plan_date"), ("apdr_plans", "review_date"),
               ("apdr_reviews", "held_on"), ("apdr_assessments", "assessed_on"),
               ("apdr_outcomes", "target_date"), ("apdr_delivery_log", "delivered_on"),
               ("ehc_outcome_steps", "target_date"), ("ehc_outcome_steps", "achieved_on"),
               *(("ehc_plans", c) for c in ("issued_on", "ceased_on")),
               *(("ehc_reviews", c) for c in ("meeting_on", "invitations_sent_on", "held_on",
                                              "report_sent_on")),
               *(("ehcna_requests", c) for c in ("consent_on", "head_signed_on", "submitted_on",
                                                 "decision_on", "draft_on", "final_on",
                                                 "withdrawn_on")),
               ("register_entries", "review_date"), ("register_entries", "pep_date"),
               ("short_notes", "event_date"), ("short_notes", "review_date"),
               ("concern_runs", "review_date"),
               ("specialist_visits", "visit_date"), ("specialist_involvements", "referral_date"),
               *(("exam_access_arrangements", c) for c in ("assessed_on", "valid_from",
                                                           "valid_to", "withdrawn_on")),
               *(("my_story", c) for c in ("written_on", "consent_on")))


def faults(session: Session, limit: int = 20, packages_every: int = 1) -> list[str]:
    """Every fault found, up to `limit`; each pupil's record is typed as a package, or every
    `packages_every`-th pupil's (a county-sized school, checked outside the tests)."""
    found: list[str] = []
    today = session.clock.today()
    db = session.db
    pupils = {row["id"]: dict(row) for row in db.query("SELECT * FROM pupils")}

    def check(what: str, fn, *args) -> None:
        try:
            fn(*args)
        except (ValidationError, SendeskError) as exc:
            found.append(f"{what}: {exc}")

    for pupil in pupils.values():
        _, errors = check_details(pupil, today)
        found += [f"pupil {pupil['id']}: {error}" for error in errors]
        if pupil["destination"] and not destination_fits(pupil["destination"],
                                                         pupil["year_group"]):
            found.append(f"pupil {pupil['id']}: a Year {pupil['year_group']} pupil left for "
                         f"'{pupil['destination']}'")
    for row in db.query("SELECT * FROM contacts"):
        check(f"contact {row['id']}", contacts.clean_contact, dict(row))
    for row in db.query("SELECT * FROM consents"):
        check(f"consent {row['id']}", contacts.clean_consent, dict(row), today)
    for row in db.query("SELECT * FROM register_entries"):
        check(f"register entry {row['id']}", lambda r: registers.clean_entry(
            registers.clean_kind(r["register"]), r, today), dict(row))
    for row in db.query("SELECT * FROM short_notes"):
        check(f"note {row['id']}", notes.clean_note, dict(row), today)
    for row in db.query("SELECT method FROM parent_notifications"):
        check("notification", notifications.clean_method, row["method"])
    for row in db.query("SELECT * FROM ehc_plans"):
        check(f"EHC plan {row['id']}", ehc_plan.clean_plan, dict(row), today)
    for row in db.query("SELECT * FROM ehcna_requests"):
        check(f"EHC request {row['id']}", ehc_request.clean_request, dict(row), today)
    for row in db.query("SELECT * FROM exam_access_arrangements"):
        check(f"exam access arrangement {row['id']}", exam_access.clean_arrangement, dict(row),
              today)
    for row in db.query("SELECT * FROM my_story"):
        check(f"My Story {row['id']}", my_story.clean_story, dict(row), today)
    found += _status_steps(db, today)
    found += _histories(db, pupils)
    found += _days(session)
    found += _tools(session, pupils)
    for pupil_id in list(pupils)[::packages_every]:
        try:
            dump = record.dump_record(session, pupil_id)
            record.parse_record(json.dumps(dump.record).encode(), record.owned_tables(db), today)
        except SendeskError as exc:
            found.append(f"pupil {pupil_id}'s record as a package: {exc}")
        if len(found) >= limit:
            break
    return found[:limit]


def _status_steps(db, today: dt.date) -> list[str]:
    """Each pupil's SEN history as change_status would have let it be made, with the needs
    that clean_needs allows for the status they are held under."""
    found = []
    steps = defaultdict(list)
    for row in db.query("SELECT * FROM sen_status_history ORDER BY pupil_id, start_date, id"):
        steps[row["pupil_id"]].append(row)
    for pupil_id, periods in steps.items():
        previous = None
        for period in periods:
            try:
                sen.check_status_change(previous, period["status"])
                start = dt.date.fromisoformat(period["start_date"])
                if start > today:
                    raise ValidationError("the status starts after today")
                if period["status"] == "E" and start < ehc_plan.PLANS_BEGAN:
                    raise ValidationError("an EHC plan status before EHC plans began")
            except ValidationError as exc:
                found.append(f"pupil {pupil_id}'s SEN status {period['status']}: {exc}")
            previous = period["status"]
        open_needs = [r["code"] for r in db.query(
            "SELECT code FROM sen_needs WHERE pupil_id = ? AND end_date IS NULL ORDER BY rank",
            (pupil_id,))]
        if previous in sen.ON_REGISTER:
            try:
                sen.clean_needs(open_needs, previous)
            except ValidationError as exc:
                found.append(f"pupil {pupil_id}'s needs: {exc}")
    return found


def _histories(db, pupils: dict[int, dict]) -> list[str]:
    """What a school of this size plausibly holds: most pupils with EHC plans have the request
    that led to them, issued on the day the request's final plan was, and sent while the pupil
    was at the school; exam access arrangements only for pupils with SEN in Years 10 and 11,
    and some of those have them; some pupils with SEN have told their My Story."""
    found = []
    plans = db.query("SELECT p.pupil_id, p.issued_on, r.final_on, r.submitted_on FROM ehc_plans p"
                     " LEFT JOIN ehcna_requests r ON r.id = p.request_id")
    with_request = [row for row in plans if row["submitted_on"] is not None]
    if plans and len(with_request) * 2 < len(plans):
        found.append(f"only {len(with_request)} of {len(plans)} EHC plans have the request "
                     "that led to them")
    for row in with_request:
        if row["final_on"] != row["issued_on"]:
            found.append(f"pupil {row['pupil_id']}'s plan was issued on {row['issued_on']} but "
                         f"its request's final plan on {row['final_on']}")
        if row["submitted_on"] < pupils[row["pupil_id"]]["admission_date"]:
            found.append(f"pupil {row['pupil_id']}'s request was sent before they joined")
    sen_ks4 = [p for p in pupils.values() if p["year_group"] in ("10", "11")
               and p["sen_status"] in ("K", "E") and p["archived_at"] is None]
    with_arrangements = {row[0] for row in db.query(
        "SELECT DISTINCT pupil_id FROM exam_access_arrangements")}
    for pupil_id in with_arrangements:
        pupil = pupils[pupil_id]
        if pupil["year_group"] not in ("10", "11") or pupil["sen_status"] not in ("K", "E"):
            found.append(f"pupil {pupil_id} in Year {pupil['year_group']} with SEN status "
                         f"{pupil['sen_status']} has exam access arrangements")
    if len(sen_ks4) >= 4 and len(with_arrangements) * 4 < len(sen_ks4):
        found.append(f"only {len(with_arrangements)} of {len(sen_ks4)} pupils with SEN in "
                     "Years 10 and 11 have exam access arrangements")
    on_register = sum(p["sen_status"] in ("K", "E") and p["archived_at"] is None
                      for p in pupils.values())
    stories = db.scalar("SELECT COUNT(*) FROM my_story")
    if on_register >= 10 and stories * 20 < on_register:
        found.append(f"only {stories} of {on_register} pupils with SEN have a My Story")
    return found


# Rows a core rule wrote (not the demo): the monitoring entry a "back to ordinarily available
# provision" review opens takes its review date from reviews.next_term, which issue 20's item 9
# moves out of holidays; that rule's own tests hold it to school days.
_RULE_MADE = {"register_entries": "details NOT LIKE 'Back to ordinarily available provision%'"}


def _days(session: Session) -> list[str]:
    calendar = school_calendar.calendar_of(session)
    found = []
    for table, column in SCHOOL_DAYS:
        only = f" AND {_RULE_MADE[table]}" if table in _RULE_MADE else ""
        for (value,) in session.db.query(f"SELECT DISTINCT {column} FROM {table}"
                                         f" WHERE {column} IS NOT NULL{only}"):
            why = calendar.not_a_school_day(dt.date.fromisoformat(value))
            if why:
                found.append(f"{table}.{column} {value} is {why}")
    return found


def _tools(session: Session, pupils: dict[int, dict]) -> list[str]:
    """Each assessment tool fits the pupil's area of need and age (the year the pupil was in
    when assessed), and its result the tool's scale."""
    known = {tool.name: tool for tool in TOOLS}
    calendar = school_calendar.calendar_of(session)
    this_year = calendar.school_year_of(session.clock.today())
    found = []
    for row in session.db.query(
            "SELECT w.pupil_id, a.primary_need, a.assessed_on, t.tool, t.result FROM"
            " apdr_assessment_tools t JOIN apdr_assessments a ON a.id = t.assessment_id"
            " JOIN apdr_cycles c ON c.id = a.cycle_id JOIN send_pathways w ON w.id ="
            " c.pathway_id WHERE t.removed_at IS NULL"):
        tool = known.get(row["tool"])
        area = sen.need_codes()[row["primary_need"]].area if row["primary_need"] in \
            sen.need_codes() else None
        year = pupils[row["pupil_id"]]["year_group"]
        then = calendar.school_year_of(dt.date.fromisoformat(row["assessed_on"]))
        rank = YEAR_RANK[year] - (this_year - then)
        if tool is None:
            found.append(f"assessment tool '{row['tool']}' is not in the catalogue")
        elif not tool.fits(area, rank):
            found.append(f"'{tool.name}' used for a pupil with {row['primary_need']} in the"
                         f" year ranked {rank} (now Year {year})")
        elif row["result"] not in tool.results:
            found.append(f"'{tool.name}' gave '{row['result']}', not one of its results")
    return found
