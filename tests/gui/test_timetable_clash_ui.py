"""The support timetable window marks a member of staff's overlapping times as a clash, saying
what each overlaps, on the page shown (the printed page's own text) as in the PDF."""

from __future__ import annotations

from tests.groups_support import clashing_week

from sendesk.ui.timetable_window import TimetableWindow


def test_the_window_shows_each_clash(qtbot, senco_session):
    clashing_week(senco_session)
    window = TimetableWindow(senco_session, staff_name="Mrs Khan")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: bool(window.panel.documents))
    text = window.panel.documents[0].text()
    assert "CLASH: 2 of these times overlap another on the same day" in text
    assert "CLASH: Overlaps with Talk boost 09:15-09:45 (Library)." in text
    assert "CLASH: Overlaps with Year 4 phonics group 09:00-09:30 (Room 4)." in text
    qtbot.wait(200)
    window.grab().save("/tmp/fix24-timetable-clash.png")
