"""Receiving a pupil's file from their previous school: open the package with its passphrase,
see who sent it (with their key's fingerprint) and what it holds, match the pupil by UPN or
make a new record, decide every conflict and, for a pupil already here, accept or reject each
record the package would add (a contact with parental responsibility is flagged), see where
the sending school reads a measure the other way from this school, import, then save the
signed receipt for the sending school. A new pupil is admitted on the arrival day, in the year
group and class set here (offered from the package). Nothing is stored until the user presses
Import.

Opening the package (age's key stretching, in a child process) and the import run on the
OpRunner; the import's change report refreshes the Transfers page and the pupil list."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..errors import SendeskError
from ..models import dates
from ..models.pupils import YEAR_GROUPS
from ..records import school_calendar
from ..session import Session
from ..store.files import atomic_write
from ..transfer import receiving
from ..transfer.package import SUFFIX
from .accessible import name_form
from .prompts import prompts
from .record_changes import runner_for
from .runner import OpRunner
from .screen_fit import fit_to_screen


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, SendeskError) else (
        f"The package could not be read ({type(exc).__name__}). Nothing was imported.")


class ReceiveWizard(QWizard):
    def __init__(self, session: Session, path: Path | None = None,
                 parent: QWidget | None = None, *, runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner_for(session, runner, self)
        self.setWindowTitle("Receive a pupil's file - sendesk")
        fit_to_screen(self, 860, 640)
        self.preview: receiving.Preview | None = None
        self.result: receiving.Imported | None = None
        self.receipt_saved: Path | None = None
        self.open_page = OpenPage(self, path)
        self.summary_page = SummaryPage(self)
        self.match_page = MatchPage(self)
        self.done_page = DonePage(self)
        for page in (self.open_page, self.summary_page, self.match_page, self.done_page):
            self.addPage(page)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")


class OpenPage(QWizardPage):
    def __init__(self, wizard: ReceiveWizard, path: Path | None) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Open the package")
        self.setSubTitle("Choose the file the sending school gave you and type the passphrase "
                         "they gave you separately (by phone, for example).")
        self.path = QLineEdit(str(path) if path else "", objectName="package_path")
        browse = QPushButton("C&hoose...", objectName="browse")
        browse.clicked.connect(self.browse)
        self.passphrase = QLineEdit(objectName="passphrase", placeholderText="XXXX-XXXX-XXXX-XXXX-XXXX")
        self.check = QPushButton("&Open and check", objectName="check")
        self.check.clicked.connect(self.open_package)
        self.message = QLabel(objectName="message", wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("Package", row)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("", self.check)
        form.addRow(self.message)
        name_form(form)
        self.check.setAccessibleName("Open and check the package")
        self.path.textChanged.connect(self._changed)
        self.passphrase.textChanged.connect(self._changed)

    def browse(self) -> None:
        chosen = prompts.open_file(self, "Open a records transfer package", str(Path.home()),
                                   f"Records transfer packages (*{SUFFIX});;All files (*)")
        if chosen is not None:
            self.path.setText(str(chosen))

    def _changed(self) -> None:
        self.owner.preview = None
        self.message.clear()
        self.completeChanged.emit()

    def open_package(self) -> None:
        path, secret = Path(self.path.text().strip()), self.passphrase.text()
        if not self.path.text().strip() or not secret.strip():
            self.message.setText("Choose the package and type its passphrase.")
            return
        self.check.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText("Checking the package (this takes a few seconds)...")
        self.owner.runner.submit(
            lambda session: receiving.open_package(session, receiving.read_file(path), secret),
            on_done=self._opened, on_error=self._failed)

    def _opened(self, preview: receiving.Preview) -> None:
        self.check.setEnabled(True)
        self.owner.preview = preview
        self.message.setStyleSheet("color: #1b5e20")
        self.message.setText("The package opened and every check passed. Press Next.")
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        self.check.setEnabled(True)
        self.owner.preview = None
        self.message.setStyleSheet("color: #b00020")
        self.message.setText(_describe(exc))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.owner.preview is not None


class SummaryPage(QWizardPage):
    def __init__(self, wizard: ReceiveWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("What the package holds")
        self.setSubTitle("Checked: the package is complete, unaltered and signed by the school "
                         "named below.")
        self.sender = QLabel(objectName="sender", wordWrap=True)
        self.sender.setTextFormat(Qt.TextFormat.RichText)
        self.contents = QListWidget(objectName="contents")
        self.stripped = QLabel(objectName="stripped", wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sender)
        layout.addWidget(QLabel("<b>Contents</b>"))
        layout.addWidget(self.contents)
        layout.addWidget(self.stripped)

    def initializePage(self) -> None:
        preview = self.owner.preview
        assert preview is not None
        pupil = preview.pupil
        known = ("This school has sent to you before with the same key." if preview.sender_known
                 else "This is the first package from this school: phone them and check that "
                      "they read out the same fingerprint. Until the check is recorded on the "
                      "Transfers page, the transfer reads \"key not yet confirmed\".")
        # Everything from the package is escaped: a sender's name must never be able to
        # draw a fake fingerprint or hide the warning below it.
        text = html.escape
        self.sender.setText(
            f"<p>From <b>{text(receiving.describe_school(preview.sender))}</b><br>"
            f"Their signing key fingerprint: <b>{text(preview.sender_fingerprint)}</b><br>"
            f"{text(known)}</p>"
            f"<p>Pupil: <b>{text(pupil['legal_forename'] or '')} {text(pupil['legal_surname'] or '')}"
            f"</b>, born {text(pupil['dob'] or '')}, UPN {text(pupil['upn'] or '')}<br>"
            f"Package fingerprint: <b>{text(preview.package_fingerprint)}</b></p>"
            + "".join(f"<p style='color:#b00020'>{text(w)}</p>" for w in preview.warnings))
        self.contents.clear()
        self.contents.addItems(preview.contents)
        self.stripped.setText("Removed by the sending school before it was sent: "
                              + "; ".join(preview.stripped) if preview.stripped else "")


class MatchPage(QWizardPage):
    def __init__(self, wizard: ReceiveWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Match the pupil")
        self.setSubTitle("Nothing has been stored yet. Import stores everything in one step.")
        self.setCommitPage(True)
        self.match = QLabel(objectName="match", wordWrap=True)
        self.conflicts = QTableWidget(0, 4, objectName="conflicts")
        self.conflicts.setAccessibleName("Changes to decide")
        self.conflicts.setHorizontalHeaderLabels(["Detail", "This school has", "The package has",
                                                  "Keep"])
        self.conflicts.verticalHeader().hide()
        header = self.conflicts.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for column in (0, 1, 3):   # the package's side gets the room: it says what arrives
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.add_all = QPushButton("&Add everything the package holds", objectName="add_all")
        self.add_all.setAccessibleName("Add everything the package holds")
        self.add_all.clicked.connect(lambda: self._choose_additions(receiving.THEIRS))
        self.leave_all = QPushButton("&Leave everything out", objectName="leave_all")
        self.leave_all.setAccessibleName("Leave everything out")
        self.leave_all.clicked.connect(lambda: self._choose_additions(receiving.OURS))
        bulk = QHBoxLayout()
        bulk.addWidget(self.add_all)
        bulk.addWidget(self.leave_all)
        bulk.addStretch(1)
        self.bulk = QWidget()
        self.bulk.setLayout(bulk)
        # A new pupil becomes this school's record: its own admission date, year and class.
        self.arrival = QWidget(objectName="arrival")
        self.admission = QLineEdit(objectName="admission_date")
        self.admission.setAccessibleName("Admission date here (dd/mm/yyyy)")
        self.year = QComboBox(objectName="year_group")
        self.year.setAccessibleName("Year group here")
        self.year.addItems(list(YEAR_GROUPS))
        self.class_name = QLineEdit(objectName="class_name")
        self.class_name.setAccessibleName("Class here")
        arrival = QFormLayout(self.arrival)
        arrival.addRow("Admission date here", self.admission)
        arrival.addRow("Year group here", self.year)
        arrival.addRow("Class here", self.class_name)
        # Not a school day is accepted (admitted on paper in a holiday), but said, with why.
        self.admission_note = QLabel(objectName="admission_note", wordWrap=True)
        self.admission_note.setStyleSheet("color: #8a4b00")
        arrival.addRow(self.admission_note)
        self.calendar = None
        self.admission.textChanged.connect(self._note_admission)
        # Which way a measure improves, where the sender says otherwise than this school or
        # this school takes the sender's word (transfer/directions.py): said, not decided.
        self.directions = QLabel(objectName="directions", wordWrap=True)
        self.directions.setTextFormat(Qt.TextFormat.PlainText)
        self.directions.setStyleSheet("color: #8a4b00")
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet("color: #b00020")
        layout = QVBoxLayout(self)
        layout.addWidget(self.match)
        layout.addWidget(self.directions)
        layout.addWidget(self.arrival)
        layout.addWidget(self.bulk)
        layout.addWidget(self.conflicts, 1)
        layout.addWidget(self.message)

    def initializePage(self) -> None:
        preview = self.owner.preview
        assert preview is not None
        conflicts = preview.conflicts
        new = preview.existing_pupil_id is None
        if new:
            self.match.setText(f"No pupil with UPN {preview.pupil['upn']} is in this database: a "
                               "new record will be made with everything in the package. Set "
                               "their admission date, year group and class here; the year group "
                               "is offered from the package.")
            self.calendar = self.owner.runner.call(school_calendar.load, sender=self)
            self.admission.setText(dates.format_uk(self.owner.session.clock.today()))
            self._note_admission()
            year = str(preview.pupil.get("year_group") or "")
            if self.year.findText(year) >= 0:
                self.year.setCurrentIndex(self.year.findText(year))
            theirs = preview.pupil.get("class_name")
            self.class_name.setPlaceholderText(
                f"Their class at the previous school was {theirs}; type this school's class"
                if theirs else "This school's class (can be set later)")
        elif conflicts:
            self.match.setText(f"UPN {preview.pupil['upn']} matches a pupil already here. Nothing "
                               "changes on their record unless you choose it: for each detail "
                               "that differs choose which to keep, and add or leave out each "
                               "record the package holds.")
        else:
            self.match.setText(f"UPN {preview.pupil['upn']} matches a pupil already here, and the "
                               "package adds nothing to their record.")
        said = [d.sentence() for d in preview.directions if d.worth_saying]
        self.directions.setText("\n\n".join(said))
        self.directions.setVisible(bool(said))
        self.arrival.setVisible(new)
        self.bulk.setVisible(any(c.is_addition for c in conflicts))
        self.conflicts.setVisible(bool(conflicts))
        self.conflicts.setRowCount(len(conflicts))
        for row, conflict in enumerate(conflicts):
            theirs = conflict.theirs + (f" - {conflict.warning}" if conflict.warning else "")
            for column, text in enumerate((conflict.label, conflict.ours, theirs)):
                item = QTableWidgetItem(text)
                if conflict.warning and column == 2:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.conflicts.setItem(row, column, item)
            choice = QComboBox(objectName=f"keep_{conflict.key}")
            choice.setAccessibleName(f"Keep for {conflict.label}: {conflict.theirs}")
            choice.addItem("Choose...", None)
            if conflict.is_addition:
                choice.addItem("Leave it out", receiving.OURS)
                choice.addItem("Add it", receiving.THEIRS)
            else:
                choice.addItem("This school's", receiving.OURS)
                choice.addItem("The package's", receiving.THEIRS)
            choice.currentIndexChanged.connect(self.completeChanged)
            self.conflicts.setCellWidget(row, 3, choice)
        self.conflicts.resizeRowsToContents()

    def _note_admission(self) -> None:
        note = "" if self.calendar is None else receiving.admission_warning(
            self.calendar, self.admission.text().strip(), self.owner.session.clock.today())
        self.admission_note.setText(note)
        self.admission_note.setVisible(bool(note))

    def _choose_additions(self, value: str) -> None:
        preview = self.owner.preview
        for row, conflict in enumerate(preview.conflicts if preview else []):
            if conflict.is_addition:
                choice = self.conflicts.cellWidget(row, 3)
                choice.setCurrentIndex(choice.findData(value))

    def decisions(self) -> dict[str, str]:
        preview = self.owner.preview
        chosen = {}
        for row, conflict in enumerate(preview.conflicts if preview else []):
            value = self.conflicts.cellWidget(row, 3).currentData()
            if value:
                chosen[conflict.key] = value
        return chosen

    def arrival_chosen(self) -> receiving.Arrival | None:
        preview = self.owner.preview
        if preview is None or preview.existing_pupil_id is not None:
            return None
        return receiving.Arrival(self.admission.text().strip(), self.year.currentText(),
                                 self.class_name.text().strip() or None)

    def isComplete(self) -> bool:
        preview = self.owner.preview
        return preview is not None and len(self.decisions()) == len(preview.conflicts)

    def validatePage(self) -> bool:
        owner = self.owner
        try:
            owner.result = owner.runner.call(receiving.import_package, owner.preview,
                                             self.decisions(), self.arrival_chosen())
        except Exception as exc:   # any failure is a message here, never a traceback
            self.message.setText(_describe(exc))
            return False
        return True


class DonePage(QWizardPage):
    def __init__(self, wizard: ReceiveWizard) -> None:
        super().__init__()
        self.owner = wizard
        self.setTitle("Imported: now send the receipt")
        self.setSubTitle("The sending school closes the transfer when they import your signed "
                         "receipt. Save it and send it to them (it holds no pupil's details).")
        self.result = QLabel(objectName="result", wordWrap=True)
        self.save = QPushButton("&Save the receipt...", objectName="save_receipt")
        self.save.clicked.connect(self.save_receipt)
        self.saved = QLabel(objectName="saved", wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.result)
        layout.addWidget(self.save)
        layout.addWidget(self.saved)
        layout.addStretch(1)

    def initializePage(self) -> None:
        result = self.owner.result
        assert result is not None
        entries = sum(result.counts.values())
        self.result.setText(("A new record was made" if result.created else
                             "The package was added to the existing record")
                            + f" with {entries} entries from the previous school. Review the "
                              "pupil's provision early in their first term.")

    def save_receipt(self) -> None:
        result = self.owner.result
        chosen = prompts.save_file(self, "Save the receipt as",
                                   str(Path.home() / f"receipt{receiving.RECEIPT_SUFFIX}"),
                                   f"Transfer receipts (*{receiving.RECEIPT_SUFFIX})")
        if chosen is None or result is None:
            return
        try:
            atomic_write(Path(chosen), result.receipt)
        except SendeskError as exc:
            prompts.error(self, "The receipt was not saved", str(exc))
            return
        self.owner.receipt_saved = Path(chosen)
        self.saved.setText(f"Saved {chosen}. You can save it again later from the pupil's "
                           "Transfers tab.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.owner.receipt_saved is not None
