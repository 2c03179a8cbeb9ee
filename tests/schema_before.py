"""For the upgrade tests: the code as it stood before a derived table existed, so a school
can be made at an older schema through the operations and then upgraded."""

from __future__ import annotations

import pytest

from sendesk import operations
from sendesk.models import server_grants
from sendesk.records import derived


def before_pathway_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before migration 19: no rule keeping records/pathway_plans.py's table, and no grants
    naming it (the server's grants are installed for the tables the schema has)."""
    monkeypatch.setattr(operations, "_RULES", [(kinds, rule) for kinds, rule in operations.rules()
                                               if rule is not derived.refresh_pathway_plans])
    monkeypatch.setattr(server_grants, "EVERY_TABLE", tuple(
        t for t in server_grants.EVERY_TABLE if t != "pathway_plans"))
    monkeypatch.setattr(server_grants, "MATRIX", {
        permission: tuple(g for g in grants if g.table != "pathway_plans")
        for permission, grants in server_grants.MATRIX.items()})
