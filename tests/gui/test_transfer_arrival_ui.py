"""Issue 18 in the window: the receiving wizard lists every record a package would add to a
pupil already here, to add or leave out; the Transfers tab saves a receipt again; Home and
the Transfers page show keys not yet confirmed and record the check. Real clicks and keys.

Set SENDESK_SCREENSHOTS to a folder to keep pictures of the wizard's list and the page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard
from tests.gui.test_transfer_ui import receiver, sender, shot  # noqa: F401 - fixtures
from tests.test_transfer_arrival import STRANGER, ehc_pupil, same_child_here, send

from sendesk.records import contacts, pupils
from sendesk.transfer import log, receiving
from sendesk.ui.dashboard_page import DashboardPage
from sendesk.ui.receive_wizard import ReceiveWizard
from sendesk.ui.runner import OpRunner
from sendesk.ui.transfers_page import TransfersPage
from sendesk.ui.transfers_tab import TransfersTab

LEFT = Qt.MouseButton.LeftButton




def opened_wizard(qtbot, receiver, result) -> ReceiveWizard:
    wizard = ReceiveWizard(receiver, path=result.path)
    qtbot.addWidget(wizard)
    wizard.resize(1000, 700)
    wizard.show()
    QTest.keyClicks(wizard.open_page.passphrase, result.passphrase)
    QTest.mouseClick(wizard.open_page.check, LEFT)
    qtbot.waitUntil(lambda: wizard.preview is not None, timeout=60_000)
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), LEFT)
    assert wizard.currentPage() is wizard.match_page
    return wizard


def test_the_wizard_lists_each_addition_to_a_pupil_here_to_add_or_leave_out(
        qtbot, sender, receiver, tmp_path):
    pupil_id = ehc_pupil(sender)
    contacts.add_contact(sender, pupil_id, {"name": STRANGER, "relationship": "Father",
                                            "parental_responsibility": True})
    ours = same_child_here(receiver, sender, pupil_id)
    wizard = opened_wizard(qtbot, receiver, send(sender, tmp_path, pupil_id))
    page = wizard.match_page
    table = page.conflicts
    texts = [table.item(r, 2).text() for r in range(table.rowCount())]
    stranger = next(r for r, text in enumerate(texts) if STRANGER in text)
    assert "parental responsibility" in texts[stranger]
    assert {table.item(r, 0).text() for r in range(table.rowCount())} >= {
        "New contact", "SEN status", "EHC plan", "SEN need"}
    assert page.arrival.isHidden(), "a pupil already here keeps this school's admission"
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert not commit.isEnabled(), "nothing is imported until each is decided"
    QTest.mouseClick(page.add_all, LEFT)
    assert commit.isEnabled()
    choice = table.cellWidget(stranger, 3)
    assert choice.currentText() == "Add it"
    table.scrollToItem(table.item(stranger, 0))
    choice.setFocus()
    QTest.keyClick(choice, Qt.Key.Key_Up)          # from "Add it" to "Leave it out"
    assert choice.currentText() == "Leave it out"
    shot(wizard, "receive-3-additions")
    QTest.mouseClick(commit, LEFT)
    assert wizard.result is not None and wizard.result.pupil_id == ours
    names = [r[0] for r in receiver.db.query("SELECT name FROM contacts WHERE pupil_id = ?",
                                             (ours,))]
    assert names and STRANGER not in names
    assert pupils.get_pupil(receiver, ours).sen_status == "E"


def test_a_new_pupils_admission_year_and_class_are_set_in_the_wizard(
        qtbot, sender, receiver, tmp_path):
    pupil_id = ehc_pupil(sender)
    sender.db.execute("UPDATE pupils SET class_name = 'Oak' WHERE id = ?", (pupil_id,))
    wizard = opened_wizard(qtbot, receiver, send(sender, tmp_path, pupil_id))
    page = wizard.match_page
    assert page.arrival.isVisible() and page.admission.text() == "23/11/2026"
    assert "Oak" in page.class_name.placeholderText() and page.class_name.text() == ""
    page.admission.selectAll()
    QTest.keyClicks(page.admission, "01/12/2026")
    QTest.keyClicks(page.class_name, "Hazel")
    QTest.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), LEFT)
    row = receiver.db.query_one("SELECT * FROM pupils WHERE id = ?", (wizard.result.pupil_id,))
    assert (row["admission_date"], row["class_name"]) == ("2026-12-01", "Hazel")


def imported(sender, receiver, tmp_path):
    result = send(sender, tmp_path, ehc_pupil(sender))
    preview = receiving.open_package(receiver, result.path.read_bytes(), result.passphrase)
    return receiving.import_package(receiver, preview, {})


def test_the_receipt_is_saved_again_from_the_pupils_transfers_tab(
        qtbot, answers, sender, receiver, tmp_path):
    done = imported(sender, receiver, tmp_path)
    tab = TransfersTab(receiver, done.pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    again = tmp_path / "again.sendesk-receipt"
    answers.next_paths.append(again)
    QTest.mouseClick(tab.receipt, LEFT)
    assert again.read_bytes() == done.receipt


def test_keys_not_yet_confirmed_show_on_home_and_the_page_until_the_check_is_recorded(
        qtbot, answers, sender, receiver, tmp_path):
    done = imported(sender, receiver, tmp_path)
    runner = OpRunner(receiver)
    home = DashboardPage(receiver, runner=runner)
    page = TransfersPage(receiver, runner=runner)
    for widget in (home, page):
        qtbot.addWidget(widget)
        widget.resize(1200, 800)
        widget.show()
        qtbot.waitExposed(widget)
    assert "not yet confirmed" in home.unconfirmed.text() and home.check_key.isVisible()
    status = page.transfers.columnCount() - 2
    assert page.transfers.data(page.transfers.index(0, status)) == "Received, key not yet confirmed"
    shot(page, "transfers-page-unconfirmed")
    QTest.mouseClick(page.check_key, LEFT)
    dialog = page.key_dialog
    assert dialog is not None and dialog.isVisible()
    QTest.mouseClick(dialog.record, LEFT)            # nobody named: refused with a sentence
    assert dialog.isVisible() and "Checked with" in dialog.message.text()
    QTest.keyClicks(dialog.checked_with, "Sam Brown, SENCO")
    dialog.how.setFocus()
    QTest.keyClick(dialog.how, Qt.Key.Key_Down)     # in person
    QTest.mouseClick(dialog.record, LEFT)
    assert not dialog.isVisible()
    assert page.transfers.data(page.transfers.index(0, status)) == "Received"
    assert page.check_key.isHidden() and home.check_key.isHidden()
    check = log.get_transfer(receiver, done.transfer_id).key_check
    assert (check.checked_with, check.checked_how) == ("Sam Brown, SENCO", "in person")
    shot(page, "transfers-page-confirmed")


def test_an_admission_date_in_the_holidays_is_accepted_with_a_warning_saying_why(
        qtbot, sender, receiver, tmp_path):
    wizard = opened_wizard(qtbot, receiver, send(sender, tmp_path, ehc_pupil(sender)))
    page = wizard.match_page
    assert page.admission_note.isHidden()          # Monday 23/11/2026 is a school day
    page.admission.selectAll()
    QTest.keyClicks(page.admission, "19/12/2026")
    assert page.admission_note.isVisible()
    assert "19/12/2026 is a Saturday, not a school day" in page.admission_note.text()
    shot(wizard, "receive-admission-warning")
    QTest.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), LEFT)
    row = receiver.db.query_one("SELECT * FROM pupils WHERE id = ?", (wizard.result.pupil_id,))
    assert row["admission_date"] == "2026-12-19"
