"""What arrives from another school (issue 18, items 3, 4, 8, 9 and 10): nothing changes on a
pupil already here without the user's choice, receipts cannot be lost, a key first seen is
"not yet confirmed" until someone records the check, a new pupil arrives as this school's
record, and the CTF is read and written as other implementations do."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from tests.records_fixtures import snapshot
from tests.transfer_support import SENDER_PASSWORD, consent_to_share, fake_pdf, make_sender, recipient

from sendesk.errors import ValidationError
from sendesk.models.school import SchoolIdentity
from sendesk.records import contacts, pupils
from sendesk.transfer import ctf, log, receiving, schools, sending
from sendesk.ui.history_text import history_rows

STRANGER = "Stranger Danger"


@pytest.fixture
def sender(tmp_path, clock, to_engine):
    session = to_engine(make_sender(tmp_path / "sender.sendesk", clock), SENDER_PASSWORD)
    yield session
    session.close()


def ehc_pupil(session) -> int:
    """A pupil on roll with status E, a current EHC plan and needs."""
    return session.db.scalar(
        "SELECT p.id FROM pupils p JOIN ehc_plans e ON e.pupil_id = p.id AND e.ceased_on IS NULL"
        " WHERE p.archived_at IS NULL AND p.sen_status = 'E' ORDER BY p.id LIMIT 1")


def send(session, tmp_path, pupil_id, name="p"):
    consent_to_share(session, pupil_id)
    return sending.send(session, pupil_id, recipient(), tmp_path / f"{name}.sendesk-transfer",
                        fake_pdf)


def same_child_here(receiver, sender, pupil_id) -> int:
    row = sender.db.query_one("SELECT * FROM pupils WHERE id = ?", (pupil_id,))
    return pupils.add_pupil(receiver, {k: row[k] for k in (
        "upn", "legal_surname", "legal_forename", "dob", "gender", "year_group")})


@pytest.fixture
def arriving(sender, senco_session, tmp_path):
    """A package for a pupil already here: it adds a stranger with parental responsibility."""
    pupil_id = ehc_pupil(sender)
    contacts.add_contact(sender, pupil_id, {"name": STRANGER, "relationship": "Father",
                                            "parental_responsibility": True})
    ours = same_child_here(senco_session, sender, pupil_id)
    result = send(sender, tmp_path, pupil_id)
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    return ours, preview


def held(session, pupil_id):
    tables = ("contacts", "sen_status_history", "sen_needs", "ehc_plans", "consents",
              "short_notes", "send_pathways", "field_changes")
    return {t: session.db.scalar(f"SELECT count(*) FROM {t} WHERE pupil_id = ?", (pupil_id,))
            for t in tables}


# --- 3. nothing changes on a pupil already here unasked -----------------------------------------

def test_every_record_a_package_would_add_to_a_pupil_here_is_a_decision(arriving, senco_session):
    ours, preview = arriving
    assert preview.existing_pupil_id == ours
    labels = {c.label for c in preview.conflicts if c.is_addition}
    assert {"New contact", "SEN status", "SEN need", "EHC plan", "Consent"} <= labels
    stranger = next(c for c in preview.conflicts if STRANGER in c.theirs)
    assert "parental responsibility" in stranger.warning
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="Decide which version.*New contact"):
        receiving.import_package(senco_session, preview, {})
    assert snapshot(senco_session) == before


def test_leaving_everything_out_changes_nothing_on_the_pupil(arriving, senco_session):
    ours, preview = arriving
    before = held(senco_session, ours)
    pupil_before = senco_session.db.query_one("SELECT * FROM pupils WHERE id = ?", (ours,))
    imported = receiving.import_package(senco_session, preview,
                                        {c.key: receiving.OURS for c in preview.conflicts})
    assert imported.pupil_id == ours
    assert held(senco_session, ours) == before
    assert tuple(senco_session.db.query_one("SELECT * FROM pupils WHERE id = ?",
                                            (ours,))) == tuple(pupil_before)
    assert pupils.get_pupil(senco_session, ours).sen_status is None


def test_a_stranger_left_out_never_arrives_while_the_rest_does(arriving, senco_session):
    ours, preview = arriving
    decisions = {c.key: receiving.OURS if STRANGER in c.theirs else receiving.THEIRS
                 for c in preview.conflicts}
    receiving.import_package(senco_session, preview, decisions)
    names = [r[0] for r in senco_session.db.query("SELECT name FROM contacts WHERE pupil_id = ?",
                                                  (ours,))]
    assert names and STRANGER not in names
    pupil = pupils.get_pupil(senco_session, ours)
    assert pupil.sen_status == "E" and pupil.primary_need
    assert senco_session.db.scalar("SELECT count(*) FROM ehc_plans WHERE pupil_id = ? AND"
                                   " ceased_on IS NULL", (ours,)) == 1


def test_a_record_left_out_takes_its_own_details_with_it(sender, senco_session, tmp_path):
    from tests.transfer_support import richest_pupil
    pupil_id = richest_pupil(sender)
    ours = same_child_here(senco_session, sender, pupil_id)
    result = send(sender, tmp_path, pupil_id)
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    gone = ("send_pathways", "specialist_involvements", "short_notes", "sen_status_history")
    decisions = {c.key: receiving.OURS if any(c.key.startswith(f"add:{t}") for t in gone)
                 else receiving.THEIRS for c in preview.conflicts}
    imported = receiving.import_package(senco_session, preview, decisions)
    for table in ("apdr_cycles", "apdr_plans", "specialist_reports", "parent_notifications_due"):
        assert imported.counts.get(table, 0) == 0, table
    assert held(senco_session, ours)["send_pathways"] == 0
    assert held(senco_session, ours)["contacts"] >= 1


def test_taking_their_current_status_while_leaving_it_out_is_refused(sender, senco_session,
                                                                     tmp_path):
    from sendesk.records import sen_register
    pupil_id = ehc_pupil(sender)
    ours = same_child_here(senco_session, sender, pupil_id)
    sen_register.change_status(senco_session, ours, "K", senco_session.clock.today(), "Seen",
                               ["MLD"])
    result = send(sender, tmp_path, pupil_id)
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    decisions = {c.key: receiving.OURS for c in preview.conflicts}
    decisions["current:sen_status_history"] = receiving.THEIRS
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="left it out"):
        receiving.import_package(senco_session, preview, decisions)
    assert snapshot(senco_session) == before


# --- 9. what arrives is this school's record ----------------------------------------------------

def test_a_new_pupil_is_admitted_on_the_arrival_day_without_the_old_schools_class(
        sender, senco_session, tmp_path):
    pupil_id = ehc_pupil(sender)
    sender.db.execute("UPDATE pupils SET class_name = 'Oak (their class)' WHERE id = ?",
                      (pupil_id,))
    result = send(sender, tmp_path, pupil_id)
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    imported = receiving.import_package(senco_session, preview, {})
    row = senco_session.db.query_one("SELECT * FROM pupils WHERE id = ?", (imported.pupil_id,))
    assert row["admission_date"] == senco_session.clock.today().isoformat()
    assert row["class_name"] is None and row["year_group"] == preview.pupil["year_group"]


def test_the_arrival_day_year_and_class_are_chosen_here(sender, senco_session, tmp_path):
    result = send(sender, tmp_path, ehc_pupil(sender))
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="Admission date"):
        receiving.import_package(senco_session, preview, {},
                                 receiving.Arrival("01/01/1990", None, None))
    assert snapshot(senco_session) == before
    imported = receiving.import_package(senco_session, preview, {},
                                        receiving.Arrival("30/11/2026", "4", "Hazel"))
    row = senco_session.db.query_one("SELECT * FROM pupils WHERE id = ?", (imported.pupil_id,))
    assert (row["admission_date"], row["year_group"], row["class_name"]) == (
        "2026-11-30", "4", "Hazel")


def test_the_previous_schools_history_is_kept_apart_in_plain_words(sender, senco_session,
                                                                   tmp_path):
    pupil_id = ehc_pupil(sender)
    pupils.update_pupil(sender, pupil_id, {"preferred_forename": "Sunny"})
    result = send(sender, tmp_path, pupil_id)
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    imported = receiving.import_package(senco_session, preview, {})
    pupils.update_pupil(senco_session, imported.pupil_id, {"class_name": "Hazel"})
    changes = pupils.change_history(senco_session, imported.pupil_id)
    theirs = [c for c in changes if c.from_school]
    assert theirs and {c.from_school for c in theirs} == {preview.sender["name"]}
    rows = history_rows(changes)
    # Columns: when, record, field, was, now, changed by.
    assert rows[0][2] == "Class" and rows[0][0] == "23/11/2026 09:30" and "previous" not in rows[0][5]
    previous = [r for r in rows if "from the previous school" in r[5]]
    assert len(previous) == len(theirs)
    assert all("at the previous school" in r[0] and "T" not in r[0] for r in previous)
    assert any(r[2] == "Preferred forename" for r in previous)
    assert not any("_" in r[2] for r in rows), "field names in plain words"


# --- 4. receipts that cannot be lost ------------------------------------------------------------

def test_an_unwritable_receipt_stops_the_import_before_anything_is_stored(
        sender, senco_session, tmp_path):
    result = send(sender, tmp_path, ehc_pupil(sender))
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="does not exist.*Nothing was imported"):
        receiving.import_package(senco_session, preview, {},
                                 receipt_out=tmp_path / "missing" / "r.sendesk-receipt")
    with pytest.raises(ValidationError, match="is a folder"):
        receiving.import_package(senco_session, preview, {}, receipt_out=tmp_path)
    assert snapshot(senco_session) == before
    imported = receiving.import_package(senco_session, preview, {},
                                        receipt_out=tmp_path / "r.sendesk-receipt")
    again = tmp_path / "again.sendesk-receipt"
    log.save_receipt_again(senco_session, log.received_transfer_for(
        senco_session, preview.pupil["upn"].lower()), again)
    assert again.read_bytes() == imported.receipt


# --- 8. trust on first use, recorded ------------------------------------------------------------

def test_a_first_receipt_reads_as_unconfirmed_until_the_check_is_recorded(
        sender, senco_session, tmp_path):
    result = send(sender, tmp_path, ehc_pupil(sender))
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    imported = receiving.import_package(senco_session, preview, {})
    receiving.import_receipt(sender, imported.receipt)
    transfer = log.get_transfer(sender, result.transfer_id)
    assert transfer.status_text == "Receipt from Meera Patel on 23/11/2026, key not yet confirmed"
    assert not transfer.status_text.startswith("Acknowledged")
    assert [t.id for t in log.unconfirmed_keys(sender)] == [result.transfer_id]
    before = snapshot(sender)
    for bad in ({"how": "by email"}, {"checked_on": "24/11/2026"}, {"checked_with": " "}):
        args = {"checked_with": "Meera Patel, SENCO", "how": "by phone",
                "checked_on": "23/11/2026"} | bad
        with pytest.raises(ValidationError):
            schools.confirm_key(sender, result.transfer_id, **args)
    assert snapshot(sender) == before
    check = schools.confirm_key(sender, result.transfer_id, "Meera Patel, SENCO", "by phone",
                                dt.date(2026, 11, 23))
    assert check.text == "checked by phone with Meera Patel, SENCO on 23/11/2026"
    assert log.get_transfer(sender, result.transfer_id).status_text == (
        "Acknowledged by Meera Patel on 23/11/2026")
    assert log.unconfirmed_keys(sender) == []
    assert sender.db.scalar("SELECT count(*) FROM audit_log WHERE action = 'recorded a signing"
                            " key check'") == 1
    with pytest.raises(ValidationError, match="already been checked"):
        schools.confirm_key(sender, result.transfer_id, "Meera", "by phone", "23/11/2026")


def test_a_first_package_reads_as_unconfirmed_until_the_check_is_recorded(
        sender, senco_session, tmp_path):
    result = send(sender, tmp_path, ehc_pupil(sender))
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    imported = receiving.import_package(senco_session, preview, {})
    transfer = log.get_transfer(senco_session, imported.transfer_id)
    assert transfer.status_text == "Received, key not yet confirmed"
    assert transfer.key_fingerprint == preview.sender_fingerprint
    assert [t.id for t in log.unconfirmed_keys(senco_session)] == [imported.transfer_id]
    schools.confirm_key(senco_session, imported.transfer_id, "Sam Brown", "in person",
                        "22/11/2026")
    assert log.get_transfer(senco_session, imported.transfer_id).status_text == "Received"
    assert log.unconfirmed_keys(senco_session) == []


# --- 10. CTF as others write it -----------------------------------------------------------------

NESTED = """<CTfile><Header><SourceSchool><SchoolName>X</SchoolName></SourceSchool></Header>
<CTFpupilData><Pupil><UPN>{upn}</UPN><Surname>Real</Surname><Forename>Child</Forename>
<DOB>2016-01-01</DOB><SENhistory><SEN><StartDate>2026-01-01</StartDate><SENprovision>K</SENprovision>
</SEN><SENneeds><SENneed><SENtype>SEMH</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
<SENneed><SENtype>SLCN</SENtype><SENtypeRank>2</SENtypeRank></SENneed></SENneeds></SENhistory>
</Pupil></CTFpupilData></CTfile>"""


def test_a_ctf_with_needs_inside_sen_history_is_read(senco_session, tmp_path):
    from sendesk.models.upn import make_upn
    upn = make_upn("937", "4001", 2016, 5)
    pid = pupils.add_pupil(senco_session, {"upn": upn, "legal_surname": "Real", "legal_forename":
                                           "Child", "dob": "2016-01-01", "gender": "F",
                                           "year_group": "5"})
    path = tmp_path / "nested.xml"
    path.write_text(NESTED.format(upn=upn))
    _, read = ctf.parse_ctf(path.read_bytes())
    assert read[0].needs == ("SEMH", "SLCN")
    result = ctf.import_ctf(senco_session, path)
    assert result.applied
    assert pupils.get_pupil(senco_session, pid).primary_need == "SEMH"


def test_the_ctf_we_write_nests_needs_and_names_an_unknown_destination(sender):
    pupil_id = ehc_pupil(sender)
    root = ET.fromstring(ctf.build_ctf(sender, [pupil_id], None))
    pupil = root.find("CTFpupilData/Pupil")
    assert pupil.find("SENneeds") is None
    assert pupil.findall("SENhistory/SENneeds/SENneed")
    assert (root.findtext("Header/DestSchool/LEA"), root.findtext("Header/DestSchool/Estab")) == (
        "XXX", "XXXX")
    _, read = ctf.parse_ctf(ctf.build_ctf(sender, [pupil_id], None))
    assert read[0].needs, "and sendesk reads its own CTF back"


def test_the_dfe_file_name(tmp_path):
    school = SchoolIdentity("Larkfield", None, "940", "4001")
    assert ctf.file_name(school, None, 1) == "9404001_CTF_XXXXXXX_001.xml"
    assert ctf.file_name(school, SchoolIdentity("B", None, "937", "2001"), 12) == (
        "9404001_CTF_9372001_012.xml")
    (tmp_path / "9404001_CTF_XXXXXXX_001.xml").write_text("taken")
    assert ctf.next_file_name(school, None, tmp_path).name == "9404001_CTF_XXXXXXX_002.xml"


def test_a_second_package_of_a_pupil_offers_only_what_is_new(sender, senco_session, tmp_path):
    """The same school sends the pupil's file again with one new parent: only the parent is
    offered, no current status or need is a conflict, and taking everything adds the one
    contact and duplicates nothing."""
    pupil_id = ehc_pupil(sender)
    first = send(sender, tmp_path, pupil_id, "first")
    preview = receiving.open_package(senco_session, first.path.read_bytes(), first.passphrase)
    ours = receiving.import_package(senco_session, preview, {}).pupil_id
    before = held(senco_session, ours)
    with sender.db.transaction():   # a parent recorded there since (the file is read-only)
        sender.db.execute("UPDATE pupils SET archived_at = NULL WHERE id = ?", (pupil_id,))
    contacts.add_contact(sender, pupil_id, {"name": STRANGER, "relationship": "Father",
                                            "parental_responsibility": True})
    second = sending.send(sender, pupil_id, recipient(), tmp_path / "second.sendesk-transfer",
                          fake_pdf)
    preview = receiving.open_package(senco_session, second.path.read_bytes(), second.passphrase)
    offered = [(c.label, c.theirs) for c in preview.conflicts]
    assert offered == [("New contact", f"{STRANGER} (Father)"),
                       # its leaving date and destination, recorded when it was first sent
                       ("Change history from the previous school", "2 entries")]
    receiving.import_package(senco_session, preview,
                             {c.key: receiving.THEIRS for c in preview.conflicts})
    after = held(senco_session, ours)
    assert after.pop("contacts") == before.pop("contacts") + 1
    assert after.pop("field_changes") == before.pop("field_changes") + 2
    assert after == before
    names = [r[0] for r in senco_session.db.query("SELECT name FROM contacts WHERE pupil_id = ?",
                                                  (ours,))]
    assert len(names) == len(set(names)) and STRANGER in names
