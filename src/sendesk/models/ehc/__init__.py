"""EHC needs assessment requests and EHC plans: the records and their statutory dates.

``request`` holds a request to the local authority and its 20-week timeline, ``plan`` the
issued plan with its outcomes and annual reviews, ``schedule`` when the next annual review
falls. Callers import this package (``from sendesk.models import ehc as rules``).
"""

from __future__ import annotations

from .plan import (
                   BOOK_AHEAD_YEARS,
                   DRAFT_COMMENT_DAYS,
                   PLANS_BEGAN,
                   AnnualReview,
                   EhcOutcome,
                   EhcPlan,
                   OutcomeStep,
                   ReviewKind,
                   ReviewRecommendation,
                   clean_outcomes,
                   clean_plan,
                   clean_review,
                   require_working_day,
                   timing_warning,
)
from .request import (
                   DECISION_WEEKS,
                   DRAFT_WEEKS,
                   DUE_SOON_DAYS,
                   STATUTORY_WEEKS,
                   AssessDecision,
                   EhcnaRequest,
                   Milestone,
                   MilestoneState,
                   PlanDecision,
                   RequestedBy,
                   RequestStage,
                   check_requested_by,
                   clean_request,
                   cutoff_advice,
                   cutoff_warning,
                   submission_missing,
                   timeline,
                   week_date,
                   who_may_ask,
)
from .schedule import (
                   MEETING_BEFORE_ANNIVERSARY,
                   PAPERS_BEFORE_MEETING,
                   PFA_FROM_YEAR,
                   REPORT_AFTER_MEETING,
                   SPECIALIST_NOTICE,
                   TRANSITION_YEAR,
                   YEAR6_REVIEW_BY,
                   ReviewSchedule,
                   review_schedule,
                   year_group_on,
                   year_rank,
)

__all__ = ["AnnualReview", "AssessDecision", "BOOK_AHEAD_YEARS", "DECISION_WEEKS", "DRAFT_WEEKS",
           "DUE_SOON_DAYS", "EhcOutcome", "EhcPlan", "EhcnaRequest", "MEETING_BEFORE_ANNIVERSARY",
           "Milestone", "MilestoneState", "OutcomeStep", "PAPERS_BEFORE_MEETING", "PFA_FROM_YEAR",
           "PLANS_BEGAN", "PlanDecision", "REPORT_AFTER_MEETING", "RequestStage",
           "RequestedBy", "ReviewKind",
           "ReviewRecommendation", "ReviewSchedule", "SPECIALIST_NOTICE", "STATUTORY_WEEKS",
           "TRANSITION_YEAR", "YEAR6_REVIEW_BY", "clean_outcomes", "clean_plan", "clean_request",
           "clean_review", "cutoff_advice", "cutoff_warning", "review_schedule",
           "submission_missing", "timeline", "week_date", "year_group_on", "year_rank",
           "check_requested_by", "who_may_ask", "DRAFT_COMMENT_DAYS", "require_working_day",
           "timing_warning"]
