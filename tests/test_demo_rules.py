"""The demo school obeys the app's own rules at every size and seed (issue 20, item 10):
`sendesk-cli demo DB --pupils 60000` once stopped after two minutes on an EHC plan "issued"
in 2013. Small schools of several sizes and seeds are built here and every stored row is run
back through the core's validation (tests/demo_rules.py says which); the 60,000-pupil figure
is in docs/performance.md."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.concerns_support import DISCUSSION
from tests.conftest import SENCO, SENCO_NAME, SENCO_PASSWORD
from tests.demo_rules import faults

from sendesk import demo
from sendesk.clock import FixedClock
from sendesk.demo.catalogue import TOOLS
from sendesk.models import flowchart as fc
from sendesk.records import concerns, notes, school_calendar
from sendesk.records.concerns import checks as concerns_checks

# A Monday in term, a Saturday in the summer holidays, and the first day of a spring term.
DAYS = [dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2027, 8, 14, 10, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.UTC)]


@pytest.mark.parametrize(("pupils", "seed", "when"), [
    (90, 1, DAYS[0]), (160, 17, DAYS[1]), (240, 2026, DAYS[2]), (320, 5, DAYS[0]),
    (400, 60_000, DAYS[1])])
def test_every_record_of_the_demo_passes_the_core_checks(tmp_path, pupils, seed, when):
    session, _ = demo.create_demo_school(tmp_path / "demo.sendesk", SENCO, SENCO_NAME,
                                         SENCO_PASSWORD, pupils=pupils, clock=FixedClock(when),
                                         seed=seed)
    try:
        assert faults(session) == []
    finally:
        session.close()


def test_the_checks_find_a_concerns_review_on_a_bank_holiday(tmp_path, monkeypatch):
    """A concerns flowchart finished in the demo school through the core, on the school day it
    suggests, passes; one finished as the core once allowed, with its review on the early May
    bank holiday, is found in the run, its short note and the monitoring register."""
    session, _ = demo.create_demo_school(tmp_path / "demo.sendesk", SENCO, SENCO_NAME,
                                         SENCO_PASSWORD, pupils=90, clock=FixedClock(DAYS[0]),
                                         seed=7)
    try:
        first, second = [row[0] for row in session.db.query(
            "SELECT p.id FROM pupils p WHERE p.archived_at IS NULL AND NOT EXISTS (SELECT 1"
            " FROM sen_status_history s WHERE s.pupil_id = p.id AND s.end_date IS NULL) AND NOT"
            " EXISTS (SELECT 1 FROM register_entries r WHERE r.pupil_id = p.id) ORDER BY p.id"
            " LIMIT 2")]
        chart, today = fc.load_default(), DAYS[0].date()
        review = concerns.review_date_for(chart.nodes["out_adapt_teaching"], today,
                                          school_calendar.load(session))
        concerns.finish(session, first, chart, [("teaching", "not_yet")], DISCUSSION,
                        discussion_date=today, review_date=review)
        assert faults(session) == []
        monkeypatch.setattr(concerns_checks, "require_school_day", lambda *args: None)
        monkeypatch.setattr(notes, "_review_on_a_school_day", lambda *args: None)
        concerns.finish(session, second, chart, [("teaching", "not_yet")], DISCUSSION,
                        discussion_date=today, review_date=dt.date(2027, 5, 3))
        found = faults(session)
    finally:
        session.close()
    assert found == [f"{table}.review_date 2027-05-03 is a bank holiday (Early May bank holiday)"
                     for table in ("register_entries", "short_notes", "concern_runs")]


def test_the_checks_find_what_the_demo_once_made(tmp_path):
    """The checker itself: a note's review on a Saturday and a Year 3 leaver "gone to college"
    are found; the phonics check suits Years 1 and 2 only (its retake), for reading."""
    session, _ = demo.create_demo_school(tmp_path / "demo.sendesk", SENCO, SENCO_NAME,
                                         SENCO_PASSWORD, pupils=120, clock=FixedClock(DAYS[0]),
                                         seed=3)
    try:
        db = session.db
        with db.transaction():
            db.execute("UPDATE short_notes SET review_date = '2026-11-28' WHERE id ="
                       " (SELECT min(id) FROM short_notes WHERE event_date <= '2026-11-28')")
            db.execute("UPDATE pupils SET destination = 'Further education college', year_group"
                       " = '3', leaving_date = '2026-07-17' WHERE id = 1")
            # What the demo once made (rev20's finding 5): a report to the LA on a Sunday ten
            # days after the meeting, invitations on the summer bank holiday, a plan issued on
            # a Saturday.
            db.execute("UPDATE ehc_reviews SET report_sent_on = '2026-11-22', invitations_sent_on"
                       " = '2026-08-31' WHERE id = (SELECT min(id) FROM ehc_reviews)")
            db.execute("UPDATE ehc_plans SET issued_on = '2026-03-07' WHERE id ="
                       " (SELECT min(id) FROM ehc_plans)")
        found = "\n".join(faults(session, limit=1000))
    finally:
        session.close()
    assert "short_notes.review_date 2026-11-28 is a Saturday" in found
    assert "left for 'Further education college'" in found
    assert "ehc_reviews.report_sent_on 2026-11-22 is a Sunday" in found
    assert ("ehc_reviews.invitations_sent_on 2026-08-31 is a bank holiday (Summer bank holiday)"
            in found)
    assert "ehc_plans.issued_on 2026-03-07 is a Saturday" in found
    phonics = next(tool for tool in TOOLS if tool.name == "Phonics screening check")
    assert [rank for rank in range(-2, 15) if phonics.fits("CL", rank)] == [1, 2]
    assert not phonics.fits("SEMH", 1)
