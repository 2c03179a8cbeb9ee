"""The receive wizard under attack: package text is shown as text, and any failure of the
import step is a message, never a traceback (security review of issue 8)."""

from __future__ import annotations

import types

from PySide6.QtGui import QTextDocument
from tests.test_transfer_review import INJECTED_NAME

from sendesk.transfer import receiving
from sendesk.ui.receive_wizard import MatchPage, SummaryPage

REAL_FINGERPRINT = "479D 010E 55AA 0C31"


def preview(**changes):
    fields = dict(sender={"name": INJECTED_NAME, "urn": None, "la_code": None, "estab": None},
                  sender_fingerprint=REAL_FINGERPRINT, sender_known=False,
                  pupil={"legal_forename": "<i>Ann</i>", "legal_surname": "Lee", "dob": "2016-01-01",
                         "upn": "A123<br>"},
                  package_fingerprint="AAAA BBBB", contents=["record"], stripped=[], warnings=[],
                  conflicts=[], existing_pupil_id=None)
    fields.update(changes)
    return types.SimpleNamespace(**fields)


def test_a_sender_name_cannot_draw_a_fake_fingerprint_or_hide_the_warning(qapp):
    page = SummaryPage(types.SimpleNamespace(preview=preview()))
    page.initializePage()
    html = page.sender.text()
    assert "<span" not in html and "style=\"" not in html
    shown = QTextDocument()
    shown.setHtml(html)
    text = shown.toPlainText()
    assert "</b> (940/4001)<br>Their signing key fingerprint" in text, "the name is shown as typed"
    assert f"Their signing key fingerprint: {REAL_FINGERPRINT}" in text
    assert "This is the first package from this school: phone them" in text
    assert "<i>Ann</i> Lee" in text and "A123<br>" in text


def test_an_unexpected_failure_on_import_is_a_message(qapp, monkeypatch):
    def broken(*args):
        raise KeyError("status")
    monkeypatch.setattr(receiving, "import_package", broken)
    owner = types.SimpleNamespace(preview=preview(), session=None, result=None)
    page = MatchPage(owner)
    assert page.validatePage() is False
    assert "could not be read" in page.message.text() and "Nothing was imported" in page.message.text()


def test_parts_of_a_single_line_address_are_not_in_the_send_file_pdf(qapp, tmp_path, clock):
    from tests.pdf_text import pages_text
    from tests.test_transfer_review import TELLING, add_single_line_secrets
    from tests.transfer_support import make_sender, richest_pupil

    from sendesk.ui.send_wizard import default_render_pdf
    session = make_sender(tmp_path / "sender.sendesk", clock)
    try:
        pupil_id = richest_pupil(session)
        add_single_line_secrets(session, pupil_id)
        text = " ".join(pages_text(default_render_pdf(session, pupil_id)))
    finally:
        session.close()
    squashed = text.replace(" ", "").lower()
    assert "[address withheld]" in text
    for telling in TELLING:
        assert telling.replace(" ", "").replace("\n", "").lower() not in squashed, telling
