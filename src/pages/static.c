/*
 * static.c: the stylesheet and the script (web/statics.c), with a cache
 * policy and the security headers.
 *
 *   GET /static/style.<fingerprint>.css   what pages link to: the
 *       fingerprint is the first 12 hex digits of the file's SHA-256, so
 *       the address changes with the content and is cached for a year
 *       ("immutable");
 *   GET /static/style.css                 the plain name (and any stale
 *       fingerprint): revalidated every time ("no-cache" and an ETag:
 *       304 when unchanged).
 */

#include <string.h>

#include "web/handler.h"
#include "web/reply.h"
#include "web/statics.h"

static int	static_run(struct http_request *, void *);

HANDLER(page_static, "GET, HEAD", H_NO_AUTH, struct rctx, static_run, NULL,
    NULL);

static int
static_run(struct http_request *req, void *arg)
{
	struct static_asset	*a;
	const char		*inm;
	int			 current;

	if ((a = static_find(req->path + strlen("/static/"), &current)) ==
	    NULL)
		return (reply_error(req, 404));
	http_response_header(req, "etag", *a->etag);
	http_response_header(req, "cache-control", current ?
	    "public, max-age=31536000, immutable" : "no-cache");
	if (http_request_header(req, "if-none-match", &inm) &&
	    !strcmp(inm, *a->etag))
		return (reply_send(req, 304, NULL, NULL, 0));
	return (reply_send(req, 200, a->ctype, a->data, *a->len));
}
