"""A synthetic school at county scale, for the benchmarks: the demo school's invented pupils
(same names, families, statuses, needs and registers for the same seed) with up to ten years
of history behind them, the way a trust or local authority that pools records would hold it.

On top of the demo school it writes yearly MIS moves (year group and class, in the change
trail), short notes, SEND pathways with their Assess-Plan-Do-Review cycles (assessments,
plans, outcomes, costed provision, delivery logs, reviews and their decisions), specialists
with visits, stored reports (PDF attachments) and recommendations, more staff users, and the
audit entries all of that would have left, hash-chained exactly as the app chains them.

Everything is generated in memory and written with executemany inside one transaction, so
60,000 pupils (well over a million rows) take about a minute rather than the hours the
repository functions would need. The rows follow the app's rules (agreed plans are complete,
review dates fall within the next term, a pathway's cycles are numbered and dated in order,
pathways run only while the pupil is at SEN support), so every screen reads them as it would
a real school's records.

It lives in benchmarks/, not in the app (the demo school that ships is sendesk.demo, whose
SchoolBuilder this extends). The history's tables are filled by column name and their columns
read from the open database, so the generator follows the migrations instead of restating them.

Use it only for invented data: create_scale_school(path, user, name, password, pupils=20000)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sendesk.clock import Clock, FixedClock, SystemClock
from sendesk.demo import DEMO_REFERENCE, SchoolBuilder
from sendesk.demo.catalogue import (
    ADULTS,
    INTENSIVE,
    MISSED,
    OUTCOMES,
    PROVISION,
    SPECIALISTS,
    assessment_tool,
    report_pdf,
)
from sendesk.demo.days import SchoolDays
from sendesk.demo.provision import EFFECTS, LIBRARY_FOR
from sendesk.demo.provision import measured_value as _demo_value
from sendesk.errors import ValidationError
from sendesk.models import provision, reviews
from sendesk.models.apdr import Decision, Stage
from sendesk.models.pupils import YEAR_GROUPS, YEAR_RANK
from sendesk.models.roles import Permission
from sendesk.models.sen import need_codes
from sendesk.records import impact_facts, pathway_plans
from sendesk.services import lifecycle
from sendesk.session import Session
from sendesk.store import audit

from .live_rows import LiveRows

SCALE_SCHOOL_NAME = "Demo trust: Larkfield Learning Partnership (invented pupils)"
MAX_PUPILS = 100_000
DAY = dt.timedelta(days=1)

_STAFF = ["Aisha Rahman", "Ben Thornton", "Chloe Okafor", "Daniel Kowalski", "Emma Hughes",
          "Farhan Ali", "Grace Mensah", "Harry Lloyd", "Isla Fraser", "Jamal Bakare",
          "Katie Doyle", "Liam O'Connor", "Maya Sharma", "Noah Evans", "Olivia Clarke",
          "Priya Nair", "Rhys Morgan", "Sophie Turner"]
_NOTE_CONCERNS = [
    "Did not settle after lunch; needed time out with a key adult.",
    "Reading book not changed for two weeks; spoke to parent at the gate.",
    "Struggled with the written task; completed it orally with support.",
    "Upset on arrival; said friends had left them out at the weekend.",
    "Forgot equipment again; agreed a checklist with the form tutor.",
    "Good progress in the phonics group this week; moved up a set of sounds.",
    "Found the fire drill very distressing; ear defenders now kept in the classroom.",
    "Parent reports poor sleep; may explain tiredness in morning lessons.",
    "Used the calm corner independently and returned to learning.",
    "Missed two intervention sessions through absence."]
_NOTE_ACTIONS = ["Keep a close eye this week and feed back to the SENCO.",
                 "Share strategies with the class team; review at the date set.",
                 "Call home on Friday to see how things are.",
                 "Add to the agenda for the next review meeting."]
_VIEWS = ["Some progress; continue the programme and review the targets.",
          "Good engagement; next steps agreed with the class teacher.",
          "Progress slower than hoped; increase the frequency of sessions."]

# The tables the history fills, in the order they are written (one executemany each). Their
# columns are not declared here: each LiveRows reads them from the open database, so a migration
# that renames or adds a required column stops the build at its first row with the table and
# column named, instead of the generator drifting from the schema.
_HISTORY_TABLES = ("users", "field_changes", "short_notes", "send_pathways", "apdr_cycles",
                   "apdr_assessments", "apdr_assessment_tools", "apdr_plans", "apdr_outcomes",
                   "specialist_involvements", "specialist_visits", "specialist_reports",
                   "specialist_recommendations", "apdr_provision_items", "apdr_delivery_log",
                   "apdr_reviews", "apdr_review_progress", "apdr_review_specialist_views",
                   "provision_groups", "provision_group_members", "provision_group_slots",
                   "provision_measures")
GROUP_OF = 8   # pupils at SEN support for each provision group made from the library


def create_scale_school(path: Path, username: str, full_name: str, password: str, *,
                        pupils: int, clock: Clock | None = None, seed: int = 2026,
                        history_years: int = 10) -> tuple[Session, str]:
    """Create a synthetic school of `pupils` invented pupils with `history_years` of records.

    The database is dated as if created `history_years` ago; its first user is SENCO and
    administrator. Returns the open session and the recovery key.
    """
    if not 1 <= pupils <= MAX_PUPILS:
        raise ValidationError(f"A synthetic school has between 1 and {MAX_PUPILS:,} pupils.",
                              field="pupils")
    clock = clock or SystemClock()
    founded = clock.now() - dt.timedelta(days=round(365.25 * history_years))
    session, recovery = lifecycle.create(
        Path(path), school_name=SCALE_SCHOOL_NAME, school_reference=DEMO_REFERENCE,
        username=username, full_name=full_name, password=password, clock=FixedClock(founded))
    session.clock = clock
    try:
        _ScaleBuilder(session, random.Random(seed), random.Random(seed + 1),
                      founded.date()).build(pupils)
    except BaseException:
        session.close()
        raise
    return session, recovery


@dataclass(frozen=True)
class _User:
    id: int
    username: str


class _ScaleBuilder(SchoolBuilder):
    """The demo school's builder, with each pupil's history added as the pupil is made.

    A second random stream drives the history, so the pupils themselves are exactly the demo
    school's for the same seed.
    """

    def __init__(self, session: Session, rng: random.Random, history_rng: random.Random,
                 founded: dt.date) -> None:
        super().__init__(session, rng)
        self.h = history_rng
        self.history_days = SchoolDays(self.calendar, history_rng)
        self.founded = founded
        self.tables = {name: LiveRows(session.db, name) for name in _HISTORY_TABLES}
        self.ids: dict[str, int] = {}
        self.audit: list[tuple] = []
        self.senco = _User(session.user.id, session.user.username)
        self.staff: list[_User] = []
        for number, name in enumerate(_STAFF, start=session.user.id + 1):
            user = _User(number, name.split()[0][0].lower() + name.split()[-1].lower()
                         .replace("'", ""))
            self.staff.append(user)
            self.tables["users"].add(id=user.id, username=user.username, full_name=name,
                                     roles="staff", active=1,
                                     created_at=self._at(founded + DAY), created_by=self.senco.id)
        self.items = {area: [provision.clean_item(item) for item in items]
                      for area, items in PROVISION.items()}
        self.specialist_items = {area: [(service, advice, provision.clean_item(item))
                                        for service, advice, item in options]
                                 for area, options in SPECIALISTS.items()}
        self.intensive = provision.clean_item(INTENSIVE)
        # Plan lines picked from the library a new school starts with, measured as the demo's.
        library = {r["name"]: r["id"] for r in session.db.query(
            "SELECT id, name FROM provision_library")}
        self.library_of = {d: library[n] for d, n in LIBRARY_FOR.items() if n in library}
        self.effects = {library[n]: e for n, e in EFFECTS.items() if n in library}
        self.grouped: list[int] = []    # pupils still at SEN support, for the groups
        self.latest_review: dict[dt.date, dt.date] = {}
        self.written: dict[str, int] = {}

    # -- helpers -----------------------------------------------------------------------------
    def _next(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def _at(self, day: dt.date) -> str:
        """A moment in the school day; today's moments fall before the clock's now."""
        if day >= self.today:
            day, seconds = self.today, self.h.randint(0, 3_600)
        else:
            seconds = self.h.randint(8 * 3_600, 17 * 3_600)
        return (f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
                f"{seconds % 60:02d}.{self.h.randint(0, 999_999):06d}+00:00")

    def _between(self, start: dt.date, end: dt.date) -> dt.date:
        """A school day from start to end, not after today: what the history records happened
        while the school was open."""
        if start > self.today:
            return self.today
        return self.history_days.between(start, min(end, self.today), self.today)

    def _log(self, at: str, user: _User, action: str, pupil_id: int | None = None,
             detail: dict[str, Any] | None = None) -> None:
        self.audit.append((at, user.id, user.username, action,
                           None if pupil_id is None else "pupil", pupil_id, detail))

    def _someone(self) -> _User:
        return self.senco if self.h.random() < 0.4 else self.h.choice(self.staff)

    def _count(self, per_year: float, start: dt.date, end: dt.date) -> int:
        """How many events at `per_year` happen between two days (rounded at random)."""
        expected = per_year * max(0, (end - start).days) / 365.25
        whole = int(expected)
        return whole + (1 if self.h.random() < expected - whole else 0)

    def _latest_review(self, plan_date: dt.date) -> dt.date:
        if plan_date not in self.latest_review:
            self.latest_review[plan_date] = reviews.latest_review_date(plan_date)
        return self.latest_review[plan_date]

    # -- each pupil ----------------------------------------------------------------------------
    def build(self, count: int) -> None:
        """Everything in one transaction; the history is written every few thousand pupils
        so memory stays modest at 60,000 pupils."""
        db = self.session.db
        # A transaction of a million rows outgrows SQLite's 2 MB page cache within seconds; the
        # history refers to pupils the base builder writes last, so foreign keys are checked
        # once, before the commit (Database.bulk_load says why).
        with db.bulk_load():
            super().build(count)
            broken = db.foreign_key_problems()
            if broken:
                raise AssertionError(f"the synthetic history breaks a foreign key: {broken[0]}")

    def _flush(self) -> None:
        for table, pending in self.tables.items():
            if pending.rows:
                self.session.db.executemany(pending.insert_sql(), pending.rows)
                self.written[table] = self.written.get(table, 0) + len(pending.rows)
                pending.rows.clear()

    def _pupil(self, year: str, class_name: str) -> None:
        if len(self.rows["pupils"]) % 2_000 == 0:
            self._flush()
        first_period = len(self.rows["sen_status_history"])
        first_need = len(self.rows["sen_needs"])
        super()._pupil(year, class_name)
        row = self.rows["pupils"][-1]
        periods = self.rows["sen_status_history"][first_period:]
        need = next((n["code"] for n in self.rows["sen_needs"][first_need:] if n["rank"] == 1),
                    None)
        admitted = dt.date.fromisoformat(row["admission_date"])
        end = dt.date.fromisoformat(row["leaving_date"]) if row["leaving_date"] else self.today
        start = max(admitted, self.founded)
        self._moves(row, start, end)
        on_register_since = max(dt.date.fromisoformat(periods[0]["start_date"]), start) \
            if periods else None
        self._reads(row["id"], start, end, on_register_since)
        self._notes(row["id"], start, end, on_register_since)
        for index, period in enumerate(periods):
            if period["status"] == "K":
                after = periods[index + 1]["status"] if index + 1 < len(periods) else None
                self._pathway(row, need, period, after)

    def _moves(self, row: dict, start: dt.date, end: dt.date) -> None:
        """Each September's MIS import moved the pupil up a year and into a new class."""
        rank = YEAR_RANK[row["year_group"]]
        for year in range(start.year + (start >= dt.date(start.year, 9, 1)), end.year + 1):
            moved = dt.date(year, 9, 1)
            if not start < moved <= end:
                continue
            back = self.school_year - year  # school years between that move and now
            new_rank = rank - back
            if new_rank - 1 < YEAR_RANK[YEAR_GROUPS[0]]:
                continue
            old_year, new_year = YEAR_GROUPS[new_rank + 1], YEAR_GROUPS[new_rank + 2]
            old_class = f"{old_year}{row['class_name'][len(row['year_group']):]}" \
                if row["class_name"] else None
            new_class = row["class_name"] if back == 0 else \
                f"{new_year}{self.h.choice('ABCD')}"
            at = self._at(moved + dt.timedelta(days=self.h.randint(0, 6)))
            user = self.staff[0]
            for field, old, new in (("year_group", old_year, new_year),
                                    ("class_name", old_class, new_class)):
                self.tables["field_changes"].add(
                    pupil_id=row["id"], record_type="pupil", record_id=row["id"], field=field,
                    old_value=old, new_value=new, changed_at=at, changed_by=user.id)
            self._log(at, user, "changed pupil details", row["id"],
                      {"fields": ["class_name", "year_group"], "source": "MIS import"})

    def _reads(self, pupil_id: int, start: dt.date, end: dt.date,
               on_register: dt.date | None) -> None:
        """Opening a record is audited: SEN pupils' records are opened about twice a term."""
        for _ in range(self._count(0.2, start, end)):
            self._log(self._at(self._between(start, end)), self._someone(),
                      "opened a pupil record", pupil_id)
        if on_register is not None:
            for _ in range(self._count(4, on_register, end)):
                self._log(self._at(self._between(on_register, end)), self._someone(),
                          "opened a pupil record", pupil_id)

    def _notes(self, pupil_id: int, start: dt.date, end: dt.date,
               on_register: dt.date | None) -> None:
        days = sorted(self._between(start, end) for _ in range(self._count(0.2, start, end)))
        if on_register is not None:
            days += sorted(self._between(on_register, end)
                           for _ in range(self._count(2, on_register, end)))
        for day in days:
            if not self.history_days.is_open(day):   # nothing between start and a weekend today
                continue
            note_id = self._next("short_notes")
            author = self._someone()
            at = self._at(day)
            review = self.history_days.near(day + dt.timedelta(days=self.h.choice([14, 28, 42])),
                                            day)
            reviewed = review + dt.timedelta(days=self.h.randint(-3, 5)) \
                if review + 7 * DAY < self.today else None
            self.tables["short_notes"].add(
                id=note_id, pupil_id=pupil_id, event_date=day.isoformat(), author_id=author.id,
                concern=self.h.choice(_NOTE_CONCERNS),
                parent_discussion="Mentioned to parents at pick-up."
                if self.h.random() < 0.4 else "",
                agreed_actions=self.h.choice(_NOTE_ACTIONS), review_date=review.isoformat(),
                reviewed_on=reviewed.isoformat() if reviewed else None, entered_at=at)
            self._log(at, author, "added a short note", pupil_id, {"note_id": note_id})
            if reviewed is not None:
                self._log(self._at(reviewed), self.senco, "reviewed a short note", pupil_id,
                          {"note_id": note_id})

    # -- SEND pathways -------------------------------------------------------------------------
    def _pathway(self, row: dict, need: str | None, period: dict, after: str | None) -> None:
        """A pathway for one spell at SEN support: cycles of about a term each, moving to the
        specialist stage for some, closing with a return to ordinarily available provision
        when the pupil came off the register."""
        h = self.h
        k_start = dt.date.fromisoformat(period["start_date"])
        k_end = dt.date.fromisoformat(period["end_date"]) if period["end_date"] else None
        closing = after == "N"
        share = 0.85 if k_end is None else 0.7 if closing else 0.9
        if h.random() >= share:
            return
        opened = self.history_days.on_or_after(
            max(k_start, self.founded) + dt.timedelta(days=h.randint(3, 20)))
        end = k_end if closing else self.today
        if opened >= end - 21 * DAY:
            return
        starts = [opened]
        while True:
            following = self.history_days.on_or_after(
                starts[-1] + dt.timedelta(days=h.randint(85, 125)))
            if following >= end - 30 * DAY:
                break
            starts.append(following)
        area = need_codes()[need].area if need and need_codes()[need].area \
            else h.choice(list(OUTCOMES))
        specialist_from = h.randint(2, 4) if h.random() < 0.45 else None
        pathway_id = self._next("send_pathways")
        pupil_id = row["id"]
        if k_end is None:
            self.grouped.append(pupil_id)
        first_stage = Stage.TARGETED
        stage = first_stage
        recommendation: tuple[int, dict, dt.date] | None = None
        involvement: int | None = None
        status, closed_on, decision_closed = "open", None, None
        for number, started in enumerate(starts, start=1):
            last = number == len(starts)
            if specialist_from is not None and number > specialist_from:
                stage = Stage.SPECIALIST
            cycle_id = self._next("apdr_cycles")
            at = self._at(started)
            self.tables["apdr_cycles"].add(id=cycle_id, pathway_id=pathway_id, number=number,
                                           stage=stage.value, started_on=started.isoformat(),
                                           entered_at=at, entered_by=self.senco.id)
            if number == 1:
                self._log(at, self.senco, "opened a SEND pathway", pupil_id,
                          {"pathway_id": pathway_id, "stage": stage.value, "cycle_id": cycle_id})
            held = starts[number] if not last else (end if closing else None)
            state = "do"
            if last and not closing:
                state = h.choices(["assess", "plan", "do"], [1, 1.5, 7.5])[0]
            limit = (held or self.today) - 3 * DAY
            assessed = self._between(started, min(started + 7 * DAY, limit))
            self._assess(cycle_id, pupil_id, assessed, area, need,
                         self._rank(row["year_group"], assessed), complete=state != "assess")
            if state == "assess":
                break
            plan_date = self._between(assessed, min(assessed + 5 * DAY, limit))
            latest = self._latest_review(plan_date)
            if held is not None:
                review_date = min(max(held + dt.timedelta(days=h.randint(-7, 3)),
                                      plan_date + 14 * DAY), latest)
            else:
                review_date = min(plan_date + dt.timedelta(days=h.randint(63, 98)), latest)
                if review_date < self.today - 21 * DAY:
                    review_date = min(self.today + dt.timedelta(days=h.randint(-10, 40)), latest)
            review_date = self.history_days.near(review_date, plan_date + DAY, latest)
            outcome_ids, item_ids = self._plan(cycle_id, pupil_id, area, row["year_group"],
                                               plan_date, review_date, stage, recommendation,
                                               agreed=state == "do")
            if state == "plan":
                break
            self._deliveries(pupil_id, item_ids, plan_date, min(held or self.today,
                                                                self.today))
            if specialist_from is not None and number == specialist_from and held is not None \
                    and involvement is None:
                involvement, recommendation = self._specialist(pupil_id, area, plan_date, held)
            if held is None:
                break
            if closing and last:
                decision = Decision.BACK_TO_ORDINARY
            elif stage is Stage.SPECIALIST:
                decision = Decision.REQUEST_EHCNA if h.random() < 0.05 \
                    else Decision.CONTINUE_SPECIALIST
            elif specialist_from is not None and number == specialist_from:
                decision = Decision.MOVE_TO_SPECIALIST
            else:
                decision = Decision.CONTINUE_TARGETED
            self._review(cycle_id, pupil_id, held, decision, outcome_ids, involvement)
            if decision is Decision.BACK_TO_ORDINARY:
                status, closed_on, decision_closed = "closed", held, decision.value
        closed_at = self._at(closed_on) if closed_on else None
        self.tables["send_pathways"].add(
            id=pathway_id, pupil_id=pupil_id, stage=stage.value, status=status,
            opened_on=opened.isoformat(), closed_on=closed_on.isoformat() if closed_on else None,
            close_decision=decision_closed, entered_at=self._at(opened), entered_by=self.senco.id,
            closed_at=closed_at, closed_by=self.senco.id if closed_at else None)

    def _rank(self, year_group: str, day: dt.date) -> int:
        """The pupil's year (ranked) on a day of an earlier school year."""
        return YEAR_RANK[year_group] - (self.school_year - self.calendar.school_year_of(day))

    def _assess(self, cycle_id: int, pupil_id: int, day: dt.date, area: str, need: str | None,
                rank: int, complete: bool) -> None:
        h = self.h
        assessment_id = self._next("apdr_assessments")
        at = self._at(day)
        self.tables["apdr_assessments"].add(
            id=assessment_id, cycle_id=cycle_id, assessed_on=day.isoformat(),
            parent_views=h.choice(["Worried about progress with reading at home.",
                                   "Finds mornings hard; wants school and home to work together.",
                                   "Pleased with the support so far; would like more feedback."]),
            child_views=h.choice(["Likes art and being with friends; finds writing hard.",
                                  "Says lessons are 'too noisy' sometimes.",
                                  "Enjoys helping adults; wants to read 'big books'."]),
            strengths=h.choice(["Kind and helpful; good at practical tasks.",
                                "Strong visual memory; loves building things.",
                                "Determined; good sense of humour."]),
            needs={"CL": "Slow progress in reading and number despite good teaching.",
                   "CI": "Limited vocabulary; difficulty following longer instructions.",
                   "SEMH": "Anxiety and difficulty managing strong feelings.",
                   "SP": "Fine-motor and coordination difficulties affecting writing."}[area],
            primary_need=need or "NSA", entered_at=at, entered_by=self.senco.id,
            completed_at=at if complete else None,
            completed_by=self.senco.id if complete else None)
        for position in range(h.randint(1, 2)):
            tool, result = assessment_tool(h, area, rank)
            self.tables["apdr_assessment_tools"].add(
                assessment_id=assessment_id, position=position, tool=tool,
                used_on=day.isoformat(), result=result, entered_at=at, entered_by=self.senco.id)
        self._log(at, self.senco, "saved an assessment (draft)", pupil_id,
                  {"cycle_id": cycle_id, "fields": ["assessed_on", "child_views", "needs",
                                                    "parent_views", "primary_need", "strengths",
                                                    "tools"]})
        if complete:
            self._log(at, self.senco, "finished an assessment", pupil_id,
                      {"cycle_id": cycle_id, "register_needs_changed": False})

    def _plan(self, cycle_id: int, pupil_id: int, area: str, year_group: str,
              plan_date: dt.date, review_date: dt.date, stage: Stage,
              recommendation: tuple[int, dict, dt.date] | None,
              agreed: bool) -> tuple[list[int], list[tuple[int, dict]]]:
        h = self.h
        plan_id = self._next("apdr_plans")
        at = self._at(plan_date)
        shared = self._between(plan_date, plan_date + 7 * DAY) \
            if agreed and h.random() < 0.8 else None
        self.tables["apdr_plans"].add(
            id=plan_id, cycle_id=cycle_id,
            aspirations=h.choice(["To read for pleasure and join in with friends.",
                                  "To feel calm and confident in class.",
                                  "To become more independent in lessons."]),
            plan_date=plan_date.isoformat(), review_date=review_date.isoformat(),
            shared_on=shared.isoformat() if shared else None, entered_at=at,
            entered_by=self.senco.id, agreed_at=at if agreed else None,
            agreed_by=self.senco.id if agreed else None)
        from_year_9 = YEAR_RANK.get(year_group, 0) >= 9
        outcome_ids = []
        for position, (text, measure) in enumerate(h.sample(OUTCOMES[area], h.randint(3, 5))):
            outcome_id = self._next("apdr_outcomes")
            outcome_ids.append(outcome_id)
            target = review_date - dt.timedelta(days=h.randint(0, 14))
            self.tables["apdr_outcomes"].add(
                id=outcome_id, plan_id=plan_id, position=position, text=text, measure=measure,
                target_date=self.history_days.near(target, plan_date).isoformat(), area=area,
                pfa_area=h.choice(["independent_living", "community", "health", "employment"])
                if from_year_9 else None, entered_at=at, entered_by=self.senco.id)
        chosen = [dict(item, recommendation_id=None) for item in
                  h.sample(self.items[area], h.randint(1, 3))]
        if recommendation is not None and stage is Stage.SPECIALIST:
            chosen.append(dict(recommendation[1], recommendation_id=recommendation[0]))
        if h.random() < 0.08 or (stage is Stage.SPECIALIST and h.random() < 0.25):
            chosen.append(dict(self.intensive, minutes=h.choice([45, 60, 90, 120]),
                               recommendation_id=None))
        items = []
        for position, item in enumerate(chosen):
            item_id = self._next("apdr_provision_items")
            items.append((item_id, item))
            self.tables["apdr_provision_items"].add(
                id=item_id, plan_id=plan_id, position=position, description=item["description"],
                area=area, delivered_by=item["delivered_by"], group_size=item["group_size"],
                sessions_per_week=float(item["sessions_per_week"]), minutes=item["minutes"],
                weeks=item["weeks"], cost_basis=item["cost_basis"].value,
                rate_pence=item["rate_pence"], recommendation_id=item["recommendation_id"],
                started_on=plan_date.isoformat() if agreed else None, entered_at=at,
                entered_by=self.senco.id, library_id=self.library_of.get(item["description"]))
            if agreed:
                self._measure(pupil_id, self.library_of.get(item["description"]), plan_date,
                              review_date, at, item_id=item_id)
        self._log(at, self.senco, "saved a support plan (draft)", pupil_id,
                  {"cycle_id": cycle_id, "plan_id": plan_id,
                   "fields": ["aspirations", "outcome", "plan_date", "provision", "review_date"]})
        if agreed:
            yearly = sum(provision.yearly_cost_pence(provision.costing_of(item))
                         for _, item in items)
            self._log(at, self.senco, "agreed a support plan", pupil_id,
                      {"cycle_id": cycle_id, "plan_id": plan_id,
                       "review_date": review_date.isoformat(), "yearly_cost_pence": yearly,
                       "smart_warnings": 0})
            if shared is not None:
                self._log(self._at(shared), self.senco, "recorded a plan shared with parents",
                          pupil_id, {"cycle_id": cycle_id, "shared_on": shared.isoformat()})
        return outcome_ids, items

    def _deliveries(self, pupil_id: int, items: list[tuple[int, dict]], start: dt.date,
                    end: dt.date) -> None:
        h = self.h
        sessions = [item_id for item_id, item in items if item["minutes"]]
        if not sessions or end <= start:
            return
        for _ in range(h.randint(2, 6)):
            item_id = h.choice(sessions)
            day = self._between(start, end)
            missed = h.random() < 0.15
            who = h.choice(self.staff)
            at = self._at(day)
            entry_id = self._next("apdr_delivery_log")
            self.tables["apdr_delivery_log"].add(
                id=entry_id, item_id=item_id, delivered_on=day.isoformat(),
                delivered=int(not missed), note=h.choice(MISSED) if missed else "",
                entered_at=at, entered_by=who.id)
            self._log(at, who, "logged provision delivery", pupil_id,
                      {"item_id": item_id, "entry_id": entry_id, "delivered": not missed})

    def _specialist(self, pupil_id: int, area: str, plan_date: dt.date,
                    before: dt.date) -> tuple[int | None, tuple[int, dict, dt.date] | None]:
        """A referral in the cycle before the specialist stage, with a visit, a stored report
        and a recommendation that the specialist-stage plans carry out."""
        h = self.h
        service, advice, item = h.choice(self.specialist_items[area])
        referral = self._between(plan_date + 3 * DAY, plan_date + 21 * DAY)
        if referral >= min(before, self.today):
            return None, None
        involvement_id = self._next("specialist_involvements")
        at = self._at(referral)
        consent = self._between(referral - 3 * DAY, referral)
        self.tables["specialist_involvements"].add(
            id=involvement_id, pupil_id=pupil_id, service=service,
            referral_date=referral.isoformat(),
            reason="Limited progress despite targeted support matched to need.", consent="given",
            consent_date=consent.isoformat(), consent_from="Parent", entered_at=at,
            entered_by=self.senco.id)
        self._log(at, self.senco, "recorded a specialist referral", pupil_id,
                  {"involvement_id": involvement_id, "service": service})
        visit = self._between(referral + 7 * DAY, before - DAY)
        for _ in range(h.randint(1, 3)):
            self.tables["specialist_visits"].add(
                involvement_id=involvement_id, visit_date=visit.isoformat(),
                notes="Observed in class, assessed one-to-one and met the parents.",
                entered_at=self._at(visit), entered_by=self.senco.id)
            self._log(self._at(visit), self.senco, "recorded a specialist visit", pupil_id,
                      {"involvement_id": involvement_id})
        report_id = self._next("specialist_reports")
        content = _report_pdf(h, f"Specialist report {report_id}")
        self.tables["specialist_reports"].add(
            id=report_id, involvement_id=involvement_id, title="Assessment report",
            report_date=visit.isoformat(), filename="report.pdf", media_type="application/pdf",
            size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
            entered_at=self._at(visit), entered_by=self.senco.id)
        self._log(self._at(visit), self.senco, "stored a specialist report", pupil_id,
                  {"involvement_id": involvement_id, "report_id": report_id,
                   "size": len(content)})
        recommendation_id = self._next("specialist_recommendations")
        self.tables["specialist_recommendations"].add(
            id=recommendation_id, involvement_id=involvement_id, report_id=report_id, text=advice,
            recommended_on=visit.isoformat(), entered_at=self._at(visit),
            entered_by=self.senco.id)
        return involvement_id, (recommendation_id, item, visit)

    def _review(self, cycle_id: int, pupil_id: int, held: dt.date, decision: Decision,
                outcome_ids: list[int], involvement: int | None) -> None:
        h = self.h
        review_id = self._next("apdr_reviews")
        at = self._at(held)
        self.tables["apdr_reviews"].add(
            id=review_id, cycle_id=cycle_id, held_on=held.isoformat(),
            attendees="\n".join(["Parent", *h.sample(ADULTS, 2)]),
            child_views=h.choice(["Likes the group sessions.", "Finds reading easier now.",
                                  "Wants to keep seeing the adult who helps."]),
            parent_views=h.choice(["Pleased with progress.", "Worried it is not enough yet.",
                                   "Sees a difference at home."]),
            staff_views="Engaged well in sessions; progress noted in class.",
            at_risk_of_exclusion=0, decision=decision.value,
            decision_notes="Agreed with the parents at the meeting.", entered_at=at,
            entered_by=self.senco.id, completed_at=at, completed_by=self.senco.id)
        choices = {Decision.BACK_TO_ORDINARY: ["achieved"],
                   Decision.MOVE_TO_SPECIALIST: ["not_yet", "partly"],
                   Decision.REQUEST_EHCNA: ["not_yet", "partly"]}.get(
            decision, ["achieved", "partly", "not_yet"])
        for outcome_id in outcome_ids:
            self.tables["apdr_review_progress"].add(review_id=review_id, outcome_id=outcome_id,
                                                    progress=h.choice(choices), comment="")
        if involvement is not None:
            self.tables["apdr_review_specialist_views"].add(
                review_id=review_id, involvement_id=involvement, view=h.choice(_VIEWS),
                given_as=h.choice(["report", "email", "meeting"]))
        self._log(at, self.senco, "saved a review (draft)", pupil_id,
                  {"cycle_id": cycle_id, "fields": ["attendees", "child_views", "decision",
                                                    "decision_notes", "held_on", "parent_views",
                                                    "progress", "staff_views"]})
        self._log(at, self.senco, "held a review", pupil_id,
                  {"cycle_id": cycle_id, "decision": decision.value,
                   "pathway_closed": decision is Decision.BACK_TO_ORDINARY,
                   "at_risk_of_exclusion": False})

    def _measure(self, pupil_id: int, library_id: int | None, start: dt.date, end: dt.date,
                 at: str, *, item_id: int | None = None, group_id: int | None = None) -> None:
        """An entry measure, and the exit once the review date has passed (as the demo's)."""
        effect = self.effects.get(library_id) if library_id is not None else None
        if effect is None:
            return
        h = self.h
        entry = _demo_value(effect.kind, h.gauss(*effect.entry))
        done = end < self.today and h.random() < 0.9
        self.tables["provision_measures"].add(
            id=self._next("provision_measures"), pupil_id=pupil_id, item_id=item_id,
            group_id=group_id, kind=effect.kind, name=effect.name, entry_value=entry,
            entry_date=start.isoformat(),
            exit_value=_demo_value(effect.kind, entry + h.gauss(*effect.gain)) if done else None,
            exit_date=end.isoformat() if done else None, entered_at=at, entered_by=self.senco.id)

    def _groups(self) -> None:
        """A group from the library for every GROUP_OF pupils still at SEN support, over the
        last three school years, with its weekly times, members and their measures."""
        h = self.h
        libraries = sorted(self.effects)
        for start_index in range(0, len(self.grouped) - GROUP_OF + 1, GROUP_OF):
            members = self.grouped[start_index:start_index + GROUP_OF]
            group_id = self._next("provision_groups")
            library_id = h.choice(libraries)
            start = self.today - dt.timedelta(days=h.randint(20, 3 * 365))
            end = start + dt.timedelta(weeks=h.choice([6, 10, 12]))
            at = self._at(start)
            self.tables["provision_groups"].add(
                id=group_id, name=f"Intervention group {group_id}", library_id=library_id,
                area=None, staff_name=h.choice(_STAFF), staff_key="", start_date=start.isoformat(),
                end_date=end.isoformat(), cost_total=float(h.choice([300, 450, 600, 900])),
                sessions_per_week=3.0, minutes=30, weeks=12, created_at=at,
                created_by=self.senco.id)
            for day in h.sample(range(1, 6), 3):
                self.tables["provision_group_slots"].add(
                    id=self._next("provision_group_slots"), group_id=group_id, day=day,
                    start_time="09:10", end_time="09:40", place="Group room")
            for pupil_id in members:
                self.tables["provision_group_members"].add(
                    id=self._next("provision_group_members"), group_id=group_id,
                    pupil_id=pupil_id, joined_on=start.isoformat(), left_on=None, added_at=at,
                    added_by=self.senco.id)
                self._measure(pupil_id, library_id, start, min(end, self.today - DAY), at,
                              group_id=group_id)
        self.grouped.clear()

    # -- writing -------------------------------------------------------------------------------
    def _school_events(self) -> None:
        """Sign-ins on school days and the yearly MIS import."""
        day = self.founded
        while day < self.today:
            if day.weekday() < 5 and not (day.month == 8 or (day.month == 7 and day.day > 22)):
                self._log(self._at(day), self.senco, "signed in")
                for user in self.h.sample(self.staff, 3):
                    self._log(self._at(day), user, "signed in")
            if day.month == 9 and day.day == 1:
                self._log(self._at(day), self.staff[0], "imported pupils from the MIS",
                          detail={"added": 0, "updated": len(self.rows["pupils"]),
                                  "invented": True})
            day += DAY

    def _write(self) -> None:
        self._school_events()
        self._groups()
        db = self.session.db
        self.audit.sort(key=lambda entry: entry[0])
        audit.append_many(db, ({"at": at, "user_id": user_id, "username": username,
                                "action": action, "target_type": target_type,
                                "target_id": target_id, "detail": detail}
                               for at, user_id, username, action, target_type, target_id,
                               detail in self.audit))
        self._flush()
        super()._write()
        with db.transaction():   # the history above was written as rows, not through the rules
            impact_facts.rebuild(db)
            pathway_plans.rebuild(db)
        self.session.audit("added synthetic history to the demo school", detail={
            "invented": True, "history_from": self.founded.isoformat(),
            "rows": dict(sorted(self.written.items())), "audit_entries": len(self.audit)})


def _report_pdf(rng: random.Random, title: str) -> bytes:
    """A demo report padded to a realistic size (8 to 120 KB), as a scanned page would be:
    comment lines before the cross-reference table, which every PDF reader skips."""
    pdf = report_pdf(title)
    noise = rng.randbytes(rng.randint(4, 60) * 1024).hex()
    padding = "".join(f"%{noise[i:i + 78]}\n" for i in range(0, len(noise), 78)).encode()
    cut = pdf.rindex(b"\nxref\n") + 1
    tail = pdf[cut:].replace(b"startxref\n" + str(cut).encode(),
                             b"startxref\n" + str(cut + len(padding)).encode())
    return pdf[:cut] + padding + tail


def row_counts(session: Session) -> dict[str, int]:
    """How many rows each table holds (for the benchmark's summary line and the tests)."""
    session.require(Permission.VIEW_RECORDS)
    return {name: session.db.scalar(f"SELECT count(*) FROM {name}")
            for name in session.db.table_names()}

