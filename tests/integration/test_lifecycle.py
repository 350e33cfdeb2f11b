"""An account's life without e-mail: recovery codes, the export of
everything a person wrote (a real tar archive, read with Python's
tarfile), and the deletion of the account, on real kblog processes with
the local store.

- Recovery codes: made after the password, shown once (page, text file,
  API), stored hashed; one resets the password once and ends every
  session and token; wrong codes and unknown usernames answer alike and
  are throttled per username and per client address.
- Export: export.json (posts in Markdown, comments, likes, image list)
  and the images' bytes; rate-limited.
- Deletion: with the password; posts, comments, likes, images (rows and
  files), sessions and tokens go, counters stay exact, replies by others
  stay under the deleted account; twice at once, or during an export,
  leaves nothing half-done.
"""

import concurrent.futures
import io
import json
import os
import re
import tarfile
from pathlib import Path

import requests

from client import Browser, unique_name
from test_api import Api, err, new_user
from test_uploads import png, request_upload, browser_put

PW = "long enough pw"
NEW_PW = "an even longer password"


def new_codes(api, password=PW):
    r = api.call("POST", "/me/recovery-codes", {"password": password})
    assert r.status_code == 201, r.text
    codes = r.json()["codes"]
    assert len(codes) == 10
    return codes


def upload(api, width=2):
    data = png(width)
    up = request_upload(api, data)
    assert browser_put(up, data).status_code == 200
    r = api.call("POST", f"/uploads/{up['id']}/complete")
    assert r.status_code == 200, r.text
    return r.json(), data


def user_id(pg, name):
    return pg.query("SELECT id FROM users WHERE username = %s", (name,))[0][0]


# ------------------------------------------------------- recovery codes

def test_recovery_codes_reset_the_password_once(base, pg):
    name, api, tok = new_user(base, PW)
    err(api.call("POST", "/me/recovery-codes", {"password": "wrong one!"}),
        403, "wrong_password")
    codes = new_codes(api)
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4})"
                            r"{3}", c) for c in codes)
    assert len(set(codes)) == 10
    # Stored hashed (never the code itself).
    rows = pg.query("SELECT encode(code_hash, 'hex') FROM recovery_codes "
                    "WHERE user_id = %s", (user_id(pg, name),))
    assert len(rows) == 10
    assert not any(c.replace("-", "").lower() in r[0] for c in codes
                   for r in rows)
    assert api.call("GET", "/me/account").json()["recovery_codes_left"] \
        == 10
    b = Browser(base)
    b.login(name, PW)
    anon = Api(base)
    # Typed the way people type it: lower case, spaces, O for 0.
    typed = codes[3].lower().replace("-", " ").replace("0", "o")
    r = anon.call("POST", "/password-resets/recovery", {
        "username": name.upper(), "recovery_code": typed,
        "new_password": NEW_PW})
    assert r.status_code == 204, r.text
    # Every session and token of the account ends.
    assert "Logged in as" not in b.get("/").text
    err(api.call("GET", "/me"), 401, "invalid_token")
    assert Browser(base).login(name, NEW_PW).status_code == 303
    # That code is used up; the others still work.
    err(anon.call("POST", "/password-resets/recovery", {
        "username": name, "recovery_code": codes[3],
        "new_password": PW}), 401, "invalid_recovery_code")
    assert pg.query("SELECT count(*) FROM recovery_codes WHERE user_id = "
                    "%s", (user_id(pg, name),)) == [(9,)]
    # A new set replaces the old one.
    r = Api(base).call("POST", "/tokens", {"username": name,
                                           "password": NEW_PW})
    api2 = Api(base, r.json()["token"])
    fresh = new_codes(api2, NEW_PW)
    err(anon.call("POST", "/password-resets/recovery", {
        "username": name, "recovery_code": codes[4],
        "new_password": PW}), 401, "invalid_recovery_code")
    assert anon.call("POST", "/password-resets/recovery", {
        "username": name, "recovery_code": fresh[0],
        "new_password": PW}).status_code == 204


def test_wrong_codes_and_unknown_users_answer_alike(base):
    name, api, _ = new_user(base, PW)
    codes = new_codes(api)
    anon = Api(base)
    a = anon.call("POST", "/password-resets/recovery", {
        "username": name, "recovery_code": "AAAA-BBBB-CCCC-DDDD",
        "new_password": NEW_PW})
    b = anon.call("POST", "/password-resets/recovery", {
        "username": unique_name("nobody"), "recovery_code": codes[0],
        "new_password": NEW_PW})
    assert (a.status_code, a.text) == (b.status_code, b.text)
    err(a, 401, "invalid_recovery_code")
    err(anon.call("POST", "/password-resets/recovery", {
        "username": name, "recovery_code": "not a code",
        "new_password": NEW_PW}), 422, "validation_failed")
    # The code of another account does not work on this one.
    other, oapi, _ = new_user(base, PW)
    ocodes = new_codes(oapi)
    err(anon.call("POST", "/password-resets/recovery", {
        "username": name, "recovery_code": ocodes[0],
        "new_password": NEW_PW}), 401, "invalid_recovery_code")


def test_recovery_attempts_are_throttled(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={"RECOVERY_PER_HOUR": "3",
                                         "TRUST_PROXY": "1"})
    name, api, _ = new_user(k.url, PW)
    codes = new_codes(api)
    ghost = unique_name("ghost")
    for who in (name, ghost):
        rs = [Api(k.url).call("POST", "/password-resets/recovery", {
            "username": who, "recovery_code": "AAAA-BBBB-CCCC-DDDD",
            "new_password": NEW_PW}) for _ in range(4)]
        assert [r.status_code for r in rs] == [401, 401, 401, 429], who
        assert int(rs[3].headers["retry-after"]) > 600
    # Even the right code waits: the lane is the username's.
    err(Api(k.url).call("POST", "/password-resets/recovery", {
        "username": name, "recovery_code": codes[0],
        "new_password": NEW_PW}), 429, "too_many_requests")
    # One client address: 10 times the limit over all usernames.
    one = Api(k.url)
    codes_seen = [one.call("POST", "/password-resets/recovery", {
        "username": unique_name("spray"), "recovery_code":
        "AAAA-BBBB-CCCC-DDDD", "new_password": NEW_PW}).status_code
        for _ in range(32)]
    assert codes_seen.count(401) == 30 and codes_seen[-1] == 429


def test_recovery_code_pages(base, pg):
    b = Browser(base)
    name, r = b.register()
    assert r.headers["location"] == "/settings/account?welcome=1"
    page = b.get("/settings/account?welcome=1").text
    assert "download recovery codes now" in page
    assert "0 codes left" in page
    r = b.post("/settings/recovery-codes", {"password": "wrong password!",
                                            "as": "page"})
    assert r.status_code == 403 and "password is wrong" in r.text
    r = b.post("/settings/recovery-codes", {"password": "correct horse 1",
                                            "as": "txt"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert "attachment" in r.headers["content-disposition"]
    codes = re.findall(r"^([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})"
                       r"\r$", r.text, re.M)
    assert len(codes) == 10
    r = b.post("/settings/recovery-codes", {"password": "correct horse 1",
                                            "as": "page"})
    shown = re.findall(r"<code>([0-9A-Z-]{19})</code>", r.text)
    assert len(shown) == 10 and not set(shown) & set(codes)
    # The reset page's form.
    anon = Browser(base)
    anon.get("/reset")
    r = anon.post("/reset/recovery", {"username": name,
                                      "recovery_code": codes[0],
                                      "new_password": NEW_PW})
    assert r.status_code == 401 and "Wrong username or recovery code" \
        in r.text
    r = anon.post("/reset/recovery", {"username": name,
                                      "recovery_code": shown[0],
                                      "new_password": NEW_PW})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert Browser(base).login(name, NEW_PW).status_code == 303


# --------------------------------------------------------------- export

def read_export(content):
    tar = tarfile.open(fileobj=io.BytesIO(content), mode="r:")
    files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    assert all(m.isfile() and m.mode == 0o644 for m in tar.getmembers())
    return files


def test_export_holds_everything_i_wrote(base, pg):
    name, api, _ = new_user(base, PW)
    _, other, _ = new_user(base, PW)
    r = api.call("POST", "/posts", {"title": "Mine", "body_markdown":
                                    "# Hello\n\n*Markdown* stays",
                                    "tags": ["a", "b"],
                                    "metadata": {"k": [1, 2]}})
    mine = r.json()["id"]
    r = api.call("POST", "/posts", {"title": "Draft", "body_markdown": "d",
                                    "published": False})
    draft = r.json()["id"]
    theirs = other.call("POST", "/posts", {"title": "Theirs",
                                           "body_markdown": "t"}).json()["id"]
    c = api.call("POST", f"/posts/{theirs}/comments",
                 {"body": "my comment"}).json()["id"]
    assert api.call("PUT", f"/posts/{theirs}/like").status_code == 200
    img1, data1 = upload(api, 3)
    img2, data2 = upload(api, 5)
    r = api.call("GET", "/me/export")
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/x-tar"
    assert r.headers["content-disposition"] == \
        f'attachment; filename="kblog-export-{name}.tar"'
    files = read_export(r.content)
    top = f"kblog-export-{name}"
    doc = json.loads(files[f"{top}/export.json"])
    assert doc["format"] == "kblog-export-1"
    assert doc["account"]["username"] == name
    posts = {p["id"]: p for p in doc["posts"]}
    assert set(posts) == {mine, draft}
    assert posts[mine]["body_markdown"] == "# Hello\n\n*Markdown* stays"
    assert posts[mine]["tags"] == ["a", "b"]
    assert posts[mine]["metadata"] == {"k": [1, 2]}
    assert posts[draft]["published"] is False
    assert [(x["id"], x["post_id"], x["body"]) for x in doc["comments"]] \
        == [(c, theirs, "my comment")]
    assert [x["post_id"] for x in doc["likes"]] == [theirs]
    images = {i["id"]: i for i in doc["images"]}
    assert set(images) == {img1["id"], img2["id"]}
    # The images as the site serves them (processed, metadata gone).
    for img in (img1, img2):
        served = requests.get(base + img["url"])
        assert served.status_code == 200
        assert files[f"{top}/" + images[img["id"]]["file"]] == served.content
    assert images[img1["id"]]["byte_size"] == len(data1)
    assert len(files) == 3
    # Nothing of it is left on the server's disk.
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    assert not [p for p in tmp.glob("kblog-export-*")
                if p.stat().st_uid == os.getuid() and
                p.stat().st_size == len(r.content)]
    # The page's button gives the same archive.
    b = Browser(base)
    b.login(name, PW)
    b.get("/settings/account")
    r = b.post("/settings/export")
    assert r.status_code == 200
    assert set(read_export(r.content)) == set(files)


def test_export_is_rate_limited(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={"EXPORTS_PER_HOUR": "1",
                                         "TRUST_PROXY": "1"})
    _, api, _ = new_user(k.url, PW)
    assert api.call("GET", "/me/export").status_code == 200
    r = api.call("GET", "/me/export")
    err(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) > 1000
    err(Api(k.url).call("GET", "/me/export"), 401, "unauthorized")


# ------------------------------------------------------------- deletion

def test_deletion_removes_everything_but_replies(base, pg, server):
    name, api, tok = new_user(base, PW)
    oname, other, _ = new_user(base, PW)
    uid = user_id(pg, name)
    lonely = api.call("POST", "/posts", {"title": "Lonely",
                                         "body_markdown": "x"}).json()["id"]
    replied = api.call("POST", "/posts", {"title": "Replied",
                                          "body_markdown": "y"}).json()["id"]
    theirs = other.call("POST", "/posts", {"title": "Theirs",
                                           "body_markdown": "z"}).json()["id"]
    reply = other.call("POST", f"/posts/{replied}/comments",
                       {"body": "a reply by someone else"}).json()["id"]
    api.call("POST", f"/posts/{replied}/comments", {"body": "my own"})
    api.call("POST", f"/posts/{theirs}/comments", {"body": "mine there"})
    other.call("POST", f"/posts/{theirs}/comments", {"body": "theirs"})
    api.call("PUT", f"/posts/{theirs}/like")
    other.call("PUT", f"/posts/{replied}/like")
    img, _ = upload(api)
    files = [Path(server.env["UPLOAD_DIR"]) / k for k in pg.query(
        "SELECT key FROM images WHERE owner_id = %s", (uid,))[0]]
    assert all(f.exists() for f in files)
    codes = new_codes(api)
    b = Browser(base)
    b.login(name, PW)
    err(api.call("POST", "/me/deletion", {"password": "not it at all"}),
        403, "wrong_password")
    err(api.call("POST", "/me/deletion", {}), 422, "validation_failed")
    r = api.call("POST", "/me/deletion", {"password": PW})
    assert r.status_code == 204, r.text
    # The account and what it wrote are gone.
    assert pg.query("SELECT count(*) FROM users WHERE id = %s", (uid,)) == \
        [(0,)]
    for table, col in (("posts", "author_id"), ("comments", "author_id"),
                       ("likes", "user_id"), ("images", "owner_id"),
                       ("sessions", "user_id"), ("api_tokens", "user_id"),
                       ("recovery_codes", "user_id"),
                       ("login_devices", "user_id"),
                       ("mail_queue", "user_id"), ("reports", "reporter_id")):
        assert pg.query(f"SELECT count(*) FROM {table} WHERE {col} = %s",
                        (uid,)) == [(0,)], table
    assert not any(f.exists() for f in files)
    err(Api(base).call("GET", f"/posts/{lonely}"), 404, "not_found")
    err(api.call("GET", "/me"), 401, "invalid_token")
    assert "Logged in as" not in b.get("/").text
    # The reply stays, under a post of the deleted account with nothing
    # of the person left in it.
    post = Api(base).call("GET", f"/posts/{replied}").json()
    assert post["title"] == "(deleted)" and post["body_markdown"] == ""
    assert post["author"]["display_name"] == "Deleted account"
    assert post["comments_closed"] is True
    comments = Api(base).call("GET", f"/posts/{replied}/comments"
                              ).json()["items"]
    assert [c["id"] for c in comments] == [reply]
    # Counters stay exact everywhere the account had been.
    assert pg.query("""
        SELECT count(*) FROM posts p
        WHERE p.id IN (%s, %s) AND (
            like_count <> (SELECT count(*) FROM likes WHERE post_id = p.id)
         OR comment_count <> (SELECT count(*) FROM comments
                              WHERE post_id = p.id AND hidden_at IS NULL))
        """, (replied, theirs)) == [(0,)]
    assert Api(base).call("GET", f"/posts/{theirs}").json()[
        "comment_count"] == 1
    # The name is free again; the codes are gone with the account.
    assert Api(base).call("POST", "/password-resets/recovery", {
        "username": name, "recovery_code": codes[0],
        "new_password": NEW_PW}).status_code == 401
    assert Browser(base).login(name, PW).status_code == 401


def test_deletion_page(base, pg):
    b = Browser(base)
    name, _ = b.register()
    page = b.get("/settings/account").text
    assert 'action="/settings/delete"' in page and "confirm" in page
    r = b.post("/settings/delete", {"password": "wrong password!"})
    assert r.status_code == 403 and "password is wrong" in r.text
    r = b.post("/settings/delete", {"password": "correct horse 1"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "kb_session=;" in r.headers["set-cookie"]
    assert pg.query("SELECT count(*) FROM users WHERE username = %s",
                    (name,)) == [(0,)]


def test_deleting_twice_at_once(base, pg):
    for _ in range(3):
        name, api, tok = new_user(base, PW)
        api.call("POST", "/posts", {"title": "p", "body_markdown": "x"})
        other = Api(base, tok["token"])
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            rs = list(ex.map(lambda a: a.call("POST", "/me/deletion",
                                              {"password": PW}),
                             (api, other)))
        codes = sorted(r.status_code for r in rs)
        # One deletes; the other finds the token gone, or the account.
        assert codes[0] == 204 and codes[1] in (401, 410), codes
        assert pg.query("SELECT count(*) FROM users WHERE username = %s",
                        (name,)) == [(0,)]
        assert pg.query("SELECT count(*) FROM posts p WHERE NOT EXISTS "
                        "(SELECT 1 FROM users u WHERE u.id = p.author_id)"
                        ) == [(0,)]


def test_export_during_deletion_is_all_or_nothing(pg, kblog_factory,
                                                  tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    k = kblog_factory(pg.url, extra_env={"TMPDIR": str(tmp),
                                         "TRUST_PROXY": "1"})
    upload_dir = Path(k.env["UPLOAD_DIR"])
    outcomes = set()
    for round_ in range(6):
        name, api, tok = new_user(k.url, PW)
        uid = user_id(pg, name)
        # Many images make the export take a while.
        data = png(7)
        pg.query("INSERT INTO images (owner_id, key, filename, "
                 "content_type, byte_size, state) SELECT %s, "
                 "'i/' || %s || '/' || lpad(g::text, 43, 'x') || '.png', "
                 "'f.png', 'image/png', %s, 'ready' FROM "
                 "generate_series(1, 40) g", (uid, uid, len(data)))
        d = upload_dir / "i" / str(uid)
        d.mkdir(parents=True, exist_ok=True)
        for g in range(1, 41):
            (d / (str(g).rjust(43, "x") + ".png")).write_bytes(data)
        api.call("POST", "/posts", {"title": "p", "body_markdown": "x"})
        deleter = Api(k.url, tok["token"])

        def export():
            return requests.get(k.url + "/api/v1/me/export", headers={
                "Authorization": "Bearer " + tok["token"]}, timeout=60)

        def delete():
            return deleter.call("POST", "/me/deletion", {"password": PW})

        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            # Either one asked first, by turns.
            if round_ % 2:
                fd = ex.submit(delete)
                fe = ex.submit(export)
            else:
                fe = ex.submit(export)
                fd = ex.submit(delete)
            e, dl = fe.result(), fd.result()
        outcomes.add((e.status_code, dl.status_code))
        if e.status_code == 200:
            # A whole archive: every image listed is in it.
            files = read_export(e.content)
            doc = json.loads(files[f"kblog-export-{name}/export.json"])
            assert len(doc["images"]) == 40 and len(files) == 41
        else:
            assert e.status_code in (401, 409, 410), e.text
        if dl.status_code == 204:
            assert pg.query("SELECT count(*) FROM users WHERE id = %s",
                            (uid,)) == [(0,)]
            assert pg.query("SELECT count(*) FROM images WHERE "
                            "owner_id = %s", (uid,)) == [(0,)]
            assert not any(d.iterdir())
        else:
            # Refused while the export held the account: all there.
            err(dl, 409, "export_in_progress")
            assert pg.query("SELECT count(*) FROM images WHERE "
                            "owner_id = %s", (uid,)) == [(40,)]
            assert deleter.call("POST", "/me/deletion", {"password": PW}
                                ).status_code == 204
        # No archive is left behind.
        assert list(tmp.iterdir()) == []
    assert outcomes <= {(200, 204), (401, 204), (410, 204), (409, 204),
                        (200, 409)}, outcomes


def test_a_held_account_is_neither_deleted_nor_exported_by_halves(
        base, pg):
    """What each side does when the other holds the account longer than
    it waits (5 seconds): a deletion behind a long export is refused and
    does nothing; an export behind a deletion in progress is refused and
    hands out nothing."""
    name, api, _ = new_user(base, PW)
    uid = user_id(pg, name)
    api.call("POST", "/posts", {"title": "kept", "body_markdown": "x"})
    conn = pg.connect()
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            # What an export holds while it reads.
            cur.execute("SELECT 1 FROM users WHERE id = %s FOR KEY SHARE",
                        (uid,))
            err(api.call("POST", "/me/deletion", {"password": PW}), 409,
                "export_in_progress")
        conn.rollback()
        assert pg.query("SELECT count(*) FROM posts WHERE author_id = %s",
                        (uid,)) == [(1,)]
        with conn.cursor() as cur:
            # What a deletion holds while it deletes.
            cur.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE",
                        (uid,))
            err(api.call("GET", "/me/export"), 409, "export_conflict")
        conn.rollback()
    finally:
        conn.close()
    assert api.call("GET", "/me/export").status_code == 200
    assert api.call("POST", "/me/deletion", {"password": PW}
                    ).status_code == 204
