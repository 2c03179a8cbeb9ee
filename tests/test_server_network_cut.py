"""A network that goes silent mid-save (issue 21, item 9; store/server_watch.py): no reset, no
refusal, nothing at all comes back. Stopping the server cannot show this (a stopped server
resets its connections), so these tests put a relay between the app and the test server
(tests/net_relay.py) and freeze it. Each save must fail within the bound with one sentence,
write nothing (or, when only the COMMIT's answer was lost, say honestly that it may have been
saved), never land later, and leave the app working when the network is back."""

from __future__ import annotations

import time

import pytest

from conftest import SENCO, SENCO_PASSWORD
from net_relay import Relay
from records_fixtures import add_pupil, snapshot
from sendesk.errors import StorageError
from sendesk.services import lifecycle
from sendesk.store import server_watch
from sendesk.store.server_errors import MAY_HAVE_SAVED, NOT_ANSWERING, SaveUncertain

pytestmark = pytest.mark.server_only
BOUND = server_watch.ANSWER_SECONDS + 3   # the deadline, and time for a loaded machine


@pytest.fixture
def relay(pg_server):
    relay = Relay(pg_server.port)
    yield relay
    relay.close()


@pytest.fixture
def through_relay(school, pg_server, relay, clock):
    """The SENCO signed in through the relay; and a second session straight to the server, to
    see what really reached it."""
    session = lifecycle.open_school(relay.url(school[0], pg_server.port), SENCO, SENCO_PASSWORD, clock)
    direct = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD, clock)
    add_pupil(session, 1)
    yield session, direct
    relay.thaw()
    session.close()
    direct.close()


def _surname(direct) -> str:
    return direct.db.scalar("SELECT legal_surname FROM pupils WHERE id = 1")


def half_save(session, cut) -> tuple[StorageError, float]:
    """A save whose first change reaches the server and whose second is sent after `cut()`
    took the network away: what it failed with, and the seconds it took to say so."""
    started = time.monotonic()
    with pytest.raises(StorageError) as failed:
        with session.db.transaction():
            session.db.execute("UPDATE pupils SET legal_surname = 'Half' WHERE id = 1")
            cut()
            session.db.execute("UPDATE pupils SET legal_forename = 'Done' WHERE id = 1")
    return failed.value, time.monotonic() - started


def test_a_save_cut_off_before_its_commit_fails_in_bounded_time_and_never_lands(
        through_relay, relay):
    session, direct = through_relay
    before = snapshot(direct)
    failed, waited = half_save(session, relay.freeze)
    assert str(failed) == NOT_ANSWERING and not isinstance(failed, SaveUncertain)
    assert server_watch.ANSWER_SECONDS - 1 < waited < BOUND
    relay.thaw()
    time.sleep(1)
    assert snapshot(direct) == before                 # nothing half-written, nothing late
    add_pupil(session, 2)                            # the app carries on: a later save works
    assert direct.db.scalar("SELECT count(*) FROM pupils") == 2


def test_a_commit_that_gets_no_answer_says_it_may_or_may_not_have_saved(through_relay, relay):
    session, direct = through_relay
    before = snapshot(direct)
    started = time.monotonic()
    with pytest.raises(SaveUncertain) as failed:
        with session.db.transaction():
            session.db.execute("UPDATE pupils SET legal_surname = 'Late' WHERE id = 1")
            relay.freeze()   # the COMMIT goes into the silence
    assert str(failed.value) == MAY_HAVE_SAVED
    assert time.monotonic() - started < BOUND
    relay.thaw()   # the PC reset its connection: the COMMIT it queued never reaches the server
    time.sleep(1)
    assert snapshot(direct) == before
    add_pupil(session, 2)
    assert direct.db.scalar("SELECT count(*) FROM pupils") == 2


def test_answers_lost_on_the_way_back_leave_nothing_and_free_the_write_lock_for_other_pcs(
        through_relay, relay):
    """The statements reach the server and run, and their answers are lost: the PC gives up,
    and the server itself ends the session left inside its transaction (and its hold on the
    write lock every save takes), so another PC can save and the first save never lands."""
    session, direct = through_relay
    with pytest.raises(StorageError, match="The school server is not answering"):
        with session.db.transaction():
            relay.freeze(toward_server=False)
            session.db.execute("UPDATE pupils SET legal_surname = 'Half' WHERE id = 1")
    deadline = time.monotonic() + server_watch.IDLE_IN_TRANSACTION_SECONDS + 5
    while direct.db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND state LIKE 'idle in transaction%'") and time.monotonic() < deadline:
        time.sleep(0.5)
    add_pupil(direct, 3)   # the write lock is free again: another PC saves
    relay.thaw()
    assert _surname(direct) != "Half"
    add_pupil(session, 2)
    assert direct.db.scalar("SELECT count(*) FROM pupils") == 3


def test_a_commit_whose_answer_is_lost_may_have_landed_and_says_so(through_relay, relay):
    session, direct = through_relay
    with pytest.raises(SaveUncertain, match="may or may not have been saved"):
        with session.db.transaction():
            session.db.execute("UPDATE pupils SET legal_surname = 'Landed' WHERE id = 1")
            relay.freeze(toward_server=False)
    assert _surname(direct) == "Landed"   # it did land: which is why the sentence cannot say not
    relay.thaw()
    add_pupil(session, 2)


def test_maintenance_is_not_cut_off_by_the_deadline(school, pg_server, monkeypatch):
    """A snapshot (a backup, an export) and the owner's work may take minutes: no deadline."""
    monkeypatch.setattr(server_watch, "ANSWER_SECONDS", 1.0)
    session = lifecycle.open_school(school[0], SENCO, SENCO_PASSWORD)
    try:
        with session.db.snapshot():
            session.db.query("SELECT pg_sleep(1.5)")
            assert session.db.scalar("SHOW statement_timeout") == "0"
        assert session.db.scalar("SHOW statement_timeout") == f"{server_watch.STATEMENT_SECONDS}s"
        with pytest.raises(StorageError, match="not answering"):
            session.db.query("SELECT pg_sleep(1.5)")
        assert session.db.watchdog.cuts == 1
        assert session.db.scalar("SELECT 1") == 1    # reconnected
    finally:
        session.close()


def test_a_statement_the_server_stops_for_taking_too_long_says_so(senco_session):
    with pytest.raises(StorageError, match="took too long"):
        senco_session.db.query("SELECT pg_sleep(11)")


def test_a_save_kept_waiting_by_maintenance_says_the_server_was_busy(
        senco_session, pg_server, server_database):
    """IT's session holding the school's write lock is not "another PC saving": the sentence
    says only what is known."""
    from sendesk.store.server_errors import BUSY
    from sendesk.store.server_write_lock import WRITE_LOCK
    before = snapshot(senco_session)
    with pg_server.admin(server_database[1]) as maintenance:
        maintenance.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
        with pytest.raises(StorageError) as refused:
            add_pupil(senco_session, 1)
    assert str(refused.value) == BUSY and "Another PC" not in BUSY
    assert snapshot(senco_session) == before
