"""Running a community: roles, moderation, reports, the moderation log,
registration modes and invitations, on real kblog processes.

- Roles: ADMIN_USERS names admins among the accounts that exist at
  start-up (registering a listed name later gives nothing), scripts/admin
  grants and revokes, admins name moderators; nobody is an admin for
  being first.
- Moderation: hide, show, delete posts and comments, close comments,
  suspend (sessions and bearer tokens stop at once, login refused after
  the right password only), with the rank rule (a moderator cannot act on
  an admin or a moderator) and exact counters.
- Reports: rate-limited per account, no duplicates, the queue, acting on
  it; the log: admins see all, authors see what was done to their content
  and why, never who.
- Registration modes switched at run time, invitations single-use,
  expiring, and refused when altered; two instances agree at once.
- A suspension stops a user's sessions and tokens on two instances
  within a second.
"""

import concurrent.futures
import os
import subprocess
import time

import requests

from client import Browser, unique_name
from harness import REPO
from test_api import Api, err, new_user

PW = "long enough pw"


def admin_cmd(pg_url, *args):
    env = dict(os.environ, DATABASE_URL=pg_url)
    return subprocess.run([str(REPO / "scripts" / "admin"), *args], env=env,
                          capture_output=True, text=True, timeout=60)


def grant(pg, name, role="admin"):
    r = admin_cmd(pg.url, "grant", name, role)
    assert r.returncode == 0, r.stderr
    return r


def staff(base, pg, role):
    name, api, tok = new_user(base, PW)
    grant(pg, name, role)
    return name, api


def post_of(api, title="A post", body="Body text"):
    r = api.call("POST", "/posts", {"title": title, "body_markdown": body})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def comment_on(api, post_id, body="A comment"):
    r = api.call("POST", f"/posts/{post_id}/comments", {"body": body})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def act(api, action, reason="for the test", **target):
    return api.call("POST", "/mod/actions", dict(action=action,
                                                 reason=reason, **target))


def counts(pg, post_id):
    return pg.query("SELECT comment_count, (SELECT count(*) FROM comments "
                    "WHERE post_id = p.id AND hidden_at IS NULL) FROM posts p "
                    "WHERE id = %s", (post_id,))[0]


# ---------------------------------------------------------------- roles

def test_admin_users_names_existing_accounts_only(pg, kblog_factory):
    url = pg.create_database("roles_" + unique_name())
    first = unique_name("first")
    listed = unique_name("boss")
    k = kblog_factory(url, extra_env={"ADMIN_USERS": listed.upper() +
                                      ", nobody_here"})
    # Being first gives nothing.
    Browser(k.url).register(first)
    # A listed name registered after start-up is no admin either.
    b = Browser(k.url)
    b.register(listed)
    assert b.get("/admin").status_code == 403
    assert "/mod" not in b.get("/").text
    assert pg.query("SELECT role FROM users WHERE username IN (%s, %s) "
                    "ORDER BY username", (first, listed),
                    dbname=url.rsplit("/", 1)[1]) == [("user",), ("user",)]
    k.stop()
    # At the next start, the listed account that exists becomes an admin;
    # the name without an account is logged, not reserved.
    k2 = kblog_factory(url, extra_env={"ADMIN_USERS": listed.upper() +
                                       ", nobody_here"})
    b = Browser(k2.url)
    b.login(listed)
    r = b.get("/admin")
    assert r.status_code == 200 and "Administration" in r.text
    assert "/mod" in b.get("/").text
    out = k2.output()
    assert f"ADMIN_USERS: {listed} is now an admin" in out
    assert "ADMIN_USERS: no account nobody_here yet" in out
    log = pg.query("SELECT action, reason FROM mod_log WHERE summary = %s",
                   (listed,), dbname=url.rsplit("/", 1)[1])
    assert log == [("set_role_admin", "ADMIN_USERS")]


def test_admin_users_malformed_stops_start_up(pg, workdir):
    from harness import Kblog
    k = Kblog(pg.url, workdir, extra_env={"ADMIN_USERS": "ok_name,,x"},
              wait=False)
    assert k.wait_exit(30) == 1
    assert "ADMIN_USERS must be usernames" in k.output()


def test_scripts_admin_grant_revoke_list(base, pg):
    name, _, _ = new_user(base, PW)
    r = admin_cmd(pg.url, "grant", name.upper(), "moderator")
    assert r.returncode == 0 and r.stdout.strip() == \
        f"{name}: user -> moderator", r
    r = admin_cmd(pg.url, "grant", name, "moderator")
    assert r.stdout.strip() == f"{name} is already moderator"
    assert f"moderator {name}" in admin_cmd(pg.url, "list").stdout
    r = admin_cmd(pg.url, "revoke", name)
    assert r.stdout.strip() == f"{name}: moderator -> user"
    r = admin_cmd(pg.url, "grant", unique_name("ghost"))
    assert r.returncode == 1 and "no account named" in r.stderr
    r = admin_cmd(pg.url, "grant", "x'; DROP TABLE users; --")
    assert r.returncode == 2 and "not a username" in r.stderr
    r = admin_cmd(pg.url, "grant", name, "emperor")
    assert r.returncode == 2
    assert pg.query("SELECT role FROM users WHERE username = %s",
                    (name,)) == [("user",)]
    assert pg.query("SELECT count(*) FROM mod_log WHERE summary = %s AND "
                    "reason = 'scripts/admin'", (name,)) == [(2,)]


def test_roles_guard_every_staff_page_and_endpoint(base, pg):
    name, api, _ = new_user(base, PW)
    b = Browser(base)
    b.login(name, PW)
    for path in ("/mod", "/mod/act?post=1", "/mod/log", "/mod/invitations",
                 "/admin"):
        assert b.get(path).status_code == 403, path
    for method, path in (("GET", "/mod/reports"), ("GET", "/mod/log"),
                         ("GET", "/mod/invitations"),
                         ("POST", "/mod/invitations"),
                         ("PUT", "/admin/registration"),
                         ("PUT", "/admin/roles")):
        r = api.call(method, path, {} if method != "GET" else None)
        err(r, 403, "forbidden")
    err(act(api, "hide_post", post_id=1), 403, "forbidden")
    # Anonymous: the login page, or 401.
    r = requests.get(base + "/mod", allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/login")
    err(Api(base).call("GET", "/mod/reports"), 401, "unauthorized")
    # A moderator: the queue yes, the log and administration no.
    mod, mapi = staff(base, pg, "moderator")
    assert mapi.call("GET", "/mod/reports").status_code == 200
    err(mapi.call("GET", "/mod/log"), 403, "forbidden")
    err(mapi.call("PUT", "/admin/registration", {"mode": "closed"}), 403,
        "forbidden")


def test_admins_name_moderators_not_admins(base, pg):
    adm, aapi = staff(base, pg, "admin")
    name, api, _ = new_user(base, PW)
    r = aapi.call("PUT", "/admin/roles", {"username": name,
                                          "role": "moderator"})
    assert r.status_code == 200, r.text
    assert api.call("GET", "/mod/reports").status_code == 200
    err(aapi.call("PUT", "/admin/roles", {"username": name,
                                          "role": "moderator"}),
        409, "unchanged")
    err(aapi.call("PUT", "/admin/roles", {"username": name, "role": "admin"}),
        422, "validation_failed")
    other, _ = staff(base, pg, "admin")
    err(aapi.call("PUT", "/admin/roles", {"username": other, "role": "user"}),
        403, "outranked")
    err(aapi.call("PUT", "/admin/roles", {"username": adm, "role": "user"}),
        403, "own_content")
    err(aapi.call("PUT", "/admin/roles", {"username": unique_name(),
                                          "role": "user"}),
        404, "not_found")
    assert aapi.call("PUT", "/admin/roles", {"username": name,
                                             "role": "user"}
                     ).status_code == 200
    err(api.call("GET", "/mod/reports"), 403, "forbidden")
    # The form does the same.
    b = Browser(base)
    b.login(adm, PW)
    r = b.post("/admin/role", {"username": name, "role": "moderator"})
    assert r.status_code == 303 and r.headers["location"] == \
        "/admin?saved=1"
    r = b.post("/admin/role", {"username": other, "role": "user"})
    assert r.status_code == 403 and "nobody acts on an admin" in r.text
    assert pg.query("SELECT role FROM users WHERE username = %s",
                    (name,)) == [("moderator",)]


# ----------------------------------------------------------- moderation

def test_hide_show_and_delete_a_post(base, pg):
    mod, mapi = staff(base, pg, "moderator")
    author, api, _ = new_user(base, PW)
    pid = post_of(api, "Spammy title", "Buy now")
    anon = Api(base)
    r = act(mapi, "hide_post", "Advertising is not allowed here.",
            post_id=pid)
    assert r.status_code == 200, r.text
    # Gone for everyone but its author, who sees why.
    err(anon.call("GET", f"/posts/{pid}"), 404, "not_found")
    assert requests.get(base + f"/posts/{pid}").status_code == 404
    assert pid not in [p["id"] for p in
                       anon.call("GET", "/posts?limit=100").json()["items"]]
    mine = api.call("GET", f"/posts/{pid}").json()
    assert mine["hidden"] is True and mine["published"] is False
    b = Browser(base)
    b.login(author, PW)
    page = b.get(f"/posts/{pid}").text
    assert "A moderator hid this post" in page
    # The author cannot publish it again while it is hidden...
    r = api.call("PATCH", f"/posts/{pid}", {"published": True,
                                             "title": "Edited"})
    assert r.status_code == 200 and r.json()["published"] is False
    err(anon.call("GET", f"/posts/{pid}"), 404, "not_found")
    # ...and sees what was done and why, but not by whom.
    mine = api.call("GET", "/me/moderation").json()["items"]
    assert mine[0]["action"] == "hide_post"
    assert mine[0]["reason"] == "Advertising is not allowed here."
    assert mine[0]["actor"] is None and mod not in str(mine)
    page = b.get("/settings/moderation").text
    assert "Hid the post" in page and "Advertising is not allowed" in page
    assert mod not in page
    # Shown again: published as its author last chose.
    err(act(mapi, "hide_post", post_id=pid), 409, "unchanged")
    assert act(mapi, "unhide_post", "Fine after the edit.",
               post_id=pid).status_code == 200
    got = anon.call("GET", f"/posts/{pid}").json()
    assert got["title"] == "Edited" and got["hidden"] is False
    # Deleted, with its comments; the log keeps what it was.
    _, other, _ = new_user(base, PW)
    comment_on(other, pid)
    assert act(mapi, "delete_post", "Off topic.", post_id=pid
               ).status_code == 200
    err(anon.call("GET", f"/posts/{pid}"), 404, "not_found")
    assert pg.query("SELECT count(*) FROM comments WHERE post_id = %s",
                    (pid,)) == [(0,)]
    assert pg.query("SELECT action, summary, reason FROM mod_log WHERE "
                    "target_type = 'post' AND target_id = %s ORDER BY id",
                    (pid,)) == [("hide_post", "Spammy title",
                                 "Advertising is not allowed here."),
                                ("unhide_post", "Edited",
                                 "Fine after the edit."),
                                ("delete_post", "Edited", "Off topic.")]
    err(act(mapi, "unhide_post", post_id=pid), 404, "not_found")


def test_hide_and_delete_comments_keep_counts_exact(base, pg):
    mod, mapi = staff(base, pg, "moderator")
    author, api, _ = new_user(base, PW)
    pid = post_of(api)
    cname, capi, _ = new_user(base, PW)
    c1 = comment_on(capi, pid, "rude words")
    c2 = comment_on(capi, pid, "fine words")
    comment_on(api, pid, "the author's own")
    assert counts(pg, pid) == (3, 3)
    assert act(mapi, "hide_comment", "Rude.", comment_id=c1
               ).status_code == 200
    assert counts(pg, pid) == (2, 2)
    listed = [c["id"] for c in
              Api(base).call("GET", f"/posts/{pid}/comments").json()["items"]]
    assert c1 not in listed and c2 in listed
    # Its author still sees it, marked.
    mine = capi.call("GET", f"/posts/{pid}/comments").json()["items"]
    assert [c["hidden"] for c in mine if c["id"] == c1] == [True]
    b = Browser(base)
    b.login(cname, PW)
    assert "Hidden by a moderator" in b.get(f"/posts/{pid}").text
    # Deleting the hidden comment does not count it twice.
    r = capi.call("DELETE", f"/comments/{c1}")
    assert r.status_code == 204
    assert counts(pg, pid) == (2, 2)
    assert act(mapi, "delete_comment", "Spam.", comment_id=c2
               ).status_code == 200
    assert counts(pg, pid) == (1, 1)
    # Post authors still delete comments on their posts (and only those).
    c3 = comment_on(capi, pid, "another")
    assert api.call("DELETE", f"/comments/{c3}").status_code == 204
    assert counts(pg, pid) == (1, 1)


def test_close_comments(base, pg):
    mod, mapi = staff(base, pg, "moderator")
    author, api, _ = new_user(base, PW)
    pid = post_of(api)
    _, other, _ = new_user(base, PW)
    comment_on(other, pid)
    assert act(mapi, "close_comments", "Flame war.", post_id=pid
               ).status_code == 200
    err(other.call("POST", f"/posts/{pid}/comments", {"body": "more"}),
        403, "comments_closed")
    err(api.call("POST", f"/posts/{pid}/comments", {"body": "mine"}),
        403, "comments_closed")
    assert Api(base).call("GET", f"/posts/{pid}").json()["comments_closed"]
    b = Browser(base)
    name, _ = b.register()
    page = b.get(f"/posts/{pid}").text
    assert "Comments are closed." in page and "comment-form" not in page
    r = b.post(f"/posts/{pid}/comments", {"body": "form"})
    assert r.status_code == 403 and "are closed" in r.text
    assert counts(pg, pid) == (1, 1)
    assert act(mapi, "open_comments", "Calm again.", post_id=pid
               ).status_code == 200
    assert other.call("POST", f"/posts/{pid}/comments", {"body": "ok"}
                      ).status_code == 201


def test_rank_rule_and_own_content(base, pg):
    mod, mapi = staff(base, pg, "moderator")
    mod2, m2api = staff(base, pg, "moderator")
    adm, aapi = staff(base, pg, "admin")
    apid = post_of(aapi, "An admin's post")
    m2pid = post_of(m2api, "A moderator's post")
    own = post_of(mapi, "Mine")
    # A moderator acts on nobody of their rank or above, nor on their own.
    err(act(mapi, "hide_post", post_id=apid), 403, "outranked")
    err(act(mapi, "suspend_user", username=adm), 403, "outranked")
    err(act(mapi, "hide_post", post_id=m2pid), 403, "outranked")
    err(act(mapi, "suspend_user", username=mod2), 403, "outranked")
    err(act(mapi, "hide_post", post_id=own), 403, "own_content")
    err(act(mapi, "suspend_user", username=mod), 403, "own_content")
    # An admin acts on moderators, never on another admin.
    assert act(aapi, "hide_post", post_id=m2pid).status_code == 200
    adm2, _ = staff(base, pg, "admin")
    err(act(aapi, "suspend_user", username=adm2), 403, "outranked")
    assert pg.query("SELECT hidden_at IS NULL FROM posts WHERE id = %s",
                    (apid,)) == [(True,)]
    # The form answers the same, with the reason kept.
    b = Browser(base)
    b.login(mod, PW)
    r = b.post("/mod/act", {"action": "hide_post", "post_id": str(apid),
                            "reason": "kept reason"})
    assert r.status_code == 403 and "nobody acts on an admin" in r.text
    assert "kept reason" in r.text
    # Bad input: stable codes.
    err(act(mapi, "explode_post", post_id=apid), 422, "validation_failed")
    err(act(mapi, "hide_post", reason="", post_id=apid), 422,
        "validation_failed")
    err(act(mapi, "hide_post", comment_id=apid), 422, "validation_failed")
    err(act(mapi, "suspend_user", username=unique_name(), days=0), 422,
        "validation_failed")
    err(mapi.call("POST", "/mod/actions", {"action": "hide_post",
                                           "post_id": "1", "reason": "x"}),
        400, "invalid_type")
    err(act(mapi, "hide_post", post_id=987654321), 404, "not_found")


def test_moderator_sees_no_drafts(base, pg):
    mod, mapi = staff(base, pg, "moderator")
    _, api, _ = new_user(base, PW)
    r = api.call("POST", "/posts", {"title": "Draft", "body_markdown": "x",
                                    "published": False})
    draft = r.json()["id"]
    err(act(mapi, "hide_post", post_id=draft), 404, "not_found")
    b = Browser(base)
    b.login(mod, PW)
    assert b.get(f"/mod/act?post={draft}").status_code == 404


def test_suspension_stops_sessions_tokens_and_login(base, pg):
    mod, mapi = staff(base, pg, "moderator")
    name, api, _ = new_user(base, PW)
    b = Browser(base)
    b.login(name, PW)
    assert "Logged in as" in b.get("/").text
    r = act(mapi, "suspend_user", "Harassment.", username=name, days=3,
            hide_content=False)
    assert r.status_code == 200, r.text
    # At once: the browser is logged out, the token refused.
    assert "Logged in as" not in b.get("/").text
    err(api.call("GET", "/me"), 401, "invalid_token")
    assert pg.query("SELECT count(*) FROM sessions s JOIN users u ON "
                    "u.id = s.user_id WHERE u.username = %s", (name,)) == \
        [(0,)]
    # Login: the right password hears it is suspended; a wrong one hears
    # what anyone hears (no one learns of the suspension).
    b2 = Browser(base)
    r = b2.login(name, PW)
    assert r.status_code == 403 and "suspended until" in r.text
    r = b2.login(name, "wrong password 1")
    assert r.status_code == 401 and "suspended" not in r.text
    r = Api(base).call("POST", "/tokens", {"username": name, "password": PW})
    err(r, 403, "account_suspended")
    r = Api(base).call("POST", "/tokens", {"username": name,
                                           "password": "wrong password 1"})
    err(r, 401, "invalid_credentials")
    # The log says until when; the person sees it too.
    entry = pg.query("SELECT until > now() + interval '71 hours' FROM "
                     "mod_log WHERE action = 'suspend_user' AND summary = %s",
                     (name,))
    assert entry == [(True,)]
    # Lifted: the same token works again (it was never revoked).
    assert act(mapi, "unsuspend_user", "Apologised.", username=name
               ).status_code == 200
    assert api.call("GET", "/me").status_code == 200
    assert b2.login(name, PW).status_code == 303
    # For good, with their content hidden.
    pid = post_of(api)
    _, other, _ = new_user(base, PW)
    opid = post_of(other)
    comment_on(api, opid, "theirs")
    assert counts(pg, opid) == (1, 1)
    assert act(mapi, "suspend_user", "Spam bot.", username=name,
               hide_content=True).status_code == 200
    err(Api(base).call("GET", f"/posts/{pid}"), 404, "not_found")
    assert counts(pg, opid) == (0, 0)
    assert pg.query("SELECT suspended_until = 'infinity' FROM users WHERE "
                    "username = %s", (name,)) == [(True,)]
    r = Browser(base).login(name, PW)
    assert r.status_code == 403 and "This account is suspended." in r.text


def test_suspension_form_and_profile_link(base, pg):
    mod, _ = staff(base, pg, "moderator")
    name, api, _ = new_user(base, PW)
    b = Browser(base)
    b.login(mod, PW)
    assert f"/mod/act?user={name}" in b.get(f"/users/{name}").text
    page = b.get(f"/mod/act?user={name}").text
    assert "Suspend the account" in page
    r = b.post("/mod/act", {"action": "suspend_user", "username": name,
                            "days": "abc", "reason": "x"})
    assert r.status_code == 422 and "a whole number of days" in r.text
    r = b.post("/mod/act", {"action": "suspend_user", "username": name,
                            "days": "2", "reason": "Cool down."})
    assert r.status_code == 303 and r.headers["location"] == "/mod?done=1"
    err(api.call("GET", "/me"), 401, "invalid_token")


# -------------------------------------------------------------- reports

def test_reports_queue_and_acting_on_them(base, pg):
    mod, mapi = staff(base, pg, "moderator")
    author, api, _ = new_user(base, PW)
    pid = post_of(api, "Reported post")
    cid = comment_on(api, pid, "Reported comment")
    r1, rapi1, _ = new_user(base, PW)
    r2, rapi2, _ = new_user(base, PW)
    r = rapi1.call("POST", "/reports", {"post_id": pid, "reason": "Spam!"})
    assert r.status_code == 201, r.text
    # Twice: still one open report of that reader.
    assert rapi1.call("POST", "/reports", {"post_id": pid,
                                           "reason": "Spam!!"}
                      ).status_code == 201
    assert rapi2.call("POST", "/reports", {"post_id": pid,
                                           "reason": "Scam."}
                      ).status_code == 201
    assert rapi2.call("POST", "/reports", {"comment_id": cid,
                                           "reason": "Rude."}
                      ).status_code == 201
    err(api.call("POST", "/reports", {"post_id": pid, "reason": "me"}),
        422, "own_content")
    err(rapi1.call("POST", "/reports", {"post_id": 987654321,
                                        "reason": "x"}), 404, "not_found")
    err(rapi1.call("POST", "/reports", {"post_id": pid, "comment_id": cid,
                                        "reason": "x"}),
        422, "validation_failed")
    err(rapi1.call("POST", "/reports", {"post_id": pid, "reason": ""}),
        422, "validation_failed")
    assert pg.query("SELECT count(*) FROM reports WHERE post_id = %s",
                    (pid,)) == [(2,)]
    # The queue, oldest first, through the API and the page.
    items = [i for i in mapi.call("GET", "/mod/reports?limit=100"
                                  ).json()["items"] if i["post_id"] == pid]
    assert [(i["reporter"], i["reason"], i["comment_id"]) for i in items] \
        == [(r1, "Spam!", None), (r2, "Scam.", None), (r2, "Rude.", cid)]
    assert items[0]["open_reports"] == 2 and items[0]["author"] == author
    b = Browser(base)
    b.login(mod, PW)
    page = b.get("/mod").text
    assert "Reported post" in page and "Spam!" in page
    # Hiding the post resolves its reports; the comment's stays open.
    assert act(mapi, "hide_post", "Reported.", post_id=pid
               ).status_code == 200
    open_ = pg.query("SELECT post_id, comment_id FROM reports WHERE "
                     "resolved_at IS NULL AND (post_id = %s OR comment_id "
                     "= %s)", (pid, cid))
    assert open_ == [(None, cid)]
    # Dismissed from the queue's form, with a reason.
    rid = pg.query("SELECT id FROM reports WHERE comment_id = %s", (cid,)
                   )[0][0]
    r = b.post("/mod/act", {"action": "dismiss_report",
                            "report_id": str(rid),
                            "reason": "Not rude."})
    assert r.status_code == 303
    assert pg.query("SELECT resolution FROM reports WHERE id = %s", (rid,)
                    ) == [("dismissed",)]
    err(act(mapi, "dismiss_report", report_id=rid), 404, "not_found")


def test_report_form(base, pg):
    author, api, _ = new_user(base, PW)
    pid = post_of(api, "A post to report")
    b = Browser(base)
    b.register()
    page = b.get(f"/posts/{pid}").text
    assert f"/report?post={pid}" in page
    page = b.get(f"/report?post={pid}").text
    assert "A post to report" in page
    r = b.post("/report", {"post_id": str(pid), "reason": ""})
    assert r.status_code == 422
    r = b.post("/report", {"post_id": str(pid), "reason": "It <is> spam"})
    assert r.status_code == 200 and "Thank you" in r.text
    assert pg.query("SELECT reason FROM reports WHERE post_id = %s", (pid,)
                    ) == [("It <is> spam",)]
    # No link to report one's own post.
    b2 = Browser(base)
    b2.login(author, PW)
    assert f"/report?post={pid}" not in b2.get(f"/posts/{pid}").text


def test_report_flood_is_throttled(pg, kblog_factory):
    k = kblog_factory(pg.url, extra_env={"REPORTS_PER_HOUR": "3",
                                         "TRUST_PROXY": "1"})
    _, api, _ = new_user(k.url, PW)
    pids = [post_of(api, f"p{i}") for i in range(8)]
    _, flooder, _ = new_user(k.url, PW)

    def report(pid):
        return flooder.call("POST", "/reports", {"post_id": pid,
                                                 "reason": "flood"})

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        rs = list(ex.map(report, pids))
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] * 3 + [429] * 5, codes
    for r in rs:
        if r.status_code == 429:
            err(r, 429, "rate_limited")
            assert int(r.headers["retry-after"]) >= 1
    # Someone else still reports.
    _, other, _ = new_user(k.url, PW)
    assert other.call("POST", "/reports", {"post_id": pids[0],
                                           "reason": "real"}
                      ).status_code == 201
    # The form keeps the text.
    b = Browser(k.url)
    b.login(_name_of(flooder), PW)
    fresh = post_of(api, "fresh")
    r = b.post("/report", {"post_id": str(fresh), "reason": "kept text"})
    assert r.status_code == 429 and "kept text" in r.text


def _name_of(api):
    return api.call("GET", "/me").json()["username"]


def test_admin_sees_the_whole_log(base, pg):
    adm, aapi = staff(base, pg, "admin")
    mod, mapi = staff(base, pg, "moderator")
    _, api, _ = new_user(base, PW)
    pid = post_of(api, "Logged")
    assert act(mapi, "close_comments", "Heated.", post_id=pid
               ).status_code == 200
    items = aapi.call("GET", "/mod/log?limit=50").json()["items"]
    mine = [i for i in items if i["target_id"] == pid]
    assert mine and mine[0]["actor"] == mod
    assert mine[0]["action"] == "close_comments"
    assert mine[0]["reason"] == "Heated."
    b = Browser(base)
    b.login(adm, PW)
    page = b.get("/mod/log").text
    assert "Closed the comments of the post" in page and mod in page


# ------------------------------------------- registration modes, invitations

def test_registration_modes_and_invitations(pg, kblog_factory):
    url = pg.create_database("modes_" + unique_name())
    db = url.rsplit("/", 1)[1]
    a = kblog_factory(url, extra_env={"TRUST_PROXY": "1"})
    b = kblog_factory(url, extra_env={"TRUST_PROXY": "1"})
    adm, aapi, _ = new_user(a.url, PW)
    grant(type("P", (), {"url": url})(), adm)
    assert Api(b.url).call("GET", "/registration").json() == \
        {"mode": "open"}
    # Closed on one instance: the other refuses at once.
    assert aapi.call("PUT", "/admin/registration", {"mode": "closed"}
                     ).status_code == 200
    assert Api(b.url).call("GET", "/registration").json() == \
        {"mode": "closed"}
    r = Api(b.url).call("POST", "/users", {"username": unique_name(),
                                           "password": PW})
    err(r, 403, "registration_closed")
    page = Browser(b.url).get("/register").text
    assert "Registration is closed" in page
    br = Browser(b.url)
    br.get("/register")
    r = br.post("/register", {"username": unique_name(), "password": PW})
    assert r.status_code == 403
    # By invitation: a link works once.
    assert aapi.call("PUT", "/admin/registration", {"mode": "invite"}
                     ).status_code == 200
    r = aapi.call("POST", "/mod/invitations", {"days": 2, "note": "for Ann"})
    assert r.status_code == 201, r.text
    inv = r.json()
    assert inv["state"] == "open" and inv["note"] == "for Ann"
    token = inv["url"].split("invite=")[1]
    assert inv["url"].startswith(a.url + "/register?invite=")
    assert pg.query("SELECT count(*) FROM invitations WHERE token_hash = "
                    "sha256(convert_to(%s, 'UTF8'))",
                    (token.split(".")[1],), dbname=db) == [(1,)]
    err(Api(b.url).call("POST", "/users", {"username": unique_name(),
                                           "password": PW}),
        403, "invitation_required")
    # An altered token: refused, and the invitation still works after.
    bad = token[:-1] + ("A" if token[-1] != "A" else "B")
    err(Api(b.url).call("POST", "/users", {"username": unique_name(),
                                           "password": PW,
                                           "invitation": bad}),
        403, "invitation_invalid")
    ann = unique_name("ann")
    br = Browser(b.url)
    page = br.get("/register?invite=" + token).text
    assert token in page
    r = br.post("/register", {"username": ann, "password": PW,
                              "invitation": token})
    assert r.status_code == 303, r.text
    err(Api(a.url).call("POST", "/users", {"username": unique_name(),
                                           "password": PW,
                                           "invitation": token}),
        403, "invitation_invalid")
    items = aapi.call("GET", "/mod/invitations").json()["items"]
    assert items[0]["state"] == "used" and items[0]["used_by"] == ann
    # Expired: refused; revoked: gone.
    r = aapi.call("POST", "/mod/invitations", {})
    old = r.json()
    pg.query("UPDATE invitations SET expires_at = now() - interval '1 s' "
             "WHERE id = %s", (old["id"],), dbname=db)
    err(Api(a.url).call("POST", "/users", {
        "username": unique_name(), "password": PW,
        "invitation": old["url"].split("invite=")[1]}),
        403, "invitation_invalid")
    r = aapi.call("POST", "/mod/invitations", {"days": 1})
    rev = r.json()
    assert aapi.call("DELETE", f"/mod/invitations/{rev['id']}"
                     ).status_code == 204
    err(aapi.call("DELETE", f"/mod/invitations/{rev['id']}"), 404,
        "not_found")
    err(Api(a.url).call("POST", "/users", {
        "username": unique_name(), "password": PW,
        "invitation": rev["url"].split("invite=")[1]}),
        403, "invitation_invalid")
    # Two people racing for one invitation: exactly one account.
    r = aapi.call("POST", "/mod/invitations", {})
    race = r.json()["url"].split("invite=")[1]

    def use(i):
        return Api(a.url if i % 2 else b.url).call("POST", "/users", {
            "username": unique_name(f"race{i}"), "password": PW,
            "invitation": race})

    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        codes = sorted(r.status_code for r in ex.map(use, range(6)))
    assert codes == [201] + [403] * 5, codes
    # The log has it all.
    actions = [x[0] for x in pg.query(
        "SELECT action FROM mod_log WHERE target_type IN ('site', "
        "'invitation') ORDER BY id", dbname=db)]
    assert actions[:2] == ["registration_closed", "registration_invite"]
    assert "revoke_invitation" in actions
    assert aapi.call("PUT", "/admin/registration", {"mode": "open"}
                     ).status_code == 200
    assert Api(b.url).call("POST", "/users", {"username": unique_name(),
                                              "password": PW}
                           ).status_code == 201


def test_invitation_pages(base, pg):
    mod, _ = staff(base, pg, "moderator")
    b = Browser(base)
    b.login(mod, PW)
    r = b.post("/mod/invitations", {"days": "99", "note": "x"})
    assert r.status_code == 422 and "1 to 30 days" in r.text
    r = b.post("/mod/invitations", {"days": "3", "note": "for <Bo>"})
    assert r.status_code == 200
    assert "/register?invite=" in r.text and "for &lt;Bo&gt;" in r.text
    iid = pg.query("SELECT max(id) FROM invitations")[0][0]
    r = b.post(f"/mod/invitations/{iid}/delete")
    assert r.status_code == 303
    assert pg.query("SELECT count(*) FROM invitations WHERE id = %s",
                    (iid,)) == [(0,)]


# ------------------------------------------------------- two instances

def test_suspension_reaches_both_instances_within_a_second(pg,
                                                           kblog_factory):
    a = kblog_factory(pg.url, extra_env={"TRUST_PROXY": "1"})
    b = kblog_factory(pg.url, extra_env={"TRUST_PROXY": "1"})
    mod, mapi = staff(a.url, pg, "moderator")
    name, api_a, tok = new_user(a.url, PW)
    api_b = Api(b.url, tok["token"])
    br = Browser(a.url)
    br.login(name, PW)
    cookie = br.session_cookie()
    assert api_a.call("GET", "/me").status_code == 200
    assert api_b.call("GET", "/me").status_code == 200
    for k in (a, b):
        r = requests.get(k.url + "/settings", cookies={"kb_session": cookie},
                         allow_redirects=False)
        assert r.status_code == 200
    t0 = time.monotonic()
    assert act(Api(b.url, _token_of(mapi)), "suspend_user", "Stop.",
               username=name).status_code == 200
    results = {}
    while time.monotonic() - t0 < 1.0 and len(results) < 4:
        for key, fn in (
                ("token a", lambda: api_a.call("GET", "/me").status_code),
                ("token b", lambda: api_b.call("GET", "/me").status_code),
                ("cookie a", lambda: requests.get(
                    a.url + "/settings", cookies={"kb_session": cookie},
                    allow_redirects=False).status_code),
                ("cookie b", lambda: requests.get(
                    b.url + "/settings", cookies={"kb_session": cookie},
                    allow_redirects=False).status_code)):
            if key not in results and fn() in (401, 303):
                results[key] = time.monotonic() - t0
    assert len(results) == 4, results
    assert max(results.values()) < 1.0, results


def _token_of(api):
    return api.s.headers["Authorization"].split(" ", 1)[1]
