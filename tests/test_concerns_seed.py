"""What the initial concerns discussion carries into the short note's headings and into the
first APDR cycle, so nobody types it twice."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.concerns_support import DISCUSSION, ROUTES, add_pupil

from sendesk.models import flowchart as fc
from sendesk.records import apdr, concerns, notes

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def chart() -> fc.Flowchart:
    return fc.load_default()


def finish(session, pupil_id, chart, route="sen_support", discussion=DISCUSSION):
    return concerns.finish(session, pupil_id, chart, ROUTES[route][0], discussion,
                           discussion_date=TODAY - dt.timedelta(days=2),
                           review_date=TODAY + dt.timedelta(weeks=6))


def test_each_answer_is_under_its_own_heading_in_the_note(senco_session, chart):
    pupil = add_pupil(senco_session)
    finish(senco_session, pupil, chart)
    note = notes.list_notes(senco_session, pupil)[0]
    assert "What the pupil says\n" + DISCUSSION["child_views"] in note.concern
    assert "The pupil's strengths and interests\n" + DISCUSSION["strengths"] in note.concern
    assert "What the pupil finds hard\n" + DISCUSSION["difficulties"] in note.concern
    # The parents' column holds what the parents said, and who took part; never the pupil's words.
    assert DISCUSSION["child_views"] not in note.parent_discussion
    assert note.parent_discussion == ("Who took part\n" + DISCUSSION["who_took_part"] + "\n\n"
                                      "What the parents or carers said\n" + DISCUSSION["parent_views"])
    assert DISCUSSION["parent_views"] not in note.concern + note.agreed_actions
    assert "What we all want to achieve\n" + DISCUSSION["agreed_outcomes"] in note.agreed_actions
    assert "Next steps we agreed\n" + DISCUSSION["next_steps"] in note.agreed_actions
    assert "Recommended next step\nMove to SEN support" in note.agreed_actions


def test_the_first_cycle_is_offered_the_discussion_and_says_where_from(senco_session, chart):
    pupil = add_pupil(senco_session)
    finish(senco_session, pupil, chart)
    pathway = apdr.open_pathway(senco_session, pupil, TODAY)
    cycle = apdr.current_pathway(senco_session, pupil).cycles[0]
    assert pathway and cycle.number == 1
    seed = apdr.concerns_seed(senco_session, cycle.id)
    assert seed is not None
    assert dict(seed.assessment) == {"strengths": DISCUSSION["strengths"],
                                     "needs": DISCUSSION["difficulties"],
                                     "child_views": DISCUSSION["child_views"],
                                     "parent_views": DISCUSSION["parent_views"]}
    assert seed.aspirations == DISCUSSION["agreed_outcomes"]
    assert seed.source == "Filled in from the initial concerns discussion on 21/11/2026."


def test_only_empty_fields_are_filled():
    offered = {"strengths": "Loves drawing.", "needs": "Instructions.", "child_views": "Fine."}
    typed = {"strengths": "Typed by the SENCO", "needs": "   ", "child_views": None}
    assert apdr.fill_empty(typed, offered) == {"needs": "Instructions.", "child_views": "Fine."}
    assert apdr.fill_empty({"strengths": "x", "needs": "y", "child_views": "z"}, offered) == {}


def test_nothing_is_offered_without_a_run_or_after_the_first_cycle(senco_session, chart):
    from tests.apdr_support import sen_support_pupil
    pupil = sen_support_pupil(senco_session)          # on the register without the flowchart
    apdr.open_pathway(senco_session, pupil, TODAY)
    assert apdr.concerns_seed(senco_session,
                              apdr.current_pathway(senco_session, pupil).cycles[0].id) is None
    other = add_pupil(senco_session, "Other", "Pupil")
    finish(senco_session, other, chart, discussion={**DISCUSSION, "strengths": ""} | {
        "strengths": DISCUSSION["strengths"]})
    apdr.open_pathway(senco_session, other, TODAY)
    cycle_id = apdr.current_pathway(senco_session, other).cycles[0].id
    senco_session.db.execute("UPDATE apdr_cycles SET number = 2 WHERE id = ?", (cycle_id,))
    assert apdr.concerns_seed(senco_session, cycle_id) is None
