"""Sending a pupil's file, receiving it at the next school and closing the loop with the
signed receipt, between two real school databases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.records_fixtures import audit_text, snapshot
from tests.transfer_support import (
    FAKE_PDF,
    PROTECTED,
    SENDER_PASSWORD,
    add_protected_details,
    consent_to_share,
    fake_pdf,
    make_sender,
    recipient,
    richest_pupil,
)

from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models.calendar import add_school_days
from sendesk.records import dashboard, notes, pupils, retention
from sendesk.transfer import receiving, sending
from sendesk.transfer.errors import NotForThisSchool, TamperedPackage, UnexpectedSigner
from sendesk.transfer.package import read_package


@pytest.fixture
def sender(tmp_path, clock, to_engine):
    session = to_engine(make_sender(tmp_path / "sender.sendesk", clock), SENDER_PASSWORD)
    yield session
    session.close()


@pytest.fixture
def sent(sender, tmp_path):
    pupil_id = richest_pupil(sender)
    add_protected_details(sender, pupil_id)
    consent_to_share(sender, pupil_id)
    result = sending.send(sender, pupil_id, recipient(), tmp_path / "pupil.sendesk-transfer",
                          fake_pdf, count_pages=lambda pdf: 3)
    return pupil_id, result


def owned_counts(session, pupil_id):
    tables = ["contacts", "sen_status_history", "sen_needs", "register_entries", "short_notes",
              "send_pathways", "specialist_involvements", "concern_runs"]
    return {t: session.db.scalar(f"SELECT count(*) FROM {t} WHERE pupil_id = ?", (pupil_id,))
            for t in tables}


def test_the_checks_show_consent_parents_removed_addresses_and_attachments(sender):
    pupil_id = richest_pupil(sender)
    add_protected_details(sender, pupil_id)
    checks = sending.check_before_sending(sender, pupil_id)
    assert checks.parental, "everyone with parental responsibility is listed"
    assert any("do not disclose" in s for s in checks.stripped)
    assert any("looked-after register" in s for s in checks.stripped)
    assert any("typed into notes" in s for s in checks.stripped)
    assert checks.attachments and checks.attachments[0].filename == "report.pdf"


def test_round_trip_moves_the_whole_record_and_the_receipt_closes_the_transfer(
        sender, sent, senco_session, clock):
    pupil_id, result = sent
    assert result.path.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert result.deadline == add_school_days(clock.today(), 15) == dt.date(2026, 12, 14)
    # The sender's record is now read-only and marked as left, with a dashboard item.
    assert pupils.get_pupil(sender, pupil_id).archived
    with pytest.raises(PermissionDenied, match="has left"):
        notes.add_note(sender, pupil_id, {"event_date": clock.today(), "concern": "late entry"})
    waiting = dashboard.dashboard(sender).transfers_awaiting
    assert [(w.pupil_id, w.deadline) for w in waiting] == [(pupil_id, result.deadline)]

    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    assert preview.existing_pupil_id is None and preview.conflicts == []
    assert preview.sender_fingerprint == sending.school_fingerprint(sender)
    assert preview.package_fingerprint == result.fingerprint
    imported = receiving.import_package(senco_session, preview, {})
    assert imported.created
    theirs, ours = owned_counts(sender, pupil_id), owned_counts(senco_session, imported.pupil_id)
    assert theirs == ours and ours["send_pathways"] >= 1
    for table in ("apdr_cycles", "apdr_plans", "apdr_outcomes", "apdr_provision_items",
                  "apdr_reviews", "specialist_reports", "specialist_recommendations"):
        assert imported.counts.get(table, 0) >= 1, table
    report = senco_session.db.query_one(
        "SELECT r.content, r.sha256 FROM specialist_reports r JOIN specialist_involvements i"
        " ON i.id = r.involvement_id WHERE i.pupil_id = ?", (imported.pupil_id,))
    original = sender.db.query_one(
        "SELECT r.content, r.sha256 FROM specialist_reports r JOIN specialist_involvements i"
        " ON i.id = r.involvement_id WHERE i.pupil_id = ?", (pupil_id,))
    assert bytes(report["content"]) == bytes(original["content"])
    # Who wrote what is kept by name on an inactive user that cannot sign in.
    author = senco_session.db.query_one(
        "SELECT u.full_name, u.active FROM short_notes n JOIN users u ON u.id = n.author_id"
        " WHERE n.pupil_id = ? LIMIT 1", (imported.pupil_id,))
    if author is not None:
        assert author["full_name"].endswith("(Demo school: Larkfield Academy (invented pupils))")
        assert author["active"] == 0
    received = senco_session.db.query_one("SELECT * FROM pupils WHERE id = ?", (imported.pupil_id,))
    sent_row = sender.db.query_one("SELECT * FROM pupils WHERE id = ?", (pupil_id,))
    assert (received["sen_status"], received["primary_need"]) == (sent_row["sen_status"],
                                                                   sent_row["primary_need"])
    assert received["archived_at"] is None

    acknowledged = receiving.import_receipt(sender, imported.receipt)
    assert acknowledged.received_by == "Meera Patel"
    assert acknowledged.school_fingerprint == sending.school_fingerprint(senco_session)
    assert dashboard.dashboard(sender).transfers_awaiting == []
    with pytest.raises(ValidationError, match="already acknowledged"):
        receiving.import_receipt(sender, imported.receipt)
    assert "Adeyemi" not in audit_text(sender)


def test_protected_addresses_never_leave_the_sending_school(sent):
    _, result = sent
    opened = read_package(result.path.read_bytes(), result.passphrase)
    everything = b"".join([opened.manifest_bytes, *opened.items.values()]).decode("latin-1")
    for line in PROTECTED.splitlines()[::2]:   # the house and street, the postcode
        assert line not in everything
    assert "Hollowbrook" in everything, "the town alone is no secret (it names the council too)"
    assert "Orchard Mews" not in everything
    assert "[address withheld]" in opened.items["record.json"].decode()
    assert opened.items["send-file.pdf"] == FAKE_PDF


def test_a_package_goes_only_to_the_school_it_names(sender, tmp_path, senco_session):
    pupil_id = richest_pupil(sender)
    elsewhere = sending.make_recipient("Another School", "654321")
    consent_to_share(sender, pupil_id)
    result = sending.send(sender, pupil_id, elsewhere, tmp_path / "x.sendesk-transfer", fake_pdf)
    before = snapshot(senco_session)
    with pytest.raises(NotForThisSchool, match="addressed to Another School"):
        receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    assert snapshot(senco_session)["pupil_rows"] == before["pupil_rows"]


def test_a_second_package_from_the_same_school_with_another_key_is_refused(
        sender, sent, senco_session):
    _, result = sent
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    receiving.import_package(senco_session, preview, {})
    # The same school now appears to sign with a different key (a forger's, or a rebuilt database).
    senco_session.db.execute("UPDATE known_senders SET public_key = ?", ("ab" * 32,))
    # Any other pupil on roll will do: the signature is refused before the record is read.
    other = sender.db.scalar("SELECT id FROM pupils WHERE archived_at IS NULL AND sen_status = 'K'"
                             " ORDER BY id LIMIT 1")
    consent_to_share(sender, other)
    again = sending.send(sender, other, recipient(),
                         result.path.with_name("second.sendesk-transfer"), fake_pdf)
    with pytest.raises(UnexpectedSigner, match="Phone the sending school"):
        receiving.open_package(senco_session, again.path.read_bytes(), again.passphrase)


def test_conflicts_with_an_existing_pupil_are_listed_and_must_be_decided(
        sender, sent, senco_session):
    pupil_id, result = sent
    row = sender.db.query_one("SELECT * FROM pupils WHERE id = ?", (pupil_id,))
    ours = pupils.add_pupil(senco_session, {
        "upn": row["upn"], "legal_surname": "Different", "legal_forename": row["legal_forename"],
        "dob": row["dob"], "gender": row["gender"], "year_group": row["year_group"]})
    from sendesk.records import sen_register
    sen_register.change_status(senco_session, ours, "K", senco_session.clock.today(),
                               "Seen on arrival", ["MLD"])
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    assert preview.existing_pupil_id == ours
    keys = {c.key for c in preview.conflicts}
    assert {"field:legal_surname", "current:sen_status_history", "current:sen_needs"} <= keys
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="Decide which version"):
        receiving.import_package(senco_session, preview, {})
    assert snapshot(senco_session) == before
    # Ours stays current; everything the package adds is taken (as history, where it clashes).
    decisions = ({c.key: receiving.THEIRS if c.is_addition else receiving.OURS
                  for c in preview.conflicts} | {"field:legal_surname": receiving.THEIRS})
    imported = receiving.import_package(senco_session, preview, decisions)
    assert imported.pupil_id == ours and not imported.created
    now = senco_session.db.query_one("SELECT * FROM pupils WHERE id = ?", (ours,))
    assert now["legal_surname"] == row["legal_surname"]
    assert (now["sen_status"], now["primary_need"]) == ("K", "MLD")   # ours kept current
    # Theirs arrived as history, ended when the pupil left.
    assert senco_session.db.scalar("SELECT count(*) FROM sen_status_history WHERE pupil_id = ?"
                                   " AND end_date IS NOT NULL", (ours,)) >= 1
    changes = pupils.change_history(senco_session, ours)
    assert any(c.field == "legal_surname" and c.old_value == "Different" for c in changes)


def test_the_same_package_is_not_imported_twice(sent, senco_session):
    _, result = sent
    data = result.path.read_bytes()
    receiving.import_package(senco_session, receiving.open_package(senco_session, data,
                                                                   result.passphrase), {})
    with pytest.raises(ValidationError, match="already imported"):
        receiving.open_package(senco_session, data, result.passphrase)


def test_a_forged_or_misdirected_receipt_is_refused(sender, sent, senco_session):
    _, result = sent
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    receipt = receiving.import_package(senco_session, preview, {}).receipt
    body = json.loads(receipt)
    body["receipt"]["received_by"] = "Someone Else"
    with pytest.raises(TamperedPackage, match="signature"):
        receiving.import_receipt(sender, json.dumps(body).encode())
    with pytest.raises(TamperedPackage):
        receiving.import_receipt(sender, b"not json at all")
    # A genuine receipt, but for a package this school never sent.
    with pytest.raises(NotForThisSchool):
        receiving.import_receipt(senco_session, receipt)
    assert dashboard.dashboard(sender).transfers_awaiting


def test_sending_needs_the_transfer_permission(sender, staff_session):
    with pytest.raises(PermissionDenied):
        sending.check_before_sending(staff_session, 1)


def test_retention_is_configurable_and_lists_records_due(sender, sent, clock):
    pupil_id, _ = sent
    dob = dt.date.fromisoformat(sender.db.scalar("SELECT dob FROM pupils WHERE id = ?", (pupil_id,)))
    assert retention.retention_years(sender) == 31
    kept = {r.pupil_id: r for r in retention.retained_records(sender)}
    assert kept[pupil_id].retain_until == dob.replace(year=dob.year + 31)
    assert not kept[pupil_id].due
    retention.set_retention_years(sender, 25)
    kept = {r.pupil_id: r for r in retention.retained_records(sender)}
    assert kept[pupil_id].retain_until == dob.replace(year=dob.year + 25)
    with pytest.raises(ValidationError, match="between 25 and 100"):
        retention.set_retention_years(sender, 3)
    clock.advance(dt.timedelta(days=366 * 25))
    due = retention.retained_records(sender, due_only=True)
    assert pupil_id in [r.pupil_id for r in due]
    pupils.delete_after_retention(sender, pupil_id)
    assert sender.db.scalar("SELECT count(*) FROM transfers WHERE pupil_id = ?", (pupil_id,)) == 0


def test_fifteen_school_days_skip_weekends_and_the_holidays():
    # England's default year ends on Wednesday 22 July 2026 and the next starts on 2 September.
    assert add_school_days(dt.date(2026, 7, 17), 3) == dt.date(2026, 7, 22)
    assert add_school_days(dt.date(2026, 7, 17), 15) == dt.date(2026, 9, 17)
    assert add_school_days(dt.date(2026, 11, 23), 15) == dt.date(2026, 12, 14)


def test_every_write_path_refuses_a_transferred_pupil(sender, sent, clock):
    """The shared require_editable check: after the transfer, nothing about the pupil changes."""
    from sendesk.records import apdr, consent, contacts, ehc, ehcna, registers, sen_register, specialists
    pupil_id, _ = sent
    day = clock.today()
    cycle = sender.db.scalar("SELECT c.id FROM apdr_cycles c JOIN send_pathways w ON"
                             " w.id = c.pathway_id WHERE w.pupil_id = ? ORDER BY c.id DESC",
                             (pupil_id,))
    involvement = sender.db.scalar("SELECT id FROM specialist_involvements WHERE pupil_id = ?",
                                   (pupil_id,))
    attempts = {
        "note": lambda: notes.add_note(sender, pupil_id, {"event_date": day, "concern": "x"}),
        "contact": lambda: contacts.add_contact(sender, pupil_id, {"name": "A B",
                                                                   "relationship": "Aunt"}),
        "consent": lambda: consent.record_consent(sender, pupil_id, {
            "given_by": "A B", "given_on": day, "scope": "All"}),
        "register": lambda: registers.add_entry(sender, pupil_id, "monitoring",
                                                {"start_date": day, "details": "x"}),
        "status": lambda: sen_register.change_status(sender, pupil_id, "N", day, "x"),
        "details": lambda: pupils.update_pupil(sender, pupil_id, {"class_name": "6Z"}),
        "specialist": lambda: specialists.add_visit(sender, involvement, day, "x"),
        "apdr": lambda: apdr.save_assessment(sender, cycle, {"needs": "x"}),
        "ehc request": lambda: ehc.add_request(sender, pupil_id, {"local_authority": "Larkfield"}),
        "ehcna": lambda: ehcna.record_exception(sender, pupil_id, "newly_arrived", "x"),
    }
    before = snapshot(sender)
    for attempt in attempts.values():
        with pytest.raises(PermissionDenied, match="has left"):
            attempt()
    assert snapshot(sender) == before


def test_the_acknowledgement_form_lists_both_schools_items_and_signature_boxes(
        sender, sent, qapp):
    from tests.pdf_text import contains, pages_text

    from sendesk.pdf import page_count, render_pdf
    from sendesk.transfer.acknowledgement import acknowledgement_form
    pupil_id, result = sent
    pdf = render_pdf(acknowledgement_form(sender, result.transfer_id))
    assert page_count(pdf) == 1, "the form fits on one page so both parties sign one sheet"
    text = pages_text(pdf)[0]
    row = sender.db.query_one("SELECT * FROM pupils WHERE id = ?", (pupil_id,))
    for expected in (row["upn"], row["legal_surname"], "Demo school: Larkfield Academy",
                     "(940/4001)", "Brambleton Primary School (URN 123456)", "Ms Jo Jones (SENCO)",
                     result.fingerprint, sending.school_fingerprint(sender),
                     "The full SEND file (PDF)", "Common Transfer File", "Assessment report",
                     "Handed over by (sending school)", "Received by (receiving school)",
                     "Name", "Role", "Signature", "Date", "14/12/2026"):
        assert contains(text, expected), expected
    assert contains(text, "The full SEND file (PDF) 3")   # its page count
    assert "Orchard Mews" not in text
    assert "printed a transfer acknowledgement form" in [
        r[0] for r in sender.db.query("SELECT action FROM audit_log ORDER BY id")]


def test_a_leaver_on_the_register_is_listed_until_their_file_is_sent(sender, tmp_path, clock):
    pupil_id = richest_pupil(sender)
    consent_to_share(sender, pupil_id)
    pupils.archive_leaver(sender, pupil_id, dt.date(2026, 11, 16), "Brambleton Primary School")
    due = dashboard.dashboard(sender).files_to_send
    assert [(f.pupil_id, f.deadline) for f in due] == [(pupil_id, dt.date(2026, 12, 7))]
    result = sending.send(sender, pupil_id, recipient(), tmp_path / "p.sendesk-transfer", fake_pdf)
    assert result.deadline == dt.date(2026, 12, 7), "the deadline runs from the day they left"
    board = dashboard.dashboard(sender)
    assert board.files_to_send == [] and [t.pupil_id for t in board.transfers_awaiting] == [pupil_id]


def test_the_receipt_can_be_saved_again_from_the_transfer_record(sent, senco_session, tmp_path):
    from sendesk.transfer import log
    _, result = sent
    imported = receiving.import_package(
        senco_session, receiving.open_package(senco_session, result.path.read_bytes(),
                                              result.passphrase), {})
    again = tmp_path / "again.sendesk-receipt"
    log.save_receipt_again(senco_session, imported.transfer_id, again)
    assert again.read_bytes() == imported.receipt


def test_a_received_ehc_plan_is_scheduled_by_the_receiving_schools_term_dates(
        sender, senco_session, tmp_path):
    """The sending school worked out the next annual review from its own term dates; at the new
    school the meeting must fall on one of the new school's days, so it is worked out again."""
    from sendesk.models.calendar import england_default
    from sendesk.records import school_calendar
    pupil_id, theirs = sender.db.query_one(
        "SELECT e.pupil_id, e.next_review_by FROM ehc_plans e JOIN pupils p ON p.id = e.pupil_id"
        " WHERE e.ceased_on IS NULL AND e.next_review_by IS NOT NULL AND p.archived_at IS NULL"
        " ORDER BY e.id LIMIT 1")
    their_day = dt.date.fromisoformat(theirs)
    school_year = their_day.year if their_day.month >= 8 else their_day.year - 1
    spans = [(h.start, h.end) for h in england_default(school_year).half_terms]
    half = next(i for i, (start, end) in enumerate(spans) if start <= their_day <= end)
    start, end = spans[half]
    assert start < their_day, "the sender's meeting is not on the first day of a half-term"
    spans[half] = (start, their_day - dt.timedelta(days=1))   # here, that day is a holiday
    school_calendar.save_term_dates(senco_session, school_year, spans)
    consent_to_share(sender, pupil_id)
    result = sending.send(sender, pupil_id, recipient(), tmp_path / "ehc.sendesk-transfer",
                          fake_pdf, count_pages=lambda pdf: 3)
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    imported = receiving.import_package(senco_session, preview, {})
    ours = dt.date.fromisoformat(senco_session.db.scalar(
        "SELECT next_review_by FROM ehc_plans WHERE pupil_id = ? AND ceased_on IS NULL",
        (imported.pupil_id,)))
    assert ours < their_day
    assert school_calendar.load(senco_session).is_school_day(ours)
    assert pupils.get_pupil(senco_session, imported.pupil_id).next_review == ours
