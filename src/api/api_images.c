/*
 * api_images.c: my images in the API.
 *
 *   GET    /api/v1/images         newest first (?limit ?cursor)
 *   DELETE /api/v1/images/<id>    its objects, then its row
 */

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

struct removal {
	struct rctx		 rc;
	int64_t			 id;
	struct image_removal	 rm;
};

static int	list_run(struct http_request *, void *);
static json_t	*list_item(const void *, int, int64_t *, int64_t *);
static int	removal_run(struct http_request *, void *);

HANDLER(api_images, "GET, HEAD", H_API | H_USER, struct list, list_run, NULL,
    NULL);
HANDLER(api_image, "DELETE", H_API | H_USER, struct removal, removal_run, NULL,
    NULL);

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
removal_run(struct http_request *req, void *arg)
{
	struct removal	*d = arg;
	int		 r;

	if (d->id == 0 && (r = path_id_or_404(req, "/api/v1/images/", "",
	    &d->id)) != STEP_OK)
		return (r);
	if ((r = image_remove_or_reply(req, &d->rm, d->id,
	    d->rc.auth.user_id)) != STEP_OK)
		return (r);
	return (reply_no_content(req));
}
