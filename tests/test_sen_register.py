"""The SEN register: only a SENCO changes status or needs; history is kept in order; joining
or leaving the register opens a parent notification item until every contact with parental
responsibility has been told."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlcipher3
from tests.records_fixtures import add_parents, add_pupil, audit_actions, snapshot

from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models import sen
from sendesk.models.flags import Flag
from sendesk.records import contacts, notifications, pupils, sen_register


@pytest.fixture
def pupil(senco_session):
    pupil_id = add_pupil(senco_session)
    return pupil_id, add_parents(senco_session, pupil_id)


def test_staff_are_refused_and_nothing_changes(senco_session, staff_session, pupil):
    pupil_id, _ = pupil
    before = snapshot(staff_session)
    with pytest.raises(PermissionDenied, match="change SEN status or needs"):
        sen_register.change_status(staff_session, pupil_id, "K", "20/11/2026", "Concern",
                                   ["SLCN"])
    with pytest.raises(PermissionDenied):
        sen_register.set_needs(staff_session, pupil_id, ["SLCN"], "20/11/2026")
    assert snapshot(staff_session) == before


def test_a_senco_adds_a_pupil_to_the_register(senco_session, pupil):
    pupil_id, _ = pupil
    sen_register.change_status(senco_session, pupil_id, "K", "20/11/2026",
                               "Assessment shows needs beyond quality-first teaching",
                               ["SLCN", "SEMH"])
    record = pupils.get_pupil(senco_session, pupil_id)
    assert (record.sen_status, record.primary_need) == ("K", "SLCN")
    assert Flag.NOTIFICATION_DUE in record.flags
    (period,) = sen_register.status_history(senco_session, pupil_id)
    assert (period.status, period.start_date, period.changed_by) == (
        "K", dt.date(2026, 11, 20), "Meera Patel")
    assert [(n.code, n.rank) for n in
            sen_register.needs_history(senco_session, pupil_id, current_only=True)] == [
        ("SLCN", 1), ("SEMH", 2)]
    assert "changed SEN status" in audit_actions(senco_session)


def test_the_notification_clears_only_when_every_parent_is_told(senco_session, pupil):
    pupil_id, (mother, father) = pupil
    sen_register.change_status(senco_session, pupil_id, "K", "18/11/2026", "Needs", ["MLD"])
    (due,) = notifications.notifications_for_pupil(senco_session, pupil_id)
    assert due.change == "added" and due.open and set(due.outstanding_contact_ids) == {mother, father}
    assert notifications.record_notification(senco_session, due.id, [mother], "19/11/2026",
                                             "letter") is False
    (due,) = notifications.notifications_for_pupil(senco_session, pupil_id)
    assert due.outstanding_contact_ids == (father,)
    assert notifications.record_notification(senco_session, due.id, [father], "20/11/2026",
                                             "Email") is True
    (due,) = notifications.notifications_for_pupil(senco_session, pupil_id)
    assert not due.open and [s.recipient for s in due.sent] == ["Funmi Adeyemi", "Tunde Adeyemi"]
    assert Flag.NOTIFICATION_DUE not in pupils.get_pupil(senco_session, pupil_id).flags


def test_a_newly_added_parent_must_be_told_too(senco_session, pupil):
    pupil_id, (mother, father) = pupil
    sen_register.change_status(senco_session, pupil_id, "K", "18/11/2026", "Needs", ["MLD"])
    (due,) = notifications.notifications_for_pupil(senco_session, pupil_id)
    notifications.record_notification(senco_session, due.id, [mother], "19/11/2026", "letter")
    carer = contacts.add_contact(senco_session, pupil_id, {
        "name": "Kemi Bello", "relationship": "Special guardian", "parental_responsibility": True})
    assert notifications.record_notification(senco_session, due.id, [father], "19/11/2026",
                                             "meeting") is False
    contacts.end_contact(senco_session, carer, "22/11/2026")
    (due,) = notifications.notifications_for_pupil(senco_session, pupil_id)
    assert not due.open


@pytest.mark.parametrize("contact_ids, day, method, words", [
    ([], "20/11/2026", "letter", "Choose who was notified"),
    ([999], "20/11/2026", "letter", "not one of this pupil's contacts"),
    (None, "17/11/2026", "letter", "cannot be before the change"),
    (None, "24/11/2026", "letter", "cannot be after today"),
    (None, "20/11/2026", "carrier pigeon", "not a way of notifying"),
])
def test_bad_notifications_are_refused(senco_session, pupil, contact_ids, day, method, words):
    pupil_id, parents = pupil
    sen_register.change_status(senco_session, pupil_id, "K", "18/11/2026", "Needs", ["MLD"])
    (due,) = notifications.notifications_for_pupil(senco_session, pupil_id)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match=words):
        notifications.record_notification(senco_session, due.id,
                                          parents if contact_ids is None else contact_ids,
                                          day, method)
    assert snapshot(senco_session) == before


def test_no_parents_means_the_item_stays_open(senco_session):
    pupil_id = add_pupil(senco_session)
    sen_register.change_status(senco_session, pupil_id, "K", "18/11/2026", "Needs", ["MLD"])
    (due,) = notifications.notifications_for_pupil(senco_session, pupil_id)
    assert due.open and due.outstanding_contact_ids == ()


def test_removal_uses_n_ends_needs_and_needs_a_notification(senco_session, pupil):
    pupil_id, _ = pupil
    sen_register.change_status(senco_session, pupil_id, "K", "01/09/2026", "Needs", ["SPLD"])
    sen_register.change_status(senco_session, pupil_id, "N", "20/11/2026", "Needs now met")
    history = sen_register.status_history(senco_session, pupil_id)
    assert [(p.status, p.start_date, p.end_date) for p in history] == [
        ("K", dt.date(2026, 9, 1), dt.date(2026, 11, 20)), ("N", dt.date(2026, 11, 20), None)]
    assert sen_register.needs_history(senco_session, pupil_id, current_only=True) == []
    changes = [d.change for d in notifications.notifications_for_pupil(senco_session, pupil_id)]
    assert changes == ["removed", "added"]


def test_moving_between_e_and_k_needs_no_notification(senco_session, pupil):
    pupil_id, _ = pupil
    sen_register.change_status(senco_session, pupil_id, "K", "01/09/2026", "Needs", ["ASD"])
    sen_register.change_status(senco_session, pupil_id, "E", "20/11/2026", "EHC plan issued")
    assert len(notifications.notifications_for_pupil(senco_session, pupil_id)) == 1
    assert pupils.get_pupil(senco_session, pupil_id).primary_need == "ASD"


@pytest.mark.parametrize("steps, status, day, needs, words", [
    ([], "N", "20/11/2026", [], "only for a pupil being taken off"),
    ([], "K", "20/11/2026", [], "Choose a primary need"),
    ([], "K", "20/11/2026", ["DYS"], "not a census type-of-need code"),
    ([], "E", "20/11/2026", ["NSA"], "only used for SEN support"),
    ([], "K", "20/11/2026", ["NSA", "MLD"], "cannot be combined"),
    ([], "K", "20/11/2026", ["MLD", "MLD"], "listed twice"),
    ([], "S", "20/11/2026", ["MLD"], "old provision code"),
    ([], "X", "20/11/2026", ["MLD"], "not E"),
    ([], "K", "30/11/2026", ["MLD"], "cannot be after today"),
    ([], "K", "31/11/2026", ["MLD"], "not a real date"),
    ([("K", "01/10/2026", ["MLD"])], "K", "20/11/2026", ["MLD"], "already K"),
    ([("K", "01/10/2026", ["MLD"])], "E", "01/09/2026", None, "start of the current status"),
    ([("K", "01/10/2026", ["NSA"])], "E", "20/11/2026", None, "only used for SEN support"),
    ([("K", "01/10/2026", ["MLD"])], "N", "20/11/2026", ["MLD"], "only for pupils on the SEN"),
])
def test_register_rules(senco_session, pupil, steps, status, day, needs, words):
    pupil_id, _ = pupil
    for step_status, step_day, step_needs in steps:
        sen_register.change_status(senco_session, pupil_id, step_status, step_day, "Step",
                                   step_needs)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match=words):
        sen_register.change_status(senco_session, pupil_id, status, day, "Reason", needs)
    assert snapshot(senco_session) == before


def test_a_reason_is_required(senco_session, pupil):
    with pytest.raises(ValidationError, match="Reason for the change is required"):
        sen_register.change_status(senco_session, pupil[0], "K", "20/11/2026", "  ", ["MLD"])


def test_needs_change_with_history(senco_session, pupil):
    pupil_id, _ = pupil
    sen_register.change_status(senco_session, pupil_id, "K", "01/09/2026", "Needs", ["MLD", "SLCN"])
    assert sen_register.set_needs(senco_session, pupil_id, ["SLCN", "MLD"], "20/11/2026") is True
    assert sen_register.set_needs(senco_session, pupil_id, ["SLCN", "MLD"], "20/11/2026") is False
    history = sen_register.needs_history(senco_session, pupil_id)
    assert [(n.code, n.rank, n.end_date) for n in history] == [
        ("MLD", 1, dt.date(2026, 11, 20)), ("SLCN", 2, dt.date(2026, 11, 20)),
        ("SLCN", 1, None), ("MLD", 2, None)]
    assert pupils.get_pupil(senco_session, pupil_id).primary_need == "SLCN"


def test_needs_need_a_place_on_the_register(senco_session, pupil):
    with pytest.raises(ValidationError, match="Change the status first"):
        sen_register.set_needs(senco_session, pupil[0], ["MLD"], "20/11/2026")


def test_legacy_codes_are_read_but_never_written(senco_session, pupil):
    assert [sen.read_status(code) for code in ("S", "A", "P", "k")] == ["E", "K", "K", "K"]
    with pytest.raises(ValidationError, match="no longer used; record the status as E"):
        sen.clean_status("S")
    with pytest.raises(sqlcipher3.IntegrityError):
        with senco_session.db.transaction():
            senco_session.db.execute(
                "INSERT INTO sen_status_history (pupil_id, status, start_date, entered_at)"
                " VALUES (?, 'S', '2010-01-01', '')", (pupil[0],))


def test_need_codes_data(senco_session):
    codes = sen.need_codes()
    assert list(codes)[:4] == ["SPLD", "MLD", "SLD", "PMLD"]
    assert codes["DS"].label == "Down syndrome" and codes["DS"].area is None
    assert codes["ASD"].area_label == "Communication and interaction"
    assert codes["NSA"].only_with_status == ("K",)
    assert set(sen.areas().values()) == {"Cognition and learning", "Communication and interaction",
                                         "Social, emotional and mental health",
                                         "Sensory and/or physical"}


def test_effective_status_lapses_after_the_first_census(senco_session):
    removed = dt.date(2026, 11, 20)
    assert sen_register.effective_status("N", removed, dt.date(2027, 1, 21)) == "N"
    assert sen_register.effective_status("N", removed, dt.date(2027, 1, 22)) is None
    assert sen_register.effective_status("K", removed, dt.date(2030, 1, 1)) == "K"


def test_archived_pupils_keep_their_register_as_it_was(senco_session, pupil):
    pupil_id, _ = pupil
    sen_register.change_status(senco_session, pupil_id, "K", "01/09/2026", "Needs", ["MLD"])
    pupils.archive_leaver(senco_session, pupil_id, "20/11/2026", "Moved away")
    with pytest.raises(PermissionDenied, match="archived"):
        sen_register.change_status(senco_session, pupil_id, "N", "21/11/2026", "Left")


def test_home_counts_the_roll_the_statuses_and_the_register_needs(senco_session):
    """Home's counts, read in one grouped query: an N removed before the last census has
    lapsed and is not counted, a leaver is not on roll, and needs count only on the register."""
    from sendesk.records import dashboard
    session = senco_session
    e, k, n_recent, n_lapsed, _, leaver = (add_pupil(session, serial) for serial in range(1, 7))
    for pupil_id, need in ((e, "ASD"), (k, "MLD"), (n_recent, "SPLD"), (n_lapsed, "SEMH"),
                           (leaver, "SLCN")):
        sen_register.change_status(session, pupil_id, "K", "01/09/2026", "Needs", [need])
    sen_register.change_status(session, e, "E", "20/11/2026", "EHC plan issued")
    sen_register.change_status(session, n_recent, "N", "20/11/2026", "Needs now met")
    sen_register.change_status(session, n_lapsed, "N", "15/09/2026", "Needs now met")
    pupils.archive_leaver(session, leaver, "20/11/2026", "Moved away")
    board = dashboard.dashboard(session)
    assert board.on_roll == 5
    assert board.by_status == {"E": 1, "K": 1, "N": 1}
    assert {code: count for code, count in board.by_need.items() if count} == {"ASD": 1, "MLD": 1}
    assert board.by_area["Communication and interaction"] == 1
    assert board.by_area["Cognition and learning"] == 1
