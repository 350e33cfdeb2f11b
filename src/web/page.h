/*
 * page.h: a whole page: the layout around a body, sent.
 */

#ifndef KBLOG_WEB_PAGE_H
#define KBLOG_WEB_PAGE_H

#include "lib/html.h"
#include "web/handler.h"
#include "web/render.h"

/*
 * Sends head (title), body, foot with status; STEP_DONE.  The page's
 * canonical address is the path it was asked for (without its query);
 * its description the site's.
 */
int	page_send(struct http_request *, int status, const char *title,
	    const struct html *body);
/* The same with everything the head says given (render.h). */
int	page_send_meta(struct http_request *, int status,
	    const struct page_meta *, const struct html *body);

#endif
