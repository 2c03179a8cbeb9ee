"""Letters to parents (and, from 16, the young person): added to SEN support, taken off the
SEN register, and the invitation to a support plan review. One letter for each current contact
with parental responsibility (all of them are entitled to it), on the school's letterhead, in
the wording of the school's template.

Each letter greets its reader as the template's `greeting` chooses: by title and surname
("Dear Mrs Hughes,") unless the school prefers full or first names. A contact with no title
recorded is greeted as the parent or carer of the pupil, never with a guessed title.

An address is printed only when the record allows it (Contact.address_for_documents): a
contact marked 'do not disclose' gets a letter with their name only, to be handed over or sent
by the route the school has agreed, and a looked-after pupil's placement is never named.

From 16 the school's setting (records/school_contacts.py) may add a letter to the young person,
or write to them instead of the parents; theirs carries their name only and greets them by
their first name. Every letter can name the people responsible for the support (from the plan)
and where to get impartial advice (the school's SENDIASS and Local Offer details); a paragraph
that is empty once its placeholders are filled (nothing recorded) is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import ValidationError
from ..models import sen
from ..models.contacts import Contact
from ..models.school_contacts import addressees
from ..records import school_contacts
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


@dataclass(frozen=True)
class Recipient:
    name: str                    # in full, for {recipient_name} and the Document
    address: tuple[str, ...]     # the address block's lines, name first
    greeting: str                # for {greeting_name}
    young_person: bool = False   # the pupil themselves, from 16: their own wording


def home_address(facts: PupilFacts) -> tuple[str, ...]:
    """The young person's home address, for their own letter: the one address their parents
    share, when none of them is marked 'do not disclose' (the pupil may live at the protected
    address) and the pupil is not looked after (the placement is never named). The record has
    no 'lives with' mark, so parents at different addresses give none: the letter then carries
    the name only and is handed over, as a protected parent's is."""
    if facts.looked_after:
        return ()
    parents = facts.parents
    if any(c.details.do_not_disclose_address for c in parents):
        return ()
    found = {tuple(line.strip() for line in c.details.address.splitlines() if line.strip())
             for c in parents if c.details.address and c.details.address.strip()}
    return next(iter(found)) if len(found) == 1 else ()


def _recipients(session: Session, facts: PupilFacts, greeting: str,
                on: dt.date) -> list[Recipient]:
    """Each person with parental responsibility and, from 16 on the day ``on``, the young
    person, as the school's setting says. For a letter about a change ``on`` is the day it
    happened, the day its parent notification item fell due and by which that item decides who
    must be told: a pupil 16 only by the time the letter is printed is written about as the
    item asks (the parents), so the owed letter can always be printed."""
    to_parents, to_young_person = addressees(school_contacts.stored(session).young_person,
                                             facts.pupil.details.dob, on)
    found = []
    if to_young_person:
        found.append(Recipient(facts.name, (facts.name, *home_address(facts)), facts.first_name,
                               young_person=True))
    for contact in facts.parents if to_parents else []:
        title = contact.details.title
        address = [f"{title} {contact.details.name}" if title else contact.details.name]
        if contact.address_for_documents:
            address += [line.strip() for line in contact.address_for_documents.splitlines()
                        if line.strip()]
        found.append(Recipient(contact.details.name, tuple(address),
                               greeting_name(contact, greeting, facts.first_name)))
    if not found:
        raise ValidationError(f"{facts.name} has no current contact with parental responsibility, "
                              "so there is no one to write to. Add them on the Contacts tab.",
                              field="kind")
    return found


def responsible_people(facts: PupilFacts) -> tuple[str, str]:
    """The responsible teacher and key worker named by the latest plan that names either."""
    for cycle in reversed(facts.cycles()):
        plan = cycle.plan
        if plan is not None and (plan.responsible_teacher or plan.key_worker):
            return plan.responsible_teacher, plan.key_worker
    return "", ""


def support_people(teacher: str, key_worker: str, first_name: str) -> str:
    """'Ms Hughes is the teacher responsible for Amara's support, and Mr Khan is Amara's key
    worker.' from the current plan, or '' when neither is named. Given first_name "you" it
    speaks to the young person: 'responsible for your support ... is your key worker'."""
    whose = "your" if first_name == "you" else f"{first_name}'s"
    parts = []
    if teacher:
        parts.append(f"{teacher} is the teacher responsible for {whose} support")
    if key_worker:
        parts.append(f"{key_worker} is {whose} key worker")
    return (" and ".join(parts) + ".") if parts else ""


def build_letters(session: Session, facts: PupilFacts, kind: str) -> list[Document]:
    wording = template_store.load(session)
    change = None
    if kind == "letter-added":
        change = _on_register_since(facts)
    elif kind == "letter-removed":
        change = _removed_on(facts)
    review = _review_date(facts) if kind == "invitation" else None
    school = session.school
    advice = school_contacts.stored(session)
    teacher, key_worker = responsible_people(facts)
    values = {
        "school_name": school.name, "school_reference": school.reference,
        "pupil_name": facts.name, "pupil_first_name": facts.first_name,
        "senco_name": session.user.full_name, "today": long_date(facts.today),
        "change_date": long_date(change) if change else "",
        "review_date": long_date(review) if review else "",
        # The need's own label, capitals and all ("SEN support but no specialist assessment of
        # type of need" is not to be lowercased into "sen support ...").
        "primary_need": (sen.need_codes()[facts.pupil.primary_need].label
                         if facts.pupil.primary_need in sen.need_codes() else "not yet identified"),
        "year_group": year_label(facts.pupil.details.year_group),
        "responsible_teacher": teacher, "key_worker": key_worker,
        "support_people": support_people(teacher, key_worker, facts.first_name),
        "sendiass_name": advice.sendiass_name, "sendiass_phone": advice.sendiass_phone,
        "sendiass_email": advice.sendiass_email, "sendiass_web": advice.sendiass_web,
        "local_offer_web": advice.local_offer_web, "impartial_advice": advice.impartial_advice(),
    }
    documents = []
    for recipient in _recipients(session, facts, wording.greeting, change or facts.today):
        filled = dict(values, recipient_name=recipient.name, greeting_name=recipient.greeting)
        letter = wording.letters[kind]
        if recipient.young_person:   # their own words; sendesk's when the school's has none
            letter = (wording.young_person_letters.get(kind)
                      or template_store.load_default().young_person_letters[kind])
            filled["support_people"] = support_people(teacher, key_worker, "you")

        def fill(text: str, filled: dict[str, str] = filled) -> str:
            return printable(wording.fill(text, filled))

        head = Letterhead(fill(wording.school_name),
                          tuple(line for line in map(fill, wording.letterhead_lines) if line),
                          wording.logo)
        blocks: list[Block] = [
            head, AddressBlock(tuple(printable(line) for line in recipient.address),
                               long_date(facts.today)),
            Paragraph(fill(letter.salutation)), Heading(fill(letter.subject), 3),
            *(Paragraph(text) for text in map(fill, letter.paragraphs) if text.strip()),
            Signature(fill(wording.closing), fill(wording.signer), fill(wording.signer_role))]
        documents.append(Document(TITLES[kind], facts.name, facts.today, tuple(blocks),
                                  kind=kind, recipient=recipient.name, show_title=False))
    return documents

