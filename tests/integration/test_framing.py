"""One request on the wire, one response: request framing over raw
sockets, against kblog directly and through nginx.

Kore 4.1 alone ignores Content-Length on GET, HEAD, DELETE and OPTIONS,
reads at most http_header_max (8192) bytes at a time, takes the first of
several Content-Length fields and splits lines on a lone CR or LF: a
request's body could become a second request on the same connection,
and behind a proxy that keeps upstream connections alive, the next
user's request became the body of a smuggled one.  kblog checks every
head before Kore parses it (src/lib/httphead.c, src/web/framing.c).

Every case here shows: exactly one response, the connection closed,
nothing stored, and (through a proxy) the next client's request on the
same upstream connection untouched.
"""

import json
import re
import socket
import time
import uuid

import pytest
import requests

from client import Browser
from nginx_proxy import Nginx, nginx_bin  # noqa: F401 (a fixture)
from harness import REPO, free_port

HEADER_MAX = 8192	# conf/routes.conf http_header_max


def exchange(port, chunks, pause=0.3, timeout=5.0, linger=1.0):
    """Sends the chunks (pausing between them), reads until the server
    closes or goes quiet for `linger` seconds.  Returns (bytes, closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        for i, c in enumerate(chunks):
            if i:
                time.sleep(pause)
            try:
                s.sendall(c)
            except (BrokenPipeError, ConnectionResetError):
                break
        data, closed = b"", False
        s.settimeout(linger)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                part = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not part:
                closed = True
                break
            data += part
        return data, closed
    finally:
        s.close()


def parse(data):
    """The responses in a byte stream, framed by Content-Length:
    [(status, {header: value}, body)].  Raises on leftover bytes."""
    out = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"truncated response: {data[:200]!r}"
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3}) ", lines[0])
        assert m, f"not a status line: {lines[0]!r}"
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        out.append((int(m.group(1)), headers, rest[:n]))
        data = rest[n:]
    return out


def head(method, path, *fields, host="kblog.test"):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def assert_refused(data, closed, status, json_body=False):
    rs = parse(data)
    assert len(rs) == 1, rs
    st, h, body = rs[0]
    assert st == status, (st, body[:300])
    assert closed, "the connection stayed open"
    assert h.get("connection") == "close"
    # The security headers, as on every other response.
    assert "default-src 'self'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    if json_body:
        assert h["content-type"].startswith("application/json")
        assert re.match(rb'^\{"error":\{"code":"[a-z_]+","message":"',
                        body), body
    else:
        assert h["content-type"].startswith("text/html")
        assert b"<h1>" in body


def port_of(url):
    return int(url.rsplit(":", 1)[1])


def hidden(inner):
    """A body that carries `inner` past Kore's first read (8192 bytes),
    behind spaces: Kore alone skipped leading spaces of a request line,
    so the leftover bytes parsed as `inner` wherever the read ended."""
    return b" " * (HEADER_MAX + 100) + inner


# ------------------------------------------------------------- directly

@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE", "OPTIONS"])
def test_body_past_the_first_read_is_not_a_second_request(base, method):
    """The review's example: a body whose bytes past 8192 hold a request."""
    body = hidden(head("GET", "/api/v1/me"))
    req = head(method, "/health", f"Content-Length: {len(body)}") + body
    data, closed = exchange(port_of(base), [req])
    assert_refused(data, closed, 400)


def test_body_in_a_later_write_is_not_a_second_request(base):
    port = port_of(base)
    inner = head("GET", "/api/v1/me")
    data, closed = exchange(port, [
        head("GET", "/health", f"Content-Length: {len(inner)}"), inner])
    assert_refused(data, closed, 400)


AMBIGUOUS = [
    # CL.CL, even equal ones
    (head("POST", "/login", "Content-Length: 5", "Content-Length: 5") +
     b"a=1&b", 400),
    (head("POST", "/login", "Content-Length: 5", "content-length: 40") +
     b"a=1&b", 400),
    # lengths that are not plain digits
    (head("POST", "/login", "Content-Length: +5") + b"a=1&b", 400),
    (head("POST", "/login", "Content-Length: 0x5") + b"a=1&b", 400),
    (head("POST", "/login", "Content-Length: 5 5") + b"a=1&b", 400),
    (head("POST", "/login", "Content-Length: 5, 5") + b"a=1&b", 400),
    (head("POST", "/login", "Content-Length: -1") + b"a=1&b", 400),
    # Transfer-Encoding of any kind
    (head("POST", "/login", "Transfer-Encoding: chunked") +
     b"5\r\na=1&b\r\n0\r\n\r\n", 411),
    (head("POST", "/login", "Content-Length: 5",
          "Transfer-Encoding: chunked") + b"0\r\n\r\n", 411),
    (head("POST", "/login", "Transfer-Encoding: identity",
          "Content-Length: 5") + b"a=1&b", 411),
    (head("GET", "/", "Transfer-Encoding: chunked") + b"0\r\n\r\n", 400),
    # line ends and folding that split parsers differently
    (b"GET / HTTP/1.1\nHost: x\n\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: 1\rContent-Length: 5\r\n\r\nhello",
     400),
    (head("POST", "/login", "Content-Length: 5", " Transfer-Encoding: "
          "chunked") + b"a=1&b", 400),
    (head("POST", "/login", "Transfer-Encoding : chunked",
          "Content-Length: 5") + b"a=1&b", 400),
    # what Kore refuses without kblog's headers
    (head("POST", "/login"), 411),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"PROPFIND / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
    (b"PUT / HTTP/1.0\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
    (b"GET /" + b"a" * 2100 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\n\r\n", 400),
    (head("GET", "/", "Host: y"), 400),
]


@pytest.mark.parametrize("raw,status", AMBIGUOUS,
                         ids=[str(i) for i in range(len(AMBIGUOUS))])
def test_ambiguous_framing_gets_one_answer_and_a_closed_connection(
        base, raw, status):
    data, closed = exchange(port_of(base), [raw])
    assert_refused(data, closed, status)


def test_api_paths_get_the_json_envelope(base):
    data, closed = exchange(port_of(base), [
        head("GET", "/api/v1/posts", "Content-Length: 3") + b"abc"])
    assert_refused(data, closed, 400, json_body=True)
    data, closed = exchange(port_of(base), [
        head("POST", "/api/v1/posts", "Transfer-Encoding: chunked") +
        b"0\r\n\r\n"])
    assert_refused(data, closed, 411, json_body=True)


def test_smuggled_comment_stores_nothing(base, pg):
    """A logged-in attacker hides a comment post in a GET's body, aligned
    on Kore's read, in the same write and in a later one."""
    b = Browser(base)
    b.register()
    r = b.post("/posts/new", {"title": "bait", "body": "x",
                              "published": "1"})
    post = int(r.headers["location"].split("/")[2].split("-")[0])
    cookie = "kb_session=" + b.session_cookie()
    mark = uuid.uuid4().hex
    form = f"csrf={b.csrf}&body={mark}".encode()
    inner = head("POST", f"/posts/{post}/comments", f"Cookie: {cookie}",
                 "Content-Type: application/x-www-form-urlencoded",
                 f"Content-Length: {len(form) + 400}") + form
    before = pg.query("SELECT count(*) FROM comments")[0][0]
    port = port_of(base)
    body = hidden(inner)
    req = head("GET", "/", f"Content-Length: {len(body)}") + body
    data, closed = exchange(port, [req, b"B" * 400])
    assert_refused(data, closed, 400)
    data, closed = exchange(port, [head("GET", "/", f"Content-Length: "
                                        f"{len(inner)}"), inner, b"C" * 400])
    assert_refused(data, closed, 400)
    assert pg.query("SELECT count(*) FROM comments")[0][0] == before
    assert not pg.query("SELECT 1 FROM comments WHERE body LIKE %s",
                        (f"%{mark}%",))


def test_pipelined_bytes_close_the_connection(base):
    """A second request in the same read is never parsed: the first is
    answered and the connection closes (the client retries it)."""
    port = port_of(base)
    data, closed = exchange(port, [head("GET", "/health") +
                                   head("GET", "/api/v1/me")])
    rs = parse(data)
    assert [r[0] for r in rs] == [200] and closed
    assert rs[0][1]["connection"] == "close"
    form = b"username=x&password=y"
    data, closed = exchange(port, [
        head("POST", "/login", "Content-Type: application/x-www-form-"
             "urlencoded", f"Content-Length: {len(form)}") + form +
        head("GET", "/health")])
    rs = parse(data)
    assert len(rs) == 1 and closed, rs


def test_keep_alive_still_carries_request_after_request(base):
    """Well-framed requests, each after the last answer, share a
    connection as before."""
    s = socket.create_connection(("127.0.0.1", port_of(base)), timeout=5)
    try:
        got = []
        for raw in (head("GET", "/health"),
                    head("POST", "/api/v1/tokens", "Content-Type: "
                         "application/json", "Content-Length: 2") + b"{}",
                    head("GET", "/health")):
            s.sendall(raw)
            buf = b""
            while True:
                buf += s.recv(65536)
                try:
                    rs = parse(buf)
                except AssertionError:
                    continue
                if rs and len(rs[0][2]) == int(rs[0][1].get(
                        "content-length", 0)):
                    break
            got.append(rs[0][0])
            assert rs[0][1]["connection"] == "keep-alive"
        assert got[0] == 200 and got[2] == 200 and got[1] in (401, 422)
    finally:
        s.close()


def test_bodies_are_refused_before_they_are_read(base):
    """413 comes back at once, from the head alone, for each route's own
    limit: forms, the JSON API, the local store's uploads."""
    port = port_of(base)
    for path, size, json_body in (("/login", 400 * 1024, False),
                                  ("/api/v1/posts", 1024 * 1024 + 1, True),
                                  ("/_store/u/1/x.jpg", 11 * 1024 * 1024,
                                   True)):
        method = "PUT" if path.startswith("/_store") else "POST"
        t = time.time()
        data, closed = exchange(port, [head(method, path,
                                            f"Content-Length: {size}")])
        assert_refused(data, closed, 413, json_body=json_body)
        assert time.time() - t < 2.5


def test_a_whole_post_fits_in_a_form(base):
    """A 100,000-byte body of two-byte characters is 300,000 bytes once
    percent-encoded: the form limit takes it."""
    b = Browser(base)
    b.register()
    r = b.post("/posts/new", {"title": "long", "body": "é" * 50000,
                              "published": "1"})
    assert r.status_code == 303, r.text[:300]


def test_head_limits(base):
    port = port_of(base)
    # A head larger than http_header_max.
    data, closed = exchange(port, [head("GET", "/", "X-Big: " +
                                        "b" * HEADER_MAX)])
    assert_refused(data, closed, 431)
    # More field lines than Kore reads: the ones kblog never reads make
    # room, so the session cookie on the 30th line still counts (Kore
    # alone silently dropped it).
    b = Browser(base)
    name, _ = b.register()
    junk = [f"Sec-Junk-{i}: {i}" for i in range(28)]
    raw = head("GET", "/api/v1/me", *junk,
               f"Cookie: kb_session={b.session_cookie()}")
    data, closed = exchange(port, [raw], linger=0.5)
    (st, h, body), = parse(data)
    assert st == 200 and json.loads(body)["username"] == name, body
    # Too many fields kblog does read: refused, never silently cut.
    raw = head("GET", "/", *[f"Cookie: c{i}=1" for i in range(30)])
    data, closed = exchange(port, [raw])
    assert_refused(data, closed, 431)


def test_static_assets_have_headers_and_a_cache_policy(base):
    page = requests.get(base + "/login").text
    css = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', page)
    js = re.search(r'src="(/static/app\.[0-9a-f]{12}\.js)"', page)
    assert css and js, page[:600]
    for path, ctype in ((css.group(1), "text/css"),
                        (js.group(1), "text/javascript")):
        r = requests.get(base + path)
        assert r.status_code == 200 and r.headers["content-type"] \
            .startswith(ctype)
        assert r.headers["cache-control"] == \
            "public, max-age=31536000, immutable"
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
        etag = r.headers["etag"]
        assert path.split(".")[1] == etag.strip('"')[:12]
        r2 = requests.get(base + path, headers={"If-None-Match": etag})
        assert r2.status_code == 304 and r2.content == b""
        h = requests.head(base + path)
        assert h.status_code == 200 and h.content == b""
        plain = re.sub(r"\.[0-9a-f]{12}\.", ".", path)
        r3 = requests.get(base + plain)
        assert r3.status_code == 200 and r3.content == r.content
        assert r3.headers["cache-control"] == "no-cache"
        # A stale fingerprint gets today's file, never cached for long.
        stale = re.sub(r"\.[0-9a-f]{12}\.", ".000000000000.", path)
        r4 = requests.get(base + stale)
        assert r4.status_code == 200 and r4.headers["cache-control"] == \
            "no-cache"
    r = requests.get(base + "/static/nothing.css")
    assert r.status_code == 404
    assert "default-src 'self'" in r.headers["content-security-policy"]


# ---------------------------------------------------------- through nginx

# kblog's shipped rules (deploy/nginx-kblog.conf), and a plain proxy that
# forwards a GET's body as nginx does without them (a load balancer may
# too): kblog must be safe behind either.  One nginx worker and one
# upstream, kept alive, so consecutive requests share a connection.
NGINX_CONF = """\
{user}
worker_processes	1;
pid			{dir}/nginx.pid;
error_log		{dir}/error.log info;
events {{
	worker_connections	256;
}}
http {{
	client_body_temp_path	{dir}/tmp/body;
	proxy_temp_path		{dir}/tmp/proxy;
	fastcgi_temp_path	{dir}/tmp/fastcgi;
	uwsgi_temp_path		{dir}/tmp/uwsgi;
	scgi_temp_path		{dir}/tmp/scgi;
	access_log	{dir}/access.log;
	upstream kblog {{
		server		127.0.0.1:{kblog_port};
		keepalive	4;
		keepalive_timeout	20s;
	}}
	server {{
		listen		127.0.0.1:{port};
		add_header	X-Upstream $upstream_addr always;
{rules}
	}}
}}
"""

SHIPPED = "\t\tinclude {repo}/deploy/nginx-kblog.conf;"
PLAIN = """\
		proxy_http_version	1.1;
		proxy_set_header	Connection "";
		proxy_set_header	Host $http_host;
		location / {
			proxy_pass	http://kblog;
		}"""


@pytest.fixture(scope="module")
def proxies(nginx_bin, server, workdir):
    made = {}
    for name, rules in (("shipped", SHIPPED), ("plain", PLAIN)):
        made[name] = Nginx(workdir, free_port(), NGINX_CONF,
                           rules=rules.replace("{repo}", str(REPO)),
                           kblog_port=server.port)
    yield made
    for n in made.values():
        n.stop()


@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE", "OPTIONS"])
def test_nginx_refuses_a_body_on_methods_without_one(proxies, method):
    n = proxies["shipped"]
    data, closed = exchange(n.port, [head(method, "/health",
                                          "Content-Length: 5") + b"hello"])
    rs = parse(data)
    assert [r[0] for r in rs] == [400] and closed, rs
    assert rs[0][1].get("x-upstream", "") == ""	# never reached kblog


@pytest.mark.parametrize("raw", [
    head("POST", "/login", "Transfer-Encoding: chunked") +
    b"5\r\na=1&b\r\n0\r\n\r\n",
    head("GET", "/", "Transfer-Encoding: chunked") + b"0\r\n\r\n",
    head("POST", "/login", "Content-Length: 5", "Content-Length: 5") +
    b"a=1&b",
    head("POST", "/login", "Content-Length: +5") + b"a=1&b",
])
def test_nginx_refuses_ambiguous_lengths(proxies, raw):
    n = proxies["shipped"]
    data, closed = exchange(n.port, [raw])
    rs = parse(data)
    assert [r[0] for r in rs] == [400] and closed, rs
    assert rs[0][1].get("x-upstream", "") == ""


def test_nginx_limits_bodies_per_route(proxies):
    n = proxies["shipped"]
    for path, size, ok in (("/login", 384 * 1024 + 1, False),
                           ("/api/v1/posts", 1024 * 1024 + 1, False),
                           ("/_store/u/1/x.jpg", 2 * 1024 * 1024, True)):
        method = "PUT" if path.startswith("/_store") else "POST"
        data, closed = exchange(n.port, [head(method, path,
                                              f"Content-Length: {size}")],
                                timeout=3)
        if ok:
            assert not data.startswith(b"HTTP/1.1 413"), data[:100]
        else:
            assert parse(data)[0][0] == 413


@pytest.mark.parametrize("proxy", ["shipped", "plain"])
def test_the_next_client_on_the_upstream_connection_is_untouched(
        proxies, proxy, base, pg):
    """The review's attack: a comment post hidden in a GET's body, with a
    Content-Length longer than what follows it, so that the next
    request on the upstream connection would complete it (publishing the
    victim's cookie).  Behind the shipped rules nginx refuses it; behind
    a plain proxy, kblog does."""
    n = proxies[proxy]
    attacker = Browser(base)
    attacker.register()
    r = attacker.post("/posts/new", {"title": "bait", "body": "x",
                                     "published": "1"})
    post = int(r.headers["location"].split("/")[2].split("-")[0])
    victim = Browser(n.url)
    vname, _ = victim.register()
    vcookie = victim.session_cookie()
    mark = uuid.uuid4().hex
    form = f"csrf={attacker.csrf}&body={mark}".encode()
    inner = head("POST", f"/posts/{post}/comments",
                 f"Cookie: kb_session={attacker.session_cookie()}",
                 "Content-Type: application/x-www-form-urlencoded",
                 f"Content-Length: {len(form) + 300}") + form
    before = pg.query("SELECT count(*) FROM comments WHERE post_id = %s",
                      (post,))[0][0]
    for body in (inner, hidden(inner)):
        data, closed = exchange(n.port, [
            head("GET", "/", f"Content-Length: {len(body)}") + body])
        rs = parse(data)
        assert [r[0] for r in rs] == [400], rs
        # The victim, right after, on the same kept-alive upstream.
        r = victim.s.get(n.url + "/api/v1/me")
        assert r.status_code == 200 and r.json()["username"] == vname
    assert pg.query("SELECT count(*) FROM comments WHERE post_id = %s",
                    (post,))[0][0] == before
    assert not pg.query("SELECT 1 FROM comments WHERE body LIKE %s OR "
                        "body LIKE %s", (f"%{mark}%", f"%{vcookie}%"))


def test_nginx_compresses_what_holds_no_secret(proxies, server):
    """deploy/nginx-kblog.conf gzips the stylesheet, the script, feeds and
    the sitemap, never pages or JSON (BREACH: a page holds its CSRF token
    next to text the request chose)."""
    n = proxies["shipped"]
    b = Browser(server.url)
    b.register()
    b.get("/posts/new")
    for i in range(3):      # feeds longer than gzip_min_length
        b.post("/posts/new", {"title": f"Compressed {i}",
                              "body": "Some text. " * 20, "published": "1"})
    page = requests.get(n.url + "/")
    css = re.search(r'href="(/static/style\.[0-9a-f]+\.css)"', page.text)
    gz = {"Accept-Encoding": "gzip"}
    for path in (css.group(1), "/feed.atom", "/sitemap.xml"):
        r = requests.get(n.url + path, headers=gz)
        assert r.status_code == 200, path
        assert r.headers.get("content-encoding") == "gzip", path
        assert "Accept-Encoding" in r.headers.get("vary", ""), path
    # A page or JSON for one person (a form's token, a session) is never
    # compressed, by nginx or kblog.
    cookies = {c.name: c.value for c in b.s.cookies}
    for path, jar in (("/login", None), ("/", cookies),
                      ("/api/v1/posts", cookies)):
        r = requests.get(n.url + path, headers=gz, cookies=jar)
        assert r.status_code == 200, path
        assert "content-encoding" not in r.headers, path
    # Anonymous pages and API reads are public, the same for everyone:
    # kblog itself may gzip those (nginx passes them on as they are).
    for path in ("/", "/api/v1/posts"):
        r = requests.get(n.url + path, headers=gz)
        assert "public" in r.headers["cache-control"], path
        assert "set-cookie" not in r.headers, path
