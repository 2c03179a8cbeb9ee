"""The reviews a move asks for: a records transfer received (within the school's weeks of
arrival, counted on school days), a pupil arriving in Year 7 (before the autumn term ends, with
a costed provision map), and a year-group change from the MIS import (reported in its summary).
"""

from __future__ import annotations

import datetime as dt

import pytest
from tests.apdr_support import assess, plan, review, sen_support_pupil
from tests.records_fixtures import upn
from tests.transfer_support import SENDER_PASSWORD, consent_to_share, fake_pdf, make_sender, recipient

from sendesk.errors import ValidationError
from sendesk.records import apdr, mis_import, pupils, review_requests, school_calendar
from sendesk.records.pupil_record import open_record
from sendesk.transfer import receiving, sending

D = dt.date


@pytest.fixture
def package(tmp_path, clock, to_engine):
    """A package for a pupil with an EHC plan, from another school, opened here."""
    sender = to_engine(make_sender(tmp_path / "sender.sendesk", clock), SENDER_PASSWORD)
    try:
        pupil_id = sender.db.scalar(
            "SELECT p.id FROM pupils p WHERE p.archived_at IS NULL AND p.sen_status = 'E'"
            " ORDER BY p.id LIMIT 1")
        consent_to_share(sender, pupil_id)
        sent = sending.send(sender, pupil_id, recipient(), tmp_path / "p.sendesk-transfer",
                            fake_pdf)
        return sent.path.read_bytes(), sent.passphrase
    finally:
        sender.close()


def _receive(session, package, **arrival):
    preview = receiving.open_package(session, *package)
    return receiving.import_package(session, preview, {}, receiving.Arrival(**arrival)).pupil_id


def test_a_received_file_asks_for_a_review_within_six_school_weeks(senco_session, package):
    pupil_id = _receive(senco_session, package, year_group="5")
    [request] = review_requests.open_requests(senco_session, pupil_id)
    # Monday 23/11/2026: four school weeks to the end of the autumn term, then two after
    # Christmas (the holidays are not counted).
    assert (request.reason, request.review_date) == ("arrival", D(2027, 1, 18))
    assert school_calendar.load(senco_session).is_school_day(request.review_date)
    assert "within 6 school weeks of arrival" in request.detail
    assert [r.label for r in open_record(senco_session, pupil_id).review_requests] == [
        "Review due by 18/01/2027: Arrived with a records transfer"]
    changes = open_record(senco_session, pupil_id).changes
    assert any(c.record_type == "review request" and c.new_value == "2027-01-18"
               and not c.from_school for c in changes)


def test_a_second_file_before_the_review_asks_for_nothing_more(senco_session, package):
    pupil_id = _receive(senco_session, package, year_group="5")
    assert review_requests.after_arrival(senco_session, pupil_id, "Larkfield") is None
    assert len(review_requests.open_requests(senco_session, pupil_id)) == 1


def test_the_school_sets_the_weeks(senco_session, package):
    with pytest.raises(ValidationError, match="1 to 14 school weeks"):
        review_requests.set_review_weeks(senco_session, 20)
    assert review_requests.review_weeks(senco_session) == 6
    review_requests.set_review_weeks(senco_session, "2")
    pupil_id = _receive(senco_session, package, year_group="5")
    assert review_requests.open_requests(senco_session, pupil_id)[0].review_date == D(2026, 12, 7)


def test_a_year_7_arrival_is_reviewed_before_the_autumn_term_ends(senco_session, package):
    pupil_id = _receive(senco_session, package, year_group="7")
    [request] = review_requests.open_requests(senco_session, pupil_id)
    assert (request.reason, request.review_date) == ("year7", D(2026, 12, 18))
    assert "costed provision map" in request.detail and "support timetable" in request.detail
    assert request.label == "Review due by 18/01/2027: Arrived in Year 7".replace(
        "18/01/2027", "18/12/2026")


def test_a_year_group_change_from_the_mis_asks_for_the_plan_to_be_reviewed(senco_session):
    on_register = sen_support_pupil(senco_session, year_group="4")
    not_on_register = pupils.add_pupil(senco_session, {
        "upn": upn(40), "legal_surname": "Nowak", "legal_forename": "Zuzanna",
        "dob": "2018-03-14", "gender": "F", "year_group": "3"})
    rows = [pupils.get_pupil(senco_session, p) for p in (on_register, not_on_register)]
    data = "UPN,Surname,Forename,DOB,Gender,Year\r\n" + "".join(
        f"{p.details.upn},{p.details.legal_surname},{p.details.legal_forename},"
        f"{p.details.dob:%d/%m/%Y},{p.details.gender},{int(p.details.year_group) + 1}\r\n"
        for p in rows)
    result = mis_import.commit(senco_session, mis_import.preview(senco_session, data.encode()))
    assert result.reviews_asked == 1
    assert mis_import.reviews_sentence(result).startswith(
        "1 pupil on the SEN register has moved year group: a review of their plans")
    [request] = review_requests.open_requests(senco_session, on_register)
    assert request.reason == "year_group" and "Now in Year 5" in request.detail
    assert request.review_date == D(2027, 1, 18)
    assert review_requests.open_requests(senco_session, not_on_register) == []


def test_a_review_held_after_the_move_meets_the_request(senco_session, clock):
    pupil = sen_support_pupil(senco_session, year_group="4")
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    data = (f"UPN,Surname,Forename,DOB,Gender,Year\r\n{pupils.get_pupil(senco_session, pupil).details.upn},"
            "Okafor,Amara,14/03/2017,F,5\r\n")
    mis_import.commit(senco_session, mis_import.preview(senco_session, data.encode()))
    assert len(review_requests.open_requests(senco_session, pupil)) == 1
    clock.advance(dt.timedelta(days=3))
    review(senco_session, cycle, D(2026, 11, 26), "continue_targeted")
    assert review_requests.open_requests(senco_session, pupil) == []


def _mis_moves(session, pupil_id: int, year: int) -> None:
    p = pupils.get_pupil(session, pupil_id).details
    data = (f"UPN,Surname,Forename,DOB,Gender,Year\r\n{p.upn},{p.legal_surname},"
            f"{p.legal_forename},{p.dob:%d/%m/%Y},{p.gender},{year}\r\n")
    mis_import.commit(session, mis_import.preview(session, data.encode()))


def test_a_move_is_shown_in_reviews_due_on_home_in_the_agenda_and_the_record(senco_session):
    from sendesk.records import agenda, dashboard
    from sendesk.records.apdr.due import reviews_due
    pupil = sen_support_pupil(senco_session, year_group="4")
    apdr.open_pathway(senco_session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    _mis_moves(senco_session, pupil, 5)
    [row] = [d for d in reviews_due(senco_session) if d.pupil_id == pupil]
    # The move's review (18/01/2027) comes before the plan's (12/02/2027).
    assert row.review_date == D(2027, 1, 18) and row.request.reason == "year_group"
    home = dashboard.dashboard(senco_session)
    assert home.plan_reviews[pupil] == D(2027, 1, 18)
    assert home.moves_asked[pupil] == "Moved year group"
    [item] = [i for i in agenda.gather(senco_session, D(2026, 11, 23), D(2027, 3, 1))
              if i.pupil_id == pupil and i.kind.value == "move_review"]
    assert item.day == D(2027, 1, 18) and "Moved year group" in item.detail
    assert "Now in Year 5" in item.detail_on_screen
    assert open_record(senco_session, pupil).next_review == D(2027, 1, 18)


def test_a_move_asked_for_a_pupil_with_an_ehc_plan_is_listed(senco_session, package):
    from sendesk.records.apdr.due import reviews_due
    pupil_id = _receive(senco_session, package, year_group="5")
    [row] = [d for d in reviews_due(senco_session) if d.pupil_id == pupil_id]
    assert row.review_date == D(2027, 1, 18) and row.request.reason == "arrival"


def test_a_year_7_pupil_new_by_the_mis_then_the_ctf_is_reviewed_in_the_autumn(senco_session,
                                                                               tmp_path):
    from sendesk.models.upn import make_upn
    from sendesk.transfer import ctf
    number = make_upn("937", "4001", 2015, 7)
    data = (f"UPN,Surname,Forename,DOB,Gender,Year\r\n{number},Real,Child,01/01/2015,F,7\r\n")
    mis_import.commit(senco_session, mis_import.preview(senco_session, data.encode()))
    pupil_id = senco_session.db.scalar("SELECT id FROM pupils WHERE upn = ?", (number,))
    assert review_requests.open_requests(senco_session, pupil_id) == []   # not on the register
    path = tmp_path / "primary.xml"
    path.write_text(f"""<CTfile><Header><SourceSchool><SchoolName>X</SchoolName></SourceSchool>
</Header><CTFpupilData><Pupil><UPN>{number}</UPN><Surname>Real</Surname><Forename>Child
</Forename><DOB>2015-01-01</DOB><SENhistory><SEN><StartDate>2026-01-01</StartDate>
<SENprovision>K</SENprovision></SEN><SENneeds><SENneed><SENtype>SLCN</SENtype>
<SENtypeRank>1</SENtypeRank></SENneed></SENneeds></SENhistory></Pupil></CTFpupilData></CTfile>""")
    result = ctf.import_ctf(senco_session, path)
    assert "Review due by 18/12/2026: Arrived in Year 7" in result.applied[0]
    [request] = review_requests.open_requests(senco_session, pupil_id)
    assert (request.reason, request.review_date) == ("year7", D(2026, 12, 18))


def test_a_pupil_on_the_register_moving_into_year_7_by_the_mis_gets_the_year_7_review(
        senco_session):
    pupil = sen_support_pupil(senco_session, year_group="6")
    _mis_moves(senco_session, pupil, 7)
    [request] = review_requests.open_requests(senco_session, pupil)
    assert (request.reason, request.review_date) == ("year7", D(2026, 12, 18))


# rev20's dates: the file imported on Wednesday 02/12/2026 for a pupil admitted on another day.
@pytest.mark.parametrize(("admitted", "due", "words"), [
    # A September 2027 arrival: by the end of that autumn term, not this one.
    (D(2027, 9, 1), D(2027, 12, 17), "before the end of the autumn term"),
    (D(2026, 12, 2), D(2026, 12, 18), "before the end of the autumn term"),
    # In the last two school weeks of the autumn term, or after it: the school's 6 weeks.
    (D(2026, 12, 15), D(2027, 2, 9), "in the last two weeks of the autumn term"),
    (D(2026, 12, 18), D(2027, 2, 12), "in the last two weeks of the autumn term"),
    (D(2026, 12, 19), D(2027, 2, 12), "after the autumn term"),
])
def test_a_year_7_review_counts_from_the_admission_date(senco_session, package, clock,
                                                        admitted, due, words):
    clock.advance(D(2026, 12, 2) - clock.today())
    pupil_id = _receive(senco_session, package, year_group="7", admission_date=admitted)
    [request] = review_requests.open_requests(senco_session, pupil_id)
    assert (request.reason, request.review_date) == ("year7", due)
    assert words in request.detail and "costed provision map" in request.detail
    assert request.detail.endswith(f"Due by {due:%d/%m/%Y}.")
    assert school_calendar.load(senco_session).is_school_day(due)


@pytest.mark.parametrize(("admitted", "due"), [
    (D(2027, 9, 1), D(2027, 10, 13)),     # six school weeks of the September, not of today
    (D(2026, 12, 19), D(2027, 2, 12)),    # the holidays are not counted
    (D(2026, 11, 20), D(2027, 1, 15)),    # admitted before the file came
])
def test_an_arrival_review_counts_from_the_admission_date(senco_session, package, clock,
                                                          admitted, due):
    clock.advance(D(2026, 12, 2) - clock.today())
    pupil_id = _receive(senco_session, package, year_group="8", admission_date=admitted)
    [request] = review_requests.open_requests(senco_session, pupil_id)
    assert (request.reason, request.review_date) == ("arrival", due)
    assert f"within 6 school weeks of arrival, by {due:%d/%m/%Y}" in request.detail


def test_a_year_6_file_imported_in_july_for_september_asks_for_the_year_7_review(
        senco_session, package, clock):
    clock.advance(D(2027, 7, 12) - clock.today())
    pupil_id = _receive(senco_session, package, year_group="7", admission_date=D(2027, 9, 1))
    [request] = review_requests.open_requests(senco_session, pupil_id)
    assert (request.reason, request.review_date) == ("year7", D(2027, 12, 17))


def test_a_year_7_pupil_new_by_a_july_mis_import_for_september_is_reviewed_that_autumn(
        senco_session, tmp_path, clock):
    from sendesk.models.upn import make_upn
    from sendesk.transfer import ctf
    clock.advance(D(2027, 7, 12) - clock.today())
    number = make_upn("937", "4001", 2016, 8)
    data = ("UPN,Surname,Forename,DOB,Gender,Year,Admission date\r\n"
            f"{number},Real,Child,01/01/2016,F,7,01/09/2027\r\n")
    mis_import.commit(senco_session, mis_import.preview(senco_session, data.encode()))
    pupil_id = senco_session.db.scalar("SELECT id FROM pupils WHERE upn = ?", (number,))
    path = tmp_path / "primary.xml"
    path.write_text(f"""<CTfile><Header><SourceSchool><SchoolName>X</SchoolName></SourceSchool>
</Header><CTFpupilData><Pupil><UPN>{number}</UPN><Surname>Real</Surname><Forename>Child
</Forename><DOB>2016-01-01</DOB><SENhistory><SEN><StartDate>2027-01-01</StartDate>
<SENprovision>K</SENprovision></SEN><SENneeds><SENneed><SENtype>SLCN</SENtype>
<SENtypeRank>1</SENtypeRank></SENneed></SENneeds></SENhistory></Pupil></CTFpupilData></CTfile>""")
    result = ctf.import_ctf(senco_session, path)
    assert "Review due by 17/12/2027: Arrived in Year 7" in result.applied[0]
    [request] = review_requests.open_requests(senco_session, pupil_id)
    assert "before the end of the autumn term" in request.detail
