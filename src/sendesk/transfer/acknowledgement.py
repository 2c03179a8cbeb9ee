"""The acknowledgement form for a handover: both schools, the pupil, an itemised list of what
was handed over (with page counts and the package fingerprint), and for each party a place for
name, role, signature and date. The sender prints it at handover (or keeps it with the file
for a paper handover); a signed scan can then be stored with the transfer (log.attach_scan).

Built as a Document like every other printout, so sendesk.pdf renders it; the core never
draws it itself.
"""

from __future__ import annotations

import datetime as dt

from ..crypto import signing
from ..documents.model import Block, Document, Heading, KeyValues, Paragraph, Table
from ..models import dates
from ..models.roles import Permission
from ..operations import operation, viewed
from ..records._common import pupil_row, today
from ..session import Session
from .log import get_transfer
from .sending import school_fingerprint

# Blank cells a line or two tall leave room to write by hand (a signature needs the most).
_WRITE_HERE = "\n"
_SIGN_HERE = "\n\n"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


@operation(Permission.VIEW_RECORDS, writes=False, audit="printed a transfer acknowledgement form")
def acknowledgement_form(session: Session, transfer_id: int) -> Document:
    transfer = get_transfer(session, transfer_id)
    pupil = pupil_row(session, transfer.pupil_id)
    name = f"{pupil['legal_forename']} {pupil['legal_surname']}"
    ours = session.school
    ours_text = f"{ours.name} ({ours.reference})" if ours.reference else ours.name
    theirs_text = (f"{transfer.school_name} ({transfer.school_reference})"
                   if transfer.school_reference else transfer.school_name)
    sending, receiving = ((ours_text, theirs_text) if transfer.direction == "sent"
                          else (theirs_text, ours_text))
    ours_key = school_fingerprint(session)
    theirs_key = signing.fingerprint(bytes.fromhex(transfer.school_key)) if transfer.school_key else ""
    sender_key, receiver_key = ((ours_key, theirs_key) if transfer.direction == "sent"
                                else (theirs_key, ours_key))
    left = dates.format_uk(transfer.leaving_date) if transfer.leaving_date else "not recorded"
    details = [("Pupil", f"{name}, born {dates.format_uk(dt.date.fromisoformat(pupil['dob']))}, "
                         f"UPN {pupil['upn']}"),
               ("Sending school", sending + (f"; signing key {sender_key}" if sender_key else "")),
               ("Receiving school", receiving + (f"; signing key {receiver_key}" if receiver_key
                                                 else ""))]
    if transfer.contact:
        details.append(("Named contact", transfer.contact))
    details += [("Left the sending school", left),
                ("Package", f"fingerprint {transfer.fingerprint}, made "
                            f"{dates.format_uk(dt.date.fromisoformat(transfer.happened_at[:10]))}")]
    if transfer.deadline:
        details.append(("Due at the receiving school by", dates.format_uk(transfer.deadline)))
    rows = tuple((item.title or item.name, str(item.pages) if item.pages else "",
                  _size(item.size)) for item in transfer.items)
    blocks: list[Block] = [
        Paragraph("Both parties check the items below against what was handed over, then sign "
                  "and date this form. Each school keeps a copy."),
        KeyValues(tuple(details)),
        Heading("What was handed over"),
        Table(("Item", "Pages", "Size"), rows, widths=(6, 1, 1.4)),
        Paragraph("The items travel in one encrypted package whose fingerprint is shown above; "
                  "the receiving school's sendesk shows the same fingerprint when it opens the "
                  "package. The passphrase was given separately from the file.", style="small"),
    ]
    if transfer.stripped:
        blocks += [Heading("Removed before sending", level=2),
                   Paragraph("These protected details were taken out of every item and were "
                             "not handed over: " + "; ".join(transfer.stripped) + ".")]
    blocks += [
        Heading("Signatures"),
        Table(("", "Handed over by (sending school)", "Received by (receiving school)"),
              (("Name", _WRITE_HERE, _WRITE_HERE),
               ("Role", _WRITE_HERE, _WRITE_HERE), ("Signature", _SIGN_HERE, _SIGN_HERE),
               ("Date", _WRITE_HERE, _WRITE_HERE)), widths=(1.1, 3, 3)),
    ]
    viewed(session, "pupil", transfer.pupil_id, transfer_id=transfer.id)
    return Document(title="Acknowledgement of a pupil file handed over", pupil_name=name,
                    document_date=today(session), blocks=tuple(blocks), kind="acknowledgement")
