"""The receiving wizard says, before Import, where the sending school reads a measure the other
way from this school ("lower is better" there, higher here) and that this school's answer is
kept; Import keeps it, and takes the sender's answer for a measure this school has not named.
Real clicks and keys.

Set SENDESK_SCREENSHOTS to a folder to keep a picture of the review page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard
from tests.gui.test_transfer_arrival_ui import opened_wizard
from tests.gui.test_transfer_ui import receiver, sender, shot  # noqa: F401 - fixtures
from tests.test_transfer_directions import INCIDENTS, PLAYGROUND, SDQ, measured_pupil, says_higher
from tests.transfer_support import fake_pdf, recipient

from sendesk.records import measure_directions
from sendesk.transfer import sending

LEFT = Qt.MouseButton.LeftButton


def test_the_review_says_where_the_sender_reads_a_measure_the_other_way(
        qtbot, sender, receiver, tmp_path):
    sent = sending.send(sender, measured_pupil(sender), recipient(),
                        tmp_path / "p.sendesk-transfer", fake_pdf)
    says_higher(receiver, PLAYGROUND)
    wizard = opened_wizard(qtbot, receiver, sent)
    page = wizard.match_page
    assert page.directions.isVisible()
    text = page.directions.text()
    assert (f"The sending school records lower scores as better for '{PLAYGROUND}'; this school "
            "records higher as better. Their measures are kept as recorded") in text
    assert f"for '{INCIDENTS}'; this school had not said, so that is taken here." in text
    assert SDQ not in text, "the same answer at both schools is not worth a word"
    shot(wizard, "receive-directions")
    QTest.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), LEFT)
    assert wizard.result is not None and wizard.currentPage() is wizard.done_page
    here = measure_directions.directions(receiver.db)
    assert here[PLAYGROUND.casefold()] is False and here[INCIDENTS.casefold()] is True
