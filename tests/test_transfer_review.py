"""Attacks from the security review of the records transfer (issue 8), each one refused.

"Forged" packages are built from a real one: the manifest or record is edited, re-signed with
an Ed25519 key (any sendesk install has one) and re-zipped. The age layer is skipped for them
(`no_age`), so these tests do not pay for scrypt on every package.
"""

from __future__ import annotations

import json

import pyrage
import pytest
from tests.concerns_support import add_pupil
from tests.records_fixtures import snapshot
from tests.test_transfer_attacks import members, resigned
from tests.transfer_support import (
    PROTECTED,
    SENDER_PASSWORD,
    add_protected_details,
    consent_to_share,
    fake_pdf,
    make_sender,
    protect_addresses,
    recipient,
    richest_pupil,
)

from sendesk.crypto import signing
from sendesk.errors import SendeskError, ValidationError
from sendesk.models import flowchart
from sendesk.records import concerns, contacts, notes, pupils, registers, sen_register
from sendesk.transfer import ctf, package, receiving, sending
from sendesk.transfer.errors import TamperedPackage, UnexpectedSigner
from sendesk.transfer.package import read_package

INJECTED_NAME = ('Larkfield Academy</b> (940/4001)<br>Their signing key fingerprint: <b>1129 85DC '
                 'DD29 2363</b><br>This school has sent to you before with the same key.<span '
                 'style="font-size:1px;color:#f0f0f0">')


@pytest.fixture
def sender(tmp_path, clock, to_engine):
    session = to_engine(make_sender(tmp_path / "sender.sendesk", clock), SENDER_PASSWORD)
    yield session
    session.close()


def send(session, tmp_path, pupil_id, name="p"):
    consent_to_share(session, pupil_id)
    return sending.send(session, pupil_id, recipient(), tmp_path / f"{name}.sendesk-transfer",
                        fake_pdf)


def record_text(result) -> str:
    return read_package(result.path.read_bytes(), result.passphrase).item_of_kind("record").decode()


@pytest.fixture
def made(sender, tmp_path):
    """A genuine package's ZIP (age layer removed) and the sending school's key."""
    result = send(sender, tmp_path, richest_pupil(sender))
    private, _ = sending.school_keys(sender)
    return pyrage.passphrase.decrypt(result.path.read_bytes(), result.passphrase), private


@pytest.fixture
def no_age(monkeypatch):
    monkeypatch.setattr(package, "decrypt", lambda data, passphrase: data)


def forge(zipped: bytes, key: bytes, change_record=None, change_manifest=None) -> bytes:
    """The package with its record and manifest edited, the record's hash put right, re-signed."""
    def change(manifest, entries):
        record = json.loads(entries["record.json"])
        if change_record:
            change_record(record)
            entries["record.json"] = json.dumps(record).encode()
            for item in manifest["items"]:
                if item["name"] == "record.json":
                    item["size"] = len(entries["record.json"])
                    item["sha256"] = package.sha256(entries["record.json"])
        if change_manifest:
            change_manifest(manifest, record)
    return resigned(zipped, change, key)


# --- 1. sender-controlled text ------------------------------------------------------------------

def test_a_sender_name_with_markup_is_refused(made, senco_session, no_age):
    zipped, _ = made

    def rename(manifest, record):
        manifest["sender"]["name"] = INJECTED_NAME
    before = snapshot(senco_session)
    with pytest.raises(TamperedPackage, match="markup"):
        receiving.open_package(senco_session, forge(zipped, signing.new_private_key(), None, rename),
                               "x")
    assert snapshot(senco_session) == before


# --- 2 and 3. protected addresses ---------------------------------------------------------------

OLD_PLACEMENT = "22 Larch Close\nOldtown\nOT4 1ZZ"
NEW_CARER_ADDRESS = "9 Secret Row\nHidden Vale\nHV1 2AB"


def test_earlier_protected_addresses_in_the_change_history_do_not_travel(sender, tmp_path):
    pupil_id = richest_pupil(sender)
    add_protected_details(sender, pupil_id)
    entry = sender.db.scalar("SELECT id FROM register_entries WHERE pupil_id = ? AND register ="
                             " 'looked_after' AND end_date IS NULL", (pupil_id,))
    registers.update_entry(sender, entry, {"protected_address": OLD_PLACEMENT})
    registers.update_entry(sender, entry, {"protected_address": PROTECTED})   # the placement moved
    carer = sender.db.scalar("SELECT id FROM contacts WHERE pupil_id = ? AND name = 'Dana Price'",
                             (pupil_id,))
    contacts.update_contact(sender, carer, {"address": NEW_CARER_ADDRESS})    # so did the carer
    notes.add_note(sender, pupil_id, {"event_date": sender.clock.today(),
                                      "concern": "Used to live at 22 Larch Close, OT4 1ZZ."})
    text = record_text(send(sender, tmp_path, pupil_id))
    for telling in ("Larch Close", "OT4 1ZZ", "Orchard Mews", "HB2 9XY", "Secret Row", "HV1 2AB"):
        assert telling not in text, telling
    trail = [r for r in json.loads(text)["tables"]["field_changes"]
             if r["field"] in ("protected_address", "address")]
    assert trail and all(r["old_value"] in (None, "[address withheld]") and
                         r["new_value"] in (None, "[address withheld]") for r in trail)


SINGLE_LINE = "41 Juniper Terrace, Westfold, WF3 8QT"
PLACEMENT = "7 Rowan Court, Eastbridge, EB9 4LT"
NOTE = ("Mum now living at 41 Juniper Terrace (refuge). Postcode WF3 8QT, also written wf38qt. "
        "Placement is Rowan Court, Eastbridge; carer says post goes to EB9\n4LT.")


def add_single_line_secrets(session, pupil_id):
    protect_addresses(session, pupil_id, {
        "name": "Kim Vale", "relationship": "Mother", "parental_responsibility": True,
        "address": SINGLE_LINE, "do_not_disclose_address": True}, PLACEMENT, "Eastbridge")
    notes.add_note(session, pupil_id, {"event_date": session.clock.today(), "concern": NOTE})


TELLING = ("Juniper Terrace", "WF3 8QT", "wf38qt", "Rowan Court", "EB9 4LT", "EB9\n4LT")


def test_parts_of_a_single_line_address_are_taken_out_of_the_record(sender, tmp_path):
    pupil_id = richest_pupil(sender)
    add_single_line_secrets(sender, pupil_id)
    result = send(sender, tmp_path, pupil_id)
    text = record_text(result)
    for telling in TELLING:
        assert telling not in text and json.dumps(telling)[1:-1] not in text, telling
    assert any("typed into notes" in s for s in result.stripped)


def every_document_text(session, pupil_id) -> str:
    """The text of every kind of document sendesk makes for the pupil (the kinds that do not
    apply to this pupil are refused with a message and skipped)."""
    from sendesk.documents import KINDS, build_documents
    texts = []
    for kind in KINDS:
        try:
            texts += [document.text() for document in build_documents(session, pupil_id, kind)]
        except ValidationError:
            continue
    assert len(texts) >= 5
    return "\n".join(texts)


def test_parts_of_a_single_line_address_are_in_no_document(sender):
    pupil_id = richest_pupil(sender)
    add_single_line_secrets(sender, pupil_id)
    text = every_document_text(sender, pupil_id)
    for telling in TELLING:
        assert telling not in text, telling


def test_earlier_protected_addresses_are_in_no_document(sender):
    pupil_id = richest_pupil(sender)
    add_protected_details(sender, pupil_id)
    entry = sender.db.scalar("SELECT id FROM register_entries WHERE pupil_id = ? AND register ="
                             " 'looked_after' AND end_date IS NULL", (pupil_id,))
    registers.update_entry(sender, entry, {"protected_address": OLD_PLACEMENT})
    registers.update_entry(sender, entry, {"protected_address": PROTECTED})
    notes.add_note(sender, pupil_id, {"event_date": sender.clock.today(),
                                      "concern": "Used to live at 22 Larch Close, OT4 1ZZ."})
    text = every_document_text(sender, pupil_id)
    assert "Larch Close" not in text and "OT4 1ZZ" not in text


# --- 4. CTF -------------------------------------------------------------------------------------

def ctf_file(tmp_path, upn, surname, forename, dob):
    xml = f"""<CTfile><Header><SourceSchool><SchoolName>X</SchoolName></SourceSchool></Header>
<CTFpupilData><Pupil><UPN>{upn}</UPN><Surname>{surname}</Surname><Forename>{forename}</Forename>
<DOB>{dob}</DOB><SENhistory><SEN><StartDate>2026-01-01</StartDate><SENprovision>K</SENprovision>
</SEN></SENhistory><SENneeds><SENneed><SENtype>SEMH</SENtype><SENtypeRank>1</SENtypeRank></SENneed>
</SENneeds></Pupil></CTFpupilData></CTfile>"""
    path = tmp_path / "c.xml"
    path.write_text(xml)
    return path


def test_a_ctf_naming_another_child_under_our_pupils_upn_changes_nothing(senco_session, tmp_path):
    from sendesk.models.upn import make_upn
    upn = make_upn("937", "4001", 2016, 5)
    pid = pupils.add_pupil(senco_session, {"upn": upn, "legal_surname": "Real", "legal_forename":
                                           "Child", "dob": "2016-01-01", "gender": "F",
                                           "year_group": "5"})
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="different child.*Child Real.*Nothing was imported"):
        ctf.import_ctf(senco_session, ctf_file(tmp_path, upn, "Totally", "Different", "2010-05-05"))
    with pytest.raises(ValidationError, match="different child"):   # same name, another birthday
        ctf.import_ctf(senco_session, ctf_file(tmp_path, upn, "Real", "Child", "2016-02-01"))
    assert snapshot(senco_session) == before
    # The same child, written in another case and with the UPN in lower case, is matched.
    result = ctf.import_ctf(senco_session, ctf_file(tmp_path, upn.lower(), "REAL", "Child",
                                                    "2016-01-01"))
    assert result.applied and senco_session.db.scalar(
        "SELECT sen_status FROM pupils WHERE id = ?", (pid,)) == "K"


# --- 5. receipts --------------------------------------------------------------------------------

def forged_receipt(row, key: bytes) -> bytes:
    body = {"format": receiving.RECEIPT_FORMAT, "version": receiving.RECEIPT_VERSION,
            "package_id": row["package_id"], "manifest_sha256": row["manifest_sha256"],
            "package_fingerprint": "x", "sending_school": {},
            "receiving_school": {"name": "Brambleton", "urn": row["school_urn"], "la_code": None,
                                 "estab": None, "public_key": signing.public_key(key).hex()},
            "received_by": "Nobody", "received_at": "2026-11-23T09:30:00"}
    signature = signing.sign(key, package.canonical_json(body))
    return package.canonical_json({"receipt": body, "signature": signature.hex()})


def test_a_receipt_must_be_signed_by_the_key_known_for_the_receiving_school(
        sender, senco_session, tmp_path):
    first = send(sender, tmp_path, richest_pupil(sender), "first")
    preview = receiving.open_package(senco_session, first.path.read_bytes(), first.passphrase)
    genuine = receiving.import_package(senco_session, preview, {}).receipt
    done = receiving.import_receipt(sender, genuine)
    assert not done.key_confirmed, "a first receipt's key is shown to be checked by phone"
    audit = sender.db.scalar("SELECT detail FROM audit_log WHERE action = 'recorded a transfer"
                             " receipt'")
    assert done.school_fingerprint in audit

    second = send(sender, tmp_path, richest_pupil(sender), "second")
    row = sender.db.query_one("SELECT * FROM transfers WHERE id = ?", (second.transfer_id,))
    before = snapshot(sender)
    with pytest.raises(UnexpectedSigner, match="Nothing was changed"):
        receiving.import_receipt(sender, forged_receipt(row, signing.new_private_key()))
    assert snapshot(sender) == before
    assert sender.db.scalar("SELECT status FROM transfers WHERE id = ?",
                            (second.transfer_id,)) == "awaiting acknowledgement"
    preview = receiving.open_package(senco_session, second.path.read_bytes(), second.passphrase)
    done = receiving.import_receipt(sender, receiving.import_package(senco_session, preview,
                                                                     {}).receipt)
    assert done.key_known and not done.key_confirmed, "known, but still not checked by phone"


def test_a_receipt_key_pinned_from_a_package_they_sent_us_is_required(sender, tmp_path):
    """When the receiving school once sent us a package, its key is recorded on the transfer
    when we send, and only a receipt signed by that key closes it."""
    school_key = signing.new_private_key()
    sender.db.execute("INSERT INTO known_senders (school_ref, school_name, public_key, first_seen)"
                      " VALUES ('urn:123456', 'Brambleton', ?, '2026-01-01')",
                      (signing.public_key(school_key).hex(),))
    result = send(sender, tmp_path, richest_pupil(sender))
    row = sender.db.query_one("SELECT * FROM transfers WHERE id = ?", (result.transfer_id,))
    assert row["school_key"] == signing.public_key(school_key).hex()
    with pytest.raises(UnexpectedSigner):
        receiving.import_receipt(sender, forged_receipt(row, signing.new_private_key()))
    assert receiving.import_receipt(sender, forged_receipt(row, school_key)).key_known


# --- 6. sender key pinning ----------------------------------------------------------------------

def test_a_pinned_key_cannot_be_dodged_by_writing_the_school_reference_differently(
        made, senco_session, no_age):
    zipped, key = made
    receiving.import_package(senco_session, receiving.open_package(senco_session,
                                                                   forge(zipped, key), "x"), {})
    attacker = signing.new_private_key()

    def add_urn(manifest, record):
        manifest["package_id"] = "f" * 32
        manifest["sender"]["urn"] = "100000"

    def respaced(manifest, record):
        manifest["package_id"] = "e" * 32
        manifest["sender"]["la_code"] = f" {manifest['sender']['la_code']} "

    def no_reference(manifest, record):
        manifest["package_id"] = "d" * 32
        manifest["sender"].update({"urn": None, "la_code": None, "estab": None})

    for change in (add_urn, respaced):
        with pytest.raises(UnexpectedSigner):
            receiving.open_package(senco_session, forge(zipped, attacker, None, change), "x")
    with pytest.raises(TamperedPackage, match="URN or LA and establishment"):
        receiving.open_package(senco_session, forge(zipped, attacker, None, no_reference), "x")


# --- 7. read-only drafts ------------------------------------------------------------------------

def test_a_transferred_pupils_flowchart_draft_cannot_be_discarded(senco_session):
    pid = add_pupil(senco_session)
    run = concerns.save_draft(senco_session, pid, flowchart.load_default(),
                              [("teaching", "yes", "x")])
    pupils.archive_leaver(senco_session, pid, senco_session.clock.today(), "Elsewhere")
    with pytest.raises(SendeskError):
        concerns.discard_draft(senco_session, run)
    assert senco_session.db.scalar("SELECT count(*) FROM concern_runs WHERE pupil_id = ?",
                                   (pid,)) == 1


# --- 8. UPN case --------------------------------------------------------------------------------

def test_a_lower_case_upn_matches_the_pupil_already_here(made, senco_session, no_age):
    zipped, key = made
    theirs = json.loads(dict(members(zipped))["record.json"])["pupil"]
    upn = theirs["upn"]
    # The same child (name and date of birth agree): only the UPN's case differs.
    pid = pupils.add_pupil(senco_session, {"upn": upn, "legal_surname": theirs["legal_surname"],
                                           "legal_forename": theirs["legal_forename"],
                                           "dob": theirs["dob"], "gender": "F", "year_group": "5"})

    def lower_record(record):
        record["pupil"]["upn"] = upn.lower()

    def lower_manifest(manifest, record):
        manifest["pupil"]["upn"] = upn.lower()
    preview = receiving.open_package(senco_session, forge(zipped, key, lower_record, lower_manifest),
                                     "x")
    assert preview.existing_pupil_id == pid and preview.pupil["upn"] == upn
    imported = receiving.import_package(senco_session, preview,
                                        {c.key: receiving.OURS for c in preview.conflicts})
    assert imported.pupil_id == pid and not imported.created


# --- 9. hostile or inconsistent rows ------------------------------------------------------------

def test_two_current_sen_statuses_are_refused_with_a_message(made, senco_session, no_age):
    zipped, key = made

    def duplicate(record):
        rows = record["tables"]["sen_status_history"]
        extra = dict(next(r for r in rows if r["end_date"] is None), id=999999)
        rows.append(extra)
    preview = receiving.open_package(senco_session, forge(zipped, key, duplicate), "x")
    before = snapshot(senco_session)
    with pytest.raises(TamperedPackage, match="Nothing was imported"):
        receiving.import_package(senco_session, preview, {})
    assert snapshot(senco_session) == before


def test_a_current_row_missing_a_column_is_refused_when_opened(made, senco_session, no_age):
    zipped, key = made
    upn = json.loads(dict(members(zipped))["record.json"])["pupil"]["upn"]
    pid = pupils.add_pupil(senco_session, {"upn": upn, "legal_surname": "Existing",
                                           "legal_forename": "P", "dob": "2016-01-01",
                                           "gender": "F", "year_group": "5"})
    sen_register.change_status(senco_session, pid, "K", senco_session.clock.today(), "x", ["MLD"])

    def drop(record):
        for row in record["tables"]["sen_status_history"]:
            if row["end_date"] is None:
                row.pop("status")
    with pytest.raises(TamperedPackage, match="lacks status"):
        receiving.open_package(senco_session, forge(zipped, key, drop), "x")


def test_the_same_package_opened_twice_is_imported_once(made, senco_session, no_age):
    zipped, key = made
    data = forge(zipped, key)
    first = receiving.open_package(senco_session, data, "x")
    second = receiving.open_package(senco_session, data, "x")   # a second wizard window
    receiving.import_package(senco_session, first, {})
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="already imported"):
        receiving.import_package(senco_session, second, {})
    assert snapshot(senco_session) == before


# --- 10. consent to share -----------------------------------------------------------------------

def test_nothing_leaves_without_consent_to_share_unless_the_reason_is_recorded(sender, tmp_path):
    from sendesk.records import consent
    pupil_id = richest_pupil(sender)
    for row in sender.db.query("SELECT id FROM consents WHERE pupil_id = ?", (pupil_id,)):
        consent.withdraw_consent(sender, row[0], sender.clock.today())
    consent.record_consent(sender, pupil_id, {   # consent for something else does not count
        "given_by": "Alex Parent", "given_on": sender.clock.today(),
        "scope": "Refer to the speech and language therapy service."})
    assert not sending.check_before_sending(sender, pupil_id).consents
    out = tmp_path / "p.sendesk-transfer"
    before = snapshot(sender)
    with pytest.raises(ValidationError, match="No consent to share with another school"):
        sending.send(sender, pupil_id, recipient(), out, fake_pdf)
    assert not out.exists() and snapshot(sender) == before
    sending.send(sender, pupil_id, recipient(), out, fake_pdf,
                 without_consent="Parents not reachable; the file must still go")
    detail = sender.db.scalar("SELECT detail FROM audit_log WHERE action = 'sent a records"
                              " transfer'")
    assert "Parents not reachable" in detail


# --- 11. receipts are checked without assert ----------------------------------------------------

CHECK_UNDER_O = """
import sys
from sendesk.crypto import signing
from sendesk.transfer import package, receiving
from sendesk.transfer.errors import TamperedPackage
key = signing.new_private_key()
body = {"format": receiving.RECEIPT_FORMAT, "version": receiving.RECEIPT_VERSION,
        "package_id": 12345, "manifest_sha256": ["x"],
        "receiving_school": {"public_key": signing.public_key(key).hex()},
        "received_by": "A", "received_at": "2026-11-23T09:30:00"}
signature = signing.sign(key, package.canonical_json(body)).hex()
try:
    receiving.parse_receipt(package.canonical_json({"receipt": body, "signature": signature}))
except TamperedPackage as exc:
    print("refused:", exc)
    sys.exit(0)
print("accepted")
sys.exit(1)
"""


def test_a_receipt_with_a_non_text_package_id_is_refused_even_under_python_O():
    """Checks made with assert vanish under `python -O`; these must not."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-O", "-c", CHECK_UNDER_O], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "lacks a detail" in done.stdout, done.stdout + done.stderr
