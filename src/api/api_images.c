/*
 * api_images.c: my images in the API.
 *
 *   GET    /api/v1/images         newest first (?limit ?cursor)
 *   GET    /api/v1/images/usage   how many, the bytes they take, the quota
 *   GET    /api/v1/images/<id>    one, with where it is used
 *   PATCH  /api/v1/images/<id>    {alt}
 *   DELETE /api/v1/images/<id>    its objects, then its row; 409 with its
 *                                 uses while used, unless
 *                                 ?remove_from_posts=true
 */

#include <stdio.h>
#include <string.h>

#include "db/db_images.h"
#include "web/handler.h"
#include "web/image_removal.h"
#include "web/own_list.h"
#include "web/render_json.h"
#include "web/reply.h"

struct list {
	struct rctx	 rc;
	struct own_list	 own;
};

struct usage {
	struct rctx	 rc;
	struct dbq	 q;
};

struct one {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 get, uses;
};

struct change {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};

struct removal {
	struct rctx		 rc;
	int64_t			 id;
	struct image_removal	 rm;
};

static int	list_run(struct http_request *, void *);
static json_t	*list_item(const void *, int, int64_t *, int64_t *);
static int	usage_run(struct http_request *, void *);
static int	one_run(struct http_request *, void *);
static int	change_run(struct http_request *, void *);
static int	removal_run(struct http_request *, void *);
static void	removal_done(void *);

HANDLER(api_images, "GET, HEAD", H_API | H_USER, struct list, list_run, NULL,
    NULL);
HANDLER(api_images_usage, "GET, HEAD", H_API | H_USER, struct usage,
    usage_run, NULL, NULL);

static const struct handler	image_get = {
	"GET, HEAD", H_API | H_USER, sizeof(struct one), one_run, NULL, NULL
};
static const struct handler	image_patch = {
	"PATCH", H_API | H_USER, sizeof(struct change), change_run, NULL, NULL
};
static const struct handler	image_delete = {
	"DELETE", H_API | H_USER, sizeof(struct removal), removal_run,
	removal_done, NULL
};
ROUTE(api_image, &image_get, &image_patch, &image_delete);

static json_t *
list_item(const void *q, int i, int64_t *key, int64_t *id)
{
	struct image	im;

	db_image_row(q, i, &im);
	*key = im.created_at;
	*id = im.id;
	return (json_image(&im));
}

static int
list_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;

	return (own_list_or_reply(req, &l->own, &db_images_list, list_item));
}

static int
usage_run(struct http_request *req, void *arg)
{
	struct usage	*u = arg;
	int		 r;

	if ((r = query_or_reply(req, &u->q, &db_images_usage, "i",
	    u->rc.auth.user_id)) != STEP_OK)
		return (r);
	return (reply_json(req, 200, json_pack("{s:I, s:I, s:o}",
	    "images", (json_int_t)db_int(&u->q, 0, 0),
	    "used_bytes", (json_int_t)db_int(&u->q, 0, 1),
	    "quota_bytes", kb_cfg.upload_quota > 0 ?
	    json_integer(kb_cfg.upload_quota) : json_null())));
}

/* The image, and "uses": {"avatar": bool, "posts": [...], "more"}. */
static int
one_run(struct http_request *req, void *arg)
{
	struct one		*o = arg;
	struct image		 im;
	struct image_use	 uses[50];
	json_t			*posts, *doc;
	char			 url[64];
	int			 r, i, n, avatar;

	if (!db_started(&o->get)) {
		if ((r = path_id_or_404(req, "/api/v1/images/", "",
		    &o->id)) != STEP_OK)
			return (r);
		query_send(req, &o->get, &db_image_get, "i", o->id);
		query_send(req, &o->uses, &db_image_uses, "ii", o->id,
		    o->rc.auth.user_id);
	}
	if ((r = queries_or_reply(req, &o->get, &o->uses, NULL)) != STEP_OK)
		return (r);
	if (db_rows(&o->get) != 1)
		return (reply_error_code(req, 404, "not_found",
		    "No such image.", NULL));
	db_image_row(&o->get, 0, &im);
	if (im.owner_id != o->rc.auth.user_id)
		return (reply_error_code(req, 403, "forbidden",
		    "This image belongs to someone else.", NULL));
	n = db_image_uses_rows(&o->uses, uses, 50, &avatar);
	posts = json_array();
	for (i = 0; i < n; i++) {
		(void)snprintf(url, sizeof(url), "/posts/%lld",
		    (long long)uses[i].post_id);
		json_array_append_new(posts, json_pack("{s:I, s:s, s:s}",
		    "id", (json_int_t)uses[i].post_id, "title", uses[i].title,
		    "url", url));
	}
	doc = json_image(&im);
	(void)json_object_set_new(doc, "uses", json_pack("{s:b, s:o, s:b}",
	    "avatar", avatar, "posts", posts, "more",
	    db_rows(&o->uses) > 50));
	return (reply_json(req, 200, doc));
}

static int
change_run(struct http_request *req, void *arg)
{
	struct change		*c = arg;
	struct input_error	 e;
	struct image		 im;
	const char		*alt;
	int			 r;

	if (!db_started(&c->q)) {
		if ((r = path_id_or_404(req, "/api/v1/images/", "",
		    &c->id)) != STEP_OK)
			return (r);
		if ((r = json_or_reply(req, input_image_fields)) != STEP_OK)
			return (r);
		if (input_image_json(c->rc.body, &alt, &e) == -1)
			return (input_or_reply(req, &e));
	} else {
		alt = NULL;
	}
	if ((r = query_or_reply(req, &c->q, &db_image_alt_set, "iis", c->id,
	    c->rc.auth.user_id, alt)) != STEP_OK)
		return (r);
	if ((r = owned_or_reply(req, &c->q, "No such image.",
	    "This image belongs to someone else.")) != STEP_OK)
		return (r);
	/* The row follows the two columns owned_or_reply reads. */
	db_image_row_at(&c->q, 0, 2, &im);
	return (reply_json(req, 200, json_image(&im)));
}

static int
removal_run(struct http_request *req, void *arg)
{
	struct removal	*d = arg;
	const char	*force;
	int		 r;

	if (d->id == 0 && (r = path_id_or_404(req, "/api/v1/images/", "",
	    &d->id)) != STEP_OK)
		return (r);
	force = form_get(&d->rc.form, "remove_from_posts");
	if (force != NULL && strcmp(force, "true") && strcmp(force, "false"))
		return (reply_error_code(req, 422, "validation_failed",
		    "Some fields are not valid.", json_pack("{s:s}",
		    "remove_from_posts", "true or false")));
	if ((r = image_remove_or_reply(req, &d->rm, d->id,
	    d->rc.auth.user_id, force != NULL && !strcmp(force, "true"))) !=
	    STEP_OK)
		return (r);
	return (reply_no_content(req));
}

static void
removal_done(void *arg)
{
	struct removal	*d = arg;

	image_removal_done(&d->rm);
}
