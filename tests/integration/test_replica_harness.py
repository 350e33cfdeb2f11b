"""The replica harness itself (tests/integration/replica.py): a real
streaming replica made with pg_basebackup from a harness PostgreSQL.

Proves what the read-replica tests will rely on: a write on the primary
shows on the replica after wait_caught_up(), not while replay is paused
(and wait_caught_up() says so), the replica refuses writes, and it can be
stopped and started again and catches up with what it missed.
"""

import psycopg2
import psycopg2.errors
import pytest

from replica import Replica, ensure_replication, replicated_primary


@pytest.fixture(scope="module")
def primary():
    p = replicated_primary()
    p.query("CREATE TABLE notes (id serial PRIMARY KEY, body text)")
    yield p
    p.destroy()


@pytest.fixture(scope="module")
def standby(primary):
    r = Replica(primary)
    yield r
    r.destroy()


def bodies(pg):
    return [b for (b,) in pg.query("SELECT body FROM notes ORDER BY id")]


def test_defaults_need_no_change(primary):
    # initdb -A trust on PostgreSQL 15 is ready to stream already.
    assert ensure_replication(primary) == []


def test_write_visible_after_catch_up(primary, standby):
    primary.query("INSERT INTO notes (body) VALUES ('first')")
    standby.wait_caught_up()
    assert "first" in bodies(standby)


def test_not_visible_while_paused(primary, standby):
    standby.wait_caught_up()
    standby.pause()
    try:
        assert standby.pause_state() == "paused"
        primary.query("INSERT INTO notes (body) VALUES ('during lag')")
        with pytest.raises(TimeoutError):
            standby.wait_caught_up(timeout=1)
        assert "during lag" not in bodies(standby)
        assert "during lag" in bodies(primary)
        # wait_caught_up() flushed the insert on the primary: the
        # replica has it, unreplayed.
        assert standby.lag_bytes() > 0
    finally:
        standby.resume()
    standby.wait_caught_up()
    assert "during lag" in bodies(standby)


def test_replica_is_read_only(standby):
    with pytest.raises(psycopg2.errors.ReadOnlySqlTransaction):
        standby.query("INSERT INTO notes (body) VALUES ('nope')")
    [(in_recovery,)] = standby.query("SELECT pg_is_in_recovery()")
    assert in_recovery is True


def test_stop_and_start(primary, standby):
    standby.stop()
    with pytest.raises(psycopg2.OperationalError):
        standby.connect().close()
    # Written while the replica is down: kept for it by its slot.
    primary.query("INSERT INTO notes (body) VALUES ('while down')")
    primary.query("SELECT pg_switch_wal()")
    primary.query("CHECKPOINT")
    standby.start()
    standby.wait_caught_up()
    assert "while down" in bodies(standby)
    assert bodies(standby) == bodies(primary)


def test_url_for_kblog(standby):
    # What DATABASE_READ_URL would be: TCP on 127.0.0.1, user kblog.
    conn = psycopg2.connect(standby.url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM notes")
            assert cur.fetchone()[0] >= 1
    finally:
        conn.close()


def test_repairs_a_primary_without_replication():
    p = replicated_primary()
    try:
        # A primary that cannot stream: wal_level minimal (which needs
        # max_wal_senders 0) and no replication line in pg_hba.conf.
        p.query("ALTER SYSTEM SET wal_level = 'minimal'",
                dbname="postgres")
        p.query("ALTER SYSTEM SET max_wal_senders = 0", dbname="postgres")
        hba = p.data / "pg_hba.conf"
        hba.write_text("".join(
            line for line in hba.read_text().splitlines(keepends=True)
            if "replication" not in line))
        p.stop()
        p.start()
        assert p.query("SHOW wal_level", dbname="postgres") == \
            [("minimal",)]
        changed = ensure_replication(p)
        assert set(changed) == {"pg_hba.conf", "wal_level",
                                "max_wal_senders"}
        p.query("CREATE TABLE t (x int)")
        p.query("INSERT INTO t VALUES (42)")
        r = Replica(p)
        try:
            r.wait_caught_up()
            assert r.query("SELECT x FROM t") == [(42,)]
        finally:
            r.destroy()
        assert p.query("SELECT count(*) FROM pg_replication_slots",
                       dbname="postgres") == [(0,)]
    finally:
        p.destroy()
