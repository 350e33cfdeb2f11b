"""The response cache, cacheable anonymous pages, the session cache and
read-your-writes (src/web/cache.c, src/core/versions.c, sql/006).

What a reader may rely on, checked from outside over HTTP:
- anonymous reads carry no cookie, say `Cache-Control: public` with a
  short max-age and stale-while-revalidate, `Vary`, an ETag that stays
  the same for the same content (304 on If-None-Match) and changes with
  it; gzip when asked for, with its own ETag;
- pages for one person are `no-store`, and a page kept in the cache is
  never sent to anyone with someone else's name, CSRF token, like or
  buttons in it;
- a writer sees their own write at once; every other reader within a
  second, on every instance (two kblog processes on one database);
- logout and token revocation end access at once;
- when the listener cannot hear the database, nothing cached is served.
"""

import gzip
import re
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from client import Browser, unique_name
from test_api import Api, new_user

PUBLIC_CC = "public, max-age=1, stale-while-revalidate=5"
VARY = "Accept-Encoding, Cookie, Authorization"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]*)"')


def anon(base, path, **headers):
    headers.setdefault("Accept-Encoding", "identity")
    return requests.get(base + path, headers=headers, timeout=10)


def eventually(fn, seconds=1.0, step=0.02):
    """fn() until it is true, for at most `seconds`: (result, elapsed)."""
    start = time.time()
    while True:
        got = fn()
        if got or time.time() - start > seconds:
            return got, time.time() - start
        time.sleep(step)


def likes(text):
    m = re.search(r'<span class="like-count" data-post="\d+">(\d+)</span>',
                  text)
    return int(m[1]) if m else None


def forget_fresh(b):
    """As if READ_AFTER_WRITE seconds had passed: the browser drops
    kb_fresh (its Max-Age), and reads the shared pages again."""
    for c in list(b.s.cookies):
        if c.name == "kb_fresh":
            b.s.cookies.clear(c.domain, c.path, c.name)


# A post's page at its own address (/posts/<id> alone answers 301 there).
PAGE = {}


def post_with_comment(base, title=None, tags=("cache",)):
    name, api, _ = new_user(base)
    post = api.call("POST", "/posts", {
        "title": title or unique_name("t"), "body_markdown": "Some *text*.",
        "tags": list(tags)}).json()
    pid = post["id"]
    PAGE[pid] = urlsplit(post["url"]).path
    assert api.call("POST", f"/posts/{pid}/comments",
                    {"body": "first"}).status_code == 201
    return name, api, pid


# -- anonymous pages ----------------------------------------------------------

def test_anonymous_reads_are_public_and_cookie_free(base):
    name, _, pid = post_with_comment(base)
    for path in ["/", PAGE[pid], "/tags/cache", f"/users/{name}",
                 "/api/v1/posts", f"/api/v1/posts/{pid}",
                 f"/api/v1/posts/{pid}/comments"]:
        r = anon(base, path)
        assert r.status_code == 200, path
        assert "set-cookie" not in r.headers, path
        assert r.headers["cache-control"] == PUBLIC_CC, path
        assert r.headers["vary"] == VARY, path
        assert re.fullmatch(r'"[0-9a-f]{32}"', r.headers["etag"]), path
        assert not CSRF_META.search(r.text), path
    # The forms that need the pre-login token are the only ones to set it.
    for path in ["/login", "/register"]:
        r = anon(base, path)
        assert "kb_csrf=" in r.headers["set-cookie"], path
        assert r.headers["cache-control"] == "no-store", path
    # Pages that are nobody's to share stay private.
    assert anon(base, "/search?q=x").headers["cache-control"] == "no-store"


def test_etag_304_and_gzip(base):
    _, api, pid = post_with_comment(base)
    path = PAGE[pid]
    a, b = anon(base, path), anon(base, path)
    assert a.headers["etag"] == b.headers["etag"] and a.text == b.text
    r = anon(base, path, **{"If-None-Match": a.headers["etag"]})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["etag"] == a.headers["etag"]
    assert r.headers["cache-control"] == PUBLIC_CC
    assert "content-length" not in r.headers
    # A list of tags, a weak one, a star: all match; another tag does not.
    for inm in ['"x", ' + a.headers["etag"], "W/" + a.headers["etag"], "*"]:
        assert anon(base, path, **{"If-None-Match": inm}).status_code == 304
    assert anon(base, path, **{"If-None-Match": '"0"'}).status_code == 200
    # HEAD: the same headers, no body.
    h = requests.head(base + path, headers={"Accept-Encoding": "identity"})
    assert h.status_code == 200 and h.content == b""
    assert h.headers["etag"] == a.headers["etag"]

    # gzip: the same bytes once inflated, under a tag of its own.
    z = requests.get(base + path, headers={"Accept-Encoding": "gzip"},
                     stream=True)
    raw = z.raw.read()
    assert z.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == a.content
    assert z.headers["etag"].endswith('-gz"')
    assert z.headers["etag"] != a.headers["etag"]
    assert len(raw) < len(a.content)
    r = anon(base, path, **{"If-None-Match": z.headers["etag"],
                            "Accept-Encoding": "gzip"})
    assert r.status_code == 304
    # The API's reads too, as the OpenAPI document says.
    from test_openapi import DOC
    for api_path, doc_path in [("/api/v1/posts", "/api/v1/posts"),
                               (f"/api/v1/posts/{pid}",
                                "/api/v1/posts/{id}"),
                               (f"/api/v1/posts/{pid}/comments",
                                "/api/v1/posts/{id}/comments")]:
        assert "304" in DOC["paths"][doc_path]["get"]["responses"]
        first = anon(base, api_path)
        r = anon(base, api_path, **{"If-None-Match": first.headers["etag"]})
        assert r.status_code == 304 and r.content == b""
    j = requests.get(base + "/api/v1/posts", headers={
        "Accept-Encoding": "gzip"}, stream=True)
    assert j.headers["content-encoding"] == "gzip"
    assert gzip.decompress(j.raw.read()).startswith(b'{"items":')

    # New content, new tag; the old one no longer matches.
    assert api.call("POST", f"/posts/{pid}/comments",
                    {"body": "second"}).status_code == 201
    changed, _ = eventually(lambda: anon(base, path).headers["etag"] !=
                            a.headers["etag"])
    assert changed
    assert anon(base, path, **{"If-None-Match": a.headers["etag"]}
                ).status_code == 200


def test_served_from_the_cache_until_a_write(base):
    _, api, pid = post_with_comment(base)
    path = PAGE[pid]
    first = anon(base, path)
    hits = [anon(base, path).headers.get("x-cache") for _ in range(6)]
    # Two workers: each renders once, then serves its copy.
    assert hits.count("hit") >= 4, hits
    assert first.headers.get("x-cache") in ("miss", "hit")
    assert likes(first.text) == 0
    assert api.call("PUT", f"/posts/{pid}/like").status_code == 200
    got, took = eventually(lambda: likes(anon(base, path).text) == 1)
    assert got and took < 1.0


# -- pages for one person --------------------------------------------------

def test_cached_pages_never_carry_someone_elses_parts(base):
    owner, api, pid = post_with_comment(base)
    a, b = Browser(base), Browser(base)
    name_a, _ = a.register(display_name="Alice Cache")
    name_b, _ = b.register(display_name="Bob Cache")
    # A comments and likes: their buttons and their like are theirs.
    r = a.post(f"/posts/{pid}/comments", {"body": "from a"})
    assert r.status_code == 303
    assert a.post(f"/posts/{pid}/like", {"action": "like"}
                  ).status_code == 303
    forget_fresh(a)
    path = PAGE[pid]
    for _ in range(3):
        pa = a.get(path)
        pb = b.get(path)
        pn = anon(base, path)
        assert pa.headers["cache-control"] == "no-store"
        assert pb.headers["cache-control"] == "no-store"
        assert "set-cookie" not in pb.headers
        # Each page has its reader's token, in the head and every form.
        ta, tb = CSRF_META.search(pa.text)[1], CSRF_META.search(pb.text)[1]
        assert ta != tb
        assert set(CSRF_FIELD.findall(pa.text)) == {ta}
        assert set(CSRF_FIELD.findall(pb.text)) == {tb}
        assert ta not in pb.text and tb not in pa.text
        assert ta not in pn.text and tb not in pn.text
        # Names: A's nav and delete button on A's page only.
        assert f'href="/users/{name_a}">{name_a}</a>' in pa.text
        assert f'href="/users/{name_a}">{name_a}</a>' not in pb.text
        assert f'href="/users/{name_b}">{name_b}</a>' in pb.text
        assert name_b not in pa.text and name_b not in pn.text
        assert pa.text.count("comment-delete") == 1
        assert pb.text.count("comment-delete") == 0
        assert 'aria-pressed="true"' in pa.text
        assert 'aria-pressed="false"' in pb.text
        assert "like-form" not in pn.text and "Log in</a> to comment" in \
            pn.text
        assert "/edit" not in pa.text and "/edit" not in pb.text
    # The author gets the edit and delete buttons, the others never.
    ob = Browser(base)
    ob.login(owner, "long enough pw")
    po = ob.get(path)
    assert f"/posts/{pid}/edit" in po.text
    assert f"/posts/{pid}/edit" not in b.get(path).text
    # Home: a welcome for each, none for the anonymous.
    assert f"Logged in as <strong>{name_a}</strong>" in a.get("/").text
    assert name_a not in b.get("/").text.split("<main>")[0]
    assert "Logged in as" not in anon(base, "/").text


def test_staff_links_and_hidden_comments_stay_with_their_reader(base, pg):
    """Report and Moderate are holes of the shared post page: a moderator
    gets Moderate, other readers Report, the author neither on their own
    post; a comment a moderator hid reaches its author alone (their page
    is rendered for them); a moderator's view of a profile, with its link
    by name, is never shared."""
    from test_moderation import grant
    owner, api, pid = post_with_comment(base)
    path = PAGE[pid]
    mod, reader = Browser(base), Browser(base)
    mod_name, _ = mod.register()
    grant(pg, mod_name, "moderator")
    mod.login(mod_name)                     # a session with the new role
    reader_name, _ = reader.register()
    # A comment by the reader, hidden by the moderator.
    assert reader.post(f"/posts/{pid}/comments", {"body": "rude one"}
                       ).status_code == 303
    [(cid,)] = pg.query("SELECT id FROM comments WHERE post_id = %s AND "
                        "body = 'rude one'", (pid,))
    forget_fresh(reader)
    ob = Browser(base)
    ob.login(owner, "long enough pw")
    tok = CSRF_META.search(mod.get("/").text)[1]
    r = mod.s.post(base + "/api/v1/mod/actions", json={
        "action": "hide_comment", "reason": "rude", "comment_id": cid},
        headers={"X-CSRF-Token": tok})
    assert r.status_code == 200, r.text
    forget_fresh(mod)
    for _ in range(3):
        pm, pr, po, pn = (mod.get(path), reader.get(path), ob.get(path),
                          anon(base, path))
        assert f"/mod/act?post={pid}" in pm.text
        assert f"/mod/act?post={pid}" not in pr.text + po.text + pn.text
        assert f"/report?post={pid}" in pr.text
        assert f"/report?post={pid}" not in po.text + pn.text
        # The hidden comment: its author alone, marked.
        assert "rude one" in pr.text and "Hidden by a moderator" in pr.text
        assert "rude one" not in pm.text + po.text + pn.text
        # The nav's moderation link: the moderator's alone.
        assert 'href="/mod"' in pm.text
        assert 'href="/mod"' not in pr.text + po.text + pn.text
    # The shared copy served the others (and the moderator's fill).
    assert po.headers.get("x-cache") in ("hit", "stale")
    assert pm.headers.get("x-cache") in ("hit", "stale")
    assert pr.headers.get("x-cache") is None
    # A profile: Moderate for the moderator, never in the shared copy.
    for _ in range(2):
        assert f"/mod/act?user={owner}" in mod.get(f"/users/{owner}").text
        assert f"/mod/act?user={owner}" not in \
            reader.get(f"/users/{owner}").text
        assert f"/mod/act?user={owner}" not in \
            anon(base, f"/users/{owner}").text


def test_drafts_stay_with_their_author(base):
    b = Browser(base)
    me, _ = b.register()
    r = b.post("/posts/new", {"title": "secret draft", "body": "hush",
                              "tags": ""})
    assert r.status_code == 303
    draft = r.headers["location"]
    for _ in range(3):
        assert b.get(draft).status_code == 200
        assert "secret draft" in b.get(f"/users/{me}").text
        assert anon(base, draft).status_code == 404
        assert "secret draft" not in anon(base, f"/users/{me}").text
    other = Browser(base)
    other.register()
    assert other.get(draft).status_code == 404
    assert "secret draft" not in other.get(f"/users/{me}").text


def test_writer_sees_their_write_at_once(base):
    b = Browser(base)
    b.register()
    r = b.post("/posts/new", {"title": "rw", "body": "x", "tags": "",
                              "published": "1"})
    post = r.headers["location"]
    actions = re.match(r"/posts/\d+", post)[0]
    assert "kb_fresh=1" in r.headers["set-cookie"]
    for i in range(5):
        anon(base, post)                    # warm every worker's copy
        b.get(post)
        r = b.post(actions + "/comments", {"body": f"comment {i}"})
        assert r.status_code == 303 and "kb_fresh=1" in \
            r.headers["set-cookie"]
        page = b.get(post)
        assert f"comment {i}" in page.text
        assert page.headers.get("x-cache") in ("bypass", None)
        # Their like too, whichever way it goes.
        action = "unlike" if i % 2 else "like"
        assert b.post(actions + "/like", {"action": action}
                      ).status_code == 303
        page = b.get(post)
        assert ('aria-pressed="true"' in page.text) == (action == "like")
        assert likes(page.text) == (1 if action == "like" else 0)


# -- sessions and tokens -----------------------------------------------------

def test_logout_and_revocation_end_access_at_once(base):
    for _ in range(3):
        b = Browser(base)
        name, _ = b.register()
        cookie = b.session_cookie()
        for _ in range(4):                  # cached on both workers
            assert name in b.get("/settings").text
        assert b.logout().status_code == 303
        s = requests.Session()
        s.cookies.set("kb_session", cookie)
        r = s.get(base + "/settings", allow_redirects=False)
        assert r.status_code == 303, "the old cookie still works"

    name, api, tok = new_user(base)
    for _ in range(4):
        assert api.call("GET", "/me").status_code == 200
    other = Api(base, tok["token"])
    assert other.call("DELETE", f"/tokens/{tok['id']}").status_code == 204
    for _ in range(4):
        assert api.call("GET", "/me").status_code == 401


# -- two instances, one database ----------------------------------------------

@pytest.fixture
def pair(pg, kblog_factory):
    return (kblog_factory(pg.url, extra_env={"TRUST_PROXY": "1"}),
            kblog_factory(pg.url, extra_env={"TRUST_PROXY": "1"}))


def test_two_instances_invalidate_each_other(pair):
    a, b = pair
    name, api, pid = post_with_comment(a.url)
    path = PAGE[pid]
    reader = Browser(b.url)
    reader.register()

    def sees(check, url=b.url):
        got, took = eventually(lambda: check(anon(url, path).text))
        assert got, "not seen on the other instance"
        assert took < 1.0, took
        return took

    def warm():
        for _ in range(4):
            anon(b.url, path)
            reader.get(path)

    timings = []
    warm()
    assert api.call("PUT", f"/posts/{pid}/like").status_code == 200
    timings.append(sees(lambda t: likes(t) == 1))
    warm()
    c = api.call("POST", f"/posts/{pid}/comments", {"body": "across"})
    timings.append(sees(lambda t: "across" in t))
    warm()
    api.call("DELETE", f"/comments/{c.json()['id']}")
    timings.append(sees(lambda t: "across" not in t))
    warm()
    api.call("PATCH", f"/posts/{pid}", {"title": "Edited elsewhere"})
    timings.append(sees(lambda t: "Edited elsewhere" in t))
    warm()
    # A draft again: gone for everyone but its author, at once.
    api.call("PATCH", f"/posts/{pid}", {"published": False})
    got, took = eventually(lambda: anon(b.url, path).status_code == 404)
    assert got and took < 1.0
    assert reader.get(path).status_code == 404
    api.call("PATCH", f"/posts/{pid}", {"published": True})
    timings.append(sees(lambda t: "Edited elsewhere" in t))
    warm()
    api.call("DELETE", f"/posts/{pid}")
    got, took = eventually(lambda: anon(b.url, path).status_code == 404)
    assert got and took < 1.0
    # Through the API's cached reads as well.
    assert requests.get(f"{b.url}/api/v1/posts/{pid}").status_code == 404
    assert max(timings) < 1.0, timings


def test_two_instances_logout_everywhere(pair):
    a, b = pair
    br = Browser(a.url)
    name, _ = br.register()
    cookie = br.session_cookie()
    s = requests.Session()
    s.cookies.set("kb_session", cookie)
    for _ in range(4):
        assert name in s.get(b.url + "/settings").text
    assert br.logout().status_code == 303
    got, took = eventually(lambda: s.get(b.url + "/settings",
                                         allow_redirects=False
                                         ).status_code == 303)
    assert got and took < 1.0


def listener_pids(pg):
    return [r[0] for r in pg.query(
        "SELECT pid FROM pg_stat_activity WHERE application_name = "
        "'kblog-listen'")]


def test_deaf_listener_means_no_cache(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={"TRUST_PROXY": "1"})
    _, _, pid = post_with_comment(k.url)
    path = PAGE[pid]
    for _ in range(4):
        anon(k.url, path)
    assert anon(k.url, path).headers.get("x-cache") == "hit"
    mine = set(listener_pids(pg))
    assert mine
    # The listener's connection goes; a write it cannot hear follows.
    pg.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE application_name = 'kblog-listen'")
    pg.query("ALTER TABLE posts DISABLE TRIGGER USER")
    try:
        pg.query("UPDATE posts SET title = 'changed unheard' WHERE id = %s",
                 (pid,))
    finally:
        pg.query("ALTER TABLE posts ENABLE TRIGGER USER")
    # Seen within a second (no cache while the listener is deaf, then
    # everything it may have missed is stale), and never hidden again.
    got, took = eventually(lambda: "changed unheard" in
                           anon(k.url, path).text)
    assert got and took < 1.0, took
    deadline = time.time() + 2
    while time.time() < deadline:
        assert "changed unheard" in anon(k.url, path).text
        time.sleep(0.05)
    assert set(listener_pids(pg)) - mine, "the listener did not come back"
    assert anon(k.url, path).headers.get("x-cache") in ("hit", "miss",
                                                        "refresh")
    assert "cache: listening for writes" in k.output()
