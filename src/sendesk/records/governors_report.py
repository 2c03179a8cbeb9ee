"""The figures for the governors' SEND report and the school's SEN Information Report, for one
school year: counts, never names.

* the register at each census day of the year (status, primary need, year group, sex) and
  the movement on and off it (records/register_figures.py);
* SEN support reviews due in the year and whether they were held by the date agreed with the
  parents, and EHC plans' annual reviews held within the year the law allows;
* EHC needs assessment requests sent in the year and whether the LA kept to the statutory
  weeks (models.ehc.timeline, as the EHC tab shows each request);
* provision spend a year against the notional SEN budget (records.provision_map), for the
  current school year only: the map costs the provision in force today, and a past year's
  plans and groups as they then stood are not kept costed, so a past year's report leaves the
  section out and says so (PAST_SPEND) rather than show this year's figures under its name;
* an impact summary of the year's provision (records.impact).

Counts under 5 are shown as "fewer than 5" wherever the figures leave sendesk (the document,
the CSV, the screen): models.small_numbers holds the rule, applied where the figures are
shown, so the numbers here stay exact for the rule to work on.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ValidationError
from ..models import dates, provision
from ..models import ehc as ehc_rules
from ..models import impact as impact_rules
from ..models.ehc import MilestoneState
from ..models.roles import Permission
from ..models.school_year import SchoolYear, parse_school_year
from ..models.small_numbers import FEWER, shown_for_csv, shown_related
from ..operations import operation, viewed
from ..session import Session
from . import csv_safe, ehc, impact, provision_map
from ._common import today
from .register_figures import Breakdown, RegisterFigures, count_register
from .school_calendar import calendar_of


@dataclass(frozen=True)
class Spend:
    as_of: dt.date
    sen_support_pence: int        # SEN support provision in force, a year
    ehc_school_pence: int         # EHC plans' school part, a year
    ehc_topup_pence: int          # the LA's top-up, a year
    budget_pence: int | None      # the notional SEN budget (None: not set)

    @property
    def school_pence(self) -> int:
        return self.sen_support_pence + self.ehc_school_pence


@dataclass(frozen=True)
class GovernorsFigures:
    year: SchoolYear
    as_of: dt.date
    register: RegisterFigures
    sen_reviews: tuple[tuple[str, int], ...]
    ehc_reviews: tuple[tuple[str, int], ...]
    requests: tuple[tuple[str, int], ...]
    spend: Spend | None           # None: a past year (PAST_SPEND says why)
    impact: impact.ImpactTable


PAST_SPEND = ("Spend against the notional SEN budget is shown in the report for the current "
              "school year only: it is the provision in force today costed for a whole year, "
              "and no budget is kept for a past year to set it against. The impact of a past "
              "year's provision, with what it cost in that year, is in the section on impact.")


# The figures last worked out for each open session, by year: a school year's figures take
# most of a second at a county's 60,000 pupils, and the window asks for them again for every
# preview (a year chosen, chosen back). They are kept only while nothing has changed: any
# write through this session clears them (forget(), a rule in records/derived.py), the key
# holds the file's data_version, which changes when another process (sendesk-cli, a second
# window) commits, and today's date. On the school server other PCs' writes leave no such
# counter, so nothing is kept there.
_KEPT: weakref.WeakKeyDictionary[Session, dict[tuple, GovernorsFigures]] = \
    weakref.WeakKeyDictionary()


def forget(session: Session) -> None:
    """Something was written: the next figures are worked out afresh."""
    _KEPT.pop(session, None)


def _kept_key(session: Session, year: SchoolYear, day: dt.date) -> tuple | None:
    if session.on_server:
        return None
    # The year's days follow the school's term dates, which a write also changes.
    return (year.label, year.first_day, year.last_day, day, session.db.data_version())


@operation(Permission.VIEW_RECORDS, writes=False, audit="viewed the governors' report figures")
def figures(session: Session, year: SchoolYear | str, *, audit: bool = True) -> GovernorsFigures:
    """The year's figures, worked out from the record as it stands (audited as one read,
    unless a caller that audits its own use, such as the export, says audit=False)."""
    day = today(session)
    calendar = calendar_of(session)     # the year's days by the school's own term dates
    chosen = parse_school_year(year, day, calendar) if isinstance(year, str) else \
        year.in_calendar(calendar)
    key = _kept_key(session, chosen, day)
    result = _KEPT.get(session, {}).get(key) if key is not None else None
    if result is None:
        result = _work_out(session, chosen, day)
        if key is not None:
            kept = _KEPT.setdefault(session, {})
            if any(k[-2:] != key[-2:] for k in kept):
                kept.clear()      # a change from outside, or a new day: the rest are stale
            kept[key] = result
    if audit:
        viewed(session, None, None, year=chosen.label,
               register=result.register.register_size[-1])
    return result


def _work_out(session: Session, chosen: SchoolYear, day: dt.date) -> GovernorsFigures:
    days = [d for d in chosen.census_days() if d <= day]
    if not days:
        raise ValidationError(f"No census day of {chosen.label} has come yet, so there are no "
                              "register figures for it.", field="year")
    until = min(chosen.last_day, day)
    spent = provision_map.spend(session) if chosen.contains(day) else None
    return GovernorsFigures(
        year=chosen, as_of=day, register=count_register(session, chosen, days, day),
        sen_reviews=_sen_reviews(session, chosen, day), ehc_reviews=_ehc_reviews(session, chosen, day),
        requests=_requests(session, chosen, day),
        spend=None if spent is None else Spend(
            day, spent.sen_support_pence, spent.ehc_school_pence, spent.ehc_topup_pence,
            spent.budget_pence),
        impact=impact.table_for(session, chosen.first_day, until))


REVIEW_LABELS = ("Held by the date agreed", "Held late", "Due and not yet held", "Not yet due")


# SEN support plans whose review fell due in the year, counted by what became of the review
# (records/impact_facts.py keeps each agreed plan's review date and held review beside it): one
# row per outcome, not one per plan.
_SEN_REVIEWS = """
    SELECT t.outcome, count(*) AS plans FROM (
        SELECT CASE WHEN held_on IS NOT NULL AND held_on <= review_date THEN 0
                    WHEN held_on IS NOT NULL THEN 1
                    WHEN pathway_open = 0 THEN -1
                    WHEN review_date < ? THEN 2
                    ELSE 3 END AS outcome
        FROM plan_reviews WHERE review_date >= ? AND review_date <= ?) t
    GROUP BY t.outcome
"""


def _sen_reviews(session: Session, year: SchoolYear, day: dt.date) -> tuple[tuple[str, int], ...]:
    """SEN support plans whose review fell due in the year: held on time, late, or not yet (a
    pathway closed without the review owes nothing: outcome -1, not counted)."""
    counts: Counter[str] = Counter()
    today_text = day.isoformat()
    for r in session.db.query(_SEN_REVIEWS, (today_text, year.first_day.isoformat(),
                                             year.last_day.isoformat())):
        if int(r["outcome"]) >= 0:
            counts[REVIEW_LABELS[int(r["outcome"])]] += int(r["plans"])
    return tuple((label, counts[label]) for label in REVIEW_LABELS)


EHC_REVIEW_LABELS = ("Held within 12 months", "Held late", "Overdue")


def _ehc_reviews(session: Session, year: SchoolYear, day: dt.date) -> tuple[tuple[str, int], ...]:
    """EHC annual reviews held in the year, within a year of the plan or the last review."""
    counts: Counter[str] = Counter()
    last: dict[int, str] = {}
    for r in session.db.query(
            "SELECT e.id, e.issued_on, v.held_on FROM ehc_plans e JOIN ehc_reviews v"
            " ON v.plan_id = e.id WHERE v.held_on IS NOT NULL AND v.held_on <= ?"
            " ORDER BY e.id, v.held_on, v.id", (year.last_day.isoformat(),)):
        since = dt.date.fromisoformat(last.get(r["id"], r["issued_on"]))
        held = dt.date.fromisoformat(r["held_on"])
        last[r["id"]] = r["held_on"]
        if year.contains(held):
            counts[EHC_REVIEW_LABELS[0] if held <= dates.add_years(since, 1)
                   else EHC_REVIEW_LABELS[1]] += 1
    until = min(year.last_day, day).isoformat()
    counts[EHC_REVIEW_LABELS[2]] = int(session.db.scalar(
        "SELECT count(*) FROM ehc_plans e JOIN pupils p ON p.id = e.pupil_id"
        " WHERE e.ceased_on IS NULL AND p.archived_at IS NULL AND e.next_review_by IS NOT NULL"
        " AND e.next_review_by < ?", (until,)) or 0)
    return tuple((label, counts[label]) for label in EHC_REVIEW_LABELS)


REQUEST_LABELS = (
    "Requests sent to the LA", "LA decided whether to assess", "LA decided within 6 weeks",
    "LA decided late", "Decision overdue", "Decision not yet due", "Withdrawn before a decision",
    "LA agreed to assess", "LA decided not to assess", "Final plan issued within 20 weeks",
    "Final plan issued late", "Final plan overdue", "Final plan not yet due",
    "No plan issued after assessment", "Withdrawn after the LA agreed to assess")
SENT, DECIDED, AGREED = REQUEST_LABELS[0], REQUEST_LABELS[1], REQUEST_LABELS[7]
# Every sum a reader can see in the rows, declared so that no hidden row can be worked out
# from the others (models.small_numbers.shown_related). Each request is in exactly one row of
# each group, so each group adds up to the row above it: every request sent was decided, or
# is overdue, not yet due, or was withdrawn first; a decision was to assess or not; and every
# request the LA agreed to assess ended in a final plan (on time or late), is overdue or not
# yet due, ended with no plan, or was withdrawn first. "Decided" is printed so that the sums
# form a tree, which is what lets the rule read them together exactly.
REQUEST_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (SENT, (DECIDED, *REQUEST_LABELS[4:7])),
    (DECIDED, REQUEST_LABELS[2:4]),
    (DECIDED, REQUEST_LABELS[7:9]),
    (AGREED, REQUEST_LABELS[9:15]))

# Each statutory milestone's state (models.ehc.timeline) as the row of its group it counts in:
# "not needed" is the request withdrawn before it (or, for the final plan, no plan to issue).
_DECISION_ROWS = dict(zip(
    (MilestoneState.DONE, MilestoneState.LATE, MilestoneState.OVERDUE, MilestoneState.UPCOMING,
     MilestoneState.DUE, MilestoneState.NOT_NEEDED), (*REQUEST_LABELS[2:6], *REQUEST_LABELS[5:7]),
    strict=True))
_FINAL_ROWS = dict(zip(
    (MilestoneState.DONE, MilestoneState.LATE, MilestoneState.OVERDUE, MilestoneState.UPCOMING,
     MilestoneState.DUE), (*REQUEST_LABELS[9:13], REQUEST_LABELS[12]), strict=True))


def _request_rows(request: ehc_rules.EhcnaRequest, day: dt.date) -> list[str]:
    """The rows one request counts in: one of each group REQUEST_SUMS adds up that it is in."""
    states = {m.key: m.state for m in ehc_rules.timeline(request, day)}
    rows = [SENT, _DECISION_ROWS[states["decision"]]]
    if request.decision_on is None:
        return rows
    rows.append(DECIDED)
    if request.decision is not ehc_rules.AssessDecision.ASSESS:
        return [*rows, REQUEST_LABELS[8]]
    final = _FINAL_ROWS.get(states["final"])
    if final is None:
        final = REQUEST_LABELS[13] if request.plan_decision is ehc_rules.PlanDecision.NOT_ISSUE \
            else REQUEST_LABELS[14]
    return [*rows, AGREED, final]


def _requests(session: Session, year: SchoolYear, day: dt.date) -> tuple[tuple[str, int], ...]:
    counts: Counter[str] = Counter()
    for row in session.db.query(
            "SELECT * FROM ehcna_requests WHERE submitted_on >= ? AND submitted_on <= ?",
            (year.first_day.isoformat(), year.last_day.isoformat())):
        counts.update(_request_rows(ehc.request_from_row(row), day))
    return tuple((label, counts[label]) for label in REQUEST_LABELS)


def shown_pairs(pairs: tuple[tuple[str, int], ...]) -> list[str]:
    """A block of labelled counts (movement, reviews, requests) as the document, its chart and
    the CSV all print it. Only the requests' rows add up to one another (REQUEST_SUMS): the
    movement rows, the reviews' outcomes and the EHC reviews have no total printed beside them
    (nor one a reader could find elsewhere: the census days are not the year's first and last
    days, so the register's change between them is not the movement), so each is shown or
    hidden alone."""
    return shown_related(pairs, REQUEST_SUMS if pairs and pairs[0][0] == SENT else ())


# --- CSV ----------------------------------------------------------------------------------------
CSV_HEADER = ("section", "measure", "when", "value")


def _breakdown_rows(section: str, found: Breakdown) -> Iterator[tuple[str, str, str, str]]:
    for index, column in enumerate(found.columns):
        cells = found.shown(index)
        for label, cell in zip(found.labels, cells, strict=True):
            yield section, label, column, cell.replace(",", "")


def csv_rows(found: GovernorsFigures) -> Iterator[tuple[str, str, str, str]]:
    """Every figure as one row (section, measure, when, value), small counts hidden."""
    reg = found.register
    year = found.year.label
    for index, column in enumerate(reg.by_status.columns):
        yield "register", "Pupils on roll", column, shown_for_csv(reg.on_roll[index])
        yield "register", "On the SEN register (E and K)", column, \
            shown_for_csv(reg.by_status.total(index))
    for section, breakdown in (("register by status", reg.by_status),
                               ("register by primary need", reg.by_need),
                               ("register by year group", reg.by_year),
                               ("register by sex", reg.by_sex)):
        yield from _breakdown_rows(section, breakdown)
    for section, pairs in (("movement", reg.movement), ("SEN support reviews", found.sen_reviews),
                           ("EHC annual reviews", found.ehc_reviews),
                           ("EHC needs assessment requests", found.requests)):
        for (label, _), cell in zip(pairs, shown_pairs(pairs), strict=True):
            yield section, label, year, cell.replace(",", "")
    spend = found.spend
    if spend is None:
        yield "spend", "Not shown for a past year", year, PAST_SPEND
    else:
        yield from _spend_rows(spend)
    # The impact rows hidden as the table hides them (an item's groups with it), and groups
    # named by their library item and a number, never by the name typed for them.
    counts, _ = impact_rules.shown_counts(found.impact.lines)
    names = impact_rules.public_names(found.impact.lines)
    for line in found.impact.summary_lines():
        label = f"{names[line.provision]} ({line.measure}" + (
            ", lower is better)" if line.lower_is_better else ")")
        shown_counts = counts[(line.provision, line.measure)]
        if shown_counts["pupils"] == FEWER:
            yield "impact", label, year, "fewer than 5 pupils"
        else:
            yield "impact", label, year, line.summary(shown_counts)


def _spend_rows(spend: Spend) -> Iterator[tuple[str, str, str, str]]:
    money = provision.money_for_csv
    when = f"a year, as at {dates.format_uk(spend.as_of)}"
    yield "spend", "SEN support provision", when, money(spend.sen_support_pence)
    yield "spend", "EHC plans: the school's part", when, money(spend.ehc_school_pence)
    yield "spend", "School's spend", when, money(spend.school_pence)
    yield "spend", "EHC plans: the LA's top-up", when, money(spend.ehc_topup_pence)
    yield "spend", "Notional SEN budget", when, \
        "not set" if spend.budget_pence is None else money(spend.budget_pence)


@operation(Permission.EXPORT_DOCUMENTS, writes=False,
           audit="exported the governors' report figures")
def export_csv(session: Session, year: SchoolYear | str, path: Path) -> GovernorsFigures:
    """Write the year's figures as formula-safe CSV, all or nothing; audited as an export."""
    found = figures(session, year, audit=False)
    rows = csv_safe.export_file(Path(path), CSV_HEADER, csv_rows(found))
    viewed(session, None, None, year=found.year.label, rows=rows)
    return found
