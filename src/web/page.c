/*
 * page.c: a whole page, sent (see page.h).  The layout is
 * render_page.c's; the answer goes out through web/cache.c (which keeps
 * it when the request is a shared read) and reply.c.
 */

#include "web/cache.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

int
page_send(struct http_request *req, int status, const char *title,
    const struct html *body)
{
	struct rctx	*rc;
	struct html	 h;

	rc = rctx(req);
	html_init(&h, html_len(body) + 4096);
	render_head(&h, &rc->viewer, title);
	html_cat(&h, body);
	render_foot(&h);
	(void)cache_page(req, status, &h);
	html_free(&h);
	return (STEP_DONE);
}
