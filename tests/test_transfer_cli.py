"""sendesk-cli transfer and ctf, end to end between two school databases: export with the real
full-file PDF, import at the receiving school with the passphrase from a file, the signed
receipt back to the sender; and the CTF on its own."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from pg_server import SUPERUSER, SUPERUSER_PASSWORD
from sendesk.cli.main import main
from sendesk.services import lifecycle
from sendesk.transfer import ctf
from sendesk.transfer.package import read_package

SENDER_PASSWORD = "harbour-lantern-quietly-47"
RECEIVER_PASSWORD = "violet-kettle-meadow-83"


def run(capsys, *argv, stdin: str):
    code = main([str(arg) for arg in argv], stdin=io.StringIO(stdin))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def demo_sender(tmp_path, capsys, engine, request):
    """The sending demo school, made with `sendesk-cli demo`; on the server engine moved onto a
    database of the test's own with `sendesk-cli server import`, as a school moving would.
    Returns the DB argument every later command is given: the file, or the server's URL."""
    path = tmp_path / "sender.sendesk"
    code, _, err = run(capsys, "demo", path, "--pupils", 60, "--user", "ssenco",
                       stdin=SENDER_PASSWORD + "\n")
    assert code == 0, err
    if engine != "postgresql":
        return path
    server, name = _server_database(request)
    code, _, err = run(capsys, "server", "import", path, server.url(name, user=SUPERUSER),
                       "--user", "ssenco", stdin=f"{SENDER_PASSWORD}\n{SUPERUSER_PASSWORD}\n")
    assert code == 0, err
    return server.url(name)


def _server_database(request):
    server = request.getfixturevalue("pg_server")
    name = server.acquire()
    request.addfinalizer(lambda: server.release(name))
    return server, name


@pytest.fixture
def schools(tmp_path, capsys, qapp, engine, request):
    sender = demo_sender(tmp_path, capsys, engine, request)
    init = ("--school", "Brambleton Primary School", "--urn", "123456", "--user", "rsenco",
            "--full-name", "Rhian Evans")
    if engine == "postgresql":
        server, name = _server_database(request)
        receiver = server.url(name)
        code, _, err = run(capsys, "server", "init", server.url(name, user=SUPERUSER), *init,
                           stdin=f"{SUPERUSER_PASSWORD}\n{RECEIVER_PASSWORD}\n{RECEIVER_PASSWORD}\n")
    else:
        receiver = tmp_path / "receiver.sendesk"
        code, _, err = run(capsys, "init", receiver, *init, stdin=RECEIVER_PASSWORD + "\n")
    assert code == 0, err
    return sender, receiver


def a_pupil_on_the_register(path) -> str:
    session = lifecycle.open_school(path, "ssenco", SENDER_PASSWORD)
    try:
        return session.db.scalar(
            "SELECT p.upn FROM pupils p JOIN send_pathways w ON w.pupil_id = p.id"
            " WHERE p.archived_at IS NULL AND p.sen_status = 'K' ORDER BY p.id LIMIT 1")
    finally:
        session.close()


def test_round_trip_through_the_cli(schools, tmp_path, capsys):
    sender, receiver = schools
    upn = a_pupil_on_the_register(sender)
    package = tmp_path / "pupil.sendesk-transfer"
    args = ("transfer", "export", sender, "--upn", upn, "--to-urn", "123456",
            "--to-name", "Brambleton Primary School", "--out", package, "--user", "ssenco")
    code, out, err = run(capsys, *args, stdin=SENDER_PASSWORD + "\n")
    assert code == 1 and "No consent to share with another school" in err
    assert "--without-consent" in err or "say why" in err
    assert not package.exists(), "nothing leaves without consent or a stated reason"
    code, out, err = run(capsys, *args, "--without-consent", "Parents agreed by phone; form to follow",
                         stdin=SENDER_PASSWORD + "\n")
    assert code == 0, err
    passphrase = out.strip().splitlines()[-1]
    assert len(passphrase) == 24 and passphrase.count("-") == 4
    assert "Package fingerprint:" in out and "15 school days" in out
    opened = read_package(package.read_bytes(), passphrase)
    pdf = PdfReader(io.BytesIO(opened.item_of_kind("pdf")))
    assert len(pdf.pages) >= 2   # the real full SEND file, not a stand-in

    secret = tmp_path / "passphrase.txt"
    secret.write_text(passphrase.lower().replace("-", " ") + "\n")   # as typed from a phone call
    receipt = tmp_path / "receipt.sendesk-receipt"
    code, out, err = run(capsys, "transfer", "import", receiver, package, "--user", "rsenco",
                         "--passphrase-file", secret, "--receipt-out", receipt,
                         stdin=RECEIVER_PASSWORD + "\n")
    assert code == 0, err
    assert f"Imported UPN {upn} (new record)" in out and receipt.exists()

    code, out, err = run(capsys, "transfer", "receipt-import", sender, receipt, "--user", "ssenco",
                         stdin=SENDER_PASSWORD + "\n")
    assert code == 0, err
    first = out.splitlines()[0]
    assert "Receipt from Rhian Evans on " in first and "key not yet confirmed" in first
    assert "acknowledged" not in first.lower()
    code, out, err = run(capsys, "transfer", "receipt-import", sender, receipt, "--user", "ssenco",
                         stdin=SENDER_PASSWORD + "\n")
    assert code == 1 and "already acknowledged" in err and len(err.strip().splitlines()) == 1

    # The same package again, and a wrong passphrase, are refused in one line each.
    code, _, err = run(capsys, "transfer", "import", receiver, package, "--user", "rsenco",
                       "--passphrase-file", secret, "--receipt-out", tmp_path / "r2",
                       stdin=RECEIVER_PASSWORD + "\n")
    assert code == 1 and "already imported" in err
    secret.write_text("AAAA-BBBB-CCCC-DDDD-EEEE\n")
    code, _, err = run(capsys, "transfer", "import", receiver, package, "--user", "rsenco",
                       "--passphrase-file", secret, "--receipt-out", tmp_path / "r3",
                       stdin=RECEIVER_PASSWORD + "\n")
    assert code == 1 and "passphrase does not open" in err


def test_export_with_a_chosen_passphrase(schools, tmp_path, capsys):
    sender, _ = schools
    upn = a_pupil_on_the_register(sender)
    chosen = tmp_path / "p.txt"
    chosen.write_text("password1\n")
    args = ("transfer", "export", sender, "--upn", upn, "--to-urn", "937/4001", "--to-name",
            "Hill Top School", "--out", tmp_path / "x.sendesk-transfer", "--user", "ssenco",
            "--passphrase-file", chosen, "--without-consent", "Parents agreed by phone")
    code, _, err = run(capsys, *args, stdin=SENDER_PASSWORD + "\n")
    assert code == 1 and "too weak" in err
    assert not (tmp_path / "x.sendesk-transfer").exists()
    chosen.write_text("marmalade-viaduct-otter-glimmer-94\n")
    code, out, err = run(capsys, *args, stdin=SENDER_PASSWORD + "\n")
    assert code == 0, err
    assert "marmalade" not in out
    assert read_package((tmp_path / "x.sendesk-transfer").read_bytes(),
                        "marmalade-viaduct-otter-glimmer-94").manifest["recipient"]["la_code"] == "937"


def test_ctf_export_and_import(schools, tmp_path, capsys):
    sender, receiver = schools
    upn = a_pupil_on_the_register(sender)
    out_file = tmp_path / "pupil.xml"
    code, _, err = run(capsys, "ctf", "export", sender, "--upn", upn, "--out", out_file,
                       "--user", "ssenco", stdin=SENDER_PASSWORD + "\n")
    assert code == 0, err
    root = ET.parse(out_file).getroot()
    assert root.tag == "CTfile"
    assert root.findtext("Header/SourceSchool/LEA") == "940"
    assert root.findtext("Header/SourceSchool/Estab") == "4001"
    assert root.findtext("CTFpupilData/Pupil/UPN") == upn
    assert root.findtext("CTFpupilData/Pupil/SENhistory/SEN/SENprovision") in ("K", "E")
    assert root.findtext("CTFpupilData/Pupil/SENhistory/SENneeds/SENneed/SENtypeRank") == "1"
    # At a school where the pupil is on roll without an SEN status, the CTF sets it.
    session = lifecycle.open_school(receiver, "rsenco", RECEIVER_PASSWORD)
    try:
        from sendesk.records import pupils
        pupils.add_pupil(session, {"upn": upn, "legal_surname": root.findtext(
            "CTFpupilData/Pupil/Surname"), "legal_forename": root.findtext(
            "CTFpupilData/Pupil/Forename"), "dob": root.findtext("CTFpupilData/Pupil/DOB"),
            "gender": "F", "year_group": "5"})
    finally:
        session.close()
    code, out, err = run(capsys, "ctf", "import", receiver, out_file, "--user", "rsenco",
                         stdin=RECEIVER_PASSWORD + "\n")
    assert code == 0, err
    assert "1 updated" in out
    code, out, err = run(capsys, "ctf", "import", receiver, out_file, "--user", "rsenco",
                         stdin=RECEIVER_PASSWORD + "\n")
    assert "1 unchanged" in out


def test_ctf_reader_takes_old_provision_codes():
    data = (b"<CTfile><Header><SourceSchool><SchoolName>Old School</SchoolName></SourceSchool>"
            b"</Header><CTFpupilData><Pupil><UPN>B801200005001</UPN><SENhistory><SEN>"
            b"<StartDate>2019-09-04</StartDate><SENprovision>S</SENprovision></SEN></SENhistory>"
            b"<SENneeds><SENneed><SENtype>ASD</SENtype><SENtypeRank>1</SENtypeRank></SENneed>"
            b"</SENneeds></Pupil></CTFpupilData></CTfile>")
    source, pupils = ctf.parse_ctf(data)
    assert source == "Old School"
    assert (pupils[0].status, pupils[0].needs) == ("E", ("ASD",))
