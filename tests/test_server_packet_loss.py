"""Real packet loss between a PC and the school server (issue 21, item 9; store/server_watch.py):
a switch that goes quiet in the kernel, not a relay in user space (tests/net_namespace.py).
Nothing comes back, not even a reset, so what ends a connection is what a pulled cable would
leave: the PC's TCP user timeout, keepalives and watchdog, and the server's keepalives. Each
save must fail within the bound with one sentence and write nothing; a snapshot, which has no
deadline, must still be cut off rather than wait for ever; the server must end the session the
PC lost and free the write lock for the other PCs; and the app carries on when the network is
back. The tests skip where namespaces cannot be made (not root, no `ip`)."""

from __future__ import annotations

import threading
import time

import pytest

from conftest import SCHOOL_NAME, SENCO, SENCO_NAME, SENCO_PASSWORD
from net_namespace import PC_ADDRESS, SERVER_ADDRESS, Network, Unavailable
from pg_server import SUPERUSER, SUPERUSER_PASSWORD, find_bindir, start_server
from records_fixtures import add_pupil, snapshot
from sendesk.errors import StorageError
from sendesk.records import pupils
from sendesk.services import lifecycle, server_school
from sendesk.store import server_watch
from sendesk.store.server_errors import NOT_ANSWERING, SaveUncertain
from test_server_network_cut import half_save

pytestmark = pytest.mark.server_only
SLACK = 3   # seconds, for a loaded machine
# A statement sent into the silence: unacknowledged data ends the socket at tcp_user_timeout,
# and the watchdog's deadline comes soon after if it did not.
SAVE_BOUND = server_watch.ANSWER_SECONDS + SLACK
# A patient statement (no deadline) whose answer never comes: only keepalives notice.
_KEEPALIVE = server_watch.CLIENT_KEEPALIVES
KEEPALIVE_SECONDS = (int(_KEEPALIVE["keepalives_idle"])
                     + int(_KEEPALIVE["keepalives_interval"]) * int(_KEEPALIVE["keepalives_count"]))
# The server's side: its keepalives (the same figures), then its check of the connection
# during a statement (client_connection_check_interval, 5 s).
SERVER_GIVES_UP = KEEPALIVE_SECONDS + 5


@pytest.fixture(scope="module")
def network():
    try:
        net = Network()
    except Unavailable as exc:
        pytest.skip(f"real packet loss needs network namespaces, and {exc}")
    yield net
    net.remove()


@pytest.fixture(scope="module")
def far_server(network):
    """A server of its own inside the server's namespace, listening only across the switch."""
    if find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (initdb) are installed")
    with network.at_pc():   # the template is migrated over the switch, as a PC would
        server = start_server(host=SERVER_ADDRESS, clients=f"{PC_ADDRESS}/32",
                              enter=network.on_server(), local_logins=True)
    yield server
    server.remove()


@pytest.fixture
def across(engine, far_server, network, clock):
    """The SENCO signed in across the switch; and a second session, another PC whose network
    still works (the server's Unix socket), to see what really reached the server. The test
    runs in the PC's namespace."""
    name = far_server.acquire()
    try:
        with network.at_pc():
            server_school.create_on_server(
                far_server.url(name, user=SUPERUSER), SUPERUSER_PASSWORD, school_name=SCHOOL_NAME,
                school_reference="123456", username=SENCO, full_name=SENCO_NAME,
                password=SENCO_PASSWORD, clock=clock).close()
            session = lifecycle.open_school(far_server.url(name), SENCO, SENCO_PASSWORD, clock)
            direct = lifecycle.open_school(
                f"postgresql:///{name}?host={far_server.socket_dir}&port={far_server.port}"
                "&sslmode=disable", SENCO, SENCO_PASSWORD, clock)
            add_pupil(session, 1)
            try:
                yield session, direct
            finally:
                network.restore()
                session.close()
                direct.close()
    finally:
        far_server.release(name)


def _gone(far_server, name: str, backend: int, within: float) -> float | None:
    """Seconds until the server has ended `backend` (None: still there after `within`)."""
    started = time.monotonic()
    with far_server.admin(name) as conn:
        while time.monotonic() - started < within:
            if not conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                (backend,)).fetchone():
                return time.monotonic() - started
            time.sleep(0.25)
    return None


def test_a_save_into_the_silence_fails_in_bounded_time_and_nothing_of_it_lands(
        across, network, far_server):
    session, direct = across
    before = snapshot(direct)
    backend = session.db.backend_pid
    failed, waited = half_save(session, network.cut)
    assert str(failed) == NOT_ANSWERING and not isinstance(failed, SaveUncertain)
    assert waited < SAVE_BOUND
    # The server ends the session it lost while the network is still down (its idle-in-
    # transaction limit: the PC's last acknowledgement was lost too, so the server's
    # keepalives do not start): its half of the save is rolled back and can never land.
    assert _gone(far_server, direct.db.address.database, backend,
                 server_watch.IDLE_IN_TRANSACTION_SECONDS + SLACK - waited) is not None
    network.restore()
    assert snapshot(direct) == before


def _snapshot_cut_off(session, network, sql: str) -> tuple[float, StorageError]:
    """Run `sql` in a snapshot (no statement deadline, the write lock held) and cut the network
    a second in: the seconds until the PC gave up, and what it said."""
    cutting = threading.Timer(1.0, network.cut)
    started = time.monotonic()
    cutting.start()
    try:
        with pytest.raises(StorageError) as failed:
            with session.db.snapshot():
                session.db.query(sql)
    finally:
        cutting.join()
    return time.monotonic() - started, failed.value


def test_a_snapshot_with_no_deadline_is_still_cut_off_and_the_server_frees_the_write_lock(
        across, network, far_server):
    """A backup's or an export's snapshot has no statement deadline and holds the school's
    write lock: with the network gone mid-statement only the keepalives end it, on the PC and
    on the server, and another PC can then save while the network is still down."""
    session, direct = across
    backend = session.db.backend_pid
    waited, failed = _snapshot_cut_off(session, network, "SELECT pg_sleep(60)")
    assert str(failed) == NOT_ANSWERING
    assert session.db.watchdog.cuts == 0   # no deadline: the PC's keepalives ended it
    assert waited < KEEPALIVE_SECONDS + SLACK
    assert _gone(far_server, direct.db.address.database, backend,
                 SERVER_GIVES_UP + SLACK - waited) is not None
    add_pupil(direct, 2)   # the write lock is free: another PC saves, the network still down
    network.restore()
    add_pupil(session, 3)
    assert direct.db.scalar("SELECT count(*) FROM pupils") == 3


def test_a_snapshot_cut_off_while_the_server_is_sending_frees_the_write_lock_too(
        across, network, far_server):
    """An export's snapshot reading many rows when the network goes: the server's last packets
    are never acknowledged, so its keepalives never start and only its own TCP user timeout
    ends the session (the operating system would otherwise retry for about 15 minutes,
    with the school's write lock held)."""
    session, direct = across
    backend = session.db.backend_pid
    # pg_sleep in the select list runs for every row, so the rows keep coming for a minute (a
    # LATERAL pg_sleep() that names no column of the row is run once and its answer reused:
    # then the 600 MB could all arrive before the cut, on a quiet machine).
    waited, failed = _snapshot_cut_off(session, network, "SELECT repeat('x', 200000), "
                                       "pg_sleep(0.02) FROM generate_series(1, 3000)")
    assert str(failed) == NOT_ANSWERING
    assert waited < KEEPALIVE_SECONDS + SLACK
    assert _gone(far_server, direct.db.address.database, backend,
                 SERVER_GIVES_UP + SLACK - waited) is not None
    add_pupil(direct, 2)   # another PC saves, the network still down


def test_when_the_network_is_back_the_same_session_carries_on(across, network):
    session, direct = across
    backend = session.db.backend_pid
    network.cut()
    started = time.monotonic()
    with pytest.raises(StorageError, match="The school server is not answering"):
        pupils.get_pupil(session, 1)
    assert time.monotonic() - started < SAVE_BOUND
    network.restore()
    assert pupils.get_pupil(session, 1).id == 1            # no new sign-in: it reconnected
    assert session.db.backend_pid not in (None, backend)
    add_pupil(session, 2)
    assert direct.db.scalar("SELECT count(*) FROM pupils") == 2
