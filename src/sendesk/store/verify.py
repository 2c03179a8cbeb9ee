"""A full health check of an unlocked database: every page's MAC, SQLite's own structure
check, and the audit chain. IT staff run it from `sendesk-cli verify` after copying files."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DamagedDatabase, SendeskError
from ..session import Session
from . import audit


@dataclass
class VerifyReport:
    cipher_problems: list[str] = field(default_factory=list)
    structure_problems: list[str] = field(default_factory=list)
    audit_entries: int = 0
    audit_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.cipher_problems or self.structure_problems or self.audit_problems)

    def lines(self) -> list[str]:
        out = ["Encryption check: " + ("passed" if not self.cipher_problems else
                                       f"FAILED ({len(self.cipher_problems)} damaged pages)"),
               "Database structure: " + ("passed" if not self.structure_problems else "FAILED"),
               f"Audit log ({self.audit_entries} entries): " + ("intact" if not self.audit_problems
                                                               else "TAMPERED")]
        out += [f"  - {problem}" for problem in
                self.cipher_problems[:10] + self.structure_problems[:10] + self.audit_problems]
        return out


def verify(session: Session) -> VerifyReport:
    """Report every problem found; a damaged page must not stop the later checks or the report."""
    report = VerifyReport()
    db = session.db
    report.cipher_problems = [str(row[0]) for row in db.query("PRAGMA cipher_integrity_check")]
    try:
        structure = [str(row[0]) for row in db.query("PRAGMA integrity_check")]
    except DamagedDatabase:
        structure = ["the structure check stopped at a page that cannot be read"]
    report.structure_problems = [] if structure == ["ok"] else structure
    try:
        chain = audit.verify(db)
        report.audit_entries, report.audit_problems = chain.entries, chain.problems
    except DamagedDatabase:
        report.audit_problems = ["the audit log could not be read to the end"]
    try:
        session.audit_now("verified the database", detail={"ok": report.ok})
    except SendeskError:
        # SQLCipher refuses writes once it has met a damaged page; the report matters more.
        if report.ok:
            raise
    return report
