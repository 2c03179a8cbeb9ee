"""Tools > School details: the local SENDIASS and Local Offer (typed once, carried by every
letter), whom letters and consent follow once a pupil is 16, and how soon a move between years
or schools is reviewed. For the SENCO and administrators; the core checks every field."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from ..models.school_contacts import YOUNG_PERSON_CHOICES
from ..records import review_requests, school_contacts
from ..session import Session
from .forms import FieldSpec, FormDialog
from .runner import OpRunner

TITLE = "School details"
FIELDS = [
    FieldSpec("sendiass_name", "SENDIASS name", placeholder="For example Larkshire SENDIASS"),
    FieldSpec("sendiass_phone", "SENDIASS phone"),
    FieldSpec("sendiass_email", "SENDIASS email"),
    FieldSpec("sendiass_web", "SENDIASS web address", placeholder="www.example.org.uk"),
    FieldSpec("local_offer_web", "Local Offer web address",
              placeholder="The local authority's Local Offer page"),
    FieldSpec("young_person", "From 16, letters, notifications and consent go to", "choice",
              [(label, key) for key, label in YOUNG_PERSON_CHOICES.items()]),
    FieldSpec("review_weeks", "Review after a move within", "choice",
              [(f"{n} school week{'s' if n != 1 else ''}", n)
               for n in range(1, review_requests.MAX_WEEKS + 1)], aliases=("weeks",)),
]
INTRO = ("Letters can tell families where to get free, impartial advice: the local SENDIASS "
         "(SEND Information, Advice and Support Service) and the local authority's Local Offer. "
         "Enter them once; the default letters carry them. A pupil who moves year group in the "
         "MIS import, or arrives with a records transfer, is given a review due within the "
         "weeks chosen here (counted in school days).")


class SchoolDetailsDialog(FormDialog):
    def __init__(self, session: Session, parent: QWidget | None = None, *,
                 runner: OpRunner | None = None) -> None:
        self.runner = runner or OpRunner(session, parent)
        current = self.runner.call(school_contacts.school_contacts)
        values: dict[str, Any] = dict(current.as_dict(),
                                      review_weeks=self.runner.call(review_requests.review_weeks))
        super().__init__(TITLE, FIELDS, self._store, intro=INTRO, values=values, parent=parent)
        self.setObjectName("school_details_dialog")
        self.setMinimumWidth(560)

    def _store(self, values: dict[str, Any]) -> None:
        details = {k: v for k, v in values.items() if k != "review_weeks"}
        self.runner.call(school_contacts.set_school_contacts, details, sender=self.save_button)
        self.runner.call(review_requests.set_review_weeks, values["review_weeks"],
                         sender=self.save_button)
