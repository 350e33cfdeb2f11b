#!/usr/bin/python3
"""kblog soak test: a long mixed workload against a real kblog and
PostgreSQL, watching for errors, memory growth and counter drift.

    tests/soak/run                        600 s, dev build
    tests/soak/run --seconds 60 --flavor asan
    tests/soak/run --seconds 120 --valgrind
    SOAK_SECONDS=1800 tests/soak/run --results docs/soak.md

What it does
  - starts a throwaway PostgreSQL and kblog (2 workers, the --flavor
    build under build/<flavor>/kblog, which tests/soak/run builds);
  - loads the benchmark's standard data with scripts/seed (50 users, 1000
    posts, 5000 comments, 10000 likes), or through the API when there is
    no scripts/seed;
  - runs --threads client threads (bounded: each one request at a time,
    at most --max-requests in all) for --seconds: page reads (home, post,
    profile, tag, search, feed), API reads (lists, posts, comments, me,
    search), post writes (create, edit, delete own), likes and unlikes
    (API and the page form, several threads on the same users and posts
    at once), comments (add, delete own; API and page form) and logins
    (API tokens, created and revoked; the login form);
  - samples kblog's total RSS (parent + workers, VmRSS from /proc) every
    --rss-interval seconds;
  - at the end checks like_count and comment_count against count(*) of
    likes and comments for every post.

Pass (exit 0) when: no request failed (any unexpected status, connection
error or timeout), no worker died or was replaced, the last minute's mean
RSS is at most --rss-growth (10 %) above the first minute's (checked only
when the run is at least 2 minutes long: shorter, the two minutes
overlap), the counters are exact, and, with --flavor asan, kblog's log has
no sanitizer report; with --valgrind, every valgrind log says "ERROR
SUMMARY: 0 errors".  The report (Markdown) goes to --results.

--valgrind runs kore under valgrind --tool=memcheck with Kore's seccomp
filter switched off by tests/soak/noseccomp.c (LD_PRELOAD): under the
filter valgrind's own gettid() kills every worker with SIGSYS (see that
file).  The sandbox is still exercised by every other run.
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int,
                    default=int(os.environ.get("SOAK_SECONDS", "600")))
    ap.add_argument("--threads", type=int, default=8,
                    help="client threads (default 8)")
    ap.add_argument("--flavor", default=os.environ.get("KBLOG_FLAVOR",
                                                       "dev"),
                    choices=["dev", "prod", "asan"])
    ap.add_argument("--valgrind", action="store_true",
                    help="run kore under valgrind memcheck")
    ap.add_argument("--results", default=str(ROOT / "tests" / "artifacts" /
                                             "soak.md"))
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--comments", type=int, default=5000)
    ap.add_argument("--likes", type=int, default=10000)
    ap.add_argument("--token-users", type=int, default=None,
                    help="users that get API tokens (default: all, 4 with "
                    "--valgrind: every login is an Argon2id hash)")
    ap.add_argument("--rss-interval", type=float, default=10.0)
    ap.add_argument("--rss-growth", type=float, default=0.10)
    ap.add_argument("--max-requests", type=int, default=2_000_000)
    ap.add_argument("--timeout", type=float, default=None,
                    help="per request, seconds (30; 180 with --valgrind)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.seconds < 1 or args.threads < 1 or args.threads > 64:
        ap.error("--seconds >= 1 and --threads 1..64")
    if args.valgrind and args.flavor == "asan":
        ap.error("--valgrind and --flavor asan do not mix")
    if args.token_users is None:
        args.token_users = 4 if args.valgrind else args.users
    if args.timeout is None:
        args.timeout = 180.0 if args.valgrind else 30.0
    return args


ARGS = parse_args()
os.environ["KBLOG_FLAVOR"] = ARGS.flavor
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import requests  # noqa: E402

import harness  # noqa: E402
from harness import Kblog, Postgres  # noqa: E402

PASSWORD = "soak-password-1"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def log(msg):
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def rss_floor_kb(pids, reads=5, gap=0.2):
    """The lowest of a few quick readings: a password hash holds 19 MiB
    (Argon2id) for a fraction of a second and would otherwise make single
    readings jump; a leak raises the floor, which is what is compared."""
    values = []
    for i in range(reads):
        if i:
            time.sleep(gap)
        values.append(rss_kb(pids))
    return min(values), max(values)


def rss_kb(pids):
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


# -- starting kblog -------------------------------------------------------

class ValgrindProc(harness.Proc):
    """harness.Proc that starts kore under valgrind memcheck."""

    log_dir = None
    shim = None

    def __init__(self, argv, cwd, env, log_path, user=None):
        if argv and argv[0] == "kore":
            argv = ["valgrind", "--tool=memcheck", "--trace-children=yes",
                    "--error-exitcode=97", "--track-origins=no",
                    "--num-callers=30",
                    "--suppressions=" + str(ROOT / "tests" / "soak" /
                                            "valgrind.supp"),
                    f"--log-file={self.log_dir}/vg.%p.log"] + list(argv)
            env = dict(env)
            env["LD_PRELOAD"] = str(self.shim)
        super().__init__(argv, cwd, env, log_path, user)


def build_shim(out_dir):
    out = Path(out_dir) / "noseccomp.so"
    src = ROOT / "tests" / "soak" / "noseccomp.c"
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-o", str(out),
                    str(src)], check=True)
    return out


def start_kblog(pg, work):
    # Eight users writing as fast as they can: the per-user write rates
    # (and, for api_seed, the registration rates) are off.
    env = {"WORKERS": "2", "TRUST_PROXY": "1", "DB_WAIT": "30",
           "POSTS_PER_HOUR": "0", "COMMENTS_PER_HOUR": "0",
           "REGISTER_PER_ADDR_HOUR": "0", "REGISTER_PER_HOUR": "0"}
    if not ARGS.valgrind:
        return Kblog(pg.url, work, extra_env=env)
    if shutil.which("valgrind") is None:
        sys.exit("soak: valgrind is not installed (apt-get install "
                 "valgrind)")
    vg = Path(work) / "valgrind"
    vg.mkdir()
    ValgrindProc.log_dir = vg
    ValgrindProc.shim = build_shim(work)
    saved = harness.Proc
    harness.Proc = ValgrindProc
    try:
        k = Kblog(pg.url, work, extra_env=env, wait=False)
    finally:
        harness.Proc = saved
    k.wait_up(timeout=300)
    return k


# -- data -----------------------------------------------------------------

def seed_data(pg):
    seeder = ROOT / "scripts" / "seed"
    sizes = ["--users", str(ARGS.users), "--posts", str(ARGS.posts),
             "--comments", str(ARGS.comments), "--likes", str(ARGS.likes)]
    if seeder.exists():
        t0 = time.time()
        r = subprocess.run([str(seeder), *sizes, "--database-url", pg.url,
                            "--password", PASSWORD, "--seed",
                            str(ARGS.seed)],
                           capture_output=True, text=True, timeout=1800)
        if r.returncode != 0:
            sys.exit(f"soak: scripts/seed failed:\n{r.stdout}{r.stderr}")
        return f"scripts/seed {' '.join(sizes)} ({time.time() - t0:.0f} s)"
    return None


def api_seed(url):
    """No scripts/seed: the same sizes through the API."""
    from concurrent.futures import ThreadPoolExecutor
    t0 = time.time()
    rnd = random.Random(ARGS.seed)
    s = requests.Session()

    def register(i):
        name = f"soak{i:04d}"
        r = s.post(url + "/api/v1/users", json={"username": name,
                                                "password": PASSWORD})
        assert r.status_code == 201, r.text
        r = s.post(url + "/api/v1/tokens", json={
            "username": name, "password": PASSWORD, "name": "seed"})
        assert r.status_code == 201, r.text
        return r.json()["token"]

    with ThreadPoolExecutor(8) as ex:
        tokens = list(ex.map(register, range(1, ARGS.users + 1)))

        def post(i):
            r = s.post(url + "/api/v1/posts", headers={
                "Authorization": "Bearer " + tokens[i % len(tokens)]},
                json={"title": f"Seeded post {i}",
                      "body_markdown": f"# Post {i}\n\nSome *text* about "
                      f"kblog and soak number {i}.\n",
                      "tags": ["soak", f"t{i % 20}"]})
            assert r.status_code == 201, r.text
            return r.json()["id"]
        posts = list(ex.map(post, range(ARGS.posts)))

        def comment(i):
            r = s.post(f"{url}/api/v1/posts/{rnd.choice(posts)}/comments",
                       headers={"Authorization": "Bearer " +
                                rnd.choice(tokens)},
                       json={"body": f"seed comment {i}"})
            assert r.status_code == 201, r.text
        list(ex.map(comment, range(ARGS.comments)))
        pairs = set()
        while len(pairs) < min(ARGS.likes, len(posts) * len(tokens)):
            pairs.add((rnd.randrange(len(tokens)), rnd.choice(posts)))

        def like(pair):
            r = s.put(f"{url}/api/v1/posts/{pair[1]}/like", headers={
                "Authorization": "Bearer " + tokens[pair[0]]})
            assert r.status_code == 200, r.text
        list(ex.map(like, sorted(pairs)))
    return f"through the API ({time.time() - t0:.0f} s)"


# -- the workload -----------------------------------------------------------

# op: weight.  Expected statuses are in Worker.run_op.
WEIGHTS = {
    "page_home": 10, "page_post": 12, "page_user": 4, "page_tag": 3,
    "page_search": 3, "page_feed": 2,
    "api_list": 10, "api_post": 10, "api_comments": 6, "api_me": 3,
    "api_search": 3,
    "api_create_post": 2, "api_edit_post": 1, "api_delete_post": 1,
    "api_like": 6, "api_unlike": 5, "page_like": 2,
    "api_comment": 5, "api_delete_comment": 1, "page_comment": 2,
    "login_api": 1, "login_page": 1,
}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = defaultdict(int)
        self.errors = defaultdict(int)
        self.lat = defaultdict(list)
        self.samples = []        # first few errors, for the report
        self.total = 0

    def add(self, op, ok, seconds, detail=None):
        with self.lock:
            self.total += 1
            self.count[op] += 1
            self.lat[op].append(seconds)
            if not ok:
                self.errors[op] += 1
                if len(self.samples) < 20:
                    self.samples.append(f"{op}: {detail}")


class Shared:
    """What every thread may read: the seeded world."""

    def __init__(self, url, post_ids, users, tags, words, tokens):
        self.url = url
        self.post_ids = post_ids
        self.users = users          # [(username, user id)]
        self.tags = tags
        self.words = words
        self.tokens = tokens        # [(username, token)]


class Worker(threading.Thread):
    def __init__(self, idx, shared, stats, deadline, budget):
        super().__init__(daemon=True)
        self.idx = idx
        self.sh = shared
        self.stats = stats
        self.deadline = deadline
        self.budget = budget
        self.rnd = random.Random(ARGS.seed * 1000 + idx)
        self.s = requests.Session()
        self.addr = "2001:db8:%x::%x" % (idx, self.rnd.getrandbits(16))
        self.s.headers["X-Forwarded-For"] = self.addr
        # This thread's own user (a token user), for its own posts and
        # comments, and a logged-in browser session.
        self.me, self.token = shared.tokens[idx % len(shared.tokens)]
        self.my_posts = []
        self.my_comments = []
        self.browser = None
        self.csrf = None
        self.ops = list(WEIGHTS)
        self.weights = [WEIGHTS[o] for o in self.ops]

    # helpers
    def get(self, path, **kw):
        return self.s.get(self.sh.url + path, timeout=ARGS.timeout, **kw)

    def api(self, method, path, token=None, body=None):
        h = {"Authorization": "Bearer " + (token or self.token)}
        if method in ("PUT", "POST", "PATCH", "DELETE") and body is None:
            h["Content-Length"] = "0"
        return self.s.request(method, self.sh.url + "/api/v1" + path,
                              json=body, headers=h, timeout=ARGS.timeout)

    def login_browser(self, user):
        b = requests.Session()
        b.headers["X-Forwarded-For"] = self.addr
        r = b.get(self.sh.url + "/login", timeout=ARGS.timeout)
        if r.status_code != 200:
            return None, None, f"GET /login {r.status_code}"
        m = CSRF_RE.search(r.text)
        if not m:
            return None, None, "no csrf on /login"
        r = b.post(self.sh.url + "/login", data={
            "username": user, "password": PASSWORD, "csrf": m.group(1)},
            allow_redirects=False, timeout=ARGS.timeout)
        if r.status_code != 303:
            return None, None, f"POST /login {r.status_code}"
        r = b.get(self.sh.url + "/", timeout=ARGS.timeout)
        m = re.search(r'<meta name="csrf-token" content="([^"]+)"', r.text)
        if r.status_code != 200 or not m:
            return None, None, f"GET / after login {r.status_code}"
        return b, m.group(1), None

    def post_id(self):
        return self.rnd.choice(self.sh.post_ids)

    def any_token(self):
        return self.rnd.choice(self.sh.tokens)[1]

    def run_op(self, op):
        """Returns (ok, detail)."""
        rnd = self.rnd
        if op == "page_home":
            r = self.get("/")
            return r.status_code == 200, r.status_code
        if op == "page_post":
            r = self.get(f"/posts/{self.post_id()}")
            return r.status_code == 200, r.status_code
        if op == "page_user":
            r = self.get(f"/users/{rnd.choice(self.sh.users)[0]}")
            return r.status_code == 200, r.status_code
        if op == "page_tag":
            if not self.sh.tags:
                return True, None
            r = self.get(f"/tags/{rnd.choice(self.sh.tags)}")
            return r.status_code == 200, r.status_code
        if op == "page_search":
            r = self.get("/search", params={"q": rnd.choice(self.sh.words)})
            return r.status_code == 200, r.status_code
        if op == "page_feed":
            r = self.get("/feed.atom")
            return r.status_code == 200, r.status_code
        if op == "api_list":
            r = self.get("/api/v1/posts", params={"limit": rnd.choice(
                [5, 20, 50])})
            if r.status_code == 200 and rnd.random() < 0.5:
                cur = r.json().get("next_cursor")
                if cur:
                    r = self.get("/api/v1/posts", params={"cursor": cur})
            return r.status_code == 200, r.status_code
        if op == "api_post":
            r = self.api("GET", f"/posts/{self.post_id()}",
                         token=self.any_token())
            return r.status_code == 200, r.status_code
        if op == "api_comments":
            r = self.get(f"/api/v1/posts/{self.post_id()}/comments",
                         params={"limit": 20})
            return r.status_code == 200, r.status_code
        if op == "api_me":
            r = self.api("GET", "/me", token=self.any_token())
            return r.status_code == 200, r.status_code
        if op == "api_search":
            r = self.get("/api/v1/posts", params={
                "q": rnd.choice(self.sh.words), "limit": 10})
            return r.status_code == 200, r.status_code
        if op == "api_create_post":
            r = self.api("POST", "/posts", body={
                "title": f"soak {self.idx} {rnd.getrandbits(32):x}",
                "body_markdown": "Soak **post** with a [link]"
                "(https://example.com) and `code`.\n\n- a\n- b\n",
                "tags": ["soak", rnd.choice(["c", "web", "db"])],
                "published": rnd.random() < 0.8})
            if r.status_code == 201:
                self.my_posts.append(r.json()["id"])
            return r.status_code == 201, r.status_code
        if op == "api_edit_post":
            if not self.my_posts:
                return self.run_op("api_create_post")
            r = self.api("PATCH", f"/posts/{rnd.choice(self.my_posts)}",
                         body={"title": f"edited {rnd.getrandbits(16)}",
                               "published": rnd.random() < 0.8})
            return r.status_code == 200, r.status_code
        if op == "api_delete_post":
            if not self.my_posts:
                return True, None
            pid = self.my_posts.pop(rnd.randrange(len(self.my_posts)))
            r = self.api("DELETE", f"/posts/{pid}")
            return r.status_code == 204, r.status_code
        if op in ("api_like", "api_unlike"):
            # Any token user, any post: threads collide on the same pairs.
            r = self.api("PUT" if op == "api_like" else "DELETE",
                         f"/posts/{self.post_id()}/like",
                         token=self.any_token())
            ok = r.status_code == 200 and r.json()["liked"] == (
                op == "api_like")
            return ok, r.status_code
        if op == "page_like":
            if self.browser is None:
                return self.run_op("login_page")
            r = self.browser.post(
                f"{self.sh.url}/posts/{self.post_id()}/like",
                data={"csrf": self.csrf, "action": rnd.choice(
                    ["like", "unlike"])},
                allow_redirects=False, timeout=ARGS.timeout)
            return r.status_code == 303, r.status_code
        if op == "api_comment":
            r = self.api("POST", f"/posts/{self.post_id()}/comments",
                         body={"body": f"soak comment {rnd.random()}"})
            if r.status_code == 201:
                self.my_comments.append(r.json()["id"])
            return r.status_code == 201, r.status_code
        if op == "api_delete_comment":
            if not self.my_comments:
                return True, None
            cid = self.my_comments.pop(rnd.randrange(len(self.my_comments)))
            r = self.api("DELETE", f"/comments/{cid}")
            return r.status_code == 204, r.status_code
        if op == "page_comment":
            if self.browser is None:
                return self.run_op("login_page")
            r = self.browser.post(
                f"{self.sh.url}/posts/{self.post_id()}/comments",
                data={"csrf": self.csrf, "body": "from the form"},
                allow_redirects=False, timeout=ARGS.timeout)
            return r.status_code == 303, r.status_code
        if op == "login_api":
            r = self.s.post(self.sh.url + "/api/v1/tokens", json={
                "username": self.me, "password": PASSWORD,
                "name": "soak"}, timeout=ARGS.timeout)
            if r.status_code != 201:
                return False, r.status_code
            t = r.json()
            r = self.api("GET", "/me", token=t["token"])
            if r.status_code != 200 or r.json()["username"] != self.me:
                return False, f"me {r.status_code}"
            r = self.api("DELETE", f"/tokens/{t['id']}", token=t["token"])
            return r.status_code == 204, f"revoke {r.status_code}"
        if op == "login_page":
            b, csrf, err = self.login_browser(self.me)
            if b is None:
                return False, err
            if self.browser is not None:
                self.browser.close()
            self.browser, self.csrf = b, csrf
            return True, None
        raise AssertionError(op)

    def run(self):
        for _ in range(self.budget):
            if time.time() >= self.deadline:
                break
            op = self.rnd.choices(self.ops, self.weights)[0]
            t0 = time.time()
            try:
                ok, detail = self.run_op(op)
            except requests.RequestException as e:
                ok, detail = False, repr(e)
            except (ValueError, KeyError) as e:      # bad JSON
                ok, detail = False, repr(e)
            self.stats.add(op, ok, time.time() - t0, detail)


# -- checks and report --------------------------------------------------------

def counters(pg):
    likes = pg.query(
        "SELECT count(*) FROM posts p WHERE p.like_count <> "
        "(SELECT count(*) FROM likes l WHERE l.post_id = p.id)")[0][0]
    comments = pg.query(
        "SELECT count(*) FROM posts p WHERE p.comment_count <> "
        "(SELECT count(*) FROM comments c WHERE c.post_id = p.id)")[0][0]
    totals = pg.query(
        "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM posts), "
        "(SELECT count(*) FROM comments), (SELECT count(*) FROM likes), "
        "(SELECT coalesce(sum(like_count), 0) FROM posts), "
        "(SELECT coalesce(sum(comment_count), 0) FROM posts)")[0]
    return likes, comments, totals


def valgrind_summary(k):
    d = ValgrindProc.log_dir
    files = sorted(Path(d).glob("vg.*.log")) if d else []
    total = 0
    bad = []
    unfinished = []
    for f in files:
        text = f.read_text(errors="replace")
        m = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
        if not m:
            unfinished.append(f.name)
            continue
        n = int(m[-1])
        total += n
        if n:
            first = re.search(r"==\d+== (Invalid|Conditional|Use of|Syscall"
                              r"|Mismatched|Source and|Argument|Jump to"
                              r"|Process terminating).*", text)
            bad.append(f"{f.name}: {n} errors"
                       + (f" (first: {first.group(0)[:160]})" if first
                          else ""))
    return files, total, bad, unfinished


def pct(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    work = Path(tempfile.mkdtemp(prefix="kblog-soak-"))
    log(f"flavor {ARGS.flavor}{' under valgrind' if ARGS.valgrind else ''}"
        f", {ARGS.seconds} s, {ARGS.threads} threads, work dir {work}")
    if not (harness.BUILD / "kblog.so").exists():
        sys.exit(f"soak: no build at {harness.BUILD} (make build "
                 f"FLAVOR={ARGS.flavor}, or use tests/soak/run)")
    pg = Postgres()
    k = None
    failures = []
    report = {}
    try:
        k = start_kblog(pg, work)
        how = seed_data(pg) or api_seed(k.url)
        log(f"data: {how}")
        users = pg.query("SELECT username, id FROM users ORDER BY id")
        post_ids = [r[0] for r in pg.query(
            "SELECT id FROM posts WHERE published ORDER BY id")]
        tags = [r[0] for r in pg.query(
            "SELECT DISTINCT unnest(tags) FROM posts LIMIT 100")]
        words = sorted({w.lower() for (t,) in pg.query(
            "SELECT title FROM posts ORDER BY id LIMIT 200")
            for w in re.findall(r"[A-Za-z]{4,}", t)})[:100] or ["kblog"]
        # API tokens for the token users (each one an Argon2id verify).
        s = requests.Session()
        tokens = []
        for name, _ in users[:ARGS.token_users]:
            r = s.post(k.url + "/api/v1/tokens", json={
                "username": name, "password": PASSWORD, "name": "soak"},
                headers={"X-Forwarded-For": "2001:db8::1"},
                timeout=ARGS.timeout)
            if r.status_code != 201:
                sys.exit(f"soak: cannot log {name} in: {r.status_code} "
                         f"{r.text[:200]}")
            tokens.append((name, r.json()["token"]))
        shared = Shared(k.url, post_ids, users, tags, words, tokens)
        pids0 = [k.proc.pid] + k.worker_pids()
        log(f"{len(users)} users, {len(post_ids)} published posts, "
            f"{len(tokens)} token users; kblog pids {pids0}")

        stats = Stats()
        start = time.time()
        deadline = start + ARGS.seconds
        budget = max(1, ARGS.max_requests // ARGS.threads)
        workers = [Worker(i, shared, stats, deadline, budget)
                   for i in range(ARGS.threads)]
        for w in workers:
            w.start()
        rss = []            # (seconds since start, floor kB, peak kB)
        pid_changes = []
        next_sample = start
        next_progress = start + 60
        while any(w.is_alive() for w in workers):
            now = time.time()
            if now >= next_sample:
                pids = [k.proc.pid] + k.worker_pids()
                if sorted(pids) != sorted(pids0):
                    pid_changes.append((round(now - start), pids))
                    pids0 = pids
                floor, peak = rss_floor_kb(pids)
                rss.append((now - start, floor, peak))
                next_sample += ARGS.rss_interval
            if now >= next_progress:
                log(f"{now - start:5.0f} s: {stats.total} requests, "
                    f"{sum(stats.errors.values())} errors, RSS "
                    f"{rss[-1][1] / 1024:.1f} MB")
                next_progress += 60
            if not k.proc.alive():
                failures.append("kblog exited during the run")
                break
            time.sleep(0.2)
        for w in workers:
            w.join(ARGS.timeout + 30)
        elapsed = time.time() - start
        hung = [w.idx for w in workers if w.is_alive()]
        if hung:
            failures.append(f"client threads did not finish: {hung}")
        pids = [k.proc.pid] + k.worker_pids()
        floor, peak = rss_floor_kb(pids)
        rss.append((time.time() - start, floor, peak))
        log(f"done: {stats.total} requests in {elapsed:.0f} s")

        # Counters.
        bad_likes, bad_comments, totals = counters(pg)
        report.update(stats=stats, elapsed=elapsed, rss=rss, totals=totals,
                      bad_likes=bad_likes, bad_comments=bad_comments,
                      data=how, users=len(users), posts=len(post_ids),
                      pid_changes=pid_changes)
        errors = sum(stats.errors.values())
        if errors:
            failures.append(f"{errors} requests failed")
        if pid_changes:
            failures.append(f"kblog processes changed: {pid_changes}")
        if bad_likes or bad_comments:
            failures.append(f"counters off: {bad_likes} posts' like_count, "
                            f"{bad_comments} posts' comment_count")

        # RSS growth: first minute against last minute.
        first = [kb for (t, kb, _) in rss if t < 60]
        last = [kb for (t, kb, _) in rss if t >= elapsed - 60]
        report["rss_first"] = statistics.mean(first) if first else 0
        report["rss_last"] = statistics.mean(last) if last else 0
        growth = (report["rss_last"] / report["rss_first"] - 1
                  if report["rss_first"] else 0)
        report["growth"] = growth
        report["growth_checked"] = elapsed >= 120
        if report["growth_checked"] and growth > ARGS.rss_growth:
            failures.append(f"RSS grew {growth:.1%} (> "
                            f"{ARGS.rss_growth:.0%}) from the first to the "
                            f"last minute")
    finally:
        if k is not None:
            # Deaths while it served (Kore logs "died" and restarts).
            report["worker_deaths"] = [
                line for line in k.output().splitlines()
                if re.search(r"died|sandbox violation|restarting worker",
                             line)]
            # valgrind writes its summaries at exit: give it time.
            k.proc.stop(timeout=240 if ARGS.valgrind else 20)
            report["log_tail"] = k.output()[-3000:]
            report["sanitizer"] = k.sanitizer_reports()
        pg.destroy()

    if report.get("sanitizer"):
        failures.append(f"{len(report['sanitizer'])} sanitizer/sandbox "
                        f"reports in kblog's log")
    if report.get("worker_deaths"):
        failures.append("a worker died: " + report["worker_deaths"][0])
    if ARGS.valgrind:
        files, vg_errors, bad, unfinished = valgrind_summary(k)
        report.update(vg_files=files, vg_errors=vg_errors, vg_bad=bad,
                      vg_unfinished=unfinished)
        if not files:
            failures.append("no valgrind logs")
        if vg_errors:
            failures.append(f"valgrind: {vg_errors} errors")
        if unfinished:
            failures.append(f"valgrind logs without a summary: {unfinished}")
    report["failures"] = failures
    write_report(report, work)
    if failures:
        log("FAIL: " + "; ".join(failures))
        log(f"kblog's log and the work files are in {work}")
        return 1
    log("PASS")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def write_report(rep, work):
    out = Path(ARGS.results)
    out.parent.mkdir(parents=True, exist_ok=True)
    stats = rep.get("stats")
    mode = ARGS.flavor + (" under valgrind memcheck (seccomp filter off, "
                          "see tests/soak/noseccomp.c)" if ARGS.valgrind
                          else "")
    lines = [
        "# kblog soak test", "",
        f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}"
        f", host {os.uname().nodename}, {os.cpu_count()} cores",
        f"- command: `tests/soak/run {' '.join(sys.argv[1:])}`",
        f"- build: {mode}; kblog with 2 workers, PostgreSQL "
        f"{harness.PGBIN.parent.name} on the same machine",
        f"- data: {rep.get('data', '?')}: {rep.get('users', '?')} users, "
        f"{rep.get('posts', '?')} published posts at the start",
        f"- load: {ARGS.threads} client threads, one request at a time "
        f"each, no think time, for {ARGS.seconds} s",
        f"- verdict: **{'FAIL' if rep['failures'] else 'PASS'}**"
        + ("" if not rep["failures"] else ": " + "; ".join(
            rep["failures"])),
        "",
    ]
    if stats:
        elapsed = rep["elapsed"]
        errors = sum(stats.errors.values())
        lines += [
            "## Requests", "",
            f"{stats.total:,} requests in {elapsed:.0f} s "
            f"({stats.total / elapsed:,.0f}/s), **{errors} errors**.", "",
            "| operation | requests | errors | p50 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for op in WEIGHTS:
            lat = stats.lat.get(op, [])
            if not lat:
                continue
            lines.append(f"| {op} | {stats.count[op]:,} | "
                         f"{stats.errors[op]} | {pct(lat, 50) * 1000:.1f} | "
                         f"{pct(lat, 99) * 1000:.1f} | "
                         f"{max(lat) * 1000:.0f} |")
        if stats.samples:
            lines += ["", "First errors:", ""] + [
                f"- `{s}`" for s in stats.samples]
        lines += ["", "## Memory (kblog parent + workers, VmRSS)", "",
                  f"Sampled every {ARGS.rss_interval:.0f} s; each sample "
                  "is the lowest of 5 readings 0.2 s apart (the floor: a "
                  "login's Argon2id hash holds 19 MiB for a moment), the "
                  "highest of them is the peak.  The growth check compares "
                  "the floors' means.", ""]
        first, last = rep["rss_first"] / 1024, rep["rss_last"] / 1024
        verdict = (f"{rep['growth']:+.1%} (limit +{ARGS.rss_growth:.0%})"
                   if rep["growth_checked"] else
                   f"{rep['growth']:+.1%}, not checked: the run is shorter "
                   f"than 2 minutes")
        lines += [f"First minute mean {first:.1f} MB, last minute mean "
                  f"{last:.1f} MB: {verdict}.", "",
                  "| minute | samples | floor min MB | floor mean MB | "
                  "floor max MB | peak max MB |",
                  "|---:|---:|---:|---:|---:|---:|"]
        per_min = defaultdict(list)
        for (t, floor, peak) in rep["rss"]:
            per_min[int(t // 60)].append((floor, peak))
        for m in sorted(per_min):
            fl = [f for (f, _) in per_min[m]]
            pk = [p for (_, p) in per_min[m]]
            lines.append(f"| {m + 1} | {len(fl)} | {min(fl) / 1024:.1f} | "
                         f"{statistics.mean(fl) / 1024:.1f} | "
                         f"{max(fl) / 1024:.1f} | {max(pk) / 1024:.1f} |")
        lines += ["", "Every sample (s: floor MB): " + ", ".join(
            f"{t:.0f}: {kb / 1024:.1f}" for (t, kb, _) in rep["rss"]), ""]
        u, p, c, lk, slk, sc = rep["totals"]
        lines += ["## Counters", "",
                  f"At the end: {u} users, {p} posts, {c:,} comments, "
                  f"{lk:,} likes; sum(like_count) {slk:,}, "
                  f"sum(comment_count) {sc:,}.  Posts whose like_count "
                  f"differs from count(*) of its likes: "
                  f"**{rep['bad_likes']}**; whose comment_count differs: "
                  f"**{rep['bad_comments']}**.", ""]
    lines += ["## Process health", "",
              f"- worker deaths or restarts: "
              f"{len(rep.get('worker_deaths', []))}"
              + (f" ({rep['worker_deaths'][:3]})"
                 if rep.get("worker_deaths") else ""),
              f"- sanitizer / sandbox reports in kblog's log: "
              f"{len(rep.get('sanitizer', []))}"
              + (" (AddressSanitizer + UBSan build)" if ARGS.flavor == "asan"
                 else "")]
    for line in rep.get("sanitizer", [])[:10]:
        lines.append(f"  - `{line}`")
    if ARGS.valgrind:
        lines.append(f"- valgrind memcheck: {len(rep['vg_files'])} process "
                     f"logs, **{rep['vg_errors']} errors**"
                     + (f"; {rep['vg_bad']}" if rep["vg_bad"] else "")
                     + (f"; unfinished: {rep['vg_unfinished']}"
                        if rep["vg_unfinished"] else ""))
    lines.append("")
    out.write_text("\n".join(lines))
    (work / "report.json").write_text(json.dumps(
        {k: v for k, v in rep.items() if k in (
            "failures", "rss", "totals", "bad_likes", "bad_comments",
            "elapsed")}, default=str, indent=1))
    log(f"report: {out}")


if __name__ == "__main__":
    sys.exit(main())
