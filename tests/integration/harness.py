"""Real processes for the integration tests: a throwaway PostgreSQL cluster
and kblog itself, started from the build that tests/run made.

Every process is started in its own session (process group) and killed as
a group at teardown, also when a test fails or the run is interrupted.
"""

import atexit
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2
import requests

REPO = Path(__file__).resolve().parents[2]
FLAVOR = os.environ.get("KBLOG_FLAVOR", "dev")
BUILD = REPO / "build" / FLAVOR / "kblog"
PGBIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]

_live = []


def _cleanup_all():
    for proc in list(_live):
        proc.kill()


atexit.register(_cleanup_all)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_pg_user():
    """PostgreSQL refuses root: run it as Debian's 'postgres' user then."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam("postgres")


class Proc:
    """A child process in its own process group, logging to a file."""

    def __init__(self, argv, cwd, env, log_path, user=None):
        self.log_path = Path(log_path)
        self.log = open(self.log_path, "ab")
        kwargs = {}
        if user is not None:
            kwargs["user"] = user.pw_uid
            kwargs["group"] = user.pw_gid
            kwargs["extra_groups"] = []
        self.p = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)
        _live.append(self)

    @property
    def pid(self):
        return self.p.pid

    def alive(self):
        return self.p.poll() is None

    def signal(self, sig):
        try:
            os.killpg(self.p.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout=10):
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        self.signal(signal.SIGKILL)
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            pass
        if self in _live:
            _live.remove(self)
        self.log.close()

    def output(self):
        return self.log_path.read_text(errors="replace")


class Postgres:
    """initdb in a temp dir, its own port, socket in the temp dir too."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kblog-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.user = _as_pg_user()
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        self._run([str(PGBIN / "initdb"), "-D", str(self.data), "-U", "kblog",
                   "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"])
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"port = {self.port}\n"
                    f"listen_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.dir}'\n"
                    "fsync = off\nsynchronous_commit = off\n"
                    "full_page_writes = off\nmax_connections = 200\n")
        self.proc = None
        self.start()
        self._run([str(PGBIN / "createdb"), "-h", str(self.dir), "-p",
                   str(self.port), "-U", "kblog", "kblog"])
        self.url = (f"postgresql://kblog@127.0.0.1:{self.port}/kblog")

    def _run(self, argv):
        kwargs = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid,
                      "extra_groups": []}
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, **kwargs)

    def start(self):
        self.proc = Proc([str(PGBIN / "postgres"), "-D", str(self.data)],
                         cwd=self.dir, env=dict(os.environ),
                         log_path=self.dir / "postgres.log", user=self.user)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                psycopg2.connect(host=str(self.dir), port=self.port,
                                 user="kblog", dbname="postgres").close()
                return
            except psycopg2.OperationalError:
                if not self.proc.alive():
                    break
                time.sleep(0.1)
        raise RuntimeError("postgres did not start:\n" +
                           self.proc.output()[-2000:])

    def stop(self):
        """Fast shutdown, like an operator's restart."""
        if self.proc is not None:
            self.proc.p.send_signal(signal.SIGINT)
            try:
                self.proc.p.wait(30)
            except subprocess.TimeoutExpired:
                pass
            self.proc.kill()
            self.proc = None

    def connect(self, dbname="kblog"):
        conn = psycopg2.connect(host=str(self.dir), port=self.port,
                                user="kblog", dbname=dbname)
        conn.autocommit = True
        return conn

    def query(self, sql, params=(), dbname="kblog"):
        conn = self.connect(dbname)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def create_database(self, name):
        self.query(f'CREATE DATABASE "{name}"', dbname="postgres")
        return f"postgresql://kblog@127.0.0.1:{self.port}/{name}"

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:",
                     "ERROR: LeakSanitizer", "sandbox violation")


class Kblog:
    """One kblog server: `kore -fnrc conf/kblog.conf` in the build dir."""

    def __init__(self, database_url, workdir, extra_env=None, wait=True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        for k in list(env):
            if k.startswith(("S3_", "AWS_", "STORAGE")):
                del env[k]
        env.update({
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            "WORKERS": "2",
            "MIGRATIONS_DIR": str(REPO / "sql"),
            "UPLOAD_DIR": str(Path(workdir) / "uploads"),
            "DB_WAIT": "5",
        })
        if FLAVOR == "asan":
            lib = subprocess.run(["gcc", "-print-file-name=libasan.so"],
                                 capture_output=True, text=True).stdout.strip()
            env["LD_PRELOAD"] = lib
            env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0"
            env["UBSAN_OPTIONS"] = "print_stacktrace=1"
        env.update(extra_env or {})
        self.env = env
        self.log_path = Path(workdir) / f"kblog-{self.port}.log"
        self.proc = Proc(["kore", "-fnrc", "conf/kblog.conf"], cwd=BUILD,
                         env=env, log_path=self.log_path)
        if wait:
            self.wait_up()

    def wait_up(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.proc.alive():
                raise RuntimeError("kblog exited:\n" + self.output()[-3000:])
            try:
                if requests.get(self.url + "/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("kblog did not answer:\n" + self.output()[-3000:])

    def wait_exit(self, timeout=30):
        try:
            return self.proc.p.wait(timeout)
        finally:
            self.proc.kill()

    def output(self):
        return self.proc.output()

    def worker_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)],
                             capture_output=True, text=True).stdout
        return sorted(int(x) for x in out.split())

    def sanitizer_reports(self):
        text = self.output()
        return [line for line in text.splitlines()
                if any(m in line for m in SANITIZER_MARKERS)]

    def stop(self):
        self.proc.stop()


def _ports_free(first, count):
    for port in range(first, first + count):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


class Swift:
    """OpenStack Swift with s3api (tests/peers/swift.sh): a real
    S3-compatible store that checks SigV4.  Credentials test:tester /
    testing, region us-east-1, bucket kblog-test, path style."""

    SCRIPT = REPO / "tests" / "peers" / "swift.sh"
    ACCESS_KEY = "test:tester"
    SECRET_KEY = "testing"
    BUCKET = "kblog-test"
    REGION = "us-east-1"

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kblog-swift-")).resolve()
        for _ in range(200):
            port = random.randrange(20000, 60000)
            if _ports_free(port, 5):
                self.port = port
                break
        else:
            raise RuntimeError("no 5 consecutive free ports")
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.start()

    def _script(self, *args):
        r = subprocess.run(["bash", str(self.SCRIPT), *args],
                           capture_output=True, text=True, timeout=90,
                           stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise RuntimeError(f"swift.sh {args[0]} failed:\n"
                               f"{r.stdout}{r.stderr}")

    def start(self):
        self._script("start", str(self.dir), str(self.port))

    def stop(self):
        self._script("stop", str(self.dir))

    def env(self):
        """kblog's settings for this store, with static credentials."""
        return {"STORAGE": "s3", "S3_ENDPOINT": self.endpoint,
                "S3_PATH_STYLE": "1", "S3_BUCKET": self.BUCKET,
                "S3_REGION": self.REGION,
                "AWS_ACCESS_KEY_ID": self.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": self.SECRET_KEY}

    def exists(self, key):
        """A signed HEAD (botocore, Debian's python3-botocore)."""
        import botocore.session
        from botocore.config import Config
        from botocore.exceptions import ClientError
        client = botocore.session.get_session().create_client(
            "s3", region_name=self.REGION, endpoint_url=self.endpoint,
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=self.SECRET_KEY,
            config=Config(s3={"addressing_style": "path"},
                          signature_version="s3v4"))
        try:
            client.head_object(Bucket=self.BUCKET, Key=key)
            return True
        except ClientError:
            return False

    def destroy(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
