"""The parent notification form offers a young person of 16 or over by name when the school
tells young people as well as their parents (issue 20 item 6), and the record shows them told;
a pupil under 16 is not offered."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from tests.conftest import SENCO, SENCO_PASSWORD
from tests.gui.test_record_parity import click, form, press, save, show_tab
from tests.records_fixtures import add_parents, add_pupil

from sendesk.records import school_contacts, sen_register
from sendesk.services import lifecycle
from sendesk.ui.pupil_record_window import PupilRecordWindow


@pytest.fixture
def held(school, clock):
    """Temi (17) and Ade (10), each with two parents, both just added to the register; the
    school tells young people as well as their parents."""
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    school_contacts.set_school_contacts(session, {"young_person": "as_well"})
    ids = {}
    for serial, (name, dob, year) in enumerate((("Temi", "01/03/2009", "Year 12"),
                                                ("Ade", "14/03/2016", "Year 5")), start=1):
        ids[name] = add_pupil(session, serial, legal_forename=name, preferred_forename="",
                              dob=dob, year_group=year)
        add_parents(session, ids[name])
        sen_register.change_status(session, ids[name], "K", "18/11/2026", "Needs", ["MLD"])
    session.close()
    return ids


def _window(qtbot, school, clock, pupil_id):
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    window = PupilRecordWindow(session, pupil_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    show_tab(qtbot, window, "Registers and needs")
    return session, window


def test_the_young_person_is_offered_by_name_and_shown_told(qtbot, school, clock, held):
    session, window = _window(qtbot, school, clock, held["Temi"])
    table = window.notifications_table
    assert table.item(0, 3).text() == ("Temi Adeyemi (the young person), Funmi Adeyemi, "
                                       "Tunde Adeyemi")
    press(qtbot, window, "record_notification")
    told = form(window)
    labels = [spec.label for spec in told.form.fields]
    assert labels[2:] == ["Temi Adeyemi (the young person)", "Funmi Adeyemi (Mother)",
                          "Tunde Adeyemi (Father)"]
    assert any("from 16 the young person is told as well as the parents" in label.text()
               for label in told.findChildren(QLabel))
    told.grab().save("/tmp/young20-notification-form.png")
    click(qtbot, told.form.widgets["young_person"])
    save(qtbot, told)
    assert not told.isVisible(), told.message.text()
    assert table.item(0, 2).text() == "Temi Adeyemi (the young person) by letter on 23/11/2026"
    assert table.item(0, 3).text() == "Funmi Adeyemi, Tunde Adeyemi", "the parents still to tell"

    press(qtbot, window, "record_notification")
    told = form(window)
    assert "young_person" not in told.form.widgets, "told once"
    for key, widget in told.form.widgets.items():
        if key.startswith("contact_"):
            click(qtbot, widget)
    save(qtbot, told)
    assert not told.isVisible(), told.message.text()
    assert table.item(0, 3).text() == "None"
    window.grab().save("/tmp/young20-notifications-table.png")
    session.close()


def test_a_pupil_under_16_is_not_offered(qtbot, school, clock, held):
    session, window = _window(qtbot, school, clock, held["Ade"])
    assert window.notifications_table.item(0, 3).text() == "Funmi Adeyemi, Tunde Adeyemi"
    press(qtbot, window, "record_notification")
    told = form(window)
    assert "young_person" not in told.form.widgets
    assert [spec.label for spec in told.form.fields][2:] == ["Funmi Adeyemi (Mother)",
                                                             "Tunde Adeyemi (Father)"]
    session.close()
