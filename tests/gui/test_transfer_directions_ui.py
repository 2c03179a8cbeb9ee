"""The receiving wizard says, before Import, where the sending school reads a measure the other
way from this school ("lower is better" there, higher here) and that this school's answer is
kept; Import keeps it, and takes the sender's answer for a measure this school has not named
unless its own pupils are measured by it (then their reading is kept, and the page says how
many and where to change it). Real clicks and keys.

Set SENDESK_SCREENSHOTS to a folder to keep a picture of the review page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard
from tests.concerns_support import add_pupil
from tests.gui.test_transfer_arrival_ui import opened_wizard
from tests.gui.test_transfer_ui import receiver, sender, shot  # noqa: F401 - fixtures
from tests.test_transfer_directions import INCIDENTS, PLAYGROUND, SDQ, measured_pupil, says_higher
from tests.transfer_support import fake_pdf, recipient

from sendesk.records import measure_directions
from sendesk.transfer import sending

pytestmark = pytest.mark.both_engines
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


def test_a_measure_pupils_here_are_measured_by_keeps_their_reading_and_says_so(
        qtbot, sender, receiver, tmp_path):
    sent = sending.send(sender, measured_pupil(sender), recipient(),
                        tmp_path / "p.sendesk-transfer", fake_pdf)
    for _ in range(2):     # two of this school's pupils, unanswered, read higher
        receiver.db.execute(
            "INSERT INTO provision_measures (pupil_id, kind, name, entry_value, entry_date,"
            " entered_at) VALUES (?, 'school_scale', ?, 5, '2026-09-07', ?)",
            (add_pupil(receiver, parent=False), INCIDENTS, receiver.now_text()))
    wizard = opened_wizard(qtbot, receiver, sent)
    page = wizard.match_page
    assert page.directions.isVisible()
    assert (f"The sending school records lower scores as better for '{INCIDENTS}'; this school "
            "has not said, but 2 pupils here are measured by it and read higher as better, so "
            "this school's reading is kept: the SENCO can change it on a measure's form."
            ) in page.directions.text()
    shot(wizard, "receive-directions-measured-here")
    QTest.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), LEFT)
    assert wizard.result is not None and wizard.currentPage() is wizard.done_page
    assert INCIDENTS.casefold() not in measure_directions.directions(receiver.db)
