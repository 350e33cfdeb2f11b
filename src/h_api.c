/*
 * h_api.c: JSON API v1, the twin of every page.
 *
 * One dispatcher for /api/v1/...; each operation is a state machine over
 * struct ctx like the page handlers.  Requests authenticate with
 * "Authorization: Bearer <token>" (no CSRF: nothing ambient) or with the
 * browser's session cookie (then writes need X-CSRF-Token).  Bodies are
 * parsed with jansson (duplicate keys refused, depth limited); unknown
 * fields are a 422 naming them; wrong types a 400.  Errors always have
 * the shape {"error":{"code","message","fields"?}}.
 */

#include <errno.h>

#include <sodium.h>

#include "kblog.h"
#include "assets.h"
#include "cursor.h"
#include "markdown.h"
#include "valid.h"

#define API_BODY_MAX	KB_API_BODY_MAX
#define METADATA_MAX_BYTES	8192	/* compact JSON */
#define METADATA_MAX_DEPTH	16	/* the object itself is level 1 */

enum api_op {
	OP_USERS, OP_USER, OP_TOKENS, OP_TOKEN, OP_ME, OP_POSTS, OP_POST,
	OP_COMMENTS, OP_LIKE, OP_COMMENT, OP_UPLOADS, OP_NONE
};

static int	api_error(struct http_request *, int, const char *,
		    const char *, json_t *);
static int	api_field_error(struct http_request *, int, const char *,
		    const char *, const char *);
static int	api_ok(struct http_request *, int, const char *);
static int	api_list(struct http_request *, struct dbq *, int, int);
static int	api_int_param(struct http_request *, struct ctx *,
		    const char *, int64_t, int64_t, int64_t, int64_t *);

static int	op_register(struct http_request *, struct ctx *);
static int	op_user(struct http_request *, struct ctx *, const char *);
static int	op_token_create(struct http_request *, struct ctx *);
static int	op_tokens(struct http_request *, struct ctx *);
static int	op_token_revoke(struct http_request *, struct ctx *, int64_t);
static int	op_me(struct http_request *, struct ctx *);
static int	op_posts(struct http_request *, struct ctx *);
static int	op_post_create(struct http_request *, struct ctx *);
static int	op_post_get(struct http_request *, struct ctx *, int64_t);
static int	op_post_patch(struct http_request *, struct ctx *, int64_t);
static int	op_post_delete(struct http_request *, struct ctx *, int64_t);
static int	op_comments(struct http_request *, struct ctx *, int64_t);
static int	op_comment_add(struct http_request *, struct ctx *, int64_t);
static int	op_comment_delete(struct http_request *, struct ctx *,
		    int64_t);
static int	op_like(struct http_request *, struct ctx *, int64_t, int);
static int	post_fields(struct http_request *, struct ctx *, int, int *);
static int	json_deeper(json_t *, int);

/* Sends {"error":{...}}; takes ownership of fields (may be NULL). */
static int
api_error(struct http_request *req, int status, const char *code,
    const char *message, json_t *fields)
{
	return (resp_json_error_fields(req, status, code, message, fields));
}

static int
api_field_error(struct http_request *req, int status, const char *code,
    const char *field, const char *message)
{
	return (api_error(req, status, code, status == 400 ?
	    "A field has the wrong type." : "Some fields are not valid.",
	    json_pack("{s:s}", field, message)));
}

int
api_dberr(struct http_request *req, struct dbq *q)
{
	if (db_unavailable(q))
		return (api_error(req, 503, "database_unavailable",
		    "The database is not answering.", NULL));
	return (api_error(req, 500, "internal_error",
	    "Something went wrong on our side.", NULL));
}

/*
 * 429 rate_limited with Retry-After: wait is the seconds a statement
 * computed (at least 1 is sent).  message is a constant.
 */
int
api_rate_limited(struct http_request *req, const char *wait,
    const char *message)
{
	char	retry[16];
	long	n;

	if (wait == NULL || config_parse_int(wait, 1, 86400 * 365, &n) == -1)
		n = 1;
	(void)snprintf(retry, sizeof(retry), "%ld", n);
	http_response_header(req, "retry-after", retry);
	return (api_error(req, 429, "rate_limited", message, NULL));
}

static int
api_ok(struct http_request *req, int status, const char *json)
{
	resp_json(req, status, json);
	return (KORE_RESULT_OK);
}

/*
 * Who is asking.  need_user: 401 when anonymous.  Writes with a cookie
 * need the CSRF header.  0 when *ret must be returned.
 */
int
api_guard(struct http_request *req, struct ctx *c, int need_user, int *ret)
{
	switch (auth_run(req, &c->auth)) {
	case DB_PENDING:
		*ret = KORE_RESULT_RETRY;
		return (0);
	case DB_FAIL:
		*ret = api_dberr(req, &c->auth.q);
		return (0);
	}
	if (c->auth.bad_bearer) {
		*ret = api_error(req, 401, "invalid_token",
		    "The bearer token is not valid or was revoked.", NULL);
		return (0);
	}
	if (need_user && c->auth.user_id == 0) {
		*ret = api_error(req, 401, "unauthorized",
		    "Authenticate with a bearer token or a session.", NULL);
		return (0);
	}
	if (req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_HEAD && c->auth.user_id != 0 &&
	    !auth_csrf_ok(req, &c->auth, NULL)) {
		*ret = api_error(req, 403, "csrf_failed", "Requests with a "
		    "session cookie need the X-CSRF-Token header.", NULL);
		return (0);
	}
	return (1);
}

/*
 * Parses the JSON body once into c->json (an object) and refuses fields
 * not in allowed (NULL-terminated).  0 when *ret must be returned.
 */
int
api_body(struct http_request *req, struct ctx *c, const char **allowed,
    int *ret)
{
	const char	*ctype, *key;
	struct sbuf	 body;
	char		 chunk[8192];
	ssize_t		 n;
	json_error_t	 jerr;
	json_t		*val, *bad;
	int		 i, ok;

	if (c->json != NULL)
		return (1);
	if (!http_request_header(req, "content-type", &ctype) ||
	    strncasecmp(ctype, "application/json", 16) != 0 ||
	    (ctype[16] != '\0' && ctype[16] != ';' && ctype[16] != ' ')) {
		*ret = api_error(req, 415, "unsupported_media_type",
		    "Send the request body as application/json.", NULL);
		return (0);
	}
	if (req->http_body_length > API_BODY_MAX) {
		*ret = api_error(req, 413, "payload_too_large",
		    "The request body is larger than 1 MB.", NULL);
		return (0);
	}
	sbuf_init(&body, req->http_body_length + 1);
	for (;;) {
		if ((n = http_body_read(req, chunk, sizeof(chunk))) <= 0)
			break;
		sbuf_add(&body, chunk, (size_t)n);
	}
	c->json = json_loadb(body.data, body.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	sbuf_free(&body);
	if (c->json == NULL || n == -1) {
		*ret = api_error(req, 400, "malformed_json",
		    "The request body is not valid JSON (UTF-8, no "
		    "duplicate keys).", NULL);
		return (0);
	}
	if (!json_is_object(c->json)) {
		*ret = api_error(req, 400, "invalid_type",
		    "The request body must be a JSON object.", NULL);
		return (0);
	}
	bad = json_object();
	json_object_foreach(c->json, key, val) {
		for (i = 0, ok = 0; allowed[i] != NULL; i++) {
			if (!strcmp(allowed[i], key))
				ok = 1;
		}
		if (!ok)
			json_object_set_new(bad, key,
			    json_string("unknown field"));
	}
	if (json_object_size(bad) > 0) {
		*ret = api_error(req, 422, "validation_failed",
		    "The request has fields this operation does not take.",
		    bad);
		return (0);
	}
	json_decref(bad);
	return (1);
}

/* A string field; *type_ok = 0 when present but not a string. */
const char *
api_str(json_t *obj, const char *name, int *type_ok)
{
	json_t	*v;

	*type_ok = 1;
	if ((v = json_object_get(obj, name)) == NULL || json_is_null(v))
		return (NULL);
	if (!json_is_string(v)) {
		*type_ok = 0;
		return (NULL);
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		*type_ok = 0;		/* an embedded NUL */
		return (NULL);
	}
	return (json_string_value(v));
}

/* ?name=N within [min, max], default def.  0 when a 422 was sent. */
static int
api_int_param(struct http_request *req, struct ctx *c, const char *name,
    int64_t def, int64_t min, int64_t max, int64_t *out)
{
	const char	*v;
	long		 n;

	if ((v = form_get(&c->form, name)) == NULL) {
		*out = def;
		return (1);
	}
	if (config_parse_int(v, min, max, &n) == -1) {
		api_field_error(req, 422, "validation_failed", name,
		    "out of range");
		return (0);
	}
	*out = n;
	return (1);
}

/*
 * A page of a list, {"items":[...],"next_cursor":...}, that never carries
 * unbounded bytes: items go in until the next one would take them past
 * API_PAGE_BYTES (the first always goes in), and the cursor then points
 * at the last item included, so the client pages on from there.
 */
void
api_page_init(struct api_page *pg)
{
	sbuf_init(&pg->b, 4096);
	sbuf_adds(&pg->b, "{\"items\":[");
	pg->bytes = 0;
	pg->n = 0;
}

/* 1 when the item (JSON text) went in, 0 when the page is full. */
int
api_page_add(struct api_page *pg, const char *item)
{
	size_t	len;

	len = strlen(item);
	if (pg->n > 0 && pg->bytes + len + 1 > API_PAGE_BYTES)
		return (0);
	if (pg->n > 0)
		sbuf_addc(&pg->b, ',');
	sbuf_add(&pg->b, item, len);
	pg->bytes += len + 1;
	pg->n++;
	return (1);
}

/* Sends the page; id 0: no next page, else (key, id) of the last item. */
void
api_page_send(struct http_request *req, struct api_page *pg, int kind,
    int64_t key, int64_t id)
{
	char	cur[CURSOR_LEN + 1];

	sbuf_adds(&pg->b, "],\"next_cursor\":");
	if (id > 0 && cursor_encode(cur, sizeof(cur), kind, key, id) == 0)
		sbuf_addf(&pg->b, "\"%s\"}", cur);
	else
		sbuf_adds(&pg->b, "null}");
	resp_json(req, 200, sbuf_cstr(&pg->b));
	sbuf_free(&pg->b);
}

/*
 * ?limit (1..100, default def) and ?cursor of a list ordered by
 * (created_at, id) DESC: *key and *id start after the cursor, or at the
 * top.  0 when an error was sent.
 */
int
api_page_params(struct http_request *req, struct ctx *c, int64_t def,
    int64_t *limit, int64_t *key, int64_t *id)
{
	const char	*cur;

	if (!api_int_param(req, c, "limit", def, 1, 100, limit))
		return (0);
	cur = form_get(&c->form, "cursor");
	if (cur == NULL) {
		*key = CURSOR_TIME_MAX;
		*id = INT64_MAX;
	} else if (cursor_decode(cur, strlen(cur), CURSOR_TIME, key,
	    id) == -1) {
		api_field_error(req, 400, "invalid_cursor", "cursor",
		    "not a cursor this list gave out");
		return (0);
	}
	return (1);
}

/*
 * Sends rows' column 0 (JSON) as a page: the query asked for limit + 1
 * rows; columns 1 and 2 are the cursor key and id.
 */
static int
api_list(struct http_request *req, struct dbq *q, int limit, int kind)
{
	struct api_page	pg;
	int		i, n;

	n = db_ntuples(q);
	api_page_init(&pg);
	for (i = 0; i < n && i < limit; i++) {
		if (!api_page_add(&pg, db_value(q, i, 0)))
			break;
	}
	if (i < n)
		api_page_send(req, &pg, kind,
		    strtoll(db_value(q, i - 1, 1), NULL, 10),
		    strtoll(db_value(q, i - 1, 2), NULL, 10));
	else
		api_page_send(req, &pg, kind, 0, 0);
	return (KORE_RESULT_OK);
}

int
h_api(struct http_request *req)
{
	struct ctx	*c;
	const char	*p, *rest, *allow;
	int64_t		 id;
	int		 op, m;

	p = req->path + strlen("/api/v1");
	m = req->method;
	id = 0;
	rest = "";
	op = OP_NONE;
	allow = NULL;

	if (!strcmp(p, "/openapi.json")) {
		if (m != HTTP_METHOD_GET && m != HTTP_METHOD_HEAD) {
			http_response_header(req, "allow", "GET, HEAD");
			return (api_error(req, 405, "method_not_allowed",
			    "This endpoint does not accept that method.", NULL));
		}
		http_response_header(req, "cache-control", "public, max-age=300");
		resp_json_send(req, 200, (const char *)asset_openapi_json,
		    asset_len_openapi_json);
		return (KORE_RESULT_OK);
	}
	if (!strncmp(p, "/uploads", 8) || !strncmp(p, "/images", 7)) {
		op = OP_UPLOADS;	/* methods are checked there */
		allow = "GET, HEAD, POST, PUT, PATCH, DELETE";
	} else if (!strcmp(p, "/users")) {
		op = OP_USERS;
		allow = "POST";
	} else if (!strncmp(p, "/users/", 7)) {
		if (valid_username(p + 7) != NULL)
			return (api_error(req, 404, "not_found",
			    "No such user.", NULL));
		op = OP_USER;
		allow = "GET, HEAD";
	} else if (!strcmp(p, "/tokens")) {
		op = OP_TOKENS;
		allow = "GET, POST";
	} else if (!strncmp(p, "/tokens/", 8) && path_id(p + 8, &id, &rest) &&
	    *rest == '\0') {
		op = OP_TOKEN;
		allow = "DELETE";
	} else if (!strcmp(p, "/me")) {
		op = OP_ME;
		allow = "GET, HEAD";
	} else if (!strcmp(p, "/posts")) {
		op = OP_POSTS;
		allow = "GET, HEAD, POST";
	} else if (!strncmp(p, "/posts/", 7) && path_id(p + 7, &id, &rest)) {
		if (*rest == '\0') {
			op = OP_POST;
			allow = "GET, HEAD, PATCH, DELETE";
		} else if (!strcmp(rest, "/comments")) {
			op = OP_COMMENTS;
			allow = "GET, HEAD, POST";
		} else if (!strcmp(rest, "/like")) {
			op = OP_LIKE;
			allow = "PUT, DELETE";
		}
	} else if (!strncmp(p, "/comments/", 10) &&
	    path_id(p + 10, &id, &rest) && *rest == '\0') {
		op = OP_COMMENT;
		allow = "DELETE";
	}
	if (op == OP_NONE)
		return (api_error(req, 404, "not_found",
		    "There is no such API endpoint.", NULL));

	if (!((m == HTTP_METHOD_GET && strstr(allow, "GET")) ||
	    (m == HTTP_METHOD_HEAD && strstr(allow, "HEAD")) ||
	    (m == HTTP_METHOD_POST && strstr(allow, "POST")) ||
	    (m == HTTP_METHOD_PUT && strstr(allow, "PUT")) ||
	    (m == HTTP_METHOD_PATCH && strstr(allow, "PATCH")) ||
	    (m == HTTP_METHOD_DELETE && strstr(allow, "DELETE")))) {
		http_response_header(req, "allow", allow);
		return (api_error(req, 405, "method_not_allowed",
		    "This endpoint does not accept that method.", NULL));
	}

	c = ctx_get(req);
	if (c->form_state == 0 && !ctx_query(req, c))
		return (KORE_RESULT_OK);

	switch (op) {
	case OP_UPLOADS:
		return (api_uploads(req, c, p));
	case OP_USERS:
		return (op_register(req, c));
	case OP_USER:
		return (op_user(req, c, p + 7));
	case OP_TOKENS:
		return (m == HTTP_METHOD_POST ? op_token_create(req, c) :
		    op_tokens(req, c));
	case OP_TOKEN:
		return (op_token_revoke(req, c, id));
	case OP_ME:
		return (op_me(req, c));
	case OP_POSTS:
		return (m == HTTP_METHOD_POST ? op_post_create(req, c) :
		    op_posts(req, c));
	case OP_POST:
		if (m == HTTP_METHOD_PATCH)
			return (op_post_patch(req, c, id));
		if (m == HTTP_METHOD_DELETE)
			return (op_post_delete(req, c, id));
		return (op_post_get(req, c, id));
	case OP_COMMENTS:
		return (m == HTTP_METHOD_POST ? op_comment_add(req, c, id) :
		    op_comments(req, c, id));
	case OP_LIKE:
		return (op_like(req, c, id, m == HTTP_METHOD_PUT));
	default:
		return (op_comment_delete(req, c, id));
	}
}

static int
op_register(struct http_request *req, struct ctx *c)
{
	static const char	*fields[] = { "username", "password",
				    "display_name", NULL };
	const char		*user, *pw, *display, *err;
	char			 loc[64];
	int			 ret, r, t1, t2, t3, wait;

	if (!api_guard(req, c, 0, &ret) || !api_body(req, c, fields, &ret))
		return (ret);
	user = api_str(c->json, "username", &t1);
	pw = api_str(c->json, "password", &t2);
	display = api_str(c->json, "display_name", &t3);
	if (!t1 || !t2 || !t3)
		return (api_field_error(req, 400, "invalid_type",
		    !t1 ? "username" : !t2 ? "password" : "display_name",
		    "must be a string"));
	if (display == NULL)
		display = "";

	if (c->step == 0) {
		if ((err = valid_username(user)) != NULL)
			return (api_field_error(req, 422, "validation_failed",
			    "username", err));
		if ((err = valid_password(pw)) != NULL)
			return (api_field_error(req, 422, "validation_failed",
			    "password", err));
		if ((err = valid_display_name(display)) != NULL)
			return (api_field_error(req, 422, "validation_failed",
			    "display_name", err));
		c->step = 1;
	}
	if (c->step == 1) {
		r = register_throttle(req, c, &c->q[1], &wait);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (api_dberr(req, &c->q[1]));
		if (wait > 0)
			return (api_error(req, 429, "rate_limited", "Too many "
			    "accounts were created from your address or on "
			    "this site just now. Please try again later.", NULL));
		c->step = 2;
	}
	if (c->step == 2) {
		if (pw_run(req, &c->pw, PW_HASH, NULL, pw, NULL) == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (!c->pw.res.ok)
			return (api_dberr(req, &c->q[0]));
		c->step = 3;
	}
	r = db_run(req, &c->q[0], 0, sql_api_register, 3, user,
	    c->pw.res.hash, display);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (api_error(req, 409, "username_taken",
		    "That username is taken.", json_pack("{s:s}", "username",
		    "taken")));
	(void)snprintf(loc, sizeof(loc), "/api/v1/users/%s", user);
	http_response_header(req, "location", loc);
	return (api_ok(req, 201, db_value(&c->q[0], 0, 0)));
}

static int
op_user(struct http_request *req, struct ctx *c, const char *name)
{
	int	ret, r;

	if (!api_guard(req, c, 0, &ret))
		return (ret);
	r = db_run(req, &c->q[0], DB_READ, sql_api_user_by_name, 1, name);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (api_error(req, 404, "not_found", "No such user.",
		    NULL));
	return (api_ok(req, 200, db_value(&c->q[0], 0, 0)));
}

static int
op_me(struct http_request *req, struct ctx *c)
{
	int	ret, r;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	ctx_num(c, 0, c->auth.user_id);
	r = db_run(req, &c->q[0], DB_READ, sql_api_user_by_id, 1, c->num[0]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL || db_ntuples(&c->q[0]) != 1)
		return (api_dberr(req, &c->q[0]));
	return (api_ok(req, 200, db_value(&c->q[0], 0, 0)));
}

/*
 * POST /tokens: the login of API clients, throttled like the login form
 * and answering the same for unknown users and wrong passwords.
 */
static int
op_token_create(struct http_request *req, struct ctx *c)
{
	static const char	*fields[] = { "username", "password", "name",
				    NULL };
	struct dbq		*failed;
	const char		*user, *pw, *name;
	char			 retry[16], tok[SEC_TOKEN_LEN + 1];
	json_t			*obj;
	char			*s;
	int			 ret, r, t1, t2, t3, outcome;

	if (!api_guard(req, c, 0, &ret) || !api_body(req, c, fields, &ret))
		return (ret);
	user = api_str(c->json, "username", &t1);
	pw = api_str(c->json, "password", &t2);
	name = api_str(c->json, "name", &t3);
	if (!t1 || !t2 || !t3)
		return (api_field_error(req, 400, "invalid_type",
		    !t1 ? "username" : !t2 ? "password" : "name",
		    "must be a string"));
	if (name == NULL)
		name = "";
	if (valid_text(name, 100, 0) != NULL)
		return (api_field_error(req, 422, "validation_failed", "name",
		    "at most 100 characters of text"));
	if (user == NULL || pw == NULL || *user == '\0' || *pw == '\0' ||
	    strlen(user) > USERNAME_MAX || strlen(pw) > SEC_PW_MAX_BYTES)
		return (api_error(req, 401, "invalid_credentials",
		    "Wrong username or password.", NULL));

	/* Throttled exactly like the login form (login_check). */
	if (c->step == 0) {
		r = login_check(req, c, user, pw, &outcome, &failed);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (api_dberr(req, failed));
		if (outcome == LOGIN_THROTTLED) {
			(void)snprintf(retry, sizeof(retry), "%d", c->status);
			http_response_header(req, "retry-after", retry);
			return (api_error(req, 429, "too_many_requests",
			    "Too many failed attempts; try again later.",
			    NULL));
		}
		if (outcome == LOGIN_BAD)
			return (api_error(req, 401, "invalid_credentials",
			    "Wrong username or password.", NULL));
		if (sec_random_token(c->newtok) == -1)
			fatal("no randomness");
		sec_token_hash_param(c->newtok, c->buf2);
		c->step = 4;
	}

	r = db_run(req, &c->q[2], 0, sql_api_token_create, 6,
	    db_value(&c->q[0], 0, 1), c->buf2, name, user, c->addr,
	    login_lane(c));
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[2]));
	obj = json_loads(db_value(&c->q[2], 0, 0), 0, NULL);
	(void)kore_strlcpy(tok, c->newtok, sizeof(tok));
	if (obj == NULL)
		return (api_dberr(req, &c->q[2]));
	json_object_set_new(obj, "token", json_string(tok));
	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	sodium_memzero(tok, sizeof(tok));
	if (s == NULL)
		return (api_dberr(req, &c->q[2]));
	ret = api_ok(req, 201, s);
	sodium_memzero(s, strlen(s));
	free(s);
	return (ret);
}

static int
op_tokens(struct http_request *req, struct ctx *c)
{
	int64_t	limit, key, id;
	int	ret, r;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	if (c->step == 0) {
		if (!api_page_params(req, c, 100, &limit, &key, &id))
			return (KORE_RESULT_OK);
		ctx_num(c, 0, c->auth.user_id);
		ctx_num(c, 1, key);
		ctx_num(c, 2, id);
		ctx_num(c, 3, limit + 1);
		ctx_num(c, 4, limit);
		c->step = 1;
	}
	r = db_run(req, &c->q[0], DB_READ, sql_api_tokens, 4, c->num[0],
	    c->num[1], c->num[2], c->num[3]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	return (api_list(req, &c->q[0], atoi(c->num[4]), CURSOR_TIME));
}

static int
op_token_revoke(struct http_request *req, struct ctx *c, int64_t id)
{
	int	ret, r;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	ctx_num(c, 0, c->auth.user_id);
	ctx_num(c, 1, id);
	r = db_run(req, &c->q[0], 0, sql_api_token_revoke, 2, c->num[0],
	    c->num[1]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (api_error(req, 404, "not_found", "No such token.",
		    NULL));
	resp_send(req, 204, NULL, NULL, 0);
	return (KORE_RESULT_OK);
}

static int
op_posts(struct http_request *req, struct ctx *c)
{
	const char	*cur, *tag, *author, *q;
	int64_t		 limit, key, id;
	char		 tagbuf[TAG_MAX + 1];
	size_t		 i;
	int		 ret, r, kind;

	if (!api_guard(req, c, 0, &ret))
		return (ret);
	q = form_get(&c->form, "q");
	if (q != NULL && *q == '\0')
		q = NULL;
	kind = q != NULL ? CURSOR_RANK : CURSOR_TIME;

	if (c->step == 0) {
		if (!api_int_param(req, c, "limit", 20, 1, 100, &limit))
			return (KORE_RESULT_OK);
		cur = form_get(&c->form, "cursor");
		if (cur == NULL) {
			key = kind == CURSOR_TIME ? CURSOR_TIME_MAX :
			    INT64_MAX;
			id = INT64_MAX;
		} else if (cursor_decode(cur, strlen(cur), kind, &key,
		    &id) == -1) {
			return (api_field_error(req, 400, "invalid_cursor",
			    "cursor", "not a cursor this list gave out"));
		}
		tag = form_get(&c->form, "tag");
		if (tag != NULL) {
			for (i = 0; i < sizeof(tagbuf) && tag[i] != '\0';
			    i++)
				tagbuf[i] = (char)((tag[i] >= 'A' &&
				    tag[i] <= 'Z') ? tag[i] + 32 : tag[i]);
			if (i == sizeof(tagbuf))
				return (api_field_error(req, 422,
				    "validation_failed", "tag", "not a tag"));
			tagbuf[i] = '\0';
			if (!valid_tag(tagbuf))
				return (api_field_error(req, 422,
				    "validation_failed", "tag", "not a tag"));
			c->text[0] = strdup(tagbuf);
		}
		author = form_get(&c->form, "author");
		if (author != NULL && valid_username(author) != NULL)
			return (api_field_error(req, 422, "validation_failed",
			    "author", "not a username"));
		if (q != NULL && valid_text(q, 200, 0) != NULL)
			return (api_field_error(req, 422, "validation_failed",
			    "q", "at most 200 characters of text"));
		ctx_num(c, 0, c->auth.user_id);
		ctx_num(c, 1, limit + 1);
		ctx_num(c, 2, key);
		ctx_num(c, 3, id);
		ctx_num(c, 4, limit);
		c->step = 1;
	}
	author = form_get(&c->form, "author");
	if (q != NULL)
		r = db_run(req, &c->q[0], DB_READ, sql_api_posts_search, 7,
		    c->num[0], c->num[1], c->num[2], c->num[3], c->text[0],
		    author, q);
	else
		r = db_run(req, &c->q[0], DB_READ, sql_api_posts, 6,
		    c->num[0], c->num[1], c->num[2], c->num[3], c->text[0],
		    author);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	return (api_list(req, &c->q[0], atoi(c->num[4]), kind));
}

static int
op_post_get(struct http_request *req, struct ctx *c, int64_t id)
{
	int	ret, r;

	if (!api_guard(req, c, 0, &ret))
		return (ret);
	ctx_num(c, 0, c->auth.user_id);
	ctx_num(c, 1, id);
	r = db_run(req, &c->q[0], DB_READ, sql_api_post, 2, c->num[0],
	    c->num[1]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (api_error(req, 404, "not_found", "No such post.",
		    NULL));
	return (api_ok(req, 200, db_value(&c->q[0], 0, 0)));
}

/* 1 when v nests more than max levels of objects and arrays. */
static int
json_deeper(json_t *v, int max)
{
	const char	*key;
	json_t		*e;
	size_t		 i;

	if (!json_is_object(v) && !json_is_array(v))
		return (0);
	if (max < 1)
		return (1);
	if (json_is_object(v)) {
		json_object_foreach(v, key, e) {
			if (json_deeper(e, max - 1))
				return (1);
		}
		return (0);
	}
	json_array_foreach(v, i, e) {
		if (json_deeper(e, max - 1))
			return (1);
	}
	return (0);
}

/*
 * Reads and checks the post fields of a create (all but title and body
 * optional) or a patch (all optional) into c->text[] and c->num[]:
 * text[0] html, text[1] excerpt, text[2] tags, text[3] metadata;
 * num[5] published.  0 when *ret must be returned.
 */
static int
post_fields(struct http_request *req, struct ctx *c, int create, int *ret)
{
	static const char	*fields[] = { "title", "body_markdown", "tags",
				    "published", "metadata", NULL };
	const char		*title, *body, *err;
	json_t			*v, *tag;
	struct md_html		 md;
	struct sbuf		 tags;
	char			 norm[TAGS_TEXT_MAX + 1];
	size_t			 i;
	int			 t1, t2;

	if (!api_body(req, c, fields, ret))
		return (0);
	title = api_str(c->json, "title", &t1);
	body = api_str(c->json, "body_markdown", &t2);
	if (!t1 || !t2) {
		*ret = api_field_error(req, 400, "invalid_type",
		    !t1 ? "title" : "body_markdown", "must be a string");
		return (0);
	}
	v = json_object_get(c->json, "published");
	if (v != NULL && !json_is_boolean(v)) {
		*ret = api_field_error(req, 400, "invalid_type", "published",
		    "must be true or false");
		return (0);
	}
	(void)kore_strlcpy(c->num[5], v == NULL ? (create ? "true" : "") :
	    json_is_true(v) ? "true" : "false", sizeof(c->num[5]));
	v = json_object_get(c->json, "metadata");
	if (v != NULL && !json_is_object(v)) {
		*ret = api_field_error(req, 400, "invalid_type", "metadata",
		    "must be an object");
		return (0);
	}
	if (v != NULL)
		c->text[3] = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	else if (create)
		c->text[3] = strdup("{}");
	if (v != NULL && c->text[3] == NULL) {
		*ret = api_dberr(req, &c->q[0]);
		return (0);
	}
	v = json_object_get(c->json, "tags");
	if (v != NULL && !json_is_array(v)) {
		*ret = api_field_error(req, 400, "invalid_type", "tags",
		    "must be an array of strings");
		return (0);
	}
	if (c->text[3] != NULL &&
	    (strlen(c->text[3]) > METADATA_MAX_BYTES ||
	    json_deeper(json_object_get(c->json, "metadata"),
	    METADATA_MAX_DEPTH))) {
		*ret = api_field_error(req, 422, "validation_failed",
		    "metadata", "at most 8,192 bytes of compact JSON, nested "
		    "at most 16 levels deep");
		return (0);
	}

	if (create && title == NULL) {
		*ret = api_field_error(req, 422, "validation_failed", "title",
		    "required");
		return (0);
	}
	if (create && body == NULL) {
		*ret = api_field_error(req, 422, "validation_failed",
		    "body_markdown", "required");
		return (0);
	}
	if (title != NULL && (*title == '\0' ||
	    (err = valid_text(title, TITLE_MAX, 0)) != NULL)) {
		*ret = api_field_error(req, 422, "validation_failed", "title",
		    *title == '\0' ? "must not be empty" :
		    "1 to 200 characters of text");
		return (0);
	}
	if (body != NULL && (strlen(body) > BODY_MAX_BYTES ||
	    valid_text(body, BODY_MAX_BYTES, 1) != NULL)) {
		*ret = api_field_error(req, 422, "validation_failed",
		    "body_markdown", "at most 100,000 bytes of text");
		return (0);
	}
	if (v != NULL) {
		if (json_array_size(v) > TAGS_MAX) {
			*ret = api_field_error(req, 422, "validation_failed",
			    "tags", "at most 10 tags");
			return (0);
		}
		sbuf_init(&tags, 128);
		json_array_foreach(v, i, tag) {
			if (!json_is_string(tag)) {
				sbuf_free(&tags);
				*ret = api_field_error(req, 400, "invalid_type",
				    "tags", "must be an array of strings");
				return (0);
			}
			if (json_string_length(tag) == 0 ||
			    json_string_length(tag) > TAG_MAX ||
			    strcspn(json_string_value(tag), ", \t\r\n") !=
			    json_string_length(tag)) {
				sbuf_free(&tags);
				*ret = api_field_error(req, 422,
				    "validation_failed", "tags", "each tag is "
				    "1 to 32 of letters, digits and '-'");
				return (0);
			}
			if (i > 0)
				sbuf_addc(&tags, ',');
			sbuf_adds(&tags, json_string_value(tag));
		}
		err = valid_tags(sbuf_cstr(&tags), norm, sizeof(norm));
		sbuf_free(&tags);
		if (err != NULL) {
			*ret = api_field_error(req, 422, "validation_failed",
			    "tags", err);
			return (0);
		}
		c->text[2] = strdup(norm);
	}
	if (body != NULL) {
		if (markdown_render(&md, body, strlen(body)) == -1) {
			if (errno == E2BIG)
				*ret = api_field_error(req, 422,
				    "validation_failed", "body_markdown",
				    "too complex to render (e.g. a table row "
				    "with hundreds of cells)");
			else
				*ret = api_dberr(req, &c->q[0]);
			return (0);
		}
		c->text[0] = md.data;	/* malloc'd: freed with the ctx */
		if ((c->text[1] = markdown_excerpt(body, strlen(body),
		    MARKDOWN_EXCERPT_BYTES)) == NULL) {
			*ret = api_dberr(req, &c->q[0]);
			return (0);
		}
	}
	return (1);
}

static int
op_post_create(struct http_request *req, struct ctx *c)
{
	char	loc[64];
	int	ret, r, t;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	if (c->step == 0) {
		if (!post_fields(req, c, 1, &ret))
			return (ret);
		ctx_num(c, 0, c->auth.user_id);
		ctx_num(c, 6, kb_cfg.posts_per_hour);
		c->step = 1;
	}
	r = db_run(req, &c->q[0], 0, sql_api_post_create, 9, c->num[0],
	    api_str(c->json, "title", &t),
	    api_str(c->json, "body_markdown", &t), c->text[0], c->text[1],
	    c->text[2] ? c->text[2] : "", c->num[5], c->text[3], c->num[6]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 1))
		return (api_rate_limited(req, db_value(&c->q[0], 0, 2),
		    "You are creating posts faster than your limit allows. "
		    "Please wait a few minutes and try again."));
	(void)snprintf(loc, sizeof(loc), "/api/v1/posts/%s",
	    db_value(&c->q[0], 0, 1));
	http_response_header(req, "location", loc);
	return (api_ok(req, 201, db_value(&c->q[0], 0, 0)));
}

static int
op_post_patch(struct http_request *req, struct ctx *c, int64_t id)
{
	int	ret, r, t;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	if (c->step == 0) {
		if (!post_fields(req, c, 0, &ret))
			return (ret);
		ctx_num(c, 0, c->auth.user_id);
		ctx_num(c, 1, id);
		c->step = 1;
	}
	r = db_run(req, &c->q[0], 0, sql_api_post_update, 9, c->num[0],
	    c->num[1], api_str(c->json, "title", &t),
	    api_str(c->json, "body_markdown", &t), c->text[0], c->text[1],
	    c->text[2], *c->num[5] ? c->num[5] : NULL, c->text[3]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 0))
		return (api_error(req, 404, "not_found", "No such post.",
		    NULL));
	if (db_isnull(&c->q[0], 0, 1))
		return (api_error(req, 403, "forbidden",
		    "Only its author can change a post.", NULL));
	return (api_ok(req, 200, db_value(&c->q[0], 0, 1)));
}

static int
op_post_delete(struct http_request *req, struct ctx *c, int64_t id)
{
	int	ret, r;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	ctx_num(c, 0, id);
	ctx_num(c, 1, c->auth.user_id);
	r = db_run(req, &c->q[0], 0, sql_post_delete, 2, c->num[0], c->num[1]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 0))
		return (api_error(req, 404, "not_found", "No such post.",
		    NULL));
	if (db_isnull(&c->q[0], 0, 1))
		return (api_error(req, 403, "forbidden",
		    "Only its author can delete a post.", NULL));
	resp_send(req, 204, NULL, NULL, 0);
	return (KORE_RESULT_OK);
}

static int
op_comments(struct http_request *req, struct ctx *c, int64_t id)
{
	const char	*cur;
	int64_t		 limit, key, cid;
	int		 ret, r0, r1;

	if (!api_guard(req, c, 0, &ret))
		return (ret);
	if (c->step == 0) {
		if (!api_int_param(req, c, "limit", 100, 1, 100, &limit))
			return (KORE_RESULT_OK);
		key = 0;
		cid = 0;
		cur = form_get(&c->form, "cursor");
		if (cur != NULL && cursor_decode(cur, strlen(cur), CURSOR_TIME,
		    &key, &cid) == -1)
			return (api_field_error(req, 400, "invalid_cursor",
			    "cursor", "not a cursor this list gave out"));
		ctx_num(c, 0, c->auth.user_id);
		ctx_num(c, 1, id);
		ctx_num(c, 2, key);
		ctx_num(c, 3, cid);
		ctx_num(c, 4, limit + 1);
		ctx_num(c, 5, limit);
		c->step = 1;
	}
	r0 = db_run(req, &c->q[0], DB_READ, sql_api_post_visible, 2,
	    c->num[0], c->num[1]);
	r1 = db_run(req, &c->q[1], DB_READ, sql_api_comments, 5, c->num[0],
	    c->num[1], c->num[2], c->num[3], c->num[4]);
	if (r0 == DB_PENDING || r1 == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r0 == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (r1 == DB_FAIL)
		return (api_dberr(req, &c->q[1]));
	if (db_ntuples(&c->q[0]) != 1)
		return (api_error(req, 404, "not_found", "No such post.",
		    NULL));
	return (api_list(req, &c->q[1], atoi(c->num[5]), CURSOR_TIME));
}

static int
op_comment_add(struct http_request *req, struct ctx *c, int64_t id)
{
	static const char	*fields[] = { "body", NULL };
	const char		*body;
	int			 ret, r, t;

	if (!api_guard(req, c, 1, &ret) || !api_body(req, c, fields, &ret))
		return (ret);
	body = api_str(c->json, "body", &t);
	if (!t)
		return (api_field_error(req, 400, "invalid_type", "body",
		    "must be a string"));
	if (body == NULL || strspn(body, " \t\r\n") == strlen(body) ||
	    valid_text(body, COMMENT_MAX, 1) != NULL)
		return (api_field_error(req, 422, "validation_failed", "body",
		    "1 to 5,000 characters of text"));
	ctx_num(c, 0, c->auth.user_id);
	ctx_num(c, 1, id);
	ctx_num(c, 2, kb_cfg.comments_per_hour);
	r = db_run(req, &c->q[0], 0, sql_api_comment_add, 4, c->num[0],
	    c->num[1], body, c->num[2]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (api_error(req, 404, "not_found", "No such post.",
		    NULL));
	if (db_isnull(&c->q[0], 0, 0))
		return (api_rate_limited(req, db_value(&c->q[0], 0, 1),
		    "You are writing comments faster than your limit "
		    "allows. Please wait a few minutes and try again."));
	return (api_ok(req, 201, db_value(&c->q[0], 0, 0)));
}

static int
op_comment_delete(struct http_request *req, struct ctx *c, int64_t id)
{
	int	ret, r;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	ctx_num(c, 0, id);
	ctx_num(c, 1, c->auth.user_id);
	r = db_run(req, &c->q[0], 0, sql_comment_delete, 2, c->num[0],
	    c->num[1]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 0))
		return (api_error(req, 404, "not_found", "No such comment.",
		    NULL));
	if (db_isnull(&c->q[0], 0, 1))
		return (api_error(req, 403, "forbidden", "Only the comment's "
		    "author or the post's author can delete it.", NULL));
	resp_send(req, 204, NULL, NULL, 0);
	return (KORE_RESULT_OK);
}

static int
op_like(struct http_request *req, struct ctx *c, int64_t id, int like)
{
	char	out[96];
	int	ret, r;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	ctx_num(c, 0, id);
	ctx_num(c, 1, c->auth.user_id);
	r = db_run(req, &c->q[0], 0, like ? sql_like : sql_unlike, 2,
	    c->num[0], c->num[1]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 0))
		return (api_error(req, 404, "not_found", "No such post.",
		    NULL));
	(void)snprintf(out, sizeof(out), "{\"liked\":%s,\"like_count\":%s}",
	    like ? "true" : "false", db_value(&c->q[0], 0, 1));
	return (api_ok(req, 200, out));
}
