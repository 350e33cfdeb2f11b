/*
 * post_page.h: a post's page, loaded, drawn and sent: for GET /posts/<id>
 * and for a comment sent back to its author with an error beside it.
 *
 * Memory: the queries live in the caller's struct post_page, inside the
 * handler's state, and are cleaned up with the request; the post's
 * images are decoded into memory freed before this returns.
 */

#ifndef KBLOG_WEB_POST_PAGE_H
#define KBLOG_WEB_POST_PAGE_H

#include "web/handler.h"

struct post_page {
	struct dbq	 post, comments, images;
};

/*
 * The post id and its comments after the cursor (after_key, after_id;
 * 0, 0 for the first page), sent with status; comment_error and
 * comment_text (NULL: none) go in the comment form.  A post the viewer
 * may not see is a 404.  seg: the path's "<id>-<slug>" as asked for, or
 * NULL; when it is not the post's canonical address the answer is a 301
 * there (the query kept), after the 404 check, so a draft stays
 * invisible.  STEP_WAIT or STEP_DONE.
 */
int	post_page_or_reply(struct http_request *, struct post_page *,
	    int64_t id, const char *seg, int64_t after_key, int64_t after_id,
	    int status, const char *comment_error, const char *comment_text);

#endif
