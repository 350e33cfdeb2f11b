"""The libFuzzer targets (tests/fuzz/fuzz_*.c): each one builds and runs
for 8 s on a copy of its seed corpus without a crash, leak, timeout or
sanitizer report.  Longer runs: tests/fuzz/README.md."""

import os
import re
import shutil
import subprocess

import pytest

from harness import FLAVOR, REPO

SECONDS = 8


@pytest.mark.skipif(FLAVOR != "dev", reason="the fuzz targets do not use "
                    "kblog's build: they run once, with the dev flavor")
def test_fuzz_targets_run_clean():
    if shutil.which("clang") is None:
        pytest.fail("clang is missing (scripts/deps test installs clang "
                    "and libclang-rt-14-dev)")
    targets = sorted((REPO / "tests" / "fuzz").glob("fuzz_*.c"))
    assert len(targets) >= 6, targets
    env = dict(os.environ, FUZZ_SECONDS=str(SECONDS), FUZZ_PARALLEL="2")
    r = subprocess.run([str(REPO / "tests" / "fuzz" / "run")], cwd=REPO,
                       env=env, capture_output=True, text=True,
                       timeout=len(targets) * (SECONDS + 120) + 120)
    out = r.stdout + r.stderr
    print(out)
    assert r.returncode == 0, out[-6000:]
    assert re.search(rf"^{len(targets)} passed, 0 failed$", out, re.M), out
    for t in targets:
        assert re.search(rf"^{t.stem}: ok, \d+ execs", out, re.M), out
