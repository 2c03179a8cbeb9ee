"""EHC plan provision costed (the school's notional part and the LA's top-up), on the pupil's and
the whole school's provision map, and the school's spend set against its notional SEN budget."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from tests.apdr_support import ITEMS, assess, plan, sen_support_pupil
from tests.ehc_support import issued_plan
from tests.impact_support import library_item
from tests.records_fixtures import audit_actions

from sendesk.documents import build_documents
from sendesk.errors import PermissionDenied, ValidationError
from sendesk.records import apdr, ehc, ehc_costs, provision_groups, provision_map, sen_budget

D = dt.date
LINES = [
    {"description": "1:1 teaching assistant, 15 hours a week", "area": "CL",
     "delivered_by": "Teaching assistant", "frequency": "3 hours a day", "school": "£6,000",
     "topup": "9,450.50"},
    {"description": "Speech and language therapy", "area": "CI", "delivered_by": "NHS SALT",
     "frequency": "Half a term, weekly", "school": "0", "topup": "1200"},
]


def _ehc_pupil(session, surname="Adeyemi"):
    pupil = sen_support_pupil(session, surname=surname, since=D(2026, 1, 5))
    plan_id = issued_plan(session, pupil, D(2026, 6, 1))
    return pupil, plan_id


def test_lines_are_saved_costed_and_corrected_with_a_trail(senco_session, staff_session):
    pupil, plan_id = _ehc_pupil(senco_session)
    assert ehc_costs.save_provision(senco_session, plan_id, LINES) == ["provision"]
    lines = ehc_costs.plan_provision(senco_session, plan_id)
    assert [(x.description, x.school_pence, x.topup_pence) for x in lines] == [
        ("1:1 teaching assistant, 15 hours a week", 600_000, 945_050),
        ("Speech and language therapy", 0, 120_000)]
    edited = [{"id": lines[0].id, **LINES[0], "topup": "9,000"}]   # the SALT line is dropped
    ehc_costs.save_provision(senco_session, plan_id, edited)
    assert [(x.id, x.topup_pence) for x in ehc_costs.plan_provision(senco_session, plan_id)] == [
        (lines[0].id, 900_000)]
    trail = senco_session.db.query("SELECT field, old_value, new_value FROM field_changes WHERE"
                                   " record_type = 'EHC provision'")
    assert [(r["field"], r["old_value"], r["new_value"]) for r in trail] == [
        ("topup_pence", "945050", "900000")]
    assert "costed an EHC plan's provision" in audit_actions(senco_session)
    assert "read an EHC plan's costed provision" in audit_actions(senco_session)
    with pytest.raises(PermissionDenied):
        ehc_costs.save_provision(staff_session, plan_id, LINES)


def test_a_bad_line_is_named_and_nothing_is_saved(senco_session):
    _, plan_id = _ehc_pupil(senco_session)
    with pytest.raises(ValidationError, match="Line 2: .*LA's top-up.*'lots'"):
        ehc_costs.save_provision(senco_session, plan_id, [LINES[0], dict(LINES[1], topup="lots")])
    assert ehc_costs.plan_provision(senco_session, plan_id) == []
    with pytest.raises(ValidationError, match="Line 1: What the provision is is required"):
        ehc_costs.save_provision(senco_session, plan_id, [dict(LINES[0], description="")])


def test_a_ceased_plan_keeps_its_costs(senco_session):
    _, plan_id = _ehc_pupil(senco_session)
    ehc_costs.save_provision(senco_session, plan_id, LINES)
    ehc.cease_plan(senco_session, plan_id, D(2026, 11, 1), "Needs met in mainstream.")
    with pytest.raises(ValidationError, match="ceased"):
        ehc_costs.save_provision(senco_session, plan_id, LINES[:1])
    assert provision_map.build(senco_session).ehc == ()   # no longer current


def test_the_whole_school_map_includes_ehc_plans_and_the_budget(senco_session, staff_session,
                                                                 tmp_path):
    support = sen_support_pupil(senco_session, surname="Brown")
    apdr.open_pathway(senco_session, support, D(2026, 11, 23))
    cycle = apdr.current_pathway(senco_session, support).current_cycle.id
    assess(senco_session, cycle, D(2026, 11, 23))
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12), items=ITEMS)   # £684 a year
    _, plan_id = _ehc_pupil(senco_session)
    ehc_costs.save_provision(senco_session, plan_id, LINES)
    found = provision_map.build(senco_session)
    assert [r.pupil_name for r in found.ehc] == ["Adeyemi, Amara"] * 2
    assert (found.ehc_school_pence, found.ehc_topup_pence) == (600_000, 1_065_050)
    assert found.school_spend_pence == 68_400 + 600_000 and found.budget_pence is None
    with pytest.raises(PermissionDenied):
        sen_budget.set_notional_budget(staff_session, "£10,000")
    with pytest.raises(ValidationError, match="'ten grand' is not an amount"):
        sen_budget.set_notional_budget(senco_session, "ten grand")
    assert sen_budget.set_notional_budget(senco_session, "£250,000") == 25_000_000
    assert "set the notional SEN budget" in audit_actions(senco_session)
    for negative in ("-£5,000", "£-5,000", "-5000", "\u2212£5,000", "\u2013£5,000"):   # as pasted
        with pytest.raises(ValidationError) as refused:
            sen_budget.set_notional_budget(senco_session, negative)
        assert str(refused.value) == "The notional SEN budget cannot be negative."
    assert sen_budget.notional_budget(senco_session) == 25_000_000   # unchanged
    out = tmp_path / "map.csv"
    provision_map.export_csv(senco_session, out)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[0] for r in rows].count("ehc provision") == 2
    assert rows[-1][12] == "6684.00" and rows[-1][14] == (
        "notional SEN budget 250000.00; 243316.00 left")
    text = build_documents(senco_session, None, "provision-map")[0].text()
    assert "EHC plans" in text and "£9,450.50" in text and "Notional SEN budget £250,000.00" in text
    assert "Left £243,316.00" in text
    sen_budget.set_notional_budget(senco_session, "")
    assert sen_budget.notional_budget(senco_session) is None


def test_the_pupils_own_map_shows_their_ehc_provision(senco_session):
    pupil, plan_id = _ehc_pupil(senco_session)
    ehc_costs.save_provision(senco_session, plan_id, LINES)
    text = build_documents(senco_session, pupil, "provision-map")[0].text()
    assert "EHC plan provision" in text and "Speech and language therapy" in text
    assert "Total a year    £6,000.00 £10,650.50" in text
    assert "so no additional provision is costed" not in text
    assert ("£6,000.00 a year from the school, its part of the EHC plan's provision. The local "
            "authority's top-up is £10,650.50 a year.") in " ".join(text.split())


def test_an_ehc_pupils_timetable_lists_the_plans_provision(senco_session):
    """With no support plan and no group, the week alone read as all the pupil receives."""
    from sendesk.documents import timetable
    pupil, plan_id = _ehc_pupil(senco_session)
    ehc_costs.save_provision(senco_session, plan_id, LINES)
    text = " ".join(timetable.pupil_timetable(senco_session, pupil).text().split())
    assert "Other support (no set times)" in text
    assert "Speech and language therapy (EHC plan)" in text


def test_an_ehc_pupils_map_adds_the_plans_school_part_to_their_support(senco_session):
    """Support beside a costed EHC plan is not "well within" the threshold while the plan's
    school part is £6,000: the map says what the school pays in all, and the top-up."""
    pupil, plan_id = _ehc_pupil(senco_session)
    ehc_costs.save_provision(senco_session, plan_id, LINES)
    library = library_item(senco_session, "Precision teaching")
    group = provision_groups.create_group(senco_session, {
        "name": "Spelling group", "library_id": library, "area": "CL", "staff_name": "Mrs Khan",
        "start_date": "07/09/2026", "end_date": "", "cost_total": "300",
        "sessions_per_week": "2", "minutes": "30", "weeks": "11"})
    provision_groups.add_member(senco_session, group, pupil, D(2026, 9, 7))
    text = " ".join(build_documents(senco_session, pupil, "provision-map")[0].text().split())
    assert "well within" not in text and "Against the notional SEN support threshold" not in text
    assert ("£6,300.00 a year from the school: £300.00 of the support above and £6,000.00, its "
            "part of the EHC plan's provision. The local authority's top-up is £10,650.50 a "
            "year.") in text
