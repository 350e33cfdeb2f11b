/*
 * api_uploads.c: uploads.  The browser asks for an upload, PUTs the
 * bytes straight to storage with the presigned URL (S3, or kblog's own
 * local store), then asks kblog to complete it; kblog checks what was
 * stored before the image is "ready".  The server never proxies the
 * bytes.
 *
 *   POST /api/v1/uploads                {filename, content_type, byte_size}
 *   POST /api/v1/uploads/<id>/complete
 *
 * Clients only ever write upload keys (u/...), with URLs that live for
 * UPLOAD_URL_TTL.  complete has the server write the served copy under a
 * new key (i/...) that no client URL can write, checks that copy (size,
 * type, magic number), and only then marks the image ready; pages and
 * the API show the served key alone.  A PUT replayed later can only
 * rewrite an upload key, which nothing serves and the sweeper removes.
 */

#include <string.h>

#include "db/db_images.h"
#include "lib/timefmt.h"
#include "storage/storage.h"
#include "web/handler.h"
#include "web/image_removal.h"
#include "web/render_json.h"
#include "web/reply.h"

enum create_step { CR_INPUT, CR_SIGN, CR_SAVE };

struct create {
	struct rctx		 rc;
	enum create_step	 step;
	struct upload_in	 in;
	struct task		 task;
	struct storage_io	 io;
	struct dbq		 save;
};

enum complete_step {
	CO_LOOKUP, CO_CLAIM, CO_PUBLISH, CO_READY, CO_TIDY, CO_REFUSE
};

struct complete {
	struct rctx		 rc;
	enum complete_step	 step;
	int64_t			 id;
	struct dbq		 get, claim, ready;
	struct task		 task;
	struct storage_io	 io;
	char			 key[STORAGE_KEY_MAX];	/* served */
	char			 upload_key[STORAGE_KEY_MAX];
	struct image_removal	 rm;
};

static int	create_run(struct http_request *, void *);
static int	create_refused(struct http_request *, struct dbq *);
static int	complete_run(struct http_request *, void *);
static int	complete_storage(struct http_request *, struct complete *);

HANDLER(api_uploads, "POST", H_API | H_USER, struct create, create_run, NULL,
    NULL);
HANDLER(api_upload_complete, "POST", H_API | H_USER, struct complete,
    complete_run, NULL, NULL);

static int
create_run(struct http_request *req, void *arg)
{
	struct create		*c = arg;
	struct input_error	 e;
	char			 t[TIMEFMT_RFC3339_SIZE];
	int			 r;

	switch (c->step) {
	case CR_INPUT:
		if ((r = json_or_reply(req, input_upload_fields)) != STEP_OK)
			return (r);
		if (input_upload_json(c->rc.body, kb_cfg.upload_max, &c->in,
		    &e) == -1)
			return (input_or_reply(req, &e));
		/* An upload key; the request's Host plays no part. */
		c->io.op = ST_PRESIGN;
		storage_new_key(c->io.key, sizeof(c->io.key), STORE_KEY_UPLOAD,
		    c->rc.auth.user_id, c->in.content_type);
		(void)kore_strlcpy(c->io.content_type, c->in.content_type,
		    sizeof(c->io.content_type));
		c->io.length = (uint64_t)c->in.byte_size;
		c->step = CR_SIGN;
		/* FALLTHROUGH */
	case CR_SIGN:
		if ((r = storage_or_reply(req, &c->task, &c->io, 200)) !=
		    STEP_OK)
			return (r);
		c->step = CR_SAVE;
		/* FALLTHROUGH */
	case CR_SAVE:
		break;
	}

	/* Signed first, stored second: a failure leaves no stray row. */
	if ((r = query_or_reply(req, &c->save, &db_image_create, "isssiiiii",
	    c->rc.auth.user_id, c->io.key, c->in.filename, c->in.content_type,
	    c->in.byte_size, (int64_t)kb_cfg.upload_pending_max,
	    (int64_t)kb_cfg.upload_quota, (int64_t)kb_cfg.pending_max_age,
	    (int64_t)kb_cfg.uploads_per_hour)) != STEP_OK)
		return (r);
	if (db_isnull(&c->save, 0, 0))
		return (create_refused(req, &c->save));
	(void)timefmt_rfc3339(t, c->io.expires_at * 1000000, 0);
	return (reply_json(req, 201, json_pack("{s:I, s:s, s:s, s:{s:s}, "
	    "s:s}", "id", (json_int_t)db_int(&c->save, 0, 0),
	    "method", "PUT", "url", c->io.url,
	    "headers", "Content-Type", c->in.content_type,
	    "expires_at", t)));
}

/* An upload the caps or the rate limit refused (db_image_create's row). */
static int
create_refused(struct http_request *req, struct dbq *q)
{
	const char	*why;
	int		 wait;

	why = db_isnull(q, 0, 1) ? "" : db_text(q, 0, 1);
	if (!strcmp(why, "quota"))
		return (reply_error_code(req, 403, "quota_exceeded",
		    "Your images would take more than your storage quota; "
		    "delete some first.", NULL));
	if (!strcmp(why, "pending")) {
		/* Until the oldest is swept: never more than its age limit
		 * (the statement's clock may start before that upload's). */
		wait = db_wait(q, 0, 2);
		reply_retry_after(req, wait > kb_cfg.pending_max_age ?
		    (int)kb_cfg.pending_max_age : wait);
		return (reply_error_code(req, 429, "too_many_pending_uploads",
		    "You have too many uploads that were started and not "
		    "completed. Finish or delete some, or wait a while.",
		    NULL));
	}
	return (reply_rate_limited(req, db_wait(q, 0, 2), "You are starting "
	    "uploads faster than your limit allows. Please wait a few "
	    "minutes and try again."));
}

/*
 * The served copy is written from the upload and checked (CO_PUBLISH),
 * then the upload key goes (CO_TIDY: a failure only leaves it to the
 * sweeper).
 */
static int
complete_storage(struct http_request *req, struct complete *c)
{
	switch (storage_run(req, &c->task, &c->io)) {
	case TASK_PENDING:
		return (STEP_WAIT);
	case TASK_FAILED:
		c->io.status = 503;
		break;
	}
	return (STEP_OK);
}

static int
complete_run(struct http_request *req, void *arg)
{
	struct complete	*c = arg;
	struct image	 im;
	int		 r;

	if (c->step == CO_LOOKUP) {
		if (c->id == 0 && (r = path_id_or_404(req, "/api/v1/uploads/",
		    "/complete", &c->id)) != STEP_OK)
			return (r);
		if ((r = query_or_reply(req, &c->get, &db_image_get, "i",
		    c->id)) != STEP_OK)
			return (r);
		if (db_rows(&c->get) != 1)
			return (reply_error_code(req, 404, "not_found",
			    "No such upload.", NULL));
		db_image_row(&c->get, 0, &im);
		if (im.owner_id != c->rc.auth.user_id)
			return (reply_error_code(req, 403, "forbidden",
			    "This upload belongs to someone else.", NULL));
		if (strcmp(im.state, "pending"))
			return (reply_error_code(req, 409, "already_completed",
			    "This upload is already complete.", NULL));
		storage_new_key(c->key, sizeof(c->key), STORE_KEY_SERVED,
		    c->rc.auth.user_id, im.content_type);
		c->step = CO_CLAIM;
	}
	db_image_row(&c->get, 0, &im);

	if (c->step == CO_CLAIM) {
		/* The row names the served key before it is written. */
		if ((r = query_or_reply(req, &c->claim, &db_image_claim, "is",
		    c->id, c->key)) != STEP_OK)
			return (r);
		if (db_rows(&c->claim) != 1)
			return (reply_error_code(req, 409, "already_completed",
			    "This upload is already complete.", NULL));
		(void)kore_strlcpy(c->upload_key, db_text(&c->claim, 0, 0),
		    sizeof(c->upload_key));
		c->io.op = ST_PUBLISH;
		(void)kore_strlcpy(c->io.key, c->key, sizeof(c->io.key));
		(void)kore_strlcpy(c->io.upload_key, c->upload_key,
		    sizeof(c->io.upload_key));
		(void)kore_strlcpy(c->io.content_type, im.content_type,
		    sizeof(c->io.content_type));
		c->io.length = (uint64_t)im.byte_size;
		c->step = CO_PUBLISH;
	}
	if (c->step == CO_PUBLISH) {
		if ((r = complete_storage(req, c)) != STEP_OK)
			return (r);
		if (c->io.status == 404)
			return (reply_error_code(req, 409, "upload_missing",
			    "The file has not been uploaded yet: PUT it to the "
			    "upload URL first.", NULL));
		if (c->io.status == 422) {
			kore_log(LOG_NOTICE, "uploads: image %lld refused: %s",
			    (long long)c->id, c->io.error);
			c->step = CO_REFUSE;
		} else if (c->io.status != 200) {
			return (reply_storage_unavailable(req));
		} else {
			c->step = CO_READY;
		}
	}
	if (c->step == CO_REFUSE) {
		/* Not what was authorised: its objects and row go. */
		if ((r = image_forget_or_reply(req, &c->rm, c->id,
		    c->rc.auth.user_id, c->key, c->upload_key)) != STEP_OK)
			return (r);
		return (reply_error_code(req, 422, "not_an_image", "The file "
		    "is not the image it claimed to be (wrong size, type or "
		    "contents); it was removed.", NULL));
	}
	if (c->step == CO_READY) {
		if ((r = query_or_reply(req, &c->ready, &db_image_ready, "is",
		    c->id, c->key)) != STEP_OK)
			return (r);
		if (db_rows(&c->ready) != 1)
			return (reply_error_code(req, 409, "already_completed",
			    "This upload is already complete.", NULL));
		/* The upload key has served its purpose. */
		task_reset(&c->task);
		memset(&c->io, 0, sizeof(c->io));
		c->io.op = ST_DELETE;
		(void)kore_strlcpy(c->io.upload_key, c->upload_key,
		    sizeof(c->io.upload_key));
		c->step = CO_TIDY;
	}
	if ((r = complete_storage(req, c)) != STEP_OK)
		return (r);
	if (c->io.status != 204)
		kore_log(LOG_NOTICE, "uploads: %s stays until the sweep "
		    "(storage answered %d)", c->upload_key, c->io.status);
	im.key = c->key;
	im.state = "ready";
	return (reply_json(req, 200, json_image(&im)));
}
