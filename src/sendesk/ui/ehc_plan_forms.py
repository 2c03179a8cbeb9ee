"""The EHC tab's forms for an issued plan: recording it (closing the request it came from),
its details, outcomes and costed provision, the annual review with its meeting and the interim
review, and the plan ceasing.

A mixin of EhcTab, which supplies session, runner, pupil_id, calendar (the school's), request_model,
current_plan(), _form() and _write().
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..errors import ValidationError
from ..models import ehc as rules
from ..models.school_days import not_a_school_day
from ..records import ehc, ehc_costs
from .dates import uk
from .ehc_outcomes import OutcomesDialog
from .ehc_provision import EhcProvisionDialog
from .forms import FieldSpec, FormDialog
from .prompts import prompts


class PlanForms:
    """The plan, its annual and interim reviews and its ceasing."""

    def _plan_fields(self) -> list[FieldSpec]:
        return [FieldSpec("issued_on", "Date issued", "date", aliases=("Date the plan was issued",)),
                FieldSpec("local_authority", "Local authority"),
                FieldSpec("caseworker", "Caseworker"),
                FieldSpec("caseworker_contact", "Caseworker's phone or email")]

    def record_plan(self) -> FormDialog:
        waiting = [r for r in self.request_model.rows()
                   if r.submitted_on is not None and r.final_on is None and r.withdrawn_on is None
                   and r.decision is not rules.AssessDecision.NOT_ASSESS
                   and r.plan_decision is not rules.PlanDecision.NOT_ISSUE]
        fields = self._plan_fields()
        intro = ("The pupil's SEN status becomes E (EHC plan) from the date it was issued, and "
                 "their parents are due a letter. Add the outcomes afterwards.")
        if waiting:
            fields.append(FieldSpec("request_id", "From the request", "choice",
                                    [(f"Sent {uk(r.submitted_on)}", r.id) for r in waiting]))
            intro += " The request it came from is closed with the plan."
            if any(r.decision is None for r in waiting):
                # Asked here rather than refused later: a plan follows a decision to assess.
                fields.append(FieldSpec("decision_on", "LA agreed to assess on", "date",
                                        aliases=("Date the LA agreed to assess",
                                                 "Date of the LA's decision")))
                intro += (" No decision to assess is recorded on that request: give the date "
                          "the LA agreed to assess.")
            if any(r.draft_on is None for r in waiting):
                # The parents' 15 days to comment run from the draft: asked, not assumed.
                fields.append(FieldSpec("draft_on", "Draft plan dated", "date",
                                        aliases=("Date of the draft plan",
                                                 "Date of the draft plan or notice")))
        return self._form(
            "Record an issued EHC plan", fields, self._record_issued_plan,
            values={"local_authority": self._last_authority(),
                    "request_id": waiting[-1].id if waiting else None}, intro=intro)

    def _record_issued_plan(self, values: dict[str, Any]) -> int:
        """Record the plan; when the core asks about its timing (a final plan less than 15
        days after the draft, or no draft date), the question is put and the plan is recorded
        only if the SENCO says the dates are right. Saying no leaves the form open."""
        record = partial(self.runner.call, ehc.record_plan, self.pupil_id, values,
                         values.get("request_id"))
        try:
            return record()
        except ValidationError as exc:
            if exc.field != "timing_acknowledged":
                raise
            question = str(exc)
        if not prompts.confirm(self, "Record the issued plan",
                               f"{question}\n\nAre the dates right? Record the plan anyway?"):
            raise ValidationError("Not recorded: check the dates of the draft and the final "
                                  "plan.", field="draft_on")
        return record(timing_acknowledged=True)

    def edit_plan(self) -> FormDialog | None:
        plan = self.current_plan()
        if plan is None:
            return None
        return self._form("EHC plan details", self._plan_fields(),
                          lambda v: self._write(ehc.update_plan, plan.id, v),
                          values={"issued_on": plan.issued_on, "local_authority": plan.local_authority,
                                  "caseworker": plan.caseworker,
                                  "caseworker_contact": plan.caseworker_contact})

    def edit_outcomes(self) -> OutcomesDialog | None:
        plan = self.current_plan()
        if plan is None:
            return None
        dialog = OutcomesDialog(self.session, plan, parent=self, runner=self.runner)
        dialog.open()
        return dialog

    def edit_provision(self) -> EhcProvisionDialog | None:
        """The plan's provision costed: the school's notional part and the LA's top-up."""
        plan = self.current_plan()
        if plan is None:
            return None
        lines = self.runner.call(ehc_costs.plan_provision, plan.id)
        dialog = EhcProvisionDialog(self.session, plan, lines, parent=self, runner=self.runner)
        dialog.open()
        return dialog

    def review(self) -> FormDialog | None:
        plan = self.current_plan()
        if plan is None:
            return None
        booked = plan.booked_review
        schedule = self.runner.call(ehc.review_schedule, plan)
        values: dict[str, Any] = {"meeting_on": schedule.meeting_on if schedule else None}
        if booked is not None:
            values = {"meeting_on": booked.meeting_on, "invitations_sent_on": booked.invitations_sent_on,
                      "notes": booked.notes, "pfa_discussed": booked.pfa_discussed}
        intro = ("Book the meeting, then record the invitations and, after it, what it "
                 "recommends.")
        if schedule is not None:
            intro += (f" Hold it by {uk(schedule.meeting_by)}; invite specialists by "
                      f"{uk(schedule.invitations_by)}.")
        shut = not_a_school_day(self.calendar, booked.meeting_on) \
            if booked is not None and booked.meeting_on is not None else None
        if shut:
            # Booked before bookings were checked: the agenda flags it too.
            intro += (f" The meeting is booked for a day the school is shut: {shut} Change the "
                      "meeting date to move it.")
        return self._form("Annual review", [
            FieldSpec("meeting_on", "Meeting date", "date", aliases=("Date of the review meeting",)),
            FieldSpec("invitations_sent_on", "Invitations sent", "date",
                      aliases=("Date the invitations were sent",)),
            FieldSpec("held_on", "Held on", "date", aliases=("Date the review was held",)),
            FieldSpec("recommendation", "Recommendation to the LA", "choice",
                      [("Not yet held", None)] + [(r.label, r.value) for r in rules.ReviewRecommendation]),
            FieldSpec("pfa_discussed", "Preparing for Adulthood discussed", "bool"),
            FieldSpec("report_sent_on", "Report sent to the LA", "date",
                      aliases=("Date the report went to the LA",)),
            FieldSpec("notes", "Notes", "text")],
            lambda v: self._write(ehc.save_review, plan.id, v, booked.id if booked else None),
            values=values, intro=intro)

    def interim_review(self) -> FormDialog | None:
        """An interim review, recorded once held with its outcome; the annual schedule stays."""
        plan = self.current_plan()
        if plan is None:
            return None
        return self._form("Interim review", [
            FieldSpec("held_on", "Held on", "date", aliases=("Date the review was held",
                                                             "Date the interim review was held")),
            FieldSpec("recommendation", "Outcome", "choice",
                      [(r.label, r.value) for r in rules.ReviewRecommendation],
                      aliases=("Outcome of the interim review",)),
            FieldSpec("report_sent_on", "Report sent to the LA", "date",
                      aliases=("Date the report went to the LA",)),
            FieldSpec("notes", "Why it was called and what was agreed", "text",
                      aliases=("Notes",))],
            lambda v: self._write(ehc.save_review, plan.id, {**v, "kind": "interim"}),
            values={"held_on": self.session.clock.today()},
            intro="An interim review is called between annual reviews when needs or the "
                  "placement change. It does not move the annual review.")

    def cease_plan(self) -> FormDialog | None:
        plan = self.current_plan()
        if plan is None:
            return None
        return self._form("EHC plan ceased", [
            FieldSpec("ceased_on", "Date the plan ceased", "date"),
            FieldSpec("reason", "Reason", "text")],
            lambda v: self._write(ehc.cease_plan, plan.id, v["ceased_on"], v["reason"]),
            values={"ceased_on": self.session.clock.today()},
            intro="The pupil's SEN status is not changed; review it on the Register tab.")
