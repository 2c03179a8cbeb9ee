"""A screen reader can name everything Tab reaches: the walk opens every page, record tab,
wizard page and dialog of the demo school in the real app and lists each widget the keyboard
can reach that has no accessible name, and each table without header labels."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtWidgets import QApplication

from sendesk.settings import Settings

from .tour import make_demo, reachable, tour, unlock, without_names


@pytest.fixture(scope="module")
def demo_school(tmp_path_factory, qapp):
    return make_demo(tmp_path_factory.mktemp("a11y"))


@pytest.fixture(autouse=True)
def collected_here():
    """The walk opens every window; once the app is closed (after make_controller's teardown,
    as this fixture is set up first) collect what it left on this thread, not on a worker
    thread in a later test, where collecting Qt objects crashes."""
    yield
    QApplication.processEvents()
    gc.collect()


def test_every_widget_the_keyboard_reaches_has_a_name(make_controller, demo_school):
    controller = make_controller(Settings())
    controller.start(demo_school)
    unlock(controller)
    missing: dict[str, list[str]] = {}
    walked = set()
    seen = 0
    for name, _window, part in tour(controller):
        walked.add(name)
        seen += len(reachable(part))
        problems = without_names(part)
        if problems:
            missing[name] = problems
    assert {"page-home", "page-pupils", "apdr-review", "dialog-new-pupil"} <= walked
    assert any(name.startswith("record-") for name in walked)
    assert seen > 100, "the walk reached too few widgets to have looked at every screen"
    unique = sorted({problem for problems in missing.values() for problem in problems})
    report = "\n".join(f"{screen}:\n  " + "\n  ".join(problems)
                       for screen, problems in missing.items())
    assert not unique, f"{len(unique)} unnamed (on {len(missing)} screens):\n{report}"
