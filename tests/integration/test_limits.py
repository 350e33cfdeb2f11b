"""Limits and throttles: post metadata, bounded list pages, write rates,
upload caps, registration and password-check throttles, and the login
lock-out policy (per address pair, per user, per address, remembered
devices)."""

import concurrent.futures
import json

import requests

from client import Browser, unique_name
from test_api import Api, err, new_user

PAGE_BYTES = 256 * 1024     # JSON_PAGE_BYTES in src/web/render_json.h
WRAPPER = 64                # {"items":[...],"next_cursor":"..."}


def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


# -- post metadata ----------------------------------------------------------

def test_metadata_size_and_depth(base):
    _, api, _ = new_user(base)

    def create(meta):
        return api.call("POST", "/posts", {"title": "meta",
                                           "body_markdown": "x",
                                           "metadata": meta})

    # 8,192 bytes of compact JSON pass; one more byte does not.  Bytes,
    # not characters: U+00E9 is two.
    at_limit = {"k": "x" * (8192 - 8)}
    assert len(compact(at_limit).encode()) == 8192
    r = create(at_limit)
    assert r.status_code == 201, r.text
    assert r.json()["metadata"] == at_limit
    pid = r.json()["id"]
    r = create({"k": "x" * (8192 - 7)})
    e = err(r, 422, "validation_failed")
    assert list(e["fields"]) == ["metadata"]
    assert documented(r, "/api/v1/posts", "post")
    wide = {"k": "\u00e9" * 4092}
    assert len(compact(wide).encode()) == 8192
    assert create(wide).status_code == 201
    e = err(create({"k": "\u00e9" * 4093}), 422, "validation_failed")
    assert list(e["fields"]) == ["metadata"]

    # Depth: the object itself is level 1; 16 levels pass, 17 do not,
    # whether the levels are objects or arrays.
    def deep(levels, arrays=False):
        d = 1
        for _ in range(levels - 1):
            d = [d] if arrays else {"k": d}
        return {"k": d}

    assert create(deep(16)).status_code == 201
    assert create(deep(16, arrays=True)).status_code == 201
    for meta in (deep(17), deep(17, arrays=True)):
        e = err(create(meta), 422, "validation_failed")
        assert list(e["fields"]) == ["metadata"]

    # PATCH has the same rules, and a refused PATCH changes nothing.
    e = err(api.call("PATCH", f"/posts/{pid}", {"metadata": deep(17)}),
            422, "validation_failed")
    assert list(e["fields"]) == ["metadata"]
    err(api.call("PATCH", f"/posts/{pid}",
                 {"metadata": {"k": "y" * 9000}}), 422, "validation_failed")
    assert api.call("GET", f"/posts/{pid}").json()["metadata"] == at_limit
    r = api.call("PATCH", f"/posts/{pid}", {"metadata": deep(16)})
    assert r.status_code == 200 and r.json()["metadata"] == deep(16)


# -- list pages carry bounded bytes ------------------------------------------

def page_through(api, path, limit=100):
    """All pages of a list; checks every page's size."""
    pages, cursor = [], None
    while True:
        q = f"{path}{'&' if '?' in path else '?'}limit={limit}"
        if cursor:
            q += "&cursor=" + cursor
        r = api.call("GET", q)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["items"], "an empty page before the end"
        if len(body["items"]) > 1:
            assert len(r.content) <= PAGE_BYTES + WRAPPER, len(r.content)
        pages.append(body)
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_post_list_pages_stay_under_the_budget(base):
    name, api, _ = new_user(base)
    made = []
    # Near the 100,000-byte body limit: about 200 KB of JSON each
    # (Markdown and HTML, which items carry with include=body), so one a
    # page.
    for i in range(4):
        body = (f"big {i} " + "lorem ipsum dolor sit amet " * 3700)[:99_000]
        r = api.call("POST", "/posts", {"title": f"big {i}",
                                        "body_markdown": body})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    pages = page_through(api, f"/posts?author={name}&include=body")
    assert [len(p["items"]) for p in pages] == [1, 1, 1, 1]
    # Summaries (the default) of the same posts fit on one page.
    pages = page_through(api, f"/posts?author={name}")
    assert [len(p["items"]) for p in pages] == [4]
    # Medium posts (~70 KB of JSON): a few a page, under the budget.
    for i in range(8):
        r = api.call("POST", "/posts", {"title": f"mid {i}",
                                        "body_markdown": "medium text " *
                                        2900})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    pages = page_through(api, f"/posts?author={name}&include=body")
    seen = [p["id"] for page in pages for p in page["items"]]
    assert seen == sorted(made, reverse=True)
    assert max(len(p["items"]) for p in pages) >= 3
    assert len(pages) < len(made)
    # A small limit still wins when it is the smaller bound.
    pages = page_through(api, f"/posts?author={name}&include=body",
                         limit=2)
    assert [p["id"] for page in pages for p in page["items"]] == seen


def test_comment_list_pages_stay_under_the_budget(base):
    _, api, _ = new_user(base)
    pid = api.call("POST", "/posts", {"title": "c", "body_markdown": "x"}
                   ).json()["id"]
    # 5,000 three-byte characters: 15 KB a comment, 100 would be 1.5 MB.
    made = []
    for i in range(40):
        r = api.call("POST", f"/posts/{pid}/comments",
                     {"body": f"{i} " + "\u20ac" * 4990})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    pages = page_through(api, f"/posts/{pid}/comments")
    assert [c["id"] for page in pages for c in page["items"]] == made
    assert len(pages) >= 3


def test_token_and_image_lists_are_paged(base):
    name, api, first = new_user(base)
    made = [first["id"]]
    for i in range(4):
        r = Api(base).call("POST", "/tokens", {
            "username": name, "password": "long enough pw",
            "name": f"t{i}"})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    pages = page_through(api, "/tokens", limit=2)
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    # Newest first, each once.
    assert [t["id"] for p in pages for t in p["items"]] == made[::-1]
    assert "token" not in json.dumps(pages)
    err(api.call("GET", "/tokens?cursor=bogus"), 400, "invalid_cursor")
    err(api.call("GET", "/tokens?limit=101"), 422, "validation_failed")

    ups = []
    for i in range(5):
        r = api.call("POST", "/uploads", {"filename": f"p{i}.png",
                                          "content_type": "image/png",
                                          "byte_size": 100})
        assert r.status_code == 201, r.text
        ups.append(r.json()["id"])
    pages = page_through(api, "/images", limit=2)
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert [i["id"] for p in pages for i in p["items"]] == ups[::-1]
    whole = api.call("GET", "/images").json()
    assert [i["id"] for i in whole["items"]] == ups[::-1]
    assert whole["next_cursor"] is None
    err(api.call("GET", "/images?cursor=bogus"), 400, "invalid_cursor")


# -- per-user write rates (token buckets in PostgreSQL) ----------------------

def parallel(fn, n, threads=None):
    with concurrent.futures.ThreadPoolExecutor(threads or n) as ex:
        return list(ex.map(fn, range(n)))


def documented(r, path, method):
    """The answer is one assets/openapi.json documents for the operation:
    its status, its body schema, its required headers."""
    from test_openapi import CHECK, DOC, JSON_TYPE
    resp = DOC["paths"][path][method]["responses"].get(str(r.status_code))
    assert resp is not None, (path, method, r.status_code)
    resp = CHECK.deref(resp)
    schema = resp["content"][JSON_TYPE]["schema"]
    assert CHECK.errors(schema, r.json()) == []
    for name, h in resp.get("headers", {}).items():
        assert not h.get("required") or name in r.headers, name
    return True


def retry_after(r):
    v = int(r.headers["retry-after"])
    assert v >= 1
    return v


def test_post_rate_limit_exact_under_parallel_requests(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={"POSTS_PER_HOUR": "5",
                                         "TRUST_PROXY": "1"})
    name, api, _ = new_user(k.url)

    def create(i):
        return api.call("POST", "/posts", {"title": f"rate {i}",
                                           "body_markdown": "x"})

    rs = parallel(create, 20)
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] * 5 + [429] * 15, codes
    for r in rs:
        if r.status_code == 429:
            err(r, 429, "rate_limited")
            assert documented(r, "/api/v1/posts", "post")
            # 5 an hour: the next token in about 12 minutes.
            assert 600 < retry_after(r) <= 720
    assert pg.query("SELECT count(*) FROM posts p JOIN users u ON "
                    "u.id = p.author_id WHERE u.username = %s",
                    (name,)) == [(5,)]

    # The form: 429, the editor again with the text kept.
    b = Browser(k.url)
    assert b.login(name, "long enough pw").status_code == 303
    b.get("/posts/new")
    r = b.post("/posts/new", {"title": "Kept title",
                              "body": "Kept <body> text", "tags": "a"})
    assert r.status_code == 429
    assert 600 < retry_after(r) <= 720
    assert "text/html" in r.headers["content-type"]
    assert "Kept title" in r.text and "Kept &lt;body&gt; text" in r.text
    assert "faster than the limit allows" in r.text
    # Someone else is not affected.
    _, other, _ = new_user(k.url)
    assert other.call("POST", "/posts", {"title": "t", "body_markdown": "x"}
                      ).status_code == 201
    # A full hour later the bucket is full again.
    pg.query("UPDATE rate_buckets SET at = at - interval '1 hour' WHERE "
             "kind = 'post' AND subject = (SELECT id::text FROM users "
             "WHERE username = %s)", (name,))
    assert [r.status_code for r in map(create, range(5))] == [201] * 5
    assert create(6).status_code == 429


def test_comment_rate_limit_exact_under_parallel_requests(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={"COMMENTS_PER_HOUR": "5",
                                         "TRUST_PROXY": "1"})
    name, api, _ = new_user(k.url)
    pid = api.call("POST", "/posts", {"title": "c", "body_markdown": "x"}
                   ).json()["id"]
    # Comments on a post that is not there take no token.
    for _ in range(6):
        err(api.call("POST", "/posts/987654321/comments", {"body": "x"}),
            404, "not_found")

    rs = parallel(lambda i: api.call("POST", f"/posts/{pid}/comments",
                                     {"body": f"c{i}"}), 20)
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] * 5 + [429] * 15, codes
    assert all(err(r, 429, "rate_limited") and retry_after(r) and
               documented(r, "/api/v1/posts/{id}/comments", "post")
               for r in rs if r.status_code == 429)
    assert pg.query("SELECT comment_count, (SELECT count(*) FROM comments "
                    "WHERE post_id = %s) FROM posts WHERE id = %s",
                    (pid, pid)) == [(5, 5)]

    b = Browser(k.url)
    assert b.login(name, "long enough pw").status_code == 303
    b.get(f"/posts/{pid}")
    r = b.post(f"/posts/{pid}/comments", {"body": "my kept comment"})
    assert r.status_code == 429 and retry_after(r) > 600
    assert "my kept comment" in r.text
    assert "faster than the limit allows" in r.text
    r = b.post(f"/posts/{pid}/comments", {"body": "from script"},
               headers={"Accept": "application/json"})
    assert r.status_code == 429 and retry_after(r) > 600
    assert r.json()["error"]["code"] == "rate_limited"
    assert pg.query("SELECT count(*) FROM comments WHERE post_id = %s",
                    (pid,)) == [(5,)]


def new_upload(api, size=100, name="p.png"):
    return api.call("POST", "/uploads", {"filename": name,
                                         "content_type": "image/png",
                                         "byte_size": size})


def test_upload_rate_limit_exact_under_parallel_requests(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={
        "UPLOADS_PER_HOUR": "4", "UPLOAD_PENDING_MAX": "0",
        "UPLOAD_QUOTA_BYTES": "0", "TRUST_PROXY": "1"})
    name, api, _ = new_user(k.url)
    rs = parallel(lambda i: new_upload(api), 16)
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] * 4 + [429] * 12, codes
    assert all(err(r, 429, "rate_limited") and retry_after(r) > 600 and
               documented(r, "/api/v1/uploads", "post")
               for r in rs if r.status_code == 429)
    assert pg.query("SELECT count(*) FROM images i JOIN users u ON "
                    "u.id = i.owner_id WHERE u.username = %s",
                    (name,)) == [(4,)]


def test_pending_upload_cap_exact_under_parallel_requests(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={
        "UPLOAD_PENDING_MAX": "3", "UPLOADS_PER_HOUR": "0",
        "UPLOAD_PENDING_MAX_AGE": "600", "TRUST_PROXY": "1"})
    name, api, _ = new_user(k.url)
    rs = parallel(lambda i: new_upload(api, 10), 12)
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] * 3 + [429] * 9, codes
    for r in rs:
        if r.status_code == 429:
            err(r, 429, "too_many_pending_uploads")
            assert documented(r, "/api/v1/uploads", "post")
            # Until the oldest pending upload is swept.
            assert 1 <= retry_after(r) <= 600
    made = [r.json()["id"] for r in rs if r.status_code == 201]
    # Deleting (or completing) one frees its place.
    assert api.call("DELETE", f"/images/{made[0]}").status_code == 204
    assert new_upload(api, 10).status_code == 201
    err(new_upload(api, 10), 429, "too_many_pending_uploads")
    # Someone else has places of their own.
    _, other, _ = new_user(k.url)
    assert new_upload(other, 10).status_code == 201


def test_upload_byte_quota_exact_under_parallel_requests(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={
        "UPLOAD_QUOTA_BYTES": "1000", "UPLOAD_PENDING_MAX": "0",
        "UPLOADS_PER_HOUR": "0", "TRUST_PROXY": "1"})
    name, api, _ = new_user(k.url)
    rs = parallel(lambda i: new_upload(api, 400), 10)
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] * 2 + [403] * 8, codes
    assert all(err(r, 403, "quota_exceeded") and
               documented(r, "/api/v1/uploads", "post")
               for r in rs if r.status_code == 403)
    # Exactly up to the quota passes, one byte more does not.
    assert new_upload(api, 200).status_code == 201
    err(new_upload(api, 1), 403, "quota_exceeded")
    assert pg.query("SELECT sum(byte_size) FROM images i JOIN users u ON "
                    "u.id = i.owner_id WHERE u.username = %s",
                    (name,)) == [(1000,)]


# -- registration: per address and for everyone ------------------------------

def test_registration_throttled_per_address_and_globally(pg, kblog_factory):
    """A database of its own: the global bucket is shared by every
    instance on a database (that is the point)."""
    url = pg.create_database("limits_reg_" + unique_name("")[:8].lower())
    k = kblog_factory(url, extra_env={"REGISTER_PER_ADDR_HOUR": "3",
                                      "REGISTER_PER_HOUR": "7",
                                      "TRUST_PROXY": "1"})

    def register(addr, name=None):
        return requests.post(k.url + "/api/v1/users", json={
            "username": name or unique_name("r"),
            "password": "long enough pw"},
            headers={"X-Forwarded-For": addr})

    # Invalid input takes no token.
    for _ in range(5):
        assert requests.post(k.url + "/api/v1/users", json={
            "username": "x", "password": "long enough pw"},
            headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 422
    # One address: exactly 3 of 12 parallel attempts.
    rs = parallel(lambda i: register("192.0.2.1"), 12)
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] * 3 + [429] * 9, codes
    for r in rs:
        if r.status_code == 429:
            err(r, 429, "rate_limited")
            assert documented(r, "/api/v1/users", "post")
            assert 1000 < retry_after(r) <= 1200     # 3 an hour
    # The form from that address: 429, the form again.
    b = Browser(k.url, addr="192.0.2.1")
    name, r = b.register()
    assert r.status_code == 429 and retry_after(r) > 1000
    assert "Create an account" in r.text and name in r.text
    assert "Too many accounts" in r.text
    # Everyone: 4 more in all, whatever the addresses.
    rs = parallel(lambda i: register(f"198.51.100.{i + 1}"), 10)
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] * 4 + [429] * 6, codes
    name, r = Browser(k.url, addr="203.0.113.9").register()
    assert r.status_code == 429 and retry_after(r) >= 1
    assert pg.query("SELECT count(*) FROM users", dbname=url.rsplit(
        "/", 1)[1]) == [(7,)]


# -- the login lock-out policy -----------------------------------------------

def set_cookies(r):
    return r.raw.headers.getlist("set-cookie")


def age_lanes(pg, name, seconds):
    pg.query("UPDATE login_backoff SET last_at = last_at - "
             "make_interval(secs => %s) WHERE username_lower = lower(%s)",
             (seconds, name))


def test_lane_back_off_doubles_and_a_success_resets_it(base, pg):
    name, _ = Browser(base).register()
    b = Browser(base)
    for i in range(5):
        assert b.login(name, f"wrong {i}").status_code == 401
    # The right password, but this (user, address) lane waits 30 s...
    r = b.login(name)
    assert r.status_code == 429 and 25 <= retry_after(r) <= 30
    assert b.session_cookie() is None
    # ...then lets one attempt through, and waits twice as long.
    for expect in (60, 120, 240):
        age_lanes(pg, name, expect // 2 + 1)
        assert b.login(name, "wrong again").status_code == 401
        r = b.login(name)
        assert r.status_code == 429
        assert expect - 5 <= retry_after(r) <= expect, expect
    age_lanes(pg, name, 241)
    assert b.login(name).status_code == 303
    # A success resets the lane: five free attempts again.
    assert pg.query("SELECT count(*) FROM login_backoff WHERE "
                    "username_lower = lower(%s)", (name,)) == [(0,)]
    again = Browser(base, addr=b.addr)
    for i in range(5):
        assert again.login(name, f"wrong {i}").status_code == 401
    assert again.login(name).status_code == 429


def test_attacker_cannot_lock_the_owner_out_of_a_known_browser(base, pg):
    owner = Browser(base)
    name, r = owner.register()       # this browser is now remembered
    device = [c for c in set_cookies(r) if c.startswith("kb_device=")]
    assert len(device) == 1
    assert "HttpOnly" in device[0] and "SameSite=Strict" in device[0]
    assert "Path=/" in device[0] and "Secure" not in device[0]
    token = owner.s.cookies.get("kb_device")
    assert pg.query("SELECT count(*) FROM login_devices WHERE token_hash = "
                    "sha256(%s::bytea)", (token,)) == [(1,)]
    owner.logout()

    # Distributed guessing: 25 failures from 25 addresses in parallel.
    codes = parallel(lambda i: Browser(base).login(name, f"guess {i}")
                     .status_code, 25, threads=8)
    assert codes == [401] * 25
    # The username is now locked for browsers it does not know, even from
    # the owner's own address, and for API tokens...
    r = Browser(base).login(name)
    assert r.status_code == 429 and 1 <= retry_after(r) <= 900
    assert Browser(base, addr=owner.addr).login(name).status_code == 429
    r = Api(base).call("POST", "/tokens", {"username": name,
                                           "password": "correct horse 1"})
    err(r, 429, "too_many_requests")
    assert documented(r, "/api/v1/tokens", "post")
    # ...but the owner's browser logs in (and gets a new device token).
    r = owner.login(name)
    assert r.status_code == 303
    assert "Logged in as" in owner.get("/").text
    assert owner.s.cookies.get("kb_device") not in (None, token)
    assert pg.query("SELECT count(*) FROM login_devices WHERE token_hash = "
                    "sha256(%s::bytea)", (token,)) == [(0,)]
    # Its lane is its own: five typos, then it waits as well.
    owner.logout()
    for i in range(5):
        assert owner.login(name, f"typo {i}").status_code == 401
    r = owner.login(name)
    assert r.status_code == 429 and retry_after(r) <= 30
    # The cookie is worth nothing for another username: that one is
    # checked like any browser's.
    other, _ = Browser(base).register()
    assert owner.login(other).status_code == 303


def test_one_address_does_not_lock_out_its_other_users(base):
    victim, _ = Browser(base).register()
    neighbour, _ = Browser(base).register()
    nat = Browser(base).addr
    attacker = Browser(base, addr=nat)
    for i in range(5):
        assert attacker.login(victim, f"guess {i}").status_code == 401
    assert attacker.login(victim, "guess 5").status_code == 429
    # Someone else behind the same address, in a browser that never
    # logged in before, is not locked out; nor is the victim elsewhere.
    assert Browser(base, addr=nat).login(neighbour).status_code == 303
    assert Browser(base).login(victim).status_code == 303


def test_throttled_unknown_and_known_users_answer_alike(base):
    known, _ = Browser(base).register()
    ghost = unique_name("n")

    def lane_locked(name):
        b = Browser(base)
        for _ in range(5):
            assert b.login(name, "wrong password!!").status_code == 401
        return b, b.login(name, "wrong password!!")

    (ba, a), (bb, b) = lane_locked(known), lane_locked(ghost)
    assert a.status_code == b.status_code == 429
    assert (a.text.replace(ba.csrf, "T").replace(known, "N") ==
            b.text.replace(bb.csrf, "T").replace(ghost, "N"))
    skip = {"date", "retry-after"}
    assert ({k: v for k, v in a.headers.items() if k.lower() not in skip} ==
            {k: v for k, v in b.headers.items() if k.lower() not in skip})
    assert 25 <= retry_after(a) <= 30 and 25 <= retry_after(b) <= 30

    # Locked per username (25 failures from all over): alike again, also
    # through the API.
    for name in (known, ghost):
        parallel(lambda i: Api(base).call("POST", "/tokens", {
            "username": name, "password": f"guess {i}"}), 25, threads=8)
    ra = Api(base).call("POST", "/tokens", {"username": known,
                                            "password": "correct horse 1"})
    rb = Api(base).call("POST", "/tokens", {"username": ghost,
                                            "password": "correct horse 1"})
    assert ra.status_code == rb.status_code == 429
    assert ra.json() == rb.json()
    assert ({k: v for k, v in ra.headers.items() if k.lower() not in skip} ==
            {k: v for k, v in rb.headers.items() if k.lower() not in skip})


def test_device_cookie_is_secure_over_https(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={
        "PUBLIC_URL": "https://blog.example.com", "TRUST_PROXY": "1"})
    # The client speaks plain HTTP to kblog (TLS ends at the proxy), so
    # Secure cookies are sent back by hand.
    s = requests.Session()
    page = s.get(k.url + "/register")
    csrf = page.cookies["kb_csrf"]
    r = s.post(k.url + "/register", data={
        "username": unique_name(), "password": "correct horse 1",
        "csrf": csrf}, headers={"Cookie": f"kb_csrf={csrf}"},
        allow_redirects=False)
    assert r.status_code == 303
    device = [c for c in set_cookies(r) if c.startswith("kb_device=")]
    assert len(device) == 1 and "; Secure" in device[0]
    assert "HttpOnly" in device[0] and "SameSite=Strict" in device[0]


# -- the current-password check of /settings/password ------------------------

def test_password_change_throttled_per_user(base, pg):
    b = Browser(base)
    name, _ = b.register()
    thief = Browser(base)           # a second session of the same user
    assert thief.login(name).status_code == 303
    for i in range(5):
        r = thief.post("/settings/password", {
            "current_password": f"guess {i}",
            "new_password": "a new password 2"})
        assert r.status_code == 422
    # Per user: the owner's own session now waits too, right or wrong.
    r = b.post("/settings/password", {"current_password": "correct horse 1",
                                      "new_password": "a new password 2"})
    assert r.status_code == 429 and 25 <= retry_after(r) <= 30
    assert "Too many wrong passwords" in r.text
    assert Browser(base).login(name).status_code == 303     # unchanged
    # Parallel guesses after the wait: one gets through, then it waits
    # twice as long.
    age_lanes(pg, name, 31)
    codes = parallel(lambda i: thief.post("/settings/password", {
        "current_password": f"guess x{i}",
        "new_password": "a new password 2"}).status_code, 12)
    assert sorted(codes) == [422] + [429] * 11, codes
    age_lanes(pg, name, 61)
    r = b.post("/settings/password", {"current_password": "correct horse 1",
                                      "new_password": "a new password 2"})
    assert r.status_code == 303
    # The change resets the lane and forgets the other browsers.
    assert pg.query("SELECT count(*) FROM login_backoff WHERE "
                    "username_lower = lower(%s)", (name,)) == [(0,)]
    assert pg.query("SELECT count(*) FROM login_devices d JOIN users u ON "
                    "u.id = d.user_id WHERE u.username = %s", (name,)) == \
        [(1,)]
    assert Browser(base).login(name, "a new password 2").status_code == 303
