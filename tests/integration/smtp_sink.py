"""A real SMTP server for the tests: Debian's python3-aiosmtpd on
127.0.0.1, on a free port, keeping every message it accepts.

    with SmtpSink(tmp_path, mode="starttls") as sink:
        ... send to sink.url ...      # smtp://localhost:PORT
        msg = sink.wait_for(1)[0]     # a Received
        msg.message["Subject"]        # email.message.EmailMessage

Modes:
    plain      ESMTP without STARTTLS (a client that requires TLS must
               refuse it: nothing may reach it in clear)
    starttls   STARTTLS offered and required before MAIL
    tls        implicit TLS from the first byte (smtps://)
    tempfail   STARTTLS, then "451 4.3.0" to RCPT TO (fail_code changes
               the code, fail_at the command: "mail", "rcpt" or "data",
               fail_reply the whole reply line)
    permfail   STARTTLS, then "550 5.1.1" to RCPT TO (same options)
    down       nothing listens on the port: connections are refused
    silent     a socket that accepts connections and never answers
               (the client's timeout must end it)

TLS uses a private CA made at start with openssl(1) (EC P-256, valid two
days): ``sink.ca_file`` is its PEM file, the server's certificate names
only DNS:localhost (so smtp://127.0.0.1 fails host name verification),
and ``sink.other_ca_file`` is another CA that signed nothing.
``auth=("user", "password")`` requires SMTP AUTH (offered only after
TLS, as aiosmtpd does by default); ``sink.logins`` lists the attempts.

Messages are parsed with Python's email package (policy.default), which
decodes RFC 2047 words and quoted-printable: ``Received.message``,
``Received.text`` (the decoded body), ``Received.raw`` (the bytes as
received), ``Received.envelope_from``, ``Received.rcpt_tos``,
``Received.tls``.  ``sink.mail_commands`` counts MAIL FROM commands seen
(any mode), so a test can prove a client stopped before sending.
"""

import email
import email.policy
import os
import socket
import ssl
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd 1.4 warns about its own use of a deprecated attribute.
warnings.filterwarnings("ignore", "Session.login_data is deprecated")

MODES = ("plain", "starttls", "tls", "tempfail", "permfail", "down",
         "silent")


@dataclass
class Received:
    envelope_from: str
    rcpt_tos: list
    raw: bytes
    tls: bool
    login: str = None
    message: email.message.EmailMessage = field(default=None, repr=False)

    @property
    def text(self):
        return self.message.get_content()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=cwd,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], r.stderr))


def make_certs(directory):
    """A CA, a server certificate for DNS:localhost signed by it, and an
    unrelated CA.  Returns the paths as a dict."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    for name in ("ca", "other-ca"):
        _openssl("req", "-x509", *ec, "-keyout", name + ".key",
                 "-out", name + ".pem", "-days", "2",
                 "-subj", "/CN=kblog test %s" % name,
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 cwd=d)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", cwd=d)
    (d / "server.ext").write_text(
        "subjectAltName=DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem",
             "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
             "-days", "2", "-extfile", "server.ext", cwd=d)
    return {"ca": str(d / "ca.pem"), "other_ca": str(d / "other-ca.pem"),
            "cert": str(d / "server.pem"), "key": str(d / "server.key")}


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address,
                          options):
        with self.sink.lock:
            self.sink.mail_commands += 1
        if self.sink.fail_at == "mail":
            return self.sink.fail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address,
                          options):
        if self.sink.fail_at == "rcpt":
            return self.sink.fail_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.fail_at == "data":
            return self.sink.fail_reply
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        login = None
        if session.auth_data is not None:
            login = session.auth_data.login.decode("utf-8", "replace")
        tls = session.ssl is not None or (
            server.transport is not None and
            server.transport.get_extra_info("ssl_object") is not None)
        got = Received(envelope.mail_from, list(envelope.rcpt_tos), raw,
                       tls, login, msg)
        with self.sink.lock:
            self.sink.messages.append(got)
            self.sink.arrived.notify_all()
        return "250 2.0.0 OK queued as kblog-sink"


class SmtpSink:
    def __init__(self, workdir, mode="starttls", auth=None, fail_code=None,
                 fail_at="rcpt", fail_reply=None, certs=None):
        if mode not in MODES:
            raise ValueError("mode must be one of %s" % (MODES,))
        self.mode = mode
        self.workdir = Path(workdir)
        self.auth = auth
        self.port = free_port()
        self.host = "127.0.0.1"
        self.messages = []
        self.logins = []
        self.mail_commands = 0
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.fail_at = None
        self.fail_reply = None
        if mode == "tempfail":
            self.fail_at = fail_at
            self.fail_reply = "%d 4.3.0 try again later" % (fail_code or 451)
        elif mode == "permfail":
            self.fail_at = fail_at
            self.fail_reply = "%d 5.1.1 no such user here" % (fail_code or
                                                              550)
        if fail_reply is not None:
            self.fail_reply = fail_reply
        self.certs = certs or make_certs(self.workdir / "smtp-certs")
        self.ca_file = self.certs["ca"]
        self.other_ca_file = self.certs["other_ca"]
        self._controller = None
        self._silent = None

    # -- addresses ---------------------------------------------------------

    def url(self, host="localhost", user=None, password=None):
        """smtp:// or smtps:// (mode tls) URL of this sink; user and
        password are percent-encoded by the caller when needed."""
        scheme = "smtps" if self.mode == "tls" else "smtp"
        cred = ""
        if user is not None:
            cred = user + (":" + password if password is not None else "")
            cred += "@"
        return "%s://%s%s:%d" % (scheme, cred, host, self.port)

    # -- life --------------------------------------------------------------

    def _tls_context(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.certs["cert"], self.certs["key"])
        return ctx

    def _authenticator(self, server, session, envelope, mechanism,
                       auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        ok = self.auth is not None and (login, password) == tuple(self.auth)
        with self.lock:
            self.logins.append((mechanism, login, ok))
        # handled=False: aiosmtpd itself answers 535 to a failure.
        return AuthResult(success=ok, handled=False,
                          auth_data=auth_data if ok else None)

    def start(self):
        if self.mode == "down":
            return self
        if self.mode == "silent":
            self._silent = socket.socket()
            self._silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,
                                    1)
            self._silent.bind((self.host, self.port))
            self._silent.listen(16)
            return self
        kw = {"hostname": self.host, "port": self.port,
              "server_hostname": "sink.kblog.test", "ready_timeout": 10}
        if self.mode == "tls":
            kw["ssl_context"] = self._tls_context()
        elif self.mode != "plain":
            kw["tls_context"] = self._tls_context()
            kw["require_starttls"] = True
        if self.auth is not None:
            kw["authenticator"] = self._authenticator
            kw["auth_required"] = True
        self._controller = Controller(_Handler(self), **kw)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._silent is not None:
            self._silent.close()
            self._silent = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- what arrived --------------------------------------------------------

    def wait_for(self, count, timeout=10.0):
        """The first count messages, waiting up to timeout seconds."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("%d message(s) arrived, %d expected"
                                         % (len(self.messages), count))
                self.arrived.wait(left)
            return list(self.messages[:count])

    def clear(self):
        with self.lock:
            self.messages.clear()
            self.logins.clear()
            self.mail_commands = 0


if __name__ == "__main__":
    # A manual check: python3 tests/integration/smtp_sink.py [mode]
    import sys
    import tempfile
    mode = sys.argv[1] if len(sys.argv) > 1 else "starttls"
    with tempfile.TemporaryDirectory() as d, SmtpSink(d, mode) as s:
        print("listening", s.url(), "ca", s.ca_file, flush=True)
        try:
            while True:
                time.sleep(1)
                for m in s.messages:
                    print(m.envelope_from, m.rcpt_tos, m.message["Subject"])
                s.clear()
        except KeyboardInterrupt:
            pass
    os._exit(0)
