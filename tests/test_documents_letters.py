"""Parent letters and the templates behind them: one letter per person with parental
responsibility, on the school's letterhead, never with a withheld address; templates a school
can adjust, checked on import with a message that says what is wrong."""

from __future__ import annotations

import datetime as dt
import json
import struct
import zlib

import pytest
from tests.pdf_text import contains, pages_text
from tests.records_fixtures import upn

from sendesk.documents import build_documents, templates
from sendesk.documents.model import AddressBlock, Letterhead
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.pdf import render_pdf
from sendesk.records import contacts, pupils, registers, sen_register

PLACEMENT = "7 Willow Close\nLarkbridge\nLK9 3QT"


def tiny_png(width: int = 40, height: int = 20) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x20\x40\xa0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def family(senco_session, qapp):
    """A looked-after pupil at SEN support: the council and the birth mother hold parental
    responsibility; the foster carer does not, and the placement address is protected."""
    s = senco_session
    pupil_id = pupils.add_pupil(s, {"upn": upn(1), "legal_surname": "O'Neill",
                                    "legal_forename": "Siobhán", "dob": "2016-03-04",
                                    "gender": "F", "year_group": "5"})
    council = contacts.add_contact(s, pupil_id, {
        "name": "Larkshire Children's Services", "relationship": "Local authority",
        "parental_responsibility": True, "address": "County Hall\nLarkton\nLK1 1AA"})
    contacts.add_contact(s, pupil_id, {"name": "Aoife O'Neill", "relationship": "Mother",
                                       "parental_responsibility": True,
                                       "address": "3 Hidden Row\nLarkbridge\nLK9 1XY",
                                       "do_not_disclose_address": True})
    contacts.add_contact(s, pupil_id, {"name": "Jo Carer", "relationship": "Foster carer",
                                       "parental_responsibility": False, "address": PLACEMENT,
                                       "do_not_disclose_address": True})
    registers.add_entry(s, pupil_id, "looked_after", {
        "start_date": "2025-09-01", "pep_date": "2026-10-01", "responsible_la": "Larkshire",
        "protected_address": PLACEMENT})
    sen_register.change_status(s, pupil_id, "K", "2026-10-05", "Assessment shows SEN.",
                               needs=["SPLD"])
    return s, pupil_id, council


def test_one_letter_per_parent_and_no_withheld_address(family):
    session, pupil_id, _ = family
    letters = build_documents(session, pupil_id, "letter-added")
    assert [d.recipient for d in letters] == ["Aoife O'Neill", "Larkshire Children's Services"]
    pages = pages_text(render_pdf(letters))
    assert len(pages) == 2
    council, mother = pages[1], pages[0]
    assert contains(council, "County Hall Larkton LK1 1AA")
    # No title recorded: greeted as the pupil's parent or carer, never with a guessed title.
    assert contains(mother, "Dear Parent or Carer of Siobhán,") and "Hidden Row" not in mother
    for page in pages:
        assert "Willow Close" not in page and "LK9 3QT" not in page and "Jo Carer" not in page
        assert contains(page, "from 5 October 2026 the school has recorded Siobhán")
        assert contains(page, "is: Specific learning difficulty.")
        assert contains(page, "Brambleton Primary School") and "Page 1 of 1" in page
        assert contains(page, "Meera Patel")


def test_letters_follow_the_register(family):
    session, pupil_id, _ = family
    with pytest.raises(ValidationError, match="has not been taken off"):
        build_documents(session, pupil_id, "letter-removed")
    with pytest.raises(ValidationError, match="no support plan review booked"):
        build_documents(session, pupil_id, "invitation")
    sen_register.change_status(session, pupil_id, "N", "2026-11-20", "Needs now met.")
    [letter, _] = build_documents(session, pupil_id, "letter-removed")
    assert "from 20 November 2026" in letter.text()
    with pytest.raises(ValidationError, match="not on the SEN register"):
        build_documents(session, pupil_id, "letter-added")


def test_invitation_never_borrows_another_review_date(family):
    """A healthcare plan's review is not a support plan review: without a booked plan review
    there is no invitation, rather than a letter giving parents the wrong meeting."""
    session, pupil_id, _ = family
    registers.add_entry(session, pupil_id, "medical", {
        "start_date": "2026-09-01", "review_date": "2027-01-15", "details": "Asthma"})
    assert pupils.get_pupil(session, pupil_id).next_review == dt.date(2027, 1, 15)
    with pytest.raises(ValidationError, match="no support plan review booked"):
        build_documents(session, pupil_id, "invitation")


def test_no_parent_with_responsibility_means_no_letter(senco_session, qapp):
    pupil_id = pupils.add_pupil(senco_session, {"upn": upn(2), "legal_surname": "Lee",
                                                "legal_forename": "Sam", "dob": "2015-01-02",
                                                "gender": "M", "year_group": "6"})
    sen_register.change_status(senco_session, pupil_id, "K", "2026-10-05", "SEN.", needs=["MLD"])
    with pytest.raises(ValidationError, match="no one to write to"):
        build_documents(senco_session, pupil_id, "letter-added")


def _school_template(**changes) -> dict:
    raw = json.loads(templates.default_bytes())
    raw["letterhead"]["lines"] = ["1 School Lane, Brambleton BR1 2AB", "Telephone 01632 960000"]
    raw["letterhead"]["logo"] = "crest.png"
    raw["signature"]["name"] = "Mrs M Patel"
    raw["letters"]["letter-added"]["paragraphs"][0] = "From {change_date}, {pupil_first_name} " \
                                                     "receives SEN support at {school_name}."
    for key, value in changes.items():
        raw[key] = value
    return raw


def test_a_school_template_with_its_logo_is_used_on_every_letter(family):
    session, pupil_id, _ = family
    templates.import_templates(session, json.dumps(_school_template()).encode(), tiny_png())
    letters = build_documents(session, pupil_id, "letter-added")
    head = letters[0].blocks[0]
    assert isinstance(head, Letterhead) and head.logo == tiny_png()
    assert head.lines == ("1 School Lane, Brambleton BR1 2AB", "Telephone 01632 960000")
    page = pages_text(render_pdf(letters[0]))[0]
    assert contains(page, "From 5 October 2026, Siobhán receives SEN support at Brambleton "
                          "Primary School.")
    assert contains(page, "Mrs M Patel") and contains(page, "Telephone 01632 960000")
    assert isinstance(letters[0].blocks[1], AddressBlock)
    templates.reset_templates(session)
    assert templates.load(session).source == "default"


@pytest.mark.parametrize("change, message", [
    (lambda t: t["letters"]["invitation"].__setitem__("subject", "Review for {pupil_nam}"),
     "letter 'invitation' 'subject' uses {pupil_nam}, which is not a placeholder"),
    (lambda t: t["letters"]["letter-removed"].pop("salutation"),
     "letter 'letter-removed' has no 'salutation'"),
    (lambda t: t["letters"].pop("invitation"), "has no wording for the letter 'invitation'"),
    (lambda t: t["letters"].__setitem__("letter-expelled", {}), "'letter-expelled' is not a letter"),
    (lambda t: t["letters"]["letter-added"]["paragraphs"].__setitem__(1, "Costs {a} {"),
     "letter 'letter-added' paragraph 2"),
    (lambda t: t.__setitem__("format", 2), "'format' must be 1"),
    (lambda t: t.pop("signature"), "has no 'signature' section"),
    (lambda t: t.__setitem__("greeting", "surname"), "'greeting' must be one of \"title_surname\""),
])
def test_a_faulty_template_is_refused_with_where_the_fault_is(family, change, message):
    session, _, _ = family
    raw = _school_template()
    change(raw)
    with pytest.raises(templates.TemplateError, match=message.replace("{", r"\{").replace("}", r"\}")
                       .replace("(", r"\(")):
        templates.import_templates(session, json.dumps(raw).encode(), tiny_png(), "crest.json")
    assert templates.load(session).source == "default"


def test_a_bad_logo_is_refused(family):
    session, _, _ = family
    data = json.dumps(_school_template()).encode()
    with pytest.raises(templates.TemplateError, match="not a PNG or JPEG"):
        templates.import_templates(session, data, b"GIF89a....")
    with pytest.raises(templates.TemplateError, match="no logo image was given"):
        templates.import_templates(session, data, None)
    with pytest.raises(templates.TemplateError, match="at most 512 KB"):
        templates.import_templates(session, data, tiny_png() + b"\0" * 600_000)
    with pytest.raises(templates.TemplateError, match="not valid JSON"):
        templates.import_templates(session, b"{ nope", tiny_png())


def test_the_shipped_template_is_valid_and_uses_every_letter():
    shipped = templates.load_default()
    assert set(shipped.letters) == set(templates.LETTER_KINDS)


def test_staff_may_not_change_templates(staff_session):
    with pytest.raises(PermissionDenied):
        templates.import_templates(staff_session, templates.default_bytes())


def test_letter_dates_are_written_out(family):
    from sendesk.documents.letters import long_date
    assert long_date(dt.date(2026, 3, 1)) == "1 March 2026"


def test_staff_are_refused_before_a_page_reaches_the_printer(family, staff_session):
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QPdfWriter

    from sendesk.pdf import print_documents
    session, pupil_id, _ = family
    letters = build_documents(session, pupil_id, "letter-added")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    printer = QPdfWriter(buffer)
    with pytest.raises(PermissionDenied):
        print_documents(staff_session, letters, printer, pupil_id, "letter-added")
    assert data.size() == 0, "nothing may be sent to the printer"
    assert print_documents(session, letters, printer, pupil_id, "letter-added") == 2


def test_letters_greet_by_title_and_surname_unless_the_template_chooses_otherwise(family):
    session, pupil_id, _ = family
    mother = next(c for c in contacts.list_contacts(session, pupil_id)
                  if c.details.name == "Aoife O'Neill")
    contacts.update_contact(session, mother.id, {"title": "Mrs"})
    page = pages_text(render_pdf(build_documents(session, pupil_id, "letter-added")[0]))[0]
    assert contains(page, "Dear Mrs O'Neill,") and contains(page, "Mrs Aoife O'Neill")
    for greeting, expected in (("full_name", "Dear Aoife O'Neill,"), ("first_name", "Dear Aoife,")):
        raw = json.loads(templates.default_bytes())
        raw["greeting"] = greeting
        templates.import_templates(session, json.dumps(raw).encode())
        page = pages_text(render_pdf(build_documents(session, pupil_id, "letter-added")[0]))[0]
        assert contains(page, expected), greeting
