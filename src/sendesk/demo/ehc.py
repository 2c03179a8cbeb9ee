"""EHC records for the demo school: every pupil with status E gets the EHC plan behind it (with
long-term outcomes, shorter-term steps and the annual reviews held so far) and, when the pupil
was at this school by then, the needs assessment request that led to it, sent by the school or
by a parent about 20 weeks before the plan was issued; there is a plan in
Year 6, Year 9 and Year 11 so the transition rules show, one pupil at the specialist stage is
ready for an EHC needs assessment request and has one in progress, and others show what is
still missing.

Written through the app's own repository functions in one transaction, like the pathways.
Call it after add_demo_pathways:  add_demo_ehc(session, seed=2026)
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ..models import provision
from ..models.apdr import Stage
from ..models.ehc.plan import PLANS_BEGAN
from ..records import apdr, ehc, ehcna, school_calendar, specialists
from ..session import Session
from .days import SchoolDays

DAY = dt.timedelta(days=1)
AUTHORITY = "Demo County Council"
CASEWORKERS = ["Sam Reid", "Priya Nair", "Tom Ellis", "Grace Obi"]
_OUTCOMES = [
    ("Read and understand age-appropriate texts by the end of the key stage",
     ["Read 100 high-frequency words on sight", "Read a short book aloud with 95 % accuracy"]),
    ("Communicate needs and ideas to adults and friends",
     ["Use a visual board to ask for help", "Take part in a small-group conversation for 5 minutes"]),
    ("Manage strong feelings so as to stay in lessons",
     ["Use a calm-down plan with an adult prompt", "Use the calm-down plan without a prompt"]),
    ("Move around school safely and independently",
     ["Use the lift and ramps with an adult nearby", "Move between lessons on time on 4 days out of 5"]),
    ("Make friends and take part in clubs",
     ["Join one lunchtime club", "Name two friends to play with"]),
]
_PFA = [("Travel to college independently", "independent_living",
         ["Plan the bus route with a travel trainer", "Make the journey with an adult following"]),
        ("Find work experience in a field they enjoy", "employment",
         ["Talk to the careers adviser about interests", "Complete a week of work experience"])]


@dataclass
class DemoEhcResult:
    plans: int = 0
    reviews: int = 0
    requests: int = 0


class _Ehc:
    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session, self.rng = session, rng
        self.today = session.clock.today()
        self.result = DemoEhcResult()
        self.days = SchoolDays(school_calendar.calendar_of(session), rng)

    def done_by(self, day: dt.date) -> dt.date:
        """The school day something done on or after `day` was done: the next one, or the last
        one up to today when the next is still to come."""
        after = self.days.on_or_after(day)
        return after if after <= self.today else self.days.on_or_before(self.today)

    def plan(self, pupil_id: int, year_group: str, issued: dt.date) -> None:
        rng = self.rng
        issued = self.done_by(issued)   # the LA issues it on a working day the school is open
        achieved = [self.done_by(issued + dt.timedelta(days=110 * (n + 1))) for n in range(2)]
        outcomes = [{"text": text, "steps": [
            {"text": step, "target_date": self.days.near(issued + dt.timedelta(days=120 * (n + 1))),
             "achieved_on": achieved[n]
             if issued + dt.timedelta(days=110 * (n + 1)) < self.today and rng.random() < 0.6 else None}
            for n, step in enumerate(steps)]} for text, steps in rng.sample(_OUTCOMES, 3)]
        if year_group.isdigit() and int(year_group) >= 9:
            text, area, steps = rng.choice(_PFA)
            outcomes.append({"text": text, "pfa_area": area, "steps": [
                {"text": step, "target_date": self.days.near(issued + dt.timedelta(days=200 * (n + 1)))}
                for n, step in enumerate(steps)]})
        plan_id = ehc.record_plan(self.session, pupil_id, {
            "issued_on": issued, "local_authority": AUTHORITY,
            "caseworker": rng.choice(CASEWORKERS), "caseworker_contact": "01234 567890",
            "outcomes": outcomes}, self.request_behind(pupil_id, issued))
        self.result.plans += 1
        while True:
            plan = ehc.plans_of(self.session, pupil_id)[-1]
            schedule = ehc.review_schedule(self.session, plan)
            if schedule is None:
                raise RuntimeError(f"demo: the plan just recorded for pupil {pupil_id} is not "
                                   "current, so has no review schedule")
            held = self.days.near(schedule.meeting_by - dt.timedelta(days=rng.randint(0, 6)))
            # (Every held review has its held_on date; issued stands in before the first.)
            last_held = plan.held_reviews[-1].held_on if plan.held_reviews else None
            if held >= self.today or held <= (last_held or issued):
                break
            ehc.save_review(self.session, plan_id, {
                "meeting_on": held, "invitations_sent_on": self.days.on_or_before(held - 45 * DAY),
                "held_on": held,
                "recommendation": rng.choice(["maintain", "maintain", "amend"]),
                "pfa_discussed": schedule.pfa,
                "notes": "Parents, pupil, class teacher and the educational psychologist's "
                         "written advice.", "report_sent_on": self.done_by(held + 10 * DAY)})
            self.result.reviews += 1

    def request_behind(self, pupil_id: int, issued: dt.date) -> int | None:
        """The finished request a plan issued on `issued` came from, written as the SENCO would
        have brought it up to date: sent 18 to 20 weeks before, the LA's decision to assess
        within six weeks, the draft by week 16 and at least 15 days before the final plan (the
        parents' time to comment), every date a school day. The school sends it when the pupil
        was on its SEN register by then (consent first, then the head's countersignature); a
        parent may ask the LA themselves, and does for a pupil the school had not yet put on
        the register. None for a pupil who arrived with the plan, or whose request came before
        EHC plans began."""
        rng, days = self.rng, self.days
        first = self.session.db.query_one(
            "SELECT p.admission_date, MIN(s.start_date) AS since FROM pupils p JOIN"
            " sen_status_history s ON s.pupil_id = p.id WHERE p.id = ? GROUP BY p.admission_date",
            (pupil_id,))
        sent = days.on_or_before(issued - DAY * rng.randint(126, 140))
        admitted = dt.date.fromisoformat(first["admission_date"]) if first else issued
        on_register = dt.date.fromisoformat(first["since"]) if first else issued
        if sent < max(admitted, PLANS_BEGAN):
            return None
        by = "school" if sent >= on_register and rng.random() < 0.8 else "parent"
        decided = days.on_or_before(sent + DAY * rng.randint(28, 42))
        draft = max(decided, min(days.on_or_before(sent + DAY * rng.randint(84, 112)),
                                 days.on_or_before(issued - 15 * DAY)))
        consent = days.on_or_before(sent - DAY * rng.randint(7, 21)) if by == "school" else None
        values = {
            "pupil_id": pupil_id, "local_authority": AUTHORITY, "requested_by": by,
            "consent_on": consent, "consent_from": "Parent" if consent else None,
            "head_name": "Mrs A Whitfield (head teacher)" if consent else None,
            "head_signed_on": days.between(consent, sent, sent) if consent else None,
            "submitted_on": sent, "decision": "assess", "decision_on": decided,
            "plan_decision": "issue", "draft_on": draft, "final_on": issued,
            "notes": "Sent with the SEN support plans and reviews and the educational "
                     "psychologist's advice." if consent else
                     "The parents asked the local authority themselves; the school sent its "
                     "evidence when the LA asked for it.",
            "now": self.session.now_text(), "user": self.session.user.id}
        self.result.requests += 1
        return int(self.session.db.scalar(
            "INSERT INTO ehcna_requests (pupil_id, local_authority, requested_by, consent_on,"
            " consent_from, head_name, head_signed_on, submitted_on, decision, decision_on,"
            " plan_decision, draft_on, final_on, notes, entered_at, entered_by) VALUES"
            " (:pupil_id, :local_authority, :requested_by, :consent_on, :consent_from,"
            " :head_name, :head_signed_on, :submitted_on, :decision, :decision_on,"
            " :plan_decision, :draft_on, :final_on, :notes, :now, :user) RETURNING id",
            {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}))

    def ready(self, pupil_id: int) -> None:
        """Make the record of a pupil at the specialist stage complete enough to request an
        assessment: an educational specialist's advice, costed provision near the notional
        budget and the SENCO's answers; then a request sent four weeks ago."""
        pathway = apdr.current_pathway(self.session, pupil_id)
        plan = pathway.current_plan if pathway is not None else None
        cycle = pathway.current_cycle if pathway is not None else None
        if plan is None or plan.plan_date is None or cycle is None:
            raise RuntimeError(f"demo: pupil {pupil_id} was chosen for an EHC request but has "
                               "no agreed, dated plan on an open pathway")
        start = self.days.near(max(plan.plan_date, self.today - 40 * DAY), plan.plan_date,
                               self.today)
        if not any(i.educational and i.recommendations
                   for i in specialists.involvements(self.session, pupil_id)):
            involvement = specialists.add_involvement(self.session, pupil_id, {
                "service": "EP", "professional": "Dr Ruth Ames", "referral_date": start,
                "consent": "given", "consent_date": start, "consent_from": "Parent",
                "reason": "Little progress despite two cycles of specialist-stage support."})
            specialists.add_recommendation(self.session, involvement,
                                           "Daily one-to-one precision teaching and a "
                                           "communication-friendly classroom.", start)
        if provision.cost_level(plan.yearly_cost_pence) is provision.CostLevel.UNDER:
            # £5,066.67 a year on its own, so with any plan it reaches 80 % of the threshold
            # (at 45 minutes, £4,560 beside a £150 plan stayed under it, and the request failed).
            apdr.add_provision(self.session, cycle.id, {
                "description": "One-to-one teaching assistant support in literacy and numeracy",
                "area": "CL", "delivered_by": "Teaching assistant", "sessions_per_week": "10",
                "minutes": "50", "weeks": "38", "rate": "16", "group_size": "1"}, start)
        for key, note in (("holistic", "Health (school nurse), social care and education views "
                                       "gathered at each assessment."),
                          ("disruption", "Attendance 96 %; no reduced timetable; no school moves."),
                          ("social_care", "Early Help assessment completed; no unmet family needs."),
                          ("eal", "Speaks English fluently at home and at school."),
                          ("expertise", "Precision teaching, small-group and one-to-one support and "
                                        "the specialist's strategies all tried."),
                          ("best_pathway", "Agreed with the parents and the educational "
                                           "psychologist at the last review.")):
            ehcna.answer_question(self.session, pupil_id, key, True, note, self.today - 20 * DAY)
        sent = self.days.on_or_before(self.today - 28 * DAY)
        ehc.add_request(self.session, pupil_id, {
            "local_authority": AUTHORITY, "consent_on": self.days.on_or_before(sent - 6 * DAY),
            "consent_from": "Parent", "head_name": "Mrs A Whitfield (head teacher)",
            "head_signed_on": self.days.on_or_before(sent - 2 * DAY),
            "submitted_on": sent, "notes": "Sent with the last three plans and reviews, the "
                                           "educational psychologist's report and the costed "
                                           "provision map."})
        self.result.requests += 1

    def partly_ready(self, pupil_id: int) -> None:
        """Some of the checklist answered, so the readiness view has things to point out."""
        ehcna.answer_question(self.session, pupil_id, "holistic", True,
                              "Education and health views gathered.", self.today - 10 * DAY)
        ehcna.answer_question(self.session, pupil_id, "social_care", False,
                              "Early Help not yet discussed with the family.", self.today - 10 * DAY)


def add_demo_ehc(session: Session, *, seed: int = 2026) -> DemoEhcResult:
    rng = random.Random(seed + 6)
    builder = _Ehc(session, rng)
    today = builder.today
    with session.db.transaction():
        for row in session.db.query(
                "SELECT id, year_group, sen_since FROM pupils WHERE sen_status = 'E' AND archived_at"
                " IS NULL AND NOT EXISTS (SELECT 1 FROM ehc_plans e WHERE e.pupil_id = pupils.id)"
                " ORDER BY id"):
            builder.plan(row["id"], row["year_group"], dt.date.fromisoformat(row["sen_since"]))
        for year in ("6", "9", "11"):
            if session.db.scalar("SELECT 1 FROM pupils WHERE sen_status = 'E' AND year_group = ?"
                                 " AND archived_at IS NULL", (year,)):
                continue
            # (NSA is SEN support's alone: a pupil with it has no assessed need for a plan.)
            row = session.db.query_one(
                "SELECT id, sen_since FROM pupils WHERE sen_status = 'K' AND year_group = ? AND"
                " primary_need IS NOT NULL AND primary_need <> 'NSA' AND"
                " archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM send_pathways w WHERE"
                " w.pupil_id = pupils.id AND w.status = 'open') ORDER BY sen_since LIMIT 1", (year,))
            if row is not None:
                since = dt.date.fromisoformat(row["sen_since"])
                builder.plan(row["id"], year, max(since, today - dt.timedelta(days=rng.randint(200, 330))))
        candidates = [p for p in (apdr.current_pathway(session, r["id"]) for r in session.db.query(
            "SELECT pupil_id AS id FROM send_pathways WHERE status = 'open' ORDER BY id"))
            if p is not None and p.stage is Stage.SPECIALIST and p.current_plan is not None
            and p.current_cycle is not None and p.current_cycle.plan is not None and p.current_cycle.plan.agreed
            and not p.current_cycle.reviewed]
        candidates.sort(key=lambda p: (-len(p.cycles), p.id))
        if candidates and len(candidates[0].cycles) >= 3:
            builder.ready(candidates[0].pupil_id)
        for pathway in candidates[1:3]:
            builder.partly_ready(pathway.pupil_id)
        session.audit("added demo EHC records", detail={
            "plans": builder.result.plans, "reviews": builder.result.reviews,
            "requests": builder.result.requests, "invented": True})
    return builder.result
