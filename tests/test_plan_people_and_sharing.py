"""Plans name the people responsible for the support (a teacher and a key worker, not a role)
and a held review records the day its record was shared with the parents; both reach the
pupil's history, the plan or full SEND file, and the letters."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.apdr_support import assess, plan, review, sen_support_pupil
from tests.pdf_text import contains, pages_text

from sendesk.documents import build_documents
from sendesk.errors import ValidationError
from sendesk.pdf import render_pdf
from sendesk.records import apdr, contacts, plan_people
from sendesk.records.pupil_record import open_record

D = dt.date


def _go_to(clock, day: dt.date) -> None:
    clock.advance(dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC) - clock.now())


@pytest.fixture
def planned(senco_session):
    pupil = sen_support_pupil(senco_session)
    contacts.add_contact(senco_session, pupil, {"name": "Grace Okafor", "title": "Mrs",
                                                "relationship": "Mother",
                                                "parental_responsibility": True})
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    return senco_session, pupil, cycle


def _history(session, pupil) -> list[tuple[str, str, str]]:
    return [(c.record_type, c.field, c.new_value or "") for c in open_record(session, pupil).changes]


def test_the_plan_names_its_people_in_the_plan_and_the_letters(planned, qapp):
    session, pupil, cycle = planned
    assert "Meera Patel" in plan_people.staff_names(session)
    # Named on the agreed plan: staff change, the agreement does not.
    plan_people.set_plan_people(session, cycle, "Mr Hughes", "Mrs Begum")
    current = apdr.get_cycle(session, cycle).plan
    assert (current.responsible_teacher, current.key_worker) == ("Mr Hughes", "Mrs Begum")
    assert ("plan", "key_worker", "Mrs Begum") in _history(session, pupil)
    page = " ".join(pages_text(render_pdf(build_documents(session, pupil, "plan"))))
    assert contains(page, "Teacher responsible for my support Mr Hughes")
    assert contains(page, "My key worker Mrs Begum")
    letter = pages_text(render_pdf(build_documents(session, pupil, "invitation")))[0]
    assert contains(letter, "Mr Hughes is the teacher responsible for Amara's support and "
                            "Mrs Begum is Amara's key worker.")


def test_a_name_that_is_too_long_is_refused(planned):
    session, pupil, cycle = planned
    with pytest.raises(ValidationError, match="Key worker"):
        plan_people.set_plan_people(session, cycle, "Mr Hughes", "x" * 101)
    assert apdr.get_cycle(session, cycle).plan.responsible_teacher == ""


def test_a_held_review_records_when_it_was_shared_with_parents(planned, clock, qapp):
    session, pupil, cycle = planned
    with pytest.raises(ValidationError, match="Hold the review first"):
        apdr.record_review_shared(session, cycle, "23/11/2026")
    _go_to(clock, D(2027, 2, 10))
    review(session, cycle, D(2027, 2, 10), "continue_targeted")
    with pytest.raises(ValidationError, match="cannot be before the review meeting"):
        apdr.record_review_shared(session, cycle, "09/02/2027")
    apdr.record_review_shared(session, cycle, "10/02/2027")
    assert apdr.get_cycle(session, cycle).review.shared_on == D(2027, 2, 10)
    assert ("review shared", "shared_on", "2027-02-10") in _history(session, pupil)
    pages = " ".join(pages_text(render_pdf(build_documents(session, pupil, "file"))))
    assert contains(pages, "Shared with parents on 10/02/2027")
    review_record = " ".join(pages_text(render_pdf(build_documents(session, pupil, "review"))))
    assert contains(review_record, "Shared with parents on 10/02/2027")
