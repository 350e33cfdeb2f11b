/*
 * h_upload.c: images.  The browser asks for an upload, PUTs the bytes
 * straight to storage with the presigned URL (S3, or kblog's own local
 * store), then asks kblog to complete it; kblog checks the object (size,
 * type, magic number) before the image is "ready".  The server never
 * proxies the bytes.
 *
 *   POST   /api/v1/uploads                {filename, content_type, byte_size}
 *   POST   /api/v1/uploads/<id>/complete
 *   GET    /api/v1/images                 DELETE /api/v1/images/<id>
 *   GET    /images                        the gallery page
 *   POST   /images/<id>/delete            POST /settings/avatar
 *
 * Clients only ever write upload keys (u/...), with URLs that live for
 * UPLOAD_URL_TTL.  complete has the server write the served copy under a
 * new key (i/...) that no client URL can write, checks that copy, and
 * only then marks the image ready; pages and the API show the served key
 * alone.  A PUT replayed later can only rewrite an upload key, which
 * nothing serves and the sweeper removes.
 *
 * A row exists only for an upload kblog signed; an object exists only
 * while its row does (delete removes the objects first, the sweeper
 * removes pending uploads that were never completed and objects no row
 * keeps).
 */

#include "kblog.h"
#include "cursor.h"
#include "html.h"
#include "valid.h"

#define FILENAME_MAX_BYTES	255

/*
 * A new pending upload within the owner's caps (upload_admit: $6 pending
 * uploads, $7 bytes, $8 the pending age for Retry-After) and uploads per
 * hour ($9).  One row: the id (NULL when refused), the refusal ('pending',
 * 'quota' or NULL: the rate limit) and the seconds to wait.
 */
static const char	sql_image_create[] =
    "WITH a AS MATERIALIZED (SELECT * FROM upload_admit($1::bigint, "
    "$5::bigint, $6::int, $7::bigint, $8::int)), "
    "r AS MATERIALIZED (SELECT rate_take('upload', $1::bigint::text, "
    "$9::int, true) AS wait FROM a WHERE a.refusal IS NULL), "
    "i AS (INSERT INTO images (owner_id, upload_key, filename, content_type, "
    "byte_size) SELECT $1::bigint, $2, $3, $4, $5::bigint FROM r "
    "WHERE r.wait = 0 RETURNING id) "
    "SELECT (SELECT id FROM i), a.refusal, coalesce((SELECT wait FROM r), "
    "a.wait) FROM a";

static const char	sql_image_get[] =
    "SELECT owner_id, key, content_type, byte_size, state, filename, "
    "to_char(created_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), upload_key FROM images "
    "WHERE id = $1::bigint";

/*
 * complete records the served key before it writes the copy, so a row
 * always names what the server writes (the sweeper relies on that); a
 * second attempt records its own key, and only the last one can be made
 * ready.  A pending row written by an older kblog (key, no upload_key)
 * has its key moved to upload_key.
 */
static const char	sql_image_claim[] =
    "UPDATE images SET upload_key = COALESCE(upload_key, key), key = $2 "
    "WHERE id = $1::bigint AND state = 'pending' RETURNING upload_key";

static const char	sql_image_ready[] =
    "UPDATE images SET state = 'ready' WHERE id = $1::bigint "
    "AND state = 'pending' AND key = $2 RETURNING id";

static const char	sql_image_delete[] =
    "DELETE FROM images WHERE id = $1::bigint AND owner_id = $2::bigint";

static const char	sql_images[] =
    "SELECT id, key, content_type, byte_size, state, filename, "
    "to_char(created_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM images "
    "WHERE owner_id = $1::bigint ORDER BY id DESC LIMIT 500";

/* The API's list: newest first, $2/$3 cursor (key, id), $4 limit + 1. */
static const char	sql_api_images[] =
    "SELECT id, key, content_type, byte_size, state, filename, "
    "to_char(created_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "(extract(epoch FROM created_at) * 1000000)::bigint FROM images "
    "WHERE owner_id = $1::bigint AND (created_at, id) < "
    "('epoch'::timestamptz + $2::bigint * interval '1 microsecond', "
    "$3::bigint) ORDER BY created_at DESC, id DESC LIMIT $4::int";

static const char	sql_avatar[] =
    "UPDATE users SET avatar_image_id = $1::bigint WHERE id = $2::bigint "
    "AND EXISTS (SELECT 1 FROM images WHERE id = $1::bigint AND "
    "owner_id = $2::bigint AND state = 'ready') RETURNING id";

enum img_col {
	IMG_OWNER, IMG_KEY, IMG_TYPE, IMG_SIZE, IMG_STATE, IMG_NAME, IMG_DATE,
	IMG_UPLOAD_KEY
};

static const char	*iso_time(int64_t, char *, size_t);
static int	up_error(struct http_request *, int, const char *,
		    const char *, const char *);
static json_t	*image_json(struct dbq *, int, int);
static int	op_upload_create(struct http_request *, struct ctx *);
static int	upload_refused(struct http_request *, struct dbq *);
static int	op_upload_complete(struct http_request *, struct ctx *,
		    int64_t);
static int	op_images(struct http_request *, struct ctx *);
static int	image_delete(struct http_request *, struct ctx *, int64_t,
		    int);
static int	storage_unavailable(struct http_request *, int);
static const char	*valid_filename(const char *);

/* RFC 3339 UTC, like every other time in the API. */
static const char *
iso_time(int64_t t, char *buf, size_t len)
{
	time_t		tt;
	struct tm	tm;

	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)kore_strlcpy(buf, "1970-01-01T00:00:00Z", len);
	return (buf);
}

/* The API's error envelope; field (or NULL) is named with the message. */
static int
up_error(struct http_request *req, int status, const char *code,
    const char *field, const char *message)
{
	return (resp_json_error_fields(req, status, code, message,
	    field != NULL ? json_pack("{s:s}", field, message) : NULL));
}

static int
storage_unavailable(struct http_request *req, int json)
{
	if (json)
		return (up_error(req, 503, "storage_unavailable", NULL,
		    "Image storage is not answering. Please try again in a "
		    "moment."));
	return (resp_error_page(req, 503));
}

static const char *
valid_filename(const char *s)
{
	size_t	len;

	if (s == NULL || *s == '\0')
		return ("required");
	len = strlen(s);
	if (len > FILENAME_MAX_BYTES)
		return ("at most 255 bytes");
	if (strpbrk(s, "/\\") != NULL)
		return ("must not contain / or \\");
	if (valid_text(s, FILENAME_MAX_BYTES, 0) != NULL)
		return ("must be text without control characters");
	return (NULL);
}

/*
 * An image row (sql_images / sql_image_get layout, offset off) as JSON.
 * Only a ready image has a URL: it is the served key's, never the
 * upload's.
 */
static json_t *
image_json(struct dbq *q, int row, int with_id)
{
	struct sbuf	 url;
	json_t		*o;
	int		 off;

	off = 1;	/* both queries: id or owner first, then the same */
	sbuf_init(&url, 256);
	if (!strcmp(db_value(q, row, off + 3), "ready") &&
	    !db_isnull(q, row, off + 0))
		storage_public_url(&url, db_value(q, row, off + 0));
	o = json_pack("{s:s?, s:s, s:s, s:I, s:s, s:s}",
	    "url", url.len > 0 ? sbuf_cstr(&url) : NULL,
	    "filename", db_value(q, row, off + 4),
	    "content_type", db_value(q, row, off + 1),
	    "byte_size", (json_int_t)strtoll(db_value(q, row, off + 2),
	    NULL, 10),
	    "state", db_value(q, row, off + 3),
	    "created_at", db_value(q, row, off + 5));
	if (o != NULL && with_id)
		json_object_set_new(o, "id", json_integer(
		    strtoll(db_value(q, row, 0), NULL, 10)));
	sbuf_free(&url);
	return (o);
}

/* Called by h_api() for /uploads... and /images... paths. */
int
api_uploads(struct http_request *req, struct ctx *c, const char *p)
{
	const char	*rest;
	int64_t		 id;

	if (!strcmp(p, "/uploads")) {
		if (req->method != HTTP_METHOD_POST) {
			http_response_header(req, "allow", "POST");
			return (up_error(req, 405, "method_not_allowed", NULL,
			    "This endpoint does not accept that method."));
		}
		return (op_upload_create(req, c));
	}
	if (!strncmp(p, "/uploads/", 9) && path_id(p + 9, &id, &rest) &&
	    !strcmp(rest, "/complete")) {
		if (req->method != HTTP_METHOD_POST) {
			http_response_header(req, "allow", "POST");
			return (up_error(req, 405, "method_not_allowed", NULL,
			    "This endpoint does not accept that method."));
		}
		return (op_upload_complete(req, c, id));
	}
	if (!strcmp(p, "/images")) {
		if (req->method != HTTP_METHOD_GET &&
		    req->method != HTTP_METHOD_HEAD) {
			http_response_header(req, "allow", "GET, HEAD");
			return (up_error(req, 405, "method_not_allowed", NULL,
			    "This endpoint does not accept that method."));
		}
		return (op_images(req, c));
	}
	if (!strncmp(p, "/images/", 8) && path_id(p + 8, &id, &rest) &&
	    *rest == '\0') {
		if (req->method != HTTP_METHOD_DELETE) {
			http_response_header(req, "allow", "DELETE");
			return (up_error(req, 405, "method_not_allowed", NULL,
			    "This endpoint does not accept that method."));
		}
		return (image_delete(req, c, id, 1));
	}
	return (up_error(req, 404, "not_found", NULL,
	    "There is no such API endpoint."));
}

static int
op_upload_create(struct http_request *req, struct ctx *c)
{
	static const char	*fields[] = { "filename", "content_type",
				    "byte_size", NULL };
	struct st_job		 job;
	const char		*name, *ctype, *err;
	json_t			*size, *o;
	char			*s, ts[32];
	int			 ret, r, t1, t2;

	if (!api_guard(req, c, 1, &ret) || !api_body(req, c, fields, &ret))
		return (ret);
	name = api_str(c->json, "filename", &t1);
	ctype = api_str(c->json, "content_type", &t2);
	size = json_object_get(c->json, "byte_size");
	if (!t1 || !t2)
		return (up_error(req, 400, "invalid_type", !t1 ? "filename" :
		    "content_type", "must be a string"));
	if (size == NULL)
		return (up_error(req, 422, "validation_failed", "byte_size",
		    "required"));
	if (!json_is_integer(size))
		return (up_error(req, 400, "invalid_type", "byte_size",
		    "must be a whole number of bytes"));

	if (c->step == 0) {
		if ((err = valid_filename(name)) != NULL)
			return (up_error(req, 422, "validation_failed",
			    "filename", err));
		if (ctype == NULL || storage_type_ext(ctype) == NULL)
			return (up_error(req, 422, "unsupported_type",
			    "content_type", "Only JPEG, PNG, GIF and WebP "
			    "images can be uploaded."));
		if (json_integer_value(size) < 1)
			return (up_error(req, 422, "validation_failed",
			    "byte_size", "The file is empty."));
		if (json_integer_value(size) > kb_cfg.upload_max)
			return (up_error(req, 422, "too_large", "byte_size",
			    "The file is larger than the upload limit."));

		/* An upload key; the request's Host plays no part. */
		memset(&job, 0, sizeof(job));
		job.op = ST_PRESIGN;
		storage_new_key(job.key, sizeof(job.key), STORE_KEY_UPLOAD,
		    c->auth.user_id, ctype);
		(void)kore_strlcpy(job.content_type, ctype,
		    sizeof(job.content_type));
		job.length = (uint64_t)json_integer_value(size);
		(void)kore_strlcpy(c->buf, job.key, sizeof(c->buf));
		ctx_num(c, 0, c->auth.user_id);
		ctx_num(c, 1, (int64_t)job.length);
		c->step = 1;
		(void)st_run(req, &c->st, &job);
		return (KORE_RESULT_RETRY);
	}
	if (c->step == 1) {
		if (st_run(req, &c->st, NULL) == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (c->st.res.status != 200)
			return (storage_unavailable(req, 1));
		c->step = 2;
	}

	/* Signed first, stored second: a failure leaves no stray row. */
	ctx_num(c, 2, kb_cfg.upload_pending_max);
	ctx_num(c, 3, kb_cfg.upload_quota);
	ctx_num(c, 4, kb_cfg.pending_max_age);
	ctx_num(c, 5, kb_cfg.uploads_per_hour);
	r = db_run(req, &c->q[0], 0, sql_image_create, 9, c->num[0], c->buf,
	    name, ctype, c->num[1], c->num[2], c->num[3], c->num[4], c->num[5]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 0))
		return (upload_refused(req, &c->q[0]));

	o = json_pack("{s:I, s:s, s:s, s:{s:s}, s:s}",
	    "id", (json_int_t)strtoll(db_value(&c->q[0], 0, 0), NULL, 10),
	    "method", "PUT", "url", c->st.res.url,
	    "headers", "Content-Type", ctype,
	    "expires_at", iso_time(c->st.res.expires_at, ts, sizeof(ts)));
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (s == NULL)
		return (api_dberr(req, &c->q[0]));
	resp_json(req, 201, s);
	free(s);
	return (KORE_RESULT_OK);
}

/* An upload the caps or the rate limit refused (sql_image_create's row). */
static int
upload_refused(struct http_request *req, struct dbq *q)
{
	const char	*why;

	why = db_isnull(q, 0, 1) ? "" : db_value(q, 0, 1);
	if (!strcmp(why, "quota"))
		return (up_error(req, 403, "quota_exceeded", NULL,
		    "Your images would take more than your storage quota; "
		    "delete some first."));
	if (!strcmp(why, "pending")) {
		http_response_header(req, "retry-after", db_value(q, 0, 2));
		return (up_error(req, 429, "too_many_pending_uploads", NULL,
		    "You have too many uploads that were started and not "
		    "completed. Finish or delete some, or wait a while."));
	}
	return (api_rate_limited(req, db_value(q, 0, 2), "You are starting "
	    "uploads faster than your limit allows. Please wait a few "
	    "minutes and try again."));
}


/*
 * complete: the upload is checked through the copy the server writes of
 * it (st_publish: served key written, then its size, type and magic
 * number checked), the image is made ready with that key, and the upload
 * key is deleted.  c->buf holds the served key, c->buf2 the upload key.
 */
static int
op_upload_complete(struct http_request *req, struct ctx *c, int64_t id)
{
	struct st_job	 job;
	json_t		*o;
	struct sbuf	 url;
	char		*s;
	int		 ret, r;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	if (c->step == 0) {
		ctx_num(c, 0, id);
		ctx_num(c, 1, c->auth.user_id);
		c->step = 1;
	}
	r = db_run(req, &c->q[0], DB_READ, sql_image_get, 1, c->num[0]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (up_error(req, 404, "not_found", NULL,
		    "No such upload."));
	if (strcmp(db_value(&c->q[0], 0, IMG_OWNER), c->num[1]))
		return (up_error(req, 403, "forbidden", NULL,
		    "This upload belongs to someone else."));
	if (strcmp(db_value(&c->q[0], 0, IMG_STATE), "pending"))
		return (up_error(req, 409, "already_completed", NULL,
		    "This upload is already complete."));

	if (c->step == 1) {
		storage_new_key(c->buf, sizeof(c->buf), STORE_KEY_SERVED,
		    c->auth.user_id, db_value(&c->q[0], 0, IMG_TYPE));
		c->step = 2;
	}
	if (c->step == 2) {
		r = db_run(req, &c->q[1], 0, sql_image_claim, 2, c->num[0],
		    c->buf);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (api_dberr(req, &c->q[1]));
		if (db_ntuples(&c->q[1]) != 1)
			return (up_error(req, 409, "already_completed", NULL,
			    "This upload is already complete."));
		(void)kore_strlcpy(c->buf2, db_value(&c->q[1], 0, 0),
		    sizeof(c->buf2));
		memset(&job, 0, sizeof(job));
		job.op = ST_PUBLISH;
		(void)kore_strlcpy(job.key, c->buf, sizeof(job.key));
		(void)kore_strlcpy(job.upload_key, c->buf2,
		    sizeof(job.upload_key));
		(void)kore_strlcpy(job.content_type,
		    db_value(&c->q[0], 0, IMG_TYPE), sizeof(job.content_type));
		job.length = strtoull(db_value(&c->q[0], 0, IMG_SIZE), NULL,
		    10);
		c->step = 3;
		(void)st_run(req, &c->st, &job);
		return (KORE_RESULT_RETRY);
	}
	if (c->step == 3) {
		if (st_run(req, &c->st, NULL) == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (c->st.res.status == 404)
			return (up_error(req, 409, "upload_missing", NULL,
			    "The file has not been uploaded yet: PUT it to "
			    "the upload URL first."));
		if (c->st.res.status == 422) {
			/* Not what was authorised: remove objects and row. */
			kore_log(LOG_NOTICE, "uploads: image %lld refused: %s",
			    (long long)id, c->st.res.error);
			c->status = 422;
			c->step = 10;
		} else if (c->st.res.status != 200) {
			return (storage_unavailable(req, 1));
		} else {
			c->step = 4;
		}
	}
	if (c->step >= 10)
		return (image_delete(req, c, id, 1));

	if (c->step == 4) {
		r = db_run(req, &c->q[3], 0, sql_image_ready, 2, c->num[0],
		    c->buf);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (api_dberr(req, &c->q[3]));
		if (db_ntuples(&c->q[3]) != 1)
			return (up_error(req, 409, "already_completed", NULL,
			    "This upload is already complete."));
		/* The upload key has served its purpose. */
		memset(&job, 0, sizeof(job));
		job.op = ST_DELETE;
		(void)kore_strlcpy(job.upload_key, c->buf2,
		    sizeof(job.upload_key));
		c->step = 5;
		c->st.state = 0;	/* a second storage task */
		(void)st_run(req, &c->st, &job);
		return (KORE_RESULT_RETRY);
	}
	if (st_run(req, &c->st, NULL) == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (c->st.res.status != 204)
		kore_log(LOG_NOTICE, "uploads: %s stays until the sweep "
		    "(storage answered %d)", c->buf2, c->st.res.status);

	o = image_json(&c->q[0], 0, 0);
	sbuf_init(&url, 256);
	storage_public_url(&url, c->buf);
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "state", json_string("ready"));
	json_object_set_new(o, "url", json_string(sbuf_cstr(&url)));
	sbuf_free(&url);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	resp_json(req, 200, s ? s : "{}");
	free(s);
	return (KORE_RESULT_OK);
}

/* GET /api/v1/images: a page of my images (api_page: bounded bytes). */
static int
op_images(struct http_request *req, struct ctx *c)
{
	struct api_page	 pg;
	json_t		*o;
	char		*s;
	int64_t		 limit, key, id;
	int		 ret, r, i, n, ok;

	if (!api_guard(req, c, 1, &ret))
		return (ret);
	if (c->step == 0) {
		if (!api_page_params(req, c, 100, &limit, &key, &id))
			return (KORE_RESULT_OK);
		ctx_num(c, 0, c->auth.user_id);
		ctx_num(c, 1, key);
		ctx_num(c, 2, id);
		ctx_num(c, 3, limit + 1);
		ctx_num(c, 4, limit);
		c->step = 1;
	}
	r = db_run(req, &c->q[0], DB_READ, sql_api_images, 4, c->num[0],
	    c->num[1], c->num[2], c->num[3]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (api_dberr(req, &c->q[0]));
	n = db_ntuples(&c->q[0]);
	limit = atoi(c->num[4]);
	api_page_init(&pg);
	for (i = 0; i < n && i < limit; i++) {
		o = image_json(&c->q[0], i, 1);
		s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (s == NULL) {
			sbuf_free(&pg.b);
			return (api_dberr(req, &c->q[0]));
		}
		ok = api_page_add(&pg, s);
		free(s);
		if (!ok)
			break;
	}
	if (i < n)
		api_page_send(req, &pg, CURSOR_TIME,
		    strtoll(db_value(&c->q[0], i - 1, 7), NULL, 10),
		    strtoll(db_value(&c->q[0], i - 1, 0), NULL, 10));
	else
		api_page_send(req, &pg, CURSOR_TIME, 0, 0);
	return (KORE_RESULT_OK);
}

/*
 * Deletes an image: its objects first, served copy and upload (a failure
 * keeps the row, so no object is ever orphaned), then the row.  json:
 * API answer (204) or page redirect.  Also the rejection path of
 * complete (c->status 422, c->buf and c->buf2 set).
 */
static int
image_delete(struct http_request *req, struct ctx *c, int64_t id, int json)
{
	struct st_job	 job;
	int		 ret, r;

	if (c->status == 0) {
		if (json && !api_guard(req, c, 1, &ret))
			return (ret);
		if (c->step == 0) {
			ctx_num(c, 0, id);
			ctx_num(c, 1, c->auth.user_id);
			c->step = 1;
		}
		r = db_run(req, &c->q[0], DB_READ, sql_image_get, 1,
		    c->num[0]);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (json ? api_dberr(req, &c->q[0]) :
			    db_error(req, &c->q[0]));
		if (db_ntuples(&c->q[0]) != 1)
			return (json ? up_error(req, 404, "not_found", NULL,
			    "No such image.") : resp_error_page(req, 404));
		if (strcmp(db_value(&c->q[0], 0, IMG_OWNER), c->num[1]))
			return (json ? up_error(req, 403, "forbidden", NULL,
			    "This image belongs to someone else.") :
			    resp_error_page(req, 403));
		(void)kore_strlcpy(c->buf, db_value(&c->q[0], 0, IMG_KEY),
		    sizeof(c->buf));
		(void)kore_strlcpy(c->buf2, db_value(&c->q[0], 0,
		    IMG_UPLOAD_KEY), sizeof(c->buf2));
		c->status = 204;
		c->step = 10;
	}

	if (c->step == 10) {
		memset(&job, 0, sizeof(job));
		job.op = ST_DELETE;
		(void)kore_strlcpy(job.key, c->buf, sizeof(job.key));
		(void)kore_strlcpy(job.upload_key, c->buf2,
		    sizeof(job.upload_key));
		c->step = 11;
		c->st.state = 0;	/* maybe after complete's */
		(void)st_run(req, &c->st, &job);
		return (KORE_RESULT_RETRY);
	}
	if (c->step == 11) {
		if (st_run(req, &c->st, NULL) == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (c->st.res.status != 204)
			return (storage_unavailable(req, json));
		c->step = 12;
	}
	r = db_run(req, &c->q[2], 0, sql_image_delete, 2, c->num[0],
	    c->num[1]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (json ? api_dberr(req, &c->q[2]) :
		    db_error(req, &c->q[2]));
	if (c->status == 422)
		return (up_error(req, 422, "not_an_image", NULL, "The file "
		    "is not the image it claimed to be (wrong size, type or "
		    "contents); it was removed."));
	if (!json)
		return (resp_redirect(req, "/images"));
	resp_send(req, 204, NULL, NULL, 0);
	return (KORE_RESULT_OK);
}

/* GET /images: the gallery.  POST /images/<id>/delete: delete one. */
int
h_images(struct http_request *req)
{
	struct ctx	*c;
	struct sbuf	 b, url;
	const char	*rest;
	int64_t		 id;
	int		 ret, r, i;

	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	if (strcmp(req->path, "/images")) {
		if (!path_id(req->path + 8, &id, &rest) ||
		    strcmp(rest, "/delete"))
			return (resp_error_page(req, 404));
		if (req->method != HTTP_METHOD_POST)
			return (resp_method_not_allowed(req, "POST"));
		if (!ctx_write_guard(req, c, "/login?next=/images", &ret))
			return (ret);
		return (image_delete(req, c, id, 0));
	}
	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	if (c->auth.user_id == 0)
		return (resp_redirect(req, "/login?next=/images"));

	ctx_num(c, 0, c->auth.user_id);
	r = db_run(req, &c->q[0], DB_READ, sql_images, 1, c->num[0]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));

	sbuf_init(&b, 8192);
	sbuf_init(&url, 256);
	page_begin(&b, &c->auth, "Your images");
	sbuf_adds(&b, "<h1>Your images</h1><div class=\"upload\" "
	    "data-mode=\"gallery\" hidden><label>Upload an image <input "
	    "type=\"file\" accept=\"image/jpeg,image/png,image/gif,"
	    "image/webp\"></label><progress max=\"100\" value=\"0\" hidden>"
	    "</progress><p class=\"upload-status\" role=\"status\"></p></div>"
	    "<noscript><p>Uploading needs JavaScript: the file goes "
	    "straight from your browser to storage.</p></noscript>");
	if (db_ntuples(&c->q[0]) == 0)
		sbuf_adds(&b, "<p class=\"empty\">No images yet.</p>");
	sbuf_adds(&b, "<ul class=\"gallery\">");
	for (i = 0; i < db_ntuples(&c->q[0]); i++) {
		sbuf_reset(&url);
		storage_public_url(&url, db_value(&c->q[0], i, 1));
		sbuf_adds(&b, "<li><figure>");
		if (!strcmp(db_value(&c->q[0], i, 4), "ready")) {
			sbuf_adds(&b, "<img loading=\"lazy\" alt=\"\" src=\"");
			html_text(&b, sbuf_cstr(&url));
			sbuf_adds(&b, "\">");
		}
		sbuf_adds(&b, "<figcaption>");
		html_text(&b, db_value(&c->q[0], i, 5));
		if (strcmp(db_value(&c->q[0], i, 4), "ready"))
			sbuf_adds(&b, " <em>(upload not finished)</em>");
		sbuf_addf(&b, "</figcaption></figure><form method=\"post\" "
		    "class=\"inline\" action=\"/images/%s/delete\">",
		    db_value(&c->q[0], i, 0));
		form_csrf(&b, &c->auth);
		sbuf_adds(&b, "<button type=\"submit\" class=\"link\">Delete"
		    "</button></form>");
		if (!strcmp(db_value(&c->q[0], i, 4), "ready")) {
			sbuf_adds(&b, " · <form method=\"post\" class=\"inline\" "
			    "action=\"/settings/avatar\">");
			form_csrf(&b, &c->auth);
			sbuf_addf(&b, "<input type=\"hidden\" name=\"image_id\" "
			    "value=\"%s\"><button type=\"submit\" "
			    "class=\"link\">Use as avatar</button></form>",
			    db_value(&c->q[0], i, 0));
		}
		sbuf_adds(&b, "</li>");
	}
	sbuf_adds(&b, "</ul>");
	page_end(&b);
	page_send(req, &c->auth, 200, &b);
	sbuf_free(&b);
	sbuf_free(&url);
	return (KORE_RESULT_OK);
}

/* POST /settings/avatar image_id=<id>: one of my ready images. */
int
h_avatar(struct http_request *req)
{
	struct ctx	*c;
	const char	*v;
	long		 n;
	int		 ret, r;

	if (req->method != HTTP_METHOD_POST)
		return (resp_method_not_allowed(req, "POST"));
	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	if (!ctx_write_guard(req, c, "/login?next=/settings", &ret))
		return (ret);
	v = form_get(&c->form, "image_id");
	if (v == NULL || config_parse_int(v, 1, INT64_MAX / 2, &n) == -1)
		return (resp_error_page(req, 400));
	ctx_num(c, 0, c->auth.user_id);
	r = db_run(req, &c->q[0], 0, sql_avatar, 2, v, c->num[0]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (resp_error_page(req, 404));
	if (resp_wants_json(req)) {
		resp_json(req, 200, "{\"avatar\":\"set\"}");
		return (KORE_RESULT_OK);
	}
	return (resp_redirect(req, "/settings?saved=1"));
}
