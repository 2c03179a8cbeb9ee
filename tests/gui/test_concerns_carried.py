"""What the initial concerns discussion already holds reaches the first APDR cycle, clicked
through as the SENCO would: the flowchart to SEN support, then the graduated approach started
from the record's Plans tab, and the Assess page already holding the discussion's words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWizard
from tests.concerns_support import DISCUSSION, ROUTES, add_pupil
from tests.gui.test_concerns_wizard import click, fill_discussion, open_wizard, walk_route

from sendesk.models.apdr import Part
from sendesk.records import apdr
from sendesk.ui.forms import FormDialog
from sendesk.ui.plan_tab import PlanTab

LEFT = Qt.MouseButton.LeftButton


def finish_flowchart_to_sen_support(qtbot, session, pupil_id) -> None:
    wizard = open_wizard(qtbot, session, pupil_id)
    walk_route(qtbot, wizard, ROUTES["sen_support"][0])
    fill_discussion(qtbot, wizard)
    with qtbot.waitSignal(wizard.run_finished):
        click(qtbot, wizard, QWizard.WizardButton.FinishButton)


def start_pathway_by_clicking(qtbot, session, pupil_id) -> PlanTab:
    tab = PlanTab(session, pupil_id)
    qtbot.addWidget(tab)
    tab.show()
    QTest.mouseClick(tab.start_button, LEFT)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, FormDialog) and w.isVisible())
    buttons = dialog.findChild(QDialogButtonBox)
    QTest.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save), LEFT)
    assert tab.wizard is not None and tab.wizard.current_page() is tab.wizard.assess
    return tab


def test_the_flowchart_fills_the_first_assess_and_plan(qtbot, answers, senco_session):
    pupil_id = add_pupil(senco_session)
    finish_flowchart_to_sen_support(qtbot, senco_session, pupil_id)
    wizard = start_pathway_by_clicking(qtbot, senco_session, pupil_id).wizard
    page = wizard.assess
    values = page.form.values()
    assert values["strengths"] == DISCUSSION["strengths"]
    assert values["needs"] == DISCUSSION["difficulties"]
    assert values["child_views"] == DISCUSSION["child_views"]
    assert values["parent_views"] == DISCUSSION["parent_views"]
    assert page.seeded.isVisibleTo(page)
    assert page.seeded.text() == ("Filled in from the initial concerns discussion on "
                                  f"{senco_session.clock.today():%d/%m/%Y}.")
    wizard.resize(900, 800)
    page.grab().save("/tmp/w3-seed-assess.png")

    # What the SENCO types over the offered words is kept: saved, closed, opened again.
    box = page.form.widgets["strengths"]
    box.selectAll()
    QTest.keyClicks(box, "Draws every break; leads the art club.")
    QTest.mouseClick(wizard.save_button, LEFT)
    cycle = apdr.current_pathway(senco_session, pupil_id).current_cycle
    assert cycle.assessment.strengths == "Draws every break; leads the art club."
    assert cycle.assessment.needs == DISCUSSION["difficulties"]
    wizard.reload(Part.ASSESS)
    assert page.form.values()["strengths"] == "Draws every break; leads the art club."

    plan = wizard.show_part(Part.PLAN)
    assert plan.form.values()["aspirations"] == DISCUSSION["agreed_outcomes"]
    assert plan.seeded.isVisibleTo(plan)


def test_a_pupil_without_the_flowchart_starts_blank(qtbot, answers, senco_session):
    from tests.apdr_support import sen_support_pupil
    pupil_id = sen_support_pupil(senco_session)
    page = start_pathway_by_clicking(qtbot, senco_session, pupil_id).wizard.assess
    assert page.form.values()["strengths"] == "" and not page.seeded.isVisibleTo(page)
