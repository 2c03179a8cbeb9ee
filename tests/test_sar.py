"""sendesk-cli sar: a subject access request answered with everything held about one pupil.

The contract: `sendesk-cli sar DB --upn UPN --out DIR --user U` writes a new folder with the
full SEND file PDF, one formula-safe CSV per table of the pupil's rows, the stored reports and
the audit trail; other people's protected addresses are withheld; only a SENCO or an
administrator may; staff are refused in one sentence and nothing is written; it is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from tests.pdf_text import contains, pages_text
from tests.transfer_support import richest_pupil

from sendesk.cli.main import main
from sendesk.models.redaction import WITHHELD
from sendesk.records import contacts, notes, registers
from sendesk.services import lifecycle, users

PASSWORD = "harbour-lantern-quietly-47"
STAFF_PASSWORD = "violet-kettle-meadow-83"
ADMIN_PASSWORD = "pebble-orchard-lantern-61"
PROTECTED = "12 Larkfield Road, Larkfield, LK1 2AB"
PLACEMENT = "Flat 2, Heron House, 7 Mill Lane\nLarkfield\nLK4 6QT"
OTHER = "3 Larkfield Vale\nLarkfield\nLK1 9ZZ"
NOTE = "=HYPERLINK(\"http://x\") Dad is at 12 Larkfield Road, LK1 2AB now."
TELLING = ("12 Larkfield Road", "Larkfield Road", "LK1 2AB", "LK12AB", "Heron House", "Mill Lane",
           "LK4 6QT")


def run(capsys, *argv, stdin=PASSWORD + "\n"):
    code = main([str(arg) for arg in argv], stdin=io.StringIO(stdin))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def school(tmp_path_factory, qapp):
    """A demo school whose richest pupil has a protected parent's address, a placement, the
    other parent's ordinary address and a note that looks like a formula; plus staff and an
    administrator."""
    path = tmp_path_factory.mktemp("sar") / "demo.sendesk"
    assert main(["demo", str(path), "--pupils", "60", "--user", "jsenco"],
                stdin=io.StringIO(PASSWORD + "\n")) == 0
    session = lifecycle.open_school(path, "jsenco", PASSWORD)
    try:
        pupil_id = richest_pupil(session)
        contacts.add_contact(session, pupil_id, {
            "name": "Sam Carter", "relationship": "Father", "parental_responsibility": True,
            "address": PROTECTED, "do_not_disclose_address": True})
        contacts.add_contact(session, pupil_id, {
            "name": "Jo Carter", "relationship": "Mother", "parental_responsibility": True,
            "address": OTHER})
        entry = session.db.scalar("SELECT id FROM register_entries WHERE pupil_id = ? AND"
                                  " register = 'looked_after' AND end_date IS NULL", (pupil_id,))
        today = session.clock.today()
        if entry is None:
            registers.add_entry(session, pupil_id, "looked_after", {
                "start_date": today - dt.timedelta(days=100), "responsible_la": "Larkfield",
                "pep_date": today - dt.timedelta(days=20), "protected_address": PLACEMENT})
        else:
            registers.update_entry(session, entry, {"protected_address": PLACEMENT})
        notes.add_note(session, pupil_id, {"event_date": today, "concern": NOTE})
        users.add_user(session, "owilliams", "Owen Williams", "staff", STAFF_PASSWORD)
        users.add_user(session, "aadmin", "Ada Admin", "admin", ADMIN_PASSWORD)
        upn = session.db.scalar("SELECT upn FROM pupils WHERE id = ?", (pupil_id,))
        name = session.db.query_one("SELECT coalesce(preferred_forename, legal_forename) AS f,"
                                    " coalesce(preferred_surname, legal_surname) AS s FROM pupils"
                                    " WHERE id = ?", (pupil_id,))
    finally:
        session.close()
    return path, upn, pupil_id, f"{name['f']} {name['s']}"


def audit_actions(path, pupil_id):
    session = lifecycle.open_school(path, "jsenco", PASSWORD)
    try:
        return [(r["username"], r["action"]) for r in session.db.query(
            "SELECT username, action FROM audit_log WHERE target_type = 'pupil' AND target_id = ?"
            " ORDER BY id", (str(pupil_id),))]
    finally:
        session.close()


def read_csv(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_the_answer_holds_everything_with_protected_addresses_withheld(school, tmp_path, capsys):
    path, upn, pupil_id, name = school
    out = tmp_path / "SAR for the Carters"
    code, printed, err = run(capsys, "sar", path, "--upn", upn, "--out", out, "--user", "jsenco")
    assert code == 0, err
    assert printed.startswith("Wrote the subject access request (") and str(out) in printed
    assert "Withheld: the address of Sam Carter (marked 'do not disclose')." in printed

    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    for expected in ("README.txt", "send-file.pdf", "audit-trail.csv", "records/pupil.csv",
                     "records/contacts.csv", "records/short_notes.csv",
                     "records/register_entries.csv", "records/field_changes.csv"):
        assert expected in names
    assert any(n.startswith("attachments/") for n in names), "the specialist's report is there"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]

    pages = pages_text((out / "send-file.pdf").read_bytes())
    assert all(contains(page, f"Pupil: {name}") for page in pages)
    everything = " ".join(pages) + "".join(
        (out / n).read_text(encoding="utf-8-sig") for n in names if n.endswith((".csv", ".txt")))
    flat = "".join(everything.split()).lower()
    for telling in TELLING:
        assert "".join(telling.split()).lower() not in flat, telling

    rows = read_csv(out / "records/contacts.csv")
    header, body = rows[0], rows[1:]
    by_name = {row[header.index("name")]: row for row in body}
    assert by_name["Jo Carter"][header.index("address")] == OTHER.replace("\n", "\r\n") \
        or by_name["Jo Carter"][header.index("address")] == OTHER
    assert by_name["Sam Carter"][header.index("address")] == ""
    notes_rows = read_csv(out / "records/short_notes.csv")
    concern = [r[notes_rows[0].index("concern")] for r in notes_rows[1:]
               if "HYPERLINK" in r[notes_rows[0].index("concern")]]
    assert concern == [f"'=HYPERLINK(\"http://x\") Dad is at {WITHHELD} now."], \
        "a cell that starts like a formula is written as text"
    pupil = read_csv(out / "records/pupil.csv")
    assert pupil[1][pupil[0].index("upn")] == upn and "search_text" not in pupil[0]

    trail = read_csv(out / "audit-trail.csv")
    assert trail[0] == ["entry", "at", "username", "action", "target_type", "target_id", "detail"]
    assert ("jsenco", "added a contact") in {(r[2], r[3]) for r in trail[1:]}
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "audit-trail.csv" in readme and "Sam Carter" in readme

    assert ("jsenco", "answered a subject access request") in audit_actions(path, pupil_id)


def test_an_administrator_may_answer_one_too(school, tmp_path, capsys):
    path, upn, pupil_id, _ = school
    out = tmp_path / "sar"
    out.mkdir()   # an empty folder just made in the file dialog is a new folder
    code, _, err = run(capsys, "sar", path, "--upn", upn, "--out", out, "--user", "aadmin",
                       stdin=ADMIN_PASSWORD + "\n")
    assert code == 0, err
    assert (out / "send-file.pdf").exists()
    assert ("aadmin", "answered a subject access request") in audit_actions(path, pupil_id)


def test_staff_are_refused_in_one_sentence_and_nothing_is_written(school, tmp_path, capsys):
    path, upn, pupil_id, _ = school
    before = audit_actions(path, pupil_id).count(("owilliams", "answered a subject access request"))
    out = tmp_path / "sar"
    code, printed, err = run(capsys, "sar", path, "--upn", upn, "--out", out, "--user",
                             "owilliams", stdin=STAFF_PASSWORD + "\n")
    assert code == 1 and printed == ""
    assert err.count("\n") == 1 and "Only a SENCO or an administrator can answer" in err
    assert "record window" in err and "audit log" not in err, "what they can do, not a permission"
    assert not out.exists() and list(tmp_path.iterdir()) == []
    after = audit_actions(path, pupil_id).count(("owilliams", "answered a subject access request"))
    assert before == after == 0


@pytest.mark.parametrize("case", ["full folder", "no parent", "unknown upn"])
def test_bad_input_gets_one_sentence_and_changes_nothing(school, tmp_path, capsys, case):
    path, upn, pupil_id, _ = school
    out = tmp_path / "sar"
    if case == "full folder":
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    elif case == "no parent":
        out = tmp_path / "missing" / "sar"
    else:
        upn = "A123456789012"
    before = audit_actions(path, pupil_id)
    code, printed, err = run(capsys, "sar", path, "--upn", upn, "--out", out, "--user", "jsenco")
    assert code == 1 and printed == "" and err.count("\n") == 1, err
    assert "unexpected" not in err
    assert {"full folder": "not an empty folder", "no parent": "does not exist",
            "unknown upn": "No pupil with UPN"}[case] in err
    if case == "full folder":
        assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == (["sar"] if case == "full folder" else [])
    assert audit_actions(path, pupil_id) == before
