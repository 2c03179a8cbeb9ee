"""Who may do what, checked through the core API for every role and combination of roles.

Each action below is run by a signed-in user of each role combination. Where the roles grant
the permission the action must succeed; where they do not it must be refused with
PermissionDenied and change nothing. Every action runs inside a transaction that is rolled back
afterwards, so one school serves the whole matrix. A second test reads the source of every core
module and fails if a public function that takes a session never checks a permission.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import io
import pkgutil
import shutil
import sys
from pathlib import Path

import pytest

import sendesk
from apdr_support import assess, plan, sen_support_pupil
from concerns_support import DISCUSSION, ROUTES
from concerns_support import add_pupil as concerns_pupil
from conftest import SENCO, SENCO_PASSWORD
from records_fixtures import add_parents, add_pupil, pupil_data, snapshot
from sendesk import operations
from sendesk.clock import FixedClock
from sendesk.documents import build_documents, templates
from sendesk.errors import PermissionDenied
from sendesk.models import flowchart
from sendesk.models.roles import Permission, parse_roles, permissions_for
from sendesk.records import (
    apdr,
    audit_log,
    census,
    concerns,
    consent,
    contacts,
    dashboard,
    ehc,
    mis_import,
    notes,
    provision_map,
    pupil_list,
    pupil_record,
    pupils,
    registers,
    sen_register,
    specialists,
)
from sendesk.services import backup, lifecycle, users
from sendesk.services import verify as verify_mod
from sendesk.store.keyfile import keyfile_path
from sendesk.transfer import ctf, sending

PASSWORD = "copper-pylon-saffron-21"
ROLES = {"staff": "staff", "senco": "senco", "admin": "admin", "senco+admin": "senco,admin",
         "staff+admin": "staff,admin", "staff+senco": "staff,senco"}
TODAY = dt.date(2026, 11, 23)
P = Permission


class Rollback(Exception):
    """Raised to undo an action's changes once it has been seen to succeed."""


@pytest.fixture(scope="module")
def school(module_engine, tmp_path_factory, request):
    """One school with a user per role combination and a record of every kind to act on: the
    file's path, or on the server its URL (the grants each role's login holds are then the
    server's own, so an action the matrix allows must get through them too)."""
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))
    details = {"school_name": "Brambleton Primary", "school_reference": "123456",
               "username": SENCO, "full_name": "Meera Patel", "password": SENCO_PASSWORD,
               "clock": clock}
    if module_engine == "postgresql":
        from pg_server import SUPERUSER, SUPERUSER_PASSWORD
        from sendesk.services import server_school
        server = request.getfixturevalue("pg_server")
        database = server.acquire()
        request.addfinalizer(lambda: server.release(database))
        location: Path | str = server.url(database)
        session = server_school.create_on_server(server.url(database, user=SUPERUSER),
                                                 SUPERUSER_PASSWORD, **details)
    else:
        location = tmp_path_factory.mktemp("matrix") / "school.sendesk"
        session, _ = lifecycle.create(location, **details)
    try:
        for name, roles in ROLES.items():
            users.add_user(session, "u" + name.replace("+", ""), f"Tester {name}", roles, PASSWORD)
        ids = _records(session)
    finally:
        session.close()
    return location, ids


def _records(session) -> dict:
    on_support = sen_support_pupil(session)
    apdr.open_pathway(session, on_support, TODAY)
    cycle = apdr.current_pathway(session, on_support).current_cycle.id
    assess(session, cycle, TODAY)
    plan(session, cycle, TODAY, TODAY + dt.timedelta(weeks=13))
    item = apdr.get_cycle(session, cycle).plan.items[0].id
    plain = add_pupil(session, 7)
    mother, _ = add_parents(session, plain)
    involvement = specialists.add_involvement(session, on_support, {
        "service": "SALT", "referral_date": "01/11/2026", "consent": "given",
        "consent_date": "01/11/2026", "consent_from": "Mrs Okafor", "reason": "Vocabulary"})
    report = specialists.attach_report(session, involvement, "salt.pdf", b"%PDF-1.7 report",
                                       "SALT report", "20/11/2026")
    note = notes.add_note(session, plain, {"event_date": "20/11/2026", "concern": "Tired"})
    return {"support": on_support, "plain": plain, "cycle": cycle, "item": item,
            "mother": mother, "involvement": involvement, "report": report, "note": note,
            "concerns": concerns_pupil(session, "Hughes", "Ola")}


@pytest.fixture(scope="module")
def sessions(school, tmp_path_factory):
    """A signed-in session per role, each over its own copy of the school (on the server, all
    on the one database: every action is rolled back)."""
    db_path, _ = school
    opened = {}
    for name in ROLES:
        if not isinstance(db_path, Path):
            opened[name] = lifecycle.open_school(
                db_path, "u" + name.replace("+", ""), PASSWORD,
                FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)))
            continue
        folder = tmp_path_factory.mktemp(name)
        shutil.copyfile(db_path, folder / db_path.name)
        shutil.copyfile(keyfile_path(db_path), keyfile_path(folder / db_path.name))
        opened[name] = lifecycle.open_school(
            folder / db_path.name, "u" + name.replace("+", ""), PASSWORD,
            FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)))
    yield opened
    for session in opened.values():
        session.close()


def _chart():
    return flowchart.load_default()


def _mis_file() -> bytes:
    from sendesk.models.upn import make_upn
    return (f"UPN,Surname,Forename,DOB,Gender,Year\r\n{make_upn('940', '4001', 24, 901)},"
            "Imported,Pupil,03/04/2016,F,5\r\n").encode()


# name: (permissions, any one of which allows it; the action)
ACTIONS = {
    "view a pupil": ((P.VIEW_RECORDS,), lambda s, ids, out: pupils.get_pupil(s, ids["plain"])),
    "open a whole record": ((P.VIEW_RECORDS,), lambda s, ids, out: pupil_record.open_record(s, ids["support"])),
    "search the pupil list": ((P.VIEW_RECORDS,), lambda s, ids, out: pupil_list.search_ids(s)),
    "see the dashboard": ((P.VIEW_RECORDS,), lambda s, ids, out: dashboard.dashboard(s)),
    "read the change history": ((P.VIEW_RECORDS,), lambda s, ids, out: pupils.change_history(s, ids["plain"])),
    "read a specialist report": ((P.VIEW_RECORDS,), lambda s, ids, out: specialists.report_content(s, ids["report"])),
    "see the provision map": ((P.VIEW_RECORDS,), lambda s, ids, out: provision_map.build(s)),
    "add a pupil": ((P.EDIT_PUPILS,), lambda s, ids, out: pupils.add_pupil(s, pupil_data(50))),
    "edit a pupil": ((P.EDIT_PUPILS,), lambda s, ids, out: pupils.update_pupil(s, ids["plain"], {"class_name": "5Z"})),
    "archive a leaver": ((P.EDIT_PUPILS,), lambda s, ids, out: pupils.archive_leaver(s, ids["plain"], TODAY)),
    "add a contact": ((P.EDIT_PUPILS,), lambda s, ids, out: contacts.add_contact(s, ids["plain"], {
        "name": "Kemi Bello", "relationship": "Aunt"})),
    "record consent": ((P.EDIT_PUPILS,), lambda s, ids, out: consent.record_consent(s, ids["plain"], {
        "given_by": "Funmi Adeyemi", "given_on": "01/10/2026", "scope": "Share reports"},
        contact_id=ids["mother"])),
    "put on a register": ((P.EDIT_PUPILS,), lambda s, ids, out: registers.add_entry(
        s, ids["plain"], "looked_after", {"start_date": "01/09/2026"})),
    "import from the MIS": ((P.IMPORT_PUPILS,), lambda s, ids, out: mis_import.commit(
        s, mis_import.preview(s, _mis_file(), name="mis.csv"))),
    "change SEN status": ((P.CHANGE_SEN_STATUS,), lambda s, ids, out: sen_register.change_status(
        s, ids["plain"], "K", TODAY, "Needs identified", ["MLD"])),
    "change needs": ((P.CHANGE_SEN_STATUS,), lambda s, ids, out: sen_register.set_needs(
        s, ids["support"], ["MLD"], TODAY)),
    "move to SEN support by flowchart": ((P.CHANGE_SEN_STATUS,), lambda s, ids, out: concerns.finish(
        s, ids["concerns"], _chart(), ROUTES["sen_support"][0], DISCUSSION, discussion_date=TODAY,
        review_date=TODAY + dt.timedelta(weeks=6))),
    "add a short note": ((P.ADD_NOTES,), lambda s, ids, out: notes.add_note(
        s, ids["plain"], {"event_date": "21/11/2026", "concern": "Quiet today"})),
    "save a concerns draft": ((P.ADD_NOTES,), lambda s, ids, out: concerns.save_draft(
        s, ids["concerns"], _chart(), ROUTES["low_attainment"][0], DISCUSSION, {})),
    "log a support session": ((P.ADD_NOTES, P.MANAGE_PLANS), lambda s, ids, out: apdr.log_delivery(
        s, ids["item"], TODAY, True)),
    "open a pathway": ((P.MANAGE_PLANS,), lambda s, ids, out: apdr.open_pathway(
        s, sen_support_pupil(s) if s.can(P.CHANGE_SEN_STATUS) else ids["plain"], TODAY)),
    "add provision": ((P.MANAGE_PLANS,), lambda s, ids, out: apdr.add_provision(s, ids["cycle"], {
        "description": "Extra reading", "area": "CL", "delivered_by": "Teaching assistant",
        "sessions_per_week": "1", "minutes": "15", "weeks": "10", "rate": "18",
        "group_size": "1"}, TODAY)),
    "involve a specialist": ((P.MANAGE_PLANS,), lambda s, ids, out: specialists.add_involvement(
        s, ids["support"], {"service": "EP", "referral_date": "20/11/2026", "consent": "pending"})),
    "attach a report": ((P.MANAGE_PLANS,), lambda s, ids, out: specialists.attach_report(
        s, ids["involvement"], "more.pdf", b"%PDF-1.7 x", "More", "21/11/2026")),
    "request an EHC needs assessment": ((P.MANAGE_PLANS,), lambda s, ids, out: ehc.add_request(
        s, ids["support"], {"local_authority": "Durham", "consent_on": dt.date(2026, 9, 1),
                            "consent_from": "Mrs Okafor", "head_name": "Mr J Lowe",
                            "head_signed_on": dt.date(2026, 9, 2),
                            "submitted_on": dt.date(2026, 9, 3),
                            "below_readiness_reason": "The family cannot wait for the next cycle."})),
    "read EHC plans": ((P.VIEW_RECORDS,), lambda s, ids, out: ehc.list_plans(s, ids["support"])),
    "build a document": ((P.VIEW_RECORDS,), lambda s, ids, out: build_documents(s, ids["support"], "profile")),
    "import letter templates": ((P.MANAGE_PLANS, P.SETTINGS), lambda s, ids, out: templates.import_templates(
        s, templates.default_bytes())),
    "check a pupil before a transfer": ((P.EXPORT_TRANSFER,), lambda s, ids, out: sending.check_before_sending(
        s, ids["support"])),
    "export a Common Transfer File": ((P.EXPORT_TRANSFER,), lambda s, ids, out: ctf.export_ctf(
        s, ids["support"], out / "pupil.xml")),
    "export the pupil list": ((P.EXPORT_DOCUMENTS, P.IMPORT_PUPILS), lambda s, ids, out: pupil_list.export_csv(
        s, io.StringIO())),
    "export the census": ((P.EXPORT_DOCUMENTS, P.IMPORT_PUPILS), lambda s, ids, out: census.export_census(
        s, out / "census.csv")),
    "export the provision map": ((P.EXPORT_DOCUMENTS,), lambda s, ids, out: provision_map.export_csv(
        s, out / "map.csv")),
    "save a copy of a report": ((P.EXPORT_DOCUMENTS,), lambda s, ids, out: specialists.save_report_copy(
        s, ids["report"], out / "copy.pdf")),
    "read the audit log": ((P.READ_AUDIT,), lambda s, ids, out: audit_log.read_log(s)),
    "add a user": ((P.MANAGE_USERS,), lambda s, ids, out: users.add_user(
        s, "newperson", "New Person", "staff", "tundra-marble-crocus-90")),
    "remove a user": ((P.MANAGE_USERS,), lambda s, ids, out: users.remove_user(s, "ustaff")),
    "reset another's password": ((P.MANAGE_USERS,), lambda s, ids, out: users.change_password(
        s, SENCO, "tundra-marble-crocus-90")),
    "make a backup": ((P.BACKUP,), lambda s, ids, out: backup.backup(   # sealed, on the server,
        s, out / "b.sendesk-backup", password=PASSWORD if s.on_server else None)),  # with theirs
}

# Things every signed-in user may do, whatever their role.
EVERYONE = {
    "change their own password": lambda s, ids, out: users.change_password(
        s, s.user.username, "tundra-marble-crocus-90", PASSWORD),
    "verify the database": lambda s, ids, out: verify_mod.verify(s),
}


# Removing a user re-encrypts the whole file (services/rekey.py), which cannot be one part of
# an outer transaction to roll back: it runs on a copy of the files instead (on the server it
# changes the login's groups, which rolls back like any other change).
ON_A_COPY = {"remove a user"}


def _run_on_a_copy(session, action, ids, out):
    copy = out / "copy" / session.path.name
    copy.parent.mkdir()
    shutil.copyfile(session.path, copy)
    shutil.copyfile(keyfile_path(session.path), keyfile_path(copy))
    other = lifecycle.open_with_data_key(copy, bytes(session.data_key), session.user.username)
    try:
        action(other, ids, out)
    finally:
        other.close()


def _run_and_undo(session, action, ids, out):
    """Run the action, then roll back everything it wrote to the database."""
    with pytest.raises(Rollback):
        with session.db.transaction():
            action(session, ids, out)
            raise Rollback()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_may_do_exactly_what_its_permissions_allow(sessions, school, role, action,
                                                              tmp_path):
    session = sessions[role]
    needed, run = ACTIONS[action]
    allowed = bool(set(needed) & permissions_for(parse_roles(ROLES[role])))
    before = snapshot(session)
    if allowed and action in ON_A_COPY and not session.on_server:
        _run_on_a_copy(session, run, school[1], tmp_path)
    elif allowed:
        _run_and_undo(session, run, school[1], tmp_path)
    else:
        with pytest.raises(PermissionDenied) as refused:
            run(session, school[1], tmp_path)
        assert "does not allow" in str(refused.value) or "Only the SENCO" in str(refused.value)
        assert list(tmp_path.iterdir()) == [], "a refused export still wrote a file"
    assert snapshot(session) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", EVERYONE)
def test_every_role_may_look_after_itself(sessions, school, role, action, tmp_path):
    session = sessions[role]
    if action == "verify the database" and session.on_server:
        # Not inside a transaction: there the server's refusal of the audit log to staff
        # (reported, not raised) would abort the rest; it writes only its own audit entry.
        EVERYONE[action](session, school[1], tmp_path)
        return
    _run_and_undo(session, EVERYONE[action], school[1], tmp_path)


def test_the_promises_in_the_issue_hold_for_staff():
    staff = permissions_for(parse_roles("staff"))
    for forbidden in (P.CHANGE_SEN_STATUS, P.MANAGE_USERS, P.EXPORT_TRANSFER, P.READ_AUDIT,
                      P.BACKUP, P.EXPORT_DOCUMENTS, P.EDIT_PUPILS, P.IMPORT_PUPILS):
        assert forbidden not in staff


@pytest.mark.sqlcipher_only(reason="removes a user for good, so on a copy of the file; on the "
                                   "server: test_server_security's removed user's open session")
def test_a_removed_user_is_refused_even_with_a_session_still_open(school, tmp_path):
    db_path, ids = school
    copy = tmp_path / db_path.name
    shutil.copyfile(db_path, copy)
    shutil.copyfile(keyfile_path(db_path), keyfile_path(copy))
    admin = lifecycle.open_school(copy, SENCO, SENCO_PASSWORD)
    staff = lifecycle.open_school(copy, "ustaff", PASSWORD)
    try:
        users.remove_user(admin, "ustaff")
        with pytest.raises(PermissionDenied, match="removed"):
            pupils.get_pupil(staff, ids["plain"])
        with pytest.raises(PermissionDenied, match="removed"):
            notes.add_note(staff, ids["plain"], {"event_date": "21/11/2026", "concern": "x"})
    finally:
        staff.close()
        admin.close()


# --- every public core function that takes a session checks a permission ----------------------

# Helpers called only inside another action's transaction, after that action's check.
INTERNAL = {
    "sendesk.operations": {"changed", "viewed", "collect", "require_any"},
    "sendesk.records.notifications": {"open_due", "reconcile", "outstanding_params", "whom"},
    "sendesk.records.summary": {"refresh"},
    "sendesk.demo.pathways": {"add_demo_pathways"},  # demo school builders
    "sendesk.demo.ehc": {"add_demo_ehc"},
    "sendesk.demo.provision": {"add_demo_provision", "library_ids"},
    "sendesk.demo.exams_and_stories": {"add_demo_exams_and_stories"},
    # Read inside the provision maps', impact's and governors' report's own operations.
    "sendesk.records.ehc_costs": {"current_lines", "lines_of", "map_rows"},
    "sendesk.records.impact": {"table_for"},
    "sendesk.records.register_figures": {"count_register"},
    "sendesk.records.sen_budget": {"budget_of"},
    "sendesk.store.audit": {"append", "verify"},
    # Called by remove_user and reset_password after their MANAGE_USERS check.
    "sendesk.services.rekey": {"rotate"},
    "sendesk.records.ehc": {"plan_from_row", "requests_of", "plans_of", "plans_of_pupils",
                            "refresh_schedules"},
    "sendesk.records.school_calendar": {"calendar_of"},
    # Reads groups' members and slots for the group operations and the timetable, after theirs.
    "sendesk.records.provision_groups": {"load_groups"},
    # The parts of build_documents, which checks VIEW_RECORDS first (and each repository
    # read_facts calls checks again).
    "sendesk.documents.ehc": {"build_evidence", "build_plan_summary", "current_plan", "plan_line",
                              "profile_parts"},
    "sendesk.documents.facts": {"read_facts"},
    "sendesk.documents.letters": {"build_letters"},
    "sendesk.documents.provision_map": {"build_school_map"},
    # Inside send, open_package and import (EXPORT_TRANSFER), or pupil writes (EDIT_PUPILS).
    "sendesk.records._common": {"today", "pupil_row", "record_changes", "require_editable"},
    "sendesk.records.retention": {"keep_until"},
    "sendesk.transfer.current": {"ours", "end_ours"},
    "sendesk.transfer.receiving": {"make_receipt"},
    "sendesk.transfer.record": {"dump_record"},
    "sendesk.transfer.sending": {"school_keys", "transfers_of"},
    # Inside save_plan and add_provision (MANAGE_PLANS): a new line's library item is offered.
    "sendesk.records.provision_library": {"check_offered"},
    # Inside the MIS import and a received transfer (which check their own permissions), and
    # inside letters and the consent record.
    "sendesk.records.review_requests": {"after_arrival", "after_year_change", "open_for",
                                        "within_weeks", "after_year7_arrival", "open_by_pupil"},
    "sendesk.records.school_contacts": {"stored"},
    # Inside governors_report.figures (VIEW_RECORDS): the map's totals without its rows.
    "sendesk.records.provision_map": {"spend"},
    # Read for the full file, which build_documents checks and audits.
    "sendesk.records.exam_access": {"arrangements_of"},
    "sendesk.records.my_story": {"stories_of"},
    # Called only inside update_pupil, update_contact, amend_note and save_plan.
    "sendesk.records.stale": {"last_change", "require_unchanged"},
    # The temporary copy a server backup is made from, inside backup.backup (BACKUP, audited).
    "sendesk.services.server_move": {"file_copy_for_backup"},
    # The impact table's sums, inside impact.impact_table and impact.table_for's callers.
    "sendesk.records.impact_sums": {"sums"},
    # Clears the kept governors' figures, from a derived rule after any write.
    "sendesk.records.governors_report": {"forget"},
    # Which way a measure improves, said inside the measure and library operations
    # (MANAGE_PLANS) that name it.
    "sendesk.records.measure_directions": {"set_direction"},
    # The sender's answers taken, inside receiving._import (EXPORT_TRANSFER).
    "sendesk.transfer.directions": {"take"},
}
# Open to every signed-in user on purpose (see docs/security.md).


def _core_modules():
    root = Path(sendesk.__file__).parent
    for info in pkgutil.walk_packages([str(root)], "sendesk."):
        if info.name.split(".")[1] in ("ui", "pdf", "cli") or info.ispkg:
            continue
        yield info.name, Path(importlib.import_module(info.name).__file__)


def _undeclared(path: Path) -> list[str]:
    """Public functions taking a session first that are not declared with @operation (nor a
    @derived rule, which the seam runs only after a checked operation)."""
    tree = ast.parse(path.read_text())

    def declared(node) -> bool:
        return any(isinstance(d, ast.Call)
                   and ast.unparse(d.func).split(".")[-1] in ("operation", "derived")
                   for d in node.decorator_list)

    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and not node.name.startswith("_") and node.args.args
            and node.args.args[0].arg == "session" and not declared(node)]


def test_every_core_action_is_declared_on_the_seam():
    """A check written in the body is not enough: the seam must know the permission, so the
    test below can prove it and the window-parity test can find the operation."""
    holes = {}
    for module, path in _core_modules():
        missing = set(_undeclared(path)) - INTERNAL.get(module, set())
        if missing:
            holes[module] = sorted(missing)
    assert holes == {}, (
        "These public functions take a session but are not declared with @operation(...): "
        "declare the permission they need, or, for a helper only ever called inside a declared "
        f"operation, name it in INTERNAL in tests/security/test_access_matrix.py: {holes}")


def test_the_permission_scan_sees_an_undeclared_function(tmp_path):
    """Guard against a vacuous pass: a function with no check, and one checking in its body
    only, are both found; a declared one and a private helper are not."""
    source = tmp_path / "sample.py"
    source.write_text("def leaky(session, pupil_id):\n    return session.db.query('x')\n\n"
                      "def _guard(session):\n    session.require(1)\n\n"
                      "def guarded(session):\n    _guard(session)\n\n"
                      "@operation(P.VIEW_RECORDS)\ndef declared(session):\n    return 1\n")
    assert _undeclared(source) == ["leaky", "guarded"]


def _operation(spec):
    module, _, name = spec.name.rpartition(".")
    while module not in sys.modules or not hasattr(sys.modules[module], name.split(".")[0]):
        module, _, head = module.rpartition(".")
        name = f"{head}.{name}"
    target = sys.modules[module]
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _all_operations():
    for module, _ in _core_modules():
        importlib.import_module(module)
    return sorted(operations.OPERATIONS.values(), key=lambda spec: spec.name)


def test_every_declared_operation_refuses_each_role_without_its_permission(sessions):
    """Read from the seam itself: a new operation is covered the moment it is declared. The
    check runs before the body looks at any argument, so the session alone must be refused."""
    specs = _all_operations()
    assert len(specs) >= 4
    refused = 0
    for session in sessions.values():
        for spec in specs:
            if any(session.can(p) for p in spec.permissions):
                continue
            with pytest.raises(PermissionDenied):
                _operation(spec)(session)
            refused += 1
    assert refused
