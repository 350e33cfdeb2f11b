/*
 * gallery.c: the gallery of my images.
 *
 *   GET  /images                 my images, newest first, a page at a
 *                                time (?cursor=), where each is used,
 *                                how much of my quota they take
 *   POST /images/<id>/alt        alt: what it shows
 *   POST /images/<id>/delete     its objects, then its row; refused
 *                                while used, unless remove_from_posts=1
 *
 * Uploading needs JavaScript (the file goes straight from the browser to
 * storage: api/uploads.c); the gallery lists, describes, deletes and
 * picks avatars (pages/settings.c) with plain forms.
 */

#include <stdio.h>
#include <string.h>

#include "db/db_images.h"
#include "web/handler.h"
#include "web/image_removal.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

#define USES_MAX	(GALLERY_PAGE * 5)

struct gallery {
	struct rctx	 rc;
	int64_t		 key, id;		/* after this (cursor) */
	struct dbq	 list, uses, usage;
};

struct removal {
	struct rctx		 rc;
	int64_t			 id;
	struct image_removal	 rm;
};

struct alt {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};

static int	gallery_run(struct http_request *, void *);
static int	removal_run(struct http_request *, void *);
static void	removal_done(void *);
static int	alt_run(struct http_request *, void *);

HANDLER(page_images, "GET, HEAD", H_USER, struct gallery, gallery_run, NULL,
    "/login?next=/images" );
HANDLER(page_image_delete, "POST", H_USER, struct removal, removal_run,
    removal_done, "/login?next=/images" );
HANDLER(page_image_alt, "POST", H_USER, struct alt, alt_run, NULL,
    "/login?next=/images" );

static int
gallery_run(struct http_request *req, void *arg)
{
	struct gallery		*g = arg;
	struct gallery_view	 v;
	struct image		*im;
	struct image_use	 uses[USES_MAX];
	struct html		 b;
	int			 r, i;

	if (!db_started(&g->list)) {
		if ((r = cursor_or_reply(req, "cursor", CURSOR_TIME, 0,
		    &g->key, &g->id)) != STEP_OK)
			return (r);
		query_send(req, &g->list, &db_images_list, "iiii",
		    g->rc.viewer.id, g->key, g->id,
		    (int64_t)GALLERY_PAGE + 1);
		query_send(req, &g->uses, &db_images_uses, "iiii",
		    g->rc.viewer.id, g->key, g->id, (int64_t)GALLERY_PAGE);
		query_send(req, &g->usage, &db_images_usage, "i",
		    g->rc.viewer.id);
	}
	if ((r = queries_or_reply(req, &g->list, &g->uses, &g->usage,
	    NULL)) != STEP_OK)
		return (r);

	memset(&v, 0, sizeof(v));
	v.n = db_rows(&g->list) < GALLERY_PAGE + 1 ? db_rows(&g->list) :
	    GALLERY_PAGE + 1;
	im = kore_calloc((size_t)v.n + 1, sizeof(*im));
	for (i = 0; i < v.n; i++)
		db_image_row(&g->list, i, &im[i]);
	v.images = im;
	for (i = 0; i < db_rows(&g->uses) && i < USES_MAX; i++)
		db_images_use_row(&g->uses, i, &uses[i]);
	v.uses = uses;
	v.nuses = i;
	v.count = db_int(&g->usage, 0, 0);
	v.used_bytes = db_int(&g->usage, 0, 1);
	v.avatar_id = db_isnull(&g->usage, 0, 2) ? 0 :
	    db_int(&g->usage, 0, 2);
	v.quota = kb_cfg.upload_quota;
	html_init(&b, 16384);
	render_gallery(&b, &g->rc.viewer, &v);
	r = page_send(req, 200, "Your images", &b);
	html_free(&b);
	kore_free(im);
	return (r);
}

static int
removal_run(struct http_request *req, void *arg)
{
	struct removal	*d = arg;
	const char	*force;
	int		 r;

	if (d->id == 0 && (r = path_id_or_404(req, "/images/", "/delete",
	    &d->id)) != STEP_OK)
		return (r);
	force = form_get(&d->rc.form, "remove_from_posts");
	if ((r = image_remove_or_reply(req, &d->rm, d->id, d->rc.viewer.id,
	    force != NULL && !strcmp(force, "1"))) != STEP_OK)
		return (r);
	return (reply_redirect(req, "/images"));
}

static void
removal_done(void *arg)
{
	struct removal	*d = arg;

	image_removal_done(&d->rm);
}

/* The alt text of one of my images; an error comes back with the text. */
static int
alt_run(struct http_request *req, void *arg)
{
	struct alt	*a = arg;
	struct html	 b;
	const char	*alt, *err;
	char		 loc[64];
	int		 r;

	if (a->id == 0 && (r = path_id_or_404(req, "/images/", "/alt",
	    &a->id)) != STEP_OK)
		return (r);
	if ((alt = form_get(&a->rc.form, "alt")) == NULL)
		alt = "";
	if (!db_started(&a->q) && (err = input_alt(alt)) != NULL) {
		html_init(&b, 2048);
		render_alt_form(&b, &a->rc.viewer, a->id, alt, err);
		r = page_send(req, 422, "Alt text", &b);
		html_free(&b);
		return (r);
	}
	if ((r = query_or_reply(req, &a->q, &db_image_alt_set, "iis", a->id,
	    a->rc.viewer.id, alt)) != STEP_OK)
		return (r);
	if ((r = owned_or_reply(req, &a->q, "No such image.",
	    "This image belongs to someone else.")) != STEP_OK)
		return (r);
	(void)snprintf(loc, sizeof(loc), "/images#image-%lld",
	    (long long)a->id);
	return (reply_redirect(req, loc));
}
