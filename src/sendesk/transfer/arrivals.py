"""What a package would add to a pupil already on this school's roll, one decision at a time.

A package for a pupil this school already holds must change nothing the user has not chosen:
a contact with parental responsibility added silently is the next letter going to a stranger.
So every record the package holds about the pupil (each contact, consent, SEN status, need,
register entry, pathway, EHC plan, note...) is listed here, described in plain words, for the
user to add or leave out. A record's own details (a pathway's cycles and plans, a contact's
letters) follow it; a few kinds that only make sense together (the change history, the EHC
checklist's answers, the parent notifications due) are one decision each.

Decisions use the receiving wizard's words for a conflict: "theirs" adds, "ours" leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..models import dates
from .record import TableInfo

ADD = "add"
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Addition:
    key: str          # "add:<table>:<row id>", or "add:<table>" for a whole table
    label: str
    text: str
    warning: str = ""


def _day(value: Any) -> str:
    try:
        day = dates.from_text(str(value)[:10]) if value else None
    except ValueError:
        day = None
    return dates.format_uk(day) if day else str(value or "")


def _since(row: Row, start: str, end: str) -> str:
    text = f"from {_day(row.get(start))}" if row.get(start) else ""
    if row.get(end):
        return f"{text} to {_day(row.get(end))}".strip()
    return f"{text} (current)".strip()


def _short(value: Any, length: int = 80) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= length else text[:length - 1] + "…"


def _contact(row: Row) -> tuple[str, str, str]:
    text = f"{row.get('name')} ({row.get('relationship')})"
    if row.get("ended_on"):
        text += f", no longer a contact since {_day(row['ended_on'])}"
    warning = ("Has parental responsibility: letters and notifications would go to them."
               if row.get("parental_responsibility") and not row.get("ended_on") else "")
    return "New contact", text, warning


def _status(row: Row) -> tuple[str, str, str]:
    current = not row.get("end_date")
    return ("SEN status", f"{row.get('status')} {_since(row, 'start_date', 'end_date')}",
            "Would change the pupil's SEN status here." if current else "")


def _plan(row: Row) -> tuple[str, str, str]:
    text = f"Issued {_day(row.get('issued_on'))} by {row.get('local_authority')}"
    if row.get("ceased_on"):
        text += f", ceased {_day(row['ceased_on'])}"
    return "EHC plan", text, "" if row.get("ceased_on") else "Would be this pupil's current EHC plan."


DESCRIBE: dict[str, Callable[[Row], tuple[str, str, str]]] = {
    "contacts": _contact,
    "sen_status_history": _status,
    "sen_needs": lambda r: ("SEN need", f"{r.get('code')} (rank {r.get('rank')}) "
                            f"{_since(r, 'start_date', 'end_date')}", ""),
    "consents": lambda r: ("Consent", f"Given by {r.get('given_by')} on {_day(r.get('given_on'))}"
                           f": {_short(r.get('scope'))}"
                           + (f" (withdrawn {_day(r['withdrawn_on'])})" if r.get("withdrawn_on")
                              else ""), ""),
    "register_entries": lambda r: ("Register entry", f"{str(r.get('register')).replace('_', ' ')} "
                                   f"{_since(r, 'start_date', 'end_date')}", ""),
    "send_pathways": lambda r: ("SEND pathway", f"{r.get('stage')} stage, opened "
                                f"{_day(r.get('opened_on'))} ({r.get('status')}), with its "
                                "cycles, plans and reviews", ""),
    "ehc_plans": _plan,
    "ehcna_requests": lambda r: ("EHC needs assessment request",
                                 f"To {r.get('local_authority')}"
                                 + (f", submitted {_day(r['submitted_on'])}" if r.get("submitted_on")
                                    else ""), ""),
    "ehcna_exceptions": lambda r: ("Exception before an EHC request",
                                   f"{str(r.get('kind')).replace('_', ' ')}, recorded "
                                   f"{_day(r.get('recorded_on'))}", ""),
    "specialist_involvements": lambda r: ("Specialist involvement",
                                          f"{r.get('service')}"
                                          + (f" ({r['professional']})" if r.get("professional")
                                             else "")
                                          + f", referred {_day(r.get('referral_date'))}", ""),
    "concern_runs": lambda r: ("Initial concerns flowchart",
                               f"{r.get('flowchart_title')} ({r.get('status')})"
                               + (f": {r['outcome_title']}" if r.get("outcome_title") else ""), ""),
    "exam_access_arrangements": lambda r: ("Exam access arrangement",
                                           f"{str(r.get('arrangement')).replace('_', ' ')}, "
                                           f"valid {_day(r.get('valid_from'))} to "
                                           f"{_day(r.get('valid_to'))}", ""),
    "my_story": lambda r: ("My Story", f"Written {_day(r.get('written_on'))}, shared with "
                           f"consent given {_day(r.get('consent_on'))}", ""),
    "short_notes": lambda r: ("Note", f"{_day(r.get('event_date'))}: {_short(r.get('concern'))}", ""),
}
# Kinds whose rows are one decision between them: answers or entries that mean little apart.
WHOLE_TABLE = {
    "field_changes": "Change history from the previous school",
    "ehcna_checklist": "EHC needs assessment checklist answers",
    "parent_notifications_due": "Parent notifications the previous school had due",
}


def additions(record: Mapping[str, Any], tables: list[TableInfo],
              held: Mapping[str, Mapping[int, Any]]) -> list[Addition]:
    """Every record the package would add to a pupil already here, in schema order. A row
    this school already holds (record.already_held: the same school sent it before) adds
    nothing, so it is not offered."""
    found = []
    for table in tables:
        here = held.get(table.name, {})
        rows = [row for index, row in enumerate(record["tables"].get(table.name, []))
                if index not in here]
        if not rows or table.parents.get(table.owner) != "pupils":
            continue   # a record's own details travel with it
        if table.name in WHOLE_TABLE or not table.has_id:
            label = WHOLE_TABLE.get(table.name, table.name.replace("_", " ").capitalize())
            found.append(Addition(f"{ADD}:{table.name}", label,
                                  f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}"))
            continue
        describe = DESCRIBE.get(table.name)
        for row in rows:
            if describe is None:
                label, text, warning = (table.name.replace("_", " ").capitalize(),
                                        "an entry of the previous school's", "")
            else:
                label, text, warning = describe(row)
            found.append(Addition(f"{ADD}:{table.name}:{row['id']}", label, text, warning))
    return found


def left_out(decisions: Mapping[str, str], keys: list[str], ours: str
             ) -> tuple[set[tuple[str, int]], set[str]]:
    """The rows (table, package id) and whole tables the user chose to leave out."""
    rows: set[tuple[str, int]] = set()
    whole: set[str] = set()
    for key in keys:
        if decisions.get(key) != ours:
            continue
        _, table, *row_id = key.split(":")
        if row_id:
            rows.add((table, int(row_id[0])))
        else:
            whole.add(table)
    return rows, whole
