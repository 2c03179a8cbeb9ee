"""The Save of a correction form (a contact, a short note) opened on a record that another PC
may change while the form is open (issue 21, item 6).

Only the boxes this person changed are sent, with the record as the form opened it; the core
refuses the save if the record changed meanwhile (records/stale.py), and then the two versions
are shown side by side (ui/stale_dialog.py) over the form, which stays open with what was
typed. "Keep mine" sends the same changes again over the version now stored (the fields this
person left alone keep the other PC's values; theirs stays in the change history); "Take
theirs" shows the stored version in the form, to edit again or close.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from ..records.stale import StaleRecord
from .forms import FormDialog
from .stale_dialog import StaleDialog, show_stale

TAKEN = "Showing the version saved on the other PC. Make your change again if it is still needed."


class GuardedCorrection:
    """Called by the form's Save with what the boxes hold; ``write`` runs the core write
    (through the window's runner) as ``write(changes, expected=...)``."""

    def __init__(self, write: Callable[..., Any], expected: Any,
                 as_values: Callable[[Any], dict[str, Any]]) -> None:
        self.write, self.expected, self.as_values = write, expected, as_values
        self.form: FormDialog | None = None
        self.opened: dict[str, Any] = {}
        self.stale_dialog: StaleDialog | None = None

    def attach(self, form: FormDialog) -> FormDialog:
        """The form this saves, as it opened: what "changed" is measured against."""
        self.form, self.opened = form, form.form.values()
        return form

    def __call__(self, typed: dict[str, Any]) -> Any:
        changes = {key: value for key, value in typed.items() if value != self.opened.get(key)}
        if not changes:
            return []
        try:
            return self.write(changes, expected=self.expected)
        except StaleRecord as exc:
            assert self.form is not None
            self.stale_dialog = show_stale(self.form, exc, partial(self._keep_mine, exc),
                                           partial(self._take_theirs, exc))
            raise   # the form says why in its own words, and stays open with what was typed

    def _keep_mine(self, exc: StaleRecord) -> None:
        """The same changes (measured from what the form opened with) over what is stored."""
        assert self.form is not None
        self.expected = exc.now
        self.form.submit()

    def _take_theirs(self, exc: StaleRecord) -> None:
        assert self.form is not None
        self.expected = exc.now
        self.form.show_values(self.as_values(exc.now))
        self.opened = self.form.form.values()
        self.form.message.setText(TAKEN)


def open_correction(panel: Any, title: str, fields: list[Any], fn: Callable[..., Any],
                    record_id: int, expected: Any, as_values: Callable[[Any], dict[str, Any]],
                    intro: str = "") -> FormDialog:
    """Open a record panel's correction form on ``expected`` (the record as the window holds
    it); Save runs ``fn(record_id, changes, expected=...)`` on the panel's runner."""
    guard = GuardedCorrection(
        lambda changes, expected: panel.write(fn, record_id, changes, expected=expected),
        expected, as_values)
    return guard.attach(panel.open_form(title, fields, guard, values=as_values(expected),
                                        intro=intro))
