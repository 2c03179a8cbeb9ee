"""Run on its own (``python -m tests.gui.scaled_fit FOLDER``) under a scaled offscreen screen:
opens the main window, a pupil's record and the APDR wizard of the demo school and prints, as
JSON, each window's size against the screen's room and any button outside the window that no
scroll area can bring into view. Scaling is fixed when Qt starts, hence a process of its own
(tests/gui/test_scaled_screen.py runs it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QWidget

from sendesk.ui.screen_fit import screen_of

from .tour import pupil_with_a_cycle, settle, start_app


def unreachable_buttons(window: QWidget) -> list[str]:
    """Buttons that show in the window's layout but lie outside it, with no scroll area around
    them to bring them into view."""
    bounds = window.rect()
    lost = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.window() is not window:
            continue
        parent, scrolls = button.parentWidget(), False
        while parent is not None and parent is not window:
            scrolls = scrolls or isinstance(parent, QScrollArea)
            parent = parent.parentWidget()
        place = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        if not scrolls and not bounds.contains(place):
            lost.append(button.text().replace("&", "") or button.objectName())
    return lost


def measure(window: QWidget) -> dict:
    room = screen_of(window).availableGeometry()   # not window.screen(): ui/screen_fit.py
    frame = window.frameGeometry()
    return {"width": frame.width(), "height": frame.height(), "room_width": room.width(),
            "room_height": room.height(), "inside": room.contains(frame),
            "unreachable": unreachable_buttons(window)}


def main(folder: Path) -> None:
    from sendesk.ui.apdr.wizard import ApdrWizard

    app, controller = start_app(folder)
    window = controller.main_window
    found = {}
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        settle(100)
        found[f"main window: {window.nav.item(row).text()}"] = measure(window)
    pupil_id, cycle_id = controller.runner.call(pupil_with_a_cycle)
    record = controller.workspace.open_pupil(pupil_id)
    for index in range(record.tabs.count()):
        record.tabs.setCurrentIndex(index)
        settle(150)
        found[f"record: {record.tabs.tabText(index)}"] = measure(record)
    wizard = ApdrWizard(controller.session, cycle_id, parent=record, runner=controller.runner)
    wizard.show()
    for part in ApdrWizard.STEPS:
        wizard.show_part(part)
        settle(150)
        found[f"APDR wizard: {part.value}"] = measure(wizard)
    print("RESULT " + json.dumps(found))
    sys.stdout.flush()
    import os
    os._exit(0)   # the report is out; skip tearing down threads and windows


if __name__ == "__main__":
    main(Path(sys.argv[1]))
