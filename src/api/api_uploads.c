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
 * UPLOAD_URL_TTL.  complete has the server read the upload once, decode
 * it with libvips in a task (never on the event loop; a worker's image
 * lane lets IMAGE_CONCURRENCY run at once), and write the variants it
 * made (widths and formats, metadata stripped, orientation applied)
 * under keys (i/...) that no client URL can write; then the image is
 * ready, with its size and variants, and the upload goes (unless
 * UPLOAD_KEEP_ORIGINAL).  Pages and the API show the variants alone.  A
 * PUT replayed later can only rewrite an upload key, which nothing
 * serves and the sweeper removes.  A file that is not the image it
 * claimed to be (or too large once decoded) is refused, with why, and
 * removed.
 */

#include <string.h>

#include "db/db_images.h"
#include "lib/pgarray.h"
#include "lib/sbuf.h"
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
	struct storage_io	 made;	/* what the publish step made */
	char			 key[STORAGE_KEY_MAX];	/* served */
	char			 upload_key[STORAGE_KEY_MAX];
	struct image_removal	 rm;
};

/* Why a file was refused: the answer's code and its fixed message. */
static const struct {
	const char	*refusal;	/* image_status_code(), or "size" */
	const char	*code;
	const char	*message;
} refusals[] = {
	{ "size", "not_an_image", "The file is not the size it was "
	    "announced as; it was removed." },
	{ "not_image", "not_an_image", "The file is not an image; it was "
	    "removed." },
	{ "unsupported", "not_an_image", "This image format is not "
	    "supported (use JPEG, PNG, GIF, WebP or AVIF); it was removed." },
	{ "type_mismatch", "not_an_image", "The file's contents are not of "
	    "the type it was uploaded as; it was removed." },
	{ "truncated", "not_an_image", "The image is incomplete (the upload "
	    "was cut short); it was removed." },
	{ "trailing_data", "not_an_image", "The file carries other data "
	    "after the image; save it again as a plain image. It was "
	    "removed." },
	{ "corrupt", "not_an_image", "The image is damaged and cannot be "
	    "decoded; it was removed." },
	{ "too_many_pixels", "image_too_large", "The image has too many "
	    "pixels to be processed; it was removed." },
	{ "too_many_frames", "image_too_large", "The animation has too many "
	    "frames to be processed; it was removed." },
};

static int	create_run(struct http_request *, void *);
static int	create_refused(struct http_request *, struct dbq *);
static int	complete_run(struct http_request *, void *);
static void	complete_done(void *);
static int	complete_storage(struct http_request *, struct complete *);
static int	complete_ready(struct http_request *, struct complete *);
static int	complete_refused(struct http_request *, struct complete *);

HANDLER(api_uploads, "POST", H_API | H_USER, struct create, create_run, NULL,
    NULL);
HANDLER(api_upload_complete, "POST", H_API | H_USER, struct complete,
    complete_run, complete_done, NULL);

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
	if ((r = query_or_reply(req, &c->save, &db_image_create,
	    "isssiiiiis", c->rc.auth.user_id, c->io.key, c->in.filename,
	    c->in.content_type, c->in.byte_size,
	    (int64_t)kb_cfg.upload_pending_max, (int64_t)kb_cfg.upload_quota,
	    (int64_t)kb_cfg.pending_max_age, (int64_t)kb_cfg.uploads_per_hour,
	    c->in.alt)) != STEP_OK)
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
 * The variants are made from the upload and written (CO_PUBLISH), then
 * the upload key goes (CO_TIDY: a failure only leaves it to the
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

/* A queued request that goes away leaves the image lane's queue. */
static void
complete_done(void *arg)
{
	struct complete	*c = arg;

	task_cancel(&c->task);
}

/* The image is ready: the row and its variants, in one statement. */
static int
complete_ready(struct http_request *req, struct complete *c)
{
	const struct storage_variant	*v;
	const char			*keys[STORAGE_VARIANTS_MAX];
	const char			*types[STORAGE_VARIANTS_MAX];
	struct sbuf			 k, t, w, h, b;
	int				 i, r;

	if (!db_started(&c->ready)) {
		sbuf_init(&k, 1024);
		sbuf_init(&t, 128);
		sbuf_init(&w, 64);
		sbuf_init(&h, 64);
		sbuf_init(&b, 128);
		sbuf_adds(&w, "{");
		sbuf_adds(&h, "{");
		sbuf_adds(&b, "{");
		for (i = 0; i < c->made.nvariants; i++) {
			v = &c->made.variants[i];
			keys[i] = v->key;
			types[i] = v->content_type;
			sbuf_addf(&w, "%s%u", i ? "," : "", v->width);
			sbuf_addf(&h, "%s%u", i ? "," : "", v->height);
			sbuf_addf(&b, "%s%llu", i ? "," : "",
			    (unsigned long long)v->bytes);
		}
		sbuf_adds(&w, "}");
		sbuf_adds(&h, "}");
		sbuf_adds(&b, "}");
		pgarray_encode(&k, keys, (size_t)c->made.nvariants);
		pgarray_encode(&t, types, (size_t)c->made.nvariants);
		query_send(req, &c->ready, &db_image_ready, "isiiiibsssss",
		    c->id, c->key, (int64_t)c->made.width,
		    (int64_t)c->made.height, (int64_t)c->made.frames,
		    (int64_t)c->made.stored_bytes, kb_cfg.keep_original,
		    sbuf_cstr(&k), sbuf_cstr(&t), sbuf_cstr(&w),
		    sbuf_cstr(&h), sbuf_cstr(&b));
		sbuf_free(&k);
		sbuf_free(&t);
		sbuf_free(&w);
		sbuf_free(&h);
		sbuf_free(&b);
	}
	if ((r = queries_or_reply(req, &c->ready, NULL)) != STEP_OK)
		return (r);
	if (db_rows(&c->ready) != 1)
		return (reply_error_code(req, 409, "already_completed",
		    "This upload is already complete.", NULL));
	return (STEP_OK);
}

/* Not what was authorised: its objects and row go, and the answer says
 * why. */
static int
complete_refused(struct http_request *req, struct complete *c)
{
	size_t	i;
	int	r;

	if ((r = image_forget_or_reply(req, &c->rm, c->id,
	    c->rc.auth.user_id, c->key, c->upload_key)) != STEP_OK)
		return (r);
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		if (!strcmp(refusals[i].refusal, c->made.refusal))
			return (reply_error_code(req, 422, refusals[i].code,
			    refusals[i].message, json_pack("{s:s}", "file",
			    refusals[i].refusal)));
	}
	return (reply_error_code(req, 422, "not_an_image", "The file is not "
	    "the image it claimed to be; it was removed.", NULL));
}

static int
complete_run(struct http_request *req, void *arg)
{
	struct complete	*c = arg;
	struct image	 im;
	int		 r, i;

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
		c->made = c->io;
		if (c->io.status == 404)
			return (reply_error_code(req, 409, "upload_missing",
			    "The file has not been uploaded yet: PUT it to the "
			    "upload URL first.", NULL));
		if (c->io.status == 422) {
			kore_log(LOG_NOTICE, "uploads: image %lld refused: %s",
			    (long long)c->id, c->io.error);
			c->step = CO_REFUSE;
		} else if (c->io.status == 500) {
			kore_log(LOG_ERR, "uploads: image %lld could not be "
			    "processed: %s", (long long)c->id, c->io.error);
			return (reply_error_code(req, 500, "processing_failed",
			    "The image could not be processed; try again "
			    "later.", NULL));
		} else if (c->io.status != 200) {
			return (reply_storage_unavailable(req));
		} else {
			c->step = CO_READY;
		}
	}
	if (c->step == CO_REFUSE)
		return (complete_refused(req, c));
	if (c->step == CO_READY) {
		if ((r = complete_ready(req, c)) != STEP_OK)
			return (r);
		/* The upload key has served its purpose, unless kept. */
		task_reset(&c->task);
		memset(&c->io, 0, sizeof(c->io));
		c->io.op = ST_DELETE;
		if (!kb_cfg.keep_original)
			(void)kore_strlcpy(c->io.upload_key, c->upload_key,
			    sizeof(c->io.upload_key));
		c->step = CO_TIDY;
	}
	if (c->io.upload_key[0] != '\0' || c->task.state != TASK_IDLE) {
		if ((r = complete_storage(req, c)) != STEP_OK)
			return (r);
		if (c->io.status != 204)
			kore_log(LOG_NOTICE, "uploads: %s stays until the "
			    "sweep (storage answered %d)", c->upload_key,
			    c->io.status);
	}
	im.key = c->key;
	im.state = "ready";
	im.stored_bytes = (int64_t)c->made.stored_bytes;
	im.original_kept = kb_cfg.keep_original;
	memset(&im.ref, 0, sizeof(im.ref));
	im.ref.id = im.id;
	im.ref.key = c->key;
	im.ref.alt = im.alt;
	for (i = 0; i < c->made.nvariants && i < IMAGE_VARIANTS_MAX; i++) {
		im.ref.variants[i].width = c->made.variants[i].width;
		im.ref.variants[i].height = c->made.variants[i].height;
		(void)kore_strlcpy(im.ref.variants[i].content_type,
		    c->made.variants[i].content_type,
		    sizeof(im.ref.variants[i].content_type));
		(void)kore_strlcpy(im.ref.variants[i].key,
		    c->made.variants[i].key, sizeof(im.ref.variants[i].key));
	}
	im.ref.nvariants = i;
	im.ref.width = c->made.width;
	im.ref.height = c->made.height;
	return (reply_json(req, 200, json_image(&im)));
}
