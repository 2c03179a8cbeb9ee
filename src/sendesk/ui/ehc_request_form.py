"""The EHC tab's forms before a plan: answering the readiness questions, recording (or
withdrawing) an exception to the APDR cycles, and the needs-assessment request form with who
asked for it, its consent, countersignature, the LA's decisions and dates.

A mixin of EhcTab, which supplies session, runner, pupil_id, the readiness and requests
sections, request_model, say(), _form() and _write().
"""

from __future__ import annotations

from ..models import ehc as rules
from ..models import ehcna as checklist
from ..models.ehcna import ExceptionKind
from ..records import ehc, ehcna
from .forms import FieldSpec, FormDialog
from .record_changes import pupil_line


class RequestForms:
    """The readiness answers, the exception and the request form."""

    def answer(self) -> FormDialog | None:
        item = self.readiness.selected()
        if item is None or item.key not in checklist.QUESTION_KEYS:
            self.say("Choose one of the checklist questions first.")
            return None
        question = checklist.question(item.key)
        stored = self.runner.call(ehcna.answers, self.pupil_id).get(item.key)
        choices = [("Not answered", None), ("Yes", True), ("No", False)]
        return self._form(question.title, [
            FieldSpec("answer", "Answer", "choice", choices),
            FieldSpec("note", "How you know", "text", aliases=("Note",))],
            lambda v: self._write(ehcna.answer_question, self.pupil_id, item.key, v["answer"], v["note"]),
            values={"answer": stored.answer if stored else None, "note": stored.note if stored else ""},
            intro=question.question)

    def record_exception(self) -> FormDialog:
        return self._form("Exception to the APDR cycles", [
            FieldSpec("kind", "Circumstance", "choice", [(k.label, k.value) for k in ExceptionKind]),
            FieldSpec("reason", "Reason", "text"),
            FieldSpec("recorded_on", "Date", "date", aliases=("Date recorded",))],
            lambda v: self._write(ehcna.record_exception, self.pupil_id, v["kind"], v["reason"],
                                  v["recorded_on"]),
            values={"recorded_on": self.session.clock.today()},
            intro="Only in these circumstances may a request be made without cycles of Assess, "
                  "Plan, Do, Review. Say what happened.")

    def withdraw_exception(self) -> FormDialog:
        return self._form("Withdraw the exception", [FieldSpec("reason", "Reason", "text")],
                          lambda v: self._write(ehcna.withdraw_exception, self.pupil_id, v["reason"]))

    def _who_may_ask(self) -> list[rules.RequestedBy]:
        """The school and a parent; the young person too from 16."""
        return list(rules.who_may_ask(pupil_line(self.runner, self.pupil_id).dob,
                                      self.session.clock.today()))

    def _request_fields(self, askers: list[rules.RequestedBy] | None = None) -> list[FieldSpec]:
        return [
            FieldSpec("requested_by", "Who asked for it", "choice",
                      [(r.label, r.value) for r in (askers or self._who_may_ask())]),
            FieldSpec("local_authority", "Local authority"),
            FieldSpec("consent_on", "Parents' consent signed", "date",
                      aliases=("Date of the parents' consent",)),
            FieldSpec("consent_from", "Consent given by", placeholder="Name and relationship"),
            FieldSpec("head_name", "Head teacher who countersigned", aliases=("Head teacher's name",)),
            FieldSpec("head_signed_on", "Date countersigned", "date",
                      aliases=("Date the head teacher countersigned",)),
            FieldSpec("submitted_on", "Date sent to the LA", "date",
                      aliases=("Date sent to the local authority",)),
            FieldSpec("decision", "LA's decision", "choice",
                      [("Not yet decided", None)] + [(d.label, d.value) for d in rules.AssessDecision],
                      aliases=("Date of the LA's decision",)),
            FieldSpec("decision_on", "Date of the decision", "date"),
            FieldSpec("plan_decision", "Will a plan be issued?", "choice",
                      [("Not yet known", None)] + [(d.label, d.value) for d in rules.PlanDecision]),
            FieldSpec("draft_on", "Draft plan (or notice) dated", "date",
                      aliases=("Date of the draft plan or notice",)),
            FieldSpec("withdrawn_on", "Withdrawn on", "date", aliases=("Date withdrawn",)),
            FieldSpec("below_readiness_reason", "Why send it before every readiness item is met",
                      "text", aliases=("Reason for sending it now",)),
            FieldSpec("notes", "Notes", "text")]

    def _readiness_intro(self) -> str:
        result = getattr(self, "readiness_result", None)
        if result is None or result.ready:
            return ""
        return (f" The readiness checklist shows {result.score} items met: if the school sends "
                "it now, say why.")

    def new_request(self) -> FormDialog:
        values = {"local_authority": self._last_authority()}
        askers = self._who_may_ask()
        # Under 16 the young person is not offered as the one who asked, so not named here.
        who = ("A parent or young person" if rules.RequestedBy.YOUNG_PERSON in askers
               else "A parent")
        return self._form("New EHC needs assessment request", self._request_fields(askers),
                          lambda v: self._write(ehc.add_request, self.pupil_id, v), values=values,
                          intro="Record what has been done so far; come back to add the dates "
                                f"as the request goes on. {who} may ask the LA themselves."
                                + self._readiness_intro())

    def update_request(self) -> FormDialog | None:
        request = self.requests.selected()
        if request is None:
            self.say("Choose a request first.")
            return None
        values = {name: getattr(request, name) for name in (
            "local_authority", "consent_on", "consent_from", "head_name", "head_signed_on",
            "submitted_on", "decision_on", "draft_on", "withdrawn_on", "notes")}
        values["decision"] = request.decision.value if request.decision else None
        values["plan_decision"] = request.plan_decision.value if request.plan_decision else None
        values["requested_by"] = request.requested_by.value
        values["below_readiness_reason"] = request.sent_below_readiness_reason or ""
        return self._form("Update the request", self._request_fields(),
                          lambda v: self._write(ehc.update_request, request.id, v), values=values,
                          intro="The final plan is recorded on the EHC plans page."
                          + (self._readiness_intro() if request.submitted_on is None else ""))

    def _last_authority(self) -> str:
        rows = self.request_model.rows()
        return rows[-1].local_authority if rows else ""
