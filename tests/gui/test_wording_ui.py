"""A subject access request refused to a role says what the user can do (ask the SENCO, who
answers it from the record window), not the permission's name ("read the audit log")."""

from __future__ import annotations

from tests.apdr_support import sen_support_pupil

from sendesk.records import sar
from sendesk.ui.pupil_record_window import PupilRecordWindow


def test_a_subject_access_request_refused_says_what_to_do(qtbot, staff_session, senco_session):
    window = PupilRecordWindow(staff_session, sen_support_pupil(senco_session))
    qtbot.addWidget(window)
    window.show()
    assert not window.sar_button.isEnabled()
    assert window.sar_button.toolTip() == sar.REFUSED
    assert "audit log" not in sar.REFUSED and "record window" in sar.REFUSED
