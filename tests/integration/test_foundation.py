"""Foundation: health, readiness across a PostgreSQL restart, migrations,
configuration errors, seccomp (workers survive real traffic)."""

import os
import subprocess
import threading
import time

import pytest
import requests

from harness import BUILD, REPO, Kblog


def test_health_answers_ok(base):
    r = requests.get(base + "/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["content-type"] == "application/json; charset=utf-8"


def test_ready_answers_when_database_is_up(base):
    r = requests.get(base + "/ready")
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}


def test_security_headers_on_every_response(base):
    for path in ("/health", "/ready", "/no/such/page"):
        r = requests.get(base + path)
        h = r.headers
        assert "default-src 'self'" in h["content-security-policy"]
        assert "script-src 'self'" in h["content-security-policy"]
        assert "unsafe-inline" not in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert h["referrer-policy"]


def test_unknown_path_is_a_404_page_that_does_not_echo_the_path(base):
    r = requests.get(base + "/<script>alert(1)</script>")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "script" not in r.text.lower().replace(
        '<link rel="stylesheet"', "").replace('<meta name="description"', "")
    assert "Not found" in r.text


def test_wrong_method_gets_405_with_allow(base):
    r = requests.post(base + "/health")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_probes_and_feeds_ignore_query_strings_they_never_read(base):
    # Load balancers, CDNs and link trackers add queries of their own;
    # a route that reads none must not refuse a malformed one.
    for path, status in (("/health?a=%ff", 200), ("/ready?%zz", 200),
                         ("/feed.atom?utm=%", 200),
                         ("/sitemap.xml?x=%ff", 200),
                         ("/no/such/page?%zz", 404)):
        r = requests.get(base + path)
        assert r.status_code == status, (path, r.status_code)


def test_times_do_not_depend_on_the_database_datestyle(pg, kblog_factory):
    # A database (or role) whose DateStyle is not ISO: kblog reads every
    # time as ISO text in UTC all the same, so dates and cursors hold.
    url = pg.create_database("kblog_dmy")
    pg.query("ALTER DATABASE kblog_dmy SET datestyle = 'SQL, DMY'",
             dbname="postgres")
    k = kblog_factory(url)
    api = requests.Session()
    r = api.post(k.url + "/api/v1/users", json={"username": "dmy",
                                                "password": "long enough pw"})
    assert r.status_code == 201, r.text
    assert r.json()["created_at"].startswith(time.strftime("%Y-", time.gmtime()))
    tok = api.post(k.url + "/api/v1/tokens", json={
        "username": "dmy", "password": "long enough pw"}).json()["token"]
    api.headers["Authorization"] = "Bearer " + tok
    ids = [api.post(k.url + "/api/v1/posts", json={
        "title": f"p{i}", "body_markdown": "x"}).json()["id"]
        for i in range(3)]
    page = api.get(k.url + "/api/v1/posts?limit=2").json()
    assert [p["id"] for p in page["items"]] == ids[:0:-1]
    assert all(p["created_at"].endswith("Z") for p in page["items"])
    rest = api.get(k.url + "/api/v1/posts?limit=2&cursor=" +
                   page["next_cursor"]).json()
    assert [p["id"] for p in rest["items"]] == ids[:1]
    today = time.strftime("%B %-d, %Y", time.gmtime())
    assert today in requests.get(k.url + "/").text


def test_migrations_applied_once_and_recorded(pg, server):
    files = sorted(p.name for p in (REPO / "sql").glob("*.sql"))
    rows = pg.query("SELECT version, name FROM schema_migrations "
                    "ORDER BY version")
    assert [r[1] for r in rows] == files
    assert [r[0] for r in rows] == [int(f.split("_")[0]) for f in files]


def test_migrations_idempotent_across_restarts(pg, kblog_factory):
    url = pg.create_database("kblog_idem")
    a = kblog_factory(url)
    a.stop()
    assert "applied migration 001_init.sql" in a.output()
    b = kblog_factory(url)
    assert requests.get(b.url + "/ready").status_code == 200
    assert "applied migration" not in b.output()
    db = url.rsplit("/", 1)[1]
    [(total, distinct)] = pg.query("SELECT count(*), count(DISTINCT version) "
                                   "FROM schema_migrations", dbname=db)
    assert total == distinct == len(list((REPO / "sql").glob("*.sql")))


def test_two_instances_starting_together_migrate_once(pg, workdir):
    url = pg.create_database("kblog_race")
    procs = []
    try:
        threads = [threading.Thread(
            target=lambda: procs.append(Kblog(url, workdir)))
            for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(procs) == 3
        applied = sum(p.output().count("applied migration 001_init.sql")
                      for p in procs)
        assert applied == 1
        for p in procs:
            assert requests.get(p.url + "/ready").status_code == 200
    finally:
        for p in procs:
            p.stop()


def test_failed_migration_stops_startup_and_leaves_nothing(pg, workdir,
                                                          tmp_path):
    url = pg.create_database("kblog_badmig")
    for f in (REPO / "sql").glob("*.sql"):
        (tmp_path / f.name).write_text(f.read_text())
    (tmp_path / "900_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nSELECT no_such_function();\n")
    k = Kblog(url, workdir, extra_env={"MIGRATIONS_DIR": str(tmp_path)},
              wait=False)
    assert k.wait_exit() == 1
    assert "migration 900_broken.sql failed" in k.output()
    db = url.rsplit("/", 1)[1]
    assert pg.query("SELECT to_regclass('half_done')", dbname=db) == [(None,)]
    assert pg.query("SELECT count(*) FROM schema_migrations "
                    "WHERE version = 900", dbname=db) == [(0,)]


def _start_expect_failure(workdir, env):
    k = Kblog("postgresql://x@127.0.0.1:1/x", workdir, extra_env=env,
              wait=False)
    code = k.wait_exit(timeout=20)
    lines = [l for l in k.output().splitlines() if l.startswith("kblog:")]
    return code, lines, k.output()


def test_bad_configuration_is_refused_with_one_clear_line(pg, workdir):
    cases = {
        "PORT": ("99999", "PORT"),
        "WORKERS": ("lots", "WORKERS"),
        "DATABASE_URL": ("postgresql://[bad", "DATABASE_URL"),
        "PUBLIC_URL": ("ftp://example.com/x", "PUBLIC_URL"),
        "COOKIE_SECURE": ("maybe", "COOKIE_SECURE"),
    }
    for var, (value, name) in cases.items():
        env = {var: value}
        if var != "DATABASE_URL":
            env["DATABASE_URL"] = pg.url
        code, lines, out = _start_expect_failure(workdir, env)
        assert code == 1, out
        assert len(lines) == 1 and name in lines[0], out
        assert value not in lines[0], out
        assert "worker" not in out and "listening" not in out, out


def test_missing_database_url_is_refused(workdir):
    k = Kblog("", workdir, wait=False)
    assert k.wait_exit(20) == 1
    assert "kblog: DATABASE_URL is not set" in k.output()


def test_database_password_never_logged(pg, workdir):
    code, lines, out = _start_expect_failure(workdir, {
        "DATABASE_URL": "postgresql://kblog:s3cr3t-pw@127.0.0.1:1/kblog",
        "DB_WAIT": "0"})
    assert code == 1
    assert "s3cr3t-pw" not in out
    assert "cannot connect to DATABASE_URL" in out


def test_ready_503_while_postgres_down_then_200_without_restart(
        pg, kblog_factory):
    k = kblog_factory(pg.url)
    parent = k.proc.pid
    workers = k.worker_pids()
    assert requests.get(k.url + "/ready").status_code == 200
    # Warm up pooled connections in both workers.
    for _ in range(20):
        assert requests.get(k.url + "/ready").status_code == 200
    pg.stop()
    try:
        for _ in range(5):
            t0 = time.time()
            r = requests.get(k.url + "/ready", timeout=10)
            assert r.status_code == 503
            assert r.json()["error"]["code"] == "database_unavailable"
            assert time.time() - t0 < 6
        assert requests.get(k.url + "/health").status_code == 200
    finally:
        pg.start()
    # Stale pooled connections must not show as errors: every request
    # after the restart succeeds (after the 1 s circuit breaker).
    deadline = time.time() + 10
    while requests.get(k.url + "/ready").status_code != 200:
        assert time.time() < deadline
        time.sleep(0.2)
    for _ in range(50):
        assert requests.get(k.url + "/ready").status_code == 200
    assert k.proc.pid == parent and k.proc.alive()
    assert k.worker_pids() == workers


def test_postgres_restart_is_invisible_to_reads(pg, kblog_factory):
    """Restart quickly; the first requests after it hit stale pooled
    connections, which are replaced before the query is sent."""
    k = kblog_factory(pg.url)
    for _ in range(40):
        assert requests.get(k.url + "/ready").status_code == 200
    pg.stop()
    pg.start()
    statuses = [requests.get(k.url + "/ready").status_code
                for _ in range(40)]
    assert statuses == [200] * 40


def test_postgres_restart_is_invisible_to_writes(pg, kblog_factory):
    """Every pooled connection is stale after a restart; a write must not
    be sent on one (it could not be retried safely)."""
    import concurrent.futures
    k = kblog_factory(pg.url)
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        codes = list(ex.map(lambda _: requests.get(k.url + "/ready")
                            .status_code, range(300)))
    assert codes == [200] * 300
    pg.stop()
    pg.start()
    for i in range(10):
        r = requests.post(k.url + "/api/v1/users", json={
            "username": f"restart{os.getpid()}x{i}",
            "password": "long enough pw"})
        assert r.status_code == 201, r.text


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_lets_requests_in_flight_finish(pg, workdir, workers):
    """A request waiting on PostgreSQL when kblog is told to stop still
    gets its answer; then kblog exits 0 (with one worker, and with two,
    where only one holds the accept lock)."""
    import contextlib
    import signal
    import threading
    from harness import Kblog
    url = pg.create_database("kblog_drain" + workers)
    k = Kblog(url, workdir, extra_env={"WORKERS": workers, "DB_POOL": "1"})
    assert requests.get(k.url + "/ready").status_code == 200
    db = url.rsplit("/", 1)[1]
    backends = [pid for (pid,) in pg.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s "
        "AND application_name = 'kblog'", (db,))]
    assert backends
    result = {}

    def call():
        try:
            result["r"] = requests.get(k.url + "/ready", timeout=30)
        except requests.RequestException as e:
            result["e"] = e

    for pid in backends:
        os.kill(pid, signal.SIGSTOP)
    try:
        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.5)
        k.proc.p.send_signal(signal.SIGTERM)
        time.sleep(1)
    finally:
        for pid in backends:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    t.join(40)
    assert k.proc.p.wait(20) == 0, k.output()[-2000:]
    assert "e" not in result, result.get("e")
    assert result["r"].status_code == 200
    assert "stopping: 1 request(s) in flight" in k.output()
    assert "disable_accept" not in k.output()
    k.stop()
