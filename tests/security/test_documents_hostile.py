"""Hostile letter templates, and names that could disguise a PDF or a file name.

A letters template may come from outside the school (a local authority's wording passed from
school to school): it must be refused with a message naming the fault, never run as code (a
Python format string reaching attributes), and never carry hidden characters into a letter. A
pupil's name reaches PDFs, their metadata and suggested file names: control characters and
direction overrides are refused when the name is typed or imported, and names in right-to-left
scripts still print as written.
"""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from records_fixtures import add_parents, add_pupil
from sendesk.documents import build_documents, templates
from sendesk.errors import SendeskError, ValidationError
from sendesk.pdf import render_pdf
from sendesk.records import sen_register
from store_tools import assert_user_message

DEFAULT = json.loads(templates.default_bytes())
HIDDEN = ["\u202e", "\u2066", "\u200b", "\ufeff", "\x7f", "\x85", "\x1b", "\u2028"]


def _with_paragraph(text: str) -> bytes:
    chart = json.loads(json.dumps(DEFAULT))
    chart["letters"]["letter-added"]["paragraphs"][0] = text
    return json.dumps(chart).encode()


@pytest.mark.parametrize("placeholder", ["{pupil_name.__class__}", "{pupil_name.__init__.__globals__}",
                                         "{pupil_name[0]}", "{0}", "{}", "{pupil_name!r}",
                                         "{pupil_name:>999999999}", "{school_name:{today}}",
                                         "{secret_key}", "{", "}"])
def test_a_template_cannot_reach_past_its_placeholders(placeholder):
    with pytest.raises(templates.TemplateError) as refused:
        templates.parse(_with_paragraph(f"Dear parent, {placeholder}."), source="letters.json")
    assert_user_message(refused.value)
    assert "letter-added" in str(refused.value)


@pytest.mark.parametrize("char", HIDDEN)
def test_a_template_with_a_hidden_character_is_refused(char):
    with pytest.raises(templates.TemplateError, match="hidden control character"):
        templates.parse(_with_paragraph(f"We will {char}review{char} the plan."),
                        source="letters.json")


@pytest.mark.parametrize("logo", [b"GIF89a" + b"\0" * 100, b"\x89PNG\r\n\x1a\n" + b"\0" * 4 + b"IHDR"
                                  + (70000).to_bytes(4, "big") * 2, b"\xff\xd8\xff" + b"\0" * 10,
                                  b"\x89PNG\r\n\x1a\n" + b"\0" * (600 * 1024)])
def test_a_logo_that_is_not_a_small_image_is_refused(logo):
    with pytest.raises(templates.TemplateError):
        templates.check_logo(logo)


json_text = st.text(max_size=30) | st.sampled_from(["{pupil_name}", "{x.y}", "{", "\u202e", "%s"])
json_values = st.recursive(st.none() | st.booleans() | st.integers() | json_text,
                           lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(json_text, kids, max_size=4), max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section=st.sampled_from(["letterhead", "signature", "letters", "format"]), value=json_values)
def test_any_section_replaced_is_refused_or_harmless(section, value):
    chart = json.loads(json.dumps(DEFAULT))
    chart[section] = value
    try:
        loaded = templates.parse(json.dumps(chart).encode(), source="letters.json")
    except SendeskError as exc:
        assert_user_message(exc)
        return
    for wording in loaded.letters.values():
        for text in (wording.subject, *wording.paragraphs):
            assert all(unicodedata.category(c) != "Cf" for c in text)


def test_importing_a_bad_template_changes_nothing(senco_session):
    before = senco_session.db.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ValidationError):
        templates.import_templates(senco_session, _with_paragraph("{pupil_name.__class__}"))
    assert templates.load(senco_session).source == "default"
    assert senco_session.db.scalar("SELECT count(*) FROM audit_log") == before


# --- names in PDFs ------------------------------------------------------------------------------------

def _pdf_strings(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    return text + " " + metadata


@pytest.mark.parametrize("surname,forename", [("محمد", "فاطمة"), ("O'Brien-Ní Bhriain", "Zoë"),
                                              ("Nguyễn", "Đức"), ("Smith/Jones", "Ann-Marie")])
def test_names_in_any_script_print_as_written_with_nothing_hidden(senco_session, qapp,
                                                                  surname, forename):
    pupil_id = add_pupil(senco_session, 60, legal_surname=surname, legal_forename=forename,
                         preferred_forename="")
    add_parents(senco_session, pupil_id, 1)
    sen_register.change_status(senco_session, pupil_id, "K", "20/11/2026", "Needs", ["SLCN"])
    for kind in ("file", "letter-added"):
        pdf = render_pdf(build_documents(senco_session, pupil_id, kind))
        strings = unicodedata.normalize("NFKC", _pdf_strings(pdf))
        assert all(char not in strings for char in HIDDEN + ["\u202d", "\u202a", "\u202b"]), kind
        word = surname.split("/")[0].split("-")[0]
        # Right-to-left text is stored in visual order, so it may read back reversed.
        assert word in strings or word[::-1] in strings


@pytest.mark.parametrize("name", ["Ahmed\u202eevil", "Lee\u2066x\u2069", "Bell\x1b[2J",
                                  "Jones\u200b", "Tab\there", "Line\nbreak"])
def test_a_name_that_could_disguise_a_pdf_or_a_file_name_never_gets_in(senco_session, name):
    for field in ("legal_surname", "legal_forename", "preferred_forename", "preferred_surname"):
        with pytest.raises(ValidationError):
            add_pupil(senco_session, 61, **{field: name})


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=120) | st.sampled_from(["../../etc/passwd", "..", "CON", "a\u202efdp.exe",
                                                   "C:\\x\\y", "/abs/path", "\x00name"]))
def test_a_suggested_file_name_never_holds_a_folder_or_a_hidden_character(text):
    from sendesk.ui.documents_tab import file_name
    name = file_name(text)
    assert name and len(name) <= 80 and name not in (".", "..")
    assert not any(char in name for char in "/\\:\0") and Path(name).name == name
    assert all(unicodedata.category(char) not in ("Cc", "Cf") for char in name)


def test_save_dialogs_start_outside_the_apps_data_folder(data_dir):
    from sendesk.settings import export_dir
    assert not export_dir().resolve().is_relative_to(data_dir.resolve())
