"""The pupil record's Transfers tab: packages sent to or received from other schools, with the
acknowledgement form, the signed scan and the receipt (saved again at any time), the check of
the other school's key fingerprint, and the button that starts sending the file to the
pupil's next school.

Its work runs on the record window's OpRunner; it refreshes when the runner reports a change to
the pupil's transfers (from here, the send wizard, or the Transfers page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from ..errors import SendeskError
from ..models import dates
from ..models.roles import Permission
from ..operations import Kind
from ..session import Session
from ..store.files import atomic_write
from ..transfer import log
from ..transfer.acknowledgement import acknowledgement_form
from ..transfer.receiving import RECEIPT_SUFFIX
from .key_check_dialog import KeyCheckDialog
from .load_on_show import LoadOnShow
from .prompts import prompts
from .record_changes import one_at_a_time, read_pupil_line, runner_for
from .record_panel import denied_text
from .rows_model import Col, RowsModel
from .runner import OpRunner, alive
from .send_wizard import SendWizard

COLUMNS: list[Col[log.Transfer]] = [
    Col("Date", lambda t: dates.format_uk(dt.date.fromisoformat(t.happened_at[:10]))),
    Col("Direction", lambda t: "Sent to" if t.direction == "sent" else "Received from"),
    Col("School", lambda t: f"{t.school_name} ({t.school_reference})" if t.school_reference
        else t.school_name),
    Col("Package fingerprint", lambda t: t.fingerprint),
    Col("Deadline", lambda t: t.deadline.strftime("%d/%m/%Y") if t.deadline else ""),
    Col("Status", lambda t: t.status_text),
    Col("Signed form", lambda t: f"{len(t.scans)} scan(s)" if t.scans else ""),
]


def save_acknowledgement(parent: QWidget, session: Session, transfer: log.Transfer,
                         runner: OpRunner | None = None) -> Path | None:
    """Render the acknowledgement form and save it where the user chooses."""
    from ..pdf import render_pdf
    runner = runner_for(session, runner, parent)
    chosen = prompts.save_file(parent, "Save the acknowledgement form as",
                               str(Path.home() / f"acknowledgement-{transfer.upn}.pdf"), "PDF (*.pdf)")
    if chosen is None:
        return None
    try:
        form = runner.call(acknowledgement_form, transfer.id)
        atomic_write(Path(chosen), runner.call_plain(lambda: render_pdf(form)))
    except SendeskError as exc:
        prompts.error(parent, "The form was not saved", str(exc))
        return None
    return Path(chosen)


# What the tab shows of its pupil.
SHOWN_KINDS = (Kind.TRANSFER, Kind.PUPIL)


def _read(session: Session, pupil_id: int) -> tuple[list[log.Transfer], bool]:
    """The pupil's transfers and whether they have left, in one trip to the worker."""
    return log.transfers_for_pupil(session, pupil_id), read_pupil_line(session, pupil_id).archived


class TransfersTab(LoadOnShow, QWidget):
    def __init__(self, session: Session, pupil_id: int, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session, self.pupil_id = session, pupil_id
        self.runner = runner_for(session, runner, self)
        self.model: RowsModel[log.Transfer] = RowsModel(COLUMNS, parent=self)
        self.view = QTableView(objectName="transfers")
        self.view.setAccessibleName("Transfers of this pupil's file")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.note = QLabel(objectName="note", wordWrap=True)
        may = session.can(Permission.EXPORT_TRANSFER)
        self.send = QPushButton("&Send the file to the next school...", objectName="send")
        self.send.clicked.connect(self.start_sending)
        self.form = QPushButton("Acknowledgement &form (PDF)...", objectName="form")
        self.form.clicked.connect(self.save_form)
        self.scan = QPushButton("Attach the si&gned form...", objectName="attach_scan")
        self.scan.clicked.connect(self.attach_scan)
        self.receipt = QPushButton("Save the &receipt again...", objectName="save_receipt")
        self.receipt.clicked.connect(self.save_receipt)
        self.check_key = QPushButton("Record the &key check...", objectName="check_key")
        self.check_key.setAccessibleName("Record that the other school's key fingerprint was "
                                         "checked with them")
        self.check_key.clicked.connect(self.record_key_check)
        self.key_dialog: KeyCheckDialog | None = None
        # Two rows: one was wider than a laptop screen at 150% scaling.
        buttons = QVBoxLayout()
        rows = [QHBoxLayout(), QHBoxLayout()]
        for number, widget in enumerate((self.send, self.form, self.scan, self.receipt, self.check_key)):
            widget.setEnabled(may)
            if not may:
                widget.setToolTip(denied_text(session))
            rows[number // 3].addWidget(widget)
        for row in rows:
            row.addStretch(1)
            buttons.addLayout(row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.wizard: SendWizard | None = None
        # Built when its tab is first shown; read again when a change to what it shows is
        # reported (at once on screen, else when next shown).
        self.follow(self.runner, SHOWN_KINDS, pupil_id=self.pupil_id)
        self.load_now_or_when_shown(True)

    @one_at_a_time
    def refresh(self) -> None:
        self.loaded = True
        transfers, left = self.runner.call(_read, self.pupil_id)
        if not alive(self):
            return   # the record window closed while the worker read
        self.model.set_rows(transfers)
        self.view.resizeColumnsToContents()
        if transfers:
            self.view.selectRow(len(transfers) - 1)
        self.note.setText(
            "This pupil has left; their record here is read-only and kept until its retention "
            "date." if left else "When the pupil moves school, send their whole file from here. "
            "Sending marks them as left and makes this record read-only.")

    def selected(self) -> log.Transfer | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.data(rows[0], Qt.ItemDataRole.UserRole)

    def start_sending(self) -> SendWizard:
        wizard = SendWizard(self.session, self.pupil_id, self, runner=self.runner)
        self.wizard = wizard
        wizard.open()
        return wizard

    def save_form(self) -> None:
        transfer = self.selected()
        if transfer is None:
            prompts.info(self, "Acknowledgement form", "Choose a transfer first.")
            return
        saved = save_acknowledgement(self, self.session, transfer, self.runner)
        if saved:
            prompts.info(self, "Acknowledgement form", f"Saved {saved}. Print it, and both "
                         "parties sign and date it at the handover.")

    def attach_scan(self) -> None:
        transfer = self.selected()
        if transfer is None:
            prompts.info(self, "Signed form", "Choose a transfer first.")
            return
        chosen = prompts.open_file(self, "Attach the signed acknowledgement form", str(Path.home()),
                                   "Scans (*.pdf *.png *.jpg *.jpeg);;All files (*)")
        if chosen is None:
            return
        try:
            self.runner.call(log.attach_scan, transfer.id, chosen, sender=self.scan)
        except SendeskError as exc:
            prompts.error(self, "The scan was not stored", str(exc))

    def save_receipt(self) -> None:
        transfer = self.selected()
        if transfer is None or transfer.direction != "received":
            prompts.info(self, "Receipt", "Choose a package this school received.")
            return
        chosen = prompts.save_file(self, "Save the receipt as",
                                   str(Path.home() / f"receipt{RECEIPT_SUFFIX}"),
                                   f"Transfer receipts (*{RECEIPT_SUFFIX})")
        if chosen is None:
            return
        try:
            self.runner.call(log.save_receipt_again, transfer.id, chosen, sender=self.receipt)
        except SendeskError as exc:
            prompts.error(self, "The receipt was not saved", str(exc))

    def record_key_check(self) -> KeyCheckDialog | None:
        """Record the fingerprint check for the chosen transfer's school (if still unchecked)."""
        transfer = self.selected()
        if transfer is None or not transfer.needs_key_check:
            prompts.info(self, "Key check", "Choose a transfer whose key is not yet confirmed.")
            return None
        self.key_dialog = KeyCheckDialog(self.runner, [transfer], self, transfer.id)
        self.key_dialog.open()
        return self.key_dialog
