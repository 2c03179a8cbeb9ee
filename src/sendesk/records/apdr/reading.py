"""Reading pathways, cycles and their parts (assessment, plan, review) from the tables, each
table read once for all the cycles asked for."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from ...errors import StorageError
from ...models import dates, provision
from ...models.apdr import (
    Assessment,
    AssessmentTool,
    Cycle,
    Decision,
    Outcome,
    Pathway,
    Plan,
    Progress,
    ProvisionItem,
    Review,
    SpecialistView,
    Stage,
)
from ...models.specialists import service_label
from ...session import Session
from ...store.database import Row

_Part = TypeVar("_Part", Assessment, Plan, Review)


def _present(part: _Part | None, what: str) -> _Part:
    """A cycle's part that this operation has just saved, or checked is there, read back."""
    if part is None:
        raise StorageError(f"The cycle's {what} could not be read back from the database.")
    return part


def _date(text: str | None) -> dt.date | None:
    return dates.from_text(text)


# Each part of a cycle, read for some cycles at once ({ids}: their ids, or the subquery naming
# a pupil's cycles).
_PARTS = {
    "tools": "SELECT t.* FROM apdr_assessment_tools t JOIN apdr_assessments a"
             " ON a.id = t.assessment_id WHERE a.cycle_id IN ({ids})"
             " AND t.removed_at IS NULL ORDER BY t.position, t.id",
    "assessments": "SELECT * FROM apdr_assessments WHERE cycle_id IN ({ids})",
    "outcomes": "SELECT o.* FROM apdr_outcomes o JOIN apdr_plans p ON p.id = o.plan_id"
                " WHERE p.cycle_id IN ({ids}) AND o.removed_at IS NULL ORDER BY o.position, o.id",
    "items": "SELECT i.* FROM apdr_provision_items i JOIN apdr_plans p ON p.id = i.plan_id"
             " WHERE p.cycle_id IN ({ids}) AND i.removed_at IS NULL ORDER BY i.position, i.id",
    "plans": "SELECT * FROM apdr_plans WHERE cycle_id IN ({ids})",
    "progress": "SELECT p.* FROM apdr_review_progress p JOIN apdr_reviews r"
                " ON r.id = p.review_id WHERE r.cycle_id IN ({ids})",
    "views": "SELECT v.*, i.service, i.service_detail FROM apdr_review_specialist_views v"
             " JOIN specialist_involvements i ON i.id = v.involvement_id"
             " JOIN apdr_reviews r ON r.id = v.review_id WHERE r.cycle_id IN ({ids})"
             " ORDER BY i.referral_date, i.id",
    "reviews": "SELECT r.*, s.shared_on FROM apdr_reviews r"
               " LEFT JOIN apdr_review_shares s ON s.review_id = r.id WHERE r.cycle_id IN ({ids})",
}
_PUPILS_CYCLES = ("SELECT c.id FROM apdr_cycles c JOIN send_pathways w ON w.id = c.pathway_id"
                  " WHERE w.pupil_id = ?")


class _CycleParts:
    """The assessments, plans and reviews of some cycles, each table read once for all of them
    (a record with years of cycles otherwise cost ten queries a cycle to open), and every
    table's read sent in one batch when whole cycles are wanted (on the school server one
    round trip instead of eight)."""

    def __init__(self, session: Session, cycle_ids: Sequence[int],
                 fetched: dict[str, list[Row]] | None = None) -> None:
        self.db = session.db
        self.ids = [int(cycle_id) for cycle_id in cycle_ids]
        self._fetched = dict(fetched or {})

    def _statement(self, part: str) -> tuple[str, list[int]]:
        return _PARTS[part].replace("{ids}", ",".join("?" * len(self.ids))), self.ids

    def _rows(self, part: str) -> list[Row]:
        if part in self._fetched:
            return self._fetched[part]
        if not self.ids:
            return []
        return self.db.query(*self._statement(part))

    def _fetch_all(self) -> None:
        wanted = [part for part in _PARTS if part not in self._fetched]
        if wanted and self.ids:
            found = self.db.query_batch([self._statement(part) for part in wanted])
            self._fetched.update(zip(wanted, found, strict=True))

    @functools.cached_property
    def assessments(self) -> dict[int, Assessment]:
        tools: dict[int, list[AssessmentTool]] = {}
        for t in self._rows("tools"):
            tools.setdefault(t["assessment_id"], []).append(
                AssessmentTool(t["id"], t["tool"], _date(t["used_on"]), t["result"]))
        return {row["cycle_id"]: Assessment(
                    row["id"], row["cycle_id"], _date(row["assessed_on"]), row["parent_views"],
                    row["child_views"], row["strengths"], row["needs"], row["primary_need"],
                    tuple(tools.get(row["id"], ())), row["completed_at"] is not None,
                    row["entered_at"])
                for row in self._rows("assessments")}

    @functools.cached_property
    def plans(self) -> dict[int, Plan]:
        found: dict[int, list[Outcome]] = {}
        for o in self._rows("outcomes"):
            found.setdefault(o["plan_id"], []).append(
                Outcome(o["id"], o["position"], o["text"], o["measure"], _date(o["target_date"]),
                        o["area"], o["pfa_area"], o["measure_name"] or ""))
        items: dict[int, list[ProvisionItem]] = {}
        for i in self._rows("items"):
            items.setdefault(i["plan_id"], []).append(item_from_row(i))
        return {row["cycle_id"]: Plan(
                    row["id"], row["cycle_id"], row["aspirations"], _date(row["plan_date"]),
                    _date(row["review_date"]), _date(row["shared_on"]),
                    tuple(found.get(row["id"], ())), tuple(items.get(row["id"], ())),
                    row["agreed_at"] is not None, row["entered_at"],
                    row["responsible_teacher"] or "", row["key_worker"] or "")
                for row in self._rows("plans")}

    @functools.cached_property
    def reviews(self) -> dict[int, Review]:
        progress: dict[int, dict[int, tuple[Progress | None, str]]] = {}
        for p in self._rows("progress"):
            progress.setdefault(p["review_id"], {})[p["outcome_id"]] = (
                Progress(p["progress"]) if p["progress"] else None, p["comment"])
        views: dict[int, list[SpecialistView]] = {}
        for v in self._rows("views"):
            views.setdefault(v["review_id"], []).append(SpecialistView(
                v["involvement_id"], service_label(v["service"], v["service_detail"]), v["view"],
                v["given_as"]))
        return {row["cycle_id"]: Review(
                    row["id"], row["cycle_id"], _date(row["held_on"]), row["attendees"],
                    row["child_views"], row["parent_views"], row["staff_views"],
                    bool(row["at_risk_of_exclusion"]),
                    Decision(row["decision"]) if row["decision"] else None, row["decision_notes"],
                    progress.get(row["id"], {}), tuple(views.get(row["id"], ())),
                    row["completed_at"] is not None, row["entered_at"], _date(row["shared_on"]))
                for row in self._rows("reviews")}

    def cycle(self, row: Row) -> Cycle:
        self._fetch_all()
        return Cycle(row["id"], row["pathway_id"], row["number"], Stage(row["stage"]),
                     dt.date.fromisoformat(row["started_on"]), self.assessments.get(row["id"]),
                     self.plans.get(row["id"]), self.reviews.get(row["id"]))


def _assessment(session: Session, cycle_id: int) -> Assessment | None:
    return _CycleParts(session, [cycle_id]).assessments.get(int(cycle_id))


def item_from_row(row: Row) -> ProvisionItem:
    return ProvisionItem(
        id=row["id"], plan_id=row["plan_id"], position=row["position"],
        description=row["description"], area=row["area"], delivered_by=row["delivered_by"],
        group_size=row["group_size"], sessions_per_week=_sessions(row["sessions_per_week"]),
        minutes=row["minutes"], weeks=row["weeks"],
        cost_basis=provision.CostBasis(row["cost_basis"]), rate_pence=row["rate_pence"],
        recommendation_id=row["recommendation_id"], started_on=_date(row["started_on"]),
        ended_on=_date(row["ended_on"]), end_reason=row["end_reason"],
        library_id=row["library_id"])


def _sessions(value: float) -> Decimal:
    number = Decimal(str(value))
    return Decimal(int(number)) if number == number.to_integral_value() else number


def _plan(session: Session, cycle_id: int) -> Plan | None:
    return _CycleParts(session, [cycle_id]).plans.get(int(cycle_id))


def _review(session: Session, cycle_id: int) -> Review | None:
    return _CycleParts(session, [cycle_id]).reviews.get(int(cycle_id))


def _cycle_from_row(session: Session, row: Row) -> Cycle:
    return _CycleParts(session, [row["id"]]).cycle(row)


def _pathways_from_rows(session: Session, rows: Sequence[Row],
                        cycle_rows: Sequence[Row] | None = None,
                        parts: _CycleParts | None = None) -> list[Pathway]:
    cycles: dict[int, list[Row]] = {row["id"]: [] for row in rows}
    if cycles and cycle_rows is None:
        cycle_rows = session.db.query(
            "SELECT * FROM apdr_cycles WHERE pathway_id IN"
            f" ({','.join('?' * len(cycles))}) ORDER BY pathway_id, number", list(cycles))
    for c in cycle_rows or ():
        cycles[c["pathway_id"]].append(c)
    if parts is None:
        parts = _CycleParts(session, [c["id"] for found in cycles.values() for c in found])
    return [Pathway(row["id"], row["pupil_id"], Stage(row["stage"]), row["status"] == "open",
                    dt.date.fromisoformat(row["opened_on"]), _date(row["closed_on"]),
                    Decision(row["close_decision"]) if row["close_decision"] else None,
                    tuple(parts.cycle(c) for c in cycles[row["id"]]))
            for row in rows]


def _pathways_of_pupil(session: Session, pupil_id: int) -> list[Pathway]:
    """Every pathway of a pupil with all its cycles, oldest first: the pathways, their cycles
    and the cycles' eight parts read in one batch (one round trip on the school server)."""
    pupil = [int(pupil_id)]
    found = session.db.query_batch(
        [("SELECT * FROM send_pathways WHERE pupil_id = ? ORDER BY opened_on, id", pupil),
         ("SELECT c.* FROM apdr_cycles c JOIN send_pathways w ON w.id = c.pathway_id"
          " WHERE w.pupil_id = ? ORDER BY c.pathway_id, c.number", pupil)]
        + [(sql.replace("{ids}", _PUPILS_CYCLES), pupil) for sql in _PARTS.values()])
    rows, cycle_rows, *part_rows = found
    parts = _CycleParts(session, [c["id"] for c in cycle_rows],
                        dict(zip(_PARTS, part_rows, strict=True)))
    return _pathways_from_rows(session, rows, cycle_rows, parts)


def _pathway_from_row(session: Session, row: Row) -> Pathway:
    return _pathways_from_rows(session, [row])[0]
