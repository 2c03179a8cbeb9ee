"""Counts for reports that leave the SEND team (governors, the SEN Information Report, impact
tables): small numbers identify children, so any count under 5 is shown as "fewer than 5".

Hiding the small cell alone is not enough when a table also shows its total: a governor who
reads "total 23; cognition and learning 12; social, emotional and mental health 8; sensory
fewer than 5" can subtract and find the 3. Nor is hiding a second cell always enough: "total
8; girls fewer than 5; boys fewer than 5" says each is 4, and "20 pupils: cognition and
learning 17, three other areas fewer than 5" says each is 1 when an area is listed only if it
has a pupil. So the rule (:func:`protect`) is: wherever a whole is the sum of its parts, every
count hidden as "fewer than 5" must stay consistent with at least PROTECTION (three) values
(any other hidden cell with more than one), given the whole, the cells shown and what each
hidden cell is known to be ("fewer than 5": 0 to 4, or 1 to 4 where a part is listed
only when it has a pupil; "5 or more": 5 upwards). Until that holds the smallest shown part is
hidden as "5 or more" (true, and it stops the subtraction); when no part is left to hide, the
hidden parts all say "not shown", which promises nothing about their size. A whole is never
hidden to protect its parts: the same whole is shown on its own elsewhere (the table without a
breakdown), so hiding it would protect nothing. Figures worked out from a hidden count (a
percentage of it, a mean over it, a cost per pupil of it) are hidden with it: :func:`hidden`
says whether they are.

Zero is a count under 5 as well: "none" next to "fewer than 5" would tell a reader which of
the hidden cells are the non-empty ones.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

SMALLEST_SHOWN = 5
# How many values every count hidden as "fewer than 5" must stay consistent with. Two are not
# enough: a reader who learns "3 or 4" has all but learned the number, and anyone who knows one
# child ("my son is one of them") rules one of the two out; with three, one such fact still
# leaves two.
PROTECTION = 3
FEWER = "fewer than 5"
FIVE_OR_MORE = "5 or more"
# A figure worked out from a count hidden as "5 or more" (a mean over it, a share of it): it
# is not small, but showing it would let the hidden count be worked out from the total.
NOT_SHOWN = "not shown"


def hidden(count: int) -> bool:
    """Whether a count (and anything worked out from it) must not be shown."""
    return int(count) < SMALLEST_SHOWN


def shown(count: int) -> str:
    """One count as a report prints it."""
    return FEWER if hidden(count) else f"{int(count):,}"


def shown_all(counts: Sequence[int], *, total_shown: bool = True, floor: int = 0) -> list[str]:
    """The cells of one breakdown as a report prints them. With the total shown alongside,
    no hidden cell may be pinned down by subtraction (:func:`protect`); floor is what each
    listed cell is known to hold at least (1 where a part is listed only if it has a pupil)."""
    if not total_shown:
        return [shown(c) for c in counts]
    whole = -1
    found = {whole: sum(counts), **dict(enumerate(counts))}
    cells = protect(found, [(whole, list(range(len(counts))))],
                    floors=dict.fromkeys(range(len(counts)), floor))
    return [cells[i] for i in range(len(counts))]


K = TypeVar("K", bound=Hashable)


def _bounds(count: int, cell: str, floor: int) -> tuple[float, float]:
    """What a reader knows a cell holds, from what it says."""
    low = float(min(floor, count))
    if cell == FEWER:
        return low, float(SMALLEST_SHOWN - 1)
    if cell == FIVE_OR_MORE:
        return float(SMALLEST_SHOWN), math.inf
    if cell == NOT_SHOWN:
        return low, math.inf
    return float(count), float(count)


def _pinned(terms: Sequence[tuple[float, float]], signs: Sequence[int]) -> list[int]:
    """The terms of sum(sign * value) == 0 that the others pin: a small count (at most 4) left
    fewer than PROTECTION values, any other hidden count left one."""
    out = []
    for t, (low, high) in enumerate(terms):
        if low == high:
            continue                                    # shown: nothing to protect
        others = [j for j in range(len(terms)) if j != t]     # sum(sign * value) of the rest
        rest_low = sum(terms[j][0] if signs[j] > 0 else -terms[j][1] for j in others)
        rest_high = sum(terms[j][1] if signs[j] > 0 else -terms[j][0] for j in others)
        # sign_t * x = -(others): x in [-rest_high, -rest_low] for +1, [rest_low, rest_high] for -1
        lo, hi = (-rest_high, -rest_low) if signs[t] > 0 else (rest_low, rest_high)
        lo, hi = max(lo, low), min(hi, high)
        needed = PROTECTION if high < SMALLEST_SHOWN else 2
        if hi - lo < needed - 1:
            out.append(t)
    return out


def protect(counts: Mapping[K, int], sums: Sequence[tuple[K, Sequence[K]]], *,
            floors: Mapping[K, int] | None = None,
            start: Mapping[K, str] | None = None) -> dict[K, str]:
    """Every count as a report may print it, given which wholes are the sums of which parts.

    Each count starts shown or "fewer than 5" (or as start says). Then, until no sum pins a
    hidden cell down to one value: hide the smallest part still shown as "5 or more"; failing
    that, make the sum's hidden parts "not shown". A sum that even then pins a cell (five
    parts listed only because each has a pupil, totalling 5) is left as it is: only hiding the
    whole would help, and the whole is shown elsewhere. floors: what a reader knows a cell
    holds at least when it has anyone (default 0)."""
    cells = {k: (start or {}).get(k) or shown(c) for k, c in counts.items()}
    low = floors or {}
    changed = True
    while changed:
        changed = False
        for whole, parts in sums:
            keys = [whole, *parts]
            signs = [-1, *([1] * len(parts))]
            terms = [_bounds(counts[k], cells[k], low.get(k, 0)) for k in keys]
            if not _pinned(terms, signs):
                continue
            open_parts = [k for k in parts if plain(cells[k])]
            if open_parts:
                smallest = min(open_parts, key=lambda k: (counts[k], parts.index(k)))
                cells[smallest] = FIVE_OR_MORE
                changed = True
                continue
            for k in parts:
                if cells[k] != NOT_SHOWN:
                    cells[k] = NOT_SHOWN
                    changed = True
    return cells


def plain(cell: str) -> bool:
    """Whether a shown cell is the count itself (not "fewer than 5", "5 or more" or "not
    shown")."""
    return cell not in (FEWER, FIVE_OR_MORE, NOT_SHOWN)


def withheld(cell: str) -> str:
    """What a figure worked out from a hidden count says: "fewer than 5" when the count was
    small, "not shown" when it was hidden only to protect another."""
    return FEWER if cell == FEWER else NOT_SHOWN


def shown_for_csv(count: int) -> str:
    """The same rule in a CSV cell (no thousands separator, so spreadsheets read a number)."""
    return FEWER if hidden(count) else str(int(count))
