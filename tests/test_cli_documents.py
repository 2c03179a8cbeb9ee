"""sendesk-cli document: the exact command form, the PDF it writes and its one-line failures."""

from __future__ import annotations

import io

import pytest
from tests.pdf_text import contains, pages_text

from sendesk.cli.main import main

PASSWORD = "harbour-lantern-quietly-47"


def run(capsys, *argv, stdin=PASSWORD + "\n"):
    code = main([str(arg) for arg in argv], stdin=io.StringIO(stdin))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_db(tmp_path, capsys, qapp):
    path = tmp_path / "demo.sendesk"
    code, _, _ = run(capsys, "demo", path, "--pupils", 150, "--user", "jsenco")
    assert code == 0
    return path


def pupil_with_plan(path) -> tuple[str, str]:
    from sendesk.services import lifecycle
    session = lifecycle.open_school(path, "jsenco", PASSWORD)
    try:
        row = session.db.query_one(
            "SELECT p.upn, coalesce(p.preferred_forename, p.legal_forename) AS forename,"
            " p.legal_surname FROM pupils p JOIN send_pathways w ON w.pupil_id = p.id"
            " ORDER BY p.id LIMIT 1")
        return row["upn"], f"{row['forename']} {row['legal_surname']}"
    finally:
        session.close()


def test_document_writes_the_pdf_named(demo_db, tmp_path, capsys):
    upn, name = pupil_with_plan(demo_db)
    out = tmp_path / "file.pdf"
    code, printed, err = run(capsys, "document", demo_db, "--upn", upn, "--kind", "file",
                             "--out", out, "--user", "jsenco")
    assert code == 0, err
    assert printed.startswith("Wrote Full SEND file (") and str(out) in printed
    pages = pages_text(out.read_bytes())
    assert len(pages) >= 3 and all(contains(page, f"Pupil: {name}") for page in pages)


def test_failures_are_one_line_and_write_nothing(demo_db, tmp_path, capsys):
    upn, _ = pupil_with_plan(demo_db)
    out = tmp_path / "x.pdf"
    cases = [
        (["--upn", "A123456789012", "--kind", "plan"], "No pupil with UPN"),
        (["--kind", "plan"], "--upn"),
        (["--upn", upn, "--kind", "letter"], "not a kind of document"),
        (["--upn", upn, "--kind", "file", "--whole-school"], "--whole-school goes only"),
    ]
    for extra, message in cases:
        code, _, err = run(capsys, "document", demo_db, *extra, "--out", out, "--user", "jsenco")
        assert code == 1 and message in err and len(err.strip().splitlines()) == 1
        assert not out.exists()
    code, _, err = run(capsys, "document", demo_db, "--upn", upn, "--kind", "plan", "--out",
                       out, "--user", "jsenco", stdin="wrong password\n")
    assert code == 1 and not out.exists()


def test_templates_round_trip_through_the_command_line(demo_db, tmp_path, capsys):
    import json

    from tests.test_documents_letters import tiny_png
    out = tmp_path / "letters.json"
    code, printed, err = run(capsys, "templates", "export", demo_db, out, "--user", "jsenco")
    assert code == 0, err
    raw = json.loads(out.read_text(encoding="utf-8"))
    raw["letterhead"]["lines"] = ["1 Quarry Lane, Larkfield LK1 2AB"]
    raw["letterhead"]["logo"] = "crest.png"
    out.write_text(json.dumps(raw), encoding="utf-8")
    logo = tmp_path / "crest.png"
    logo.write_bytes(tiny_png())
    code, printed, err = run(capsys, "templates", "import", demo_db, out, "--logo", logo,
                             "--user", "jsenco")
    assert code == 0 and "with the logo crest.png" in printed, err
    code, _, _ = run(capsys, "templates", "export", demo_db, tmp_path / "again.json",
                     "--logo-out", tmp_path / "again.png", "--user", "jsenco")
    assert code == 0 and (tmp_path / "again.png").read_bytes() == tiny_png()
    raw["letters"]["invitation"]["subject"] = "Review {when}"
    out.write_text(json.dumps(raw), encoding="utf-8")
    code, _, err = run(capsys, "templates", "import", demo_db, out, "--logo", logo,
                       "--user", "jsenco", stdin="")
    assert code == 1 and "uses {when}, which is not a placeholder" in err
    code, printed, _ = run(capsys, "templates", "reset", demo_db, "--user", "jsenco")
    assert code == 0 and "sendesk's own template" in printed


def test_the_whole_school_provision_map(demo_db, tmp_path, capsys):
    out = tmp_path / "map.pdf"
    code, printed, err = run(capsys, "document", demo_db, "--whole-school", "--kind",
                             "provision-map", "--out", out, "--user", "jsenco")
    assert code == 0, err
    pages = pages_text(out.read_bytes())
    assert contains(pages[0], "Costed provision map: whole school")
    assert all("All pupils" in page for page in pages)
