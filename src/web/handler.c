/*
 * handler.c: the request skeleton (see handler.h).
 *
 * Owns the per-request state's common part (struct rctx): its input,
 * who is asking, the guards, and the queries run for it.  Never renders
 * a page: answers go out through reply.c.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_sessions.h"
#include "lib/sbuf.h"
#include "web/framing.h"
#include "web/handler.h"
#include "web/reply.h"

static int	method_allowed(struct http_request *, const char *);
static int	rctx_prepare(struct http_request *, struct rctx *);
static int	rctx_input(struct http_request *, struct rctx *);
static int	rctx_form_body(struct http_request *, struct rctx *);
static void	rctx_free(struct http_request *);
static void	rctx_track(struct rctx *, struct dbq *);

static const struct {
	int		 method;
	const char	*name;
} methods[] = {
	{ HTTP_METHOD_GET,	"GET" },
	{ HTTP_METHOD_HEAD,	"HEAD" },
	{ HTTP_METHOD_POST,	"POST" },
	{ HTTP_METHOD_PUT,	"PUT" },
	{ HTTP_METHOD_PATCH,	"PATCH" },
	{ HTTP_METHOD_DELETE,	"DELETE" },
	{ HTTP_METHOD_OPTIONS,	"OPTIONS" },
	{ 0,			NULL }
};

/* Is the request's method one of allow's ("GET, HEAD, POST")? */
static int
method_allowed(struct http_request *req, const char *allow)
{
	const char	*p;
	size_t		 len;
	int		 i;

	for (i = 0; methods[i].name != NULL; i++) {
		if (methods[i].method == req->method)
			break;
	}
	if (methods[i].name == NULL)
		return (0);
	len = strlen(methods[i].name);
	for (p = allow; (p = strstr(p, methods[i].name)) != NULL; p += len) {
		if ((p == allow || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ','))
			return (1);
	}
	return (0);
}

int
handler_run(struct http_request *req, const struct handler *h)
{
	struct rctx	*rc;
	int		 r;

	if ((rc = http_state_get(req)) == NULL) {
		if (!method_allowed(req, h->allow)) {
			(void)reply_method_not_allowed(req, h->allow);
			return (KORE_RESULT_OK);
		}
		rc = http_state_create(req, h->size, rctx_free);
		rc->h = h;
	}
	if (!rc->ready) {
		if ((r = rctx_prepare(req, rc)) != STEP_OK)
			return (r == STEP_WAIT ? KORE_RESULT_RETRY :
			    KORE_RESULT_OK);
		rc->ready = 1;
	}
	r = h->run(req, rc);
	return (r == STEP_WAIT ? KORE_RESULT_RETRY : KORE_RESULT_OK);
}

int
handler_route(struct http_request *req, const struct handler *const *hs,
    size_t n)
{
	struct rctx	*rc;
	char		 allow[128];
	size_t		 i, len;

	if ((rc = http_state_get(req)) != NULL)
		return (handler_run(req, rc->h));
	for (i = 0; i < n; i++) {
		if (method_allowed(req, hs[i]->allow))
			return (handler_run(req, hs[i]));
	}
	allow[0] = '\0';
	for (i = 0, len = 0; i < n && len < sizeof(allow); i++) {
		len += (size_t)snprintf(allow + len, sizeof(allow) - len,
		    "%s%s", i > 0 ? ", " : "", hs[i]->allow);
	}
	(void)reply_method_not_allowed(req, allow);
	return (KORE_RESULT_OK);
}

struct rctx *
rctx(struct http_request *req)
{
	return (http_state_get(req));
}

/* Input, who is asking, the guards: once per request. */
static int
rctx_prepare(struct http_request *req, struct rctx *rc)
{
	const struct db_stmt	*st;
	int			 r, unsafe;

	/* Health, assets, feeds, the store: they read no input of ours. */
	if (rc->h->flags & H_NO_AUTH)
		return (STEP_OK);

	if ((st = auth_begin(req, &rc->auth)) != NULL) {
		if ((r = query_or_reply(req, &rc->auth.q, st, "s",
		    rc->auth.hashp)) != STEP_OK)
			return (r);
		auth_found(&rc->auth);
	}

	if (rc->auth.bad_bearer && (rc->h->flags & H_API))
		return (reply_error_code(req, 401, "invalid_token",
		    "The bearer token is not valid or was revoked.", NULL));

	unsafe = req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_HEAD;
	if ((rc->h->flags & H_USER) && rc->auth.user_id == 0) {
		if (rc->h->flags & H_API)
			return (reply_error_code(req, 401, "unauthorized",
			    "Authenticate with a bearer token or a session.",
			    NULL));
		if (reply_wants_json(req))
			return (reply_error(req, 401));
		return (reply_redirect(req, rc->h->login != NULL ?
		    rc->h->login : "/login"));
	}

	/* Roles: the session's, read with it at this request. */
	if (((rc->h->flags & H_MOD) && rc->auth.role < ROLE_MOD) ||
	    ((rc->h->flags & H_ADMIN) && rc->auth.role < ROLE_ADMIN))
		return (reply_error_code(req, 403, "forbidden",
		    (rc->h->flags & H_ADMIN) ? "Only administrators can do "
		    "that." : "Only moderators can do that.", NULL));

	if (!rc->form_read) {
		if ((r = rctx_input(req, rc)) != STEP_OK)
			return (r);
		rc->form_read = 1;
	}

	/* The API takes the token from its header only, never the URL. */
	if (unsafe && !(rc->h->flags & H_NO_CSRF) &&
	    ((rc->h->flags & H_API) ? rc->auth.user_id != 0 : 1) &&
	    !auth_csrf_ok(req, &rc->auth, (rc->h->flags & H_API) ? NULL :
	    &rc->form)) {
		if (rc->h->flags & H_API)
			return (reply_error_code(req, 403, "csrf_failed",
			    "Requests with a session cookie need the "
			    "X-CSRF-Token header.", NULL));
		return (reply_error(req, 403));
	}

	/* Pages decide the CSRF token before anything is rendered. */
	if (!(rc->h->flags & H_API))
		auth_viewer(&rc->auth, &rc->viewer,
		    (rc->h->flags & H_FORM) != 0);
	return (STEP_OK);
}

/*
 * The query string, and a page's form body (POST).
 * Parsed strictly: a value that is not valid is a 400, never dropped.
 */
static int
rctx_input(struct http_request *req, struct rctx *rc)
{
	if (req->method == HTTP_METHOD_POST && !(rc->h->flags & H_API))
		return (rctx_form_body(req, rc));
	if (req->query_string != NULL && form_parse(&rc->form,
	    req->query_string, strlen(req->query_string)) == -1)
		return (reply_error(req, 400));
	return (STEP_OK);
}

static int
rctx_form_body(struct http_request *req, struct rctx *rc)
{
	const char	*ctype;
	struct sbuf	 body;
	char		 chunk[4096];
	ssize_t		 n;

	if (req->http_body_length == 0)		/* e.g. fetch() with a header */
		return (STEP_OK);
	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/x-www-form-urlencoded", 33))
		return (reply_error(req, 415));
	if (req->http_body_length > KB_FORM_BODY_MAX)
		return (reply_error(req, 413));
	sbuf_init(&body, req->http_body_length + 1);
	for (;;) {
		if ((n = http_body_read(req, chunk, sizeof(chunk))) == -1) {
			sbuf_free(&body);
			return (reply_error(req, 400));
		}
		if (n == 0)
			break;
		sbuf_add(&body, chunk, (size_t)n);
		if (body.len > KB_FORM_BODY_MAX) {
			sbuf_free(&body);
			return (reply_error(req, 413));
		}
	}
	if (form_parse(&rc->form, body.data, body.len) == -1) {
		sbuf_free(&body);
		return (reply_error(req, 400));
	}
	sbuf_free(&body);
	return (STEP_OK);
}

/* May run more than once while a task is still bound: idempotent. */
static void
rctx_free(struct http_request *req)
{
	struct rctx	*rc;
	struct dbq	*q;

	if ((rc = http_state_get(req)) == NULL)
		return;
	if (rc->h != NULL && rc->h->done != NULL)
		rc->h->done(rc);
	auth_cleanup(&rc->auth);
	form_free(&rc->form);
	if (rc->body != NULL) {
		json_decref(rc->body);
		rc->body = NULL;
	}
	for (q = rc->queries; q != NULL; q = q->next)
		db_cleanup(q);
	rc->queries = NULL;
}

static void
rctx_track(struct rctx *rc, struct dbq *q)
{
	struct dbq	*p;

	for (p = rc->queries; p != NULL; p = p->next) {
		if (p == q)
			return;
	}
	q->next = rc->queries;
	rc->queries = q;
}

void
query_send(struct http_request *req, struct dbq *q, const struct db_stmt *st,
    const char *fmt, ...)
{
	va_list	ap;

	if (db_started(q))
		return;
	rctx_track(rctx(req), q);
	db_prefer_replica(q, cache_replica(req));
	va_start(ap, fmt);
	(void)db_sendv(req, q, st, fmt, ap);
	va_end(ap);
}

int
query_or_reply(struct http_request *req, struct dbq *q,
    const struct db_stmt *st, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	if (!db_started(q)) {
		rctx_track(rctx(req), q);
		db_prefer_replica(q, cache_replica(req));
		va_start(ap, fmt);
		r = db_sendv(req, q, st, fmt, ap);
		va_end(ap);
	} else {
		r = db_poll(req, q);
	}
	switch (r) {
	case DB_PENDING:
		return (STEP_WAIT);
	case DB_FAIL:
		return (reply_db_error(req, q));
	}
	return (STEP_OK);
}

int
queries_or_reply(struct http_request *req, struct dbq *first, ...)
{
	va_list		 ap;
	struct dbq	*q, *failed;
	int		 pending;

	pending = 0;
	failed = NULL;
	va_start(ap, first);
	for (q = first; q != NULL; q = va_arg(ap, struct dbq *)) {
		switch (db_poll(req, q)) {
		case DB_PENDING:
			pending = 1;
			break;
		case DB_FAIL:
			if (failed == NULL)
				failed = q;
			break;
		}
	}
	va_end(ap);
	/* Never answer while a query is out: it would be cancelled. */
	if (pending)
		return (STEP_WAIT);
	if (failed != NULL)
		return (reply_db_error(req, failed));
	return (STEP_OK);
}

int
json_or_reply(struct http_request *req, const char *const *allowed)
{
	struct rctx	*rc;
	const char	*ctype;
	struct sbuf	 body;
	char		 chunk[8192];
	ssize_t		 n;
	json_error_t	 jerr;
	json_t		*bad;

	rc = rctx(req);
	if (rc->body != NULL)
		return (STEP_OK);
	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/json", 16) != 0 ||
	    (ctype[16] != '\0' && ctype[16] != ';' && ctype[16] != ' '))
		return (reply_error_code(req, 415, "unsupported_media_type",
		    "Send the request body as application/json.", NULL));
	if (req->http_body_length > KB_API_BODY_MAX)
		return (reply_error_code(req, 413, "payload_too_large",
		    "The request body is larger than 1 MB.", NULL));
	sbuf_init(&body, req->http_body_length + 1);
	for (;;) {
		if ((n = http_body_read(req, chunk, sizeof(chunk))) <= 0)
			break;
		sbuf_add(&body, chunk, (size_t)n);
	}
	rc->body = json_loadb(body.data, body.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	sbuf_free(&body);
	if (rc->body == NULL || n == -1)
		return (reply_error_code(req, 400, "malformed_json",
		    "The request body is not valid JSON (UTF-8, no duplicate "
		    "keys).", NULL));
	if (!json_is_object(rc->body))
		return (reply_error_code(req, 400, "invalid_type",
		    "The request body must be a JSON object.", NULL));
	if (!input_json_fields(rc->body, allowed, &bad))
		return (reply_error_code(req, 422, "validation_failed",
		    "The request has fields this operation does not take.",
		    bad));
	return (STEP_OK);
}

int
path_id_or_404(struct http_request *req, const char *prefix,
    const char *suffix, int64_t *id)
{
	const char	*p;
	size_t		 n;

	if (strncmp(req->path, prefix, strlen(prefix)) != 0)
		return (reply_error(req, 404));
	p = req->path + strlen(prefix);
	n = strspn(p, "0123456789");
	if (n == 0 || n > 15 || p[0] == '0' || strcmp(p + n, suffix) != 0)
		return (reply_error(req, 404));
	*id = strtoll(p, NULL, 10);
	return (STEP_OK);
}

int
cursor_or_reply(struct http_request *req, const char *name, int kind,
    int top_zero, int64_t *key, int64_t *id)
{
	struct rctx	*rc;
	const char	*cur;

	rc = rctx(req);
	if ((cur = form_get(&rc->form, name)) == NULL) {
		if (top_zero) {
			*key = 0;
			*id = 0;
		} else {
			*key = kind == CURSOR_TIME ? CURSOR_TIME_MAX :
			    INT64_MAX;
			*id = INT64_MAX;
		}
		return (STEP_OK);
	}
	if (cursor_decode(cur, strlen(cur), kind, key, id) == -1) {
		if (!(rc->h->flags & H_API))
			return (reply_error(req, 400));
		return (reply_error_code(req, 400, "invalid_cursor",
		    "A field has the wrong type.", json_pack("{s:s}", name,
		    "not a cursor this list gave out")));
	}
	return (STEP_OK);
}

int
keyset_or_reply(struct http_request *req, int kind, int *newer,
    const char **param, const char **given, int64_t *key, int64_t *id)
{
	struct rctx	*rc;
	const char	*name;

	rc = rctx(req);
	*newer = 0;
	name = form_get(&rc->form, "before") != NULL ? "before" :
	    form_get(&rc->form, "cursor") != NULL ? "cursor" : NULL;
	if (form_get(&rc->form, "after") != NULL) {
		if (name != NULL) {
			if (!(rc->h->flags & H_API))
				return (reply_error(req, 400));
			return (reply_error_code(req, 400, "invalid_cursor",
			    "A field has the wrong type.", json_pack("{s:s}",
			    "after", "not with before or cursor")));
		}
		name = "after";
		*newer = 1;
	}
	*param = name != NULL && strcmp(name, "cursor") ? name : "before";
	*given = name != NULL ? form_get(&rc->form, name) : NULL;
	return (cursor_or_reply(req, name != NULL ? name : "before", kind,
	    0, key, id));
}

int
limit_or_reply(struct http_request *req, int64_t def, int64_t *limit)
{
	const char	*v;
	long		 n;

	if ((v = form_get(&rctx(req)->form, "limit")) == NULL) {
		*limit = def;
		return (STEP_OK);
	}
	if (config_parse_int(v, 1, 100, &n) == -1)
		return (reply_error_code(req, 422, "validation_failed",
		    "Some fields are not valid.", json_pack("{s:s}", "limit",
		    "out of range")));
	*limit = n;
	return (STEP_OK);
}

int
input_or_reply(struct http_request *req, const struct input_error *e)
{
	return (reply_error_code(req, e->status, e->code, e->message,
	    e->field != NULL ? json_pack("{s:s}", e->field, e->detail) :
	    NULL));
}

int
input_once_or_reply(struct http_request *req, int rv,
    const struct input_error *e, int *done)
{
	if (rv == -1)
		return (input_or_reply(req, e));
	*done = 1;
	return (STEP_OK);
}

int
owned_or_reply(struct http_request *req, struct dbq *q, const char *gone,
    const char *why)
{
	if (db_isnull(q, 0, 0))
		return (reply_error_code(req, 404, "not_found", gone, NULL));
	if (db_isnull(q, 0, 1))
		return (reply_error_code(req, 403, "forbidden", why, NULL));
	return (STEP_OK);
}
