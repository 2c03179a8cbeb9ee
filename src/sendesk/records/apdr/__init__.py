"""The graduated approach, stored: SEND pathways of numbered Assess-Plan-Do-Review cycles.

Who may do what: the SENCO (Permission.MANAGE_PLANS) opens pathways and writes assessments,
plans and reviews; anyone who may add notes (teachers and teaching assistants) may also log
whether a session of provision was delivered, because they are the ones delivering it; anyone
who may view records may read it all.

Each part is saved as a draft as often as the wizard likes (so it can be left and resumed);
every changed draft field leaves its old value in the pupil's change trail. Finishing the
assessment, agreeing the plan and holding the review fix that part for good (the database's
triggers refuse later changes). A held review's decision starts the next cycle, moves the
pathway to the specialist stage, or closes it; a return to ordinarily available provision
takes the pupil off the SEN register through the SEN register's own rules, in the same
transaction.

One concept a module: ``pathway`` (opening and reading pathways), ``assess``, ``plan``,
``delivery`` (the Do part's log), ``review``, ``shared`` (a held review shared with the
parents), ``due`` (reviews due across the school),
``seed`` (the concerns discussion offered to a first cycle), ``reading`` (cycles and their
parts read from the tables) and ``_context`` (the checks and draft-saving every part shares).
Callers use the package (``from sendesk.records import apdr``); the names below are its public
face.
"""

from __future__ import annotations

from ._context import CycleContext
from .assess import complete_assessment, save_assessment
from .delivery import delivery_log, log_delivery, withdraw_delivery
from .due import DueReview, reviews_due
from .pathway import current_pathway, cycle_counts, get_cycle, open_pathway, pathways
from .plan import (
                   PlanCheck,
                   add_provision,
                   agree_plan,
                   check_plan,
                   copy_previous_plan,
                   end_provision,
                   record_plan_shared,
                   save_plan,
)
from .reading import item_from_row
from .review import ReviewResult, complete_review, save_review
from .seed import ConcernsSeed, concerns_seed, fill_empty
from .shared import record_review_shared

__all__ = ["ConcernsSeed", "CycleContext", "DueReview", "PlanCheck", "ReviewResult", "add_provision", "agree_plan",
           "check_plan", "complete_assessment", "concerns_seed", "complete_review", "copy_previous_plan",
           "current_pathway", "cycle_counts", "delivery_log", "end_provision", "fill_empty", "get_cycle",
           "item_from_row", "log_delivery", "open_pathway", "pathways", "record_plan_shared", "record_review_shared",
           "reviews_due", "save_assessment", "save_plan", "save_review", "withdraw_delivery"]
