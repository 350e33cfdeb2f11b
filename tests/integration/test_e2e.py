"""Browser end-to-end flows (tests/e2e/flows.mjs): Debian's Chromium,
driven by playwright-core, against the shared kblog server.

The flows register, log in and out, write a Markdown post with an uploaded
photo (alt text asked for, the progress bar watched, the processed variant
the browser picks checked at desktop and phone width), like and comment in
place (with JavaScript) and through the plain forms (without), search,
check the phone layout, and watch every page for
console errors and Content-Security-Policy violations.  Screenshots and the
flows' output go to tests/artifacts/e2e/.

Needs node (with npm, the first time: `npm ci` installs the pinned
playwright-core into tests/e2e/node_modules) and Debian's chromium.
Without them the test is skipped, except under CI=true, where it fails.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
E2E = REPO / "tests" / "e2e"
ARTIFACTS = REPO / "tests" / "artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _missing(what):
    msg = (f"browser end-to-end tests need {what} "
           "(apt-get install chromium nodejs npm)")
    if os.environ.get("CI") == "true":
        pytest.fail(msg + "; CI=true, so this is a failure, not a skip")
    pytest.skip(msg)


def _tools():
    node = shutil.which("node")
    if node is None:
        _missing("node")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(f"Chromium at {CHROMIUM}")
    return node


def _npm_ci():
    """Installs the locked playwright-core once (node_modules is ignored
    by git)."""
    if (E2E / "node_modules" / "playwright-core" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        _missing("npm (to install tests/e2e's playwright-core)")
    r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=E2E,
                       capture_output=True, text=True, timeout=600,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, ("npm ci in tests/e2e failed:\n" +
                               r.stdout[-3000:] + r.stderr[-3000:])


@pytest.fixture(scope="session")
def e2e_node():
    """node, with playwright-core installed; checked before the shared
    server starts (a session fixture listed first), so a skip is quick."""
    node = _tools()
    _npm_ci()
    return node


def test_browser_flows(e2e_node, base, tmp_path):
    node = e2e_node
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    # A real phone photo (1600x1200, EXIF with GPS) to upload.
    subprocess.run([sys.executable, str(REPO / "tests" / "images" /
                                        "make_fixtures.py"), str(tmp_path)],
                   check=True, capture_output=True, timeout=120)

    env = dict(os.environ, CHROMIUM=CHROMIUM,
               E2E_PHOTO=str(tmp_path / "gps.jpg"))
    t0 = time.monotonic()
    try:
        r = subprocess.run([node, "flows.mjs", base, str(ARTIFACTS)],
                           cwd=E2E, env=env, capture_output=True, text=True,
                           timeout=360, stdin=subprocess.DEVNULL)
        out, status = r.stdout + r.stderr, r.returncode
    except subprocess.TimeoutExpired as e:
        out = ((e.stdout or b"").decode(errors="replace") +
               (e.stderr or b"").decode(errors="replace") +
               "\nflows.mjs did not finish in 360 s")
        status = "timeout"
    elapsed = time.monotonic() - t0
    (ARTIFACTS / "flows.log").write_text(out)
    print(f"\n== tests/e2e/flows.mjs against {base} ({elapsed:.1f} s, "
          f"artifacts in {ARTIFACTS.relative_to(REPO)})\n{out}")

    for name in ("home.png", "post.png", "editor.png"):
        assert (ARTIFACTS / name).is_file() or status != 0, \
            f"flows passed but left no {name}"
    assert status == 0, (f"browser flows failed (exit {status}); "
                         f"screenshots in {ARTIFACTS}:\n{out[-6000:]}")
