"""Reads from a streaming replica (DATABASE_READ_URL), against a real
one made with pg_basebackup (tests/integration/replica.py).

- the shared reads (pages rendered for the cache, the API's public
  reads) go to the replica while it is up and close behind; who is
  asking, and every write, go to the primary;
- a reader who has just written reads from the primary (and past every
  cache) for READ_AFTER_WRITE seconds: they see their write at once even
  while the replica lags;
- the replica renders a shared page only once it has the last write the
  instance heard of: every reader sees a write within a second whatever
  the replica's lag, and nothing read on a lagging replica is cached;
- a replica that is down costs no request: the primary answers.
"""

import re
import time

import pytest
import requests

from client import Browser
from replica import Replica, replicated_primary
from test_api import new_user

READER = "Accept-Encoding"


@pytest.fixture(scope="module")
def cluster():
    primary = replicated_primary()
    standby = None
    try:
        standby = Replica(primary)
        yield primary, standby
    finally:
        if standby is not None:
            standby.destroy()
        primary.destroy()


@pytest.fixture(scope="module")
def kblog(cluster, workdir):
    from harness import Kblog
    primary, standby = cluster
    # The schema comes from kblog's migrations on the primary; the
    # replica gets it by replaying them.
    k = Kblog(primary.url, workdir, extra_env={
        "DATABASE_READ_URL": standby.url, "TRUST_PROXY": "1",
        "READ_MAX_LAG_MS": "500"})
    standby.wait_caught_up()
    yield k
    k.stop()
    reports = k.sanitizer_reports()
    assert not reports, "\n".join(reports)


def anon(url, path):
    return requests.get(url + path, headers={READER: "identity"},
                        timeout=10)


def comments_seen(text):
    return re.findall(r'<p class="comment-body">([^<]*)</p>', text)


def replica_queries(standby):
    """What kblog's connections to the replica ran last."""
    return [q for (q,) in standby.query(
        "SELECT query FROM pg_stat_activity WHERE application_name = "
        "'kblog' AND datname = 'kblog'", dbname="postgres")]


def new_post(kblog, standby, title):
    """A post by a new user, replicated; (their API client, its id)."""
    _, api, _ = new_user(kblog.url)
    pid = api.call("POST", "/posts", {"title": title,
                                      "body_markdown": "x"}).json()["id"]
    standby.wait_caught_up()
    return api, pid


def test_shared_reads_go_to_the_replica(cluster, kblog):
    primary, standby = cluster
    api, pid = new_post(kblog, standby, "replicated")
    wait_for_log(kblog, "replica: in use")
    b = Browser(kblog.url)
    b.register()
    seen = set()
    deadline = time.time() + 5
    while time.time() < deadline and not {"posts", "comments"} <= seen:
        for i, path in enumerate(["/", f"/posts/{pid}", "/api/v1/posts",
                                  f"/api/v1/posts/{pid}/comments"]):
            # A new query string each time: a new render, not a copy.
            r = anon(kblog.url, f"{path}?n={time.time()}")
            assert r.status_code == 200, (path, r.status_code)
            assert b.get(f"{path}?m={time.time()}").status_code == 200
        for q in replica_queries(standby):
            if "FROM posts p" in q:
                seen.add("posts")
            if "FROM comments c" in q:
                seen.add("comments")
            # Who is asking is always looked up on the primary.
            assert "FROM sessions" not in q
    assert {"posts", "comments"} <= seen, replica_queries(standby)


def wait_for_log(k, text, seconds=5):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if text in k.output():
            return k.output()
        time.sleep(0.1)
    return k.output()


def test_writer_reads_their_write_while_the_replica_lags(cluster, kblog):
    primary, standby = cluster
    b = Browser(kblog.url)
    b.register()
    r = b.post("/posts/new", {"title": "lagging", "body": "x", "tags": "",
                              "published": "1"})
    post = r.headers["location"]
    actions = re.match(r"/posts/\d+", post)[0]
    standby.wait_caught_up()
    standby.pause()
    try:
        for i in range(4):
            r = b.post(actions + "/comments", {"body": f"mine {i}"})
            assert r.status_code == 303
            # At once, for the writer: the primary, no cache.
            assert f"mine {i}" in comments_seen(b.get(post).text)
        # Everyone else within a second too: the replica does not have
        # the last write, so the primary renders their page.
        got = False
        deadline = time.time() + 1.0
        while time.time() < deadline and not got:
            got = "mine 3" in comments_seen(anon(kblog.url, post).text)
            time.sleep(0.05)
        assert got, "a reader did not see the write while the replica lags"
        # And the replica really does not have it yet.
        [(n,)] = standby.query("SELECT count(*) FROM comments WHERE body = "
                               "'mine 3'")
        assert n == 0
        assert "replica: down or behind" in wait_for_log(
            kblog, "replica: down or behind")
        # A write through the API (no cookie): anonymous readers have it
        # at once, the replica still does not.
        _, api, _ = new_user(kblog.url)
        pid = int(actions.rsplit("/", 1)[1])
        assert api.call("POST", f"/posts/{pid}/comments",
                        {"body": "by api"}).status_code == 201
        got, start = False, time.time()
        while time.time() - start < 1.0 and not got:
            got = "by api" in comments_seen(anon(kblog.url, post).text)
        assert got
        for _ in range(10):
            assert "by api" in comments_seen(anon(kblog.url, post).text)
    finally:
        standby.resume()
    standby.wait_caught_up()
    assert "mine 3" in comments_seen(anon(kblog.url, post).text)


def test_replica_down_costs_nothing(cluster, kblog):
    primary, standby = cluster
    api, pid = new_post(kblog, standby, "fallback")
    paths = ["/", f"/posts/{pid}", "/api/v1/posts", f"/api/v1/posts/{pid}",
             "/tags/none"]
    standby.stop()
    try:
        for round_ in range(20):
            for path in paths:
                r = anon(kblog.url, f"{path}{'&' if '?' in path else '?'}"
                         f"r={round_}")
                assert r.status_code == 200, (path, r.status_code, r.text[:200])
            # Writes never needed it.
            assert api.call("POST", f"/posts/{pid}/comments",
                            {"body": f"while down {round_}"}
                            ).status_code == 201
            time.sleep(0.05)
        assert "while down 19" in comments_seen(anon(kblog.url,
                                                     f"/posts/{pid}").text)
    finally:
        standby.start()
    standby.wait_caught_up()
    # Back in use once it answers again.
    assert "replica: in use" in wait_for_log(kblog, "replica: in use")
    for path in paths:
        assert anon(kblog.url, path + "?again=1").status_code == 200
