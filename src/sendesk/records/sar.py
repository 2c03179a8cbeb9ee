"""Answering a subject access request: everything the school holds about one pupil, in a folder.

Under UK GDPR a parent (or the pupil) may ask for a copy of everything held about the child.
The answer is a new folder with:
- send-file.pdf, the full SEND file as the school would print it;
- records/, one CSV per table of every row reachable from the pupil (the same rows a transfer
  package carries, found by following the schema's foreign keys), plus pupil.csv;
- attachments/, the stored reports and files exactly as they were uploaded;
- audit-trail.csv, who opened, printed, sent or changed the record, and when;
- README.txt, saying what each file is and what was withheld.

Other people's protected details are withheld exactly as they are from everything else that
leaves the school (records.protected): a contact's address marked 'do not disclose' and a
looked-after placement address, with every copy typed into notes. CSV cells are formula-safe.

Only SENCOs and administrators may answer one (the READ_AUDIT permission: the answer holds the
audit trail, which shows who read the record), and doing so is itself audited. The folder is
built beside its final place and renamed into it, so a failure leaves no half answer.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StorageError, ValidationError
from ..models.roles import Permission
from ..operations import operation, viewed
from ..session import Session
from ..store.files import atomic_write, describe_os_error, fsync_directory
from ..transfer.record import dump_record
from . import audit_log, csv_safe
from .protected import redactor_for

# Columns of the pupil row kept only to sort and search the list quickly: not information.
_INDEX_COLUMNS = ("sort_key", "search_text", "year_rank", "flags")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class SarAnswer:
    folder: Path
    files: list[str]          # relative to the folder, in the order written
    withheld: list[str]       # what was withheld, in plain words


def _check_folder(out_dir: Path) -> Path:
    """The folder must be new (or empty) and its parent must exist: checked before reading."""
    folder = Path(out_dir).expanduser()
    if not folder.name:
        raise ValidationError("Choose a new folder to save the subject access request in.",
                              field="out")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ValidationError(f"{folder} already exists and is not an empty folder; choose a "
                              "new folder for the subject access request. Nothing was saved.",
                              field="out")
    if not folder.parent.is_dir():
        raise ValidationError(f"The folder {folder.parent} does not exist. Nothing was saved.",
                              field="out")
    return folder


def _cell(value: Any, attachments: dict[str, str]) -> Any:
    """A dumped value as a CSV cell: a user as their name, a stored file as its path here."""
    if isinstance(value, dict) and "$user" in value:
        return value["$user"]
    if isinstance(value, dict) and "$attachment" in value:
        return attachments.get(value["$attachment"], "")
    return value


def _attachment_name(number: int, info: dict[str, Any]) -> str:
    filename = str(info.get("row", {}).get("filename") or "file")
    cleaned = _SAFE_NAME.sub("_", Path(filename).name).strip(" .") or "file"
    return f"{number}-{cleaned[:100]}"


# Said to a user whose role may not answer one, in the window and the CLI: what they can do
# (the generic refusal would say the role may not "read the audit log", which they did not ask).
REFUSED = ("Only a SENCO or an administrator can answer a subject access request, because it "
           "includes who read and changed the record. Ask your SENCO to answer it from the "
           "pupil's record window (Subject access request...).")


@operation(Permission.READ_AUDIT, writes=False, audit="answered a subject access request")
def answer_request(session: Session, pupil_id: int, out_dir: Path,
                   render_file_pdf: Callable[[Session, int], bytes]) -> SarAnswer:
    """Write everything held about the pupil into the new folder out_dir (see the module's
    docstring); render_file_pdf draws the full SEND file (the PDF renderer is a front end's)."""
    folder = _check_folder(out_dir)
    pupil = session.db.query_one("SELECT * FROM pupils WHERE id = ?", (int(pupil_id),))
    if pupil is None:
        raise ValidationError("That pupil is not in this database.", field="pupil")
    pupil_id = int(pupil["id"])
    dump = dump_record(session, pupil_id)
    clean = redactor_for(session.db, pupil_id, session.school.name)
    users = {r["id"]: r["full_name"] for r in session.db.query("SELECT id, full_name FROM users")}
    pdf = render_file_pdf(session, pupil_id)
    trail = audit_log.read_log(session, "pupil", pupil_id)

    temp = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.partial")
    files: list[str] = []

    def table(name: str, header: Sequence[str], rows: list[Sequence[Any]]) -> None:
        csv_safe.export_file(temp / name, header, rows)
        files.append(name)

    try:
        (temp / "records").mkdir(parents=True)
        atomic_write(temp / "send-file.pdf", pdf)
        files.append("send-file.pdf")
        columns = [c for c in pupil.keys() if c not in _INDEX_COLUMNS]
        table("records/pupil.csv", columns, [[
            users.get(pupil[c], "a former member of staff") if c.endswith("_by") and pupil[c]
            else clean(pupil[c]) if isinstance(pupil[c], str) else pupil[c] for c in columns]])
        attachments: dict[str, str] = {}
        if dump.attachments:
            (temp / "attachments").mkdir()
            for number, (item, content, info) in enumerate(dump.attachments, start=1):
                attachments[item] = name = f"attachments/{_attachment_name(number, info)}"
                atomic_write(temp / name, content)
                files.append(name)
        for table_name, rows in dump.record["tables"].items():
            table(f"records/{table_name}.csv", list(rows[0]),
                  [[_cell(v, attachments) for v in row.values()] for row in rows])
        table("audit-trail.csv", audit_log.HEADER, [entry.as_row() for entry in trail])
        withheld = list(dump.stripped)
        files.insert(0, "README.txt")
        atomic_write(temp / "README.txt", _readme(session, files, withheld).encode("utf-8"))
        if folder.exists():
            folder.rmdir()
        os.replace(temp, folder)
        fsync_directory(folder.parent)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise StorageError(describe_os_error(exc, folder)) from exc
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    viewed(session, "pupil", pupil_id, files=len(files), withheld=len(withheld))
    return SarAnswer(folder, files, withheld)


def _readme(session: Session, files: list[str], withheld: list[str]) -> str:
    lines = [f"Subject access request answered by {session.user.full_name}, "
             f"{session.school.name}, on {session.clock.today():%d/%m/%Y}.", "",
             "This folder holds everything the school's SEND records hold about the pupil:", "",
             "  send-file.pdf      the full SEND file, as the school prints it",
             "  records/           every record, one CSV file per kind of record",
             "  attachments/       reports and files stored with the record, as received",
             "  audit-trail.csv    who opened, printed, sent or changed the record, and when", ""]
    if withheld:
        lines += ["Other people's protected details are withheld (shown as [address withheld]):",
                  *(f"  - {what}" for what in withheld), ""]
    lines += [f"{len(files)} files in all."]
    return "\r\n".join(lines) + "\r\n"
