/*
 * status.c: what every answer shares (see status.h).
 *
 * Owns the status texts, the security headers and the error bodies.
 * Never sees a request: reply.c sends answers, framing.c refuses
 * connections' heads with status_raw_error().
 */

#include <stdlib.h>
#include <string.h>

#include "core/site.h"
#include "lib/httphead.h"
#include "web/render.h"
#include "web/status.h"


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


const struct status_text *
status_lookup(int status)
{
	int		i;

	for (i = 0; status_texts[i].status != 0; i++) {
		if (status_texts[i].status == status)
			return (&status_texts[i]);
	}
	return (status == 500 ? &status_texts[0] : status_lookup(500));
}

const char *const	status_security_headers[][2] = {
	{ "content-security-policy", NULL },	/* kb_csp */
	{ "x-content-type-options", "nosniff" },
	{ "referrer-policy", "strict-origin-when-cross-origin" },
	{ "x-frame-options", "DENY" },
	{ NULL, NULL }
};

char *
status_envelope(const char *code, const char *message, json_t *fields)
{
	return (status_envelope_with(code, message, fields, NULL, NULL));
}

char *
status_envelope_with(const char *code, const char *message, json_t *fields,
    const char *name, json_t *value)
{
	json_t	*obj;
	char	*s;

	s = NULL;
	obj = json_pack("{s:{s:s, s:s}}", "error", "code", code,
	    "message", message);
	if (obj != NULL && fields != NULL && json_object_size(fields) > 0)
		(void)json_object_set(json_object_get(obj, "error"), "fields",
		    fields);
	if (obj != NULL && name != NULL && value != NULL)
		(void)json_object_set(json_object_get(obj, "error"), name,
		    value);
	if (obj != NULL)
		s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	json_decref(fields);
	json_decref(value);
	return (s);
}

void
status_raw_error(struct sbuf *out, int status, int json)
{
	const struct status_text	*st;
	struct html			 page;
	struct sbuf			 body;
	char				*s;
	int				 i;

	st = status_lookup(status);
	sbuf_init(&body, 1024);
	if (json) {
		s = status_envelope(st->code, st->message, NULL);
		sbuf_adds(&body, s != NULL ? s : JSON_OOM);
		free(s);
	} else {
		html_init(&page, 1024);
		render_error_page(&page, st->title, st->message);
		sbuf_add(&body, html_data(&page), html_len(&page));
		html_free(&page);
	}

	sbuf_addf(out, "HTTP/1.1 %d %s\r\nserver: kblog\r\n"
	    "content-type: %s\r\ncontent-length: %zu\r\n"
	    "connection: close\r\ncache-control: no-store\r\n", status,
	    httphead_status_text(status), json ? JSON_CTYPE : HTML_CTYPE,
	    body.len);
	for (i = 0; status_security_headers[i][0] != NULL; i++)
		sbuf_addf(out, "%s: %s\r\n", status_security_headers[i][0],
		    status_security_headers[i][1] ? status_security_headers[i][1] : kb_csp);
	sbuf_adds(out, "\r\n");
	sbuf_add(out, body.data, body.len);
	sbuf_free(&body);
}
