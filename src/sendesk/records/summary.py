"""The register summary held on each pupil row: current status and since when, primary need,
next review due (short notes, registers, the current APDR plan, the EHC plan's annual review)
and the list's flags.

The history tables are the truth; these columns are derived from them in the same transaction
as every change, so that the list can filter 60,000 pupils without joining history. One SQL
statement serves a single pupil and the whole school alike (the demo and imports use it). The
expressions are store/pupil_summary.py's, which the school server's guard checks writes against.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..store import pupil_summary
from ..store.database import Database
from ._common import chunks, placeholders

_SET = "UPDATE pupils SET " + ",\n    ".join(
    f"{column} = {expression}" for column, expression in pupil_summary.COLUMNS.items())


def refresh(db: Database, pupil_ids: Sequence[int] | None = None) -> None:
    """Recompute the summary for some pupils, or for everyone when pupil_ids is None.

    Call inside the transaction that changed the history.
    """
    if pupil_ids is None:
        db.execute(_SET)
        return
    for chunk in chunks(list(pupil_ids)):
        db.execute(_SET + f" WHERE id IN ({placeholders(len(chunk))})", list(chunk))
