/*
 * comments.c: adding and deleting comments from the post page.
 *
 *   POST /posts/<id>/comments     body=...
 *   POST /comments/<id>/delete    its author or the post's author
 *
 * Plain forms answered with a redirect; with "Accept: application/json"
 * (assets/app.js) they answer JSON instead, so the page updates in
 * place: a new comment comes with its HTML, drawn by render_comment() as
 * the page draws it.
 */

#include <stdio.h>
#include <string.h>

#include "db/db_comments.h"
#include "db/db_posts.h"
#include "web/handler.h"
#include "web/post_page.h"
#include "web/render.h"
#include "web/reply.h"

#define CLOSED	"Comments on this post are closed."

enum add_step { ADD_CHECK, ADD_SAVE, ADD_AGAIN };

struct add {
	struct rctx	 rc;
	enum add_step	 step;
	int64_t		 id;
	const char	*body;
	int		 status;	/* ADD_AGAIN: 422 or 429 */
	const char	*error;
	struct dbq	 save;
	struct post_page page;
	char		 rate[256];
};

struct del {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};

static int	add_run(struct http_request *, void *);
static int	add_done(struct http_request *, struct add *);
static int	add_again(struct http_request *, struct add *);
static int	delete_run(struct http_request *, void *);

HANDLER(page_comment_add, "POST", H_USER, struct add, add_run, NULL, NULL);
HANDLER(page_comment_delete, "POST", H_USER, struct del, delete_run, NULL,
    NULL);

static int
add_run(struct http_request *req, void *arg)
{
	struct add	*a = arg;
	int		 r;

	if (a->step == ADD_CHECK) {
		if ((r = path_id_or_404(req, "/posts/", "/comments",
		    &a->id)) != STEP_OK)
			return (r);
		a->body = form_get(&a->rc.form, "body");
		if ((r = input_comment(a->body)) != 0) {
			if (reply_wants_json(req))
				return (reply_error_code(req, 422,
				    "validation_failed", input_comment_message(
				    INPUT_INVALID), NULL));
			a->error = input_comment_message(r);
			a->status = 422;
			a->step = ADD_AGAIN;
		} else {
			a->step = ADD_SAVE;
		}
	}
	if (a->step == ADD_SAVE) {
		if ((r = query_or_reply(req, &a->save, &db_comment_add, "iisi",
		    a->rc.viewer.id, a->id, a->body,
		    (int64_t)kb_cfg.comments_per_hour)) != STEP_OK)
			return (r);
		if (db_rows(&a->save) != 1)
			return (reply_error(req, 404));
		if (db_comment_add_closed(&a->save)) {
			if (reply_wants_json(req))
				return (reply_error_code(req, 403,
				    "comments_closed", CLOSED, NULL));
			a->error = CLOSED;
			a->status = 403;
			return (add_again(req, a));
		}
		if (db_int(&a->save, 0, 0) == 0)
			return (add_done(req, a));
		/* Refused by the rate limit. */
		a->error = reply_rate_text(req, a->rate, sizeof(a->rate),
		    db_wait(&a->save, 0, 0), "comments");
		if (reply_wants_json(req))
			return (reply_error_code(req, 429, "rate_limited",
			    "You are writing comments faster than your limit "
			    "allows. Please wait a few minutes and try again.",
			    NULL));
		a->status = 429;
		a->step = ADD_AGAIN;
	}
	return (add_again(req, a));
}

/* The comment in a->save was added: redirect, or JSON for scripts. */
static int
add_done(struct http_request *req, struct add *a)
{
	struct comment	 c;
	struct html	 h;
	json_t		*obj;
	char		 loc[96];
	int		 r;

	db_comment_row(&a->save, 0, 2, &c);
	(void)snprintf(loc, sizeof(loc), "/posts/%lld#c%lld",
	    (long long)a->id, (long long)c.id);
	if (!reply_wants_json(req))
		return (reply_redirect(req, loc));
	html_init(&h, 1024);
	render_comment(&h, &a->rc.viewer, 0, &c, 1);
	obj = json_pack("{s:I, s:I, s:s%}", "id", (json_int_t)c.id,
	    "comment_count", (json_int_t)db_int(&a->save, 0, 1), "html",
	    html_data(&h), html_len(&h));
	r = reply_json(req, 200, obj);
	html_free(&h);
	return (r);
}

/* The post again, with the comment and its error beside the field. */
static int
add_again(struct http_request *req, struct add *a)
{
	return (post_page_or_reply(req, &a->page, a->id, NULL, 0, 0,
	    a->status, a->error, a->body));
}

static int
delete_run(struct http_request *req, void *arg)
{
	struct del	*d = arg;
	char		 loc[64];
	int		 r;

	if (!db_started(&d->q) && (r = path_id_or_404(req, "/comments/",
	    "/delete", &d->id)) != STEP_OK)
		return (r);
	if ((r = query_or_reply(req, &d->q, &db_comment_delete, "ii", d->id,
	    d->rc.viewer.id)) != STEP_OK)
		return (r);
	if ((r = owned_or_reply(req, &d->q, "No such comment.", "Only the "
	    "comment's author or the post's author can delete it.")) != STEP_OK)
		return (r);
	(void)snprintf(loc, sizeof(loc), "/posts/%lld#comments",
	    (long long)db_int(&d->q, 0, 0));
	return (reply_json_or_redirect(req, json_pack("{s:b}", "deleted", 1),
	    loc));
}
