"""iCalendar (RFC 5545) for the SEND agenda, written so real calendar programs import it.

Every event is an all-day VEVENT (DTSTART and DTEND as VALUE=DATE, DTEND the day after, as
5545 section 3.6.1 requires for a one-day event), marked TRANSPARENT so reminders do not block
a teacher's free time. UIDs are stable across exports (the agenda item's key and the database's
id), so importing a newer export updates events instead of duplicating them. Text is escaped
(backslash, semicolon, comma, newline) and lines are folded at 75 octets without splitting a
UTF-8 character; lines end in CRLF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .agenda import AgendaItem

PRODID = "-//sendesk//SEND agenda//EN"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> list[str]:
    """One content line as physical lines of at most 75 octets (continuations start with a
    space, which counts towards their 75)."""
    parts: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_OCTETS - 1
        current += char
        size += width
    parts.append(current)
    return [parts[0]] + [" " + part for part in parts[1:]]


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_bytes(items: Iterable[AgendaItem], *, name: str, uid_domain: str,
                   stamp: dt.datetime) -> bytes:
    """The agenda items as one VCALENDAR. Only titles, details and references go in, which
    name no pupil."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}"]
    for item in items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.key}@{uid_domain}",
            f"DTSTAMP:{_stamp(stamp)}",
            f"DTSTART;VALUE=DATE:{_date(item.day)}",
            f"DTEND;VALUE=DATE:{_date(item.day + dt.timedelta(days=1))}",
            f"SUMMARY:{escape_text(item.title)}",
            f"DESCRIPTION:{escape_text(item.detail)}",
            f"CATEGORIES:{escape_text(item.kind.label)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in fold(line)).encode("utf-8")
