"""A school made before migration 17 (no notifications to young people) upgrades on the file
and on the server: every notification item it held is marked from the pupil's date of birth
(16 on the day it fell due or not, to the day, 29 February included), nothing it held changes,
and its open items then follow the school's choice of whom to tell from 16."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.records_fixtures import add_parents, add_pupil
from tests.schema_before import old_school as make_old_school
from tests.schema_before import upgraded

from sendesk.models.school_contacts import is_young_person
from sendesk.records import dashboard, notifications, school_contacts
from sendesk.services import verify
from sendesk.store import migrations

# (date of birth, the day the item fell due): the upgraded item says 16 or over or not.
ITEMS = [("2009-03-01", "2026-11-18", 1), ("2010-11-18", "2026-11-18", 1),
         ("2010-11-19", "2026-11-18", 0), ("2016-03-14", "2026-11-18", 0),
         ("2008-02-29", "2024-02-29", 1), ("2008-02-29", "2024-02-28", 0)]
YEARS = {"2008": "Year 13", "2009": "Year 12", "2010": "Year 11", "2016": "Year 5"}


@pytest.fixture
def old_school(engine, request, tmp_path, clock, monkeypatch):
    """(session, location, how to upgrade it): a school whose schema stopped at migration 16."""
    return make_old_school(engine, request, tmp_path, clock, monkeypatch, 16)


def _hold_items_as_before(session) -> list[int]:
    """Pupils with parents and items written as the code before migration 17 wrote them."""
    school_contacts.set_school_contacts(session, {"young_person": "as_well"})
    pupil_ids = []
    for serial, (dob, _, _) in enumerate(ITEMS, start=1):
        day, month, year = dob[8:], dob[5:7], dob[:4]
        pupil_id = add_pupil(session, serial, dob=f"{day}/{month}/{year}", year_group=YEARS[year])
        add_parents(session, pupil_id)
        pupil_ids.append(pupil_id)
    with session.db.transaction():
        for pupil_id, (_, since, _) in zip(pupil_ids, ITEMS, strict=True):
            period = session.db.scalar(
                "INSERT INTO sen_status_history (pupil_id, status, start_date, reason, changed_by,"
                " entered_at) VALUES (?, 'K', ?, 'Needs', ?, ?) RETURNING id",
                (pupil_id, since, session.user.id, session.now_text()))
            session.db.execute(
                "INSERT INTO parent_notifications_due (pupil_id, status_change_id, change,"
                " due_since, created_at) VALUES (?, ?, 'added', ?, ?)",
                (pupil_id, period, since, session.now_text()))
    return pupil_ids


def test_a_school_from_before_migration_17_upgrades_and_follows_the_choice(
        old_school, clock, monkeypatch):
    session, location, upgrade = old_school
    try:
        assert session.db.schema_version() == 16
        pupil_ids = _hold_items_as_before(session)
        held = [tuple(r) for r in session.db.query("SELECT * FROM parent_notifications_due"
                                                   " ORDER BY id")]
    finally:
        session.close()
    session = upgraded(location, upgrade, monkeypatch, clock)
    try:
        assert session.db.schema_version() == migrations.LATEST >= 17
        rows = session.db.query("SELECT * FROM parent_notifications_due ORDER BY id")
        # What was held is unchanged; the new columns are marked, or empty.
        assert [tuple(r)[:len(held[0])] for r in rows] == held
        assert [r["young_person"] for r in rows] == [marked for _, _, marked in ITEMS]
        assert [r["young_person"] for r in rows] == [
            int(is_young_person(dt.date.fromisoformat(dob), dt.date.fromisoformat(since)))
            for dob, since, _ in ITEMS]
        assert all(r["young_person_told_on"] is None for r in rows)
        assert verify.verify(session).ok
        # The school chose "as well as" before the upgrade: the 17-year-old's item now waits
        # for the parents and the young person; the 10-year-old's for the parents only.
        older, younger = pupil_ids[0], pupil_ids[3]
        counts = {d.pupil_id: d.outstanding for d in dashboard.dashboard(session).notifications_due}
        assert (counts[older], counts[younger]) == (3, 2)
        (due,) = notifications.notifications_for_pupil(session, older)
        assert due.young_person_to_tell
        parents = list(due.outstanding_contact_ids)
        assert notifications.record_notification(session, due.id, parents, "19/11/2026",
                                                 "letter") is False
        assert notifications.record_notification(session, due.id, [], "19/11/2026", "letter",
                                                 young_person=True) is True
        (due,) = notifications.notifications_for_pupil(session, younger)
        assert not due.young_person_to_tell
        assert notifications.record_notification(session, due.id, list(due.outstanding_contact_ids),
                                                 "19/11/2026", "letter") is True
    finally:
        session.close()
