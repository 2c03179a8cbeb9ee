"""Two schools for the transfer tests: a sending demo school whose chosen pupil has the richest
record (pathway, plans, reviews, a specialist's report, a withheld address), and the receiving
school from conftest. The full-file PDF is a stand-in here; the CLI and wizard tests use the
real one."""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from sendesk import demo
from sendesk.records import consent, contacts, notes, registers
from sendesk.services import lifecycle
from sendesk.session import Session
from sendesk.store.keyfile import keyfile_path
from sendesk.transfer import sending

SENDER_USER = "sbrown"
SENDER_NAME = "Sam Brown"
SENDER_PASSWORD = "copper-willow-evening-29"
RECEIVER_REFERENCE = "123456"
RECEIVER_NAME = "Brambleton Primary School"
PROTECTED = "Flat 3, 18 Orchard Mews\nHollowbrook\nHB2 9XY"
FAKE_PDF = b"%PDF-1.4\n% stand-in for the full SEND file\n%%EOF\n"


def fake_pdf(session: Session, pupil_id: int) -> bytes:
    return FAKE_PDF


_BUILT: dict[dt.datetime, Path] = {}


def make_sender(path: Path, clock) -> Session:
    """The sending demo school at `path`, signed in. Building it takes seconds and gives the
    same school for the same clock, so it is built once a run and each test gets a copy of the
    file and its key file (tests/conftest.py's to_engine then puts it on the server)."""
    built = _BUILT.get(clock.now())
    if built is None:
        folder = Path(tempfile.mkdtemp(prefix="sendesk-sender-"))
        atexit.register(shutil.rmtree, folder, True)
        built = folder / "sender.sendesk"
        session, _ = demo.create_demo_school(built, SENDER_USER, SENDER_NAME, SENDER_PASSWORD,
                                             pupils=60, clock=clock)
        session.close()
        _BUILT[clock.now()] = built
    shutil.copyfile(built, path)
    shutil.copyfile(keyfile_path(built), keyfile_path(path))
    return lifecycle.open_school(path, SENDER_USER, SENDER_PASSWORD, clock)


def richest_pupil(session: Session) -> int:
    """A pupil on roll with a specialist's report and the most APDR cycles."""
    return session.db.scalar(
        "SELECT p.id FROM pupils p JOIN specialist_involvements i ON i.pupil_id = p.id"
        " JOIN specialist_reports r ON r.involvement_id = i.id"
        " JOIN send_pathways w ON w.pupil_id = p.id JOIN apdr_cycles c ON c.pathway_id = w.id"
        " WHERE p.archived_at IS NULL GROUP BY p.id ORDER BY count(DISTINCT c.id) DESC, p.id LIMIT 1")


def add_protected_details(session: Session, pupil_id: int) -> None:
    """A carer whose address must not be disclosed, and the same address typed into a note."""
    protect_addresses(session, pupil_id, {
        "name": "Dana Price", "relationship": "Foster carer", "parental_responsibility": False,
        "address": PROTECTED, "do_not_disclose_address": True}, PROTECTED, "Hollowbrook")
    notes.add_note(session, pupil_id, {"event_date": session.clock.today(),
                                       "concern": "Collected from Flat 3, 18 Orchard Mews today."})


def protect_addresses(session: Session, pupil_id: int, contact: dict, placement: str,
                      responsible_la: str) -> None:
    """A contact (with an address not to disclose) and a looked-after placement address."""
    contacts.add_contact(session, pupil_id, contact)
    open_entry = session.db.scalar("SELECT id FROM register_entries WHERE pupil_id = ? AND"
                                   " register = 'looked_after' AND end_date IS NULL", (pupil_id,))
    if open_entry is None:
        registers.add_entry(session, pupil_id, "looked_after", {
            "start_date": session.clock.today() - dt.timedelta(days=100),
            "responsible_la": responsible_la,
            "pep_date": session.clock.today() - dt.timedelta(days=20),
            "protected_address": placement})
    else:
        registers.update_entry(session, open_entry, {"protected_address": placement})


def recipient() -> sending.Recipient:
    return sending.make_recipient(RECEIVER_NAME, RECEIVER_REFERENCE, "Ms Jo Jones (SENCO)")


def open_sender(path: Path, clock) -> Session:
    return lifecycle.open_school(path, SENDER_USER, SENDER_PASSWORD, clock)


def consent_to_share(session: Session, pupil_id: int) -> None:
    """The parents' consent to share the file with the next school (sending checks for it)."""
    consent.record_consent(session, pupil_id, {
        "given_by": "Alex Parent", "giver_kind": "parent or carer",
        "given_on": session.clock.today() - dt.timedelta(days=30),
        "scope": "Share the SEND file with the pupil's next school."})
