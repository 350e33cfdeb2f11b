"""The blog: posts, comments, likes, lists, search, feeds."""

import concurrent.futures
import random
import re
import xml.etree.ElementTree as ET

import requests

from client import Browser, unique_name

ATOM = "{http://www.w3.org/2005/Atom}"


def new_post(b, title=None, body="Hello *world*", tags="", published=True):
    title = title or "Post " + unique_name()
    b.get("/posts/new")
    data = {"title": title, "body": body, "tags": tags}
    if published:
        data["published"] = "1"
    r = b.post("/posts/new", data)
    assert r.status_code == 303, r.text[:500]
    # To the post's address, or to the editor when safe mode left
    # something out (it says what).
    m = re.match(r"^/posts/(\d+)(-[^/?#]+|/edit\?saved=1)$",
                 r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1)), title


def writer(base):
    b = Browser(base)
    b.register()
    return b


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<svg onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<b onmouseover=alert(1)>bold</b>",
    "[x](vbscript:msgbox(1))",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "[a](\"onmouseover=alert(1))",
    "<details open ontoggle=alert(1)>",
    "`<script>`",
]


def test_markdown_xss_corpus_renders_inert(base):
    b = writer(base)
    body = "\n\n".join(XSS) + "\n\n# Heading\n\n- item\n\n```c\nint x;\n```\n"
    pid, _ = new_post(b, body=body)
    page = requests.get(f"{base}/posts/{pid}").text
    article = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    low = article.lower()
    assert "<script" not in low
    assert "<iframe" not in low and "<svg" not in low
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", low)
    for attr in re.findall(r'(?:href|src)="([^"]*)"', low):
        assert not attr.strip().startswith(("javascript:", "vbscript:",
                                            "data:")), attr
    assert "<h1>Heading</h1>" in article
    assert "<li>item</li>" in article
    assert 'class="language-c"' in article
    # The title is text too.
    pid2, _ = new_post(b, title="<script>alert('t')</script>")
    page = requests.get(f"{base}/posts/{pid2}").text
    assert "<script>alert('t')" not in page
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page


def test_other_users_cannot_edit_delete_or_see_drafts(base, pg):
    alice, bob = writer(base), writer(base)
    pid, title = new_post(alice, body="original")
    draft, _ = new_post(alice, body="secret draft", published=False)

    bob.get("/")
    assert bob.get(f"/posts/{pid}/edit", allow_redirects=False
                   ).status_code == 403
    r = bob.post(f"/posts/{pid}/edit", {"title": "hacked", "body": "x",
                                        "published": "1"})
    assert r.status_code == 403
    assert bob.post(f"/posts/{pid}/delete").status_code == 403
    assert pg.query("SELECT title, body_md FROM posts WHERE id = %s",
                    (pid,)) == [(title, "original")]

    # Drafts: 404 for everyone but their author, and not listed.
    assert bob.get(f"/posts/{draft}").status_code == 404
    assert requests.get(f"{base}/posts/{draft}").status_code == 404
    assert alice.get(f"/posts/{draft}").status_code == 200
    assert f"/posts/{draft}-" not in requests.get(base + "/").text
    assert bob.post(f"/posts/{draft}/comments",
                    {"body": "hi"}).status_code == 404
    assert bob.post(f"/posts/{draft}/like").status_code == 404
    name = alice.get("/").text.split("Logged in as <strong>")[1].split("<")[0]
    assert f"/posts/{draft}-" in alice.get(f"/users/{name}").text
    assert f"/posts/{draft}-" not in bob.get(f"/users/{name}").text

    # The author can.
    r = alice.post(f"/posts/{pid}/edit", {"title": "Renamed", "body": "new",
                                          "tags": "a, B,a", "published": "1"})
    assert r.status_code == 303
    assert pg.query("SELECT title, body_md, tags FROM posts WHERE id = %s",
                    (pid,)) == [("Renamed", "new", ["a", "b"])]
    assert requests.get(f"{base}/posts/999999999").status_code == 404
    assert alice.post("/posts/999999999/delete").status_code == 404


def test_anonymous_writes_go_to_login_whatever_their_body(base):
    # Who is asking is settled before the body is read: an anonymous
    # write is sent to log in, not told its body is malformed.
    for ctype, body in (("text/plain", "x"),
                        ("application/x-www-form-urlencoded", "a=%zz")):
        r = requests.post(base + "/posts/new", data=body,
                          headers={"content-type": ctype},
                          allow_redirects=False)
        assert r.status_code == 303, (ctype, r.status_code)
        assert r.headers["location"].startswith("/login")


def test_post_validation(base, pg):
    b = writer(base)
    b.get("/posts/new")
    before = pg.query("SELECT count(*) FROM posts")[0][0]
    for data, needle in (
            ({"title": "", "body": "x"}, "Give the post a title."),
            ({"title": "t" * 201, "body": "x"}, "too long"),
            ({"title": "ok", "body": "x" * 100001}, "100,000 bytes"),
            ({"title": "ok", "body": "x", "tags": ",".join(
                f"t{i}" for i in range(11))}, "At most 10 tags."),
            ({"title": "ok", "body": "x", "tags": "bad tag!"}, "Tags use")):
        r = b.post("/posts/new", data)
        assert r.status_code == 422
        assert needle in r.text
    assert pg.query("SELECT count(*) FROM posts")[0][0] == before
    # Logged out: to the login page, nothing written.
    r = requests.post(base + "/posts/new", data={"title": "x", "body": "y"},
                      allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_comments_and_likes_need_login_and_csrf(base, pg):
    author = writer(base)
    pid, _ = new_post(author)
    anon = requests.Session()
    r = anon.post(f"{base}/posts/{pid}/comments", data={"body": "spam"},
                  allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = anon.post(f"{base}/posts/{pid}/like", allow_redirects=False,
                  headers={"Accept": "application/json"})
    assert r.status_code == 401
    fan = writer(base)
    assert fan.post(f"/posts/{pid}/comments", {"body": "no token"},
                    csrf=False).status_code == 403
    assert fan.post(f"/posts/{pid}/like", csrf=False).status_code == 403
    assert pg.query("SELECT count(*) FROM comments WHERE post_id = %s",
                    (pid,)) == [(0,)]
    assert pg.query("SELECT like_count, (SELECT count(*) FROM likes WHERE "
                    "post_id = %s) FROM posts WHERE id = %s",
                    (pid, pid)) == [(0, 0)]


def test_comment_add_escape_delete(base, pg):
    author, fan, other = writer(base), writer(base), writer(base)
    pid, _ = new_post(author)
    r = fan.post(f"/posts/{pid}/comments",
                 {"body": "<b>hi</b>\nsecond line"})
    assert r.status_code == 303
    page = requests.get(f"{base}/posts/{pid}").text
    assert "&lt;b&gt;hi&lt;/b&gt;<br>\nsecond line" in page
    [(cid, count)] = pg.query("SELECT c.id, p.comment_count FROM comments c "
                              "JOIN posts p ON p.id = c.post_id "
                              "WHERE c.post_id = %s", (pid,))
    assert count == 1
    for bad in ("", "   \n", "x" * 5001):
        assert fan.post(f"/posts/{pid}/comments",
                        {"body": bad}).status_code == 422
    # JSON for the script: the rendered, escaped comment.
    r = fan.post(f"/posts/{pid}/comments", {"body": "<i>js</i>"},
                 headers={"Accept": "application/json"})
    assert r.status_code == 200
    data = r.json()
    assert data["comment_count"] == 2
    assert "&lt;i&gt;js&lt;/i&gt;" in data["html"] and "<i>" not in data["html"]
    # Only the comment's author or the post's author may delete.
    assert other.post(f"/comments/{cid}/delete").status_code == 403
    assert fan.post(f"/comments/{cid}/delete").status_code == 303
    assert author.post(f"/comments/{data['id']}/delete").status_code == 303
    assert fan.post(f"/comments/{cid}/delete").status_code == 404
    assert pg.query("SELECT comment_count FROM posts WHERE id = %s",
                    (pid,)) == [(0,)]


def test_like_unlike_idempotent(base, pg):
    author, fan = writer(base), writer(base)
    pid, _ = new_post(author)
    js = {"Accept": "application/json"}
    assert fan.post(f"/posts/{pid}/like", {"action": "like"},
                    headers=js).json() == {"liked": True, "like_count": 1}
    assert fan.post(f"/posts/{pid}/like", {"action": "like"},
                    headers=js).json() == {"liked": True, "like_count": 1}
    assert fan.post(f"/posts/{pid}/like", {"action": "unlike"},
                    headers=js).json() == {"liked": False, "like_count": 0}
    assert fan.post(f"/posts/{pid}/like", {"action": "unlike"},
                    headers=js).json() == {"liked": False, "like_count": 0}
    r = fan.post(f"/posts/{pid}/like", {"action": "like"})
    assert r.status_code == 303 and r.headers["location"] == f"/posts/{pid}"
    assert 'aria-pressed="true"' in fan.get(f"/posts/{pid}").text


def test_concurrent_like_storm_ends_exact(base, pg):
    author = writer(base)
    pid, _ = new_post(author)
    users = [writer(base) for _ in range(50)]
    rng = random.Random(7)
    jobs = [(rng.choice(users), rng.choice(("like", "unlike")))
            for _ in range(200)]

    def act(job):
        b, action = job
        return b.post(f"/posts/{pid}/like", {"action": action},
                      headers={"Accept": "application/json"}).status_code

    with concurrent.futures.ThreadPoolExecutor(50) as ex:
        codes = list(ex.map(act, jobs))
    assert codes == [200] * 200
    [(counter, rows)] = pg.query(
        "SELECT like_count, (SELECT count(*) FROM likes WHERE post_id = %s) "
        "FROM posts WHERE id = %s", (pid, pid))
    assert counter == rows
    assert pg.query("SELECT count(*) FROM (SELECT user_id FROM likes WHERE "
                    "post_id = %s GROUP BY user_id HAVING count(*) > 1) d",
                    (pid,)) == [(0,)]


def ids_on(html):
    return [int(x) for x in re.findall(r'<h2><a href="/posts/(\d+)-[^"]*">',
                                       html)]


def next_link(html):
    m = re.search(r'<a rel="next" href="([^"]+)"', html)
    return m.group(1).replace("&amp;", "&") if m else None


def test_pagination_stable_while_posts_arrive(base, pg):
    tag = "pg" + unique_name("")[:8]
    b = writer(base)
    made = [new_post(b, tags=tag)[0] for _ in range(45)]
    seen = []
    url = f"/tags/{tag}"
    pages = 0
    while url:
        html = requests.get(base + url).text
        seen += ids_on(html)
        # New posts keep arriving between page loads.
        new_post(b, tags=tag)
        url = next_link(html)
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)), "a post was repeated"
    assert sorted(seen) == sorted(made), "a post was skipped"
    assert seen == sorted(seen, reverse=True)
    # A forged cursor is a clean 400, not a 500.
    assert requests.get(base + "/?cursor=AAAA").status_code == 400
    assert requests.get(base + "/?cursor=" + "A" * 24).status_code == 400


def test_home_lists_newest_with_counts(base):
    b = writer(base)
    pid, title = new_post(b, body="An **excerpt** here " + "word " * 100)
    html = requests.get(base + "/").text
    assert ids_on(html)[0] == pid
    item = html.split(f'<a href="/posts/{pid}-', 1)[1].split("</li>")[0]
    assert "An excerpt here" in item and "<strong>" not in item
    assert "0 likes" in item and "0 comments" in item
    assert len(ids_on(html)) <= 20


def test_search_finds_new_and_forgets_deleted(base):
    b = writer(base)
    word = "zyx" + unique_name("")[:8]
    r = requests.get(base + "/search", params={"q": word})
    assert "No posts found." in r.text
    pid, _ = new_post(b, title="About " + word, body="text")
    r = requests.get(base + "/search", params={"q": word})
    assert ids_on(r.text) == [pid]
    pid2, _ = new_post(b, title="Other", body="the body mentions " + word)
    assert ids_on(requests.get(base + "/search",
                               params={"q": word}).text) == [pid, pid2]
    assert b.post(f"/posts/{pid}/delete").status_code == 303
    assert ids_on(requests.get(base + "/search",
                               params={"q": word}).text) == [pid2]
    r = requests.get(base + "/search", params={"q": "<script>x</script>"})
    assert r.status_code == 200 and "<script>x" not in r.text
    assert "&lt;script&gt;x&lt;/script&gt;" in r.text


def test_delete_post_removes_comments_and_likes(base, pg):
    author, fan = writer(base), writer(base)
    pid, _ = new_post(author)
    fan.post(f"/posts/{pid}/comments", {"body": "nice"})
    fan.post(f"/posts/{pid}/like", {"action": "like"})
    assert author.post(f"/posts/{pid}/delete").status_code == 303
    assert pg.query("SELECT (SELECT count(*) FROM posts WHERE id = %s), "
                    "(SELECT count(*) FROM comments WHERE post_id = %s), "
                    "(SELECT count(*) FROM likes WHERE post_id = %s)",
                    (pid, pid, pid)) == [(0, 0, 0)]
    assert requests.get(f"{base}/posts/{pid}").status_code == 404


def test_comment_pages_past_100(base, pg):
    author = writer(base)
    pid, _ = new_post(author)
    [(uid,)] = pg.query("SELECT author_id FROM posts WHERE id = %s", (pid,))
    pg.query("INSERT INTO comments (post_id, author_id, body, created_at) "
             "SELECT %s, %s, 'c' || g, now() + g * interval '1 ms' "
             "FROM generate_series(1, 130) g", (pid, uid))
    html = requests.get(f"{base}/posts/{pid}").text
    assert html.count('<p class="comment-body">') == 100
    assert ">c1<" in html and ">c100<" in html and ">c101<" not in html
    more = next_link(html)
    html2 = requests.get(base + more).text
    assert html2.count('<p class="comment-body">') == 30
    assert ">c101<" in html2 and ">c130<" in html2


def test_tag_and_author_pages(base):
    b = writer(base)
    tag = "t" + unique_name("")[:8]
    pid, _ = new_post(b, tags=f"{tag.upper()}, other")
    assert ids_on(requests.get(f"{base}/tags/{tag}").text) == [pid]
    assert requests.get(f"{base}/tags/bad!tag").status_code == 404


def test_atom_feed_and_sitemap(base):
    b = writer(base)
    pid, title = new_post(b, title="Feed <&> test", body="**bold**")
    r = requests.get(base + "/feed.atom")
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    assert root.tag == ATOM + "feed"
    for el in ("id", "title", "updated"):
        assert root.find(ATOM + el) is not None
    entries = root.findall(ATOM + "entry")
    assert 1 <= len(entries) <= 20
    entry = next(e for e in entries
                 if e.find(ATOM + "title").text == "Feed <&> test")
    for el in ("id", "updated", "published", "link", "author", "content"):
        assert entry.find(ATOM + el) is not None
    assert entry.find(ATOM + "content").get("type") == "html"
    assert "<strong>bold</strong>" in entry.find(ATOM + "content").text
    assert re.search(rf"/posts/{pid}-feed-test$",
                     entry.find(ATOM + "link").get("href"))
    r = requests.get(base + "/sitemap.xml")
    root = ET.fromstring(r.content)
    locs = [e.text for e in root.iter(
        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(f"/posts/{pid}-feed-test") for loc in locs)


def test_pages_work_without_javascript(base):
    """Every action is a plain form whose action and method are real."""
    b = writer(base)
    pid, _ = new_post(b)
    html = b.get(f"/posts/{pid}").text
    forms = re.findall(r'<form[^>]*action="([^"]+)"[^>]*method="post"|'
                       r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)
    actions = {a or b_ for a, b_ in forms}
    assert f"/posts/{pid}/like" in actions
    assert f"/posts/{pid}/comments" in actions
    assert f"/posts/{pid}/delete" in actions
    assert "/logout" in actions
    m = re.search(r'<script src="(/static/app\.[0-9a-f]{12}\.js)" defer>'
                  r'</script>', html)
    assert m, html[:800]
    assert "<script>" not in html
    js = requests.get(base + m.group(1))
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")


def test_queued_queries_under_load_do_not_crash(pg, kblog_factory):
    """Two queries per page with a pool of one: most queries wait in
    Kore's queue.  A query must never sit in that queue twice (it once did,
    and a freed request was woken later: a worker crash)."""
    k = kblog_factory(pg.url, extra_env={"WORKERS": "1", "DB_POOL": "1"})
    b = Browser(k.url)
    b.register()
    pid, _ = new_post(b)
    b.post(f"/posts/{pid}/comments", {"body": "first"})
    workers = k.worker_pids()

    def load(_):
        s = requests.Session()
        return [s.get(f"{k.url}/posts/{pid}").status_code
                for _ in range(25)]

    with concurrent.futures.ThreadPoolExecutor(32) as ex:
        codes = [c for batch in ex.map(load, range(32)) for c in batch]
    assert codes == [200] * (32 * 25)
    assert k.worker_pids() == workers, k.output()[-2000:]
