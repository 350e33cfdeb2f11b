/*
 * h_health.c: liveness and readiness probes, and the catch-all 404.
 *
 * /health answers from the worker alone (the process is alive).
 * /ready asks PostgreSQL (SELECT 1): 200 when it answers, 503 when not.
 * Load balancers route on /ready; restart policies use /health.
 */

#include "kblog.h"

struct ready_state {
	struct dbq	q;
};

static void	ready_free(struct http_request *);

int
h_health(struct http_request *req)
{
	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	resp_json(req, 200, "{\"status\":\"ok\"}");
	return (KORE_RESULT_OK);
}

static void
ready_free(struct http_request *req)
{
	struct ready_state	*st;

	if ((st = http_state_get(req)) != NULL)
		db_cleanup(&st->q);
}

int
h_ready(struct http_request *req)
{
	struct ready_state	*st;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));

	if ((st = http_state_get(req)) == NULL)
		st = http_state_create(req, sizeof(*st), ready_free);

	switch (db_run(req, &st->q, DB_READ, "SELECT 1", 0)) {
	case DB_PENDING:
		return (KORE_RESULT_RETRY);
	case DB_OK:
		resp_json(req, 200, "{\"status\":\"ready\"}");
		break;
	default:
		resp_json_error(req, 503, "database_unavailable",
		    "The database is not answering.");
		break;
	}
	return (KORE_RESULT_OK);
}

int
h_not_found(struct http_request *req)
{
	return (resp_error_page(req, 404));
}
