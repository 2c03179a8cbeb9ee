"""Fills the main window with the pages a SENCO works in, and opens pupil records.

Kept apart from the controller (which only knows about unlocking and locking) so each new
feature adds its page here and nowhere else.

Every page is handed the session's :class:`~.runner.OpRunner` and refreshes itself from the
runner's ``changed`` broadcast; the workspace wires no page to another. What it still does:
it closes a record window whose pupil has gone (deleted after the retention date).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from ..errors import SendeskError
from ..models.roles import Permission
from ..operations import Changes, Kind
from ..records import pupils as pupil_records
from ..session import Session
from .calendar_page import CalendarPage
from .census_page import CensusPage
from .dashboard_page import DashboardPage
from .governors_report_window import GovernorsReportWindow
from .groups_window import GroupsPage
from .impact_page import ImpactPage
from .import_wizard import ImportWizard
from .main_window import MainWindow
from .new_pupil_dialog import add_new_pupil_action
from .outside_changes import OutsideChanges
from .prompts import prompts
from .provision_map_view import ProvisionMapView
from .pupil_list_page import PupilListPage
from .pupil_record_window import PupilRecordWindow
from .receive_wizard import ReceiveWizard
from .reviews_due import ReviewsDueView
from .runner import OpRunner
from .server_changes import ServerChanges
from .transfers_page import TransfersPage


class Workspace(QObject):
    def __init__(self, window: MainWindow, session: Session, runner: OpRunner) -> None:
        super().__init__(window)
        self.window, self.session, self.runner = window, session, runner
        self.records: dict[int, PupilRecordWindow] = {}
        self.home = DashboardPage(session, runner=runner)
        self.home.open_pupil.connect(self.open_pupil)
        window.add_page("home", "Home", self.home)
        self.pupils = PupilListPage(session, runner=runner)
        self.pupils.open_pupil.connect(self.open_pupil)
        window.add_page("pupils", "Pupils", self.pupils)
        self.reviews_due = ReviewsDueView(session, load=False, runner=runner)
        self.reviews_due.open_pupil.connect(self.open_pupil)
        self.reviews_due.open_provision_map.connect(
            self._open_provision_map)
        window.add_page("reviews_due", "Reviews due", self.reviews_due)
        self.provision_map = ProvisionMapView(session, load=False, runner=runner)
        self.provision_map.open_pupil.connect(self.open_pupil)
        window.add_page("provision_map", "Provision map", self.provision_map)
        self.impact = ImpactPage(session, load=False, runner=runner)
        window.add_page("impact", "Impact of provision", self.impact)
        self.census = CensusPage(session, runner=runner)
        window.add_page("census", "Census check", self.census)
        self.calendar = CalendarPage(session, load=False, runner=runner)
        self.calendar.open_pupil.connect(self.open_pupil)
        window.add_page("calendar", "Calendar", self.calendar)
        self.transfers: TransfersPage | None = None
        if any(session.can(p) for p in (Permission.EXPORT_TRANSFER, Permission.EDIT_PUPILS,
                                         Permission.SETTINGS)):
            self.transfers = TransfersPage(session, runner=runner)
            self.transfers.open_pupil.connect(self.open_pupil)
            window.add_page("transfers", "Transfers and retention", self.transfers)
        self.groups = GroupsPage(session, load=False, runner=runner)
        self.groups.open_pupil.connect(self.open_pupil)
        window.add_page("groups", "Groups", self.groups)
        add_new_pupil_action(window, window.file_menu, session, runner, self.open_pupil)
        action = window.tools_menu.addAction("&Import pupils from the MIS...")
        action.setObjectName("import_pupils")
        action.triggered.connect(self.import_pupils)
        window.grey_unless(action, session.can(Permission.IMPORT_PUPILS))
        # Reports: counts for governors and the SEN Information Report, never names.
        self.reports_menu = QMenu("&Reports", window)
        window.menuBar().insertMenu(window.tools_menu.menuAction(), self.reports_menu)
        window._action(self.reports_menu, "&Impact of provision",
                       lambda: window.show_page("impact"), name="show_impact")
        report = window._action(self.reports_menu, "&Governors' report...", self.governors_report,
                                name="governors_report")
        window.grey_unless(report, session.can(Permission.VIEW_RECORDS))
        runner.changed.connect(self.changes_arrived)
        # Another process's (or PC's) change refreshes the pages: the file's data version,
        # or the school server's notifications.
        self.outside: QObject = (ServerChanges(runner, self) if session.on_server
                                 else OutsideChanges(runner, self))

    def governors_report(self) -> GovernorsReportWindow:
        window = GovernorsReportWindow(self.session, self.window, runner=self.runner)
        window.open()
        return window

    def import_pupils(self) -> ImportWizard:
        wizard = ImportWizard(self.session, self.window, runner=self.runner)
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

    def changes_arrived(self, changes: Changes) -> None:
        """A pupil deleted after the retention date takes their open record window with them."""
        if not self.records or not changes.touches(Kind.PUPIL, Kind.TRANSFER):
            return
        if not changes.whole_school and not any(p in self.records for p in changes.pupils):
            return
        try:
            held = self.runner.call(pupil_records.still_held, list(self.records))
        except SendeskError:
            return   # the server not answering: the records stay open until it is back
        for pupil_id in [pid for pid in self.records if pid not in held]:
            self.records.pop(pupil_id).close()

    def _open_provision_map(self, pupil_id: int) -> None:
        record = self.open_pupil(pupil_id)
        if record is not None:
            record.show_provision_map()

    def open_pupil(self, pupil_id: int) -> PupilRecordWindow | None:
        """Bring an open record forward, or open it (which is audited). A record that cannot
        be read (the account removed meanwhile, the school server not answering, the pupil
        deleted) is told in the core's sentence and None returned: every page opens records
        through here, so none of them shows a technical error instead."""
        existing = self.records.get(pupil_id)
        if existing is not None:
            existing.raise_()
            existing.activateWindow()
            return existing
        try:
            record = PupilRecordWindow(self.session, pupil_id, runner=self.runner)
        except SendeskError as exc:
            prompts.report_failure(exc, self.window, "Open a pupil's record")
            return None
        record.destroyed.connect(lambda *_: self.records.pop(pupil_id, None))
        self.records[pupil_id] = record
        record.show()
        return record

