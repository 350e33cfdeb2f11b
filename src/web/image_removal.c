/*
 * image_removal.c: removing an image (see image_removal.h).
 */

#include <string.h>

#include "web/handler.h"
#include "web/image_removal.h"
#include "web/reply.h"

#define RM_LOOKUP	0
#define RM_OBJECTS	1
#define RM_ROW		2

int
storage_or_reply(struct http_request *req, struct task *t,
    struct storage_io *io, int want)
{
	switch (storage_run(req, t, io)) {
	case TASK_PENDING:
		return (STEP_WAIT);
	case TASK_DONE:
		if (io->status == want)
			return (STEP_OK);
		break;
	}
	return (reply_storage_unavailable(req));
}

int
reply_storage_unavailable(struct http_request *req)
{
	return (reply_error_code(req, 503, "storage_unavailable",
	    "Image storage is not answering. Please try again in a moment.",
	    NULL));
}

int
image_remove_or_reply(struct http_request *req, struct image_removal *rm,
    int64_t id, int64_t owner)
{
	struct image	im;
	int		r;

	if (rm->step == RM_LOOKUP) {
		if ((r = query_or_reply(req, &rm->get, &db_image_get, "i",
		    id)) != STEP_OK)
			return (r);
		if (db_rows(&rm->get) != 1)
			return (reply_error_code(req, 404, "not_found",
			    "No such image.", NULL));
		db_image_row(&rm->get, 0, &im);
		if (im.owner_id != owner)
			return (reply_error_code(req, 403, "forbidden",
			    "This image belongs to someone else.", NULL));
		return (image_forget_or_reply(req, rm, id, owner, im.key,
		    im.upload_key));
	}
	return (image_forget_or_reply(req, rm, id, owner, NULL, NULL));
}

int
image_forget_or_reply(struct http_request *req, struct image_removal *rm,
    int64_t id, int64_t owner, const char *key, const char *upload_key)
{
	int	r;

	if (rm->step == RM_LOOKUP) {
		memset(&rm->io, 0, sizeof(rm->io));
		rm->io.op = ST_DELETE;
		if (key != NULL)
			(void)kore_strlcpy(rm->io.key, key, sizeof(rm->io.key));
		if (upload_key != NULL)
			(void)kore_strlcpy(rm->io.upload_key, upload_key,
			    sizeof(rm->io.upload_key));
		task_reset(&rm->task);
		rm->step = RM_OBJECTS;
	}
	if (rm->step == RM_OBJECTS) {
		if ((r = storage_or_reply(req, &rm->task, &rm->io, 204)) !=
		    STEP_OK)
			return (r);
		rm->step = RM_ROW;
	}
	return (query_or_reply(req, &rm->del, &db_image_delete, "ii", id,
	    owner));
}
