"""Documents from the demo school, rendered to PDF and read back as a reader would: the right
pupil, the right outcomes, the marking and page numbers on every page, sensible page counts, and
never a protected address."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from tests.conftest import SENCO, SENCO_NAME, SENCO_PASSWORD
from tests.pdf_text import contains, pages_text

from sendesk import demo
from sendesk.clock import FixedClock
from sendesk.documents import build_documents
from sendesk.documents.model import Document, Heading, Paragraph, Table, printable, redact
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.models.redaction import WITHHELD
from sendesk.pdf import page_count, render_pdf
from sendesk.records import apdr, registers
from sendesk.services import lifecycle

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_school(tmp_path_factory, qapp):
    """A demo school, and a Qt application as the app has (pytest-qt's, so GUI tests can share
    it); rendering without one is checked in a separate process below."""
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    path = tmp_path_factory.mktemp("documents") / "demo.sendesk"
    session, _ = demo.create_demo_school(path, SENCO, SENCO_NAME, SENCO_PASSWORD, pupils=400,
                                         clock=clock, seed=11)
    yield session
    session.close()


def busiest_pupil(session) -> int:
    """The pupil with the most APDR cycles: the longest file."""
    return session.db.scalar(
        "SELECT w.pupil_id FROM send_pathways w JOIN apdr_cycles c ON c.pathway_id = w.id"
        " GROUP BY w.pupil_id ORDER BY count(*) DESC, w.pupil_id LIMIT 1")


def looked_after_pupil(session) -> int:
    return session.db.scalar("SELECT pupil_id FROM register_entries WHERE register ="
                             " 'looked_after' AND protected_address IS NOT NULL ORDER BY id LIMIT 1")


def protected_lines(session, pupil_id: int) -> list[str]:
    addresses = [e.protected_address for e in registers.list_entries(session, pupil_id)
                 if e.protected_address]
    addresses += [row["address"] for row in session.db.query(
        "SELECT address FROM contacts WHERE pupil_id = ? AND do_not_disclose_address = 1"
        " AND address IS NOT NULL", (pupil_id,))]
    # The street and postcode lines (a town's name alone may well be in the school's name).
    return [line.strip() for address in addresses for line in address.splitlines()
            if re.search(r"\d", line)]


def check_every_page(pages: list[str], name: str, title: str) -> None:
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2, f"page {number} lacks the marking"
        assert f"Page {number} of {total}" in page
        assert contains(page, f"Pupil: {name}")
        assert "Date: 23/11/2026" in page
        assert contains(page, title)


# --- the full file ----------------------------------------------------------------------------
def test_the_full_file_holds_every_cycle_with_its_outcomes(demo_school):
    pupil_id = busiest_pupil(demo_school)
    [document] = build_documents(demo_school, pupil_id, "file")
    pdf = render_pdf(document)
    pages = pages_text(pdf)
    text = " ".join(pages)
    name = document.pupil_name
    check_every_page(pages, name, "SEND file")
    found = apdr.pathways(demo_school, pupil_id)
    cycles = [c for p in found for c in p.cycles]
    assert len(cycles) >= 3
    for cycle in cycles:
        assert f"Cycle {cycle.number}: " in text
        for outcome in cycle.plan.outcomes if cycle.plan else ():
            assert contains(text, outcome.text), outcome.text
        for item in cycle.plan.items if cycle.plan else ():
            assert contains(text, item.description)
    # Every cycle starts a page, and a file of several cycles runs to several pages.
    assert len(cycles) + 2 <= page_count(pdf) == len(pages) <= 4 * len(cycles) + 8


def test_a_looked_after_pupils_file_never_shows_the_protected_address(demo_school):
    pupil_id = looked_after_pupil(demo_school)
    secrets = protected_lines(demo_school, pupil_id)
    assert secrets
    [document] = build_documents(demo_school, pupil_id, "file")
    text = " ".join(pages_text(render_pdf(document)))
    for line in secrets:
        assert not contains(text, line), line
    assert "Looked-after child" in text
    assert "withheld from every document" in text
    assert "Withheld: not to be disclosed" in text  # the foster carer's address


def test_the_file_lists_contacts_and_stored_reports(demo_school):
    pupil_id = demo_school.db.scalar(
        "SELECT i.pupil_id FROM specialist_reports r JOIN specialist_involvements i"
        " ON i.id = r.involvement_id ORDER BY r.id LIMIT 1")
    [document] = build_documents(demo_school, pupil_id, "file")
    text = " ".join(pages_text(render_pdf(document)))
    for row in demo_school.db.query("SELECT name FROM contacts WHERE pupil_id = ?", (pupil_id,)):
        assert contains(text, row["name"])
    for row in demo_school.db.query(
            "SELECT r.title FROM specialist_reports r JOIN specialist_involvements i"
            " ON i.id = r.involvement_id WHERE i.pupil_id = ?", (pupil_id,)):
        assert contains(text, row["title"])


# --- plan, review, profile ----------------------------------------------------------------------
def test_the_support_plan_is_the_current_cycles(demo_school):
    pupil_id = busiest_pupil(demo_school)
    [document] = build_documents(demo_school, pupil_id, "plan")
    pages = pages_text(render_pdf(document))
    text = " ".join(pages)
    check_every_page(pages, document.pupil_name, "My SEN Support Plan")
    pathway = apdr.current_pathway(demo_school, pupil_id) or apdr.pathways(demo_school, pupil_id)[-1]
    plan = next(c.plan for c in reversed(pathway.cycles) if c.plan and c.plan.outcomes)
    for heading in ("My strengths and aspirations", "My needs", "Provision to meet my needs",
                    "My shorter-term outcomes", "Review"):
        assert heading in text
    for outcome in plan.outcomes:
        assert contains(text, outcome.text)
    assert contains(text, plan.aspirations)
    assert "£" not in text  # costs belong to the provision map, not the parents' plan
    assert 1 <= len(pages) <= 4


def test_the_review_record_has_progress_views_and_decision(demo_school):
    pupil_id = busiest_pupil(demo_school)
    [document] = build_documents(demo_school, pupil_id, "review")
    text = " ".join(pages_text(render_pdf(document)))
    reviewed = [c for p in apdr.pathways(demo_school, pupil_id) for c in p.cycles
                if c.review and c.review.completed]
    review = reviewed[-1].review
    assert contains(text, review.decision.label)
    assert contains(text, review.staff_views)
    for outcome in reviewed[-1].plan.outcomes:
        assert contains(text, outcome.text)


def test_the_profile_fits_on_one_page(demo_school):
    pupil_id = busiest_pupil(demo_school)
    [document] = build_documents(demo_school, pupil_id, "profile")
    pages = pages_text(render_pdf(document))
    assert len(pages) == 1
    for heading in ("Strengths and interests", "Needs and difficulties", "Strategies that help",
                    "Background"):
        assert heading in pages[0]


def test_a_pupil_without_a_pathway_has_no_plan_to_print(demo_school):
    pupil_id = demo_school.db.scalar(
        "SELECT id FROM pupils WHERE id NOT IN (SELECT pupil_id FROM send_pathways) LIMIT 1")
    with pytest.raises(ValidationError, match="no SEND pathway"):
        build_documents(demo_school, pupil_id, "plan")
    with pytest.raises(ValidationError, match="no review yet"):
        build_documents(demo_school, pupil_id, "review")


def test_an_unknown_kind_and_a_missing_pupil_are_refused(demo_school):
    with pytest.raises(ValidationError, match="not a kind of document"):
        build_documents(demo_school, 1, "report-card")
    with pytest.raises(ValidationError, match="Choose a pupil"):
        build_documents(demo_school, None, "file")


def test_building_a_document_is_audited(demo_school):
    pupil_id = busiest_pupil(demo_school)
    build_documents(demo_school, pupil_id, "profile")
    row = demo_school.db.query_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row["action"] == "built a document" and row["target_id"] == str(pupil_id)
    assert '"profile"' in row["detail"]


def test_staff_may_read_documents_but_not_export_them(demo_school, tmp_path):
    from sendesk.pdf import export_documents
    from sendesk.services import users
    users.add_user(demo_school, "tassist", "Tara Assist", "staff", "violet-kettle-meadow-83")
    staff = lifecycle.open_school(demo_school.path, "tassist", "violet-kettle-meadow-83",
                                  demo_school.clock)
    try:
        pupil_id = busiest_pupil(staff)
        assert build_documents(staff, pupil_id, "profile")
        with pytest.raises(PermissionDenied):
            export_documents(staff, pupil_id, "profile", tmp_path / "profile.pdf")
        assert not (tmp_path / "profile.pdf").exists()
    finally:
        staff.close()


def test_export_writes_only_the_chosen_file_and_audits_it(demo_school, tmp_path):
    from sendesk.pdf import export_documents
    pupil_id = busiest_pupil(demo_school)
    out = tmp_path / "plan.pdf"
    pages = export_documents(demo_school, pupil_id, "plan", out)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]
    assert out.read_bytes().startswith(b"%PDF") and page_count(out.read_bytes()) == pages
    row = demo_school.db.query_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert row["action"] == "exported a document" and '"plan"' in row["detail"]


# --- the model and renderer on their own ------------------------------------------------------
def test_long_tables_repeat_their_header_on_every_page(qapp):
    rows = tuple((f"Row {n}", "word " * (n % 7 + 1)) for n in range(160))
    document = Document("Long table", "Ada Lovelace", TODAY,
                        (Heading("A table"), Table(("Item", "Words"), rows)))
    pages = pages_text(render_pdf(document))
    assert len(pages) >= 4
    for page in pages:
        assert re.search(r"\bItem Words\b", page)
    text = " ".join(pages)
    assert all(f"Row {n} " in text for n in range(160))


def test_a_row_taller_than_a_page_is_split_not_lost(qapp):
    long_cell = "\n".join(f"line {n}" for n in range(150))
    document = Document("Tall row", "Ada Lovelace", TODAY,
                        (Table(("Item", "Text"), (("only", long_cell),)),))
    pages = pages_text(render_pdf(document))
    assert len(pages) >= 2
    text = " ".join(pages)
    assert all(f"line {n} " in text + " " for n in range(150))


def test_a_heading_is_never_left_alone_at_the_foot_of_a_page(qapp):
    filler = tuple(Paragraph(f"Paragraph {n} " + "text " * 40) for n in range(11))
    blocks = filler + (Heading("Kept with its text"), Paragraph("The text under the heading."))
    pages = pages_text(render_pdf(Document("Headings", "Ada Lovelace", TODAY, blocks)))
    holding = [page for page in pages if "Kept with its text" in page]
    assert len(holding) == 1 and "The text under the heading." in holding[0]


def test_names_with_hidden_direction_controls_print_as_typed(qapp):
    assert printable("Ali\u202ece\u0007") == "Alice"
    document = Document("Names", "Zo\u00eb \u202eMalik", TODAY,
                        (Paragraph("\u0627\u0644\u0639\u0631\u0628\u064a\u0629 Zo\u00eb\u202e"),))
    pages = pages_text(render_pdf(document))
    assert "Pupil: Zoë Malik" in pages[0]


def test_redact_catches_an_address_pasted_into_free_text():
    secret = "12 Hidden Lane\nLarkbridge\nLK9 9ZZ"
    document = Document("Note", "A Pupil", TODAY, (
        Paragraph("Visited at 12 Hidden Lane, Larkbridge LK9 9ZZ today."),
        Table(("Where",), (("LK9 9ZZ",),))))
    text = redact(document, [secret]).text()
    assert "Hidden Lane" not in text and "LK9 9ZZ" not in text and WITHHELD in text


def test_rendering_works_with_no_qt_application_running(tmp_path):
    """As the command line does: no window system, no application made beforehand."""
    script = ("import datetime as dt, sys\n"
              "from sendesk.documents.model import Document, Paragraph\n"
              "from sendesk.pdf import render_pdf, page_count\n"
              "pdf = render_pdf(Document('T', 'A Pupil', dt.date(2026, 1, 5), (Paragraph('Hi'),)))\n"
              "from PySide6.QtGui import QGuiApplication\n"
              "print(page_count(pdf), QGuiApplication.platformName())\n")
    env = {k: v for k, v in __import__("os").environ.items() if k != "QT_QPA_PLATFORM"}
    env.pop("DISPLAY", None)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "offscreen"]


# --- EHC ----------------------------------------------------------------------------------------
def test_the_ehcna_evidence_lists_the_checklist_with_what_was_found(demo_school):
    from sendesk.records import ehcna
    pupil_id = busiest_pupil(demo_school)
    [document] = build_documents(demo_school, pupil_id, "ehcna-evidence")
    pages = pages_text(render_pdf(document))
    check_every_page(pages, document.pupil_name, "EHC needs assessment: evidence summary")
    text = " ".join(pages)
    readiness = ehcna.assess_readiness(demo_school, pupil_id)
    assert f"{readiness.score} items met" in text
    for item in readiness.items:
        assert contains(text, item.title)
        for sentence in item.evidence:
            assert contains(text, sentence), sentence
        if item.missing:
            assert contains(text, "Missing: " + item.missing)


def test_the_file_carries_the_ehc_plan_with_its_outcomes(demo_school):
    from sendesk.records import ehc
    pupil_id = demo_school.db.scalar(
        "SELECT id FROM pupils WHERE sen_status = 'K' AND archived_at IS NULL AND id NOT IN"
        " (SELECT pupil_id FROM ehc_plans) ORDER BY id LIMIT 1")
    ehc.record_plan(demo_school, pupil_id, {
        "issued_on": "2026-06-01", "local_authority": "Larkshire", "caseworker": "Dana Case",
        "outcomes": [{"text": "Read a short chapter book independently", "pfa_area": None,
                      "steps": [{"text": "Read 40 tricky words", "target_date": "2026-12-01"}]}]})
    [document] = build_documents(demo_school, pupil_id, "file")
    text = " ".join(pages_text(render_pdf(document)))
    assert contains(text, "EHC plan issued 01/06/2026 by Larkshire (current)")
    assert contains(text, "Read a short chapter book independently")
    assert contains(text, "Read 40 tricky words (by 01/12/2026)")


# --- provision map ------------------------------------------------------------------------------
def test_the_pupils_provision_map_costs_the_plan_in_force(demo_school):
    from sendesk.models.provision import format_money
    pupil_id = busiest_pupil(demo_school)
    [document] = build_documents(demo_school, pupil_id, "provision-map")
    text = " ".join(pages_text(render_pdf(document)))
    plan = apdr.current_pathway(demo_school, pupil_id).current_plan
    for item in plan.active_items:
        assert contains(text, item.description)
        assert contains(text, format_money(item.yearly_cost_pence))
    assert contains(text, f"Total a year {format_money(plan.yearly_cost_pence)}")


def test_the_whole_school_map_totals_every_pupil(demo_school):
    from sendesk.models.provision import format_money
    from sendesk.records import provision_map
    [document] = build_documents(demo_school, None, "provision-map")
    pages = pages_text(render_pdf(document))
    found = provision_map.build(demo_school, audit=False)
    text = " ".join(pages)
    # The demo school's groups are counted with the items (each group once).
    assert contains(text, f"School total {len(found.rows) + len(found.groups)} "
                          f"{format_money(found.total_pence)}")
    for total in found.by_pupil:
        assert contains(text, total.pupil_name)
    for page in pages:
        assert "All pupils" in page and "OFFICIAL-SENSITIVE" in page
    # The item table runs over several pages and keeps its header on each.
    assert sum(1 for page in pages if contains(page, "Pupil Provision Who How often")) >= 2
