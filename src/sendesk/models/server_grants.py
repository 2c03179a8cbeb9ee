"""What each permission of the matrix (models/roles.py) lets a login do to the tables on the
school server. PostgreSQL's grants, column grants and row-security policies are generated
from this one table (store/server_security.py), and `sendesk-cli verify URL` compares the live
ones with it, so the server enforces exactly what the app enforces and cannot drift from it:
change GRANTS in roles.py and the server's group roles follow at the next ``server upgrade``.

A role's privileges are the union of its permissions' entries. Every table is named here at
least once (a test checks each migrated table is), so a new table is never silently open or
silently unusable on the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .roles import GRANTS, Permission, Role

WRITE = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class TableGrant:
    """Privileges on one table. ``columns`` limits UPDATE to those columns; ``rows`` is a row
    condition (SQL over the table's columns; ``sendesk_user_id()`` is the signed-in user's id)
    that row security applies to this permission's privileges on the table."""

    table: str
    privileges: tuple[str, ...]
    columns: tuple[str, ...] | None = None
    rows: str | None = None


# Everything that holds a pupil's record (what a records transfer brings, what the SENCO edits).
RECORD_TABLES = (
    "apdr_assessment_tools", "apdr_assessments", "apdr_cycles", "apdr_delivery_log",
    "apdr_outcomes", "apdr_plans", "apdr_provision_items", "apdr_review_progress",
    "apdr_review_shares", "apdr_review_specialist_views", "apdr_reviews", "class_handovers",
    "concern_answers", "concern_runs", "consents", "contacts", "ehc_outcome_steps",
    "ehc_outcomes", "ehc_plans", "ehc_provision", "ehc_reviews", "ehcna_checklist",
    "ehcna_exceptions", "ehcna_requests", "exam_access_arrangements", "field_changes",
    "measure_directions", "my_story", "need_reviews", "parent_notifications",
    "parent_notifications_due", "provision_group_members", "provision_group_slots",
    "provision_groups", "provision_library", "provision_measures", "pupils", "register_entries",
    "review_requests", "school_terms", "sen_needs", "sen_status_history", "send_pathways",
    "short_notes", "specialist_involvements", "specialist_recommendations",
    "specialist_reports", "specialist_visits")
TRANSFER_TABLES = ("transfers", "transfer_scans", "key_checks", "known_senders")
# Written only through sendesk_audit_append (never by a grant); the log is read with
# READ_AUDIT only, its head (a count and a hash, naming nobody) by everyone.
AUDIT_TABLES = ("audit_log", "audit_head")
SCHOOL_TABLES = ("meta", "users")
# Facts derived from the records by rules (records/derived.py, store/derived_facts.py),
# rewritten inside whatever write changed a pathway. Everyone reads them; nobody writes them:
# on the server the rules call the owner's functions (store/server_security.py), which work the
# rows out from the records with the file's own SQL, so a login can only ever make them true.
DERIVED_TABLES = ("impact_lines", "impact_reviews", "plan_reviews", "pathway_plans",
                  "impact_line_outcomes", "impact_line_measures")
EVERY_TABLE = RECORD_TABLES + DERIVED_TABLES + TRANSFER_TABLES + AUDIT_TABLES + SCHOOL_TABLES

# The pupil list's summary, recomputed after every write (records/summary.py) by whoever made
# it; the SEN status among them may only say what sen_status_history says unless the login may
# change SEN status (a trigger checks, see store/server_security.py).
PUPIL_SUMMARY = ("sen_status", "sen_since", "primary_need", "next_review", "flags")
USER_CHANGES = ("full_name", "roles", "active", "removed_at")

# The author of a note, or of a monitoring entry, is the signed-in user.
_OWN_NOTES = "author_id = sendesk_user_id()"
_MONITORING = "register = 'monitoring'"
# The school's transfer signing key (meta) signs the packages other schools trust: only those
# who send and receive transfers, or back the school up, read it, and nobody writes it.
_NOT_KEYS = ("key NOT IN ('signing_private_key', 'signing_public_key', 'database_id', "
             "'school_name', 'urn', 'la_code', 'estab', 'created_at')")
_NOT_PRIVATE_KEY = "key <> 'signing_private_key'"


def _writes(*tables: str) -> tuple[TableGrant, ...]:
    return tuple(TableGrant(t, WRITE) for t in tables)


MATRIX: dict[Permission, tuple[TableGrant, ...]] = {
    Permission.VIEW_RECORDS: tuple(TableGrant(t, ("SELECT",)) for t in
                                   RECORD_TABLES + DERIVED_TABLES + TRANSFER_TABLES
                                   + ("users", "audit_head"))
    + (TableGrant("meta", ("SELECT",), rows=_NOT_PRIVATE_KEY),
       TableGrant("field_changes", ("INSERT",)),
       TableGrant("pupils", ("UPDATE",), columns=PUPIL_SUMMARY)),
    Permission.ADD_NOTES: (
        TableGrant("short_notes", ("INSERT", "UPDATE"), rows=_OWN_NOTES),
        TableGrant("register_entries", ("INSERT", "UPDATE"), rows=_MONITORING),
        TableGrant("apdr_delivery_log", ("INSERT", "UPDATE")),
        TableGrant("concern_runs", WRITE), TableGrant("concern_answers", WRITE)),
    Permission.EDIT_PUPILS: _writes("pupils", "contacts", "consents", "register_entries",
                                    "parent_notifications", "parent_notifications_due",
                                    "send_pathways", "school_terms"),
    Permission.IMPORT_PUPILS: _writes("pupils", "contacts", "register_entries"),
    Permission.CHANGE_SEN_STATUS: _writes(
        "sen_status_history", "sen_needs", "parent_notifications", "parent_notifications_due",
        "concern_runs", "concern_answers", "register_entries", "send_pathways",
        "apdr_assessments", "apdr_assessment_tools", "ehcna_requests", "ehc_plans",
        "ehc_outcomes", "ehc_outcome_steps", "ehc_reviews", "specialist_involvements",
        "specialist_visits", "specialist_reports", "specialist_recommendations",
        "need_reviews"),
    Permission.MANAGE_PLANS: _writes(*(t for t in RECORD_TABLES if t not in (
        "pupils", "contacts", "consents", "sen_status_history", "sen_needs")))
    + (TableGrant("meta", WRITE, rows=_NOT_KEYS),),
    Permission.EXPORT_DOCUMENTS: (),
    Permission.EXPORT_TRANSFER: _writes(*RECORD_TABLES, *TRANSFER_TABLES)
    + (TableGrant("meta", ("SELECT",)),),
    # A username and id never change once made (the audit log names people by them).
    Permission.MANAGE_USERS: (TableGrant("users", ("INSERT",)),
                              TableGrant("users", ("UPDATE",), columns=USER_CHANGES)),
    Permission.BACKUP: tuple(TableGrant(t, ("SELECT",)) for t in AUDIT_TABLES + ("meta",)),
    Permission.SETTINGS: _writes("school_terms", "review_requests", "pupils")
    + (TableGrant("meta", WRITE, rows=_NOT_KEYS),),
    Permission.READ_AUDIT: tuple(TableGrant(t, ("SELECT",)) for t in AUDIT_TABLES),
}

# Audited actions that change no table, so that their audit entry is the only thing the server
# sees of them: an export, a backup, reading the log. sendesk_audit_append refuses each one to
# a login whose roles lack all the permissions named (a test derives this from the operations
# the core declares, so a new export cannot be left out).
AUDIT_ONLY: dict[str, frozenset[Permission]] = {
    "exported the school to a file": frozenset({Permission.BACKUP}),
    "moved the school to the school server": frozenset({Permission.MANAGE_USERS}),
    "answered a subject access request": frozenset({Permission.READ_AUDIT}),
    "checked a pupil's file before a transfer": frozenset({Permission.EXPORT_TRANSFER}),
    "exported a Common Transfer File": frozenset({Permission.EXPORT_TRANSFER}),
    "exported a document": frozenset({Permission.EXPORT_DOCUMENTS}),
    "exported the SEND agenda as a calendar": frozenset({Permission.EXPORT_DOCUMENTS}),
    "exported the census check": frozenset({Permission.EXPORT_DOCUMENTS, Permission.IMPORT_PUPILS}),
    "exported the costed provision map": frozenset({Permission.EXPORT_DOCUMENTS}),
    "exported the governors' report figures": frozenset({Permission.EXPORT_DOCUMENTS}),
    "exported the impact of provision": frozenset({Permission.EXPORT_DOCUMENTS}),
    "exported the pupil list": frozenset({Permission.EXPORT_DOCUMENTS, Permission.IMPORT_PUPILS}),
    "made a backup": frozenset({Permission.BACKUP}),
    "opened a records-transfer package": frozenset({Permission.EXPORT_TRANSFER}),
    "printed a document": frozenset({Permission.EXPORT_DOCUMENTS}),
    "read the audit log": frozenset({Permission.READ_AUDIT}),
    "saved a copy of a specialist report": frozenset({Permission.EXPORT_DOCUMENTS}),
    "saved a transfer receipt": frozenset({Permission.EXPORT_TRANSFER}),
}


@dataclass(frozen=True)
class Privilege:
    """One privilege a role holds on one table (``column`` for a column-only UPDATE)."""

    table: str
    privilege: str
    column: str | None = None


def grants_for(permissions: Iterable[Permission]) -> list[TableGrant]:
    return [grant for permission in sorted(permissions, key=lambda p: p.name)
            for grant in MATRIX[permission]]


def privileges(role: Role) -> frozenset[Privilege]:
    """What the role's group may do, with a whole-table UPDATE absorbing column UPDATEs."""
    found: set[Privilege] = set()
    for grant in grants_for(GRANTS[role]):
        for privilege in grant.privileges:
            if privilege == "UPDATE" and grant.columns is not None:
                found |= {Privilege(grant.table, privilege, c) for c in grant.columns}
            else:
                found.add(Privilege(grant.table, privilege))
    whole = {(p.table, p.privilege) for p in found if p.column is None}
    return frozenset(p for p in found if p.column is None or (p.table, p.privilege) not in whole)


def row_rules(role: Role) -> dict[tuple[str, str], str | None]:
    """For each (table, privilege) the role holds on a row-secured table: None if every row,
    else the row condition (several permissions' are OR-ed; any unconditional one wins)."""
    secured = row_secured_tables()
    rules: dict[tuple[str, str], list[str | None]] = {}
    for grant in grants_for(GRANTS[role]):
        if grant.table in secured:
            for privilege in grant.privileges:
                rules.setdefault((grant.table, privilege), []).append(grant.rows)
    return {key: None if None in conditions else " OR ".join(
        f"({c})" for c in sorted({c for c in conditions if c is not None}))
        for key, conditions in rules.items()}


def row_secured_tables() -> tuple[str, ...]:
    """Tables where some permission is limited to some rows: row security is on there."""
    return tuple(sorted({g.table for grants in MATRIX.values() for g in grants if g.rows}))


def audit_roles(action: str) -> frozenset[Role] | None:
    """The roles that may write an audit entry with this action (None: every role)."""
    needed = AUDIT_ONLY.get(action)
    if needed is None:
        return None
    return frozenset(role for role, granted in GRANTS.items() if granted & needed)
