"""Everything a document may say about one pupil, read in one go (and audited once by the
caller), plus the few facts about the school that go on letterheads.

Protected addresses are read only so that they can be kept out: `secrets` lists them for the
last-line check in model.redact().
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import dates, sen
from ..models.apdr import Cycle, Pathway
from ..models.contacts import Consent, Contact
from ..models.notes import ShortNote
from ..models.notifications import NotificationDue
from ..models.pupils import GENDERS, Pupil
from ..models.registers import RegisterEntry, RegisterKind
from ..models.sen import NeedPeriod, StatusPeriod
from ..records import apdr, concerns, consent, contacts, notes, notifications, registers, sen_register, specialists
from ..records._common import pupil_row
from ..records.concerns import ConcernRun
from ..records.pupils import pupil_from_row
from ..records.specialists import Involvement
from ..session import Session


@dataclass(frozen=True)
class PupilFacts:
    pupil: Pupil
    contacts: list[Contact]          # ended ones too, parental responsibility first
    consents: list[Consent]
    status_history: list[StatusPeriod]
    current_needs: list[NeedPeriod]
    needs_history: list[NeedPeriod]
    registers: list[RegisterEntry]
    notes: list[ShortNote]
    notifications: list[NotificationDue]
    concern_runs: list[ConcernRun]
    pathways: list[Pathway]
    involvements: list[Involvement]
    today: dt.date

    # -- names -------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The name the pupil is known by, forename first, as letters and headers use it."""
        return f"{self.pupil.forename} {self.pupil.surname}"

    @property
    def legal_name(self) -> str:
        d = self.pupil.details
        return f"{d.legal_forename} {d.legal_surname}"

    @property
    def first_name(self) -> str:
        return self.pupil.forename

    # -- the record --------------------------------------------------------------------------
    @property
    def looked_after(self) -> bool:
        return any(e.kind is RegisterKind.LOOKED_AFTER and e.open for e in self.registers)

    @property
    def secrets(self) -> list[str]:
        """Addresses that must never be printed: protected addresses of a looked-after pupil
        and the address of every contact marked 'do not disclose'."""
        found = [e.protected_address for e in self.registers if e.protected_address]
        found += [c.details.address for c in self.contacts
                  if c.details.do_not_disclose_address and c.details.address]
        return found

    @property
    def parents(self) -> list[Contact]:
        """Current contacts with parental responsibility: everyone legally entitled to letters."""
        return [c for c in self.contacts if c.details.parental_responsibility and c.ended_on is None]

    @property
    def status_label(self) -> str:
        code = self.pupil.sen_status
        return f"{code} ({sen.statuses().get(code, code)})" if code else "Not on the SEN register"

    def need_label(self, code: str | None) -> str:
        if not code:
            return ""
        found = sen.need_codes().get(code)
        return f"{found.label} ({code})" if found else code

    @property
    def open_pathway(self) -> Pathway | None:
        return next((p for p in reversed(self.pathways) if p.open), None)

    @property
    def latest_pathway(self) -> Pathway | None:
        return self.open_pathway or (self.pathways[-1] if self.pathways else None)

    def cycles(self) -> list[Cycle]:
        return [cycle for pathway in self.pathways for cycle in pathway.cycles]

    def identity_rows(self) -> list[tuple[str, object]]:
        """Who the pupil is, as the top of most documents lists it."""
        d = self.pupil.details
        known_as = self.name if self.name != self.legal_name else ""
        return [("Name", self.legal_name), ("Known as", known_as),
                ("Date of birth", dates.format_uk(d.dob)),
                ("Year group", year_label(d.year_group)), ("Class", d.class_name or ""),
                ("UPN", d.upn)]

    def gender_label(self) -> str:
        return GENDERS.get(self.pupil.details.gender, self.pupil.details.gender)


def year_label(code: str) -> str:
    return {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"}.get(code, f"Year {code}")


def read_facts(session: Session, pupil_id: int) -> PupilFacts:
    """Read the pupil's whole record (permission checked by each repository)."""
    pupil = pupil_from_row(pupil_row(session, pupil_id))
    return PupilFacts(
        pupil=pupil,
        contacts=contacts.list_contacts(session, pupil.id, include_ended=True),
        consents=consent.list_consents(session, pupil.id),
        status_history=sen_register.status_history(session, pupil.id),
        current_needs=sen_register.needs_history(session, pupil.id, current_only=True),
        needs_history=sen_register.needs_history(session, pupil.id),
        registers=registers.list_entries(session, pupil.id),
        notes=notes.list_notes(session, pupil.id),
        notifications=notifications.notifications_for_pupil(session, pupil.id),
        concern_runs=concerns.list_runs(session, pupil.id),
        pathways=apdr.pathways(session, pupil.id),
        involvements=specialists.involvements(session, pupil.id),
        today=session.clock.today())
