"""The record window's "Subject access request..." button: the SENCO clicks it, names a new
folder, and everything held about the pupil is saved there with the protected address withheld;
class staff see the button disabled."""

from __future__ import annotations

import csv
import io

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.apdr_support import sen_support_pupil
from tests.pdf_text import contains, pages_text

from sendesk.records import audit_log, contacts, notes
from sendesk.ui.pupil_record_window import PupilRecordWindow

PROTECTED = "12 Larkfield Road, Larkfield, LK1 2AB"


def pupil_with_a_protected_parent(session) -> int:
    pupil_id = sen_support_pupil(session)
    contacts.add_contact(session, pupil_id, {
        "name": "Sam Okafor", "relationship": "Father", "parental_responsibility": True,
        "address": PROTECTED, "do_not_disclose_address": True})
    contacts.add_contact(session, pupil_id, {
        "name": "Ada Okafor", "relationship": "Mother", "parental_responsibility": True,
        "address": "3 Larkfield Vale, Larkfield, LK1 9ZZ"})
    notes.add_note(session, pupil_id, {"event_date": session.clock.today(),
                                       "concern": "Dad moved to 12 Larkfield Road, LK1 2AB."})
    return pupil_id


def test_the_button_saves_the_answer_in_the_folder_chosen(qtbot, answers, senco_session,
                                                          tmp_path):
    pupil_id = pupil_with_a_protected_parent(senco_session)
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    assert window.sar_button.isEnabled() and window.sar_button.accessibleName()
    window.grab().save("/tmp/w2-redact-sar.png")
    out = tmp_path / "Subject access request Amara Okafor"
    answers.next_paths = [out]
    QTest.mouseClick(window.sar_button, Qt.MouseButton.LeftButton)

    assert [m[0] for m in answers.messages] == ["info"], answers.messages
    assert str(out) in answers.messages[0][2] and "Sam Okafor" in answers.messages[0][2]
    pages = pages_text((out / "send-file.pdf").read_bytes())
    assert all(contains(page, "Pupil: Amara Okafor") for page in pages)
    rows = list(csv.DictReader(io.StringIO(
        (out / "records" / "contacts.csv").read_text(encoding="utf-8-sig"))))
    assert {r["name"]: r["address"] for r in rows} == {
        "Sam Okafor": "", "Ada Okafor": "3 Larkfield Vale, Larkfield, LK1 9ZZ"}
    text = "".join(p.read_text(encoding="utf-8-sig") for p in out.rglob("*.csv"))
    assert "Larkfield Road" not in text and "LK1 2AB" not in text
    assert "[address withheld]" in (out / "records" / "short_notes.csv").read_text("utf-8-sig")
    log = audit_log.read_log(senco_session, "pupil", pupil_id)
    assert log[-1].action == "answered a subject access request"
    assert log[-1].username == senco_session.user.username


def test_cancelling_the_folder_writes_nothing(qtbot, answers, senco_session, tmp_path):
    pupil_id = pupil_with_a_protected_parent(senco_session)
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    before = sorted(tmp_path.iterdir())
    answers.next_paths = []
    QTest.mouseClick(window.sar_button, Qt.MouseButton.LeftButton)
    assert answers.messages == [] and sorted(tmp_path.iterdir()) == before


def test_a_folder_already_in_use_is_refused_in_one_sentence(qtbot, answers, senco_session,
                                                            tmp_path):
    pupil_id = pupil_with_a_protected_parent(senco_session)
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    answers.next_paths = [mine]
    QTest.mouseClick(window.sar_button, Qt.MouseButton.LeftButton)
    [(kind, _, text)] = answers.messages
    assert kind == "error" and "not an empty folder" in text
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_staff_see_the_button_disabled(qtbot, answers, senco_session, staff_session):
    pupil_id = pupil_with_a_protected_parent(senco_session)
    window = PupilRecordWindow(staff_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    assert not window.sar_button.isEnabled()
    QTest.mouseClick(window.sar_button, Qt.MouseButton.LeftButton)
    assert answers.messages == []
