#!/usr/bin/env python3
"""kblog test peer: an EC2 IMDSv2 and ECS container credentials server.

A protocol peer for src/lib/creds.c, speaking what the real endpoints speak
(the EC2 User Guide, "Use the Instance Metadata Service to access instance
metadata" and "Retrieve security credentials from instance metadata"; the
ECS Developer Guide, "Task IAM role"):

  PUT /latest/api/token
        needs X-aws-ec2-metadata-token-ttl-seconds: 1..21600 (else 400),
        refuses X-Forwarded-For (403), answers the token (text/plain) and
        echoes the TTL header.
  GET /latest/meta-data/iam/security-credentials/
        the role name (no newline); 401 without a valid, unexpired
        X-aws-ec2-metadata-token (IMDSv2 required: there is no IMDSv1).
  GET /latest/meta-data/iam/security-credentials/<role>
        {"Code": "Success", "LastUpdated", "Type": "AWS-HMAC",
         "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}; 404 for
        another role; 401 as above.
  GET /v2/credentials/<id>          (ECS; also any path given --ecs-path)
        {"RoleArn", "AccessKeyId", "SecretAccessKey", "Token",
         "Expiration"}; with --ecs-auth, 401 unless the Authorization
        header is exactly that value.

Times: Expiration is now + --expires-in seconds, "YYYY-MM-DDTHH:MM:SSZ".
Tokens live min(TTL asked, --token-max-age) seconds.

Test controls (not part of any AWS protocol, under /_peer/):
  POST /_peer/expire-tokens   every token issued so far becomes invalid
                              (the next GET with one answers 401)
  POST /_peer/rotate          new credentials (key id suffix -<n+1>)
  POST /_peer/config          JSON body: any of expires_in, token_max_age,
                              role, ecs_auth (null: no check)
  GET  /_peer/log             the request log so far, JSON lines

Each request is logged as one JSON line {"t", "method", "path", "status",
"event", ...} to --log (a file, appended, flushed per line) and kept for
/_peer/log.  Events: token, token-refused, role-list, credentials,
unauthorized, ecs-credentials, ecs-unauthorized, not-found, control.
Secrets are never logged (a token is logged as its first 6 characters).

Usage:
  imds.py [--host 127.0.0.1] [--port 0] [--log FILE] [--role NAME]
          [--access-key ID] [--secret-key KEY] [--session-token TOKEN]
          [--expires-in SECONDS] [--token-max-age SECONDS]
          [--ecs-path /v2/credentials/ID] [--ecs-auth VALUE]
Every option can also come from the environment: IMDS_PEER_<OPTION> with
the option's name upper-cased and '-' as '_' (IMDS_PEER_EXPIRES_IN=1000).
The first line on stdout is "listening <host> <port>" (useful with
--port 0, the default: a free port).  SIGTERM or SIGINT stop it.
"""

import argparse
import datetime
import json
import os
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_PATH = "/latest/api/token"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
MAX_TTL = 21600


def iso(t):
    return datetime.datetime.fromtimestamp(
        int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.tokens = {}            # token -> monotonic expiry
        self.generation = 1
        self.role = args.role
        self.access_key = args.access_key
        self.secret_key = args.secret_key
        self.session_token = args.session_token
        self.expires_in = args.expires_in
        self.token_max_age = args.token_max_age
        self.ecs_paths = args.ecs_path
        self.ecs_auth = args.ecs_auth
        self.log_lines = []
        self.log_file = open(args.log, "a") if args.log else None

    def log(self, entry):
        entry = dict(entry, t=round(time.time(), 3))
        line = json.dumps(entry, sort_keys=True)
        with self.lock:
            self.log_lines.append(line)
            if self.log_file is not None:
                self.log_file.write(line + "\n")
                self.log_file.flush()

    def issue_token(self, ttl):
        tok = "AQAEA" + secrets.token_urlsafe(42)
        life = min(ttl, self.token_max_age) if self.token_max_age else ttl
        with self.lock:
            self.tokens[tok] = time.monotonic() + life
        return tok

    def token_valid(self, tok):
        if not tok:
            return False
        with self.lock:
            exp = self.tokens.get(tok)
        return exp is not None and time.monotonic() < exp

    def credentials(self):
        with self.lock:
            gen = self.generation
        now = time.time()
        return {
            "AccessKeyId": "%s-%d" % (self.access_key, gen)
            if gen > 1 else self.access_key,
            "SecretAccessKey": "%s-%d" % (self.secret_key, gen)
            if gen > 1 else self.secret_key,
            "Token": "%s-%d" % (self.session_token, gen)
            if gen > 1 else self.session_token,
            "Expiration": iso(now + self.expires_in),
            "LastUpdated": iso(now),
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "EC2ws"
    sys_version = ""

    # No stderr chatter per request: the JSON log is the record.
    def log_message(self, fmt, *args):
        pass

    @property
    def state(self):
        return self.server.state

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def answer(self, status, body=b"", ctype="text/plain", headers=None,
               event=None, **extra):
        if isinstance(body, str):
            body = body.encode()
        # Logged before answering: once a client has its answer, the log
        # already says so.
        entry = {"method": self.command, "path": self.path,
                 "status": status, "event": event}
        entry.update(extra)
        self.state.log(entry)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def token_ok(self):
        return self.state.token_valid(self.headers.get(TOKEN_HEADER))

    def token_tag(self):
        tok = self.headers.get(TOKEN_HEADER) or ""
        return tok[:6]

    def do_PUT(self):
        self.read_body()
        if self.path != TOKEN_PATH:
            return self.answer(404, "Not Found", event="not-found")
        if self.headers.get("X-Forwarded-For") is not None:
            return self.answer(403, "Forbidden", event="token-refused",
                               reason="x-forwarded-for")
        ttl = self.headers.get(TTL_HEADER)
        try:
            ttl = int(ttl)
        except (TypeError, ValueError):
            ttl = None
        if ttl is None or not 1 <= ttl <= MAX_TTL:
            return self.answer(400, "Bad Request", event="token-refused",
                               reason="ttl", ttl=self.headers.get(TTL_HEADER))
        tok = self.state.issue_token(ttl)
        self.answer(200, tok, headers={TTL_HEADER: str(ttl)}, event="token",
                    ttl=ttl, token=tok[:6],
                    content_length=self.headers.get("Content-Length"))

    def do_GET(self):
        st = self.state
        path = self.path.split("?", 1)[0]
        if path == "/_peer/log":
            with st.lock:
                body = "".join(line + "\n" for line in st.log_lines)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Content-Length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())
            return
        if path in st.ecs_paths or (not st.ecs_paths and
                                    path.startswith("/v2/credentials/")):
            return self.ecs()
        if path.startswith(ROLE_PATH):
            if not self.token_ok():
                return self.answer(401, "Unauthorized", event="unauthorized",
                                   token=self.token_tag())
            rest = path[len(ROLE_PATH):]
            if rest == "":
                return self.answer(200, st.role, event="role-list",
                                   token=self.token_tag())
            if rest.rstrip("/") != st.role:
                return self.answer(404, "Not Found", event="not-found")
            c = st.credentials()
            body = {"Code": "Success", "LastUpdated": c["LastUpdated"],
                    "Type": "AWS-HMAC", "AccessKeyId": c["AccessKeyId"],
                    "SecretAccessKey": c["SecretAccessKey"],
                    "Token": c["Token"], "Expiration": c["Expiration"]}
            return self.answer(200, json.dumps(body, indent=2),
                               event="credentials", token=self.token_tag(),
                               expiration=c["Expiration"],
                               access_key=c["AccessKeyId"])
        if path.startswith("/latest/"):
            if not self.token_ok():
                return self.answer(401, "Unauthorized", event="unauthorized",
                                   token=self.token_tag())
        self.answer(404, "Not Found", event="not-found")

    def ecs(self):
        st = self.state
        if st.ecs_auth is not None and \
                self.headers.get("Authorization") != st.ecs_auth:
            return self.answer(
                401, json.dumps({"message": "unauthorized"}),
                ctype="application/json", event="ecs-unauthorized",
                authorization=self.headers.get("Authorization") is not None)
        c = st.credentials()
        body = {"RoleArn": "arn:aws:iam::123456789012:role/" + st.role,
                "AccessKeyId": c["AccessKeyId"],
                "SecretAccessKey": c["SecretAccessKey"],
                "Token": c["Token"], "Expiration": c["Expiration"]}
        self.answer(200, json.dumps(body), ctype="application/json",
                    event="ecs-credentials", expiration=c["Expiration"],
                    access_key=c["AccessKeyId"],
                    authorization=self.headers.get("Authorization")
                    is not None)

    def do_POST(self):
        st = self.state
        raw = self.read_body()
        path = self.path.split("?", 1)[0]
        if path == "/_peer/expire-tokens":
            with st.lock:
                n = len(st.tokens)
                st.tokens.clear()
            return self.answer(200, json.dumps({"expired": n}),
                               ctype="application/json", event="control",
                               action="expire-tokens")
        if path == "/_peer/rotate":
            with st.lock:
                st.generation += 1
                gen = st.generation
            return self.answer(200, json.dumps({"generation": gen}),
                               ctype="application/json", event="control",
                               action="rotate")
        if path == "/_peer/config":
            try:
                conf = json.loads(raw or b"{}")
            except ValueError:
                return self.answer(400, "bad JSON", event="control")
            with st.lock:
                for k in ("expires_in", "token_max_age", "role", "ecs_auth"):
                    if k in conf:
                        setattr(st, k, conf[k])
            return self.answer(200, "{}", ctype="application/json",
                               event="control", action="config")
        self.answer(404, "Not Found", event="not-found")

    def do_DELETE(self):
        self.read_body()
        self.answer(405, "Method Not Allowed", event="not-found")


def env_default(name, default, conv=str):
    v = os.environ.get("IMDS_PEER_" + name.upper().replace("-", "_"))
    return conv(v) if v is not None else default


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default=env_default("host", "127.0.0.1"))
    ap.add_argument("--port", type=int, default=env_default("port", 0, int))
    ap.add_argument("--log", default=env_default("log", None))
    ap.add_argument("--role", default=env_default("role", "kblog-role"))
    ap.add_argument("--access-key",
                    default=env_default("access-key", "ASIAKBLOGTESTKEY"))
    ap.add_argument("--secret-key",
                    default=env_default("secret-key", "kblogTestSecret0"))
    ap.add_argument("--session-token",
                    default=env_default("session-token", "kblogSessionTok"))
    ap.add_argument("--expires-in", type=int,
                    default=env_default("expires-in", 3600, int))
    ap.add_argument("--token-max-age", type=int,
                    default=env_default("token-max-age", 0, int),
                    help="cap on a token's life, seconds (0: its TTL)")
    ap.add_argument("--ecs-path", action="append",
                    default=[p for p in [env_default("ecs-path", None)] if p],
                    help="serve ECS credentials here (default: any "
                    "/v2/credentials/<id>)")
    ap.add_argument("--ecs-auth", default=env_default("ecs-auth", None),
                    help="required Authorization value for ECS")
    args = ap.parse_args(argv)

    # A real listen backlog: with socketserver's default of 5, a burst of
    # clients gets SYNs dropped and retried after 1 s.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print("listening %s %d" % (host, port), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
