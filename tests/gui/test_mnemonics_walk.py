"""Every button of every wizard page (APDR, concerns, import, send, receive), of the record
window's tabs, of the main window's pages and of its dialogs (New pupil, School details, the
class handover pack) has a mnemonic (Alt + a letter), and no two buttons showing at once share
one, nor one with a label or tick box beside them or, on the main window, with the menu bar:
the walk opens each screen of the demo school in the real app (tests/gui/tour.py) and looks at
every button a person can see there, each inner tab (the EHC tab's sections) in turn.

A main window page's labels, tick boxes and buttons must also leave the menu bar its letters,
whether showing or shown only once something is chosen (the impact page's From and To appear
for "Dates..."): a label's letter takes Alt+F from the File menu for as long as it is on the
page. Labels were once only counted as taken, never checked, so "Pe&riod:" took Alt+R from the
Reports menu unseen.

Cancel is reached by Esc, as on every platform, so it is the one button without a letter."""

from __future__ import annotations

import gc
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QWidget,
    QWizard,
)

from sendesk.settings import Settings

from .tour import make_demo, settle, tour, unlock

WALKED = ("apdr-", "concerns-", "import-", "send-", "receive-", "record-")
_MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


@pytest.fixture(scope="module")
def demo_school(tmp_path_factory, qapp):
    return make_demo(tmp_path_factory.mktemp("mnemonics"))


@pytest.fixture(autouse=True)
def collected_here():
    yield
    QApplication.processEvents()
    gc.collect()


def mnemonic(text: str) -> str | None:
    found = _MNEMONIC.findall(text)
    return found[0].lower() if len(found) == 1 else None


def buttons_showing(window: QWidget, part: QWidget) -> list[QPushButton]:
    found = [b for b in part.findChildren(QPushButton) if b.isVisibleTo(part) and b.text()]
    if isinstance(window, QWizard):
        cancel = window.button(QWizard.WizardButton.CancelButton)
        found += [window.button(which) for which in (
            QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
            QWizard.WizardButton.FinishButton, QWizard.WizardButton.CustomButton1,
            QWizard.WizardButton.CustomButton2, QWizard.WizardButton.CustomButton3)
            if window.button(which).isVisibleTo(window) and window.button(which) is not cancel]
        found = [b for b in found if b is not cancel]
    return list(dict.fromkeys(found))


def taken_beside(window: QWidget, part: QWidget) -> dict[str, str]:
    """The Alt letters the menu bar, the labels and the tick boxes showing already use."""
    taken: dict[str, str] = {}
    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if (letter := mnemonic(action.text())) is not None:
                taken[letter] = f"the {action.text().replace('&', '')} menu"
    for widget in [*part.findChildren(QLabel), *part.findChildren(QCheckBox)]:
        rich = isinstance(widget, QLabel) and "<" in widget.text()   # '&middot;' is no key
        if widget.isVisibleTo(part) and not rich and (letter := mnemonic(widget.text())):
            taken.setdefault(letter, widget.text())
    return taken


def menu_bar_clashes(screen: str, window: QMainWindow) -> list[str]:
    """Every label, tick box and button of the page showing, shown or not yet, whose letter a
    menu of the menu bar already has."""
    menus = {letter: action.text().replace("&", "") for action in window.menuBar().actions()
             if (letter := mnemonic(action.text())) is not None}
    page = window.pages.currentWidget()
    problems = []
    for widget in [*page.findChildren(QLabel), *page.findChildren(QCheckBox),
                   *page.findChildren(QPushButton)]:
        rich = isinstance(widget, QLabel) and "<" in widget.text()
        if widget.window() is window and not rich and (letter := mnemonic(widget.text())) \
                and letter in menus:
            problems.append(f"{screen}: '{widget.text()}' takes Alt+{letter} from the "
                            f"{menus[letter]} menu")
    return problems


def problems_of(screen: str, buttons: list[QPushButton],
                taken: dict[str, str] | None = None) -> list[str]:
    problems, letters = [], dict(taken or {})
    for button in buttons:
        letter = mnemonic(button.text())
        if letter is None:
            problems.append(f"{screen}: '{button.text()}' ({button.objectName()}) has no mnemonic")
        elif letter in letters:
            problems.append(f"{screen}: '{button.text()}' and '{letters[letter]}' share Alt+{letter}")
        else:
            letters[letter] = button.text()
    return problems


def test_every_wizard_and_record_tab_button_has_its_own_mnemonic(make_controller, demo_school):
    controller = make_controller(Settings())
    controller.start(demo_school)
    unlock(controller)
    problems: list[str] = []
    walked, counted = set(), 0
    for name, window, part in tour(controller):
        if not name.startswith(WALKED):
            continue
        walked.add(name.split("-")[0])
        inner = [t for t in part.findChildren(QTabWidget) if t.isVisibleTo(part)
                 and t is not getattr(window, "tabs", None)]
        views = [(name, None, 0)] + [(f"{name} > {t.tabText(i).replace('&', '')}", t, i)
                                     for t in inner for i in range(t.count())]
        for screen, tabs, index in views:
            if tabs is not None:
                tabs.setCurrentIndex(index)
                settle(100)
            buttons = buttons_showing(window, part)
            counted += len(buttons)
            # Labels and tick boxes count too: the plan page's "Responsible &teacher" once
            # shared Alt+T with its "S&tart from the last plan" button unseen.
            problems += problems_of(screen, buttons, taken_beside(window, part))
    assert walked == {"apdr", "concerns", "import", "send", "receive", "record"}, walked
    assert counted > 80, "the walk saw too few buttons to have looked at every screen"
    problems = list(dict.fromkeys(problems))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


PAGES_AND_DIALOGS = ("page-", "dialog-new-pupil")


def test_every_main_window_page_and_dialog_button_has_its_own_mnemonic(make_controller,
                                                                       demo_school, qtbot):
    from sendesk.ui.handover_dialog import HandoverDialog
    from sendesk.ui.school_details_dialog import SchoolDetailsDialog
    controller = make_controller(Settings())
    controller.start(demo_school)
    unlock(controller)
    problems: list[str] = []
    walked = set()
    for name, window, part in tour(controller):
        if not name.startswith(PAGES_AND_DIALOGS):
            continue
        walked.add(name)
        problems += problems_of(name, buttons_showing(window, part), taken_beside(window, part))
        if name.startswith("page-"):
            problems += menu_bar_clashes(name, window)
    assert len([n for n in walked if n.startswith("page-")]) >= 9, walked
    assert "dialog-new-pupil" in walked
    session, runner = controller.session, controller.runner
    for name, dialog in (("school details", SchoolDetailsDialog(session, runner=runner)),
                         ("class handover pack", HandoverDialog(session, runner=runner))):
        qtbot.addWidget(dialog)
        dialog.show()
        settle(100)
        problems += problems_of(name, buttons_showing(dialog, dialog),
                                taken_beside(dialog, dialog))
        dialog.reject()
    problems = list(dict.fromkeys(problems))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def letters_of(dialog: QWidget) -> list[tuple[str, str]]:
    """(letter, what) for every label, button, radio button, tick box and shortcut key of the
    window that can be seen: a tool button's Alt shortcut (the password's Show, Alt+S) counts
    as its letter, since pressing it does the same as a mnemonic."""
    found = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog):
            continue
        if isinstance(widget, QLabel) and "<" not in widget.text():
            text = shown = widget.text()
        elif isinstance(widget, QAbstractButton):
            text = shown = widget.text()
            keys = widget.shortcut().toString()
            if mnemonic(text) is None and keys.startswith("Alt+") and len(keys) == 5:
                text, shown = f"&{keys[-1]}", f"{widget.text()} ({keys})"
        else:
            continue
        if (letter := mnemonic(text)) is not None:
            found.append((letter, shown.replace("&", "")))
    return found


def entry_window_problems(screen: str, dialog: QWidget) -> list[str]:
    problems, letters = [], {}
    for button in dialog.findChildren(QPushButton):
        if button.isVisibleTo(dialog) and button.text() != "Cancel" and mnemonic(button.text()) is None:
            problems.append(f"{screen}: '{button.text()}' has no mnemonic")
    for letter, what in letters_of(dialog):
        if letter in letters:
            problems.append(f"{screen}: '{what}' and '{letters[letter]}' share Alt+{letter}")
        letters.setdefault(letter, what)
    return problems


def test_the_unlock_and_first_windows_give_each_control_its_own_letter(qtbot):
    """The windows before any school is open: the unlock window on a file (with quick unlock
    offered) and on the school server, and the first window of a new PC. 'Connect to the
    &school server' once took Alt+S from the password's Show button, so Alt+S only moved
    between the two."""
    from sendesk.ui.create_dialog import CreateDatabaseDialog
    from sendesk.ui.runner import OpRunner
    from sendesk.ui.unlock_dialog import UnlockDialog
    runner = OpRunner()
    problems: list[str] = []
    unlock = UnlockDialog(runner, "/school/records.sendesk", "mpatel", lambda path: True)
    create = CreateDatabaseDialog(runner)
    for dialog in (unlock, create):
        qtbot.addWidget(dialog)
        dialog.show()
    settle(100)
    assert unlock.quick_button.isVisible()
    problems += entry_window_problems("unlock window (a file)", unlock)
    qtbot.mouseClick(unlock.on_server, Qt.MouseButton.LeftButton)
    settle(100)
    assert unlock.server.isVisible()
    problems += entry_window_problems("unlock window (the school server)", unlock)
    problems += entry_window_problems("create a school database", create)
    assert len(letters_of(unlock)) >= 12 and len(letters_of(create)) >= 3
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
