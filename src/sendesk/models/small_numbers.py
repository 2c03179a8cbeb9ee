"""Counts for reports that leave the SEND team (governors, the SEN Information Report, impact
tables): small numbers identify children, so any count under 5 is shown as "fewer than 5".

Hiding the small cell alone is not enough when a table also shows its total: a governor who
reads "total 23; cognition and learning 12; social, emotional and mental health 8; sensory
fewer than 5" can subtract and find the 3. So, in a breakdown whose total is shown, when just
one cell is hidden the next smallest is hidden too (shown as "5 or more", which is true and
stops the subtraction). Figures worked out from a hidden count (a percentage of it, a mean
over it, a cost per pupil of it) are hidden with it: :func:`hidden` says whether they are.

Zero is a count under 5 as well: "none" next to "fewer than 5" would tell a reader which of
the hidden cells are the non-empty ones.
"""

from __future__ import annotations

from collections.abc import Sequence

SMALLEST_SHOWN = 5
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


def shown_all(counts: Sequence[int], *, total_shown: bool = True) -> list[str]:
    """The cells of one breakdown as a report prints them.

    With the total shown alongside, a single hidden cell could be worked out by subtraction,
    so the smallest of the others is hidden too ("5 or more")."""
    cells = [shown(c) for c in counts]
    small = [i for i, c in enumerate(counts) if hidden(c)]
    if total_shown and len(small) == 1:
        others = [i for i in range(len(counts)) if i not in small]
        if others:
            second = min(others, key=lambda i: (counts[i], i))
            cells[second] = FIVE_OR_MORE
    return cells


def plain(cell: str) -> bool:
    """Whether a shown cell is the count itself (not "fewer than 5" or "5 or more")."""
    return cell not in (FEWER, FIVE_OR_MORE)


def withheld(cell: str) -> str:
    """What a figure worked out from a hidden count says: "fewer than 5" when the count was
    small, "not shown" when it was hidden only to protect another."""
    return FEWER if cell == FEWER else NOT_SHOWN


def shown_for_csv(count: int) -> str:
    """The same rule in a CSV cell (no thousands separator, so spreadsheets read a number)."""
    return FEWER if hidden(count) else str(int(count))
