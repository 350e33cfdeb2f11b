/*
 * like.c: liking and unliking a post from its page.
 *
 *   POST /posts/<id>/like     action=like|unlike
 *
 * A plain form answered with a redirect, or JSON for assets/app.js.  A
 * like is the primary key (post, user): sending one twice changes
 * nothing (db/db_posts.c).
 */

#include <stdio.h>
#include <string.h>

#include "db/db_posts.h"
#include "web/handler.h"
#include "web/reply.h"

struct like {
	struct rctx	 rc;
	int64_t		 id;
	int		 like;
	struct dbq	 q;
};

static int	like_run(struct http_request *, void *);

HANDLER(page_like, "POST", H_USER, struct like, like_run, NULL, NULL);

static int
like_run(struct http_request *req, void *arg)
{
	struct like	*l = arg;
	const char	*action;
	char		 loc[64];
	int		 r;

	if (!db_started(&l->q)) {
		if ((r = path_id_or_404(req, "/posts/", "/like", &l->id)) !=
		    STEP_OK)
			return (r);
		action = form_get(&l->rc.form, "action");
		if (action == NULL || !strcmp(action, "like"))
			l->like = 1;
		else if (!strcmp(action, "unlike"))
			l->like = 0;
		else
			return (reply_error(req, 400));
	}
	if ((r = query_or_reply(req, &l->q, l->like ? &db_like : &db_unlike,
	    "ii", l->id, l->rc.viewer.id)) != STEP_OK)
		return (r);
	if (db_isnull(&l->q, 0, 0))
		return (reply_error(req, 404));
	(void)snprintf(loc, sizeof(loc), "/posts/%lld", (long long)l->id);
	return (reply_json_or_redirect(req, json_pack("{s:b, s:I}", "liked",
	    l->like, "like_count", (json_int_t)db_int(&l->q, 0, 1)), loc));
}
