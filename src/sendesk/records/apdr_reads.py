"""Reads the APDR wizard needs that the pathway repository does not give: whose cycle it is.

The window never runs SQL or sees a raw row; it asks for the typed pupil here.
"""

from __future__ import annotations

from ..errors import ValidationError
from ..models.pupils import Pupil
from ..models.roles import Permission
from ..operations import operation
from ..session import Session
from .pupils import pupil_from_row


@operation(Permission.VIEW_RECORDS, writes=False)
def cycle_pupil(session: Session, cycle_id: int) -> Pupil:
    """The pupil whose SEND pathway the cycle belongs to (not audited: the wizard is opened
    from the pupil's record, which was)."""
    row = session.db.query_one(
        "SELECT pu.* FROM pupils pu JOIN send_pathways p ON p.pupil_id = pu.id"
        " JOIN apdr_cycles c ON c.pathway_id = p.id WHERE c.id = ?", (int(cycle_id),))
    if row is None:
        raise ValidationError("That cycle is not in this database.", field="cycle")
    return pupil_from_row(row)
