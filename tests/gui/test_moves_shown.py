"""What a move asks for is seen and acted on in the window: the Year 7 review's row in Reviews
due (its reason in the Note, counted in the summary) and its costed provision map one click
away there and on the record; and the handover dialog says what it did and why a control is
greyed. Real clicks throughout."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.apdr_support import sen_support_pupil

from sendesk.records import mis_import, pupils
from sendesk.ui.handover_dialog import NO_CLASS, HandoverDialog
from sendesk.ui.pupil_record_window import PupilRecordWindow
from sendesk.ui.reviews_due import COLUMNS, ReviewsDueView

LEFT = Qt.MouseButton.LeftButton


def _into_year_7(session) -> int:
    pupil_id = sen_support_pupil(session, surname="Moore", forename="Alfie", year_group="6")
    p = pupils.get_pupil(session, pupil_id).details
    data = (f"UPN,Surname,Forename,DOB,Gender,Year\r\n{p.upn},{p.legal_surname},"
            f"{p.legal_forename},{p.dob:%d/%m/%Y},{p.gender},7\r\n")
    mis_import.commit(session, mis_import.preview(session, data.encode()))
    return pupil_id


def test_reviews_due_lists_the_year_7_review_and_opens_its_map(senco_session, qtbot):
    pupil_id = _into_year_7(senco_session)
    view = ReviewsDueView(senco_session)
    qtbot.addWidget(view)
    view.show()
    [row] = [n for n in range(view.model.rowCount()) if view.model.row_object(n).pupil_id == pupil_id]
    note = view.model.index(row, [c.title for c in COLUMNS].index("Note")).data()
    assert "Review due by 18/12/2026: Arrived in Year 7" in note
    assert "1 asked for by a move" in view.summary.text()
    assert not view.map_button.isEnabled() and "Year 7 review" in view.map_button.toolTip()
    view.grab().save("/tmp/fix-d-reviews-due.png")
    rect = view.table.visualRect(view.model.index(row, 0))
    QTest.mouseClick(view.table.viewport(), LEFT, pos=rect.center())
    assert view.map_button.isEnabled()
    with qtbot.waitSignal(view.open_provision_map) as opened:
        QTest.mouseClick(view.map_button, LEFT)
    assert opened.args == [pupil_id]


def test_the_record_opens_the_pupils_costed_provision_map(senco_session, qtbot):
    pupil_id = _into_year_7(senco_session)
    window = PupilRecordWindow(senco_session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.year7_map.isVisible()
    assert "Next review:</b> 18/12/2026" in window.header.text()
    window.grab().save("/tmp/fix-d-record-year7.png")
    QTest.mouseClick(window.year7_map, LEFT)
    assert window.tabs.currentWidget() is window.documents
    assert window.documents.kind() == "provision-map"


def _class_5w(session) -> None:
    for surname in ("Okafor", "Baker"):
        pupil_id = sen_support_pupil(session, surname=surname, forename="Sam", year_group="5")
        pupils.update_pupil(session, pupil_id, {"class_name": "5W"})


def test_printing_the_pack_says_it_went_to_the_printer(senco_session, qtbot, answers, tmp_path):
    _class_5w(senco_session)
    dialog = HandoverDialog(senco_session)
    qtbot.addWidget(dialog)
    dialog.show()
    answers.next_print = tmp_path / "printed.pdf"
    QTest.mouseClick(dialog.print_button, LEFT)
    assert "to the printer" in dialog.message.text() and "class 5W" in dialog.message.text()
    assert (tmp_path / "printed.pdf").stat().st_size > 0


def test_with_no_class_the_greyed_controls_say_why(senco_session, qtbot):
    dialog = HandoverDialog(senco_session)
    qtbot.addWidget(dialog)
    dialog.show()
    for widget in (dialog.save_button, dialog.print_button, dialog.record_button,
                   dialog.handed_to, dialog.handed_on):
        assert not widget.isEnabled() and widget.toolTip() == NO_CLASS


def test_staff_cannot_fill_in_a_handover_they_cannot_record(senco_session, staff_session, qtbot):
    _class_5w(senco_session)
    dialog = HandoverDialog(staff_session)
    qtbot.addWidget(dialog)
    dialog.show()
    for widget in (dialog.handed_to, dialog.handed_on, dialog.record_button):
        assert not widget.isEnabled() and "does not allow" in widget.toolTip()
