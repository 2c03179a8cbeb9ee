"""The school's provision library: the suggested interventions a new school starts with (and
the shipped file's checks), adding, editing, retiring and bringing back items, plans that pick
from it, an outcome's named measure, and the CSV file that goes to and from a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal

import pytest
from tests.apdr_support import assess, plan, sen_support_pupil
from tests.schema_before import old_school, upgraded

from sendesk.errors import PermissionDenied, SendeskError, ValidationError
from sendesk.models import provision_library as library
from sendesk.models.provision import CostBasis, describe_frequency
from sendesk.records import apdr, provision_groups, provision_library
from sendesk.resources import resource_path
from sendesk.services import verify
from sendesk.store import migrations

D = dt.date
PHONICS = "Phonics catch-up group"
NEW = {"name": "Lego-based social group", "area": "CI", "description": "Building together.",
       "evidence_summary": "Small trials only.", "evidence_reference": "Owens et al. (2008)",
       "staff_role": "Teaching assistant", "group_size": "3", "sessions_per_week": "1",
       "minutes": "45", "weeks": "10", "hourly_cost": "18.50",
       "measures": "School's own social scale\nSDQ peer problems score"}


def _by_name(session, name, retired=False):
    return next(i for i in provision_library.list_items(session, include_retired=retired)
                if i.name == name)


def test_a_new_school_starts_with_the_suggested_interventions_in_every_area(senco_session):
    items = provision_library.list_items(senco_session)
    shipped = library.load_suggested()
    assert len(items) == len(shipped) >= 12
    assert {i.area for i in items} == {"CL", "CI", "SEMH", "SP"}
    phonics = _by_name(senco_session, PHONICS)
    assert phonics.group_size == 4 and phonics.hourly_cost_pence == 1800
    assert "EEF" in phonics.evidence_summary and phonics.evidence_reference.startswith("https://")
    assert phonics.measures and all(i.measures and i.evidence_summary for i in items)


def test_adding_the_suggestions_again_adds_only_those_missing_and_keeps_retired_ones_retired(
        senco_session):
    phonics = _by_name(senco_session, PHONICS)
    provision_library.retire_item(senco_session, phonics.id)
    assert provision_library.add_suggested(senco_session) == []
    assert _by_name(senco_session, PHONICS, retired=True).retired
    senco_session.db.execute("DELETE FROM provision_library WHERE name = 'Mentoring'")
    assert provision_library.add_suggested(senco_session) == ["Mentoring"]


@pytest.mark.parametrize("change, says", [
    (lambda d: d.update(format=2), "format 1"),
    (lambda d: d["interventions"][2].update(minutes="lots"), "entry 3"),
    (lambda d: d["interventions"][0].update(area="XX"), "not a broad area"),
    (lambda d: d["interventions"][1].update(colour="red"), "unknown field"),
    (lambda d: d["interventions"][4].update(evidence_summary=""), "evidence summary"),
    (lambda d: d["interventions"].append(dict(d["interventions"][0])), "listed twice"),
])
def test_a_damaged_suggestions_file_is_refused_with_the_entry_named(tmp_path, change, says):
    data = json.loads(resource_path(library.SUGGESTED_FILE).read_text())
    change(data)
    path = tmp_path / "provision_library.json"
    path.write_text(json.dumps(data))
    with pytest.raises(SendeskError) as caught:
        library.load_suggested(path)
    assert says in str(caught.value) and "Reinstall sendesk" in str(caught.value)


def test_a_suggestions_file_that_is_not_json_or_too_big_is_refused(tmp_path):
    path = tmp_path / "provision_library.json"
    path.write_text("{ not json")
    with pytest.raises(SendeskError, match="not readable JSON"):
        library.load_suggested(path)
    path.write_bytes(b" " * (library.MAX_FILE_BYTES + 1))
    with pytest.raises(SendeskError, match="over 256 KB"):
        library.load_suggested(path)


def test_the_senco_adds_edits_retires_and_brings_back_an_item(senco_session):
    item_id = provision_library.add_item(senco_session, NEW)
    item = provision_library.get_item(senco_session, item_id)
    assert (item.group_size, item.minutes, item.hourly_cost_pence) == (3, 45, 1850)
    assert item.measures == ("School's own social scale", "SDQ peer problems score")
    assert provision_library.edit_item(senco_session, item_id, {"minutes": "40"}) == ["minutes"]
    assert provision_library.edit_item(senco_session, item_id, {"minutes": "40"}) == []
    provision_library.retire_item(senco_session, item_id)
    assert item_id not in {i.id for i in provision_library.list_items(senco_session)}
    assert provision_library.get_item(senco_session, item_id).retired_on == senco_session.clock.today()
    provision_library.unretire_item(senco_session, item_id)
    assert item_id in {i.id for i in provision_library.list_items(senco_session)}


FORTNIGHTLY = {**NEW, "name": "Speech and language therapist visit", "area": "CI",
               "group_size": "1", "sessions_per_week": "0.5", "minutes": "20", "weeks": "38",
               "hourly_cost": "18.00"}


@pytest.mark.parametrize("typed, kept", [("0.5", "0.5"), (".5", "0.5"), ("1.5", "1.5"),
                                         ("2.50", "2.5"), ("3", "3"), ("25", "25")])
def test_an_item_takes_whole_or_half_sessions_a_week_as_a_plan_line_does(senco_session, typed,
                                                                         kept):
    """The one rule of models/provision.parse_sessions: 0.5 is once a fortnight (review 24
    F3.2: the library said 'a whole number from 1 to 25')."""
    item_id = provision_library.add_item(senco_session, {**FORTNIGHTLY, "sessions_per_week": typed})
    item = provision_library.get_item(senco_session, item_id)
    assert item.sessions_per_week == Decimal(kept)
    assert item.values()["sessions_per_week"] == kept
    assert provision_library.edit_item(senco_session, item_id, {"sessions_per_week": kept}) == []


@pytest.mark.parametrize("field, value, says", [
    ("name", "", "Name is required"), ("area", "", "area of need"),
    ("group_size", "0", "Group size"), ("minutes", "ten", "Minutes a session"),
    ("weeks", "53", "Weeks"), ("hourly_cost", "£2,000", "Hourly cost"),
    ("sessions_per_week", "0.3", "^Sessions a week must be a whole number or a half [(]0.5 is once"
                                 " a fortnight[)][.]$"),
    ("sessions_per_week", "", "^Sessions a week must be a number, such as 3 or 0.5 [(]once a "
                              "fortnight[)][.]$"),
    ("sessions_per_week", "26", "^Sessions a week must be more than 0 and at most 25[.]$"),
    ("measures", "\n".join(f"M{n}" for n in range(11)), "at most 10"),
])
def test_bad_items_are_refused_with_one_sentence_and_nothing_changes(senco_session, field,
                                                                     value, says):
    before = len(provision_library.list_items(senco_session, include_retired=True))
    with pytest.raises(ValidationError, match=says):
        provision_library.add_item(senco_session, {**NEW, field: value})
    assert len(provision_library.list_items(senco_session, include_retired=True)) == before


def test_two_items_may_not_share_a_name(senco_session):
    with pytest.raises(ValidationError, match="already has 'Phonics catch-up group'"):
        provision_library.add_item(senco_session, {**NEW, "name": "  phonics CATCH-UP group "})


def test_staff_read_the_library_but_may_not_change_it(staff_session):
    assert provision_library.list_items(staff_session)
    with pytest.raises(PermissionDenied):
        provision_library.add_item(staff_session, NEW)


def _cycle(session, surname="Okafor"):
    pupil = sen_support_pupil(session, surname=surname)
    apdr.open_pathway(session, pupil, "23/11/2026")
    cycle = apdr.current_pathway(session, pupil).current_cycle.id
    assess(session, cycle, D(2026, 11, 23))
    return pupil, cycle


def _line(item):
    return item.provision_line()


def test_a_plan_picks_from_the_library_and_keeps_its_own_copy(senco_session):
    phonics = _by_name(senco_session, PHONICS)
    _, cycle = _cycle(senco_session)
    line = dict(_line(phonics), minutes="25")    # changed from the library's 20
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12), items=[line],
         outcomes=[{"text": "Blend CVC words", "measure": "18 of 20 words on two checks",
                    "measure_name": "Phonics screening check score", "area": "CL"}])
    saved = apdr.get_cycle(senco_session, cycle).plan
    item = saved.items[0]
    assert (item.description, item.library_id, item.minutes, item.group_size) == (
        PHONICS, phonics.id, 25, 4)
    assert item.cost_basis is CostBasis.HOUR and item.rate_pence == 1800
    assert saved.outcomes[0].measure_name == "Phonics screening check score"
    # A retired item stays on the plans that used it.
    provision_library.retire_item(senco_session, phonics.id)
    assert apdr.get_cycle(senco_session, cycle).plan.items[0].library_id == phonics.id


def test_a_fortnightly_item_fills_a_plan_line_at_half_the_weekly_cost(senco_session):
    """Choosing a once-a-fortnight item: the line holds 0.5 and costs half of once a week
    (20 min at £18 an hour for 38 weeks is £228.00 a week, so £114.00)."""
    item = provision_library.get_item(senco_session,
                                      provision_library.add_item(senco_session, FORTNIGHTLY))
    line = _line(item)
    assert line["sessions_per_week"] == Decimal("0.5")
    _, cycle = _cycle(senco_session)
    weekly = dict(line, description="The same, once a week", sessions_per_week="1",
                  library_id=None)
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12), items=[line, weekly])
    saved = {i.description: i for i in apdr.get_cycle(senco_session, cycle).plan.items}
    fortnightly = saved[FORTNIGHTLY["name"]]
    assert (fortnightly.sessions_per_week, fortnightly.library_id) == (Decimal("0.5"), item.id)
    assert fortnightly.yearly_cost_pence == 11400
    assert saved["The same, once a week"].yearly_cost_pence == 22800
    assert describe_frequency(fortnightly.fields()).startswith("20 min once a fortnight")


def test_a_group_from_a_fortnightly_item_meets_once_a_fortnight(senco_session):
    item_id = provision_library.add_item(senco_session, FORTNIGHTLY)
    filled = provision_groups.library_defaults(senco_session, item_id)
    assert (filled["sessions_per_week"], filled["cost_total"]) == ("0.5", "114.00")


def test_a_retired_item_is_not_offered_for_a_new_plan(senco_session):
    phonics = _by_name(senco_session, PHONICS)
    provision_library.retire_item(senco_session, phonics.id)
    _, cycle = _cycle(senco_session)
    with pytest.raises(ValidationError, match="retired from the library"):
        plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12), items=[_line(phonics)],
             agree=False)
    assert apdr.get_cycle(senco_session, cycle).plan is None


def test_a_saved_line_keeps_its_retired_item_when_the_draft_is_saved_again(senco_session):
    phonics = _by_name(senco_session, PHONICS)
    _, cycle = _cycle(senco_session)
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12), items=[_line(phonics)],
         agree=False)
    provision_library.retire_item(senco_session, phonics.id)
    item = apdr.get_cycle(senco_session, cycle).plan.items[0]
    apdr.save_plan(senco_session, cycle, {"items": [dict(item.fields(), id=item.id,
                                                         library_id=item.library_id)]})
    assert apdr.get_cycle(senco_session, cycle).plan.items[0].library_id == phonics.id


def test_free_text_provision_still_works(senco_session):
    _, cycle = _cycle(senco_session)
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    assert all(i.library_id is None for i in apdr.get_cycle(senco_session, cycle).plan.items)


def test_provision_added_to_an_agreed_plan_can_come_from_the_library(senco_session):
    mentoring = _by_name(senco_session, "Mentoring")
    _, cycle = _cycle(senco_session)
    plan(senco_session, cycle, D(2026, 11, 23), D(2027, 2, 12))
    item_id = apdr.add_provision(senco_session, cycle, _line(mentoring), D(2026, 11, 23))
    added = next(i for i in apdr.get_cycle(senco_session, cycle).plan.items if i.id == item_id)
    assert added.library_id == mentoring.id and added.delivered_by == "Learning mentor"


# --- the CSV file ---------------------------------------------------------------------------
def _export(session, path):
    count = provision_library.export_csv(session, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return count, list(csv.reader(handle))


def test_export_then_import_changes_nothing(senco_session, tmp_path):
    path = tmp_path / "library.csv"
    provision_library.retire_item(senco_session, _by_name(senco_session, "Mentoring").id)
    count, rows = _export(senco_session, path)
    assert rows[0] == list(library.COLUMNS) and count == len(rows) - 1
    # Written day first, as the window shows dates and the import's messages ask for them.
    retired = next(r for r in rows if r[0] == "Mentoring")[rows[0].index("retired_on")]
    assert retired == senco_session.clock.today().strftime("%d/%m/%Y")
    before = provision_library.list_items(senco_session, include_retired=True)
    counts = provision_library.import_csv(senco_session, path)
    assert counts == {"added": 0, "updated": 0, "unchanged": count}
    assert provision_library.list_items(senco_session, include_retired=True) == before


def test_a_fortnightly_item_goes_out_and_back_in_a_file_exactly(senco_session, tmp_path):
    path = tmp_path / "library.csv"
    provision_library.add_item(senco_session, FORTNIGHTLY)
    provision_library.add_item(
        senco_session, {**FORTNIGHTLY, "name": "Social skills, three a fortnight",
                        "sessions_per_week": "1.5"})
    _count, rows = _export(senco_session, path)
    column = rows[0].index("sessions_per_week")
    shown = {row[0]: row[column] for row in rows[1:]}
    assert (shown[FORTNIGHTLY["name"]], shown["Social skills, three a fortnight"]) == ("0.5", "1.5")
    assert shown[PHONICS] == str(_by_name(senco_session, PHONICS).sessions_per_week)
    assert "." not in shown[PHONICS]                  # whole numbers stay whole: 4, not 4.0
    before = provision_library.list_items(senco_session, include_retired=True)
    assert provision_library.import_csv(senco_session, path)["updated"] == 0
    assert provision_library.list_items(senco_session, include_retired=True) == before
    # Read as new items (another school's names): added with the same sessions a week.
    copies = [[f"{row[0]} (copy)", *row[1:]] for row in rows[1:] if row[column] in ("0.5", "1.5")]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *copies])
    assert provision_library.import_csv(senco_session, path)["added"] == 2
    assert _by_name(senco_session, FORTNIGHTLY["name"] + " (copy)").sessions_per_week == \
        Decimal("0.5")
    assert _by_name(senco_session, "Social skills, three a fortnight (copy)"
                    ).sessions_per_week == Decimal("1.5")


def test_import_matches_by_name_updates_and_adds(senco_session, tmp_path):
    path = tmp_path / "library.csv"
    _count, rows = _export(senco_session, path)
    header = rows[0]
    phonics = next(r for r in rows if r[0] == PHONICS)
    phonics[header.index("minutes")] = "30"
    phonics[header.index("retired_on")] = "2026-11-01"
    new = [NEW.get(name, "") for name in header]
    new[header.index("measures")] = "School's own social scale; SDQ peer problems score"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, phonics, new])
    assert provision_library.import_csv(senco_session, path) == {
        "added": 1, "updated": 1, "unchanged": 0}
    updated = _by_name(senco_session, PHONICS, retired=True)
    assert updated.minutes == 30 and updated.retired_on == D(2026, 11, 1)
    added = _by_name(senco_session, NEW["name"])
    assert added.measures == ("School's own social scale", "SDQ peer problems score")


def test_a_file_with_bad_rows_is_refused_whole_naming_each_line(senco_session, tmp_path):
    path = tmp_path / "library.csv"
    _count, rows = _export(senco_session, path)
    header = rows[0]
    good = [NEW.get(name, "") for name in header]
    good[header.index("measures")] = "School's own social scale; SDQ peer problems score"
    bad_minutes = list(good)
    bad_minutes[0], bad_minutes[header.index("minutes")] = "Another", "lots"
    bad_area = list(good)
    bad_area[0], bad_area[header.index("area")] = "Third", "XY"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, good, bad_minutes, bad_area, good])
    before = provision_library.list_items(senco_session, include_retired=True)
    with pytest.raises(ValidationError) as caught:
        provision_library.import_csv(senco_session, path)
    message = str(caught.value)
    assert "nothing was changed" in message
    assert "Line 3: Minutes a session" in message and "Line 4:" in message
    assert "Line 5: 'Lego-based social group' is already on line 2" in message
    assert provision_library.list_items(senco_session, include_retired=True) == before


def test_a_line_number_is_where_the_row_starts_when_a_cell_runs_over_lines(senco_session,
                                                                          tmp_path):
    path = tmp_path / "library.csv"
    header = list(library.COLUMNS)
    first = [NEW.get(name, "") for name in header]          # measures on two lines
    second = dict(zip(header, first, strict=True))
    second.update(name="Second", weeks="99")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, first, [second[n] for n in header]])
    with pytest.raises(ValidationError, match="Line 4: Weeks must be from 1 to 52"):
        provision_library.import_csv(senco_session, path)


@pytest.mark.parametrize("content, says", [
    (b"name,area\nX,CL\n", "lacks the columns"),
    (b"\x00\x01binary", "binary data"),
    (",".join(library.COLUMNS).encode() + b"\n", "no interventions"),
    (",".join(library.COLUMNS + ("colour",)).encode() + b"\nX\n", "does not know: colour"),
])
def test_files_that_are_not_a_library_are_refused(senco_session, tmp_path, content, says):
    path = tmp_path / "library.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=says):
        provision_library.import_csv(senco_session, path)


def test_an_oversized_or_overlong_file_is_refused_before_it_is_read(senco_session, tmp_path):
    path = tmp_path / "library.csv"
    path.write_bytes(b"x" * (provision_library.MAX_CSV_BYTES + 1))
    with pytest.raises(ValidationError, match="over 1024 KB"):
        provision_library.import_csv(senco_session, path)
    row = ",".join(["Item {n}", "CL", "", "", "", "", "1", "1", "10", "10", "1", "", ""])
    path.write_text(",".join(library.COLUMNS) + "\n"
                    + "\n".join(row.replace("{n}", str(n)) for n in range(library.MAX_ITEMS + 1)))
    with pytest.raises(ValidationError, match="more than 500"):
        provision_library.import_csv(senco_session, path)


def test_a_formula_in_a_name_is_written_safe_and_read_back_as_typed(senco_session, tmp_path):
    provision_library.add_item(senco_session, {**NEW, "name": "=SUM(A1)"})
    path = tmp_path / "library.csv"
    _count, rows = _export(senco_session, path)
    assert ["'=SUM(A1)"] == [r[0] for r in rows if "SUM" in r[0]]
    assert provision_library.import_csv(senco_session, path)["added"] == 0


def test_a_negative_cost_says_it_cannot_be_negative():
    from sendesk.models.provision import parse_money
    for typed in ("-5", "£-5", "-£5.50"):
        with pytest.raises(ValidationError, match=r"^Hourly cost cannot be negative\.$"):
            parse_money(typed, "Hourly cost")
    with pytest.raises(ValidationError, match="is not an amount of money"):
        parse_money("5-", "Hourly cost")


def test_one_refused_is_told_whose_role_allows_it():
    from sendesk.models.roles import Permission, who_may
    assert who_may(Permission.EXPORT_DOCUMENTS) == "Ask a SENCO."
    assert who_may(Permission.MANAGE_USERS) == "Ask an administrator."
    assert who_may(Permission.EDIT_PUPILS) == "Ask a SENCO or an administrator."


def test_a_default_file_name_keeps_the_school_years_apart():
    from sendesk.ui.documents_tab import file_name
    assert file_name("SEND report to governors 2026/27 ") == "SEND report to governors 2026-27"


# --- a school from before migration 24 -------------------------------------------------------
def test_a_library_of_whole_numbers_from_before_migration_24_upgrades_unchanged(
        engine, request, tmp_path, clock, monkeypatch):
    """Sessions a week was a whole-number column (BIGINT on the server, which would have kept
    0.5 as a whole number): the step moves every item's number into a REAL column unchanged,
    and from then on the library holds a half on both engines."""
    session, location, upgrade = old_school(engine, request, tmp_path, clock, monkeypatch, 23)
    try:
        assert session.db.schema_version() == 23
        provision_library.add_item(session, {**FORTNIGHTLY, "sessions_per_week": "4"})
        before = provision_library.list_items(session, include_retired=True)
        held = {row["name"]: row["sessions_per_week"]
                for row in session.db.query("SELECT name, sessions_per_week FROM provision_library")}
    finally:
        session.close()
    assert len(held) > 10 and all(isinstance(n, int) and n >= 1 for n in held.values())
    session = upgraded(location, upgrade, monkeypatch, clock)
    try:
        assert session.db.schema_version() == migrations.LATEST >= 24
        assert provision_library.list_items(session, include_retired=True) == before
        assert {row["name"]: row["sessions_per_week"] for row in session.db.query(
            "SELECT name, sessions_per_week FROM provision_library")} == held
        assert verify.verify(session).ok
        item = _by_name(session, FORTNIGHTLY["name"])
        assert provision_library.edit_item(session, item.id, {"sessions_per_week": "0.5"}) == [
            "sessions_per_week"]
        assert provision_library.get_item(session, item.id).sessions_per_week == Decimal("0.5")
        assert session.db.scalar("SELECT sessions_per_week FROM provision_library WHERE id = ?",
                                 (item.id,)) == 0.5
    finally:
        session.close()
