"""Counts for reports that leave the SEND team (governors, the SEN Information Report, impact
tables): small numbers identify children, so any count under 5 is shown as "fewer than 5".

Hiding the small cell alone is not enough when a table also shows its total: a governor who
reads "total 23; cognition and learning 12; social, emotional and mental health 8; sensory
fewer than 5" can subtract and find the 3. Nor is hiding a second cell always enough: "total
8; girls fewer than 5; boys fewer than 5" says each is 4, and "20 pupils: cognition and
learning 17, three other areas fewer than 5" says each is 1 when an area is listed only if it
has a pupil. So the rule (:func:`protect`) is: wherever a whole is the sum of its parts, every
hidden cell ("fewer than 5", "5 or more", "not shown") must stay consistent with at least
PROTECTION (three) values, given the whole, the cells shown and what each
hidden cell is known to be ("fewer than 5": 0 to 4, or 1 to 4 where a part is listed
only when it has a pupil; "5 or more": 5 upwards). Until that holds the smallest shown part is
hidden as "5 or more" (true, and it stops the subtraction); when no part is left to hide, the
hidden parts all say "not shown", which promises nothing about their size. A whole is never
hidden to protect its parts: the same whole is shown on its own elsewhere (the table without a
breakdown), so hiding it would protect nothing. Figures worked out from a hidden count (a
percentage of it, a mean over it, a cost per pupil of it) are hidden with it: :func:`hidden`
says whether they are.

Where the sums of one block are parts of one another (the governors' EHC requests: sent, of
which decided, of which agreed to assess), a reader reads them together, so such a block is
protected jointly (protect(joint=True), :func:`shown_related`): each cell narrowed by every
sum of the block, never by the sums of the whole report at once.

Zero is a count under 5 as well: "none" next to "fewer than 5" would tell a reader which of
the hidden cells are the non-empty ones.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

SMALLEST_SHOWN = 5
# How many values every hidden cell must stay consistent with. Two are not
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


def _pinned(terms: Sequence[tuple[float, float]], signs: Sequence[int],
            needs: Sequence[int]) -> list[int]:
    """The terms of sum(sign * value) == 0 that the others pin: a term left fewer values than
    it needs (PROTECTION for a small count, 2 for any other hidden count, 0 when shown)."""
    out = []
    for t, (low, high) in enumerate(terms):
        if not needs[t]:
            continue                                    # shown: nothing to protect
        others = [j for j in range(len(terms)) if j != t]     # sum(sign * value) of the rest
        rest_low = sum(terms[j][0] if signs[j] > 0 else -terms[j][1] for j in others)
        rest_high = sum(terms[j][1] if signs[j] > 0 else -terms[j][0] for j in others)
        # sign_t * x = -(others): x in [-rest_high, -rest_low] for +1, [rest_low, rest_high] for -1
        lo, hi = (-rest_high, -rest_low) if signs[t] > 0 else (rest_low, rest_high)
        lo, hi = max(lo, low), min(hi, high)
        if hi - lo < needs[t] - 1:
            out.append(t)
    return out


def _need(cell: str) -> int:
    """How many values a cell must stay consistent with: PROTECTION for every hidden cell,
    "5 or more" and "not shown" too (one of those may hold a count of none, and a reader who
    learns that a "5 or more" is 5 or 6 learns that its neighbour is small)."""
    return 0 if plain(cell) else PROTECTION


# Rounds of narrowing (:func:`_narrowed`) before giving up on a fixed point. The blocks that ask
# for it (a few sums in a tree, as the governors' requests are) settle in two or three.
_ROUNDS = 20


def _narrowed(bounds: dict[K, tuple[float, float]],
              sums: Sequence[tuple[K, Sequence[K]]]) -> dict[K, tuple[float, float]]:
    """What a reader can narrow each cell to by reading every sum of a block together: a part
    hidden as "5 or more" in one sum is at most the whole less the others' least, and that
    bound then holds where it is itself a whole. Exact when the sums form a tree (no two sums
    share more than one cell and no chain of shared cells comes back to where it began)."""
    found = dict(bounds)
    for _ in range(_ROUNDS):
        changed = False
        for whole, parts in sums:
            keys = [whole, *parts]
            signs = [-1, *([1] * len(parts))]
            for t, k in enumerate(keys):
                others = [j for j in range(len(keys)) if j != t]
                rest_low = sum(found[keys[j]][0] if signs[j] > 0 else -found[keys[j]][1]
                               for j in others)
                rest_high = sum(found[keys[j]][1] if signs[j] > 0 else -found[keys[j]][0]
                                for j in others)
                lo, hi = (-rest_high, -rest_low) if signs[t] > 0 else (rest_low, rest_high)
                low, high = found[k]
                if lo > low or hi < high:
                    found[k] = (max(lo, low), min(hi, high))
                    changed = True
        if not changed:
            break
    return found


def protect(counts: Mapping[K, int], sums: Sequence[tuple[K, Sequence[K]]], *,
            floors: Mapping[K, int] | None = None,
            start: Mapping[K, str] | None = None, joint: bool = False) -> dict[K, str]:
    """Every count as a report may print it, given which wholes are the sums of which parts.

    Each count starts shown or "fewer than 5" (or as start says). Then, until no sum pins a
    hidden cell down to too few values, nor leaves its hidden parts together fewer than 5
    (:func:`_few_hidden_together`): hide the smallest part still shown as "5 or more";
    failing that, make the sum's hidden parts "not shown". A sum that even then pins a cell
    (five parts listed only because each has a pupil, totalling 5) is left as it is: only
    hiding the whole would help, and the whole is shown elsewhere. floors: what a reader knows
    a cell holds at least when it has anyone (default 0). joint: the sums are one block whose
    wholes are parts of one another (requests sent, of which decided, of which agreed), so each
    is read with what the others say (:func:`_narrowed`); a handful of sums, never a whole
    report's, since the narrowing runs again after every cell hidden."""
    cells = {k: (start or {}).get(k) or shown(c) for k, c in counts.items()}
    low = floors or {}
    changed = True
    while changed:
        changed = False
        for whole, parts in sums:
            keys = [whole, *parts]
            signs = [-1, *([1] * len(parts))]
            if joint:
                known = _narrowed({k: _bounds(counts[k], cells[k], low.get(k, 0))
                                   for k in counts}, sums)
                terms = [known[k] for k in keys]
            else:
                terms = [_bounds(counts[k], cells[k], low.get(k, 0)) for k in keys]
            if not _pinned(terms, signs, [_need(cells[k]) for k in keys]) and \
                    not _few_hidden_together(counts, cells, whole, parts):
                continue
            open_parts = [k for k in parts if plain(cells[k])]
            if open_parts:
                smallest = min(open_parts, key=lambda k: (counts[k], parts.index(k)))
                cells[smallest] = FIVE_OR_MORE
                changed = True
                continue
            if any(cells[k] != NOT_SHOWN for k in parts):
                for k in parts:
                    cells[k] = NOT_SHOWN
                changed = True
            elif joint:
                # Every part already says nothing: what pins them comes from another sum of
                # the block (a part's part is shown), so hide there, nearest sums first.
                changed = _hide_beyond(cells, counts, keys, sums)
    return cells


def _few_hidden_together(counts: Mapping[K, int], cells: Mapping[K, str], whole: K,
                         parts: Sequence[K]) -> bool:
    """Whether a shown whole less its shown parts gives the hidden parts' total, and that is
    under 5: each hidden cell may still have its three values, but together they are a
    small group whose count (and whose means, from the whole's and the shown parts') a
    reader can work out ("8 measured: Year 3 5, four years fewer than 5" makes 3)."""
    if not plain(cells[whole]):
        return False
    hidden = [k for k in parts if not plain(cells[k])]
    if len(hidden) < 2:
        return False                     # one hidden part is _pinned's case
    rest = counts[whole] - sum(counts[k] for k in parts if plain(cells[k]))
    return 0 < rest < SMALLEST_SHOWN


def _hide_beyond(cells: dict[K, str], counts: Mapping[K, int], keys: Sequence[K],
                 sums: Sequence[tuple[K, Sequence[K]]]) -> bool:
    """Hide the smallest part still shown in the sums sharing a cell with keys (failing that,
    in any sum of the block) as "5 or more"; False when no part is left to hide."""
    near = [p for w, ps in sums if w in keys or any(p in keys for p in ps) for p in ps]
    for candidates in (near, [p for _, ps in sums for p in ps]):
        open_parts = [k for k in candidates if plain(cells[k])]
        if open_parts:
            cells[min(open_parts, key=lambda k: counts[k])] = FIVE_OR_MORE
            return True
    return False


def shown_related(pairs: Sequence[tuple[str, int]],
                  sums: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """One block of labelled counts as every report prints it (table, chart, CSV alike), given
    which of its rows are the sums of which (by label): rows with no sum between them are each
    shown or hidden alone."""
    cells = protect(dict(pairs), sums, joint=True)
    return [cells[label] for label, _ in pairs]


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
