/*
 * reply.h: every answer kblog sends leaves through here.
 *
 * Every response carries the security headers (reply_headers).  Errors
 * have fixed texts chosen by status, never anything from the request:
 * an HTML page, or for the API (and scripts that ask for JSON) the one
 * error envelope {"error":{"code","message","fields"?}}.  JSON bodies
 * are built with jansson (or by PostgreSQL) and go out through
 * reply_json_text(), which makes them safe to paste into HTML.
 *
 * Every reply_* returns STEP_DONE (web/handler.h), so a handler says
 * "return (reply_error(req, 404));".
 */

#ifndef KBLOG_WEB_REPLY_H
#define KBLOG_WEB_REPLY_H

#include <kore/kore.h>
#include <kore/http.h>

#include <jansson.h>

#include "db/db.h"
#include "lib/html.h"

struct auth;

/* The security headers (and the framing close, see framing.h). */
void	reply_headers(struct http_request *);
/* 1 when the answer should be JSON: the API, or a script's Accept. */
int	reply_wants_json(struct http_request *);

/* An error by status: a page, or the envelope with a stable code. */
int	reply_error(struct http_request *, int status);
/* The envelope with a code and message of the caller's (constants);
 * fields (or NULL) is consumed.  HTML callers get the status's page. */
int	reply_error_code(struct http_request *, int status, const char *code,
	    const char *message, json_t *fields);
/* The envelope (JSON only) with one more member: name, value (consumed). */
int	reply_error_with(struct http_request *, int status, const char *code,
	    const char *message, const char *name, json_t *value);
/* A query failed: 503 when the database is away, else 500. */
int	reply_db_error(struct http_request *, const struct dbq *);
/* 429 with Retry-After (seconds, at least 1). */
void	reply_retry_after(struct http_request *, int seconds);
int	reply_rate_limited(struct http_request *, int seconds,
	    const char *message);
int	reply_method_not_allowed(struct http_request *, const char *allow);

/* 303 See Other to a local path this module built or checked. */
int	reply_redirect(struct http_request *, const char *location);
/*
 * 301 Moved Permanently to a local path this module built (an old or
 * mistyped slug, a tag or name not written canonically); cacheable for
 * a few minutes, since what is canonical may change with a new title.
 */
int	reply_moved(struct http_request *, const char *location);
/* 304 Not Modified with the validators a cached copy keeps. */
int	reply_not_modified(struct http_request *, const char *etag,
	    const char *last_modified, const char *cache);
/* 204. */
int	reply_no_content(struct http_request *);
/* obj (consumed) as JSON to scripts that asked for it, else 303 to loc. */
int	reply_json_or_redirect(struct http_request *, json_t *obj,
	    const char *loc);
/* A form refused by a per-user rate limit: Retry-After, and the text
 * for the page (into buf): "You are writing <what> faster ...". */
const char	*reply_rate_text(struct http_request *, char *buf,
		    size_t len, int wait, const char *what);
/* A JSON document (consumed); no-store. */
int	reply_json(struct http_request *, int status, json_t *);
/* A JSON document already serialized by jansson (consumed: free());
 * NULL answers 500. */
int	reply_json_dumped(struct http_request *, int status, char *);
/* Serialized JSON (made safe for HTML on the way); cache: the caller's
 * cache-control value, or NULL for no-store. */
int	reply_json_text(struct http_request *, int status, const char *json,
	    size_t len, const char *cache);
/* A page for one person: cookies the page needs, no-store. */
int	reply_page(struct http_request *, struct auth *, int status,
	    struct html *);
/* Any other body, with the security headers. */
int	reply_send(struct http_request *, int status, const char *ctype,
	    const void *body, size_t len);
/* A body with its cache-control value. */
int	reply_text(struct http_request *, int status, const char *ctype,
	    const void *body, size_t len, const char *cache);
/*
 * A body anyone may keep: Cache-Control public with CACHE_MAX_AGE and
 * CACHE_STALE, Vary, and the ETag the cache made for it, if any (304 Not
 * Modified when If-None-Match has it).  A body rendered for this request
 * alone (the cache off) has none: hashing every answer would cost more
 * than the 304s it saves.  Only these bodies are
 * gzip-compressed (gzip: body is; else compressed here, level
 * REPLY_GZIP_LEVEL, when the client takes gzip and it is at least
 * REPLY_GZIP_MIN bytes of a text type): they hold no secret, while a
 * page for one person holds their CSRF token beside text they typed,
 * which compression would let an attacker guess (BREACH).
 */
#define REPLY_GZIP_MIN		1024
#define REPLY_GZIP_LEVEL	1
int	reply_public(struct http_request *, int status, const char *ctype,
	    const void *body, size_t len, const char *etag, int gzip);

#endif
