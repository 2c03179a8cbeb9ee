"""An EHC needs assessment request recorded as the young person's own (issue 20 item 7) must
come from a pupil of 16 or over on the day it was made: the day it went to the LA, or today
while it is being prepared. Today is 23/11/2026."""

from __future__ import annotations

import datetime as dt

import pytest

from apdr_support import sen_support_pupil
from records_fixtures import snapshot
from sendesk.errors import ValidationError
from sendesk.models.ehc import RequestedBy, who_may_ask
from sendesk.records import ehc, pupils

D = dt.date
OWN = {"local_authority": "Durham", "requested_by": "young_person"}


def _pupil(session, dob: dt.date) -> int:
    pupil_id = sen_support_pupil(session, year_group="11")
    pupils.update_pupil(session, pupil_id, {"dob": dob})
    return pupil_id


def test_a_young_persons_own_request_under_16_is_refused_and_changes_nothing(senco_session):
    pupil_id = _pupil(senco_session, D(2011, 3, 14))      # 15 today
    before = snapshot(senco_session)
    with pytest.raises(ValidationError) as refused:
        ehc.add_request(senco_session, pupil_id, {**OWN, "submitted_on": D(2026, 9, 3)})
    assert str(refused.value) == ("Amara was under 16 on 03/09/2026, so the request cannot be the "
                                  "young person's own; choose the school or a parent.")
    assert refused.value.field == "requested_by"
    with pytest.raises(ValidationError, match="under 16 on 23/11/2026"):
        ehc.add_request(senco_session, pupil_id, OWN)     # not sent yet: today decides
    assert snapshot(senco_session) == before
    assert ehc.list_requests(senco_session, pupil_id) == []


def test_the_day_it_went_decides_not_today(senco_session):
    pupil_id = _pupil(senco_session, D(2010, 10, 1))      # 16 on 01/10/2026
    with pytest.raises(ValidationError, match="under 16 on 30/09/2026"):
        ehc.add_request(senco_session, pupil_id, {**OWN, "submitted_on": D(2026, 9, 30)})
    ehc.add_request(senco_session, pupil_id, {**OWN, "submitted_on": D(2026, 10, 1)})
    [request] = ehc.list_requests(senco_session, pupil_id)
    assert request.requested_by is RequestedBy.YOUNG_PERSON


def test_a_request_cannot_become_a_child_s_own_later(senco_session):
    pupil_id = _pupil(senco_session, D(2011, 3, 14))
    request_id = ehc.add_request(senco_session, pupil_id, {
        "local_authority": "Durham", "requested_by": "parent", "submitted_on": D(2026, 9, 3)})
    with pytest.raises(ValidationError, match="cannot be the young person's own"):
        ehc.update_request(senco_session, request_id, {"requested_by": "young_person"})
    assert ehc.list_requests(senco_session, pupil_id)[0].requested_by is RequestedBy.PARENT


def test_the_form_offers_the_young_person_only_from_16():
    assert who_may_ask(D(2011, 3, 14), D(2026, 11, 23)) == [RequestedBy.SCHOOL, RequestedBy.PARENT]
    assert who_may_ask(D(2010, 11, 23), D(2026, 11, 23)) == list(RequestedBy)
