"""Issue 20, item 8: exam access arrangements and "My Story" with its consent, in the record,
the full SEND file and the transfer package (typed on import; My Story only with consent for
the next school; a package without them still imports)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile

import pyrage
import pytest
from tests.records_fixtures import snapshot
from tests.transfer_support import (
    add_protected_details,
    consent_to_share,
    fake_pdf,
    make_sender,
    recipient,
    richest_pupil,
)

from apdr_support import sen_support_pupil
from pdf_text import pages_text
from sendesk import documents, pdf
from sendesk.errors import ValidationError
from sendesk.records import exam_access, my_story, pupil_record
from sendesk.transfer import receiving, sending
from sendesk.transfer.errors import TamperedPackage

D = dt.date
ARRANGEMENT = {"arrangement": "extra_time_25", "assessor": "Ms K Patel (specialist assessor)",
               "assessed_on": D(2026, 10, 5), "valid_to": D(2028, 7, 31),
               "assessment": "Speed of reading: standardised score 78.",
               "evidence": "Uses extra time in class tests and mocks."}
STORY = {"written_on": D(2026, 11, 2), "story": "I like drawing. Noise makes it hard to think.",
         "consent_by": "Amara Okafor", "consent_as": "pupil", "consent_on": D(2026, 11, 2),
         "share_staff": True, "share_next_school": True}
PRIVATE = {"written_on": D(2026, 11, 9), "story": "Only Mrs Hall knows about my brother.",
           "consent_by": "Amara Okafor", "consent_as": "pupil", "consent_on": D(2026, 11, 9),
           "share_staff": True}


def test_an_arrangement_is_recorded_with_its_assessment_evidence_and_dates(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    arrangement_id = exam_access.add_arrangement(senco_session, pupil_id, ARRANGEMENT)
    [found] = exam_access.list_arrangements(senco_session, pupil_id)
    assert (found.label, found.valid_from, found.state(D(2026, 11, 23))) == (
        "25% extra time", D(2026, 10, 5), "Valid to 31/07/2028")
    exam_access.withdraw_arrangement(senco_session, arrangement_id, D(2026, 11, 20))
    assert exam_access.list_arrangements(senco_session, pupil_id)[0].state(
        D(2026, 11, 23)) == "Withdrawn 20/11/2026"


@pytest.mark.parametrize("change, words", [
    ({"arrangement": "telepathy"}, "Choose the arrangement"),
    ({"arrangement": "other"}, "Say what the other arrangement is"),
    ({"assessor": ""}, "Assessor"),
    ({"valid_to": D(2026, 9, 1)}, "cannot be before the date it is valid from"),
    ({"valid_to": D(2036, 9, 1)}, "more than five years"),
    ({"assessed_on": D(2027, 1, 1)}, "cannot be after today"),
])
def test_arrangements_out_of_order_are_refused(senco_session, change, words):
    pupil_id = sen_support_pupil(senco_session)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match=words):
        exam_access.add_arrangement(senco_session, pupil_id, {**ARRANGEMENT, **change})
    assert snapshot(senco_session) == before


def test_my_story_needs_who_consented_to_be_shared(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    with pytest.raises(ValidationError, match="record who consented"):
        my_story.add_story(senco_session, pupil_id, {**STORY, "consent_by": ""})
    kept = {k: v for k, v in STORY.items() if not k.startswith(("consent", "share"))}
    my_story.add_story(senco_session, pupil_id, kept)   # kept by the SENCO, shared nowhere
    story_id = my_story.add_story(senco_session, pupil_id, STORY)
    found = my_story.list_stories(senco_session, pupil_id)
    assert found[0].consent_text == "No consent to share recorded: it stays with the SENCO."
    assert found[1].consent_text == ("Amara Okafor (the pupil) consented on 02/11/2026 to it "
                                     "being shared with staff at this school and the next school.")
    my_story.update_story(senco_session, story_id, {"share_next_school": False})
    assert not my_story.list_stories(senco_session, pupil_id)[1].to_next_school


def test_the_full_file_has_both_sections_and_my_story_only_with_consent(senco_session):
    pupil_id = sen_support_pupil(senco_session)
    exam_access.add_arrangement(senco_session, pupil_id, ARRANGEMENT)
    my_story.add_story(senco_session, pupil_id, STORY)
    my_story.add_story(senco_session, pupil_id, PRIVATE)
    pdf.ensure_gui()
    data = pdf.render_pdf(documents.build_documents(senco_session, pupil_id, "file"))
    text = " ".join(" ".join(pages_text(data)).split())
    assert "Exam access arrangements" in text and "25% extra time" in text
    assert "Ms K Patel" in text and "31/07/2028" in text and "standardised score 78" in text
    assert "My Story" in text and "Noise makes it hard to think" in text
    assert "brother" not in text and "does not allow it to go to another school" in text


# --- the transfer package ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """A package of a demo pupil with an arrangement, a shared and an unshared story (the
    unshared one corrected, so its words are in the change trail too)."""
    from sendesk.clock import FixedClock
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    folder = tmp_path_factory.mktemp("sections")
    session = make_sender(folder / "sender.sendesk", clock)
    try:
        pupil = richest_pupil(session)
        with session.db.transaction():   # the demo's own accounts and arrangements: only this
            for table in ("my_story", "exam_access_arrangements"):   # test's travel below
                session.db.execute(f"DELETE FROM {table} WHERE pupil_id = ?", (pupil,))
        consent_to_share(session, pupil)
        add_protected_details(session, pupil)
        exam_access.add_arrangement(session, pupil, ARRANGEMENT)
        my_story.add_story(session, pupil, STORY)
        private = my_story.add_story(session, pupil, PRIVATE)
        my_story.update_story(session, private, {"story": PRIVATE["story"] + " Secret."})
        result = sending.send(session, pupil, recipient(), folder / "p.sendesk-transfer", fake_pdf)
        private, _ = sending.school_keys(session)
    finally:
        session.close()
    zipped = pyrage.passphrase.decrypt(result.path.read_bytes(), result.passphrase)
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    return result, entries, private


def test_my_story_travels_only_with_consent_for_the_next_school(package):
    result, entries, _ = package
    record = entries["record.json"].decode()
    assert "Noise makes it hard to think" in record
    assert "brother" not in record and "Secret" not in record
    tables = json.loads(record)["tables"]
    assert len(tables["my_story"]) == 1 and len(tables["exam_access_arrangements"]) == 1
    manifest = entries["manifest.json"].decode()
    assert "My Story account whose consent does not include the next school" in manifest


def test_both_sections_arrive_at_the_next_school(package, senco_session):
    result, _, _ = package
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    imported = receiving.import_package(senco_session, preview, {})
    [arrangement] = exam_access.list_arrangements(senco_session, imported.pupil_id)
    assert arrangement.assessor == ARRANGEMENT["assessor"]
    [story] = my_story.list_stories(senco_session, imported.pupil_id)
    assert story.story == STORY["story"] and story.to_next_school
    assert pupil_record.open_record(senco_session, imported.pupil_id)


def attempt(session, package, record, monkeypatch) -> str:
    """Import the record signed by the sender's key, as a hostile school could sign anything:
    the refusal's sentence, or 'imported'."""
    from tests.test_package_typed import signed

    from sendesk.transfer import package as package_mod
    _, entries, private = package
    monkeypatch.setattr(receiving, "read_package",
                        lambda data, secret: package_mod.open_archive(data))
    before = snapshot(session)
    try:
        preview = receiving.open_package(session, signed((entries, None, private), record), "-")
        receiving.import_package(session, preview,
                                 {c.key: receiving.THEIRS for c in preview.conflicts})
    except TamperedPackage as exc:
        assert snapshot(session) == before
        return str(exc)
    return "imported"


@pytest.mark.parametrize("table, column, value, words", [
    ("exam_access_arrangements", "arrangement", "telepathy", "codes sendesk knows"),
    ("exam_access_arrangements", "valid_to", "2026-13-45", "not a real date"),
    ("exam_access_arrangements", "assessor", "<b>x</b>", "markup"),
    ("my_story", "share_next_school", 0, "without consent"),
    ("my_story", "story", "x" * 30_000, "longer than"),
])
def test_the_sections_are_typed_on_import(package, senco_session, monkeypatch, table, column,
                                          value, words):
    record = json.loads(package[1]["record.json"])
    record["tables"][table][0][column] = value
    message = attempt(senco_session, package, record, monkeypatch)
    assert table in message and column in message and words in message, message


def test_a_package_without_the_sections_still_imports(package, senco_session, monkeypatch):
    record = json.loads(package[1]["record.json"])
    for table in ("exam_access_arrangements", "my_story", "need_reviews"):
        record["tables"].pop(table, None)
    record["tables"]["field_changes"] = [
        r for r in record["tables"].get("field_changes", []) if r["record_type"] != "my story"]
    assert attempt(senco_session, package, copy.deepcopy(record), monkeypatch) == "imported"
