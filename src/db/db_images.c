/*
 * db_images.c: SQL for images, their variants and uses, uploads, the row
 * decoders, and the sweeper's blocking queries (it runs in a task with
 * its own connection, never on a worker's event loop).
 */

#include <stdlib.h>
#include <string.h>

#include "db/db_images.h"
#include "lib/sbuf.h"

#define IMAGE_COLS \
	"id, owner_id, key, upload_key, content_type, filename, state, " \
	"byte_size, created_at, alt, coalesce(stored_bytes, byte_size), " \
	"original_kept, image_variants_text(id) "
enum {
	I_ID, I_OWNER, I_KEY, I_UPLOAD, I_TYPE, I_NAME, I_STATE, I_SIZE,
	I_CREATED, I_ALT, I_STORED, I_KEPT, I_VARIANTS
};

/* An image as pages show it (db_image_ref_row). */
#define REF_COLS \
	"i.id, i.key, i.alt, image_variants_text(i.id) "
#define AFTER_PAGE \
	"(created_at, id) < ('epoch'::timestamptz + $2::bigint * " \
	"interval '1 microsecond', $3::bigint) "

const struct db_stmt db_image_create = { "image_create",
    "WITH a AS MATERIALIZED (SELECT * FROM upload_admit($1::bigint, "
    "$5::bigint, $6::int, $7::bigint, $8::int)), "
    "r AS MATERIALIZED (SELECT rate_take('upload', $1::bigint::text, "
    "$9::int, true) AS wait FROM a WHERE a.refusal IS NULL), "
    "i AS (INSERT INTO images (owner_id, upload_key, filename, "
    "content_type, byte_size, alt) SELECT $1::bigint, $2, $3, $4, "
    "$5::bigint, $10 FROM r WHERE r.wait = 0 RETURNING id) "
    "SELECT (SELECT id FROM i), a.refusal, coalesce((SELECT wait FROM r), "
    "a.wait) FROM a", 10, 0 };

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

/* The row and its variants in one statement: both or neither. */
const struct db_stmt db_image_ready = { "image_ready",
    "WITH u AS (UPDATE images SET state = 'ready', width = $3::int, "
    "height = $4::int, frames = $5::int, stored_bytes = $6::bigint, "
    "original_kept = $7::boolean WHERE id = $1::bigint AND "
    "state = 'pending' AND key = $2 RETURNING id), "
    "v AS (INSERT INTO image_variants (key, image_id, content_type, width, "
    "height, byte_size) SELECT x.k, u.id, x.t, x.w, x.h, x.b FROM u, "
    "unnest($8::text[], $9::text[], $10::int[], $11::int[], "
    "$12::bigint[]) AS x(k, t, w, h, b)) "
    "SELECT id FROM u", 12, 0 };

const struct db_stmt db_image_delete = { "image_delete",
    "DELETE FROM images WHERE id = $1::bigint AND owner_id = $2::bigint",
    2, 0 };

const struct db_stmt db_image_retire = { "image_retire",
    "SELECT outcome, served_key, upload_object, variant_keys FROM "
    "image_retire($1::bigint, $2::bigint, $3::boolean)", 3, 0 };

const struct db_stmt db_image_uses = { "image_uses",
    "SELECT EXISTS (SELECT 1 FROM users WHERE id = $2::bigint AND "
    "avatar_image_id = $1::bigint), p.id, p.title FROM (SELECT 1) one "
    "LEFT JOIN (SELECT p.id, p.title FROM post_images pi JOIN posts p ON "
    "p.id = pi.post_id WHERE pi.image_id = $1::bigint AND "
    "p.author_id = $2::bigint ORDER BY p.id LIMIT 51) p ON true "
    "ORDER BY p.id", 2, DB_READ };

const struct db_stmt db_image_next_use = { "image_next_use",
    "SELECT p.id, p.body_md FROM post_images pi JOIN posts p ON "
    "p.id = pi.post_id WHERE pi.image_id = $1::bigint AND "
    "p.author_id = $2::bigint ORDER BY p.id LIMIT 1", 2, DB_READ };

const struct db_stmt db_image_alt_set = { "image_alt_set",
    "WITH o AS (SELECT owner_id FROM images WHERE id = $1::bigint), "
    "u AS (UPDATE images SET alt = $3 WHERE id = $1::bigint AND "
    "owner_id = $2::bigint RETURNING *) "
    "SELECT (SELECT 1 FROM o), u.id, " IMAGE_COLS "FROM (SELECT 1) one "
    "LEFT JOIN u ON true", 3, 0 };

const struct db_stmt db_images_covers = { "images_covers",
    "SELECT " IMAGE_COLS "FROM images WHERE owner_id = $1::bigint "
    "AND state = 'ready' ORDER BY id DESC LIMIT 100", 1, DB_READ };

const struct db_stmt db_images_list = { "images_list",
    "SELECT " IMAGE_COLS "FROM images WHERE owner_id = $1::bigint "
    "AND " AFTER_PAGE "ORDER BY created_at DESC, id DESC LIMIT $4::int",
    4, DB_READ };

const struct db_stmt db_images_uses = { "images_uses",
    "SELECT image_id, id, title, n FROM (SELECT pi.image_id, p.id, "
    "p.title, row_number() OVER (PARTITION BY pi.image_id ORDER BY p.id) "
    "AS r, count(*) OVER (PARTITION BY pi.image_id) AS n FROM "
    "post_images pi JOIN posts p ON p.id = pi.post_id WHERE pi.image_id "
    "IN (SELECT id FROM images WHERE owner_id = $1::bigint AND "
    AFTER_PAGE "ORDER BY created_at DESC, id DESC LIMIT $4::int)) x "
    "WHERE r <= 5 ORDER BY image_id, id", 4, DB_READ };

const struct db_stmt db_images_usage = { "images_usage",
    "SELECT count(*), coalesce(sum(coalesce(stored_bytes, byte_size)), "
    "0), (SELECT avatar_image_id FROM users WHERE id = $1::bigint) "
    "FROM images WHERE owner_id = $1::bigint", 1, DB_READ };

const struct db_stmt db_post_images = { "post_images",
    "SELECT " REF_COLS ", pi.post_id FROM post_images pi JOIN images i "
    "ON i.id = pi.image_id WHERE pi.post_id = $1::bigint AND "
    "i.state = 'ready' ORDER BY i.id LIMIT 64", 1, DB_READ };

const struct db_stmt db_posts_images = { "posts_images",
    "SELECT " REF_COLS ", pi.post_id FROM post_images pi JOIN images i "
    "ON i.id = pi.image_id WHERE pi.post_id = ANY ($1::bigint[]) AND "
    "i.state = 'ready' ORDER BY pi.post_id, i.id LIMIT 1000", 1,
    DB_READ };

const struct db_stmt db_store_pending = { "store_pending",
    "SELECT 1 FROM images WHERE state = 'pending' AND "
    "(upload_key = $1 OR (upload_key IS NULL AND key = $1))", 1, DB_READ };

const struct db_stmt db_store_legacy = { "store_legacy",
    "SELECT 1 FROM images WHERE key = $1 AND state = 'ready'", 1, DB_READ };

void
db_image_row(const struct dbq *q, int row, struct image *im)
{
	db_image_row_at(q, row, 0, im);
}

void
db_image_row_at(const struct dbq *q, int row, int c, struct image *im)
{
	im->id = db_int(q, row, c + I_ID);
	im->owner_id = db_int(q, row, c + I_OWNER);
	im->key = db_isnull(q, row, c + I_KEY) ? NULL :
	    db_text(q, row, c + I_KEY);
	im->upload_key = db_isnull(q, row, c + I_UPLOAD) ? NULL :
	    db_text(q, row, c + I_UPLOAD);
	im->content_type = db_text(q, row, c + I_TYPE);
	im->filename = db_text(q, row, c + I_NAME);
	im->state = db_text(q, row, c + I_STATE);
	im->byte_size = db_int(q, row, c + I_SIZE);
	im->created_at = db_time(q, row, c + I_CREATED);
	im->alt = db_text(q, row, c + I_ALT);
	im->stored_bytes = db_int(q, row, c + I_STORED);
	im->original_kept = db_bool(q, row, c + I_KEPT);
	memset(&im->ref, 0, sizeof(im->ref));
	im->ref.id = im->id;
	im->ref.key = im->key;
	im->ref.alt = im->alt;
	if (!db_isnull(q, row, c + I_VARIANTS))
		(void)db_variants_decode(db_text(q, row, c + I_VARIANTS),
		    &im->ref);
}

int
db_image_uses_rows(const struct dbq *q, struct image_use *uses, int max,
    int *avatar)
{
	int	i, n;

	*avatar = db_rows(q) > 0 && db_bool(q, 0, 0);
	for (i = 0, n = 0; i < db_rows(q) && n < max; i++) {
		if (db_isnull(q, i, 1))
			continue;
		uses[n].image_id = 0;
		uses[n].post_id = db_int(q, i, 1);
		uses[n].title = db_text(q, i, 2);
		uses[n].count = 0;
		n++;
	}
	return (n);
}

void
db_images_use_row(const struct dbq *q, int row, struct image_use *u)
{
	u->image_id = db_int(q, row, 0);
	u->post_id = db_int(q, row, 1);
	u->title = db_text(q, row, 2);
	u->count = db_int(q, row, 3);
}

void
db_image_ref_row(const struct dbq *q, int row, struct image_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->id = db_int(q, row, 0);
	ref->key = db_text(q, row, 1);
	ref->alt = db_text(q, row, 2);
	if (!db_isnull(q, row, 3))
		(void)db_variants_decode(db_text(q, row, 3), ref);
	ref->post_id = db_int(q, row, 4);
}

/*
 * "<w> <h> <type> <key>,...", by width: each field checked (the text is
 * the database's, but a page must never show half a variant).
 */
int
db_variants_decode(const char *s, struct image_ref *ref)
{
	struct image_variant_ref	*v;
	const char			*p, *sp;
	char				*end;
	unsigned long			 w, h;
	size_t				 n;

	ref->nvariants = 0;
	ref->width = ref->height = 0;
	if (s == NULL || *s == '\0')
		return (s == NULL ? 0 : -1);
	for (p = s; *p != '\0'; p++) {
		if (ref->nvariants == IMAGE_VARIANTS_MAX)
			goto bad;
		v = &ref->variants[ref->nvariants];
		w = strtoul(p, &end, 10);
		if (end == p || *end != ' ' || w == 0 || w > 65535)
			goto bad;
		p = end + 1;
		h = strtoul(p, &end, 10);
		if (end == p || *end != ' ' || h == 0 || h > 1000000)
			goto bad;
		p = end + 1;
		if ((sp = strchr(p, ' ')) == NULL ||
		    (size_t)(sp - p) >= sizeof(v->content_type))
			goto bad;
		memcpy(v->content_type, p, (size_t)(sp - p));
		v->content_type[sp - p] = '\0';
		p = sp + 1;
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(v->key))
			goto bad;
		memcpy(v->key, p, n);
		v->key[n] = '\0';
		v->width = (uint32_t)w;
		v->height = (uint32_t)h;
		if (v->width >= ref->width) {
			ref->width = v->width;
			ref->height = v->height;
		}
		ref->nvariants++;
		p += n;
		if (*p == '\0')
			break;
	}
	return (0);
bad:
	ref->nvariants = 0;
	ref->width = ref->height = 0;
	return (-1);
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
	/*
	 * Kept: an image's key or one of its variants, a key that shares
	 * the stem of an image's key (variants being written), an upload
	 * still pending or kept as the original.
	 */
	r = PQexecParams(conn, "SELECT k FROM (SELECT k, substring(k FROM "
	    "'^(i/[0-9]+/[A-Za-z0-9_-]{43})') AS stem FROM unnest($1::text[]) "
	    "AS k) x WHERE "
	    "EXISTS (SELECT 1 FROM images i WHERE i.key = k) OR "
	    "EXISTS (SELECT 1 FROM image_variants v WHERE v.key = k) OR "
	    "(stem IS NOT NULL AND EXISTS (SELECT 1 FROM images i WHERE "
	    "i.key IN (stem || '.jpg', stem || '.png', stem || '.gif', "
	    "stem || '.webp', stem || '.avif'))) OR "
	    "EXISTS (SELECT 1 FROM images i WHERE i.upload_key = k AND "
	    "(i.state = 'pending' OR i.original_kept))", 1, NULL, params,
	    NULL, NULL, 0);
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
