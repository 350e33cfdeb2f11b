"""Faults: PostgreSQL restarted under load and stopped, the S3 store
stopped, a worker killed, the local store's disk full.  Each test runs its
own kblog.  Tests that stop the session's shared PostgreSQL start it again
in a `finally:` so that a failure here never takes the rest of the suite
down with it.  Every load loop is bounded in time and count, loopback only.
"""

import http.client
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from harness import Swift
from test_api import new_user

JSON_CT = "application/json; charset=utf-8"
HTML_CT = "text/html; charset=utf-8"
UNAVAILABLE_TITLE = "Temporarily unavailable"
UNAVAILABLE_TEXT = ("The blog is temporarily unavailable. Please try again "
                    "in a moment.")
# The circuit breaker of src/db/db.c: after a failed connection attempt a
# worker answers 503 at once for this long before it tries again.
BREAKER_S = 1.0
# "Never a hang": no request may take longer than this, outage or not.
HANG_LIMIT_S = 5.0


def png(width=2, height=1):
    from test_uploads import png as _png
    return _png(width, height)


def ensure_pg_up(pg):
    """The shared cluster must be running when a test leaves."""
    if pg.proc is None or not pg.proc.alive():
        pg.stop()
        pg.start()


def pids_of(k):
    return [k.proc.pid] + k.worker_pids()


def assert_unavailable_page(r):
    assert r.status_code == 503, (r.status_code, r.text[:200])
    assert r.headers["content-type"] == HTML_CT
    assert UNAVAILABLE_TITLE in r.text and UNAVAILABLE_TEXT in r.text
    assert r.headers.get("cache-control") == "no-store"


def assert_unavailable_json(r, code="database_unavailable"):
    assert r.status_code == 503, (r.status_code, r.text[:200])
    assert r.headers["content-type"] == JSON_CT
    assert r.json()["error"]["code"] == code, r.text


# -- PostgreSQL restarted in the middle of a mixed load -------------------

class Load:
    """Threads doing a mix of page and API reads and writes, each request
    recorded as (start, end, op, status or exception, content type,
    error code)."""

    OPS = ["page", "api_list", "api_get", "comment", "like", "unlike",
           "create"]

    def __init__(self, url, token, post_id, threads=4, seconds=6.0,
                 max_requests=4000):
        self.url = url
        self.token = token
        self.post_id = post_id
        self.nthreads = threads
        self.until = time.time() + seconds
        self.max_requests = max_requests   # per thread
        self.results = []
        self.lock = threading.Lock()
        self.threads = []

    def extend(self, until):
        self.until = max(self.until, until)

    def one(self, s, op, rnd):
        base = self.url
        pid = self.post_id
        if op == "page":
            return s.get(base + "/", timeout=10)
        if op == "api_list":
            return s.get(base + "/api/v1/posts?limit=10", timeout=10)
        if op == "api_get":
            return s.get(f"{base}/api/v1/posts/{pid}", timeout=10)
        if op == "comment":
            return s.post(f"{base}/api/v1/posts/{pid}/comments",
                          json={"body": f"load {rnd.random()}"}, timeout=10)
        if op == "like":
            return s.put(f"{base}/api/v1/posts/{pid}/like", timeout=10)
        if op == "unlike":
            return s.delete(f"{base}/api/v1/posts/{pid}/like", timeout=10)
        return s.post(base + "/api/v1/posts", json={
            "title": "under load", "body_markdown": "x *y*"}, timeout=10)

    def worker(self, seed):
        rnd = random.Random(seed)
        s = requests.Session()
        s.headers["Authorization"] = "Bearer " + self.token
        for _ in range(self.max_requests):
            if time.time() >= self.until:
                break
            op = rnd.choice(self.OPS)
            t0 = time.time()
            try:
                r = self.one(s, op, rnd)
                code = None
                if r.status_code >= 400 and r.headers.get(
                        "content-type", "").startswith("application/json"):
                    code = r.json().get("error", {}).get("code")
                rec = (t0, time.time(), op, r.status_code,
                       r.headers.get("content-type", ""), code,
                       r.text if op == "page" and r.status_code != 200
                       else "")
            except requests.RequestException as e:
                rec = (t0, time.time(), op, e, "", None, "")
            with self.lock:
                self.results.append(rec)

    def start(self):
        for i in range(self.nthreads):
            t = threading.Thread(target=self.worker, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)

    def join(self):
        for t in self.threads:
            t.join(60)
        assert not any(t.is_alive() for t in self.threads), "load hung"


def test_postgres_restarted_mid_load(pg, kblog_factory):
    """4 threads of page/API reads and writes for ~6 s; PostgreSQL is
    restarted (fast shutdown, start) once in the middle.  kblog is not
    restarted (same pids); during the outage a request may be 503 with
    the error page or JSON error, never another 5xx, never a connection
    error, never a hang; once PostgreSQL is back (plus the 1 s breaker
    window of src/db/db.c) there is no 5xx at all."""
    # One user writes hundreds of posts and comments a second: a load
    # test, not a person, so the per-user rates are off.
    k = kblog_factory(pg.url, extra_env={"DB_CONNECT_TIMEOUT": "2",
                                         "POSTS_PER_HOUR": "0",
                                         "COMMENTS_PER_HOUR": "0"})
    pids = pids_of(k)
    _, api, tok = new_user(k.url)
    post_id = api.call("POST", "/posts", {"title": "target",
                                          "body_markdown": "b"}).json()["id"]
    load = Load(k.url, tok["token"], post_id)
    load.start()
    t_down = t_up = None
    try:
        time.sleep(2.0)
        t_down = time.time()
        pg.stop()
        time.sleep(1.0)
        pg.start()
        t_up = time.time()
        # At least 2.5 s of load once it is back.
        load.extend(t_up + BREAKER_S + 2.5)
    finally:
        ensure_pg_up(pg)
        load.join()

    res = load.results
    errors = [r for r in res if isinstance(r[3], Exception)]
    assert not errors, f"connection errors: {errors[:5]}"
    slowest = max(res, key=lambda r: r[1] - r[0])
    assert slowest[1] - slowest[0] < HANG_LIMIT_S, \
        f"a request took {slowest[1] - slowest[0]:.2f} s: {slowest[:4]}"
    for (t0, t1, op, status, ctype, code, text) in res:
        if status < 500:
            assert status in (200, 201), (op, status, code)
            continue
        # Only an outage may cost a request, and only as a 503 that says so.
        assert status == 503, (op, status, code, t0 - t_down)
        assert t1 >= t_down, (op, "5xx before the outage")
        if op == "page":
            assert ctype == HTML_CT and UNAVAILABLE_TEXT in text
        else:
            assert ctype == JSON_CT and code == "database_unavailable", \
                (op, ctype, code)
    back = t_up + BREAKER_S + 0.5
    late = [r for r in res if r[0] >= back and r[3] >= 500]
    after = [r for r in res if r[0] >= back]
    assert len(after) >= 20, f"only {len(after)} requests after recovery"
    assert not late, f"5xx after PostgreSQL was back: {late[:5]}"
    last_5xx = max((r[1] for r in res if r[3] >= 500), default=None)
    print(f"\nrestart mid-load: {len(res)} requests, "
          f"{sum(1 for r in res if r[3] == 503)} x 503 during the "
          f"{t_up - t_down:.2f} s outage, last 5xx "
          + (f"{last_5xx - t_up:+.2f} s after PostgreSQL was back"
             if last_5xx else "none")
          + f", slowest request {slowest[1] - slowest[0]:.3f} s, "
          f"{len(after)} requests after recovery all 2xx")
    assert k.proc.alive() and pids_of(k) == pids, "kblog restarted"


# -- PostgreSQL stopped ---------------------------------------------------

def test_postgres_stopped_503_everywhere_but_health(pg, kblog_factory):
    """With PostgreSQL down: pages are the HTML 503 page, /ready and the
    API are 503 JSON database_unavailable, /health is 200, and nothing
    takes longer than DB_CONNECT_TIMEOUT + 1 s (whether the breaker is
    open or a real connection attempt is made).  Back to normal without a
    kblog restart once PostgreSQL is."""
    timeout = 2
    k = kblog_factory(pg.url, extra_env={"DB_CONNECT_TIMEOUT": str(timeout)})
    pids = pids_of(k)
    _, api, tok = new_user(k.url)
    post_id = api.call("POST", "/posts", {"title": "still here",
                                          "body_markdown": "b"}).json()["id"]
    for _ in range(20):     # pooled connections in both workers
        assert requests.get(k.url + "/").status_code == 200
    bearer = {"Authorization": "Bearer " + tok["token"]}
    checks = [
        ("GET", "/", None, None, "page"),
        ("GET", f"/posts/{post_id}", None, None, "page"),
        ("GET", "/search?q=still", None, None, "page"),
        ("GET", "/ready", None, None, "json"),
        ("GET", "/api/v1/posts", None, None, "json"),
        ("GET", f"/api/v1/posts/{post_id}", None, None, "json"),
        ("POST", "/api/v1/posts", bearer,
         {"title": "t", "body_markdown": "b"}, "json"),
        ("PUT", f"/api/v1/posts/{post_id}/like", bearer, None, "json"),
        ("GET", "/health", None, None, "health"),
    ]
    slowest = 0.0
    pg.stop()
    try:
        # Round 0 right after the stop (pooled connections just died),
        # then rounds with the breaker open and with it expired.
        for rnd in range(4):
            for method, path, headers, body, kind in checks:
                t0 = time.time()
                r = requests.request(method, k.url + path, json=body,
                                     headers=headers, timeout=30)
                took = time.time() - t0
                slowest = max(slowest, took)
                assert took < timeout + 1, (path, took)
                if kind == "page":
                    assert_unavailable_page(r)
                elif kind == "json":
                    assert_unavailable_json(r)
                else:
                    assert r.status_code == 200 and \
                        r.json() == {"status": "ok"}
            if rnd >= 2:
                time.sleep(BREAKER_S + 0.2)     # let the breaker close
    finally:
        pg.start()
    deadline = time.time() + 10
    while requests.get(k.url + "/ready").status_code != 200:
        assert time.time() < deadline, "/ready did not come back"
        time.sleep(0.2)
    for _ in range(20):
        assert requests.get(k.url + "/").status_code == 200
        assert requests.get(f"{k.url}/api/v1/posts/{post_id}"
                            ).status_code == 200
    assert pids_of(k) == pids
    print(f"\npostgres stopped: slowest answer {slowest:.3f} s "
          f"(limit {timeout + 1} s)")


# -- The S3 store stopped ---------------------------------------------------

@pytest.fixture
def swift():
    s = Swift()
    yield s
    s.destroy()


def test_s3_store_stopped(pg, kblog_factory, swift):
    """The S3 peer (Swift) stopped: the upload steps that talk to the
    store (complete, delete) answer 503 storage_unavailable quickly, while
    pages and API reads are unaffected.  Presigning (POST /uploads) needs
    no round trip to the store (static credentials; like the AWS SDKs it
    is computed locally): it still answers 201 and the URL works once the
    store is back.  After the restart every step works again."""
    k = kblog_factory(pg.url, extra_env=swift.env())
    _, api, _ = new_user(k.url)
    data = png()

    def upload():
        r = api.call("POST", "/uploads", {"filename": "a.png",
                                          "content_type": "image/png",
                                          "byte_size": len(data)})
        assert r.status_code == 201, r.text
        return r.json()

    # Works before: one image ready (to delete later), one PUT pending.
    ready = upload()
    assert requests.put(ready["url"], data=data, headers=ready["headers"]
                        ).status_code == 200
    assert api.call("POST", f"/uploads/{ready['id']}/complete"
                    ).status_code == 200
    pending = upload()
    assert requests.put(pending["url"], data=data,
                        headers=pending["headers"]).status_code == 200
    post_id = api.call("POST", "/posts", {"title": "p", "body_markdown": "b"}
                       ).json()["id"]

    swift.stop()
    try:
        t0 = time.time()
        r = api.call("POST", f"/uploads/{pending['id']}/complete")
        assert_unavailable_json(r, "storage_unavailable")
        assert "storage" in r.json()["error"]["message"].lower()
        r = api.call("DELETE", f"/images/{ready['id']}")
        assert_unavailable_json(r, "storage_unavailable")
        assert time.time() - t0 < 15
        # Presigning is local; the browser's PUT is what fails.
        offline = upload()
        with pytest.raises(requests.ConnectionError):
            requests.put(offline["url"], data=data,
                         headers=offline["headers"], timeout=10)
        # Unaffected: pages, API reads, the image list (database only).
        assert requests.get(k.url + "/").status_code == 200
        assert requests.get(f"{k.url}/posts/{post_id}").status_code == 200
        assert requests.get(k.url + "/ready").status_code == 200
        assert api.call("GET", f"/posts/{post_id}").status_code == 200
        assert api.call("GET", "/posts").status_code == 200
        ids = [i["id"] for i in api.call("GET", "/images").json()["items"]]
        assert ready["id"] in ids and pending["id"] in ids
        # Taken out of use, its objects not gone yet: deleting it again
        # finishes (below).
        assert pg.query("SELECT state FROM images WHERE id = %s",
                        (ready["id"],)) == [("deleting",)]
    finally:
        swift.start()
    assert api.call("POST", f"/uploads/{pending['id']}/complete"
                    ).status_code == 200
    assert api.call("DELETE", f"/images/{ready['id']}").status_code == 204
    assert requests.put(offline["url"], data=data, headers=offline["headers"]
                        ).status_code == 200
    assert api.call("POST", f"/uploads/{offline['id']}/complete"
                    ).status_code == 200
    fresh = upload()
    assert requests.put(fresh["url"], data=data, headers=fresh["headers"]
                        ).status_code == 200
    assert api.call("POST", f"/uploads/{fresh['id']}/complete"
                    ).status_code == 200


# -- A worker killed ----------------------------------------------------------

def _server_inodes(port):
    """{client port: socket inode} of kblog's side of its connections."""
    out = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            f = line.split()
            lport = int(f[1].rsplit(":", 1)[1], 16)
            rport = int(f[2].rsplit(":", 1)[1], 16)
            if lport == port and f[3] == "01":      # ESTABLISHED
                out[rport] = int(f[9])
    return out


def _owner(pids, inode):
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == \
                            f"socket:[{inode}]":
                        return pid
                except OSError:
                    pass
        except OSError:
            pass
    return None


class KeepAlive:
    """One keep-alive connection doing GETs; records each result with the
    worker that held the connection (found through /proc after the first
    answer: the worker that accepted it owns it until it closes)."""

    def __init__(self, port):
        self.port = port
        self.conn = None
        self.owner = None
        self.results = []       # (owner, ok, detail)

    def connect(self, workers):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=10)
        self.conn.connect()
        self.owner = None
        self.get("/health", record=False)
        if self.conn is None:
            return
        local = self.conn.sock.getsockname()[1]
        for _ in range(50):
            inode = _server_inodes(self.port).get(local)
            if inode is not None:
                self.owner = _owner(workers, inode)
            if self.owner is not None:
                return
            time.sleep(0.01)

    def get(self, path, record=True):
        owner = self.owner
        try:
            self.conn.request("GET", path)
            r = self.conn.getresponse()
            r.read()
            if record:
                self.results.append((owner, r.status == 200, r.status))
            if r.getheader("connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as e:
            if record:
                self.results.append((owner, False, repr(e)))
            self.conn.close()
            self.conn = None


def _kill_one_worker(k, conns, victim, paths):
    """Loops on every connection, SIGKILLs victim, waits for its
    replacement, keeps going 1.5 s more.  Returns (new pid, seconds to
    restart)."""
    before = k.worker_pids()
    stop = threading.Event()

    def loop(c, seed):
        rnd = random.Random(seed)
        for _ in range(5000):
            if stop.is_set():
                break
            if c.conn is None:
                c.connect(k.worker_pids())
                continue
            c.get(rnd.choice(paths))

    threads = [threading.Thread(target=loop, args=(c, i), daemon=True)
               for i, c in enumerate(conns)]
    for t in threads:
        t.start()
    new_pid = None
    try:
        time.sleep(1.0)
        t_kill = time.time()
        os.kill(victim, signal.SIGKILL)
        deadline = time.time() + 15
        while time.time() < deadline:
            now = k.worker_pids()
            fresh = [p for p in now if p not in before]
            if len(now) == len(before) and fresh:
                new_pid = fresh[0]
                break
            time.sleep(0.05)
        restart_s = time.time() - t_kill
        time.sleep(1.5)     # keep the load on, new worker included
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not any(t.is_alive() for t in threads), "a request loop hung"
    assert new_pid is not None, "the killed worker was not restarted:\n" + \
        k.output()[-2000:]
    return new_pid, restart_s


def test_worker_killed_is_restarted_others_unaffected(pg, kblog_factory):
    """SIGKILL a worker, twice: first one that holds none (or the fewest)
    of the client's keep-alive connections, then the one that holds the
    most.  Each time the parent starts a new worker (a new pid), the other
    worker's connections see only 200s meanwhile, and the service answers
    normally after.

    Allowed failures: a connection belongs to the worker that accepted it;
    SIGKILL closes it with whatever was in flight, and nothing else can
    answer that request: kblog never saw it on another worker.  So at
    most one failure per connection that was on the killed worker (the
    client then reconnects and is served), and none anywhere else.  (Kore's
    accept lock usually lets one worker take every connection of a light
    load, hence the two rounds: one per side.)"""
    k = kblog_factory(pg.url, extra_env={"WORKERS": "2"})
    assert len(k.worker_pids()) == 2
    parent = k.proc.pid
    _, api, _ = new_user(k.url)
    post_id = api.call("POST", "/posts", {"title": "w", "body_markdown": "b"}
                       ).json()["id"]
    paths = ["/health", "/", f"/api/v1/posts/{post_id}", "/api/v1/posts"]
    conns = []
    for _ in range(3):
        c = KeepAlive(k.port)
        c.connect(k.worker_pids())
        conns.append(c)
    summary = []
    for rnd in ("fewest", "most"):
        workers = k.worker_pids()
        for c in conns:
            if c.conn is None or c.owner not in workers:
                if c.conn is not None:
                    c.conn.close()
                c.connect(workers)
            c.results = []
        held = {w: sum(1 for c in conns if c.owner == w) for w in workers}
        assert sum(held.values()) == len(conns), (held, workers)
        victim = (min if rnd == "fewest" else max)(workers, key=held.get)
        survivor = [w for w in workers if w != victim][0]
        new_pid, restart_s = _kill_one_worker(k, conns, victim, paths)
        assert survivor in k.worker_pids() and k.proc.pid == parent
        failed = 0
        for c in conns:
            bad = [r for r in c.results if not r[1]]
            assert not [r for r in bad if r[0] != victim], \
                f"failures off the killed worker: {bad}"
            assert len(bad) <= 1, f"more than one failure on a " \
                f"connection: {bad}"
            failed += len(bad)
        total = sum(len(c.results) for c in conns)
        summary.append(f"killed the worker holding {held[victim]} of "
                       f"{len(conns)} connections: restarted in "
                       f"{restart_s:.2f} s, {total} requests, {failed} "
                       f"failed")
    # Normal service after: fresh connections, both workers.
    s = requests.Session()
    for _ in range(50):
        assert s.get(k.url + "/").status_code == 200
        assert requests.get(f"{k.url}/api/v1/posts/{post_id}"
                            ).status_code == 200
    assert k.proc.alive() and len(k.worker_pids()) == 2
    print("\nworker killed: " + "; ".join(summary))


# -- The local store's disk full --------------------------------------------

@pytest.fixture
def tiny_disk(workdir):
    d = Path(workdir) / f"tiny-{os.getpid()}-{random.getrandbits(32):x}"
    d.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0750",
                        "tmpfs", str(d)], capture_output=True, text=True)
    if r.returncode != 0:
        d.rmdir()
        pytest.skip("cannot mount a tmpfs here (needs root and "
                    f"CAP_SYS_ADMIN): {r.stderr.strip()}")
    try:
        yield d
    finally:
        if subprocess.run(["umount", str(d)]).returncode != 0:
            subprocess.run(["umount", "-l", str(d)])
        d.rmdir()


def _files(d):
    return sorted(str(p.relative_to(d)) for p in Path(d).rglob("*")
                  if p.is_file())


def test_disk_full_local_store(pg, tiny_disk, kblog_factory):
    """UPLOAD_DIR on a 256 KiB tmpfs: a 400 KiB upload does not fit.  The
    PUT answers 507 storage_full (JSON), leaves no file behind (no
    .tmp-*, not the key), completing it says it is missing, and a small
    image works before and still works afterwards."""
    k = kblog_factory(pg.url, extra_env={"UPLOAD_DIR": str(tiny_disk)})
    _, api, _ = new_user(k.url)

    def small_upload(name):
        data = png()
        r = api.call("POST", "/uploads", {"filename": name,
                                          "content_type": "image/png",
                                          "byte_size": len(data)})
        up = r.json()
        assert requests.put(up["url"], data=data, headers=up["headers"]
                            ).status_code == 200
        r = api.call("POST", f"/uploads/{up['id']}/complete")
        assert r.status_code == 200, r.text
        got = requests.get(k.url + r.json()["url"])
        assert got.status_code == 200
        assert got.content.startswith(b"\x89PNG\r\n\x1a\n")

    # One small file first: the disk then fills in the middle of one of
    # the store's 64 KiB writes (a short write), not on a chunk boundary.
    small_upload("first.png")
    before = _files(tiny_disk)
    big = png() + os.urandom(400 * 1024)
    r = api.call("POST", "/uploads", {"filename": "big.png",
                                      "content_type": "image/png",
                                      "byte_size": len(big)})
    assert r.status_code == 201, r.text
    up = r.json()
    r = requests.put(up["url"], data=big, headers=up["headers"], timeout=30)
    assert r.status_code == 507, (r.status_code, r.text, k.output()[-1500:])
    assert r.headers["content-type"] == JSON_CT
    assert r.json()["error"]["code"] == "storage_full"
    after = _files(tiny_disk)
    assert after == before, f"left behind: {set(after) - set(before)}"
    assert not any(".tmp-" in f for f in after)
    r = api.call("POST", f"/uploads/{up['id']}/complete")
    assert r.status_code == 409 and \
        r.json()["error"]["code"] == "upload_missing"

    small_upload("after.png")
    assert not any(".tmp-" in f for f in _files(tiny_disk))
