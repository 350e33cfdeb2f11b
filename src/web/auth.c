/*
 * auth.c: who is asking, and may they write (see auth.h).
 *
 * Never renders anything and never answers a request: the skeleton
 * (handler.c) turns what it finds into answers.
 */

#include <arpa/inet.h>

#include "core/site.h"
#include "core/versions.h"
#include "db/db_sessions.h"
#include "web/auth.h"
#include "web/cache.h"

#define COOKIE_SESSION	"kb_session"
#define COOKIE_CSRF	"kb_csrf"
#define COOKIE_DEVICE	"kb_device"

const struct db_stmt *
auth_begin(struct http_request *req, struct auth *a)
{
	const char	*cookie;

	if (a->state == AUTH_RUNNING)
		return (a->bearer ? &db_bearer_get : &db_session_get);
	if (a->state == AUTH_DONE)
		return (NULL);

	a->state = AUTH_DONE;
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
			return (NULL);
		}
		(void)kore_strlcpy(a->token, cookie + 7, sizeof(a->token));
	} else if (http_request_header(req, "cookie", &cookie)) {
		if (cookie_get(cookie, COOKIE_SESSION, a->token,
		    sizeof(a->token)) == -1 || !sec_token_valid(a->token))
			a->token[0] = '\0';
		if (cookie_get(cookie, COOKIE_CSRF, a->csrf,
		    sizeof(a->csrf)) == -1 || !sec_token_valid(a->csrf))
			a->csrf[0] = '\0';
	}
	if (a->token[0] == '\0')
		return (NULL);
	sec_token_hash_param(a->token, a->hashp);
	if (cache_who_get(a->hashp, a->bearer, a))
		return (NULL);
	/* Read before the lookup: a change after it makes the entry old. */
	a->version = versions_auth();
	a->state = AUTH_RUNNING;
	return (a->bearer ? &db_bearer_get : &db_session_get);
}

void
auth_found(struct auth *a)
{
	struct who	who;

	a->state = AUTH_DONE;
	if (db_rows(&a->q) == 1) {
		db_who_row(&a->q, 0, &who);
		a->user_id = who.id;
		a->role = who.role;
		(void)kore_strlcpy(a->username, who.username,
		    sizeof(a->username));
		a->display_name = kore_strdup(who.display_name);
		(void)kore_strlcpy(a->csrf, who.csrf, sizeof(a->csrf));
		a->expires = who.expires;
		cache_who_put(a->hashp, a->bearer, a, a->version);
	} else if (a->bearer) {
		a->bad_bearer = 1;
	} else {
		/* Expired or logged out: forget the cookie. */
		a->token[0] = '\0';
		a->stale_cookie = 1;
	}
}

void
auth_cleanup(struct auth *a)
{
	db_cleanup(&a->q);
	kore_free(a->display_name);
	a->display_name = NULL;
}

void
auth_viewer(struct auth *a, struct viewer *v, int form)
{
	memset(v, 0, sizeof(*v));
	if (a->user_id == 0 && !form) {
		/* Its kb_csrf (if any) is left alone for the form pages. */
		v->username = "";
		v->display_name = "";
		v->csrf = "";
		return;
	}
	if (a->csrf[0] == '\0') {
		if (sec_random_token(a->csrf) == -1)
			fatal("auth: no randomness");
		a->csrf_new = 1;
	}
	v->id = a->user_id;
	v->username = a->username;
	v->display_name = a->display_name != NULL ? a->display_name : "";
	v->csrf = a->csrf;
	v->role = a->role;
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
