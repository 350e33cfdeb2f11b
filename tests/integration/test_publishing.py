"""Publishing that readers and search engines find: the date of first
publication and scheduled posts (on two instances, exactly once), slugs
and their 301s, excerpts and covers, the site's identity and every
page's social tags, robots.txt and the sitemap, Atom feeds read by a
real feed parser (absolute links, 304s), paging both ways, footnotes,
what safe mode leaves out, the preview, comment links and times, tags
in any script, search by name and per language, and the settings form
that keeps what was typed."""

import html
import re
import time
import xml.etree.ElementTree as ET
from email.utils import formatdate
from urllib.parse import quote, unquote, urlsplit

import feedparser
import pytest
import requests

from client import Browser, unique_name
from test_api import Api, new_user
from test_uploads import png

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def writer(base, display_name=""):
    b = Browser(base)
    name, r = b.register(display_name=display_name)
    assert r.status_code == 303
    return b, name


def form_post(b, **fields):
    """The editor's form; returns (id, location)."""
    b.get("/posts/new")
    data = {"title": "Post " + unique_name(), "body": "Text.", "tags": "",
            "publish": "now"}
    data.update(fields)
    r = b.post("/posts/new", data)
    assert r.status_code == 303, r.text[:800]
    loc = r.headers["location"]
    return int(re.match(r"/posts/(\d+)", loc).group(1)), loc


def meta(page, key):
    """The content of <meta name|property=key>, unescaped."""
    m = re.search(r'<meta (?:name|property)="%s" content="([^"]*)">'
                  % re.escape(key), page)
    return html.unescape(m.group(1)) if m else None


def link(page, rel):
    m = re.search(r'<link rel="%s" href="([^"]*)">' % rel, page)
    return html.unescape(m.group(1)) if m else None


def upload_image(base, api, data=None, name="cover.png"):
    """A real upload: presigned PUT to the local store, then complete."""
    data = data or png(4, 3)
    r = api.call("POST", "/uploads", {"filename": name,
                                      "content_type": "image/png",
                                      "byte_size": len(data)})
    assert r.status_code == 201, r.text
    up = r.json()
    assert requests.put(up["url"], data=data,
                        headers=up["headers"]).status_code in (200, 201)
    r = api.call("POST", f"/uploads/{up['id']}/complete")
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- dates

def test_published_at_is_the_first_publication(base, pg):
    """A draft written long ago and published today comes first, with
    today's date; unpublishing and publishing again keep that date."""
    b, _ = writer(base)
    old, _ = form_post(b, publish="draft", title="Written a year ago")
    pg.query("UPDATE posts SET created_at = now() - interval '400 days' "
             "WHERE id = %s", (old,))
    recent, _ = form_post(b, title="Yesterday's")
    assert requests.get(base + "/").text.find("Written a year ago") == -1
    r = b.post(f"/posts/{old}/edit", {"title": "Written a year ago",
                                      "body": "Text.", "publish": "now"})
    assert r.status_code == 303
    home = requests.get(base + "/").text
    assert home.index("Written a year ago") < home.index("Yesterday&#39;s")
    [(pub, created)] = pg.query("SELECT published_at, created_at FROM posts "
                                "WHERE id = %s", (old,))
    assert pub - created > __import__("datetime").timedelta(days=399)
    # The feed orders by it too, and says it.
    feed = feedparser.parse(requests.get(base + "/feed.atom").content)
    titles = [e.title for e in feed.entries]
    assert titles.index("Written a year ago") < titles.index("Yesterday's")
    # Unpublished and published again: the first publication stays.
    b.post(f"/posts/{old}/edit", {"title": "Written a year ago",
                                  "body": "Text.", "publish": "draft"})
    b.post(f"/posts/{old}/edit", {"title": "Written a year ago",
                                  "body": "Text.", "publish": "now"})
    assert pg.query("SELECT published_at FROM posts WHERE id = %s",
                    (old,)) == [(pub,)]


def test_scheduled_post_appears_on_time_on_both_instances_once(
        pg, kblog_factory):
    """A post scheduled 2 s ahead is nowhere before its time, then on
    both instances within a publisher tick, published by exactly one of
    them, exactly once."""
    url = pg.create_database("kblog_schedule")
    env = {"PUBLISH_INTERVAL": "1", "TRUST_PROXY": "1"}
    a = kblog_factory(url, extra_env=env)
    b = kblog_factory(url, extra_env=env)
    name, api, _ = new_user(a.url)
    due = time.time() + 2.0
    when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(due)) + \
        ".%06dZ" % int((due % 1) * 1e6)
    r = api.call("POST", "/posts", {"title": "Scheduled on time",
                                    "body_markdown": "Hello later.",
                                    "scheduled_at": when})
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["published"] is False and post["published_at"] is None
    assert post["scheduled_at"] is not None
    pid = post["id"]

    def seen(k):
        return f"/posts/{pid}-" in requests.get(k.url + "/").text

    seen_at = {}
    while time.time() < due + 6 and len(seen_at) < 2:
        now = time.time()
        for k in (a, b):
            if k not in seen_at and seen(k):
                seen_at[k] = now
        time.sleep(0.1)
    assert set(seen_at) == {a, b}, "not published on both instances"
    for k, t in seen_at.items():
        # Not before its time (the 0.1 s poll's own slack), and within
        # a tick of it (1 s), with room for a loaded machine.
        assert t >= due - 0.15, f"published {due - t:.2f} s early"
        assert t <= due + 3.5, f"published {t - due:.2f} s late"
    [(published, pub_at, sched)] = pg.query(
        "SELECT published, published_at, scheduled_at FROM posts "
        "WHERE id = %s", (pid,), dbname="kblog_schedule")
    assert published and sched is None
    assert abs(pub_at.timestamp() - due) < 3.5
    # Exactly once: one publisher said it, the other never did.
    time.sleep(1.5)
    said = sum(k.output().count(f"publish: post {pid} is published")
               for k in (a, b))
    assert said == 1, a.output()[-1500:] + b.output()[-1500:]
    # The API and the post's page agree.
    got = Api(b.url).call("GET", f"/posts/{pid}").json()
    assert got["published"] is True and got["scheduled_at"] is None


def test_schedule_from_the_editor(base, pg):
    """The editor's time is read in the browser's zone (tz, from app.js)
    or UTC; a time in the past comes back with the error beside it."""
    b, _ = writer(base)
    pid, loc = form_post(b, publish="schedule",
                         scheduled_at="2099-01-02T10:30", tz="-60")
    [(sched, published)] = pg.query(
        "SELECT scheduled_at, published FROM posts WHERE id = %s", (pid,))
    assert not published
    assert sched.isoformat().startswith("2099-01-02T09:30:00")
    page = b.get(loc).text
    assert "Scheduled for" in page and 'datetime="2099-01-02T09:30:00Z"' \
        in page
    assert f"/posts/{pid}-" not in requests.get(base + "/").text
    edit = b.get(f"/posts/{pid}/edit").text
    assert 'value="2099-01-02T09:30"' in edit
    assert re.search(r'value="schedule" checked', edit)
    b.get("/posts/new")
    r = b.post("/posts/new", {"title": "Too late", "body": "x",
                              "publish": "schedule",
                              "scheduled_at": "2001-01-01T00:00"})
    assert r.status_code == 422
    assert 'id="e-scheduled_at">Choose a time in the future.' in r.text
    assert 'value="2001-01-01T00:00"' in r.text
    assert 'value="Too late"' in r.text


# ---------------------------------------------------------------- slugs

def test_slug_redirects(base):
    b, _ = writer(base)
    pid, loc = form_post(b, title="Hello, Wörld: Ünïcode & more!")
    assert loc == f"/posts/{pid}-hello-w%C3%B6rld-%C3%BCn%C3%AFcode-more"
    assert requests.get(base + loc).status_code == 200
    # The same address typed in UTF-8 or lower-case hex is the same.
    assert requests.get(base + quote(unquote(loc), safe="/")
                        .lower()).status_code == 200
    for wrong in (f"/posts/{pid}", f"/posts/{pid}-", f"/posts/{pid}-hello",
                  f"/posts/{pid}-old-title", f"/posts/{pid}-Hello-World"):
        r = requests.get(base + wrong, allow_redirects=False)
        assert r.status_code == 301, wrong
        assert r.headers["location"] == loc
    # The comments' cursor goes along.
    r = requests.get(f"{base}/posts/{pid}?comments=AQEAAAAAAAAAAAAAAAAAAAAA",
                     allow_redirects=False)
    assert r.status_code in (301, 400)
    # A new title: a new address; the old one moves there.
    r = b.post(f"/posts/{pid}/edit", {"title": "Brand new", "body": "x",
                                      "publish": "now"})
    assert r.headers["location"] == f"/posts/{pid}-brand-new"
    r = requests.get(base + loc, allow_redirects=False)
    assert (r.status_code, r.headers["location"]) == \
        (301, f"/posts/{pid}-brand-new")
    # No id, no post.
    assert requests.get(base + "/posts/0-x").status_code == 404
    assert requests.get(base + "/posts/x-1").status_code == 404


def test_drafts_are_404_before_any_redirect(base):
    b, _ = writer(base)
    pid, loc = form_post(b, publish="draft", title="Secret plans")
    for path in (f"/posts/{pid}", loc, f"/posts/{pid}-wrong"):
        r = requests.get(base + path, allow_redirects=False)
        assert r.status_code == 404, path
        assert "secret" not in r.text.lower()
    assert b.get(loc).status_code == 200


# ---------------------------------------------------------------- heads

def test_social_tags_present_and_escaped(base):
    b, name = writer(base, display_name='Ann "the" <b>')
    api_name, api, _ = new_user(base)
    img = upload_image(base, api)
    title = 'Quotes "and" <tags> & \'apostrophes\''
    r = api.call("POST", "/posts", {
        "title": title, "body_markdown": "Body *text*.",
        "summary": 'A "summary" <script>alert(1)</script>',
        "cover_image_id": img["id"], "lang": "en-GB"})
    assert r.status_code == 201, r.text
    post = r.json()
    page = requests.get(post["url"]).text
    assert "<script>alert" not in page
    assert meta(page, "og:title") == title
    assert meta(page, "twitter:title") == title
    assert meta(page, "description") == post["summary"]
    assert meta(page, "og:description") == post["summary"]
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:url") == post["url"]
    assert link(page, "canonical") == post["url"]
    assert urlsplit(post["url"]).netloc == urlsplit(base).netloc
    assert meta(page, "og:image") == post["cover_url"]
    assert post["cover_url"].startswith("http")
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "og:site_name") == "kblog"
    assert meta(page, "article:published_time").endswith("Z")
    assert '<html lang="en-GB">' in page
    # Escaped in the raw bytes, not just readable back.
    assert 'content="Quotes &quot;and&quot; &lt;tags&gt; &amp; ' \
           '&#39;apostrophes&#39;"' in page
    # The cover is in the list too, and the summary.
    home = requests.get(base + "/").text
    item = home.split(f'/posts/{post["id"]}-', 1)[0].rsplit("<li>", 1)[1]
    assert 'class="cover thumb"' in item
    assert "A &quot;summary&quot;" in home
    # Every page has a description and a canonical link, and a card.
    for path in ("/", "/login", "/register", f"/users/{name}",
                 "/search?q=x", "/tags/x"):
        p = requests.get(base + path).text
        assert meta(p, "description"), path
        assert link(p, "canonical").startswith(base), path
        assert meta(p, "og:title") and meta(p, "twitter:card"), path
    # An author's page is described by their bio and named by them.
    user = requests.get(f"{base}/users/{name}").text
    assert meta(user, "og:title") == 'Ann "the" <b>'


def test_site_identity(pg, kblog_factory, workdir):
    url = pg.create_database("kblog_identity")
    k = kblog_factory(url, extra_env={
        "SITE_NAME": 'Notes & "Thoughts"',
        "SITE_DESCRIPTION": "Short essays on <things>.",
        "SITE_LOGO_URL": "https://cdn.example.net/logo.png"})
    page = requests.get(k.url + "/")
    assert "<title>Notes &amp; &quot;Thoughts&quot;</title>" in page.text
    assert meta(page.text, "description") == "Short essays on <things>."
    assert meta(page.text, "og:site_name") == 'Notes & "Thoughts"'
    assert meta(page.text, "og:image") == "https://cdn.example.net/logo.png"
    assert 'class="logo" alt="" src="https://cdn.example.net/logo.png"' \
        in page.text
    assert "https://cdn.example.net" in \
        page.headers["content-security-policy"].split("img-src")[1] \
        .split(";")[0]
    feed = feedparser.parse(requests.get(k.url + "/feed.atom").content)
    assert feed.feed.title == 'Notes & "Thoughts"'
    assert feed.feed.subtitle == "Short essays on <things>."
    assert "kblog" not in requests.get(k.url + "/login").text.split(
        "<title>")[1].split("</title>")[0]


def test_robots_and_sitemap(base):
    b, name = writer(base)
    tag = "sm" + unique_name("")[:6]
    pid, loc = form_post(b, title="Mapped post", tags=f"{tag}, C++")
    r = requests.get(base + "/robots.txt")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {base}/sitemap.xml" in r.text
    assert "Disallow: /api/" in r.text
    root = ET.fromstring(requests.get(base + "/sitemap.xml").content)
    urls = {u.find(SM + "loc").text: u.find(SM + "lastmod")
            for u in root.iter(SM + "url")}
    assert base + "/" in urls
    assert base + loc in urls
    assert base + f"/users/{name}" in urls
    assert base + f"/tags/{tag}" in urls and base + "/tags/c++" in urls
    for u in (base + loc, base + f"/users/{name}", base + f"/tags/{tag}"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", urls[u].text)


# ---------------------------------------------------------------- feeds

def test_feeds_parse_with_absolute_links(base):
    b, name = writer(base, display_name="Feeder")
    _, api, _ = new_user(base)
    tag = "feed" + unique_name("")[:6]
    pid, loc = form_post(
        b, title="Feed entry", tags=f"{tag}, Machine Learning",
        body="See ![pic](/_store/i/1/x.png) and [there](/users/x) and "
             "a note.[^1]\n\n[^1]: Footnote.\n",
        summary="The entry's summary.")
    for path, title in (("/feed.atom", "kblog"),
                        (f"/users/{name}/feed.atom", f"{name} - kblog"),
                        (f"/tags/{tag}/feed.atom", f"{tag} - kblog"),
                        ("/tags/machine_learning/feed.atom",
                         "machine learning - kblog")):
        r = requests.get(base + path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("application/atom+xml")
        f = feedparser.parse(r.content)
        assert not f.bozo, (path, f.bozo_exception)
        assert f.feed.title == title
        assert any(l.rel == "self" and l.href == base + path
                   for l in f.feed.links)
        entry = next(e for e in f.entries if e.title == "Feed entry")
        assert entry.link == base + loc
        assert entry.id == base + loc
        assert entry.summary == "The entry's summary."
        assert entry.author.startswith("Feeder (@")
        body = entry.content[0].value
        assert f'src="{base}/_store/i/1/x.png"' in body
        assert f'href="{base}/users/x"' in body
        assert f'href="{base}{loc}#fn-1"' in body
        assert not re.search(r'(href|src)="/', body)
        assert {t.term for t in entry.tags} >= {tag, "machine learning"}
    # An author's feed holds their posts only; a stranger's is a 404.
    f = feedparser.parse(requests.get(f"{base}/users/{name}/feed.atom")
                         .content)
    assert {e.link for e in f.entries} == {base + loc}
    assert requests.get(base + "/users/nobody_here_x/feed.atom"
                        ).status_code == 404
    # Linked from the pages they follow.
    assert f'href="/users/{name}/feed.atom"' in requests.get(
        f"{base}/users/{name}").text
    assert f'href="/tags/{tag}/feed.atom"' in requests.get(
        f"{base}/tags/{tag}").text


def test_feeds_answer_304_until_they_change(base):
    b, name = writer(base)
    tag = "etag" + unique_name("")[:6]
    form_post(b, title="First", tags=tag)
    for path in ("/feed.atom", f"/users/{name}/feed.atom",
                 f"/tags/{tag}/feed.atom"):
        r = requests.get(base + path)
        etag, lm = r.headers["etag"], r.headers["last-modified"]
        assert etag.startswith('"') and lm.endswith("GMT")
        # feedparser's own conditional GET.
        f = feedparser.parse(base + path, etag=etag, modified=lm)
        assert f.status == 304, path
        r2 = requests.get(base + path, headers={"If-None-Match": etag})
        assert r2.status_code == 304 and r2.content == b""
        assert r2.headers["etag"] == etag
        r3 = requests.get(base + path, headers={"If-Modified-Since": lm})
        assert r3.status_code == 304
        # A stale validator gets the feed.
        old = formatdate(time.time() - 86400 * 30, usegmt=True)
        assert requests.get(base + path, headers={
            "If-Modified-Since": old}).status_code == 200
        assert requests.get(base + path, headers={
            "If-None-Match": '"nope"'}).status_code == 200
    r = requests.get(f"{base}/tags/{tag}/feed.atom")
    etag, lm = r.headers["etag"], r.headers["last-modified"]
    time.sleep(1.1)                 # Last-Modified counts seconds
    form_post(b, title="Second", tags=tag)
    r = requests.get(f"{base}/tags/{tag}/feed.atom",
                     headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    assert "Second" in r.text
    r = requests.get(f"{base}/tags/{tag}/feed.atom",
                     headers={"If-Modified-Since": lm})
    assert r.status_code == 200
    # An edit changes it too, and so does a new display name.
    etag = r.headers["etag"]
    b.post("/settings", {"display_name": "Renamed", "bio": ""})
    r = requests.get(f"{base}/tags/{tag}/feed.atom",
                     headers={"If-None-Match": etag})
    assert r.status_code == 200 and "Renamed" in r.text


# ---------------------------------------------------------------- paging

def ids_on(page):
    return [int(x) for x in
            re.findall(r'<h2><a href="/posts/(\d+)-[^"]*">', page)]


def pager(page, rel):
    m = re.search(r'<a rel="%s" href="([^"]+)"' % rel, page)
    return html.unescape(m.group(1)) if m else None


def test_pagination_both_ways(base):
    b, _ = writer(base)
    tag = "pp" + unique_name("")[:6]
    made = [form_post(b, tags=tag)[0] for _ in range(45)]
    # Forward (older) to the end...
    pages, url = [], f"/tags/{tag}"
    while url:
        page = requests.get(base + url).text
        pages.append((url, ids_on(page)))
        if url != f"/tags/{tag}":
            assert link(page, "prev") == base + pager(page, "prev")
        if pager(page, "next"):
            assert link(page, "next") == base + pager(page, "next")
        url = pager(page, "next")
    assert [len(p[1]) for p in pages] == [20, 20, 5]
    seen = [i for _, ids in pages for i in ids]
    assert sorted(seen) == sorted(made) and seen == sorted(seen,
                                                            reverse=True)
    top = requests.get(f"{base}/tags/{tag}").text
    assert pager(top, "prev") is None and link(top, "prev") is None
    # ...and back (newer), page by page: the same pages.
    page = requests.get(base + pages[-1][0]).text
    back = [ids_on(page)]
    while pager(page, "prev"):
        r = requests.get(base + pager(page, "prev"))
        page = r.text
        back.append(ids_on(page))
    assert back == [ids for _, ids in reversed(pages)]
    # The last step back landed on the top of the list itself.
    assert r.url == f"{base}/tags/{tag}" or pager(page, "prev") is None
    # Posts that arrive meanwhile change no page on the way back (the
    # cursors are stable); they are at the top, where the way ends.
    second = requests.get(base + pages[1][0]).text
    new = [form_post(b, tags=tag)[0] for _ in range(3)]
    page = requests.get(base + pager(second, "prev")).text
    assert ids_on(page) == pages[0][1]
    r = requests.get(base + pager(page, "prev"))
    assert r.url == f"{base}/tags/{tag}"
    assert ids_on(r.text)[:3] == new[::-1]
    # A bad cursor either way is a clean 400; both at once too.
    assert requests.get(base + "/?after=AAAA").status_code == 400
    c = pager(top, "next").split("before=")[1]
    assert requests.get(f"{base}/?before={c}&after={c}").status_code == 400


def test_api_pages_both_ways(base):
    name, api, _ = new_user(base)
    tag = "ap" + unique_name("")[:6]
    made = [api.call("POST", "/posts", {"title": f"A{i}",
                                        "body_markdown": "x",
                                        "tags": [tag]}).json()["id"]
            for i in range(7)]
    r = api.call("GET", f"/posts?tag={tag}&limit=3").json()
    assert [p["id"] for p in r["items"]] == made[::-1][:3]
    assert r["prev_cursor"] is None and r["next_cursor"]
    r2 = api.call("GET", f"/posts?tag={tag}&limit=3&before="
                  + r["next_cursor"]).json()
    assert [p["id"] for p in r2["items"]] == made[::-1][3:6]
    back = api.call("GET", f"/posts?tag={tag}&limit=3&after="
                    + r2["prev_cursor"]).json()
    assert [p["id"] for p in back["items"]] == made[::-1][:3]
    assert back["prev_cursor"] is None      # the top
    assert back["next_cursor"]


# ---------------------------------------------------------------- Markdown

def test_footnotes_render_and_link_both_ways(base):
    b, _ = writer(base)
    pid, loc = form_post(b, body="A claim.[^src] Another.[^2]\n\n"
                                 "[^src]: The *source*.\n[^2]: Two.\n")
    page = requests.get(base + loc).text
    assert '<a href="#fn-src" id="fnref-src" data-footnote-ref>1</a>' in page
    assert '<li id="fn-src">' in page and "<em>source</em>" in page
    assert 'href="#fnref-src"' in page
    assert "[^src]" not in page


def test_dropped_content_is_reported_to_the_author(base):
    b, _ = writer(base)
    b.get("/posts/new")
    body = ("My video:\n\n<iframe src=\"https://video.example/embed/9\">"
            "</iframe>\n\n[bad](javascript:alert(1)) end\n")
    r = b.post("/posts/new", {"title": "With a video", "body": body,
                              "publish": "now"})
    assert r.status_code == 303
    m = re.fullmatch(r"/posts/(\d+)/edit\?saved=1", r.headers["location"])
    assert m, r.headers["location"]
    page = b.get(r.headers["location"]).text
    assert "Saved." in page
    assert "1 piece of raw HTML" in page
    assert "&lt;iframe src=&quot;https://video.example/embed/9&quot;&gt;" \
        in page
    assert "1 link whose address is" in page
    # The body is kept as typed, nothing silently lost from the source.
    assert html.escape(body).split("\n")[2] in page
    # The API says it too.
    _, api, _ = new_user(base)
    r = api.call("POST", "/posts", {"title": "t", "body_markdown": body})
    assert r.json()["dropped"] == {"html": 1, "links": 1, "images": 0,
                                   "example": '<iframe src="https://video.'
                                              'example/embed/9"></iframe>'}


def test_preview_is_server_rendered_and_saves_nothing(base, pg):
    b, name = writer(base)
    b.get("/posts/new")
    title = "Preview " + unique_name()
    r = b.post("/posts/new", {"title": title, "body": "# Big\n\nnote[^1]\n"
                              "\n[^1]: n\n\n<video src=x></video>\n",
                              "publish": "now", "action": "preview"})
    assert r.status_code == 200
    assert '<section class="preview"' in r.text
    assert "<h1>Big</h1>" in r.text and 'id="fn-1"' in r.text
    assert "1 piece of raw HTML" in r.text
    assert f'value="{title}"' in r.text            # the form is kept
    assert pg.query("SELECT count(*) FROM posts WHERE title = %s",
                    (title,)) == [(0,)]
    _, api, _ = new_user(base)
    r = api.call("POST", "/preview", {"body_markdown": "*x*[^1]\n\n[^1]: y"})
    assert r.status_code == 200
    assert r.json()["body_html"].startswith("<p><em>x</em><sup")
    assert r.json()["dropped"]["html"] == 0
    assert Api(base).call("POST", "/preview", {"body_markdown": "x"}
                          ).status_code == 401


# ---------------------------------------------------------------- comments

def test_comment_links_and_times(base):
    b, _ = writer(base)
    pid, loc = form_post(b)
    fan, _ = writer(base)
    fan.get(loc)
    text = ("see https://example.com/a?b=1&c=2. and (http://x.org/p_(1)) "
            "but not javascript:alert(1) nor <b>www.evil.com</b>")
    fan.post(f"/posts/{pid}/comments", {"body": text})
    page = requests.get(base + loc).text
    body = page.split('<p class="comment-body">')[1].split("</p>")[0]
    assert ('<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc '
            'noopener">https://example.com/a?b=1&amp;c=2</a>.') in body
    assert '<a href="http://x.org/p_(1)" rel="nofollow ugc noopener">' in body
    assert body.count("<a ") == 2
    assert "&lt;b&gt;www.evil.com&lt;/b&gt;" in body
    m = re.search(r'<time class="local" datetime="(\d{4}-\d\d-\d\dT'
                  r'\d\d:\d\d:\d\dZ)">([^<]+ UTC)</time>', page)
    assert m, page[-3000:]
    # The same markup for the script that adds a comment in place.
    r = fan.post(f"/posts/{pid}/comments", {"body": "http://a.b/"},
                 headers={"Accept": "application/json"})
    assert '<a href="http://a.b/" rel="nofollow ugc noopener">' in \
        r.json()["html"]


# ---------------------------------------------------------------- tags

def test_unicode_tags_canonical_and_redirected(base):
    b, _ = writer(base)
    suffix = unique_name("")[:5]
    pid, _ = form_post(b, tags=f"C++, Machine  Learning, Café{suffix}, "
                                f"#Rust{suffix}")
    _, api, _ = new_user(base)
    post = api.call("GET", f"/posts/{pid}").json()
    assert post["tags"] == ["c++", "machine learning", f"café{suffix}",
                            f"rust{suffix}"]
    page = requests.get(base + f"/posts/{pid}-x").text
    assert f'href="/tags/caf%C3%A9{suffix}"' in page
    assert 'href="/tags/machine_learning"' in page
    assert pid in ids_on(requests.get(base + "/tags/c++").text)
    for typed, canon in (("/tags/C++", "/tags/c++"),
                         (f"/tags/CAF%C3%89{suffix}",
                          f"/tags/caf%C3%A9{suffix}"),
                         ("/tags/Machine%20Learning",
                          "/tags/machine_learning"),
                         (f"/tags/%23rust{suffix}", f"/tags/rust{suffix}")):
        r = requests.get(base + typed, allow_redirects=False)
        assert (r.status_code, r.headers.get("location")) == (301, canon), \
            typed
    assert pid in ids_on(requests.get(base + f"/tags/café{suffix}").text)
    assert requests.get(base + "/tags/%ZZ").status_code == 404
    assert requests.get(base + "/tags/a%3Bb").status_code == 404
    # The API's filter takes a tag as typed.
    r = api.call("GET", "/posts?tag=" + quote("MACHINE LEARNING"))
    assert pid in [p["id"] for p in r.json()["items"]]


# ---------------------------------------------------------------- search

def test_search_finds_people_by_name(base):
    suffix = unique_name("")[:6]
    b, name = writer(base, display_name=f"Jeanne Dupont{suffix}")
    page = requests.get(base + "/search", params={"q": f"dupont{suffix}"})
    assert "<h2>People</h2>" in page.text
    assert f'href="/users/{name}"' in page.text
    page = requests.get(base + "/search", params={"q": name[:6]}).text
    assert f'href="/users/{name}"' in page          # a prefix of the name
    r = Api(base).call("GET", "/users?q=" + quote(f"Jeanne Dupont{suffix}"))
    assert [u["username"] for u in r.json()["items"]] == [name]
    assert Api(base).call("GET", "/users?q=").status_code == 422


def test_search_in_the_posts_language(base, pg):
    _, api, _ = new_user(base)
    word = "zq" + unique_name("")[:6]
    fr = api.call("POST", "/posts", {
        "title": f"Les chats {word}", "lang": "fr",
        "body_markdown": "Les chats dorment dans les maisons."}).json()
    de = api.call("POST", "/posts", {
        "title": f"Die Häuser {word}",
        "body_markdown": "Die Kinder spielen in den Häusern und die "
                         "Katzen schlafen nicht mit dem Hund."}).json()
    cfgs = dict(pg.query("SELECT id, search_config::text FROM posts WHERE "
                         "id IN (%s, %s)", (fr["id"], de["id"])))
    assert cfgs == {fr["id"]: "french", de["id"]: "german"}  # given, guessed
    assert fr["lang"] == "fr" and de["lang"] is None

    def found(q):
        return ids_on(requests.get(base + "/search",
                                   params={"q": q}).text)
    # French stems: "maison" finds "maisons", "chat" finds "chats".
    assert fr["id"] in found("maison")
    assert fr["id"] in found("chat")
    # German: "Haus" forms, "Kind".
    assert de["id"] in found("Kind")
    assert de["id"] in found("spielt")
    # Stop words of one language do not hide a post of another.
    assert fr["id"] in found(f"les {word}")
    page = requests.get(base + fr["url"][len(base):]).text
    assert '<article class="post" lang="fr">' in page


# ---------------------------------------------------------------- settings

def test_settings_form_keeps_what_was_typed(base):
    b, name = writer(base)
    _, _ = b, name
    b.get("/settings")
    r = b.post("/settings", {"display_name": "Ada", "bio": "My bio."})
    assert r.status_code == 303
    # A wrong current password: the profile as saved, the error beside
    # the current password (not the new one).
    r = b.post("/settings/password", {"current_password": "wrong one!!",
                                       "new_password": "a good new one"})
    assert r.status_code == 422
    assert ">My bio.</textarea>" in r.text
    assert 'value="Ada"' in r.text
    assert 'id="e-current_password">Your current password is wrong.' \
        in r.text
    assert 'id="e-new_password"' not in r.text
    # Saving the profile from that page keeps the bio.
    r = b.post("/settings", {"display_name": "Ada", "bio": "My bio."})
    assert r.status_code == 303
    assert ">My bio.</textarea>" in b.get("/settings").text
    # A new password too short: the error beside the new one.
    r = b.post("/settings/password", {"current_password": "x",
                                       "new_password": "short"})
    assert 'id="e-new_password"' in r.text
    assert 'id="e-current_password"' not in r.text
    # A refused profile keeps what was typed, each error beside its field.
    r = b.post("/settings", {"display_name": "Bob\u202e", "bio":
                             "Typed bio \x07"})
    assert r.status_code == 422
    assert "Typed bio" in r.text and 'value="Bob' in r.text
    assert 'id="e-display_name"' in r.text and 'id="e-bio"' in r.text


def test_settings_keep_the_avatar_after_a_refusal(base):
    name, api, tok = new_user(base, password="long enough pw")
    b = Browser(base)
    b.login(name, password="long enough pw")
    img = upload_image(base, api)
    b.get("/settings")
    assert b.post("/settings/avatar", {"image_id": str(img["id"])}
                  ).status_code == 303
    r = b.post("/settings/password", {"current_password": "nope nope",
                                       "new_password": "another pass"})
    assert r.status_code == 422
    assert re.search(r'<img class="avatar" alt="Your avatar" src="[^"]+'
                     r'\.png">', r.text)
    r = b.post("/settings", {"display_name": "x\u200b", "bio": ""})
    assert r.status_code == 422
    assert 'alt="Your avatar"' in r.text


# ---------------------------------------------------------------- editor

def test_editor_fields_round_trip(base):
    b, _ = writer(base)
    name_api, api, _ = new_user(base)
    pid, loc = form_post(b, summary="My own excerpt.", lang="pt-br",
                         tags="Um, Dois")
    edit = b.get(f"/posts/{pid}/edit").text
    assert ">My own excerpt.</textarea>" in edit
    assert 'value="pt-BR"' in edit
    assert 'value="um, dois"' in edit
    # A cover that is not one's own image is refused beside its field.
    img = upload_image(base, api)
    r = b.post(f"/posts/{pid}/edit", {"title": "t", "body": "x",
                                      "publish": "now",
                                      "cover_image_id": str(img["id"])})
    assert r.status_code == 422
    assert 'id="e-cover_image_id"' in r.text
    r = api.call("POST", "/posts", {"title": "x", "body_markdown": "y",
                                    "cover_image_id": 10 ** 12})
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {
        "cover_image_id": "not one of your ready images"}


def test_search_without_words_is_an_empty_page(base, server):
    """Nothing to look for ("!!!", stop words alone): an empty page, and
    no notice from PostgreSQL in kblog's log (what this test added to the
    shared server's log: other tests' lines are theirs)."""
    before = len(server.output())
    for q in ("!!!", "()", "the", "und die"):
        r = requests.get(base + "/search", params={"q": q})
        assert r.status_code == 200, q
        assert ids_on(r.text) == [] or q in ("the", "und die"), q
    assert Api(base).call("GET", "/users?q=" + quote("!!!")).json() == \
        {"items": [], "next_cursor": None}
    assert "NOTICE" not in server.output()[before:]
