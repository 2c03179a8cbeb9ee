"""GUI fixtures: a real AppController on real widgets (offscreen), with the project's own
in-memory keyring so quick unlock is exercised without an OS keyring.

Both engines. A module marked ``pytestmark = pytest.mark.both_engines`` runs every test that
uses a school (``school``, ``senco_session``, ``staff_session``, ``on_engine``) twice: on the
encrypted file and on the run's real PostgreSQL server (tests/conftest.py), where the window
signs in through the unlock window's server fields as a school PC does. Those modules are the
daily journeys a school network lives on (unlocking, the pupil list, adding and editing a
record, the SEN register, a plan, documents, transfers, other PCs' changes); the rest stay on
the file to keep CI short. A test about the file itself (its key file, quick unlock, the
recovery key) is marked ``sqlcipher_only`` with the reason beside it. What only the server
has is ``server_only``: test_server_window.py (two PCs at once, the server stopping or cut),
test_server_unlock.py (its address remembered, each refusal's sentence), test_server_tour.py
(every screen of the demo school read from the server).
"""

from __future__ import annotations

import pytest
from keyring.backends import fail
from tests.memory_keyring import MemoryKeyring

from sendesk.quickunlock import QuickUnlock
from sendesk.settings import Settings
from sendesk.ui import prompts as prompts_module
from sendesk.ui.controller import AppController


class AnsweringPrompts:
    """Stands in for message boxes and file dialogs: records what was said, answers as told."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, str]] = []
        self.next_paths: list = []
        self.starts: list[str] = []       # where each file dialog would have opened
        self.confirm_answer = True
        self.next_print = None
        self.next_passwords: list[str] = []

    def error(self, parent, title, text):
        self.messages.append(("error", title, text))

    def info(self, parent, title, text):
        self.messages.append(("info", title, text))

    def confirm(self, parent, title, text):
        self.messages.append(("confirm", title, text))
        return self.confirm_answer

    def open_file(self, parent, title, start, filters):
        self.starts.append(start)
        return self.next_paths.pop(0) if self.next_paths else None

    save_file = open_file

    def password(self, parent, title, text):
        self.messages.append(("password", title, text))
        return self.next_passwords.pop(0) if self.next_passwords else None

    def print_setup(self, parent, printer):
        """Answers Qt's print dialog: 'Print' to the PDF file in next_print, or Cancel."""
        self.messages.append(("print", "Print", ""))
        if self.next_print is None:
            return False
        from PySide6.QtPrintSupport import QPrinter
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.next_print))
        return True


@pytest.fixture(autouse=True)
def answers(monkeypatch) -> AnsweringPrompts:
    """Always on: a real message box would wait for a click that never comes and hang CI."""
    fake = AnsweringPrompts()
    for name in ("error", "info", "confirm", "open_file", "save_file", "print_setup",
                 "password"):
        monkeypatch.setattr(prompts_module.prompts, name, getattr(fake, name))
    return fake


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def make_controller(qapp, qtbot, clock, memory_keyring, answers):
    made = []

    def make(settings: Settings | None = None, backend=None) -> AppController:
        quick = QuickUnlock(backend or memory_keyring, clock)
        controller = AppController(qapp, settings or Settings(), quick, clock)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.inactivity.stop()
        qapp.removeEventFilter(controller.inactivity)
        if controller.session is not None:
            controller.session.close()
        controller._discard_windows()
        controller._close_entry_dialogs()
        for runner in (controller.runner, controller.entry_runner):
            if runner is not None:
                runner.wait()


@pytest.fixture
def on_engine(engine, request):
    """Where a school first made as a file (the demo) is kept on the test's engine:
    place(path, username, password, others={user: password}) gives the file's path back on
    the file engine; on the server it copies the school onto a server database of its own
    with ``server import``, as a school moving onto its server does, gives the users in
    `others` those passwords (a move leaves them unknown) and returns the server's address.
    The database is emptied again after the test."""
    def place(path, username: str, password: str, others: dict[str, str] | None = None):
        if engine != "postgresql":
            return path
        from tests.pg_server import SUPERUSER, SUPERUSER_PASSWORD

        from sendesk.services import lifecycle, server_move, users
        server = request.getfixturevalue("pg_server")
        name = server.acquire()
        request.addfinalizer(lambda: server.release(name))
        source = lifecycle.open_school(path, username, password)
        try:
            server_move.import_to_server(source, server.url(name, user=SUPERUSER),
                                         SUPERUSER_PASSWORD, password)
        finally:
            source.close()
        moved = lifecycle.open_school(server.url(name), username, password)
        try:
            for user, secret in (others or {}).items():
                users.reset_password(moved, user, secret)
        finally:
            moved.close()
        return server.url(name)
    return place


@pytest.fixture
def no_keyring():
    return fail.Keyring()

