"""The demo school obeys the app's own rules at every size and seed (issue 20, item 10):
`sendesk-cli demo DB --pupils 60000` once stopped after two minutes on an EHC plan "issued"
in 2013. Small schools of several sizes and seeds are built here and every stored row is run
back through the core's validation (tests/demo_rules.py says which); the 60,000-pupil figure
is in docs/performance.md."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import SENCO, SENCO_NAME, SENCO_PASSWORD
from tests.demo_rules import faults

from sendesk import demo
from sendesk.clock import FixedClock
from sendesk.demo.catalogue import TOOLS

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
        found = "\n".join(faults(session, limit=1000))
    finally:
        session.close()
    assert "short_notes.review_date 2026-11-28 is a Saturday" in found
    assert "left for 'Further education college'" in found
    phonics = next(tool for tool in TOOLS if tool.name == "Phonics screening check")
    assert [rank for rank in range(-2, 15) if phonics.fits("CL", rank)] == [1, 2]
    assert not phonics.fits("SEMH", 1)
