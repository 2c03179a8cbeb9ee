"""The register summary held on each pupil row: current status and since when, primary need,
next review due (short notes, registers, the current APDR plan, the EHC plan's annual review)
and the list's flags.

The history tables are the truth; these columns are derived from them in the same transaction
as every change, so that the list can filter 60,000 pupils without joining history. One SQL
statement serves a single pupil and the whole school alike (the demo and imports use it).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models.flags import Flag
from ..store.database import Database
from ._common import chunks, placeholders


def _register_bit(register: str, flag: Flag) -> str:
    return (f"(CASE WHEN EXISTS (SELECT 1 FROM register_entries r WHERE r.pupil_id = pupils.id "
            f"AND r.end_date IS NULL AND r.register = '{register}') THEN {int(flag)} ELSE 0 END)")


_SET = f"""
    UPDATE pupils SET
        sen_status = (SELECT status FROM sen_status_history h
                      WHERE h.pupil_id = pupils.id AND h.end_date IS NULL),
        sen_since = (SELECT start_date FROM sen_status_history h
                     WHERE h.pupil_id = pupils.id AND h.end_date IS NULL),
        primary_need = (SELECT code FROM sen_needs n
                        WHERE n.pupil_id = pupils.id AND n.end_date IS NULL AND n.rank = 1),
        next_review = (SELECT min(due) FROM (
            SELECT review_date AS due FROM short_notes s
            WHERE s.pupil_id = pupils.id AND s.reviewed_on IS NULL AND s.review_date IS NOT NULL
            UNION ALL
            SELECT review_date FROM register_entries r
            WHERE r.pupil_id = pupils.id AND r.end_date IS NULL AND r.review_date IS NOT NULL
            UNION ALL
            SELECT pl.review_date FROM apdr_plans pl JOIN apdr_cycles c ON c.id = pl.cycle_id
            JOIN send_pathways w ON w.id = c.pathway_id
            WHERE w.pupil_id = pupils.id AND w.status = 'open' AND pl.agreed_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM apdr_reviews ar WHERE ar.cycle_id = c.id
                            AND ar.completed_at IS NOT NULL)
            UNION ALL
            SELECT next_review_by FROM ehc_plans e
            WHERE e.pupil_id = pupils.id AND e.ceased_on IS NULL) AS dues),
        flags = {_register_bit('medical', Flag.MEDICAL)}
              | {_register_bit('eal', Flag.EAL)}
              | {_register_bit('looked_after', Flag.LOOKED_AFTER)}
              | {_register_bit('monitoring', Flag.MONITORING)}
              | (CASE WHEN EXISTS (SELECT 1 FROM register_entries r WHERE r.pupil_id = pupils.id
                     AND r.end_date IS NULL AND r.protected_address IS NOT NULL)
                   OR EXISTS (SELECT 1 FROM contacts c WHERE c.pupil_id = pupils.id
                     AND c.ended_on IS NULL AND c.do_not_disclose_address = 1)
                 THEN {int(Flag.PROTECTED_ADDRESS)} ELSE 0 END)
              | (CASE WHEN EXISTS (SELECT 1 FROM parent_notifications_due d
                     WHERE d.pupil_id = pupils.id AND d.cleared_at IS NULL)
                 THEN {int(Flag.NOTIFICATION_DUE)} ELSE 0 END)
"""


def refresh(db: Database, pupil_ids: Sequence[int] | None = None) -> None:
    """Recompute the summary for some pupils, or for everyone when pupil_ids is None.

    Call inside the transaction that changed the history.
    """
    if pupil_ids is None:
        db.execute(_SET)
        return
    for chunk in chunks(list(pupil_ids)):
        db.execute(_SET + f" WHERE id IN ({placeholders(len(chunk))})", list(chunk))
