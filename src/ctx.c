/*
 * ctx.c: per-request state shared by the page handlers (see kblog.h).
 *
 * Created on a handler's first run, kept across Kore's re-runs while
 * queries and tasks are in flight, and freed by Kore with the request
 * (ctx_free may run more than once: it is idempotent).
 */

#include "kblog.h"

#define FORM_BODY_MAX	KB_FORM_BODY_MAX

static void	ctx_free(struct http_request *);

static void
ctx_free(struct http_request *req)
{
	struct ctx	*c;
	int		 i;

	if ((c = http_state_get(req)) == NULL)
		return;
	auth_cleanup(&c->auth);
	form_free(&c->form);
	for (i = 0; i < CTX_QUERIES; i++)
		db_cleanup(&c->q[i]);
	pw_cleanup(&c->pw);
	for (i = 0; i < (int)(sizeof(c->strs) / sizeof(c->strs[0])); i++) {
		kore_free(c->strs[i]);
		c->strs[i] = NULL;
	}
	for (i = 0; i < (int)(sizeof(c->text) / sizeof(c->text[0])); i++) {
		free(c->text[i]);
		c->text[i] = NULL;
	}
	if (c->json != NULL) {
		json_decref(c->json);
		c->json = NULL;
	}
}

struct ctx *
ctx_get(struct http_request *req)
{
	struct ctx	*c;

	if ((c = http_state_get(req)) == NULL)
		c = http_state_create(req, sizeof(*c), ctx_free);
	return (c);
}

/* Keeps a kore_malloc'd string until the request ends. */
char *
ctx_keep(struct ctx *c, char *s)
{
	size_t	i;

	for (i = 0; i < sizeof(c->strs) / sizeof(c->strs[0]); i++) {
		if (c->strs[i] == NULL) {
			c->strs[i] = s;
			return (s);
		}
	}
	fatal("ctx_keep: full");
}

/* Writes v as a decimal query parameter into c->num[i]. */
void
ctx_num(struct ctx *c, int i, int64_t v)
{
	(void)snprintf(c->num[i], sizeof(c->num[i]), "%lld", (long long)v);
}

/*
 * Reads and parses an urlencoded body once.  1: parsed; 0: an error page
 * was sent (415 wrong type, 413 too large, 400 malformed).
 */
int
ctx_form(struct http_request *req, struct ctx *c)
{
	const char	*ctype;
	struct sbuf	 body;
	char		 chunk[4096];
	ssize_t		 n;

	if (c->form_state == 1)
		return (1);
	if (req->http_body_length == 0) {	/* e.g. fetch() with a header */
		c->form_state = 1;
		return (1);
	}
	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/x-www-form-urlencoded", 33)) {
		resp_error_page(req, 415);
		return (0);
	}
	if (req->http_body_length > FORM_BODY_MAX) {
		resp_error_page(req, 413);
		return (0);
	}
	sbuf_init(&body, req->http_body_length + 1);
	for (;;) {
		n = http_body_read(req, chunk, sizeof(chunk));
		if (n == -1) {
			sbuf_free(&body);
			resp_error_page(req, 400);
			return (0);
		}
		if (n == 0)
			break;
		sbuf_add(&body, chunk, (size_t)n);
		if (body.len > FORM_BODY_MAX) {
			sbuf_free(&body);
			resp_error_page(req, 413);
			return (0);
		}
	}
	if (form_parse(&c->form, body.data, body.len) == -1) {
		sbuf_free(&body);
		resp_error_page(req, 400);
		return (0);
	}
	sbuf_free(&body);
	c->form_state = 1;
	return (1);
}

/* Parses the query string into c->form (GET handlers).  Same contract. */
int
ctx_query(struct http_request *req, struct ctx *c)
{
	if (c->form_state == 1)
		return (1);
	if (req->query_string != NULL &&
	    form_parse(&c->form, req->query_string,
	    strlen(req->query_string)) == -1) {
		resp_error_page(req, 400);
		return (0);
	}
	c->form_state = 1;
	return (1);
}

/*
 * For writes by a logged-in user: a session (else the login page at
 * login, or 401 for scripts), and on POST a parsed form with a valid CSRF
 * token (403).  0 when *ret must be returned: an answer was sent.
 */
int
ctx_write_guard(struct http_request *req, struct ctx *c, const char *login,
    int *ret)
{
	if (c->auth.user_id == 0) {
		if (resp_wants_json(req))
			*ret = resp_error_page(req, 401);
		else
			*ret = resp_redirect(req, login);
		return (0);
	}
	if (req->method != HTTP_METHOD_POST)
		return (1);
	if (!ctx_form(req, c)) {
		*ret = KORE_RESULT_OK;
		return (0);
	}
	if (!auth_csrf_ok(req, &c->auth, &c->form)) {
		*ret = resp_error_page(req, 403);
		return (0);
	}
	return (1);
}
