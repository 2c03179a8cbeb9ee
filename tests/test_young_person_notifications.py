"""From 16 a pupil can be told themselves that they joined or left the SEN register (issue 20
item 6): with the school's choice "as well as", a notification item clears only once the
parents and the young person are told; with "instead", once the young person is; with
"parents" (the default), as before. Home's count, the agenda, the full SEND file and the
transfer package follow; a school made before migration 17 upgrades with its items marked."""

from __future__ import annotations

import pytest
from tests.records_fixtures import add_parents, add_pupil, snapshot
from tests.transfer_support import fake_pdf, recipient

from sendesk.documents import build_documents
from sendesk.errors import ValidationError
from sendesk.models.flags import Flag
from sendesk.records import agenda, dashboard, notifications, pupils, school_contacts, sen_register
from sendesk.services import lifecycle
from sendesk.transfer import receiving, sending

# The clock says 23/11/2026: born 01/03/2009 the pupil is 17, born 19/11/2010 they turned 16
# on 19/11/2026.
SEVENTEEN = "01/03/2009"


def _choose(session, choice: str) -> None:
    school_contacts.set_school_contacts(session, {"young_person": choice})


def _young_pupil(session, dob: str = SEVENTEEN, serial: int = 1) -> tuple[int, list[int]]:
    pupil_id = add_pupil(session, serial, dob=dob, year_group="Year 12", class_name="12A")
    parents = add_parents(session, pupil_id)
    sen_register.change_status(session, pupil_id, "K", "18/11/2026", "Needs", ["MLD"])
    return pupil_id, parents


def _due(session, pupil_id):
    (due,) = notifications.notifications_for_pupil(session, pupil_id)
    return due


def _home_count(session, pupil_id) -> int | None:
    found = [d.outstanding for d in dashboard.dashboard(session).notifications_due
             if d.pupil_id == pupil_id]
    return found[0] if found else None


def test_by_default_the_parents_are_told_even_from_16(senco_session):
    pupil_id, parents = _young_pupil(senco_session)
    due = _due(senco_session, pupil_id)
    assert due.young_person and not due.young_person_to_tell
    assert set(due.outstanding_contact_ids) == set(parents)
    assert _home_count(senco_session, pupil_id) == 2
    assert notifications.record_notification(senco_session, due.id, parents, "19/11/2026",
                                             "letter") is True
    assert _home_count(senco_session, pupil_id) is None


def test_as_well_as_the_parents_clears_only_when_both_are_told(senco_session):
    _choose(senco_session, "as_well")
    pupil_id, parents = _young_pupil(senco_session)
    due = _due(senco_session, pupil_id)
    assert due.young_person_to_tell and set(due.outstanding_contact_ids) == set(parents)
    assert _home_count(senco_session, pupil_id) == 3
    assert notifications.record_notification(senco_session, due.id, parents, "19/11/2026",
                                             "letter") is False
    due = _due(senco_session, pupil_id)
    assert due.open and due.young_person_to_tell and due.outstanding_contact_ids == ()
    assert _home_count(senco_session, pupil_id) == 1
    assert Flag.NOTIFICATION_DUE in pupils.get_pupil(senco_session, pupil_id).flags
    assert notifications.record_notification(senco_session, due.id, [], "20/11/2026", "meeting",
                                             young_person=True) is True
    due = _due(senco_session, pupil_id)
    assert not due.open and not due.young_person_to_tell
    assert [s.to_whom for s in due.sent] == [
        "Funmi Adeyemi", "Tunde Adeyemi", "Temi Adeyemi (the young person)"]
    assert Flag.NOTIFICATION_DUE not in pupils.get_pupil(senco_session, pupil_id).flags
    assert _home_count(senco_session, pupil_id) is None


def test_instead_of_the_parents_only_the_young_person_clears_it(senco_session):
    _choose(senco_session, "instead")
    pupil_id, parents = _young_pupil(senco_session)
    due = _due(senco_session, pupil_id)
    assert due.young_person_to_tell and due.outstanding_contact_ids == ()
    assert _home_count(senco_session, pupil_id) == 1
    # Telling the parents is kept as a record but is not what the school chose.
    assert notifications.record_notification(senco_session, due.id, parents, "19/11/2026",
                                             "letter") is False
    assert _home_count(senco_session, pupil_id) == 1
    assert notifications.record_notification(senco_session, due.id, [], "19/11/2026", "email",
                                             young_person=True) is True
    assert not _due(senco_session, pupil_id).open


def test_a_pupil_under_16_on_the_day_it_fell_due_is_not_told_themselves(senco_session):
    _choose(senco_session, "instead")
    # 16 on 19/11/2026: the change on 18/11/2026 came the day before.
    pupil_id, parents = _young_pupil(senco_session, dob="19/11/2010")
    due = _due(senco_session, pupil_id)
    assert not due.young_person and not due.young_person_to_tell
    assert set(due.outstanding_contact_ids) == set(parents)
    before = snapshot(senco_session)
    held = senco_session.db.query_one("SELECT * FROM parent_notifications_due WHERE id = ?",
                                      (due.id,))
    with pytest.raises(ValidationError) as refused:
        notifications.record_notification(senco_session, due.id, [], "19/11/2026", "letter",
                                          young_person=True)
    assert str(refused.value) == ("Temi Adeyemi was under 16 on 18/11/2026, when the change was "
                                  "made, so it is their parents who are told.")
    assert snapshot(senco_session) == before
    assert senco_session.db.query_one("SELECT * FROM parent_notifications_due WHERE id = ?",
                                      (due.id,)) == held


def test_the_sixteenth_birthday_itself_counts(senco_session):
    _choose(senco_session, "instead")
    pupil_id, _ = _young_pupil(senco_session, dob="18/11/2010")
    assert _due(senco_session, pupil_id).young_person_to_tell


def test_the_young_person_is_told_once(senco_session):
    _choose(senco_session, "as_well")
    pupil_id, _ = _young_pupil(senco_session)
    due = _due(senco_session, pupil_id)
    notifications.record_notification(senco_session, due.id, [], "19/11/2026", "letter",
                                      young_person=True)
    with pytest.raises(ValidationError, match="A notification to Temi Adeyemi is already recorded"):
        notifications.record_notification(senco_session, due.id, [], "20/11/2026", "letter",
                                          young_person=True)


def test_changing_the_schools_choice_clears_items_now_complete(senco_session):
    pupil_id, parents = _young_pupil(senco_session)
    due = _due(senco_session, pupil_id)
    # The school told the young person only, then chose "instead": the item is complete.
    assert notifications.record_notification(senco_session, due.id, [], "19/11/2026", "letter",
                                             young_person=True) is False
    assert Flag.NOTIFICATION_DUE in pupils.get_pupil(senco_session, pupil_id).flags
    _choose(senco_session, "instead")
    assert not _due(senco_session, pupil_id).open
    assert Flag.NOTIFICATION_DUE not in pupils.get_pupil(senco_session, pupil_id).flags
    assert _home_count(senco_session, pupil_id) is None


def test_a_corrected_date_of_birth_decides_again_for_open_items(senco_session):
    _choose(senco_session, "as_well")
    pupil_id, parents = _young_pupil(senco_session, dob="14/03/2016")
    assert not _due(senco_session, pupil_id).young_person
    pupils.update_pupil(senco_session, pupil_id, {"dob": SEVENTEEN})
    due = _due(senco_session, pupil_id)
    assert due.young_person and due.young_person_to_tell
    assert _home_count(senco_session, pupil_id) == 3


def test_the_agenda_says_who_to_tell(senco_session, clock):
    _choose(senco_session, "instead")
    pupil_id, _ = _young_pupil(senco_session)
    items = [i for i in agenda.agenda(senco_session, "16/11/2026", clock.today())
             if i.pupil_id == pupil_id and i.key.startswith("notification-")]
    assert [i.detail for i in items] == [
        "Tell the young person formally that the pupil was added to the SEN register."]


def test_the_full_send_file_shows_the_young_person_told(senco_session):
    _choose(senco_session, "as_well")
    pupil_id, parents = _young_pupil(senco_session)
    due = _due(senco_session, pupil_id)
    notifications.record_notification(senco_session, due.id, [], "20/11/2026", "meeting",
                                      young_person=True)
    [document] = build_documents(senco_session, pupil_id, "file")
    assert "Temi Adeyemi (the young person), 20/11/2026 by meeting" in document.text()


def test_the_transfer_package_carries_the_notification_to_the_young_person(
        senco_session, tmp_path, clock):
    sender, _ = lifecycle.create(
        tmp_path / "sender.sendesk", school_name="Larkfield Sixth Form", school_reference="654321",
        username="sbrown", full_name="Sam Brown", password="copper-willow-evening-29", clock=clock)
    try:
        _choose(sender, "as_well")
        pupil_id, parents = _young_pupil(sender)
        due = _due(sender, pupil_id)
        notifications.record_notification(sender, due.id, parents, "19/11/2026", "letter")
        notifications.record_notification(sender, due.id, [], "20/11/2026", "meeting",
                                          young_person=True)
        result = sending.send(sender, pupil_id, recipient(), tmp_path / "pupil.sendesk-transfer",
                              fake_pdf, without_consent="Asked by the local authority.")
    finally:
        sender.close()
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    imported = receiving.import_package(senco_session, preview, {})
    (arrived,) = notifications.notifications_for_pupil(senco_session, imported.pupil_id)
    assert arrived.young_person and not arrived.open
    assert [(s.to_whom, s.method, s.young_person) for s in arrived.sent][-1] == (
        "Temi Adeyemi (the young person)", "meeting", True)
    row = senco_session.db.query_one("SELECT u.full_name FROM parent_notifications_due d JOIN users u"
                                     " ON u.id = d.young_person_entered_by WHERE d.pupil_id = ?",
                                     (imported.pupil_id,))
    assert row["full_name"].startswith("Sam Brown")
