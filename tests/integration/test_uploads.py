"""Images: presigned PUT straight to storage, verified completion, both
backends: kblog's own local store, and a real S3-compatible store
(OpenStack Swift with s3api, which checks SigV4 itself)."""

import os
import struct
import time
import zlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests

from harness import Kblog, Swift
from test_api import Api, err, new_user

botocore = pytest.importorskip("botocore")


def png(width=2, height=1):
    """A real, tiny PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                       0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9" \
      b"\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00" \
      b"\x02\x02D\x01\x00;"


@pytest.fixture(scope="module")
def swift():
    s = Swift()
    yield s
    s.destroy()


@pytest.fixture(scope="module")
def s3_server(pg, workdir, swift):
    k = Kblog(pg.url, workdir, extra_env={**swift.env(),
                                          "TRUST_PROXY": "1"})
    yield k
    k.stop()
    assert not k.sanitizer_reports()


@pytest.fixture(params=["local", "s3"])
def store(request, server, s3_server, swift):
    """(kblog base URL, backend name, object checker)."""
    if request.param == "local":
        upload_dir = Path(server.env["UPLOAD_DIR"])
        yield server.url, "local", lambda key: (upload_dir / key).exists()
    else:
        yield s3_server.url, "s3", swift.exists


def key_of(upload):
    """The storage key of an upload URL or of an image's served URL (a
    path on the site for the local store, the bucket's URL for S3)."""
    path = urlsplit(upload["url"]).path
    return path.split("/", 2)[2]


def request_upload(api, data=b"", ctype="image/png", name="pic.png"):
    r = api.call("POST", "/uploads", {"filename": name,
                                      "content_type": ctype,
                                      "byte_size": len(data)})
    assert r.status_code == 201, r.text
    up = r.json()
    assert up["method"] == "PUT"
    assert up["headers"] == {"Content-Type": ctype}
    assert up["expires_at"].endswith("Z")
    return up


def browser_put(up, data, headers=None):
    h = dict(up["headers"])
    h.update(headers or {})
    return requests.put(up["url"], data=data, headers=h)


def tamper(url, **changes):
    parts = urlsplit(url)
    q = dict(parse_qsl(parts.query))
    q.update(changes)
    return urlunsplit(parts._replace(query=urlencode(q)))


def test_upload_complete_show_delete(store, pg):
    base, backend, exists = store
    _, api, _ = new_user(base)
    data = png()
    up = request_upload(api, data)
    key = key_of(up)
    assert key.startswith("u/") and key.endswith(".png")
    assert browser_put(up, data).status_code == 200
    assert exists(key)
    r = api.call("POST", f"/uploads/{up['id']}/complete")
    assert r.status_code == 200, r.text
    image = r.json()
    assert image["state"] == "ready" and image["byte_size"] == len(data)
    assert image["content_type"] == "image/png"
    assert image["filename"] == "pic.png"
    # Served from files the server made (re-encoded from the pixels:
    # the same 2x1 picture); the upload key is gone.
    served = key_of(image)
    assert served.startswith("i/") and served.endswith(".png")
    assert served.split("/")[1] == key.split("/")[1]
    assert served != key and exists(served) and not exists(key)
    assert (image["width"], image["height"]) == (2, 1)
    variants = [key_of(v) for v in image["variants"]]
    assert len(variants) == 2 and served in variants
    assert all(exists(v) for v in variants)
    if backend == "local":
        got = requests.get(base + image["url"])
        assert got.status_code == 200 and got.content != data
        from PIL import Image
        import io
        pic = Image.open(io.BytesIO(got.content))
        assert pic.format == "PNG" and pic.size == (2, 1)
        assert pic.convert("RGB").getpixel((0, 0)) == (255, 0, 0)
        assert got.headers["content-type"] == "image/png"
        assert "immutable" in got.headers["cache-control"]
        etag = got.headers["etag"]
        assert requests.get(base + image["url"], headers={
            "If-None-Match": etag}).status_code == 304
    else:
        assert image["url"].startswith("http://127.0.0.1:")
        assert image["url"].endswith(f"/{Swift.BUCKET}/{served}")
    listed = api.call("GET", "/images").json()["items"]
    assert [i["id"] for i in listed] == [up["id"]]
    # Completing twice is a conflict, not a second image.
    err(api.call("POST", f"/uploads/{up['id']}/complete"), 409,
        "already_completed")
    # Delete removes row and objects.
    assert api.call("DELETE", f"/images/{up['id']}").status_code == 204
    assert not exists(key) and not any(exists(v) for v in variants)
    assert pg.query("SELECT count(*) FROM images WHERE id = %s",
                    (up["id"],)) == [(0,)]


def test_store_refuses_what_was_not_signed(store):
    base, backend, exists = store
    _, api, _ = new_user(base)
    data = png()
    up = request_upload(api, data)
    key = key_of(up)
    # Tampered signature.
    bad = tamper(up["url"], **{"X-Amz-Signature": "0" * 64})
    assert requests.put(bad, data=data, headers=up["headers"]
                        ).status_code == 403
    # Another content type.
    assert browser_put(up, data, {"Content-Type": "image/gif"}
                       ).status_code == 403
    # Another length.
    assert browser_put(up, data + b"x").status_code == 403
    # An edited key.
    parts = urlsplit(up["url"])
    other = parts._replace(path=parts.path.replace(".png", "x.png"))
    assert requests.put(urlunsplit(other), data=data,
                        headers=up["headers"]).status_code in (403, 404)
    assert not exists(key)
    # The real one still works.
    assert browser_put(up, data).status_code == 200
    if backend == "local":
        # ... once: a replay cannot swap the file after it was checked.
        assert browser_put(up, data).status_code == 409


def test_expired_url_refused(pg, workdir, swift):
    for env in ({}, swift.env()):
        k = Kblog(pg.url, workdir, extra_env={**env, "UPLOAD_URL_TTL": "1"})
        try:
            _, api, _ = new_user(k.url)
            data = png()
            up = request_upload(api, data)
            time.sleep(2.5)
            assert browser_put(up, data).status_code == 403
            err(api.call("POST", f"/uploads/{up['id']}/complete"), 409,
                "upload_missing")
        finally:
            k.stop()


def test_not_an_image_is_rejected_and_removed(store, pg):
    base, backend, exists = store
    _, api, _ = new_user(base)
    data = b"<html><script>alert(1)</script></html>"
    up = request_upload(api, data, ctype="image/png", name="evil.png")
    assert browser_put(up, data).status_code == 200
    assert exists(key_of(up))
    e = err(api.call("POST", f"/uploads/{up['id']}/complete"), 422,
            "not_an_image")
    assert "removed" in e["message"]
    assert not exists(key_of(up))
    assert pg.query("SELECT count(*) FROM images WHERE id = %s",
                    (up["id"],)) == [(0,)]
    # A GIF claimed as GIF is fine.
    up = request_upload(api, GIF, ctype="image/gif", name="a.gif")
    assert browser_put(up, GIF).status_code == 200
    assert api.call("POST", f"/uploads/{up['id']}/complete"
                    ).status_code == 200


def test_complete_rules(store):
    base, _, _ = store
    _, alice, _ = new_user(base)
    _, bob, _ = new_user(base)
    data = png()
    up = request_upload(alice, data)
    err(alice.call("POST", f"/uploads/{up['id']}/complete"), 409,
        "upload_missing")
    assert browser_put(up, data).status_code == 200
    err(bob.call("POST", f"/uploads/{up['id']}/complete"), 403, "forbidden")
    err(bob.call("DELETE", f"/images/{up['id']}"), 403, "forbidden")
    err(alice.call("POST", "/uploads/99999999/complete"), 404, "not_found")
    assert alice.call("POST", f"/uploads/{up['id']}/complete"
                      ).status_code == 200
    err(Api(base).call("POST", "/uploads", {"filename": "a.png",
                                            "content_type": "image/png",
                                            "byte_size": 10}),
        401, "unauthorized")


def test_bad_upload_requests_leave_nothing(store, pg):
    base, _, _ = store
    name, api, _ = new_user(base)
    cases = [
        ({"filename": "../../etc/passwd", "content_type": "image/png",
          "byte_size": 10}, 422),
        ({"filename": "a\\b.png", "content_type": "image/png",
          "byte_size": 10}, 422),
        ({"filename": "a\u0000b.png", "content_type": "image/png",
          "byte_size": 10}, 400),
        ({"filename": "x" * 10240 + ".png", "content_type": "image/png",
          "byte_size": 10}, 422),
        ({"filename": "a.svg", "content_type": "image/svg+xml",
          "byte_size": 10}, 422),
        ({"filename": "a.html", "content_type": "text/html",
          "byte_size": 10}, 422),
        ({"filename": "a.png", "content_type": "image/png",
          "byte_size": 0}, 422),
        ({"filename": "a.png", "content_type": "image/png",
          "byte_size": 10 * 1024 * 1024 + 1}, 422),
        ({"filename": "a.png", "content_type": "image/png",
          "byte_size": -5}, 422),
        ({"filename": "a.png", "content_type": "image/png",
          "byte_size": 1.5}, 400),
        ({"filename": "a.png", "content_type": "image/png",
          "byte_size": "10"}, 400),
        ({"filename": "a.png", "content_type": "image/png"}, 422),
        ({"filename": "a.png", "content_type": "image/png",
          "byte_size": 10, "key": "u/1/mine.png"}, 422),
    ]
    for body, status in cases:
        r = api.call("POST", "/uploads", body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["code"]
    assert pg.query("SELECT count(*) FROM images i JOIN users u ON "
                    "u.id = i.owner_id WHERE u.username = %s",
                    (name,)) == [(0,)]


def test_abandoned_uploads_are_swept(pg, workdir, swift):
    for env in ({}, swift.env()):
        k = Kblog(pg.url, workdir, extra_env={
            **env, "UPLOAD_PENDING_MAX_AGE": "1",
            "UPLOAD_SWEEP_INTERVAL": "1"})
        try:
            _, api, _ = new_user(k.url)
            data = png()
            up = request_upload(api, data)
            assert browser_put(up, data).status_code == 200
            deadline = time.time() + 15
            while pg.query("SELECT count(*) FROM images WHERE id = %s",
                           (up["id"],)) != [(0,)]:
                assert time.time() < deadline, "not swept"
                time.sleep(0.3)
            if not env:
                assert not (Path(k.env["UPLOAD_DIR"]) / key_of(up)).exists()
            else:
                assert not swift.exists(key_of(up))
        finally:
            k.stop()


def test_storage_down_gives_503_and_pages_still_work(s3_server, swift):
    base = s3_server.url
    _, api, _ = new_user(base)
    data = png()
    up = request_upload(api, data)
    assert browser_put(up, data).status_code == 200
    swift.stop()
    try:
        t = time.time()
        e = err(api.call("POST", f"/uploads/{up['id']}/complete"), 503,
                "storage_unavailable")
        assert "storage" in e["message"].lower()
        assert time.time() - t < 15
        assert requests.get(base + "/").status_code == 200
        assert requests.get(base + "/ready").status_code == 200
    finally:
        swift.start()
    assert api.call("POST", f"/uploads/{up['id']}/complete"
                    ).status_code == 200


def test_gallery_and_avatar_pages(base, pg):
    from client import Browser
    b = Browser(base)
    name, _ = b.register()
    data = png()
    r = b.s.post(base + "/api/v1/uploads", json={
        "filename": "me.png", "content_type": "image/png",
        "byte_size": len(data)}, headers={"X-CSRF-Token": b.csrf})
    assert r.status_code == 201
    up = r.json()
    assert requests.put(up["url"], data=data, headers=up["headers"]
                        ).status_code == 200
    assert b.s.post(base + f"/api/v1/uploads/{up['id']}/complete",
                    headers={"X-CSRF-Token": b.csrf}).status_code == 200
    page = b.get("/images").text
    assert "me.png" in page and 'action="/images/%d/delete"' % up["id"] in page
    r = b.post("/settings/avatar", {"image_id": str(up["id"])})
    assert r.status_code == 303
    profile = requests.get(f"{base}/users/{name}").text
    assert 'class="avatar"' in profile and "/_store/i/" in profile
    # The avatar is a use: deleting asks first, then unsets it.
    r = b.post(f"/images/{up['id']}/delete")
    assert r.status_code == 409 and "your avatar" in r.text
    assert 'name="remove_from_posts" value="1"' in r.text
    r = b.post(f"/images/{up['id']}/delete", {"remove_from_posts": "1"})
    assert r.status_code == 303
    assert pg.query("SELECT avatar_image_id FROM users WHERE username = %s",
                    (name,)) == [(None,)]
