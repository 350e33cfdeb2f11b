#!/usr/bin/python3
"""Image processing under load: does it ever delay pages?

Seeds the standard data, starts PostgreSQL and kblog (prod build, 2
workers, the local store), and in each of --rounds rounds measures, each
for --duration seconds:

  1. /health latency (wrk -c8: a light, steady probe of the event loops)
     and the home page's throughput (wrk -c64), with nothing else going;
  2. the same while --images 12-megapixel JPEGs (4000x3000, 1.5 MB, from
     tests/images/make_fixtures.py) are being completed at once: each
     decoded, stripped and re-encoded into 8 variants in the workers'
     image lanes (IMAGE_CONCURRENCY at a time per worker, in the
     SCHED_IDLE class); wrk starts once they are all in flight, and the
     script says how many had finished when each window ended.

Idle and loaded windows alternate, so that on a shared machine both see
the same background; the medians over the rounds are the figures.  It
prints p50/p99 of /health and req/s of the home page, idle and loaded,
the drop, and the time one 12-megapixel JPEG takes through complete on
an idle server.  The targets (issue 14): /health p99 under 10 ms and page
throughput down by less than a third.

    tests/bench/images [--duration 6] [--images 20] [--rounds 3]

Not part of the test suite: the numbers depend on the machine (wrk shares
the cores with kblog, PostgreSQL and the decoders).
"""

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(HERE))
from bench import STANDARD, rss_mb, run_wrk  # noqa: E402
from harness import Kblog, Postgres  # noqa: E402


class Uploader:
    """A user's uploads of one file, sent and waiting to be completed."""

    def __init__(self, base, data):
        self.base = base
        self.data = data
        self.s = requests.Session()
        name = "img%d" % (time.time_ns() % 10**9)
        r = self.s.post(base + "/api/v1/users", json={
            "username": name, "password": "kblog-bench-password"})
        r.raise_for_status()
        r = self.s.post(base + "/api/v1/tokens", json={
            "username": name, "password": "kblog-bench-password"})
        self.s.headers["Authorization"] = "Bearer " + r.json()["token"]

    def prepare(self, n):
        ids = []
        for _ in range(n):
            r = self.s.post(self.base + "/api/v1/uploads", json={
                "filename": "photo.jpg", "content_type": "image/jpeg",
                "byte_size": len(self.data)})
            r.raise_for_status()
            up = r.json()
            requests.put(up["url"], data=self.data,
                         headers=up["headers"]).raise_for_status()
            ids.append(up["id"])
        return ids

    def complete(self, upload_id, done):
        # A connection of its own: a pooled one idle for longer than the
        # keep-alive time would meet Kore's 408 for it.
        t = time.monotonic()
        r = requests.post(f"{self.base}/api/v1/uploads/{upload_id}/"
                          "complete", headers=self.s.headers, timeout=600)
        done.append((r.status_code, time.monotonic() - t, time.monotonic()))


def batch(up, ids):
    """Starts completing every upload at once; returns (threads, done)."""
    done = []
    threads = [threading.Thread(target=up.complete, args=(i, done))
               for i in ids]
    for t in threads:
        t.start()
    return threads, done


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else \
        (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=6)
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    d, n = args.duration, args.images

    work = Path(tempfile.mkdtemp(prefix="kblog-bench-img-"))
    subprocess.run([sys.executable, str(REPO / "tests" / "images" /
                                        "make_fixtures.py"), str(work / "fx")],
                   check=True, stdout=subprocess.DEVNULL)
    photo = (work / "fx" / "photo_12mp.jpg").read_bytes()
    pg = Postgres()
    k = Kblog(pg.url, work, extra_env={"WORKERS": "2",
                                       "UPLOADS_PER_HOUR": "0",
                                       "UPLOAD_PENDING_MAX": "0",
                                       "UPLOAD_QUOTA_BYTES": "0"})
    rounds = []
    try:
        subprocess.run([str(REPO / "scripts" / "seed"), "--database-url",
                        pg.url, "--reset"] + STANDARD, check=True,
                       stdout=subprocess.DEVNULL)
        up = Uploader(k.url, photo)
        pids = [k.proc.pid] + k.worker_pids()

        # One image, idle: the time complete takes end to end.
        singles = []
        for i in up.prepare(3):
            done = []
            up.complete(i, done)
            assert done[0][0] == 200, done
            singles.append(done[0][1])

        for _ in range(args.rounds):
            r = {"idle_h": run_wrk(k.url + "/health", d, 8),
                 "idle_p": run_wrk(k.url + "/", d, 64)}
            ids = up.prepare(n)
            t0 = time.monotonic()
            threads, done = batch(up, ids)
            time.sleep(0.5)             # every request is in a lane
            r["load_h"] = run_wrk(k.url + "/health", d, 8)
            r["during_h"] = len(done)
            r["load_p"] = run_wrk(k.url + "/", d, 64)
            r["during_p"] = len(done)
            r["rss"] = rss_mb(pids)
            for t in threads:
                t.join()
            r["batch"] = time.monotonic() - t0
            bad = [st for st, _, _ in done if st != 200]
            assert not bad, bad
            rounds.append(r)
    finally:
        k.stop()
        pg.destroy()

    print(f"\n# kblog images under load: {n} x 12-megapixel JPEG "
          f"({len(photo) / 1e6:.1f} MB), 2 workers, IMAGE_CONCURRENCY 1, "
          f"wrk {d} s windows, {args.rounds} rounds\n")
    print("| round | /health p99 idle | /health p99 loaded | home req/s idle "
          "| home req/s loaded | images done by the windows' ends | batch "
          "| RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for i, r in enumerate(rounds, 1):
        print(f"| {i} | {r['idle_h']['p99']:.2f} ms | "
              f"{r['load_h']['p99']:.2f} ms | {r['idle_p']['rps']:,.0f} | "
              f"{r['load_p']['rps']:,.0f} | {r['during_h']}, "
              f"{r['during_p']} of {n} | {r['batch']:.1f} s | "
              f"{r['rss']:.0f} MB |")
    ih = median([r["idle_h"]["p99"] for r in rounds])
    lh = median([r["load_h"]["p99"] for r in rounds])
    ip = median([r["idle_p"]["rps"] for r in rounds])
    lp = median([r["load_p"]["rps"] for r in rounds])
    print(f"\nmedians: /health p99 {ih:.2f} ms idle, {lh:.2f} ms while "
          f"processing (target < 10 ms); home page {ip:,.0f} req/s idle, "
          f"{lp:,.0f} while processing: a drop of {(1 - lp / ip) * 100:.1f} "
          f"% (target < 33 %)")
    print("one 12-megapixel JPEG through complete, idle: " +
          ", ".join(f"{x:.2f} s" for x in singles))
    if any(r["during_p"] >= n for r in rounds):
        print("WARNING: a batch finished inside its windows; use more "
              "--images or a shorter --duration")


if __name__ == "__main__":
    main()
