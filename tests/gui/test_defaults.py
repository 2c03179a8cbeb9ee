"""What the record already knows is the default: an outcome's or a provision item's area comes
from the pupil's primary need, a recommendation's report is the lone report when there is one,
and "Start from the last plan" keeps the new plan's agreed date. Driven by clicking the buttons."""

from __future__ import annotations

import datetime as dt

from tests.apdr_support import assess, plan, review
from tests.gui.test_apdr import click, go_to, new_cycle, newest, pupil, shown_wizard  # noqa: F401

from sendesk.models.apdr import Decision
from sendesk.records import apdr, specialists
from sendesk.ui.apdr.dialogs import ItemDialog, OutcomeDialog
from sendesk.ui.forms import FormDialog
from sendesk.ui.specialists_tab import SpecialistsTab

D = dt.date


def test_a_new_outcome_and_item_start_in_the_primary_needs_area(qtbot, senco_session, pupil, answers):  # noqa: F811
    cycle = new_cycle(senco_session, pupil)      # the pupil's primary need is SLCN
    assess(senco_session, cycle, D(2026, 11, 23))
    page = shown_wizard(qtbot, senco_session, cycle).plan
    click(page.findChild(type(page.agree), "add_outcome"))
    outcome = newest(page, OutcomeDialog)
    assert outcome.form.widgets["area"].currentData() == "CI", "communication and interaction"
    outcome.done(0)
    click(page.findChild(type(page.agree), "add_item"))
    assert newest(page, ItemDialog).form.widgets["area"].currentData() == "CI"


def test_a_lone_report_is_the_recommendations_report(qtbot, senco_session, pupil, answers):  # noqa: F811
    found = specialists.add_involvement(senco_session, pupil, {
        "service": "SALT", "referral_date": "01/11/2026", "consent": "given",
        "consent_date": "01/11/2026", "consent_from": "Mrs Okafor", "reason": "Vocabulary"})
    report = specialists.attach_report(senco_session, found, "salt.pdf", b"%PDF-1.4\n%%EOF\n",
                                       "SALT assessment", "20/11/2026")
    tab = SpecialistsTab(senco_session, pupil)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    tab.table.selectRow(0)
    click(tab.buttons["add_recommendation"])
    dialog = newest(tab.window(), FormDialog)
    assert dialog.form.widgets["report_id"].currentData() == report


def test_start_from_the_last_plan_keeps_the_agreed_date(qtbot, senco_session, pupil, clock, answers):  # noqa: F811
    first = new_cycle(senco_session, pupil)
    assess(senco_session, first, D(2026, 11, 23))
    plan(senco_session, first, D(2026, 11, 23), D(2027, 2, 12))
    go_to(clock, D(2027, 2, 12))
    second = review(senco_session, first, D(2027, 2, 12), Decision.CONTINUE_TARGETED.value).next_cycle_id
    assess(senco_session, second, D(2027, 2, 12))
    page = shown_wizard(qtbot, senco_session, second, "plan").plan
    assert page.form.values()["plan_date"] == "12/02/2027", "today, before copying"
    click(page.copy_button)
    assert len(page.outcome_rows) == 2
    assert page.form.values()["plan_date"] == "12/02/2027"
    assert apdr.get_cycle(senco_session, second).plan.plan_date == D(2027, 2, 12)
