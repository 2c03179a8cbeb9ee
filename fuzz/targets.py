"""Fuzz targets: every parser that reads a file someone else may have made.

Each target takes arbitrary bytes and may only ever (a) accept them or (b) refuse them with a
SendeskError, whose message is what the user sees. Anything else escaping (a KeyError, a
RecursionError, a MemoryError from a length field believed) is a bug. The same targets run
three ways: a few seconds of seeded mutation in the normal test suite
(tests/security/test_fuzz_budget.py), hypothesis properties (test_hostile_input.py), and long
coverage-guided runs under atheris (fuzz/run.py; see docs/security.md).

Targets never need a database: they stop at the point where a key would be needed, which is
exactly the surface an unauthenticated file reaches.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from sendesk.crypto import signing
from sendesk.documents import templates
from sendesk.errors import SendeskError
from sendesk.models import flowchart
from sendesk.models.pupils import check_details
from sendesk.models.specialists import check_report_file
from sendesk.records import csv_safe, mis_file
from sendesk.services import backup
from sendesk.store.keyfile import KeyFile
from sendesk.transfer import ctf, package

TODAY = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent


def mis_csv(data: bytes) -> None:
    """A MIS export as preview() reads it, up to the point where the database is consulted."""
    headers, rows, _ = mis_file.read_table(data, "pupils.csv")
    mapping = mis_file.auto_map(headers)
    column = {name: headers.index(header) for name, header in mapping.items()}
    for _, cells in rows[:200]:
        raw = {name: cells[i].strip() if i < len(cells) else "" for name, i in column.items()}
        details, problems = check_details(raw, TODAY)
        assert details is not None or problems, "a row refused without a reason"
        for problem in problems:
            assert isinstance(problem, SendeskError) and str(problem)


def flowchart_file(data: bytes) -> None:
    chart = flowchart.load_bytes(data, "flowchart.json")
    assert chart.title


def backup_file(data: bytes) -> None:
    """Everything restore() reads before it asks the password to unlock the key file."""
    handle = io.BytesIO(data)
    _, keyfile_bytes, _ = backup._read_header(handle, "school.sendesk-backup", len(data))
    KeyFile.from_bytes(keyfile_bytes, "key file inside the backup")


def key_file(data: bytes) -> None:
    KeyFile.from_bytes(data, "school.sendesk-keys")


def report_upload(data: bytes) -> None:
    """A specialist's report: the first line is taken as the file name it arrived with."""
    name, _, content = data.partition(b"\n")
    safe, _ = check_report_file(name.decode("utf-8", "replace"), content)
    assert "/" not in safe and "\\" not in safe and safe not in (".", "..")


def letter_templates(data: bytes) -> None:
    """A school's letters template, as imported: every text must fill without surprises."""
    chosen = templates.parse(data, source="letters.json")
    values = {name: "x" for name in templates.PLACEHOLDERS}
    for wording in chosen.letters.values():
        for text in (wording.subject, wording.salutation, *wording.paragraphs):
            assert len(chosen.fill(text, values)) <= 4000 * 2


_SIGNER = bytes(range(32))  # a fixed Ed25519 private key, for seeds and re-signing only
_ITEMS = [("record.json", "record", b'{"pupil": {}}'), ("send-file.pdf", "pdf", b"%PDF-1.4 x"),
          ("ctf.xml", "ctf", b"<CTfile/>")]


def _archive(manifest: bytes, members: list[tuple[str, bytes]], signer: bytes = _SIGNER) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(package.MANIFEST, manifest)
        archive.writestr(package.SIGNATURE, signing.sign(signer, manifest).hex())
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def transfer_archive(data: bytes) -> None:
    """A records-transfer package once age has decrypted it: the ZIP and everything in it."""
    package.open_archive(data)


def transfer_manifest(data: bytes) -> None:
    """A manifest that is properly signed (as a malicious school's would be): its shape,
    names, sizes and hashes are all the importer has to go on."""
    package.open_archive(_archive(data, [(name, body) for name, _, body in _ITEMS]))


def ctf_xml(data: bytes) -> None:
    """A Common Transfer File from another school or the MIS."""
    _, pupils = ctf.parse_ctf(data)
    for pupil in pupils:
        assert isinstance(pupil.upn, str)


def csv_cell(data: bytes) -> None:
    """Any text written to a CSV export opens as text, never as a formula."""
    cell = csv_safe.safe_cell(data.decode("utf-8", "replace"))
    plain_number = re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell)   # left as the number it is
    assert plain_number or not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "mis_csv": mis_csv, "flowchart": flowchart_file, "backup": backup_file,
    "key_file": key_file, "report_upload": report_upload, "csv_cell": csv_cell,
    "templates": letter_templates, "transfer_archive": transfer_archive,
    "transfer_manifest": transfer_manifest, "ctf_xml": ctf_xml,
}


def seeds(name: str) -> list[bytes]:
    """Small valid inputs for each target, for mutation to start from."""
    if name == "mis_csv":
        return [b"UPN,Surname,Forename,DOB,Gender,Year,Reg Group\r\n"
                b"A940400124001,Nowak,Zuzanna,03/04/2016,F,5,5W\r\n",
                "UPN\tLegal Surname\tForename\tDate of birth\tSex\tNC Year\n"
                "A940400124001\tÓ Súilleabháin\tAoife\t2016-04-03\tF\t5\n".encode("utf-16")]
    if name == "flowchart":
        return [(ROOT / "resources" / "flowcharts" / "initial_concerns.json").read_bytes()]
    if name == "backup":
        header = json.dumps({"created_at": "2026-11-23T09:30:00Z", "database_id": "00" * 16,
                             "schema_version": 5, "keyfile_bytes": 2, "database_bytes": 4}).encode()
        return [backup.MAGIC + len(header).to_bytes(4, "big") + header + b"{}" + b"\0" * 4
                + b"\0" * backup.MAC_BYTES]
    if name == "key_file":
        return [json.dumps({"format": "sendesk-keys", "version": 1, "database_id": "00" * 16,
                            "slots": [{"id": "recovery", "kind": "recovery", "nonce": "00" * 12,
                                       "wrapped": "00" * 48}], "mac": "00" * 32}).encode()]
    if name == "templates":
        return [(ROOT / "resources" / "templates" / "letters.json").read_bytes()]
    if name in ("transfer_archive", "transfer_manifest"):
        manifest = package.build_manifest({
            "sender": {"name": "Sending School", "urn": "100001",
                       "public_key": signing.public_key(_SIGNER).hex()},
            "recipient": {"name": "Receiving School", "urn": "100002", "contact": "Ms Jones"},
            "pupil": {"upn": "A940400124001", "legal_surname": "Nowak", "legal_forename": "Zuzanna",
                      "dob": "2016-04-03"},
            "created_at": "2026-11-23T09:30:00Z", "package_id": "0" * 32},
            [package.Item(name, kind, body) for name, kind, body in _ITEMS])
        if name == "transfer_manifest":
            return [manifest]
        return [_archive(manifest, [(n, body) for n, _, body in _ITEMS])]
    if name == "ctf_xml":
        return [b'<?xml version="1.0" encoding="UTF-8"?><CTfile><Header><SourceSchool>'
                b"<SchoolName>Sending School</SchoolName></SourceSchool></Header><CTFpupilData>"
                b"<Pupil><UPN>A940400124001</UPN><Surname>Nowak</Surname><Forename>Zuzanna"
                b"</Forename><SENhistory><SEN><StartDate>2025-09-01</StartDate><SENprovision>K"
                b"</SENprovision></SEN></SENhistory><SENneeds><SENneed><SENtypeRank>1"
                b"</SENtypeRank><SENtype>SLCN</SENtype></SENneed></SENneeds></Pupil>"
                b"</CTFpupilData></CTfile>"]
    if name == "report_upload":
        return [b"SALT report.pdf\n%PDF-1.7 report", b"../../evil.png\n\x89PNG\r\n"]
    return [b"=1+1", b"plain text"]


def run_one(name: str, data: bytes) -> None:
    """Run a target; a SendeskError is a proper refusal, anything else propagates."""
    try:
        TARGETS[name](data)
    except SendeskError as exc:
        assert str(exc).strip(), "a refusal with no message"
