"""Shared steps for the provision-group tests: a group with a weekly time, and its members."""

from __future__ import annotations

import datetime as dt

from tests.apdr_support import sen_support_pupil

from sendesk.records import provision_groups

D = dt.date
PHONICS = {"name": "Year 4 phonics group", "area": "CL", "staff_name": "Mrs Khan",
           "staff_role": "Teaching assistant", "start_date": "02/11/2026",
           "end_date": "27/11/2026", "cost_total": "400", "sessions_per_week": "3",
           "minutes": "30", "weeks": "4", "description": "Daily phonics catch-up."}


def make_group(session, **overrides) -> int:
    return provision_groups.create_group(session, {**PHONICS, **overrides})


def pupils(session, *surnames: str) -> list[int]:
    return [sen_support_pupil(session, surname=name) for name in surnames]


def clashing_week(session) -> tuple[int, int]:
    """Mrs Khan due in two groups at once on Monday, and a pupil in both."""
    a, b = pupils(session, "Adeyemi", "Brown")
    phonics = make_group(session)
    talk = make_group(session, name="Talk boost", end_date="")
    provision_groups.add_member(session, phonics, a)
    provision_groups.add_member(session, talk, a)
    provision_groups.add_member(session, talk, b)
    for group_id, day, start, end, place in ((phonics, 1, "09:00", "09:30", "Room 4"),
                                             (talk, 1, "09:15", "09:45", "Library"),
                                             (talk, 1, "09:45", "10:00", ""),
                                             (phonics, 2, "09:15", "09:45", "")):
        provision_groups.add_slot(session, group_id, {"day": day, "start_time": start,
                                                      "end_time": end, "place": place})
    return a, b

