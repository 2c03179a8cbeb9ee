"""From 16 a young person's own letter speaks to them ("We will work with you to agree a
support plan", "Your views are the most important part"), not to a parent about them, and is
addressed to their home: the address their parents share, never one marked 'do not disclose'.
"As well as" sends one to each."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.pdf_text import contains, pages_text
from tests.records_fixtures import upn

from sendesk.documents import build_documents, templates
from sendesk.pdf import render_pdf
from sendesk.records import apdr, contacts, plan_people, pupils, school_contacts, sen_register

HOME = "1 Mill Lane\nLarkton\nLK1 2AB"


def _alfie(session, address: str = HOME, protected: bool = False) -> int:
    # 16 already on 05/10/2026, the day they were put on SEN support (the letter follows it).
    sixteen = session.clock.today() - dt.timedelta(days=17 * 366)
    pupil_id = pupils.add_pupil(session, {"upn": upn(8), "legal_surname": "Moore",
                                          "legal_forename": "Alfie", "dob": sixteen.isoformat(),
                                          "gender": "M", "year_group": "12"})
    contacts.add_contact(session, pupil_id, {"name": "Claire Moore", "title": "Mrs",
                                             "relationship": "Mother",
                                             "parental_responsibility": True,
                                             "address": address,
                                             "do_not_disclose_address": protected})
    sen_register.change_status(session, pupil_id, "K", "2026-10-05", "Assessment shows SEN.",
                               needs=["SPLD"])
    return pupil_id


def _pages(documents) -> list[str]:
    return [pages_text(render_pdf(d))[0] for d in documents]


def test_the_young_persons_letter_speaks_to_them_at_home(senco_session, qapp):
    pupil_id = _alfie(senco_session)
    school_contacts.set_school_contacts(senco_session, {"young_person": "as_well"})
    young, parent = _pages(build_documents(senco_session, pupil_id, "letter-added"))
    assert contains(young, "Dear Alfie,") and contains(young, "1 Mill Lane")
    assert contains(young, "We will work with you to agree a support plan")
    assert contains(young, "recorded you as needing SEN support")
    assert "We will work with you and Alfie" not in young and "Alfie's needs" not in young
    # The parent's copy keeps the parent's words.
    assert contains(parent, "Dear Mrs Moore,") and contains(parent, "We will work with you and Alfie")


def test_the_invitation_asks_for_their_own_views(senco_session, qapp):
    pupil_id = _alfie(senco_session)
    apdr.open_pathway(senco_session, pupil_id, "23/11/2026")
    from tests.apdr_support import assess, plan
    cycle = apdr.current_pathway(senco_session, pupil_id).current_cycle.id
    assess(senco_session, cycle, dt.date(2026, 11, 23))
    plan(senco_session, cycle, dt.date(2026, 11, 23), dt.date(2027, 2, 12))
    plan_people.set_plan_people(senco_session, cycle, "Mr Hughes", "Mrs Begum")
    school_contacts.set_school_contacts(senco_session, {"young_person": "instead"})
    [young] = _pages(build_documents(senco_session, pupil_id, "invitation"))
    assert contains(young, "review your SEN support plan")
    assert contains(young, "Your views are the most important part of the review")
    assert "Your views, and Alfie's" not in young
    assert contains(young, "Mr Hughes is the teacher responsible for your support and Mrs Begum "
                           "is your key worker.")


def test_a_protected_address_is_not_the_young_persons_either(senco_session, qapp):
    pupil_id = _alfie(senco_session, protected=True)
    school_contacts.set_school_contacts(senco_session, {"young_person": "instead"})
    [young] = _pages(build_documents(senco_session, pupil_id, "letter-added"))
    assert "Mill Lane" not in young and "LK1" not in young
    assert contains(young, "Dear Alfie,")


@pytest.mark.parametrize("kind", templates.LETTER_KINDS)
def test_a_schools_template_without_young_person_wording_falls_back_to_sendesks(kind):
    import json
    raw = json.loads(templates.default_bytes())
    del raw[templates.YOUNG_PERSON_SECTION]
    school = templates.parse(json.dumps(raw).encode(), source="school.json")
    assert school.young_person_letters == {}
    assert templates.load_default().young_person_letters[kind].paragraphs


@pytest.mark.parametrize("choice", ["parents", "as_well", "instead"])
@pytest.mark.parametrize("kind", ["letter-added", "letter-removed"])
def test_the_letter_follows_the_age_on_the_day_of_the_change_as_the_notification_does(
        senco_session, clock, choice, kind):
    """rev20's case: born 02/12/2010, the change on 01/12/2026 (15 years 364 days), the letter
    printed on 03/12/2026 (16): the notification asks for the parents, so the letters are the
    parents' (under every choice), never only the young person's."""
    from sendesk.records import notifications
    clock.advance(dt.date(2026, 12, 3) - clock.today())
    school_contacts.set_school_contacts(senco_session, {"young_person": choice})
    pupil_id = pupils.add_pupil(senco_session, {"upn": upn(9), "legal_surname": "Nearly",
                                                "legal_forename": "Almost", "dob": "2010-12-02",
                                                "gender": "F", "year_group": "11"})
    contacts.add_contact(senco_session, pupil_id, {"name": "Rita Nearly", "title": "Ms",
                                                   "relationship": "Mother",
                                                   "parental_responsibility": True,
                                                   "address": HOME})
    if kind == "letter-added":
        sen_register.change_status(senco_session, pupil_id, "K", "2026-12-01", "SEN.",
                                   needs=["MLD"])
    else:
        sen_register.change_status(senco_session, pupil_id, "K", "2026-10-05", "SEN.",
                                   needs=["MLD"])
        sen_register.change_status(senco_session, pupil_id, "N", "2026-12-01", "Needs met.")
    due = notifications.notifications_for_pupil(senco_session, pupil_id)[0]
    assert due.open and not due.young_person and not due.young_person_to_tell
    assert due.outstanding_contact_ids
    letters = build_documents(senco_session, pupil_id, kind)
    assert [d.recipient for d in letters] == ["Rita Nearly"]
    assert contains(_pages(letters)[0], "Dear Ms Nearly,")
