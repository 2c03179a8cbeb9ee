"""Pupils, contacts, consent, registers, notes and the pupil list on a real encrypted database:
validation in the core, history kept, leavers archived, every read and change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.records_fixtures import add_parents, add_pupil, audit_actions, audit_text, pupil_data, snapshot, upn

from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models.flags import Flag
from sendesk.models.registers import RegisterKind
from sendesk.records import consent, contacts, notes, pupil_list, pupil_record, pupils, registers, sen_register
from sendesk.records.pupil_list import PupilFilter


def test_a_pupil_is_added_and_read_back(senco_session):
    pupil_id = add_pupil(senco_session)
    pupil = pupils.get_pupil(senco_session, pupil_id)
    assert pupil.details.upn == upn(1)
    assert pupil.details.year_group == "5"
    assert pupil.details.dob == dt.date(2016, 3, 14)
    assert pupil.display_name == "Adeyemi, Temi"
    assert audit_actions(senco_session)[-2:] == ["added a pupil", "opened a pupil record"]


@pytest.mark.parametrize("field, value, words", [
    ("upn", "A801200005001", "check letter"),
    ("dob", "31/02/2016", "not a real date"),
    ("dob", "30/02/2016", "no day 30 in month 2"),
    ("dob", "2016-13-01", "(there is no month 13)"),
    ("dob", "12/25/2016", "month/day"),
    ("dob", "14/03/16", "two-digit year"),
    ("dob", "01/01/2030", "cannot be after"),
    ("dob", "01/01/1950", "cannot be before"),
    ("gender", "Q", "Gender"),
    ("year_group", "Year 15", "national curriculum year"),
    ("year_group", "Nursery", "national curriculum year"),
    ("legal_surname", "", "Legal surname is required"),
    ("legal_surname", "=HYPERLINK(\"http://x\")", "spreadsheet formula"),
    ("legal_forename", "Tem\u202eipot", "hidden control character"),
    ("admission_date", "01/01/2010", "before the date of birth"),
])
def test_bad_details_are_refused_and_nothing_is_saved(senco_session, field, value, words):
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match=words):
        pupils.add_pupil(senco_session, pupil_data(**{field: value}))
    assert snapshot(senco_session) == before


@pytest.mark.parametrize("typed, stored", [("Reception", "R"), ("Y7", "7"), ("07", "7"),
                                           ("n1", "N1"), ("Year 14", "14"), (3, "3")])
def test_year_groups_are_read_as_people_write_them(senco_session, typed, stored):
    pupil_id = add_pupil(senco_session, year_group=typed)
    assert pupils.get_pupil(senco_session, pupil_id).details.year_group == stored


def test_a_upn_is_used_once(senco_session):
    add_pupil(senco_session)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="already belongs to another pupil"):
        add_pupil(senco_session, legal_forename="Another")
    assert snapshot(senco_session) == before


def test_edits_keep_the_old_values(senco_session):
    pupil_id = add_pupil(senco_session)
    changed = pupils.update_pupil(senco_session, pupil_id, {"class_name": "5R", "year_group": "6"})
    assert changed == ["year_group", "class_name"]
    history = pupils.change_history(senco_session, pupil_id)
    assert [(c.field, c.old_value, c.new_value) for c in history] == [
        ("year_group", "5", "6"), ("class_name", "5W", "5R")]
    assert history[0].changed_by == "Meera Patel"
    assert pupils.update_pupil(senco_session, pupil_id, {"class_name": "5R"}) == []
    with pytest.raises(ValidationError, match="cannot be edited here"):
        pupils.update_pupil(senco_session, pupil_id, {"sen_status": "E"})


def test_staff_may_read_but_not_edit(senco_session, staff_session):
    pupil_id = add_pupil(senco_session)
    assert pupils.get_pupil(staff_session, pupil_id).id == pupil_id
    before = snapshot(staff_session)
    with pytest.raises(PermissionDenied, match="Staff"):
        pupils.update_pupil(staff_session, pupil_id, {"class_name": "5R"})
    with pytest.raises(PermissionDenied):
        pupils.add_pupil(staff_session, pupil_data(2))
    with pytest.raises(PermissionDenied):
        contacts.add_contact(staff_session, pupil_id, {"name": "A", "relationship": "Mother"})
    assert snapshot(staff_session) == before


def test_including_leavers_lists_everyone_in_name_order(senco_session):
    names = {"Zeller": 1, "Abbott": 2, "Moss": 3, "Carr": 4}
    ids = {surname: add_pupil(senco_session, serial, legal_surname=surname)
           for surname, serial in names.items()}
    pupils.archive_leaver(senco_session, ids["Moss"], "20/11/2026", "Moved away")
    pupils.archive_leaver(senco_session, ids["Abbott"], "20/11/2026", "Moved away")
    everyone = PupilFilter(include_archived=True)
    assert pupil_list.search_ids(senco_session, everyone) == [
        ids["Abbott"], ids["Carr"], ids["Moss"], ids["Zeller"]]
    assert pupil_list.search_ids(senco_session, PupilFilter(include_archived=True,
                                                            descending=True))[0] == ids["Zeller"]
    assert pupil_list.search_ids(senco_session, PupilFilter(include_archived=True, text="mos")) \
        == [ids["Moss"]]
    assert pupil_list.search_ids(senco_session) == [ids["Carr"], ids["Zeller"]]


def test_a_leaver_is_archived_and_kept_until_the_retention_date(senco_session, clock):
    pupil_id = add_pupil(senco_session)
    keep_until = pupils.archive_leaver(senco_session, pupil_id, "20/11/2026", "Moved away")
    assert keep_until == dt.date(2047, 3, 14)
    pupil = pupils.get_pupil(senco_session, pupil_id)
    assert pupil.archived and pupil.leaving_date == dt.date(2026, 11, 20)
    with pytest.raises(PermissionDenied, match="archived"):
        pupils.update_pupil(senco_session, pupil_id, {"class_name": "6A"})
    with pytest.raises(PermissionDenied, match="kept until 14/03/2047"):
        pupils.delete_after_retention(senco_session, pupil_id)
    assert pupil_list.search_ids(senco_session) == []
    assert pupil_list.search_ids(senco_session, PupilFilter(include_archived=True)) == [pupil_id]
    clock.advance(dt.timedelta(days=365 * 21))
    pupils.delete_after_retention(senco_session, pupil_id)
    assert senco_session.db.scalar("SELECT count(*) FROM pupils") == 0
    assert audit_actions(senco_session)[-1] == "deleted a pupil record after its retention date"


def test_only_archived_records_can_be_deleted(senco_session):
    pupil_id = add_pupil(senco_session)
    with pytest.raises(PermissionDenied, match="archive the pupil first"):
        pupils.delete_after_retention(senco_session, pupil_id)


def test_contacts_keep_history_and_withheld_addresses(senco_session):
    pupil_id = add_pupil(senco_session)
    mother, father = add_parents(senco_session, pupil_id)
    contacts.update_contact(senco_session, father, {"do_not_disclose_address": True})
    listed = contacts.list_contacts(senco_session, pupil_id)
    by_id = {c.id: c for c in listed}
    assert by_id[mother].address_for_documents.startswith("12 Heron Drive")
    assert by_id[father].address_for_documents is None
    assert Flag.PROTECTED_ADDRESS in pupils.get_pupil(senco_session, pupil_id).flags
    contacts.end_contact(senco_session, father, "2026-11-01")
    assert [c.id for c in contacts.list_contacts(senco_session, pupil_id)] == [mother]
    assert len(contacts.list_contacts(senco_session, pupil_id, include_ended=True)) == 2
    with pytest.raises(ValidationError, match="not an email address"):
        contacts.update_contact(senco_session, mother, {"email": "funmi at example"})


def test_consent_is_given_and_withdrawn(senco_session):
    pupil_id = add_pupil(senco_session)
    mother, _ = add_parents(senco_session, pupil_id)
    consent_id = consent.record_consent(senco_session, pupil_id, {
        "given_by": "Funmi Adeyemi", "given_on": "01/10/2026",
        "scope": "Share reports with the speech and language therapy service"}, contact_id=mother)
    consent.withdraw_consent(senco_session, consent_id, "20/11/2026")
    (record,) = consent.list_consents(senco_session, pupil_id)
    assert record.withdrawn_on == dt.date(2026, 11, 20) and not record.active
    with pytest.raises(ValidationError, match="16th birthday"):
        consent.record_consent(senco_session, pupil_id, {
            "given_by": "Temi", "giver_kind": "young person", "given_on": "01/11/2026",
            "scope": "My Story"})
    with pytest.raises(ValidationError, match="already been withdrawn"):
        consent.withdraw_consent(senco_session, consent_id, "21/11/2026")


def test_registers_hold_one_open_entry_each(senco_session):
    pupil_id = add_pupil(senco_session)
    entry = registers.add_entry(senco_session, pupil_id, RegisterKind.LOOKED_AFTER, {
        "start_date": "01/09/2026", "pep_date": "15/10/2026", "responsible_la": "Kent",
        "protected_address": "3 Kestrel Rise\nMillcross", "review_date": "22/02/2027"})
    pupil = pupils.get_pupil(senco_session, pupil_id)
    assert {Flag.LOOKED_AFTER, Flag.PROTECTED_ADDRESS} <= pupil.flags
    with pytest.raises(ValidationError, match="already on the looked-after child register"):
        registers.add_entry(senco_session, pupil_id, "looked_after", {"start_date": "02/09/2026"})
    with pytest.raises(ValidationError, match="Pep date belongs on the looked-after"):
        registers.add_entry(senco_session, pupil_id, "medical", {"start_date": "02/09/2026",
                                                                 "pep_date": "01/10/2026"})
    with pytest.raises(ValidationError, match="not a register"):
        registers.add_entry(senco_session, pupil_id, "gifted", {"start_date": "02/09/2026"})
    assert registers.update_entry(senco_session, entry, {"pep_date": "20/11/2026"}) == ["pep_date"]
    registers.end_entry(senco_session, entry, "22/11/2026")
    assert Flag.LOOKED_AFTER not in pupils.get_pupil(senco_session, pupil_id).flags
    (kept,) = registers.list_entries(senco_session, pupil_id)
    assert kept.end_date == dt.date(2026, 11, 22) and kept.pep_date == dt.date(2026, 11, 20)


def test_notes_read_in_event_order_and_only_author_or_senco_amends(senco_session, staff_session):
    pupil_id = add_pupil(senco_session)
    later = notes.add_note(staff_session, pupil_id, {
        "event_date": "10/11/2026", "concern": "Reading fluency below peers",
        "parent_discussion": "Mum has noticed the same", "agreed_actions": "Daily reading",
        "review_date": "01/12/2026"})
    notes.add_note(senco_session, pupil_id, {"event_date": "01/10/2026", "concern": "Tired"})
    assert [n.event_date for n in notes.list_notes(senco_session, pupil_id)] == [
        dt.date(2026, 10, 1), dt.date(2026, 11, 10)]
    assert pupils.get_pupil(senco_session, pupil_id).next_review == dt.date(2026, 12, 1)
    earlier = notes.list_notes(senco_session, pupil_id)[0].id
    with pytest.raises(PermissionDenied, match="author"):
        notes.amend_note(staff_session, earlier, {"concern": "Very tired"})
    assert notes.amend_note(senco_session, later, {"agreed_actions": "Daily reading, phonics"}) \
        == ["agreed_actions"]
    notes.mark_reviewed(staff_session, later, "20/11/2026")
    assert pupils.get_pupil(senco_session, pupil_id).next_review is None
    with pytest.raises(ValidationError, match="cannot be after today"):
        notes.add_note(staff_session, pupil_id, {"event_date": "01/12/2026", "concern": "x"})


def test_opening_a_record_reads_everything_and_is_audited_once(senco_session):
    pupil_id = add_pupil(senco_session)
    add_parents(senco_session, pupil_id)
    sen_register.change_status(senco_session, pupil_id, "K", "20/11/2026", "Needs identified",
                               ["SLCN"])
    count = len(audit_actions(senco_session))
    record = pupil_record.open_record(senco_session, pupil_id)
    assert len(record.contacts) == 2 and record.current_needs[0].code == "SLCN"
    assert record.notifications[0].open
    assert audit_actions(senco_session)[count:] == ["opened a pupil record"]


def test_the_audit_log_never_names_a_pupil(senco_session):
    pupil_id = add_pupil(senco_session)
    add_parents(senco_session, pupil_id)
    pupils.update_pupil(senco_session, pupil_id, {"legal_surname": "Okonkwo"})
    pupil_record.open_record(senco_session, pupil_id)
    text = audit_text(senco_session)
    for name in ("Adeyemi", "Temitope", "Temi", "Okonkwo", "Funmi", "Heron"):
        assert name not in text


# -- the pupil list ----------------------------------------------------------------------------

@pytest.fixture
def school_list(senco_session):
    s = senco_session
    ids = {
        "zoe": add_pupil(s, 1, legal_surname="Ashworth", legal_forename="Zoë",
                         preferred_forename="", year_group="7", class_name="7A"),
        "obrien": add_pupil(s, 2, legal_surname="O'Brien", legal_forename="Niamh",
                            preferred_forename="", year_group="7", class_name="7B"),
        "lukasz": add_pupil(s, 3, legal_surname="Wójcik", legal_forename="Łukasz",
                            preferred_forename="", year_group="R", dob="01/12/2021",
                            admission_date="01/09/2026", class_name="RB"),
        "mo": add_pupil(s, 4, legal_surname="Hussain", legal_forename="Muhammad",
                        preferred_forename="Mo", year_group="10", dob="10/10/2010",
                        admission_date="01/09/2015", class_name="10C"),
    }
    sen_register.change_status(s, ids["zoe"], "K", "01/10/2026", "SEN support", ["SPLD"])
    sen_register.change_status(s, ids["mo"], "E", "01/09/2025", "EHC plan issued", ["ASD", "SLCN"])
    sen_register.change_status(s, ids["obrien"], "K", "01/09/2025", "SEN support", ["SEMH"])
    sen_register.change_status(s, ids["obrien"], "N", "05/10/2026", "Needs met", [])
    registers.add_entry(s, ids["lukasz"], "eal", {"start_date": "01/09/2026",
                                                  "first_language": "Polish"})
    registers.add_entry(s, ids["mo"], "monitoring", {"start_date": "01/09/2026",
                                                     "review_date": "02/11/2026",
                                                     "details": "Attendance"})
    return ids


def _names(session, flt=None):
    return [row.name for row in pupil_list.fetch_rows(session, pupil_list.search_ids(session, flt))]


def test_the_list_is_in_name_order_with_accents_folded(senco_session, school_list):
    assert _names(senco_session) == ["Ashworth, Zoë", "Hussain, Mo", "O'Brien, Niamh",
                                     "Wójcik, Łukasz"]


@pytest.mark.parametrize("text, expected", [
    ("zoe", ["Ashworth, Zoë"]), ("obrien", ["O'Brien, Niamh"]), ("lukasz woj", ["Wójcik, Łukasz"]),
    ("muhammad", ["Hussain, Mo"]), ("MO HUSS", ["Hussain, Mo"]), (upn(4)[:9].lower(), ["Hussain, Mo"]),
    ("100%", []), ("_", []), ("", ["Ashworth, Zoë", "Hussain, Mo", "O'Brien, Niamh",
                                 "Wójcik, Łukasz"]),
])
def test_text_search_finds_names_and_upns(senco_session, school_list, text, expected):
    assert _names(senco_session, PupilFilter(text=text)) == expected


@pytest.mark.parametrize("flt, expected", [
    (PupilFilter(status="K"), ["Ashworth, Zoë"]),
    (PupilFilter(status="E"), ["Hussain, Mo"]),
    (PupilFilter(status="S"), ["Hussain, Mo"]),
    (PupilFilter(status="N"), ["O'Brien, Niamh"]),
    (PupilFilter(status="register"), ["Ashworth, Zoë", "Hussain, Mo"]),
    (PupilFilter(status="none"), ["Wójcik, Łukasz"]),
    (PupilFilter(need="ASD"), ["Hussain, Mo"]),
    (PupilFilter(year_group="Year 7"), ["Ashworth, Zoë", "O'Brien, Niamh"]),
    (PupilFilter(registers=frozenset({RegisterKind.EAL})), ["Wójcik, Łukasz"]),
    (PupilFilter(review_overdue=True), ["Hussain, Mo"]),
    (PupilFilter(notification_due=True), ["Ashworth, Zoë", "Hussain, Mo", "O'Brien, Niamh"]),
    (PupilFilter(sort="year"), ["Wójcik, Łukasz", "Ashworth, Zoë", "O'Brien, Niamh",
                                "Hussain, Mo"]),
    (PupilFilter(sort="name", descending=True), ["Wójcik, Łukasz", "O'Brien, Niamh",
                                                 "Hussain, Mo", "Ashworth, Zoë"]),
    (PupilFilter(status="K", text="ash", year_group="7"), ["Ashworth, Zoë"]),
])
def test_filters_combine(senco_session, school_list, flt, expected):
    assert _names(senco_session, flt) == expected


@pytest.mark.parametrize("flt", [
    PupilFilter(), PupilFilter(text="o"), PupilFilter(text="mo huss"), PupilFilter(text="ash"),
    PupilFilter(text="h"), PupilFilter(status="none"), PupilFilter(sort="year", descending=True),
    PupilFilter(include_archived=True, text="i"), PupilFilter(text="zzz"),
])
@pytest.mark.parametrize("block", [1, 2, 4])
def test_a_search_s_first_block_is_the_start_of_its_list_and_says_if_it_is_all(
        senco_session, school_list, flt, block):
    """What the list shows before the rest is read: the first ids in the list's order (or,
    where an index finds the words, the whole list at once), and whether that is everyone."""
    everyone = pupil_list.search_ids(senco_session, flt)
    first, complete = pupil_list.search_first(senco_session, flt, block)
    assert first == everyone[:len(first)] and len(first) >= min(block, len(everyone))
    assert complete == (first == everyone)


def test_rows_carry_what_a_senco_scans(senco_session, school_list):
    (mo,) = pupil_list.fetch_rows(senco_session, [school_list["mo"]])
    assert (mo.year_group, mo.class_name, mo.sen_status, mo.primary_need) == ("10", "10C", "E", "ASD")
    assert mo.next_review == dt.date(2026, 11, 2) and mo.review_overdue
    assert {Flag.MONITORING, Flag.NOTIFICATION_DUE} <= mo.flags
    rows = pupil_list.fetch_rows(senco_session, [school_list["lukasz"], 999, school_list["zoe"]])
    assert [row.id for row in rows] == [school_list["lukasz"], school_list["zoe"]]


def test_n_drops_from_the_list_once_its_census_has_passed(senco_session, school_list, clock):
    assert _names(senco_session, PupilFilter(status="N")) == ["O'Brien, Niamh"]
    clock.advance(dt.timedelta(days=70))  # past the January census
    assert _names(senco_session, PupilFilter(status="N")) == []
    (row,) = pupil_list.fetch_rows(senco_session, [school_list["obrien"]])
    assert row.sen_status is None


def test_list_filters_refuse_unknown_codes(senco_session):
    with pytest.raises(ValidationError, match="not a census type-of-need code"):
        pupil_list.search_ids(senco_session, PupilFilter(need="DYS"))
    with pytest.raises(ValidationError, match="cannot be sorted"):
        pupil_list.search_ids(senco_session, PupilFilter(sort="dob"))
