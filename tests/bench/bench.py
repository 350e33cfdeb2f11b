#!/usr/bin/python3
"""kblog benchmark: starts PostgreSQL and kblog (prod build), drives each
endpoint with wrk and prints requests/s, p50/p99 latency and kblog's total
RSS (parent + workers), with the ceilings beside them: a static handler in
the same build (Kore's asset handler) and pgbench running the endpoint's
SQL with the same number of connections.

    tests/bench/run [--duration 10] [--connections 64]

Not part of the test suite: numbers depend on the machine.  wrk shares the
cores with kblog and PostgreSQL, as it would on a small host.
"""

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import PGBIN, Kblog, Postgres  # noqa: E402

# name, path, SQL the endpoint runs (None: no database work)
ENDPOINTS = [
    ("static asset (ceiling)", "/static/style.css", None),
    ("/health", "/health", None),
    ("/ready", "/ready", "SELECT 1;"),
]


def rss_kb(pids):
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url, duration, conns):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict((p, to_ms(v, u)) for p, v, u in re.findall(
        r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_err = re.search(r"Socket errors: (.*)", out)
    return rps, lat.get("50"), lat.get("99"), (
        int(errors.group(1)) if errors else 0), (
        socket_err.group(1) if socket_err else "")


def run_pgbench(pg, sql, duration, conns):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(sql + "\n")
        script = f.name
    os.chmod(script, 0o644)
    argv = [str(PGBIN / "pgbench"), "-n", "-h", "127.0.0.1", "-p",
            str(pg.port), "-U", "kblog", "-c", str(conns), "-j", "2",
            "-T", str(duration), "-f", script, "kblog"]
    out = subprocess.run(argv, capture_output=True, text=True).stdout
    os.unlink(script)
    m = re.search(r"tps = ([\d.]+)", out)
    return float(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kblog-bench-"))
    pg = Postgres()
    k = Kblog(pg.url, work, extra_env={"WORKERS": "2"})
    try:
        pids = [k.proc.pid] + k.worker_pids()
        print(f"# kblog benchmark: {platform.node()}, {os.cpu_count()} cores,"
              f" wrk -t2 -c{args.connections} -d{args.duration}s, "
              f"flavor {os.environ.get('KBLOG_FLAVOR', 'dev')}")
        print(f"| endpoint | req/s | p50 ms | p99 ms | non-2xx | "
              f"RSS MB | pgbench tps (same SQL, -c{args.connections}) | "
              f"ratio |")
        print("|---|---|---|---|---|---|---|---|")
        for name, path, sql in ENDPOINTS:
            rps, p50, p99, bad, sock = run_wrk(k.url + path, args.duration,
                                               args.connections)
            rss = rss_kb(pids) / 1024
            ceiling = ratio = "-"
            if sql is not None:
                tps = run_pgbench(pg, sql, args.duration, args.connections)
                if tps:
                    ceiling = f"{tps:,.0f}"
                    ratio = f"{rps / tps:.2f}"
            print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {bad} "
                  f"| {rss:.1f} | {ceiling} | {ratio} |" +
                  (f" socket errors: {sock}" if sock else ""))
    finally:
        k.stop()
        pg.destroy()


if __name__ == "__main__":
    main()
