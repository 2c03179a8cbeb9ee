"""The pupil list's summary columns as SQL over the history tables, one expression a column,
each correlated to the pupil row as ``pupils.id``.

Held here, below the records layer, because two places must compute exactly the same values:
records/summary.py writes them after every change, and on the school server the guard trigger
(store/server_security.py) refuses a write of any other value, so nobody with psql and their own
password can hide a review that is due or a protected address from the list.
"""

from __future__ import annotations

from ..models.flags import Flag


def _register_bit(register: str, flag: Flag) -> str:
    return (f"(CASE WHEN EXISTS (SELECT 1 FROM register_entries r WHERE r.pupil_id = pupils.id "
            f"AND r.end_date IS NULL AND r.register = '{register}') THEN {int(flag)} ELSE 0 END)")


SEN_STATUS = ("(SELECT status FROM sen_status_history h"
              " WHERE h.pupil_id = pupils.id AND h.end_date IS NULL)")
SEN_SINCE = ("(SELECT start_date FROM sen_status_history h"
             " WHERE h.pupil_id = pupils.id AND h.end_date IS NULL)")
PRIMARY_NEED = ("(SELECT code FROM sen_needs n"
                " WHERE n.pupil_id = pupils.id AND n.end_date IS NULL AND n.rank = 1)")
NEXT_REVIEW = """(SELECT min(due) FROM (
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
            WHERE e.pupil_id = pupils.id AND e.ceased_on IS NULL) AS dues)"""
FLAGS = f"""({_register_bit('medical', Flag.MEDICAL)}
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
                 THEN {int(Flag.NOTIFICATION_DUE)} ELSE 0 END))"""

# The SEN status part, which only a login that may change SEN status may write otherwise (a
# transfer's arrival), and the part nobody writes but by working it out.
STATUS_COLUMNS = {"sen_status": SEN_STATUS, "sen_since": SEN_SINCE, "primary_need": PRIMARY_NEED}
WORKED_OUT_COLUMNS = {"next_review": NEXT_REVIEW, "flags": FLAGS}
COLUMNS = {**STATUS_COLUMNS, **WORKED_OUT_COLUMNS}
