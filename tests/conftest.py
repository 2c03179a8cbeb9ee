"""Shared fixtures: a real encrypted school database in a temporary folder, fast KDF settings,
and settings kept away from the real user's data folder."""

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
def school(db_path, clock):
    """A fresh school database with a SENCO/admin and a staff user; yields (path, recovery key)."""
    session, recovery = lifecycle.create(
        db_path, school_name=SCHOOL_NAME, school_reference="123456", username=SENCO,
        full_name=SENCO_NAME, password=SENCO_PASSWORD, clock=clock)
    from sendesk.services import users
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
