"""E-mail, through a real SMTP server: Debian's python3-aiosmtpd run by
tests/integration/smtp_sink.py on 127.0.0.1 (STARTTLS with a private CA),
and kblog processes whose mailer sends the queue.

- An address is added, verified by the link that arrives, and changed or
  removed with notices to the old address.
- A reset link arrives, works once, expires, ends every session and
  token; the account's address is told of the new password.
- Reset requests answer alike for unknown and known addresses and
  usernames, and are rate-limited per address typed and per account
  (silently) and per client address.
- A server that is down is retried with back-off, then given up with a
  log line, and no request waits for it; once it is back, a waiting
  message is delivered.
- Without SMTP the site works: no address form, the API says so, and the
  reset page offers recovery codes only.
"""

import re
import time

import pytest

from client import Browser, unique_name
from smtp_sink import SmtpSink, make_certs
from test_api import Api, err, new_user

PW = "long enough pw"
NEW_PW = "an even longer password"

pytest.importorskip("aiosmtpd")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("smtp-certs"))


@pytest.fixture(scope="module")
def sink(tmp_path_factory, certs):
    s = SmtpSink(tmp_path_factory.mktemp("smtp"), "starttls",
                 certs=certs).start()
    yield s
    s.stop()


def mail_env(sink, **extra):
    env = {"SMTP_URL": sink.url(), "SMTP_CA_FILE": sink.ca_file,
           "MAIL_FROM": "kblog <noreply@blog.example>",
           "MAIL_RETRY_SECONDS": "1", "MAIL_ATTEMPTS": "3",
           "TRUST_PROXY": "1"}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def mailer(pg, workdir, sink):
    from harness import Kblog
    k = Kblog(pg.url, workdir, extra_env=mail_env(sink))
    yield k
    k.stop()
    assert not k.sanitizer_reports(), k.sanitizer_reports()


def mail_to(sink, addr, kind_re, timeout=15):
    """The first message to addr whose subject matches, waiting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sink.lock:
            for m in sink.messages:
                if addr in m.rcpt_tos and re.search(kind_re,
                                                    m.message["Subject"]):
                    sink.messages.remove(m)
                    return m
        time.sleep(0.05)
    raise AssertionError(f"no message {kind_re!r} to {addr}")


def no_mail_to(sink, addr, wait=1.5):
    time.sleep(wait)
    with sink.lock:
        assert not [m for m in sink.messages if addr in m.rcpt_tos]


def link_token(msg, path):
    m = re.search(re.escape(path) + r"\?token=([0-9]+\.[A-Za-z0-9_-]{43})",
                  msg.text)
    assert m, msg.text
    return m.group(1)


def verified_user(base, sink, pg):
    """A new account with a verified address, through the real mail."""
    name, api, tok = new_user(base, PW)
    addr = f"{name}@example.com"
    r = api.call("PUT", "/me/email", {"email": addr, "password": PW})
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "verification_sent"}
    m = mail_to(sink, addr, "Confirm your e-mail")
    token = link_token(m, "/verify-email")
    r = Api(base).call("POST", "/email-verifications", {"token": token})
    assert r.status_code == 200 and r.json() == {"email": addr}, r.text
    return name, api, tok, addr


def test_address_verified_by_the_link_that_arrives(mailer, sink, pg):
    name, api, _ = new_user(mailer.url, PW)
    addr = f"{name}@Example.COM"
    err(api.call("PUT", "/me/email", {"email": addr, "password": "nope"}),
        403, "wrong_password")
    err(api.call("PUT", "/me/email", {"email": "not an address",
                                      "password": PW}),
        422, "validation_failed")
    r = api.call("PUT", "/me/email", {"email": addr, "password": PW})
    assert r.status_code == 200, r.text
    acct = api.call("GET", "/me/account").json()
    assert acct["email"] is None and acct["pending_email"] == \
        f"{name}@example.com" and acct["mail"] is True
    m = mail_to(sink, f"{name}@example.com", "Confirm your e-mail")
    assert m.tls and m.envelope_from == "noreply@blog.example"
    assert m.message["To"].addresses[0].display_name == name
    token = link_token(m, mailer.url + "/verify-email")
    # Only its hash is stored.
    assert pg.query("SELECT count(*) FROM email_verifications WHERE "
                    "token_hash = sha256(convert_to(%s, 'UTF8'))",
                    (token.split(".")[1],)) == [(1,)]
    # The page shows a button (mail scanners follow links); the POST
    # verifies.
    b = Browser(mailer.url)
    page = b.get("/verify-email?token=" + token)
    assert page.status_code == 200 and "Confirm" in page.text
    assert pg.query("SELECT email FROM users WHERE username = %s",
                    (name,)) == [(None,)]
    r = b.post("/verify-email", {"token": token})
    assert r.status_code == 200 and "Address confirmed" in r.text
    assert api.call("GET", "/me/account").json()["email"] == \
        f"{name}@example.com"
    # Once only.
    err(Api(mailer.url).call("POST", "/email-verifications",
                             {"token": token}), 400, "invalid_link")
    # The queue keeps nothing once sent.
    assert pg.query("SELECT count(*) FROM mail_queue WHERE user_id = "
                    "(SELECT id FROM users WHERE username = %s)",
                    (name,)) == [(0,)]


def test_address_change_and_removal_tell_the_old_address(mailer, sink,
                                                          pg):
    name, api, _, old = verified_user(mailer.url, sink, pg)
    new = f"{name}.new@example.org"
    assert api.call("PUT", "/me/email", {"email": new, "password": PW}
                    ).status_code == 200
    m = mail_to(sink, new, "Confirm your e-mail")
    assert Api(mailer.url).call("POST", "/email-verifications", {
        "token": link_token(m, "/verify-email")}).status_code == 200
    note = mail_to(sink, old, "was changed")
    assert "is now " + name[0] + "***@example.org" in note.text
    assert new not in note.text
    # Another account cannot take a verified address.
    other, oapi, _ = new_user(mailer.url, PW)
    assert oapi.call("PUT", "/me/email", {"email": new.upper(),
                                          "password": PW}
                     ).status_code == 200
    # (The local part keeps its case, the domain is lower-cased.)
    m = mail_to(sink, new.split("@")[0].upper() + "@example.org",
                "Confirm your e-mail")
    err(Api(mailer.url).call("POST", "/email-verifications", {
        "token": link_token(m, "/verify-email")}), 409, "email_taken")
    # Removed: the old address hears it.
    r = api.call("PUT", "/me/email", {"email": None, "password": PW})
    assert r.json() == {"status": "removed"}
    mail_to(sink, new, "was removed")
    assert api.call("GET", "/me/account").json()["email"] is None


def test_reset_link_works_once_ends_sessions_and_expires(mailer, sink, pg):
    name, api, tok, addr = verified_user(mailer.url, sink, pg)
    b = Browser(mailer.url)
    b.login(name, PW)
    assert "Logged in as" in b.get("/").text
    anon = Api(mailer.url)
    r = anon.call("POST", "/password-resets", {"login": addr.upper()})
    assert r.status_code == 202 and r.json() == {"status": "sent_if_known"}
    m = mail_to(sink, addr, "Reset your password")
    token = link_token(m, mailer.url + "/reset/confirm")
    assert "within 30 minutes" in m.text
    assert pg.query("SELECT count(*) FROM password_resets WHERE "
                    "token_hash = sha256(convert_to(%s, 'UTF8'))",
                    (token.split(".")[1],)) == [(1,)]
    # An altered token is refused and leaves the link working.
    bad = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    err(anon.call("POST", "/password-resets/confirm", {
        "token": bad, "new_password": NEW_PW}), 400, "invalid_link")
    err(anon.call("POST", "/password-resets/confirm", {
        "token": token, "new_password": "short"}), 422, "validation_failed")
    # Used: every session and token of the account ends.
    r = anon.call("POST", "/password-resets/confirm", {
        "token": token, "new_password": NEW_PW})
    assert r.status_code == 204, r.text
    assert "Logged in as" not in b.get("/").text
    err(api.call("GET", "/me"), 401, "invalid_token")
    assert Browser(mailer.url).login(name, PW).status_code == 401
    assert Browser(mailer.url).login(name, NEW_PW).status_code == 303
    notice = mail_to(sink, addr, "password on .* was changed")
    assert name in notice.text
    # Twice: no.
    err(anon.call("POST", "/password-resets/confirm", {
        "token": token, "new_password": "yet another password"}),
        400, "invalid_link")
    # Expired: no.
    assert anon.call("POST", "/password-resets", {"login": name}
                     ).status_code == 202
    m = mail_to(sink, addr, "Reset your password")
    token = link_token(m, "/reset/confirm")
    pg.query("UPDATE password_resets SET expires_at = now() - "
             "interval '1 second' WHERE id = %s", (token.split(".")[0],))
    err(anon.call("POST", "/password-resets/confirm", {
        "token": token, "new_password": "yet another password"}),
        400, "invalid_link")


def test_reset_pages(mailer, sink, pg):
    name, api, _, addr = verified_user(mailer.url, sink, pg)
    b = Browser(mailer.url)
    assert "/reset" in b.get("/login").text
    page = b.get("/reset").text
    assert "By e-mail" in page and "recovery code" in page
    r = b.post("/reset", {"login": addr})
    assert r.status_code == 200 and "a link is on its way" in r.text
    token = link_token(mail_to(sink, addr, "Reset your password"),
                       "/reset/confirm")
    page = b.get("/reset/confirm?token=" + token)
    assert page.status_code == 200 and token in page.text
    r = b.post("/reset/confirm", {"token": token, "new_password": "short"})
    assert r.status_code == 422 and "at least 10" in r.text
    r = b.post("/reset/confirm", {"token": token, "new_password": NEW_PW})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = b.post("/reset/confirm", {"token": token, "new_password": NEW_PW})
    assert r.status_code == 400 and "does not work" in r.text
    assert b.get("/reset/confirm?token=garbage").status_code == 400


def test_reset_requests_answer_alike_and_are_limited(pg, workdir, sink):
    from harness import Kblog
    k = Kblog(pg.url, workdir, extra_env=mail_env(sink, MAIL_PER_HOUR="2"))
    try:
        name, api, _, addr = verified_user(k.url, sink, pg)
        ghost = f"nobody.{unique_name()}@example.com"
        answers = set()
        for login in (addr, ghost, name, unique_name("nouser")):
            r = Api(k.url).call("POST", "/password-resets",
                                {"login": login})
            assert r.status_code == 202, r.text
            answers.add((r.status_code, r.text,
                         r.headers["content-type"]))
        assert len(answers) == 1
        # Two links for the account (typed as address, then name).
        mail_to(sink, addr, "Reset your password")
        mail_to(sink, addr, "Reset your password")
        no_mail_to(sink, ghost, 0.5)
        # The account's own limit: the same answer, but no more mail.
        r = Api(k.url).call("POST", "/password-resets",
                            {"login": addr.upper()})
        assert (r.status_code, r.text) == (202, answers.pop()[1])
        no_mail_to(sink, addr)
        # The address typed: a third request is refused, known or not.
        for login in (ghost, ghost, name):
            r = Api(k.url).call("POST", "/password-resets",
                                {"login": login})
        err(Api(k.url).call("POST", "/password-resets", {"login": ghost}),
            429, "rate_limited")
        err(Api(k.url).call("POST", "/password-resets", {"login": name}),
            429, "rate_limited")
        # The client address: at most 10 times the limit.
        one = Api(k.url)
        codes = [one.call("POST", "/password-resets", {
            "login": f"{i}.{unique_name()}@example.com"}).status_code
            for i in range(25)]
        assert 429 in codes and codes.count(202) <= 20, codes
        assert codes[0] == 202
        err(Api(k.url).call("POST", "/password-resets", {"login": "a b"}),
            422, "validation_failed")
    finally:
        k.stop()


def test_password_change_is_told_to_the_address(mailer, sink, pg):
    name, _, _, addr = verified_user(mailer.url, sink, pg)
    b = Browser(mailer.url)
    b.login(name, PW)
    b.get("/settings")
    r = b.post("/settings/password", {"current_password": PW,
                                      "new_password": NEW_PW})
    assert r.status_code == 303
    m = mail_to(sink, addr, "password on .* was changed")
    assert "/reset" in m.text


def test_address_form(mailer, sink, pg):
    b = Browser(mailer.url)
    name, _ = b.register()
    page = b.get("/settings/account").text
    assert 'action="/settings/email"' in page
    r = b.post("/settings/email", {"email": "nope", "password": PW})
    assert r.status_code == 422 and 'value="nope"' in r.text
    r = b.post("/settings/email", {"email": f"{name}@example.com",
                                   "password": "wrong password!"})
    assert r.status_code == 403 and "password is wrong" in r.text
    r = b.post("/settings/email", {"email": f"{name}@example.com",
                                   "password": "correct horse 1"})
    assert r.status_code == 303
    assert "on its way" in b.get("/settings/account?email=1").text
    mail_to(sink, f"{name}@example.com", "Confirm your e-mail")


def test_down_server_is_retried_then_given_up(pg, workdir, certs,
                                               tmp_path):
    from harness import Kblog
    down = SmtpSink(tmp_path, "down", certs=certs).start()
    # A database of its own: the queue is shared by every instance on a
    # database, and the other tests' mailer would send this message.
    url = pg.create_database("down_" + unique_name())
    db = url.rsplit("/", 1)[1]
    k = Kblog(url, workdir, extra_env=mail_env(down))
    try:
        name, _, _ = new_user(k.url, PW)
        addr = f"{name}@down.example"
        pg.query("UPDATE users SET email = %s WHERE username = %s",
                 (addr, name), dbname=db)
        t0 = time.monotonic()
        r = Api(k.url).call("POST", "/password-resets", {"login": addr})
        assert r.status_code == 202
        # No request waits for the mail.
        assert time.monotonic() - t0 < 1.0
        deadline = time.monotonic() + 20
        while "gave up on message" not in k.output() and \
                time.monotonic() < deadline:
            time.sleep(0.2)
        out = k.output()
        assert re.search(r"mail: message \d+ \(reset\) to down\.example "
                         r"will be tried again \(attempt 1 of 3\)", out), out
        assert re.search(r"mail: gave up on message \d+ \(reset\) to "
                         r"down\.example after 3 attempts", out), out
        assert addr not in out
        # Retried with back-off: 1 s, then 2 s.
        assert time.monotonic() - t0 >= 3
        assert pg.query("SELECT count(*) FROM mail_queue WHERE to_addr = %s",
                        (addr,), dbname=db) == [(0,)]
        # Meanwhile the site answers at once.
        assert Api(k.url).call("GET", "/registration").status_code == 200
    finally:
        k.stop()


def test_message_waits_for_the_server_to_come_back(pg, workdir, certs,
                                                   tmp_path):
    from harness import Kblog
    back = SmtpSink(tmp_path, "starttls", certs=certs)
    down = SmtpSink(tmp_path, "down", certs=certs)
    down.port = back.port
    url = pg.create_database("back_" + unique_name())
    k = Kblog(url, workdir, extra_env=mail_env(
        down, MAIL_ATTEMPTS="10", MAIL_RETRY_SECONDS="1"))
    try:
        name, _, _ = new_user(k.url, PW)
        addr = f"{name}@late.example"
        pg.query("UPDATE users SET email = %s WHERE username = %s",
                 (addr, name), dbname=url.rsplit("/", 1)[1])
        assert Api(k.url).call("POST", "/password-resets", {"login": name}
                               ).status_code == 202
        deadline = time.monotonic() + 10
        while "will be tried again (attempt 1" not in k.output() and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        assert "will be tried again (attempt 1" in k.output()
        back.start()
        m = back.wait_for(1, timeout=20)[0]
        assert m.rcpt_tos == [addr]
        assert "/reset/confirm?token=" in m.text
    finally:
        k.stop()
        back.stop()


def test_without_smtp_the_site_works(base, pg):
    name, api, _ = new_user(base, PW)
    err(api.call("PUT", "/me/email", {"email": "a@example.com",
                                      "password": PW}),
        409, "mail_unavailable")
    err(Api(base).call("POST", "/password-resets", {"login": name}),
        409, "mail_unavailable")
    assert api.call("GET", "/me/account").json()["mail"] is False
    b = Browser(base)
    page = b.get("/reset").text
    assert "By e-mail" not in page and "recovery code" in page
    b.register()
    page = b.get("/settings/account").text
    assert "sends no e-mail" in page and 'action="/settings/email"' \
        not in page
    assert pg.query("SELECT count(*) FROM mail_queue WHERE user_id = "
                    "(SELECT id FROM users WHERE username = %s)",
                    (name,)) == [(0,)]
