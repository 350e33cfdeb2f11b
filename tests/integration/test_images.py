"""Images done right, on both backends (kblog's local store, and Swift with
s3api as a real S3), with real files (tests/images/make_fixtures.py:
Pillow, piexif and heif-enc made them, with the metadata a phone leaves):

- complete decodes the upload (libvips), refuses what is not the image it
  claims to be or is too large, and writes variants: widths 320/640/1280
  and the image capped at IMAGE_MAX_WIDTH, in its format and WebP; no
  EXIF, GPS, XMP, IPTC, comment, text chunk or ICC profile survives
  (checked with Pillow, an independent reader), the EXIF orientation is
  applied, animations stay animated;
- post pages, the feed and avatars show the site's own images with
  srcset, sizes, width, height, lazy loading and async decoding; other
  images stay as written;
- kblog knows where each image is used (every post save, a trigger),
  refuses to delete a used image with the list, or takes it out of the
  posts on request; a post saved meanwhile never ends up broken;
- the gallery pages through every image, edits alt text, shows the
  quota; the API accepts alt text.
"""

import io
import re
import sys
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from harness import REPO, Kblog
from test_api import err, new_user
from test_upload_lifecycle import s3_client
from test_uploads import browser_put, key_of, s3_server, store, swift

Image = pytest.importorskip("PIL.Image")
sys.path.insert(0, str(REPO / "tests" / "images"))
from check_stripped import check as pillow_check  # noqa: E402

__all__ = ["s3_server", "store", "swift"]   # fixtures, used by name

MARK = b"kblog-secret"


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory):
    """The real test files, made once (a few seconds)."""
    import subprocess
    out = tmp_path_factory.mktemp("images")
    subprocess.run([sys.executable, str(REPO / "tests" / "images" /
                                        "make_fixtures.py"), str(out)],
                   check=True, capture_output=True)
    return out


def start(api, data, ctype, name="file", alt=None):
    body = {"filename": name, "content_type": ctype, "byte_size": len(data)}
    if alt is not None:
        body["alt"] = alt
    r = api.call("POST", "/uploads", body)
    assert r.status_code == 201, r.text
    up = r.json()
    assert browser_put(up, data).status_code == 200
    return up


def upload(api, path, ctype, alt=None):
    """Uploads a fixture file; returns (upload, complete's response)."""
    data = Path(path).read_bytes()
    up = start(api, data, ctype, Path(path).name, alt)
    return up, api.call("POST", f"/uploads/{up['id']}/complete")


@pytest.fixture
def where(store, swift):
    """(base, backend, exists, fetch): fetch(url) is what a reader gets
    from a served URL (from the bucket, signed, for S3: the test bucket
    has no public-read policy)."""
    base, backend, exists = store

    def fetch(url):
        if backend == "local":
            r = requests.get(base + url)
            assert r.status_code == 200, url
            return r.content
        return s3_client(swift).get_object(
            Bucket=swift.BUCKET, Key=key_of({"url": url}))["Body"].read()
    return base, backend, exists, fetch


def variant_files(fetch, image, tmp_path):
    """Every variant, downloaded: [(variant, bytes, path)]."""
    out = []
    for i, v in enumerate(image["variants"]):
        data = fetch(v["url"])
        ext = v["url"].rsplit(".", 1)[1]
        p = tmp_path / f"v{i}.{ext}"
        p.write_bytes(data)
        out.append((v, data, p))
    return out


def assert_clean(files):
    """No metadata (Pillow's view), no secret in the bytes, and each file
    is the size the API says."""
    for v, data, p in files:
        desc, problems, skipped = pillow_check(str(p))
        assert not problems, f"{v['url']}: {desc}: {problems}"
        assert MARK not in data
        if not skipped:
            with Image.open(io.BytesIO(data)) as im:
                assert im.size == (v["width"], v["height"]), v


def test_phone_photo_is_stripped_rotated_and_sized(where, tmp_path, pg,
                                                   fixtures):
    """EXIF with GPS and orientation 6, XMP, IPTC, a comment and an ICC
    profile: none survives, and the picture stands upright."""
    base, backend, exists, fetch = where
    _, api, _ = new_user(base)
    up, r = upload(api, fixtures / "exif_gps_o6.jpg", "image/jpeg")
    assert r.status_code == 200, r.text
    image = r.json()
    # Stored 300x200 with orientation 6: shown 200x300.
    assert (image["width"], image["height"]) == (200, 300)
    assert [(v["content_type"], v["width"]) for v in image["variants"]] == \
        [("image/jpeg", 200), ("image/webp", 200)]
    files = variant_files(fetch, image, tmp_path)
    assert_clean(files)
    for v, data, _ in files:
        with Image.open(io.BytesIO(data)) as im:
            rgb = im.convert("RGB")
            # The stored left third (red) is now the top third.
            top, bottom = rgb.getpixel((100, 40)), rgb.getpixel((100, 260))
            assert top[0] > 180 and top[2] < 90, (v["url"], top)
            assert bottom[2] > 180 and bottom[0] < 90, (v["url"], bottom)
            assert "exif" not in im.info and not im.getexif()
    # The upload (with its GPS) is gone; only the variants are stored.
    assert not exists(key_of(up))
    assert all(exists(key_of(v)) for v in image["variants"])
    assert image["stored_bytes"] == sum(len(d) for _, d, _ in files)
    assert pg.query("SELECT width, height, stored_bytes FROM images WHERE "
                    "id = %s", (image["id"],)) == \
        [(200, 300, image["stored_bytes"])]


def test_every_width_and_format(where, tmp_path, fixtures):
    base, backend, _, fetch = where
    _, api, _ = new_user(base)
    _, r = upload(api, fixtures / "gps.jpg", "image/jpeg")
    assert r.status_code == 200, r.text
    image = r.json()
    assert (image["width"], image["height"]) == (1600, 1200)
    assert [(v["content_type"], v["width"], v["height"])
            for v in image["variants"]] == [
        ("image/jpeg", 320, 240), ("image/webp", 320, 240),
        ("image/jpeg", 640, 480), ("image/webp", 640, 480),
        ("image/jpeg", 1280, 960), ("image/webp", 1280, 960),
        ("image/jpeg", 1600, 1200), ("image/webp", 1600, 1200)]
    assert image["url"] == image["variants"][6]["url"]
    files = variant_files(fetch, image, tmp_path)
    assert_clean(files)
    for v, data, _ in files:
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == {"image/jpeg": "JPEG",
                                 "image/webp": "WEBP"}[v["content_type"]]
    # 12 megapixels: capped at 2048 wide.
    _, r = upload(api, fixtures / "photo_12mp.jpg", "image/jpeg")
    assert r.status_code == 200, r.text
    big = r.json()
    assert (big["width"], big["height"]) == (2048, 1536)
    assert [v["width"] for v in big["variants"]] == \
        [320, 320, 640, 640, 1280, 1280, 2048, 2048]


def test_png_text_and_profile_dropped_gif_stays_animated(where, tmp_path,
                                                         fixtures):
    base, backend, _, fetch = where
    _, api, _ = new_user(base)
    _, r = upload(api, fixtures / "text_icc.png", "image/png")
    assert r.status_code == 200, r.text
    png = r.json()
    assert {v["content_type"] for v in png["variants"]} == \
        {"image/png", "image/webp"}
    files = variant_files(fetch, png, tmp_path)
    assert_clean(files)
    for v, data, _ in files:
        with Image.open(io.BytesIO(data)) as im:
            assert not getattr(im, "text", None)
            assert "icc_profile" not in im.info
            assert im.mode in ("RGBA", "RGB"), im.mode
    _, r = upload(api, fixtures / "anim.gif", "image/gif")
    assert r.status_code == 200, r.text
    gif = r.json()
    files = variant_files(fetch, gif, tmp_path)
    assert {v["content_type"] for v in gif["variants"]} == \
        {"image/gif", "image/webp"}
    for v, data, _ in files:
        with Image.open(io.BytesIO(data)) as im:
            assert im.n_frames > 1, v
    assert_clean(files)
    # WebP: WebP alone.
    _, r = upload(api, fixtures / "still.webp", "image/webp")
    assert r.status_code == 200, r.text
    assert {v["content_type"] for v in r.json()["variants"]} == \
        {"image/webp"}


def test_avif_is_accepted(where, tmp_path, fixtures):
    base, backend, _, fetch = where
    _, api, _ = new_user(base)
    _, r = upload(api, fixtures / "photo.avif", "image/avif")
    assert r.status_code == 200, r.text
    image = r.json()
    assert image["content_type"] == "image/avif"
    assert image["url"].endswith(".avif")
    types = [v["content_type"] for v in image["variants"]]
    assert set(types) == {"image/avif", "image/webp"}
    for v, data, _ in variant_files(fetch, image, tmp_path):
        assert MARK not in data
        if v["content_type"] == "image/avif":
            assert data[4:12] == b"ftypavif"
        else:
            with Image.open(io.BytesIO(data)) as im:
                assert im.size == (v["width"], v["height"])


REFUSALS = [
    # file, claimed type, code, reason
    ("truncated.jpg", "image/jpeg", "not_an_image", "truncated"),
    ("polyglot_zip.jpg", "image/jpeg", "not_an_image", "trailing_data"),
    ("polyglot_js.gif", "image/gif", "not_an_image", "trailing_data"),
    ("not_image.txt", "image/png", "not_an_image", "not_image"),
    ("image.bmp", "image/png", "not_an_image", "unsupported"),
    ("photo.heic", "image/avif", "not_an_image", "unsupported"),
    ("gps.jpg", "image/png", "not_an_image", "type_mismatch"),
    ("bomb.png", "image/png", "image_too_large", "too_many_pixels"),
    ("bomb.jpg", "image/jpeg", "image_too_large", "too_many_pixels"),
    ("bomb.gif", "image/gif", "image_too_large", "too_many_pixels"),
]


def test_refused_files_are_removed(where, pg, fixtures):
    base, backend, exists, fetch = where
    _, api, _ = new_user(base)
    for name, ctype, code, why in REFUSALS:
        up, r = upload(api, fixtures / name, ctype)
        e = err(r, 422, code)
        assert e["fields"] == {"file": why}, (name, e)
        assert "removed" in e["message"]
        assert not exists(key_of(up)), name
        assert pg.query("SELECT count(*) FROM images WHERE id = %s",
                        (up["id"],)) == [(0,)], name
    assert api.call("GET", "/images").json()["items"] == []


def _picture(html, url):
    """The <picture> (or lone <img>) of the image whose largest variant
    in its own format is url, from a page."""
    m = re.search(r'<picture><source[^>]*><img [^>]*src="%s"[^>]*>'
                  r'</picture>' % re.escape(url), html)
    assert m, f"no <picture> for {url} in:\n{html[:3000]}"
    return m.group(0)


def _attr(tag, name):
    m = re.search(r'\b%s="([^"]*)"' % name, tag)
    return unescape(m.group(1)) if m else None


def test_post_shows_variants_with_srcset(where, fixtures):
    base, backend, _, fetch = where
    _, api, _ = new_user(base)
    _, r = upload(api, fixtures / "gps.jpg", "image/jpeg", alt="Stored alt")
    image = r.json()
    md = (f"Text.\n\n![A kite over a field]({image['url']})\n\n"
          f"![]({image['url']})\n\n"
          "![foreign](https://example.com/x.png)\n")
    r = api.call("POST", "/posts", {"title": "Pictures",
                                    "body_markdown": md})
    assert r.status_code == 201, r.text
    post = r.json()
    page = requests.get(f"{base}/posts/{post['id']}").text
    pics = re.findall(r"<picture>.*?</picture>", page)
    assert len(pics) == 2
    pic = _picture(page, image["url"])
    source = re.search(r"<source [^>]*>", pic).group(0)
    img = re.search(r"<img [^>]*>", pic).group(0)
    by = {t: [v for v in image["variants"] if v["content_type"] == t]
          for t in ("image/jpeg", "image/webp")}
    assert _attr(source, "type") == "image/webp"
    assert _attr(source, "srcset") == ", ".join(
        f"{v['url']} {v['width']}w" for v in by["image/webp"])
    assert _attr(img, "srcset") == ", ".join(
        f"{v['url']} {v['width']}w" for v in by["image/jpeg"])
    for tag in (source, img):
        assert _attr(tag, "sizes") == \
            "(max-width: 42rem) calc(100vw - 2rem), 40rem"
    assert (_attr(img, "width"), _attr(img, "height")) == ("1600", "1200")
    assert _attr(img, "loading") == "lazy"
    assert _attr(img, "decoding") == "async"
    alts = [_attr(re.search(r"<img [^>]*>", p).group(0), "alt")
            for p in pics]
    # The Markdown's own alt first; the image's own where it has none.
    assert alts == ["A kite over a field", "Stored alt"]
    # Someone else's image stays as it was written.
    assert '<img src="https://example.com/x.png" alt="foreign" />' in page
    if backend == "s3":
        assert all(v["url"].startswith("http://127.0.0.1:")
                   for v in image["variants"])


def test_feed_and_avatar(base, server, fixtures):
    _, api, _ = new_user(base)
    _, r = upload(api, fixtures / "gps.jpg", "image/jpeg")
    image = r.json()
    r = api.call("POST", "/posts", {"title": "Feed pictures",
                                    "body_markdown": f"![k]({image['url']})\n"
                                    "\n![r](/relative.png)\n"})
    post = r.json()
    feed = requests.get(f"{base}/feed.atom").text
    entry = feed[feed.index(f"<id>{post['url']}</id>"):]
    entry = entry[:entry.index("</entry>")]
    content = unescape(re.search(r"<content[^>]*>(.*)</content>",
                                 entry, re.S).group(1))
    # Absolute URLs for the site's own images, in every srcset.
    assert f'src="{server.url}{image["url"]}"' in content
    for v in image["variants"]:
        assert f"{server.url}{v['url']} {v['width']}w" in content
    assert 'srcset="/' not in content and 'src="/_store' not in content
    # Other relative URLs are made absolute too (feed readers show the
    # entry away from the site).
    assert f'<img src="{server.url}/relative.png" alt="r" />' in content
    # The avatar, on the profile page.
    from client import Browser
    b = Browser(base)
    name, _ = b.register()
    up = b.s.post(base + "/api/v1/uploads", json={
        "filename": "me.jpg", "content_type": "image/jpeg",
        "byte_size": (fixtures / "gps.jpg").stat().st_size},
        headers={"X-CSRF-Token": b.csrf}).json()
    assert browser_put(up, (fixtures / "gps.jpg").read_bytes()
                       ).status_code == 200
    mine = b.s.post(base + f"/api/v1/uploads/{up['id']}/complete",
                    headers={"X-CSRF-Token": b.csrf}).json()
    assert b.post("/settings/avatar", {"image_id": str(mine["id"])}
                  ).status_code == 303
    profile = requests.get(f"{base}/users/{name}").text
    img = re.search(r'<img class="avatar"[^>]*>', profile).group(0)
    assert _attr(img, "sizes") == "4rem"
    assert _attr(img, "srcset").startswith(mine["variants"][0]["url"] +
                                           " 320w")
    assert _attr(img, "loading") == "lazy"


def _uses(api, image_id):
    r = api.call("GET", f"/images/{image_id}")
    assert r.status_code == 200, r.text
    u = r.json()["uses"]
    return u["avatar"], [p["id"] for p in u["posts"]]


def test_where_an_image_is_used(base, fixtures):
    _, api, _ = new_user(base)
    _, bob, _ = new_user(base)
    _, r = upload(api, fixtures / "exif_gps_o6.jpg", "image/jpeg")
    image = r.json()
    small = [v for v in image["variants"] if v["content_type"] ==
             "image/webp"][0]
    assert _uses(api, image["id"]) == (False, [])
    p1 = api.call("POST", "/posts", {"title": "One", "body_markdown":
                                     f"![a]({image['url']})"}).json()
    # A draft shows it too; so does a variant's URL.
    p2 = api.call("POST", "/posts", {"title": "Two", "published": False,
                                     "body_markdown":
                                     f"![b]({small['url']})"}).json()
    assert _uses(api, image["id"]) == (False, [p1["id"], p2["id"]])
    # Every save keeps it right.
    assert api.call("PATCH", f"/posts/{p2['id']}", {
        "body_markdown": "no picture"}).status_code == 200
    assert _uses(api, image["id"]) == (False, [p1["id"]])
    # Someone else showing it does not pin it (and they learn nothing).
    r = bob.call("POST", "/posts", {"title": "Bob's", "body_markdown":
                                    f"![x]({image['url']})"})
    assert r.status_code == 201
    assert _uses(api, image["id"]) == (False, [p1["id"]])
    err(bob.call("GET", f"/images/{image['id']}"), 403, "forbidden")
    err(bob.call("DELETE", f"/images/{image['id']}"), 403, "forbidden")


def test_deleting_a_used_image(where, pg, fixtures):
    base, backend, exists, fetch = where
    _, api, _ = new_user(base)
    _, r = upload(api, fixtures / "gps.jpg", "image/jpeg")
    image = r.json()
    keys = [key_of(v) for v in image["variants"]]
    md = (f"Before.\n\n![kite]({image['url']})\n\nBetween.\n\n"
          f"![again]({image['url']} \"title\")\n\nAfter.\n")
    p1 = api.call("POST", "/posts", {"title": "Kites",
                                     "body_markdown": md}).json()
    p2 = api.call("POST", "/posts", {"title": "More kites",
                                     "body_markdown": f"![k]({image['url']})"}
                  ).json()
    e = err(api.call("DELETE", f"/images/{image['id']}"), 409,
            "image_in_use")
    assert e["uses"] == {"avatar": False, "more": False, "posts": [
        {"id": p1["id"], "title": "Kites", "url": f"/posts/{p1['id']}"},
        {"id": p2["id"], "title": "More kites",
         "url": f"/posts/{p2['id']}"}]}
    assert all(exists(k) for k in keys)
    err(api.call("DELETE", f"/images/{image['id']}?remove_from_posts=1"),
        422, "validation_failed")
    # Confirmed: out of the posts, then gone.
    r = api.call("DELETE", f"/images/{image['id']}?remove_from_posts=true")
    assert r.status_code == 204, r.text
    assert not any(exists(k) for k in keys)
    body = api.call("GET", f"/posts/{p1['id']}").json()
    assert body["body_markdown"] == "Before.\n\n\n\nBetween.\n\n\n\nAfter.\n"
    assert "<img" not in body["body_html"]
    page = requests.get(f"{base}/posts/{p1['id']}").text
    assert "_store" not in page and key_of(image) not in page
    assert "<img" not in api.call("GET", f"/posts/{p2['id']}"
                                  ).json()["body_html"]
    assert pg.query("SELECT count(*) FROM images WHERE id = %s",
                    (image["id"],)) == [(0,)]


def test_a_post_saved_during_a_deletion_is_never_broken(base, pg, fixtures):
    """A post that starts to show the image commits while the deletion
    looks at its uses: the deletion waits for it (row locks, sql/007),
    then refuses; the other way round, the post does not link it."""
    _, api, _ = new_user(base)
    _, r = upload(api, fixtures / "exif_gps_o6.jpg", "image/jpeg")
    image = r.json()
    post = api.call("POST", "/posts", {"title": "Race",
                                       "body_markdown": "nothing"}).json()
    html = f'<p><img src="{image["url"]}" alt="x" /></p>'
    conn = pg.connect()
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("UPDATE posts SET body_html = %s WHERE id = %s",
                (html, post["id"]))
    out = {}

    def delete():
        out["r"] = api.call("DELETE", f"/images/{image['id']}")
    t = threading.Thread(target=delete)
    t.start()
    time.sleep(1.0)
    assert t.is_alive(), "the deletion did not wait for the post"
    conn.commit()
    t.join(15)
    conn.close()
    err(out["r"], 409, "image_in_use")
    assert _uses(api, image["id"]) == (False, [post["id"]])


def test_gallery_pages_alt_and_quota(base, pg, fixtures):
    from client import Browser
    b = Browser(base)
    name, _ = b.register()
    uid = pg.query("SELECT id FROM users WHERE username = %s", (name,))[0][0]
    # 65 images: more than two pages of 30.
    pg.query("INSERT INTO images (owner_id, key, filename, content_type, "
             "byte_size, state, created_at) SELECT %s, 'i/' || %s || '/' || "
             "rpad(n::text, 43, 'x') || '.png', 'img' || n || '.png', "
             "'image/png', 1000, 'ready', now() - n * interval '1 second' "
             "FROM generate_series(1, 65) n", (uid, uid))
    ids = set(i for (i,) in pg.query(
        "SELECT id FROM images WHERE owner_id = %s", (uid,)))
    seen, path, pages = [], "/images", 0
    while path:
        page = b.get(path).text
        pages += 1
        seen += [int(x) for x in re.findall(r'<li id="image-(\d+)">', page)]
        m = re.search(r'<a rel="next" href="([^"]+)"', page)
        path = unescape(m.group(1)) if m else None
        if pages == 1:
            assert "Your images take 65.0 kB of your 1.07 GB quota " \
                   "(65 images)." in page
    assert pages == 3 and len(seen) == 65 and set(seen) == ids
    # Alt text, through the gallery's form.
    first = min(ids)       # the newest: on the first page
    r = b.post(f"/images/{first}/alt", {"alt": "A drawing of a kite"})
    assert r.status_code == 303
    assert pg.query("SELECT alt FROM images WHERE id = %s", (first,)) == \
        [("A drawing of a kite",)]
    assert 'value="A drawing of a kite"' in b.get("/images").text
    r = b.post(f"/images/{first}/alt", {"alt": "two\nlines"})
    assert r.status_code == 422 and "two\nlines" in unescape(r.text)
    # Usage, in the API.
    r = b.s.get(base + "/api/v1/images/usage").json()
    assert r == {"images": 65, "used_bytes": 65000,
                 "quota_bytes": 1073741824}


def test_alt_text_in_the_api(base, fixtures):
    _, api, _ = new_user(base)
    up, r = upload(api, fixtures / "exif_gps_o6.jpg", "image/jpeg",
                   alt="Red and blue")
    image = r.json()
    assert image["alt"] == "Red and blue"
    r = api.call("PATCH", f"/images/{image['id']}", {"alt": "Blue below"})
    assert r.status_code == 200 and r.json()["alt"] == "Blue below"
    err(api.call("PATCH", f"/images/{image['id']}", {"alt": "x" * 1001}),
        422, "validation_failed")
    err(api.call("POST", "/uploads", {"filename": "a.png",
                                      "content_type": "image/png",
                                      "byte_size": 5, "alt": "a\nb"}),
        422, "validation_failed")


def test_processing_waits_in_its_lane_and_pages_stay_fast(pg, workdir,
                                                          fixtures):
    """One worker, one image at a time: three 12-megapixel photos all get
    processed (two wait without a thread), and /health answers at once
    meanwhile (processing is off the event loop)."""
    k = Kblog(pg.url, workdir, extra_env={"WORKERS": "1",
                                          "IMAGE_CONCURRENCY": "1"})
    try:
        _, api, _ = new_user(k.url)
        data = (fixtures / "photo_12mp.jpg").read_bytes()
        ups = [start(api, data, "image/jpeg") for _ in range(3)]
        results, slow = [], []

        def complete(up):
            results.append(api.call("POST", f"/uploads/{up['id']}/complete"
                                    ).status_code)
        threads = [threading.Thread(target=complete, args=(u,))
                   for u in ups]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            t0 = time.monotonic()
            assert requests.get(k.url + "/health", timeout=5).ok
            slow.append(time.monotonic() - t0)
            time.sleep(0.05)
        assert results == [200, 200, 200]
        assert len(slow) > 5 and max(slow) < 0.5, slow
    finally:
        k.stop()
    assert not k.sanitizer_reports()


def test_limits_and_kept_originals(pg, workdir, fixtures):
    k = Kblog(pg.url, workdir, extra_env={"IMAGE_MAX_PIXELS": "1000000",
                                          "IMAGE_MAX_WIDTH": "640",
                                          "UPLOAD_KEEP_ORIGINAL": "1"})
    try:
        _, api, _ = new_user(k.url)
        up, r = upload(api, fixtures / "gps.jpg", "image/jpeg")
        assert err(r, 422, "image_too_large")["fields"] == \
            {"file": "too_many_pixels"}
        data = (fixtures / "exif_gps_o6.jpg").read_bytes()
        up = start(api, data, "image/jpeg")
        image = api.call("POST", f"/uploads/{up['id']}/complete").json()
        upload_dir = Path(k.env["UPLOAD_DIR"])
        kept = upload_dir / key_of(up)
        # Kept as it came, never served.
        assert kept.read_bytes() == data
        assert requests.get(f"{k.url}/_store/{key_of(up)}"
                            ).status_code == 404
        assert image["stored_bytes"] == len(data) + sum(
            (upload_dir / key_of(v)).stat().st_size
            for v in image["variants"])
        _, r = upload(api, fixtures / "wide.png", "image/png")
        assert max(v["width"] for v in r.json()["variants"]) == 640
        assert api.call("DELETE", f"/images/{image['id']}").status_code == \
            204
        assert not kept.exists()
    finally:
        k.stop()


def test_images_from_before_variants_still_show(base, pg):
    """An image stored before variants existed (no width, no variant
    rows) keeps its plain markup in posts and its URL in the API."""
    name, api, _ = new_user(base)
    uid = pg.query("SELECT id FROM users WHERE username = %s", (name,))[0][0]
    key = f"i/{uid}/" + "L" * 43 + ".png"
    pg.query("INSERT INTO images (owner_id, key, content_type, byte_size, "
             "state) VALUES (%s, %s, 'image/png', 10, 'ready')", (uid, key))
    post = api.call("POST", "/posts", {"title": "Old", "body_markdown":
                                       f"![old](/_store/{key})"}).json()
    page = requests.get(f"{base}/posts/{post['id']}").text
    assert f'<img src="/_store/{key}" alt="old" />' in page
    items = api.call("GET", "/images").json()["items"]
    assert items[0]["url"] == f"/_store/{key}" and items[0]["width"] is None
    iid = items[0]["id"]
    assert _uses(api, iid) == (False, [post["id"]])
    assert urlsplit(items[0]["url"]).path == f"/_store/{key}"


def test_a_bodyless_post_that_waits_is_answered(pg, workdir, fixtures):
    """complete has no body; Kore 4.1 kept timing such a request with the
    head's timeout (30 s) and answered 408 in the middle of it, which a
    queue of images to process reaches.  Here the database is frozen for
    longer than that while complete waits on it: it is answered."""
    import os
    import signal
    url = pg.create_database("kblog_bodyless_post")
    k = Kblog(url, workdir, extra_env={"WORKERS": "1", "DB_POOL": "1"})
    try:
        _, api, _ = new_user(k.url)
        up = start(api, (fixtures / "exif_gps_o6.jpg").read_bytes(),
                   "image/jpeg")
        db = url.rsplit("/", 1)[1]
        backends = [pid for (pid,) in pg.query(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND "
            "application_name = 'kblog'", (db,))]
        assert backends
        out = {}

        def complete():
            out["r"] = requests.post(
                f"{k.url}/api/v1/uploads/{up['id']}/complete",
                headers=api.s.headers, timeout=120)
        for pid in backends:
            os.kill(pid, signal.SIGSTOP)
        try:
            t = threading.Thread(target=complete)
            t.start()
            time.sleep(33)
            assert t.is_alive(), out
        finally:
            for pid in backends:
                os.kill(pid, signal.SIGCONT)
        t.join(60)
        assert out["r"].status_code == 200, out["r"].text
    finally:
        k.stop()
