"""Two PCs on one record (issue 21, item 6): a save made from a form opened before someone else
saved the same record is refused, says who changed it and when, and carries both versions;
nothing is written. Runs on the SQLCipher file (two sessions on one file) and on the server."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from apdr_support import assess, sen_support_pupil
from conftest import SENCO, SENCO_PASSWORD
from records_fixtures import add_pupil, snapshot
from sendesk.errors import ValidationError
from sendesk.records import apdr, contacts, notes, pupils, stale
from sendesk.records.apdr.plan import draft_as_opened
from sendesk.records.stale import StaleRecord
from sendesk.services import lifecycle, users

OTHER, OTHER_NAME, OTHER_PASSWORD = "jjones", "Jo Jones", "copper-willow-station-62"


@pytest.fixture
def other_pc(school, senco_session, clock):
    """A second SENCO signed in elsewhere (another PC, or another window on the file)."""
    users.add_user(senco_session, OTHER, OTHER_NAME, "senco", OTHER_PASSWORD)
    session = lifecycle.open_school(school[0], OTHER, OTHER_PASSWORD, clock)
    yield session
    session.close()


def test_pupil_details_changed_elsewhere_are_not_overwritten(senco_session, other_pc):
    pupil = add_pupil(senco_session)
    opened = pupils.get_pupil(senco_session, pupil).details
    pupils.update_pupil(other_pc, pupil, {"class_name": "5 Oak"}, expected=opened)
    before = snapshot(senco_session)
    with pytest.raises(StaleRecord) as refused:
        pupils.update_pupil(senco_session, pupil, {"class_name": "5 Ash"}, expected=opened)
    assert snapshot(senco_session) == before
    stale = refused.value
    assert stale.who == OTHER_NAME and stale.when == "on 23/11/2026 at 09:30"
    assert str(stale).startswith(f"{OTHER_NAME} changed ")
    assert [(d.label, d.mine, d.theirs) for d in stale.differences] == [("Class", "5 Ash", "5 Oak")]
    # Keeping mine is a deliberate save over the version now held; theirs stays in the trail.
    now = pupils.get_pupil(senco_session, pupil).details
    assert pupils.update_pupil(senco_session, pupil, {"class_name": "5 Ash"}, expected=now) == ["class_name"]
    # Without expected (the command line, an import) the save goes through as before.
    assert pupils.update_pupil(other_pc, pupil, {"class_name": "5 Elm"}) == ["class_name"]


def test_an_untouched_record_saves_and_a_change_undone_is_no_conflict(senco_session, other_pc):
    pupil = add_pupil(senco_session)
    opened = pupils.get_pupil(senco_session, pupil).details
    pupils.update_pupil(other_pc, pupil, {"class_name": "5 Oak"})
    pupils.update_pupil(other_pc, pupil, {"class_name": opened.class_name})
    assert pupils.update_pupil(senco_session, pupil, {"legal_surname": "Bright"},
                               expected=opened) == ["legal_surname"]


def test_a_contact_corrected_elsewhere(senco_session, other_pc):
    pupil = add_pupil(senco_session)
    contact_id = contacts.add_contact(senco_session, pupil, {
        "name": "Ruth Bright", "relationship": "Mother", "parental_responsibility": True,
        "phone": "01632 960001"})
    opened = contacts.list_contacts(senco_session, pupil)[0].details
    contacts.update_contact(other_pc, contact_id, {"phone": "01632 960999"}, expected=opened)
    with pytest.raises(StaleRecord) as refused:
        contacts.update_contact(senco_session, contact_id, {"email": "ruth@example.org"},
                                expected=opened)
    assert {(d.label, d.mine, d.theirs, d.changed_by_me) for d in refused.value.differences} == {
        ("Phone", "01632 960001", "01632 960999", False),   # only the other PC changed it
        ("Email", "ruth@example.org", "", True)}
    assert contacts.list_contacts(senco_session, pupil)[0].details.email is None
    assert refused.value.what == "the contact Ruth Bright"


def test_a_note_amended_elsewhere(senco_session, other_pc):
    pupil = add_pupil(senco_session)
    note_id = notes.add_note(senco_session, pupil, {
        "event_date": "20/11/2026", "concern": "Struggles to settle after lunch."})
    held = dataclasses.asdict(notes.list_notes(senco_session, pupil)[0])
    opened = {k: held[k] for k in ("event_date", "concern", "parent_discussion",
                                   "agreed_actions", "review_date")}
    notes.amend_note(other_pc, note_id, {"agreed_actions": "Quiet start in the library."},
                     expected=opened)
    with pytest.raises(StaleRecord) as refused:
        notes.amend_note(senco_session, note_id, {"concern": "Struggles after lunch and PE."},
                         expected=opened)
    assert refused.value.who == OTHER_NAME
    assert notes.list_notes(senco_session, pupil)[0].concern == "Struggles to settle after lunch."
    assert {d.label for d in refused.value.differences} == {"Concern", "Agreed actions"}


def test_a_plan_draft_changed_elsewhere(senco_session, other_pc):
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle_id = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle_id, dt.date(2026, 11, 23))
    # Nobody had a draft: both PCs open the empty plan; the other starts it first.
    empty = draft_as_opened(apdr.get_cycle(senco_session, cycle_id).plan)
    apdr.save_plan(other_pc, cycle_id, {"aspirations": "To read to her brother."}, expected=empty)
    with pytest.raises(StaleRecord) as refused:
        apdr.save_plan(senco_session, cycle_id, {"aspirations": "To be a vet."}, expected=empty)
    assert refused.value.who == OTHER_NAME
    assert [(d.label, d.mine, d.theirs) for d in refused.value.differences][0] == \
        ("Aspirations", "To be a vet.", "To read to her brother.")
    # Both open the draft; the other adds an outcome; this PC's save of the dates is refused.
    opened = draft_as_opened(apdr.get_cycle(senco_session, cycle_id).plan)
    apdr.save_plan(other_pc, cycle_id, {"outcomes": [{
        "text": "Read 100 words", "measure": "90 of 100 read correctly", "area": "CL",
        "target_date": dt.date(2027, 2, 1)}]}, expected=opened)
    with pytest.raises(StaleRecord) as refused:
        apdr.save_plan(senco_session, cycle_id, {**opened, "review_date": "05/03/2027"},
                       expected=opened)
    assert ("Outcomes", "", "Read 100 words") in [
        (d.label, d.mine, d.theirs) for d in refused.value.differences]
    plan = apdr.get_cycle(senco_session, cycle_id).plan
    assert plan.review_date is None and [o.text for o in plan.outcomes] == ["Read 100 words"]
    # Opened after that save, the same edit goes through.
    fresh = draft_as_opened(plan)
    apdr.save_plan(senco_session, cycle_id, {**fresh, "review_date": "05/03/2027"}, expected=fresh)
    assert apdr.get_cycle(senco_session, cycle_id).plan.review_date == dt.date(2027, 3, 5)


def test_the_same_person_in_two_windows_is_refused_too(school, senco_session, clock):
    pupil = add_pupil(senco_session)
    second = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    try:
        opened = pupils.get_pupil(senco_session, pupil).details
        pupils.update_pupil(second, pupil, {"class_name": "5 Oak"}, expected=opened)
        with pytest.raises(StaleRecord, match="^Meera Patel changed"):
            pupils.update_pupil(senco_session, pupil, {"class_name": "5 Ash"}, expected=opened)
    finally:
        second.close()


def trail(session, record_type, record_id, field):
    """The change trail's entries for one field: (was, now, by whom), oldest first."""
    return [(r["old_value"], r["new_value"], r["full_name"]) for r in session.db.query(
        "SELECT f.old_value, f.new_value, u.full_name FROM field_changes f JOIN users u"
        " ON u.id = f.changed_by WHERE f.record_type = ? AND f.record_id = ? AND f.field = ?"
        " ORDER BY f.id", (record_type, record_id, field))]


def test_keep_mine_on_a_contact_saves_over_theirs_and_the_trail_keeps_theirs(
        senco_session, other_pc, clock):
    pupil = add_pupil(senco_session)
    contact_id = contacts.add_contact(senco_session, pupil, {
        "name": "Ruth Bright", "relationship": "Mother", "parental_responsibility": True,
        "phone": "01632 960001"})
    opened = contacts.list_contacts(senco_session, pupil)[0].details
    clock.advance(dt.timedelta(minutes=5))
    contacts.update_contact(other_pc, contact_id, {"phone": "01632 960999",
                                                   "relationship": "Mum"}, expected=opened)
    before = snapshot(senco_session)
    mine = {"phone": "07700 900123", "email": "ruth@example.org"}
    with pytest.raises(StaleRecord) as refused:
        contacts.update_contact(senco_session, contact_id, mine, expected=opened)
    assert snapshot(senco_session) == before, "nothing written"
    assert (refused.value.who, refused.value.when) == (OTHER_NAME, "on 23/11/2026 at 09:35")
    assert refused.value.now.phone == "01632 960999"   # what is stored now, to save over
    clock.advance(dt.timedelta(minutes=1))
    assert sorted(contacts.update_contact(senco_session, contact_id, mine,
                                          expected=refused.value.now)) == ["email", "phone"]
    held = contacts.list_contacts(senco_session, pupil)[0].details
    assert (held.phone, held.email, held.relationship) == (
        "07700 900123", "ruth@example.org", "Mum")   # mine, and theirs where I changed nothing
    assert trail(senco_session, "contact", contact_id, "phone") == [
        ("01632 960001", "01632 960999", OTHER_NAME),
        ("01632 960999", "07700 900123", "Meera Patel")]


def test_keep_mine_on_a_note_saves_over_theirs_and_the_trail_keeps_theirs(
        senco_session, other_pc, clock):
    pupil = add_pupil(senco_session)
    note_id = notes.add_note(senco_session, pupil, {
        "event_date": "20/11/2026", "concern": "Struggles to settle after lunch."})
    held = dataclasses.asdict(notes.list_notes(senco_session, pupil)[0])
    opened = {k: held[k] for k in ("event_date", "concern", "parent_discussion",
                                   "agreed_actions", "review_date")}
    clock.advance(dt.timedelta(minutes=7))
    notes.amend_note(other_pc, note_id, {"concern": "Upset after lunch most days."},
                     expected=opened)
    before = snapshot(senco_session)
    with pytest.raises(StaleRecord) as refused:
        notes.amend_note(senco_session, note_id, {"concern": "Struggles after lunch and PE."},
                         expected=opened)
    assert snapshot(senco_session) == before
    assert (refused.value.who, refused.value.when) == (OTHER_NAME, "on 23/11/2026 at 09:37")
    assert [(d.label, d.mine, d.theirs) for d in refused.value.differences] == [
        ("Concern", "Struggles after lunch and PE.", "Upset after lunch most days.")]
    assert notes.amend_note(senco_session, note_id, {"concern": "Struggles after lunch and PE."},
                            expected=refused.value.now) == ["concern"]
    assert notes.list_notes(senco_session, pupil)[0].concern == "Struggles after lunch and PE."
    assert [was for was, _now, _by in trail(senco_session, "note", note_id, "concern")] == [
        "Struggles to settle after lunch.", "Upset after lunch most days."]


def test_a_line_added_to_my_draft_elsewhere_names_who_added_it(senco_session, other_pc, clock):
    """The draft this PC started; the other PC only adds an outcome (a new row, which the
    change trail does not hold): the refusal names them, not the person who started it."""
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle_id = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle_id, dt.date(2026, 11, 23))
    apdr.save_plan(senco_session, cycle_id, {"aspirations": "To read to her brother."})
    opened = draft_as_opened(apdr.get_cycle(senco_session, cycle_id).plan)
    clock.advance(dt.timedelta(minutes=12))
    outcome = {"text": "Read 100 words", "measure": "90 of 100 read correctly", "area": "CL",
               "target_date": dt.date(2027, 2, 1)}
    apdr.save_plan(other_pc, cycle_id, {"outcomes": [outcome]}, expected=opened)
    before = snapshot(senco_session)
    mine = {"aspirations": "To read to her brother and sister."}
    with pytest.raises(StaleRecord) as refused:
        apdr.save_plan(senco_session, cycle_id, mine, expected=opened)
    assert snapshot(senco_session) == before
    assert (refused.value.who, refused.value.when) == (OTHER_NAME, "on 23/11/2026 at 09:42")
    # Keep mine: my aspirations over the draft as it is now; their outcome stays.
    apdr.save_plan(senco_session, cycle_id, mine, expected=refused.value.now)
    plan = apdr.get_cycle(senco_session, cycle_id).plan
    assert plan.aspirations == mine["aspirations"]
    assert [o.text for o in plan.outcomes] == ["Read 100 words"]


def test_keep_mine_on_a_draft_merges_the_lines_and_keeps_what_the_other_pc_added(
        senco_session, other_pc, clock):
    """Both PCs edit the draft: this one removes an outcome and corrects another, the other
    adds one and corrects a third. Keep mine (merge_rows over the version now stored) applies
    my removal and my correction and keeps their new outcome and their correction: nothing of
    theirs is removed under my name."""
    pupil = sen_support_pupil(senco_session)
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle_id = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle_id, dt.date(2026, 11, 23))

    def outcome(text):
        return {"text": text, "measure": "4 of 5 sessions", "area": "SEMH",
                "target_date": dt.date(2027, 2, 1)}

    apdr.save_plan(senco_session, cycle_id, {
        "aspirations": "To have friends.", "plan_date": "23/11/2026",
        "outcomes": [outcome("Take turns"), outcome("Ask for help"), outcome("Line up calmly")]})
    opened = draft_as_opened(apdr.get_cycle(senco_session, cycle_id).plan)
    theirs = [dict(o) for o in opened["outcomes"]]
    theirs[2]["text"] = "Line up calmly after break"
    theirs.append(outcome("Join in a small-group game at break"))
    clock.advance(dt.timedelta(minutes=3))
    apdr.save_plan(other_pc, cycle_id, {"aspirations": "To have two friends.",
                                        "outcomes": theirs}, expected=opened)
    mine_rows = [dict(opened["outcomes"][0], text="Take turns in a game"),
                 dict(opened["outcomes"][2])]          # "Ask for help" removed
    mine = {"aspirations": "To have friends at break.", "plan_date": "23/11/2026",
            "outcomes": mine_rows}
    with pytest.raises(StaleRecord) as refused:
        apdr.save_plan(senco_session, cycle_id, mine, expected=opened)
    # The plan date, the same on both, is not listed as a difference.
    assert [d.label for d in refused.value.differences] == ["Aspirations", "Outcomes"]
    assert refused.value.same == 3
    now = refused.value.now
    merged = stale.merge_rows(opened["outcomes"], mine_rows, now["outcomes"])
    apdr.save_plan(senco_session, cycle_id, {**mine, "outcomes": merged}, expected=now)
    plan = apdr.get_cycle(senco_session, cycle_id).plan
    assert plan.aspirations == "To have friends at break."
    assert [o.text for o in plan.outcomes] == [
        "Take turns in a game", "Line up calmly after break", "Join in a small-group game at break"]
    removed = senco_session.db.query(
        "SELECT o.text, u.full_name FROM apdr_outcomes o JOIN users u ON u.id = o.removed_by"
        " WHERE o.plan_id = ? AND o.removed_at IS NOT NULL", (plan.id,))
    assert [(r["text"], r["full_name"]) for r in removed] == [("Ask for help", "Meera Patel")]
    assert trail(senco_session, "outcome", opened["outcomes"][2]["id"], "text") == [
        ("Line up calmly", "Line up calmly after break", OTHER_NAME)]


def test_merge_rows_brings_back_a_line_i_edited_that_they_removed():
    opened = [{"id": 1, "text": "A"}, {"id": 2, "text": "B"}]
    now = [{"id": 2, "text": "B"}]                       # they removed A
    assert stale.merge_rows(opened, [{"id": 1, "text": "A2"}, {"id": 2, "text": "B"}], now) == [
        {"id": None, "text": "A2"}, {"id": 2, "text": "B"}]
    # Left alone here, their removal stands; a line I added is added.
    assert stale.merge_rows(opened, [*opened, {"id": None, "text": "C"}], now) == [
        {"id": 2, "text": "B"}, {"id": None, "text": "C"}]


def test_a_contact_ended_elsewhere_says_who_ended_it_and_when(senco_session, other_pc, clock):
    pupil = add_pupil(senco_session)
    contact_id = contacts.add_contact(senco_session, pupil, {
        "name": "Ruth Bright", "relationship": "Mother", "parental_responsibility": True,
        "phone": "01632 960001"})
    opened = contacts.list_contacts(senco_session, pupil)[0].details
    clock.advance(dt.timedelta(minutes=8))
    contacts.end_contact(other_pc, contact_id, "20/11/2026")
    before = snapshot(senco_session)
    with pytest.raises(ValidationError) as refused:
        contacts.update_contact(senco_session, contact_id, {"phone": "07700 900123"},
                                expected=opened)
    assert str(refused.value) == (
        f"{OTHER_NAME} ended the contact Ruth Bright on 23/11/2026 at 09:38, after you opened "
        "it, so your changes were not saved. Add them again if they are involved once more.")
    assert snapshot(senco_session) == before
