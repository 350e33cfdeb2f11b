/*
 * resp.c: the single exit for responses.
 *
 * Every response carries the security headers (resp_headers).  Error
 * pages and JSON errors have fixed text chosen by status: nothing from
 * the request (path, query, body) is ever echoed into them.
 */

#include "kblog.h"
#include "httphead.h"

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

void
resp_json(struct http_request *req, int status, const char *json)
{
	http_response_header(req, "cache-control", "no-store");
	resp_send(req, status, "application/json; charset=utf-8",
	    json, strlen(json));
}

/* code and message are constants from this module, never user input. */
void
resp_json_error(struct http_request *req, int status, const char *code,
    const char *message)
{
	struct sbuf	b;

	sbuf_init(&b, 128);
	sbuf_addf(&b, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
	    code, message);
	if (status == 401)
		http_response_header(req, "www-authenticate", "Bearer");
	resp_json(req, status, sbuf_cstr(&b));
	sbuf_free(&b);
}

int
resp_wants_json(struct http_request *req)
{
	const char	*accept;

	if (!strncmp(req->path, "/api/", 5) || !strcmp(req->path, "/ready") ||
	    !strcmp(req->path, "/health"))
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
	json_t				*obj;
	char				*s;
	int				 i;

	st = status_lookup(status);
	sbuf_init(&body, 1024);
	if (json) {
		obj = json_pack("{s:{s:s, s:s}}", "error", "code", st->code,
		    "message", st->message);
		s = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;
		json_decref(obj);
		sbuf_adds(&body, s != NULL ? s : "{}");
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
