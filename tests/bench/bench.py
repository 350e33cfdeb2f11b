#!/usr/bin/python3
"""kblog benchmark: seeds the standard data, starts PostgreSQL and kblog
(prod build, 2 workers), drives each endpoint with wrk and prints
requests/s, p50/p99 latency and kblog's total RSS (parent + workers),
with the ceilings beside them, all taken in the same run:

- the static ceiling: Kore serving a static asset from the same build;
  cached reads are printed as a share of it;
- pgbench running the endpoint's very statements (printed by
  tests/bench/sqldump.c from the module's sources), with its parameters
  as parameters (tests/bench/pgscript.py), `-M prepared`, and as many
  connections as kblog has (WORKERS x DB_POOL); uncached reads and
  writes are printed as a share of it.  `-M extended` (an unnamed
  statement planned every time, what Kore 4.1 sends by itself) is
  printed beside it.

    tests/bench/run [--duration 10] [--connections 64] [--big]
                    [--only NAME ...] [--results FILE]

Cases: static; anonymous home, post, tag, author, deep page and API reads
from the response cache; the same logged in (session cookie); likes and
comments with a bearer token; then, on a second kblog with CACHE=off, the
uncached reads against their pgbench ceilings.  --big also seeds
1,000,000 posts and compares page 1 of the (uncached) home page with page
1,000.  Not part of the test suite: the numbers depend on the machine, and
wrk shares the cores with kblog and PostgreSQL.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(HERE))
from harness import PGBIN, Kblog, Postgres  # noqa: E402
from client import Browser  # noqa: E402
from pgscript import Expr, pgbench_argv, script  # noqa: E402

SQLDUMP = REPO / "build" / "bench" / "sqldump"
STANDARD = ["--users", "50", "--posts", "1000", "--comments", "5000",
            "--likes", "10000", "--seed", "1"]
WORKERS, DB_POOL = 2, 4
TOP_TIME = 253402300799999999          # CURSOR_TIME_MAX (lib/cursor.h)
TOP_ID = 9223372036854775807
PASSWORD = "kblog-demo-password"


def rss_mb(pids):
    """kblog's memory in MB: (RSS, PSS) summed over its processes.  RSS
    counts a shared library's pages once per process that maps them;
    PSS divides them between those processes (what the machine spends,
    about what a container's memory accounting sees)."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text(
                    ).splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except FileNotFoundError:
            pass
    return rss / 1024, pss / 1024


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url, duration, conns, script_path=None):
    argv = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency"]
    if script_path:
        argv += ["-s", script_path]
    out = subprocess.run(argv + [url], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict((p, to_ms(v, u)) for p, v, u in re.findall(
        r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "bad": int(bad.group(1)) if bad else 0,
            "sock": sock.group(1) if sock else ""}


def sql_of(name):
    return subprocess.run([str(SQLDUMP), name], capture_output=True,
                          text=True, check=True).stdout


def pgbench(pg, statements, duration, mode):
    """statements: [(name, [values])], one pgbench transaction; run with
    kblog's own connection count.  Transactions per second, or None."""
    text, defines = script([(sql_of(n), v) for n, v in statements])
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(text)
    os.chmod(f.name, 0o644)
    try:
        argv = pgbench_argv(PGBIN / "pgbench", f.name, defines,
                            clients=WORKERS * DB_POOL, duration=duration,
                            port=pg.port, mode=mode)
        out = subprocess.run(argv, capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    m = re.search(r"tps = ([\d.]+)", out.stdout)
    if not m:
        print("pgbench failed:", out.stderr[-800:], file=sys.stderr)
        return None
    return float(m.group(1))


def lua(body):
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(body)
    f.close()
    return f.name


def header_lua(name, value):
    return lua(f'wrk.headers["{name}"] = "{value}"\n')


class Row:
    def __init__(self, name, w, rss, static=None, prepared=None,
                 extended=None, per_tx=1):
        self.name, self.w, self.rss = name, w, rss
        self.static = static
        self.prepared = prepared * per_tx if prepared else None
        self.extended = extended * per_tx if extended else None

    def fmt(self):
        w = self.w
        share = (f"{100 * w['rps'] / self.static:.0f} %"
                 if self.static else "-")
        prep = f"{self.prepared:,.0f}" if self.prepared else "-"
        # Against the better of the two: a statement kblog plans for
        # each call's values (DB_CUSTOM, src/db/db.h) runs faster
        # unprepared, and kblog sends it so.
        best = max(self.prepared or 0, self.extended or 0)
        ratio = f"{w['rps'] / best:.2f}" if best else "-"
        ext = f"{self.extended:,.0f}" if self.extended else "-"
        extra = f" (socket errors: {w['sock']})" if w["sock"] else ""
        return (f"| {self.name} | {w['rps']:,.0f} | {w['p50']:.2f} | "
                f"{w['p99']:.2f} | {w['bad']} | {self.rss[0]:.1f} / "
                f"{self.rss[1]:.1f} | {share} | "
                f"{prep} | {ratio} | {ext} |{extra}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--only", nargs="*", default=None,
                    help="run only the cases whose name contains one of "
                    "these words")
    ap.add_argument("--results", default=None)
    args = ap.parse_args()
    d, c = args.duration, args.connections

    def wanted(name):
        return args.only is None or any(w in name for w in args.only)

    subprocess.run(["make", "-s", "-C", str(REPO), "build/bench/sqldump"],
                   check=True)
    work = Path(tempfile.mkdtemp(prefix="kblog-bench-"))
    pg = Postgres()
    env = {"WORKERS": str(WORKERS), "DB_POOL": str(DB_POOL),
           "POSTS_PER_HOUR": "0", "COMMENTS_PER_HOUR": "0"}
    k = Kblog(pg.url, work, extra_env=env)
    rows = []
    try:
        t = time.time()
        subprocess.run([str(REPO / "scripts" / "seed"), "--database-url",
                        pg.url, "--reset"] + STANDARD, check=True,
                       stdout=subprocess.DEVNULL)
        seeded = time.time() - t
        [(pid, ncomments, author)] = pg.query(
            "SELECT p.id, p.comment_count, u.username FROM posts p JOIN "
            "users u ON u.id = p.author_id WHERE p.published "
            "ORDER BY p.comment_count DESC, p.id LIMIT 1")
        [(tag,)] = pg.query(
            "SELECT t FROM posts, unnest(tags) t WHERE published "
            "GROUP BY t ORDER BY count(*) DESC LIMIT 1")
        # Comments go to 50 other posts: the post page keeps its size.
        targets = [r[0] for r in pg.query(
            "SELECT id FROM posts WHERE published AND id <> %s "
            "ORDER BY id DESC LIMIT 50", (pid,))]
        [(me,)] = pg.query("SELECT id FROM users WHERE username = "
                           "'user0001'")
        deep = deep_cursor(k.url, 45)
        rows += run_cached(k, pg, d, c, pid, ncomments, author, tag, deep,
                           me, targets, wanted)
        k.stop()

        u = Kblog(pg.url, work, extra_env=dict(env, CACHE="off"))
        try:
            rows += run_uncached(u, pg, d, c, pid, ncomments, author, tag,
                                 deep, me, wanted)
            if args.big:
                rows += run_big(u, pg, d, c)
        finally:
            u.stop()
    finally:
        k.stop()
        pg.destroy()

    header = (f"Machine: {platform.node()}, {os.cpu_count()} cores, "
              f"{platform.machine()}; kblog prod build, {WORKERS} workers, "
              f"DB_POOL {DB_POOL}; wrk -t2 -c{c} -d{d}s and pgbench -c"
              f"{WORKERS * DB_POOL} -j2 -T{d} on the same machine; data: "
              f"50 users, 1,000 posts (~2 KB Markdown), 5,000 comments, "
              f"10,000 likes (scripts/seed {' '.join(STANDARD)}, "
              f"{seeded:.1f} s).")
    table = render(header, rows)
    print(table)
    if args.results:
        Path(args.results).write_text(table)


def session_cookie(base):
    b = Browser(base)
    r = b.login("user0001", PASSWORD)
    assert r.status_code == 303, r.text[:300]
    return b.session_cookie()


def bearer(base):
    r = requests.post(base + "/api/v1/tokens", json={
        "username": "user0002", "password": PASSWORD, "name": "bench"})
    r.raise_for_status()
    return r.json()["token"]


def run_cached(k, pg, d, c, pid, ncomments, author, tag, deep, me,
               targets, wanted):
    pids = [k.proc.pid] + k.worker_pids()
    rows = []
    static = None

    def case(name, path, script_path=None, ceiling=None, per_tx=1):
        nonlocal static
        if not wanted(name) and static is not None:
            return
        w = run_wrk(k.url + path, d, c, script_path)
        prep = ext = None
        if ceiling:
            prep = pgbench(pg, ceiling, d, "prepared")
            ext = pgbench(pg, ceiling, d, "extended")
        row = Row(name, w, rss_mb(pids), None if static is None or
                  ceiling else static, prep, ext, per_tx)
        if static is None:
            static = w["rps"]
        rows.append(row)
        print(row.fmt(), flush=True)

    case("static asset (ceiling)", "/static/style.css")
    case("anonymous home /", "/")
    case(f"anonymous post page ({ncomments} comments)", post_path(pg, pid))
    case(f"anonymous tag page /tags/{tag}", f"/tags/{tag}")
    case(f"anonymous author page /users/{author}", f"/users/{author}")
    case("anonymous deep page (home, page 46)", "/?before=" + deep)
    case("anonymous GET /api/v1/posts (20 summaries)", "/api/v1/posts")
    case(f"anonymous GET /api/v1/posts/{pid}", f"/api/v1/posts/{pid}")
    cookie = header_lua("Cookie", "kb_session=" + session_cookie(k.url))
    case("logged-in home /", "/", cookie)
    case(f"logged-in post page ({ncomments} comments)", post_path(pg, pid),
         cookie)

    token = bearer(k.url)
    like = lua(f"""
local n = 0
request = function()
  n = n + 1
  local m = (n % 2 == 0) and "PUT" or "DELETE"
  return wrk.format(m, "/api/v1/posts/{pid}/like",
    {{["Authorization"] = "Bearer {token}"}}, "")
end
""")
    [(liker,)] = pg.query("SELECT id FROM users WHERE username = "
                          "'user0002'")
    case("like/unlike (bearer)", f"/api/v1/posts/{pid}/like", like,
         [("like", [pid, liker]), ("unlike", [pid, liker])], per_tx=2)
    ids = ", ".join(str(t) for t in targets)
    comment = lua(f"""
local ids = {{{ids}}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/posts/" .. ids[n % #ids + 1] ..
    "/comments", {{["Authorization"] = "Bearer {token}",
    ["Content-Type"] = "application/json"}},
    '{{"body": "A comment from the benchmark."}}')
end
""")
    case("comment create (bearer)", f"/api/v1/posts/{targets[0]}/comments",
         comment, [("comment_add", [liker, Expr(
             f"random({min(targets)}, {max(targets)})"),
             "A comment from the benchmark.", 0])])
    # pgbench's comments may land on any post in that range; the later
    # (uncached) runs read the post page: it must still be the same.
    pg.query("DELETE FROM comments WHERE post_id = %s AND body = "
             "'A comment from the benchmark.'", (pid,))
    pg.query("UPDATE posts SET comment_count = (SELECT count(*) FROM "
             "comments WHERE post_id = %s) WHERE id = %s", (pid, pid))
    return rows


def run_uncached(u, pg, d, c, pid, ncomments, author, tag, deep, me,
                 wanted):
    pids = [u.proc.pid] + u.worker_pids()
    rows = []
    deep_key, deep_id = decode_cursor(pg, deep)
    [(author_id,)] = pg.query("SELECT id FROM users WHERE username = %s",
                              (author,))
    cookie_value = session_cookie(u.url)
    [(hashp,)] = pg.query("SELECT '\\x' || encode(sha256(%s::bytea), "
                          "'hex')", (cookie_value,))
    cookie = header_lua("Cookie", "kb_session=" + cookie_value)
    home = [("posts_home", [TOP_TIME, TOP_ID])]
    post = [("post_page", [pid, 0]),
            ("comments_list", [0, pid, 0, 0, 101])]
    cases = [
        ("uncached home /", "/", None, home),
        (f"uncached post page ({ncomments} comments)", post_path(pg, pid),
         None, post),
        (f"uncached tag page /tags/{tag}", f"/tags/{tag}", None,
         [("posts_tag", [TOP_TIME, TOP_ID, tag])]),
        (f"uncached author page /users/{author}", f"/users/{author}", None,
         [("user_by_name", [author]),
          ("posts_author", [TOP_TIME, TOP_ID, author_id, 0])]),
        ("uncached deep page (home, page 46)", "/?before=" + deep, None,
         [("posts_home", [deep_key, deep_id])]),
        ("uncached GET /api/v1/posts (20 summaries)", "/api/v1/posts", None,
         [("posts_api", [0, 21, TOP_TIME, TOP_ID, False])]),
        (f"uncached GET /api/v1/posts/{pid}", f"/api/v1/posts/{pid}", None,
         [("post_get", [pid, 0])]),
        ("uncached logged-in home /", "/", cookie,
         [("session_get", [hashp])] + home),
        (f"uncached logged-in post page ({ncomments} comments)",
         post_path(pg, pid), cookie,
         [("session_get", [hashp]), ("post_page", [pid, 1]),
          ("comments_list", [1, pid, 0, 0, 101])]),
    ]
    for name, path, script_path, ceiling in cases:
        if not wanted(name):
            continue
        w = run_wrk(u.url + path, d, c, script_path)
        prep = pgbench(pg, ceiling, d, "prepared")
        ext = pgbench(pg, ceiling, d, "extended")
        rows.append(Row(name, w, rss_mb(pids), None, prep, ext))
        print(rows[-1].fmt(), flush=True)
    return rows


def run_big(u, pg, d, c):
    pids = [u.proc.pid] + u.worker_pids()
    rows = []
    t = time.time()
    subprocess.run([str(REPO / "scripts" / "seed"), "--database-url", pg.url,
                    "--users", "0", "--posts", "1000000", "--comments", "0",
                    "--likes", "0", "--seed", "2"], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"# seeded 1,000,000 more posts in {time.time() - t:.0f} s",
          flush=True)
    deep = deep_cursor(u.url, 1000)
    key, pid = decode_cursor(pg, deep)
    for name, path, params in (
            ("uncached home page 1 (1M posts)", "/", [TOP_TIME, TOP_ID]),
            ("uncached home page 1,000 (1M posts)", "/?before=" + deep,
             [key, pid])):
        w = run_wrk(u.url + path, d, c)
        prep = pgbench(pg, [("posts_home", params)], d, "prepared")
        rows.append(Row(name, w, rss_mb(pids), None, prep, None))
        print(rows[-1].fmt(), flush=True)
    return rows


def post_path(pg, pid):
    """The post page's own address: /posts/<id> alone answers 301 there."""
    [(slug,)] = pg.query("SELECT slug FROM posts WHERE id = %s", (pid,))
    return f"/posts/{pid}-{quote(slug)}"


def deep_cursor(base, pages):
    """Follows the home page's "next" links `pages` times; the cursor of
    the last one (what a reader that deep would send)."""
    url = base + "/"
    cur = None
    s = requests.Session()
    for _ in range(pages):
        html = s.get(url).text
        m = re.search(r'<a rel="next" href="/\?before=([^"]+)"', html)
        if not m:
            break
        cur = m.group(1)
        url = base + "/?before=" + cur
    return cur


def decode_cursor(pg, cur):
    """The (key, id) of a cursor (lib/cursor.h: base64url of a version
    byte, a kind byte, the key and the id as big-endian int64)."""
    import base64
    raw = base64.urlsafe_b64decode(cur + "=" * (-len(cur) % 4))
    return (int.from_bytes(raw[2:10], "big", signed=True),
            int.from_bytes(raw[10:18], "big", signed=True))


def render(header, rows):
    out = [header, "",
           "| endpoint | req/s | p50 ms | p99 ms | non-2xx | "
           "kblog RSS / PSS MB "
           "| share of static | pgbench -M prepared, same SQL, -c8 | "
           "ratio (to the better pgbench) | pgbench -M extended |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    out += [r.fmt() for r in rows]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
