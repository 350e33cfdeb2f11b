/*
 * post_write.h: a post created or saved, for the editor and the API
 * alike: the one place that turns a checked struct post_in (lib/input.h)
 * into the parameters of db_post_create or db_post_update.
 *
 * Memory: everything lives in the caller's struct post_write, inside the
 * handler's state; its query is cleaned up with the request.
 */

#ifndef KBLOG_WEB_POST_WRITE_H
#define KBLOG_WEB_POST_WRITE_H

#include "db/db_posts.h"
#include "web/handler.h"

enum post_saved {
	POST_SAVED,		/* post holds the row */
	POST_RATE_LIMITED,	/* wait: seconds */
	POST_BAD_COVER,		/* not one of the author's ready images */
	POST_NOT_FOUND,		/* no such post for this viewer */
	POST_FORBIDDEN		/* someone else's */
};

struct post_write {
	struct dbq		 q;
	enum post_saved		 outcome;
	int			 wait;
	struct post		 post;
	char			 cover[24], scheduled[24];
};

/*
 * Creates (id 0) or updates post id as author, from in (checked and
 * rendered).  STEP_OK with w->outcome (and w->post when saved),
 * STEP_WAIT, or STEP_DONE after answering a database failure.
 */
int	post_write_or_reply(struct http_request *, struct post_write *,
	    int64_t author, int64_t id, const struct post_in *);

#endif
