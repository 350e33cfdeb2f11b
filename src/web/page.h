/*
 * page.h: a whole page: the layout around a body, sent.
 */

#ifndef KBLOG_WEB_PAGE_H
#define KBLOG_WEB_PAGE_H

#include "lib/html.h"
#include "web/handler.h"

/* Sends head (title), body, foot with status; STEP_DONE. */
int	page_send(struct http_request *, int status, const char *title,
	    const struct html *body);

#endif
