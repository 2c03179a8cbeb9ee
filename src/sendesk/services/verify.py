"""A full health check of an unlocked database: every page's MAC, SQLite's own structure
check, the audit chain, and the facts derived from the records recounted from scratch. IT staff
run it from `sendesk-cli verify` after copying files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import DamagedDatabase, PermissionDenied, SendeskError
from ..models.roles import Permission
from ..operations import operation
from ..session import Session
from ..store import audit, derived_facts, migrations, server_security
from ..store.database import Database


@dataclass
class VerifyReport:
    cipher_problems: list[str] = field(default_factory=list)
    structure_problems: list[str] = field(default_factory=list)
    audit_entries: int = 0
    audit_problems: list[str] = field(default_factory=list)
    safeguard_problems: list[str] = field(default_factory=list)
    # Each derived table (store/derived_facts.py) that differs from a recount from the records.
    derived_problems: list[str] = field(default_factory=list)
    # On the school server: None on a file, else how the live grants differ from the matrix.
    grant_problems: list[str] | None = None

    # Set when the signed-in account may not read the log: its chain was not checked at all.
    audit_unread: str | None = None

    def _audit_line(self) -> str:
        if self.audit_unread is not None:
            return "Audit log: not checked (" + self.audit_unread + ")"
        return (f"Audit log ({self.audit_entries} entries): "
                + ("intact" if not self.audit_problems else "TAMPERED"))

    @property
    def ok(self) -> bool:
        return not (self.cipher_problems or self.structure_problems or self.audit_problems
                    or self.safeguard_problems or self.derived_problems or self.grant_problems
                    or self.audit_unread is not None)

    def lines(self) -> list[str]:
        # On the server SQLCipher is not in play: the disk's encryption is IT's, not checked here.
        encryption = ("Encryption at rest: the server's own (not checked by sendesk)"
                      if self.grant_problems is not None else
                      "Encryption check: " + ("passed" if not self.cipher_problems else
                                              f"FAILED ({len(self.cipher_problems)} damaged pages)"))
        out = [encryption,
               "Database structure: " + ("passed" if not self.structure_problems else "FAILED"),
               self._audit_line(),
               "Safeguards (triggers that keep history unchangeable): "
               + ("in place" if not self.safeguard_problems else "REMOVED OR CHANGED"),
               "Facts worked out from the records (impact, plan reviews, pathways' plans): "
               + ("match a recount" if not self.derived_problems else "DIFFERENT FROM A RECOUNT")]
        if self.grant_problems is not None:
            out.append("Server permissions (grants, row security, group members): "
                       + ("as the permission matrix says" if not self.grant_problems
                          else "DIFFERENT FROM THE PERMISSION MATRIX"))
        out += [f"  - {problem}" for problem in
                self.cipher_problems[:10] + self.structure_problems[:10] + self.audit_problems
                + self.safeguard_problems + self.derived_problems + (self.grant_problems or [])]
        return out


@operation(Permission.VIEW_RECORDS, writes=False)
def verify(session: Session, anchors: Sequence[audit.Anchor] = ()) -> VerifyReport:
    """Report every problem found; a damaged page must not stop the later checks or the report.

    anchors (from backup.audit_anchor) extend the audit check to history cut off and re-chained
    by someone holding the key, back to when each backup was made."""
    report = VerifyReport()
    db = session.db
    report.cipher_problems = db.cipher_problems()
    try:
        report.structure_problems = db.structure_problems()
    except DamagedDatabase:
        report.structure_problems = ["the structure check stopped at a page that cannot be read"]
    try:
        chain = audit.verify(db, anchors)
        report.audit_entries, report.audit_problems = chain.entries, chain.problems
    except DamagedDatabase:
        report.audit_problems = ["the audit log could not be read to the end"]
    except PermissionDenied:   # on the school server, only those who may read the log
        report.audit_unread = ("your account may not read it: ask the SENCO or an "
                               "administrator to run verify")
    try:
        report.safeguard_problems = safeguard_problems(db)
    except DamagedDatabase:
        report.safeguard_problems = ["the safeguards could not be read"]
    try:
        report.derived_problems = derived_facts.problems(db)
    except DamagedDatabase:
        report.derived_problems = ["the facts worked out from the records could not be recounted"]
    if db.engine == "postgresql":
        # Someone with the owner's password can grant anything by hand: this names it.
        report.grant_problems = server_security.problems(db)
    try:
        session.audit_now("verified the database", detail={"ok": report.ok})
    except SendeskError:
        # SQLCipher refuses writes once it has met a damaged page; the report matters more.
        if report.ok:
            raise
    return report


def expected_triggers() -> dict[str, str]:
    """The triggers this sendesk's migrations create, built in memory for comparison."""
    return _normalised(migrations.expected_triggers())


def _normalised(triggers: dict[str, str]) -> dict[str, str]:
    return {name: " ".join(sql.split()) for name, sql in triggers.items()}


def safeguard_problems(db: Database) -> list[str]:
    """Anyone holding the key can drop the triggers that refuse edits to the audit log and to
    finished records; the chain shows what was then changed, and this shows that the guard
    itself was taken down (even if nothing was changed yet)."""
    found = _normalised(db.triggers())
    problems = []
    for name, sql in sorted(expected_triggers().items()):
        if name not in found:
            problems.append(f"the safeguard {name} has been removed")
        elif found[name] != sql:
            problems.append(f"the safeguard {name} has been changed")
    return problems
