"""src/lib/s3.c and src/lib/creds.c against real peers.

tests/peers/s3_check.c drives the C code (built here with the same command
as the Makefile-like line in its header, plus ASan/UBSan when
KBLOG_FLAVOR=asan); this file starts the peers and checks what happened:

- OpenStack Swift with s3api (tests/peers/swift.sh), a store that checks
  SigV4: presigned PUT (done with requests, exactly the signed headers),
  signed HEAD / ranged GET / DELETE, wrong secret, virtual-hosted style,
  session token header.  Skipped when Swift is not installed, unless
  CI=true (then it fails).
- tests/peers/imds.py, an IMDSv2 + ECS credentials server: the chain's
  order, the IMDSv2 token / role / credentials sequence, the stale-token
  (401) renewal, the refresh window.
- Transport failures (refused, timeout) against plain sockets.
"""

import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
PEERS = REPO / "tests" / "peers"
SWIFT_SH = PEERS / "swift.sh"
IMDS_PY = PEERS / "imds.py"
FLAVOR = os.environ.get("KBLOG_FLAVOR", "dev")

SWIFT_INSTALLED = (os.path.isdir("/usr/lib/python3/dist-packages/swift") and
                   (shutil.which("memcached") is not None or
                    os.path.exists("/usr/bin/memcached")))
ACCESS_KEY = "test:tester"
SECRET_KEY = "testing"
BUCKET = "kblog-test"
REGION = "us-east-1"

CFLAGS = ["-std=gnu99", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-g",
          "-Isrc"]
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
       "-fno-omit-frame-pointer"]
SOURCES = ["tests/peers/s3_check.c", "src/lib/s3.c", "src/lib/creds.c",
           "src/lib/curlhdr.c",
           "src/lib/sigv4.c", "src/lib/sbuf.c"]
LIBS = ["-lcurl", "-lcrypto", "-ljansson", "-pthread"]


# --- helpers ---------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_base_port(count=5):
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000)
        socks = []
        try:
            for p in range(base, base + count):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no %d consecutive free ports" % count)


def clean_env(**extra):
    """The environment without anything that would pick credentials."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "S3_", "KBLOG_ECS", "IMDS_PEER_"))}
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Checker:
    def __init__(self, path):
        self.path = path

    def run(self, *args, env=None, stdin=None, timeout=30):
        r = subprocess.run([str(self.path)] + [str(a) for a in args],
                           env=env if env is not None else clean_env(),
                           input=stdin, capture_output=True, text=True,
                           timeout=timeout)
        assert "runtime error:" not in r.stderr, r.stderr
        assert "Sanitizer" not in r.stderr, r.stderr
        lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
        return r.returncode, lines, r.stderr

    def one(self, *args, **kw):
        rc, lines, err = self.run(*args, **kw)
        assert len(lines) == 1, (rc, lines, err)
        return lines[0]


class Imds:
    """tests/peers/imds.py on a free port, logging to a file."""

    def __init__(self, workdir, *args):
        self.log_path = Path(workdir) / ("imds-%d.log" % random.randrange(
            1 << 30))
        self.p = subprocess.Popen(
            [sys.executable, str(IMDS_PY), "--port", "0", "--log",
             str(self.log_path)] + [str(a) for a in args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True, env=clean_env())
        line = self.p.stdout.readline().split()
        assert line[:1] == ["listening"], line
        self.port = int(line[2])
        self.url = "http://127.0.0.1:%d" % self.port

    def log(self):
        if not self.log_path.exists():
            return []
        return [json.loads(x) for x in self.log_path.read_text().splitlines()]

    def events(self):
        return [e["event"] for e in self.log() if e["event"] != "control"]

    def control(self, action, body=None):
        r = requests.post(self.url + "/_peer/" + action, json=body, timeout=5)
        assert r.status_code == 200, r.text

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(5)
        self.p.stdout.close()


# --- fixtures --------------------------------------------------------------

@pytest.fixture(scope="module")
def s3_workdir():
    d = Path(tempfile.mkdtemp(prefix="kblog-s3-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def s3_check(s3_workdir):
    out = s3_workdir / "s3_check"
    flags = CFLAGS + (SAN if FLAVOR == "asan" else [])
    cmd = [os.environ.get("CC", "cc")] + flags + ["-o", str(out)] + \
        SOURCES + LIBS
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, "build failed:\n" + " ".join(cmd) + "\n" + \
        r.stderr
    return Checker(out)


@pytest.fixture(scope="module")
def swift(s3_workdir):
    if not SWIFT_INSTALLED:
        if os.environ.get("CI") == "true":
            pytest.fail("OpenStack Swift is not installed (see swift.sh)")
        pytest.skip("OpenStack Swift is not installed")
    d = str(s3_workdir / "swift")
    port = free_base_port()
    r = subprocess.run(["bash", str(SWIFT_SH), "start", d, str(port)],
                       capture_output=True, text=True, timeout=90,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, "swift start failed:\n" + r.stdout + r.stderr
    try:
        yield {"port": port, "endpoint": "http://127.0.0.1:%d" % port}
    finally:
        subprocess.run(["bash", str(SWIFT_SH), "stop", d],
                       capture_output=True, timeout=60)


def s3env(swift, **extra):
    env = {"S3_ENDPOINT": swift["endpoint"], "S3_REGION": REGION,
           "S3_BUCKET": BUCKET, "S3_PATH_STYLE": "1",
           "S3_ACCESS_KEY_ID": ACCESS_KEY, "S3_SECRET_ACCESS_KEY": SECRET_KEY}
    env.update(extra)
    return clean_env(**env)


@pytest.fixture
def imds_factory(s3_workdir):
    started = []

    def make(*args):
        p = Imds(s3_workdir, *args)
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()


@pytest.fixture
def imds(imds_factory):
    return imds_factory("--expires-in", "1000")


def newkey(suffix=".png"):
    return "u/%d/%s%s" % (random.randrange(1, 10000),
                          "%016x" % random.getrandbits(64), suffix)


def presign(s3_check, env, key, ctype, length, expires=300, now=None):
    args = ["presign", key, ctype, length, expires]
    if now is not None:
        args.append(now)
    out = s3_check.one(*args, env=env)
    assert out["url"], out
    return out["url"]


# --- S3 against Swift ------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def test_presigned_put_head_range_delete(s3_check, swift):
    env = s3env(swift)
    # Characters S3 wants encoded (space, +, parentheses, !) and ~ kept.
    key = newkey(" a+b~(1)!.png")
    url = presign(s3_check, env, key, "image/png", len(PNG))
    q = urlsplit(url).query
    assert "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost" in q
    assert "%20a%2Bb~%281%29%21.png?" in url

    # Exactly the signed headers: requests sends Content-Length itself.
    r = requests.put(url, data=PNG, headers={"Content-Type": "image/png"},
                     timeout=10)
    assert r.status_code == 200, r.text

    h = s3_check.one("head", key, env=env)
    assert (h["rc"], h["status"]) == (0, 200)
    assert h["has_length"] and h["content_length"] == len(PNG)
    assert h["content_type"] == "image/png"
    assert h["etag"] == hashlib.md5(PNG).hexdigest()

    g = s3_check.one("get", key, 8, env=env)
    assert (g["rc"], g["status"], g["got"]) == (0, 206, 8)
    assert bytes.fromhex(g["hex"]) == PNG[:8]
    # Asking for more than the object holds: all of it, still 206.
    g = s3_check.one("get", key, len(PNG) + 100, env=env)
    assert (g["status"], g["got"]) == (206, len(PNG))
    assert bytes.fromhex(g["hex"]) == PNG

    d = s3_check.one("delete", key, env=env)
    assert (d["rc"], d["status"]) == (0, 204)
    h = s3_check.one("head", key, env=env)
    assert (h["rc"], h["status"]) == (0, 404)
    g = s3_check.one("get", key, 8, env=env)
    assert (g["rc"], g["status"], g["got"]) == (0, 404, 0)


def test_presigned_put_binds_type_length_and_expiry(s3_check, swift):
    env = s3env(swift)
    key = newkey()
    url = presign(s3_check, env, key, "image/png", len(PNG))
    r = requests.put(url, data=PNG, headers={"Content-Type": "image/jpeg"},
                     timeout=10)
    assert r.status_code == 403, r.text
    r = requests.put(url, data=PNG + b"x",
                     headers={"Content-Type": "image/png"}, timeout=10)
    assert r.status_code == 403, r.text
    old = presign(s3_check, env, key, "image/png", len(PNG), expires=60,
                  now=int(time.time()) - 3600)
    r = requests.put(old, data=PNG, headers={"Content-Type": "image/png"},
                     timeout=10)
    assert r.status_code == 403 and "expired" in r.text, r.text
    assert s3_check.one("head", key, env=env)["status"] == 404


def test_wrong_secret_is_403(s3_check, swift):
    env = s3env(swift)
    key = newkey()
    url = presign(s3_check, env, key, "image/png", len(PNG))
    assert requests.put(url, data=PNG, headers={"Content-Type": "image/png"},
                        timeout=10).status_code == 200
    bad = s3env(swift, S3_SECRET_ACCESS_KEY="not-the-secret")
    h = s3_check.one("head", key, env=bad)
    assert (h["rc"], h["status"]) == (0, 403)
    g = s3_check.one("get", key, 8, env=bad)
    assert (g["rc"], g["status"], g["got"]) == (0, 403, 0)
    d = s3_check.one("delete", key, env=bad)
    assert (d["rc"], d["status"]) == (0, 403)
    # Still there; the right secret deletes it.
    assert s3_check.one("head", key, env=env)["status"] == 200
    assert s3_check.one("delete", key, env=env)["status"] == 204


def test_session_token_is_signed_and_sent(s3_check, swift):
    # Swift does not check session tokens, but they take part in the
    # signature: a request that sent one without signing it would fail.
    env = s3env(swift, S3_SESSION_TOKEN="FwoGZXIvYXdzE+/token==")
    key = newkey()
    url = presign(s3_check, env, key, "image/png", len(PNG))
    assert "X-Amz-Security-Token=FwoGZXIvYXdzE%2B%2Ftoken%3D%3D&" in url
    assert requests.put(url, data=PNG, headers={"Content-Type": "image/png"},
                        timeout=10).status_code == 200
    assert s3_check.one("head", key, env=env)["status"] == 200
    assert s3_check.one("delete", key, env=env)["status"] == 204


def test_virtual_hosted_style(s3_check, swift):
    # s3api's storage_domain is s3.localhost: Host kblog-test.s3.localhost.
    env = s3env(swift, S3_ENDPOINT="http://s3.localhost:%d" % swift["port"],
                S3_PATH_STYLE="0")
    key = newkey(".txt")
    url = presign(s3_check, env, key, "text/plain", 5)
    u = urlsplit(url)
    assert u.netloc == "%s.s3.localhost:%d" % (BUCKET, swift["port"])
    assert u.path == "/" + key
    # glibc does not resolve *.localhost: connect to 127.0.0.1, send the
    # signed Host.
    r = requests.put("http://127.0.0.1:%d%s?%s" % (swift["port"], u.path,
                                                   u.query),
                     data=b"hello", timeout=10,
                     headers={"Content-Type": "text/plain",
                              "Host": u.netloc})
    assert r.status_code == 200, r.text
    # libcurl resolves *.localhost itself.
    h = s3_check.one("head", key, env=env)
    assert (h["status"], h["content_length"]) == (200, 5)
    assert s3_check.one("delete", key, env=env)["status"] == 204
    path_env = s3env(swift)
    assert s3_check.one("head", key, env=path_env)["status"] == 404


# --- transport failures ----------------------------------------------------

def test_connection_refused_is_minus_one(s3_check):
    env = clean_env(S3_ENDPOINT="http://127.0.0.1:%d" % free_port(),
                    S3_ACCESS_KEY_ID="a", S3_SECRET_ACCESS_KEY="b")
    t0 = time.monotonic()
    h = s3_check.one("head", "u/1/x.png", env=env)
    assert (h["rc"], h["status"], h["errno"]) == (-1, 0, "ECONNREFUSED")
    d = s3_check.one("delete", "u/1/x.png", env=env)
    assert (d["rc"], d["status"]) == (-1, 0)
    assert time.monotonic() - t0 < 3


def test_timeout_is_minus_one(s3_check):
    # A listening socket that never answers: connect works, no reply.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        env = clean_env(S3_ENDPOINT="http://127.0.0.1:%d" %
                        s.getsockname()[1], S3_ACCESS_KEY_ID="a",
                        S3_SECRET_ACCESS_KEY="b", S3_TIMEOUT_MS="500")
        t0 = time.monotonic()
        g = s3_check.one("get", "u/1/x.png", 8, env=env)
        elapsed = time.monotonic() - t0
    assert (g["rc"], g["status"], g["errno"]) == (-1, 0, "ETIMEDOUT")
    assert 0.4 < elapsed < 3


def test_bad_input_is_einval(s3_check):
    env = clean_env(S3_ENDPOINT="http://127.0.0.1:9", S3_ACCESS_KEY_ID="a",
                    S3_SECRET_ACCESS_KEY="b")
    for key in ("", "u/../x", "u//x", "/u/x", "u/./x"):
        out = s3_check.one("url", key, env=env)
        assert (out["url"], out["errno"]) == (None, "EINVAL"), key
    out = s3_check.one("presign", "u/1/x.png", "image/png", 1, 604801,
                       env=env)
    assert out["errno"] == "EINVAL"
    h = s3_check.one("head", "u/../x", env=env)
    assert (h["rc"], h["errno"]) == (-1, "EINVAL")


# --- the credentials chain -------------------------------------------------

def chain_env(imds, **extra):
    return clean_env(AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url,
                     KBLOG_ECS_ENDPOINT=imds.url, **extra)


def test_env_wins(s3_check, imds):
    env = chain_env(imds, AWS_ACCESS_KEY_ID="AKIAENVKEY",
                    AWS_SECRET_ACCESS_KEY="envsecret",
                    AWS_SESSION_TOKEN="envtoken",
                    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="/v2/credentials/x")
    c = s3_check.one("creds", env=env)
    assert c["rc"] == 0 and c["err"] == "env"
    assert (c["access_key"], c["secret_key"], c["session_token"]) == \
        ("AKIAENVKEY", "envsecret", "envtoken")
    assert c["expires"] == 0 and c["needs_refresh_now"] is False
    assert imds.events() == []


def test_env_half_set_is_an_error(s3_check, imds):
    env = chain_env(imds, AWS_ACCESS_KEY_ID="AKIAENVKEY")
    rc, lines, _ = s3_check.run("creds", env=env)
    assert rc != 0 and lines[0]["rc"] == -1
    assert "AWS_SECRET_ACCESS_KEY" in lines[0]["err"]
    assert imds.events() == []


def test_ecs_relative_uri(s3_check, imds):
    env = chain_env(imds,
                    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="/v2/credentials/"
                    "0a1b2c3d")
    c = s3_check.one("creds", env=env)
    assert c["rc"] == 0 and c["err"] == "ecs", c
    assert (c["access_key"], c["secret_key"], c["session_token"]) == \
        ("ASIAKBLOGTESTKEY", "kblogTestSecret0", "kblogSessionTok")
    log = imds.log()
    assert [e["event"] for e in log] == ["ecs-credentials"]
    assert log[0]["path"] == "/v2/credentials/0a1b2c3d"
    assert abs(c["expires"] - (c["now"] + 1000)) <= 2


def test_ecs_full_uri_with_authorization(s3_check, imds_factory,
                                         s3_workdir):
    peer = imds_factory("--ecs-auth", "Bearer s3cr3t-auth")
    full = peer.url + "/v2/credentials/full"
    c = s3_check.one("creds", env=chain_env(
        peer, AWS_CONTAINER_CREDENTIALS_FULL_URI=full,
        AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer s3cr3t-auth"))
    assert c["rc"] == 0 and c["err"] == "ecs", c

    tokfile = s3_workdir / "ecs-token"
    tokfile.write_text("Bearer s3cr3t-auth\n")
    c = s3_check.one("creds", env=chain_env(
        peer, AWS_CONTAINER_CREDENTIALS_FULL_URI=full,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(tokfile)))
    assert c["rc"] == 0 and c["err"] == "ecs", c

    # A wrong token: 401, the chain stops there (no IMDS), no secret in err.
    c = s3_check.one("creds", env=chain_env(
        peer, AWS_CONTAINER_CREDENTIALS_FULL_URI=full,
        AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer wrong-one"))
    assert c["rc"] == -1 and c["err"] == "ecs: HTTP 401", c
    assert [e["event"] for e in peer.log()] == \
        ["ecs-credentials", "ecs-credentials", "ecs-unauthorized"]

    # Plain http to a non-loopback host is refused before any request.
    c = s3_check.one("creds", env=chain_env(
        peer, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.1/creds",
        AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer s3cr3t-auth"))
    assert c["rc"] == -1 and "FULL_URI" in c["err"]
    assert "s3cr3t" not in c["err"]


def test_imds_token_role_credentials_in_order(s3_check, imds):
    c = s3_check.one("creds", env=chain_env(imds))
    assert c["rc"] == 0 and c["err"] == "imds", c
    assert (c["access_key"], c["secret_key"], c["session_token"]) == \
        ("ASIAKBLOGTESTKEY", "kblogTestSecret0", "kblogSessionTok")
    log = imds.log()
    assert [e["event"] for e in log] == ["token", "role-list", "credentials"]
    assert log[0]["method"] == "PUT" and log[0]["ttl"] == 21600
    assert log[0]["content_length"] == "0"
    assert log[2]["path"].endswith("/security-credentials/kblog-role")
    # The same token for both GETs.
    assert log[1]["token"] == log[2]["token"] == log[0]["token"]
    # Expiration "YYYY-MM-DDTHH:MM:SSZ" parsed to the same instant.
    assert time.strftime("%Y-%m-%dT%H:%M:%SZ",
                         time.gmtime(c["expires"])) == log[2]["expiration"]


def test_imds_token_cached_and_stale_token_renewed(s3_check, imds):
    """One process, three fetches: the token is reused, then the peer
    expires it, the GET gets 401 and a new token is fetched once."""
    p = subprocess.Popen([str(s3_check.path), "creds", "3"],
                         env=chain_env(imds), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        first = json.loads(p.stdout.readline())
        assert first["rc"] == 0
        assert imds.events() == ["token", "role-list", "credentials"]
        p.stdin.write("\n")
        p.stdin.flush()
        second = json.loads(p.stdout.readline())
        assert second["rc"] == 0
        assert imds.events()[3:] == ["role-list", "credentials"]
        imds.control("expire-tokens")
        imds.control("rotate")
        p.stdin.write("\n")
        p.stdin.flush()
        third = json.loads(p.stdout.readline())
        p.stdin.close()
        assert p.wait(10) == 0, p.stderr.read()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()
        p.stderr.close()
    assert third["rc"] == 0 and third["access_key"] == "ASIAKBLOGTESTKEY-2"
    log = [e for e in imds.log() if e["event"] != "control"]
    assert [e["event"] for e in log[5:]] == \
        ["unauthorized", "token", "role-list", "credentials"]
    stale, fresh = log[5]["token"], log[6]["token"]
    assert stale == log[0]["token"] and fresh != stale
    assert log[7]["token"] == log[8]["token"] == fresh


def test_imds_short_lived_token_is_renewed(s3_check, imds_factory):
    """The peer lets tokens live 1 s whatever TTL was asked for: the
    cached token goes stale on the peer's side, as after an IMDS restart."""
    peer = imds_factory("--token-max-age", "1")
    p = subprocess.Popen([str(s3_check.path), "creds", "2"],
                         env=chain_env(peer), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        assert json.loads(p.stdout.readline())["rc"] == 0
        time.sleep(1.1)
        out, err = p.communicate("\n", timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 0, out + err
    assert json.loads(out)["rc"] == 0
    assert peer.events() == ["token", "role-list", "credentials",
                             "unauthorized", "token", "role-list",
                             "credentials"]


def test_needs_refresh_window(s3_check, imds):
    c = s3_check.one("creds", env=chain_env(imds))
    assert c["rc"] == 0
    assert c["needs_refresh_now"] is False          # 1000 s left
    assert c["needs_refresh_at_minus_901"] is False
    assert c["needs_refresh_at_minus_900"] is True  # 15 min before
    imds.control("config", {"expires_in": 800})     # under 15 min
    c = s3_check.one("creds", env=chain_env(imds))
    assert c["rc"] == 0 and c["needs_refresh_now"] is True


def test_imds_unreachable_fails_fast(s3_check):
    env = clean_env(AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d" %
                    free_port())
    t0 = time.monotonic()
    c = s3_check.one("creds", env=env)
    assert c["rc"] == -1 and c["err"].startswith("imds: token:"), c
    assert time.monotonic() - t0 < 2.5


def test_imds_disabled(s3_check, imds):
    c = s3_check.one("creds", env=chain_env(imds,
                                            AWS_EC2_METADATA_DISABLED="true"))
    assert c["rc"] == -1 and "IMDS disabled" in c["err"]
    assert imds.events() == []


def test_imds_no_role(s3_check, imds):
    imds.control("config", {"role": "other-role"})
    # The listing now names other-role, whose credentials exist: fine.
    c = s3_check.one("creds", env=chain_env(imds))
    assert c["rc"] == 0
    imds.control("config", {"role": ""})
    c = s3_check.one("creds", env=chain_env(imds))
    assert c["rc"] == -1 and c["err"] == "imds: role: unusable role name"


def test_creds_from_many_threads(s3_check, imds):
    rc, lines, err = s3_check.run("creds-threads", 8, env=chain_env(imds))
    assert rc == 0, (lines, err)
    assert lines[0]["fails"] == 0
    assert {r["access_key"] for r in lines[0]["results"]} == \
        {"ASIAKBLOGTESTKEY"}
    ev = imds.events()
    assert ev.count("credentials") == 8 and "unauthorized" not in ev
