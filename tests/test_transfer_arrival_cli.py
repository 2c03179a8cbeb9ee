"""Issue 18 from the command line: a receipt that cannot be written stops the import before
anything is stored, and can be saved again later; every change to a pupil already here is
decided with --resolve (a blanket value, or one KEY=value at a time); the CTF's default name."""

from __future__ import annotations

import re

from tests.test_transfer_cli import (  # noqa: F401 - schools is a fixture
    RECEIVER_PASSWORD,
    SENDER_PASSWORD,
    a_pupil_on_the_register,
    run,
    schools,
)

from sendesk.services import lifecycle


def export(capsys, sender, upn, package):
    code, out, err = run(capsys, "transfer", "export", sender, "--upn", upn, "--to-urn", "123456",
                         "--to-name", "Brambleton Primary School", "--out", package, "--user",
                         "ssenco", "--without-consent", "Agreed by phone",
                         stdin=SENDER_PASSWORD + "\n")
    assert code == 0, err
    return out.strip().splitlines()[-1]


def importing(capsys, receiver, package, secret, receipt, *extra):
    return run(capsys, "transfer", "import", receiver, package, "--user", "rsenco",
               "--passphrase-file", secret, "--receipt-out", receipt, *extra,
               stdin=RECEIVER_PASSWORD + "\n")


def test_a_receipt_in_a_missing_folder_stops_the_import_and_can_be_saved_again(
        schools, tmp_path, capsys):
    sender, receiver = schools
    upn = a_pupil_on_the_register(sender)
    package, secret = tmp_path / "p.sendesk-transfer", tmp_path / "pass.txt"
    secret.write_text(export(capsys, sender, upn, package) + "\n")
    code, out, err = importing(capsys, receiver, package, secret,
                               tmp_path / "missing" / "r.sendesk-receipt")
    assert code == 1 and "does not exist" in err and "Nothing was imported" in err
    receipt = tmp_path / "r.sendesk-receipt"
    code, out, err = importing(capsys, receiver, package, secret, receipt)
    assert code == 0, err   # not "already imported": the first run stored nothing
    assert "Admitted on 23/11/2026" in out or "Admitted on" in out
    again = tmp_path / "again.sendesk-receipt"
    code, out, err = run(capsys, "transfer", "receipt-save", receiver, "--upn", upn.lower(),
                         "--out", again, "--user", "rsenco", stdin=RECEIVER_PASSWORD + "\n")
    assert code == 0, err
    assert again.read_bytes() == receipt.read_bytes()
    code, out, err = run(capsys, "transfer", "receipt-import", sender, again, "--user", "ssenco",
                         stdin=SENDER_PASSWORD + "\n")
    assert code == 0 and "not been checked with them yet" in out


def test_every_change_to_a_pupil_here_is_decided_one_by_one_or_all_at_once(
        schools, tmp_path, capsys):
    sender, receiver = schools
    upn = a_pupil_on_the_register(sender)
    their = lifecycle.open_school(sender, "ssenco", SENDER_PASSWORD)
    ours = lifecycle.open_school(receiver, "rsenco", RECEIVER_PASSWORD)
    try:
        from sendesk.records import pupils
        row = their.db.query_one("SELECT * FROM pupils WHERE upn = ?", (upn,))
        pid = pupils.add_pupil(ours, {k: row[k] for k in (
            "upn", "legal_surname", "legal_forename", "dob", "gender", "year_group")})
    finally:
        their.close()
        ours.close()
    package, secret = tmp_path / "p.sendesk-transfer", tmp_path / "pass.txt"
    secret.write_text(export(capsys, sender, upn, package) + "\n")
    receipt = tmp_path / "r.sendesk-receipt"
    code, out, err = importing(capsys, receiver, package, secret, receipt)
    assert code == 1 and "need your decision" in err and not receipt.exists()
    keys = re.findall(r"conflict: (add:contacts:\d+): New contact", err)
    assert keys and "parental responsibility" in err
    code, out, err = importing(capsys, receiver, package, secret, receipt, "--resolve", "nonsense")
    assert code == 2
    code, out, err = importing(capsys, receiver, package, secret, receipt, "--resolve", "ours",
                               "--resolve", f"{keys[0]}=theirs")
    assert code == 0, err
    session = lifecycle.open_school(receiver, "rsenco", RECEIVER_PASSWORD)
    try:
        held = {t: session.db.scalar(f"SELECT count(*) FROM {t} WHERE pupil_id = ?", (pid,))
                for t in ("contacts", "sen_status_history", "sen_needs", "short_notes")}
    finally:
        session.close()
    assert held == {"contacts": 1, "sen_status_history": 0, "sen_needs": 0, "short_notes": 0}


def test_the_ctf_is_named_the_dfe_way_by_default(schools, tmp_path, capsys, monkeypatch):
    sender, _ = schools
    upn = a_pupil_on_the_register(sender)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "ctf", "export", sender, "--upn", upn, "--user", "ssenco",
                         stdin=SENDER_PASSWORD + "\n")
    assert code == 0, err
    assert (tmp_path / "9404001_CTF_XXXXXXX_001.xml").exists()
    code, out, err = run(capsys, "ctf", "export", sender, "--upn", upn, "--user", "ssenco",
                         stdin=SENDER_PASSWORD + "\n")
    assert (tmp_path / "9404001_CTF_XXXXXXX_002.xml").exists(), "the serial number goes up"


def test_an_admission_date_that_is_not_a_school_day_is_taken_with_a_warning(
        schools, tmp_path, capsys):
    sender, receiver = schools
    upn = a_pupil_on_the_register(sender)
    package, secret = tmp_path / "p.sendesk-transfer", tmp_path / "pass.txt"
    secret.write_text(export(capsys, sender, upn, package) + "\n")
    code, out, err = importing(capsys, receiver, package, secret, tmp_path / "r.sendesk-receipt",
                               "--admission-date", "21/12/2026")
    assert code == 0, err
    assert "Admitted on 21/12/2026" in out
    assert ("warning: The admission date 21/12/2026 is in the school holidays, not a school day. "
            "It is kept "
            "as given") in err
