/*
 * db_images.h: images, their variants, where they are used, uploads, and
 * what the sweeper asks.
 *
 * Clients write upload keys (u/...); the server writes the variants it
 * made from an upload (i/..., storage/) and records them in
 * image_variants when it marks the image ready.  A row names the served
 * key before the server writes it, and every variant key shares that
 * key's stem, so every object in the store is accounted for by a row or
 * swept.  post_images (kept by a trigger on every write of a post's
 * HTML, sql/007) says which posts show each image.
 */

#ifndef KBLOG_DB_IMAGES_H
#define KBLOG_DB_IMAGES_H

#include <libpq-fe.h>

#include "db/db.h"

#define IMAGE_VARIANTS_MAX	8	/* storage.h's STORAGE_VARIANTS_MAX */

/* One file the server made from an image. */
struct image_variant_ref {
	uint32_t	 width;
	uint32_t	 height;
	char		 content_type[16];	/* "image/webp" */
	char		 key[128];
};

/* An image as pages show it: its variants, decoded. */
struct image_ref {
	int64_t			 id;
	int64_t			 post_id;	/* a post's images; or 0 */
	const char		*key;		/* its own served key */
	const char		*alt;
	uint32_t		 width;		/* the largest variant's */
	uint32_t		 height;
	int			 nvariants;	/* 0: none (stored before
						   variants existed) */
	struct image_variant_ref variants[IMAGE_VARIANTS_MAX];	/* by
						   width, then type */
};

struct image {
	int64_t		 id;
	int64_t		 owner_id;
	const char	*key;		/* served key, or NULL while pending */
	const char	*upload_key;	/* or NULL (stored before 004) */
	const char	*content_type;
	const char	*filename;
	const char	*state;		/* "pending", "ready", "deleting" */
	int64_t		 byte_size;	/* of the upload */
	int64_t		 created_at;
	const char	*alt;
	int64_t		 stored_bytes;	/* what its objects take */
	int		 original_kept;
	struct image_ref ref;		/* width, height, variants */
};

/*
 * A new pending upload within the owner's caps: $1 owner, $2 upload
 * key, $3 file name, $4 type, $5 bytes, $6 pending uploads at most, $7
 * bytes at most, $8 the pending age (Retry-After), $9 uploads an hour,
 * $10 alt text.  Row: the id (NULL when refused), the refusal
 * ('pending', 'quota', or NULL: the rate limit), the seconds to wait.
 */
extern const struct db_stmt	db_image_create;
/* $1 id: an image row. */
extern const struct db_stmt	db_image_get;
/* $1 id, $2 served key, recorded before it is written.  Row: the upload
 * key, while pending. */
extern const struct db_stmt	db_image_claim;
/*
 * $1 id, $2 the served key its variants were written under, $3 width,
 * $4 height, $5 frames, $6 stored bytes, $7 the upload kept; the
 * variants as arrays: $8 keys, $9 types, $10 widths, $11 heights, $12
 * bytes.  A row when it was pending and is now ready.
 */
extern const struct db_stmt	db_image_ready;
/* $1 id, $2 owner. */
extern const struct db_stmt	db_image_delete;
/* Covers the editor offers: $1 owner, the newest 100 ready images. */
extern const struct db_stmt	db_images_covers;
/*
 * $1 id, $2 owner, $3 unset the avatar (boolean): image_retire() (sql/
 * 007).  Row: outcome ('missing', 'forbidden', 'in_use', 'ok'), its
 * served key, its upload key, its variants' keys (text[]).
 */
extern const struct db_stmt	db_image_retire;
/*
 * Where $1 is used ($2 its owner): rows of (the owner's avatar?, post id,
 * post title), at most 51; one row with NULL post when no post shows it.
 */
extern const struct db_stmt	db_image_uses;
/* The next post of $2 that shows image $1: (post id, Markdown). */
extern const struct db_stmt	db_image_next_use;
/*
 * $1 id, $2 owner, $3 alt.  Row: 1 if it exists, its id if it was the
 * owner's and changed (owned_or_reply), then an image row.
 */
extern const struct db_stmt	db_image_alt_set;
/* Lists: $1 owner, $2/$3 after (time, id), $4 limit (the API and the
 * gallery). */
extern const struct db_stmt	db_images_list;
/*
 * The posts that show the images of that same page ($1..$4 as above):
 * rows of (image id, post id, title, how many posts show it), at most 5
 * per image.
 */
extern const struct db_stmt	db_images_uses;
/* $1 owner: (images, bytes they take, the avatar's image id or NULL). */
extern const struct db_stmt	db_images_usage;
/* The ready images post $1 shows: image_ref rows. */
extern const struct db_stmt	db_post_images;
/* Those of the posts $1 (a bigint[] literal): image_ref rows. */
extern const struct db_stmt	db_posts_images;
/* The local store: $1 upload key: a row while its upload is pending. */
extern const struct db_stmt	db_store_pending;
/* $1 a u/ key: a row when it is the served key of an old image. */
extern const struct db_stmt	db_store_legacy;

/* A post that shows an image. */
struct image_use {
	int64_t		 image_id;
	int64_t		 post_id;
	const char	*title;
	int64_t		 count;		/* db_images_uses: posts in all */
};

void	db_image_row(const struct dbq *, int row, struct image *);
/* The same, the image's columns starting at col. */
void	db_image_row_at(const struct dbq *, int row, int col,
	    struct image *);
/* db_image_uses: at most max posts into uses, *avatar; returns n. */
int	db_image_uses_rows(const struct dbq *, struct image_use *, int max,
	    int *avatar);
/* db_images_uses: row row. */
void	db_images_use_row(const struct dbq *, int row, struct image_use *);
/* Rows of db_post_images / db_posts_images. */
void	db_image_ref_row(const struct dbq *, int row, struct image_ref *);
/*
 * image_variants_text() (sql/007): "<w> <h> <type> <key>,..." into ref's
 * variants (width and height: the largest's).  0, or -1 when it is not
 * that (ref then has none).  NULL: none.
 */
int	db_variants_decode(const char *, struct image_ref *);

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
