"""The letterhead, logo, signature block and the wording of each parent letter, kept as data a
school can adjust.

The defaults ship in resources/templates/letters.json. An installed program's folder is
read-only (and shared by every school on the PC), so a school's own version is imported into
its encrypted database (Tools > Letter templates, or `sendesk-cli templates import`) and kept
beside the school's name in the meta table, where it travels with the database's backups; it
overrides the default until it is reset. Every template is checked when it is loaded or
imported, and a fault is named plainly (which letter, which paragraph, which placeholder).
"""

from __future__ import annotations

import base64
import json
import string
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import SendeskError, ValidationError
from ..models import bounded_json
from ..models.roles import Permission
from ..models.text import hidden_character
from ..operations import Kind, changed, operation
from ..resources import resource_path
from ..session import Session

FORMAT = 1
LETTER_KINDS = ("letter-added", "letter-removed", "invitation")
YOUNG_PERSON_SECTION = "young_person_letters"
PLACEHOLDERS: dict[str, str] = {
    "school_name": "the school's name",
    "school_reference": "the school's URN or LA/establishment number",
    "pupil_name": "the pupil's name (as they are known)",
    "pupil_first_name": "the pupil's first name",
    "recipient_name": "the name of the person the letter is to",
    "greeting_name": "the person the letter is to, as the template's 'greeting' names them "
                     "(for example Mrs Hughes)",
    "senco_name": "the name of the person writing the letter",
    "today": "today's date",
    "change_date": "the date the pupil joined or left the SEN register",
    "review_date": "the date the support plan is to be reviewed by",
    "primary_need": "the pupil's primary need",
    "year_group": "the pupil's year group",
    "responsible_teacher": "the teacher responsible for the pupil's support (from the plan)",
    "key_worker": "the pupil's key worker (from the plan)",
    "support_people": "a sentence naming the responsible teacher and the key worker (empty "
                      "when the plan names neither)",
    "sendiass_name": "the local SENDIASS's name (Tools > School details)",
    "sendiass_phone": "the SENDIASS's phone number",
    "sendiass_email": "the SENDIASS's email address",
    "sendiass_web": "the SENDIASS's web address",
    "local_offer_web": "the web address of the local authority's Local Offer",
    "impartial_advice": "a sentence on where to get impartial advice: the SENDIASS and the "
                        "Local Offer (empty when neither is recorded)",
}
# How {greeting_name} names the person a letter is to; title and surname unless the school
# chooses otherwise. With no title recorded, "title_surname" greets the parent or carer of the
# pupil rather than guess one.
GREETINGS = {"title_surname": "title and surname (Mrs Hughes)",
             "full_name": "full name (Claire Hughes)",
             "first_name": "first name (Claire)"}
DEFAULT_GREETING = "title_surname"
MAX_LOGO_BYTES = 512 * 1024
MAX_TEMPLATE_BYTES = 256 * 1024
_META_TEMPLATE = "template:letters"
_META_LOGO = "template:logo"


class TemplateError(ValidationError):
    """A letters template that cannot be used; the message says where the fault is."""


@dataclass(frozen=True)
class LetterWording:
    subject: str
    salutation: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Templates:
    school_name: str
    letterhead_lines: tuple[str, ...]
    logo: bytes | None
    closing: str
    signer: str
    signer_role: str
    letters: dict[str, LetterWording]
    source: str            # 'default' or 'school'
    greeting: str = DEFAULT_GREETING   # one of GREETINGS
    # From 16, letters to the young person themselves ("We will work with you"), by kind.
    young_person_letters: dict[str, LetterWording] = field(default_factory=dict)

    def fill(self, text: str, values: Mapping[str, str]) -> str:
        return _formatter.vformat(text, (), _Values(values))


class _Values(dict):
    def __missing__(self, key: str) -> str:  # checked on load; never reached for a valid template
        return ""


_formatter = string.Formatter()


# --- checking ----------------------------------------------------------------------------------
def _placeholders(text: str, where: str, source: str) -> None:
    try:
        parsed = list(_formatter.parse(text))
    except ValueError:
        raise TemplateError(f"{source}: {where} has a brace {{ or }} that is not part of a "
                            "placeholder; write placeholders like {pupil_name}.") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise TemplateError(f"{source}: {where} uses {{{name}}}, which is not a placeholder. "
                                "Use one of: " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS) + ".")


def _text(raw: Mapping[str, Any], key: str, where: str, source: str, *,
          required: bool = True) -> str:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise TemplateError(f"{source}: {where} has no '{key}'.")
        return ""
    if not isinstance(value, str):
        raise TemplateError(f"{source}: {where}: '{key}' must be text in quotes.")
    if len(value) > 4000:
        raise TemplateError(f"{source}: {where}: '{key}' is too long (at most 4,000 characters).")
    if hidden_character(value, allowed="\n\t") is not None:
        raise TemplateError(f"{source}: {where}: '{key}' contains a hidden control character.")
    _placeholders(value, f"{where} '{key}'", source)
    return value


MAX_LOGO_SIDE = 4000


def check_logo(data: bytes | None, source: str = "") -> bytes | None:
    """A PNG or JPEG small enough to print on every letter; anything else is refused. A fault
    names the logo by its own file name (`source`), not the template's.

    The image is walked to its end here, when it is imported, so a logo that would not draw
    (cut short, damaged, or so large that drawing it would take gigabytes: a 65000 x 65000
    JPEG is a few kilobytes) is refused with a message rather than silently left off every
    letter later."""
    if data is None:
        return None
    logo = f"The logo {source}" if source else "The logo"
    if len(data) > MAX_LOGO_BYTES:
        raise TemplateError(f"{logo} is {len(data) // 1024:,} KB; use an image of at "
                            f"most {MAX_LOGO_BYTES // 1024} KB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        size = _png_size(data)
    elif data.startswith(b"\xff\xd8\xff"):
        size = _jpeg_size(data)
    else:
        size = None
    if size is None:
        raise TemplateError(f"{logo} is not a PNG or JPEG image (or is damaged); save "
                            "it as PNG and import it again.")
    width, height = size
    if not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
        raise TemplateError(f"{logo} is {width:,} by {height:,} pixels; use an image "
                            f"of at most {MAX_LOGO_SIDE:,} by {MAX_LOGO_SIDE:,} pixels.")
    return data


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a complete PNG: every chunk's checksum holds, the image data
    inflates, and the file ends with IEND. None when it does not."""
    position, width, height = 8, 0, 0
    inflater = zlib.decompressobj()
    while position + 12 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if len(body) != length or position + 12 + length > len(data):
            return None
        crc = int.from_bytes(data[position + 8 + length:position + 12 + length], "big")
        if zlib.crc32(kind + body) != crc:
            return None
        if kind == b"IHDR" and length == 13:
            width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            if not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
                return width, height   # refused for its size, before anything is inflated
        elif kind == b"IDAT":
            try:   # bounded: at most 4 bytes a pixel plus a filter byte a row, well over any PNG
                inflater.decompress(inflater.unconsumed_tail + body, 8 * (width + 1) * height + 1)
            except zlib.error:
                return None
        elif kind == b"IEND":
            return (width, height) if width and position + 12 == len(data.rstrip(b"\0")) else None
        position += 12 + length
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's frame header, walking its segments to the scan; the
    file must end with the end-of-image marker. None when it does not."""
    if not data.rstrip(b"\0").endswith(b"\xff\xd9"):
        return None
    position, size = 2, None
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        length = int.from_bytes(data[position + 2:position + 4], "big")
        if length < 2 or position + 2 + length > len(data):
            return None
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                      0xCF) and length >= 7:
            segment = data[position + 4:position + 2 + length]
            size = int.from_bytes(segment[3:5], "big"), int.from_bytes(segment[1:3], "big")
        if marker == 0xDA:   # start of scan: compressed data follows to the end marker
            return size
        position += 2 + length
    return None


def parse(data: bytes, *, source: str, logo: bytes | None = None,
          origin: str = "school", logo_source: str = "") -> Templates:
    """Check a letters template completely; the first fault is raised, saying where it is
    (`source` names the template, `logo_source` the logo's own file)."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"{source} is too large to be a letters template.")
    try:
        raw = bounded_json.loads(data, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(f"{source} is not UTF-8 text; save it as UTF-8.") from None
    except bounded_json.JsonRefused as exc:
        raise TemplateError(f"{source} cannot be a letters template ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{source} is not valid JSON (the fault is at line {exc.lineno}, "
                            f"column {exc.colno}).") from None
    if not isinstance(raw, dict):
        raise TemplateError(f"{source} must hold one JSON object {{ ... }}.")
    if raw.get("format") != FORMAT:
        raise TemplateError(f"{source}: 'format' must be {FORMAT} (this sendesk reads format "
                            f"{FORMAT} templates).")
    head = raw.get("letterhead")
    if not isinstance(head, dict):
        raise TemplateError(f"{source} has no 'letterhead' section.")
    lines = head.get("lines", [])
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise TemplateError(f"{source}: letterhead 'lines' must be a list of lines of text.")
    if len(lines) > 8:
        raise TemplateError(f"{source}: the letterhead has {len(lines)} lines; use at most 8.")
    for number, line in enumerate(lines, start=1):
        _text({"line": line}, "line", f"letterhead line {number}", source, required=False)
    name = _text(head, "school_name", "the letterhead", source, required=False) or "{school_name}"
    if head.get("logo") not in (None, "") and logo is None:
        raise TemplateError(f"{source}: the letterhead names a logo ({head.get('logo')}) but no "
                            "logo image was given with it.")
    signature = raw.get("signature")
    if not isinstance(signature, dict):
        raise TemplateError(f"{source} has no 'signature' section.")
    greeting = raw.get("greeting", DEFAULT_GREETING)
    if greeting not in GREETINGS:
        raise TemplateError(f"{source}: 'greeting' must be one of "
                            + ", ".join(f'"{key}" ({meaning})' for key, meaning in GREETINGS.items())
                            + ".")
    letters_raw = raw.get("letters")
    if not isinstance(letters_raw, dict):
        raise TemplateError(f"{source} has no 'letters' section.")
    letters = _letters(letters_raw, source, "letter")
    # Optional: a school's template without them writes to a young person in sendesk's words.
    to_young = raw.get(YOUNG_PERSON_SECTION)
    if to_young is not None and not isinstance(to_young, dict):
        raise TemplateError(f"{source}: '{YOUNG_PERSON_SECTION}' must be a section {{ ... }} "
                            "like 'letters'.")
    young = _letters(to_young, source, "young person's letter") if to_young else {}
    return Templates(
        school_name=name, letterhead_lines=tuple(lines), logo=check_logo(logo, logo_source),
        closing=_text(signature, "closing", "the signature", source),
        signer=_text(signature, "name", "the signature", source),
        signer_role=_text(signature, "role", "the signature", source, required=False),
        letters=letters, source=origin, greeting=greeting, young_person_letters=young)


def _letters(section: dict, source: str, label: str) -> dict[str, LetterWording]:
    """Each letter's wording in a 'letters' (or young person's letters) section, checked."""
    unknown = sorted(set(section) - set(LETTER_KINDS))
    if unknown:
        raise TemplateError(f"{source}: '{unknown[0]}' is not a letter sendesk writes; the letters "
                            "are " + ", ".join(LETTER_KINDS) + ".")
    letters: dict[str, LetterWording] = {}
    for kind in LETTER_KINDS:
        body = section.get(kind)
        if not isinstance(body, dict):
            raise TemplateError(f"{source} has no wording for the {label} '{kind}'.")
        where = f"{label} '{kind}'"
        paragraphs = body.get("paragraphs")
        if not isinstance(paragraphs, list) or not paragraphs:
            raise TemplateError(f"{source}: {where} has no 'paragraphs' (a list of paragraphs).")
        letters[kind] = LetterWording(
            _text(body, "subject", where, source), _text(body, "salutation", where, source),
            tuple(_text({"paragraph": text}, "paragraph", f"{where} paragraph {number}", source)
                  for number, text in enumerate(paragraphs, start=1)))
    return letters


# --- where they live ----------------------------------------------------------------------------
def default_bytes() -> bytes:
    path = resource_path("templates", "letters.json")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SendeskError("sendesk's letters template is missing. Reinstall sendesk to restore "
                           "it.") from exc


def load_default() -> Templates:
    return parse(default_bytes(), source="letters.json", origin="default")


@operation(Permission.VIEW_RECORDS, writes=False)
def load(session: Session) -> Templates:
    """The school's own templates if it imported some, otherwise sendesk's."""
    stored = session.db.scalar("SELECT value FROM meta WHERE key = ?", (_META_TEMPLATE,))
    if stored is None:
        return load_default()
    logo = session.db.scalar("SELECT value FROM meta WHERE key = ?", (_META_LOGO,))
    return parse(stored.encode("utf-8"), source="the school's letters template",
                 logo=base64.b64decode(logo) if logo else None)


# The SENCO writes the letters; an administrator may set the letterhead.
@operation(Permission.MANAGE_PLANS, Permission.SETTINGS, audit="imported letter templates")
def import_templates(session: Session, data: bytes, logo: bytes | None = None,
                     source: str = "the template file", logo_source: str = "") -> Templates:
    """Check a school's letters template (and logo) and keep it in the database, replacing the
    one before; nothing is stored if any part is wrong."""
    templates = parse(data, source=source, logo=logo, logo_source=logo_source)
    text = data.decode("utf-8-sig")
    session.db.set_meta(_META_TEMPLATE, text)
    session.db.execute("DELETE FROM meta WHERE key = ?", (_META_LOGO,))
    if logo is not None:
        session.db.set_meta(_META_LOGO, base64.b64encode(logo).decode("ascii"))
    changed(session, Kind.TEMPLATE, target=(None, None), logo=logo is not None)
    return templates


@operation(Permission.MANAGE_PLANS, Permission.SETTINGS,
           audit="reset letter templates to sendesk's")
def reset_templates(session: Session) -> None:
    """Go back to sendesk's own templates."""
    session.db.execute("DELETE FROM meta WHERE key IN (?, ?)", (_META_TEMPLATE, _META_LOGO))
    changed(session, Kind.TEMPLATE, target=(None, None))


@operation(Permission.VIEW_RECORDS, writes=False)
def current_bytes(session: Session) -> tuple[bytes, bytes | None]:
    """The template in use (the school's, or sendesk's) and its logo, to save and edit."""
    stored = session.db.scalar("SELECT value FROM meta WHERE key = ?", (_META_TEMPLATE,))
    if stored is None:
        return default_bytes(), None
    logo = session.db.scalar("SELECT value FROM meta WHERE key = ?", (_META_LOGO,))
    return stored.encode("utf-8"), base64.b64decode(logo) if logo else None


def placeholder_help() -> str:
    return "\n".join(f"{{{name}}}  {meaning}" for name, meaning in PLACEHOLDERS.items())
