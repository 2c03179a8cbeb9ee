"""The support timetable window: one pupil's, or one member of staff's, week of group
provision, shown as the printed page and saved as PDF or printed through the usual document
path (the role's permission checked, the export audited).

Opened from a pupil's record (their week) or from the Groups page (choose the member of staff).
Choose another week with the date box (any day in it); it reads again when a group changes.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..documents import timetable as timetable_documents
from ..errors import SendeskError
from ..operations import Changes, Kind
from ..records import provision_groups, timetable
from ..session import Session
from .accessible import label_for
from .date_field import DateField
from .documents_tab import DocumentPanel, file_name
from .runner import OpRunner, Refused, alive
from .screen_fit import fit_to_screen


class TimetablePanel(DocumentPanel):
    """The document panel (preview, Save as PDF, Print) showing a timetable built on demand."""

    def __init__(self, session: Session, pupil_id: int | None, parent: QWidget | None = None,
                 runner: OpRunner | None = None) -> None:
        super().__init__(session, pupil_id, lambda: timetable_documents.KIND, parent, runner)
        self.staff_name = ""
        self.day: dt.date | None = None

    def refresh(self) -> None:
        try:
            if self.pupil_id is not None:
                document = self.runner.call(timetable_documents.pupil_timetable, self.pupil_id,
                                            self.day)
            else:
                document = self.runner.call(timetable_documents.staff_timetable,
                                            self.staff_name, self.day)
            if not alive(self):
                return
            self.documents = [document]
            self.message.setText("")
        except Refused:
            return
        except SendeskError as exc:
            if not alive(self):
                return
            self.documents = []
            self.message.setText(str(exc))
        self.message.setVisible(bool(self.message.text()))
        for widget in (self.save_button, self.print_button):
            widget.setEnabled(self.allowed and bool(self.documents))
        self.preview.updatePreview()
        self._show_zoom()
        self.built.emit()

    def default_name(self) -> str:
        """Whose week and which: each member of staff's (and each week's) file its own name,
        not one "Support timetable.pdf" that the next save would overwrite."""
        if not self.documents:
            return super().default_name()
        who = self.documents[0].pupil_name or self.staff_name
        monday = timetable.week_of(self.day or self.session.clock.today())
        return file_name(f"Support timetable {who} week of {monday:%d-%m-%Y}") + ".pdf"


class TimetableWindow(QDialog):
    """A pupil's week (pupil_id given) or a member of staff's (chosen in the box)."""

    def __init__(self, session: Session, *, pupil_id: int | None = None, staff_name: str = "",
                 parent: QWidget | None = None, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner if runner is not None else OpRunner(session, self)
        self.setObjectName("timetable_window")
        self.setWindowTitle("Support timetable - sendesk")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        fit_to_screen(self, 900, 760)
        self.panel = TimetablePanel(session, pupil_id, self, self.runner)
        self.week = DateField("Week of", optional=False, objectName="week")
        today = session.clock.today()
        self.week.setText(today.strftime("%d/%m/%Y"))
        # A week a timetable can mean: seven years back to the end of next year (01/01/1900 is
        # a slip, not a week to print).
        self.week.setMinimumDate(today.replace(year=today.year - 7, month=1, day=1))
        self.week.setMaximumDate(today.replace(year=today.year + 2, month=12, day=31))
        self.week.editingFinished.connect(self.show_week)
        bar = QHBoxLayout()
        self.staff = QComboBox(objectName="staff")
        if pupil_id is None:
            staff_label = QLabel("Member of &staff:")
            bar.addWidget(staff_label)
            bar.addWidget(label_for(staff_label, self.staff), 1)
            self.staff.addItems(self.runner.call(provision_groups.staff_names))
            if staff_name:
                self.staff.setCurrentIndex(max(0, self.staff.findText(staff_name)))
            self.panel.staff_name = self.staff.currentText()
            self.staff.currentTextChanged.connect(self.choose_staff)
        else:
            self.staff.hide()
        week_label = QLabel("&Week of (any day in it):")
        bar.addWidget(week_label)
        bar.addWidget(label_for(week_label, self.week))
        show = QPushButton("S&how", objectName="show_week")
        show.clicked.connect(self.show_week)
        # Enter in the week box shows that week; as Save as PDF (the first button) it opened a
        # file dialog for whatever was typed.
        show.setDefault(True)
        for button in (self.panel.save_button, self.panel.print_button):
            button.setAutoDefault(False)
        bar.addWidget(show)
        close = QPushButton("&Close", objectName="close")
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.panel, 1)
        QShortcut(QKeySequence("Ctrl+W"), self, activated=self.close)
        self.runner.changed.connect(self._changed)
        QTimer.singleShot(0, self, self.panel.refresh)

    def choose_staff(self, name: str) -> None:
        self.panel.staff_name = name
        self.panel.refresh_soon()

    def show_week(self) -> None:
        if self.week.problem():
            self.panel.message.setText(self.week.problem() or "")
            self.panel.message.setVisible(True)
            return
        self.panel.day = self.week.day()
        self.panel.refresh_soon()

    def _changed(self, changes: Changes) -> None:
        if alive(self) and changes.touches(Kind.GROUP, Kind.PUPIL):
            self.panel.refresh_soon()
