"""What the APDR wizard shows of one cycle, read in one trip to the runner's worker.

The pages never call the core while they draw: the wizard reads a :class:`CycleView` (the
cycle, whose pupil it is, whether it is the current cycle, the school's calendar, the
specialists and their recommendations, the delivery log, and for a first cycle the
concerns discussion it starts from) and hands it to every page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ...models.apdr import Cycle, DeliveryEntry
from ...models.calendar import SchoolCalendar
from ...models.provision_library import LibraryItem
from ...models.pupils import Pupil
from ...records import apdr, apdr_reads, provision_library, school_calendar, specialists
from ...records.apdr import ConcernsSeed
from ...records.specialists import Involvement, Recommendation
from ...session import Session


@dataclass(frozen=True)
class CycleView:
    cycle: Cycle
    pupil: Pupil
    is_current: bool                       # the pathway's current cycle (others are read-only)
    calendar: SchoolCalendar               # for the review-date limit
    involvements: tuple[Involvement, ...]  # every specialist involvement of the pupil
    reviewers: tuple[Involvement, ...]     # those whose views belong in this cycle's review
    waiting: tuple[Recommendation, ...]    # recommendations not yet in the plan
    log: tuple[DeliveryEntry, ...]         # the delivery log of the cycle
    seed: ConcernsSeed | None = None       # the concerns discussion a first cycle starts from
    library: tuple[LibraryItem, ...] = ()  # the provision library's items still offered
    # The measures of the library items this plan's lines came from, retired ones included.
    library_measures: tuple[str, ...] = ()
    # The name of every library item, retired ones included: a plan line says what it came from.
    library_names: Mapping[int, str] = field(default_factory=dict)

    @property
    def recommended_by(self) -> dict[int, str]:
        return {r.id: found.service for found in self.involvements for r in found.recommendations}


def read_cycle(session: Session, cycle_id: int) -> CycleView:
    """Everything the wizard shows of a cycle (run on the worker through the runner)."""
    cycle = apdr.get_cycle(session, cycle_id)
    pupil = apdr_reads.cycle_pupil(session, cycle_id)
    pathway = apdr.current_pathway(session, pupil.id)
    current = (pathway is not None and pathway.current_cycle is not None
               and pathway.current_cycle.id == cycle_id)
    everyone = specialists.involvements(session, pupil.id)
    review = cycle.review
    day = review.held_on if review and review.held_on else session.clock.today()
    active = {i.id: i for i in specialists.active_on(session, pupil.id, day)}
    for saved in (review.specialist_views if review else ()):
        if saved.involvement_id not in active:
            for found in everyone:
                if found.id == saved.involvement_id:
                    active[found.id] = found
    every_item = provision_library.list_items(session, include_retired=True)
    return CycleView(cycle=cycle, pupil=pupil, is_current=current,
                     calendar=school_calendar.load(session), involvements=tuple(everyone),
                     reviewers=tuple(active.values()),
                     waiting=tuple(specialists.recommendations_not_in_plan(session, pupil.id)),
                     log=tuple(apdr.delivery_log(session, cycle_id)),
                     seed=apdr.concerns_seed(session, cycle_id),
                     library=tuple(provision_library.list_items(session)),
                     library_measures=_plan_measures(every_item, cycle),
                     library_names={item.id: item.name for item in every_item})


def _plan_measures(every_item: Sequence[LibraryItem], cycle: Cycle) -> tuple[str, ...]:
    used = {item.library_id for item in (cycle.plan.items if cycle.plan else ())}
    found: dict[str, None] = {}
    for item in every_item:
        if item.id in used:
            found.update(dict.fromkeys(item.measures))
    return tuple(found)
