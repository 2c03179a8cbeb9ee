"""Realistic graduated-approach records for the demo school: pupils at SEN support on SEND
pathways at the targeted and specialist stages, with one to four Assess-Plan-Do-Review cycles,
SMART outcomes, costed provision (a few pupils near or over the £6,000 threshold), delivery
logs, reviews and their decisions, and specialists with visits, reports and recommendations
that are carried into the plans.

Everything is written through the same repository functions the app uses, inside one
transaction (each call becomes a savepoint), so the demo obeys every rule a real school's
records do and creating it stays quick.

Call it on an open session of a demo database:  add_demo_pathways(session, seed=2026)
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from ..models import reviews
from ..models.apdr import Decision, Plan, Stage
from ..models.pupils import YEAR_RANK
from ..models.sen import need_codes
from ..records import apdr, plan_people, school_calendar, specialists
from ..session import Session
from .catalogue import (
    ADULTS,
    INTENSIVE,
    MISSED,
    OUTCOMES,
    PROVISION,
    SPECIALISTS,
    assessment_tool,
    report_pdf,
)
from .days import SchoolDays
from .provision import EFFECTS, LIBRARY_FOR, library_ids

DAY = dt.timedelta(days=1)
# Invented staff, named on the demo's plans as the responsible teacher and the key worker.
DEMO_TEACHERS = ("Mr Daniel Hughes", "Ms Priya Kaur", "Mrs Helen Price", "Mr Tom Walsh",
                 "Miss Amy Clarke", "Mrs Sarah Begum")
DEMO_KEY_WORKERS = ("Mrs Julie Evans (teaching assistant)", "Mr Sam Lloyd (teaching assistant)",
                    "Ms Nadia Ali (learning mentor)", "Mrs Karen Foster (teaching assistant)",
                    "Mr Ben Carter (teaching assistant)")


@dataclass
class DemoPathwaysResult:
    pathways: int = 0
    cycles: int = 0
    specialists: int = 0


class _Pathways:
    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session = session
        self.rng = rng
        self.today = session.clock.today()
        self.result = DemoPathwaysResult()
        self.calendar = school_calendar.calendar_of(session)
        self.library = library_ids(session)   # plan lines picked from the school's library
        self.days = SchoolDays(self.calendar, rng)
        self.school_year = self.calendar.school_year_of(self.today)

    def _cycle_id(self, pupil_id: int) -> int:
        """The cycle the demo has just opened (with the pathway, or after a review)."""
        pathway = apdr.current_pathway(self.session, pupil_id)
        cycle = pathway.current_cycle if pathway is not None else None
        if cycle is None:
            raise RuntimeError(f"demo: pupil {pupil_id} has no open cycle just after writing one")
        return cycle.id

    def _plan_of(self, cycle_id: int) -> Plan:
        """The plan the demo has just saved for a cycle."""
        plan = apdr.get_cycle(self.session, cycle_id).plan
        if plan is None:
            raise RuntimeError(f"demo: cycle {cycle_id} has no plan just after saving one")
        return plan

    def _between(self, start: dt.date, end: dt.date) -> dt.date:
        """A school day from start to end, not after today (meetings, visits and sessions
        happen when the school is open). When none of it has come yet, or only a weekend or
        holiday of it has, the last school day up to today: today itself on a Sunday was
        refused as a review's day, and every demo made that day failed."""
        if start <= self.today:
            day = self.days.between(start, min(end, self.today), self.today)
            if self.days.is_open(day):
                return day
        return self.days.on_or_before(self.today)

    def pupil(self, pupil_id: int, since: dt.date, need: str, year_group: str) -> None:
        rng = self.rng
        area = (need_codes()[need].area if need in need_codes() else None) or rng.choice(list(OUTCOMES))
        room = (self.today - since).days
        cycles = rng.randint(1, max(1, min(4, 1 + (room - 20) // 100)))
        # Stay at the targeted stage; move to the specialist stage after one or two targeted
        # cycles (a specialist is involved in the last of them); or go back to ordinarily
        # available provision.
        story = rng.choices(["targeted", "specialist", "closed"],
                            [5, 4 if cycles >= 2 else 0, 1 if cycles >= 2 else 0])[0]
        targeted_cycles = 1 if cycles == 2 else 2
        opened = max(since + 3 * DAY,
                     self.today - dt.timedelta(days=100 * (cycles - 1) + rng.randint(15, 60)))
        opened = self.days.on_or_after(opened)
        if opened > self.today:
            return
        apdr.open_pathway(self.session, pupil_id, opened)
        self.result.pathways += 1
        cycle_id = self._cycle_id(pupil_id)
        started = opened
        recommendation: tuple[int, dict] | None = None
        risk_at_first_review = area == "SEMH" and rng.random() < 0.25
        previous_items: list[dict] = []
        for number in range(1, cycles + 1):
            last = number == cycles
            stage = Stage.SPECIALIST if story == "specialist" and number > targeted_cycles \
                else Stage.TARGETED
            self.result.cycles += 1
            state = rng.choices(["assess", "plan", "do"], [1, 1, 7])[0] if last else "do"
            assessed = self._between(started, started + 7 * DAY)
            self._assess(cycle_id, assessed, area, need, self._rank(year_group, assessed),
                         complete=state != "assess")
            if state == "assess":
                break
            plan_date = self._between(assessed, assessed + 5 * DAY)
            latest = reviews.latest_review_date(plan_date, self.calendar)
            review_date = min(plan_date + dt.timedelta(days=rng.randint(63, 98)), latest)
            if last and review_date < self.today - 21 * DAY:
                review_date = min(self.today + dt.timedelta(days=rng.randint(-10, 40)), latest)
            review_date = self.days.near(review_date, plan_date + DAY, latest)
            items = self._items(area, stage, recommendation, previous_items,
                                must_change=risk_at_first_review and number == 2)
            self._plan(cycle_id, area, year_group, plan_date, review_date, items)
            if state == "plan":
                break
            apdr.agree_plan(self.session, cycle_id)
            if rng.random() < 0.8:
                apdr.record_plan_shared(self.session, cycle_id,
                                        self._between(plan_date, plan_date + 7 * DAY))
            previous_items = items
            self._deliveries(cycle_id, plan_date, min(review_date, self.today))
            if story == "specialist" and number == targeted_cycles:
                recommendation = self._specialist(pupil_id, area, plan_date, review_date)
            if last:
                break
            held = self._between(review_date - 5 * DAY, review_date)
            if story == "closed" and number == cycles - 1:
                decision = Decision.BACK_TO_ORDINARY
            elif stage is Stage.SPECIALIST:
                decision = Decision.REQUEST_EHCNA if number == 3 and rng.random() < 0.5 \
                    else Decision.CONTINUE_SPECIALIST
            elif story == "specialist" and number == targeted_cycles:
                decision = Decision.MOVE_TO_SPECIALIST
            else:
                decision = Decision.CONTINUE_TARGETED
            at_risk = risk_at_first_review and number == 1 and decision is not Decision.BACK_TO_ORDINARY
            self._review(cycle_id, held, decision, at_risk, pupil_id)
            if decision.next_stage(stage) is None:
                break
            cycle_id = self._cycle_id(pupil_id)
            started = held

    def _plan(self, cycle_id: int, area: str, year_group: str, plan_date: dt.date,
              review_date: dt.date, items: list[dict]) -> None:
        rng = self.rng
        from_year_9 = year_group.isdigit() and int(year_group) >= 9
        raw: dict[str, Any] = {
            "aspirations": rng.choice([
                "To have friends to play with and enjoy school.",
                "To read books about animals on their own.",
                "To become a footballer, or a vet.",
                "To feel calm and happy at school and to learn to swim.",
                "To get a job working with computers."]),
            "plan_date": plan_date, "review_date": review_date,
            "outcomes": [{"text": text, "measure": measure, "area": area,
                          "target_date": self.days.near(
                              review_date - dt.timedelta(days=rng.randint(0, 14)), plan_date),
                          "pfa_area": rng.choice(["independent_living", "community", "health",
                                                  "employment"]) if from_year_9 else None}
                         for text, measure in rng.sample(OUTCOMES[area], rng.randint(3, 5))],
            "items": items}
        measured = _measured_by(items)
        if measured:
            raw["outcomes"][0]["measure_name"] = measured     # the plan's "measured by"
        apdr.save_plan(self.session, cycle_id, raw)
        # Named people, chosen by the cycle (not the random stream, so the rest of the demo
        # stays as it was): letters and the handover pack name whom to talk to.
        plan_people.set_plan_people(self.session, cycle_id,
                                    DEMO_TEACHERS[cycle_id % len(DEMO_TEACHERS)],
                                    DEMO_KEY_WORKERS[cycle_id % len(DEMO_KEY_WORKERS)])

    def _rank(self, year_group: str, day: dt.date) -> int:
        """The pupil's year (ranked) on a day of an earlier school year."""
        return YEAR_RANK[year_group] - (self.school_year - self.calendar.school_year_of(day))

    def _assess(self, cycle_id: int, day: dt.date, area: str, need: str, rank: int,
                complete: bool) -> None:
        rng = self.rng
        tool, result = assessment_tool(rng, area, rank)
        apdr.save_assessment(self.session, cycle_id, {
            "assessed_on": day, "primary_need": need,
            "parent_views": rng.choice(["Worried about progress with reading at home.",
                                        "Finds mornings hard; wants school and home to work together.",
                                        "Pleased with the support so far; would like more feedback."]),
            "child_views": rng.choice(["Likes art and being with friends; finds writing hard.",
                                       "Says lessons are 'too noisy' sometimes.",
                                       "Enjoys helping adults; wants to read 'big books'."]),
            "strengths": rng.choice(["Kind and helpful; good at practical tasks.",
                                     "Strong visual memory; loves building things.",
                                     "Determined; good sense of humour."]),
            "needs": {"CL": "Slow progress in reading and number despite good teaching.",
                      "CI": "Limited vocabulary; difficulty following longer instructions.",
                      "SEMH": "Anxiety and difficulty managing strong feelings.",
                      "SP": "Fine-motor and coordination difficulties affecting writing."}[area],
            "tools": [{"tool": tool, "used_on": day, "result": result}]})
        if complete:
            apdr.complete_assessment(self.session, cycle_id, update_register=False)

    def _items(self, area: str, stage: Stage, recommendation: tuple[int, dict] | None,
               previous: list[dict], must_change: bool) -> list[dict]:
        rng = self.rng
        chosen = rng.sample(PROVISION[area], rng.randint(1, 3))
        items = [dict(item, weeks=38, area=area, library_id=self.library.get(item["description"]))
                 for item in chosen]
        if recommendation is not None and stage is Stage.SPECIALIST:
            items.append(dict(recommendation[1], weeks=38, area=area,
                              recommendation_id=recommendation[0]))
        if rng.random() < 0.08 or (stage is Stage.SPECIALIST and rng.random() < 0.25):
            items.append(dict(INTENSIVE, weeks=38, area=area, minutes=rng.choice([45, 60, 90, 120])))
        if must_change and sorted(i["description"] for i in items) == \
                sorted(i["description"] for i in previous):
            items.append(dict(PROVISION["SEMH"][0], weeks=38, area="SEMH"))
        return items

    def _deliveries(self, cycle_id: int, start: dt.date, end: dt.date) -> None:
        rng = self.rng
        sessions = [i for i in self._plan_of(cycle_id).active_items if i.minutes]
        if not sessions or end <= start:
            return
        for _ in range(rng.randint(4, 12)):
            item = rng.choice(sessions)
            day = self._between(start, end)
            missed = rng.random() < 0.15
            apdr.log_delivery(self.session, item.id, day, not missed,
                              rng.choice(MISSED) if missed else "")

    def _specialist(self, pupil_id: int, area: str, plan_date: dt.date,
                    review_date: dt.date) -> tuple[int, dict] | None:
        rng = self.rng
        service, advice, item = rng.choice(SPECIALISTS[area])
        referral = self._between(plan_date + 7 * DAY, plan_date + 21 * DAY)
        if referral >= min(review_date, self.today):
            return None
        consent = self._between(referral - 3 * DAY, referral)
        involvement = specialists.add_involvement(self.session, pupil_id, {
            "service": service, "referral_date": referral, "consent": "given",
            "consent_date": consent, "consent_from": "Parent",
            "reason": "Limited progress despite targeted support matched to need."})
        self.result.specialists += 1
        visit = self._between(referral + 7 * DAY, review_date - 3 * DAY)
        specialists.add_visit(self.session, involvement, visit,
                              "Observed in class, assessed one-to-one and met the parents.")
        report = specialists.attach_report(self.session, involvement, "report.pdf",
                                           report_pdf("Specialist report"), "Assessment report",
                                           visit)
        recommendation = specialists.add_recommendation(self.session, involvement, advice, visit, report)
        return recommendation, item

    def _review(self, cycle_id: int, held: dt.date, decision: Decision, at_risk: bool,
                pupil_id: int) -> None:
        rng = self.rng
        plan = self._plan_of(cycle_id)
        progress = {Decision.BACK_TO_ORDINARY: ["achieved"], Decision.MOVE_TO_SPECIALIST: ["not_yet", "partly"],
                    Decision.REQUEST_EHCNA: ["not_yet", "partly"]}.get(decision, ["achieved", "partly", "not_yet"])
        views = {i.id: {"view": "Some progress; continue the programme and review the targets.",
                        "given_as": rng.choice(["report", "email", "meeting"])}
                 for i in specialists.active_on(self.session, pupil_id, held)}
        apdr.save_review(self.session, cycle_id, {
            "held_on": held, "attendees": "\n".join(["Parent", *rng.sample(ADULTS, 2)]),
            "child_views": rng.choice(["Likes the group sessions.", "Finds reading easier now.",
                                       "Wants to keep seeing the adult who helps."]),
            "parent_views": rng.choice(["Pleased with progress.", "Worried it is not enough yet.",
                                        "Sees a difference at home."]),
            "staff_views": "Engaged well in sessions; progress noted in class.",
            "at_risk_of_exclusion": at_risk, "decision": decision.value,
            "decision_notes": "Agreed with the parents at the meeting.",
            "progress": _progress(plan, progress, rng, cycle_id, decision),
            **({"specialist_views": views} if views else {})})
        apdr.complete_review(self.session, cycle_id)


def _measured_by(items: list[dict]) -> str:
    """The measure the plan's library provision is judged by (demo/provision.py's EFFECTS),
    named on the plan's first outcome so the impact table's Met outcomes % counts that outcome
    for that measure; "" when no item is measured. No draw from the random stream."""
    for item in items:
        library = LIBRARY_FOR.get(item["description"])
        if item.get("library_id") and library in EFFECTS:
            return EFFECTS[library].name
    return ""


def _progress(plan: Plan, choices: list[str], rng: random.Random, cycle_id: int,
              decision: Decision) -> dict[int, dict[str, str]]:
    """Each outcome's progress at review. About two in five of the reviews that carry on (or
    end) the support find every outcome achieved, as a SENCO sees when provision works, so the impact
    table's Met outcomes % has pupils to show; the draw is by the cycle, so the random
    stream (and the rest of the demo) is as before."""
    drawn = {o.id: rng.choice(choices) for o in plan.outcomes}
    all_met = decision in (Decision.CONTINUE_TARGETED, Decision.CONTINUE_SPECIALIST,
                           Decision.BACK_TO_ORDINARY) and random.Random(cycle_id * 7919).random() < 0.4
    return {o_id: {"progress": "achieved" if all_met else value, "comment": ""}
            for o_id, value in drawn.items()}


def add_demo_pathways(session: Session, *, seed: int = 2026, share: float = 0.85) -> DemoPathwaysResult:
    """Give most pupils at SEN support (K) in an existing demo database a SEND pathway.

    Pupils already on a pathway are left alone. Returns how much was made.
    """
    rng = random.Random(seed)
    builder = _Pathways(session, rng)
    rows = session.db.query(
        "SELECT p.id, p.sen_since, p.primary_need, p.year_group FROM pupils p WHERE p.sen_status = 'K'"
        " AND p.archived_at IS NULL AND p.sen_since IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
        " send_pathways w WHERE w.pupil_id = p.id) ORDER BY p.id")
    with session.db.transaction():
        for row in rows:
            since = dt.date.fromisoformat(row["sen_since"])
            if rng.random() >= share or since > builder.today - 7 * DAY:
                continue
            builder.pupil(row["id"], since, row["primary_need"] or "NSA", row["year_group"])
        session.audit("added demo SEND pathways", detail={
            "pathways": builder.result.pathways, "cycles": builder.result.cycles,
            "specialists": builder.result.specialists, "invented": True})
    return builder.result
