"""Debian's nginx in front of kblog, for the tests that need a real
proxy (test_scaleout.py, test_framing.py).  The configuration is a
template the test gives; {user}, {dir}, {repo} and {port} are filled in
here (the workers' user when run as root, the temp folder, the checkout,
the port to listen on)."""

import grp
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from harness import REPO, Proc


def _find_nginx():
    for cand in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


NGINX = _find_nginx()


@pytest.fixture(scope="module")
def nginx_bin():
    if NGINX is None:
        msg = ("nginx is not installed: apt-get install nginx-light "
               "(tests run kblog behind a real nginx)")
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return NGINX


class Nginx:
    """Debian's nginx in the foreground, everything under one temp dir."""

    def __init__(self, parent_dir, port, template, **values):
        self.dir = Path(tempfile.mkdtemp(prefix="nginx-", dir=parent_dir))
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        user = ""
        tmp = self.dir / "tmp"
        tmp.mkdir()
        if os.geteuid() == 0:
            # The master stays root; workers must not.  They read and
            # write only the temp folders (buffered request bodies).
            group = "nogroup"
            try:
                grp.getgrnam(group)
            except KeyError:
                group = "nobody"
            user = f"user nobody {group};"
            os.chmod(self.dir, 0o755)
            nobody = (65534, grp.getgrnam(group).gr_gid)
            for sub in ("", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
                d = tmp / sub
                d.mkdir(exist_ok=True)
                os.chown(d, *nobody)
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(template.format(
            user=user, dir=self.dir, repo=REPO, port=port, **values))
        self.error_log = self.dir / "error.log"
        self.access_log = self.dir / "access.log"
        argv = [NGINX, "-p", f"{self.dir}/", "-c", str(self.conf),
                "-e", str(self.error_log)]
        check = subprocess.run(argv + ["-t", "-q"], capture_output=True,
                               text=True)
        assert check.returncode == 0, (
            f"nginx -t refused the generated configuration:\n"
            f"{check.stderr}\n{self.conf.read_text()}")
        self.proc = Proc(argv + ["-g", "daemon off;"], cwd=self.dir,
                         env=dict(os.environ),
                         log_path=self.dir / "stdout.log")
        deadline = time.time() + 15
        while True:
            try:
                if requests.get(self.url + "/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if not self.proc.alive() or time.time() > deadline:
                raise RuntimeError("nginx did not start:\n" +
                                   self.errors())
            time.sleep(0.05)

    def errors(self):
        try:
            return self.error_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self):
        self.proc.stop()
