/*
 * reply.c: the single exit for answers (see reply.h).
 *
 * Owns the status texts and the security headers.  Never reads the
 * request's path, query or body into an answer.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/site.h"
#include "lib/etag.h"
#include "lib/gz.h"
#include "web/auth.h"
#include "web/cache.h"
#include "web/framing.h"
#include "web/render.h"
#include "web/reply.h"
#include "web/request.h"
#include "web/status.h"

void
reply_headers(struct http_request *req)
{
	int	i;

	for (i = 0; status_security_headers[i][0] != NULL; i++)
		http_response_header(req, status_security_headers[i][0],
		    status_security_headers[i][1] ? status_security_headers[i][1] : kb_csp);
	framing_response(req);
}

int
reply_send(struct http_request *req, int status, const char *ctype,
    const void *body, size_t len)
{
	cache_wrote(req, status);
	reply_headers(req);
	if (ctype != NULL)
		http_response_header(req, "content-type", ctype);
	if (status == 304)
		req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;
	http_response(req, status, body, len);
	return (STEP_DONE);
}

/* The client takes gzip, and this body is worth compressing. */
static int
reply_gzip_ok(struct http_request *req, const char *ctype, size_t len)
{
	const char	*ae;

	return (len >= REPLY_GZIP_MIN && ctype != NULL &&
	    gz_compressible(ctype) &&
	    http_request_header(req, "accept-encoding", &ae) &&
	    gz_accept(ae, strlen(ae)) == GZ_GZIP);
}

int
reply_text(struct http_request *req, int status, const char *ctype,
    const void *body, size_t len, const char *cache)
{
	http_response_header(req, "cache-control", cache);
	return (reply_send(req, status, ctype, body, len));
}

int
reply_public(struct http_request *req, int status, const char *ctype,
    const void *body, size_t len, const char *etag, int gzip)
{
	struct sbuf	 gz;
	const char	*inm;
	char		 cc[96];

	(void)snprintf(cc, sizeof(cc), "public, max-age=%ld, "
	    "stale-while-revalidate=%ld", kb_cfg.cache_max_age,
	    kb_cfg.cache_stale);
	http_response_header(req, "cache-control", cc);
	http_response_header(req, "vary", "Accept-Encoding, Cookie, "
	    "Authorization");
	sbuf_init(&gz, 0);
	/* Rendered for this request alone: compressed now if wanted. */
	if (!gzip && (etag == NULL || *etag == '\0') &&
	    reply_gzip_ok(req, ctype, len) &&
	    gz_compress(&gz, body, len, REPLY_GZIP_LEVEL) == 0) {
		body = gz.data;
		len = gz.len;
		gzip = 1;
	}
	if (etag != NULL && *etag != '\0') {
		http_response_header(req, "etag", etag);
		if (http_request_header(req, "if-none-match", &inm) &&
		    etag_none_match(inm, strlen(inm), etag)) {
			sbuf_free(&gz);
			return (reply_send(req, 304, NULL, NULL, 0));
		}
	}
	if (gzip)
		http_response_header(req, "content-encoding", "gzip");
	(void)reply_send(req, status, ctype, body, len);
	sbuf_free(&gz);
	return (STEP_DONE);
}

/*
 * Sends a serialized JSON document with '<', '>' and '&' rewritten as
 * \u003c, \u003e, \u0026 (html_json_safe: exact on any JSON document,
 * see lib/html.c), so that no response can open a tag or an entity when
 * it is pasted into a page or read as HTML by mistake.  Whoever built it
 * (PostgreSQL, jansson, a constant), it goes out through here.
 */
int
reply_json_text(struct http_request *req, int status, const char *json,
    size_t len, const char *cache)
{
	struct sbuf	b;
	size_t		i;

	for (i = 0; i < len && json[i] != '<' && json[i] != '>' &&
	    json[i] != '&'; i++)
		;
	sbuf_init(&b, i == len ? 0 : len + 64);
	if (i < len) {
		(void)html_json_safe(&b, json, len);
		json = b.data;
		len = b.len;
	}
	/* Shared reads may be public (and stored): web/cache.c decides. */
	if (cache == NULL)
		(void)cache_json(req, status, json, len);
	else
		(void)reply_text(req, status, JSON_CTYPE, json, len, cache);
	sbuf_free(&b);
	return (STEP_DONE);
}

int
reply_json_dumped(struct http_request *req, int status, char *s)
{
	if (s == NULL)
		return (reply_json_text(req, 500, JSON_OOM, strlen(JSON_OOM),
		    NULL));
	(void)reply_json_text(req, status, s, strlen(s), NULL);
	free(s);
	return (STEP_DONE);
}

int
reply_json(struct http_request *req, int status, json_t *obj)
{
	char	*s;

	s = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (s == NULL)
		return (reply_json_text(req, 500, JSON_OOM, strlen(JSON_OOM),
		    NULL));
	(void)reply_json_text(req, status, s, strlen(s), NULL);
	explicit_bzero(s, strlen(s));	/* it may hold a new token */
	free(s);
	return (STEP_DONE);
}

int
reply_wants_json(struct http_request *req)
{
	struct rctx	*rc;
	const char	*accept;

	if ((rc = http_state_get(req)) != NULL && rc->h != NULL &&
	    (rc->h->flags & H_API))
		return (1);
	if (!strncmp(req->path, "/api/", 5) || !strcmp(req->path, "/api") ||
	    !strcmp(req->path, "/ready") || !strcmp(req->path, "/health"))
		return (1);
	if (http_request_header(req, "accept", &accept) &&
	    strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/html") == NULL)
		return (1);
	return (0);
}

int
reply_error_code(struct http_request *req, int status, const char *code,
    const char *message, json_t *fields)
{
	const struct status_text	*st;
	struct html			 h;
	char				*s;

	cache_failed(req, status);
	if (!reply_wants_json(req)) {
		json_decref(fields);
		st = status_lookup(status);
		html_init(&h, 1024);
		render_error_page(&h, st->title, st->message);
		(void)reply_text(req, status, HTML_CTYPE, html_data(&h),
		    html_len(&h), "no-store");
		html_free(&h);
		return (STEP_DONE);
	}
	s = status_envelope(code, message, fields);
	if (status == 401)
		http_response_header(req, "www-authenticate", "Bearer");
	(void)reply_json_text(req, status, s != NULL ? s : JSON_OOM,
	    strlen(s != NULL ? s : JSON_OOM), NULL);
	free(s);
	return (STEP_DONE);
}

int
reply_error_with(struct http_request *req, int status, const char *code,
    const char *message, const char *name, json_t *value)
{
	char	*s;

	s = status_envelope_with(code, message, NULL, name, value);
	(void)reply_json_text(req, status, s != NULL ? s : JSON_OOM,
	    strlen(s != NULL ? s : JSON_OOM), NULL);
	free(s);
	return (STEP_DONE);
}

int
reply_error(struct http_request *req, int status)
{
	const struct status_text	*st;

	st = status_lookup(status);
	return (reply_error_code(req, status, st->code, st->message, NULL));
}

int
reply_db_error(struct http_request *req, const struct dbq *q)
{
	if (db_unavailable(q))
		return (reply_error_code(req, 503, "database_unavailable",
		    "The database is not answering.", NULL));
	return (reply_error_code(req, 500, "internal_error",
	    "Something went wrong on our side.", NULL));
}

void
reply_retry_after(struct http_request *req, int seconds)
{
	char	buf[16];

	(void)snprintf(buf, sizeof(buf), "%d", seconds < 1 ? 1 : seconds);
	http_response_header(req, "retry-after", buf);
}

int
reply_rate_limited(struct http_request *req, int seconds, const char *message)
{
	reply_retry_after(req, seconds);
	return (reply_error_code(req, 429, "rate_limited", message, NULL));
}

int
reply_method_not_allowed(struct http_request *req, const char *allow)
{
	http_response_header(req, "allow", allow);
	return (reply_error(req, 405));
}

/* A redirect: never the page a shared read was rendering (cache.h). */
static int
reply_location(struct http_request *req, int status, const char *location,
    const char *cache)
{
	cache_failed(req, status);
	http_response_header(req, "location", location);
	http_response_header(req, "cache-control", cache);
	return (reply_send(req, status, NULL, NULL, 0));
}

int
reply_redirect(struct http_request *req, const char *location)
{
	return (reply_location(req, 303, location, "no-store"));
}

int
reply_moved(struct http_request *req, const char *location)
{
	return (reply_location(req, 301, location, "public, max-age=300"));
}

int
reply_not_modified(struct http_request *req, const char *etag,
    const char *last_modified, const char *cache)
{
	if (etag != NULL)
		http_response_header(req, "etag", etag);
	if (last_modified != NULL)
		http_response_header(req, "last-modified", last_modified);
	if (cache != NULL)
		http_response_header(req, "cache-control", cache);
	return (reply_send(req, 304, NULL, NULL, 0));
}

int
reply_no_content(struct http_request *req)
{
	return (reply_send(req, 204, NULL, NULL, 0));
}

int
reply_json_or_redirect(struct http_request *req, json_t *obj,
    const char *loc)
{
	if (reply_wants_json(req))
		return (reply_json(req, 200, obj));
	json_decref(obj);
	return (reply_redirect(req, loc));
}

const char *
reply_rate_text(struct http_request *req, char *buf, size_t len, int wait,
    const char *what)
{
	int	minutes;

	reply_retry_after(req, wait);
	minutes = (wait < 1 ? 1 : wait + 59) / 60;
	if (minutes < 1)
		minutes = 1;
	(void)snprintf(buf, len, "You are writing %s faster than the limit "
	    "allows. Please try again in %d minute%s; your text is kept "
	    "here.", what, minutes, minutes == 1 ? "" : "s");
	return (buf);
}

int
reply_page(struct http_request *req, struct auth *a, int status,
    struct html *h)
{
	auth_cookies(req, a);
	return (reply_text(req, status, HTML_CTYPE, html_data(h),
	    html_len(h), "no-store"));
}
