"""src/lib/mail.c against a real SMTP server.

tests/peers/mail_check.c drives the C code (built here with the command in
its header, plus ASan/UBSan when KBLOG_FLAVOR=asan); the server is Debian's
python3-aiosmtpd, run by tests/integration/smtp_sink.py on 127.0.0.1 with
a private CA made by openssl at test time.  Proves:

- a message arrives intact through STARTTLS with SMTP AUTH: UTF-8 subject,
  names and body (long lines, dots, "From ", trailing spaces) decoded by
  Python's email package, every header, the envelope;
- smtps:// (implicit TLS) works with the CA file;
- both are refused, before anything is sent, with a wrong host name or a
  CA that did not sign the server's certificate (or the system's CAs);
- STARTTLS is required: a server that does not offer it gets no MAIL FROM;
- 4xx replies are temporary, 5xx permanent (at MAIL, RCPT and DATA), a
  server that is down or never answers is temporary, within the timeouts;
- the password never appears in the log line, even when a server echoes it.
"""

import os
import subprocess
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

pytest.importorskip("aiosmtpd") if os.environ.get("CI") != "true" else None
from smtp_sink import SmtpSink, make_certs  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FLAVOR = os.environ.get("KBLOG_FLAVOR", "dev")
CFLAGS = ["-std=gnu99", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-g",
          "-Isrc"]
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
       "-fno-omit-frame-pointer"]
SOURCES = ["tests/peers/mail_check.c", "src/lib/mail.c", "src/lib/email.c",
           "src/lib/sbuf.c"]
LIBS = ["-lcurl", "-lcrypto", "-ljansson"]

USER = "kblog"
PASSWORD = "pa55:w0rd@s3cret"
PASSWORD_URL = "pa55%3Aw0rd%40s3cret"

SUBJECT = "Réinitialiser votre mot de passe 🔑 — kblog"
TO_NAME = "Zoë \"Z\" Ångström"
BODY = ("Bonjour Zoë,\n"
        "\n"
        "Suivez ce lien : https://blog.example/reset?token=" + "x" * 90 + "\n"
        ".a line that starts with a dot\n"
        "From the start of a line\n"
        "trailing spaces   \n"
        "tab\there = equals\n"
        + "é" * 100 + "\n"
        "no newline at the end")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("mail-peer")


@pytest.fixture(scope="module")
def certs(workdir):
    return make_certs(workdir / "certs")


@pytest.fixture(scope="module")
def mail_check(workdir):
    out = workdir / "mail_check"
    flags = CFLAGS + (SAN if FLAVOR == "asan" else [])
    cmd = [os.environ.get("CC", "cc")] + flags + ["-o", str(out)] + \
        SOURCES + LIBS
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, "build failed:\n" + " ".join(cmd) + "\n" + \
        r.stderr
    return out


@pytest.fixture
def sink(workdir, certs):
    started = []

    def make(mode, **kw):
        s = SmtpSink(workdir, mode, certs=certs, **kw).start()
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


def send(mail_check, url, ca_file="", timeout=30, **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SMTP_", "MAIL_"))}
    env.update({"SMTP_URL": url, "SMTP_CA_FILE": ca_file,
                "MAIL_FROM": "kblog <noreply@blog.example>",
                "MAIL_TO": "bob@example.com", "MAIL_TO_NAME": TO_NAME,
                "MAIL_SUBJECT": SUBJECT, "MAIL_BODY": BODY,
                "MAIL_CONNECT_TIMEOUT_MS": "3000",
                "MAIL_TIMEOUT_MS": "10000"})
    env.update({k: str(v) for k, v in extra.items()})
    t0 = time.monotonic()
    r = subprocess.run([str(mail_check), "send"], env=env,
                       capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - t0
    assert "runtime error:" not in r.stderr, r.stderr
    assert "Sanitizer" not in r.stderr, r.stderr
    assert r.returncode == 0, r.stderr
    import json
    out = json.loads(r.stdout)
    out["elapsed"] = elapsed
    assert out["compose"] == "ok", out
    # Whatever happened, the log line is one printable line without the
    # password, raw or percent-encoded.
    log = out["log"]
    assert log and all(0x20 <= ord(c) < 0x7f for c in log), log
    assert PASSWORD not in log and PASSWORD_URL not in log, log
    assert "s3cret" not in log, log
    return out


def test_message_arrives_intact_starttls_auth(mail_check, sink):
    s = sink("starttls", auth=(USER, PASSWORD))
    out = send(mail_check, s.url(user=USER, password=PASSWORD_URL),
               s.ca_file, MAIL_DATE=1739455385)
    assert out["result"] == "sent", out
    assert out["code"] == 250
    assert "queued as kblog-sink" in out["log"]
    got = s.wait_for(1)[0]
    assert got.tls
    assert got.login == USER
    assert s.logins == [(s.logins[0][0], USER, True)]
    assert got.envelope_from == "noreply@blog.example"
    assert got.rcpt_tos == ["bob@example.com"]

    m = got.message
    assert m["Subject"] == SUBJECT
    assert m["To"].addresses[0].display_name == TO_NAME
    assert m["To"].addresses[0].addr_spec == "bob@example.com"
    assert m["From"].addresses[0].display_name == "kblog"
    assert m["From"].addresses[0].addr_spec == "noreply@blog.example"
    assert m["Message-ID"] == out["msgid"]
    assert out["msgid"].endswith("@blog.example>")
    assert parsedate_to_datetime(m["Date"]).timestamp() == 1739455385
    assert m["MIME-Version"] == "1.0"
    assert m.get_content_type() == "text/plain"
    assert m.get_content_charset() == "utf-8"
    assert m["Content-Transfer-Encoding"] == "quoted-printable"
    assert m["Auto-Submitted"] == "auto-generated"
    assert not m.defects, m.defects
    # The body decodes to exactly what was given.
    assert m.get_content().replace("\r\n", "\n") == BODY
    # On the wire: 7-bit, CRLF, short lines.
    raw = got.raw
    assert all(b < 0x80 for b in raw)
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(x) for x in raw.split(b"\r\n")) <= 78


def test_smtps_implicit_tls(mail_check, sink):
    s = sink("tls")
    out = send(mail_check, s.url(), s.ca_file)
    assert out["result"] == "sent", out
    assert out["log"].startswith("sent via smtps://localhost:")
    got = s.wait_for(1)[0]
    assert got.tls
    assert got.message["Subject"] == SUBJECT


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_wrong_host_name_refused(mail_check, sink, mode):
    # The certificate names DNS:localhost only.
    s = sink(mode, auth=(USER, PASSWORD))
    out = send(mail_check, s.url("127.0.0.1", USER, PASSWORD_URL),
               s.ca_file)
    assert out["result"] == "temporary", out
    assert s.mail_commands == 0 and s.messages == [] and s.logins == []


@pytest.mark.parametrize("mode", ["starttls", "tls"])
@pytest.mark.parametrize("ca", ["other", "system"])
def test_unknown_ca_refused(mail_check, sink, mode, ca):
    s = sink(mode, auth=(USER, PASSWORD))
    out = send(mail_check, s.url(user=USER, password=PASSWORD_URL),
               s.other_ca_file if ca == "other" else "")
    assert out["result"] == "temporary", out
    assert "certificate" in out["log"].lower() or "SSL" in out["log"], out
    assert s.mail_commands == 0 and s.messages == [] and s.logins == []


def test_starttls_is_required(mail_check, sink):
    s = sink("plain")
    out = send(mail_check, s.url(user=USER, password=PASSWORD_URL))
    assert out["result"] == "temporary", out
    assert "STARTTLS" in out["log"], out
    # Nothing was sent in clear: no MAIL FROM, no AUTH, no message.
    assert s.mail_commands == 0 and s.messages == []


@pytest.mark.parametrize("at,code", [("mail", 421), ("rcpt", 450),
                                     ("rcpt", 451), ("data", 452)])
def test_4xx_is_temporary(mail_check, sink, at, code):
    s = sink("tempfail", fail_at=at, fail_code=code)
    out = send(mail_check, s.url(), s.ca_file)
    assert out["result"] == "temporary", out
    assert out["code"] == code, out
    assert str(code) in out["log"]
    assert s.messages == []


@pytest.mark.parametrize("at,code", [("mail", 553), ("rcpt", 550),
                                     ("data", 554)])
def test_5xx_is_permanent(mail_check, sink, at, code):
    s = sink("permfail", fail_at=at, fail_code=code)
    out = send(mail_check, s.url(), s.ca_file)
    assert out["result"] == "permanent", out
    assert out["code"] == code, out
    assert "no such user here" in out["log"], out
    assert s.messages == []


def test_server_down_is_temporary(mail_check, sink):
    s = sink("down")
    out = send(mail_check, s.url(), s.ca_file)
    assert out["result"] == "temporary", out
    assert out["code"] == 0
    assert out["elapsed"] < 5, out


def test_silent_server_times_out(mail_check, sink):
    s = sink("silent")
    out = send(mail_check, s.url(), s.ca_file, MAIL_TIMEOUT_MS=1500)
    assert out["result"] == "temporary", out
    assert "timed out" in out["log"].lower() or "timeout" in \
        out["log"].lower(), out
    assert out["elapsed"] < 6, out


def test_wrong_password_is_temporary_and_not_logged(mail_check, sink):
    s = sink("starttls", auth=(USER, "another password"))
    out = send(mail_check, s.url(user=USER, password=PASSWORD_URL),
               s.ca_file)
    assert out["result"] == "temporary", out
    assert out["code"] == 535, out
    assert s.logins and not s.logins[0][2]
    assert s.messages == []


def test_password_echoed_by_server_is_scrubbed(mail_check, sink):
    s = sink("permfail", auth=(USER, PASSWORD),
             fail_reply="550 5.7.1 no, " + PASSWORD + " / " + PASSWORD_URL)
    out = send(mail_check, s.url(user=USER, password=PASSWORD_URL),
               s.ca_file)
    assert out["result"] == "permanent", out
    assert "no, *** / ***" in out["log"], out


def test_config_check_never_shows_values(mail_check):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SMTP_", "MAIL_"))}
    env.update({"SMTP_URL": "smtp://" + USER + ":" + PASSWORD_URL +
                "@mail.example.com?x", "MAIL_FROM": "a@b.example"})
    r = subprocess.run([str(mail_check), "config"], env=env,
                       capture_output=True, text=True, timeout=30)
    import json
    out = json.loads(r.stdout)
    assert out["rc"] == -1
    assert out["err"].startswith("SMTP_URL ")
    assert "s3cret" not in out["err"] and "example.com" not in out["err"]
