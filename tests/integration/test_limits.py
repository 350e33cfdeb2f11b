"""Limits and throttles: post metadata, bounded list pages, write rates,
upload caps, registration and password-check throttles, and the login
lock-out policy (per address pair, per user, per address, remembered
devices)."""

import concurrent.futures
import json

import requests

from client import Browser, unique_name
from test_api import Api, err, new_user

PAGE_BYTES = 256 * 1024     # API_PAGE_BYTES in src/kblog.h
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
    e = err(create({"k": "x" * (8192 - 7)}), 422, "validation_failed")
    assert list(e["fields"]) == ["metadata"]
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
    # (Markdown and HTML), so one a page.
    for i in range(4):
        body = (f"big {i} " + "lorem ipsum dolor sit amet " * 3700)[:99_000]
        r = api.call("POST", "/posts", {"title": f"big {i}",
                                        "body_markdown": body})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    pages = page_through(api, f"/posts?author={name}")
    assert [len(p["items"]) for p in pages] == [1, 1, 1, 1]
    # Medium posts (~70 KB of JSON): a few a page, under the budget.
    for i in range(8):
        r = api.call("POST", "/posts", {"title": f"mid {i}",
                                        "body_markdown": "medium text " *
                                        2900})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    pages = page_through(api, f"/posts?author={name}")
    seen = [p["id"] for page in pages for p in page["items"]]
    assert seen == sorted(made, reverse=True)
    assert max(len(p["items"]) for p in pages) >= 3
    assert len(pages) < len(made)
    # A small limit still wins when it is the smaller bound.
    pages = page_through(api, f"/posts?author={name}", limit=2)
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
