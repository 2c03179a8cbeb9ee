"""Keeping protected addresses out of everything that leaves the school, and nothing else.

A protected address (a looked-after pupil's placement, a contact marked 'do not disclose') is
as telling in part as in whole, but only in its distinctive parts: the house number and
street, a house or building name, the postcode. A town on its own is not: it is often in the
school's own name, in other families' addresses and in the local authority's name, and
blanking it there both damages the document and points at what was hidden ("[withheld] Vale").

So an address is split into its parts (lines, and comma- or semicolon-separated pieces) and
each part is one of:
- strong: it holds a postcode, or a house number with a street ("12 Larkfield Road"). Always
  withheld, wherever it is typed.
- street-like: the street without its number ("Larkfield Road"), a building or house name
  before the number ("Juniper House"), or a part with a street word ("Mill Lane"), of two or
  more words. Withheld unless the same words also appear in text that may be disclosed (the
  school's name, another person's address, the pupil's own details): then they are no secret.
- locality: anything else (a town, a county). Never withheld on its own, only as part of a run
  of the address's parts that holds a strong or street-like part ("Larkfield Road, Larkfield").

Every run of consecutive parts that holds a strong or street-like part is a fragment, as is
the whole address (unless it is only words that may be disclosed anyway); postcodes are also
matched without their space. Fragments are matched case-insensitively across any run of
spaces, line breaks, commas or semicolons, in one pass, longest first, so however a note
wrapped or re-punctuated an address it becomes one mark. The mark says nothing of what it
replaced: not its length, not a letter of it. Pure rules: no Qt, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WITHHELD = "[address withheld]"
POSTCODE = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})(?![A-Z0-9])", re.IGNORECASE)
_SEPARATORS = r"[\s,;]+"
_GAP = r"[\s,;]*"
_HOUSE_NUMBER = re.compile(r"^(?:(?:flat|apartment|unit)\s+\d+[A-Z]?\s+)?\d+[A-Z]?\b\s*", re.IGNORECASE)
_STREET_WORDS = frozenset(
    "road rd street st lane ln avenue ave close drive dr way terrace court crescent place "
    "gardens grove row walk mews square hill rise parade vale view green park yard wharf "
    "boulevard end gate croft fold chase meadow meadows".split())
_UNIT_WORDS = frozenset(("flat", "apartment", "apt", "unit", "room", "floor"))
_MARKS = re.compile(rf"{re.escape(WITHHELD)}(?:{_GAP}{re.escape(WITHHELD)})+")


def _words(text: str) -> list[str]:
    return [w for w in re.split(_SEPARATORS, text or "") if w]


def _key(text: str) -> str:
    """Text reduced to its words, lower case, for 'does this also appear there?'."""
    return " ".join(w.lower() for w in _words(text))


def parts(secret: str) -> list[str]:
    """The address's lines and comma- or semicolon-separated pieces, in order."""
    found = []
    for line in (secret or "").splitlines():
        for part in re.split(r"[,;]", line):
            part = " ".join(part.split())
            if part:
                found.append(part)
    return found


def _street(part: str) -> str | None:
    """The street of a part that starts with a house number ("12 Larkfield Road" gives
    "Larkfield Road"); None when the part has no house number or nothing after it."""
    match = _HOUSE_NUMBER.match(part)
    rest = part[match.end():].strip() if match else ""
    return rest or None


class _Disclosed:
    """Text that may be disclosed, to ask whether some words also appear in it."""

    def __init__(self, keep: Iterable[str]) -> None:
        self.texts = [f" {k} " for k in (_key(t) for t in keep) if k]

    def __contains__(self, text: str) -> bool:
        key = f" {_key(text)} "
        return any(key in t for t in self.texts)


def fragments(secret: str, keep: Iterable[str] = ()) -> list[str]:
    """The pieces of one address that must not appear anywhere, longest first."""
    secret = (secret or "").strip()
    pieces = parts(secret)
    if not pieces:
        return []
    disclosed = _Disclosed(keep)
    numbered = [i for i, p in enumerate(pieces) if _street(p)]
    first_numbered = numbered[0] if numbered else 0

    def street_like(i: int, text: str) -> bool:
        words = _words(text)
        named = [w for w in words if w.isalpha() and w.lower() not in _UNIT_WORDS]
        if len(words) < 2 or not named or text in disclosed:
            return False   # "Flat 3" alone names no place
        return (i <= first_numbered or bool(_street(pieces[i]))
                or any(w.lower() in _STREET_WORDS for w in _words(text)))

    strong = [bool(POSTCODE.search(p) or _street(p)) for p in pieces]
    found: set[str] = set()
    if any(strong) or secret not in disclosed:
        found.add(", ".join(pieces))
    for i in range(len(pieces)):
        street = _street(pieces[i])
        first = [(pieces[i], strong[i] or street_like(i, pieces[i]))]
        if street:
            first.append((street, street_like(i, street)))
        for head, head_anchor in first:
            anchored = head_anchor
            run = [head]
            for j in range(i, len(pieces)):
                if j > i:
                    run.append(pieces[j])
                    anchored = anchored or strong[j] or street_like(j, pieces[j])
                if anchored:
                    found.add(", ".join(run))
    return sorted(found, key=len, reverse=True)


def postcodes(secret: str) -> list[str]:
    """Every UK-postcode-shaped token in an address, as outward and inward code."""
    return [f"{m.group(1)} {m.group(2)}".upper() for m in POSTCODE.finditer(secret or "")]


def _fragment_pattern(text: str) -> str | None:
    words = _words(text)
    if not words:
        return None
    body = _GAP.join(re.escape(w) for w in words)
    return rf"(?<!\w){body}(?!\w)"


def _postcode_pattern(code: str) -> str:
    outward, inward = code.split()
    return rf"(?<![A-Za-z0-9]){re.escape(outward)}{_GAP}{re.escape(inward)}(?![A-Za-z0-9])"


def pattern(secrets: Iterable[str], keep: Iterable[str] = ()) -> re.Pattern[str] | None:
    """One pattern matching every fragment and postcode of every secret, longest first, so the
    whole address is replaced as one mark rather than part by part; None with no secrets."""
    keep = list(keep)
    texts: set[str] = set()
    codes: set[str] = set()
    for secret in secrets:
        texts.update(fragments(secret, keep))
        codes.update(postcodes(secret))
    found = [p for p in (_fragment_pattern(t) for t in sorted(texts, key=len, reverse=True)) if p]
    found += [_postcode_pattern(code) for code in sorted(codes)]
    return re.compile("|".join(found), re.IGNORECASE) if found else None


def redact_text(text: str, compiled: re.Pattern[str] | None) -> tuple[str, int]:
    """The text with every match replaced by WITHHELD (marks that meet become one), and how
    many marks were added."""
    if compiled is None or not text:
        return text, 0
    before = text.count(WITHHELD)
    cleaned = _MARKS.sub(WITHHELD, compiled.sub(WITHHELD, text))
    return cleaned, max(cleaned.count(WITHHELD) - before, 0)


class Redactor:
    """The pattern built once for a set of secrets (and the text that may be disclosed),
    applied to many strings; count says how many marks it has made."""

    def __init__(self, secrets: Iterable[str], keep: Iterable[str] = ()) -> None:
        self.pattern = pattern((s for s in secrets if s and s.strip()), keep)
        self.count = 0

    def __bool__(self) -> bool:
        return self.pattern is not None

    def __call__(self, text: str) -> str:
        text, count = redact_text(text, self.pattern)
        self.count += count
        return text
