"""Exam access arrangements and My Story accounts for the demo school, so both pages have
something to show: about half the pupils with SEN in Years 10 and 11 have arrangements for
their GCSEs, and about one pupil with SEN in six has told their story, with the consent that
says who may see it.

Each row is checked by the same cleaner the app's forms use (models.exam_access,
models.my_story) and the rows are written in bulk, like the pupils: 60,000 pupils have
thousands of them. Call it after the pupils exist:  add_demo_exams_and_stories(session)
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ..models.exam_access import clean_arrangement
from ..models.my_story import clean_story
from ..models.school_contacts import is_young_person
from ..records import school_calendar
from ..session import Session
from .days import SchoolDays

DAY = dt.timedelta(days=1)
ASSESSORS = ["Mrs J Patel (specialist assessor, CPT3A)", "Mr D Lowe (educational psychologist)"]
# (arrangement, detail, what the assessment found, the normal way of working)
_ARRANGEMENTS = [
    ("extra_time_25", "", "Below-average speed of reading (standard score 82) and of writing "
     "(standard score 79).", "Given extra time in class tests since Year 9; uses it to finish."),
    ("reader", "All papers except English reading", "Reading comprehension standard score 76.",
     "A teaching assistant reads questions aloud in lessons and tests."),
    ("computer_reader", "", "Reading accuracy standard score 80; reads well with a screen "
     "reader.", "Uses a screen reader on the school laptop in lessons."),
    ("word_processor", "Spell checker off", "Handwriting illegible at speed (14 words a minute).",
     "Types all extended writing in lessons and homework."),
    ("rest_breaks", "", "Concentration falls after 30 minutes (class teachers' and SENCO's "
     "observations).", "Takes short supervised breaks in long lessons."),
    ("separate_room", "", "High anxiety in large rooms, confirmed by CAMHS.",
     "Sits internal exams in the learning support room."),
]
_STORIES = [
    "I am good at drawing and football. Reading is hard when the words are small. It helps "
    "when the teacher checks I know what to do and lets me use my coloured overlay.",
    "I like science and helping at lunchtime club. Noisy rooms make it hard to think. It helps "
    "to sit near the front and have a quiet place to go when it gets too much.",
    "I am kind and I work hard. Writing a lot is tiring and my hand hurts. It helps when I can "
    "type or tell an adult my answers.",
    "I like music and computers. I find it hard when plans change. It helps to know what is "
    "happening next and to have a visual timetable.",
]


@dataclass
class DemoExamsAndStories:
    arrangements: int = 0
    stories: int = 0


def add_demo_exams_and_stories(session: Session, *, seed: int = 2026) -> DemoExamsAndStories:
    rng = random.Random(seed + 11)
    today = session.clock.today()
    calendar = school_calendar.calendar_of(session)
    days = SchoolDays(calendar, rng)
    school_year = calendar.school_year_of(today)
    now, user = session.now_text(), session.user.id
    arrangements: list[dict] = []
    stories: list[dict] = []
    pupils = session.db.query(
        "SELECT p.id, p.year_group, p.dob, p.admission_date, p.preferred_forename,"
        " p.legal_forename, p.sen_status, p.sen_since, MIN(c.name) AS parent FROM pupils p"
        " LEFT JOIN contacts c ON c.pupil_id = p.id AND c.parental_responsibility = 1"
        " WHERE p.archived_at IS NULL AND p.sen_status IN ('K', 'E') GROUP BY p.id,"
        " p.year_group, p.dob, p.admission_date, p.preferred_forename, p.legal_forename,"
        " p.sen_status, p.sen_since ORDER BY p.id")
    first_ks4 = True
    for pupil in pupils:
        since = max(dt.date.fromisoformat(pupil["sen_since"]),
                    dt.date.fromisoformat(pupil["admission_date"]))
        if since > today:
            continue
        forename = pupil["preferred_forename"] or pupil["legal_forename"]
        if pupil["year_group"] in ("10", "11") and (first_ks4 or rng.random() < 0.5):
            first_ks4 = False
            # JCQ: assessed no earlier than the start of Year 9; valid to the end of the course.
            year9 = dt.date(school_year - (2 if pupil["year_group"] == "10" else 3), 9, 1)
            assessed = days.between(max(since, year9), today, today)
            course_end = calendar.summer_term_end(
                school_year + (1 if pupil["year_group"] == "10" else 0))
            if days.is_open(assessed):
                for kind, detail, found, evidence in rng.sample(_ARRANGEMENTS, rng.randint(1, 2)):
                    arrangements.append({**clean_arrangement({
                        "arrangement": kind, "detail": detail, "assessment": found,
                        "evidence": evidence, "assessor": rng.choice(ASSESSORS),
                        "assessed_on": assessed, "valid_from": assessed,
                        "valid_to": days.on_or_before(course_end)}, today),
                        "pupil_id": pupil["id"], "entered_at": now, "entered_by": user})
        written = days.between(since, today, today)
        consent_on = days.between(written, min(written + 7 * DAY, today), today)
        if rng.random() < 0.17 and days.is_open(written) and days.is_open(consent_on):
            young = is_young_person(dt.date.fromisoformat(pupil["dob"]), consent_on)
            as_ = "young_person" if young else rng.choice(["pupil", "parent"])
            if as_ == "parent" and not pupil["parent"]:
                as_ = "pupil"
            stories.append({**clean_story({
                "written_on": written, "story": rng.choice(_STORIES),
                "consent_by": pupil["parent"] if as_ == "parent" else forename,
                "consent_as": as_, "consent_on": consent_on, "share_staff": True,
                "share_specialists": rng.random() < 0.7,
                "share_la": pupil["sen_status"] == "E" or rng.random() < 0.2,
                "share_next_school": pupil["year_group"] in ("6", "11") or rng.random() < 0.3},
                today), "pupil_id": pupil["id"], "entered_at": now, "entered_by": user})
    with session.db.transaction():
        for table, rows in (("exam_access_arrangements", arrangements), ("my_story", stories)):
            if rows:
                columns = list(rows[0])
                session.db.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                    f"({', '.join(':' + name for name in columns)})", rows)
        session.audit("added demo exam access arrangements and My Story accounts", detail={
            "arrangements": len(arrangements), "stories": len(stories), "invented": True})
    return DemoExamsAndStories(len(arrangements), len(stories))
