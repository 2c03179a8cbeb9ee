"""My Story travels to the next school only under the model's rule (models.my_story): the
next school ticked AND a consent recorded in full. A flag set without who consented and when
(an edited database, or a package that brought one in before imports were checked) is not
consent, and the story stays here."""

from __future__ import annotations

from tests.records_fixtures import add_pupil

from sendesk.models import my_story
from sendesk.transfer import record


def _story(session, pupil_id: int, **consent) -> None:
    values = {"consent_by": "Amy", "consent_as": "pupil", "consent_on": "2026-10-02", **consent}
    session.db.execute(
        "INSERT INTO my_story (pupil_id, written_on, story, consent_by, consent_as, consent_on,"
        " share_next_school, entered_at) VALUES (?, '2026-10-01', ?, ?, ?, ?, 1, ?)",
        (pupil_id, f"My story {values['consent_on']}", values["consent_by"],
         values["consent_as"], values["consent_on"], session.now_text()))


def test_a_story_flagged_for_the_next_school_without_a_dated_consent_stays_here(senco_session):
    pupil = add_pupil(senco_session)
    _story(senco_session, pupil)
    _story(senco_session, pupil, consent_on=None)
    _story(senco_session, pupil, consent_by=None)
    dump = record.dump_record(senco_session, pupil)
    sent = dump.record["tables"].get("my_story", [])
    assert [r["story"] for r in sent] == ["My story 2026-10-02"]
    assert any("2 My Story accounts" in what for what in dump.stripped)


def test_the_rule_is_the_models():
    row = {"share_next_school": 1, "consent_by": "Amy", "consent_as": "pupil",
           "consent_on": "2026-10-02"}
    assert my_story.may_share_with_next_school(row)
    for missing in ("consent_by", "consent_as", "consent_on"):
        assert not my_story.may_share_with_next_school({**row, missing: None})
    assert not my_story.may_share_with_next_school({**row, "share_next_school": 0})
