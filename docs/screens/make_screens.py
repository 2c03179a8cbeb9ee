"""Make the gallery: a PNG of every page, record tab, wizard page and dialog of the demo school.

    .venv/bin/python docs/screens/make_screens.py [FOLDER]

Runs the real app offscreen on a 1,600 x 1,000 screen, signs in to a fresh demo school
(invented pupils only) and walks the same screens as the accessibility test
(tests/gui/tour.py), saving each into FOLDER (default: this folder). A wizard page the wizard
has not reached is drawn on its own at the size of the page shown. Pictures wider than
MAX_WIDTH, or files over MAX_BYTES, are scaled down so the gallery stays small enough to keep in the repository.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MAX_WIDTH = 1000
MAX_BYTES = 150_000


def main(out: Path) -> int:
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="sendesk-screens-"))
    from tests.gui import tour
    os.environ.update(tour.offscreen_screen(work, 1.0))
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWizard

    app, controller = tour.start_app(work)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name, window, part in tour.tour(controller):
        if part is window or part.isVisible():
            picture = window.grab()
        else:   # a wizard page not reached yet: drawn at the size of the page on show
            shown = window.currentPage() if isinstance(window, QWizard) else window
            part.resize(shown.size())
            part.ensurePolished()
            picture = part.grab()
        if picture.width() > MAX_WIDTH:
            picture = picture.scaledToWidth(MAX_WIDTH, Qt.TransformationMode.SmoothTransformation)
        path = out / f"{name}.png"
        picture.save(str(path))
        while path.stat().st_size > MAX_BYTES:   # a busy page: smaller until it is modest
            picture = picture.scaledToWidth(picture.width() * 4 // 5,
                                            Qt.TransformationMode.SmoothTransformation)
            picture.save(str(path))
        made.append(path)
    print(f"{len(made)} screens in {out}")
    sys.stdout.flush()
    os._exit(0)   # the pictures are saved; skip tearing down the app's threads and windows


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
