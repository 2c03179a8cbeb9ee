"""Attacks on the package reader and the CTF reader: each is refused with its own clear
message, nothing is returned, and the receiving database is unchanged."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pyrage
import pytest
from tests.records_fixtures import snapshot
from tests.transfer_support import consent_to_share, fake_pdf, make_sender, recipient, richest_pupil

from sendesk.clock import FixedClock
from sendesk.crypto import signing
from sendesk.errors import ValidationError
from sendesk.transfer import ctf, package, receiving, sending
from sendesk.transfer.errors import (
    DamagedPackage,
    PackageError,
    TamperedPackage,
    UnexpectedSigner,
    UnknownVersion,
    WrongPassphrase,
)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One real package (made once: age's scrypt takes seconds), its passphrase and its ZIP."""
    folder = tmp_path_factory.mktemp("attacks")
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    session = make_sender(folder / "sender.sendesk", clock)
    try:
        consent_to_share(session, richest_pupil(session))
        result = sending.send(session, richest_pupil(session), recipient(),
                              folder / "p.sendesk-transfer", fake_pdf)
        private, _ = sending.school_keys(session)
    finally:
        session.close()
    data = result.path.read_bytes()
    return data, result.passphrase, pyrage.passphrase.decrypt(data, result.passphrase), private


def members(zipped: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def rezip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def resigned(zipped: bytes, change, key: bytes) -> bytes:
    """The package with its manifest edited by `change` and signed again with `key`."""
    entries = dict(members(zipped))
    manifest = json.loads(entries["manifest.json"])
    change(manifest, entries)
    manifest["sender"]["public_key"] = signing.public_key(key).hex()
    raw = package.canonical_json(manifest)
    entries["manifest.json"] = raw
    entries["manifest.sig"] = signing.sign(key, raw).hex().encode()
    return rezip(list(entries.items()))


def test_the_untouched_package_opens(made):
    data, secret, zipped, _ = made
    opened = package.open_archive(zipped)
    assert {"record.json", "send-file.pdf", "ctf.xml"} <= set(opened.items)


def test_wrong_passphrase(made, senco_session):
    data, secret, _, _ = made
    before = snapshot(senco_session)
    with pytest.raises(WrongPassphrase, match="passphrase does not open"):
        receiving.open_package(senco_session, data, "WRONG-WRONG-WRONG-WRONG-WRONG")
    assert snapshot(senco_session) == before


@pytest.mark.parametrize("where", [0.0, 0.35, 0.5, 0.75, 0.999])
def test_flipped_bytes_in_the_encrypted_file(made, where):
    data, secret, _, _ = made
    offset = int(len(data) * where)
    if where == 0.0:
        offset = 3   # inside the age header line
    flipped = bytearray(data)
    flipped[offset] ^= 0x40
    with pytest.raises((DamagedPackage, WrongPassphrase)):
        package.read_package(bytes(flipped), secret)
    if where >= 0.35:   # past the header, age's payload MAC must catch it
        with pytest.raises(DamagedPackage, match="damaged or incomplete"):
            package.read_package(bytes(flipped), secret)


def with_work_factor(data: bytes, work: bytes) -> bytes:
    header_end = data.index(b"\n---")
    header = data[:header_end]
    stanza = header.split(b"\n")[1]
    assert stanza.startswith(b"-> scrypt ")
    doctored = stanza.rsplit(b" ", 1)[0] + b" " + work
    return data.replace(stanza, doctored, 1)


@pytest.mark.parametrize("work", [b"22", b"30", b"99", b"0022", b"x", b"123456789012345678901"])
def test_a_doctored_work_factor_is_refused_before_any_memory_is_taken(made, senco_session, work):
    """A header asking scrypt for 4 GB or more would freeze a school computer before age checks
    anything; it is refused first, with a message, and nothing changes."""
    data, secret, _, _ = made
    before = snapshot(senco_session)
    with pytest.raises(DamagedPackage, match="far more memory to open than sendesk allows"):
        receiving.open_package(senco_session, with_work_factor(data, work), secret)
    assert snapshot(senco_session) == before


@pytest.mark.parametrize("change", [
    lambda line: line + b"\r",                                   # CRLF
    lambda line: line.replace(b" ", b"  ", 1),                    # two spaces
    lambda line: line.replace(b"scrypt", b"SCRYPT"),              # another tag
    lambda line: line + b" extra",                                # an extra argument
    lambda line: b"-> X25519 " + b"A" * 43 + b"\nAAAA\n" + line,  # a stanza before it
])
def test_a_header_not_as_sendesk_writes_it_is_refused_before_age(made, change):
    """Only the header sendesk writes (one scrypt line) reaches age, whatever age would allow."""
    data, secret, _, _ = made
    first, rest = data[len(package.AGE_HEADER):].split(b"\n", 1)
    doctored = package.AGE_HEADER + change(first[:first.rindex(b" ")] + b" 22") + b"\n" + rest
    with pytest.raises(DamagedPackage, match="not a sendesk records-transfer package"):
        package.read_package(doctored, secret)


def test_a_lower_work_factor_reaches_age_and_fails_its_check(made):
    data, secret, _, _ = made
    with pytest.raises((DamagedPackage, WrongPassphrase)) as raised:
        package.read_package(with_work_factor(data, b"10"), secret)
    assert "far more memory" not in str(raised.value)


@pytest.mark.parametrize("keep", [0, 10, 120, 0.5, -1])
def test_truncated_file(made, keep):
    data, secret, _, _ = made
    length = int(len(data) * keep) if isinstance(keep, float) else (len(data) + keep if keep < 0 else keep)
    with pytest.raises(DamagedPackage):
        package.read_package(data[:length], secret)


def test_flipped_bytes_inside_the_archive_never_pass_unnoticed(made):
    """Wherever a byte of the decrypted ZIP changes, the reader refuses, or (if the byte did
    not matter, e.g. a timestamp) returns exactly the signed contents."""
    _, _, zipped, _ = made
    original = package.open_archive(zipped)
    step = max(1, len(zipped) // 400)
    refused = 0
    for offset in range(0, len(zipped), step):
        flipped = bytearray(zipped)
        flipped[offset] ^= 0x01
        try:
            opened = package.open_archive(bytes(flipped))
        except PackageError:
            refused += 1
            continue
        assert opened.manifest_bytes == original.manifest_bytes
        assert opened.items == original.items
    assert refused > 300


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "attachments/../../x",
                                  "C:/Windows/evil", "a\\b.txt", "Record.JSON"])
def test_path_tricks_are_refused(made, name):
    _, _, zipped, _ = made
    with pytest.raises(TamperedPackage, match="unsafe name"):
        package.open_archive(rezip(members(zipped) + [(name, b"x")]))


def test_duplicate_members_are_refused(made):
    _, _, zipped, _ = made
    entries = members(zipped)
    with pytest.warns(UserWarning):
        doubled = rezip(entries + [entries[2]])
    with pytest.raises(TamperedPackage, match="appears twice"):
        package.open_archive(doubled)


def test_oversize_and_bomb_members_are_refused(made, monkeypatch):
    _, _, zipped, _ = made
    with pytest.raises(DamagedPackage, match="expands far more"):
        package.open_archive(rezip(members(zipped) + [("bomb.bin", bytes(20 * 1024 * 1024))]))
    monkeypatch.setattr(package, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(DamagedPackage, match="larger than any item"):
        package.open_archive(zipped)


def test_too_many_members_are_refused(made, monkeypatch):
    _, _, zipped, _ = made
    monkeypatch.setattr(package, "MAX_MEMBERS", 5)
    extra = [(f"attachments/{n}", b"x") for n in range(100, 110)]
    with pytest.raises(DamagedPackage, match="more than a package ever does"):
        package.open_archive(rezip(members(zipped) + extra))


def test_an_unlisted_or_missing_item_is_refused(made):
    _, _, zipped, _ = made
    with pytest.raises(TamperedPackage, match="does not list"):
        package.open_archive(rezip(members(zipped) + [("attachments/99", b"extra")]))
    with pytest.raises(TamperedPackage, match="ctf.xml is missing"):
        package.open_archive(rezip([e for e in members(zipped) if e[0] != "ctf.xml"]))


def test_a_changed_item_fails_its_hash(made):
    _, _, zipped, _ = made
    entries = [(n, b"<CTfile/>" if n == "ctf.xml" else d) for n, d in members(zipped)]
    with pytest.raises(TamperedPackage, match="ctf.xml does not match"):
        package.open_archive(rezip(entries))


def test_a_forged_signature_is_refused(made):
    _, _, zipped, _ = made
    entries = dict(members(zipped))
    manifest = json.loads(entries["manifest.json"])
    manifest["recipient"]["name"] = "Somewhere Else"
    entries["manifest.json"] = package.canonical_json(manifest)
    with pytest.raises(TamperedPackage, match="signature does not match"):
        package.open_archive(rezip(list(entries.items())))
    entries = dict(members(zipped))
    entries["manifest.sig"] = b"00" * 64
    with pytest.raises(TamperedPackage, match="signature does not match"):
        package.open_archive(rezip(list(entries.items())))


def test_a_package_signed_by_an_unexpected_key_is_refused(made):
    _, _, zipped, private = made
    forger = signing.new_private_key()
    forged = resigned(zipped, lambda m, e: None, forger)
    assert package.open_archive(forged).sender_public_key == signing.public_key(forger)
    with pytest.raises(UnexpectedSigner, match="Phone the sending school"):
        package.open_archive(forged, expected_signer=signing.public_key(private))


def test_an_unknown_format_version_is_refused(made):
    _, _, zipped, private = made
    newer = resigned(zipped, lambda m, e: m.update(version=2), private)
    with pytest.raises(UnknownVersion, match="Install the latest sendesk"):
        package.open_archive(newer)


def test_a_malformed_manifest_is_refused_even_when_signed(made):
    _, _, zipped, private = made
    bad = resigned(zipped, lambda m, e: m["pupil"].pop("upn"), private)
    with pytest.raises(TamperedPackage, match="does not identify the pupil"):
        package.open_archive(bad)


def test_a_record_with_unknown_tables_is_refused_before_anything_is_stored(made, senco_session):
    data, secret, zipped, private = made

    def add_table(manifest, entries):
        record = json.loads(entries["record.json"])
        record["tables"]["telepathy_sessions"] = [{"id": 1}]
        entries["record.json"] = json.dumps(record).encode()
        for item in manifest["items"]:
            if item["name"] == "record.json":
                item["size"] = len(entries["record.json"])
                item["sha256"] = package.sha256(entries["record.json"])

    newer = resigned(zipped, add_table, private)
    encrypted = pyrage.passphrase.encrypt(newer, secret)
    before = snapshot(senco_session)
    with pytest.raises(UnknownVersion, match="cannot store"):
        receiving.open_package(senco_session, encrypted, secret)
    assert snapshot(senco_session) == before


def test_not_an_age_file():
    with pytest.raises(DamagedPackage, match="not a records-transfer package"):
        package.read_package(b"PK\x03\x04 just a zip", "whatever")


# --- CTF ----------------------------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CTfile><Header><SourceSchool><SchoolName>&lol3;</SchoolName></SourceSchool></Header></CTfile>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CTfile><Header><SourceSchool><SchoolName>&xxe;</SchoolName></SourceSchool></Header></CTfile>"""
DTD_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile SYSTEM "http://example.org/ctf.dtd"><CTfile/>"""


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL, DTD_ONLY], ids=["bomb", "external", "dtd"])
def test_ctf_entity_attacks_are_refused(xml, tmp_path, senco_session):
    path = tmp_path / "attack.xml"
    path.write_bytes(xml)
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="entities"):
        ctf.import_ctf(senco_session, path)
    assert snapshot(senco_session) == before


def test_ctf_that_is_not_xml_or_not_a_ctf(tmp_path, senco_session):
    path = tmp_path / "x.xml"
    path.write_bytes(b"<CTfile><unclosed></CTfile>")
    with pytest.raises(ValidationError, match="not well-formed"):
        ctf.import_ctf(senco_session, path)
    path.write_bytes(b"<html/>")
    with pytest.raises(ValidationError, match="not a Common Transfer File"):
        ctf.import_ctf(senco_session, path)


def test_a_record_row_missing_a_required_detail_is_refused(made, senco_session):
    data, secret, zipped, private = made

    def drop_status(manifest, entries):
        record = json.loads(entries["record.json"])
        record["tables"]["sen_status_history"][0].pop("status")
        entries["record.json"] = json.dumps(record).encode()
        for item in manifest["items"]:
            if item["name"] == "record.json":
                item["size"] = len(entries["record.json"])
                item["sha256"] = package.sha256(entries["record.json"])

    encrypted = pyrage.passphrase.encrypt(resigned(zipped, drop_status, private), secret)
    before = snapshot(senco_session)
    # Refused when opened, before any conflict is described from the incomplete row.
    with pytest.raises(TamperedPackage, match="sen_status_history lacks status"):
        receiving.open_package(senco_session, encrypted, secret)
    assert snapshot(senco_session) == before
