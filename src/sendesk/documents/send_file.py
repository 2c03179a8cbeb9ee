"""The pupil's full SEND file as one bound document: what a receiving school must be given
(profile, every support plan and review, specialists' involvement, the registers, notes and
correspondence), in the order things happened.

Addresses marked 'do not disclose' and a looked-after pupil's protected address are never
printed; the file says that they are withheld. Stored reports are listed (they travel as files
in a transfer); their contents are not printed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import dates, sen
from ..models.registers import RegisterKind
from .facts import PupilFacts
from .model import Builder, Document, PageBreak
from .support import assessment_section, plan_section, profile_blocks, review_section

ADDRESS_WITHHELD = "Withheld: not to be disclosed"


def _kb(size: int) -> str:
    return f"{max(1, round(size / 1024)):,} KB"


def _pupil(b: Builder, facts: PupilFacts) -> None:
    p = facts.pupil
    b.heading("The pupil")
    b.pairs([*facts.identity_rows(), ("Gender", facts.gender_label()),
             ("Admission date", dates.format_uk(p.details.admission_date)),
             ("Leaving date", dates.format_uk(p.leaving_date)),
             ("Destination", p.destination or ""),
             ("SEN status", facts.status_label),
             ("Primary need", facts.need_label(p.primary_need)),
             ("Next review", dates.format_uk(p.next_review)),
             ("Flags", ", ".join(sorted(flag.label for flag in p.flags)))])


def _register(b: Builder, facts: PupilFacts) -> None:
    b.heading("SEN register")
    b.heading("Status history", 3)
    b.table(["Status", "From", "To", "Reason", "Recorded by"],
            [(f"{s.status} ({sen.statuses().get(s.status, s.status)})",
              dates.format_uk(s.start_date), dates.format_uk(s.end_date) or "Current", s.reason,
              s.changed_by) for s in facts.status_history],
            widths=[1.6, 1.1, 1.1, 3.2, 1.4], empty="The pupil has never been on the SEN register.")
    b.heading("Needs", 3)
    b.table(["Rank", "Need", "From", "To"],
            [("Primary" if n.rank == 1 else str(n.rank), facts.need_label(n.code),
              dates.format_uk(n.start_date), dates.format_uk(n.end_date) or "Current")
             for n in facts.needs_history], widths=[0.9, 3.5, 1.2, 1.2],
            empty="No needs recorded.")


def _registers(b: Builder, facts: PupilFacts) -> None:
    b.heading("Other registers")
    rows = []
    for entry in facts.registers:
        details = [entry.details] if entry.details else []
        if entry.kind is RegisterKind.MEDICAL:
            details.append("Individual healthcare plan: " + ("yes" if entry.has_ihp else "no"))
        if entry.first_language:
            details.append(f"First language: {entry.first_language}")
        if entry.kind is RegisterKind.LOOKED_AFTER:
            if entry.pep_date:
                details.append(f"Latest PEP: {dates.format_uk(entry.pep_date)}")
            if entry.responsible_la:
                details.append(f"Responsible authority: {entry.responsible_la}")
            if entry.protected_address:
                details.append("Protected address held by the school: withheld from every document")
        rows.append((entry.kind.label, dates.format_uk(entry.start_date),
                     dates.format_uk(entry.end_date) or "Current",
                     dates.format_uk(entry.review_date), "\n".join(details)))
    b.table(["Register", "From", "To", "Review", "Details"], rows,
            widths=[1.8, 1.1, 1.1, 1.1, 3.2], empty="The pupil is on no other register.")


def _contacts(b: Builder, facts: PupilFacts) -> None:
    b.heading("Contacts")
    rows: list[tuple[str, ...]] = []   # the notifications table below reuses it, with 4 columns
    for contact in facts.contacts:
        d = contact.details
        address = contact.address_for_documents or (ADDRESS_WITHHELD if d.address else "")
        reach = "\n".join(x for x in (d.phone, d.email) if x)
        who = d.name + (f"\n(ended {dates.format_uk(contact.ended_on)})" if contact.ended_on else "")
        rows.append((who, d.relationship, "Yes" if d.parental_responsibility else "No", address,
                     reach))
    b.table(["Name", "Relationship", "Parental responsibility", "Address", "Phone and email"],
            rows, widths=[1.7, 1.4, 1.2, 2.4, 2.2], empty="No contacts recorded.")
    b.heading("Consent to share information", 3)
    b.table(["Given by", "On", "What may be shared", "Withdrawn"],
            [(f"{c.given_by} ({c.giver_kind})", dates.format_uk(c.given_on), c.scope,
              dates.format_uk(c.withdrawn_on)) for c in facts.consents],
            widths=[2.0, 1.1, 4.0, 1.1], empty="No consent recorded.")
    b.heading("Parent notifications (SEN register)", 3)
    rows = []
    for due in facts.notifications:
        sent = "\n".join(f"{s.to_whom}, {dates.format_uk(s.sent_on)} by {s.method}"
                         for s in due.sent)
        rows.append((f"{'Added to' if due.change == 'added' else 'Removed from'} the register",
                     dates.format_uk(due.due_since), sent or "Not yet",
                     "Done" if not due.open else "Outstanding"))
    b.table(["Change", "Since", "Notified", "State"], rows, widths=[2.0, 1.1, 3.8, 1.1],
            empty="No notifications were needed.")


def _notes(b: Builder, facts: PupilFacts) -> None:
    b.heading("Short notes")
    if not facts.notes:
        b.para("No short notes recorded.", "small")
    for note in facts.notes:
        b.heading(f"{dates.format_uk(note.event_date)}, {note.author_name or 'a former user'}", 3)
        b.pairs([("Concern", note.concern), ("Discussed with parents", note.parent_discussion),
                 ("Agreed actions", note.agreed_actions),
                 ("Review by", dates.format_uk(note.review_date)),
                 ("Reviewed on", dates.format_uk(note.reviewed_on))])


def _concerns(b: Builder, facts: PupilFacts) -> None:
    if not facts.concern_runs:
        return
    b.heading("Initial concerns")
    for run in facts.concern_runs:
        b.heading(f"{dates.format_uk(run.discussion_date)}: {run.flowchart_title}", 2)
        b.pairs([("Outcome", f"{run.outcome_title} ({run.kind_label})"),
                 ("Why", run.outcome_reason),
                 ("Primary need proposed", facts.need_label(run.need_code)),
                 ("Review by", dates.format_uk(run.review_date)),
                 ("Recorded by", run.finished_by)])
        b.bullets(run.actions)
        for label, text in run.discussion:
            b.heading(label, 3)
            b.para(text)
        b.table(["Question", "Answer"],
                [((f"{a.section}: " if a.section else "") + a.question,
                  a.answer + (f"\n{a.comment}" if a.comment else "")) for a in run.answers],
                widths=[4.0, 3.0])


def _pathways(b: Builder, facts: PupilFacts) -> None:
    b.heading("The graduated approach: Assess, Plan, Do, Review")
    if not facts.pathways:
        b.para("The pupil has had no SEND pathway.", "small")
        return
    for index, pathway in enumerate(facts.pathways):
        if index:
            b.add(PageBreak())
        state = "open" if pathway.open else (
            f"closed {dates.format_uk(pathway.closed_on)}"
            + (f" ({pathway.close_decision.label})" if pathway.close_decision else ""))
        b.heading(f"SEND pathway from {dates.format_uk(pathway.opened_on)} ({state})", 2)
        for number, cycle in enumerate(pathway.cycles):
            if number:
                b.add(PageBreak())
            b.heading(f"Cycle {cycle.number}: {cycle.stage.label.lower()}, started "
                      f"{dates.format_uk(cycle.started_on)}", 2)
            assessment_section(b, facts, cycle.assessment, level=3)
            plan_section(b, cycle.plan, level=3)
            review_section(b, cycle, level=3)


def _specialists(b: Builder, facts: PupilFacts) -> None:
    b.heading("Specialist involvement")
    if not facts.involvements:
        b.para("No specialist services have been involved.", "small")
    for inv in facts.involvements:
        b.heading(inv.service, 2)
        b.pairs([("Professional", inv.professional or ""),
                 ("Referred", dates.format_uk(inv.referral_date)), ("Reason", inv.reason),
                 ("Parents' consent", inv.consent.label + (
                     f" ({dates.format_uk(inv.consent_date)}"
                     + (f", {inv.consent_from}" if inv.consent_from else "") + ")"
                     if inv.consent_date else "")),
                 ("Ended", dates.format_uk(inv.ended_on))])
        if inv.visits:
            b.table(["Visit", "Notes"], [(dates.format_uk(v.visit_date), v.notes)
                                         for v in inv.visits], widths=[1.2, 6.0])
        if inv.recommendations:
            b.table(["Recommended", "Recommendation", "In the plan"],
                    [(dates.format_uk(r.recommended_on), r.text,
                      "Yes" if r.item_ids else (f"Not adopted: {r.not_adopted_reason}"
                                                if r.not_adopted_reason else "Not yet"))
                     for r in inv.recommendations], widths=[1.2, 4.5, 1.8])


def _attachments(b: Builder, facts: PupilFacts) -> None:
    b.heading("Attachments")
    reports = [(inv, r) for inv in facts.involvements for r in inv.reports]
    b.para("Reports kept with the record. Their contents are not printed in this file; they are "
           "stored in the encrypted database and travel with a records transfer.", "small")
    b.table(["Report", "Service", "Dated", "File", "Size"],
            [(r.title, inv.service, dates.format_uk(r.report_date), r.filename, _kb(r.size))
             for inv, r in reports], widths=[2.6, 1.8, 1.0, 2.0, 0.8],
            empty="No reports are stored.")


def build_file(facts: PupilFacts, school_name: str, prepared_by: str,
               chapters: Sequence[Callable[[Builder], None]] = ()) -> Document:
    """The whole file; `chapters` add parts kept elsewhere (the EHC records) before the
    list of attachments."""
    b = Builder()
    b.para(f"Prepared by {prepared_by} on {dates.format_uk(facts.today)} from the records of "
           f"{school_name}. It holds everything the school's SEND record says about the pupil, "
           "oldest first within each part. Protected addresses are never included.", "small")
    _pupil(b, facts)
    b.heading("One-page profile")
    profile_blocks(b, facts, level=2)
    b.add(PageBreak())
    _register(b, facts)
    _registers(b, facts)
    _contacts(b, facts)
    _notes(b, facts)
    _concerns(b, facts)
    if facts.pathways:  # each cycle then starts a page; without any, the file runs on
        b.add(PageBreak())
    _pathways(b, facts)
    if facts.pathways:
        b.add(PageBreak())
    _specialists(b, facts)
    for chapter in chapters:
        chapter(b)
    _attachments(b, facts)
    return Document("SEND file", facts.name, facts.today, tuple(b.blocks),
                    subtitle=f"{facts.legal_name} · UPN {facts.pupil.details.upn} · {school_name}",
                    kind="file")
