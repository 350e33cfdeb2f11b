/*
 * api_comments.c: comments in the API.
 *
 *   GET    /api/v1/posts/<id>/comments    oldest first (?limit ?cursor)
 *   POST   /api/v1/posts/<id>/comments    {body}
 *   DELETE /api/v1/comments/<id>          its author or the post's
 */

#include <string.h>

#include "db/db_comments.h"
#include "web/cache.h"
#include "web/handler.h"
#include "web/render_json.h"
#include "web/reply.h"

struct list {
	struct rctx	 rc;
	int64_t		 id, limit, key, after;
	struct dbq	 post, rows;
};

struct add {
	struct rctx	 rc;
	int64_t		 id;
	const char	*body;
	struct dbq	 q;
};


static int	list_run(struct http_request *, void *);
static json_t	*list_item(const void *, int, int64_t *, int64_t *);
static int	add_run(struct http_request *, void *);
static int	delete_run(struct http_request *, void *);

static const struct handler	h_list = {
	"GET, HEAD", H_API | H_CACHE, sizeof(struct list), list_run, NULL,
	NULL
};
static const struct handler	h_add = {
	"POST", H_API | H_USER, sizeof(struct add), add_run, NULL, NULL
};
ROUTE(api_comments, &h_list, &h_add);
HANDLER(api_comment, "DELETE", H_API | H_USER, struct add, delete_run, NULL,
    NULL);

static json_t *
list_item(const void *q, int i, int64_t *key, int64_t *id)
{
	struct comment	c;

	db_comment_row(q, i, 0, &c);
	*key = c.created_at;
	*id = c.id;
	return (json_comment(&c));
}

static int
list_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;
	int		 r;

	if (!db_started(&l->post)) {
		if ((r = path_id_or_404(req, "/api/v1/posts/", "/comments",
		    &l->id)) != STEP_OK ||
		    (r = limit_or_reply(req, 100, &l->limit)) != STEP_OK ||
		    (r = cursor_or_reply(req, "cursor", CURSOR_TIME, 1,
		    &l->key, &l->after)) != STEP_OK ||
		    (r = cache_or_reply(req)) != STEP_OK)
			return (r);
		query_send(req, &l->post, &db_post_visible, "ii",
		    l->rc.auth.user_id, l->id);
		query_send(req, &l->rows, &db_comments_list, "iiiii",
		    l->rc.auth.user_id, l->id, l->key, l->after, l->limit + 1);
	}
	if ((r = queries_or_reply(req, &l->post, &l->rows, NULL)) != STEP_OK)
		return (r);
	if (db_rows(&l->post) != 1)
		return (reply_error_code(req, 404, "not_found",
		    "No such post.", NULL));
	return (reply_json_dumped(req, 200, json_list(&l->rows, db_rows(&l->rows),
	    (int)l->limit, CURSOR_TIME, list_item)));
}

static int
add_run(struct http_request *req, void *arg)
{
	static const char *const	 fields[] = { "body", NULL };
	struct add			*a = arg;
	struct comment			 c;
	int				 r, ok;

	if (!db_started(&a->q)) {
		if ((r = path_id_or_404(req, "/api/v1/posts/", "/comments",
		    &a->id)) != STEP_OK ||
		    (r = json_or_reply(req, fields)) != STEP_OK)
			return (r);
		a->body = input_json_str(a->rc.body, "body", &ok);
		if (!ok)
			return (reply_error_code(req, 400, "invalid_type",
			    "A field has the wrong type.", json_pack("{s:s}",
			    "body", "must be a string")));
		if (input_comment(a->body) != 0)
			return (reply_error_code(req, 422, "validation_failed",
			    "Some fields are not valid.", json_pack("{s:s}",
			    "body", "1 to 5,000 characters of text")));
	}
	if ((r = query_or_reply(req, &a->q, &db_comment_add, "iisi",
	    a->rc.auth.user_id, a->id, a->body,
	    (int64_t)kb_cfg.comments_per_hour)) != STEP_OK)
		return (r);
	if (db_rows(&a->q) != 1)
		return (reply_error_code(req, 404, "not_found",
		    "No such post.", NULL));
	if (db_comment_add_closed(&a->q))
		return (reply_error_code(req, 403, "comments_closed",
		    "Comments on this post are closed.", NULL));
	if (db_int(&a->q, 0, 0) > 0)
		return (reply_rate_limited(req, db_wait(&a->q, 0, 0),
		    "You are writing comments faster than your limit allows. "
		    "Please wait a few minutes and try again."));
	db_comment_row(&a->q, 0, 2, &c);
	return (reply_json(req, 201, json_comment(&c)));
}

static int
delete_run(struct http_request *req, void *arg)
{
	struct add	*d = arg;
	int		 r;

	if (!db_started(&d->q) && (r = path_id_or_404(req,
	    "/api/v1/comments/", "", &d->id)) != STEP_OK)
		return (r);
	if ((r = query_or_reply(req, &d->q, &db_comment_delete, "ii", d->id,
	    d->rc.auth.user_id)) != STEP_OK)
		return (r);
	if ((r = owned_or_reply(req, &d->q, "No such comment.", "Only the "
	    "comment's author or the post's author can delete it.")) != STEP_OK)
		return (r);
	return (reply_no_content(req));
}
