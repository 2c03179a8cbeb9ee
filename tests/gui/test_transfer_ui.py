"""Sending and receiving a pupil's file through the wizards, on real widgets, between two real
school databases; the Transfers tab and page; and a package opened from the command line.
On both engines: on the server the sending school is a copy of the demo file moved there, and
the receiving school is one set up on the server, so a pupil goes server to server.

Set SENDESK_SCREENSHOTS to a folder to keep a picture of each wizard page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget, QWizard
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.gui.test_foundation import unlock, wait_for_main_window
from tests.transfer_support import (
    SENDER_PASSWORD,
    SENDER_USER,
    add_protected_details,
    consent_to_share,
    fake_pdf,
    make_sender,
    recipient,
    richest_pupil,
)

from sendesk.records import dashboard, pupils
from sendesk.services import lifecycle
from sendesk.transfer import sending
from sendesk.ui.dashboard_page import DashboardPage
from sendesk.ui.receive_wizard import ReceiveWizard
from sendesk.ui.transfers_page import TransfersPage
from sendesk.ui.transfers_tab import TransfersTab

pytestmark = pytest.mark.both_engines


def shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("SENDESK_SCREENSHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.fixture
def sender(tmp_path, clock, on_engine):
    path = tmp_path / "sender.sendesk"
    make_sender(path, clock).close()
    session = lifecycle.open_school(on_engine(path, SENDER_USER, SENDER_PASSWORD), SENDER_USER,
                                    SENDER_PASSWORD, clock)
    yield session
    session.close()


@pytest.fixture
def receiver(school, clock):
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    yield session
    session.close()


def send_through_the_wizard(qtbot, answers, sender, pupil_id, out: Path):
    tab = TransfersTab(sender, pupil_id)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    wizard = tab.start_sending()
    wizard.render_pdf = fake_pdf
    wizard.resize(900, 640)
    page = wizard.school_page
    page.school_name.setText("Brambleton Primary School")
    page.reference.setText("12345")
    wizard.next()
    assert wizard.currentPage() is page and "6-digit URN" in page.message.text()
    page.reference.setText("123456")
    page.contact.setText("Ms Jo Jones (SENCO)")
    shot(wizard, "send-1-school")
    wizard.next()
    checks = wizard.checks_page
    assert wizard.currentPage() is checks
    assert not checks.isComplete(), "the lists must be confirmed before anything is written"
    stripped = [checks.stripped.item(i).text() for i in range(checks.stripped.count())]
    assert any("do not disclose" in s for s in stripped)
    assert checks.attachments.item(0).text().startswith("Assessment report")
    checks.confirm.setChecked(True)
    if not wizard.checks.consents:
        assert not checks.isComplete(), "without consent to share, the override must be given"
        checks.no_consent.setChecked(True)
        assert not checks.isComplete(), "and the reason for it"
        checks.no_consent_reason.setText("Parents not reachable; the file must still go")
    assert checks.isComplete()
    shot(wizard, "send-2-checks")
    wizard.next()
    write = wizard.write_page
    # The passphrase is on screen before anything is written (nothing can lose it after).
    shown = write.passphrase.text()
    assert write.passphrase.isVisible() and len(shown) == 24
    assert "different route" in write.advice.text()
    answers.next_paths.append(out)
    write.choose.click()
    assert write.write.isEnabled()
    write.write.click()
    qtbot.waitUntil(lambda: wizard.result is not None, timeout=30_000)
    assert write.passphrase.isVisible() and shown == wizard.result.passphrase
    assert "Package fingerprint" in write.details.text()
    shot(wizard, "send-3-written")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    return tab, wizard.result


def receive_through_the_wizard(qtbot, answers, receiver, package: Path, passphrase: str,
                               receipt: Path) -> ReceiveWizard:
    wizard = ReceiveWizard(receiver, package)
    qtbot.addWidget(wizard)
    wizard.resize(900, 640)
    wizard.show()
    page = wizard.open_page
    page.passphrase.setText("WRONG-WRONG-WRONG-WRONG-WRONG")
    page.check.click()
    qtbot.waitUntil(lambda: page.check.isEnabled(), timeout=30_000)
    assert "passphrase does not open" in page.message.text() and not page.isComplete()
    page.passphrase.setText(passphrase.lower())
    page.check.click()
    qtbot.waitUntil(lambda: wizard.preview is not None, timeout=30_000)
    shot(wizard, "receive-1-open")
    wizard.next()
    assert "Demo school: Larkfield Academy" in wizard.summary_page.sender.text()
    assert wizard.preview.sender_fingerprint in wizard.summary_page.sender.text()
    assert "phone them" in wizard.summary_page.sender.text()
    shot(wizard, "receive-2-summary")
    wizard.next()
    assert "a new record will be made" in wizard.match_page.match.text()
    shot(wizard, "receive-3-match")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert wizard.result is not None and wizard.currentPage() is wizard.done_page
    assert not wizard.done_page.isComplete(), "the receipt must be saved before finishing"
    answers.next_paths.append(receipt)
    wizard.done_page.save.click()
    shot(wizard, "receive-4-receipt")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    return wizard


def record_a_key_check(qtbot, page, who: str) -> None:
    """Press the page's button and fill in the check with the keyboard."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    page.show()
    qtbot.waitExposed(page)
    assert page.check_key.isVisible() and "not yet confirmed" in page.unconfirmed.text()
    QTest.mouseClick(page.check_key, Qt.MouseButton.LeftButton)
    dialog = page.key_dialog
    assert dialog is not None and dialog.isVisible()
    QTest.keyClicks(dialog.checked_with, who)
    QTest.mouseClick(dialog.record, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.recorded is not None
    assert page.check_key.isHidden()


def test_round_trip_through_the_wizards(qtbot, answers, sender, receiver, tmp_path,
                                        qtmodeltester):
    pupil_id = richest_pupil(sender)
    add_protected_details(sender, pupil_id)
    package, receipt = tmp_path / "pupil.sendesk-transfer", tmp_path / "r.sendesk-receipt"
    tab, result = send_through_the_wizard(qtbot, answers, sender, pupil_id, package)
    assert package.exists() and pupils.get_pupil(sender, pupil_id).archived
    assert tab.model.rowCount() == 1 and "Awaiting" in tab.model.data(tab.model.index(0, 5))
    assert not tab.send.isEnabled() or "read-only" in tab.note.text()
    home = DashboardPage(sender)
    qtbot.addWidget(home)
    assert home.transfers.model.rowCount() == 1
    assert "awaiting their receipt" in home.transfers.model.data(home.transfers.model.index(0, 2))

    wizard = receive_through_the_wizard(qtbot, answers, receiver, package,
                                        result.passphrase, receipt)
    assert receipt.exists()
    assert wizard.result.created

    page = TransfersPage(sender)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    answers.next_paths.append(receipt)
    page.receipt.click()
    assert answers.messages[-1][1] == "Transfer acknowledged"
    assert dashboard.dashboard(sender).transfers_awaiting == []
    assert page.transfers.data(page.transfers.index(0, 6)) == (
        "Receipt from Meera Patel on 23/11/2026, key not yet confirmed")
    record_a_key_check(qtbot, page, "Meera Patel, SENCO")
    assert page.transfers.data(page.transfers.index(0, 6)) == "Acknowledged by Meera Patel on 23/11/2026"
    assert page.kept.rowCount() >= 1
    shot(page, "transfers-page")
    for model in (page.transfers, page.kept, tab.model):
        model.setParent(None)  # outlive the widgets so the tester can disconnect at teardown
        qtmodeltester.check(model, force_py=True)


def test_the_tab_makes_the_acknowledgement_form_and_keeps_the_signed_scan(
        qtbot, answers, sender, tmp_path, qapp):
    pupil_id = richest_pupil(sender)
    consent_to_share(sender, pupil_id)
    sending.send(sender, pupil_id, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    tab = TransfersTab(sender, pupil_id)
    qtbot.addWidget(tab)
    tab.show()   # the user is looking at it
    form = tmp_path / "form.pdf"
    answers.next_paths.append(form)
    tab.form.click()
    assert form.read_bytes().startswith(b"%PDF")
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(form.read_bytes())
    answers.next_paths.append(scan)
    tab.scan.click()
    assert tab.model.data(tab.model.index(0, 6)) == "1 scan(s)"
    stored = sender.db.scalar("SELECT content FROM transfer_scans")
    assert bytes(stored) == scan.read_bytes()


def test_a_signed_form_attached_on_the_tab_shows_on_the_transfers_page_at_once(
        qtbot, answers, sender, tmp_path):
    """The page and the pupil's tab share the window's runner: the page hears the change."""
    from sendesk.ui.runner import OpRunner
    pupil_id = richest_pupil(sender)
    consent_to_share(sender, pupil_id)
    sending.send(sender, pupil_id, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    runner = OpRunner(sender)
    page = TransfersPage(sender, runner=runner)
    tab = TransfersTab(sender, pupil_id, runner=runner)
    for widget in (page, tab):
        qtbot.addWidget(widget)
        widget.show()
    qtbot.waitExposed(page)
    signed = page.transfers.columnCount() - 1
    assert page.transfers.rowCount() == 1
    assert page.transfers.data(page.transfers.index(0, signed)) == ""
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4 signed at the handover")
    answers.next_paths.append(scan)
    tab.scan.click()
    assert tab.model.data(tab.model.index(0, 6)) == "1 scan(s)"
    assert page.transfers.data(page.transfers.index(0, signed)) == "1 scan(s)"


def test_a_package_given_on_the_command_line_opens_the_receiving_wizard_after_unlock(
        qtbot, make_controller, school, tmp_path):
    package = tmp_path / "incoming.sendesk-transfer"
    package.write_bytes(b"age-encryption.org/v1\n")
    controller = make_controller()
    controller.pending_package = package
    controller.start(school[0])
    unlock(qtbot, controller)
    window = wait_for_main_window(qtbot, controller)
    wizard = controller.workspace.transfers.wizard
    assert wizard is not None and wizard.isVisible()
    assert wizard.open_page.path.text() == str(package)
    assert window.pages.currentWidget() is controller.workspace.transfers


def test_conflicts_with_a_pupil_already_here_must_each_be_decided(
        qtbot, answers, sender, receiver, tmp_path):
    pupil_id = richest_pupil(sender)
    consent_to_share(sender, pupil_id)
    result = sending.send(sender, pupil_id, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    row = sender.db.query_one("SELECT * FROM pupils WHERE id = ?", (pupil_id,))
    pupils.add_pupil(receiver, {"upn": row["upn"], "legal_surname": "Smith",
                                "legal_forename": row["legal_forename"], "dob": row["dob"],
                                "gender": row["gender"], "year_group": row["year_group"]})
    wizard = ReceiveWizard(receiver, result.path)
    qtbot.addWidget(wizard)
    wizard.resize(900, 640)
    wizard.show()
    wizard.open_page.passphrase.setText(result.passphrase)
    wizard.open_page.check.click()
    qtbot.waitUntil(lambda: wizard.preview is not None, timeout=30_000)
    wizard.next()
    wizard.next()
    page = wizard.match_page
    assert page.conflicts.rowCount() > 1, "every record the package adds is a decision too"
    assert [page.conflicts.item(0, c).text() for c in range(3)] == [
        "Legal surname", "Smith", row["legal_surname"]]
    assert not page.isComplete(), "nothing is imported until every conflict is decided"
    page.conflicts.cellWidget(0, 3).setCurrentIndex(2)   # the package's
    assert not page.isComplete()
    page.add_all.click()
    assert page.isComplete()
    shot(wizard, "receive-3-conflicts")
    wizard.button(QWizard.WizardButton.CommitButton).click()
    assert not wizard.result.created
    assert receiver.db.scalar("SELECT legal_surname FROM pupils WHERE upn = ?",
                              (row["upn"],)) == row["legal_surname"]


def test_settings_show_the_schools_signing_key_fingerprint(qtbot, receiver):
    from sendesk.settings import Settings
    from sendesk.ui.settings_dialog import SettingsDialog
    fingerprint = sending.school_fingerprint(receiver)
    dialog = SettingsDialog(Settings(), False, None, fingerprint)
    qtbot.addWidget(dialog)
    label = dialog.findChild(QWidget, "school_fingerprint")
    assert label is not None and fingerprint in label.text()
