"""The SEN register counted, not listed: its size at each census day of a school year by status,
primary need, year group and sex, and the movement on and off it during the year.

The register is counted the way records/census.py reads it for the census return: a pupil on
roll on census day (admitted on or before it, not yet left) whose SEN status that day, from the
status history, is E or K; the primary need is the rank-1 need open that day. census.py reads
one day's pupils by name for the SENCO to check; governors need counts for several days at once,
so the history is read once here and each day is counted in memory (a test holds the two to the
same numbers).

The year group at a past census is the one the pupil was in then: today's year group moved back
one for each September since, as the MIS moves every pupil up each September.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..models.pupils import GENDERS, YEAR_GROUPS, YEAR_RANK
from ..models.school_year import SchoolYear, of_day
from ..models.sen import need_codes, statuses
from ..models.small_numbers import shown_all
from ..session import Session

ON_REGISTER = ("E", "K")


@dataclass(frozen=True)
class Breakdown:
    """Counts of one dimension (status, need, ...) at each census day: counts[row][column]."""

    title: str
    labels: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def column(self, index: int) -> list[int]:
        return [row[index] for row in self.counts]

    def total(self, index: int) -> int:
        return sum(self.column(index))

    def shown(self, index: int) -> list[str]:
        """One census day's cells as every report prints them (table, chart, CSV alike), the
        day's total shown beside them. Taken as known to be at least 1 where non-empty: some
        rows (year groups, "no primary need", "not known" sex) are listed only when a pupil
        has them, and reading every row so keeps the rule one rule (models.small_numbers)."""
        return shown_all(self.column(index), floor=1)


@dataclass(frozen=True)
class RegisterFigures:
    census_days: tuple[dt.date, ...]
    on_roll: tuple[int, ...]            # pupils on roll at each census day
    by_status: Breakdown
    by_need: Breakdown
    by_year: Breakdown
    by_sex: Breakdown
    movement: tuple[tuple[str, int], ...]

    @property
    def register_size(self) -> tuple[int, ...]:
        return tuple(self.by_status.total(i) for i in range(len(self.census_days)))


def census_label(day: dt.date) -> str:
    season = {1: "Spring", 5: "Summer", 10: "Autumn"}.get(day.month, "Census")
    return f"{season} census {day.strftime('%d/%m/%Y')}"


def _on(day: dt.date | str, start: str | None, end: str | None) -> bool:
    """Whether a period [start, end) of ISO dates covers the day (start None: always); the
    day may be given as its ISO text, worked out once for many periods."""
    text = day if isinstance(day, str) else day.isoformat()
    return (start is None or start <= text) and (end is None or end > text)


def count_register(session: Session, year: SchoolYear, days: Sequence[dt.date],
                   today: dt.date) -> RegisterFigures:
    """The register at each of the days (census days of the year reached so far) and the
    movement during the year up to today. No permission check: callers hold VIEW_RECORDS."""
    first, last = min(days), max(days)
    # Each status period that touches the year, with its pupil (a change in the year and the
    # period it ended are both here, which is what the movement needs).
    history = session.db.query(
        "SELECT h.pupil_id, h.status, h.start_date, h.end_date, p.gender, p.year_rank,"
        " p.admission_date, p.leaving_date FROM sen_status_history h"
        " JOIN pupils p ON p.id = h.pupil_id"
        " WHERE h.start_date <= ? AND (h.end_date IS NULL OR h.end_date >= ?)"
        " ORDER BY h.pupil_id, h.start_date, h.id",
        (year.last_day.isoformat(), year.first_day.isoformat()))
    needs: dict[int, list[tuple[str, str, str | None]]] = {}
    for r in session.db.query(
            "SELECT pupil_id, code, start_date, end_date FROM sen_needs WHERE rank = 1"
            " AND start_date <= ? AND (end_date IS NULL OR end_date > ?)"
            " ORDER BY pupil_id, start_date, id", (last.isoformat(), first.isoformat())):
        needs.setdefault(r["pupil_id"], []).append((r["code"], r["start_date"], r["end_date"]))
    this_year = of_day(today).start_year
    status_count = [Counter[str]() for _ in days]
    need_count = [Counter[str]() for _ in days]
    year_count = [Counter[str]() for _ in days]
    sex_count = [Counter[str]() for _ in days]
    years_seen: set[str] = set()
    on_roll = []
    # Pupils counted by admission and leaving dates and year once (an index holds exactly
    # these), then each census day's roll and year groups are counted from the counts.
    cohorts = session.db.query(
        "SELECT admission_date, leaving_date, year_rank, count(*) AS pupils FROM pupils"
        " GROUP BY admission_date, leaving_date, year_rank")
    for day in days:
        shift, text = this_year - of_day(day).start_year, day.isoformat()
        there = [r for r in cohorts if _on(text, r["admission_date"], r["leaving_date"])]
        on_roll.append(sum(int(r["pupils"]) for r in there))
        years_seen.update(_year_group(r["year_rank"], shift) for r in there)
    texts = [day.isoformat() for day in days]
    shifts = [this_year - of_day(day).start_year for day in days]
    for r in history:
        pupil = r
        if r["status"] not in ON_REGISTER:
            continue
        for index, text in enumerate(texts):
            if not _on(text, r["start_date"], r["end_date"]) or not _on_roll(pupil, text):
                continue
            status_count[index][r["status"]] += 1
            need = next((code for code, start, end in reversed(needs.get(r["pupil_id"], []))
                         if _on(text, start, end)), None)
            need_count[index][need or "none"] += 1
            year_count[index][_year_group(pupil["year_rank"], shifts[index])] += 1
            sex_count[index][pupil["gender"]] += 1
    columns = tuple(census_label(d) for d in days)
    need_labels = [code for code in need_codes()] + ["none"]
    need_titles = {code: f"{code}: {rule.label}" for code, rule in need_codes().items()}
    need_titles["none"] = "No primary need recorded"
    kept_needs = [c for c in need_labels
                  if c != "none" or any(counter[c] for counter in need_count)]
    years = [y for y in YEAR_GROUPS if y in years_seen]
    sexes = [s for s in GENDERS if s != "U" or any(c[s] for c in sex_count)]
    return RegisterFigures(
        census_days=tuple(days), on_roll=tuple(on_roll),
        by_status=_breakdown("By status", [f"{s}: {statuses()[s]}" for s in ON_REGISTER],
                             ON_REGISTER, columns, status_count),
        by_need=_breakdown("By primary need", [need_titles[c] for c in kept_needs], kept_needs,
                           columns, need_count),
        by_year=_breakdown("By year group", [_year_title(y) for y in years], years, columns,
                           year_count),
        by_sex=_breakdown("By sex", [GENDERS[s] for s in sexes], sexes, columns, sex_count),
        movement=_movement(history, year, today))


def _on_roll(pupil, day: dt.date | str) -> bool:
    return _on(day, pupil["admission_date"], pupil["leaving_date"])


def _year_group(rank: int, shift: int) -> str:
    at = min(max(int(rank) - shift, YEAR_RANK[YEAR_GROUPS[0]]), YEAR_RANK[YEAR_GROUPS[-1]])
    return YEAR_GROUPS[at - YEAR_RANK[YEAR_GROUPS[0]]]


def _year_title(code: str) -> str:
    return {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"}.get(code, f"Year {code}")


def _breakdown(title: str, labels: Sequence[str], keys: Sequence[str], columns: tuple[str, ...],
               counters: Sequence[Counter[str]]) -> Breakdown:
    return Breakdown(title, tuple(labels), columns,
                     tuple(tuple(counter[key] for counter in counters) for key in keys))


MOVES = ("Added to SEN support (K)", "EHC plan issued (E)", "Moved from an EHC plan to SEN support",
         "Taken off the register (needs met)", "Left the school while on the register")


def _movement(history, year: SchoolYear, today: dt.date) -> tuple[tuple[str, int], ...]:
    """Changes of status that began in the year (up to today), and leavers on the register."""
    end = min(year.last_day, today).isoformat()
    start = year.first_day.isoformat()
    moves: Counter[str] = Counter()
    previous: dict[int, str] = {}
    status_at_leaving: dict[int, str] = {}
    for r in history:
        pupil_id, status = r["pupil_id"], r["status"]
        before = previous.get(pupil_id)
        previous[pupil_id] = status
        if start <= r["start_date"] <= end:
            was_on, now_on = before in ON_REGISTER, status in ON_REGISTER
            if status == "K" and before == "E":
                moves[MOVES[2]] += 1
            elif status == "E" and before != "E":
                moves[MOVES[1]] += 1
            elif status == "K" and not was_on:
                moves[MOVES[0]] += 1
            elif was_on and not now_on:
                moves[MOVES[3]] += 1
        leaving = r["leaving_date"]
        if leaving and start <= leaving <= end and r["start_date"] < leaving and \
                (r["end_date"] is None or r["end_date"] >= leaving):
            status_at_leaving[pupil_id] = status
    moves[MOVES[4]] = sum(1 for s in status_at_leaving.values() if s in ON_REGISTER)
    return tuple((label, moves[label]) for label in MOVES)
