"""What every page of the APDR wizard shares: its draft state, its message line, and the way
it asks the core for something (through the wizard's runner, showing a refusal on the page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from PySide6.QtWidgets import QLabel, QWidget

from ...errors import SendeskError, ValidationError
from ...models.apdr import Cycle, Part
from ...models.pupils import Pupil
from ...models.school_days import not_a_school_day
from ...records.apdr import fill_empty
from ...session import Session
from ..runner import OpRunner
from .view import CycleView
from .widgets import ERROR

T = TypeVar("T")


class Host(Protocol):
    """The wizard, as its pages see it."""

    session: Session
    runner: OpRunner
    cycle_id: int
    view: CycleView

    @property
    def cycle(self) -> Cycle: ...

    @property
    def pupil(self) -> Pupil: ...

    @property
    def is_current(self) -> bool: ...

    def go_to(self, part: Part) -> None: ...

    def switch_cycle(self, cycle_id: int) -> None: ...

    def refresh(self) -> None: ...


class Page(QWidget):
    """A part of the cycle; dirty until its draft is saved."""

    part: Part

    def __init__(self, wizard: Host) -> None:
        super().__init__()
        self.wizard = wizard
        self.session = wizard.session
        self.dirty = False
        self._loading = False
        self.message = QLabel(wordWrap=True, objectName=f"{self.part.value}_message")
        self.seeded = QLabel(wordWrap=True, objectName=f"{self.part.value}_seeded")
        self.seeded.setStyleSheet("color: #555; font-style: italic")
        self.seeded.hide()

    def touch(self) -> None:
        if not self._loading:
            self.dirty = True

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR if error else "color: #2e6b30")
        self.message.setText(text)

    def editable(self) -> bool:
        return False

    def school_day_before_or_on(self, day: dt.date) -> dt.date:
        """The date a meeting field proposes: the day itself, or the last school day before it
        when the school is shut then (a plan written up on a Saturday was agreed on Friday)."""
        return self.wizard.view.calendar.school_day_on_or_before(day)

    def shut_on(self, day: dt.date | None) -> str | None:
        """The sentence the core refuses a meeting on a day the school is shut with, naming
        the next school day, shown as the date is typed."""
        return not_a_school_day(self.wizard.view.calendar, day) if day is not None else None

    def load(self, view: CycleView) -> None:
        """Show the cycle's part afresh (every page has its own): nothing of what the page
        showed before may be left over, as if it were saved."""

    def offer(self, view: CycleView, form: Any, offered: Mapping[str, str]) -> bool:
        """Fill the form's empty fields with what the concerns discussion already holds (a
        first cycle only; never over anything typed or saved) and say where it came from
        while any field still reads as the discussion did. True when something was filled,
        so the page saves it with its draft."""
        seed = view.seed
        if seed is None or not self.editable():
            self.seeded.hide()
            return False
        filled = fill_empty(form.values(), offered)
        form.set_values(filled)
        current = form.values()
        self.seeded.setText(seed.source)
        self.seeded.setVisible(any((current.get(name) or "").strip() == text.strip()
                                   for name, text in offered.items()))
        return bool(filled)

    def save_draft(self) -> bool:
        """Save what is on the page; True when saved (or nothing needed saving)."""
        return True

    def write(self, fn: Callable[..., T], *args: Any, sender: QWidget | None = None,
              **kwargs: Any) -> T | None:
        """A core write through the runner; its refusal is shown on the page (None back)."""
        return self.run(lambda: self.wizard.runner.call(fn, *args, sender=sender, **kwargs))

    def read(self, fn: Callable[..., T], *args: Any, sender: QWidget | None = None,
             **kwargs: Any) -> T | None:
        return self.run(lambda: self.wizard.runner.call(fn, *args, sender=sender, **kwargs))

    def run(self, action: Callable[[], T]) -> T | None:
        """Call the core; show its refusal on the page instead of raising."""
        try:
            return action()
        except ValidationError as exc:
            self.mark(exc.field)
            self.say(str(exc), error=True)
        except SendeskError as exc:
            self.say(str(exc), error=True)
        return None

    def mark(self, field: str | None) -> None:
        """Outline the field the core named (pages with a form do)."""
