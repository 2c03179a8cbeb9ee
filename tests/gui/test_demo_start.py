"""`sendesk --demo` makes a labelled demo school with pathways, and signs in with the hint shown."""

from __future__ import annotations

from sendesk.records import apdr  # noqa: F401 - the pathways tables must exist
from sendesk.services import lifecycle
from sendesk.ui.demo_start import DEMO_PASSWORD, DEMO_USERNAME, prepare_demo


def test_demo_school_is_labelled_and_has_pathways(tmp_path):
    path, hint = prepare_demo(tmp_path)
    assert DEMO_USERNAME in hint and DEMO_PASSWORD in hint and "invented" in hint
    session = lifecycle.open_school(path, DEMO_USERNAME, DEMO_PASSWORD)
    try:
        assert "Demo school" in session.school.name
        assert session.db.scalar("SELECT count(*) FROM pupils") > 500
        assert session.db.scalar("SELECT count(*) FROM send_pathways") > 10
    finally:
        session.close()
    again, _ = prepare_demo(tmp_path)
    assert again == path, "a second start reuses the demo rather than making another"
