"""The demo school's provision that shows its impact: plan lines picked from the school's
library, entry and exit measures on them over several terms (different interventions with
different gains, so the impact charts have something to say at once), and groups made from
the library with their weekly times and members, including one that ended last term; each
EHC plan's provision costed, and a notional SEN budget for the school's spend to be set against.

Everything is written through the repositories the app uses (the library a new school starts
with, apdr's plans, measures, provision_groups), inside one transaction, like the pathways.

    add_demo_provision(session, seed=2026)      (after add_demo_pathways)
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ..records import ehc_costs, measures, provision_groups, provision_library, provision_map, sen_budget
from ..session import Session

# The demo's provision (demo/catalogue.py) filled from the library item of the same kind.
LIBRARY_FOR = {
    "Precision teaching of sight words": "Precision teaching",
    "Phonics catch-up group": "Phonics catch-up group",
    "Maths intervention (Numicon)": "Maths catch-up group",
    "Word Aware vocabulary group": "Oral language group",
    "Talk Boost language group": "Oral language group",
    "Nurture group": "Nurture group",
    "Zones of Regulation group": "Self-regulation group",
    "Fine-motor skills group (Clever Hands)": "Handwriting and fine motor group",
    "Lego-based therapy": "Social communication group",
    "Daily check-in with a key adult": "Mentoring",
    "Physiotherapy programme practice": "Physiotherapy programme",
}


@dataclass(frozen=True)
class Effect:
    """How an intervention is measured in the demo, and the gain it makes (mean, spread)."""

    kind: str
    name: str
    entry: tuple[float, float]   # mean and spread of the entry value
    gain: tuple[float, float]


# Each measured with its library item's first measure, by the library's own name (so one
# intervention's impact is one row, and the Entry and exit form offers the name the demo used).
EFFECTS = {
    "Precision teaching": Effect("school_scale", "Words read correctly a minute", (24, 8),
                                 (14, 6)),
    "Phonics catch-up group": Effect("school_scale", "Phonics screening check score",
                                     (18, 5), (8, 4)),
    "Maths catch-up group": Effect("standardised", "Sandwell numeracy standardised score",
                                   (82, 6), (6, 4)),
    "Oral language group": Effect("standardised", "Standardised language score", (80, 7),
                                  (3, 3)),
    "Nurture group": Effect("school_scale", "Boxall Profile developmental strands score",
                            (70, 12), (11, 6)),
    "Handwriting and fine motor group": Effect(
        "school_scale", "Handwriting speed (letters a minute)", (38, 9), (9, 5)),
    "Social communication group": Effect("school_scale",
                                         "School's own social communication scale",
                                         (12, 4), (4, 3)),
    "Mentoring": Effect("school_scale", "School's own wellbeing scale", (38, 8), (6, 5)),
    # Months: a spelling age, so the impact table shows months gained and the ratio gain.
    "Spelling group": Effect("spelling_age", "Spelling age", (98, 10), (3, 1.5)),
    # Better lower (the library marks it so): the score falls as the pupil improves, and the
    # impact table shows the fall as a gain.
    "Self-regulation group": Effect("school_scale", "SDQ emotional symptoms score", (7, 2),
                                    (-2.5, 1.5)),
}
PHONICS_OUT_OF = 40      # the phonics screening check is marked out of 40
EHC_LINES = [   # each current EHC plan's provision, costed (the LA's banding letter)
    {"description": "Teaching assistant support, 15 hours a week", "area": "CL",
     "delivered_by": "Teaching assistant", "frequency": "3 hours a day", "school": "6000",
     "topup": "7450"},
    {"description": "Speech and language therapy programme", "area": "CI",
     "delivered_by": "NHS speech and language therapist", "frequency": "Half-termly visit",
     "school": "0", "topup": "1200"},
]

GROUPS = [   # made from the library: name, library item, staff, days and times, place,
    # years, the term it began (0 this term, -1 the last) and the weeks it ran (None: running),
    # and how many minutes a session, when it meets for less than the library item's usual
    ("Year 2 phonics group", "Phonics catch-up group", "Mrs Khan", [(1, "09:10", "09:30"),
     (2, "09:10", "09:30"), (3, "09:10", "09:30"), (5, "09:10", "09:30")], "Room 4",
     ("2", "1", "3"), -1, 11, None),
    ("Key Stage 2 spelling group", "Spelling group", "Mr Lloyd",
     [(2, "13:15", "13:35"), (3, "13:15", "13:35"), (4, "13:15", "13:35")], "Library",
     ("4", "5", "6"), 0, 7, None),
    ("Nurture breakfast group", "Nurture group", "Ms Fraser", [(1, "08:30", "08:55"),
     (2, "08:30", "08:55"), (3, "08:30", "08:55"), (4, "08:30", "08:55")], "Nurture room",
     ("1", "2", "3", "4"), 0, None, 25),
]
# The notional SEN budget is set a little above what the demo's provision comes to, rounded to
# the next £5,000, so a newcomer's whole-school map reads as a school's would, whatever the size.
BUDGET_HEADROOM = 1.05
BUDGET_STEP_PENCE = 500_000


def library_ids(session: Session) -> dict[str, int]:
    """The demo's provision descriptions to the school's library item ids (those it has)."""
    by_name = {item.name: item.id for item in provision_library.list_items(session)}
    return {description: by_name[name] for description, name in LIBRARY_FOR.items()
            if name in by_name}


def measured_value(kind: str, value: float) -> float:
    """A value drawn for the demo, kept inside its kind's bounds and rounded as typed."""
    if kind == "standardised":
        return float(min(max(round(value), 40), 160))
    if kind in ("reading_age", "spelling_age"):
        return float(min(max(round(value), 12), 240))
    return float(max(round(value), 0))


def _capped(effect: Effect, value: float) -> float:
    return min(value, PHONICS_OUT_OF) if effect.name == "Phonics screening check score" else value


def _measure_lines(session: Session, rng: random.Random, today: dt.date) -> int:
    """An entry for every line from a measured library item, an exit once its review is held."""
    names = {item.id: item.name for item in provision_library.list_items(session)}
    recorded = 0
    for row in session.db.query(
            "SELECT i.id, i.library_id, pl.plan_date, rv.held_on FROM apdr_provision_items i"
            " JOIN apdr_plans pl ON pl.id = i.plan_id JOIN apdr_cycles c ON c.id = pl.cycle_id"
            " JOIN send_pathways w ON w.id = c.pathway_id JOIN pupils p ON p.id = w.pupil_id"
            " LEFT JOIN apdr_reviews rv ON rv.cycle_id = c.id AND rv.completed_at IS NOT NULL"
            " WHERE i.library_id IS NOT NULL AND pl.agreed_at IS NOT NULL"
            " AND i.removed_at IS NULL AND p.archived_at IS NULL ORDER BY i.id"):
        effect = EFFECTS.get(names.get(row["library_id"], ""))
        if effect is None or row["plan_date"] is None:
            continue
        entry = _capped(effect, measured_value(effect.kind, rng.gauss(*effect.entry)))
        raw = {"kind": effect.kind, "name": effect.name, "entry_value": entry,
               "entry_date": dt.date.fromisoformat(row["plan_date"])}
        held = dt.date.fromisoformat(row["held_on"]) if row["held_on"] else None
        if held is not None and held <= today and rng.random() < 0.9:
            raw.update(exit_value=_capped(effect, measured_value(
                effect.kind, entry + rng.gauss(*effect.gain))),
                       exit_date=held)
        measures.record_measure(session, row["id"], raw)
        recorded += 1
    return recorded


def _term_start(today: dt.date, terms_back: int) -> dt.date:
    """The first Monday of September, January or April, terms_back terms before this one;
    in the days before that Monday (a term begun midweek), the term's first day: entry scores
    are taken on the group's first day, and a day after today was refused (5-10 January
    2027)."""
    starts = []
    for year in (today.year - 1, today.year):
        starts += [dt.date(year, 1, 5), dt.date(year, 4, 14), dt.date(year, 9, 3)]
    current = [d for d in starts if d <= today]
    day = current[max(0, len(current) - 1 + terms_back)]
    monday = day + dt.timedelta(days=(7 - day.weekday()) % 7)
    return monday if monday <= today else day


def _groups(session: Session, rng: random.Random, today: dt.date) -> int:
    """The demo's groups with their timetables and members; each member measured on entry by
    the group's measure, and on exit once an ended group is over (nine in ten of them)."""
    library = {item.name: item.id for item in provision_library.list_items(session)}
    made = 0
    for name, item, staff, slots, place, years, term, ran, minutes in GROUPS:
        if item not in library:
            continue
        start = _term_start(today, term)
        end = start + dt.timedelta(weeks=ran, days=-3) if ran else None   # on a Friday
        if end is not None and end > today:
            end = None
        group = provision_groups.create_group(session, {
            "name": name, "library_id": library[item], "staff_name": staff,
            "start_date": start, "end_date": end, "weeks": str(ran or 12),
            "sessions_per_week": str(len(slots)), "minutes": str(minutes or ""),
            "cost_total": str(rng.choice([450, 600, 750]))})
        for day, begins, ends in slots:
            provision_groups.add_slot(session, group, {"day": day, "start_time": begins,
                                                       "end_time": ends, "place": place})
        pupils = [r["id"] for r in session.db.query(
            "SELECT id FROM pupils WHERE sen_status = 'K' AND archived_at IS NULL"
            f" AND year_group IN ({','.join('?' * len(years))}) ORDER BY id", years)]
        effect = EFFECTS.get(item)
        for pupil in rng.sample(pupils, min(len(pupils), rng.randint(5, 7))):
            provision_groups.add_member(session, group, pupil, start)
            if effect is None:
                continue
            entry = _capped(effect, measured_value(effect.kind, rng.gauss(*effect.entry)))
            raw = {"kind": effect.kind, "name": effect.name, "entry_value": entry,
                   "entry_date": start}
            if end is not None and end <= today and rng.random() < 0.9:
                raw.update(exit_value=_capped(effect, measured_value(
                    effect.kind, entry + rng.gauss(*effect.gain))), exit_date=end)
            measures.record_group_measure(session, group, pupil, raw)
        made += 1
    return made


def _ehc_costs(session: Session) -> int:
    """Every current EHC plan's provision costed, and the school's notional SEN budget."""
    plans = [r["id"] for r in session.db.query(
        "SELECT e.id FROM ehc_plans e JOIN pupils p ON p.id = e.pupil_id"
        " WHERE e.ceased_on IS NULL AND p.archived_at IS NULL ORDER BY e.id")]
    for plan_id in plans:
        ehc_costs.save_provision(session, plan_id, EHC_LINES)
    found = provision_map.spend(session)
    spent = found.sen_support_pence + found.ehc_school_pence
    steps = -(-int(spent * BUDGET_HEADROOM) // BUDGET_STEP_PENCE)
    sen_budget.set_notional_budget(session, f"£{steps * BUDGET_STEP_PENCE // 100:,}")
    return len(plans)


def add_demo_provision(session: Session, *, seed: int = 2026) -> tuple[int, int]:
    """Measures on the demo's library lines, its groups, EHC plans' costs and the notional
    SEN budget; returns (measures, groups)."""
    rng = random.Random(seed + 19)
    today = session.clock.today()
    with session.db.transaction():
        recorded = _measure_lines(session, rng, today)
        groups = _groups(session, rng, today)
        _ehc_costs(session)
        session.audit("added demo provision measures and groups",
                      detail={"measures": recorded, "groups": groups, "invented": True})
    return recorded, groups
