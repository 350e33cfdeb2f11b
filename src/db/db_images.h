/*
 * db_images.h: images, uploads, and what the sweeper asks.
 *
 * Clients write upload keys (u/...); the server writes the served copy
 * (key, i/...) once it has checked the upload (storage/).  A row names
 * the served key before the server writes it, so every object in the
 * store is accounted for by a row or swept.
 */

#ifndef KBLOG_DB_IMAGES_H
#define KBLOG_DB_IMAGES_H

#include <libpq-fe.h>

#include "db/db.h"

struct image {
	int64_t		 id;
	int64_t		 owner_id;
	const char	*key;		/* served key, or NULL while pending */
	const char	*upload_key;	/* or NULL (stored before 004) */
	const char	*content_type;
	const char	*filename;
	const char	*state;		/* "pending" or "ready" */
	int64_t		 byte_size;
	int64_t		 created_at;
};

/*
 * A new pending upload within the owner's caps: $1 owner, $2 upload
 * key, $3 file name, $4 type, $5 bytes, $6 pending uploads at most, $7
 * bytes at most, $8 the pending age (Retry-After), $9 uploads an hour.
 * Row: the id (NULL when refused), the refusal ('pending', 'quota', or
 * NULL: the rate limit), the seconds to wait.
 */
extern const struct db_stmt	db_image_create;
/* $1 id: an image row. */
extern const struct db_stmt	db_image_get;
/* $1 id, $2 served key, recorded before it is written.  Row: the upload
 * key, while pending. */
extern const struct db_stmt	db_image_claim;
/* $1 id, $2 the served key just written and checked: a row when ready. */
extern const struct db_stmt	db_image_ready;
/* $1 id, $2 owner. */
extern const struct db_stmt	db_image_delete;
/* The gallery: $1 owner, newest 500 image rows. */
extern const struct db_stmt	db_images_gallery;
/* Covers the editor offers: $1 owner, the newest 100 ready images. */
extern const struct db_stmt	db_images_covers;
/* The API's list: $1 owner, $2/$3 after (time, id), $4 limit. */
extern const struct db_stmt	db_images_list;
/* The local store: $1 upload key: a row while its upload is pending. */
extern const struct db_stmt	db_store_pending;
/* $1 a u/ key: a row when it is the served key of an old image. */
extern const struct db_stmt	db_store_legacy;

void	db_image_row(const struct dbq *, int row, struct image *);

/*
 * For the sweeper's task, on a connection of its own (blocking libpq).
 * Pending uploads older than max_age seconds: gone() is called with the
 * served and upload keys ("" when none) and says whether their objects
 * are gone (then the row goes).  Returns the rows swept.
 */
int	db_sweep_pending(PGconn *, long max_age,
	    int (*gone)(const char *key, const char *upload_key));
/* Of n keys, which does a row keep?  kept[i] set; 0, or -1. */
int	db_sweep_kept(PGconn *, char (*keys)[128], int n, int *kept);
/* Old login failures, expired sessions. */
void	db_housekeeping(PGconn *);

#endif
