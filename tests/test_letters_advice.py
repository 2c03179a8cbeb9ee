"""Letters tell families where to get impartial advice (the school's SENDIASS and Local Offer,
typed once), go to a young person of 16 or over when the school says so, name the people
responsible for the support, and print a need's label as it is written."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.pdf_text import contains, pages_text
from tests.records_fixtures import audit_actions, upn

from sendesk.documents import build_documents
from sendesk.errors import ValidationError
from sendesk.pdf import render_pdf
from sendesk.records import consent, contacts, pupils, school_contacts, sen_register

ADVICE = {"sendiass_name": "Larkshire SENDIASS", "sendiass_phone": "01632 960 123",
          "sendiass_email": "advice@larkshire-sendiass.org.uk",
          "sendiass_web": "www.larkshire-sendiass.org.uk",
          "local_offer_web": "www.larkshire.gov.uk/localoffer"}


def _pupil(session, dob: str, needs=("SPLD",), year: str = "5") -> int:
    pupil_id = pupils.add_pupil(session, {"upn": upn(7), "legal_surname": "Okafor",
                                          "legal_forename": "Amara", "dob": dob, "gender": "F",
                                          "year_group": year})
    contacts.add_contact(session, pupil_id, {"name": "Grace Okafor", "title": "Mrs",
                                             "relationship": "Mother",
                                             "parental_responsibility": True,
                                             "address": "1 Mill Lane\nLarkton\nLK1 2AB"})
    sen_register.change_status(session, pupil_id, "K", "2026-10-05", "Assessment shows SEN.",
                               needs=list(needs))
    return pupil_id


def test_a_need_keeps_its_capitals_in_the_letter(senco_session, qapp):
    pupil_id = _pupil(senco_session, "2016-03-04", needs=("NSA",))
    page = pages_text(render_pdf(build_documents(senco_session, pupil_id, "letter-added")))[0]
    assert contains(page, "SEN support but no specialist assessment of type of need")
    assert "sen support but" not in page


def test_letters_carry_the_schools_sendiass_and_local_offer(senco_session, qapp):
    pupil_id = _pupil(senco_session, "2016-03-04")
    before = pages_text(render_pdf(build_documents(senco_session, pupil_id, "letter-added")))[0]
    assert "SENDIASS" not in before and "Local Offer" not in before   # nothing half-written
    school_contacts.set_school_contacts(senco_session, ADVICE)
    assert "changed the school's advice details" in audit_actions(senco_session)
    for kind in ("letter-added",):
        page = pages_text(render_pdf(build_documents(senco_session, pupil_id, kind)))[0]
        assert contains(page, "you can contact Larkshire SENDIASS (phone 01632 960 123, email "
                              "advice@larkshire-sendiass.org.uk, www.larkshire-sendiass.org.uk)")
        assert contains(page, "Local Offer, at www.larkshire.gov.uk/localoffer")
    assert school_contacts.school_contacts(senco_session).sendiass_name == "Larkshire SENDIASS"


@pytest.mark.parametrize("field, value, words", [
    ("sendiass_phone", "call us", "should contain only digits"),
    ("sendiass_email", "advice.larkshire", "is not an email address"),
    ("local_offer_web", "larkshire local offer", "is not a web address"),
    ("sendiass_name", "", "Give the SENDIASS's name"),
])
def test_bad_advice_details_are_refused_and_change_nothing(senco_session, field, value, words):
    school_contacts.set_school_contacts(senco_session, ADVICE)
    with pytest.raises(ValidationError, match=words) as caught:
        school_contacts.set_school_contacts(senco_session, dict(ADVICE, **{field: value}))
    assert caught.value.field == field
    assert school_contacts.school_contacts(senco_session).as_dict() == dict(ADVICE,
                                                                            young_person="parents")


def test_staff_cannot_set_the_advice_details(staff_session):
    from sendesk.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        school_contacts.set_school_contacts(staff_session, ADVICE)


def test_from_16_letters_follow_the_schools_choice(senco_session, qapp):
    # 16 already on 05/10/2026, the day she was put on SEN support (the letter follows it).
    sixteen = senco_session.clock.today() - dt.timedelta(days=17 * 366)
    pupil_id = _pupil(senco_session, sixteen.isoformat(), year="12")
    # The default writes to the parents only, as before 16.
    assert [d.recipient for d in build_documents(senco_session, pupil_id, "letter-added")] \
        == ["Grace Okafor"]
    school_contacts.set_school_contacts(senco_session, dict(ADVICE, young_person="as_well"))
    letters = build_documents(senco_session, pupil_id, "letter-added")
    assert [d.recipient for d in letters] == ["Amara Okafor", "Grace Okafor"]
    young = pages_text(render_pdf(letters[0]))[0]
    assert contains(young, "Dear Amara,") and contains(young, "1 Mill Lane")   # her home
    school_contacts.set_school_contacts(senco_session, dict(ADVICE, young_person="instead"))
    assert [d.recipient for d in build_documents(senco_session, pupil_id, "letter-added")] \
        == ["Amara Okafor"]


def test_under_16_letters_go_to_the_parents_whatever_the_choice(senco_session, qapp):
    school_contacts.set_school_contacts(senco_session, dict(ADVICE, young_person="instead"))
    pupil_id = _pupil(senco_session, "2011-12-01", year="10")   # 14 on 23/11/2026
    assert [d.recipient for d in build_documents(senco_session, pupil_id, "letter-added")] \
        == ["Grace Okafor"]


def test_from_16_consent_follows_the_schools_choice(senco_session):
    sixteen = senco_session.clock.today() - dt.timedelta(days=16 * 366)
    pupil_id = _pupil(senco_session, sixteen.isoformat(), year="12")
    parent = {"given_by": "Grace Okafor", "giver_kind": "parent or carer",
              "given_on": "2026-11-20", "scope": "Share with the speech and language service"}
    consent.record_consent(senco_session, pupil_id, parent)   # the default: parents may
    school_contacts.set_school_contacts(senco_session, {"young_person": "instead"})
    with pytest.raises(ValidationError, match="gives consent themselves"):
        consent.record_consent(senco_session, pupil_id, parent)
    consent.record_consent(senco_session, pupil_id, dict(parent, given_by="Amara Okafor",
                                                         giver_kind="young person"))
    assert len(consent.list_consents(senco_session, pupil_id)) == 2
