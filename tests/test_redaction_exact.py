"""Redaction takes out exactly the protected address and nothing else.

The demo school is "Demo school: Larkfield Academy". One parent's address, marked 'do not
disclose', is on Larkfield Road in Larkfield; the other parent's, not protected, is in the same
town; a note names both. Every kind of document (read back from the real PDFs), the transfer
package's record.json and the CTF must leave out the protected house, street and postcode and
keep, word for word, the school's name, the other parent's address and the rest of the note.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.pdf_text import contains, pages_text
from tests.transfer_support import SENDER_NAME, SENDER_PASSWORD, SENDER_USER, consent_to_share, recipient, richest_pupil

from sendesk import demo
from sendesk.demo.school import DEMO_SCHOOL_NAME
from sendesk.documents import KINDS, build_documents
from sendesk.errors import ValidationError
from sendesk.models.redaction import WITHHELD, Redactor
from sendesk.pdf import render_pdf
from sendesk.records import contacts, notes, registers, sen_register
from sendesk.transfer import ctf, sending
from sendesk.transfer.package import read_package
from sendesk.transfer.record import dump_record

PROTECTED = "12 Larkfield Road, Larkfield, LK1 2AB"
OTHER = "3 Larkfield Vale\nLarkfield\nLK1 9ZZ"
PLACEMENT = "Flat 2, Heron House, 7 Mill Lane\nLarkfield\nLK4 6QT"
NOTE = ("Dad now at 12 Larkfield Road, Larkfield, LK1 2AB (do not share). Mum is still at "
        "3 Larkfield Vale, Larkfield, LK1 9ZZ. Placement post goes to Heron House, LK46QT. "
        "Class trip to Larkfield Museum on Friday; Larkfield Academy pays.")
NOTE_SENT = (f"Dad now at {WITHHELD} (do not share). Mum is still at 3 Larkfield Vale, "
             f"Larkfield, LK1 9ZZ. Placement post goes to {WITHHELD}. Class trip to Larkfield "
             "Museum on Friday; Larkfield Academy pays.")
# What must never appear, in any spacing or case.
TELLING = ("12 Larkfield Road", "Larkfield Road", "LK1 2AB", "Heron House", "7 Mill Lane",
           "Mill Lane", "LK4 6QT")


def squashed(text: str) -> str:
    return "".join(text.split()).lower()


def assert_protected_absent(text: str) -> None:
    flat = squashed(text)
    for telling in TELLING:
        assert squashed(telling) not in flat, telling


# --- the rules --------------------------------------------------------------------------------
def test_a_town_shared_with_the_school_and_another_parent_is_left_alone():
    redact = Redactor([PROTECTED], keep=["Larkfield Academy", OTHER])
    assert redact("Demo school: Larkfield Academy") == "Demo school: Larkfield Academy"
    assert redact(OTHER) == OTHER
    assert redact("Moved to Larkfield last year.") == "Moved to Larkfield last year."
    assert redact(PROTECTED) == WITHHELD
    assert redact("At 12 larkfield road,\nLarkfield LK12AB.") == f"At {WITHHELD}."
    assert redact("Walks home along Larkfield Road.") == f"Walks home along {WITHHELD}."


def test_a_street_another_person_lives_on_is_no_secret_but_the_house_is():
    neighbour = "40 Larkfield Road, Larkfield, LK1 3CD"
    redact = Redactor([PROTECTED], keep=[neighbour])
    assert redact(neighbour) == neighbour
    assert redact("Walks home along Larkfield Road.") == "Walks home along Larkfield Road."
    assert redact("Lives at 12 Larkfield Road now.") == f"Lives at {WITHHELD} now."


def test_the_mark_says_nothing_of_what_it_replaced():
    short, long = "1 Ash Way, LK2 1AA", "Flat 14, Buttercup Heights, 172 Wolverhampton Road, LK9 9ZZ"
    redact = Redactor([short, long])
    assert redact(f"A: {short}. B: {long}.") == f"A: {WITHHELD}. B: {WITHHELD}."
    # Parts of one address meeting in a text become one mark, not a count of pieces.
    assert redact("172 Wolverhampton Road; LK9 9ZZ") == WITHHELD
    assert redact("Flat 3 is upstairs.") == "Flat 3 is upstairs."


# --- the school, the pupil and every document -------------------------------------------------
@pytest.fixture(scope="module")
def larkfield(tmp_path_factory, qapp):
    from sendesk.clock import FixedClock
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    path = tmp_path_factory.mktemp("larkfield") / "demo.sendesk"
    session, _ = demo.create_demo_school(path, SENDER_USER, SENDER_NAME, SENDER_PASSWORD,
                                         pupils=60, clock=clock)
    assert "Larkfield Academy" in DEMO_SCHOOL_NAME == session.school.name
    pupil_id = richest_pupil(session)
    for contact in contacts.list_contacts(session, pupil_id):
        contacts.end_contact(session, contact.id, clock.today())
    contacts.add_contact(session, pupil_id, {
        "name": "Sam Carter", "relationship": "Father", "parental_responsibility": True,
        "address": PROTECTED, "do_not_disclose_address": True})
    contacts.add_contact(session, pupil_id, {
        "name": "Jo Carter", "relationship": "Mother", "parental_responsibility": True,
        "address": OTHER})
    open_entry = session.db.scalar("SELECT id FROM register_entries WHERE pupil_id = ? AND"
                                   " register = 'looked_after' AND end_date IS NULL", (pupil_id,))
    if open_entry is None:
        registers.add_entry(session, pupil_id, "looked_after", {
            "start_date": clock.today() - dt.timedelta(days=100), "responsible_la": "Larkfield",
            "pep_date": clock.today() - dt.timedelta(days=20), "protected_address": PLACEMENT})
    else:
        registers.update_entry(session, open_entry, {"protected_address": PLACEMENT})
    notes.add_note(session, pupil_id, {"event_date": clock.today(), "concern": NOTE})
    consent_to_share(session, pupil_id)
    yield session, pupil_id
    session.close()


def document_pages(session, pupil_id, kind) -> list[tuple[str, str]]:
    """(recipient, PDF text) of each document of a kind, or [] where the kind does not apply."""
    try:
        documents = build_documents(session, pupil_id if kind != "provision-map" else pupil_id, kind)
    except ValidationError:
        return []
    return [(d.recipient or "", " ".join(pages_text(render_pdf([d])))) for d in documents]


def test_every_document_withholds_the_protected_parts_and_keeps_everything_else(larkfield):
    session, pupil_id = larkfield
    built = {}
    for kind in KINDS:
        for recipient_name, text in document_pages(session, pupil_id, kind):
            built.setdefault(kind, []).append(recipient_name)
            assert_protected_absent(text)
            assert "withheld] Academy" not in text and "withheld] Vale" not in text, kind
            assert "[withheld]" not in text, kind
            if "Academy" in text:
                assert contains(text, "Larkfield Academy"), kind
    # A pupil still on the register has every kind but the letter about leaving it.
    assert set(built) == set(KINDS) - {"letter-removed"}, built
    assert sorted(built["invitation"]) == ["Jo Carter", "Sam Carter"]

    [(_, file_text)] = document_pages(session, pupil_id, "file")
    assert contains(file_text, NOTE_SENT), "the note keeps every word but the protected address"
    assert contains(file_text, DEMO_SCHOOL_NAME)
    assert contains(file_text, "3 Larkfield Vale Larkfield LK1 9ZZ")

    letters = dict(document_pages(session, pupil_id, "letter-added"))
    assert contains(letters["Jo Carter"], "Jo Carter 3 Larkfield Vale Larkfield LK1 9ZZ")
    assert contains(letters["Jo Carter"], "Larkfield Academy")
    assert_protected_absent(letters["Sam Carter"])


def test_the_letter_about_leaving_the_register_too(larkfield):
    session, pupil_id = larkfield
    sen_register.change_status(session, pupil_id, "N", session.clock.today(),
                               "Needs met; no longer needs SEN support.")
    letters = dict(document_pages(session, pupil_id, "letter-removed"))
    assert sorted(letters) == ["Jo Carter", "Sam Carter"]
    for text in letters.values():
        assert_protected_absent(text)
        assert contains(text, "Larkfield Academy")
    assert contains(letters["Jo Carter"], "3 Larkfield Vale Larkfield LK1 9ZZ")


def test_the_package_record_and_the_ctf_withhold_exactly_the_protected_parts(larkfield, tmp_path):
    session, pupil_id = larkfield
    record = dump_record(session, pupil_id).record
    text = json.dumps(record, ensure_ascii=False)
    assert_protected_absent(text)
    assert_protected_absent(json.dumps(record))
    [note] = [n for n in record["tables"]["short_notes"] if n["concern"].startswith("Dad now")]
    assert note["concern"] == NOTE_SENT
    mother = [c for c in record["tables"]["contacts"] if c["name"] == "Jo Carter"]
    assert mother[0]["address"] == OTHER
    father = [c for c in record["tables"]["contacts"] if c["name"] == "Sam Carter"]
    assert father[0]["address"] is None
    register = [r for r in record["tables"]["register_entries"] if r["register"] == "looked_after"]
    assert all(r["responsible_la"] != WITHHELD for r in register)

    result = sending.send(session, pupil_id, recipient(), tmp_path / "p.sendesk-transfer",
                          lambda s, p: render_pdf(build_documents(s, p, "file")))
    opened = read_package(result.path.read_bytes(), result.passphrase)
    assert_protected_absent(opened.manifest_bytes.decode())
    assert DEMO_SCHOOL_NAME in opened.manifest_bytes.decode()
    sent_pdf = " ".join(pages_text(opened.items["send-file.pdf"]))
    assert_protected_absent(sent_pdf)
    assert contains(sent_pdf, NOTE_SENT)

    xml = ctf.build_ctf(session, [pupil_id], None).decode()
    assert_protected_absent(xml)
    assert DEMO_SCHOOL_NAME in xml
