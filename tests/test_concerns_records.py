"""Runs of the initial concerns flowchart in the core: drafts, resuming, discarding, and a
finish that writes the run, the short note and the register change together or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlcipher3
from tests.concerns_support import DISCUSSION, ROUTES, add_pupil

from sendesk.errors import PermissionDenied, StorageError, ValidationError
from sendesk.models import flowchart as fc
from sendesk.records import concerns, notes, notifications, pupils, registers, school_calendar, sen_register
from sendesk.services import lifecycle, users

TODAY = dt.date(2026, 11, 23)
# Thirteen weeks on: twelve (15/02/2027) is in the February half-term, not a school day.
SPRING_REVIEW = dt.date(2027, 2, 22)
TABLES = ("concern_runs", "concern_answers", "short_notes", "register_entries",
          "sen_status_history", "sen_needs", "parent_notifications_due", "audit_log")


@pytest.fixture
def chart() -> fc.Flowchart:
    return fc.load_default()


@pytest.fixture
def pupil(senco_session) -> int:
    return add_pupil(senco_session)


def counts(session) -> dict[str, int]:
    return {table: session.db.scalar(f"SELECT count(*) FROM {table}") for table in TABLES}


def finish(session, pupil_id, chart, route, **extra):
    answers = ROUTES[route][0]
    options = {"discussion_date": TODAY, "review_date": TODAY + dt.timedelta(weeks=6)} | extra
    return concerns.finish(session, pupil_id, chart, answers, DISCUSSION, **options)


def test_staff_finish_a_monitoring_outcome(staff_session, senco_session, pupil, chart):
    run_id = finish(staff_session, pupil, chart, "low_attainment")
    run = concerns.get_run(staff_session, run_id)
    assert run.outcome_kind == "monitoring" and run.outcome_title.startswith("Keep to good")
    assert [a.question for a in run.answers][:2] == [chart.question("teaching").text,
                                                    chart.question("attendance").text]
    assert [a.answer for a in run.answers][-1] == "Yes, attainment is low but progress is steady"
    assert run.finished_by == "Owen Williams" and run.review_date == TODAY + dt.timedelta(weeks=6)
    assert dict(run.discussion)["What the parents or carers said"] == DISCUSSION["parent_views"]

    note = notes.list_notes(staff_session, pupil)[0]
    assert note.id == run.note_id and note.author_name == "Owen Williams"
    assert note.event_date == TODAY and note.review_date == run.review_date
    assert DISCUSSION["difficulties"] in note.concern and DISCUSSION["strengths"] in note.concern
    assert DISCUSSION["parent_views"] in note.parent_discussion
    assert DISCUSSION["child_views"] not in note.parent_discussion
    assert "Recommended next step\nKeep to good adapted teaching" in note.agreed_actions
    assert DISCUSSION["next_steps"] in note.agreed_actions

    entry = registers.list_entries(staff_session, pupil)[0]
    assert entry.kind.value == "monitoring" and entry.open and entry.id == run.register_entry_id
    assert entry.review_date == run.review_date and "initial concerns flowchart" in entry.details
    summary = pupils.pupil_from_row(senco_session.db.query_one("SELECT * FROM pupils WHERE id = ?",
                                                               (pupil,)))
    assert summary.next_review == run.review_date and summary.sen_status is None
    actions = [r["action"] for r in senco_session.db.query("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-3:] == ["added a short note", "added a register entry",
                            "finished the initial concerns flowchart"]


@pytest.mark.parametrize("route", ["attendance", "ihp", "early_help", "eal", "exclusion"])
def test_alternative_pathways_go_on_the_monitoring_register(senco_session, pupil, chart, route):
    run = concerns.get_run(senco_session, finish(senco_session, pupil, chart, route))
    _, outcome_id, kind, pathway, _ = ROUTES[route]
    assert (run.outcome_kind, run.pathway) == (kind, pathway)
    assert run.kind_label == fc.PATHWAYS[pathway]
    entry = registers.list_entries(senco_session, pupil)[0]
    assert entry.kind.value == "monitoring" and entry.open
    assert sen_register.status_history(senco_session, pupil) == []


def test_senco_moves_a_pupil_to_sen_support(senco_session, pupil, chart):
    earlier = finish(senco_session, pupil, chart, "adapt_teaching")
    monitoring_id = concerns.get_run(senco_session, earlier).register_entry_id
    run = concerns.get_run(senco_session, finish(senco_session, pupil, chart, "sen_support"))
    assert run.outcome_kind == "sen_support" and run.need_code == "SLCN" and run.area == "CI"
    history = sen_register.status_history(senco_session, pupil)
    assert [(p.status, p.start_date) for p in history] == [("K", TODAY)]
    assert history[0].id == run.status_change_id and "initial concerns flowchart" in history[0].reason
    assert [n.code for n in sen_register.needs_history(senco_session, pupil, True)] == ["SLCN"]
    due = notifications.notifications_for_pupil(senco_session, pupil)
    assert len(due) == 1 and due[0].change == "added" and due[0].open
    ended = [e for e in registers.list_entries(senco_session, pupil) if e.id == monitoring_id][0]
    assert ended.end_date == TODAY and run.register_entry_id is None
    assert len(notes.list_notes(senco_session, pupil)) == 2


def test_senco_may_choose_another_need_code(senco_session, pupil, chart):
    run_id = finish(senco_session, pupil, chart, "sen_unassessed", need_code="ASD")
    assert concerns.get_run(senco_session, run_id).need_code == "ASD"
    assert sen_register.needs_history(senco_session, pupil, True)[0].code == "ASD"


def test_unassessed_need_is_recorded_as_nsa(senco_session, pupil, chart):
    run = concerns.get_run(senco_session, finish(senco_session, pupil, chart, "sen_unassessed"))
    assert (run.need_code, run.area) == ("NSA", "SEMH")


@pytest.mark.parametrize("code", ["N", "XYZ", "S"])
def test_bad_need_codes_are_refused(senco_session, pupil, chart, code):
    before = counts(senco_session)
    with pytest.raises(ValidationError):
        finish(senco_session, pupil, chart, "sen_support", need_code=code)
    assert counts(senco_session) == before


def test_staff_cannot_move_a_pupil_to_sen_support(staff_session, senco_session, pupil, chart):
    before = counts(senco_session)   # on the school server staff may not read the audit log
    with pytest.raises(PermissionDenied, match="Only the SENCO may move a pupil to SEN support"):
        finish(staff_session, pupil, chart, "sen_support")
    assert counts(senco_session) == before


def test_staff_save_and_the_senco_finishes(staff_session, senco_session, pupil, chart):
    answers = ROUTES["sen_support"][0]
    run_id = concerns.save_draft(staff_session, pupil, chart, answers, DISCUSSION,
                                 {"page": "outcome"})
    draft = concerns.load_draft(senco_session, run_id)
    assert draft.answers == tuple((q, a, "") for q, a in answers)
    assert draft.discussion == DISCUSSION and draft.extras == {"page": "outcome"}
    assert draft.started_by == "Owen Williams"
    assert concerns.draft_for_pupil(senco_session, pupil).answered == len(answers)
    finished = concerns.finish(senco_session, pupil, chart, draft.answers, draft.discussion,
                               discussion_date=TODAY, review_date=SPRING_REVIEW, run_id=run_id)
    assert finished == run_id
    run = concerns.get_run(senco_session, run_id)
    assert run.started_by == "Owen Williams" and run.finished_by == "Meera Patel"
    assert concerns.draft_for_pupil(senco_session, pupil) is None
    assert senco_session.db.scalar("SELECT draft_state FROM concern_runs WHERE id = ?",
                                   (run_id,)) is None


def test_draft_is_updated_in_place_and_one_per_pupil(staff_session, senco_session, pupil, chart):
    run_id = concerns.save_draft(staff_session, pupil, chart, [("teaching", "yes", "Seen in maths")])
    again = concerns.save_draft(staff_session, pupil, chart,
                                [("teaching", "yes", "Seen in maths"), ("attendance", "no")],
                                run_id=run_id)
    assert again == run_id
    assert concerns.load_draft(staff_session, run_id).answers[0][2] == "Seen in maths"
    with pytest.raises(ValidationError, match="already a saved flowchart for this pupil"):
        concerns.save_draft(senco_session, pupil, chart, [("teaching", "not_yet")])


def test_discarding_a_draft_leaves_nothing(staff_session, senco_session, pupil, chart):
    users.add_user(senco_session, "tshaw", "Tina Shaw", "staff", "copper-willow-garden-19")
    run_id = concerns.save_draft(staff_session, pupil, chart, [("teaching", "yes")],
                                 {"parent_views": "Worried"})
    tina = lifecycle.open_school(senco_session.location, "tshaw", "copper-willow-garden-19",
                                 senco_session.clock)
    try:
        with pytest.raises(PermissionDenied, match="Only the person who started"):
            concerns.discard_draft(tina, run_id)
    finally:
        tina.close()
    concerns.discard_draft(senco_session, run_id)
    assert senco_session.db.scalar("SELECT count(*) FROM concern_runs") == 0
    assert concerns.draft_for_pupil(senco_session, pupil) is None
    with pytest.raises(ValidationError, match="no longer there"):
        concerns.load_draft(senco_session, run_id)


@pytest.mark.sqlcipher_only(reason="injects SQLite's own disk error")
def test_a_failure_part_way_through_finishing_leaves_nothing(senco_session, pupil, chart,
                                                             monkeypatch):
    finish(senco_session, pupil, chart, "adapt_teaching")
    before = counts(senco_session)

    def broken(*args, **kwargs):
        raise sqlcipher3.OperationalError("disk I/O error")

    monkeypatch.setattr(sen_register.notifications, "open_due", broken)
    with pytest.raises(StorageError, match="disk"):
        finish(senco_session, pupil, chart, "sen_support")
    assert counts(senco_session) == before
    assert sen_register.status_history(senco_session, pupil) == []
    assert not senco_session.db._connection().in_transaction


def test_unfinished_or_wrong_answers_are_refused(senco_session, pupil, chart):
    with pytest.raises(ValidationError, match="has not reached an outcome"):
        concerns.finish(senco_session, pupil, chart, [("teaching", "yes")], DISCUSSION,
                        discussion_date=TODAY, review_date=TODAY + dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="do not fit the flowchart"):
        concerns.finish(senco_session, pupil, chart, [("attendance", "yes")], DISCUSSION,
                        discussion_date=TODAY, review_date=TODAY + dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="do not fit the flowchart"):
        concerns.save_draft(senco_session, pupil, chart, [("teaching", "perhaps")])


@pytest.mark.parametrize("dates, message", [
    ({"review_date": TODAY}, "cannot be before tomorrow"),
    ({"review_date": TODAY + dt.timedelta(days=400)}, "cannot be after a year from now"),
    ({"discussion_date": TODAY + dt.timedelta(days=1)}, "cannot be after today"),
    ({"review_date": "31/02/2027"}, "not a real date"),
])
def test_dates_are_checked(senco_session, pupil, chart, dates, message):
    with pytest.raises(ValidationError, match=message):
        finish(senco_session, pupil, chart, "attendance", **dates)


def test_required_discussion_is_named(senco_session, pupil, chart):
    answers = ROUTES["attendance"][0]
    with pytest.raises(ValidationError, match="Fill in 'What the parents or carers said'") as caught:
        concerns.finish(senco_session, pupil, chart, answers,
                        {**DISCUSSION, "parent_views": "   "}, discussion_date=TODAY,
                        review_date=TODAY + dt.timedelta(days=30))
    assert caught.value.field == "parent_views"
    with pytest.raises(ValidationError, match="not a question in this flowchart"):
        concerns.save_draft(senco_session, pupil, chart, answers, {"shoe_size": "4"})


def test_pupils_already_on_the_register_are_refused(senco_session, pupil, chart):
    sen_register.change_status(senco_session, pupil, "K", TODAY, "Reviewed", ["MLD"])
    with pytest.raises(ValidationError, match="already on the SEN register"):
        finish(senco_session, pupil, chart, "attendance")
    with pytest.raises(ValidationError, match="already on the SEN register"):
        concerns.save_draft(senco_session, pupil, chart, [])


def test_an_open_monitoring_entry_gets_the_new_review_date(staff_session, pupil, chart):
    first = concerns.get_run(staff_session, finish(staff_session, pupil, chart, "attendance"))
    second = concerns.get_run(staff_session, finish(
        staff_session, pupil, chart, "eal", review_date=TODAY + dt.timedelta(weeks=3)))
    assert first.register_entry_id == second.register_entry_id
    entries = registers.list_entries(staff_session, pupil)
    assert len(entries) == 1 and entries[0].review_date == TODAY + dt.timedelta(weeks=3)
    assert "attendance pathway" in entries[0].details.lower()
    assert "EAL team" in entries[0].details


def test_roles_without_notes_may_not_run_the_flowchart(senco_session, pupil, chart):
    users.add_user(senco_session, "itadmin", "Ian Tech", "admin", "pebble-harvest-orbit-62")
    admin = lifecycle.open_school(senco_session.location, "itadmin", "pebble-harvest-orbit-62",
                                  senco_session.clock)
    try:
        with pytest.raises(PermissionDenied):
            concerns.save_draft(admin, pupil, chart, [("teaching", "yes")])
        with pytest.raises(PermissionDenied):
            finish(admin, pupil, chart, "attendance")
    finally:
        admin.close()


def test_finished_runs_cannot_be_changed(senco_session, pupil, chart):
    run_id = finish(senco_session, pupil, chart, "attendance")
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        senco_session.db.execute("UPDATE concern_runs SET outcome_title = 'x' WHERE id = ?", (run_id,))
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        senco_session.db.execute("UPDATE concern_answers SET answer = 'x' WHERE run_id = ?", (run_id,))


def test_record_reads_well_and_escapes_what_people_typed(senco_session, pupil, chart):
    answers = [(q, a, "<b>bold</b> & more") for q, a in ROUTES["sen_support"][0]]
    run_id = concerns.finish(senco_session, pupil, chart, answers,
                             {**DISCUSSION, "strengths": "<script>alert(1)</script>"},
                             discussion_date=TODAY, review_date=SPRING_REVIEW)
    page = concerns.run_html(concerns.get_run(senco_session, run_id))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in page
    assert "Move to SEN support" in page and "SLCN" in page and "23/11/2026" in page
    assert "Communication and interaction" in page


def test_every_outcome_of_the_shipped_flowchart_can_be_finished(senco_session, chart):
    """One route to each outcome, walked and finished by the SENCO."""
    from tests.test_flowchart import all_routes
    first_route: dict[str, list] = {}
    for route in all_routes(chart):
        first_route.setdefault(fc.walk(chart, route).outcome.id, route)
    assert len(first_route) == len(chart.outcomes)
    for index, (outcome_id, route) in enumerate(sorted(first_route.items())):
        pupil_id = add_pupil(senco_session, f"Pupil{index}", "Test", parent=False)
        run = concerns.get_run(senco_session, concerns.finish(
            senco_session, pupil_id, chart, route, DISCUSSION, discussion_date=TODAY,
            review_date=concerns.review_date_for(chart.nodes[outcome_id], TODAY,
                                               school_calendar.load(senco_session))))
        assert run.outcome_title == chart.nodes[outcome_id].title
        assert len(run.answers) == len(route)


def test_a_pupil_with_runs_can_still_be_deleted_after_retention(senco_session, pupil, chart, clock):
    finish(senco_session, pupil, chart, "sen_support")
    concerns.save_draft(senco_session, add_pupil(senco_session, "Other", "Pupil"), chart, [])
    pupils.archive_leaver(senco_session, pupil, TODAY, "Moved away")
    clock.advance(dt.timedelta(days=366 * 32))
    pupils.delete_after_retention(senco_session, pupil)
    assert senco_session.db.scalar("SELECT count(*) FROM concern_runs WHERE pupil_id = ?",
                                   (pupil,)) == 0
    assert senco_session.db.scalar("SELECT count(*) FROM concern_answers") == 0
