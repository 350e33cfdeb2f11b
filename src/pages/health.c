/*
 * health.c: liveness and readiness probes, and the catch-all 404.
 *
 *   GET /health    the worker answers: the process is alive
 *   GET /ready     PostgreSQL answers (SELECT 1): 200, else 503
 *
 * Load balancers route on /ready; restart policies use /health.
 */

#include "web/handler.h"
#include "web/reply.h"

struct probe {
	struct rctx	 rc;
	struct dbq	 q;
};

static int	health_run(struct http_request *, void *);
static int	ready_run(struct http_request *, void *);
static int	not_found_run(struct http_request *, void *);

HANDLER(page_health, "GET, HEAD", H_NO_AUTH, struct probe, health_run, NULL,
    NULL);
HANDLER(page_ready, "GET, HEAD", H_NO_AUTH, struct probe, ready_run, NULL,
    NULL);
HANDLER(page_not_found, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
    H_NO_AUTH, struct rctx, not_found_run, NULL, NULL);

static int
health_run(struct http_request *req, void *arg)
{
	return (reply_json(req, 200, json_pack("{s:s}", "status", "ok")));
}

static int
ready_run(struct http_request *req, void *arg)
{
	struct probe	*p = arg;
	int		 r;

	if ((r = query_or_reply(req, &p->q, &db_ping, "")) != STEP_OK)
		return (r);
	return (reply_json(req, 200, json_pack("{s:s}", "status", "ready")));
}

static int
not_found_run(struct http_request *req, void *arg)
{
	return (reply_error(req, 404));
}
