"""The DfE Common Transfer File (CTF): the pupil's identifiers and SEN history in the DfE's
own XML, so the receiving school's MIS can take them in. A CTF carries no documents; that is
why the encrypted package exists beside it.

Element names follow the DfE's CTF (version 25): CTfile > Header (DocumentName, CTFversion,
DateTime, DocumentQualifier, SupplierID, SourceSchool with LEA, Estab, SchoolName,
AcademicYear; DestSchool with LEA, Estab) and CTFpupilData > Pupil (UPN, Surname, Forename,
DOB, Sex, BasicDetails, SENhistory > SEN (StartDate, SENprovision) and, inside SENhistory
too, SENneeds > SENneed (SENtype, SENtypeRank)). The needs are written inside SENhistory, where
independent CTF implementations put them, and read from either place (older sendesk wrote them
beside it). Schools are named by LA and establishment number, not URN; an unknown destination
is written XXX / XXXX, as the DfE's school-to-school guidance does, and the file is named the
DfE's way, LLLEEEE_CTF_LLLEEEE_NNN.xml (source, destination, serial number).

Importing reads only SEN status and needs, with defusedxml and no DTD at all, so an entity
bomb or an external entity is refused with a plain message rather than expanded or fetched.
Nothing is merged silently: where this school already records a different status or needs,
the difference is reported and left for the SENCO to decide.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from .. import __version__
from ..errors import ValidationError
from ..models import matching, sen
from ..models.roles import Permission
from ..models.school import SchoolIdentity
from ..operations import Kind, changed, operation, viewed
from ..records import review_requests, sen_register
from ..records._common import pupil_row, today
from ..session import Session
from ..store.files import atomic_write, read_limited

CTF_VERSION = "25.0"
MAX_CTF_BYTES = 20 * 1024 * 1024


def academic_year(day: dt.date) -> str:
    """The DfE writes the academic year as its first calendar year (2026 for 2026/27)."""
    return str(day.year if day.month >= 9 else day.year - 1)


def _text(parent: ET.Element, tag: str, value: str | None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = value or ""
    return element


UNKNOWN_LA, UNKNOWN_ESTAB = "XXX", "XXXX"


def _codes(school: SchoolIdentity | None) -> tuple[str, str]:
    """A school's LA and establishment numbers, or the DfE's XXX / XXXX when not known."""
    if school is None or not (school.la_code and school.estab):
        return UNKNOWN_LA, UNKNOWN_ESTAB
    return str(school.la_code), str(school.estab)


def file_name(source: SchoolIdentity, destination: SchoolIdentity | None, serial: int) -> str:
    """The DfE's CTF file name: LLLEEEE_CTF_LLLEEEE_NNN.xml."""
    return (f"{''.join(_codes(source))}_CTF_{''.join(_codes(destination))}_"
            f"{max(1, min(int(serial), 999)):03d}.xml")


def next_file_name(source: SchoolIdentity, destination: SchoolIdentity | None,
                   folder: Path) -> Path:
    """The first DfE file name in the folder not already taken (serial 001 upwards)."""
    for serial in range(1, 1000):
        path = Path(folder) / file_name(source, destination, serial)
        if not path.exists():
            return path
    raise ValidationError(f"{folder} already holds 999 CTFs for this destination; choose "
                          "another folder.")


def _school(parent: ET.Element, tag: str, school: SchoolIdentity, full: bool, day: dt.date) -> None:
    element = ET.SubElement(parent, tag)
    la, estab = _codes(school) if not full else (school.la_code, school.estab)
    _text(element, "LEA", la)
    _text(element, "Estab", estab)
    if full:
        _text(element, "SchoolName", school.name)
        _text(element, "AcademicYear", academic_year(day))


@operation(Permission.EXPORT_TRANSFER, writes=False)
def build_ctf(session: Session, pupil_ids: list[int], destination: SchoolIdentity | None) -> bytes:
    """The CTF for some pupils (audited by the caller's export); SEN rows oldest first."""
    day = today(session)
    root = ET.Element("CTfile")
    header = ET.SubElement(root, "Header")
    _text(header, "DocumentName", "Common Transfer File")
    _text(header, "CTFversion", CTF_VERSION)
    _text(header, "DateTime", session.clock.now().strftime("%Y-%m-%dT%H:%M:%S"))
    _text(header, "DocumentQualifier", "partial")
    _text(header, "SupplierID", f"sendesk {__version__}")
    _school(header, "SourceSchool", session.school, True, day)
    _school(header, "DestSchool", destination or SchoolIdentity(""), False, day)
    data = ET.SubElement(root, "CTFpupilData")
    for pupil_id in pupil_ids:
        row = pupil_row(session, pupil_id)
        pupil = ET.SubElement(data, "Pupil")
        _text(pupil, "UPN", row["upn"])
        _text(pupil, "Surname", row["legal_surname"])
        _text(pupil, "Forename", row["legal_forename"])
        _text(pupil, "DOB", row["dob"])
        _text(pupil, "Sex", row["gender"])
        basic = ET.SubElement(pupil, "BasicDetails")
        if row["preferred_surname"]:
            _text(basic, "PreferredSurname", row["preferred_surname"])
        if row["preferred_forename"]:
            _text(basic, "PreferredForename", row["preferred_forename"])
        _text(basic, "NCyearActual", row["year_group"])
        history = ET.SubElement(pupil, "SENhistory")
        for period in session.db.query(
                "SELECT status, start_date FROM sen_status_history WHERE pupil_id = ?"
                " ORDER BY start_date, id", (pupil_id,)):
            entry = ET.SubElement(history, "SEN")
            _text(entry, "StartDate", period["start_date"])
            _text(entry, "SENprovision", period["status"])
        needs = ET.SubElement(history, "SENneeds")
        for need in session.db.query(
                "SELECT code, rank FROM sen_needs WHERE pupil_id = ? AND end_date IS NULL"
                " ORDER BY rank", (pupil_id,)):
            entry = ET.SubElement(needs, "SENneed")
            _text(entry, "SENtype", need["code"])
            _text(entry, "SENtypeRank", str(need["rank"]))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


@operation(Permission.EXPORT_TRANSFER, writes=False, audit="exported a Common Transfer File")
def export_ctf(session: Session, pupil_id: int, path: Path) -> None:
    """Write one pupil's CTF to a file the user chose, and record the export."""
    data = build_ctf(session, [int(pupil_id)], None)
    atomic_write(Path(path), data)
    viewed(session, "pupil", int(pupil_id))


# --- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CtfPupil:
    upn: str
    surname: str
    forename: str
    dob: str                    # as the CTF gives it (YYYY-MM-DD), "" if absent
    status: str | None          # the latest SENprovision, mapped to E/K/N
    since: dt.date | None
    needs: tuple[str, ...]      # by rank


@dataclass
class CtfImport:
    source: str
    applied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def parse_ctf(data: bytes) -> tuple[str, list[CtfPupil]]:
    """The source school's name and each pupil's SEN status and needs; refuses unsafe XML."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden,
            defusedxml.ExternalReferenceForbidden) as exc:
        raise ValidationError("This CTF contains a document type declaration or entities, which "
                              "real CTFs never do and which can be used to attack the computer "
                              "reading it. It was not read; nothing was imported.") from exc
    except ET.ParseError as exc:
        raise ValidationError(f"This file is not well-formed XML ({exc}). Nothing was "
                              "imported.") from exc
    except (LookupError, ValueError) as exc:  # an unknown or unusable declared encoding
        raise ValidationError("This file declares a character encoding sendesk cannot read; "
                              "a CTF is UTF-8. Nothing was imported.") from exc
    if root.tag != "CTfile":
        raise ValidationError("This XML file is not a Common Transfer File (it does not start "
                              "with CTfile). Nothing was imported.")
    source = (root.findtext("Header/SourceSchool/SchoolName") or "").strip() or "the sending school"
    pupils = []
    for element in root.findall("CTFpupilData/Pupil"):
        upn = (element.findtext("UPN") or "").strip().upper()
        history = []
        for entry in element.findall("SENhistory/SEN"):
            code = (entry.findtext("SENprovision") or "").strip().upper()
            start = (entry.findtext("StartDate") or "").strip()
            try:
                history.append((dt.date.fromisoformat(start[:10]), sen.read_status(code)))
            except (ValueError, ValidationError) as exc:
                raise ValidationError(f"Pupil {upn}: SEN entry '{code}' from '{start}' is not a "
                                      "dated E, K or N status. Nothing was imported.") from exc
        ranked: list[tuple[int, str]] = []
        for entry in (element.findall("SENhistory/SENneeds/SENneed")
                      + element.findall("SENneeds/SENneed")):
            try:
                rank = int((entry.findtext("SENtypeRank") or "").strip())
            except ValueError:
                rank = len(ranked) + 1
            ranked.append((rank, (entry.findtext("SENtype") or "").strip().upper()))
        latest = max(history) if history else None
        pupils.append(CtfPupil(upn, (element.findtext("Surname") or "").strip(),
                               (element.findtext("Forename") or "").strip(),
                               (element.findtext("DOB") or "").strip()[:10],
                               latest[1] if latest else None, latest[0] if latest else None,
                               tuple(code for _, code in sorted(ranked))))
    _each_pupil_once(pupils)
    return source, pupils


def _each_pupil_once(pupils: list[CtfPupil]) -> None:
    """A CTF that lists a pupil twice contradicts itself: which entry is true? Refused whole,
    rather than applying the first and reporting the second as a difference."""
    seen: set[str] = set()
    for pupil in pupils:
        upn = "".join(pupil.upn.split()).upper()
        if upn in seen:
            raise ValidationError(f"This CTF lists the pupil with UPN {upn} more than once, so "
                                  "it is not clear which entry is right. Ask the sending school "
                                  "for a corrected file. Nothing was imported.")
        seen.add(upn)


def _not_in_future(pupils: list[CtfPupil], day: dt.date) -> None:
    """A SEN status cannot start after today (a date like 2999 is a slip or an attack)."""
    for pupil in pupils:
        if pupil.since is not None and (pupil.since > day or pupil.since.year < 1900):
            raise ValidationError(f"This CTF gives pupil {pupil.upn} a SEN status from "
                                  f"{pupil.since.isoformat()}, which is not a date a status can "
                                  "start on. Ask the sending school for a corrected file. Nothing "
                                  "was imported.")


def _mismatched(session: Session, pupils: list[CtfPupil]) -> list[str]:
    """Every UPN held here for a different child (models/matching.py: the same rule as the MIS
    and package imports); a CTF naming one never changes that child's SEN record."""
    found = []
    for pupil in pupils:
        row = session.db.query_one("SELECT legal_surname, legal_forename, dob FROM pupils WHERE"
                                   " upper(upn) = ?", ("".join(pupil.upn.split()).upper(),))
        if row is None:
            continue
        ours = matching.Identity.of(row["legal_surname"], row["legal_forename"], row["dob"])
        theirs = matching.Identity.of(pupil.surname, pupil.forename, pupil.dob)
        if not matching.same_child(ours, theirs):
            found.append(matching.describe(pupil.upn, ours, theirs, "the CTF"))
    return found


@operation(Permission.CHANGE_SEN_STATUS, audit="imported a Common Transfer File")
def import_ctf(session: Session, path: Path) -> CtfImport:
    """Take SEN status and needs from a CTF, all pupils or none; differences are reported.

    Each status taken is a change_status of its own (audited per pupil), inside this one
    transaction."""
    source, pupils = parse_ctf(read_limited(Path(path), MAX_CTF_BYTES, "Common Transfer File"))
    result = CtfImport(source)
    _not_in_future(pupils, today(session))
    mismatched = _mismatched(session, pupils)
    if mismatched:
        raise ValidationError("This CTF gives a UPN this school holds for a different child: "
                              + "; ".join(mismatched) + ". Check the UPNs with the sending "
                              "school. Nothing was imported.")
    applied: list[int] = []
    for pupil in pupils:
        label = f"{pupil.upn} ({pupil.forename} {pupil.surname})".strip()
        row = session.db.query_one(
            "SELECT id, archived_at, legal_surname, legal_forename, dob FROM pupils WHERE"
            " upper(upn) = ?", ("".join(pupil.upn.split()).upper(),))
        if row is None:
            result.not_found.append(f"{label}: not in this database; import the pupil from "
                                    "your MIS first")
            continue
        if row["archived_at"] is not None:
            result.conflicts.append(f"{label}: has left this school; the archived record is "
                                    "read-only and was not changed")
            continue
        pupil_id = int(row["id"])
        if pupil.status is None:
            result.unchanged.append(f"{label}: the CTF records no SEN status")
            continue
        needs = sen.clean_needs(pupil.needs, pupil.status) if pupil.status in sen.ON_REGISTER else ()
        current = session.db.query_one("SELECT status FROM sen_status_history WHERE"
                                       " pupil_id = ? AND end_date IS NULL", (pupil_id,))
        ours = tuple(r["code"] for r in session.db.query(
            "SELECT code FROM sen_needs WHERE pupil_id = ? AND end_date IS NULL ORDER BY rank",
            (pupil_id,)))
        if current is None:
            since = min(pupil.since or today(session), today(session))
            sen_register.change_status(session, pupil_id, pupil.status, since,
                                       f"From the Common Transfer File sent by {source}.",
                                       needs=needs)
            applied.append(pupil_id)
            # New to the register here: a Year 7 arrival is reviewed before the autumn ends.
            year7 = review_requests.after_year7_arrival(session, [pupil_id])
            result.applied.append(f"{label}: status {pupil.status}"
                                  + (f", needs {', '.join(needs)}" if needs else "")
                                  + "".join(f"; {r.label}" for r in year7))
        elif current["status"] == pupil.status and ours == tuple(needs):
            result.unchanged.append(f"{label}: already {pupil.status}"
                                    + (f" with {', '.join(needs)}" if needs else ""))
        else:
            result.conflicts.append(
                f"{label}: this school records {current['status']}"
                + (f" ({', '.join(ours)})" if ours else "")
                + f", the CTF says {pupil.status}" + (f" ({', '.join(needs)})" if needs else "")
                + "; left as it is for the SENCO to decide")
    changed(session, Kind.SEN, applied, target=(None, None), applied=len(result.applied),
            conflicts=len(result.conflicts), not_found=len(result.not_found))
    return result
