"""A demo school: an encrypted database of invented pupils, clearly labelled as a demo, spread
across statuses, needs, year groups and registers so that a newcomer can explore at once.

It also feeds the benchmarks (benchmarks/scale_school.py extends SchoolBuilder), so it writes
with bulk inserts inside one transaction and then derives every pupil's list summary in one
statement: 60,000 pupils take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from ..clock import Clock, SystemClock
from ..errors import ValidationError
from ..models import dates
from ..models.ehc.plan import PLANS_BEGAN
from ..models.pupils import YEAR_GROUPS, YEAR_RANK, PupilDetails, retention_date
from ..models.sen import need_codes
from ..models.upn import la_names, make_upn
from ..records import school_calendar, summary
from ..records.pupils import INSERT_SQL, details_columns
from ..services import lifecycle
from ..session import Session
from . import catalogue
from .days import SchoolDays
from .people import PeopleFactory, Person

DEMO_SCHOOL_NAME = "Demo school: Larkfield Academy (invented pupils)"
DEMO_REFERENCE = "940/4001"
_LA, _ESTAB = "940", "4001"

# Rough national shares of primary need (DfE SEN in England statistics) for each status.
_K_NEEDS = {"SLCN": 25, "SEMH": 20, "MLD": 16, "SPLD": 12, "ASD": 10, "OTH": 4, "PD": 2,
            "HI": 1.5, "VI": 0.8, "NSA": 5, "SLD": 0.5, "PMLD": 0.2, "MSI": 0.1, "DS": 0.3}
_E_NEEDS = {"ASD": 33, "SLCN": 21, "SEMH": 15, "SLD": 9, "MLD": 7, "PD": 4, "SPLD": 2, "HI": 2,
            "VI": 1, "PMLD": 1.5, "DS": 1.5, "OTH": 2, "MSI": 0.5}
_MEDICAL = [("Asthma", False), ("Type 1 diabetes", True), ("Epilepsy", True),
            ("Severe nut allergy (adrenaline auto-injector)", True), ("Eczema", False),
            ("Coeliac disease", False), ("Sickle cell disease", True), ("Hearing aids", False)]
_CONCERNS = ["Reading fluency well below peers", "Finding friendships hard at playtimes",
             "Attendance has dipped this term", "Handwriting and fine motor skills",
             "Struggles to stay on task in class", "Anxiety about coming into school",
             "Speech hard for unfamiliar adults to understand", "Maths number facts not secure"]
# Personal education plans are reviewed every term.
_PEP_INTERVAL = dt.timedelta(days=120)
_REASONS = {"K": "Assessment and discussion with parents show needs that call for SEN support.",
            "E": "EHC plan issued by the local authority.",
            "N": "Needs now met by ordinarily available provision; parents agree."}


def create_demo_school(path: Path, username: str, full_name: str, password: str, *,
                       pupils: int = 600, clock: Clock | None = None,
                       seed: int = 2026, pathways: bool = True) -> tuple[Session, str]:
    """Create the demo database with its first user as SENCO and administrator, and (unless
    `pathways` is False) Assess-Plan-Do-Review pathways for pupils at SEN support and the EHC
    records behind the pupils with EHC plans.

    Returns the open session and the recovery key, as creating any school does.
    """
    if not 1 <= pupils <= 100_000:
        raise ValidationError("A demo school has between 1 and 100,000 pupils.", field="pupils")
    clock = clock or SystemClock()
    session, recovery = lifecycle.create(
        Path(path), school_name=DEMO_SCHOOL_NAME, school_reference=DEMO_REFERENCE,
        username=username, full_name=full_name, password=password, clock=clock)
    try:
        SchoolBuilder(session, random.Random(seed)).build(pupils)
        if pathways:
            from .ehc import add_demo_ehc
            from .pathways import add_demo_pathways
            add_demo_pathways(session, seed=seed)
            add_demo_ehc(session, seed=seed)
            from .provision import add_demo_provision
            add_demo_provision(session, seed=seed)
            from .exams_and_stories import add_demo_exams_and_stories
            add_demo_exams_and_stories(session, seed=seed)
    except BaseException:
        session.close()
        raise
    return session, recovery


class SchoolBuilder:
    """Invents the pupils, their contacts, SEN statuses, needs, registers and notifications
    in memory (self.rows, one list of column dicts a table), then writes them in _write."""

    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session = session
        self.rng = rng
        self.people = PeopleFactory(rng)
        self.today = session.clock.today()
        self.now = session.now_text()
        self.user = session.user.id
        self.school_year = self.today.year if self.today.month >= 9 else self.today.year - 1
        self.rows: dict[str, list[dict]] = {name: [] for name in (
            "pupils", "contacts", "consents", "sen_status_history", "sen_needs",
            "register_entries", "short_notes", "parent_notifications_due",
            "parent_notifications")}
        self.serials: dict[tuple[str, str, int], int] = {}
        self.estabs = [_ESTAB] + [f"{2000 + rng.randint(1, 899)}" for _ in range(60)]
        self.other_las = [code for code in la_names() if code != _LA]
        self.councils = sorted(set(la_names().values()))
        self.calendar = school_calendar.calendar_of(session)
        self.days = SchoolDays(self.calendar, rng)

    # -- helpers ---------------------------------------------------------------------------
    def _id(self, table: str) -> int:
        return len(self.rows[table]) + 1

    def _day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def _upn(self, entry_year: int) -> str:
        la = _LA if self.rng.random() < 0.9 else self.rng.choice(self.other_las)
        temporary = self.rng.random() < 0.003
        for estab in self.estabs if la == _LA else [f"{2000 + self.rng.randint(1, 899)}"]:
            key = (la, estab, entry_year)
            serial = self.serials.get(key, 0) + 1
            if serial <= (99 if temporary else 999):
                self.serials[key] = serial
                letter = self.rng.choice("ABCDEFGHJKLMNPQRTUVWXYZ") if temporary else None
                return make_upn(la, estab, entry_year, serial, letter)
        return self._upn(entry_year)

    # -- building --------------------------------------------------------------------------
    def build(self, count: int) -> None:
        year_weights = [0.5 if year in ("N1", "14") else 1.0 for year in YEAR_GROUPS[:-1]]
        years = self.rng.choices(YEAR_GROUPS[:-1], year_weights, k=count)
        per_year = {year: years.count(year) for year in set(years)}
        seen: dict[str, int] = {}
        for year in years:
            seen[year] = seen.get(year, 0) + 1
            classes = max(1, per_year[year] // 28)
            self._pupil(year, f"{year}{'ABCDEFGHJKLMNPRSTUVWXYZ'[seen[year] % classes % 23]}"
                        + (str(seen[year] % classes // 23 + 1) if classes > 23 else ""))
        self._write()

    def _pupil(self, year: str, class_name: str) -> None:
        rng = self.rng
        rank = YEAR_RANK[year]
        born_from = dt.date(self.school_year - rank - 5, 9, 1)
        dob = self._day_between(born_from, dates.add_years(born_from, 1) - dt.timedelta(days=1))
        entry_year = self.school_year - max(rank, 0)
        admitted = dt.date(entry_year, 9, 1)
        if rng.random() < 0.15:
            admitted = self._day_between(admitted, self.today)
        person = self.people.pupil()
        details = PupilDetails(
            upn=self._upn(entry_year), legal_surname=person.surname, legal_forename=person.forename,
            dob=dob, gender=person.sex, year_group=year, preferred_forename=person.preferred_forename,
            class_name=class_name, admission_date=admitted)
        pupil_id = self._id("pupils")
        row = {**details_columns(details), "id": pupil_id, "created_at": self.now,
               "created_by": self.user, "leaving_date": None, "destination": None,
               "archived_at": None, "retain_until": None}
        if rng.random() < 0.015 and admitted < self.today - dt.timedelta(days=60):
            left, where = self._leaving(year, admitted)
            row.update(leaving_date=left.isoformat(), archived_at=self.now, destination=where,
                       retain_until=retention_date(dob).isoformat())
        self.rows["pupils"].append(row)
        looked_after = rng.random() < 0.008
        family = self.people.family(person, looked_after, rng.choice(self.councils))
        contact_ids = []
        for contact in family.contacts:
            contact_ids.append(self._id("contacts"))
            self.rows["contacts"].append({**contact, "id": contact_ids[-1], "pupil_id": pupil_id,
                                          "ended_on": None, "entered_at": self.now,
                                          "entered_by": self.user})
        pr_contacts = [cid for cid, c in zip(contact_ids, family.contacts, strict=False)
                       if c["parental_responsibility"]]
        self._sen(pupil_id, admitted, pr_contacts, family.contacts[0]["name"], contact_ids[0])
        self._registers(pupil_id, person, admitted, looked_after, family.placement_address)

    def _leaving(self, year: str, admitted: dt.date) -> tuple[dt.date, str]:
        """A leaver's last day and destination, fitting the year group: one who moved on at
        the end of a phase (to secondary school, college) left at the end of the summer term."""
        where = catalogue.destination(self.rng, year)
        if where not in catalogue.ANY_AGE:
            last_day = self.calendar.summer_term_end(self.school_year - 1)
            if last_day >= admitted + dt.timedelta(days=30):
                return self.days.on_or_before(last_day), where
            where = self.rng.choice(catalogue.ANY_AGE)
        left = self.days.between(admitted + dt.timedelta(days=30), self.today)
        return min(left, self.today), where

    def _sen(self, pupil_id: int, admitted: dt.date, pr_contacts: list[int], first_contact: str,
             first_contact_id: int) -> None:
        rng = self.rng
        roll = rng.random()
        if roll >= 0.20:
            return
        last_census = dt.date(self.today.year if self.today.month >= 10 else self.today.year - 1,
                              10, 1)
        earliest = min(admitted + dt.timedelta(days=20), self.today)
        added = self._day_between(earliest, self.today - dt.timedelta(days=3))
        if roll < 0.04:
            steps = [("K", added), ("E", self._day_between(added, self.today))] \
                if rng.random() < 0.6 else [("E", added)]
        elif roll < 0.17:
            steps = [("K", added)]
        elif roll < 0.18 and added < last_census:
            after_census = last_census + dt.timedelta(days=1)
            steps = [("K", added), ("N", self.days.near(
                self._day_between(after_census, self.today), after_census, self.today))]
        else:
            # Off the register at a review, held on a school day.
            steps = [("K", added), ("N", self.days.near(self._day_between(added, last_census),
                                                        added, last_census))]
        if steps[-1][0] == "E" and steps[-1][1] < PLANS_BEGAN:
            # EHC plans began on 1 September 2014: before then such a pupil was at SEN support.
            steps = [("K", added), ("E", self._day_between(PLANS_BEGAN, self.today))]
        final = steps[-1][0]
        weights = _E_NEEDS if any(status == "E" for status, _ in steps) else _K_NEEDS
        primary = rng.choices(list(weights), list(weights.values()))[0]
        needs = [primary]
        if primary != "NSA":
            others = [code for code in need_codes() if code not in (primary, "NSA")]
            needs += rng.sample(others, rng.choice([0, 0, 1, 1, 2]))
        if final == "E" and primary == "NSA":
            needs = ["SLCN"]
        previous = None
        for index, (status, start) in enumerate(steps):
            end = steps[index + 1][1] if index + 1 < len(steps) else None
            period_id = self._id("sen_status_history")
            self.rows["sen_status_history"].append({
                "id": period_id, "pupil_id": pupil_id, "status": status,
                "start_date": start.isoformat(), "end_date": dates.to_text(end),
                "reason": _REASONS[status], "changed_by": self.user, "entered_at": self.now})
            if previous is None or status == "N":
                self._notification(pupil_id, period_id, "added" if status != "N" else "removed",
                                   start, pr_contacts)
            previous = status
        needs_end = steps[-1][1] if final == "N" else None
        for rank, code in enumerate(needs, start=1):
            self.rows["sen_needs"].append({
                "pupil_id": pupil_id, "code": code, "rank": rank,
                "start_date": steps[0][1].isoformat(), "end_date": dates.to_text(needs_end),
                "entered_at": self.now, "entered_by": self.user})
        if final != "N" and rng.random() < 0.25:
            self.rows["consents"].append({
                "pupil_id": pupil_id, "contact_id": first_contact_id, "given_by": first_contact,
                "giver_kind": "parent or carer", "given_on": steps[0][1].isoformat(),
                "scope": "Share the SEN support plan and reports with the educational psychology "
                         "and speech and language therapy services.", "withdrawn_on": None,
                "entered_at": self.now, "entered_by": self.user})

    def _notification(self, pupil_id: int, period_id: int, change: str, since: dt.date,
                      pr_contacts: list[int]) -> None:
        due_id = self._id("parent_notifications_due")
        recent = since > self.today - dt.timedelta(days=28)
        told = pr_contacts if not recent else pr_contacts[:self.rng.randint(0, len(pr_contacts))]
        if recent and len(told) == len(pr_contacts):
            told = told[:-1]
        cleared = None
        for contact_id in told:
            sent = self._day_between(since, min(since + dt.timedelta(days=10), self.today))
            self.rows["parent_notifications"].append({
                "due_id": due_id, "contact_id": contact_id, "recipient": "", "sent_on":
                sent.isoformat(), "method": self.rng.choice(["letter", "email", "meeting"]),
                "entered_at": self.now, "entered_by": self.user})
            cleared = self.now
        self.rows["parent_notifications_due"].append({
            "id": due_id, "pupil_id": pupil_id, "status_change_id": period_id, "change": change,
            "due_since": since.isoformat(), "created_at": self.now,
            "cleared_at": cleared if len(told) == len(pr_contacts) else None})

    def _registers(self, pupil_id: int, person: Person, admitted: dt.date, looked_after: bool,
                   placement: str | None) -> None:
        rng = self.rng
        entries = []
        start = self.days.near(self._day_between(admitted, self.today), admitted, self.today)
        review = self.days.between(max(start, self.today - dt.timedelta(days=45)),
                                   self.today + dt.timedelta(days=80))
        if rng.random() < 0.06:
            condition, ihp = rng.choice(_MEDICAL)
            entries.append({"register": "medical", "details": condition, "has_ihp": int(ihp),
                            "review_date": review.isoformat() if ihp else None})
        if person.group["languages"] and rng.random() < person.group["eal"]:
            entries.append({"register": "eal", "first_language":
                            rng.choice(person.group["languages"]), "details": ""})
        if looked_after:
            pep = self.days.between(max(start, self.today - dt.timedelta(days=150)), self.today)
            entries.append({"register": "looked_after", "pep_date": pep.isoformat(),
                            "responsible_la": rng.choice(self.councils), "details": "",
                            "protected_address": placement,
                            "review_date": self.days.near(pep + _PEP_INTERVAL).isoformat()})
        if rng.random() < 0.05 and self.days.is_open(start):   # a concern noted in school
            concern = rng.choice(_CONCERNS)
            entries.append({"register": "monitoring", "details": concern,
                            "review_date": review.isoformat()})
            self.rows["short_notes"].append({
                "pupil_id": pupil_id, "event_date": start.isoformat(), "author_id": self.user,
                "concern": concern, "parent_discussion": "Discussed with parents, who have noticed "
                "the same at home.", "agreed_actions": "Quality-first teaching adjustments; "
                "review at the date set.", "review_date": review.isoformat(), "reviewed_on": None,
                "entered_at": self.now})
        for entry in entries:
            self.rows["register_entries"].append({
                "pupil_id": pupil_id, "start_date": start.isoformat(), "end_date": None,
                "review_date": None, "details": "", "has_ihp": 0, "first_language": None,
                "pep_date": None, "responsible_la": None, "protected_address": None,
                "entered_at": self.now, "entered_by": self.user, **entry})

    def _write(self) -> None:
        db = self.session.db
        recipients = {row["id"]: row["name"] for row in self.rows["contacts"]}
        for row in self.rows["parent_notifications"]:
            row["recipient"] = recipients[row["contact_id"]]
        with db.transaction():
            db.executemany(INSERT_SQL.replace("INSERT INTO pupils (", "INSERT INTO pupils ("
                                                   "id, leaving_date, destination, archived_at, "
                                                   "retain_until, ").replace(
                "VALUES (", "VALUES (:id, :leaving_date, :destination, :archived_at, "
                ":retain_until, "), self.rows["pupils"])
            for table in list(self.rows)[1:]:
                rows = self.rows[table]
                if rows:
                    columns = list(rows[0])
                    db.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                        f"({', '.join(':' + name for name in columns)})", rows)
            summary.refresh(db)
            self.session.audit("created the demo school", detail={
                "pupils": len(self.rows["pupils"]), "invented": True})
