"""The window's routes for issue 20's moves and advice: Tools > School details (SENDIASS, Local
Offer, the from-16 choice, weeks to review after a move) and Tools > Class handover pack (save
the pack as a PDF, record whom it was handed to), worked with real keys and clicks."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.apdr_support import sen_support_pupil
from tests.pdf_text import contains, pages_text

from sendesk.records import pupils, review_requests, school_contacts
from sendesk.ui.handover_dialog import HandoverDialog
from sendesk.ui.main_window import MainWindow
from sendesk.ui.school_details_dialog import SchoolDetailsDialog


def _type(widget, text: str) -> None:
    widget.setFocus()
    QTest.keyClicks(widget, text)


def test_school_details_are_typed_once_and_kept(senco_session, qtbot):
    dialog = SchoolDetailsDialog(senco_session)
    qtbot.addWidget(dialog)
    dialog.show()
    widgets = dialog.form.widgets
    _type(widgets["sendiass_name"], "Larkshire SENDIASS")
    _type(widgets["sendiass_phone"], "01632 960 123")
    _type(widgets["local_offer_web"], "www.larkshire.gov.uk/localoffer")
    combo = widgets["young_person"]
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    weeks = widgets["review_weeks"]
    weeks.setFocus()
    QTest.keyClick(weeks, Qt.Key.Key_Up)
    dialog.grab().save("/tmp/rules-moves-school-details.png")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    kept = school_contacts.school_contacts(senco_session)
    assert (kept.sendiass_name, kept.sendiass_phone, kept.young_person) == (
        "Larkshire SENDIASS", "01632 960 123", "as_well")
    assert kept.local_offer_web == "www.larkshire.gov.uk/localoffer"
    assert review_requests.review_weeks(senco_session) == 5


def test_a_bad_detail_is_named_and_nothing_is_kept(senco_session, qtbot):
    dialog = SchoolDetailsDialog(senco_session)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(dialog.form.widgets["sendiass_email"], "advice.larkshire")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "is not an email address" in dialog.message.text()
    assert school_contacts.school_contacts(senco_session).sendiass_email == ""


def test_the_tools_menu_offers_both(senco_session, staff_session, qtbot):
    window = MainWindow(senco_session)
    qtbot.addWidget(window)
    names = {a.objectName(): a for a in window.tools_menu.actions()}
    assert names["school_details"].isEnabled() and names["handover_pack"].isEnabled()
    teacher = MainWindow(staff_session)
    qtbot.addWidget(teacher)
    greyed = {a.objectName(): a for a in teacher.tools_menu.actions()}["school_details"]
    assert not greyed.isEnabled() and "does not allow" in greyed.toolTip()


@pytest.fixture
def class_5w(senco_session):
    for surname, forename in (("Okafor", "Amara"), ("Baker", "Leo")):
        pupil_id = sen_support_pupil(senco_session, surname=surname, forename=forename,
                                     year_group="5")
        pupils.update_pupil(senco_session, pupil_id, {"class_name": "5W"})
    return senco_session


def test_the_handover_pack_is_saved_and_its_handover_recorded(class_5w, qtbot, answers,
                                                              tmp_path, qapp):
    dialog = HandoverDialog(class_5w)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.classes.currentText() == "5W (2 pupils on the SEN register)"
    answers.next_paths.append(tmp_path / "pack.pdf")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    text = " ".join(pages_text((tmp_path / "pack.pdf").read_bytes()))
    assert contains(text, "Handover pack: class 5W") and contains(text, "Leo Baker")
    assert "Saved" in dialog.message.text()
    dialog.handed_to.setFocus()
    QTest.keyClicks(dialog.handed_to, "Mr Hughes")
    dialog.grab().save("/tmp/rules-moves-handover.png")
    QTest.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert "handed to Mr Hughes (2 pupils)" in dialog.message.text()
    assert class_5w.db.scalar("SELECT count(*) FROM class_handovers WHERE handed_to = ?",
                              ("Mr Hughes",)) == 2


def test_a_teacher_sees_the_pack_but_cannot_take_it_out(class_5w, staff_session, qtbot):
    dialog = HandoverDialog(staff_session)
    qtbot.addWidget(dialog)
    for button in (dialog.save_button, dialog.print_button, dialog.record_button):
        assert not button.isEnabled() and "does not allow" in button.toolTip()


def test_the_plan_page_names_the_people_and_the_review_page_records_sharing(
        senco_session, qtbot, clock, answers):
    from tests.apdr_support import assess, plan, review
    from tests.gui.test_apdr import click, go_to, new_cycle, shown_wizard

    from sendesk.models.apdr import Part
    from sendesk.records import apdr
    pupil = sen_support_pupil(senco_session, year_group="4")
    cycle = new_cycle(senco_session, pupil)
    assess(senco_session, cycle, dt.date(2026, 11, 23))
    plan(senco_session, cycle, dt.date(2026, 11, 23), dt.date(2027, 2, 12))
    wizard = shown_wizard(qtbot, senco_session, cycle, "plan")
    page = wizard.plan
    assert page.teacher.isEnabled() and page.teacher.findText("Meera Patel") >= 0
    page.teacher.setFocus()
    QTest.keyClicks(page.teacher, "Mr Hughes")
    page.key_worker.setFocus()
    QTest.keyClicks(page.key_worker, "Mrs Begum")
    page.grab().save("/tmp/rules-moves-plan-people.png")
    click(page.save_people)
    assert page.message.text() == "Names saved."
    agreed = apdr.get_cycle(senco_session, cycle).plan
    assert (agreed.responsible_teacher, agreed.key_worker) == ("Mr Hughes", "Mrs Begum")
    go_to(clock, dt.date(2027, 2, 12))
    review(senco_session, cycle, dt.date(2027, 2, 12), "continue_targeted")
    held = shown_wizard(qtbot, senco_session, cycle, "review")
    held.show_part(Part.REVIEW)
    shared = held.review
    assert shared.shared_row.isVisible() and shared.record_shared.isEnabled()
    shared.shared_on.setFocus()
    shared.shared_on.selectAll()
    QTest.keyClicks(shared.shared_on, "11/02/2027")
    click(shared.record_shared)
    assert "cannot be before the review meeting" in shared.message.text()
    shared.shared_on.selectAll()
    QTest.keyClicks(shared.shared_on, "12/02/2027")
    click(shared.record_shared)
    shared.grab().save("/tmp/rules-moves-review-shared.png")
    assert apdr.get_cycle(senco_session, cycle).review.shared_on == dt.date(2027, 2, 12)
    assert "Shared with parents on 12/02/2027" in held.review.message.text()


def test_the_record_shows_the_review_a_move_asked_for(senco_session, qtbot):
    from sendesk.records import mis_import
    from sendesk.ui.pupil_record_window import PupilRecordWindow
    pupil_id = sen_support_pupil(senco_session, year_group="4")
    details = pupils.get_pupil(senco_session, pupil_id).details
    data = (f"UPN,Surname,Forename,DOB,Gender,Year\r\n{details.upn},{details.legal_surname},"
            f"{details.legal_forename},{details.dob:%d/%m/%Y},F,5\r\n")
    mis_import.commit(senco_session, mis_import.preview(senco_session, data.encode()))
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    badges = [label.text() for label in window.findChildren(type(window.header), "badge")]
    assert "Review due by 18/01/2027: Moved year group" in badges
