"""A browser-like client for the HTML pages: keeps cookies, reads the CSRF
token from the page it was given, posts forms the way a browser does."""

import random
import re
import uuid

import requests

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
META_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def unique_name(prefix="u"):
    return f"{prefix}{uuid.uuid4().hex[:10]}"


class Browser:
    def __init__(self, base, addr=None):
        self.base = base
        self.s = requests.Session()
        self.csrf = None
        # The test server trusts X-Forwarded-For (TRUST_PROXY=1), so each
        # browser is a different client address (documentation prefix),
        # and address-based login throttling does not leak across tests.
        self.addr = addr or "2001:db8::%x:%x" % (random.getrandbits(16),
                                                  random.getrandbits(16))
        self.s.headers["X-Forwarded-For"] = self.addr

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", True)
        r = self.s.get(self.base + path, **kw)
        m = META_RE.search(r.text)
        if m:
            self.csrf = m.group(1)
        return r

    def post(self, path, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            if self.csrf is None:
                self.get("/login")
            data.setdefault("csrf", self.csrf)
        kw.setdefault("allow_redirects", False)
        return self.s.post(self.base + path, data=data, **kw)

    def register(self, username=None, password="correct horse 1",
                 display_name=""):
        username = username or unique_name()
        self.get("/register")
        r = self.post("/register", {"username": username,
                                    "password": password,
                                    "display_name": display_name})
        self.get("/")
        return username, r

    def login(self, username, password="correct horse 1", **kw):
        self.get("/login")
        r = self.post("/login", {"username": username, "password": password},
                      **kw)
        if r.status_code == 303:
            self.get("/")
        return r

    def logout(self):
        return self.post("/logout")

    def session_cookie(self):
        return self.s.cookies.get("kb_session")
