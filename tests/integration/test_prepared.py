"""Prepared statements (src/db/db.c): each pooled connection prepares a
statement the first time it runs it, then executes it by name; a
statement whose plan the server dropped or can no longer use is prepared
again and sent again, once, so that neither a PostgreSQL restart nor an
ALTER TABLE under load costs a single failed request.

These tests run their own PostgreSQL, which logs every statement
(log_min_duration_statement = 0): its log says what kblog sent, "parse
<name>" once per connection, "execute <name>" per request.
"""

import re
import subprocess
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from harness import Postgres
from test_api import new_user


@pytest.fixture
def logged_pg():
    p = Postgres()
    p.query("ALTER SYSTEM SET log_min_duration_statement = 0")
    p.query("SELECT pg_reload_conf()")
    yield p
    p.destroy()


def pg_log(pg):
    return (pg.dir / "postgres.log").read_text(errors="replace")


def count(pattern, text):
    return len(re.findall(pattern, text))


# A post's page at its own address (/posts/<id> alone answers 301 there).
PAGE = {}


def seed(base):
    _, api, _ = new_user(base)
    ids = []
    for i in range(3):
        p = api.call("POST", "/posts", {"title": f"p{i}",
                                        "body_markdown": "body " * 50,
                                        "tags": ["prep"]}).json()
        ids.append(p["id"])
        PAGE[p["id"]] = urlsplit(p["url"]).path
    for pid in ids:
        assert api.call("POST", f"/posts/{pid}/comments",
                        {"body": "hello"}).status_code == 201
    return api, ids


def test_statements_are_prepared_once_per_connection(logged_pg,
                                                     kblog_factory):
    k = kblog_factory(logged_pg.url, extra_env={"DB_POOL": "2",
                                                "CACHE": "off"})
    _, ids = seed(k.url)
    before = pg_log(logged_pg)
    n = 60
    s = requests.Session()
    for i in range(n):
        assert s.get(k.url + "/").status_code == 200
        assert s.get(k.url + PAGE[ids[i % 3]]).status_code == 200
    time.sleep(0.5)
    log = pg_log(logged_pg)[len(before):]
    # Executed by name every time, parsed at most once per connection
    # (2 workers x DB_POOL 2), never sent as an unnamed statement.
    assert count(r"execute posts_home:", log) == n
    assert count(r"execute post_page:", log) == n
    assert count(r"execute comments_list:", log) == n
    assert count(r"parse posts_home:", log) <= 4
    assert count(r"parse post_page:", log) <= 4
    assert count(r"execute <unnamed>", log) == 0, log[-2000:]


def test_a_tag_is_planned_for_its_own_posts(logged_pg, kblog_factory):
    """A tag's posts may be three or thirty thousand: its statements are
    sent unnamed with their values (DB_CUSTOM), so PostgreSQL plans them
    for the tag asked for, never with the generic plan that guesses a
    handful of rows and sorts them all.  Everything else stays
    prepared."""
    k = kblog_factory(logged_pg.url, extra_env={"DB_POOL": "2",
                                                "CACHE": "off"})
    seed(k.url)
    before = pg_log(logged_pg)
    n = 12
    s = requests.Session()
    for _ in range(n):
        r = s.get(k.url + "/tags/prep")
        assert r.status_code == 200 and "p2" in r.text
        assert s.get(k.url + "/").status_code == 200
        r = s.get(k.url + "/api/v1/posts?tag=prep")
        assert [p["title"] for p in r.json()["items"]] == ["p2", "p1", "p0"]
    time.sleep(0.5)
    log = pg_log(logged_pg)[len(before):]
    assert count(r"(parse|execute) posts_tag", log) == 0
    assert count(r"(parse|execute) posts_api_tag", log) == 0
    unnamed = r"execute <unnamed>: SELECT .* p\.tags @> ARRAY\[\${}::text\]"
    assert count(unnamed.format(3), log) == n        # the page
    assert count(unnamed.format(6), log) == n        # the API
    assert count(r"execute posts_home:", log) == n


def load(url, paths, stop, results):
    s = requests.Session()
    i = 0
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        try:
            r = s.get(url + path, timeout=10)
            results.append((path, r.status_code))
        except requests.RequestException as e:
            results.append((path, repr(e)))


def test_alter_table_under_load(logged_pg, kblog_factory):
    """Changing a column's type changes the result type of every
    statement that returns it: PostgreSQL refuses the old prepared
    statements ("cached plan must not change result type"), kblog
    prepares them again under new names and nobody sees an error."""
    k = kblog_factory(logged_pg.url, extra_env={"CACHE": "off"})
    api, ids = seed(k.url)
    paths = ["/", PAGE[ids[0]], "/tags/prep", "/api/v1/posts",
             f"/api/v1/posts/{ids[1]}", f"/api/v1/posts/{ids[2]}/comments"]
    stop, results = threading.Event(), []
    threads = [threading.Thread(target=load, args=(k.url, paths, stop,
                                                   results))
               for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        # One change at a time: a statement is prepared again once, and
        # a second change within the microseconds between its new Parse
        # and its Execute would fail it (as it would any client's).
        for kind in ("varchar(300)", "text", "varchar(250)", "text"):
            for table, column in (("posts", "excerpt"),
                                  ("posts", "summary"),
                                  ("comments", "body")):
                logged_pg.query(f"ALTER TABLE {table} ALTER COLUMN "
                                f"{column} TYPE {kind}")
                time.sleep(0.25)
    finally:
        stop.set()
        for t in threads:
            t.join()
    bad = [r for r in results if r[1] != 200]
    assert not bad, bad[:10]
    assert len(results) > 100
    log = pg_log(logged_pg)
    assert "cached plan must not change result type" in log
    # Each refused statement was prepared again under a new name.
    assert re.search(r"parse posts_home\.\d+:", log)
    # Writes still work, and so does the API after the last change.
    assert api.call("PUT", f"/posts/{ids[0]}/like").status_code == 200
    # Prepared again quietly: no SQL error reached kblog's log.
    assert "pgsql error" not in k.output(), k.output()[-2000:]


def test_restart_between_requests(logged_pg, kblog_factory):
    """After a restart every connection (and every prepared statement)
    is gone: the next requests prepare again on new connections, and
    none of them fails."""
    k = kblog_factory(logged_pg.url, extra_env={"CACHE": "off"})
    api, ids = seed(k.url)
    s = requests.Session()
    paths = ["/", PAGE[ids[0]], "/api/v1/posts"]
    for _ in range(10):
        for p in paths:
            assert s.get(k.url + p).status_code == 200
    for _ in range(2):
        logged_pg.stop()
        logged_pg.start()
        got = [s.get(k.url + p).status_code for _ in range(20)
               for p in paths]
        assert got == [200] * len(got)
        # Writes too (never sent on a dead connection, prepared anew).
        assert api.call("POST", f"/posts/{ids[1]}/comments",
                        {"body": "after restart"}).status_code == 201
    log = pg_log(logged_pg)
    assert count(r"parse posts_home:", log) >= 3


def test_every_statement_prepares(server, pg):
    """Every statement of the module (tests/bench/sqldump.c lists them
    all; a statement missing there fails here) prepares against today's
    schema with exactly the parameters it declares."""
    from harness import REPO
    subprocess.run(["make", "-s", "-C", str(REPO), "build/bench/sqldump"],
                   check=True)
    out = subprocess.run([str(REPO / "build" / "bench" / "sqldump"),
                          "--all"], capture_output=True, text=True,
                         check=True).stdout
    stmts = [line.split("\t", 2) for line in out.splitlines()]
    declared = set()
    for h in (REPO / "src" / "db").glob("db_*.h"):
        for d in re.finditer(r"extern const struct db_stmt\s+([^;]+);",
                             h.read_text()):
            for m in re.finditer(r"(\w+)(\[(\d+)\])?", d[1]):
                if m[3]:
                    declared |= {f"{m[1]}[{i}]" for i in range(int(m[3]))}
                else:
                    declared.add(m[1])
    assert len(stmts) == len(declared), (len(stmts), sorted(declared))
    names = [s[0] for s in stmts]
    assert len(set(names)) == len(names), "two statements share a name"
    conn = pg.connect()
    try:
        with conn.cursor() as cur:
            for name, nparams, sql in stmts:
                cur.execute(f'PREPARE "{name}" AS {sql}')
                cur.execute("SELECT cardinality(parameter_types) FROM "
                            "pg_prepared_statements WHERE name = %s",
                            (name,))
                assert cur.fetchone()[0] == int(nparams), name
    finally:
        conn.close()


def test_statements_forgotten_by_the_server(logged_pg, kblog_factory):
    """A server process that forgets its prepared statements (here a
    trigger runs DEALLOCATE ALL whenever a comment is written; in real
    life a pooler or a DISCARD ALL) answers "prepared statement ... does
    not exist": kblog prepares the statement again and sends it once
    more, and nobody sees an error."""
    k = kblog_factory(logged_pg.url, extra_env={"CACHE": "off",
                                                "DB_POOL": "2"})
    api, ids = seed(k.url)
    logged_pg.query(
        "CREATE FUNCTION forget() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN EXECUTE 'DEALLOCATE ALL'; RETURN NULL; END $$")
    logged_pg.query("CREATE TRIGGER comments_forget AFTER INSERT ON "
                    "comments FOR EACH STATEMENT EXECUTE FUNCTION forget()")
    s = requests.Session()
    paths = ["/", PAGE[ids[0]], "/api/v1/posts",
             f"/api/v1/posts/{ids[1]}/comments"]
    for i in range(15):
        r = api.call("POST", f"/posts/{ids[i % 3]}/comments",
                     {"body": f"forgotten {i}"})
        assert r.status_code == 201, r.text
        for p in paths:
            assert s.get(k.url + p).status_code == 200, p
    log = pg_log(logged_pg)
    assert re.search(r'prepared statement "[a-z_.0-9]+" does not exist', log)
    assert "pgsql error" not in k.output(), k.output()[-2000:]
