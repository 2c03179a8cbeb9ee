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
