"""The record's registers: SEN status and ranked needs, parents told of a change, and the other
registers (medical, EAL, looked after, monitoring) with their corrections and end dates.

Needs are chosen from the census list by their labels and ranked (rank 1 is the primary need);
keeping the status while changing the needs is a change of needs, not of status. A register
entry is corrected with its held values in the form, and ended from a date (kept as history).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from ..models.notifications import METHODS
from ..models.registers import RegisterEntry, RegisterKind
from ..models.roles import Permission
from ..models.sen import ON_REGISTER, statuses
from ..records import notifications, registers, sen_register
from ..session import Session
from .dates import uk
from .forms import FieldSpec, FormDialog
from .needs_picker import NeedsPicker, need_label
from .prompts import prompts
from .record_panel import RecordPanel, button, button_row, fill_table, make_table
from .runner import OpRunner

# The fields every register has, then those that belong to one register only.
COMMON_FIELDS = [FieldSpec("start_date", "From", "date"),
                 FieldSpec("review_date", "Review by", "date"),
                 FieldSpec("details", "Details", "text")]
OWN_FIELDS = {
    RegisterKind.MEDICAL: [FieldSpec("has_ihp", "Has an individual healthcare plan (medical)", "bool")],
    RegisterKind.EAL: [FieldSpec("first_language", "First language (EAL)")],
    RegisterKind.LOOKED_AFTER: [
        FieldSpec("pep_date", "Latest PEP (looked after)", "date"),
        FieldSpec("pep_review_date", "Next PEP review (looked after)", "date"),
        FieldSpec("responsible_la", "Responsible authority (looked after)"),
        FieldSpec("protected_address", "Protected address (looked after; never printed)", "text")],
    RegisterKind.MONITORING: []}


class RegistersPanel(RecordPanel):
    def __init__(self, session: Session, pupil_id: int, runner: OpRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, pupil_id, runner, parent)
        senco = self.can(Permission.CHANGE_SEN_STATUS)
        edit = self.can(Permission.EDIT_PUPILS)
        self.status_table = make_table("status_history", ["Status", "From", "To", "Reason", "Changed by"])
        self.status_table.setAccessibleName("SEN status history")
        self.needs_table = make_table("needs_history", ["Rank", "Need", "From", "To"])
        self.needs_table.setAccessibleName("Needs history")
        self.notifications_table = make_table("notifications", ["Change", "Due since", "Told", "Outstanding"])
        self.notifications_table.setAccessibleName("Parent notifications")
        self.registers_table = make_table("registers", ["Register", "From", "To", "Review", "Details"])
        self.registers_table.setAccessibleName("Other registers")
        self.change_status_button = button("Change SEN status or nee&ds...", "change_status",
                                           self.change_status, senco)
        self.correct_status_button = button("C&orrect the current status...", "correct_status",
                                            self.correct_status, senco)
        self.correct_status_button.setToolTip(
            "Put an EHC plan (E) in place of SEN support (K), or K in place of E, from the day the "
            "current status began." if senco else "Only the SENCO may change the SEN register.")
        self.record_notification_button = button("Record &parent notification...", "record_notification",
                                                  self.record_notification, edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>SEN register</b> (only the SENCO may change status or needs)"))
        layout.addWidget(self.status_table)
        layout.addWidget(self.needs_table)
        layout.addLayout(button_row(self.change_status_button, self.correct_status_button))
        layout.addWidget(QLabel("<b>Parent notifications</b>"))
        layout.addWidget(self.notifications_table)
        layout.addLayout(button_row(self.record_notification_button))
        layout.addWidget(QLabel("<b>Other registers</b>"))
        layout.addWidget(self.registers_table)
        layout.addLayout(button_row(button("Add to a re&gister...", "add_register", self.add_register, edit),
                              button("Correct en&try...", "correct_register", self.correct_register, edit),
                              button("End entr&y...", "end_register", self.end_register, edit)))

    def refresh(self) -> None:
        record = self.held
        names = statuses()
        fill_table(self.status_table, [(f"{p.status} - {names.get(p.status, '')}", uk(p.start_date),
                                        uk(p.end_date), p.reason, p.changed_by)
                                       for p in record.status_history])
        fill_table(self.needs_table, [(n.rank, need_label(n.code), uk(n.start_date), uk(n.end_date))
                                      for n in record.needs_history])
        contact_names = {c.id: c.details.name for c in record.contacts}
        young = f"{record.pupil.forename} {record.pupil.surname} (the young person)"
        fill_table(self.notifications_table, [(
            f"{'Added to' if n.change == 'added' else 'Removed from'} the register ({n.status})",
            uk(n.due_since),
            "; ".join(f"{s.to_whom} by {s.method} on {uk(s.sent_on)}" for s in n.sent),
            ", ".join([young] * n.young_person_to_tell
                      + [contact_names.get(i, "?") for i in n.outstanding_contact_ids]) or "None")
            for n in record.notifications], [n.id for n in record.notifications])
        fill_table(self.registers_table, [(
            e.kind.label, uk(e.start_date), uk(e.end_date), uk(e.review_date),
            e.details + (" (protected address recorded; never printed)" if e.protected_address else ""))
            for e in record.registers], [e.id for e in record.registers])

    # --- SEN status and needs ------------------------------------------------------------
    def current_needs(self) -> list[str]:
        return [n.code for n in sorted(self.held.current_needs, key=lambda n: n.rank)]

    def change_status(self) -> FormDialog:
        """One form for both: a new status (with its needs), or the same status with new needs."""
        current = self.held.pupil.sen_status
        choices = [(f"{code} - {label}", code) for code, label in statuses().items()]
        fields = [FieldSpec("status", "Status", "choice", choices),
                  FieldSpec("start_date", "From", "date"),
                  FieldSpec("needs", "Needs", "widget", aliases=("need",),
                            make=NeedsPicker),
                  FieldSpec("reason", "Reason", "text")]

        def save(values: dict[str, Any]) -> Any:
            if values["status"] == current:
                return self.write(sen_register.set_needs, self.pupil_id,
                                  values["needs"], values["start_date"])
            needs = values["needs"] if values["status"] in ON_REGISTER else None
            return self.write(sen_register.change_status,
                              self.pupil_id, values["status"], values["start_date"],
                              values["reason"], needs)
        dialog = self.open_form("Change SEN status or needs", fields, save,
                                values={"status": current or "K", "start_date": self.today(),
                                        "needs": self.current_needs()},
                                intro="Keep the status to change only the needs. Parents must be "
                                      "told when a pupil is added to or removed from the register; "
                                      "sendesk will remind you until it is recorded.")
        status: QComboBox = dialog.form.widgets["status"]  # type: ignore[assignment]
        picker = dialog.form.widgets["needs"]

        def follow(*_: Any) -> None:
            """Needs belong to E and K only; for N (off the register) the list is set aside."""
            picker.setEnabled(status.currentData() in ON_REGISTER)
        status.currentIndexChanged.connect(follow)
        follow()
        return dialog

    def correct_status(self) -> FormDialog | None:
        current = self.held.pupil.sen_status
        if current not in ON_REGISTER:
            prompts.error(self, "Correct the current status",
                          "Only SEN support (K) and an EHC plan (E) can replace each other from the "
                          "day the status began; this pupil is not on the SEN register.")
            return None
        other = "E" if current == "K" else "K"
        fields = [FieldSpec("status", "Status from the day it began", "choice",
                            [(f"{other} - {statuses()[other]}", other)]),
                  FieldSpec("reason", "Reason", "text")]
        since = self.held.status_history[-1].start_date if self.held.status_history else None
        return self.open_form(
            "Correct the current status", fields,
            lambda v: self.write(sen_register.replace_current_status, self.pupil_id,
                                 v["status"], v["reason"]),
            intro=f"The pupil has been recorded as {current} since {uk(since)}. Use this when "
                  f"{other} applied from that day (for example a pupil who arrived holding an EHC "
                  "plan); the old status stays in the change trail.")

    def record_notification(self) -> FormDialog | None:
        due = [n for n in self.held.notifications if n.open]
        if not due:
            prompts.info(self, "Record parent notification", "No parent notification is due.")
            return None
        item = due[0]
        people = [c for c in self.held.contacts if c.id in item.outstanding_contact_ids]
        pupil = self.held.pupil
        fields = [FieldSpec("sent_on", "Date told", "date"),
                  FieldSpec("method", "How", "choice", [(m.capitalize(), m) for m in METHODS])]
        if item.young_person_to_tell:
            # From 16, as the school chose: the young person themselves, named.
            fields.append(FieldSpec("young_person", f"{pupil.forename} {pupil.surname} "
                                    "(the young person)", "bool"))
        fields += [FieldSpec(f"contact_{c.id}", f"{c.details.name} ({c.details.relationship})", "bool")
                   for c in people]

        def save(values: dict[str, Any]) -> bool:
            chosen = [c.id for c in people if values.get(f"contact_{c.id}")]
            return self.write(notifications.record_notification, item.id,
                              chosen, values["sent_on"], values["method"],
                              bool(values.get("young_person")))
        told = ("Tick everyone who was told: from 16 the young person is told "
                + ("as well as the parents." if people else "themselves.")
                if item.young_person_to_tell else
                "Tick everyone with parental responsibility who was told.")
        return self.open_form("Record parent notification", fields, save,
                              values={"sent_on": self.today()}, intro=told)

    # --- other registers -------------------------------------------------------------------
    def add_register(self) -> FormDialog:
        fields = [FieldSpec("kind", "Register", "choice", [(k.label, k.value) for k in RegisterKind]),
                  *COMMON_FIELDS, *[spec for kind in RegisterKind for spec in OWN_FIELDS[kind]]]

        def save(values: dict[str, Any]) -> int:
            kind = values.pop("kind")
            return self.write(registers.add_entry, self.pupil_id, kind, values)
        return self.open_form("Add to a register", fields, save, values={"start_date": self.today()})

    def _chosen_entry(self, title: str) -> RegisterEntry | None:
        return self.chosen(self.registers_table, self.held.registers, "register entry", title,
                           lambda e: e.open, "This register entry has ended and is kept as history.")

    def correct_register(self) -> FormDialog | None:
        """The entry's own fields, as held, to correct (a new review or PEP date, say)."""
        entry = self._chosen_entry("Correct register entry")
        if entry is None:
            return None
        fields = [*COMMON_FIELDS, *OWN_FIELDS[entry.kind]]
        held = {spec.key: getattr(entry, spec.key) for spec in fields}
        return self.open_form(f"Correct: {entry.kind.label}", fields,
                              lambda v: self.write(registers.update_entry, entry.id, v),
                              values=held)

    def end_register(self) -> FormDialog | None:
        entry = self._chosen_entry("End register entry")
        if entry is None:
            return None
        return self.open_form(
            f"End: {entry.kind.label}", [FieldSpec("end_date", "Off the register from", "date")],
            lambda v: self.write(registers.end_entry, entry.id, v["end_date"]),
            values={"end_date": self.today()},
            intro=f"On the register since {uk(entry.start_date)}. The entry is kept as history.")

