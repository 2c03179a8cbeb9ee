"""Shared fixtures: a real encrypted school database in a temporary folder, fast KDF settings,
and settings kept away from the real user's data folder.

Both engines. The ``school`` fixture (and the sessions built on it) depend on ``engine``:
"sqlite" is the encrypted file; "postgresql" is a database of its own on a real PostgreSQL
server started once for the run (tests/pg_server.py), set up with ``server init`` as a school
would be. Test modules named in BOTH_ENGINES run every test that uses a school on both; a test
about the file itself (key files, rekey, the bytes on disk) is marked ``sqlcipher_only`` with
its reason. Every other test module that uses a school must be one or the other (collection
stops and says so), so a new module cannot slip onto the file alone unnoticed.
``--engine sqlite|postgresql`` (or SENDESK_TEST_ENGINE) runs just one. Without the server's
binaries the PostgreSQL half fails, unless SENDESK_NO_SERVER=1 says to skip it on a PC
without PostgreSQL (never under CI).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The minimum Argon2id cost (still the OWASP floor) keeps hundreds of unlocks quick.
os.environ["SENDESK_KDF_SECONDS"] = "0"

from sendesk.clock import FixedClock  # noqa: E402
from sendesk.services import lifecycle  # noqa: E402

# The records, transfer, documents, CLI and attack tests: every test of theirs that uses a
# school runs on the file and on the server.
BOTH_ENGINES = frozenset({
    "test_pupils", "test_sen_register", "test_apdr_records", "test_apdr_rules",
    "test_concerns_records", "test_concerns_seed", "test_ehc_records", "test_ehc_dates",
    "test_ehc_safeguards", "test_ehc_year_group_rule", "test_ehc_issue20", "test_ehc_costs",
    "test_ehcna_readiness", "test_provision_map", "test_provision_groups",
    "test_provision_groups_map", "test_provision_library", "test_census", "test_measures",
    "test_timetable", "test_statutory_dates", "test_review_dates_checked",
    "test_review_requests", "test_plan_people_and_sharing", "test_file_sections",
    "test_redaction", "test_redaction_exact", "test_sar", "test_mis_import",
    "test_mis_import_checks", "test_bounded_parsers", "test_user_update", "test_agenda_ics",
    "test_transactions",
    "test_documents", "test_documents_letters", "test_letters_advice", "test_handover_pack",
    "test_young_person_letters", "test_governors_report", "test_impact", "test_impact_facts",
    "test_impact_disclosure", "test_governors_disclosure", "test_stale_records", "test_wording", "test_impact_overlap",
    "test_transfer", "test_transfer_arrival", "test_transfer_review", "test_transfer_attacks",
    "test_transfer_other_child", "test_transfer_directions", "test_my_story_transfer",
    "test_package_typed",
    "test_transfer_cli", "test_transfer_arrival_cli", "test_transfer_cli_leaving",
    "test_cli", "test_cli_pupils", "test_cli_documents", "test_cli_user_update",
    "test_cli_provision", "test_cli_provision_groups",
    "test_attacks", "test_access_matrix", "test_csv_injection", "test_documents_hostile",
    "test_hostile_input", "test_window_and_cli_at_once", "test_server_store",
    "test_stale_ui", "test_periods", "test_concern_and_note_review_days",
    "test_young_person_notifications", "test_young_person_upgrade", "test_ehc_young_person_request",
    "test_pathway_plans", "test_measure_directions", "test_provision_groups_warnings",
    "test_record_reads",
})


def pytest_addoption(parser):
    parser.addoption("--engine", choices=("both", "sqlite", "postgresql"),
                     default=os.environ.get("SENDESK_TEST_ENGINE", "both"),
                     help="which storage engine the two-engine tests run on (default both)")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlcipher_only: about the encrypted file itself (key "
                            "files, rekey, its bytes on disk): not run on the school server")
    config.addinivalue_line("markers", "server_only: about the school server (PostgreSQL) only")
    config.addinivalue_line("markers", "both_engines: a module not named in BOTH_ENGINES whose "
                            "school-using tests still run on both (tests/gui: the daily journeys)")


def pytest_generate_tests(metafunc):
    # module_engine: for a module whose school is built once for the module (the access matrix).
    name = next((n for n in ("engine", "module_engine") if n in metafunc.fixturenames), None)
    if name is None:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    choice = metafunc.config.getoption("--engine")
    engines = ["sqlite", "postgresql"] if choice == "both" else [choice]
    file_only = metafunc.definition.get_closest_marker("sqlcipher_only")
    if file_only is not None and not (file_only.args or file_only.kwargs.get("reason")):
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: say why it is about the file "
                                "itself: @pytest.mark.sqlcipher_only(reason=...)")
    if metafunc.definition.get_closest_marker("server_only"):
        engines = [e for e in engines if e == "postgresql"]   # none: skipped under --engine sqlite
    elif file_only is not None:
        engines = ["sqlite"]
    elif module not in BOTH_ENGINES and not metafunc.definition.get_closest_marker("both_engines"):
        if "/tests/gui/" not in str(metafunc.definition.path).replace("\\", "/"):
            raise pytest.UsageError(
                f"{metafunc.definition.nodeid} uses a school: name {module} in tests/conftest.py's "
                "BOTH_ENGINES, or mark what is about the file itself sqlcipher_only(reason=...)")
        engines = ["sqlite"]
    metafunc.parametrize(name, engines, indirect=True,
                         scope="module" if name == "module_engine" else None)


@pytest.fixture
def engine(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="module")
def module_engine(request) -> str:
    """The engine of a school built once for a whole module."""
    return getattr(request, "param", "sqlite")


# The run's server, once started: its log beside a failed test (pytest_runtest_makereport).
_RUNNING_SERVER = None


@pytest.fixture(scope="session")
def pg_server():
    """The run's PostgreSQL server (started on first use, stopped at the end)."""
    from pg_server import find_bindir, start_server
    if find_bindir() is None:
        if os.environ.get("SENDESK_NO_SERVER") == "1" and not os.environ.get("CI"):
            pytest.skip("no PostgreSQL server binaries here (SENDESK_NO_SERVER=1)")
        pytest.fail("The PostgreSQL server binaries (initdb, pg_ctl) are not installed, so the "
                    "school-server tests cannot run: install postgresql (apt-get install "
                    "postgresql), or set SENDESK_NO_SERVER=1 to skip them on this PC.")
    global _RUNNING_SERVER
    server = start_server()
    _RUNNING_SERVER = server
    yield server
    _RUNNING_SERVER = None
    server.remove()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _RUNNING_SERVER is not None:
        _RUNNING_SERVER.log_since_last_asked()   # what earlier tests made it log is not this one's


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that ran while the server was up carries what the server logged meanwhile
    (lock waits with the session holding the lock, errors, autovacuum), so a failure seen once
    on CI can be traced from its report alone."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _RUNNING_SERVER is not None:
        logged = _RUNNING_SERVER.log_since_last_asked()
        if logged:
            report.sections.append(("PostgreSQL server log meanwhile", logged))

SCHOOL_NAME = "Brambleton Primary School"
SENCO = "mpatel"
SENCO_NAME = "Meera Patel"
SENCO_PASSWORD = "harbour-lantern-quietly-47"
STAFF = "owilliams"
STAFF_NAME = "Owen Williams"
STAFF_PASSWORD = "violet-kettle-meadow-83"


def _ensure_widgets_app() -> None:
    """sendesk.pdf.ensure_gui for tests: the command line makes a plain QGuiApplication to paint
    PDFs, but a test worker that rendered one first would then abort at its first window (a
    QApplication cannot follow one in a process, and shutting the first down left its objects
    to crash the worker later). So in tests the first one made is a QApplication, offscreen,
    kept for the life of the worker."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    existing = QCoreApplication.instance()
    if existing is None:
        _KEPT.append(QApplication(["sendesk-tests", "-platform", "offscreen"]))
    elif not isinstance(existing, QApplication):
        raise RuntimeError("a test made a Qt application that cannot show windows")


def _patch_ensure_gui() -> None:
    import sendesk.pdf
    sendesk.pdf.ensure_gui = _ensure_widgets_app   # before any test module imports the name


@pytest.fixture(scope="session")
def qapp(pytestconfig):
    """pytest-qt's application: the one a PDF made already, or a new one; never replaced."""
    _ensure_widgets_app()
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    app.setApplicationName(pytestconfig.getini("qt_qapp_name"))
    return app


_KEPT: list = []   # the application outlives every test in the worker
_patch_ensure_gui()


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory, monkeypatch) -> Path:
    folder = tmp_path_factory.mktemp("appdata")
    monkeypatch.setenv("SENDESK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC))


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "school.sendesk"


@pytest.fixture
def server_database(engine, request):
    """On the server engine, a database of the test's own (every migration run, nothing else
    in it), emptied again with its login roles after the test; None on the file."""
    if engine != "postgresql":
        return None
    server = request.getfixturevalue("pg_server")
    name = server.acquire()
    request.addfinalizer(lambda: server.release(name))
    return server, name


@pytest.fixture
def to_engine(engine, request):
    """Where the test's engine keeps schools, for a school built in a file first (the demo, a
    sending school): ``to_engine(session, password)`` returns the same session on the file; on
    the server it moves the school onto a database of the test's own with ``server import``,
    as a school moving would, and signs the same person in there (the file's session closed)."""
    def move(session, password: str):
        if engine != "postgresql":
            return session
        from pg_server import SUPERUSER, SUPERUSER_PASSWORD
        from sendesk.services import server_move
        server = request.getfixturevalue("pg_server")
        name = server.acquire()
        request.addfinalizer(lambda: server.release(name))
        try:
            server_move.import_to_server(session, server.url(name, user=SUPERUSER),
                                         SUPERUSER_PASSWORD, password)
        finally:
            session.close()
        return lifecycle.open_school(server.url(name), session.user.username, password,
                                     session.clock)
    return move


@pytest.fixture
def school(engine, server_database, db_path, clock):
    """A fresh school database with a SENCO/admin and a staff user; yields (location, recovery
    key): the file's path, or on the server its postgresql:// URL and no recovery key."""
    from sendesk.services import users
    if engine == "postgresql":
        from pg_server import SUPERUSER, SUPERUSER_PASSWORD
        from sendesk.services import server_school
        server, name = server_database
        session = server_school.create_on_server(
            server.url(name, user=SUPERUSER), SUPERUSER_PASSWORD, school_name=SCHOOL_NAME,
            school_reference="123456", username=SENCO, full_name=SENCO_NAME,
            password=SENCO_PASSWORD, clock=clock)
        users.add_user(session, STAFF, STAFF_NAME, "staff", STAFF_PASSWORD)
        session.close()
        return server.url(name), None
    session, recovery = lifecycle.create(
        db_path, school_name=SCHOOL_NAME, school_reference="123456", username=SENCO,
        full_name=SENCO_NAME, password=SENCO_PASSWORD, clock=clock)
    users.add_user(session, STAFF, STAFF_NAME, "staff", STAFF_PASSWORD)
    session.close()
    return db_path, recovery


@pytest.fixture
def senco_session(school, clock):
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    yield session
    session.close()


@pytest.fixture
def staff_session(school, clock):
    session = lifecycle.open_school(school[0], STAFF, STAFF_PASSWORD, clock)
    yield session
    session.close()
