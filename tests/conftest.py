"""Shared fixtures: a real encrypted school database in a temporary folder, fast KDF settings,
and settings kept away from the real user's data folder.

Both engines. The ``school`` fixture (and the sessions built on it) depend on ``engine``:
"sqlite" is the encrypted file; "postgresql" is a database of its own on a real PostgreSQL
server started once for the run (tests/pg_server.py), set up with ``server init`` as a school
would be. Test modules named in BOTH_ENGINES run every test that uses a school on both; a test
about the file itself (key files, rekey, the bytes on disk) is marked ``sqlcipher_only``.
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
    "test_concerns_records", "test_ehc_records", "test_ehc_dates", "test_ehc_safeguards",
    "test_ehc_year_group_rule", "test_ehcna_readiness", "test_provision_map", "test_census",
    "test_redaction", "test_redaction_exact", "test_sar", "test_mis_import",
    "test_mis_import_checks", "test_user_update", "test_agenda_ics",
    "test_documents", "test_documents_letters",
    "test_transfer", "test_transfer_arrival", "test_transfer_review", "test_transfer_attacks",
    "test_package_typed", "test_transfer_cli", "test_transfer_arrival_cli",
    "test_cli", "test_cli_pupils", "test_cli_documents", "test_cli_user_update",
    "test_attacks", "test_server_store", "test_impact", "test_impact_facts",
    "test_stale_records", "test_stale_ui",
    "test_young_person_notifications", "test_young_person_upgrade", "test_ehc_young_person_request",
    "test_pathway_plans",
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
    if "engine" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    choice = metafunc.config.getoption("--engine")
    engines = ["sqlite", "postgresql"] if choice == "both" else [choice]
    if metafunc.definition.get_closest_marker("server_only"):
        engines = [e for e in engines if e == "postgresql"]   # none: skipped under --engine sqlite
    elif ((module not in BOTH_ENGINES and not metafunc.definition.get_closest_marker("both_engines"))
          or metafunc.definition.get_closest_marker("sqlcipher_only")):
        engines = ["sqlite"]
    metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request) -> str:
    return getattr(request, "param", "sqlite")


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
    server = start_server()
    yield server
    server.remove()

SCHOOL_NAME = "Brambleton Primary School"
SENCO = "mpatel"
SENCO_NAME = "Meera Patel"
SENCO_PASSWORD = "harbour-lantern-quietly-47"
STAFF = "owilliams"
STAFF_NAME = "Owen Williams"
STAFF_PASSWORD = "violet-kettle-meadow-83"


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
