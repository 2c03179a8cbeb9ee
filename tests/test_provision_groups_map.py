"""Groups on the costed provision maps: once per group, with its whole cost, on the school's
map; each member's share on their own map and in their total against the threshold."""

from __future__ import annotations

import csv
import re

from tests.apdr_support import ITEMS
from tests.groups_support import make_group
from tests.test_provision_map import _pupil_with_plan

from sendesk.documents import build_documents
from sendesk.records import provision_groups, provision_map


def _phonics_for(session, *pupil_ids):
    """£400 over 26 days (02/11 to 27/11/2026), everyone in from the first day: equal shares."""
    group_id = make_group(session)
    for pupil_id in pupil_ids:
        provision_groups.add_member(session, group_id, pupil_id, "02/11/2026")
    return group_id


def test_a_group_is_counted_once_on_the_school_map_and_shared_in_each_pupils_total(
        senco_session):
    a, _ = _pupil_with_plan(senco_session, "Adeyemi", ITEMS)          # £684 of plan provision
    b, _ = _pupil_with_plan(senco_session, "Brown", ITEMS[:1])        # £513
    from tests.apdr_support import sen_support_pupil
    c = sen_support_pupil(senco_session, surname="Clarke")             # no plan, only the group
    group_id = _phonics_for(senco_session, a, b, c, )
    found = provision_map.build(senco_session)
    assert [(g.group_id, g.members, g.cost_pence) for g in found.groups] == [(group_id, 3, 40_000)]
    assert found.total_pence == 68_400 + 51_300 + 40_000      # the group once, not three times
    totals = {t.pupil_id: t for t in found.by_pupil}
    assert totals[a].yearly_cost_pence == 68_400 + 13_333 and totals[a].items == 3
    assert totals[b].group_share_pence == 13_333
    assert totals[c].stage is None and totals[c].yearly_cost_pence == 13_333
    assert [t.pupil_id for t in found.by_pupil] == [a, b, c]
    phonics = [t for t in found.by_provision if t.description == "Year 4 phonics group"]
    assert [(t.pupils, t.yearly_cost_pence) for t in phonics] == [(3, 40_000)]


def test_the_csv_has_one_row_for_the_group(senco_session, tmp_path):
    a, _ = _pupil_with_plan(senco_session, "Adeyemi", ITEMS)
    _phonics_for(senco_session, a)
    out = tmp_path / "map.csv"
    provision_map.export_csv(senco_session, out)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    # The EHC plans' lines and the budget follow (issue 19 item 6): this test is about the group.
    assert [r[0] for r in rows[1:6]] == ["provision", "provision", "group", "pupil total",
                                        "school total"]
    assert rows[3][5] == "Year 4 phonics group" and rows[3][12] == "400.00"
    assert rows[4][13] == "1084.00" and rows[5][12] == "1084.00"


def test_the_maps_as_documents_show_the_group_and_the_share(senco_session):
    a, _ = _pupil_with_plan(senco_session, "Adeyemi", ITEMS)
    from tests.apdr_support import sen_support_pupil
    b = sen_support_pupil(senco_session, surname="Brown")
    _phonics_for(senco_session, a, b)
    [school] = build_documents(senco_session, None, "provision-map")
    text = school.text()
    assert "Provision groups" in text and text.count("Year 4 phonics group") == 2   # by kind, and groups
    assert re.search(r"Groups' total\s+£400\.00", text)
    [mine] = build_documents(senco_session, a, "provision-map")
    assert "Group provision" in mine.text() and "£200.00" in mine.text()
    assert "£884.00 a year" in mine.text()                          # £684 + a half of £400
    [theirs] = build_documents(senco_session, b, "provision-map")   # no plan, a group only
    assert re.search(r"Share of group costs\s+£200\.00", theirs.text())


def test_a_group_still_to_begin_is_listed_on_the_pupils_map_but_not_counted(senco_session):
    """As the whole-school map and the plan leave it out, so does the pupil's own map: it is
    listed as beginning on its day, with no share in the total (today is 23/11/2026)."""
    a, _ = _pupil_with_plan(senco_session, "Adeyemi", ITEMS)          # £684 of plan provision
    group_id = make_group(senco_session, name="Spring spelling", start_date="07/12/2026",
                          end_date="")
    provision_groups.add_member(senco_session, group_id, a, "07/12/2026")
    [mine] = build_documents(senco_session, a, "provision-map")
    text = " ".join(mine.text().split())
    assert "Spring spelling" in text and "Begins 07/12/2026" in text
    assert "Share of group costs £0.00" in text and "£684.00 a year" in text
    assert "a group still to begin is counted once it does" in text
    assert not any(g.name == "Spring spelling" for g in provision_map.build(senco_session).groups)


def test_days_before_anyone_joins_carry_no_cost_on_the_map_or_in_the_impact_table(
        senco_session):
    """A £288 group starting 14/09/2026 whose pupils join on 16/11/2026 (today is 23/11): the
    weeks with nobody in it cost nothing, so the map's group cost is what its pupils' totals
    carry, and the impact table charges only the days they were there."""
    import datetime as dt

    from tests.apdr_support import sen_support_pupil

    from sendesk.models import provision_groups as rules
    from sendesk.records import impact
    group_id = make_group(senco_session, start_date="14/09/2026", end_date="18/12/2026",
                          cost_total="288", weeks="14")
    a, b = (sen_support_pupil(senco_session, surname=name) for name in ("Ames", "Bryce"))
    for pupil in (a, b):
        provision_groups.add_member(senco_session, group_id, pupil, "16/11/2026")
    found = provision_map.build(senco_session)
    totals = {t.pupil_id: t.group_share_pence for t in found.by_pupil}
    [group] = found.groups
    assert group.cost_pence < 28_800
    assert abs(group.cost_pence - (totals[a] + totals[b])) <= 1     # a penny of rounding
    assert found.total_pence == group.cost_pence
    assert provision_map.spend(senco_session).sen_support_pence == group.cost_pence
    run = provision_groups.get_group(senco_session, group_id).run
    table = impact.impact_table(senco_session, "14/09/2026", "23/11/2026")
    [row] = [r for r in table.lines if r.provision == "Group: Year 4 phonics group"]
    joined = dt.date(2026, 11, 16)
    assert row.cost_pence == round(28_800 * run.charged_between(joined, dt.date(2026, 11, 23))
                                   / run.days)
    assert rules.cost_in_period(run, [], dt.date(2026, 9, 14), dt.date(2026, 11, 13)) == 0
