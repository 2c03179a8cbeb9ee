"""No catch-all from any file the app reads (issue 18, items 5 and 6): deep nesting, huge
numbers and impossible dates in every parser are refused with one sentence of ours; logos are
walked to their end at import, with a pixel limit; a cut-short CLI pipe ends quietly; a CTF
that contradicts itself or dates a status in the future is refused whole."""

from __future__ import annotations

import io
import json
import struct
import sys
import zlib
from pathlib import Path

import pytest
from tests.conftest import SENCO_PASSWORD
from tests.records_fixtures import pupil_data, snapshot
from tests.store_tools import assert_user_message

from sendesk.cli import main as cli_main
from sendesk.documents import templates
from sendesk.errors import SendeskError, ValidationError
from sendesk.models import bounded_json
from sendesk.records import pupils
from sendesk.services import backup
from sendesk.transfer import ctf, receiving
from sendesk.transfer.record import owned_tables, parse_record

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fuzz import targets  # noqa: E402

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEPISH = b'{"a":' * 40 + b"1" + b"}" * 40
HUGE = b'{"format": 1, "n": ' + b"9" * 30 + b"}"
HUGE_FLOAT = b'{"format": 1, "n": 1e999}'
NAN = b'{"format": 1, "n": NaN}'
REPEATED = b'{"format": 1, "format": 2}'
HOSTILE = {"deep": DEEP, "deepish": DEEPISH, "huge": HUGE, "huge float": HUGE_FLOAT, "nan": NAN,
           "repeated": REPEATED}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_bounded_reader_refuses_with_a_sentence(name):
    with pytest.raises(bounded_json.JsonRefused) as caught:
        bounded_json.loads(HOSTILE[name])
    assert isinstance(caught.value, ValueError) and str(caught.value).startswith("it ")


def test_the_bounded_reader_reads_what_sendesk_writes():
    assert bounded_json.loads(b'{"a": [1, 2.5, "x", null, true], "b": 9007199254740992}') == {
        "a": [1, 2.5, "x", None, True], "b": 2 ** 53}


def _refused(action) -> str:
    with pytest.raises(SendeskError) as caught:
        action()
    assert_user_message(caught.value)
    assert "unexpected" not in str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("parser", ["templates", "key_file", "transfer_manifest", "backup"])
def test_every_json_file_refuses_deep_nesting_and_huge_numbers(parser, name):
    data = HOSTILE[name]
    if parser == "backup":
        data = backup.MAGIC + len(data).to_bytes(4, "big") + data + b"\0" * backup.MAC_BYTES
    _refused(lambda: targets.TARGETS[parser](data))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_record_and_a_receipt_refuse_deep_nesting_and_huge_numbers(name, senco_session):
    data = HOSTILE[name]
    known = owned_tables(senco_session.db)
    _refused(lambda: parse_record(data, known, senco_session.clock.today()))
    _refused(lambda: receiving.parse_receipt(data))


def test_a_deeply_nested_ctf_is_refused_or_read_without_a_catch_all():
    deep = b"<CTfile>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</CTfile>"
    source, found = ctf.parse_ctf(deep)
    assert found == []


# --- logos -------------------------------------------------------------------------------------

def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int) -> bytes:
    rows = b"".join(b"\0" + b"\x80\x80\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def jpeg(width: int, height: int) -> bytes:
    """A JPEG's structure (start, frame header, scan, end), as a 65000 x 65000 attack has it."""
    frame = b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00"
    return (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
            + b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame
            + b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00" + b"\x12\x34" * 20
            + b"\xff\xd9")


def test_a_real_logo_is_kept():
    assert templates.check_logo(png(200, 80)) is not None
    assert templates.check_logo(jpeg(300, 100)) is not None


@pytest.mark.parametrize("data, words", [
    (jpeg(65000, 65000), "65,000 by 65,000 pixels"),
    (png(5000, 1), "5,000 by 1 pixels"),
    (png(200, 80)[:-20], "damaged"),
    (png(200, 80).replace(b"IDAT", b"IDAT", 1)[:40] + b"\0" * 10 + png(200, 80)[50:], "damaged"),
    (jpeg(300, 100)[:-2], "damaged"),
    (b"\xff\xd8\xff" + b"\0" * 100 + b"\xff\xd9", "damaged"),
], ids=["huge jpeg", "wide png", "cut png", "corrupt png", "cut jpeg", "no frame"])
def test_a_logo_that_would_not_draw_is_refused_at_import(data, words, senco_session):
    before = snapshot(senco_session)
    message = _refused(lambda: templates.import_templates(
        senco_session, templates.current_bytes(senco_session)[0], logo=data))
    assert words in message
    assert snapshot(senco_session) == before


# --- the command line --------------------------------------------------------------------------

class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_listing_cut_short_by_head_ends_quietly(school, monkeypatch, capsys):
    path, _ = school
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    code = cli_main.main(["pupils", "list", str(path), "--user", "mpatel"],
                         stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    assert code in (0, 141)
    assert "unexpected" not in capsys.readouterr().err


# --- CTFs that contradict themselves -----------------------------------------------------------

def _ctf(*pupils_xml: str) -> bytes:
    return ("<CTfile><Header><SourceSchool><SchoolName>Elm Primary</SchoolName></SourceSchool>"
            "</Header><CTFpupilData>" + "".join(pupils_xml) + "</CTFpupilData></CTfile>").encode()


def _pupil(upn: str, surname: str, dob: str, status: str, since: str) -> str:
    return (f"<Pupil><UPN>{upn}</UPN><Surname>{surname}</Surname><Forename>A</Forename>"
            f"<DOB>{dob}</DOB><SENhistory><SEN><StartDate>{since}</StartDate><SENprovision>"
            f"{status}</SENprovision></SEN></SENhistory></Pupil>")


@pytest.fixture
def here(senco_session):
    data = pupil_data()
    pupil_id = pupils.add_pupil(senco_session, data)
    return senco_session, pupil_id, data


def test_a_ctf_listing_a_pupil_twice_is_refused_whole(here, tmp_path):
    session, _, data = here
    dob = "2016-03-14"
    path = tmp_path / "twice.xml"
    path.write_bytes(_ctf(_pupil(data["upn"], data["legal_surname"], dob, "K", "2025-09-01"),
                          _pupil(data["upn"], data["legal_surname"], dob, "E", "2026-01-01")))
    before = snapshot(session)
    assert "more than once" in _refused(lambda: ctf.import_ctf(session, path))
    assert snapshot(session) == before


def test_a_ctf_status_dated_in_the_future_is_refused(here, tmp_path):
    session, _, data = here
    path = tmp_path / "future.xml"
    path.write_bytes(_ctf(_pupil(data["upn"], data["legal_surname"], "2016-03-14", "K",
                                 "2999-01-01")))
    before = snapshot(session)
    assert "2999-01-01" in _refused(lambda: ctf.import_ctf(session, path))
    assert snapshot(session) == before


def test_json_refusals_read_as_our_sentences():
    with pytest.raises(ValidationError, match="nested too deeply"):
        templates.parse(DEEPISH, source="letters.json")
    assert json.loads(b"[1]") == [1]


# --- receipts from another school --------------------------------------------------------------

from tests.test_transfer import sender, sent  # noqa: E402,F401 - fixtures: two real schools


@pytest.mark.parametrize("field, value, words", [
    ("received_by", "<b>Jo Jones</b>", "markup"),
    ("received_by", "Jo\u202eJones", "hidden control character"),
    ("received_at", "2020-01-01T09:00:00.000000+00:00", "before it was sent"),
    ("received_at", "2026-13-45T09:00:00+00:00", "not a real date and time"),
    ("received_at", "soon", "not a date and time"),
])
def test_a_receipt_is_held_to_the_rules_typed_text_is(sender, sent, senco_session, field, value,  # noqa: F811
                                                     words):
    from sendesk.crypto import signing
    from sendesk.transfer import package, sending
    _, result = sent
    preview = receiving.open_package(senco_session, result.path.read_bytes(), result.passphrase)
    receipt = json.loads(receiving.import_package(senco_session, preview, {}).receipt)
    body = dict(receipt["receipt"], **{field: value})
    private, _ = sending.school_keys(senco_session)   # signed by the real receiving school
    forged = package.canonical_json({"receipt": body, "signature": signing.sign(
        private, package.canonical_json(body)).hex()})
    before = snapshot(sender)
    assert words in _refused(lambda: receiving.import_receipt(sender, forged))
    assert snapshot(sender) == before
