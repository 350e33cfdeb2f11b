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
