/*
 * h_account.c: register, log in, log out, settings.
 *
 * Every handler is a small state machine over struct ctx (ctx.c): Kore
 * runs it again each time a query or the password task answers, and
 * c->step says where it was.  Forms work without JavaScript; every write
 * checks the CSRF token before it touches the database.
 *
 * Login answers the same for an unknown user and a wrong password (same
 * text, same status, and the same Argon2id work: unknown users are
 * checked against a dummy hash).  Throttling (login_check, shared with
 * POST /api/v1/tokens) never locks a user out everywhere:
 *  - each (username, client address) pair, and each remembered device of
 *    a user, is a lane with its own back-off: 5 failed attempts free,
 *    then each waits 30 s, 60 s, 2, 4, 8, then 15 minutes after the last;
 *    a success resets the lane;
 *  - more than 25 failures for a username from all addresses in 15
 *    minutes (distributed guessing), or from an address for all
 *    usernames (spraying), refuse further attempts without a remembered
 *    device until the window frees;
 *  - a browser that logged in carries kb_device, a random token whose
 *    SHA-256 is in login_devices for that user: from it, a login skips
 *    both of those and has only its device lane.
 * Refusals are 429 with Retry-After, before any password work, for known
 * and unknown usernames alike.
 */

#include "kblog.h"
#include "html.h"
#include "valid.h"

#define LOGIN_FAILED	"Wrong username or password."

/*
 * A lane's back-off (login_backoff row b): open while fewer than 5
 * failures, when idle for a day, or once 30 s * 2^(failures - 5) (at most
 * 15 minutes) have passed since the last; an attempt through it counts
 * one more failure before the password is checked (a success deletes the
 * row), so the row lock orders parallel attempts of one lane.
 */
#define BACKOFF(b)	"make_interval(secs => least(900, 30 * " \
			"power(2::float8, least(" b ".failures - 5, 5))))"
#define BACKOFF_OPEN(b)	"(" b ".failures < 5 OR " b ".last_at < now() - " \
			"interval '1 day' OR now() >= " b ".last_at + " \
			BACKOFF(b) ")"
#define BACKOFF_WAIT(b)	"ceil(extract(epoch FROM " b ".last_at + " \
			BACKOFF(b) " - now()))::int"
#define BACKOFF_TAKE(b)	"failures = CASE WHEN " b ".last_at < now() - " \
			"interval '1 day' THEN 1 ELSE " b ".failures + 1 " \
			"END, last_at = now()"

/*
 * Login, step 1: the attempt.  Its lane is a remembered device of this
 * user when the browser sent one ($3), else the client address.  Outside
 * a device lane it is first recorded as a failure (committed before step
 * 2 counts it: parallel attempts each see at least the ones recorded
 * before them, so no more than the threshold get past the count).  Also
 * forgets two lanes idle for a day (SKIP LOCKED: never waits).  Row: the
 * failure's id (NULL in a device lane), the lane.
 */
const char	sql_login_attempt[] =
    "WITH d AS (SELECT 'device ' || encode(d.token_hash, 'hex') AS lane "
    "FROM login_devices d JOIN users u ON u.id = d.user_id "
    "WHERE d.token_hash = $3::bytea AND lower(u.username) = lower($1) "
    "AND d.expires_at > now()), "
    "f AS (INSERT INTO login_failures (username_lower, addr) "
    "SELECT lower($1), $2::inet WHERE NOT EXISTS (SELECT 1 FROM d) "
    "RETURNING id), "
    "old AS (DELETE FROM login_backoff WHERE (username_lower, lane) IN "
    "(SELECT username_lower, lane FROM login_backoff WHERE last_at < "
    "now() - interval '1 day' LIMIT 2 FOR UPDATE SKIP LOCKED)) "
    "SELECT (SELECT id FROM f), coalesce((SELECT lane FROM d), "
    "host($2::inet))";

/*
 * Step 2: outside a device lane ($4), more than 25 failures in 15
 * minutes for the username or from the address refuse the attempt until
 * the oldest counted leaves the window.  Otherwise the lane's back-off
 * row counts the attempt or refuses it.  Row: seconds to wait (NULL: go
 * on to the password), the user's id and hash (NULL: no such user).
 */
const char	sql_login_lookup[] =
    "WITH w AS (SELECT now() - interval '15 minutes' AS since), "
    "fu AS (SELECT at FROM login_failures, w WHERE NOT $4::boolean AND "
    "username_lower = lower($1) AND at > w.since ORDER BY at DESC "
    "OFFSET 25 LIMIT 1), "
    "fa AS (SELECT at FROM login_failures, w WHERE NOT $4::boolean AND "
    "addr = $2::inet AND at > w.since ORDER BY at DESC OFFSET 25 LIMIT 1), "
    "lk AS MATERIALIZED (SELECT ceil(extract(epoch FROM max(at) + "
    "interval '15 minutes' - now()))::int AS wait FROM (SELECT at FROM fu "
    "UNION ALL SELECT at FROM fa) x), "
    "bo AS (INSERT INTO login_backoff AS b (username_lower, lane, "
    "failures, last_at) SELECT lower($1), $3, 1, now() FROM lk "
    "WHERE lk.wait IS NULL ON CONFLICT (username_lower, lane) DO UPDATE "
    "SET " BACKOFF_TAKE("b") " WHERE " BACKOFF_OPEN("b") " RETURNING 1), "
    "bw AS (SELECT " BACKOFF_WAIT("b") " AS wait FROM login_backoff b "
    "WHERE b.username_lower = lower($1) AND b.lane = $3) "
    "SELECT CASE WHEN lk.wait IS NOT NULL THEN greatest(lk.wait, 1) "
    "WHEN EXISTS (SELECT 1 FROM bo) THEN NULL "
    "ELSE greatest(coalesce((SELECT wait FROM bw), 1), 1) END, "
    "u.id, u.password_hash "
    "FROM lk LEFT JOIN users u ON lower(u.username) = lower($1)";

/* Step 3, when refused: the attempt's failure row goes (waiting does not
 * extend the lock-out). */
const char	sql_login_refused[] =
    "DELETE FROM login_failures WHERE id = $1::bigint";

/*
 * The password matched: the lane's back-off and this pair's failures go;
 * the browser's device token is replaced by a new one ($9 old, $10 new,
 * $11 days; a user keeps at most 20, expired ones go); a new session.
 * $1 session hash, $2 user, $3 CSRF secret, $4 username, $5 the old
 * session's hash, $6 days, $7 address, $8 lane.
 */
static const char	sql_login_ok[] =
    "WITH f AS (DELETE FROM login_failures WHERE username_lower = "
    "lower($4) AND addr = $7::inet), "
    "b AS (DELETE FROM login_backoff WHERE username_lower = lower($4) "
    "AND lane = $8), "
    "od AS (DELETE FROM login_devices WHERE token_hash = $9::bytea OR "
    "(user_id = $2::bigint AND (expires_at < now() OR token_hash IN "
    "(SELECT token_hash FROM login_devices WHERE user_id = $2::bigint "
    "ORDER BY created_at DESC OFFSET 19)))), "
    "nd AS (INSERT INTO login_devices (token_hash, user_id, expires_at) "
    "VALUES ($10::bytea, $2::bigint, now() + make_interval(days => "
    "$11::int))), "
    "old AS (DELETE FROM sessions WHERE token_hash = $5 OR "
    "(user_id = $2::bigint AND expires_at < now())) "
    "INSERT INTO sessions (token_hash, user_id, csrf_secret, expires_at) "
    "VALUES ($1, $2::bigint, $3, now() + make_interval(days => $6::int))";

/*
 * Registrations, throttled before the password is hashed: one token of
 * the client address's bucket, then (only when that passed) one of
 * everyone's, so an address pays for an attempt the global limit
 * refused, never everyone for an address that is over its own.  Row: 0,
 * or the seconds to wait.
 */
const char	sql_register_throttle[] =
    "WITH a AS MATERIALIZED (SELECT rate_take('register_addr', "
    "host($1::inet), $2::int, false) AS wait) "
    "SELECT CASE WHEN wait = 0 THEN rate_take('register', '', $3::int, "
    "true) ELSE wait END FROM a";

/* The browser that registers is remembered too ($7 device, $8 days). */
static const char	sql_register[] =
    "WITH u AS (INSERT INTO users (username, password_hash, display_name) "
    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id), "
    "d AS (INSERT INTO login_devices (token_hash, user_id, expires_at) "
    "SELECT $7::bytea, id, now() + make_interval(days => $8::int) "
    "FROM u) "
    "INSERT INTO sessions (token_hash, user_id, csrf_secret, expires_at) "
    "SELECT $4, id, $5, now() + make_interval(days => $6::int) FROM u "
    "RETURNING user_id";

static const char	sql_logout[] =
    "DELETE FROM sessions WHERE token_hash = $1";

static const char	sql_profile_get[] =
    "SELECT username, display_name, bio, (SELECT key FROM images i "
    "WHERE i.id = users.avatar_image_id AND i.state = 'ready') "
    "FROM users WHERE id = $1";

static const char	sql_profile_set[] =
    "UPDATE users SET display_name = $1, bio = $2 WHERE id = $3";

/*
 * The current-password check of /settings/password: a back-off lane of
 * its own per user ('password'), counted before the check like a login's
 * (a session thief gets 5 guesses, then waits).  Row: seconds to wait
 * (NULL: go on), the password hash.
 */
static const char	sql_password_get[] =
    "WITH u AS (SELECT lower(username) AS name, password_hash FROM users "
    "WHERE id = $1::bigint), "
    "bo AS (INSERT INTO login_backoff AS b (username_lower, lane, "
    "failures, last_at) SELECT name, 'password', 1, now() FROM u "
    "ON CONFLICT (username_lower, lane) DO UPDATE SET " BACKOFF_TAKE("b")
    " WHERE " BACKOFF_OPEN("b") " RETURNING 1), "
    "bw AS (SELECT " BACKOFF_WAIT("b") " AS wait FROM login_backoff b, u "
    "WHERE b.username_lower = u.name AND b.lane = 'password') "
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM bo) THEN NULL "
    "ELSE greatest(coalesce((SELECT wait FROM bw), 1), 1) END, "
    "u.password_hash FROM u";

/*
 * A new password ends every other session, every API token and every
 * remembered device but this browser's ($4), and resets the check's lane.
 */
static const char	sql_password_set[] =
    "WITH u AS (UPDATE users SET password_hash = $1 WHERE id = $2 "
    "RETURNING lower(username) AS name), "
    "t AS (UPDATE api_tokens SET revoked_at = now() WHERE user_id = $2 "
    "AND revoked_at IS NULL), "
    "b AS (DELETE FROM login_backoff WHERE lane = 'password' AND "
    "username_lower IN (SELECT name FROM u)), "
    "d AS (DELETE FROM login_devices WHERE user_id = $2 AND "
    "token_hash IS DISTINCT FROM $4::bytea) "
    "DELETE FROM sessions WHERE user_id = $2 AND token_hash <> $3";

static void	register_page(struct sbuf *, struct ctx *, const char *,
		    const char *, const char *, const char *, const char *);
static int	register_form(struct http_request *, struct ctx *, int,
		    const char *, const char *, const char *, const char *);
static int	login_form(struct http_request *, struct ctx *, int,
		    const char *, const char *);
static int	settings_page(struct http_request *, struct ctx *, int,
		    const char *, const char *, const char *, const char *,
		    const char *);
static void	session_token(struct ctx *);

/* Seconds to wait (the lookup's first column), 0 when not throttled. */
int
login_wait(struct dbq *q)
{
	int	v;

	if (db_isnull(q, 0, 0))
		return (0);
	v = atoi(db_value(q, 0, 0));
	return (v < 1 ? 1 : v);
}

/*
 * The throttled password check of the login form and of POST
 * /api/v1/tokens.  Uses c->q[3] (the attempt: column 1 is the lane),
 * c->q[0] (throttle and user: column 1 is the user id), c->q[1] (a
 * refusal), c->pw, c->lstep, c->addr and c->device.  DB_PENDING; DB_FAIL
 * with *failed set; or DB_OK and *outcome: LOGIN_OK, LOGIN_BAD, or
 * LOGIN_THROTTLED with c->status the seconds to wait.
 */
int
login_check(struct http_request *req, struct ctx *c, const char *user,
    const char *pw, int *outcome, struct dbq **failed)
{
	const char	*hash, *lane;
	int		 r;

	if (c->lstep == 0) {
		auth_client_addr(req, c->addr, sizeof(c->addr));
		auth_device_hash(req, c->device);
		c->lstep = 1;
	}
	if (c->lstep == 1) {
		r = db_run(req, &c->q[3], 0, sql_login_attempt, 3, user,
		    c->addr, *c->device ? c->device : NULL);
		if (r != DB_OK) {
			*failed = &c->q[3];
			return (r);
		}
		c->lstep = 2;
	}
	if (c->lstep == 2) {
		lane = login_lane(c);
		r = db_run(req, &c->q[0], 0, sql_login_lookup, 4, user,
		    c->addr, lane, strncmp(lane, "device ", 7) ? "false" :
		    "true");
		if (r != DB_OK) {
			*failed = &c->q[0];
			return (r);
		}
		c->status = login_wait(&c->q[0]);
		c->lstep = c->status > 0 ? 10 : 3;
	}
	if (c->lstep == 10) {
		/* Refused before its hash: the attempt's row goes. */
		if (!db_isnull(&c->q[3], 0, 0) && db_run(req, &c->q[1], 0,
		    sql_login_refused, 1, db_value(&c->q[3], 0, 0)) ==
		    DB_PENDING)
			return (DB_PENDING);
		*outcome = LOGIN_THROTTLED;
		return (DB_OK);
	}
	hash = db_isnull(&c->q[0], 0, 1) ? sec_dummy_hash() :
	    db_value(&c->q[0], 0, 2);
	if (pw_run(req, &c->pw, PW_VERIFY, hash, pw, NULL) == DB_PENDING)
		return (DB_PENDING);
	/* A failure keeps what step 1 and 2 recorded: it is the failure. */
	*outcome = (!c->pw.res.ok || db_isnull(&c->q[0], 0, 1)) ?
	    LOGIN_BAD : LOGIN_OK;
	return (DB_OK);
}

/* The lane of the attempt login_check() made (after step 1). */
const char *
login_lane(struct ctx *c)
{
	return (db_value(&c->q[3], 0, 1));
}

/*
 * The registration throttle (sql_register_throttle) on q, for the form
 * and the API.  DB_PENDING, DB_FAIL, or DB_OK with *wait the seconds to
 * wait (0: go on; else Retry-After is set).
 */
int
register_throttle(struct http_request *req, struct ctx *c, struct dbq *q,
    int *wait)
{
	char	per_addr[24], all[24], retry[16];
	int	r;

	if (q->state == 0)
		auth_client_addr(req, c->addr, sizeof(c->addr));
	(void)snprintf(per_addr, sizeof(per_addr), "%ld",
	    kb_cfg.register_per_addr_hour);
	(void)snprintf(all, sizeof(all), "%ld", kb_cfg.register_per_hour);
	r = db_run(req, q, 0, sql_register_throttle, 3, c->addr, per_addr,
	    all);
	if (r != DB_OK)
		return (r);
	*wait = atoi(db_value(q, 0, 0));
	if (*wait > 0) {
		(void)snprintf(retry, sizeof(retry), "%d", *wait);
		http_response_header(req, "retry-after", retry);
	}
	return (DB_OK);
}

/*
 * Runs the session lookup.  Returns 1 when done; otherwise *ret is what
 * the handler must return (retry, or an error page was sent).
 */
int
auth_or_retry(struct http_request *req, struct ctx *c, int *ret)
{
	switch (auth_run(req, &c->auth)) {
	case DB_PENDING:
		*ret = KORE_RESULT_RETRY;
		return (0);
	case DB_FAIL:
		*ret = resp_error_page(req, 503);
		return (0);
	}
	return (1);
}

int
db_error(struct http_request *req, struct dbq *q)
{
	return (resp_error_page(req, db_unavailable(q) ? 503 : 500));
}

/*
 * A new session: the cookie's token in c->newtok, its hash (the row's key)
 * in c->buf, the CSRF secret in c->buf2.
 */
static void
session_token(struct ctx *c)
{
	if (sec_random_token(c->newtok) == -1 ||
	    sec_random_token(c->buf2) == -1)
		fatal("no randomness");
	sec_token_hash_param(c->newtok, c->buf);
}

static void
register_page(struct sbuf *b, struct ctx *c, const char *username,
    const char *display, const char *e_user, const char *e_display,
    const char *e_pw)
{
	page_begin(b, &c->auth, "Register");
	sbuf_adds(b, "<h1>Create an account</h1>"
	    "<form class=\"stack\" action=\"/register\" method=\"post\">");
	form_csrf(b, &c->auth);
	form_field(b, "Username", "username", "text", username, e_user,
	    "required minlength=\"3\" maxlength=\"32\" "
	    "pattern=\"[A-Za-z0-9_\\-]{3,32}\" autocomplete=\"username\" "
	    "autocapitalize=\"none\"");
	form_field(b, "Display name (optional)", "display_name", "text",
	    display, e_display, "maxlength=\"64\" autocomplete=\"nickname\"");
	form_field(b, "Password (at least 10 characters)", "password",
	    "password", NULL, e_pw, "required minlength=\"10\" "
	    "autocomplete=\"new-password\"");
	sbuf_adds(b, "<button type=\"submit\">Create account</button></form>"
	    "<p>Already registered? <a href=\"/login\">Log in</a>.</p>");
	page_end(b);
}

static int
register_form(struct http_request *req, struct ctx *c, int status,
    const char *e_user, const char *e_display, const char *e_pw,
    const char *e_other)
{
	struct sbuf	b;

	sbuf_init(&b, 4096);
	register_page(&b, c, form_get(&c->form, "username"),
	    form_get(&c->form, "display_name"), e_user ? e_user : e_other,
	    e_display, e_pw);
	if (status == 409)
		http_response_header(req, "x-kblog-error", "username_taken");
	page_send(req, &c->auth, status, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

int
h_register(struct http_request *req)
{
	struct ctx	*c;
	const char	*user, *pw, *display, *e_user, *e_display, *e_pw;
	char		 days[16], ddays[16], dev[SEC_HASH_PARAM_LEN + 1];
	int		 ret, r, wait;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_POST)
		return (resp_method_not_allowed(req, "GET, POST"));
	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	if (c->auth.user_id != 0)
		return (resp_redirect(req, "/"));

	if (req->method == HTTP_METHOD_GET) {
		c->form_state = 1;
		return (register_form(req, c, 200, NULL, NULL, NULL, NULL));
	}

	if (!ctx_form(req, c))
		return (KORE_RESULT_OK);
	if (!auth_csrf_ok(req, &c->auth, &c->form))
		return (resp_error_page(req, 403));

	user = form_get(&c->form, "username");
	pw = form_get(&c->form, "password");
	display = form_get(&c->form, "display_name");
	if (display == NULL)
		display = "";

	if (c->step == 0) {
		e_user = valid_username(user);
		e_display = valid_display_name(display);
		e_pw = valid_password(pw);
		if (e_user != NULL || e_display != NULL || e_pw != NULL)
			return (register_form(req, c, 422, e_user, e_display,
			    e_pw, NULL));
		c->step = 1;
	}

	if (c->step == 1) {
		r = register_throttle(req, c, &c->q[1], &wait);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (db_error(req, &c->q[1]));
		if (wait > 0) {
			(void)snprintf(c->buf2, sizeof(c->buf2), "Too many "
			    "accounts were created from your network or on "
			    "this site just now. Please try again in %d "
			    "minute%s.", (wait + 59) / 60,
			    (wait + 59) / 60 == 1 ? "" : "s");
			return (register_form(req, c, 429, NULL, NULL, NULL,
			    c->buf2));
		}
		c->step = 2;
	}

	if (c->step == 2) {
		if (pw_run(req, &c->pw, PW_HASH, NULL, pw, NULL) == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (!c->pw.res.ok)
			return (resp_error_page(req, 500));
		session_token(c);
		if (sec_random_token(c->newdev) == -1)
			fatal("no randomness");
		c->step = 3;
	}

	(void)snprintf(days, sizeof(days), "%d", kb_cfg.session_days);
	(void)snprintf(ddays, sizeof(ddays), "%d", DEVICE_DAYS);
	sec_token_hash_param(c->newdev, dev);
	r = db_run(req, &c->q[0], 0, sql_register, 8, user, c->pw.res.hash,
	    display, c->buf, c->buf2, days, dev, ddays);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (register_form(req, c, 409,
		    "That username is taken. Try another one.", NULL, NULL,
		    NULL));

	auth_set_session_cookie(req, c->newtok);
	auth_set_device_cookie(req, c->newdev);
	return (resp_redirect(req, "/"));
}

static int
login_form(struct http_request *req, struct ctx *c, int status,
    const char *error, const char *next)
{
	struct sbuf	b;

	sbuf_init(&b, 4096);
	page_begin(&b, &c->auth, "Log in");
	sbuf_adds(&b, "<h1>Log in</h1>");
	if (error != NULL) {
		sbuf_adds(&b, "<p class=\"error\" role=\"alert\">");
		html_text(&b, error);
		sbuf_adds(&b, "</p>");
	}
	sbuf_adds(&b, "<form class=\"stack\" action=\"/login\" "
	    "method=\"post\">");
	form_csrf(&b, &c->auth);
	if (safe_local_path(next)) {
		sbuf_adds(&b, "<input type=\"hidden\" name=\"next\" value=\"");
		html_text(&b, next);
		sbuf_adds(&b, "\">");
	}
	form_field(&b, "Username", "username", "text",
	    form_get(&c->form, "username"), NULL, "required maxlength=\"32\" "
	    "autocomplete=\"username\" autocapitalize=\"none\"");
	form_field(&b, "Password", "password", "password", NULL, NULL,
	    "required autocomplete=\"current-password\"");
	sbuf_adds(&b, "<button type=\"submit\">Log in</button></form>"
	    "<p>New here? <a href=\"/register\">Create an account</a>.</p>");
	page_end(&b);
	page_send(req, &c->auth, status, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

int
h_login(struct http_request *req)
{
	struct ctx	*c;
	struct dbq	*failed;
	const char	*user, *pw, *next;
	char		 days[16], ddays[16], retry[16];
	char		 dev[SEC_HASH_PARAM_LEN + 1];
	int		 ret, r, outcome;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_POST)
		return (resp_method_not_allowed(req, "GET, POST"));
	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);

	if (req->method == HTTP_METHOD_GET) {
		if (!ctx_query(req, c))
			return (KORE_RESULT_OK);
		if (c->auth.user_id != 0)
			return (resp_redirect(req, "/"));
		return (login_form(req, c, 200, NULL,
		    form_get(&c->form, "next")));
	}

	if (!ctx_form(req, c))
		return (KORE_RESULT_OK);
	if (!auth_csrf_ok(req, &c->auth, &c->form))
		return (resp_error_page(req, 403));

	user = form_get(&c->form, "username");
	pw = form_get(&c->form, "password");
	next = form_get(&c->form, "next");
	if (!safe_local_path(next))
		next = "/";
	if (user == NULL || *user == '\0' || pw == NULL || *pw == '\0' ||
	    strlen(user) > USERNAME_MAX || strlen(pw) > SEC_PW_MAX_BYTES)
		return (login_form(req, c, 401, LOGIN_FAILED, next));

	if (c->step == 0) {
		r = login_check(req, c, user, pw, &outcome, &failed);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (db_error(req, failed));
		if (outcome == LOGIN_THROTTLED) {
			(void)snprintf(retry, sizeof(retry), "%d", c->status);
			http_response_header(req, "retry-after", retry);
			return (login_form(req, c, 429, "Too many failed "
			    "attempts. Please wait a few minutes and try "
			    "again.", next));
		}
		if (outcome == LOGIN_BAD)
			return (login_form(req, c, 401, LOGIN_FAILED, next));
		session_token(c);
		if (sec_random_token(c->newdev) == -1)
			fatal("no randomness");
		c->step = 4;
	}

	/* step 4: the password matched; this browser is remembered. */
	(void)snprintf(days, sizeof(days), "%d", kb_cfg.session_days);
	(void)snprintf(ddays, sizeof(ddays), "%d", DEVICE_DAYS);
	sec_token_hash_param(c->newdev, dev);
	if (c->auth.hashp[0] == '\0')
		(void)kore_strlcpy(c->auth.hashp, "\\x00", sizeof(c->auth.hashp));
	r = db_run(req, &c->q[2], 0, sql_login_ok, 11, c->buf,
	    db_value(&c->q[0], 0, 1), c->buf2, user, c->auth.hashp, days,
	    c->addr, login_lane(c), *c->device ? c->device : NULL, dev, ddays);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[2]));
	auth_set_session_cookie(req, c->newtok);
	auth_set_device_cookie(req, c->newdev);
	return (resp_redirect(req, next));
}

int
h_logout(struct http_request *req)
{
	struct ctx	*c;
	int		 ret, r;

	if (req->method != HTTP_METHOD_POST)
		return (resp_method_not_allowed(req, "POST"));
	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	if (c->auth.user_id == 0) {
		auth_clear_session_cookie(req);
		return (resp_redirect(req, "/"));
	}
	if (!ctx_form(req, c))
		return (KORE_RESULT_OK);
	if (!auth_csrf_ok(req, &c->auth, &c->form))
		return (resp_error_page(req, 403));

	r = db_run(req, &c->q[0], 0, sql_logout, 1, c->auth.hashp);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));
	auth_clear_session_cookie(req);
	return (resp_redirect(req, "/"));
}

static int
settings_page(struct http_request *req, struct ctx *c, int status,
    const char *display, const char *bio, const char *avatar,
    const char *e_profile, const char *e_pw)
{
	struct sbuf	 b, url;
	const char	*note;

	note = NULL;
	if (req->query_string != NULL && c->step == 0) {
		if (!strcmp(req->query_string, "saved=1"))
			note = "Your profile is saved.";
		else if (!strcmp(req->query_string, "password=1"))
			note = "Your password is changed. Other sessions "
			    "were logged out.";
	}

	sbuf_init(&b, 8192);
	sbuf_init(&url, 256);
	page_begin(&b, &c->auth, "Settings");
	sbuf_adds(&b, "<h1>Settings</h1>");
	if (note != NULL) {
		sbuf_adds(&b, "<p class=\"notice\" role=\"status\">");
		html_text(&b, note);
		sbuf_adds(&b, "</p>");
	}
	sbuf_adds(&b, "<section><h2>Avatar</h2>");
	if (avatar != NULL && *avatar != '\0') {
		sbuf_adds(&b, "<img class=\"avatar\" alt=\"Your avatar\" "
		    "src=\"");
		sbuf_reset(&url);
		storage_public_url(&url, avatar);
		html_text(&b, sbuf_cstr(&url));
		sbuf_adds(&b, "\">");
	} else {
		sbuf_adds(&b, "<img class=\"avatar\" alt=\"\" hidden>");
	}
	sbuf_adds(&b, "<div class=\"upload\" data-mode=\"avatar\" hidden>"
	    "<label>Choose a picture <input type=\"file\" "
	    "accept=\"image/jpeg,image/png,image/gif,image/webp\"></label>"
	    "<progress max=\"100\" value=\"0\" hidden></progress>"
	    "<p class=\"upload-status\" role=\"status\"></p></div>"
	    "<p><a href=\"/images\">Your images</a></p></section>"
	    "<section><h2>Profile</h2><form class=\"stack\" "
	    "action=\"/settings\" method=\"post\">");
	form_csrf(&b, &c->auth);
	form_field(&b, "Display name", "display_name", "text", display,
	    e_profile, "maxlength=\"64\"");
	form_textarea(&b, "Bio", "bio", bio, NULL,
	    "rows=\"5\" maxlength=\"2000\"");
	sbuf_adds(&b, "<button type=\"submit\">Save profile</button></form>"
	    "</section><section><h2>Password</h2><form class=\"stack\" "
	    "action=\"/settings/password\" method=\"post\">");
	form_csrf(&b, &c->auth);
	form_field(&b, "Current password", "current_password", "password",
	    NULL, NULL, "required autocomplete=\"current-password\"");
	form_field(&b, "New password (at least 10 characters)",
	    "new_password", "password", NULL, e_pw,
	    "required minlength=\"10\" autocomplete=\"new-password\"");
	sbuf_adds(&b, "<button type=\"submit\">Change password</button>"
	    "</form></section>");
	page_end(&b);
	page_send(req, &c->auth, status, &b);
	sbuf_free(&b);
	sbuf_free(&url);
	return (KORE_RESULT_OK);
}

int
h_settings(struct http_request *req)
{
	struct ctx	*c;
	const char	*display, *bio, *err;
	char		 id[32];
	int		 ret, r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_POST)
		return (resp_method_not_allowed(req, "GET, POST"));
	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	if (c->auth.user_id == 0)
		return (resp_redirect(req, "/login?next=/settings"));
	(void)snprintf(id, sizeof(id), "%lld", (long long)c->auth.user_id);

	if (req->method == HTTP_METHOD_GET) {
		c->form_state = 1;
		r = db_run(req, &c->q[0], DB_READ, sql_profile_get, 1, id);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL || db_ntuples(&c->q[0]) != 1)
			return (db_error(req, &c->q[0]));
		return (settings_page(req, c, 200, db_value(&c->q[0], 0, 1),
		    db_value(&c->q[0], 0, 2), db_value(&c->q[0], 0, 3), NULL,
		    NULL));
	}

	if (!ctx_form(req, c))
		return (KORE_RESULT_OK);
	if (!auth_csrf_ok(req, &c->auth, &c->form))
		return (resp_error_page(req, 403));
	display = form_get(&c->form, "display_name");
	bio = form_get(&c->form, "bio");
	if (display == NULL)
		display = "";
	if (bio == NULL)
		bio = "";
	c->step = 1;
	if ((err = valid_display_name(display)) != NULL ||
	    (err = valid_text(bio, BIO_MAX, 1)) != NULL)
		return (settings_page(req, c, 422, display, bio, NULL, err,
		    NULL));

	r = db_run(req, &c->q[1], 0, sql_profile_set, 3, display, bio, id);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[1]));
	return (resp_redirect(req, "/settings?saved=1"));
}

int
h_settings_password(struct http_request *req)
{
	struct ctx	*c;
	const char	*cur, *npw, *err;
	char		 id[32], retry[16];
	int		 ret, r, wait;

	if (req->method != HTTP_METHOD_POST)
		return (resp_method_not_allowed(req, "POST"));
	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	if (!ctx_write_guard(req, c, "/login?next=/settings", &ret))
		return (ret);
	(void)snprintf(id, sizeof(id), "%lld", (long long)c->auth.user_id);

	cur = form_get(&c->form, "current_password");
	npw = form_get(&c->form, "new_password");
	if (c->step == 0) {
		c->step = 1;
		if ((err = valid_password(npw)) != NULL)
			return (settings_page(req, c, 422, c->auth.display_name,
			    NULL, NULL, NULL, err));
		if (cur == NULL || strlen(cur) > SEC_PW_MAX_BYTES)
			return (settings_page(req, c, 422, c->auth.display_name,
			    NULL, NULL, NULL, "Your current password is wrong."));
	}

	if (c->step == 1) {
		/* Throttled like a login: counted before the check. */
		r = db_run(req, &c->q[0], 0, sql_password_get, 1, id);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL || db_ntuples(&c->q[0]) != 1)
			return (db_error(req, &c->q[0]));
		if ((wait = login_wait(&c->q[0])) > 0) {
			(void)snprintf(retry, sizeof(retry), "%d", wait);
			http_response_header(req, "retry-after", retry);
			(void)snprintf(c->buf2, sizeof(c->buf2), "Too many wrong "
			    "passwords. Please try again in %d minute%s.",
			    (wait + 59) / 60, (wait + 59) / 60 == 1 ? "" : "s");
			return (settings_page(req, c, 429, c->auth.display_name,
			    NULL, NULL, NULL, c->buf2));
		}
		auth_device_hash(req, c->device);
		c->step = 2;
	}

	if (c->step == 2) {
		if (pw_run(req, &c->pw, PW_VERIFY_AND_HASH,
		    db_value(&c->q[0], 0, 1), cur, npw) == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (!c->pw.res.ok)
			return (settings_page(req, c, 422, c->auth.display_name,
			    NULL, NULL, NULL, "Your current password is wrong."));
		c->step = 3;
	}

	r = db_run(req, &c->q[1], 0, sql_password_set, 4, c->pw.res.hash, id,
	    c->auth.hashp, *c->device ? c->device : NULL);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[1]));
	return (resp_redirect(req, "/settings?password=1"));
}
