"""Fixtures: one throwaway PostgreSQL and one kblog server for the session,
plus factories for tests that need their own (bad configuration, restarts).
"""

import tempfile
from pathlib import Path

import pytest

from harness import Kblog, Postgres


@pytest.fixture(scope="session")
def workdir():
    d = Path(tempfile.mkdtemp(prefix="kblog-test-"))
    yield d


@pytest.fixture(scope="session")
def pg():
    p = Postgres()
    yield p
    p.destroy()


@pytest.fixture(scope="session")
def server(pg, workdir):
    k = Kblog(pg.url, workdir, extra_env={"TRUST_PROXY": "1"})
    yield k
    k.stop()
    reports = k.sanitizer_reports()
    assert not reports, "sanitizer or sandbox reports:\n" + "\n".join(reports)


@pytest.fixture
def base(server):
    """The shared server's URL; fails the test if the server crashed."""
    yield server.url
    assert server.proc.alive(), "kblog died:\n" + server.output()[-3000:]
    assert not server.sanitizer_reports(), "\n".join(server.sanitizer_reports())


@pytest.fixture
def kblog_factory(workdir):
    started = []

    def make(database_url, **kw):
        k = Kblog(database_url, workdir, **kw)
        started.append(k)
        return k

    yield make
    for k in started:
        k.stop()
        reports = k.sanitizer_reports()
        assert not reports, "\n".join(reports)
