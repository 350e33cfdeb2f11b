"""scripts/seed: a small dataset has the properties the seeder promises
(counts, exact like/comment counters, distinct likes, usernames, a password
hash kblog accepts, rendered bodies, search), appending and resetting work,
and the same --seed gives the same data."""

import ctypes
import importlib.machinery
import importlib.util
import re
import subprocess
from datetime import timedelta

import pytest

from harness import PGBIN, REPO

SEED = REPO / "scripts" / "seed"
SIZES = ["--users", "20", "--posts", "100", "--comments", "300",
         "--likes", "500"]


def seed(url, *args, check=True):
    r = subprocess.run([str(SEED), "--database-url", url, *args],
                       capture_output=True, text=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def migrate(pg, name):
    url = pg.create_database(name)
    for f in sorted((REPO / "sql").glob("*.sql")):
        r = subprocess.run([str(PGBIN / "psql"), "-X", "-q", "-1", "-v",
                            "ON_ERROR_STOP=1", "-d", url, "-f", str(f)],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"{f.name}: {r.stderr}"
    return url


def one(pg, db, sql, params=()):
    return pg.query(sql, params, dbname=db)[0]


@pytest.fixture(scope="module")
def seeded(pg):
    url = migrate(pg, "kblog_seed")
    r = seed(url, "--reset", *SIZES, "--seed", "7")
    return url, "kblog_seed", r


def test_summary_and_demo_password(seeded):
    _, _, r = seeded
    assert re.search(r"created 20 users, 100 posts \(\d+ published\), "
                     r"300 comments and 500 likes in [0-9.]+s", r.stdout)
    assert "password of every seeded user: kblog-demo-password" in r.stdout


def test_requested_counts(pg, seeded):
    _, db, _ = seeded
    assert one(pg, db, "SELECT (SELECT count(*) FROM users), "
               "(SELECT count(*) FROM posts), (SELECT count(*) FROM "
               "comments), (SELECT count(*) FROM likes)") == (20, 100, 300,
                                                              500)


def test_counters_are_exact(pg, seeded):
    _, db, _ = seeded
    (bad,) = one(pg, db, """
        SELECT count(*) FROM posts p
        WHERE like_count <> (SELECT count(*) FROM likes WHERE post_id = p.id)
           OR comment_count <> (SELECT count(*) FROM comments
                                WHERE post_id = p.id)""")
    assert bad == 0
    assert one(pg, db, "SELECT sum(like_count), sum(comment_count) "
               "FROM posts") == (500, 300)


def test_likes_distinct_and_on_published_posts_after_them(pg, seeded):
    _, db, _ = seeded
    assert one(pg, db, "SELECT count(DISTINCT (post_id, user_id)) "
               "FROM likes") == (500,)
    assert one(pg, db, """
        SELECT count(*) FROM likes l JOIN posts p ON p.id = l.post_id
        WHERE NOT p.published OR l.created_at <= p.created_at
           OR l.created_at > now()""") == (0,)
    # Spread: more than a handful of posts and users involved.
    posts, users = one(pg, db, "SELECT count(DISTINCT post_id), "
                       "count(DISTINCT user_id) FROM likes")
    assert posts > 50 and users > 10


def test_comments(pg, seeded):
    _, db, _ = seeded
    assert one(pg, db, """
        SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id
        WHERE NOT p.published OR c.created_at <= p.created_at
           OR c.created_at > now()
           OR char_length(c.body) NOT BETWEEN 1 AND 500
           OR c.body <> btrim(c.body)""") == (0,)
    assert one(pg, db, "SELECT count(DISTINCT author_id) > 10, "
               "count(DISTINCT body) > 100 FROM comments") == (True, True)


def test_usernames_and_users(pg, seeded):
    _, db, _ = seeded
    rows = pg.query("SELECT username, display_name, bio, created_at "
                    "FROM users ORDER BY id", dbname=db)
    names = [r[0] for r in rows]
    assert names[0] == "user0001" and names[-1] == "user0020"
    assert all(re.fullmatch(r"[a-z0-9_-]{3,32}", n) for n in names)
    assert len({n.lower() for n in names}) == 20
    assert all(r[1] and len(r[1]) <= 64 for r in rows)
    assert sum(1 for r in rows if r[2]) >= 5
    (first_post,) = one(pg, db, "SELECT min(created_at) FROM posts")
    assert all(r[3] <= first_post for r in rows)


def test_password_hash_is_what_kblog_verifies(pg, seeded):
    _, db, _ = seeded
    (n, h) = one(pg, db, "SELECT count(DISTINCT password_hash), "
                 "min(password_hash) FROM users")
    assert n == 1
    assert h.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    so = ctypes.CDLL("libsodium.so.23")
    assert so.sodium_init() >= 0
    pw = b"kblog-demo-password"
    assert so.crypto_pwhash_str_verify(h.encode(), pw,
                                       ctypes.c_ulonglong(len(pw))) == 0
    assert so.crypto_pwhash_str_verify(h.encode(), b"wrong-password",
                                       ctypes.c_ulonglong(14)) != 0
    # kblog's own parameters (src/lib/secure.c): no rehash at first login.
    assert so.crypto_pwhash_str_needs_rehash(
        h.encode(), ctypes.c_ulonglong(2),
        ctypes.c_size_t(19 * 1024 * 1024)) == 0


def test_posts(pg, seeded):
    _, db, _ = seeded
    rows = pg.query("""
        SELECT published, tags, metadata, created_at, updated_at, title,
               octet_length(body_md)
        FROM posts ORDER BY id""", dbname=db)
    published = sum(1 for r in rows if r[0])
    assert 75 <= published <= 99
    for _, tags, meta, created, updated, title, size in rows:
        assert len(tags) <= 5 and len(set(tags)) == len(tags)
        assert all(re.fullmatch(r"[a-z0-9-]{1,32}", t) for t in tags)
        assert isinstance(meta, dict)
        assert updated >= created
        assert 1 <= len(title) <= 200
        assert 1500 <= size <= 3500
    assert len({len(r[1]) for r in rows}) >= 4
    assert any(r[2] for r in rows) and any(not r[2] for r in rows)
    created = [r[3] for r in rows]
    assert created == sorted(created)          # ids in time order
    assert created[-1] - created[0] > timedelta(days=300)
    (now,) = one(pg, db, "SELECT now()")
    assert now - created[0] <= timedelta(days=365)
    assert one(pg, db, "SELECT count(DISTINCT author_id) > 5, "
               "count(DISTINCT title) > 50, count(DISTINCT body_md) > 50 "
               "FROM posts") == (True, True, True)


def _seed_module():
    loader = importlib.machinery.SourceFileLoader("kblog_seed", str(SEED))
    spec = importlib.util.spec_from_loader("kblog_seed", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def test_bodies_are_markdown_rendered_with_their_excerpts(pg, seeded):
    _, db, _ = seeded
    rows = pg.query("SELECT DISTINCT body_md, body_html, excerpt FROM posts",
                    dbname=db)
    md = "\n".join(r[0] for r in rows)
    for needle in ("\n## ", "\n- ", "\n1. ", "\n- [x] ", "\n```", "**",
                   "](https://example.com/", "\n> ", "~~", "| Name |"):
        assert needle in md, needle
    html = "\n".join(r[1] for r in rows)
    for needle in ("<h2>", "<ul>", "<ol>", "<pre><code class=\"language-",
                   "<strong>", "<a href=\"https://", "<blockquote>", "<del>",
                   "<table>", "type=\"checkbox\"", "<em>"):
        assert needle in html, needle
    assert "raw HTML omitted" not in html
    # Each post's HTML and excerpt belong to its own Markdown.
    cm = _seed_module().Cmark()
    for body_md, body_html, exc in rows:
        want_html, want_excerpt = cm.render(body_md)
        assert body_html == want_html
        assert exc == want_excerpt
        assert len(exc.encode()) <= 243 and exc.endswith("\u2026")
        words = exc[:-1].split()
        assert words and " ".join(body_md.split()).find(words[0]) >= 0


def test_search_finds_vocabulary_words(pg, seeded):
    _, db, _ = seeded
    for word in ("query", "postgres", "cache"):
        # As kblog searches (sql/009: every configuration at once).
        (n,) = one(pg, db, "SELECT count(*) FROM posts WHERE search @@ "
                   "search_query(%s)", (word,))
        assert 0 < n <= 100, word


def test_same_seed_same_data(pg, seeded):
    url, db, _ = seeded
    url2 = migrate(pg, "kblog_seed_again")
    seed(url2, "--reset", *SIZES, "--seed", "7", "--jobs", "1")
    digest = """
        SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
          SELECT concat_ws(',', id, title, body_md, tags, published,
                           metadata, like_count, comment_count) AS x
            FROM posts
          UNION ALL SELECT concat_ws(',', post_id, author_id, body)
            FROM comments
          UNION ALL SELECT concat_ws(',', post_id, user_id) FROM likes
          UNION ALL SELECT concat_ws(',', id, username, display_name, bio)
            FROM users) s"""
    assert one(pg, db, digest) == one(pg, "kblog_seed_again", digest)


def test_append_then_reset(pg):
    url = migrate(pg, "kblog_seed_append")
    seed(url, "--users", "5", "--posts", "10", "--comments", "20",
         "--likes", "15", "--pool", "5")
    seed(url, "--users", "3", "--posts", "10", "--comments", "10",
         "--likes", "7", "--pool", "5", "--seed", "8")
    db = "kblog_seed_append"
    names = [r[0] for r in pg.query("SELECT username FROM users ORDER BY id",
                                    dbname=db)]
    assert names == [f"user{i:04d}" for i in range(1, 9)]
    assert one(pg, db, "SELECT (SELECT count(*) FROM posts), (SELECT "
               "count(*) FROM comments), (SELECT count(*) FROM likes)") == \
        (20, 30, 22)
    # The second run's likes and comments are on its own posts, by its
    # own users.
    assert one(pg, db, """
        SELECT count(*) FROM likes l JOIN users u ON u.id = l.user_id
        JOIN posts p ON p.id = l.post_id
        WHERE (u.username > 'user0005') <> (p.id > (SELECT min(id) + 9
                                                    FROM posts))""") == (0,)
    # Likes on the existing posts only, up to every possible pair.
    (free,) = one(pg, db, "SELECT count(*) FILTER (WHERE published) * 8 - "
                  "(SELECT count(*) FROM likes) FROM posts")
    r = seed(url, "--users", "0", "--posts", "0", "--comments", "0",
             "--likes", str(free + 1), check=False)
    assert r.returncode == 1 and "pairs" in r.stderr
    seed(url, "--users", "0", "--posts", "0", "--comments", "5",
         "--likes", str(free))
    assert one(pg, db, """
        SELECT count(*) = count(DISTINCT (post_id, user_id)),
               count(*) = (SELECT count(*) FILTER (WHERE published) * 8
                           FROM posts)
        FROM likes""") == (True, True)
    assert one(pg, db, """
        SELECT count(*) FROM posts p
        WHERE like_count <> (SELECT count(*) FROM likes WHERE post_id = p.id)
           OR comment_count <> (SELECT count(*) FROM comments
                                WHERE post_id = p.id)""") == (0,)
    seed(url, "--reset", "--users", "4", "--posts", "6", "--comments", "3",
         "--likes", "2", "--pool", "3")
    assert one(pg, db, "SELECT (SELECT count(*) FROM users), (SELECT "
               "count(*) FROM posts), (SELECT count(*) FROM comments), "
               "(SELECT count(*) FROM likes), (SELECT min(id) FROM users), "
               "(SELECT min(id) FROM posts)") == (4, 6, 3, 2, 1, 1)


def test_posts_have_publishing_fields(pg, seeded):
    _, db, _ = seeded
    rows = pg.query("SELECT published, published_at = created_at, slug, "
                    "title, search_config::text FROM posts", dbname=db)
    mod = _seed_module()
    for published, dated, slug, title, cfg in rows:
        assert dated if published else dated is None
        assert slug == mod.slug(title)
        assert re.fullmatch(r"[^\W_]+(-[^\W_]+)*", slug), slug
        assert cfg == "english"


def test_fresh_database_is_migrated_first(pg, kblog_factory):
    """The seeder applies the migrations a new database lacks, as kblog
    does (schema_migrations and all): kblog then finds nothing to do."""
    url = pg.create_database("kblog_seed_fresh")
    r = seed(url, "--users", "3", "--posts", "5", "--comments", "2",
             "--likes", "2", "--pool", "3")
    assert "applied migration 009_publishing.sql" in r.stderr
    versions = [v for (v,) in pg.query(
        "SELECT version FROM schema_migrations ORDER BY version",
        dbname="kblog_seed_fresh")]
    files = sorted(int(f.name.split("_")[0])
                   for f in (REPO / "sql").glob("*.sql"))
    assert versions == files
    k = kblog_factory(url)
    assert "0 of %d migrations applied now" % len(files) in k.output()
    assert one(pg, "kblog_seed_fresh", "SELECT count(*) FROM posts") == (5,)


def test_without_database_url_uses_the_private_postgres():
    """No DATABASE_URL: the seeder starts scripts/run's private PostgreSQL
    (scripts/localpg), migrates and fills it, and stops it again since it
    was not running.  Run in a copy of the tree, on a port of its own, so
    the checkout's var/ is never touched."""
    import os
    import shutil
    import tempfile
    from pathlib import Path
    from harness import free_port
    # Readable by the 'postgres' user localpg runs it as under root.
    top = Path(tempfile.mkdtemp(prefix="kblog-seed-"))
    os.chmod(top, 0o755)
    root = top / "checkout"
    (root / "scripts").mkdir(parents=True)
    for name in ("seed", "localpg"):
        shutil.copy2(REPO / "scripts" / name, root / "scripts" / name)
    shutil.copytree(REPO / "sql", root / "sql")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PGPORT"] = str(free_port())
    r = subprocess.run([str(root / "scripts" / "seed"), "--users", "2",
                        "--posts", "3", "--comments", "1", "--likes", "1",
                        "--pool", "2"], capture_output=True, text=True,
                       timeout=180, env=env)
    try:
        assert r.returncode == 0, r.stdout + r.stderr
        assert "private PostgreSQL" in r.stderr
        assert "set DATABASE_URL" not in r.stderr
        assert (root / "var" / "pg" / "data" / "PG_VERSION").exists()
        # Stopped again: it was not running before.
        st = subprocess.run([str(root / "scripts" / "localpg"), "status"],
                            env=env)
        assert st.returncode != 0
    finally:
        subprocess.run([str(root / "scripts" / "localpg"), "stop"], env=env)
        shutil.rmtree(top, ignore_errors=True)
