"""tests/bench/pgscript.py: pgbench scripts from the module's statements.

The rewriting on its own, then against PostgreSQL with the statements
the benchmark measures (printed by tests/bench/sqldump.c from the
module's sources): the way tests/bench/bench.py used to run pgbench
failed on every statement with a `to_char` time format; the scripts made
here run with -M prepared, and the rewritten statements return exactly
what the originals return for the same parameters.
"""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import PGBIN, REPO

import sys
sys.path.insert(0, str(Path(__file__).resolve().parent))
import pgscript  # noqa: E402
from pgscript import Expr, pgbench_argv, rewrite, script  # noqa: E402

SQLDUMP = REPO / "build" / "bench" / "sqldump"
BIG_TIME = 253402300799999999
MAX_ID = (1 << 63) - 1


def test_self_check():
    pgscript._self_check()


def test_values():
    text, defs = script([
        ("SELECT $1::bigint, $2::bigint, $3::bigint, $4::text, $5",
         [-(1 << 63), (1 << 63) - 1, 1 << 63, "a b=c", False]),
        ("SELECT $1::bigint", [Expr("random(1, 1000)")])])
    assert text.splitlines() == [
        f"\\set p0_1 {-(1 << 63)}",
        f"\\set p0_2 {(1 << 63) - 1}",
        "SELECT :p0_1::bigint, :p0_2::bigint, :p0_3::bigint, :p0_4::text,"
        " :p0_5;",
        "\\set p1_1 random(1, 1000)",
        "SELECT :p1_1::bigint;"]
    # Beyond int64, text, booleans: -D, as strings.
    assert defs == {"p0_3": str(1 << 63), "p0_4": "a b=c",
                    "p0_5": "false"}
    argv = pgbench_argv("pgbench", "s.sql", defs, clients=8, duration=5,
                        port=5433)
    assert argv[argv.index("-c") + 1] == "8"
    assert argv[argv.index("-M") + 1] == "prepared"
    assert "p0_4=a b=c" in argv and argv[-1] == "kblog"
    # -M simple pastes values in unquoted: text would become SQL.
    with pytest.raises(ValueError):
        pgbench_argv("pgbench", "s.sql", defs, clients=8, mode="simple")


def test_nulls():
    with pytest.raises(ValueError, match="NULL"):
        script([("SELECT $1::text IS NULL", [None])])
    text, defs = script([("SELECT $1::text IS NULL, $2", [None, 3])],
                        nulls="inline")
    assert "SELECT NULL::text IS NULL, :p0_2;" in text
    assert "-- NULL written in for $1" in text
    assert defs == {}


@pytest.mark.parametrize("bad", [
    "SELECT $2", "SELECT $0", "SELECT 1 /* c */", "SELECT '\n'",
    "SELECT \"a:b\"", "SELECT 1 \\gset", "SELECT U&'d:x'",
    "SELECT $tag$x$tag$"])
def test_refuses(bad):
    with pytest.raises(ValueError):
        rewrite(bad, ["v1"])


def test_keeps_what_pgbench_ignores():
    # Casts, array slices with spaces, ':' before a space or at the end
    # of a literal, quoted identifiers: unchanged.
    sql = "SELECT a[1 : 2]::int[], 'a: b', 'x:', \"T\" FROM t"
    assert rewrite(sql, []) == sql


# -- against PostgreSQL -----------------------------------------------------

@pytest.fixture(scope="module")
def sqldump():
    r = subprocess.run(["make", "-s", "-C", str(REPO),
                        "build/bench/sqldump"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip("the benchmark's SQL printer does not build:\n" +
                    r.stderr[-500:])

    def sql_of(name):
        return subprocess.run([str(SQLDUMP), name], capture_output=True,
                              text=True, check=True).stdout
    return sql_of


@pytest.fixture(scope="module")
def db(pg):
    """A database of its own in the session's PostgreSQL, migrated, with
    two users, a published post with comments and a like."""
    name = f"pgscript_{os.getpid()}"
    pg.create_database(name)
    conn = pg.connect(name)
    with conn.cursor() as cur:
        for f in sorted((REPO / "sql").glob("*.sql")):
            cur.execute(f.read_text())
        cur.execute(
            "INSERT INTO users (username, password_hash) VALUES "
            "('alice', 'x'), ('bob', 'x') RETURNING id")
        alice, bob = [r[0] for r in cur.fetchall()]
        cur.execute(
            "INSERT INTO posts (author_id, title, body_md, body_html, "
            "published, published_at, tags) VALUES (%s, 'A post', 'body', "
            "'<p>body</p>', true, now(), '{c,sql}') RETURNING id", (alice,))
        post = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO comments (post_id, author_id, body) SELECT %s, %s,"
            " 'comment ' || g FROM generate_series(1, 5) g", (post, bob))
        cur.execute("INSERT INTO likes (post_id, user_id) VALUES (%s, %s)",
                    (post, bob))
        cur.execute("UPDATE posts SET like_count = 1, comment_count = 5 "
                    "WHERE id = %s", (post,))
    conn.close()
    return {"name": name, "post": post, "me": bob, "pg": pg}


def cases(db):
    """The benchmark's statements and parameters (tests/bench/bench.py),
    the parameters as parameters."""
    post, me = db["post"], db["me"]
    return [
        ("posts_home", [BIG_TIME, MAX_ID]),
        ("post_page", [post, 0]),
        ("comments_list", [0, post, 0, 0, 101]),
        ("like", [post, me]),
        ("unlike", [post, me]),
        ("post_get", [post, 0]),
        ("posts_api", [0, 21, BIG_TIME, MAX_ID, False]),
        ("posts_api_author_tag", [0, 21, BIG_TIME, MAX_ID, True, "alice",
                                  "c"]),
        ("liked", [me, post]),
    ]


def run_pgbench(db, statements, mode="prepared", nulls="refuse"):
    text, defines = script(statements, nulls=nulls)
    with tempfile.NamedTemporaryFile("w", suffix=".sql",
                                     delete=False) as f:
        f.write(text)
    try:
        argv = pgbench_argv(PGBIN / "pgbench", f.name, defines, clients=2,
                            transactions=5, port=db["pg"].port,
                            dbname=db["name"], mode=mode)
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=60)
    finally:
        os.unlink(f.name)


def test_old_way_fails(db):
    """What bench.py used to do: parameters pasted in as literals and
    -M extended.  pgbench turns ':MI' inside a to_char format (kblog's
    statements had them before times were formatted in C) into a
    parameter the statement does not have."""
    body = ("SELECT to_char(c.created_at AT TIME ZONE 'UTC', "
            "'FMMonth FMDD, YYYY HH24:MI') FROM comments c WHERE "
            f"c.post_id = '{db['post']}'")
    with tempfile.NamedTemporaryFile("w", suffix=".sql",
                                     delete=False) as f:
        f.write(body + ";\n")
    try:
        r = subprocess.run(
            [str(PGBIN / "pgbench"), "-n", "-M", "extended", "-h",
             "127.0.0.1", "-p", str(db["pg"].port), "-U", "kblog", "-c",
             "2", "-t", "5", "-f", f.name, db["name"]],
            capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    assert r.returncode != 0
    assert "bind message supplies 1 parameters" in r.stderr
    # The same statement through script(): it runs.
    text, defines = script([(body, [])])
    assert "\\x3a" in text


@pytest.mark.parametrize("mode", ["prepared", "extended"])
def test_pgbench_runs_every_statement(db, sqldump, mode):
    for name, params in cases(db):
        r = run_pgbench(db, [(sqldump(name), params)], mode=mode,
                        nulls="inline")
        assert r.returncode == 0, f"{name}: {r.stderr[-800:]}"
        assert "number of transactions actually processed: 10/10" in \
            r.stdout, f"{name}: {r.stdout}"


def test_like_unlike_pair(db, sqldump):
    r = run_pgbench(db, [(sqldump("like"), [db["post"], db["me"]]),
                         (sqldump("unlike"), [db["post"], db["me"]])])
    assert r.returncode == 0, r.stderr[-800:]
    # Whatever the interleaving, the last statement is an unlike, and
    # the counter stayed exact.
    assert db["pg"].query(
        "SELECT like_count, (SELECT count(*) FROM likes WHERE post_id = "
        "p.id) FROM posts p WHERE id = %s", (db["post"],),
        dbname=db["name"]) == [(0, 0)]


def test_same_results_as_the_original(db, sqldump):
    """PREPARE the module's statement and the rewritten one, EXECUTE both
    with the same parameters: the same rows, to the byte (the rewritten
    time formats are the same constants)."""
    conn = db["pg"].connect(db["name"])
    try:
        with conn.cursor() as cur:
            for i, (name, params) in enumerate(cases(db)):
                if name in ("like", "unlike") or None in params:
                    continue
                sql = sqldump(name)
                fixed = rewrite(sql)
                if ":" in sql.replace("::", ""):
                    assert fixed != sql and "\\x3a" in fixed
                cur.execute(f"PREPARE a{i} AS {sql}")
                cur.execute(f"PREPARE b{i} AS {fixed}")
                args = ", ".join(["%s"] * len(params))
                cur.execute(f"EXECUTE a{i} ({args})", params)
                want = cur.fetchall()
                cur.execute(f"EXECUTE b{i} ({args})", params)
                got = cur.fetchall()
                assert got == want and want, name
    finally:
        conn.close()
