"""Opening a pupil's record reads a dozen tables; on the school server those reads are named
first and answered in one round trip (Database.read_ahead). These tests hold the record read
that way to exactly what each module reads for itself, and the server's round trips to two
(the reads, then the audit entry), so a read added without being named, or an answer kept
past a change, fails here rather than slowing or misleading a school network."""

from __future__ import annotations

import pytest

from records_fixtures import add_parents, add_pupil
from sendesk.records import consent, notes, pupil_record, pupils, sen_register
from sendesk.records.pupil_record import _record


def _full_record(session) -> int:
    """A pupil with something on every tab the record opens on."""
    pupil_id = add_pupil(session)
    parent, _ = add_parents(session, pupil_id)
    consent.record_consent(session, pupil_id, {
        "given_by": "Funmi Adeyemi", "giver_kind": "parent or carer", "given_on": "2026-11-20",
        "scope": "Share with the speech and language service"})
    sen_register.change_status(session, pupil_id, "K", "18/11/2026", "Needs", ["MLD", "SLCN"])
    notes.add_note(session, pupil_id, {"event_date": "21/11/2026", "concern": "Reading."})
    pupils.update_pupil(session, pupil_id, {"class_name": "4B"})
    return pupil_id


def test_the_record_read_together_is_what_each_read_gives_alone(senco_session):
    pupil_id = _full_record(senco_session)
    together = pupil_record.open_record(senco_session, pupil_id)
    assert together == _record(senco_session, pupil_id)   # each module's read, in turn
    assert together.contacts and together.consents and together.notes
    assert [need.code for need in together.current_needs] == ["MLD", "SLCN"]
    assert together.notifications and together.changes
    assert pupil_record.reread_record(senco_session, pupil_id) == together


@pytest.mark.server_only
def test_opening_a_record_on_the_server_is_two_round_trips(senco_session, monkeypatch):
    pupil_id = _full_record(senco_session)
    db = senco_session.db
    trips: list[str] = []
    run = db._run

    def counted(work):
        trips.append(work.__qualname__)
        return run(work)

    monkeypatch.setattr(db, "_run", counted)
    pupil_record.open_record(senco_session, pupil_id)
    assert len(trips) == 2, trips   # every read at once, then "opened a pupil record"
    trips.clear()
    pupil_record.reread_record(senco_session, pupil_id)
    assert len(trips) == 1, trips


@pytest.mark.server_only
def test_a_read_ahead_answers_once_and_never_after_a_change(senco_session):
    pupil_id = add_pupil(senco_session)
    db = senco_session.db
    read = ("SELECT class_name FROM pupils WHERE id = ?", (pupil_id,))
    with db.read_ahead([read]):
        db.execute("UPDATE pupils SET class_name = '6C' WHERE id = ?", (pupil_id,))
        assert db.scalar(*read) == "6C"   # the write dropped the answer read before it
    with db.read_ahead([read]):
        before = db.scalar(*read)
        db.execute("UPDATE pupils SET class_name = '6D' WHERE id = ?", (pupil_id,))
        assert (before, db.scalar(*read)) == ("6C", "6D")   # answered once, then read afresh
    with db.read_ahead([read]):
        # The same SQL with the id as text is another read, not answered from the first.
        assert db.query("SELECT class_name FROM pupils WHERE id = CAST(? AS BIGINT)",
                        (str(pupil_id),))[0][0] == "6D"
    assert db.scalar(*read) == "6D"   # outside: every read goes to the server
