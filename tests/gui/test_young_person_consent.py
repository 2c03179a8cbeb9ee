"""From 16, consent follows the school's choice in School details: under "instead" the form
offers (and so preselects) the pupil alone; under "as well as" the pupil first, then the
parents; under "the parents only" the parents first. Opened and read through real clicks."""

from __future__ import annotations

import pytest

from sendesk.records import school_contacts

from .test_record_parity import form, held, offered, open_window, press, senco  # noqa: F401

PRIYA = "Priya Shah (the pupil, 16 or over)"


@pytest.mark.parametrize(("choice", "shown"), [
    ("instead", [PRIYA]),
    ("as_well", [PRIYA, "Anjali Shah (Mother)"]),
    ("parents", ["Anjali Shah (Mother)", PRIYA]),
])
def test_the_consent_form_offers_the_young_person_as_the_school_chose(qtbot, held, senco,  # noqa: F811
                                                                      choice, shown):
    school_contacts.set_school_contacts(senco, {"young_person": choice})
    window = open_window(qtbot, senco, held["priya"], "Contacts and consent")
    press(qtbot, window, "add_consent")
    dialog = form(window)
    giver = dialog.form.widgets["giver"]
    assert offered(giver) == shown
    assert giver.currentText() == shown[0], "the first offered is the one preselected"
