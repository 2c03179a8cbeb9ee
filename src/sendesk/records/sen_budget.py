"""The school's notional SEN budget: the part of its delegated budget the local authority says
is for pupils with SEN (the first £6,000 of each pupil's additional support comes from it).

It is a school setting, set by the SENCO (or whoever may change the school's settings) from the
whole-school provision map, and read wherever spend is set against it: the whole-school map and
the governors' report. The change is audited with the amounts before and after.
"""

from __future__ import annotations

from ..errors import ValidationError
from ..models import provision
from ..models.roles import Permission
from ..operations import Kind, changed, operation
from ..session import Session

META_KEY = "notional_sen_budget_pence"
MAX_BUDGET_PENCE = 100_000_000_00   # £100 million: anything larger is a typing slip
# Read as models.provision reads money, without its £100,000 cap on one item's rate.


def budget_of(session: Session) -> int | None:
    """The notional SEN budget in pence, or None if the school has not set it (no check:
    callers are already inside an operation that may read records)."""
    value = session.db.scalar("SELECT value FROM meta WHERE key = ?", (META_KEY,))
    return int(value) if value not in (None, "") else None


@operation(Permission.VIEW_RECORDS, writes=False)
def notional_budget(session: Session) -> int | None:
    """The notional SEN budget in pence (a school figure, no pupil's: not audited)."""
    return budget_of(session)


def parse_budget(value: str | int | None) -> int | None:
    """'£120,000' as pence; blank means the school has not set one."""
    if isinstance(value, int):
        pence = value
    else:
        text = (value or "").strip()
        if not text:
            return None
        compact = text.replace(" ", "")
        if provision.written_negative(compact):
            raise ValidationError("The notional SEN budget cannot be negative.", field="budget")
        parsed = provision.money_in_pence(compact)
        if parsed is None:
            raise ValidationError(f"'{text}' is not an amount of money; write the notional SEN "
                                  "budget like £120,000.", field="budget")
        pence = parsed
    if not 0 <= pence <= MAX_BUDGET_PENCE:
        raise ValidationError("The notional SEN budget must be between £0 and £100,000,000.",
                              field="budget")
    return pence


@operation(Permission.SETTINGS, Permission.MANAGE_PLANS, audit="set the notional SEN budget")
def set_notional_budget(session: Session, value: str | int | None) -> int | None:
    """Set (or, with a blank, clear) the notional SEN budget; returns it in pence."""
    pence = parse_budget(value)
    old = budget_of(session)
    if pence == old:
        return pence
    if pence is None:
        session.db.execute("DELETE FROM meta WHERE key = ?", (META_KEY,))
    else:
        session.db.set_meta(META_KEY, str(pence))
    changed(session, Kind.SETTINGS, target=(None, None),
            old=None if old is None else provision.money_for_csv(old),
            new=None if pence is None else provision.money_for_csv(pence))
    return pence
