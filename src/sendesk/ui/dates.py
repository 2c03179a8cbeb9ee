"""How the window shows a date: always dd/mm/yyyy, an empty cell for none."""

from __future__ import annotations

import datetime as dt

from ..models import dates


def uk(day: dt.date | None) -> str:
    return dates.format_uk(day) if day else ""
