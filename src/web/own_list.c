/*
 * own_list.c: the API's lists of the caller's own rows (see own_list.h).
 *
 * Owns nothing but the list's parameters; never decodes a row itself
 * (the item function does).
 */

#include "web/own_list.h"
#include "web/render_json.h"
#include "web/reply.h"

static int	list_or_reply(struct http_request *, struct own_list *,
		    const struct db_stmt *, int, int, own_item);

int
own_list_or_reply(struct http_request *req, struct own_list *l,
    const struct db_stmt *st, own_item item)
{
	return (list_or_reply(req, l, st, 1, 0, item));
}

int
site_list_or_reply(struct http_request *req, struct own_list *l,
    const struct db_stmt *st, int ascending, own_item item)
{
	return (list_or_reply(req, l, st, 0, ascending, item));
}

static int
list_or_reply(struct http_request *req, struct own_list *l,
    const struct db_stmt *st, int own, int ascending, own_item item)
{
	struct rctx	*rc = rctx(req);
	int		 r;

	if (!db_started(&l->q) && ((r = limit_or_reply(req, 100,
	    &l->limit)) != STEP_OK || (r = cursor_or_reply(req, "cursor",
	    CURSOR_TIME, ascending, &l->key, &l->id)) != STEP_OK))
		return (r);
	if (own)
		r = query_or_reply(req, &l->q, st, "iiii", rc->auth.user_id,
		    l->key, l->id, l->limit + 1);
	else
		r = query_or_reply(req, &l->q, st, "iii", l->key, l->id,
		    l->limit + 1);
	if (r != STEP_OK)
		return (r);
	return (reply_json_dumped(req, 200, json_list(&l->q, db_rows(&l->q),
	    (int)l->limit, CURSOR_TIME, item)));
}
