"""A tour of every screen of the demo school, in the real app: each main-window page, a pupil's
record and each of its tabs, every page of the APDR, concerns and import wizards, the first pages
of the send and receive wizards, and the Users, Settings, Letter templates and New pupil
dialogs. Shared by the accessibility walk (tests/gui/test_accessibility_walk.py) and the
gallery (docs/screens/make_screens.py), so both see the same screens."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QTableView,
    QTabWidget,
    QWidget,
    QWizard,
)

from sendesk import demo
from sendesk.clock import FixedClock

USERNAME, PASSWORD = "demo", "demo-school-only-password"
CLOCK_AT = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def make_demo(folder: Path, pupils: int = 60) -> Path:
    """A small demo school (pathways, EHC records, calendar) on disk."""
    path = folder / "demo-school.sendesk"
    session, _ = demo.create_demo_school(path, USERNAME, "Demo SENCO", PASSWORD, pupils=pupils,
                                         clock=FixedClock(CLOCK_AT), seed=5)
    session.close()
    return path


def settle(ms: int = 50) -> None:
    """Let the runner's answers arrive and the layouts settle, as a person waits to look."""
    for _ in range(5):
        QApplication.processEvents()
        QTest.qWait(ms // 5)


def wait_until(test: Callable[[], object], timeout_ms: int = 10_000) -> None:
    waited = 0
    while not test():
        if waited > timeout_ms:
            raise TimeoutError("the window did not get there in time")
        QTest.qWait(20)
        waited += 20


def unlock(controller) -> None:
    """Sign in through the unlock dialog with the keyboard, as a person does."""
    dialog = controller.unlock_dialog
    dialog.username.setText(USERNAME)
    dialog.password.setFocus()
    QTest.keyClicks(dialog.password, PASSWORD)
    QTest.keyClick(dialog.password, Qt.Key.Key_Return)
    wait_until(lambda: controller.main_window is not None and controller.main_window.isVisible())
    settle()


def pupil_with_a_cycle(session) -> tuple[int, int]:
    """The pupil with the longest open pathway, and its current cycle."""
    row = session.db.query_one(
        "SELECT w.pupil_id, max(c.id) FROM send_pathways w JOIN apdr_cycles c"
        " ON c.pathway_id = w.id WHERE w.status = 'open' GROUP BY w.pupil_id"
        " ORDER BY count(*) DESC, w.pupil_id LIMIT 1")
    return int(row[0]), int(row[1])


def mis_export(folder: Path, session) -> Path:
    """A small MIS export: a new pupil, and one already here whose class and year change."""
    here = session.db.query_one("SELECT upn, legal_surname, legal_forename, dob, gender FROM pupils"
                                " WHERE upn IS NOT NULL ORDER BY id LIMIT 1")
    born = dt.date.fromisoformat(here[3]).strftime("%d/%m/%Y")
    path = folder / "mis-export.csv"
    path.write_text("UPN,Surname,Forename,DOB,Gender,Year,Class/Reg\r\n"
                    f"{here[0]},{here[1]},{here[2]},{born},{here[4]},6,6Z\r\n"
                    "A123456789012,Okafor,Chidi,30/11/2015,M,5,5R\r\n", encoding="utf-8")
    return path


def wizard_pages(name: str, wizard: QWizard) -> Iterator[tuple[str, QWidget]]:
    """Each page of a wizard (what it would show there), with the wizard shown on its first."""
    for number, page_id in enumerate(wizard.pageIds(), 1):
        yield f"{name}-{number}", wizard.page(page_id)


def tour(controller, scratch: Path | None = None) -> Iterator[tuple[str, QWidget, QWidget]]:
    """Open each screen in turn; yield (name, window to look at, part of it the screen is).
    ``scratch``: a folder for the MIS export it imports (the database's own folder if not
    given; a school on the server has none).

    The window is on screen (shown and settled) when yielded; the part is the whole window, or
    for a wizard page the page, which may be one the wizard has not reached (checked as it
    would show)."""
    from sendesk.ui.apdr.wizard import ApdrWizard
    from sendesk.ui.concerns_wizard import ConcernsWizard
    from sendesk.ui.new_pupil_dialog import NewPupilDialog
    from sendesk.ui.send_wizard import SendWizard
    from sendesk.ui.settings_dialog import SettingsDialog
    from sendesk.ui.templates_dialog import TemplatesDialog
    from sendesk.ui.users_dialog import UsersDialog

    window, session, runner = controller.main_window, controller.session, controller.runner
    workspace = controller.workspace
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        settle(200)
        key = window._page_keys[row]
        yield f"page-{key}", window, window
    pupil_id, cycle_id = runner.call(lambda s: pupil_with_a_cycle(s))
    record = workspace.open_pupil(pupil_id)
    settle(200)
    for index in range(record.tabs.count()):
        record.tabs.setCurrentIndex(index)
        settle(300)
        title = record.tabs.tabText(index).lower().replace(" ", "-").replace("&", "")
        yield f"record-{index + 1}-{title}", record, record
    apdr = ApdrWizard(session, cycle_id, parent=record, runner=runner)
    apdr.show()
    for part in ApdrWizard.STEPS:
        apdr.show_part(part)
        settle(200)
        yield f"apdr-{part.value}", apdr, apdr
    apdr.reject()
    apdr.deleteLater()   # gone now, not collected later on another thread
    concerns = ConcernsWizard(session, pupil_id, record, runner=runner)
    concerns.show()
    settle(200)
    yield from ((name, concerns, page) for name, page in wizard_pages("concerns", concerns))
    concerns.reject()
    concerns.deleteLater()   # gone now, not collected later on another thread
    imports = workspace.import_pupils()
    settle(200)
    yield "import-1", imports, imports.currentPage()
    imports.file_page.path.setText(str(runner.call(
        lambda s: mis_export(scratch or Path(s.path).parent, s))))
    for number in (2, 3):   # on through the real Next button, as a person goes
        QTest.mouseClick(imports.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
        wait_until(lambda n=number: imports.currentId() == imports.pageIds()[n - 1])
        settle(200)
        yield f"import-{number}", imports, imports.currentPage()
    imports.reject()
    imports.deleteLater()   # gone now, not collected later on another thread
    send = SendWizard(session, pupil_id, record, runner=runner)
    send.show()
    settle(200)
    yield "send-1", send, send.page(send.pageIds()[0])
    send.reject()
    send.deleteLater()   # gone now, not collected later on another thread
    receive = workspace.receive_package()
    if receive is not None:
        settle(200)
        yield "receive-1", receive, receive.page(receive.pageIds()[0])
        receive.reject()
        receive.deleteLater()   # gone now, not collected later on another thread
    dialogs = (("users", lambda: UsersDialog(session, runner, window)),
               ("settings", lambda: SettingsDialog(controller.settings, True, window, None)),
               ("letter-templates", lambda: TemplatesDialog(session, window, runner=runner)),
               ("new-pupil", lambda: NewPupilDialog(session, workspace.open_pupil, window, runner)))
    for name, make in dialogs:
        dialog = make()
        dialog.show()
        settle(200)
        yield f"dialog-{name}", dialog, dialog
        dialog.reject()
        dialog.deleteLater()   # gone now, not collected later on another thread
    record.close()
    settle()
    gc.collect()   # here, on the window's thread


def reachable(root: QWidget) -> list[QWidget]:
    """Widgets Tab can reach in ``root`` (as it shows), enabled or not."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if widget.focusProxy() is not None:
            continue    # the proxy (for example a spin box's line edit) is the one reached
        found.append(widget)
    return found


def described(widget: QWidget) -> str:
    parent = widget.parentWidget()
    chain = []
    while parent is not None and len(chain) < 3:
        chain.append(parent.objectName() or type(parent).__name__)
        parent = parent.parentWidget()
    return f"{type(widget).__name__} '{widget.objectName()}' in {' < '.join(chain)}"


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader hears: the accessible name set on the widget, or a button's own
    words (Qt names a button by its text). A label beside a box counts only once its text is
    set as the box's name; a bare buddy is not enough."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    if isinstance(widget, QAbstractButton):
        return widget.text().replace("&", "").strip()
    return ""


def without_names(root: QWidget) -> list[str]:
    """What a screen reader could not name: a reachable widget without an accessible name (or
    with a mnemonic's '&' left in it), or a table without header labels."""
    missing = []
    for widget in reachable(root):
        name = accessible_name(widget)
        if not name:
            missing.append(f"no accessible name: {described(widget)}")
        elif "&" in name.replace("&&", ""):
            # A mnemonic's ampersand is read aloud ("S ampersand tart date").
            missing.append(f"an '&' in its accessible name {name!r}: {described(widget)}")
        if isinstance(widget, QTableView):
            missing.extend(f"{problem}: {described(widget)}" for problem in header_gaps(widget))
    # A tab widget passes focus to its tab bar, but a screen reader names the pages' holder
    # too (the review's tool found one unnamed).
    missing.extend(f"no accessible name: {described(tabs)}" for tabs in root.findChildren(QTabWidget)
                   if tabs.isVisibleTo(root) and not accessible_name(tabs))
    return missing


def header_gaps(view: QAbstractItemView) -> list[str]:
    model = view.model()
    header: QHeaderView = view.horizontalHeader()
    if model is None or model.columnCount() == 0:
        return []
    if header.isHidden():
        return ["table has no visible header"]
    blank = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)
             and not str(model.headerData(c, Qt.Orientation.Horizontal) or "").strip()]
    return [f"column {c} has no header label" for c in blank]


SCREEN_CONFIG = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
                 "screens": [{"name": "screen", "x": 0, "y": 0, "width": 1600, "height": 1000,
                              "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}


def offscreen_screen(folder: Path, scale: float = 1.0) -> dict[str, str]:
    """Environment for a QApplication on an offscreen 1,600 x 1,000 screen at ``scale``."""
    import json
    config = folder / "screen.json"
    config.write_text(json.dumps(SCREEN_CONFIG))
    return {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": str(scale)}


def start_app(folder: Path, pupils: int = 60):
    """The real app, unlocked on a fresh demo school, for scripts run outside pytest (the
    gallery, the scaling check); returns (app, controller)."""
    import os

    from PySide6.QtWidgets import QApplication

    os.environ.setdefault("SENDESK_DATA_DIR", str(folder / "appdata"))
    os.environ["SENDESK_KDF_SECONDS"] = "0"
    from tests.memory_keyring import MemoryKeyring

    from sendesk.quickunlock import QuickUnlock
    from sendesk.settings import Settings
    from sendesk.ui.controller import AppController

    app = QApplication.instance() or QApplication([])
    path = make_demo(folder, pupils)
    clock = FixedClock(CLOCK_AT)
    controller = AppController(app, Settings(), QuickUnlock(MemoryKeyring(), clock), clock)
    controller.start(path)
    unlock(controller)
    return app, controller


def open_page_at(make_controller, school: Path, page: str, width: int, height: int):
    """The demo school unlocked in a main window of the given size, on one page: the window and
    the page's widget (the impact page tests check what fits a laptop's 1366 x 768)."""
    from sendesk.settings import Settings
    controller = make_controller(Settings())
    controller.start(school)
    unlock(controller)
    window = controller.main_window
    window.showNormal()
    window.resize(width, height)
    window.nav.setCurrentRow(window._page_keys.index(page))
    settle(300)
    return window, getattr(controller.workspace, page)
