"""A PostgreSQL streaming replica for the integration tests.

    from harness import Postgres
    from replica import Replica, ensure_replication, replicated_primary

    primary = replicated_primary()        # a harness Postgres, ready
    standby = Replica(primary)            # pg_basebackup -R, started
    primary.query("INSERT ...")
    standby.wait_caught_up()              # the insert is visible there
    standby.pause()                       # replay stops: lag
    standby.resume()
    standby.stop(); standby.start()       # the replica down, then back
    standby.destroy(); primary.destroy()

The primary: harness.Postgres runs `initdb -A trust` on PostgreSQL 15,
whose defaults already allow streaming replication (wal_level = replica,
max_wal_senders = 10, and pg_hba.conf lines for "replication" over the
socket and 127.0.0.1). ensure_replication() checks those three on any
harness Postgres (the shared `pg` fixture too) and repairs what is
missing: the pg_hba.conf line with a reload, the settings with ALTER
SYSTEM and a restart (only then). replicated_primary() is a new
harness Postgres passed through it.

The replica: `pg_basebackup -R -X stream -C -S <slot>` from the
primary's socket, into its own temporary directory, then its own port
and socket directory appended to its postgresql.conf. The physical
replication slot keeps the WAL the replica has not received yet, so a
replica that was stopped catches up when it starts again; destroy()
drops the slot. Replica is a harness Postgres (same start(), stop(),
connect(), query(), url and destroy()), so whatever takes a Postgres
takes a replica: e.g. DATABASE_READ_URL=replica.url for kblog.

As root, every PostgreSQL program runs as Debian's `postgres` user, as
harness.Postgres does (PostgreSQL refuses to run as root).
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

import psycopg2

from harness import PGBIN, Postgres, free_port

__all__ = ["Replica", "ensure_replication", "replicated_primary"]


def _setting(pg, name):
    [(value,)] = pg.query("SELECT current_setting(%s)", (name,),
                          dbname="postgres")
    return value


def _replication_allowed(pg):
    """A pg_hba.conf line lets the superuser connect for replication
    over the socket (what pg_basebackup and the replica use)."""
    rows = pg.query(
        "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NULL "
        "AND type = 'local' AND 'replication' = ANY(database) "
        "AND ('all' = ANY(user_name) OR 'kblog' = ANY(user_name)) "
        "AND auth_method = 'trust'", dbname="postgres")
    return rows[0][0] > 0


def ensure_replication(pg):
    """Makes a harness Postgres a primary a replica can stream from.
    Returns what it changed (a list of strings, empty when nothing)."""
    changed = []
    if not _replication_allowed(pg):
        with open(pg.data / "pg_hba.conf", "a") as f:
            f.write("local replication all trust\n")
        pg.query("SELECT pg_reload_conf()", dbname="postgres")
        changed.append("pg_hba.conf")
        deadline = time.time() + 10
        while not _replication_allowed(pg):
            if time.time() > deadline:
                raise RuntimeError("pg_hba.conf reload not applied")
            time.sleep(0.05)
    restart = []
    if _setting(pg, "wal_level") not in ("replica", "logical"):
        restart.append(("wal_level", "replica"))
    if int(_setting(pg, "max_wal_senders")) < 4:
        restart.append(("max_wal_senders", "10"))
    if int(_setting(pg, "max_replication_slots")) < 4:
        restart.append(("max_replication_slots", "10"))
    if restart:
        conn = pg.connect("postgres")
        try:
            with conn.cursor() as cur:
                for name, value in restart:
                    # ALTER SYSTEM takes no parameters; names and
                    # values are the constants above.
                    cur.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        finally:
            conn.close()
        pg.stop()
        pg.start()
        changed += [name for name, _ in restart]
    return changed


def replicated_primary():
    """A new harness Postgres, ready to be streamed from."""
    pg = Postgres()
    try:
        ensure_replication(pg)
    except Exception:
        pg.destroy()
        raise
    return pg


def _lsn(text):
    """'16/B374D848' -> an integer, to compare WAL positions."""
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


class Replica(Postgres):
    """A hot standby of `primary` (a harness Postgres) on its own port,
    started. Reads work; writes fail with ReadOnlySqlTransaction."""

    _count = 0

    def __init__(self, primary, slot=None):
        # Not Postgres.__init__: no initdb, the data comes from the
        # primary.
        self.primary = primary
        self.dir = Path(tempfile.mkdtemp(prefix="kblog-replica-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.user = primary.user
        self.proc = None
        Replica._count += 1
        self.slot = slot or f"kblog_replica_{os.getpid()}_{Replica._count}"
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        try:
            self._run([str(PGBIN / "pg_basebackup"), "-D", str(self.data),
                       "-h", str(primary.dir), "-p", str(primary.port),
                       "-U", "kblog", "-R", "-X", "stream",
                       "-C", "-S", self.slot, "--checkpoint=fast",
                       "--no-sync"])
        except Exception:
            self._drop_slot()
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        # The copied postgresql.conf names the primary's port and socket
        # directory; what is appended last wins.
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"\n# replica\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.dir}'\n"
                    "hot_standby = on\n"
                    "wal_receiver_status_interval = 1s\n")
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        self.start()
        self.url = f"postgresql://kblog@127.0.0.1:{self.port}/kblog"

    # -- replication ----------------------------------------------------

    def _primary_lsn(self):
        """The primary's WAL position after everything committed so far
        is on disk. The harness runs with synchronous_commit = off, so a
        commit may still sit in WAL buffers, unsent; a transaction that
        writes WAL (a logical decoding message: no table, ignored by
        physical replicas) and commits synchronously flushes the WAL up
        to and including its own commit."""
        conn = self.primary.connect("postgres")
        try:
            with conn.cursor() as cur:
                cur.execute("BEGIN")
                cur.execute("SET LOCAL synchronous_commit = on")
                cur.execute("SELECT pg_logical_emit_message(true, "
                            "'kblog-replica', 'sync')")
                cur.execute("COMMIT")
                cur.execute("SELECT pg_current_wal_flush_lsn()::text")
                return _lsn(cur.fetchone()[0])
        finally:
            conn.close()

    def replay_lsn(self):
        [(lsn,)] = self.query("SELECT pg_last_wal_replay_lsn()::text",
                              dbname="postgres")
        return _lsn(lsn)

    def wait_caught_up(self, timeout=10):
        """Waits until the replica has replayed everything the primary
        committed before this call. TimeoutError when it has not within
        timeout seconds (e.g. while paused)."""
        target = self._primary_lsn()
        deadline = time.time() + timeout
        while True:
            if self.replay_lsn() >= target:
                return
            if time.time() > deadline:
                raise TimeoutError(
                    f"replica at {self.replay_lsn():X}, primary at "
                    f"{target:X} after {timeout} s")
            time.sleep(0.02)

    def pause_state(self):
        [(state,)] = self.query("SELECT pg_get_wal_replay_pause_state()",
                                dbname="postgres")
        return state

    def pause(self, timeout=10):
        """Stops replaying WAL (it is still received): the replica lags
        from now on. Returns once replay has really stopped."""
        self.query("SELECT pg_wal_replay_pause()", dbname="postgres")
        deadline = time.time() + timeout
        while self.pause_state() != "paused":
            if time.time() > deadline:
                raise TimeoutError("replay did not pause")
            time.sleep(0.02)

    def resume(self):
        self.query("SELECT pg_wal_replay_resume()", dbname="postgres")

    def lag_bytes(self):
        """How far (bytes of WAL) replay is behind what the primary has
        written out so far. Reading it writes nothing (unlike
        wait_caught_up()); a commit the primary still holds in its WAL
        buffers (synchronous_commit = off) does not count yet."""
        [(lsn,)] = self.primary.query(
            "SELECT pg_current_wal_lsn()::text", dbname="postgres")
        return max(0, _lsn(lsn) - self.replay_lsn())

    # -- lifecycle --------------------------------------------------------

    def _drop_slot(self):
        try:
            self.primary.query(
                "SELECT pg_drop_replication_slot(slot_name) FROM "
                "pg_replication_slots WHERE slot_name = %s", (self.slot,),
                dbname="postgres")
        except psycopg2.Error:
            pass

    def destroy(self):
        """Stops the replica, removes its files and drops its slot on
        the primary (so the primary stops keeping WAL for it)."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.primary.proc is not None:
            deadline = time.time() + 10
            while time.time() < deadline:
                rows = self.primary.query(
                    "SELECT active FROM pg_replication_slots WHERE "
                    "slot_name = %s", (self.slot,), dbname="postgres")
                if not rows or not rows[0][0]:
                    break
                time.sleep(0.05)
            self._drop_slot()
