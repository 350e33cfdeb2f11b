"""The container image: builds the real Dockerfile with podman and runs the
image's own command with buildah against the session's PostgreSQL.

No Docker engine and no registry here (deploy/README.md): the base image
docker.io/library/debian:bookworm-slim is made locally with debootstrap
the first time and kept, both in podman's storage and as a tarball under
/var/cache/kblog-test/ (KBLOG_TEST_CACHE), so later runs skip debootstrap
and podman's layer cache skips the package installs.  `buildah run
--isolation=chroot` shares the host's network, so the container listens
on a free port of 127.0.0.1; its CMD, WORKDIR, USER and ENV are read from
the built image, so what runs here is what `docker run` would run.

Needs root and the Debian packages podman, buildah and debootstrap.  It
skips where they cannot run (not root, `podman info` fails); under CI=true
a missing package is a failure.  The image is built from the prod flavor
whatever KBLOG_FLAVOR says, so it runs in the dev pass of tests/run only.
"""

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from harness import FLAVOR, REPO, SANITIZER_MARKERS, Proc, free_port

IMAGE = "localhost/kblog:container-test"
BASE = "docker.io/library/debian:bookworm-slim"
BASE_LABEL = "org.kblog.test-base"       # marks a base image made here
UID = 10001                              # the Dockerfile's USER
CACHE = Path(os.environ.get("KBLOG_TEST_CACHE", "/var/cache/kblog-test"))
BASE_TAR = CACHE / "debian-bookworm-slim.tar"
# A cached base older than this is made again (it gets security updates).
BASE_MAX_AGE = float(os.environ.get("KBLOG_BASE_MAX_AGE_DAYS", "30")) * 86400
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

TIMINGS = {}

if FLAVOR != "dev":
    pytest.skip(f"the image always builds the prod flavor: checked once, in "
                f"the dev pass (KBLOG_FLAVOR={FLAVOR})",
                allow_module_level=True)


def _run(argv, timeout, log=None, check=True, **kw):
    """Runs a command; its output goes to `log` (a path) when given."""
    if log is not None:
        with open(log, "ab") as f:
            f.write(("\n$ " + " ".join(argv) + "\n").encode())
            f.flush()
            r = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, timeout=timeout,
                               **kw)
        if check and r.returncode != 0:
            tail = Path(log).read_text(errors="replace")[-4000:]
            pytest.fail(f"{argv[0]} {argv[1]} failed ({r.returncode}):\n"
                        f"{tail}")
        return r
    r = subprocess.run(argv, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=timeout, **kw)
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed ({r.returncode}):\n"
                    f"{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return r


def _missing(what):
    msg = (f"{what}: the container test needs root and the Debian packages "
           f"podman, buildah and debootstrap")
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " (CI=true: not skipping)")
    pytest.skip(msg)


# ----------------------------------------------------------------- base image

def _apt_sources():
    """(URI, suite) pairs from the host's APT sources, both formats."""
    pairs = []
    files = [Path("/etc/apt/sources.list")]
    d = Path("/etc/apt/sources.list.d")
    if d.is_dir():
        files += sorted(d.glob("*.list")) + sorted(d.glob("*.sources"))
    for f in files:
        try:
            text = f.read_text(errors="replace")
        except OSError:
            continue
        if f.suffix == ".sources":
            for stanza in text.split("\n\n"):
                fields = {}
                for line in stanza.splitlines():
                    if ":" in line and not line.startswith(("#", " ")):
                        k, v = line.split(":", 1)
                        fields[k.strip().lower()] = v.split()
                if "deb" not in fields.get("types", []):
                    continue
                pairs += [(u, s) for u in fields.get("uris", [])
                          for s in fields.get("suites", [])]
        else:
            for line in text.splitlines():
                words = line.split("#", 1)[0].split()
                if not words or words[0] != "deb":
                    continue
                words = words[1:]
                if words and words[0].startswith("["):
                    while words and not words[0].endswith("]"):
                        words.pop(0)
                    words = words[1:]
                if len(words) >= 2:
                    pairs.append((words[0], words[1]))
    return pairs


def _debian_mirrors():
    """The Debian archive and security mirrors this machine uses (the only
    archives reachable here), or deb.debian.org; KBLOG_DEBIAN_MIRROR and
    KBLOG_DEBIAN_SECURITY_MIRROR override."""
    archive = security = None
    for uri, suite in _apt_sources():
        if suite == "bookworm" and archive is None:
            archive = uri
        elif suite == "bookworm-security" and security is None:
            security = uri
    archive = os.environ.get("KBLOG_DEBIAN_MIRROR",
                             archive or "http://deb.debian.org/debian")
    security = os.environ.get("KBLOG_DEBIAN_SECURITY_MIRROR",
                              security or
                              "http://deb.debian.org/debian-security")
    return archive.rstrip("/"), security.rstrip("/")


# Like Debian's own slim images: no manuals, documentation (copyright
# files stay) or translations, in the base or in anything installed later.
DPKG_SLIM = """\
# kblog test base: keep images small, like debian:*-slim.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
"""


def _make_base_tarball(log):
    """debootstrap a minimal bookworm, trim it like a slim image and write
    BASE_TAR (atomically: an interrupted run leaves no half tarball)."""
    if shutil.which("debootstrap") is None:
        _missing("debootstrap is not installed")
    archive, security = _debian_mirrors()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="base-") as tmp:
        root = Path(tmp) / "rootfs"
        argv = ["debootstrap", "--variant=minbase"]
        keyring = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
        if keyring.exists():
            argv.append(f"--keyring={keyring}")
        _run(argv + ["bookworm", str(root), archive], timeout=900, log=log)

        apt = root / "etc/apt"
        (apt / "sources.list").unlink(missing_ok=True)
        (apt / "sources.list.d").mkdir(exist_ok=True)
        (apt / "sources.list.d/debian.sources").write_text(
            f"Types: deb\nURIs: {archive}\n"
            f"Suites: bookworm bookworm-updates\nComponents: main\n"
            f"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
            f"Types: deb\nURIs: {security}\n"
            f"Suites: bookworm-security\nComponents: main\n"
            f"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
        (root / "etc/dpkg/dpkg.cfg.d/slim").write_text(DPKG_SLIM)

        # What the excludes would have kept out, and apt's caches.
        for d in ("usr/share/man", "usr/share/info", "usr/share/lintian",
                  "var/lib/apt/lists", "var/cache/apt/archives"):
            for p in (root / d).glob("*"):
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                elif p.name != "lock":
                    p.unlink()
        for p in (root / "usr/share/locale").glob("*"):
            if p.name != "locale.alias":
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        for p in (root / "var/cache/apt").glob("*.bin"):
            p.unlink()
        for p in sorted((root / "usr/share/doc").rglob("*"), reverse=True):
            if p.is_dir() and not p.is_symlink():
                with contextlib.suppress(OSError):
                    p.rmdir()               # only once empty
            elif p.name != "copyright":
                p.unlink()

        part = Path(tmp) / "base.tar"
        _run(["tar", "--numeric-owner", "-C", str(root),
              "-cf", str(part), "."], timeout=300, log=log)
        os.replace(part, BASE_TAR)


def _image_created(ref):
    """(creation time, labels) of a local image, or None."""
    r = _run(["podman", "image", "inspect", "--format",
              "{{.Created.Unix}} {{json .Labels}}", ref], timeout=60,
             check=False)
    if r.returncode != 0:
        return None
    stamp, labels = r.stdout.strip().split(" ", 1)
    return int(stamp), json.loads(labels) or {}


def _ensure_base(log):
    """Makes sure BASE exists; returns how ("cached", "tarball",
    "debootstrap").  A BASE made elsewhere (e.g. pulled) is used as is."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "base.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)      # one maker per machine
        found = _image_created(BASE)
        if found is not None:
            created, labels = found
            if (BASE_LABEL not in labels or
                    time.time() - created < BASE_MAX_AGE):
                return "cached"
        how = "tarball"
        if (not BASE_TAR.exists() or
                time.time() - BASE_TAR.stat().st_mtime > BASE_MAX_AGE):
            _make_base_tarball(log)
            how = "debootstrap"
        _run(["podman", "import",
              "--change", f"ENV {PATH_ENV}",
              "--change", 'CMD ["bash"]',
              "--change", f"LABEL {BASE_LABEL}=debootstrap",
              str(BASE_TAR), BASE], timeout=300, log=log)
        return how


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def tools():
    if os.geteuid() != 0:
        pytest.skip("needs root (podman and buildah with chroot isolation, "
                    "debootstrap)")
    for tool in ("podman", "buildah", "tar"):
        if shutil.which(tool) is None:
            _missing(f"{tool} is not installed")
    r = _run(["podman", "info", "--format", "json"], timeout=120,
             check=False)
    if r.returncode != 0:
        pytest.skip("podman cannot run here (`podman info` failed): "
                    + (r.stderr.strip().splitlines() or ["?"])[-1])


@pytest.fixture(scope="module")
def image(tools, workdir):
    """Builds the Dockerfile (prod flavor) and returns the image's
    configuration (`podman image inspect`)."""
    log = workdir / "container-build.log"
    t0 = time.monotonic()
    TIMINGS["base"] = _ensure_base(log)
    TIMINGS["base_s"] = time.monotonic() - t0

    old = _run(["podman", "image", "inspect", "--format", "{{.Id}}", IMAGE],
               timeout=60, check=False).stdout.strip()
    t1 = time.monotonic()
    # --format docker keeps HEALTHCHECK (the OCI format has none).
    _run(["podman", "build", "--isolation=chroot", "--pull=never",
          "--format", "docker", "--layers", "-t", IMAGE,
          "-f", str(REPO / "Dockerfile"), str(REPO)], timeout=1200, log=log)
    TIMINGS["build_s"] = time.monotonic() - t1
    info = json.loads(_run(["podman", "image", "inspect", IMAGE],
                           timeout=60).stdout)[0]
    if old and old != info["Id"]:
        # The previous test image, now untagged (its layers stay cached).
        _run(["podman", "rmi", old], timeout=120, check=False)
    TIMINGS["size_mb"] = info["Size"] / 1e6
    yield info
    print(f"\ncontainer test: base {TIMINGS['base']} "
          f"({TIMINGS['base_s']:.0f} s), build {TIMINGS['build_s']:.0f} s, "
          f"image {TIMINGS['size_mb']:.1f} MB")


def _descendants(pid):
    """Processes under `pid` on this host (chroot isolation shares the
    PID namespace), parents before children."""
    children = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces or parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        for c in sorted(children.get(p, [])):
            out.append(c)
            todo.append(c)
    return out


def _comm(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _mnt_ns(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return None


def _in_mnt_ns(ns):
    """Every process in mount namespace `ns` (a container's own)."""
    if ns is None:
        return []
    return [int(d.name) for d in Path("/proc").iterdir()
            if d.name.isdigit() and _mnt_ns(d.name) == ns]


class Container:
    """A buildah working container from IMAGE; start() runs the image's
    command the way `docker run` would: its entrypoint and CMD, WORKDIR,
    USER and ENV (plus the given variables), with host networking."""

    def __init__(self, info, log_path, ulimit_nofile=8192):
        self.cfg = info["Config"]
        self.log_path = log_path
        self.name = f"kblog-test-{uuid.uuid4().hex[:12]}"
        self.proc = None
        self.env = {}
        self.mnt_ns = None      # the running command's mount namespace
        # Docker's default open-files limit is far above buildah's 1024;
        # kore.conf asks for 4096 per worker (docker-compose.yml sets it).
        _run(["buildah", "from", "--pull-never", "--name", self.name,
              "--ulimit", f"nofile={ulimit_nofile}:{ulimit_nofile}",
              IMAGE], timeout=120)

    def start(self, env):
        self.env = dict(env)
        argv = (self.cfg.get("Entrypoint") or []) + (self.cfg.get("Cmd") or [])
        run = ["buildah", "run", "--isolation=chroot", "--network=host",
               "--user", self.cfg.get("User") or "root",
               "--workingdir", self.cfg.get("WorkingDir") or "/"]
        for k, v in self.env.items():
            run += ["--env", f"{k}={v}"]
        self.proc = Proc(run + [self.name, "--"] + argv, cwd="/",
                         env=dict(os.environ), log_path=self.log_path)
        return self

    def kore_parent(self, timeout=30):
        """The kore parent: the first `kore` under buildah's helpers
        (what Docker would signal as PID 1)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for pid in _descendants(self.proc.pid):
                if _comm(pid) == "kore":
                    self.mnt_ns = _mnt_ns(pid) or self.mnt_ns
                    return pid
            if not self.proc.alive():
                break
            time.sleep(0.05)
        raise AssertionError("no kore process:\n" + self.output()[-3000:])

    def wait_ready(self, url, timeout=90):
        self.kore_parent()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.proc.alive():
                raise AssertionError("the container exited:\n" +
                                     self.output()[-3000:])
            try:
                if requests.get(url + "/ready", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError("/ready never answered 200:\n" +
                             self.output()[-3000:])

    def run(self, argv, user=None, timeout=60):
        """Another command in the same working container."""
        cmd = ["buildah", "run", "--isolation=chroot", "--network=host"]
        if user is not None:
            cmd += ["--user", user]
        for k, v in self.env.items():
            cmd += ["--env", f"{k}={v}"]
        return _run(cmd + [self.name, "--"] + argv, timeout=timeout,
                    check=False)

    def output(self):
        return self.proc.output() if self.proc else ""

    def remove(self):
        """Kills whatever is left and removes the working container.  A
        worker whose parent died belongs to init, not to buildah: the
        container's mount namespace finds it all the same."""
        if self.proc is not None:
            left = _descendants(self.proc.pid)
            if self.mnt_ns is not None and \
                    self.mnt_ns != _mnt_ns(os.getpid()):
                left += _in_mnt_ns(self.mnt_ns)
            for pid in reversed(left):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.proc.kill()
        _run(["buildah", "rm", self.name], timeout=120, check=False)


@pytest.fixture
def container(image, workdir):
    """A fresh working container, removed after the test."""
    c = Container(image, workdir / f"{uuid.uuid4().hex[:8]}-container.log")
    yield c
    c.remove()
    names = _run(["buildah", "containers", "--format", "{{.ContainerName}}"],
                 timeout=60, check=False).stdout.split()
    assert c.name not in names, f"working container {c.name} left behind"


def _healthcheck(info):
    """The image's HEALTHCHECK (podman shows it beside Config)."""
    return (info.get("Healthcheck") or info["Config"].get("Healthcheck")
            or {})


def _tiny_png():
    """A real 3x2 PNG."""
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\x00" + b"\x10\x80\xf0" * 3 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _env(database_url, port, **extra):
    env = {"DATABASE_URL": database_url, "PORT": str(port),
           "BIND": "127.0.0.1", "WORKERS": "1"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


# --------------------------------------------------------------------- tests

def test_image_configuration(image):
    cfg = image["Config"]
    assert (cfg.get("Entrypoint") or []) + cfg["Cmd"] == \
        ["kore", "-fnr", "-c", "kore.conf"]
    assert cfg["WorkingDir"] == "/app"
    assert cfg["User"].split(":")[0] == str(UID)     # numeric, non-root
    assert "8080/tcp" in cfg["ExposedPorts"]
    env = dict(e.split("=", 1) for e in cfg["Env"])
    assert env["BIND"] == "0.0.0.0" and env["PORT"] == "8080"
    assert env["UPLOAD_DIR"] == "/var/lib/kblog/uploads"   # writable, kblog's
    assert "WORKERS" not in env                       # one per CPU
    # Nothing secret is baked in: the database comes from the environment.
    assert "DATABASE_URL" not in env
    assert not [k for k in env if any(w in k for w in
                ("PASSWORD", "SECRET", "TOKEN", "AWS_", "KEY"))]
    assert cfg.get("StopSignal") in ("SIGTERM", "15", None)
    health = _healthcheck(image)
    assert "/health" in " ".join(health.get("Test", [])), health
    # libvips42 (image processing) brings about 146 MB of libraries that
    # are all Depends (deploy/README.md): about 242 MB in all.
    assert image["Size"] < 260e6, f"image grew to {image['Size'] / 1e6} MB"


def test_image_holds_the_runtime_only(image, container):
    c = container
    root = Path(_run(["buildah", "mount", c.name], timeout=60).stdout.strip())
    try:
        app = sorted(str(p.relative_to(root / "app"))
                     for p in (root / "app").rglob("*") if p.is_file())
        sql = sorted(f"sql/{p.relative_to(REPO / 'sql')}"
                     for p in (REPO / "sql").rglob("*") if p.is_file())
        assert app == sorted(["kblog.so", "kore.conf", "conf/routes.conf"]
                             + sql)
        for p in [root / "app"] + list((root / "app").rglob("*")):
            st = p.lstat()
            assert st.st_uid == 0 and not st.st_mode & 0o022, p
        # The one directory kblog may write to (local file storage).
        st = (root / "var/lib/kblog/uploads").stat()
        assert (st.st_uid, st.st_mode & 0o777) == (UID, 0o750)
        # No toolchain, headers or kodev in the runtime stage.
        for gone in ("usr/bin/gcc", "usr/bin/cc", "usr/bin/kodev",
                     "usr/bin/make", "usr/include/kore", "usr/share/kore",
                     "usr/include/stdio.h", "var/lib/apt/lists/lock"):
            assert not (root / gone).exists(), gone
        assert not list((root / "var/cache/apt/archives").glob("*.deb"))
        assert (root / "usr/bin/kore").exists()
        assert (root / "usr/bin/curl").exists()       # the HEALTHCHECK
    finally:
        _run(["buildah", "umount", c.name], timeout=60, check=False)
    # Every library resolves: nothing the build stage had is missing.
    for binary in ("/usr/bin/kore", "/app/kblog.so"):
        r = c.run(["ldd", binary])
        assert r.returncode == 0 and "not found" not in r.stdout, r.stdout


def test_serves_then_stops_cleanly_on_sigterm(image, container, pg):
    url = pg.create_database("kblog_container")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    c = container.start(_env(url, port))
    c.wait_ready(base)
    TIMINGS["start_s"] = time.monotonic() - t0

    r = requests.get(base + "/health", timeout=5)
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    r = requests.get(base + "/no/such/page", timeout=5)
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "Not found" in r.text
    assert r.headers["x-content-type-options"] == "nosniff"

    # The migrations baked into the image ran (from MIGRATIONS_DIR).
    db = url.rsplit("/", 1)[1]
    rows = pg.query("SELECT name FROM schema_migrations ORDER BY version",
                    dbname=db)
    assert [n for (n,) in rows] == sorted(
        p.name for p in (REPO / "sql").glob("*.sql"))

    # libvips works inside: an upload is decoded and its variants made.
    api = requests.Session()
    r = api.post(base + "/api/v1/users", json={
        "username": "containerimg", "password": "kblog-container-pw"},
        timeout=10)
    assert r.status_code == 201, r.text
    r = api.post(base + "/api/v1/tokens", json={
        "username": "containerimg", "password": "kblog-container-pw"},
        timeout=10)
    api.headers["Authorization"] = "Bearer " + r.json()["token"]
    png = _tiny_png()
    up = api.post(base + "/api/v1/uploads", json={
        "filename": "c.png", "content_type": "image/png",
        "byte_size": len(png)}, timeout=10).json()
    assert requests.put(up["url"], data=png, headers=up["headers"],
                        timeout=10).status_code == 200
    r = api.post(base + f"/api/v1/uploads/{up['id']}/complete", timeout=30)
    assert r.status_code == 200, r.text
    assert [(v["content_type"], v["width"]) for v in r.json()["variants"]] \
        == [("image/png", 3), ("image/webp", 3)]
    assert requests.get(base + r.json()["url"], timeout=10
                        ).content.startswith(b"\x89PNG")

    # The image's own HEALTHCHECK command passes, inside the container.
    test = _healthcheck(image).get("Test", [])
    if test and test[0] == "CMD-SHELL":
        r = c.run(["/bin/sh", "-c", test[1]], user=image["Config"]["User"])
        assert r.returncode == 0, r.stdout + r.stderr

    # Runs as the image's user, in /app; logs reach stdout at once.
    parent = c.kore_parent()
    status = Path(f"/proc/{parent}/status").read_text()
    uid_line = next(l for l in status.splitlines() if l.startswith("Uid:"))
    assert uid_line.split()[1:] == [str(UID)] * 4
    assert os.readlink(f"/proc/{parent}/cwd").endswith("/app")
    out = c.output()
    assert f"kblog listening on http://127.0.0.1:{port}" in out
    assert "worker 1 started" in out

    # docker stop: SIGTERM to the container's main process only.
    kore = [parent] + _descendants(parent)
    t1 = time.monotonic()
    os.kill(parent, signal.SIGTERM)
    assert c.proc.p.wait(20) == 0, c.output()[-3000:]
    TIMINGS["stop_s"] = time.monotonic() - t1
    for pid in kore:
        assert not Path(f"/proc/{pid}").exists() or \
            _comm(pid) != "kore", f"kore process {pid} outlived the stop"
    assert not _in_mnt_ns(c.mnt_ns), "processes left in the container"
    out = c.output()
    assert "goodbye" in out, out[-3000:]
    bad = [line for line in out.splitlines()
           if any(m in line for m in SANITIZER_MARKERS)
           or "setrlimit" in line or "fatal" in line.lower()]
    assert not bad, "\n".join(bad)
    print(f"\ncontainer: ready in {TIMINGS['start_s']:.1f} s, "
          f"stopped in {TIMINGS['stop_s']:.2f} s")


class InFlightLost(AssertionError):
    """A request in flight when the container was stopped got no answer."""


def test_request_in_flight_finishes_on_sigterm(image, container, pg):
    url = pg.create_database("kblog_container_drain")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    c = container.start(_env(url, port, DB_POOL=1))
    c.wait_ready(base)
    db = url.rsplit("/", 1)[1]
    backends = [pid for (pid,) in pg.query(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s "
        "AND application_name = 'kblog'", (db,))]
    assert backends, "kblog holds no pooled connection"
    parent = c.kore_parent()

    # Freeze the worker's database session so that /ready stays in flight
    # while the container is told to stop; thaw it a second later.
    result = {}

    def call():
        try:
            result["response"] = requests.get(base + "/ready", timeout=30)
        except requests.RequestException as e:
            result["error"] = e

    for pid in backends:
        os.kill(pid, signal.SIGSTOP)
    try:
        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.5)
        os.kill(parent, signal.SIGTERM)
        time.sleep(1)
    finally:
        for pid in backends:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    t.join(40)
    assert c.proc.p.wait(20) == 0, c.output()[-3000:]
    if "error" in result:
        raise InFlightLost(f"in-flight request lost: {result['error']}")
    assert result["response"].status_code == 200
