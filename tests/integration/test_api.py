"""JSON API v1: round trips, every error code, hostile JSON, tokens."""

import json
import random

import requests

from client import Browser, unique_name

JSON_CT = "application/json; charset=utf-8"


class Api:
    def __init__(self, base, token=None):
        self.base = base + "/api/v1"
        self.s = requests.Session()
        self.s.headers["X-Forwarded-For"] = "2001:db8::%x:%x" % (
            random.getrandbits(16), random.getrandbits(16))
        if token:
            self.s.headers["Authorization"] = "Bearer " + token

    def call(self, method, path, body=None, raw=None, headers=None):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        elif raw is not None:
            h.setdefault("Content-Type", "application/json")
        if method in ("PUT", "POST", "PATCH") and data is None:
            h.setdefault("Content-Length", "0")
        return self.s.request(method, self.base + path, data=data,
                              headers=h)


def new_user(base, password="long enough pw"):
    name = unique_name("api")
    a = Api(base)
    r = a.call("POST", "/users", {"username": name, "password": password})
    assert r.status_code == 201, r.text
    r = a.call("POST", "/tokens", {"username": name, "password": password,
                                   "name": "test"})
    assert r.status_code == 201, r.text
    tok = r.json()
    return name, Api(base, tok["token"]), tok


def err(r, status, code):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"] == JSON_CT
    body = r.json()
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str)
    return body["error"]


def test_crud_round_trip(base):
    name, api, _ = new_user(base)
    r = api.call("POST", "/posts", {
        "title": "Round trip", "body_markdown": "Hello **API**",
        "tags": ["Api", "c"], "metadata": {"source": "test", "n": [1, 2]}})
    assert r.status_code == 201
    assert r.headers["content-type"] == JSON_CT
    post = r.json()
    assert r.headers["location"] == f"/api/v1/posts/{post['id']}"
    assert post["author"]["username"] == name
    assert post["body_html"] == "<p>Hello <strong>API</strong></p>\n"
    assert post["tags"] == ["api", "c"]
    assert post["metadata"] == {"source": "test", "n": [1, 2]}
    assert post["published"] is True and post["liked_by_me"] is False
    assert post["like_count"] == 0 and post["comment_count"] == 0
    assert post["created_at"].endswith("Z") and "T" in post["created_at"]
    keys = {"id", "author", "title", "body_markdown", "body_html", "tags",
            "published", "metadata", "like_count", "comment_count",
            "liked_by_me", "created_at", "updated_at", "slug", "url",
            "excerpt", "summary", "lang", "cover_image_id", "cover_url",
            "published_at", "scheduled_at", "hidden", "comments_closed"}
    # A write also says what safe mode left out of the Markdown.
    assert set(post) == keys | {"dropped"}
    assert post["dropped"] == {"html": 0, "links": 0, "images": 0,
                               "example": None}
    assert post["hidden"] is False and post["comments_closed"] is False

    pid = post["id"]
    del post["dropped"]
    assert api.call("GET", r.headers["location"].replace("/api/v1", "")
                    ).json() == post
    r = api.call("PATCH", f"/posts/{pid}", {"title": "Changed",
                                             "published": False})
    assert r.status_code == 200
    changed = r.json()
    assert changed["title"] == "Changed" and changed["published"] is False
    assert changed["body_markdown"] == "Hello **API**"
    assert changed["tags"] == ["api", "c"]
    # A draft is hidden from others.
    assert Api(base).call("GET", f"/posts/{pid}").status_code == 404
    r = api.call("PATCH", f"/posts/{pid}", {"tags": [], "published": True})
    assert r.json()["tags"] == []

    r = api.call("POST", f"/posts/{pid}/comments", {"body": "first!"})
    assert r.status_code == 201
    comment = r.json()
    assert comment["body"] == "first!" and comment["post_id"] == pid
    r = api.call("GET", f"/posts/{pid}/comments")
    assert [c["id"] for c in r.json()["items"]] == [comment["id"]]
    assert r.json()["next_cursor"] is None

    assert api.call("PUT", f"/posts/{pid}/like").json() == \
        {"liked": True, "like_count": 1}
    assert api.call("PUT", f"/posts/{pid}/like").json() == \
        {"liked": True, "like_count": 1}
    assert api.call("GET", f"/posts/{pid}").json()["liked_by_me"] is True
    assert api.call("DELETE", f"/posts/{pid}/like").json() == \
        {"liked": False, "like_count": 0}

    assert api.call("DELETE", f"/comments/{comment['id']}"
                    ).status_code == 204
    r = api.call("DELETE", f"/posts/{pid}")
    assert r.status_code == 204 and r.text == ""
    err(api.call("GET", f"/posts/{pid}"), 404, "not_found")


def test_me_users_and_tokens(base):
    name, api, tok = new_user(base)
    me = api.call("GET", "/me").json()
    assert me["username"] == name
    assert set(me) == {"id", "username", "display_name", "bio",
                       "created_at"}
    assert Api(base).call("GET", f"/users/{name.upper()}").json() == me
    items = api.call("GET", "/tokens").json()["items"]
    assert [t["id"] for t in items] == [tok["id"]]
    assert "token" not in json.dumps(items).replace('"tokens"', "")
    # Revoke: the token stops working at once.
    assert api.call("DELETE", f"/tokens/{tok['id']}").status_code == 204
    err(api.call("GET", "/me"), 401, "invalid_token")
    err(Api(base, "x" * 43).call("GET", "/me"), 401, "invalid_token")


def test_every_error_code(base, pg):
    name, api, tok = new_user(base)
    _, other, _ = new_user(base)
    pid = api.call("POST", "/posts", {"title": "mine",
                                      "body_markdown": "x"}).json()["id"]
    # 400: malformed JSON and wrong types.
    err(api.call("POST", "/posts", raw="{\"title\": "), 400,
        "malformed_json")
    e = err(api.call("POST", "/posts", {"title": 5, "body_markdown": "x"}),
            400, "invalid_type")
    assert "title" in e["fields"]
    err(api.call("POST", "/posts", raw="[1,2]"), 400, "invalid_type")
    # 401 with WWW-Authenticate.
    r = Api(base).call("POST", "/posts", {"title": "t", "body_markdown": "b"})
    err(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")
    # 403: not yours, and unchanged.
    err(other.call("PATCH", f"/posts/{pid}", {"title": "stolen"}), 403,
        "forbidden")
    err(other.call("DELETE", f"/posts/{pid}"), 403, "forbidden")
    assert api.call("GET", f"/posts/{pid}").json()["title"] == "mine"
    # 404.
    err(api.call("GET", "/posts/987654321"), 404, "not_found")
    err(api.call("GET", "/nothing/here"), 404, "not_found")
    # 405 with Allow.
    r = api.call("PUT", "/posts")
    err(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET, HEAD, POST"
    # 409.
    e = err(Api(base).call("POST", "/users", {
        "username": name.upper(), "password": "long enough pw"}),
        409, "username_taken")
    assert e["fields"] == {"username": "taken"}
    # 413.
    err(api.call("POST", "/posts", raw=b'{"title":"' + b"x" * (1 << 20) +
                 b'"}'), 413, "payload_too_large")
    # 415.
    err(api.call("POST", "/posts", raw="title=x",
                 headers={"Content-Type": "application/x-www-form-"
                          "urlencoded"}), 415, "unsupported_media_type")
    # 422: validation and unknown fields, named.
    e = err(api.call("POST", "/posts", {"title": "", "body_markdown": "x"}),
            422, "validation_failed")
    assert "title" in e["fields"]
    e = err(api.call("POST", "/posts", {"title": "t", "body_markdown": "x",
                                        "author_id": 1, "likes": 9}),
            422, "validation_failed")
    assert e["fields"] == {"author_id": "unknown field",
                           "likes": "unknown field"}
    err(api.call("GET", "/posts?limit=101"), 422, "validation_failed")
    err(api.call("GET", "/posts?limit=0"), 422, "validation_failed")
    # 429 after five failed token requests.
    a = Api(base)
    for _ in range(5):
        err(a.call("POST", "/tokens", {"username": name,
                                       "password": "wrong password"}),
            401, "invalid_credentials")
    r = a.call("POST", "/tokens", {"username": name,
                                   "password": "long enough pw"})
    err(r, 429, "too_many_requests")
    assert int(r.headers["retry-after"]) > 0
    assert pg.query("SELECT count(*) FROM posts WHERE title = 'stolen'"
                    ) == [(0,)]


def test_hostile_json_corpus(base, server):
    _, api, _ = new_user(base)
    corpus = [
        b'{"title": "x", "body_markdown": "y"',          # truncated
        b"[" * 10000 + b"]" * 10000,                      # deep nesting
        b'{"a":' * 10000 + b"1" + b"}" * 10000,
        b'{"title": 1' + b"0" * 400 + b', "body_markdown": "x"}',
        b'{"title": 1e999999, "body_markdown": "x"}',
        b'{"title": "\xff\xfe", "body_markdown": "x"}',   # invalid UTF-8
        b'{"title": "\xed\xa0\x80", "body_markdown": "x"}',
        b'{"title": "a", "title": "b", "body_markdown": "x"}',
        b'{"title": "a\\u0000b", "body_markdown": "x"}',
        b'{"title": ["x"], "body_markdown": {"y": 1}}',
        b'{"title": "t", "body_markdown": "x", "tags": "notalist"}',
        b'{"title": "t", "body_markdown": "x", "tags": [1, 2]}',
        b'{"title": "t", "body_markdown": "x", "published": "yes"}',
        b'{"title": "t", "body_markdown": "x", "metadata": [1]}',
        b'{"title": "t", "body_markdown": "' + b"y" * 1_000_000 + b'"}',
        b'{"title": "t", "body_markdown": "x", "tags": ["a,b"]}',
        b"",
        b"null",
        b'"string"',
        b"\x00\x01\x02",
        b'{"title": "t", "body_markdown": "x"} trailing',
    ]
    before = server.worker_pids()
    for raw in corpus:
        r = api.call("POST", "/posts", raw=raw)
        assert 400 <= r.status_code < 500, (raw[:60], r.status_code)
        assert r.json()["error"]["code"]
    assert api.call("GET", "/me").status_code == 200
    assert server.worker_pids() == before


def test_utf8_and_escaping_round_trip(base):
    _, api, _ = new_user(base)
    title = 'Quotes " and \\ backslash </script> \u00e9\u4e2d\U0001f600'
    body = "line1\nline2\t\"q\" \\ </script><!--\r\n"
    r = api.call("POST", "/posts", {"title": title, "body_markdown": body,
                                    "metadata": {"k\u00e9": "\u2028\"</script>"}})
    assert r.status_code == 201
    raw = r.content.decode("utf-8")
    post = json.loads(raw)
    assert post["title"] == title
    assert post["body_markdown"] == body
    assert post["metadata"] == {"k\u00e9": "\u2028\"</script>"}
    assert "\t" not in raw and "\n" not in raw.replace("\\n", "")


def test_session_cookie_needs_csrf_header(base):
    b = Browser(base)
    name, _ = b.register()
    r = b.s.post(base + "/api/v1/posts", json={"title": "t",
                                               "body_markdown": "b"})
    err(r, 403, "csrf_failed")
    r = b.s.post(base + "/api/v1/posts", json={"title": "t",
                                               "body_markdown": "b"},
                 headers={"X-CSRF-Token": b.csrf})
    assert r.status_code == 201
    assert b.s.get(base + "/api/v1/me").json()["username"] == name
    # The API reads the token from its header only: never from the URL,
    # where it would end up in logs, Referer headers and history.
    r = b.s.post(base + "/api/v1/posts?csrf=" + b.csrf,
                 json={"title": "t", "body_markdown": "b"})
    err(r, 403, "csrf_failed")


def test_metadata_integers_beyond_64_bits_survive(base):
    # jsonb keeps 1e20 as 100000000000000000000, which is no int64: the
    # API must give it back (as a number), not drop the whole object.
    _, api, _ = new_user(base)
    r = api.call("POST", "/posts", {"title": "big", "body_markdown": "x",
                                    "metadata": {"big": 1e20, "ok": 1}})
    assert r.status_code == 201, r.text
    for got in (r.json(), api.call("GET", f"/posts/{r.json()['id']}").json()):
        assert got["metadata"]["ok"] == 1
        assert got["metadata"]["big"] == 1e20


def test_cursor_pagination_stable(base):
    name, api, _ = new_user(base)
    made = [api.call("POST", "/posts", {"title": f"p{i}",
                                        "body_markdown": "x"}).json()["id"]
            for i in range(25)]
    seen, cursor, pages = [], None, 0
    while True:
        q = f"/posts?author={name}&limit=10"
        if cursor:
            q += "&cursor=" + cursor
        page = api.call("GET", q).json()
        seen += [p["id"] for p in page["items"]]
        api.call("POST", "/posts", {"title": "late", "body_markdown": "x"})
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(made, reverse=True)
    err(api.call("GET", "/posts?cursor=bogus"), 400, "invalid_cursor")
    # Search and tag filters answer too.
    word = "qq" + unique_name("")[:8]
    pid = api.call("POST", "/posts", {"title": word, "body_markdown": "x",
                                      "tags": [word[:20]]}).json()["id"]
    assert [p["id"] for p in api.call(
        "GET", f"/posts?q={word}").json()["items"]] == [pid]
    assert [p["id"] for p in api.call(
        "GET", f"/posts?tag={word[:20]}").json()["items"]] == [pid]


SUMMARY = ["id", "author", "title", "excerpt", "tags", "published",
           "like_count", "comment_count", "liked_by_me", "created_at",
           "updated_at"]
BODIES = ["body_markdown", "body_html", "metadata"]
# Then moderation and publishing (after the bodies, in PostSummary's order).
LATER = ["hidden", "comments_closed", "slug", "url", "summary", "lang",
         "cover_image_id", "cover_url", "published_at", "scheduled_at"]


def test_lists_carry_summaries(base):
    from test_limits import documented
    name, api, _ = new_user(base)
    other_name, other, _ = new_user(base)
    word = "ss" + unique_name("")[:8]
    tag = word[:20]
    body = "Some **bold** words " * 200
    ids = []
    for i, (tags, published) in enumerate([([tag], True), ([], True),
                                           ([tag], False)]):
        r = api.call("POST", "/posts", {
            "title": f"{word} {i}", "body_markdown": body, "tags": tags,
            "published": published, "metadata": {"i": i}})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = other.call("POST", "/posts", {"title": f"{word} other",
                                      "body_markdown": "x", "tags": [tag]})
    theirs = r.json()["id"]
    assert other.call("PUT", f"/posts/{ids[0]}/like").status_code == 200

    # The default: summaries, in PostSummary's order, no bodies.
    r = api.call("GET", f"/posts?author={name}")
    assert documented(r, "/api/v1/posts", "get")
    items = r.json()["items"]
    assert [p["id"] for p in items] == ids[::-1]       # the draft: mine
    for p in items:
        assert list(p) == SUMMARY + LATER
    full = api.call("GET", f"/posts/{ids[0]}").json()
    first = items[-1]
    assert first["excerpt"].startswith("Some bold words Some bold")
    assert first["excerpt"].endswith("\u2026") and len(first["excerpt"]) < 250
    for k in SUMMARY + LATER:
        if k != "excerpt":
            assert first[k] == full[k], k
    assert len(r.content) < 20 * 1024
    # liked_by_me is the caller's.
    mine = other.call("GET", f"/posts?author={name}").json()["items"]
    assert [p["liked_by_me"] for p in mine] == [False, True]   # no draft
    assert [p["like_count"] for p in mine] == [0, 1]

    # include=body: the bodies and metadata as GET /posts/{id} has them.
    r = api.call("GET", f"/posts?author={name}&include=body")
    assert documented(r, "/api/v1/posts", "get")
    items = r.json()["items"]
    assert [list(p) for p in items] == [SUMMARY + BODIES + LATER] * 3
    for k in BODIES:
        assert items[-1][k] == full[k], k
    assert items[0]["metadata"] == {"i": 2}
    assert len(r.content) > 3 * 2 * len(body)

    # fields: exactly those (and the id), in the usual order.
    r = api.call("GET", f"/posts?author={name}&fields=body_html,title")
    assert documented(r, "/api/v1/posts", "get")
    assert [list(p) for p in r.json()["items"]] == \
        [["id", "title", "body_html"]] * 3
    assert r.json()["items"][-1]["body_html"] == full["body_html"]
    r = api.call("GET", f"/posts?author={name}&fields=id,id&include=body")
    assert [list(p) for p in r.json()["items"]] == [["id"] + BODIES] * 3

    # Every filter, alone and together, with and without search.
    for q, want in [(f"tag={tag}", [theirs, ids[0]]),
                    (f"author={name}&tag={tag}", [ids[2], ids[0]]),
                    (f"author={other_name.upper()}", [theirs]),
                    (f"q={word}", [theirs, ids[1], ids[0]]),
                    (f"q={word}&tag={tag}", [theirs, ids[0]]),
                    (f"q={word}&author={name}", [ids[1], ids[0]]),
                    (f"q={word}&author={name}&tag={tag}", [ids[0]]),
                    (f"q={word}&author={other_name}&tag={tag}", [theirs])]:
        for extra in ("", "&include=body", "&fields=title"):
            got = api.call("GET", f"/posts?{q}{extra}")
            assert got.status_code == 200, (q, got.text)
            assert sorted(p["id"] for p in got.json()["items"]) == \
                sorted(want), (q, extra)
    # Search ranks, so only the sets are compared; dates order the rest.
    assert [p["id"] for p in api.call(
        "GET", f"/posts?tag={tag}").json()["items"]] == [theirs, ids[0]]

    # Refusals name the parameter and never echo it.
    for q, field in [("fields=title,bogus", "fields"),
                     ("fields=title,,id", "fields"), ("fields=", "fields"),
                     ("fields=title,", "fields"), ("fields=Title", "fields"),
                     ("include=bodies", "include"), ("include=", "include"),
                     ("include=body,body", "include")]:
        r = api.call("GET", f"/posts?{q}")
        e = err(r, 422, "validation_failed")
        assert list(e["fields"]) == [field], q
        assert "bogus" not in r.text and "bodies" not in r.text
        assert documented(r, "/api/v1/posts", "get")


def test_register_validation(base):
    a = Api(base)
    e = err(a.call("POST", "/users", {"username": "x", "password": "p"}),
            422, "validation_failed")
    assert "username" in e["fields"]
    e = err(a.call("POST", "/users", {"username": unique_name(),
                                      "password": "short"}),
            422, "validation_failed")
    assert "password" in e["fields"]
    err(a.call("POST", "/users", {"username": unique_name(),
                                  "password": "long enough pw",
                                  "admin": True}), 422, "validation_failed")
