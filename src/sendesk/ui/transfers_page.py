"""The Transfers page: every file sent or received, with what is still awaiting acknowledgement;
receiving a package and importing a receipt; this school's signing-key fingerprint; the other
schools' keys not yet checked with them, with the button that records a check; and the
retention view, listing leavers' records kept and those due for secure deletion.

Its work runs on the OpRunner it shares with the record windows, and it refreshes whenever the
runner reports a change to any transfer or pupil: a signed form attached on a pupil's
Transfers tab shows here at once (or, while the page is hidden, when it is next shown). It reads
its lists the first time it is shown (it is built while the main window is, and waiting on the
runner there would spin an event loop inside the window's construction)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..errors import SendeskError
from ..models import dates
from ..models.roles import Permission
from ..operations import Kind
from ..records import pupils, retention
from ..session import Session
from ..transfer import log, receiving, sending
from .key_check_dialog import KeyCheckDialog, describe
from .load_on_show import LoadOnShow
from .prompts import prompts
from .receive_wizard import ReceiveWizard
from .record_changes import one_at_a_time, runner_for
from .rows_model import Col, RowsModel
from .rows_table import rows_table
from .runner import OpRunner, alive
from .transfers_tab import COLUMNS as TRANSFER_COLUMNS

DUE = QColor("#fdecea")
RETENTION_COLUMNS: list[Col[retention.RetainedRecord]] = [
    Col("Pupil", lambda r: r.name), Col("UPN", lambda r: r.upn),
    Col("Date of birth", lambda r: dates.format_uk(r.dob)),
    Col("Left", lambda r: dates.format_uk(r.left_on) if r.left_on else ""),
    Col("Went to", lambda r: r.destination or ""),
    Col("Keep until", lambda r: dates.format_uk(r.retain_until)),
    Col("Deletion", lambda r: "Due for secure deletion" if r.due else ""),
]


# What this page lists: transfers, and leavers' records (a pupil archived, deleted, re-dated).
SHOWN_KINDS = (Kind.TRANSFER, Kind.PUPIL, Kind.SETTINGS)


def _read(session: Session, with_fingerprint: bool) -> tuple[
        str | None, list[log.Transfer] | None, list[log.Transfer] | None, int | None,
        list[retention.RetainedRecord] | None]:
    """Everything the page lists that this user may see, in one trip to the worker."""
    fingerprint = sending.school_fingerprint(session) if with_fingerprint else None
    transfers = unconfirmed = None
    if session.can(Permission.EXPORT_TRANSFER):
        transfers, unconfirmed = log.all_transfers(session), log.unconfirmed_keys(session)
    years = kept = None
    if session.can(Permission.EDIT_PUPILS) or session.can(Permission.SETTINGS):
        years, kept = retention.retention_years(session), retention.retained_records(session)
    return fingerprint, transfers, unconfirmed, years, kept


class TransfersPage(LoadOnShow, QWidget):
    open_pupil = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner_for(session, runner, self)
        may_transfer = session.can(Permission.EXPORT_TRANSFER)
        may_keep = session.can(Permission.EDIT_PUPILS) or session.can(Permission.SETTINGS)
        self.fingerprint = QLabel(objectName="fingerprint", wordWrap=True)
        self.fingerprint.setTextFormat(Qt.TextFormat.RichText)
        self.receive = QPushButton("Receive a &pupil's file...", objectName="receive")
        self.receive.clicked.connect(lambda: self.start_receiving())
        self.receipt = QPushButton("&Import a receipt...", objectName="import_receipt")
        self.receipt.clicked.connect(self.import_receipt)
        for widget in (self.receive, self.receipt):
            widget.setEnabled(may_transfer)
        self.transfers: RowsModel[log.Transfer] = RowsModel(
            [Col("UPN", lambda t: t.upn), *TRANSFER_COLUMNS],
            background=lambda t: DUE if t.status == "awaiting acknowledgement" and t.deadline
            and t.deadline < session.clock.today() else None, parent=self)
        self.transfer_view = rows_table("all_transfers", self.transfers, "Records transfers")
        self.unconfirmed_keys: list[log.Transfer] = []
        self.unconfirmed = QLabel(objectName="unconfirmed_keys", wordWrap=True)
        self.check_key = QPushButton("Record a fin&gerprint check...", objectName="check_key")
        self.check_key.setAccessibleName("Record that another school's key fingerprint was "
                                         "checked with them")
        self.check_key.clicked.connect(lambda: self.record_key_check())
        self.key_dialog: KeyCheckDialog | None = None
        self.transfer_view.activated.connect(
            lambda index: self.open_pupil.emit(self.transfers.row_object(index.row()).pupil_id))

        self.years = QSpinBox(objectName="retention_years", minimum=retention.MIN_YEARS,
                              maximum=retention.MAX_YEARS, suffix=" years after date of birth")
        self.years.setAccessibleName("Keep records after leaving for (years)")
        self.years.setEnabled(session.can(Permission.SETTINGS))
        self.apply_years = QPushButton("&Apply", objectName="apply_years")
        self.apply_years.setEnabled(session.can(Permission.SETTINGS))
        self.apply_years.clicked.connect(self.set_years)
        self.kept: RowsModel[retention.RetainedRecord] = RowsModel(
            RETENTION_COLUMNS, background=lambda r: DUE if r.due else None, parent=self)
        self.kept_view = rows_table("retained", self.kept, "Records kept after leaving")
        self.delete = QPushButton("Securely &delete the chosen record...", objectName="secure_delete")
        self.delete.setEnabled(session.can(Permission.EDIT_PUPILS))
        self.delete.clicked.connect(self.secure_delete)

        top = QHBoxLayout()
        top.addWidget(self.fingerprint, 1)
        top.addWidget(self.receive)
        top.addWidget(self.receipt)
        sent_box = QGroupBox("Files sent and received")
        sent_layout = QVBoxLayout(sent_box)
        keys_row = QHBoxLayout()
        keys_row.addWidget(self.unconfirmed, 1)
        keys_row.addWidget(self.check_key, 0, Qt.AlignmentFlag.AlignTop)
        sent_layout.addLayout(keys_row)
        sent_layout.addWidget(self.transfer_view)
        keep_box = QGroupBox("Leavers' records kept (retention)")
        keep_layout = QVBoxLayout(keep_box)
        years_row = QHBoxLayout()
        years_row.addWidget(QLabel("Keep a leaver's SEND file for"))
        years_row.addWidget(self.years)
        years_row.addWidget(self.apply_years)
        years_row.addStretch(1)
        keep_layout.addLayout(years_row)
        keep_layout.addWidget(self.kept_view)
        keep_layout.addWidget(self.delete, 0, Qt.AlignmentFlag.AlignLeft)
        keep_box.setVisible(may_keep)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(sent_box, 1)
        layout.addWidget(keep_box, 1)
        self.wizard: ReceiveWizard | None = None
        self.follow(self.runner, SHOWN_KINDS)
        self.load_now_or_when_shown(False)

    @one_at_a_time
    def refresh(self) -> None:
        self.loaded = True
        shown = self.runner.call(_read, self.fingerprint.text() == "")
        if not alive(self):
            return   # the window closed while the lists were read
        fingerprint, transfers, unconfirmed, years, kept = shown
        if fingerprint is not None:
            self.fingerprint.setText(
                f"This school's signing key fingerprint: <b>{fingerprint}</b>. "
                "Receiving schools may phone to check it.")
        if transfers is not None:
            self.transfers.set_rows(transfers)
            self.transfer_view.resizeColumnsToContents()
        if unconfirmed is not None:
            self._show_unconfirmed(unconfirmed)
        if kept is not None:
            self.years.setValue(years)
            self.kept.set_rows(kept)
            self.kept_view.resizeColumnsToContents()

    def _show_unconfirmed(self, transfers: list[log.Transfer]) -> None:
        self.unconfirmed_keys = transfers
        self.check_key.setVisible(bool(transfers))
        self.unconfirmed.setVisible(bool(transfers))
        self.unconfirmed.setText(
            "" if not transfers else
            "<b>Key not yet confirmed</b> (check the fingerprint with the school by phone, then "
            "record the check): " + "; ".join(html.escape(describe(t)) for t in transfers))

    def record_key_check(self, transfer_id: int | None = None) -> KeyCheckDialog | None:
        """Record a fingerprint check for one of the keys not yet confirmed (the chosen
        transfer's, when it is one of them)."""
        if not self.unconfirmed_keys:
            return None
        rows = self.transfer_view.selectionModel().selectedRows()
        if transfer_id is None and rows:
            transfer_id = self.transfers.row_object(rows[0].row()).id
        self.key_dialog = KeyCheckDialog(self.runner, self.unconfirmed_keys, self, transfer_id)
        self.key_dialog.open()
        return self.key_dialog

    def start_receiving(self, path: Path | None = None) -> ReceiveWizard:
        wizard = ReceiveWizard(self.session, path, self, runner=self.runner)
        self.wizard = wizard
        wizard.open()
        return wizard

    def import_receipt(self) -> None:
        chosen = prompts.open_file(self, "Import a transfer receipt", str(Path.home()),
                                   f"Transfer receipts (*{receiving.RECEIPT_SUFFIX});;All files (*)")
        if chosen is None:
            return
        try:
            done = self.runner.call(lambda session: receiving.import_receipt(
                session, receiving.read_receipt_file(chosen)), sender=self.receipt)
        except SendeskError as exc:
            prompts.error(self, "The receipt was not accepted", str(exc))
            return
        prompts.info(self, "Transfer acknowledged",
                     f"{done.school} acknowledged the file: received by {done.received_by} on "
                     f"{done.received_at[:10]}. Their signing key: {done.school_fingerprint}."
                     + ("" if done.key_confirmed else " " + receiving.RECEIPT_KEY_UNCONFIRMED))

    def set_years(self) -> None:
        try:
            count = self.runner.call(retention.set_retention_years, self.years.value(),
                                     sender=self.apply_years)
        except SendeskError as exc:
            prompts.error(self, "Retention not changed", str(exc))
            return
        prompts.info(self, "Retention changed", f"Leavers' files are now kept for "
                     f"{self.years.value()} years after birth ({count} records recalculated).")

    def secure_delete(self) -> None:
        rows = self.kept_view.selectionModel().selectedRows()
        record = self.kept.row_object(rows[0].row()) if rows else None
        if record is None:
            prompts.info(self, "Secure deletion", "Choose a record first.")
            return
        if not record.due:
            prompts.error(self, "Secure deletion", f"{record.name}'s file must be kept until "
                          f"{dates.format_uk(record.retain_until)}.")
            return
        if not prompts.confirm(self, "Secure deletion",
                               f"Delete {record.name}'s whole record for good? This cannot be "
                               "undone; the audit log will show who deleted it and when."):
            return
        try:
            self.runner.call(pupils.delete_after_retention, record.pupil_id, sender=self.delete)
        except SendeskError as exc:
            prompts.error(self, "Not deleted", str(exc))
