"""Fills the main window with the pages a SENCO works in, and opens pupil records.

Kept apart from the controller (which only knows about unlocking and locking) so each new
feature adds its page here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from ..session import Session
from ..models.roles import Permission
from ..records import pupils as pupil_records
from .calendar_page import CalendarPage
from .census_page import CensusPage
from .dashboard_page import DashboardPage
from .import_wizard import ImportWizard
from .main_window import MainWindow
from .new_pupil_dialog import add_new_pupil_action
from .provision_map_view import ProvisionMapView
from .reviews_due import ReviewsDueView
from .pupil_list_page import PupilListPage
from .pupil_record_window import PupilRecordWindow
from .prompts import prompts
from .receive_wizard import ReceiveWizard
from .tasks import TaskRunner
from .transfers_page import TransfersPage


class Workspace(QObject):
    def __init__(self, window: MainWindow, session: Session, tasks: TaskRunner) -> None:
        super().__init__(window)
        self.window, self.session, self.tasks = window, session, tasks
        self.records: dict[int, PupilRecordWindow] = {}
        self.home = DashboardPage(session)
        self.home.open_pupil.connect(self.open_pupil)
        window.add_page("home", "Home", self.home)
        self.pupils = PupilListPage(session)
        self.pupils.open_pupil.connect(self.open_pupil)
        window.add_page("pupils", "Pupils", self.pupils)
        self.reviews_due = ReviewsDueView(session, load=False)
        self.reviews_due.open_pupil.connect(self.open_pupil)
        window.add_page("reviews_due", "Reviews due", self.reviews_due)
        self.provision_map = ProvisionMapView(session, load=False)
        self.provision_map.open_pupil.connect(self.open_pupil)
        window.add_page("provision_map", "Provision map", self.provision_map)
        self.census = CensusPage(session)
        window.add_page("census", "Census check", self.census)
        self.calendar = CalendarPage(session, load=False)
        self.calendar.open_pupil.connect(self.open_pupil)
        window.add_page("calendar", "Calendar", self.calendar)
        self.transfers: TransfersPage | None = None
        if any(session.can(p) for p in (Permission.EXPORT_TRANSFER, Permission.EDIT_PUPILS,
                                         Permission.SETTINGS)):
            self.transfers = TransfersPage(session, tasks)
            self.transfers.open_pupil.connect(self.open_pupil)
            self.transfers.changed.connect(self.transfers_changed)
            window.add_page("transfers", "Transfers and retention", self.transfers)
        add_new_pupil_action(window, window.file_menu, session, self.open_pupil, self.pupil_changed)
        if session.can(Permission.IMPORT_PUPILS):
            action = window.tools_menu.addAction("Import pupils from the MIS...")
            action.setObjectName("import_pupils")
            action.triggered.connect(self.import_pupils)

    def import_pupils(self) -> ImportWizard:
        wizard = ImportWizard(self.session, self.window)
        wizard.accepted.connect(lambda: self.pupils.pupils_changed())
        wizard.accepted.connect(self.home.refresh)
        wizard.open()
        return wizard

    def receive_package(self, path: Path | None = None) -> ReceiveWizard | None:
        """Start the receiving wizard (a package opened from the file manager lands here)."""
        if self.transfers is None or not self.session.can(Permission.EXPORT_TRANSFER):
            prompts.error(self.window, "Receive a pupil's file",
                          "Your role does not allow you to receive records transfers. Ask your "
                          "SENCO.")
            return None
        self.window.show_page("transfers")
        return self.transfers.start_receiving(path)

    def transfers_changed(self) -> None:
        held = pupil_records.still_held(self.session, self.records)
        for pupil_id in [pid for pid in self.records if pid not in held]:
            self.records.pop(pupil_id).close()   # deleted after its retention date
        self.pupils.pupils_changed()
        self.home.refresh()

    def open_pupil(self, pupil_id: int) -> PupilRecordWindow:
        """Bring an open record forward, or open it (which is audited)."""
        existing = self.records.get(pupil_id)
        if existing is not None:
            existing.raise_()
            existing.activateWindow()
            return existing
        record = PupilRecordWindow(self.session, pupil_id)
        record.changed.connect(self.pupil_changed)
        record.destroyed.connect(lambda *_: self.records.pop(pupil_id, None))
        self.records[pupil_id] = record
        record.show()
        return record

    def pupil_changed(self, pupil_id: int) -> None:
        self.pupils.pupils_changed([pupil_id])
        self.home.refresh()
        if self.calendar.isVisible():
            self.calendar.refresh()
        if self.transfers is not None:
            self.transfers.refresh()
