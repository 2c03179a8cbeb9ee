"""The whole-school costed provision map: what is in force, totals by pupil and by provision,
the threshold, and a CSV export that spreadsheets cannot be tricked into running."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from tests.apdr_support import ITEMS, assess, plan, review, sen_support_pupil

from sendesk.errors import PermissionDenied
from sendesk.models.provision import CostLevel
from sendesk.records import apdr, provision_map

D = dt.date


def _go_to(clock, day):
    clock.advance(dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC) - clock.now())


def _pupil_with_plan(session, surname, items, agree=True):
    pupil = sen_support_pupil(session, surname=surname)
    apdr.open_pathway(session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(session, pupil).current_cycle.id
    assess(session, cycle, D(2026, 11, 23))
    plan(session, cycle, D(2026, 11, 23), D(2027, 2, 12), items=items, agree=agree)
    return pupil, cycle


def test_map_by_pupil_and_by_provision(senco_session):
    # ITEMS: 3 x 15 min x 38 weeks at £18 = £513; 2 x 30 min x 38 weeks at £18 / 4 = £171.
    a, _ = _pupil_with_plan(senco_session, "Adeyemi", ITEMS)
    b, _ = _pupil_with_plan(senco_session, "Brown", ITEMS[:1] + [
        {"description": "Full-time 1:1 support", "sessions_per_week": "5", "minutes": "300",
         "rate": "14", "weeks": "38"}])
    _pupil_with_plan(senco_session, "Clarke", ITEMS, agree=False)   # a draft is not in force
    found = provision_map.build(senco_session)
    assert [(r.pupil_name.split(",")[0], r.description, r.yearly_cost_pence) for r in found.rows] == [
        ("Adeyemi", "Precision teaching of sight words", 51_300),
        ("Adeyemi", "Word Aware vocabulary group", 17_100),
        ("Brown", "Precision teaching of sight words", 51_300),
        ("Brown", "Full-time 1:1 support", 1_330_000)]
    assert [(p.pupil_id, p.items, p.yearly_cost_pence, p.level) for p in found.by_pupil] == [
        (a, 2, 68_400, CostLevel.UNDER), (b, 2, 1_381_300, CostLevel.OVER)]
    assert [(t.description, t.pupils, t.yearly_cost_pence) for t in found.by_provision] == [
        ("Full-time 1:1 support", 1, 1_330_000),
        ("Precision teaching of sight words", 2, 102_600),
        ("Word Aware vocabulary group", 1, 17_100)]
    assert found.total_pence == 1_449_700 and found.pupils == 2
    assert [p.pupil_id for p in found.over_threshold()] == [b]


def test_the_last_agreed_plan_stays_in_force_while_the_next_is_drafted(senco_session, clock):
    pupil, c1 = _pupil_with_plan(senco_session, "Adeyemi", ITEMS)
    _go_to(clock, D(2027, 2, 12))
    review(senco_session, c1, D(2027, 2, 12), "continue_targeted")
    c2 = apdr.current_pathway(senco_session, pupil).current_cycle.id
    assess(senco_session, c2, D(2027, 2, 12))
    plan(senco_session, c2, D(2027, 2, 12), D(2027, 5, 14), items=ITEMS[:1], agree=False)
    assert [r.cycle_number for r in provision_map.build(senco_session).rows] == [1, 1]
    apdr.agree_plan(senco_session, c2)
    assert [r.cycle_number for r in provision_map.build(senco_session).rows] == [2]
    _go_to(clock, D(2027, 5, 14))
    review(senco_session, c2, D(2027, 5, 14), "back_to_ordinary", progress="achieved")
    assert provision_map.build(senco_session).rows == ()


def test_csv_export_is_formula_safe_with_totals(senco_session, staff_session, tmp_path):
    _pupil_with_plan(senco_session, "Adeyemi", [
        dict(ITEMS[0], description="+SUM(A1:A9)", delivered_by="=HYPERLINK(\"http://x\")"),
        ITEMS[1]])
    out = tmp_path / "map.csv"
    with pytest.raises(PermissionDenied):
        provision_map.export_csv(staff_session, out)
    provision_map.export_csv(senco_session, out)
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == list(provision_map.CSV_HEADER)
    assert [r[0] for r in rows[1:]] == ["provision", "provision", "pupil total", "school total",
                                        "ehc total", "school spend"]
    assert rows[1][7].startswith("'=HYPERLINK") and rows[1][5] == "'+SUM(A1:A9)"
    assert rows[1][12] == "513.00" and rows[3][13] == "684.00" and rows[4][12] == "684.00"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    actions = [r["action"] for r in senco_session.db.query("SELECT action FROM audit_log ORDER BY id")]
    assert "exported the costed provision map" in actions


def test_cli_writes_the_map(senco_session, school, tmp_path, capsys):
    import io

    from tests.conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD

    from sendesk.cli.main import main
    _pupil_with_plan(senco_session, "Adeyemi", ITEMS)
    out = tmp_path / "map.csv"
    code = main(["provision-map", str(school[0]), "--out", str(out), "--user", SENCO],
                stdin=io.StringIO(SENCO_PASSWORD + "\n"))
    printed, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "2 provision items for 1 pupil to" in printed and "£684.00 a year" in printed
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r[0] for r in rows] == ["row", "provision", "provision", "pupil total", "school total",
                                    "ehc total", "school spend"]
    code = main(["provision-map", str(school[0]), "--out", str(tmp_path / "staff.csv"), "--user",
                 STAFF], stdin=io.StringIO(STAFF_PASSWORD + "\n"))
    printed, err = capsys.readouterr()
    assert code == 1 and len(err.strip().splitlines()) == 1 and "export documents" in err
    assert not (tmp_path / "staff.csv").exists()


def test_demo_school_gains_realistic_pathways(tmp_path, clock):
    from collections import Counter

    from sendesk import demo
    from sendesk.demo import pathways as demo_pathways
    from sendesk.models.apdr import Stage
    from sendesk.records import specialists
    from sendesk.store import audit
    session, _ = demo.create_demo_school(tmp_path / "demo.sendesk", "jsenco", "Demo SENCO",
                                         "harbour-lantern-quietly-47", pupils=400, clock=clock,
                                         pathways=False)
    try:
        made = demo_pathways.add_demo_pathways(session, seed=7)
        assert made.pathways >= 20 and made.specialists >= 3
        pupils = [r["pupil_id"] for r in session.db.query("SELECT DISTINCT pupil_id FROM send_pathways")]
        found = [p for pupil in pupils for p in apdr.pathways(session, pupil)]
        assert {len(p.cycles) for p in found} >= {1, 2, 3}
        assert max(len(p.cycles) for p in found) <= 4
        assert Counter(p.stage for p in found)[Stage.SPECIALIST] >= 3
        assert any(not p.open for p in found)
        assert any(c.review and c.review.completed for p in found for c in p.cycles)
        carried = [i for p in found for c in p.cycles if c.plan for i in c.plan.items
                   if i.recommendation_id]
        assert carried, "specialists' recommendations are carried into plans"
        assert all(not specialists.recommendations_not_in_plan(session, p.pupil_id)
                   for p in found if p.open and p.stage is Stage.SPECIALIST
                   and p.current_cycle.plan and p.current_cycle.plan.agreed)
        mapped = provision_map.build(session)
        assert mapped.pupils >= 15 and mapped.total_pence > 0
        assert any(p.level is not CostLevel.UNDER for p in mapped.by_pupil)
        assert apdr.reviews_due(session)
        assert audit.verify(session.db).intact
        # Running it again leaves pupils who already have a pathway alone.
        before = {p.id: len(p.cycles) for p in found}
        demo_pathways.add_demo_pathways(session, seed=7)
        after = {p.id: len(p.cycles) for pupil in pupils for p in apdr.pathways(session, pupil)}
        assert after == before
    finally:
        session.close()
