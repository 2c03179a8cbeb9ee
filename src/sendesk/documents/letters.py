"""Letters to parents: added to SEN support, taken off the SEN register, and the invitation to a
support plan review. One letter for each current contact with parental responsibility (all of
them are entitled to it), on the school's letterhead, in the wording of the school's template.

Each letter greets its reader as the template's `greeting` chooses: by title and surname
("Dear Mrs Hughes,") unless the school prefers full or first names. A contact with no title
recorded is greeted as the parent or carer of the pupil, never with a guessed title.

An address is printed only when the record allows it (Contact.address_for_documents): a
contact marked 'do not disclose' gets a letter with their name only, to be handed over or sent
by the route the school has agreed, and a looked-after pupil's placement is never named.
"""

from __future__ import annotations

import datetime as dt

from ..errors import ValidationError
from ..models import sen
from ..models.contacts import Contact
from ..session import Session
from . import templates as template_store
from .facts import PupilFacts, year_label
from .model import AddressBlock, Block, Document, Heading, Letterhead, Paragraph, Signature, printable

TITLES = {"letter-added": "Letter: added to SEN support",
          "letter-removed": "Letter: removed from the SEN register",
          "invitation": "Letter: review meeting invitation"}


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _on_register_since(facts: PupilFacts) -> dt.date:
    """The day the pupil's current unbroken time on the register began."""
    since = None
    for period in facts.status_history:
        if period.status in sen.ON_REGISTER:
            since = since or period.start_date
        else:
            since = None
    if since is None or facts.pupil.sen_status not in sen.ON_REGISTER:
        raise ValidationError(f"{facts.name} is not on the SEN register, so there is no 'added "
                              "to SEN support' letter to write.", field="kind")
    return since


def _removed_on(facts: PupilFacts) -> dt.date:
    last = facts.status_history[-1] if facts.status_history else None
    if last is None or last.status in sen.ON_REGISTER or last.end_date is not None:
        raise ValidationError(f"{facts.name} has not been taken off the SEN register, so there is "
                              "no letter about leaving it to write.", field="kind")
    return last.start_date


def _review_date(facts: PupilFacts) -> dt.date:
    pathway = facts.open_pathway
    cycle = pathway.current_cycle if pathway else None
    if cycle is not None and cycle.plan is not None and cycle.plan.review_date \
            and not cycle.reviewed:
        return cycle.plan.review_date
    if pathway is not None and pathway.current_plan and pathway.current_plan.review_date:
        return pathway.current_plan.review_date
    raise ValidationError(f"{facts.name} has no support plan review booked; agree a review date "
                          "in the plan before inviting the parents.", field="kind")


def greeting_name(contact: Contact, greeting: str, pupil_first_name: str) -> str:
    """How the salutation names a contact: 'Mrs Hughes', 'Claire Hughes' or 'Claire'."""
    name = contact.details.name.strip()
    if greeting == "full_name":
        return name
    if greeting == "first_name":
        return name.split()[0] if name else name
    title = (contact.details.title or "").strip()
    if not title or not name:
        return f"Parent or Carer of {pupil_first_name}"
    return f"{title} {name.split()[-1]}"


def _recipients(facts: PupilFacts) -> list[Contact]:
    parents = facts.parents
    if not parents:
        raise ValidationError(f"{facts.name} has no current contact with parental responsibility, "
                              "so there is no one to write to. Add them on the Contacts tab.",
                              field="kind")
    return parents


def build_letters(session: Session, facts: PupilFacts, kind: str) -> list[Document]:
    wording = template_store.load(session)
    change = None
    if kind == "letter-added":
        change = _on_register_since(facts)
    elif kind == "letter-removed":
        change = _removed_on(facts)
    review = _review_date(facts) if kind == "invitation" else None
    school = session.school
    values = {
        "school_name": school.name, "school_reference": school.reference,
        "pupil_name": facts.name, "pupil_first_name": facts.first_name,
        "senco_name": session.user.full_name, "today": long_date(facts.today),
        "change_date": long_date(change) if change else "",
        "review_date": long_date(review) if review else "",
        "primary_need": (sen.need_codes()[facts.pupil.primary_need].label.lower()
                         if facts.pupil.primary_need in sen.need_codes() else "not yet identified"),
        "year_group": year_label(facts.pupil.details.year_group),
    }
    letter = wording.letters[kind]
    documents = []
    for contact in _recipients(facts):
        filled = dict(values, recipient_name=contact.details.name,
                      greeting_name=greeting_name(contact, wording.greeting, facts.first_name))

        def fill(text: str, filled: dict[str, str] = filled) -> str:
            return printable(wording.fill(text, filled))

        title = contact.details.title
        address = [f"{title} {contact.details.name}" if title else contact.details.name]
        if contact.address_for_documents:
            address += [line.strip() for line in contact.address_for_documents.splitlines()
                        if line.strip()]
        head = Letterhead(fill(wording.school_name),
                          tuple(line for line in map(fill, wording.letterhead_lines) if line),
                          wording.logo)
        blocks: list[Block] = [
            head, AddressBlock(tuple(printable(line) for line in address), long_date(facts.today)),
            Paragraph(fill(letter.salutation)), Heading(fill(letter.subject), 3),
            *(Paragraph(fill(text)) for text in letter.paragraphs),
            Signature(fill(wording.closing), fill(wording.signer), fill(wording.signer_role))]
        documents.append(Document(TITLES[kind], facts.name, facts.today, tuple(blocks),
                                  kind=kind, recipient=contact.details.name, show_title=False))
    return documents

