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
from ..models.year_fit import describe_year
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


# A status period as count_register reads it: pupil id, status, its start and end, and the
# pupil's sex, year rank, admission and leaving dates.
_Period = tuple[int, str, str, str | None, str, int, str | None, str | None]


def count_register(session: Session, year: SchoolYear, days: Sequence[dt.date],
                   today: dt.date) -> RegisterFigures:
    """The register at each of the days (census days of the year reached so far) and the
    movement during the year up to today. No permission check: callers hold VIEW_RECORDS."""
    first, last = min(days), max(days)
    # Each status period that touches the year, with its pupil (a change in the year and the
    # period it ended are both here, which is what the movement needs): plain tuples, unpacked
    # in the loops below, since reading 10,000 rows' fields by name three times over was 50 ms
    # on the server, whose rows are named in Python (store/server_rows.py).
    history: list[_Period] = [tuple(r) for r in session.db.query(
        "SELECT h.pupil_id, h.status, h.start_date, h.end_date, p.gender, p.year_rank,"
        " p.admission_date, p.leaving_date FROM sen_status_history h"
        " JOIN pupils p ON p.id = h.pupil_id"
        " WHERE h.start_date <= ? AND (h.end_date IS NULL OR h.end_date >= ?)"
        " ORDER BY h.pupil_id, h.start_date, h.id",
        (year.last_day.isoformat(), year.first_day.isoformat()))]
    needs: dict[int, list[tuple[str, str, str | None]]] = {}
    for pupil_id, code, begun, ended in session.db.query(
            "SELECT pupil_id, code, start_date, end_date FROM sen_needs WHERE rank = 1"
            " AND start_date <= ? AND (end_date IS NULL OR end_date > ?)"
            " ORDER BY pupil_id, start_date, id", (last.isoformat(), first.isoformat())):
        needs.setdefault(pupil_id, []).append((code, begun, ended))
    this_year = of_day(today).start_year
    texts = [day.isoformat() for day in days]
    shifts = [this_year - of_day(day).start_year for day in days]
    years_seen: set[str] = set()
    on_roll = []
    # Pupils counted by admission and leaving dates and year once (an index holds exactly
    # these), then each census day's roll and year groups are counted from the counts.
    # A period [start, end) of ISO dates covers a day when it started on or before it (or has
    # no start) and ends after it (or has no end): the loops below, which run tens of thousands
    # of times at 60,000 pupils, say so inline.
    cohorts = [(admitted, left, rank, int(pupils))
               for admitted, left, rank, pupils in session.db.query(
                   "SELECT admission_date, leaving_date, year_rank, count(*) AS pupils FROM pupils"
                   " GROUP BY admission_date, leaving_date, year_rank")]
    for text, shift in zip(texts, shifts, strict=True):
        there, ranks = 0, set()
        for admitted, left, rank, pupils in cohorts:
            if (admitted is None or admitted <= text) and (left is None or left > text):
                there += pupils
                ranks.add(rank)
        on_roll.append(there)
        years_seen.update(_year_group(rank, shift) for rank in ranks)
    # Each day's register counted once by status, primary need, year rank and sex together,
    # then split into the four breakdowns (a few hundred keys, not one count per pupil each).
    together: list[Counter[tuple[str, str, int, str]]] = [Counter() for _ in days]
    for pupil_id, status, start, end, gender, year_rank, admitted, left in history:
        if status not in ON_REGISTER:
            continue
        pupil_needs = needs.get(pupil_id, ())
        for index, text in enumerate(texts):
            if not ((start is None or start <= text) and (end is None or end > text)
                    and (admitted is None or admitted <= text) and (left is None or left > text)):
                continue
            need = None
            for code, begun, ended in reversed(pupil_needs):    # the latest begun that day
                if (begun is None or begun <= text) and (ended is None or ended > text):
                    need = code
                    break
            together[index][(status, need or "none", year_rank, gender)] += 1
    status_count = [Counter[str]() for _ in days]
    need_count = [Counter[str]() for _ in days]
    year_count = [Counter[str]() for _ in days]
    sex_count = [Counter[str]() for _ in days]
    for index, counted in enumerate(together):
        for (status, need, rank, gender), pupils in counted.items():
            status_count[index][status] += pupils
            need_count[index][need] += pupils
            year_count[index][_year_group(rank, shifts[index])] += pupils
            sex_count[index][gender] += pupils
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
        by_year=_breakdown("By year group", [describe_year(y) for y in years], years, columns,
                           year_count),
        by_sex=_breakdown("By sex", [GENDERS[s] for s in sexes], sexes, columns, sex_count),
        movement=_movement(history, year, today))


def _year_group(rank: int, shift: int) -> str:
    at = min(max(int(rank) - shift, YEAR_RANK[YEAR_GROUPS[0]]), YEAR_RANK[YEAR_GROUPS[-1]])
    return YEAR_GROUPS[at - YEAR_RANK[YEAR_GROUPS[0]]]




def _breakdown(title: str, labels: Sequence[str], keys: Sequence[str], columns: tuple[str, ...],
               counters: Sequence[Counter[str]]) -> Breakdown:
    return Breakdown(title, tuple(labels), columns,
                     tuple(tuple(counter[key] for counter in counters) for key in keys))


MOVES = ("Added to SEN support (K)", "EHC plan issued (E)", "Moved from an EHC plan to SEN support",
         "Taken off the register (needs met)", "Left the school while on the register")


def _movement(history: list[_Period], year: SchoolYear,
              today: dt.date) -> tuple[tuple[str, int], ...]:
    """Changes of status that began in the year (up to today), and leavers on the register."""
    end = min(year.last_day, today).isoformat()
    start = year.first_day.isoformat()
    moves: Counter[str] = Counter()
    previous: dict[int, str] = {}
    status_at_leaving: dict[int, str] = {}
    for pupil_id, status, began, ended, _, _, _, leaving in history:
        before = previous.get(pupil_id)
        previous[pupil_id] = status
        if start <= began <= end:
            was_on, now_on = before in ON_REGISTER, status in ON_REGISTER
            if status == "K" and before == "E":
                moves[MOVES[2]] += 1
            elif status == "E" and before != "E":
                moves[MOVES[1]] += 1
            elif status == "K" and not was_on:
                moves[MOVES[0]] += 1
            elif was_on and not now_on:
                moves[MOVES[3]] += 1
        if leaving and start <= leaving <= end and began < leaving and \
                (ended is None or ended >= leaving):
            status_at_leaving[pupil_id] = status
    moves[MOVES[4]] = sum(1 for s in status_at_leaving.values() if s in ON_REGISTER)
    return tuple((label, moves[label]) for label in MOVES)
