"""The home dashboard, the census check and the MIS import wizard on real widgets."""

from __future__ import annotations

import csv

from PySide6.QtWidgets import QWizard
from tests.gui.test_pupils_ui import open_session, pupil_ids, upn_for  # noqa: F401 - fixture

from sendesk.records import pupil_list
from sendesk.ui.census_page import CensusPage
from sendesk.ui.dashboard_page import DashboardPage
from sendesk.ui.import_wizard import ImportWizard


def test_dashboard_counts_and_lists(qtbot, school, clock, pupil_ids, qtmodeltester):
    session = open_session(school, clock)
    page = DashboardPage(session)
    qtbot.addWidget(page)
    assert "4 pupils on roll, 1 on the SEN register" in page.summary.text()
    assert ("K - SEN support", 1) in page.status_chart.items
    assert page.need_chart.items and page.need_chart.items[0][1] == 1
    # Begum was added to the register, so a parent notification is due.
    assert page.notifications.model.rowCount() == 1
    assert page.notifications.model.data(page.notifications.model.index(0, 0)) == "Begum, Amina"
    model = page.notifications.model
    model.setParent(None)  # outlive the page so the tester can disconnect at teardown
    qtmodeltester.check(model, force_py=True)
    session.close()


def test_dashboard_lists_show_the_most_urgent_and_say_how_many(qtbot, school, clock, pupil_ids,
                                                              monkeypatch):
    from sendesk.records import registers
    from sendesk.ui import dashboard_page
    session = open_session(school, clock)
    for name in ("Begum", "Hughes"):
        registers.add_entry(session, pupil_ids[name], "monitoring", {
            "start_date": clock.today(), "review_date": clock.today(), "details": "Watch"})
    monkeypatch.setattr(dashboard_page, "SHOW_AT_MOST", 1)
    page = DashboardPage(session)
    qtbot.addWidget(page)
    assert page.monitoring.model.rowCount() == 1
    assert page.monitoring.title() == "On the monitoring register (2; the first 1 shown)"
    session.close()


def test_census_view_and_safe_export(qtbot, school, clock, pupil_ids, tmp_path, answers,
                                     qtmodeltester):
    session = open_session(school, clock)
    page = CensusPage(session)
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 1
    assert "1 K" in page.heading.text()
    model = page.model
    model.setParent(None)
    qtmodeltester.check(model, force_py=True)
    out = tmp_path / "census.csv"
    answers.next_paths.append(out)
    page.export()
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[1][0] == upn_for(3) and "K" in rows[1]
    assert answers.messages[-1][0] == "info"
    session.close()


def write_csv(path, rows):
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")


def test_import_wizard_refuses_bad_rows_then_imports_good_file(qtbot, school, clock, tmp_path):
    session = open_session(school, clock)
    bad = tmp_path / "bad.csv"
    write_csv(bad, [["UPN", "Surname", "Forename", "DOB", "Gender", "Year", "Reg"],
                    [upn_for(20), "Lindqvist", "Freya", "03/04/2017", "F", "4", "4L"],
                    ["NOTAUPN", "Ahmed", "Yusuf", "31/02/2016", "M", "5", "5A"]])
    wizard = ImportWizard(session)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(bad))
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
    assert wizard.mapping_page.combos["upn"].currentData() == "UPN"
    assert wizard.mapping_page.combos["class_name"].currentData() == "Reg"
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    assert not wizard.preview_page.isComplete(), "a file with errors cannot be imported"
    assert "1 rows have errors" in wizard.preview_page.summary.text()
    wizard.accept()
    assert pupil_list.search_ids(session) == [], "nothing saved"

    good = tmp_path / "good.csv"
    write_csv(good, [["UPN", "Surname", "Forename", "DOB", "Gender", "Year", "Reg"],
                     [upn_for(20), "Lindqvist", "Freya", "03/04/2017", "F", "4", "4L"],
                     [upn_for(21), "Ahmed", "Yusuf", "28/02/2016", "M", "5", "5A"]])
    wizard = ImportWizard(session)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(good))
    wizard.next()
    wizard.next()
    assert wizard.preview_page.isComplete()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result is not None and wizard.result.added == 2
    assert len(pupil_list.search_ids(session)) == 2
    session.close()


def test_import_wizard_explains_a_file_that_is_not_csv(qtbot, school, clock, tmp_path):
    session = open_session(school, clock)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 50)
    wizard = ImportWizard(session)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(junk))
    wizard.next()
    if wizard.currentPage() is wizard.file_page:
        assert wizard.file_page.message.text()
    else:
        wizard.next()
        assert wizard.currentPage() is wizard.mapping_page and wizard.mapping_page.message.text()
    assert pupil_list.search_ids(session) == []
    session.close()


def test_import_preview_explains_each_row_without_repeating_line_and_upn(qtbot, school, clock, tmp_path):
    session = open_session(school, clock)
    bad = tmp_path / "bad.csv"
    write_csv(bad, [["UPN", "Surname", "Forename", "DOB", "Gender", "Year", "Reg"],
                    [upn_for(30), "Osei", "Ama", "31/02/2016", "F", "5", "5A"]])
    wizard = ImportWizard(session)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.file_page.path.setText(str(bad))
    wizard.next()
    wizard.next()
    model = wizard.preview_page.model
    detail = model.data(model.index(0, model.columnCount() - 1))
    assert "date" in detail.lower() and "UPN" not in detail and "line" not in detail
    session.close()
