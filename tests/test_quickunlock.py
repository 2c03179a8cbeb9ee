"""Quick unlock keeps the data key in the OS keyring for a limited time. Tested on a real
(in-memory) keyring backend and a fixed clock: it must expire when promised, throw away
anything it cannot trust, and the key it hands back must still be checked against the files."""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import pytest
from keyring.backends import chainer, fail, null

from conftest import SENCO, SENCO_PASSWORD, STAFF, STAFF_PASSWORD
from memory_keyring import MemoryKeyring
from sendesk.clock import FixedClock
from sendesk.errors import SendeskError, WrongPassword
from sendesk.quickunlock import SERVICE, QuickUnlock, backend_available, expiry
from sendesk.services import lifecycle, users
from store_tools import assert_user_message, copy_school, folder_state, make_school

pytestmark = pytest.mark.sqlcipher_only(reason=(
    "quick unlock keeps the file's data key in the OS keyring; the server has no data key"))

UTC = dt.UTC
DB_ID = bytes.fromhex("00112233445566778899aabbccddeeff")
OTHER_ID = bytes.fromhex("ffeeddccbbaa99887766554433221100")
KEY = bytes(range(32))
# The UK's rules written out, so the test needs no time zone database.
UK = "GMT0BST,M3.5.0/1,M10.5.0"


@pytest.fixture(scope="module")
def school_template(tmp_path_factory):
    return make_school(tmp_path_factory.mktemp("template"))


@pytest.fixture
def school(school_template, db_path):
    return copy_school(school_template, db_path)


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def quick(keyring_backend, clock) -> QuickUnlock:
    return QuickUnlock(keyring_backend, clock)


@pytest.fixture
def uk_time():
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is needed to set the local time zone")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = UK
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


# --- storing, fetching, forgetting ----------------------------------------------------------------

def test_store_then_fetch_returns_the_user_and_key(quick, clock):
    quick.store(DB_ID, SENCO, bytearray(KEY), clock.now() + dt.timedelta(hours=1))
    username, key = quick.fetch(DB_ID)
    assert username == SENCO
    assert bytes(key) == KEY
    assert isinstance(key, bytearray)  # so the caller can overwrite it


def test_each_database_has_its_own_entry(quick, clock):
    until = clock.now() + dt.timedelta(hours=1)
    quick.store(DB_ID, SENCO, KEY, until)
    quick.store(OTHER_ID, STAFF, bytes(32), until)
    assert quick.fetch(DB_ID)[0] == SENCO
    assert quick.fetch(OTHER_ID)[0] == STAFF
    quick.forget(OTHER_ID)
    assert quick.fetch(OTHER_ID) is None
    assert quick.fetch(DB_ID)[0] == SENCO


def test_forget_removes_the_entry_from_the_keyring(quick, keyring_backend, clock):
    quick.store(DB_ID, SENCO, KEY, clock.now() + dt.timedelta(hours=1))
    assert keyring_backend.store
    quick.forget(DB_ID)
    assert keyring_backend.store == {}
    assert quick.fetch(DB_ID) is None
    quick.forget(DB_ID)  # forgetting twice (sign out after lock) is harmless


def test_nothing_stored_means_nothing_fetched(quick):
    assert quick.fetch(DB_ID) is None


# --- expiry ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("hours", [1, 4, 8])
def test_an_entry_lasts_the_chosen_number_of_hours(quick, keyring_backend, clock, hours):
    until = expiry(clock, hours)
    assert until == clock.now() + dt.timedelta(hours=hours)
    quick.store(DB_ID, SENCO, KEY, until)
    clock.advance(dt.timedelta(hours=hours) - dt.timedelta(seconds=1))
    assert quick.fetch(DB_ID) is not None
    clock.advance(dt.timedelta(seconds=1))
    assert quick.fetch(DB_ID) is None
    assert keyring_backend.store == {}  # an expired key is removed, not just ignored


def test_by_default_an_entry_lasts_until_local_midnight(quick, keyring_backend, clock):
    until = expiry(clock, None)
    local = until.astimezone()
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    assert dt.timedelta(0) < until - clock.now() <= dt.timedelta(hours=25)
    assert local.date() == clock.now().astimezone().date() + dt.timedelta(days=1)

    quick.store(DB_ID, SENCO, KEY, until)
    clock.advance(until - clock.now() - dt.timedelta(microseconds=1))
    assert quick.fetch(DB_ID) is not None
    clock.advance(dt.timedelta(microseconds=1))
    assert quick.fetch(DB_ID) is None
    assert keyring_backend.store == {}


@pytest.mark.parametrize("unlocked_at, expires_at", [
    # A winter's day: midnight is 00:00 UTC.
    (dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC), dt.datetime(2026, 11, 24, 0, 0, tzinfo=UTC)),
    # A summer's day: local midnight (BST) is 23:00 UTC.
    (dt.datetime(2026, 7, 1, 9, 30, tzinfo=UTC), dt.datetime(2026, 7, 1, 23, 0, tzinfo=UTC)),
    # Just after midnight on the day the clocks go forward (at 01:00 GMT): the day ends at
    # midnight BST, not an hour later.
    (dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC), dt.datetime(2026, 3, 29, 23, 0, tzinfo=UTC)),
    # Just after midnight BST on the day the clocks go back: the day ends at midnight GMT.
    (dt.datetime(2026, 10, 24, 23, 30, tzinfo=UTC), dt.datetime(2026, 10, 26, 0, 0, tzinfo=UTC)),
])
def test_end_of_day_in_an_english_school(uk_time, unlocked_at, expires_at):
    assert expiry(FixedClock(unlocked_at), None) == expires_at


# --- entries that cannot be trusted -------------------------------------------------------------

CORRUPT = {
    "not JSON": "this is not json",
    "JSON list": "[1, 2, 3]",
    "JSON string": '"key"',
    "missing key": json.dumps({"user": SENCO, "until": "2099-01-01T00:00:00+00:00"}),
    "missing user": json.dumps({"key": KEY.hex(), "until": "2099-01-01T00:00:00+00:00"}),
    "missing expiry": json.dumps({"user": SENCO, "key": KEY.hex()}),
    "key not hex": json.dumps({"user": SENCO, "key": "zz" * 32, "until": "2099-01-01T00:00:00+00:00"}),
    "expiry not a date": json.dumps({"user": SENCO, "key": KEY.hex(), "until": "tomorrow"}),
    "expiry a number": json.dumps({"user": SENCO, "key": KEY.hex(), "until": 4102444800}),
    "expiry without a time zone": json.dumps({"user": SENCO, "key": KEY.hex(),
                                              "until": "2099-01-01T00:00:00"}),
}


@pytest.mark.parametrize("secret", CORRUPT.values(), ids=CORRUPT.keys())
def test_a_corrupt_entry_is_ignored_and_removed(quick, keyring_backend, secret):
    keyring_backend.set_password(SERVICE, DB_ID.hex(), secret)
    assert quick.fetch(DB_ID) is None
    assert keyring_backend.store == {}


def test_an_empty_entry_is_ignored(quick, keyring_backend):
    keyring_backend.set_password(SERVICE, DB_ID.hex(), "")
    assert quick.fetch(DB_ID) is None


# --- which keyrings count -------------------------------------------------------------------------

def test_backend_availability():
    assert backend_available(MemoryKeyring()) is True
    assert backend_available(fail.Keyring()) is False
    assert backend_available(null.Keyring()) is False
    assert QuickUnlock(fail.Keyring()).available is False
    assert QuickUnlock(MemoryKeyring()).available is True


def test_a_chain_of_keyrings_counts_only_if_it_holds_one(monkeypatch):
    """keyring's chainer stands in front of whatever real keyrings the system has found."""
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    assert backend_available(chainer.ChainerBackend()) is False
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring()])
    assert backend_available(chainer.ChainerBackend()) is True


def test_a_failing_keyring_is_treated_as_empty(clock):
    quick = QuickUnlock(fail.Keyring(), clock)
    assert quick.fetch(DB_ID) is None
    quick.forget(DB_ID)  # must not raise on sign-out


# --- the key from the keyring is still checked --------------------------------------------------------

def test_the_stored_key_reopens_the_database(school, quick, clock):
    db_path, _ = school
    session = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD, clock)
    quick.store(session.database_id, session.user.username, session.data_key,
                expiry(clock, None))
    database_id = session.database_id
    session.close()

    username, key = quick.fetch(database_id)
    reopened = lifecycle.open_with_data_key(db_path, key, username, clock)
    try:
        assert reopened.user.username == SENCO
        last = reopened.db.query_one("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")
        assert last["action"] == "signed in with quick unlock"
    finally:
        reopened.close()


@pytest.mark.parametrize("key", [os.urandom(32), bytes(32), b"", os.urandom(16), os.urandom(64)],
                         ids=["random", "zeros", "empty", "short", "long"])
def test_a_wrong_key_is_refused_and_changes_nothing(school, key):
    db_path, _ = school
    before = folder_state(db_path.parent)
    with pytest.raises(SendeskError) as caught:
        lifecycle.open_with_data_key(db_path, key, SENCO)
    assert_user_message(caught.value)
    assert folder_state(db_path.parent) == before


def test_a_key_for_another_school_is_refused(school, tmp_path_factory, clock):
    db_path, _ = school
    other_path, _ = make_school(tmp_path_factory.mktemp("other"))
    other = lifecycle.open_school(other_path, SENCO, SENCO_PASSWORD, clock)
    other_key = bytes(other.data_key)
    other.close()
    before = folder_state(db_path.parent)
    with pytest.raises(SendeskError) as caught:
        lifecycle.open_with_data_key(db_path, other_key, SENCO)
    assert_user_message(caught.value)
    assert folder_state(db_path.parent) == before


def test_a_removed_user_cannot_come_back_with_a_stored_key(school, quick, clock):
    db_path, _ = school
    staff = lifecycle.open_school(db_path, STAFF, STAFF_PASSWORD, clock)
    quick.store(staff.database_id, STAFF, staff.data_key, expiry(clock, 8))
    database_id = staff.database_id
    staff.close()

    admin = lifecycle.open_school(db_path, SENCO, SENCO_PASSWORD, clock)
    users.remove_user(admin, STAFF)
    admin.close()

    username, key = quick.fetch(database_id)
    with pytest.raises(WrongPassword):
        lifecycle.open_with_data_key(db_path, key, username, clock)

