/*
 * api_docs.c: the API's description, and what is not the API.
 *
 *   GET /api/v1/openapi.json    the OpenAPI 3 document (assets/)
 *   anything else under /api/   404, in the error envelope
 */

#include "web/handler.h"
#include "web/reply.h"

#include "assets.h"

static int	openapi_run(struct http_request *, void *);
static int	not_found_run(struct http_request *, void *);

HANDLER(api_openapi, "GET, HEAD", H_API | H_NO_AUTH, struct rctx, openapi_run,
    NULL, NULL);
HANDLER(api_not_found, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS", H_API |
    H_NO_AUTH, struct rctx, not_found_run, NULL, NULL);

static int
openapi_run(struct http_request *req, void *arg)
{
	return (reply_json_text(req, 200, (const char *)asset_openapi_json,
	    asset_len_openapi_json, "public, max-age=300"));
}

static int
not_found_run(struct http_request *req, void *arg)
{
	return (reply_error_code(req, 404, "not_found",
	    "There is no such API endpoint.", NULL));
}
