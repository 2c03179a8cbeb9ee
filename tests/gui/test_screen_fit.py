"""A window sized to its screen does not put the application's screen in its keeping.

PySide makes the QScreen that ``widget.screen()`` returns a child of the widget's wrapper; a
window freed by the garbage collector in a reference cycle then could delete the application's
only QScreen, and the next window made crashed over it (src/sendesk/ui/screen_fit.py). Run in
a process of its own: what fails is a segfault, which would end the test run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc
from PySide6.QtWidgets import QApplication, QWidget
from sendesk.ui.screen_fit import fit_to_screen

app = QApplication(["screen-fit", "-platform", "offscreen"])
main = QWidget()
fit_to_screen(main, 1200, 760)       # the screen's wrapper made now, with the main window's
gc.collect()                         # and aged as theirs are: older than the window below


class Thrown(QWidget):
    def __init__(self):
        super().__init__()
        fit_to_screen(self, 1000, 720)
        self.me = self               # a reference cycle, as a connected lambda makes


Thrown()
gc.collect()                         # a full collection frees the thrown window's wrapper
after = QWidget()
after.show()                         # reads the application's screen list
app.processEvents()
print("screens", len(app.screens()), app.primaryScreen().availableGeometry().isValid())
"""


def test_a_window_freed_in_a_cycle_leaves_the_screen_to_the_application():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-2000:]}"
    assert run.stdout.split() == ["screens", "1", "True"]
