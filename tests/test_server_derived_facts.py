"""On the school server nobody but the owner writes the facts derived from pupils' pathways
(store/derived_facts.py: impact_lines, impact_reviews, plan_reviews, impact_line_outcomes,
impact_line_measures, pathway_plans), which the
impact table, the governors' figures and Reviews due read: a member of staff or the SENCO who
signs in with the real psql and their own password is refused every DELETE, INSERT, UPDATE and
TRUNCATE of them, and the owner's functions the app calls instead, given any arguments at all,
can only make the facts what the records say. Nor can a login that may add pupils add one with
a made-up next review, flags or SEN status. The app's own saves still work as each role, and a
server school set up before all this gets it at ``server upgrade``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from tests.impact_support import library_item, measure, pupil_on_item

from conftest import SCHOOL_NAME, SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from pg_server import SUPERUSER, SUPERUSER_PASSWORD, psql, refused
from sendesk.cli import main as cli_main
from sendesk.errors import PermissionDenied
from sendesk.models import server_grants
from sendesk.models.flags import Flag
from sendesk.models.roles import Role
from sendesk.records import apdr, audit_log, impact, impact_facts, pathway_plans, pupils
from sendesk.services import lifecycle, server_school, users
from sendesk.services import verify as verify_mod
from sendesk.store import derived_facts, server_security

pytestmark = pytest.mark.server_only

D = dt.date
ADMIN, ADMIN_PASSWORD = "jclarke", "pebble-orchard-lantern-29"
# A row for each table, as made up by someone at psql (ids nobody has).
MADE_UP = {
    "impact_lines": "INSERT INTO impact_lines VALUES (9001, {pupil}, 1, 1, '2026-09-01', "
                    "'2026-12-01', 20697, 20788, 1, 30, 60, 38, 'hourly', 999999)",
    "impact_reviews": "INSERT INTO impact_reviews VALUES (9001, 9001, '', {pupil}, "
                      "'2026-11-20', 5, 5)",
    "plan_reviews": "INSERT INTO plan_reviews VALUES (9001, {pupil}, 9001, 1, '2026-11-20', "
                    "'2026-11-20', 1, 1)",
    "impact_line_outcomes": "INSERT INTO impact_line_outcomes VALUES (9001, 9001, '', {pupil}, "
                            "1, '2026-09-01', '2026-12-01', '2026-11-20', 1)",
    "impact_line_measures": "INSERT INTO impact_line_measures VALUES (9001, {pupil}, 1, "
                            "'Sandwell', 'standardised', '2026-11-20', '2026-09-01', "
                            "'2026-12-01', 70, 99, 74)",
    "pathway_plans": "INSERT INTO pathway_plans VALUES (9001, {pupil}, 'K', '2026-09-01', 9001, "
                     "1, '2026-09-07', '2099-01-01', 1)",
}
CHANGED = {"impact_lines": "rate_pence = 0", "impact_reviews": "achieved = reviewed",
           "plan_reviews": "held_on = review_date", "impact_line_outcomes": "met = 1 - met",
           "impact_line_measures": "exit_value = exit_value + 20",
           "pathway_plans": "review_date = '2099-01-01'"}


def everything(session) -> dict[str, list[tuple]]:
    return {**impact_facts.held(session.db), "pathway_plans": pathway_plans.held(session.db)}


def true_facts(session) -> dict[str, list[tuple]]:
    return {**impact_facts.from_scratch(session.db),
            "pathway_plans": pathway_plans.from_scratch(session.db)}


@pytest.fixture
def with_facts(senco_session):
    """Two pupils whose agreed plans have a line from the library, one of them reviewed and
    measured on it: a row of their own in every derived table. (Both pupils, and the other's
    line.)"""
    library = library_item(senco_session, "Precision teaching")
    reviewed, line = pupil_on_item(senco_session, "Facts", library, achieved=True)
    measure(senco_session, reviewed, item_id=line, entry=80, exit=88)
    other, item = pupil_on_item(senco_session, "Others", library)
    facts = everything(senco_session)
    assert all(facts.values()) and facts == true_facts(senco_session)
    return reviewed, other, item


def _as_owner(pg_server, server_database, sql: str) -> None:
    with pg_server.admin(server_database[1]) as conn:
        conn.execute(sql)


@pytest.mark.parametrize("who", ["staff", "senco"])
def test_no_login_can_write_a_derived_table_with_psql(senco_session, with_facts, pg_server,
                                                      server_database, who):
    user, password = (STAFF, STAFF_PASSWORD) if who == "staff" else (SENCO, SENCO_PASSWORD)
    reviewed, _, _ = with_facts
    before = everything(senco_session)
    for table in server_grants.DERIVED_TABLES:
        attacks = {
            "delete every row": f"DELETE FROM {table}",
            "delete one pupil's": f"DELETE FROM {table} WHERE pupil_id = {reviewed}",
            "a row made up": MADE_UP[table].format(pupil=reviewed),
            "a value changed": f"UPDATE {table} SET {CHANGED[table]}",
            "emptied": f"TRUNCATE {table}",
            "copied from itself": f"INSERT INTO {table} SELECT * FROM {table}",
            "the triggers off": f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            "owned": f"ALTER TABLE {table} OWNER TO {user}",
        }
        for what, sql in attacks.items():
            result = psql(pg_server, server_database[1], user, password, sql)
            assert refused(result), (table, what, result.stdout, result.stderr)
    assert everything(senco_session) == before
    report = verify_mod.verify(senco_session)
    assert report.ok and report.derived_problems == [], report.lines()


def _truer(before: dict[str, list[tuple]], after: dict[str, list[tuple]],
           truth: dict[str, list[tuple]]) -> bool:
    """Every row held after is one held before or a true one, and no true row was lost."""
    return all(set(after[t]) <= set(before[t]) | set(truth[t])
               and set(before[t]) & set(truth[t]) <= set(after[t]) for t in truth)


def test_the_facts_functions_can_only_make_the_facts_true(senco_session, with_facts, pg_server,
                                                         server_database):
    """Whatever a login passes (none, nobody's, everyone's, negative, repeated, huge, text
    dressed as SQL), a call works the rows out from the records: facts the owner spoiled by
    hand are put right, and true ones stay as they are."""
    reviewed, other, _ = with_facts
    truth = everything(senco_session)

    def spoil() -> dict[str, list[tuple]]:
        for table in truth:
            _as_owner(pg_server, server_database, f"DELETE FROM {table} WHERE pupil_id = {reviewed}")
            _as_owner(pg_server, server_database,
                      MADE_UP[table].format(pupil=other) + " ON CONFLICT DO NOTHING")
        spoilt = everything(senco_session)
        assert spoilt != truth
        return spoilt

    calls = [
        "SELECT sendesk_refresh_impact_facts(NULL)",
        "SELECT sendesk_refresh_impact_facts('{}')",
        "SELECT sendesk_refresh_impact_facts(ARRAY[-1, 0, 9223372036854775807])",
        "SELECT sendesk_forget_deleted_impact_facts(ARRAY[-1, 0, 9223372036854775807])",
        f"SELECT sendesk_forget_deleted_impact_facts(ARRAY[{reviewed}, {other}])",
        "SELECT sendesk_forget_deleted_pathway_plans(NULL)",
        "SELECT sendesk_refresh_pathway_plans(ARRAY[-5, -5, 0])",
        f"SELECT sendesk_refresh_pathway_plans(ARRAY[{other}])",
        "SELECT sendesk_refresh_impact_facts(array_fill(7::bigint, ARRAY[20000]))",
        "SELECT sendesk_refresh_impact_facts(ARRAY(SELECT id FROM pupils))",
    ]
    for sql in calls:
        before = spoil()
        result = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD, sql)
        assert result.returncode == 0, (sql, result.stderr)
        assert _truer(before, everything(senco_session), truth), sql
    fixing = [
        (f"SELECT sendesk_refresh_impact_facts(ARRAY[{reviewed}, {other}, {reviewed}]); "
         f"SELECT sendesk_refresh_pathway_plans(ARRAY[{other}, {reviewed}])"),
        "SELECT sendesk_rebuild_impact_facts(); SELECT sendesk_rebuild_pathway_plans()",
    ]
    for user, password in ((STAFF, STAFF_PASSWORD), (SENCO, SENCO_PASSWORD)):
        for sql in fixing:
            spoil()
            result = psql(pg_server, server_database[1], user, password, sql)
            assert result.returncode == 0, (sql, result.stderr)
            assert everything(senco_session) == truth, (user, sql)
    hostile = {
        "SQL in the ids": f"SELECT sendesk_refresh_impact_facts('{{{reviewed}); DELETE FROM "
                          "impact_lines; --}')",
        "text for ids": "SELECT sendesk_refresh_pathway_plans(ARRAY['1 OR true'])",
        "a snapshot from before": "BEGIN ISOLATION LEVEL REPEATABLE READ; "
                                  "SELECT sendesk_rebuild_impact_facts(); COMMIT",
        "another search path": "SET search_path = pg_temp, public; "
                               "CREATE TEMP TABLE impact_lines (x int)",
        "a function of one's own": "CREATE FUNCTION public.pg_advisory_xact_lock(bigint) "
                                   "RETURNS void LANGUAGE sql AS ''",
        "the function replaced": "CREATE OR REPLACE FUNCTION sendesk_rebuild_impact_facts() "
                                 "RETURNS void LANGUAGE sql AS 'DELETE FROM impact_lines'",
        "the function given away": f"ALTER FUNCTION sendesk_rebuild_impact_facts() OWNER TO {STAFF}",
        "the function's path reset": "ALTER FUNCTION sendesk_rebuild_impact_facts() RESET ALL",
    }
    for what, sql in hostile.items():
        result = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD, sql)
        assert refused(result, "permission denied", "must be owner", "invalid input syntax",
                       "does not exist", "read committed"), (what, result.stdout, result.stderr)
    assert everything(senco_session) == truth
    assert verify_mod.verify(senco_session).ok


def test_a_pupil_added_with_psql_cannot_carry_a_made_up_summary(senco_session, pg_server,
                                                                server_database):
    """The guard covers a new row as it does a changed one: a login that may add pupils (the
    SENCO, an administrator) cannot add one already flagged, with a review nobody set or (an
    administrator, who may not change SEN status) on the SEN register without a history."""
    users.add_user(senco_session, ADMIN, "Jo Clarke", "admin", ADMIN_PASSWORD)
    columns = ("upn, legal_surname, legal_forename, dob, gender, year_group, year_rank, "
               "created_at, sort_key, search_text")
    values = "'{upn}', 'Made', 'Up', '2016-03-14', 'F', '4', 4, 'x', 'made up', 'made up'"

    def insert(upn: str, extra: str = "", extra_values: str = "") -> str:
        return (f"INSERT INTO pupils ({columns}{extra}) VALUES "
                f"({values.format(upn=upn)}{extra_values})")

    attacks = {
        "flags": (", flags", f", {int(Flag.LOOKED_AFTER) | int(Flag.PROTECTED_ADDRESS)}"),
        "a review": (", next_review", ", '2026-12-01'"),
        "no flags but a review": (", flags, next_review", ", 0, '2099-01-01'"),
    }
    for user, password in ((SENCO, SENCO_PASSWORD), (ADMIN, ADMIN_PASSWORD)):
        for what, (extra, extra_values) in attacks.items():
            result = psql(pg_server, server_database[1], user, password,
                          insert("X99999999999" + what[0], extra, extra_values))
            assert refused(result, "do not allow setting them by hand"), (user, what, result.stderr)
    on_register = insert("A801200005001", ", sen_status, sen_since, primary_need",
                         ", 'E', '2026-09-01', 'ASD'")
    result = psql(pg_server, server_database[1], ADMIN, ADMIN_PASSWORD, on_register)
    assert refused(result, "do not allow changing a pupil's SEN status"), result.stderr
    result = psql(pg_server, server_database[1], STAFF, STAFF_PASSWORD, insert("B801200005001"))
    assert refused(result), result.stderr          # staff may not add pupils at all
    assert senco_session.db.scalar("SELECT count(*) FROM pupils") == 0
    # A pupil added honestly (an empty summary) is let in, and the app adds them as ever.
    result = psql(pg_server, server_database[1], SENCO, SENCO_PASSWORD, insert("A801200005001"))
    assert result.returncode == 0, result.stderr
    added = pupils.add_pupil(senco_session, {
        "upn": "B801200005001", "legal_surname": "Honest", "legal_forename": "Added",
        "dob": "14/03/2016", "gender": "F", "year_group": "Year 4"})
    assert tuple(senco_session.db.query_one(
        "SELECT sen_status, next_review, flags FROM pupils WHERE id = ?", (added,))) == (None, None, 0)
    assert verify_mod.verify(senco_session).ok


def test_each_role_still_saves_through_the_app(senco_session, staff_session, with_facts):
    """The rules now call the owner's functions: the staff member's delivery log, the SENCO's
    review and plan, an administrator's pupil deletion all keep the facts true."""
    reviewed, other, item = with_facts
    apdr.log_delivery(staff_session, item, D(2026, 11, 2), True, "Went well")
    with pytest.raises(PermissionDenied):     # the app's refusals are as they were
        apdr.end_provision(staff_session, item, D(2026, 11, 3), "Stopped")
    apdr.end_provision(senco_session, item, D(2026, 11, 10), "Met the target early.")
    assert everything(senco_session) == true_facts(senco_session)
    users.add_user(senco_session, ADMIN, "Jo Clarke", "admin", ADMIN_PASSWORD)
    admin = lifecycle.open_school(senco_session.db.location, ADMIN, ADMIN_PASSWORD,
                                  senco_session.clock)
    try:
        pupils.archive_leaver(senco_session, reviewed, D(2026, 11, 23), "Moved away")
        admin.clock.advance(dt.timedelta(days=366 * 40))
        pupils.delete_after_retention(admin, reviewed)
        assert reviewed not in {row[1] for row in impact_facts.held(admin.db)["impact_lines"]}
        assert everything(admin) == true_facts(admin)
    finally:
        admin.close()
    found = impact.impact_table(senco_session, "01/09/2026", "30/11/2026", audit=False)
    assert [line.pupils for line in found.lines if line.provision == "Precision teaching"] == [1]
    assert any(e.action == "logged provision delivery" and e.username == STAFF
               for e in audit_log.read_log(senco_session))


def test_verify_on_the_server_recounts_the_derived_tables(school, senco_session, with_facts,
                                                          pg_server, server_database, capsys):
    """Even a member of staff's ``sendesk-cli verify URL`` names a derived table changed by
    the only one who still can (the owner), in one sentence."""
    _as_owner(pg_server, server_database, "DELETE FROM pathway_plans")
    code = cli_main.main(["verify", str(school[0]), "--user", STAFF],
                         stdin=io.StringIO(STAFF_PASSWORD + "\n"))
    captured = capsys.readouterr()
    sentence = ("The derived table pathway_plans does not match a recount from the records (2 "
                "rows missing), so Reviews due, Home and the pupil list's \"no current plan\" "
                "may be wrong.")
    assert code == 1 and f"  - {sentence}" in captured.out.splitlines()
    assert captured.err.strip().endswith(f"failed verification: {sentence}")


def test_a_server_school_set_up_before_gets_the_functions_at_upgrade(
        school, senco_session, with_facts, pg_server, server_database):
    """As an older sendesk left a server: every writer's group granted the derived tables, no
    functions, the summary guarded on UPDATE only. Staff could delete facts with psql then;
    ``server upgrade`` takes the grants back, puts the functions and the INSERT guard in place
    and works the facts out afresh, so what was deleted by hand is back."""
    name = server_database[1]
    truth = everything(senco_session)
    groups = ", ".join(f'"{server_security.group_role(name, role)}"' for role in Role)
    tables = ", ".join(server_grants.DERIVED_TABLES)
    script = [f"GRANT INSERT, UPDATE, DELETE ON {tables} TO {groups}",
              f"DROP TRIGGER {server_security.GUARD_TRIGGER} ON pupils",
              f"CREATE TRIGGER {server_security.GUARD_TRIGGER} BEFORE UPDATE OF "
              "sen_status, sen_since, primary_need, next_review, flags ON pupils FOR EACH ROW "
              "EXECUTE FUNCTION sendesk_pupils_sen_summary_guard()"]
    for facts in derived_facts.EVERY_FACTS:
        script += [f"DROP FUNCTION {derived_facts.function(facts, 'rebuild')}()",
                   f"DROP FUNCTION {derived_facts.function(facts, 'refresh')}(bigint[])",
                   f"DROP FUNCTION {derived_facts.function(facts, 'forget_deleted')}(bigint[])"]
    # Nor had it step 22's tables and index, or 23's indexes of names (made again at the
    # upgrade).
    script += ["DROP TABLE impact_line_outcomes", "DROP TABLE impact_line_measures",
               "DROP INDEX impact_lines_library", "DROP INDEX provision_measures_name",
               "DROP INDEX impact_reviews_named",
               "CREATE INDEX impact_lines_plan ON impact_lines(plan_id, pupil_id, library_id, "
               "stopped, began)",
               "UPDATE sendesk_schema_version SET version = 20"]
    for statement in script:
        _as_owner(pg_server, server_database, statement)
    senco_session.close()
    deleted = psql(pg_server, name, STAFF, STAFF_PASSWORD, "DELETE FROM impact_lines")
    assert deleted.returncode == 0, deleted.stderr        # the attack, before
    old = psql(pg_server, name, SENCO, SENCO_PASSWORD,
               "INSERT INTO pupils (upn, legal_surname, legal_forename, dob, gender, year_group, "
               "year_rank, created_at, sort_key, search_text, flags) VALUES ('A801200005001', "
               "'Made', 'Up', '2016-03-14', 'F', '4', 4, 'x', 'm', 'm', 4); "
               "DELETE FROM pupils WHERE upn = 'A801200005001'")
    assert old.returncode == 0, old.stderr
    with pytest.raises(Exception, match="need upgrading"):
        lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)
    server_school.upgrade_server(pg_server.url(name, user=SUPERUSER), SUPERUSER_PASSWORD)
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)
    try:
        assert everything(session) == truth
        for table in server_grants.DERIVED_TABLES:
            result = psql(pg_server, name, STAFF, STAFF_PASSWORD, f"DELETE FROM {table}")
            assert refused(result), (table, result.stderr)
        result = psql(pg_server, name, SENCO, SENCO_PASSWORD,
                      "INSERT INTO pupils (upn, legal_surname, legal_forename, dob, gender, "
                      "year_group, year_rank, created_at, sort_key, search_text, flags) VALUES "
                      "('A801200005001', 'Made', 'Up', '2016-03-14', 'F', '4', 4, 'x', 'm', 'm', 4)")
        assert refused(result), result.stderr
        report = verify_mod.verify(session)
        assert report.ok and report.grant_problems == [], report.lines()
        assert SCHOOL_NAME == session.school.name
    finally:
        session.close()
