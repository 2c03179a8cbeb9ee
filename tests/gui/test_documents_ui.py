"""The Documents tab as a SENCO uses it: choose a document, see its pages, save it as a PDF or
print it; a teacher sees it but cannot take it out of sendesk. The whole-school provision map
saves as a PDF too. On both engines: the school server's copy of the demo school makes the
same documents."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import SENCO, SENCO_NAME, SENCO_PASSWORD
from tests.pdf_text import contains, pages_text

from sendesk import demo
from sendesk.clock import FixedClock
from sendesk.documents.model import KINDS
from sendesk.pdf import page_count
from sendesk.services import lifecycle, users
from sendesk.ui.documents_tab import DocumentsTab
from sendesk.ui.provision_map_view import ProvisionMapView
from sendesk.ui.pupil_record_window import PupilRecordWindow

pytestmark = pytest.mark.both_engines
STAFF_PASSWORD = "violet-kettle-meadow-83"

@pytest.fixture(scope="module")
def demo_path(tmp_path_factory, qapp):
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    path = tmp_path_factory.mktemp("docs-ui") / "demo.sendesk"
    session, _ = demo.create_demo_school(path, SENCO, SENCO_NAME, SENCO_PASSWORD, pupils=150,
                                         clock=clock, seed=5)
    users.add_user(session, "tstaff", "Tom Staff", "staff", STAFF_PASSWORD)
    session.close()
    return path


@pytest.fixture
def demo_school(demo_path, on_engine):
    """The demo school on the test's engine (on the server, a copy of the file made for it)."""
    return on_engine(demo_path, SENCO, SENCO_PASSWORD, others={"tstaff": STAFF_PASSWORD})


@pytest.fixture
def session(demo_school, clock):
    opened = lifecycle.open_school(demo_school, SENCO, SENCO_PASSWORD, clock)
    yield opened
    opened.close()


@pytest.fixture
def file_session(demo_path, clock):
    """For what is about the widgets only (the kinds offered, zooming): the file alone."""
    opened = lifecycle.open_school(demo_path, SENCO, SENCO_PASSWORD, clock)
    yield opened
    opened.close()


def pupil_with_cycles(session) -> int:
    return session.db.scalar(
        "SELECT w.pupil_id FROM send_pathways w JOIN apdr_cycles c ON c.pathway_id = w.id"
        " WHERE w.status = 'open' GROUP BY w.pupil_id ORDER BY count(*) DESC, w.pupil_id LIMIT 1")


def test_the_record_window_has_the_documents_tab(session, qtbot):
    window = PupilRecordWindow(session, pupil_with_cycles(session))
    qtbot.addWidget(window)
    index = window.tabs.indexOf(window.documents)
    assert window.tabs.tabText(index) == "Documents"
    audited = session.db.scalar("SELECT count(*) FROM audit_log WHERE action = 'built a document'")
    window.tabs.setCurrentIndex(index)
    window.show()
    qtbot.waitUntil(lambda: window.documents.panel.page_count() > 0)
    assert session.db.scalar("SELECT count(*) FROM audit_log WHERE action = 'built a document'") \
        == audited + 1


def show_and_build(qtbot, tab: DocumentsTab) -> None:
    """Show the tab, as a person opens it, and wait until its document is on screen (it is
    built on the worker once the showing is over)."""
    with qtbot.waitSignal(tab.panel.built, timeout=30_000):
        tab.show()


def choose_and_build(qtbot, tab: DocumentsTab, key: str) -> None:
    if tab.kind() == key:
        return
    with qtbot.waitSignal(tab.panel.built, timeout=30_000):
        tab.choose(key)


def test_preview_then_save_each_kind(session, qtbot, tmp_path, answers):
    pupil_id = pupil_with_cycles(session)
    exports = ("SELECT count(*) FROM audit_log WHERE action = 'exported a document'"
               " AND target_id = ?")
    before = session.db.scalar(exports, (str(pupil_id),))   # the module's file is shared
    tab = DocumentsTab(session, pupil_id)
    qtbot.addWidget(tab)
    show_and_build(qtbot, tab)
    saved = {}
    for key in ("plan", "profile", "file", "letter-added", "provision-map"):
        choose_and_build(qtbot, tab, key)
        panel = tab.panel
        assert panel.documents, panel.message.text()
        assert panel.save_button.isEnabled() and panel.print_button.isEnabled()
        answers.next_paths.append(tmp_path / f"{key}")   # no .pdf: the panel adds it
        path = panel.save_pdf()
        assert path == tmp_path / f"{key}.pdf"
        data = path.read_bytes()
        assert page_count(data) == panel.page_count() >= 1
        saved[key] = pages_text(data)
        assert answers.messages[-1][0] == "info" and "not encrypted" in answers.messages[-1][2]
    name = tab.panel.documents[0].pupil_name
    assert all(contains(page, f"Pupil: {name}") for pages in saved.values() for page in pages)
    assert len(saved["profile"]) == 1 and len(saved["file"]) > len(saved["plan"])
    assert session.db.scalar(exports, (str(pupil_id),)) == before + 5


def test_a_document_that_cannot_be_made_says_why(session, qtbot):
    pupil_id = session.db.scalar("SELECT id FROM pupils WHERE id NOT IN"
                                 " (SELECT pupil_id FROM send_pathways) ORDER BY id LIMIT 1")
    tab = DocumentsTab(session, pupil_id)
    qtbot.addWidget(tab)
    show_and_build(qtbot, tab)
    choose_and_build(qtbot, tab, "plan")
    assert "no SEND pathway" in tab.panel.message.text()
    assert not tab.panel.save_button.isEnabled() and tab.panel.page_count() == 0


def test_print_goes_through_the_print_dialog_and_is_audited(session, qtbot, tmp_path, answers):
    tab = DocumentsTab(session, pupil_with_cycles(session))
    qtbot.addWidget(tab)
    show_and_build(qtbot, tab)
    choose_and_build(qtbot, tab, "profile")
    assert not tab.panel.print_documents()          # cancelled: nothing printed
    answers.next_print = tmp_path / "printed.pdf"
    assert tab.panel.print_documents()
    assert page_count(answers.next_print.read_bytes()) == 1
    row = session.db.query_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row["action"] == "printed a document" and '"profile"' in row["detail"]


def test_staff_see_documents_but_cannot_save_or_print(demo_school, clock, qtbot):
    staff = lifecycle.open_school(demo_school, "tstaff", STAFF_PASSWORD, clock)
    try:
        tab = DocumentsTab(staff, pupil_with_cycles(staff))
        qtbot.addWidget(tab)
        show_and_build(qtbot, tab)
        assert tab.panel.documents and tab.panel.page_count() >= 1
        assert not tab.panel.save_button.isEnabled() and not tab.panel.print_button.isEnabled()
    finally:
        staff.close()


def test_every_kind_is_offered(file_session, qtbot):
    tab = DocumentsTab(file_session, pupil_with_cycles(file_session))
    qtbot.addWidget(tab)
    assert [tab.kinds.itemData(i) for i in range(tab.kinds.count())] == list(KINDS)


def test_the_provision_map_page_saves_a_pdf(session, qtbot, tmp_path, answers):
    view = ProvisionMapView(session)
    qtbot.addWidget(view)
    answers.next_paths.append(tmp_path / "map.pdf")
    view.save_pdf()
    pages = pages_text((tmp_path / "map.pdf").read_bytes())
    assert pages and all("All pupils" in page for page in pages)
    assert contains(pages[0], "Costed provision map: whole school")


def test_letter_templates_are_saved_imported_and_reset_from_the_tools_menu(session, qtbot,
                                                                           tmp_path, answers):
    import json

    from tests.test_documents_letters import tiny_png

    from sendesk.documents import templates
    from sendesk.ui.templates_dialog import TemplatesDialog
    dialog = TemplatesDialog(session)
    qtbot.addWidget(dialog)
    assert "sendesk's own template" in dialog.state.text()
    assert "{pupil_first_name}" in dialog.findChild(object, "placeholders").toPlainText()
    answers.next_paths.append(tmp_path / "letters.json")
    dialog.save_copy()
    raw = json.loads((tmp_path / "letters.json").read_text(encoding="utf-8"))
    raw["letterhead"]["lines"] = ["1 Church Lane"]
    raw["letterhead"]["logo"] = "crest.png"
    (tmp_path / "letters.json").write_text(json.dumps(raw), encoding="utf-8")
    (tmp_path / "crest.png").write_bytes(tiny_png())
    answers.next_paths.append(tmp_path / "letters.json")
    assert dialog.import_template()
    assert "school's own template with its logo" in dialog.state.text()
    assert templates.load(session).letterhead_lines == ("1 Church Lane",)
    raw["letters"]["invitation"]["paragraphs"] = []
    (tmp_path / "letters.json").write_text(json.dumps(raw), encoding="utf-8")
    answers.next_paths.append(tmp_path / "letters.json")
    assert not dialog.import_template()
    assert answers.messages[-1][0] == "error" and "'invitation' has no 'paragraphs'" in answers.messages[-1][2]
    dialog.reset()
    assert templates.load(session).source == "default" and not dialog.reset_button.isEnabled()


def test_the_on_screen_renderer_draws_every_block_and_escapes_the_text(qtbot):
    from PySide6.QtWidgets import QTextBrowser

    from sendesk.documents.model import (
        AddressBlock,
        Builder,
        Document,
        PageBreak,
        Paragraph,
        Signature,
        SignatureBoxes,
        Spacer,
    )
    from sendesk.ui import document_view
    b = Builder()
    b.heading("Plan <b>one</b>")
    b.para("Likes <i>drawing</i>\nand maths", "emphasis")
    b.pairs([("Primary need", "SLCN")])
    b.bullets(["first", "second"])
    b.table(["Provision", "Cost"], [("Word Aware", "£342.00")], total=["Total", "£342.00"])
    b.table(["Outcome"], [], empty="No outcomes have been written yet.")
    b.add(AddressBlock(("Mrs Okafor", "1 High Street"), "23/11/2026"), SignatureBoxes(("SENCO",)),
          Signature("Yours sincerely", "Meera Patel", "SENCO"), Spacer(), PageBreak(),
          document_view.Marked(Paragraph("Over the threshold"), "#fdecea"))
    document = Document("My SEN Support Plan", "Amara Okafor", dt.date(2026, 11, 23),
                        tuple(b.blocks), subtitle="Amara Okafor · Year 4")
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    document_view.show(browser, document)
    text = browser.toPlainText()
    for expected in ("My SEN Support Plan", "Plan <b>one</b>", "Likes <i>drawing</i>",
                     "Primary need", "second", "Word Aware", "£342.00",
                     "No outcomes have been written yet.", "1 High Street", "SENCO",
                     "Yours sincerely", "Over the threshold"):
        assert expected in text, expected
    assert "#fdecea" in document_view.document_html(document)


def test_the_preview_zooms_from_its_buttons_and_the_keyboard(file_session, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtPrintSupport import QPrintPreviewWidget
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QToolButton
    tab = DocumentsTab(file_session, pupil_with_cycles(file_session))
    qtbot.addWidget(tab)
    tab.resize(900, 700)
    show_and_build(qtbot, tab)
    tab.activateWindow()
    assert QTest.qWaitForWindowActive(tab)
    choose_and_build(qtbot, tab, "letter-added")
    panel = tab.panel
    qtbot.waitUntil(lambda: panel.page_count() > 0)
    start = panel.preview.zoomFactor()
    QTest.mouseClick(panel.findChild(QToolButton, "zoom_in"), Qt.MouseButton.LeftButton)
    assert panel.preview.zoomFactor() == pytest.approx(start * 1.25)
    assert panel.zoom_label.text() == f"{round(start * 125)}%"
    panel.preview.setFocus()
    QTest.keyClick(panel.preview, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(panel.preview, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert panel.preview.zoomFactor() == pytest.approx(start / 1.25)
    QTest.keyClick(panel.preview, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert panel.preview.zoomFactor() == pytest.approx(start)
    QTest.keyClick(panel.preview, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert panel.preview.zoomMode() == QPrintPreviewWidget.ZoomMode.FitInView
    assert panel.preview.zoomFactor() < start   # a whole A4 page is shorter than it is wide
    assert [panel.findChild(QToolButton, n).accessibleName() for n in
            ("zoom_out", "zoom_in", "fit_page")] == ["Zoom out", "Zoom in", "Fit page"]
    QTest.mouseClick(panel.findChild(QToolButton, "zoom_in"), Qt.MouseButton.LeftButton)
    tab.grab().save("/tmp/w2-readable-preview-zoomed.png")
