/*
 * page.c: a whole page, sent (see page.h).  The layout is
 * render_page.c's; the answer goes out through web/cache.c (which keeps
 * it when the request is a shared read) and reply.c.
 */

#include <string.h>

#include "web/cache.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

int
page_send_meta(struct http_request *req, int status,
    const struct page_meta *m, const struct html *body)
{
	struct rctx	*rc;
	struct html	 h;

	rc = rctx(req);
	html_init(&h, html_len(body) + 8192);
	render_head(&h, &rc->viewer, m);
	html_cat(&h, body);
	render_foot(&h);
	(void)cache_page(req, status, &h);
	html_free(&h);
	return (STEP_DONE);
}

int
page_send(struct http_request *req, int status, const char *title,
    const struct html *body)
{
	struct page_meta	 m;
	struct html		 path;
	int			 r;

	memset(&m, 0, sizeof(m));
	m.title = title;
	/* The path as asked for, escaped: only pages that exist answer
	 * with it, and it carries no query. */
	html_init(&path, 128);
	html_text(&path, req->path);
	m.path = &path;
	r = page_send_meta(req, status, &m, body);
	html_free(&path);
	return (r);
}
