/*
 * db_images.c: SQL for images and uploads, the row decoder, and the
 * sweeper's blocking queries (it runs in a task with its own
 * connection, never on a worker's event loop).
 */

#include <stdlib.h>
#include <string.h>

#include "db/db_images.h"
#include "lib/sbuf.h"

#define IMAGE_COLS \
	"id, owner_id, key, upload_key, content_type, filename, state, " \
	"byte_size, created_at "

const struct db_stmt db_image_create = { "image_create",
    "WITH a AS MATERIALIZED (SELECT * FROM upload_admit($1::bigint, "
    "$5::bigint, $6::int, $7::bigint, $8::int)), "
    "r AS MATERIALIZED (SELECT rate_take('upload', $1::bigint::text, "
    "$9::int, true) AS wait FROM a WHERE a.refusal IS NULL), "
    "i AS (INSERT INTO images (owner_id, upload_key, filename, "
    "content_type, byte_size) SELECT $1::bigint, $2, $3, $4, $5::bigint "
    "FROM r WHERE r.wait = 0 RETURNING id) "
    "SELECT (SELECT id FROM i), a.refusal, coalesce((SELECT wait FROM r), "
    "a.wait) FROM a", 9, 0 };

const struct db_stmt db_image_get = { "image_get",
    "SELECT " IMAGE_COLS "FROM images WHERE id = $1::bigint", 1, DB_READ };

/*
 * A second attempt records its own key, and only the last one can be made
 * ready.  A pending row written by an older kblog (key, no upload_key)
 * has its key moved to upload_key.
 */
const struct db_stmt db_image_claim = { "image_claim",
    "UPDATE images SET upload_key = COALESCE(upload_key, key), key = $2 "
    "WHERE id = $1::bigint AND state = 'pending' RETURNING upload_key",
    2, 0 };

const struct db_stmt db_image_ready = { "image_ready",
    "UPDATE images SET state = 'ready' WHERE id = $1::bigint "
    "AND state = 'pending' AND key = $2 RETURNING id", 2, 0 };

const struct db_stmt db_image_delete = { "image_delete",
    "DELETE FROM images WHERE id = $1::bigint AND owner_id = $2::bigint",
    2, 0 };

const struct db_stmt db_images_gallery = { "images_gallery",
    "SELECT " IMAGE_COLS "FROM images WHERE owner_id = $1::bigint "
    "ORDER BY id DESC LIMIT 500", 1, DB_READ };

const struct db_stmt db_images_covers = { "images_covers",
    "SELECT " IMAGE_COLS "FROM images WHERE owner_id = $1::bigint "
    "AND state = 'ready' ORDER BY id DESC LIMIT 100", 1, DB_READ };

const struct db_stmt db_images_list = { "images_list",
    "SELECT " IMAGE_COLS "FROM images WHERE owner_id = $1::bigint "
    "AND (created_at, id) < ('epoch'::timestamptz + $2::bigint * "
    "interval '1 microsecond', $3::bigint) "
    "ORDER BY created_at DESC, id DESC LIMIT $4::int", 4, DB_READ };

const struct db_stmt db_store_pending = { "store_pending",
    "SELECT 1 FROM images WHERE state = 'pending' AND "
    "(upload_key = $1 OR (upload_key IS NULL AND key = $1))", 1, DB_READ };

const struct db_stmt db_store_legacy = { "store_legacy",
    "SELECT 1 FROM images WHERE key = $1 AND state = 'ready'", 1, DB_READ };

void
db_image_row(const struct dbq *q, int row, struct image *im)
{
	im->id = db_int(q, row, 0);
	im->owner_id = db_int(q, row, 1);
	im->key = db_isnull(q, row, 2) ? NULL : db_text(q, row, 2);
	im->upload_key = db_isnull(q, row, 3) ? NULL : db_text(q, row, 3);
	im->content_type = db_text(q, row, 4);
	im->filename = db_text(q, row, 5);
	im->state = db_text(q, row, 6);
	im->byte_size = db_int(q, row, 7);
	im->created_at = db_time(q, row, 8);
}

int
db_sweep_pending(PGconn *conn, long max_age,
    int (*gone)(const char *, const char *))
{
	PGresult	*r, *d;
	const char	*params[1];
	char		 age[24];
	int		 i, swept;

	(void)snprintf(age, sizeof(age), "%ld", max_age);
	params[0] = age;
	PQclear(PQexec(conn, "BEGIN"));
	r = PQexecParams(conn, "SELECT id, coalesce(key, ''), "
	    "coalesce(upload_key, '') FROM images WHERE state = 'pending' "
	    "AND created_at < now() - make_interval(secs => $1::int) "
	    "ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED", 1, NULL, params,
	    NULL, NULL, 0);
	swept = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		for (i = 0; i < PQntuples(r); i++) {
			if (!gone(PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)))
				continue;	/* storage away: next time */
			params[0] = PQgetvalue(r, i, 0);
			d = PQexecParams(conn, "DELETE FROM images WHERE "
			    "id = $1::bigint", 1, NULL, params, NULL, NULL, 0);
			if (PQresultStatus(d) == PGRES_COMMAND_OK)
				swept++;
			PQclear(d);
		}
	}
	PQclear(r);
	PQclear(PQexec(conn, "COMMIT"));
	return (swept);
}

/*
 * The keys are kblog keys (storage checked their shape), so they need no
 * quoting in the array literal, which is passed as a parameter.
 */
int
db_sweep_kept(PGconn *conn, char (*keys)[128], int n, int *kept)
{
	PGresult	*r;
	struct sbuf	 arr;
	const char	*params[1];
	int		 i, j, rc;

	sbuf_init(&arr, (size_t)n * 64);
	sbuf_adds(&arr, "{");
	for (i = 0; i < n; i++)
		sbuf_addf(&arr, "%s%s", i ? "," : "", keys[i]);
	sbuf_adds(&arr, "}");
	params[0] = sbuf_cstr(&arr);
	r = PQexecParams(conn, "SELECT k FROM unnest($1::text[]) AS k WHERE "
	    "EXISTS (SELECT 1 FROM images i WHERE i.key = k) OR "
	    "EXISTS (SELECT 1 FROM images i WHERE i.upload_key = k AND "
	    "i.state = 'pending')", 1, NULL, params, NULL, NULL, 0);
	rc = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		for (i = 0; i < n; i++) {
			kept[i] = 0;
			for (j = 0; j < PQntuples(r) && !kept[i]; j++)
				kept[i] = !strcmp(PQgetvalue(r, j, 0), keys[i]);
		}
		rc = 0;
	}
	PQclear(r);
	sbuf_free(&arr);
	return (rc);
}

void
db_housekeeping(PGconn *conn)
{
	PQclear(PQexec(conn, "DELETE FROM login_failures WHERE "
	    "at < now() - interval '15 minutes'"));
	PQclear(PQexec(conn, "DELETE FROM sessions WHERE expires_at < now()"));
}
