"""Nested transactions: a repository function's own transaction can be one part of a larger
change, and a failure anywhere leaves nothing behind."""

from __future__ import annotations

import pytest
from psycopg.pq import TransactionStatus


def _count(session) -> int:
    return session.db.scalar("SELECT count(*) FROM meta WHERE key LIKE 'nest-%'")


def _put(session, key: str) -> None:
    with session.db.transaction():
        session.db.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (key,))


def _driver_idle(db) -> bool:
    """The driver's own connection has no transaction open either (SQLite's or psycopg's)."""
    connection = db._connection()
    info = getattr(connection, "info", None)   # psycopg
    if info is not None:
        return info.transaction_status == TransactionStatus.IDLE
    return not connection.in_transaction


def test_inner_transaction_commits_with_the_outer(senco_session):
    with senco_session.db.transaction():
        _put(senco_session, "nest-a")
        _put(senco_session, "nest-b")
    assert _count(senco_session) == 2


def test_failure_after_an_inner_transaction_rolls_everything_back(senco_session):
    with pytest.raises(RuntimeError):
        with senco_session.db.transaction():
            _put(senco_session, "nest-a")
            raise RuntimeError("later step failed")
    assert _count(senco_session) == 0
    assert not senco_session.db.in_transaction
    assert _driver_idle(senco_session.db)


def test_a_failed_inner_transaction_undoes_only_its_own_work(senco_session):
    with senco_session.db.transaction():
        _put(senco_session, "nest-a")
        with pytest.raises(RuntimeError):
            with senco_session.db.transaction():
                senco_session.db.execute("INSERT INTO meta (key, value) VALUES ('nest-b', 'x')")
                raise RuntimeError("inner step failed")
    assert _count(senco_session) == 1


def test_transactions_work_again_after_nesting(senco_session):
    with senco_session.db.transaction():
        _put(senco_session, "nest-a")
    _put(senco_session, "nest-b")
    assert _count(senco_session) == 2
