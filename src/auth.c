/*
 * auth.c: who is asking, and may they write.
 *
 * Owns: the session cookie (kb_session: a random token whose SHA-256 is
 * the sessions row's key), the anonymous CSRF cookie (kb_csrf, for the
 * login and register forms: double submit), the remembered-device cookie
 * (kb_device: a random token whose SHA-256 is a login_devices row's key,
 * see h_account.c), the CSRF check, the client address, and the password
 * task (Argon2id runs in a Kore task thread, never on the worker's event
 * loop).
 *
 * Sessions have a fixed lifetime of SESSION_DAYS from login; logout and
 * password changes delete rows, so a copied cookie stops working.
 */

#include <arpa/inet.h>

#include <sodium.h>

#include "kblog.h"
#include "secure.h"

#define COOKIE_SESSION	"kb_session"
#define COOKIE_CSRF	"kb_csrf"
#define COOKIE_DEVICE	"kb_device"

static const char	sql_session[] =
    "SELECT u.id, u.username, u.display_name, s.csrf_secret "
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = $1 AND s.expires_at > now()";

/*
 * A bearer token: only live (unrevoked) ones; last_used_at is written at
 * most once a minute so reads stay reads.
 */
static const char	sql_bearer[] =
    "WITH t AS (SELECT id, user_id, last_used_at FROM api_tokens "
    "WHERE token_hash = $1 AND revoked_at IS NULL), "
    "u AS (UPDATE api_tokens SET last_used_at = now() WHERE id IN "
    "(SELECT id FROM t WHERE last_used_at IS NULL OR "
    "last_used_at < now() - interval '1 minute')) "
    "SELECT us.id, us.username, us.display_name, '' "
    "FROM t JOIN users us ON us.id = t.user_id";

static int	pw_task(struct kore_task *);

int
auth_run(struct http_request *req, struct auth *a)
{
	const char	*cookie;
	int		 r;

	if (a->state == AUTH_DONE)
		return (DB_OK);

	if (a->state == AUTH_IDLE) {
		a->user_id = 0;
		a->csrf[0] = '\0';
		a->token[0] = '\0';
		if (http_request_header(req, "authorization", &cookie)) {
			/* API clients: "Bearer <token>", no cookies. */
			a->bearer = 1;
			if (strncasecmp(cookie, "Bearer ", 7) != 0 ||
			    strlen(cookie + 7) != SEC_TOKEN_LEN ||
			    !sec_token_valid(cookie + 7)) {
				a->bad_bearer = 1;
				a->state = AUTH_DONE;
				return (DB_OK);
			}
			(void)kore_strlcpy(a->token, cookie + 7,
			    sizeof(a->token));
			sec_token_hash_param(a->token, a->hashp);
			a->state = AUTH_RUNNING;
		} else if (http_request_header(req, "cookie", &cookie)) {
			if (cookie_get(cookie, COOKIE_SESSION, a->token,
			    sizeof(a->token)) == -1 ||
			    !sec_token_valid(a->token))
				a->token[0] = '\0';
			if (cookie_get(cookie, COOKIE_CSRF, a->csrf,
			    sizeof(a->csrf)) == -1 ||
			    !sec_token_valid(a->csrf))
				a->csrf[0] = '\0';
		}
		if (a->token[0] == '\0') {
			a->state = AUTH_DONE;
			return (DB_OK);
		}
		sec_token_hash_param(a->token, a->hashp);
		a->state = AUTH_RUNNING;
	}

	r = db_run(req, &a->q, a->bearer ? 0 : DB_READ,
	    a->bearer ? sql_bearer : sql_session, 1, a->hashp);
	if (r == DB_PENDING)
		return (DB_PENDING);
	if (r == DB_FAIL)
		return (DB_FAIL);

	a->state = AUTH_DONE;
	if (db_ntuples(&a->q) == 1) {
		a->user_id = strtoll(db_value(&a->q, 0, 0), NULL, 10);
		(void)kore_strlcpy(a->username, db_value(&a->q, 0, 1),
		    sizeof(a->username));
		a->display_name = kore_strdup(db_value(&a->q, 0, 2));
		(void)kore_strlcpy(a->csrf, db_value(&a->q, 0, 3),
		    sizeof(a->csrf));
	} else if (a->bearer) {
		a->bad_bearer = 1;
	} else {
		/* Expired or logged out: forget the cookie. */
		a->token[0] = '\0';
		a->stale_cookie = 1;
	}
	return (DB_OK);
}

void
auth_cleanup(struct auth *a)
{
	db_cleanup(&a->q);
	kore_free(a->display_name);
	a->display_name = NULL;
}

/*
 * The CSRF token a page must embed.  Anonymous visitors get a random one
 * in their kb_csrf cookie (set by auth_cookies()).
 */
const char *
auth_csrf_token(struct auth *a)
{
	if (a->csrf[0] == '\0') {
		if (sec_random_token(a->csrf) == -1)
			fatal("auth: no randomness");
		a->csrf_new = 1;
	}
	return (a->csrf);
}

void
auth_cookies(struct http_request *req, struct auth *a)
{
	char	buf[160];

	if (a->user_id == 0 && a->csrf_new) {
		(void)snprintf(buf, sizeof(buf), COOKIE_CSRF "=%s; Path=/; "
		    "HttpOnly; SameSite=Lax%s", a->csrf,
		    kb_cfg.cookie_secure ? "; Secure" : "");
		http_response_header(req, "set-cookie", buf);
		a->csrf_new = 0;
	}
	if (a->stale_cookie) {
		auth_clear_session_cookie(req);
		a->stale_cookie = 0;
	}
}

/* Constant-time check of the token sent in the form or X-CSRF-Token. */
int
auth_csrf_ok(struct http_request *req, struct auth *a, const struct form *f)
{
	const char	*sent;

	if (a->bearer)
		return (1);	/* no ambient credential: no CSRF */
	if (a->csrf[0] == '\0')
		return (0);
	sent = NULL;
	if (!http_request_header(req, "x-csrf-token", &sent) && f != NULL)
		sent = form_get(f, "csrf");
	if (sent == NULL)
		return (0);
	return (sec_equal(sent, a->csrf));
}

void
auth_set_session_cookie(struct http_request *req, const char *token)
{
	char	buf[200];

	(void)snprintf(buf, sizeof(buf), COOKIE_SESSION "=%s; Path=/; "
	    "HttpOnly; SameSite=Lax; Max-Age=%d%s", token,
	    kb_cfg.session_days * 86400, kb_cfg.cookie_secure ?
	    "; Secure" : "");
	http_response_header(req, "set-cookie", buf);
}

void
auth_clear_session_cookie(struct http_request *req)
{
	char	buf[160];

	(void)snprintf(buf, sizeof(buf), COOKIE_SESSION "=; Path=/; "
	    "HttpOnly; SameSite=Lax; Max-Age=0%s",
	    kb_cfg.cookie_secure ? "; Secure" : "");
	http_response_header(req, "set-cookie", buf);
}

/*
 * The remembered-device cookie: its token's hash as a bytea parameter in
 * out, or "" when the request has none (or one of the wrong shape).
 */
void
auth_device_hash(struct http_request *req, char out[SEC_HASH_PARAM_LEN + 1])
{
	const char	*cookie;
	char		 tok[SEC_TOKEN_LEN + 1];

	out[0] = '\0';
	if (!http_request_header(req, "cookie", &cookie) ||
	    cookie_get(cookie, COOKIE_DEVICE, tok, sizeof(tok)) == -1 ||
	    !sec_token_valid(tok))
		return;
	sec_token_hash_param(tok, out);
}

/* Strict: only ever needed by this site's own login form. */
void
auth_set_device_cookie(struct http_request *req, const char *token)
{
	char	buf[200];

	(void)snprintf(buf, sizeof(buf), COOKIE_DEVICE "=%s; Path=/; "
	    "HttpOnly; SameSite=Strict; Max-Age=%d%s", token,
	    DEVICE_DAYS * 86400, kb_cfg.cookie_secure ? "; Secure" : "");
	http_response_header(req, "set-cookie", buf);
}

/*
 * The client's address: the peer, or with TRUST_PROXY=1 the last entry of
 * X-Forwarded-For (the one our own proxy appended; earlier ones are the
 * client's word and can be forged).
 */
void
auth_client_addr(struct http_request *req, char *out, size_t outlen)
{
	const char		*xff, *last;
	char			 tmp[INET6_ADDRSTRLEN];
	unsigned char		 bin[sizeof(struct in6_addr)];
	size_t			 len;

	if (kb_cfg.trust_proxy &&
	    http_request_header(req, "x-forwarded-for", &xff)) {
		last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		len = strcspn(last, " ");
		if (len < sizeof(tmp)) {
			memcpy(tmp, last, len);
			tmp[len] = '\0';
			if (inet_pton(AF_INET, tmp, bin) == 1 ||
			    inet_pton(AF_INET6, tmp, bin) == 1) {
				(void)kore_strlcpy(out, tmp, outlen);
				return;
			}
		}
	}

	switch (req->owner->family) {
	case AF_INET:
		if (inet_ntop(AF_INET, &req->owner->addr.ipv4.sin_addr,
		    out, outlen) != NULL)
			return;
		break;
	case AF_INET6:
		if (inet_ntop(AF_INET6, &req->owner->addr.ipv6.sin6_addr,
		    out, outlen) != NULL)
			return;
		break;
	}
	(void)kore_strlcpy(out, "0.0.0.0", outlen);
}

/*
 * Password work in a task thread.  The job travels through the task's
 * channel; both sides wipe their copies.
 */
static int
pw_task(struct kore_task *t)
{
	struct pw_job	job;
	struct pw_result res;

	memset(&res, 0, sizeof(res));
	if (kore_task_channel_read(t, &job, sizeof(job)) != sizeof(job))
		return (KORE_RESULT_ERROR);
	job.hash[sizeof(job.hash) - 1] = '\0';

	res.ok = 1;
	if (job.op == PW_VERIFY || job.op == PW_VERIFY_AND_HASH)
		res.ok = sec_password_verify(job.hash, job.pw, job.pwlen);
	if (res.ok && (job.op == PW_HASH || job.op == PW_VERIFY_AND_HASH)) {
		if (sec_password_hash(job.pw2, job.pw2len, res.hash) == -1)
			res.ok = 0;
	}
	sodium_memzero(&job, sizeof(job));
	kore_task_channel_write(t, &res, sizeof(res));
	return (KORE_RESULT_OK);
}

/*
 * Starts (first call) or polls the password task.  DB_PENDING until done,
 * then DB_OK with res filled.  Passwords are copied into the job and the
 * job is wiped once sent.
 */
int
pw_run(struct http_request *req, struct pw_state *ps, int op,
    const char *hash, const char *pw, const char *pw2)
{
	struct pw_job	job;

	if (ps->state == 2)
		return (DB_OK);

	if (ps->state == 0) {
		memset(&job, 0, sizeof(job));
		job.op = op;
		if (hash != NULL)
			(void)kore_strlcpy(job.hash, hash, sizeof(job.hash));
		if (pw != NULL) {
			job.pwlen = strlen(pw);
			if (job.pwlen > SEC_PW_MAX_BYTES)
				job.pwlen = SEC_PW_MAX_BYTES;
			memcpy(job.pw, pw, job.pwlen);
		}
		if (pw2 != NULL) {
			job.pw2len = strlen(pw2);
			if (job.pw2len > SEC_PW_MAX_BYTES)
				job.pw2len = SEC_PW_MAX_BYTES;
			memcpy(job.pw2, pw2, job.pw2len);
		}
		if (op == PW_HASH) {
			memcpy(job.pw2, job.pw, job.pwlen);
			job.pw2len = job.pwlen;
		}
		kore_task_create(&ps->task, pw_task);
		kore_task_bind_request(&ps->task, req);
		kore_task_run(&ps->task);
		kore_task_channel_write(&ps->task, &job, sizeof(job));
		sodium_memzero(&job, sizeof(job));
		ps->state = 1;
		return (DB_PENDING);
	}

	if (!kore_task_finished(&ps->task))
		return (DB_PENDING);

	memset(&ps->res, 0, sizeof(ps->res));
	if (kore_task_result(&ps->task) != KORE_RESULT_OK ||
	    kore_task_channel_read(&ps->task, &ps->res, sizeof(ps->res)) !=
	    sizeof(ps->res))
		ps->res.ok = 0;
	ps->res.hash[sizeof(ps->res.hash) - 1] = '\0';
	kore_task_destroy(&ps->task);
	ps->state = 2;
	return (DB_OK);
}

/*
 * Never touches the task: one still bound to the request is destroyed by
 * Kore's http_request_free() once it finishes (and the request's memory
 * is kept until then).
 */
void
pw_cleanup(struct pw_state *ps)
{
	sodium_memzero(&ps->res, sizeof(ps->res));
}
