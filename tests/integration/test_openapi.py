"""The API contract, assets/openapi.json.

- The document itself: valid OpenAPI 3.0.3 (checked with swagger-parser,
  tests/api/validate.mjs, on the copy the running kblog serves) and
  consistent with kblog's own conventions (lint below).
- kblog serves exactly that document at /api/v1/openapi.json.
- Every documented operation answers on a real kblog with a documented
  status, never 5xx, and a body that matches the documented schema; with
  valid input and real ids it answers its documented success status.
  Auth, method, and request-body rules are checked the same way.

Response bodies are checked with the small JSON-schema-subset checker
below (type, nullable, enum, properties, required, items,
additionalProperties, lengths, ranges, pattern, $ref, format date-time);
it refuses schemas using keywords it does not know, so a document that
outgrows it fails loudly instead of passing unchecked.
"""

import copy
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import tarfile
import zlib
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from client import Browser, unique_name

REPO = Path(__file__).resolve().parents[2]
DOC_FILE = REPO / "assets" / "openapi.json"
API_DIR = REPO / "tests" / "api"
DOC = json.loads(DOC_FILE.read_text(encoding="utf-8"))

JSON_TYPE = "application/json; charset=utf-8"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
           "trace")
WRITE_METHODS = ("post", "put", "patch", "delete")
SERVED = "/api/v1/openapi.json"
MISSING_ID = 987654321  # used when a setup step failed


# ---------------------------------------------------------------------------
# A JSON-schema subset (OpenAPI 3.0 flavour) checker.

DATE_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$")
INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}
ANNOTATIONS = {"description", "example", "default", "title", "deprecated",
               "externalDocs", "xml"}
HANDLED = {"$ref", "type", "nullable", "enum", "properties", "required",
           "additionalProperties", "items", "minLength", "maxLength",
           "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
           "exclusiveMaximum", "minItems", "maxItems", "uniqueItems",
           "minProperties", "maxProperties", "readOnly", "writeOnly"}


class SchemaError(Exception):
    """The schema uses something this checker does not implement."""


def _canon(v):
    return json.dumps(v, sort_keys=True)


class Checker:
    def __init__(self, doc):
        self.doc = doc

    def deref(self, node):
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise SchemaError(f"circular $ref {ref}")
            seen.add(ref)
            if not ref.startswith("#/"):
                raise SchemaError(f"only local $refs are supported: {ref}")
            cur = self.doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(cur, dict) or part not in cur:
                    raise SchemaError(f"unresolvable $ref {ref}")
                cur = cur[part]
            node = cur
        return node

    def errors(self, schema, value, where="$"):
        out = []
        self._check(schema, value, where, out)
        return out

    def _check(self, schema, value, where, out):
        schema = self.deref(schema)
        if not isinstance(schema, dict):
            raise SchemaError(f"schema at {where} is not an object")
        for kw in schema:
            if kw not in HANDLED and kw not in ANNOTATIONS and \
                    not kw.startswith("x-"):
                raise SchemaError(f"unsupported keyword {kw!r} at {where}")
        if value is None:
            if not schema.get("nullable", False):
                out.append(f"{where}: null is not allowed")
            return
        t = schema.get("type")
        ok = {
            None: True,
            "object": isinstance(value, dict),
            "array": isinstance(value, list),
            "string": isinstance(value, str),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, float)) and
            not isinstance(value, bool),
            "boolean": isinstance(value, bool),
        }
        if t not in ok:
            raise SchemaError(f"unknown type {t!r} at {where}")
        if not ok[t]:
            out.append(f"{where}: expected {t}, got "
                       f"{type(value).__name__} {_canon(value)[:60]}")
            return
        if "enum" in schema and \
                _canon(value) not in {_canon(e) for e in schema["enum"]}:
            out.append(f"{where}: {_canon(value)[:60]} is not one of "
                       f"{schema['enum']}")
        if isinstance(value, str):
            self._string(schema, value, where, out)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self._number(schema, value, where, out)
        elif isinstance(value, list):
            self._array(schema, value, where, out)
        elif isinstance(value, dict):
            self._object(schema, value, where, out)

    def _string(self, schema, value, where, out):
        if len(value) < schema.get("minLength", 0):
            out.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{where}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{where}: {value[:60]!r} does not match "
                       f"{schema['pattern']}")
        if schema.get("format") == "date-time":
            # The contract: RFC 3339, always UTC ("Z").
            m = DATE_TIME_RE.match(value)
            try:
                if not m:
                    raise ValueError
                datetime(*(int(g) for g in m.groups()))
            except ValueError:
                out.append(f"{where}: {value[:40]!r} is not an RFC 3339 "
                           "UTC date-time")

    def _number(self, schema, value, where, out):
        if "minimum" in schema:
            low = schema["minimum"]
            if value < low or (schema.get("exclusiveMinimum") and
                               value == low):
                out.append(f"{where}: {value} is below the minimum {low}")
        if "maximum" in schema:
            high = schema["maximum"]
            if value > high or (schema.get("exclusiveMaximum") and
                                value == high):
                out.append(f"{where}: {value} is above the maximum {high}")
        rng = INT_RANGES.get(schema.get("format"))
        if rng and not rng[0] <= value <= rng[1]:
            out.append(f"{where}: {value} is out of {schema['format']}")

    def _array(self, schema, value, where, out):
        if len(value) < schema.get("minItems", 0):
            out.append(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(f"{where}: more than {schema['maxItems']} items")
        if schema.get("uniqueItems") and \
                len({_canon(v) for v in value}) != len(value):
            out.append(f"{where}: items are not unique")
        if "items" in schema:
            for i, v in enumerate(value):
                self._check(schema["items"], v, f"{where}[{i}]", out)

    def _object(self, schema, value, where, out):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{where}: required property {name!r} missing")
        if len(value) < schema.get("minProperties", 0):
            out.append(f"{where}: fewer than {schema['minProperties']} "
                       "properties")
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            out.append(f"{where}: more than {schema['maxProperties']} "
                       "properties")
        extra = schema.get("additionalProperties", True)
        for name, v in value.items():
            if name in props:
                self._check(props[name], v, f"{where}.{name}", out)
            elif extra is False:
                out.append(f"{where}: unknown property {name!r}")
            elif isinstance(extra, dict):
                self._check(extra, v, f"{where}.{name}", out)


CHECK = Checker(DOC)


# ---------------------------------------------------------------------------
# Walking the document.

def operations(doc=DOC):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def op_parameters(path, method, doc=DOC):
    """Path-level parameters overridden by operation-level ones."""
    params = {}
    item = doc["paths"][path]
    for p in item.get("parameters", []) + item[method].get("parameters", []):
        p = CHECK.deref(p)
        params[(p["name"], p["in"])] = p
    return list(params.values())


def success_status(op):
    codes = [c for c in op["responses"] if c.startswith("2")]
    assert len(codes) == 1, f"{op['operationId']}: one 2xx expected"
    return int(codes[0])


def request_schema(op):
    body = CHECK.deref(op.get("requestBody", {}))
    media = body.get("content", {}).get("application/json")
    return None if media is None else media["schema"]


def request_example(op):
    body = CHECK.deref(op["requestBody"])
    return copy.deepcopy(body["content"]["application/json"]["example"])


def auth_kind(op):
    sec = op.get("security", DOC.get("security", []))
    if not sec:
        return "none"
    return "optional" if {} in sec else "required"


def walk(node, where="#"):
    yield where, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{where}/{i}")


OPS = sorted(operations(), key=lambda o: (o[0], o[1]))
OP_IDS = [f"{op['operationId']} {m.upper()} {p}" for p, m, op in OPS]
BODY_OPS = [o for o in OPS if "requestBody" in o[2]]
BODY_IDS = [f"{op['operationId']}" for _, _, op in BODY_OPS]


# ---------------------------------------------------------------------------
# The document on its own (no server).

def test_schema_checker_catches_violations():
    """The checker is not vacuous."""
    post = CHECK.deref({"$ref": "#/components/schemas/Post"})
    good = {"id": 1, "author": {"id": 2, "username": "ada",
                                "display_name": ""},
            "title": "t", "body_markdown": "", "body_html": "",
            "tags": ["a-1"], "published": True, "metadata": {},
            "like_count": 0, "comment_count": 0, "liked_by_me": False,
            "created_at": "2026-11-21T20:30:00.123456Z",
            "updated_at": "2026-11-21T20:30:00Z", "slug": "t",
            "url": "http://x/posts/1-t", "excerpt": "", "summary": None,
            "lang": None, "cover_image_id": None, "cover_url": None,
            "published_at": "2026-11-21T20:30:00Z", "scheduled_at": None,
            "hidden": False, "comments_closed": False}
    assert CHECK.errors(post, good) == []
    bad_cases = [
        ("id", "1"), ("id", True), ("title", None),
        ("tags", "a"), ("published", 1), ("metadata", []),
        ("created_at", "2026-11-21 20:30:00Z"),
        ("created_at", "2026-13-21T20:30:00Z"),
        ("updated_at", "2026-11-21T20:30:00+01:00"),
        ("author", {"id": 2, "username": "ada"}), ("like_count", -1),
        ("tags", ["x" * 33]), ("slug", ""), ("published_at", "yesterday"),
        ("dropped", {"html": 0}),
    ]
    for field, value in bad_cases:
        case = dict(good, **{field: value})
        assert CHECK.errors(post, case), (field, value)
    del good["liked_by_me"]
    assert CHECK.errors(post, good)
    new_post = {"$ref": "#/components/schemas/NewPost"}
    assert CHECK.errors(new_post, {"title": "t", "body_markdown": ""}) == []
    assert CHECK.errors(new_post, {"title": "t", "body_markdown": "",
                                   "colour": "red"})
    assert CHECK.errors({"$ref": "#/components/schemas/Token"},
                        {"id": 1, "name": "", "created_at":
                         "2026-11-21T20:30:00Z", "last_used_at": None}) == []
    with pytest.raises(SchemaError):
        CHECK.errors({"oneOf": [{"type": "string"}]}, "x")


def test_document_follows_the_conventions():
    problems = []

    def need(cond, msg):
        if not cond:
            problems.append(msg)

    need(DOC.get("openapi") == "3.0.3", "openapi must be 3.0.3")
    need(DOC.get("servers") == [{"url": "/"}], "servers must be [/]")
    schemes = DOC["components"]["securitySchemes"]
    need(schemes.get("bearerAuth", {}).get("type") == "http" and
         schemes["bearerAuth"].get("scheme") == "bearer", "bearerAuth")
    cookie = schemes.get("cookieAuth", {})
    need((cookie.get("type"), cookie.get("in"), cookie.get("name")) ==
         ("apiKey", "cookie", "kb_session"), "cookieAuth")
    need("X-CSRF-Token" in cookie.get("description", ""),
         "cookieAuth must document X-CSRF-Token")
    declared_tags = {t["name"] for t in DOC.get("tags", [])}

    # Every $ref resolves, every component is used.
    refs = set()
    for where, node in walk(DOC):
        if isinstance(node, dict) and "$ref" in node:
            refs.add(node["$ref"])
            try:
                CHECK.deref(node)
            except SchemaError as e:
                problems.append(f"{where}: {e}")
    for kind, items in DOC["components"].items():
        if kind == "securitySchemes":
            continue
        for name in items:
            need(f"#/components/{kind}/{name}" in refs,
                 f"components/{kind}/{name} is never used")

    op_ids = set()
    for path, method, op in OPS:
        name = f"{method.upper()} {path}"
        oid = op.get("operationId")
        need(bool(oid) and oid not in op_ids, f"{name}: operationId")
        op_ids.add(oid)
        need(bool(op.get("summary")), f"{name}: summary")
        need(bool(op.get("tags")) and set(op["tags"]) <= declared_tags,
             f"{name}: tags must be declared")
        need(path.startswith("/api/v1/"), f"{name}: not under /api/v1")
        params = op_parameters(path, method)
        in_path = set(re.findall(r"{([^}]+)}", path))
        declared = {p["name"] for p in params if p["in"] == "path"}
        need(in_path == declared, f"{name}: path parameters {in_path} "
                                  f"vs declared {declared}")
        need(all(p.get("required") for p in params if p["in"] == "path"),
             f"{name}: path parameters must be required")
        codes = {int(c) for c in op["responses"]}
        need(len([c for c in codes if 200 <= c < 300]) == 1,
             f"{name}: exactly one 2xx")
        need(405 in codes, f"{name}: 405")
        if path != SERVED:
            need(503 in codes, f"{name}: 503")
        if auth_kind(op) != "none":
            need(401 in codes, f"{name}: 401")
        if method in WRITE_METHODS and auth_kind(op) != "none":
            need(any(p["name"] == "X-CSRF-Token" and p["in"] == "header"
                     for p in params), f"{name}: X-CSRF-Token parameter")
            need(403 in codes, f"{name}: 403 (CSRF)")
        if "images" in op["tags"]:
            need(op.get("x-kblog-feature") == "uploads",
                 f"{name}: upload feature marker")
        if "requestBody" in op:
            body = CHECK.deref(op["requestBody"])
            need(body.get("required") is True,
                 f"{name}: request body must be required")
            need(list(body.get("content", {})) == ["application/json"],
                 f"{name}: request body must be application/json")
            schema = CHECK.deref(request_schema(op) or {})
            need(schema.get("type") == "object" and
                 schema.get("additionalProperties") is False,
                 f"{name}: request schema must be a closed object")
            need({400, 413, 415, 422} <= codes,
                 f"{name}: body errors 400/413/415/422")
            example = body["content"]["application/json"].get("example")
            need(example is not None, f"{name}: request example")
            if example is not None:
                for e in CHECK.errors(request_schema(op), example):
                    problems.append(f"{name}: request example: {e}")
        for code, resp in op["responses"].items():
            resp = CHECK.deref(resp)
            content = resp.get("content")
            if code in ("204", "304"):
                need(not content, f"{name}: {code} has no body")
                if code == "304":
                    need("ETag" in resp.get("headers", {}),
                         f"{name}: 304 names its ETag")
                continue
            # A file (x-kblog-download: its media type) is the one
            # success that is not JSON; its errors are.
            if op.get("x-kblog-download") and code.startswith("2"):
                need(content is not None and list(content) ==
                     [op["x-kblog-download"]],
                     f"{name} {code}: content must be "
                     f"{op['x-kblog-download']}")
                continue
            need(content is not None and list(content) == [JSON_TYPE],
                 f"{name} {code}: content must be {JSON_TYPE}")
            if not content or JSON_TYPE not in content:
                continue
            schema = content[JSON_TYPE]["schema"]
            if not code.startswith("2"):
                need(schema == {"$ref": "#/components/schemas/Error"},
                     f"{name} {code}: errors use the Error schema")
            headers = resp.get("headers", {})
            for c, h in ((401, "WWW-Authenticate"), (405, "Allow"),
                         (429, "Retry-After")):
                if int(code) == c:
                    need(headers.get(h, {}).get("required") is True,
                         f"{name} {code}: {h} header")
            if "example" in content[JSON_TYPE]:
                for e in CHECK.errors(schema, content[JSON_TYPE]["example"]):
                    problems.append(f"{name} {code}: example: {e}")

    # Schema-level examples agree with their schemas.
    for where, node in walk(DOC["components"], "#/components"):
        if isinstance(node, dict) and "example" in node and \
                ("type" in node or "$ref" in node) and \
                "/examples/" not in where:
            schema = {k: v for k, v in node.items() if k != "example"}
            for e in CHECK.errors(schema, node["example"]):
                problems.append(f"{where}: example: {e}")

    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------
# swagger-parser (tests/api).

def _node_tools():
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm and node:
        return npm, node
    msg = ("node/npm are not installed, so the OpenAPI document cannot be "
           "validated with swagger-parser (Debian: apt-get install nodejs "
           "npm)")
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " -- required when CI=true")
    pytest.skip(msg)


@pytest.fixture(scope="session")
def validator():
    """argv prefix for tests/api/validate.mjs, after `npm ci` if needed."""
    npm, node = _node_tools()
    if not (API_DIR / "node_modules" / "@apidevtools" /
            "swagger-parser").is_dir():
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"],
                           cwd=API_DIR, capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0, ("npm ci in tests/api failed:\n" +
                                   r.stdout[-2000:] + r.stderr[-3000:])
    return [node, str(API_DIR / "validate.mjs")]


def _validate(validator, source):
    r = subprocess.run(validator + [source], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    assert r.stdout.startswith("OK "), r.stdout


def test_asset_is_valid_openapi(validator):
    _validate(validator, str(DOC_FILE))


def test_served_document_is_valid_openapi(validator, base):
    _validate(validator, base + SERVED)


def test_served_document_is_the_asset(base):
    r = requests.get(base + SERVED, timeout=10)
    assert r.status_code == 200, r.text[:300]
    assert r.headers.get("content-type", "").lower() == JSON_TYPE
    served = json.loads(r.content.decode("utf-8"))
    diffs = _json_diff(served, DOC)
    assert not diffs, ("the served document differs from assets/openapi.json "
                       "(stale build?):\n" + "\n".join(diffs[:20]))


def _json_diff(a, b, where="#"):
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(f"{where}/{k}: missing from the served copy")
            elif k not in b:
                out.append(f"{where}/{k}: only in the served copy")
            else:
                out += _json_diff(a[k], b[k], f"{where}/{k}")
        return out
    if _canon(a) != _canon(b):
        return [f"{where}: served {_canon(a)[:80]}, file {_canon(b)[:80]}"]
    return []


# ---------------------------------------------------------------------------
# A registered user and real things to point ids at.

def _png():
    """A valid 1x1 PNG."""
    def chunk(kind, data):
        c = kind + data
        return (struct.pack(">I", len(data)) + c +
                struct.pack(">I", zlib.crc32(c) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) +
            chunk(b"IEND", b""))


PNG = _png()


class Api:
    def __init__(self, base):
        self.base = base
        self.s = requests.Session()
        # The test server trusts X-Forwarded-For: an address of our own
        # keeps the login throttle out of other tests' way.
        self.s.headers["X-Forwarded-For"] = "2001:db8::0a:%x" % (
            int.from_bytes(os.urandom(2), "big"))

    def call(self, method, path, token=None, body=None, raw=None,
             ctype=None, headers=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if raw is not None:
            data = raw
        if ctype is not None:
            h["Content-Type"] = ctype
        return self.s.request(method.upper(), self.base + path, data=data,
                              headers=h, timeout=15, allow_redirects=False)


def _brief(r):
    return f"{r.request.method} {r.request.path_url} -> {r.status_code} " \
           f"{r.text[:300]!r}"


class World:
    """Created through the documented operations; a step that fails is
    recorded (and shown with any failure) and a placeholder id used.

    The world's user is made an admin (through the database, as
    scripts/admin does), so the moderators' and admins' operations
    answer their success; another user owns what they act on.
    Operations marked x-kblog-feature: mail run against mail_base, a
    kblog with an SMTP server (the same database)."""

    def __init__(self, base, pg=None, mail_base=None):
        self.api = Api(base)
        self.mail_api = Api(mail_base or base)
        self.pg = pg
        self.problems = []
        self.username = unique_name("oa")
        self.password = "correct horse battery 1"
        self.token = None
        self._step("register", "POST", "/api/v1/users", 201,
                   {"username": self.username, "password": self.password,
                    "display_name": "OpenAPI"})
        body = self._step("token", "POST", "/api/v1/tokens", 201,
                          {"username": self.username,
                           "password": self.password, "name": "openapi"})
        if body and isinstance(body.get("token"), str):
            self.token = body["token"]
        self.post_id = self.new_post()
        self.comment_id = self.new_comment()
        if pg is not None:
            pg.query("UPDATE users SET role = 'admin' WHERE username = %s",
                     (self.username,))
        self.other_token = self.new_account()[2]

    def api_for(self, op):
        if op.get("x-kblog-feature") == "mail":
            return self.mail_api
        return self.api

    def new_account(self):
        """Another account: (name, password, token)."""
        name = unique_name("oo")
        self._step("other user", "POST", "/api/v1/users", 201,
                   {"username": name, "password": self.password})
        body = self._step("other token", "POST", "/api/v1/tokens", 201,
                          {"username": name, "password": self.password,
                           "name": "other"})
        return name, self.password, (body or {}).get("token")

    def others_post(self):
        return self._id(self._step(
            "other's post", "POST", "/api/v1/posts", 201,
            {"title": "Theirs " + unique_name(), "body_markdown": "x"},
            self.other_token))

    def link_token(self, table, username, extra=""):
        """A live link of table for username, made in the database as
        the mail would carry it: "<id>.<token>"."""
        token = os.urandom(32).hex()[:43]
        (row,) = self.pg.query(
            f"INSERT INTO {table} (user_id, token_hash, expires_at{extra}) "
            "SELECT id, %s, now() + interval '1 hour'"
            + (", username || '@example.com'" if extra else "") +
            " FROM users WHERE username = %s RETURNING id",
            (hashlib.sha256(token.encode()).digest(), username))
        return f"{row[0]}.{token}"

    def token_for(self, op):
        """Whose credentials: a throwaway account for the deletion."""
        if op["operationId"] == "deleteMyAccount":
            self._gone = self.new_account()
            return self._gone[2]
        return self.token

    def _step(self, what, method, path, status, body=None, token=None):
        try:
            r = self.api.call(method, path, token=token, body=body)
        except requests.RequestException as e:
            self.problems.append(f"setup {what}: {method} {path}: {e}")
            return None
        if r.status_code != status:
            self.problems.append(f"setup {what}: {_brief(r)}")
            return None
        try:
            return r.json()
        except ValueError:
            return {}

    def _id(self, body):
        if body and isinstance(body.get("id"), int):
            return body["id"]
        return MISSING_ID

    def new_post(self):
        return self._id(self._step(
            "post", "POST", "/api/v1/posts", 201,
            {"title": "Contract " + unique_name(), "body_markdown": "*hi*",
             "tags": ["contract"]}, self.token))

    def new_comment(self):
        return self._id(self._step(
            "comment", "POST", f"/api/v1/posts/{self.post_id}/comments",
            201, {"body": "A comment."}, self.token))

    def new_token(self):
        return self._id(self._step(
            "spare token", "POST", "/api/v1/tokens", 201,
            {"username": self.username, "password": self.password,
             "name": "spare"}))

    def new_upload(self, send_bytes=False):
        body = self._step("upload", "POST", "/api/v1/uploads", 201,
                          {"filename": "pixel.png",
                           "content_type": "image/png",
                           "byte_size": len(PNG)}, self.token)
        if body and send_bytes:
            try:
                url = urljoin(self.api.base + "/", body["url"])
                r = requests.request(body.get("method", "PUT"), url,
                                     data=PNG, headers=body["headers"],
                                     timeout=15)
                if not 200 <= r.status_code < 300:
                    self.problems.append(f"setup upload bytes: {_brief(r)}")
            except (requests.RequestException, KeyError, TypeError) as e:
                self.problems.append(f"setup upload bytes: {e!r}")
        return self._id(body)

    def path_values(self, path, method):
        """Real values for the path's parameters. Destructive operations
        get things of their own, so the tests can run in any order."""
        values = {
            "/api/v1/tokens/{id}": lambda: {"id": self.new_token()},
            "/api/v1/posts/{id}": lambda: {
                "id": self.new_post() if method == "delete"
                else self.post_id},
            "/api/v1/posts/{id}/comments": lambda: {"id": self.post_id},
            "/api/v1/posts/{id}/like": lambda: {"id": self.post_id},
            "/api/v1/comments/{id}": lambda: {"id": self.new_comment()},
            "/api/v1/uploads/{id}/complete": lambda: {
                "id": self.new_upload(send_bytes=True)},
            "/api/v1/images/{id}": lambda: {"id": self.new_upload()},
            "/api/v1/users/{username}": lambda: {"username": self.username},
            "/api/v1/mod/invitations/{id}": lambda: {"id": self._id(
                self._step("invitation", "POST", "/api/v1/mod/invitations",
                           201, {}, self.token))},
        }
        # Operations with a required query: a value that finds something.
        queries = {("/api/v1/users", "get"): "?q=" + self.username}
        if (path, method) in queries:
            return path + queries[(path, method)]
        if "{" not in path:
            return path
        assert path in values, (f"no test value for the parameters of "
                                f"{path}: add it to World.path_values")
        out = path
        for k, v in values[path]().items():
            out = out.replace("{" + k + "}", str(v))
        return out

    def valid_body(self, op):
        """The documented example, made to fit this world."""
        body = request_example(op)
        oid = op["operationId"]
        if oid == "createUser":
            body["username"] = unique_name("oa")
        elif oid == "createToken":
            body.update(username=self.username, password=self.password)
        elif oid == "createUpload":
            body.update(filename="pixel.png", content_type="image/png",
                        byte_size=len(PNG))
        elif oid in ("moderate", "createReport"):
            body.update(post_id=self.others_post())
        elif oid == "setRole":
            body.update(username=self.new_account()[0])
        elif oid == "setMyEmail":
            body.update(email=self.username + "@example.com",
                        password=self.password)
        elif oid == "requestPasswordReset":
            body.update(login=self.username)
        elif oid in ("createRecoveryCodes",):
            body.update(password=self.password)
        elif oid == "deleteMyAccount":
            body.update(password=getattr(self, "_gone", (0, ""))[1])
        elif oid == "verifyEmail":
            body.update(token=self.link_token(
                "email_verifications", self.username, ", email"))
        elif oid == "confirmPasswordReset":
            body.update(token=self.link_token("password_resets",
                                              self.new_account()[0]))
        elif oid == "resetWithRecoveryCode":
            name, pw, tok = self.new_account()
            r = self.api.call("POST", "/api/v1/me/recovery-codes", tok,
                              {"password": pw})
            codes = r.json().get("codes", ["-"]) if r.status_code == 201 \
                else ["-"]
            body.update(username=name, recovery_code=codes[0])
        return body


@pytest.fixture(scope="module")
def mail_server(pg, workdir, tmp_path_factory):
    """A kblog on the same database that sends mail (to a real SMTP
    server), for the operations marked x-kblog-feature: mail."""
    pytest.importorskip("aiosmtpd")
    from harness import Kblog
    from smtp_sink import SmtpSink
    sink = SmtpSink(tmp_path_factory.mktemp("oa-smtp"), "starttls").start()
    k = Kblog(pg.url, workdir, extra_env={
        "SMTP_URL": sink.url(), "SMTP_CA_FILE": sink.ca_file,
        "MAIL_FROM": "kblog <noreply@blog.example>"})
    yield k
    k.stop()
    sink.stop()


@pytest.fixture(scope="module")
def world(server, pg, mail_server):
    return World(server.url, pg, mail_server.url)


def _setup_note(world):
    if not world.problems:
        return ""
    return "\nsetup steps that failed:\n  " + "\n  ".join(world.problems)


def response_problems(op, r):
    """How a response breaks the operation's documentation."""
    out = []
    code = str(r.status_code)
    if r.status_code >= 500:
        out.append(f"server error {r.status_code}")
    if code not in op["responses"]:
        out.append(f"status {code} is not documented "
                   f"(documented: {', '.join(op['responses'])})")
        return out
    resp = CHECK.deref(op["responses"][code])
    for name, h in resp.get("headers", {}).items():
        if h.get("required") and name not in r.headers:
            out.append(f"header {name} missing")
        elif name in r.headers:
            for e in CHECK.errors(h["schema"], _header_value(
                    CHECK.deref(h["schema"]), r.headers[name]),
                    f"header {name}"):
                out.append(e)
    content = resp.get("content")
    if not content:
        if r.content:
            out.append(f"{code} must have no body, got {r.content[:100]!r}")
        return out
    if JSON_TYPE not in content:
        # A download: its media type, and a body that is one.
        (mtype,) = content
        if r.headers.get("content-type", "") != mtype:
            out.append(f"Content-Type {r.headers.get('content-type')!r}, "
                       f"expected {mtype!r}")
        if mtype == "application/x-tar":
            try:
                with tarfile.open(fileobj=io.BytesIO(r.content)) as t:
                    if not t.getmembers():
                        out.append("an empty archive")
            except tarfile.TarError as e:
                out.append(f"not a tar archive: {e}")
        return out
    ctype = r.headers.get("content-type", "")
    if ctype.lower() != JSON_TYPE:
        out.append(f"Content-Type {ctype!r}, expected {JSON_TYPE!r}")
    try:
        value = json.loads(r.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        out.append(f"body is not UTF-8 JSON: {e}: {r.content[:200]!r}")
        return out
    out += CHECK.errors(content[JSON_TYPE]["schema"], value, "body")
    return out


def _header_value(schema, text):
    if schema.get("type") == "integer" and text.strip().isdigit():
        return int(text)
    return text


def _extra_checks(op, r, world):
    """A few documented promises beyond the schema, on success."""
    oid, out = op["operationId"], []
    try:
        body = r.json()
    except ValueError:
        return out
    if oid == "listTokens":
        for item in body.get("items", []):
            if "token" in item or "token_hash" in item:
                out.append("listTokens shows a secret")
    elif oid == "createPost":
        loc = r.headers.get("location", "")
        if not loc.endswith(f"/api/v1/posts/{body.get('id')}"):
            out.append(f"Location {loc!r} is not the post's URL")
        if body.get("tags") != ["rust", "web-dev"]:
            out.append(f"tags not normalised: {body.get('tags')}")
    elif oid == "getMe":
        if body.get("username") != world.username:
            out.append("getMe is not the token's user")
    return out


# ---------------------------------------------------------------------------
# Every documented operation, on the running server.

@pytest.mark.parametrize("path,method,op", OPS, ids=OP_IDS)
def test_operation_answers_as_documented(base, world, path, method, op):
    url = world.path_values(path, method)
    token = world.token_for(op) if auth_kind(op) != "none" else None
    body = world.valid_body(op) if "requestBody" in op else None
    r = world.api_for(op).call(method, url, token=token, body=body)
    problems = response_problems(op, r)
    assert not problems, (f"{_brief(r)}\n" + "\n".join(problems) +
                          _setup_note(world))
    want = success_status(op)
    assert r.status_code == want, (f"expected {want}: {_brief(r)}" +
                                   _setup_note(world))
    problems = _extra_checks(op, r, world)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path,method,op", OPS, ids=OP_IDS)
def test_operation_authentication(base, world, path, method, op):
    kind = auth_kind(op)
    if kind == "none":
        pytest.skip("public operation without credentials")
    if method == "delete" or op["operationId"] == "completeUpload":
        url = path.replace("{id}", str(MISSING_ID))  # nothing is touched
    else:
        url = world.path_values(path, method)
    body = world.valid_body(op) if "requestBody" in op else None
    attempts = [("a bad bearer token", "kb-not-a-token")]
    if kind == "required":
        attempts.insert(0, ("no credentials", None))
    for what, token in attempts:
        r = world.api_for(op).call(method, url, token=token, body=body)
        problems = response_problems(op, r)
        assert not problems, f"{what}: {_brief(r)}\n" + "\n".join(problems)
        assert r.status_code == 401, f"{what}: {_brief(r)}"
        assert r.headers.get("www-authenticate", "").startswith("Bearer")
    if kind == "optional":
        r = world.api_for(op).call(method, url, body=body)
        assert not response_problems(op, r), _brief(r)
        assert r.status_code == success_status(op), (
            f"anonymous: {_brief(r)}" + _setup_note(world))


def test_cookie_auth_writes_need_the_csrf_header(base):
    """cookieAuth as documented: the session cookie authenticates, and a
    write with it needs X-CSRF-Token (403 csrf_failed without)."""
    op = DOC["paths"]["/api/v1/posts"]["post"]
    b = Browser(base)
    b.register()
    assert b.session_cookie() and b.csrf
    url = base + "/api/v1/posts"
    post = {"title": "Cookie " + unique_name(), "body_markdown": "x"}
    r = b.s.get(base + "/api/v1/me", timeout=10)
    assert r.status_code == 200, _brief(r)
    r = b.s.post(url, json=post, timeout=10)
    assert not response_problems(op, r), _brief(r)
    assert r.status_code == 403 and r.json()["error"]["code"] == \
        "csrf_failed", _brief(r)
    r = b.s.post(url, json=post, headers={"X-CSRF-Token": "x" + b.csrf},
                 timeout=10)
    assert r.status_code == 403, _brief(r)
    r = b.s.post(url, json=post, headers={"X-CSRF-Token": b.csrf},
                 timeout=10)
    assert not response_problems(op, r), _brief(r)
    assert r.status_code == 201, _brief(r)


@pytest.mark.parametrize("path", sorted(DOC["paths"]))
def test_undocumented_method_is_405_with_allow(base, world, path):
    documented = {m.upper() for m in DOC["paths"][path] if m in METHODS}
    method = next(m for m in ("PATCH", "PUT", "DELETE", "POST", "GET")
                  if m not in documented)
    url = path.replace("{id}", str(MISSING_ID)).replace(
        "{username}", world.username)
    r = world.api.call(method, url, token=world.token)
    assert r.status_code == 405, _brief(r)
    allow = {m.strip().upper() for m in
             r.headers.get("allow", "").split(",") if m.strip()}
    assert documented <= allow <= documented | {"HEAD", "OPTIONS"}, (
        f"Allow: {r.headers.get('allow')!r}, documented: {documented}")
    assert r.headers.get("content-type", "").lower() == JSON_TYPE
    err = r.json()
    assert CHECK.errors({"$ref": "#/components/schemas/Error"}, err) == []
    assert err["error"]["code"] == "method_not_allowed"


def _wrong_type_field(op):
    """A field of the request schema and a value of another JSON type."""
    schema = CHECK.deref(request_schema(op))
    for name, prop in schema["properties"].items():
        t = CHECK.deref(prop).get("type")
        if t in ("string", "integer", "boolean", "array", "object"):
            return name, {"string": 12345, "integer": "12",
                          "boolean": "true", "array": "a",
                          "object": [1]}[t]
    raise AssertionError("no typed field")


@pytest.mark.parametrize("path,method,op", BODY_OPS, ids=BODY_IDS)
def test_request_body_rules(base, world, path, method, op):
    """Malformed JSON: 400 malformed_json; wrong type: 400 invalid_type;
    not application/json: 415; unknown field: 422 naming it."""
    url = world.path_values(path, method)
    token = world.token if auth_kind(op) != "none" else None
    good = world.valid_body(op)
    name, value = _wrong_type_field(op)
    cases = [
        ("malformed JSON", dict(raw=b'{"title": ', ctype="application/json"),
         400, "malformed_json", None),
        ("wrong type", dict(body=dict(good, **{name: value})),
         400, "invalid_type", None),
        ("text/plain", dict(raw=json.dumps(good).encode(),
                            ctype="text/plain"),
         415, "unsupported_media_type", None),
        ("unknown field", dict(body=dict(good, colour_of_sky="blue")),
         422, "validation_failed", "colour_of_sky"),
    ]
    failures = []
    for what, kw, status, code, field in cases:
        r = world.api_for(op).call(method, url, token=token, **kw)
        problems = response_problems(op, r)
        if r.status_code != status:
            problems.append(f"expected {status}")
        else:
            err = r.json().get("error", {})
            if err.get("code") != code:
                problems.append(f"code {err.get('code')!r}, expected "
                                f"{code!r}")
            if field and (err.get("fields") or {}).get(field) != \
                    "unknown field":
                problems.append(f"fields must say {field}: 'unknown "
                                f"field', got {err.get('fields')}")
        if problems:
            failures.append(f"{what}: {_brief(r)}: " + "; ".join(problems))
    assert not failures, "\n".join(failures) + _setup_note(world)
