"""Consistency: someone else's draft is 404 on every route, every /api/
error is the one JSON envelope, JSON is safe to paste into HTML, and
display names can neither hide characters nor pass for someone else."""

import base64
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import requests

from client import Browser, unique_name
from test_api import Api, new_user

REPO = Path(__file__).resolve().parents[2]
MISSING = 987654321987      # a post id that does not exist
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# A well-formed comments cursor (version 1, time kind, key 0, id 1).
CURSOR = base64.urlsafe_b64encode(bytes([1, 1]) + (0).to_bytes(8, "big") +
                                  (1).to_bytes(8, "big")).decode().rstrip("=")


def root(base):
    """An API client whose paths start at the site's root, for /api
    itself and for paths around it."""
    a = Api(base)
    a.base = base
    return a


def new_post(b, title=None, body="Hello", published=True):
    title = title or "Post " + unique_name()
    b.get("/posts/new")
    data = {"title": title, "body": body}
    if published:
        data["published"] = "1"
    r = b.post("/posts/new", data)
    assert r.status_code == 303, r.text[:300]
    return int(re.match(r"/posts/(\d+)-", r.headers["location"]).group(1))


def writer(base, display_name=""):
    b = Browser(base)
    name, r = b.register(display_name=display_name)
    assert r.status_code == 303, r.text[:300]
    return b, name


def comment(b, pid, body="a comment"):
    r = b.post(f"/posts/{pid}/comments", {"body": body},
               headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text[:300]
    return r.json()["id"]


def envelope(r, status=None):
    """The one error shape: {"error":{"code","message","fields"?}}."""
    assert r.headers.get("content-type") == \
        "application/json; charset=utf-8", (r.status_code, r.text[:200])
    if status is not None:
        assert r.status_code == status, (r.status_code, r.text[:200])
    body = r.json()
    assert set(body) == {"error"}, body
    e = body["error"]
    assert set(e) <= {"code", "message", "fields"}, e
    assert CODE_RE.match(e["code"]), e
    assert isinstance(e["message"], str) and e["message"], e
    if "fields" in e:
        assert isinstance(e["fields"], dict) and e["fields"], e
        assert all(isinstance(v, str) for v in e["fields"].values()), e
    return e


# -- 1. Someone else's draft is 404 everywhere ----------------------------

def page_routes(pid, cid):
    """Every page route that takes a post (or comment) id, as
    (method, path, form).  Writes carry valid input, so that only the
    post decides the answer."""
    return [
        ("GET", f"/posts/{pid}", None),
        ("GET", f"/posts/{pid}?comments={CURSOR}", None),
        ("GET", f"/posts/{pid}/edit", None),
        ("POST", f"/posts/{pid}/edit", {"title": "taken over",
                                        "body": "x", "published": "1"}),
        ("POST", f"/posts/{pid}/delete", {}),
        ("POST", f"/posts/{pid}/comments", {"body": "hello"}),
        ("POST", f"/posts/{pid}/like", {"action": "like"}),
        ("POST", f"/posts/{pid}/like", {"action": "unlike"}),
        ("POST", f"/comments/{cid}/delete", {}),
    ]


def api_routes(pid, cid):
    return [
        ("GET", f"/posts/{pid}", None),
        ("PATCH", f"/posts/{pid}", {"title": "taken over"}),
        ("DELETE", f"/posts/{pid}", None),
        ("GET", f"/posts/{pid}/comments", None),
        ("POST", f"/posts/{pid}/comments", {"body": "hello"}),
        ("PUT", f"/posts/{pid}/like", None),
        ("DELETE", f"/posts/{pid}/like", None),
        ("DELETE", f"/comments/{cid}", None),
    ]


def page_call(b, method, path, form, accept=None):
    h = {"Accept": accept} if accept else {}
    if method == "GET":
        return b.get(path, allow_redirects=False, headers=h)
    return b.post(path, form, headers=h)


def test_someone_elses_draft_is_404_on_every_route(base, pg):
    alice, _ = writer(base)
    bob, _ = writer(base)
    draft = new_post(alice, published=False)
    # A comment of Bob's, written while the post was public, then the post
    # became a draft again; and one of Alice's on it.
    was_public = new_post(alice)
    bobs = comment(bob, was_public, "bob was here")
    r = alice.post(f"/posts/{was_public}/edit", {"title": "back to draft",
                                                  "body": "x"})
    assert r.status_code == 303
    alices = comment(alice, draft, "note to self")
    _, bob_api, _ = new_user(base)
    anon_api = Api(base)
    anon = Browser(base)

    missing_cid = MISSING
    for who, b in (("bob", bob), ("anonymous", anon)):
        for accept in (None, "application/json"):
            for (m, path, form), (_, mpath, _) in zip(
                    page_routes(draft, alices) +
                    page_routes(was_public, bobs)[-1:],
                    page_routes(MISSING, missing_cid) +
                    page_routes(MISSING, missing_cid)[-1:]):
                r = page_call(b, m, path, form, accept)
                r0 = page_call(b, m, mpath, form, accept)
                # Exactly what a post that does not exist gets.
                assert (r.status_code, r.headers.get("location")) == \
                    (r0.status_code, r0.headers.get("location")), \
                    (who, accept, m, path, r.status_code, r0.status_code)
                if who == "bob":
                    assert r.status_code == 404, (accept, m, path,
                                                  r.status_code)
                elif m == "GET" and "/edit" not in path:
                    assert r.status_code == 404, (m, path, r.status_code)
                else:       # the editor and writes: log in first
                    assert r.status_code in (303, 401), (m, path)
    for who, api in (("bob", bob_api), ("anonymous", anon_api)):
        for (m, path, body), (_, mpath, _) in zip(
                api_routes(draft, alices),
                api_routes(MISSING, missing_cid)):
            r = api.call(m, path, body)
            r0 = api.call(m, mpath, body)
            assert r.status_code == r0.status_code, (who, m, path,
                                                      r.status_code)
            assert r.json() == r0.json(), (who, m, path, r.text)
            if who == "bob" or m == "GET":
                envelope(r, 404)
    # Bob's own comment on what is now a draft is out of his reach too.
    r = bob_api.call("DELETE", f"/comments/{bobs}")
    envelope(r, 404)

    # Nothing changed.
    assert pg.query("SELECT title <> 'taken over', published, like_count, "
                    "comment_count FROM posts WHERE id = %s", (draft,)) == \
        [(True, False, 0, 1)]
    assert pg.query("SELECT count(*) FROM comments WHERE id IN (%s, %s)",
                    (alices, bobs)) == [(2,)]
    assert pg.query("SELECT count(*) FROM likes WHERE post_id = %s",
                    (draft,)) == [(0,)]

    # Its author still reaches all of it.
    assert alice.get(f"/posts/{draft}/edit").status_code == 200
    r = alice.post(f"/posts/{draft}/edit", {"title": "still mine",
                                             "body": "y"})
    assert r.status_code == 303
    assert alice.post(f"/posts/{draft}/like").status_code == 303
    assert alice.post(f"/comments/{alices}/delete").status_code == 303
    assert alice.post(f"/posts/{draft}/delete").status_code == 303


def test_someone_elses_published_post_stays_403_on_writes(base, pg):
    alice, _ = writer(base)
    bob, _ = writer(base)
    pid = new_post(alice)
    cid = comment(alice, pid)
    _, bob_api, _ = new_user(base)
    assert bob.get(f"/posts/{pid}/edit").status_code == 403
    assert bob.post(f"/posts/{pid}/edit", {"title": "taken over",
                                           "body": "x"}).status_code == 403
    assert bob.post(f"/posts/{pid}/delete").status_code == 403
    assert bob.post(f"/comments/{cid}/delete").status_code == 403
    envelope(bob_api.call("PATCH", f"/posts/{pid}", {"title": "taken"}), 403)
    envelope(bob_api.call("DELETE", f"/posts/{pid}"), 403)
    envelope(bob_api.call("DELETE", f"/comments/{cid}"), 403)
    # Reading, liking and commenting are for everyone.
    assert bob.get(f"/posts/{pid}").status_code == 200
    assert bob_api.call("PUT", f"/posts/{pid}/like").status_code == 200
    assert pg.query("SELECT published, like_count FROM posts WHERE id = %s",
                    (pid,)) == [(True, 1)]


# -- 2. Every /api/ error is the envelope ---------------------------------

def test_every_api_error_is_the_envelope(base):
    name, api, tok = new_user(base)
    _, other, _ = new_user(base)
    pid = api.call("POST", "/posts", {"title": "t",
                                      "body_markdown": "x"}).json()["id"]
    anon = Api(base)
    b = Browser(base)
    b.register()
    cookie = {"Cookie": "kb_session=" + b.session_cookie()}
    big = b'{"title":"' + b"x" * (1 << 20) + b'"}'
    top = root(base)
    cases = [
        # Unknown endpoints, under /api/ and at its edges.
        (top, "GET", "/api", None, None, 404),
        (top, "GET", "/api?x=1", None, None, 404),
        (top, "POST", "/api", None, "{}", 404),
        (top, "GET", "/api/", None, None, 404),
        (top, "GET", "/api/v1", None, None, 404),
        (top, "GET", "/api/v2/posts", None, None, 404),
        (anon, "GET", "/", None, None, 404),
        (anon, "GET", "/nothing/here", None, None, 404),
        (anon, "GET", "/posts/abc", None, None, 404),
        (anon, "GET", "/posts/0", None, None, 404),
        (anon, "GET", "/posts/1/nothing", None, None, 404),
        (anon, "GET", "/users/not!a!name", None, None, 404),
        (anon, "GET", "/images/x", None, None, 404),
        (api, "GET", f"/posts/{MISSING}", None, None, 404),
        (api, "DELETE", f"/images/{MISSING}", None, None, 404),
        (api, "POST", f"/uploads/{MISSING}/complete", None, None, 404),
        # Wrong methods.
        (api, "DELETE", "/me", None, None, 405),
        (api, "PUT", "/posts", None, None, 405),
        (api, "OPTIONS", "/posts", None, None, 405),
        (api, "POST", "/openapi.json", None, None, 405),
        (api, "GET", "/uploads", None, None, 405),
        (api, "POST", "/images", None, None, 405),
        (api, "GET", f"/uploads/{MISSING}/complete", None, None, 405),
        # Bodies: bad JSON, wrong type, too large.
        (api, "POST", "/posts", None, "{\"title\": ", 400),
        (api, "POST", "/posts", None, "[1]", 400),
        (api, "POST", "/posts", None, "", 400),
        (api, "POST", "/uploads", None, "{", 400),
        (api, "POST", "/posts", {"Content-Type": "text/plain"}, "{}", 415),
        (api, "POST", "/posts", {"Content-Type": "application/jsonx"},
         "{}", 415),
        (api, "POST", "/uploads", {"Content-Type": "text/plain"}, "{}",
         415),
        (api, "POST", "/posts", None, big, 413),
        (api, "POST", "/posts", None, "{\"title\": 1, "
         "\"body_markdown\": \"x\"}", 400),
        (api, "POST", "/posts", None, "{\"title\": \"\", "
         "\"body_markdown\": \"x\"}", 422),
        # Query strings.
        (anon, "GET", "/posts?cursor=bogus", None, None, 400),
        (anon, "GET", f"/posts/{pid}/comments?cursor=bogus", None, None,
         400),
        (anon, "GET", "/posts?a=%00", None, None, 400),
        (anon, "GET", "/posts?" + "a=b&" * 300, None, None, 400),
        (anon, "GET", "/posts?limit=many", None, None, 422),
        (anon, "GET", "/posts?tag=no!tag", None, None, 422),
        # Credentials.
        (anon, "GET", "/me", None, None, 401),
        (Api(base, "x" * 43), "GET", "/me", None, None, 401),
        (anon, "GET", "/me", {"Authorization": "Bearer"}, None, 401),
        (anon, "GET", "/me", {"Authorization": "Basic eDp5"}, None, 401),
        (anon, "POST", "/posts", cookie,
         "{\"title\": \"t\", \"body_markdown\": \"x\"}", 403),
        (other, "PATCH", f"/posts/{pid}", None, "{\"title\": \"x\"}", 403),
        (other, "DELETE", f"/posts/{pid}", None, None, 403),
        (anon, "POST", "/tokens", None, json.dumps(
            {"username": unique_name(), "password": "wrong password"}), 401),
        (anon, "POST", "/users", None, json.dumps(
            {"username": name, "password": "long enough pw"}), 409),
    ]
    for who, method, path, headers, raw, status in cases:
        r = who.call(method, path, raw=raw, headers=headers)
        e = envelope(r, status)
        if status == 401:
            assert r.headers["www-authenticate"].startswith("Bearer")
        if status == 405:
            assert r.headers["allow"]
        assert r.headers["cache-control"] == "no-store", (path, r.headers)
    # 429 after five failed token requests: the same shape.
    name, _, _ = new_user(base)
    a = Api(base)
    for _ in range(5):
        envelope(a.call("POST", "/tokens", {"username": name,
                                            "password": "wrong pw!"}), 401)
    r = a.call("POST", "/tokens", {"username": name,
                                   "password": "long enough pw"})
    e = envelope(r, 429)
    assert e["code"] == "too_many_requests"
    assert int(r.headers["retry-after"]) > 0


def test_local_store_errors_are_the_envelope(base):
    """The local store's upload side (PUT /_store/<key>) speaks JSON
    errors too, built by the same function."""
    key = "u/1/" + "A" * 43 + ".png"
    r = requests.put(f"{base}/_store/{key}", data=b"x",
                     headers={"Content-Type": "image/png"})
    envelope(r, 403)
    r = requests.put(f"{base}/_store/u/1/nope.png", data=b"x",
                     headers={"Content-Type": "image/png"})
    assert envelope(r, 404)["code"] == "not_found"
    # Reading a missing image is still the ordinary page.
    r = requests.get(f"{base}/_store/u/1/nope.png")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")


def test_error_codes_are_stable(base):
    """The codes clients branch on, by status."""
    _, api, _ = new_user(base)
    anon = Api(base)
    expect = [
        (root(base).call("GET", "/api"), "not_found"),
        (anon.call("GET", "/nothing"), "not_found"),
        (api.call("DELETE", "/me"), "method_not_allowed"),
        (api.call("POST", "/posts", raw="{"), "malformed_json"),
        (api.call("POST", "/posts", raw="{}",
                  headers={"Content-Type": "text/plain"}),
         "unsupported_media_type"),
        (anon.call("GET", "/posts?cursor=bogus"), "invalid_cursor"),
        (anon.call("GET", "/posts?a=%00"), "bad_request"),
        (anon.call("GET", "/me"), "unauthorized"),
        (Api(base, "y" * 43).call("GET", "/me"), "invalid_token"),
    ]
    for r, code in expect:
        assert envelope(r)["code"] == code, (r.url, r.text)


# -- 3. JSON is safe inside HTML ------------------------------------------

UNSAFE = "<script>alert('x')</script> & <b>\"bold\"</b> >_<"


def assert_html_safe(r):
    raw = r.content
    assert b"<" not in raw and b">" not in raw and b"&" not in raw, \
        raw[:300]
    return raw.decode("utf-8")


def test_json_escapes_lt_gt_amp(base):
    name, api, _ = new_user(base)
    r = api.call("POST", "/posts", {"title": UNSAFE,
                                    "body_markdown": UNSAFE + "\n\n**b**",
                                    "tags": ["x"],
                                    "metadata": {"<k&>": UNSAFE}})
    assert r.status_code == 201
    raw = assert_html_safe(r)
    assert "\\u003cscript\\u003e" in raw
    post = json.loads(raw)
    assert post["title"] == UNSAFE
    assert post["body_markdown"] == UNSAFE + "\n\n**b**"
    assert post["metadata"] == {"<k&>": UNSAFE}
    assert "<strong>b</strong>" in post["body_html"]
    pid = post["id"]
    for path in (f"/posts/{pid}", f"/posts?author={name}", "/posts?tag=x"):
        r = api.call("GET", path)
        assert r.status_code == 200
        doc = json.loads(assert_html_safe(r))
        got = doc if "title" in doc else doc["items"][0]
        assert got["title"] == UNSAFE
    r = api.call("POST", f"/posts/{pid}/comments", {"body": UNSAFE})
    assert r.status_code == 201
    assert json.loads(assert_html_safe(r))["body"] == UNSAFE
    r = api.call("GET", f"/posts/{pid}/comments")
    assert json.loads(assert_html_safe(r))["items"][0]["body"] == UNSAFE
    r = api.call("PATCH", f"/posts/{pid}", {"title": UNSAFE + "!"})
    assert json.loads(assert_html_safe(r))["title"] == UNSAFE + "!"
    r = api.call("POST", "/tokens", {"username": name,
                                     "password": "long enough pw",
                                     "name": UNSAFE[:100]})
    assert json.loads(assert_html_safe(r))["name"] == UNSAFE[:100]
    assert UNSAFE[:100] in [t["name"] for t in json.loads(
        assert_html_safe(api.call("GET", "/tokens")))["items"]]
    # Errors and the OpenAPI document too.
    envelope(api.call("GET", "/nothing"), 404)
    r = requests.get(base + "/api/v1/openapi.json")
    assert json.loads(assert_html_safe(r)) == json.loads(
        (REPO / "assets" / "openapi.json").read_text())


def test_json_for_the_page_script_is_html_safe(base):
    """The comment HTML handed to app.js travels as \\u003c...: it parses
    back to exactly the escaped markup the page itself shows."""
    author, _ = writer(base)
    fan, _ = writer(base, display_name="Fan & <Co>")
    pid = new_post(author)
    r = fan.post(f"/posts/{pid}/comments", {"body": UNSAFE},
                 headers={"Accept": "application/json"})
    assert r.status_code == 200
    data = json.loads(assert_html_safe(r))
    assert data["html"].startswith(f'<li id="c{data["id"]}">')
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; " \
        "&lt;b&gt;&quot;bold&quot;" in data["html"]
    assert "<script>" not in data["html"]
    r = fan.post(f"/posts/{pid}/like", {"action": "like"},
                 headers={"Accept": "application/json"})
    assert json.loads(assert_html_safe(r)) == {"liked": True,
                                               "like_count": 1}


# -- 4. Display names ------------------------------------------------------

BAD_NAMES = [
    "evil\u202egnp.exe",            # right-to-left override
    "a\u202ab", "a\u202bb", "a\u202cb", "a\u202db",
    "a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b",     # isolates
    "a\u200bb", "a\u200cb", "a\u200db", "a\u200eb", "a\u200fb",
    "\ufeffadmin", "ad\u00admin", "a\u061cb", "a\u180eb", "a\u034fb",
    "a\u2060b", "a\u2061b", "a\u2064b", "a\u206ab", "a\u206fb",
    "a\u2028b", "a\u2029b", "a\u0085b", "a\u009fb",
    "\u3164", "a\u115fb", "\uffa0x", "a\ufff9b",
    "admin\U000e0041\U000e0064", "a\U000e0001", "a\U000e007fb",
    "\ufe0f", "a \ufe0f", "a\ufe0f\ufe0f", "\U000e0100x",
    "a\U0001d173b", "a\U0001bca0b", "a\u0600b", "a\ufdd0b", "a\uffffb",
    "   ", "\u00a0\u3000",
]
GOOD_NAMES = ["Zoë", "李小龙", "محمد", "Ada Lovelace", "José Ñúñez",
              "Ελένη", "Юлия", "山田 太郎", "❤️ fan", "葛\U000e0100",
              "O'Brien-Smith", "ᠮᠣᠩᠭᠣᠯ\u180b"]


def test_display_names_refuse_invisible_characters(base, pg):
    for bad in BAD_NAMES:
        # The register form.
        b = Browser(base)
        user = unique_name()
        _, r = b.register(user, display_name=bad)
        assert r.status_code == 422, (repr(bad), r.status_code)
        assert 'id="e-display_name"' in r.text, repr(bad)
        assert pg.query("SELECT count(*) FROM users WHERE username = %s",
                        (user,)) == [(0,)], repr(bad)
        # The API.
        r = Api(base).call("POST", "/users", {
            "username": user, "password": "long enough pw",
            "display_name": bad})
        e = envelope(r, 422)
        assert e["code"] == "validation_failed" and \
            set(e["fields"]) == {"display_name"}, (repr(bad), e)
    # Settings.
    b, name = writer(base, display_name="Before")
    for bad in BAD_NAMES:
        r = b.post("/settings", {"display_name": bad, "bio": "b"})
        assert r.status_code == 422, repr(bad)
        assert 'id="e-display_name"' in r.text, repr(bad)
    assert pg.query("SELECT display_name, bio FROM users WHERE "
                    "username = %s", (name,)) == [("Before", "")]


def test_display_names_in_any_script_are_accepted(base, pg):
    for good in GOOD_NAMES:
        b, name = writer(base, display_name=good)
        assert pg.query("SELECT display_name FROM users WHERE username = "
                        "%s", (name,)) == [(good,)]
        r = b.post("/settings", {"display_name": good + " 2", "bio": ""})
        assert r.status_code == 303, (good, r.text[:300])
        r = Api(base).call("POST", "/users", {
            "username": unique_name(), "password": "long enough pw",
            "display_name": good})
        assert r.status_code == 201, (good, r.text)
        assert r.json()["display_name"] == good


def author_markup(name, display):
    """How every page shows an author: the display name, isolated, and
    always the @username."""
    esc = html.escape
    if display:
        return (f'<a class="author" href="/users/{name}"><bdi class="name">'
                f'{esc(display)}</bdi> <span class="handle">@{name}</span>'
                f'</a>')
    return (f'<a class="author" href="/users/{name}"><span class="handle">'
            f'@{name}</span></a>')


def test_username_shown_beside_every_display_name(base):
    look_alike = "admin & <co>"
    b, name = writer(base, display_name=look_alike)
    plain, plain_name = writer(base)
    tagword = unique_name("t")[:20]
    b.get("/posts/new")
    r = b.post("/posts/new", {"title": "Hi " + tagword, "body": "x",
                              "tags": tagword, "published": "1"})
    pid = int(re.match(r"/posts/(\d+)-", r.headers["location"]).group(1))
    comment(b, pid, "from the author")
    plain_cid = comment(plain, pid, "from a plain user")
    mine = author_markup(name, look_alike)
    theirs = author_markup(plain_name, "")

    home = requests.get(base + "/").text
    assert mine in home
    assert mine in requests.get(f"{base}/tags/{tagword}").text
    assert mine in requests.get(f"{base}/search?q={tagword}").text
    assert mine in requests.get(f"{base}/users/{name}").text
    page = requests.get(f"{base}/posts/{pid}").text
    assert page.count(mine) == 2            # the post and its comment
    assert theirs in page
    assert f'id="c{plain_cid}"' in page
    # The profile header.
    prof = requests.get(f"{base}/users/{name}").text
    assert (f'<h1><bdi class="name">{html.escape(look_alike)}</bdi> '
            f'<small class="handle">@{name}</small></h1>') in prof
    prof = requests.get(f"{base}/users/{plain_name}").text
    assert f'<h1><span class="handle">@{plain_name}</span></h1>' in prof
    # The comment HTML for app.js.
    r = b.post(f"/posts/{pid}/comments", {"body": "live"},
               headers={"Accept": "application/json"})
    assert mine in r.json()["html"]
    # The header: who is logged in is the username itself.
    assert f'<a href="/users/{name}">{name}</a>' in b.get("/").text
    assert f"Logged in as <strong>{name}</strong>" in b.get("/").text
    # The Atom feed.
    root = ET.fromstring(requests.get(base + "/feed.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in root.findall(atom + "entry"):
        if f"/posts/{pid}-" in entry.find(atom + "link").get("href"):
            author = entry.find(atom + "author")
            assert author.find(atom + "name").text == \
                f"{look_alike} (@{name})"
            assert author.find(atom + "uri").text.endswith("/users/" + name)
            break
    else:
        raise AssertionError("post not in the feed")
