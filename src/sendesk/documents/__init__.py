"""The documents a SENCO hands to parents, staff and other schools, built from the record as
plain data (see model.py) and rendered to PDF by sendesk.pdf.

build_documents() is the one way in: it checks the user may read records, reads what the kind
needs, records the read in the audit log, and returns one Document (or, for parent letters, one
per contact with parental responsibility). Every document passes through model.redact() with
the pupil's protected addresses, whatever the builder did. Saving or printing them (who may,
and the audit entry) is documents.export's; sendesk.pdf only draws.
"""

from __future__ import annotations

from ..errors import ValidationError
from ..models.roles import Permission
from ..operations import operation, viewed
from ..records.protected import redactor_for
from ..session import Session
from . import templates as template_store
from .facts import PupilFacts, read_facts
from .model import KINDS, Document, clean_kind, redact

__all__ = ["KINDS", "Document", "build_documents", "build_for_facts", "redacted_for"]


@operation(Permission.VIEW_RECORDS, writes=False, audit="built a document")
def build_documents(session: Session, pupil_id: int | None, kind: str) -> list[Document]:
    """The documents of one kind for a pupil (pupil_id None: the whole school, for the
    provision map only). Audited as a read of the pupil's record."""
    chosen = clean_kind(kind)
    if pupil_id is None:
        if not chosen.whole_school:
            raise ValidationError(f"Choose a pupil: the {chosen.label.lower()} is about one pupil.",
                                  field="pupil")
        from .provision_map import build_school_map
        documents = [build_school_map(session)]
        viewed(session, None, None, kind=chosen.key, whole_school=True)
        return documents
    facts = read_facts(session, pupil_id)
    documents = build_for_facts(session, facts, chosen.key)
    viewed(session, "pupil", facts.pupil.id, kind=chosen.key, copies=len(documents))
    return documents


@operation(Permission.VIEW_RECORDS, writes=False)
def build_for_facts(session: Session, facts: PupilFacts, kind: str) -> list[Document]:
    """The documents of a kind from a record already read (not audited here)."""
    from . import send_file, support
    school = session.school.name
    if kind == "plan":
        documents = [support.build_plan(facts, school)]
    elif kind == "review":
        documents = [support.build_review(facts, school)]
    elif kind == "profile":
        from . import ehc
        documents = [support.build_profile(facts, school, **ehc.profile_parts(session, facts))]
    elif kind == "file":
        from . import ehc, file_sections
        documents = [send_file.build_file(facts, school, session.user.full_name,
                                          [lambda b: ehc.file_chapter(b, session, facts),
                                           lambda b: file_sections.measures(b, session, facts),
                                           lambda b: file_sections.exam_access(b, session, facts),
                                           lambda b: file_sections.my_story(b, session, facts)])]
    elif kind.startswith("letter-") or kind == "invitation":
        from . import letters
        documents = letters.build_letters(session, facts, kind)
    elif kind == "provision-map":
        from ..records import ehc_costs
        from ..records.provision_groups import groups_of_pupil
        from . import provision_map
        documents = [provision_map.build_pupil_map(
            facts, school, groups_of_pupil(session, facts.pupil.id),
            ehc_costs.current_lines(session, [facts.pupil.id]))]
    elif kind == "ehcna-evidence":
        from . import ehc
        documents = [ehc.build_evidence(session, facts, school)]
    else:  # pragma: no cover - clean_kind() lets only the kinds above through
        raise ValidationError(f"'{kind}' is not a kind of document.", field="kind")
    return redacted_for(session, facts, documents)


def redacted_for(session: Session, facts: PupilFacts, documents: list[Document]) -> list[Document]:
    """The documents through the redaction net for one pupil's protected addresses; a document
    about several pupils (the handover pack's cover) goes through each pupil's in turn."""
    # The change history's earlier protected addresses are as secret as the current ones; the
    # school's name and letterhead, and the rest of the record, are no secret.
    wording = template_store.load(session)
    clean = redactor_for(session.db, facts.pupil.id, session.school.name, secrets=facts.secrets,
                         disclosable=[wording.school_name, *wording.letterhead_lines])
    return [redact(document, clean) for document in documents]
