/*
 * api_likes.c: likes in the API.
 *
 *   PUT /api/v1/posts/<id>/like       DELETE: unlike
 *
 * Both are idempotent: a like is the primary key (post, user).
 */

#include "db/db_posts.h"
#include "web/handler.h"
#include "web/reply.h"

struct like {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};

static int	like_run(struct http_request *, void *);

HANDLER(api_like, "PUT, DELETE", H_API | H_USER, struct like, like_run, NULL,
    NULL);

static int
like_run(struct http_request *req, void *arg)
{
	struct like	*l = arg;
	int		 r, on;

	on = req->method == HTTP_METHOD_PUT;
	if (!db_started(&l->q) && (r = path_id_or_404(req, "/api/v1/posts/",
	    "/like", &l->id)) != STEP_OK)
		return (r);
	if ((r = query_or_reply(req, &l->q, on ? &db_like : &db_unlike, "ii",
	    l->id, l->rc.auth.user_id)) != STEP_OK)
		return (r);
	if (db_isnull(&l->q, 0, 0))
		return (reply_error_code(req, 404, "not_found",
		    "No such post.", NULL));
	return (reply_json(req, 200, json_pack("{s:b, s:I}", "liked", on,
	    "like_count", (json_int_t)db_int(&l->q, 0, 1))));
}
