"""The pure text modules (src/lib: ufold, lang, timefmt) against the real
things they must agree with, through ctypes on a shared build of them:

- case folding and NFKC (libunistring) against Python's own Unicode
  database, on every code point;
- the text search configurations lang_tsconfig() names against the real
  PostgreSQL's pg_ts_config, and words they stem;
- the timestamptz parser against PostgreSQL's own text output in UTC and
  in time zones with odd offsets, and RFC 3339 output read back by
  PostgreSQL.
"""

import ctypes
import random
import subprocess
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = ["src/lib/lang.c", "src/lib/timefmt.c", "src/lib/ufold.c",
           "src/lib/sbuf.c", "src/lib/html.c"]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    so = tmp_path_factory.mktemp("libtext") / "libtext.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-std=gnu99", "-D_GNU_SOURCE",
                    "-O1", "-Isrc", "-o", str(so), *SOURCES, "-lunistring"],
                   cwd=REPO, check=True, capture_output=True)
    L = ctypes.CDLL(str(so))
    L.ufold.restype = ctypes.POINTER(ctypes.c_uint32)
    L.ufold.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                        ctypes.POINTER(ctypes.c_size_t)]
    L.lang_tsconfig.restype = ctypes.c_char_p
    L.lang_tsconfig.argtypes = [ctypes.c_char_p]
    L.timefmt_parse_pg.restype = ctypes.c_int
    L.timefmt_parse_pg.argtypes = [ctypes.c_char_p,
                                   ctypes.POINTER(ctypes.c_int64)]
    L.timefmt_rfc3339.restype = ctypes.c_size_t
    L.timefmt_rfc3339.argtypes = [ctypes.c_char_p, ctypes.c_int64,
                                  ctypes.c_int]
    return L


def test_ufold_matches_python_unicodedata(lib):
    """ufold() of each code point is Python's NFKC of the case folding
    of its NFD (compatibility caseless matching, Unicode D146) with the
    dot above folded into 'i', to a fixed point: both on Unicode 14."""
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip("Python's Unicode is %s, libunistring 1.0's is 14.0.0"
                    % unicodedata.unidata_version)
    libc = ctypes.CDLL(None)
    libc.free.argtypes = [ctypes.c_void_p]

    def ufold(s):
        b = s.encode("utf-8")
        n = ctypes.c_size_t()
        p = lib.ufold(b, len(b), None, ctypes.byref(n))
        r = "".join(chr(p[i]) for i in range(n.value))
        libc.free(ctypes.cast(p, ctypes.c_void_p))
        return r

    def dot(s):
        out = []
        for ch in s:
            if ch == "\u0307" and out and out[-1] in ("i", "\u0131"):
                out[-1] = "i"
                continue
            out.append(ch)
        return "".join(out)

    def expected(s):
        for _ in range(6):
            t = unicodedata.normalize("NFD", s).casefold()
            t = unicodedata.normalize("NFKC", dot(
                unicodedata.normalize("NFKC", t)))
            if t == s:
                break
            s = t
        return s

    bad = []
    for cp in range(1, 0x110000):
        if 0xd800 <= cp <= 0xdfff:
            continue
        if ufold(chr(cp)) != expected(chr(cp)):
            bad.append(hex(cp))
    rnd = random.Random(16)
    pool = "aAiIİıSsßẞσςΣfiﬁ\u0301\u0307\u0345ΐΰǅǰ①Ａｶﾞ한\u1161\u11a8"
    for _ in range(20000):
        s = "".join(rnd.choice(pool) for _ in range(rnd.randrange(1, 8)))
        if ufold(s) != expected(s):
            bad.append(repr(s))
    assert not bad, f"{len(bad)} differences, e.g. {bad[:20]}"


# A word and another form of it that the language's stemmer makes equal
# (and 'simple' does not).
STEMS = [
    ("en", "running dogs", "dog run"), ("de", "die Katzen", "Katze"),
    ("fr", "les chanteuses", "chanteuse"), ("es", "los gatos", "gato"),
    ("ru", "книги", "книга"), ("sr-Cyrl", "књиге", "књига"),
    ("sr-Latn", "knjige", "knjiga"), ("el", "γάτες", "γάτα"),
    ("tr", "kitaplar", "kitap"), ("it", "gatti", "gatto"),
    ("pt-BR", "gatos", "gato"), ("nl", "katten", "kat"),
    ("sv", "katterna", "katt"), ("fi", "kissat", "kissa"),
    ("hi", "लड़कों", "लड़का"), ("ne", "केटाहरू", "केटा"),
    ("ta", "பூனைகள்", "பூனை"), ("da", "kattene", "kat"),
    ("nb", "kattene", "katt"), ("ro", "pisicile", "pisica"),
    ("id", "kucingnya", "kucing"), ("lt", "katės", "katė"),
    ("ca", "gats", "gat"), ("eu", "katuak", "katu"),
    ("yi", "קעצלעך", "קעצל"),
]

CODES = ("ar hy eu ca da nl en fi fr de el hi hu id ga it lt ne no nb nn "
         "pt ro ru sr es sv ta tr yi zh ja ko uk fa he pl x-klingon").split()


def test_tsconfigs_exist_and_stem(pg, lib):
    have = {r[0] for r in pg.query("SELECT cfgname FROM pg_ts_config")}
    named = {lib.lang_tsconfig(c.encode()).decode() for c in CODES}
    assert named <= have, named - have
    # Every configuration PostgreSQL ships is reachable.
    assert named == have, have - named
    for code, text, other in STEMS:
        cfg = lib.lang_tsconfig(code.encode()).decode()
        assert cfg != "simple", code
        rows = pg.query(
            "SELECT to_tsvector(%s::regconfig, %s) @@ "
            "plainto_tsquery(%s::regconfig, %s), "
            "to_tsvector('simple', %s) @@ plainto_tsquery('simple', %s)",
            (cfg, text, cfg, other, text, other))
        assert rows[0] == (True, False), (code, cfg, text, other)


def test_timefmt_reads_postgres(pg, lib):
    """PostgreSQL's own text for many instants, in UTC and in zones whose
    offsets have minutes or seconds, parses to its epoch microseconds."""
    rnd = random.Random(16)
    lo, hi = -62135596800 * 10**6, 253402300799999999
    samples = [lo, hi, 0, -1, 1, 951825600000000, 1796283610554979]
    samples += [rnd.randrange(lo, hi) for _ in range(3000)]
    samples += [rnd.randrange(-2208988800 * 10**6, 4102444800 * 10**6)
                for _ in range(3000)]
    conn = pg.connect()
    try:
        with conn.cursor() as cur:
            for tz in ("UTC", "Asia/Kolkata", "America/St_Johns",
                       "Europe/Paris", "Pacific/Chatham", "America/Lima"):
                cur.execute("SET TIME ZONE %s", (tz,))
                # Whole seconds and microseconds apart: interval times a
                # number goes through float8, exact below 2^53 only.
                cur.execute(
                    "SELECT u, (timestamptz 'epoch' + (u / 1000000) * "
                    "interval '1 second' + (u %% 1000000) * interval "
                    "'1 microsecond')::text FROM unnest(%s::bigint[]) u",
                    (samples,))
                for u, text in cur.fetchall():
                    v = ctypes.c_int64(42)
                    if text.endswith(" BC") or not text[:4].isdigit() or \
                            len(text.split("-")[0]) != 4:
                        # Outside 0001-9999 in this zone: refused.
                        assert lib.timefmt_parse_pg(text.encode(),
                                                    ctypes.byref(v)) == -1
                        continue
                    rc = lib.timefmt_parse_pg(text.encode(), ctypes.byref(v))
                    assert rc == 0 and v.value == u, (tz, text, u, v.value)
            # And PostgreSQL reads what timefmt writes.
            cur.execute("SET TIME ZONE 'UTC'")
            buf = ctypes.create_string_buffer(28)
            out = []
            for u in samples[:2000]:
                assert lib.timefmt_rfc3339(buf, u, 1) == 27
                out.append(buf.value.decode())
            cur.execute(
                "SELECT ((extract(epoch FROM t::timestamptz) * 1000000)"
                ")::bigint FROM unnest(%s::text[]) t", (out,))
            assert [r[0] for r in cur.fetchall()] == samples[:2000]
    finally:
        conn.close()
