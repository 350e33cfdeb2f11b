"""Upload URLs never outlive their image, on both backends (kblog's local
store, and Swift with s3api as a real S3):

- clients only ever write upload keys (u/...); complete has the server
  write the served copy (i/...) and checks that copy, so a PUT replayed
  to a still-valid upload URL never changes what is served;
- the local store refuses a PUT once its upload is no longer pending
  (completed, refused or deleted), and serves only served keys (and the
  keys of images stored before served copies existed);
- S3 cannot refuse a PUT its signature allows: there the replay lands on
  an upload key that nothing serves, and the sweeper removes it, like any
  object under u/ or i/ that no row keeps;
- local-store upload URLs are signed for PUBLIC_URL's host, never for the
  Host of the request that asked for them.
"""

import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from harness import Kblog, free_port
from test_api import err, new_user
from test_uploads import (GIF, browser_put, key_of, png, request_upload,
                          s3_server, store, swift)

botocore = pytest.importorskip("botocore")

__all__ = ["s3_server", "store", "swift"]   # fixtures, used by name


def s3_client(sw):
    import botocore.session
    from botocore.config import Config
    return botocore.session.get_session().create_client(
        "s3", region_name=sw.REGION, endpoint_url=sw.endpoint,
        aws_access_key_id=sw.ACCESS_KEY, aws_secret_access_key=sw.SECRET_KEY,
        config=Config(s3={"addressing_style": "path"},
                      signature_version="s3v4"))


def s3_keys(sw, prefix):
    out = s3_client(sw).list_objects_v2(Bucket=sw.BUCKET, Prefix=prefix)
    return sorted(o["Key"] for o in out.get("Contents", []))


def served_bytes(backend, base, sw, image):
    """What a reader gets from the image's URL (the bucket itself, signed,
    for S3: the test bucket has no public-read policy)."""
    if backend == "local":
        r = requests.get(base + image["url"])
        return r.content if r.status_code == 200 else None
    from botocore.exceptions import ClientError
    try:
        return s3_client(sw).get_object(Bucket=sw.BUCKET,
                                        Key=key_of(image))["Body"].read()
    except ClientError:
        return None


def served_all(backend, base, sw, image):
    """Every variant's bytes, by URL: what readers can get."""
    return {v["url"]: served_bytes(backend, base, sw, dict(v))
            for v in image["variants"]}


def decoded_size(data):
    from PIL import Image
    import io
    return Image.open(io.BytesIO(data)).size


def uid_of(up):
    return int(key_of(up).split("/")[1])


def rand_key(kind, uid, ext="png"):
    tok = secrets.token_urlsafe(32)
    assert len(tok) == 43
    return f"{kind}/{uid}/{tok}.{ext}"


@pytest.fixture
def where(store, server, swift):
    """(base, backend, exists, the local UPLOAD_DIR or the Swift peer)."""
    base, backend, exists = store
    yield base, backend, exists, (
        server.env["UPLOAD_DIR"] if backend == "local" else swift)


def _objects(where, uid):
    """Every served object of user uid."""
    _, backend, _, extra = where
    if backend == "local":
        d = Path(extra) / "i" / str(uid)
        return sorted(p.name for p in d.iterdir()) if d.is_dir() else []
    return s3_keys(extra, f"i/{uid}/")


def test_put_after_delete_is_refused_and_nothing_served(where, pg):
    base, backend, exists, extra = where
    _, api, _ = new_user(base)
    data = png()
    up = request_upload(api, data)
    key = key_of(up)
    assert api.call("DELETE", f"/images/{up['id']}").status_code == 204
    r = browser_put(up, data)
    if backend == "local":
        err(r, 403, "upload_closed")
        assert not exists(key)
        assert requests.get(f"{base}/_store/{key}").status_code == 404
    else:
        # S3 takes any PUT its signature allows: the bytes land on the
        # upload key, which nothing serves (the sweep test removes such).
        assert r.status_code == 200
    assert api.call("GET", "/images").json()["items"] == []
    assert _objects(where, uid_of(up)) == []
    assert pg.query("SELECT count(*) FROM images WHERE id = %s",
                    (up["id"],)) == [(0,)]


def test_put_after_rejection_is_refused(where, pg):
    base, backend, exists, _ = where
    _, api, _ = new_user(base)
    junk = b"<svg onload=alert(1)>" + b" " * 60
    up = request_upload(api, junk, ctype="image/png", name="x.png")
    assert browser_put(up, junk).status_code == 200
    err(api.call("POST", f"/uploads/{up['id']}/complete"), 422,
        "not_an_image")
    # The served copy that was checked and refused is gone too.
    assert _objects(where, uid_of(up)) == []
    assert not exists(key_of(up))
    r = browser_put(up, junk)
    if backend == "local":
        err(r, 403, "upload_closed")
        assert not exists(key_of(up))
    else:
        assert r.status_code == 200
    err(api.call("POST", f"/uploads/{up['id']}/complete"), 404,
        "not_found")
    assert api.call("GET", "/images").json()["items"] == []
    assert _objects(where, uid_of(up)) == []


def test_replayed_put_after_complete_changes_nothing_served(where):
    base, backend, exists, extra = where
    sw = None if backend == "local" else extra
    _, api, _ = new_user(base)
    data = png(3)
    up = request_upload(api, data)
    assert browser_put(up, data).status_code == 200
    r = api.call("POST", f"/uploads/{up['id']}/complete")
    assert r.status_code == 200, r.text
    image = r.json()
    # What is served: the variants the server made from the pixels.
    before = served_all(backend, base, sw, image)
    assert len(before) == 2 and all(before.values())
    assert all(decoded_size(b) == (3, 1) for b in before.values())
    assert before[image["url"]] != data
    assert not exists(key_of(up))       # the upload key was deleted
    # Another body of the very size and type that were signed.
    evil = b"<html><script>alert(1)</script>".ljust(len(data), b" ")
    r = browser_put(up, evil)
    if backend == "local":
        err(r, 403, "upload_closed")
        assert not exists(key_of(up))
    else:
        assert r.status_code == 200     # lands on u/..., never served
        assert exists(key_of(up))
    assert served_all(backend, base, sw, image) == before
    listed = api.call("GET", "/images").json()["items"]
    assert [(i["id"], i["url"]) for i in listed] == [(up["id"],
                                                      image["url"])]
    err(api.call("POST", f"/uploads/{up['id']}/complete"), 409,
        "already_completed")
    assert served_all(backend, base, sw, image) == before


def test_pending_images_show_no_url(where):
    base, _, _, _ = where
    _, api, _ = new_user(base)
    up = request_upload(api, GIF, ctype="image/gif", name="a.gif")
    items = api.call("GET", "/images").json()["items"]
    assert [(i["id"], i["state"], i["url"]) for i in items] == \
        [(up["id"], "pending", None)]
    assert browser_put(up, GIF).status_code == 200
    image = api.call("POST", f"/uploads/{up['id']}/complete").json()
    assert key_of(image).startswith("i/")
    items = api.call("GET", "/images").json()["items"]
    assert [(i["state"], i["url"]) for i in items] == \
        [("ready", image["url"])]


def test_local_store_reads_and_writes_only_its_own_kind(base, server, pg):
    upload_dir = Path(server.env["UPLOAD_DIR"])
    name, api, _ = new_user(base)
    data = png()
    up = request_upload(api, data)
    key = key_of(up)
    assert browser_put(up, data).status_code == 200
    # An upload key is never served, even while its file exists.
    assert (upload_dir / key).exists()
    assert requests.get(f"{base}/_store/{key}").status_code == 404
    # A PUT can never name a served key.
    parts = urlsplit(up["url"])
    served_path = parts.path.replace("/_store/u/", "/_store/i/")
    r = requests.put(parts._replace(path=served_path).geturl(), data=data,
                     headers=up["headers"])
    err(r, 403, "not_writable")
    image = api.call("POST", f"/uploads/{up['id']}/complete").json()
    got = requests.get(base + image["url"])
    assert got.status_code == 200 and decoded_size(got.content) == (2, 1)
    assert requests.get(f"{base}/_store/{key}").status_code == 404
    # An image stored before served copies existed keeps its u/ URL.
    uid = pg.query("SELECT id FROM users WHERE username = %s", (name,))[0][0]
    legacy = rand_key("u", uid, "gif")
    (upload_dir / legacy).parent.mkdir(parents=True, exist_ok=True)
    (upload_dir / legacy).write_bytes(GIF)
    pg.query("INSERT INTO images (owner_id, key, content_type, byte_size, "
             "state) VALUES (%s, %s, 'image/gif', %s, 'ready')",
             (uid, legacy, len(GIF)))
    got = requests.get(f"{base}/_store/{legacy}")
    assert got.status_code == 200 and got.content == GIF
    assert got.headers["content-type"] == "image/gif"
    items = api.call("GET", "/images").json()["items"]
    assert f"/_store/{legacy}" in [i["url"] for i in items]


def test_upload_url_is_signed_for_public_url(base, server):
    """Whatever Host the request carries (mixed case, another site, an
    IPv6 literal), the URL is PUBLIC_URL's and works."""
    public = urlsplit(server.url)
    _, api, _ = new_user(base)
    data = png()
    for host in (f"KBLOG.Example:{public.port}", "Evil.Example",
                 "evil.example:8080", f"127.0.0.1:{public.port}",
                 "[::1]:1", "EXAMPLE.com."):
        r = api.call("POST", "/uploads", {"filename": "h.png",
                                          "content_type": "image/png",
                                          "byte_size": len(data)},
                     headers={"Host": host})
        assert r.status_code == 201, (host, r.status_code, r.text)
        up = r.json()
        target = urlsplit(up["url"])
        assert (target.scheme, target.netloc) == ("http", public.netloc)
        assert target.path.startswith("/_store/u/")
        assert browser_put(up, data).status_code == 200, host
        assert api.call("POST", f"/uploads/{up['id']}/complete"
                        ).status_code == 200


def test_public_url_host_is_normalised(pg, workdir):
    """PUBLIC_URL written in mixed case: URLs carry the lowercase host a
    browser sends, and the PUT to them is accepted."""
    port = free_port()
    k = Kblog(pg.url, workdir, wait=False, extra_env={
        "PORT": str(port), "PUBLIC_URL": f"http://LocalHost:{port}/"})
    k.port, k.url = port, f"http://127.0.0.1:{port}"
    try:
        k.wait_up()
        _, api, _ = new_user(k.url)
        data = png()
        up = request_upload(api, data)
        target = urlsplit(up["url"])
        assert target.netloc == f"localhost:{port}"
        # Sent to 127.0.0.1 with the URL's own Host header.
        r = requests.put(f"{k.url}{target.path}?{target.query}", data=data,
                         headers={**up["headers"],
                                  "Host": f"localhost:{port}"})
        assert r.status_code == 200, r.text
        assert api.call("POST", f"/uploads/{up['id']}/complete"
                        ).status_code == 200
    finally:
        k.stop()
    assert not k.sanitizer_reports()


def _wait(pred, what, timeout=20):
    deadline = time.time() + timeout
    while not pred():
        assert time.time() < deadline, what
        time.sleep(0.3)


def test_objects_no_row_keeps_are_swept(pg, workdir, swift):
    """A sweeper with UPLOAD_URL_TTL=1 (so objects older than 2 s count)
    removes every u/ and i/ object that no row keeps: an upload replayed
    after complete, an orphan upload, a served copy without a row, a
    crashed PUT's temp file.  It keeps what rows keep (a pending upload,
    a served image, an image stored before served copies) and anything
    that is not a kblog key."""
    for backend in ("local", "s3"):
        env = {"UPLOAD_URL_TTL": "1", "UPLOAD_SWEEP_INTERVAL": "1",
               "UPLOAD_PENDING_MAX_AGE": "3600"}
        if backend == "s3":
            env.update(swift.env())
        k = Kblog(pg.url, workdir, extra_env=env)
        try:
            _sweep_scenario(k, backend, pg, swift)
        finally:
            k.stop()
        assert not k.sanitizer_reports(), k.sanitizer_reports()


def _sweep_scenario(k, backend, pg, sw):
    upload_dir = Path(k.env["UPLOAD_DIR"])
    name, api, _ = new_user(k.url)
    uid = pg.query("SELECT id FROM users WHERE username = %s", (name,))[0][0]

    def put_object(key, body):
        if backend == "local":
            p = upload_dir / key
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(body)
        else:
            s3_client(sw).put_object(Bucket=sw.BUCKET, Key=key, Body=body,
                                     ContentType="image/png")

    def exists(key):
        return (upload_dir / key).exists() if backend == "local" else \
            sw.exists(key)

    data = png()
    # Kept: a ready image (its variants), a pending upload.
    up = request_upload(api, data)
    assert browser_put(up, data).status_code == 200
    image = api.call("POST", f"/uploads/{up['id']}/complete").json()
    served = key_of(image)
    variants = [key_of(v) for v in image["variants"]]
    assert served in variants and len(variants) == 2
    if backend == "local":
        shown = requests.get(k.url + image["url"]).content
    pending = request_upload(api, data)
    assert browser_put(pending, data).status_code == 200
    # Kept: an image from before served copies (its key is under u/).
    legacy = rand_key("u", uid)
    put_object(legacy, data)
    pg.query("INSERT INTO images (owner_id, key, content_type, byte_size, "
             "state) VALUES (%s, %s, 'image/png', %s, 'ready')",
             (uid, legacy, len(data)))
    # Kept: not kblog's keys.
    foreign = [f"u/{uid}/notes.txt", f"i/{uid}/x.png", "other/thing.png"]
    for key in foreign:
        put_object(key, b"not ours")
    # Swept: the completed upload's key written again (a replayed PUT),
    # uploads, served copies and variants that no row names.
    orphans = [key_of(up), rand_key("u", uid), rand_key("i", uid, "gif"),
               rand_key("i", uid, "webp").replace(".webp", "-640.webp")]
    for key in orphans:
        put_object(key, data)
    leftover = None
    if backend == "local":
        leftover = upload_dir / (rand_key("u", uid) + ".tmp-" +
                                 secrets.token_urlsafe(11))
        leftover.write_bytes(b"half")
        # One orphan written just now: younger than twice the TTL.
        young = rand_key("u", uid)
        put_object(young, data)
        time.sleep(1.2)
        assert exists(young), "swept before it was 2 s old"
        orphans.append(young)

    _wait(lambda: not any(exists(key) for key in orphans) and
          (leftover is None or not leftover.exists()),
          f"not swept: {[key for key in orphans if exists(key)]}")
    for key in variants + [key_of(pending), legacy] + foreign:
        assert exists(key), key
    log = k.output()
    for key in orphans:
        assert re.search(r"storage: swept %s \(no image keeps it\)" %
                         re.escape(key), log), key
    assert "objects that no image keeps" in log
    # What the rows keep still works.
    assert api.call("POST", f"/uploads/{pending['id']}/complete"
                    ).status_code == 200
    if backend == "local":
        got = requests.get(k.url + image["url"])
        assert got.status_code == 200 and got.content == shown
    for key in foreign:
        if backend == "local":
            os.unlink(upload_dir / key)
        else:
            s3_client(sw).delete_object(Bucket=sw.BUCKET, Key=key)
