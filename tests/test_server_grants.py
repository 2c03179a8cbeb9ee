"""The school server's grants (models/server_grants.py) cover every table the migrations make
and every audited action that changes no table, so a new table or a new export can never be
left open (or unusable) on the server. No server is needed: these read the code."""

from __future__ import annotations

import importlib
import pkgutil

import sendesk
from sendesk import operations
from sendesk.models import server_grants
from sendesk.models.roles import GRANTS, Permission, Role
from sendesk.store import derived_facts, server_security
from sendesk.store.database import Database


def test_every_migrated_table_is_named_in_the_grants(tmp_path):
    db = Database(tmp_path / "s.sendesk", bytes(32), create=True)
    try:
        db.migrate()
        tables = {t for t in db.table_names() if t != "sqlite_sequence"}
    finally:
        db.close()
    assert set(server_grants.EVERY_TABLE) == tables
    assert len(server_grants.EVERY_TABLE) == len(tables)     # and each in one group only
    named = {g.table for grants in server_grants.MATRIX.values() for g in grants}
    assert named <= tables
    assert set(server_grants.MATRIX) == set(Permission)


def _all_operations() -> dict[str, operations.OpSpec]:
    for info in pkgutil.walk_packages(sendesk.__path__, "sendesk."):
        if info.name.split(".")[1] not in ("ui", "pdf", "demo") and not info.ispkg:
            importlib.import_module(info.name)
    return operations.OPERATIONS


def test_every_audited_read_that_needs_more_than_viewing_is_checked_by_the_server():
    """An export, a backup, reading the log: only their audit entry reaches the server, so
    sendesk_audit_append must know which roles may write each (derived here from the seam)."""
    wanted: dict[str, frozenset[Permission]] = {}
    for spec in _all_operations().values():
        if spec.audit and not spec.writes and Permission.VIEW_RECORDS not in spec.permissions:
            wanted[spec.audit] = wanted.get(spec.audit, frozenset()) | frozenset(spec.permissions)
    assert server_grants.AUDIT_ONLY == wanted


def test_staff_hold_only_what_the_matrix_gives_them():
    staff = server_grants.privileges(Role.STAFF)
    writes = {(p.table, p.privilege, p.column) for p in staff if p.privilege != "SELECT"}
    assert {t for t, _, _ in writes} == {"short_notes", "register_entries", "apdr_delivery_log",
                                         "concern_runs", "concern_answers", "field_changes",
                                         "pupils"}
    assert {c for t, _, c in writes if t == "pupils"} == set(server_grants.PUPIL_SUMMARY)
    reads = {p.table for p in staff if p.privilege == "SELECT"}
    assert "audit_log" not in reads
    assert "sen_status_history" not in {t for t, _, _ in writes}
    assert server_grants.row_rules(Role.STAFF)[("short_notes", "UPDATE")] == \
        "(author_id = sendesk_user_id())"
    assert server_grants.row_rules(Role.STAFF)[("meta", "SELECT")] == \
        "(key <> 'signing_private_key')"


def test_a_role_gains_a_permissions_grants_when_the_matrix_gives_it(monkeypatch):
    monkeypatch.setitem(GRANTS, Role.STAFF, GRANTS[Role.STAFF] | {Permission.READ_AUDIT})
    assert server_grants.Privilege("audit_log", "SELECT") in server_grants.privileges(Role.STAFF)
    assert Role.STAFF in (server_grants.audit_roles("read the audit log") or ())


def test_no_role_writes_a_derived_table_and_every_role_may_work_them_out():
    """The facts derived from pathways are written only by the owner's functions, which run
    store/derived_facts.py's SQL: the grants' list of derived tables is that module's."""
    assert set(server_grants.DERIVED_TABLES) == {
        table.name for facts in derived_facts.EVERY_FACTS for table in facts.tables}
    for role in Role:
        held = {p.privilege for p in server_grants.privileges(role)
                if p.table in server_grants.DERIVED_TABLES}
        assert held == {"SELECT"}, role
    calls = {name.split("(")[0] for name, roles in server_security.API.items()
             if set(roles) == set(Role)}
    for facts in derived_facts.EVERY_FACTS:
        assert {derived_facts.function(facts, what) for what in
                ("rebuild", "refresh", "forget_deleted")} <= calls
