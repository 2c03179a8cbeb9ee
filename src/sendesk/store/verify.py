"""A full health check of an unlocked database: every page's MAC, SQLite's own structure
check, and the audit chain. IT staff run it from `sendesk-cli verify` after copying files."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    report = VerifyReport()
    db = session.db
    report.cipher_problems = [str(row[0]) for row in db.query("PRAGMA cipher_integrity_check")]
    structure = [str(row[0]) for row in db.query("PRAGMA integrity_check")]
    report.structure_problems = [] if structure == ["ok"] else structure
    chain = audit.verify(db)
    report.audit_entries, report.audit_problems = chain.entries, chain.problems
    session.audit_now("verified the database", detail={"ok": report.ok})
    return report
