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
    return int(r.headers["location"].rsplit("/", 1)[1])


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
