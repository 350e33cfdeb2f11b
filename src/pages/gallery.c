/*
 * gallery.c: the gallery of my images.
 *
 *   GET /images                 my images, newest first
 *   POST /images/<id>/delete    its objects, then its row
 *
 * Uploading needs JavaScript (the file goes straight from the browser to
 * storage: api/uploads.c); the gallery lists, deletes and picks avatars
 * (pages/settings.c) with plain forms.
 */

#include "db/db_images.h"
#include "web/handler.h"
#include "web/image_removal.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

#define GALLERY_MAX	500

struct gallery {
	struct rctx	 rc;
	struct dbq	 q;
};

struct removal {
	struct rctx		 rc;
	int64_t			 id;
	struct image_removal	 rm;
};

static int	gallery_run(struct http_request *, void *);
static int	removal_run(struct http_request *, void *);

HANDLER(page_images, "GET, HEAD", H_USER, struct gallery, gallery_run, NULL,
    "/login?next=/images" );
HANDLER(page_image_delete, "POST", H_USER, struct removal, removal_run, NULL,
    "/login?next=/images" );

static int
gallery_run(struct http_request *req, void *arg)
{
	struct gallery	*g = arg;
	struct image	 im[GALLERY_MAX];
	struct html	 b;
	int		 r, i, n;

	if ((r = query_or_reply(req, &g->q, &db_images_gallery, "i",
	    g->rc.viewer.id)) != STEP_OK)
		return (r);
	n = db_rows(&g->q) < GALLERY_MAX ? db_rows(&g->q) : GALLERY_MAX;
	for (i = 0; i < n; i++)
		db_image_row(&g->q, i, &im[i]);
	html_init(&b, 8192);
	render_gallery(&b, &g->rc.viewer, im, n);
	r = page_send(req, 200, "Your images", &b);
	html_free(&b);
	return (r);
}

static int
removal_run(struct http_request *req, void *arg)
{
	struct removal	*d = arg;
	int		 r;

	if (d->id == 0 && (r = path_id_or_404(req, "/images/", "/delete",
	    &d->id)) != STEP_OK)
		return (r);
	if ((r = image_remove_or_reply(req, &d->rm, d->id,
	    d->rc.viewer.id)) != STEP_OK)
		return (r);
	return (reply_redirect(req, "/images"));
}
