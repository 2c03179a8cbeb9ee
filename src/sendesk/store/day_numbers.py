"""An ISO date's day number worked out in plain SQL, for derived columns a migration fills.

Dates are stored as ISO text ('YYYY-MM-DD') and date maths is done in Python, except where a
migration must fill a derived column from the history as it stands: a migration may only run
plain SQL on both engines, and neither engine's date functions may be used. So the day number
(days since 1 January 1970, as Python's ``(day - date(1970, 1, 1)).days``) is built from the
text with integer arithmetic alone (the proleptic Gregorian "days from civil" count), which
SQLite and PostgreSQL evaluate alike. tests/test_impact_facts.py holds it to Python's
own count over centuries of days.
"""

from __future__ import annotations

import datetime as dt

EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date) -> int:
    """The Python side of the same count."""
    return (day - EPOCH).days


def day_number_sql(column: str) -> str:
    """SQL for the day number of an ISO date column (NULL stays NULL). Integer division
    truncates on both engines; every operand is kept non-negative so that is the floor."""
    year = f"CAST(SUBSTR({column}, 1, 4) AS INTEGER)"
    month = f"CAST(SUBSTR({column}, 6, 2) AS INTEGER)"
    day = f"CAST(SUBSTR({column}, 9, 2) AS INTEGER)"
    # The year counted from March, so the leap day falls at its end.
    y = f"({year} - CASE WHEN {month} <= 2 THEN 1 ELSE 0 END)"
    shifted = f"(CASE WHEN {month} > 2 THEN {month} - 3 ELSE {month} + 9 END)"
    day_of_year = f"((153 * {shifted} + 2) / 5 + {day} - 1)"
    era = f"({y} / 400)"
    year_of_era = f"({y} - {era} * 400)"
    day_of_era = (f"({year_of_era} * 365 + {year_of_era} / 4 - {year_of_era} / 100"
                  f" + {day_of_year})")
    return f"({era} * 146097 + {day_of_era} - 719468)"
