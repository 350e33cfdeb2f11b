/*
 * own_list.h: the API's lists of the caller's own rows (images, tokens).
 *
 * One step, for GET handlers: reads ?limit (1..100, default 100) and
 * ?cursor (a time cursor), runs a statement that takes (user, key, id,
 * limit + 1) and returns rows newest first, and answers with
 * {"items":[...],"next_cursor":...} (render_json.h's json_list()).
 *
 * Memory: everything lives in the caller's struct own_list, inside the
 * handler's state; its query is cleaned up with the request.
 */

#ifndef KBLOG_WEB_OWN_LIST_H
#define KBLOG_WEB_OWN_LIST_H

#include "web/handler.h"

struct own_list {
	int64_t		 limit, key, id;
	struct dbq	 q;
};

/* Row i's JSON, and its cursor (key, id). */
typedef json_t	*(*own_item)(const void *rows, int i, int64_t *key,
		    int64_t *id);

/* Always answers in the end: STEP_WAIT or STEP_DONE. */
int	own_list_or_reply(struct http_request *, struct own_list *,
	    const struct db_stmt *, own_item);
/*
 * The same for a list of the site's (reports, the moderation log,
 * invitations) whose statement takes (key, id, limit + 1), newest first
 * or, with ascending, oldest first.
 */
int	site_list_or_reply(struct http_request *, struct own_list *,
	    const struct db_stmt *, int ascending, own_item);

#endif
