"""The record's contacts and consents: add, correct and end a contact; record and withdraw
consent to share.

Consent is given by someone the record already holds, so "given by" is a choice of the pupil's
current contacts (and of the pupil, once they are 16), never a name typed again; a contact
added a minute ago is offered at once because the window re-reads the record on every change.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..models import dates
from ..models.contacts import Consent, Contact
from ..models.roles import Permission
from ..models.school_contacts import AS_WELL, INSTEAD
from ..records import consent, contacts, school_contacts
from ..records.consent import YOUNG_PERSON_AGE
from ..session import Session
from .dates import uk
from .forms import FieldSpec, FormDialog
from .prompts import prompts
from .record_panel import RecordPanel, button, button_row, fill_table, make_table
from .runner import OpRunner
from .stale_form import open_correction

CONTACT_FIELDS = [FieldSpec("title", "Title", placeholder="Mrs, Mr, Ms, Mx, Dr: letters greet them by it"),
                  FieldSpec("name", "Name"),
                  FieldSpec("relationship", "Relationship",
                            placeholder="for example Mother, Foster carer"),
                  FieldSpec("parental_responsibility", "Has parental responsibility", "bool"),
                  FieldSpec("phone", "Phone"), FieldSpec("email", "Email"),
                  FieldSpec("address", "Address", "text"),
                  FieldSpec("do_not_disclose_address", "Never disclose this address", "bool")]
THE_PUPIL = "pupil"


def _age_on(dob: Any, day: Any) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class ContactsPanel(RecordPanel):
    def __init__(self, session: Session, pupil_id: int, runner: OpRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(session, pupil_id, runner, parent)
        edit = self.can(Permission.EDIT_PUPILS)
        self.contacts_table = make_table("contacts", ["Name", "Relationship", "Parental responsibility",
                                                      "Phone", "Email", "Address", "Ended"])
        self.contacts_table.setAccessibleName("Contacts")
        self.consent_table = make_table("consents", ["Given by", "Date", "Scope", "Withdrawn"])
        self.consent_table.setAccessibleName("Consent to share information")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Contacts</b>"))
        layout.addWidget(self.contacts_table)
        layout.addLayout(button_row(
            button("Add &contact...", "add_contact", self.add_contact, edit),
            button("Co&rrect contact...", "correct_contact", self.correct_contact, edit),
            button("&End contact...", "end_contact", self.end_contact, edit)))
        layout.addWidget(QLabel("<b>Consent to share information</b>"))
        layout.addWidget(self.consent_table)
        layout.addLayout(button_row(
            button("Record co&nsent...", "add_consent", self.add_consent, edit),
            button("&Withdraw consent...", "withdraw_consent", self.withdraw_consent, edit)))

    def refresh(self) -> None:
        record = self.held
        shown = sorted(record.contacts, key=lambda c: c.ended_on is not None)
        fill_table(self.contacts_table, [(
            c.details.name, c.details.relationship, "Yes" if c.details.parental_responsibility else "No",
            c.details.phone, c.details.email,
            "Not to be disclosed" if c.details.do_not_disclose_address else (c.details.address or ""),
            uk(c.ended_on)) for c in shown], [c.id for c in shown])
        fill_table(self.consent_table, [(f"{c.given_by} ({c.giver_kind})", uk(c.given_on), c.scope,
                                         uk(c.withdrawn_on)) for c in record.consents],
                   [c.id for c in record.consents])

    def current_contacts(self) -> list[Contact]:
        return [c for c in self.held.contacts if c.ended_on is None]

    # --- contacts ----------------------------------------------------------------------------
    def _chosen_contact(self, title: str) -> Contact | None:
        return self.chosen(self.contacts_table, self.held.contacts, "contact", title,
                           lambda c: c.ended_on is None,
                           "This contact has been ended and is kept as history; add them again "
                           "if they are involved once more.")

    def add_contact(self) -> FormDialog:
        return self.open_form("Add contact", CONTACT_FIELDS,
                              lambda v: self.write(contacts.add_contact,
                                                   self.pupil_id, v))

    def correct_contact(self) -> FormDialog | None:
        """The contact's details as held, to correct; the old values stay in the change trail.
        Changed on another PC meanwhile, the save is refused with both versions shown."""
        contact = self._chosen_contact("Correct contact")
        if contact is None:
            return None
        return open_correction(self, f"Correct {contact.details.name}", CONTACT_FIELDS,
                               contacts.update_contact, contact.id, contact.details,
                               dataclasses.asdict)

    def end_contact(self) -> FormDialog | None:
        contact = self._chosen_contact("End contact")
        if contact is None:
            return None
        return self.open_form(
            f"End {contact.details.name}", [FieldSpec("ended_on", "No longer involved from", "date")],
            lambda v: self.write(contacts.end_contact, contact.id, v["ended_on"]),
            values={"ended_on": self.today()},
            intro=f"{contact.details.name} ({contact.details.relationship}) stays in the record as "
                  "history but is no longer offered for letters, notifications or consent.")

    # --- consent -----------------------------------------------------------------------------
    def givers(self) -> list[tuple[str, str]]:
        """Who may give consent, the first the one preselected: each current contact, those
        with parental responsibility first, and the pupil once they are 16 (the core checks the
        date given against that), as the school chose in School details: under "instead" the
        pupil alone, under "as well as" the pupil first, then the contacts."""
        choices = [(f"{c.details.name} ({c.details.relationship})", f"contact:{c.id}")
                   for c in self.current_contacts()]
        pupil = self.held.pupil
        if _age_on(pupil.details.dob, self.today()) < YOUNG_PERSON_AGE:
            return choices
        themselves = (f"{pupil.forename} {pupil.surname} (the pupil, 16 or over)", THE_PUPIL)
        choice = self.runner.call(school_contacts.school_contacts).young_person
        if choice == INSTEAD:
            return [themselves]
        return [themselves, *choices] if choice == AS_WELL else [*choices, themselves]

    def add_consent(self) -> FormDialog | None:
        givers = self.givers()
        if not givers:
            prompts.error(self, "Record consent", "Consent is given by one of the pupil's contacts. "
                          "Add the parent or carer as a contact first.")
            return None
        fields = [FieldSpec("giver", "Given by", "choice", givers),
                  FieldSpec("given_on", "Date given", "date"),
                  FieldSpec("scope", "What may be shared, and with whom", "text")]
        return self.open_form("Record consent", fields, self._save_consent,
                              values={"given_on": self.today()},
                              intro="Consent is given by one of the pupil's current contacts (or "
                                    "the pupil, once 16). Someone not listed? Add them as a "
                                    "contact first.")

    def _save_consent(self, values: dict[str, Any]) -> int:
        giver = values.pop("giver")
        raw = {"given_on": values["given_on"], "scope": values["scope"]}
        if giver == THE_PUPIL:
            pupil = self.held.pupil
            raw |= {"given_by": f"{pupil.forename} {pupil.surname}", "giver_kind": "young person"}
            contact_id = None
        else:
            contact_id = int(giver.split(":")[1])
            person = next(c for c in self.held.contacts if c.id == contact_id)
            raw |= {"given_by": person.details.name, "giver_kind": "parent or carer"}
        return self.write(consent.record_consent, self.pupil_id, raw, contact_id)

    def withdraw_consent(self) -> FormDialog | None:
        chosen: Consent | None = self.chosen(
            self.consent_table, self.held.consents, "consent", "Withdraw consent",
            lambda c: c.active, "This consent has already been withdrawn.")
        if chosen is None:
            return None
        return self.open_form(
            "Withdraw consent", [FieldSpec("withdrawn_on", "Withdrawn from", "date")],
            lambda v: self.write(consent.withdraw_consent, chosen.id,
                                 v["withdrawn_on"]),
            values={"withdrawn_on": self.today()},
            intro=f"Consent given by {chosen.given_by} on {dates.format_uk(chosen.given_on)} to "
                  f"share: {chosen.scope}. Nothing more is shared on it from this date; the record "
                  "that it was given stays.")
