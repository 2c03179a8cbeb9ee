"""Same features on the school server (issue 21, item 1): the demo school moved onto the server
(as `sendesk-cli server import` moves a school) and toured screen by screen in the real app,
as the accessibility walk tours the file (tests/gui/tour.py): every main-window page, a
pupil's record and each tab, each wizard's pages and the Tools dialogs open and read from the
server with nothing going wrong: no error box, no unexpected error, no sentence in the status
bar."""

from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtWidgets import QApplication

from sendesk.settings import Settings

from .tour import PASSWORD, USERNAME, make_demo, tour, unlock

pytestmark = pytest.mark.server_only


@pytest.fixture(autouse=True)
def collected_here():
    """As in the accessibility walk: collect what the tour left on this thread."""
    yield
    QApplication.processEvents()
    gc.collect()


def test_every_screen_opens_on_the_school_server(make_controller, on_engine, tmp_path, answers,
                                                 monkeypatch):
    escaped = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: escaped.append(info))
    url = on_engine(make_demo(tmp_path), USERNAME, PASSWORD)
    controller = make_controller(Settings())
    controller.start(url)
    unlock(controller)
    assert controller.session.on_server
    walked, said = set(), []
    for name, _window, _part in tour(controller, tmp_path):
        walked.add(name)
        status = controller.main_window.statusBar().currentMessage()
        if status:
            said.append(f"{name}: {status}")
    assert {"page-home", "page-pupils", "apdr-review", "dialog-new-pupil"} <= walked
    assert any(name.startswith("record-") for name in walked)
    assert escaped == [], escaped
    assert [m for m in answers.messages if m[0] == "error"] == [] and said == []
