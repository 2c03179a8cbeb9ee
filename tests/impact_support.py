"""A school with provision whose impact can be measured: a library item delivered through plan
lines, a group made from the library, and entry and exit measures on both.

Everything goes through the core's own operations (the library, plans, reviews, groups and
measures on plan lines), except a measure on a group, which is written as its row.
"""

from __future__ import annotations

import datetime as dt

from tests.apdr_support import assess, plan, review, sen_support_pupil

from sendesk.records import apdr, measures, provision_groups, provision_library

D = dt.date
PRECISION = {"description": "Precision teaching", "area": "CL", "delivered_by":
             "Teaching assistant", "sessions_per_week": "3", "minutes": "15", "weeks": "38",
             "rate": "18", "group_size": "1"}    # £513 a year
OUTCOME = [{"text": "Read the first 100 high-frequency words", "measure": "90 of 100 words",
            "area": "CL"}]


def library_item(session, name: str, area: str = "CL") -> int:
    """The library item of that name (a new school starts with the suggested ones), or a new one."""
    found = next((item.id for item in provision_library.list_items(session)
                  if item.name.casefold() == name.casefold()), None)
    return found or provision_library.add_item(session, {
        "name": name, "area": area, "sessions_per_week": "3", "minutes": "15",
        "hourly_cost": "18"})


def measure(session, pupil_id: int, *, item_id=None, group_id=None, kind="standardised",
            name="Sandwell", entry=80, entry_date=None, exit=None, exit_date=None) -> None:
    entry_date, exit_date = entry_date or D(2026, 9, 7), exit_date or D(2026, 11, 20)
    if item_id is not None:
        measures.record_measure(session, item_id, {
            "kind": kind, "name": name, "entry_value": entry, "entry_date": entry_date,
            "exit_value": "" if exit is None else exit, "exit_date": "" if exit is None else exit_date})
        return
    session.db.execute(
        "INSERT INTO provision_measures (pupil_id, item_id, group_id, kind, name, entry_value,"
        " entry_date, exit_value, exit_date, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (pupil_id, item_id, group_id, kind, name, entry, entry_date.isoformat(), exit,
         exit_date.isoformat() if exit is not None else None, session.now_text()))


def pupil_on_item(session, surname: str, library_id: int, *, gender="F", year_group="4",
                  achieved: bool | None = None) -> tuple[int, int]:
    """A pupil whose agreed plan (from 7/9/2026) has a line filled from the library item;
    with achieved given, the plan was reviewed on 20/11/2026."""
    pupil = sen_support_pupil(session, surname=surname, year_group=year_group,
                              since=D(2026, 9, 1))
    session.db.execute("UPDATE pupils SET gender = ? WHERE id = ?", (gender, pupil))
    apdr.open_pathway(session, pupil, D(2026, 9, 1))
    cycle = apdr.current_pathway(session, pupil).current_cycle.id
    assess(session, cycle, D(2026, 9, 2))
    plan(session, cycle, D(2026, 9, 7), D(2026, 11, 20), outcomes=OUTCOME,
         items=[dict(PRECISION, library_id=library_id)])
    item = apdr.get_cycle(session, cycle).plan.items[0].id
    if achieved is not None:
        review(session, cycle, D(2026, 11, 20), "continue_targeted",
               progress="achieved" if achieved else "partly")
    return pupil, item


def group_from_library(session, library_id: int, members: list[int]) -> int:
    group = provision_groups.create_group(session, {
        "name": "Year 4 reading group", "library_id": library_id, "area": "CL",
        "staff_name": "Mrs Khan", "start_date": "07/09/2026", "end_date": "20/11/2026",
        "cost_total": "600", "sessions_per_week": "3", "minutes": "30", "weeks": "11"})
    for pupil in members:
        provision_groups.add_member(session, group, pupil, D(2026, 9, 7))
    return group
