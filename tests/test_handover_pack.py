"""The end-of-year handover pack for a class: every pupil in it on the SEN register, each with
their one-page profile and current plan, as one PDF through the documents path (permission and
audit), and a record of whom it was handed to and when, in each pupil's history."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.apdr_support import assess, plan, sen_support_pupil
from tests.pdf_text import contains, pages_text
from tests.records_fixtures import audit_actions, upn

from sendesk import pdf
from sendesk.documents import handover
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.records import apdr, plan_people, pupils
from sendesk.records.pupil_record import open_record

D = dt.date


@pytest.fixture
def class_5w(senco_session):
    s = senco_session
    amara = sen_support_pupil(s, surname="Okafor", forename="Amara", year_group="5")
    leo = sen_support_pupil(s, surname="Baker", forename="Leo", year_group="5", needs=("NSA",))
    other = pupils.add_pupil(s, {"upn": upn(60), "legal_surname": "Nowak",
                                 "legal_forename": "Zuzanna", "dob": "2016-03-14", "gender": "F",
                                 "year_group": "5"})
    elsewhere = sen_support_pupil(s, surname="Ahmed", forename="Sami", year_group="5")
    for pupil_id, class_name in ((amara, "5W"), (leo, "5W"), (other, "5W"), (elsewhere, "5E")):
        pupils.update_pupil(s, pupil_id, {"class_name": class_name})
    apdr.open_pathway(s, amara, "23/11/2026")
    cycle = apdr.current_pathway(s, amara).current_cycle.id
    assess(s, cycle, D(2026, 11, 23))
    plan(s, cycle, D(2026, 11, 23), D(2027, 2, 12))
    return s, amara, leo, other


def test_the_pack_holds_each_sen_pupils_profile_and_plan(class_5w, qapp, tmp_path):
    session, amara, leo, other = class_5w
    assert [(c.class_name, c.pupils) for c in handover.handover_classes(session)] == [
        ("5E", 1), ("5W", 2)]
    documents = handover.build_handover(session, "5W")
    assert [(d.kind, d.pupil_name) for d in documents] == [
        ("handover", ""), ("profile", "Leo Baker"), ("plan", "Leo Baker"),
        ("profile", "Amara Okafor"), ("plan", "Amara Okafor")]
    assert audit_actions(session)[-1] == "built a handover pack"
    path = tmp_path / "handover-5W.pdf"
    plan_people.set_plan_people(session, apdr.current_pathway(session, amara).current_cycle.id,
                                "Mr Hughes", "Mrs Begum")
    documents = handover.build_handover(session, "5W")
    pages = pdf.save_pdf(session, documents, None, handover.KIND, path)
    text = pages_text(path.read_bytes())
    assert len(text) == pages and pages >= 5
    cover = text[0]
    assert contains(cover, "Handover pack: class 5W") and contains(cover, "Amara Okafor")
    assert "Zuzanna" not in " ".join(text) and "Sami" not in " ".join(text)
    assert contains(cover, "SEN support but no specialist assessment of type of need")
    assert contains(cover, "Teacher: Mr Hughes") and contains(cover, "Key worker: Mrs Begum")
    whole = " ".join(text)
    assert contains(whole, "One-page profile") and contains(whole, "My SEN Support Plan")
    assert contains(whole, "Leo Baker has no support plan written yet")
    assert audit_actions(session)[-1] == "exported a document"


def test_handing_over_is_recorded_in_each_pupils_history(class_5w):
    session, amara, leo, other = class_5w
    assert handover.record_handover(session, "5W", "Mr Hughes", "20/11/2026") == 2
    for pupil_id in (amara, leo):
        changes = {(c.record_type, c.field): c.new_value
                   for c in open_record(session, pupil_id).changes}
        assert changes[("handover", "handed_to")] == "Mr Hughes"
        assert changes[("handover", "handed_on")] == "2026-11-20"
    assert not [c for c in open_record(session, other).changes if c.record_type == "handover"]
    assert "recorded a class handover" in audit_actions(session)


def test_bad_handovers_are_refused(class_5w, staff_session):
    session = class_5w[0]
    with pytest.raises(ValidationError, match="No pupil in class 6B"):
        handover.build_handover(session, "6B")
    with pytest.raises(ValidationError, match="Handed over on.*cannot be after today"):
        handover.record_handover(session, "5W", "Mr Hughes", "24/11/2026")
    with pytest.raises(ValidationError, match="Handed to"):
        handover.record_handover(session, "5W", "", "20/11/2026")
    assert session.db.scalar("SELECT count(*) FROM class_handovers") == 0
    with pytest.raises(PermissionDenied):
        handover.record_handover(staff_session, "5W", "Mr Hughes", "20/11/2026")
