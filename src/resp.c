/*
 * resp.c: the single exit for responses.
 *
 * Every response carries the security headers (resp_headers).  Error
 * pages and JSON errors have fixed text chosen by status: nothing from
 * the request (path, query, body) is ever echoed into them.  Every JSON
 * body leaves through resp_json_send(), which makes it safe inside HTML,
 * and every JSON error is built by resp_json_error_fields(), the one
 * envelope {"error":{"code","message","fields"?}}.
 */

#include "kblog.h"
#include "html.h"
#include "httphead.h"

#define JSON_CTYPE	"application/json; charset=utf-8"
#define JSON_OOM	"{\"error\":{\"code\":\"internal_error\"," \
			"\"message\":\"Out of memory.\"}}"

struct status_text {
	int		 status;
	const char	*code;
	const char	*title;
	const char	*message;
};

static const struct status_text	status_texts[] = {
	{ 400, "bad_request", "Bad request",
	    "The request could not be understood." },
	{ 401, "unauthorized", "Please log in",
	    "You need to log in to do that." },
	{ 403, "forbidden", "Forbidden",
	    "You are not allowed to do that." },
	{ 404, "not_found", "Not found",
	    "There is nothing at this address." },
	{ 405, "method_not_allowed", "Method not allowed",
	    "This address does not accept that method." },
	{ 409, "conflict", "Conflict",
	    "That conflicts with something that already exists." },
	{ 411, "length_required", "Length required",
	    "Send the request body with a Content-Length header "
	    "(Transfer-Encoding is not accepted)." },
	{ 413, "payload_too_large", "Too large",
	    "What you sent is larger than allowed." },
	{ 414, "uri_too_long", "Address too long",
	    "The address of the request is too long." },
	{ 415, "unsupported_media_type", "Unsupported media type",
	    "Send the request body as application/json." },
	{ 422, "validation_failed", "Invalid input",
	    "Some fields are not valid." },
	{ 429, "too_many_requests", "Too many attempts",
	    "Too many attempts. Please wait a while and try again." },
	{ 431, "header_fields_too_large", "Request headers too large",
	    "The request has too many or too large header fields." },
	{ 500, "internal_error", "Something went wrong",
	    "Something went wrong on our side. Please try again." },
	{ 501, "not_implemented", "Not implemented",
	    "The blog does not support that request method." },
	{ 503, "unavailable", "Temporarily unavailable",
	    "The blog is temporarily unavailable. Please try again in a "
	    "moment." },
	{ 505, "http_version_not_supported", "HTTP version not supported",
	    "Use HTTP/1.1." },
	{ 0, NULL, NULL, NULL }
};


static const struct status_text	*status_lookup(int);

static const struct status_text *
status_lookup(int status)
{
	int		i;

	for (i = 0; status_texts[i].status != 0; i++) {
		if (status_texts[i].status == status)
			return (&status_texts[i]);
	}
	return (status == 500 ? &status_texts[0] : status_lookup(500));
}

/* The security headers of every response kblog sends. */
static const char *const	security_headers[][2] = {
	{ "content-security-policy", NULL },	/* kb_csp */
	{ "x-content-type-options", "nosniff" },
	{ "referrer-policy", "strict-origin-when-cross-origin" },
	{ "x-frame-options", "DENY" },
	{ NULL, NULL }
};

void
resp_headers(struct http_request *req)
{
	int	i;

	for (i = 0; security_headers[i][0] != NULL; i++)
		http_response_header(req, security_headers[i][0],
		    security_headers[i][1] ? security_headers[i][1] : kb_csp);
	framing_response(req);
}

void
resp_send(struct http_request *req, int status, const char *ctype,
    const void *body, size_t len)
{
	resp_headers(req);
	if (ctype != NULL)
		http_response_header(req, "content-type", ctype);
	http_response(req, status, body, len);
}

/*
 * Sends a serialized JSON document with '<', '>' and '&' rewritten as
 * \u003c, \u003e, \u0026 (html_json_safe: exact on any JSON document,
 * see html.c), so that no response can open a tag or an entity when it
 * is pasted into a page or read as HTML by mistake.  Whoever built it
 * (PostgreSQL, jansson, a constant), it goes out through here.  No cache
 * policy: resp_json() adds no-store, other callers their own.
 */
void
resp_json_send(struct http_request *req, int status, const char *json,
    size_t len)
{
	struct sbuf	b;
	size_t		i;

	for (i = 0; i < len && json[i] != '<' && json[i] != '>' &&
	    json[i] != '&'; i++)
		;
	if (i == len) {
		resp_send(req, status, JSON_CTYPE, json, len);
		return;
	}
	sbuf_init(&b, len + 64);
	(void)html_json_safe(&b, json, len);
	resp_send(req, status, JSON_CTYPE, b.data, b.len);
	sbuf_free(&b);
}

void
resp_json(struct http_request *req, int status, const char *json)
{
	http_response_header(req, "cache-control", "no-store");
	resp_json_send(req, status, json, strlen(json));
}

/*
 * The error envelope, for the API, the local store and the page scripts
 * alike: {"error":{"code":"...","message":"...","fields":{...}}}.  code
 * and message are constants from this module, never request text; fields
 * (an object naming the offending fields, or NULL) is consumed.  401s
 * name the Bearer scheme.  Always KORE_RESULT_OK.
 */
static char *
error_envelope(const char *code, const char *message, json_t *fields)
{
	json_t	*obj;
	char	*s;

	s = NULL;
	obj = json_pack("{s:{s:s, s:s}}", "error", "code", code,
	    "message", message);
	if (obj != NULL && fields != NULL && json_object_size(fields) > 0)
		(void)json_object_set(json_object_get(obj, "error"), "fields",
		    fields);
	if (obj != NULL)
		s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	json_decref(fields);
	return (s);
}

int
resp_json_error_fields(struct http_request *req, int status,
    const char *code, const char *message, json_t *fields)
{
	char	*s;

	s = error_envelope(code, message, fields);
	if (status == 401)
		http_response_header(req, "www-authenticate", "Bearer");
	resp_json(req, status, s != NULL ? s : JSON_OOM);
	free(s);
	return (KORE_RESULT_OK);
}

void
resp_json_error(struct http_request *req, int status, const char *code,
    const char *message)
{
	(void)resp_json_error_fields(req, status, code, message, NULL);
}

int
resp_wants_json(struct http_request *req)
{
	const char	*accept;

	if (!strncmp(req->path, "/api/", 5) || !strcmp(req->path, "/api") ||
	    !strcmp(req->path, "/ready") || !strcmp(req->path, "/health"))
		return (1);
	if (http_request_header(req, "accept", &accept) &&
	    strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/html") == NULL)
		return (1);
	return (0);
}

/* The HTML error page of a status: fixed texts only. */
static void
error_page_body(struct sbuf *b, const struct status_text *st)
{
	sbuf_addf(b,
	    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>%s - kblog</title>"
	    "<link rel=\"stylesheet\" href=\"%s\"></head>"
	    "<body><main class=\"error-page\"><h1>%s</h1><p>%s</p>"
	    "<p><a href=\"/\">Back to the home page</a></p></main>"
	    "</body></html>\n", st->title, static_path("style.css"), st->title,
	    st->message);
}

int
resp_error_page(struct http_request *req, int status)
{
	const struct status_text	*st;
	struct sbuf			 b;

	st = status_lookup(status);
	if (resp_wants_json(req)) {
		resp_json_error(req, status, st->code, st->message);
		return (KORE_RESULT_OK);
	}

	sbuf_init(&b, 1024);
	error_page_body(&b, st);
	http_response_header(req, "cache-control", "no-store");
	resp_send(req, status, "text/html; charset=utf-8", b.data, b.len);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

/*
 * A whole HTTP/1.1 error response, for the requests framing.c refuses
 * before Kore has made a request of them: the same headers and bodies
 * as resp_error_page(), and "connection: close".
 */
void
resp_raw_error(struct sbuf *out, int status, int json)
{
	const struct status_text	*st;
	struct sbuf			 body;
	char				*s;
	int				 i;

	st = status_lookup(status);
	sbuf_init(&body, 1024);
	if (json) {
		s = error_envelope(st->code, st->message, NULL);
		sbuf_adds(&body, s != NULL ? s : JSON_OOM);
		free(s);
	} else {
		error_page_body(&body, st);
	}

	sbuf_addf(out, "HTTP/1.1 %d %s\r\nserver: kblog\r\n"
	    "content-type: %s\r\ncontent-length: %zu\r\n"
	    "connection: close\r\ncache-control: no-store\r\n", status,
	    httphead_status_text(status), json ?
	    "application/json; charset=utf-8" : "text/html; charset=utf-8",
	    body.len);
	for (i = 0; security_headers[i][0] != NULL; i++)
		sbuf_addf(out, "%s: %s\r\n", security_headers[i][0],
		    security_headers[i][1] ? security_headers[i][1] : kb_csp);
	sbuf_adds(out, "\r\n");
	sbuf_add(out, body.data, body.len);
	sbuf_free(&body);
}

int
resp_method_not_allowed(struct http_request *req, const char *allow)
{
	http_response_header(req, "allow", allow);
	return (resp_error_page(req, 405));
}

/* 303 See Other.  location is a local path this module built or checked
 * with safe_local_path(). */
int
resp_redirect(struct http_request *req, const char *location)
{
	http_response_header(req, "location", location);
	http_response_header(req, "cache-control", "no-store");
	resp_send(req, 303, NULL, NULL, 0);
	return (KORE_RESULT_OK);
}
