#!/usr/bin/python3
"""kblog benchmark: seeds the standard data, starts PostgreSQL and kblog
(prod build), drives each endpoint with wrk and prints requests/s, p50/p99
latency and kblog's total RSS (parent + workers), with the ceilings beside
them: a static handler in the same build (Kore's asset handler) and
pgbench running the endpoint's very SQL (printed by tests/bench/sqldump.c
from the module's own sources) with the same number of connections.

    tests/bench/run [--duration 10] [--connections 64] [--big]
                    [--results FILE]

--big also seeds 1,000,000 posts and compares page 1 of the home page
with a page 1,000 pages deep.  Not part of the test suite: the numbers
depend on the machine.  wrk shares the 2 cores with kblog and PostgreSQL.
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
from harness import PGBIN, Kblog, Postgres  # noqa: E402

SQLDUMP = REPO / "build" / "bench" / "sqldump"
STANDARD = ["--users", "50", "--posts", "1000", "--comments", "5000",
            "--likes", "10000", "--seed", "1"]


def rss_mb(pids):
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url, duration, conns, script=None):
    argv = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency"]
    if script:
        argv += ["-s", script]
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


def pgbench(pg, statements, duration, conns):
    """statements: [(sql, [param values])]; each becomes one statement of
    the script with its parameters written in as literals, sent with the
    extended protocol and planned each time, like the module's unnamed
    statements."""
    lines = []
    for sql, params in statements:
        body = sql
        for j in range(len(params), 0, -1):
            body = body.replace(f"${j}", f"'{params[j - 1]}'")
        lines.append(body.replace("\n", " ") + ";")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        script = f.name
    os.chmod(script, 0o644)
    out = subprocess.run(
        [str(PGBIN / "pgbench"), "-n", "-M", "extended", "-h", "127.0.0.1",
         "-p", str(pg.port), "-U", "kblog", "-c", str(conns), "-j", "2",
         "-T", str(duration), "-f", script, "kblog"],
        capture_output=True, text=True)
    os.unlink(script)
    m = re.search(r"tps = ([\d.]+)", out.stdout)
    if not m:
        print("pgbench failed:", out.stderr[-500:], file=sys.stderr)
        return None
    return float(m.group(1))


def lua(body):
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(body)
    f.close()
    return f.name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--results", default=None)
    args = ap.parse_args()
    d, c = args.duration, args.connections

    subprocess.run(["make", "-s", "-C", str(REPO), "build/bench/sqldump"],
                   check=True)
    work = Path(tempfile.mkdtemp(prefix="kblog-bench-"))
    pg = Postgres()
    k = Kblog(pg.url, work, extra_env={"WORKERS": "2"})
    rows = []
    try:
        t = time.time()
        subprocess.run([str(REPO / "scripts" / "seed"), "--database-url",
                        pg.url, "--reset"] + STANDARD, check=True,
                       stdout=subprocess.DEVNULL)
        seeded = time.time() - t
        [(pid, uid)] = pg.query(
            "SELECT p.id, p.author_id FROM posts p WHERE p.published "
            "ORDER BY p.comment_count DESC, p.id LIMIT 1")
        [(ncomments, slug)] = pg.query("SELECT comment_count, slug FROM "
                                        "posts WHERE id = %s", (pid,))
        # The post's own address: /posts/<id> alone answers 301 there.
        post_path = f"/posts/{pid}-{quote(slug)}"
        # A bearer token for the like/unlike load.
        r = requests.post(k.url + "/api/v1/tokens", json={
            "username": "user0001", "password": "kblog-demo-password"})
        token = r.json()["token"]
        [(me,)] = pg.query("SELECT id FROM users WHERE username = "
                           "'user0001'")
        pids = [k.proc.pid] + k.worker_pids()
        big_time = "253402300799999999"
        maxid = "9223372036854775807"

        like_lua = lua(f"""
local n = 0
request = function()
  n = n + 1
  local m = (n % 2 == 0) and "PUT" or "DELETE"
  return wrk.format(m, "/api/v1/posts/{pid}/like",
    {{["Authorization"] = "Bearer {token}"}}, "")
end
""")
        cases = [
            ("static asset (ceiling)", "/static/style.css", None, None),
            ("/health", "/health", None, None),
            ("/ready", "/ready", None, [("SELECT 1", [])]),
            ("home page /", "/", None,
             [(sql_of("posts_home"), [big_time, maxid])]),
            (f"post page {post_path} ({ncomments} comments)",
             post_path, None,
             [(sql_of("post_get"), [pid, 0]),
              (sql_of("comments_list"), [0, pid, 0, 0, 101])]),
            ("like/unlike PUT+DELETE /api/v1/posts/{id}/like",
             f"/api/v1/posts/{pid}/like", like_lua,
             [(sql_of("like"), [pid, me]), (sql_of("unlike"), [pid, me])]),
            ("GET /api/v1/posts (20 items)", "/api/v1/posts", None,
             [(sql_of("posts_api").replace("$5::text", "NULL::text")
               .replace("$6::text", "NULL::text").replace("lower($6)",
                                                          "lower(NULL)"),
               [0, 21, big_time, maxid])]),
            (f"GET /api/v1/posts/{pid}", f"/api/v1/posts/{pid}", None,
             [(sql_of("post_get"), [pid, 0])]),
        ]
        for name, path, script, sql in cases:
            w = run_wrk(k.url + path, d, c, script)
            ceiling = pgbench(pg, sql, d, c) if sql else None
            # like/unlike: pgbench's transaction is two statements, one
            # like and one unlike: two requests' worth.
            if ceiling and script:
                ceiling *= 2
            rows.append((name, w, rss_mb(pids), ceiling))
            print(fmt_row(*rows[-1]), flush=True)

        if args.big:
            t = time.time()
            subprocess.run([str(REPO / "scripts" / "seed"),
                            "--database-url", pg.url, "--users", "0",
                            "--posts", "1000000", "--comments", "0",
                            "--likes", "0", "--seed", "2"], check=True,
                           stdout=subprocess.DEVNULL)
            print(f"# seeded 1,000,000 more posts in {time.time() - t:.0f}"
                  " s", flush=True)
            deep = deep_cursor(k.url, 1000)
            for name, path in (("home page 1 (1M posts)", "/"),
                               ("home page 1,000 (1M posts)",
                                "/?cursor=" + deep)):
                w = run_wrk(k.url + path, d, c)
                rows.append((name, w, rss_mb(pids), None))
                print(fmt_row(*rows[-1]), flush=True)
    finally:
        k.stop()
        pg.destroy()

    header = (f"Machine: {platform.node()}, {os.cpu_count()} cores, "
              f"{platform.machine()}; kblog prod build, 2 workers; "
              f"wrk -t2 -c{c} -d{d}s on the same machine; data: 50 users, "
              f"1,000 posts (~2 KB Markdown), 5,000 comments, 10,000 likes "
              f"(scripts/seed {' '.join(STANDARD)}, {seeded:.1f} s).")
    table = render(header, rows, c)
    print(table)
    if args.results:
        Path(args.results).write_text(table)


def deep_cursor(base, pages):
    """Follows the home page's "next" links `pages` times; the cursor of
    the last one (what a reader 1,000 pages deep would send)."""
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


def fmt_row(name, w, rss, ceiling):
    ratio = f"{w['rps'] / ceiling:.2f}" if ceiling else "-"
    ceil = f"{ceiling:,.0f}" if ceiling else "-"
    extra = f" (socket errors: {w['sock']})" if w["sock"] else ""
    return (f"| {name} | {w['rps']:,.0f} | {w['p50']:.2f} | {w['p99']:.2f} "
            f"| {w['bad']} | {rss:.1f} | {ceil} | {ratio} |{extra}")


def render(header, rows, c):
    out = [header, "",
           f"| endpoint | req/s | p50 ms | p99 ms | non-2xx | kblog RSS MB "
           f"| pgbench tps, same SQL, -c{c} | ratio |",
           "|---|---|---|---|---|---|---|---|"]
    out += [fmt_row(*r) for r in rows]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
