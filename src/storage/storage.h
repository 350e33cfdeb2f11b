/*
 * storage.h: where images live, behind one interface for both backends.
 *
 *   local  kblog is its own S3: it hands out presigned PUT URLs for
 *          PUBLIC_URL/_store/<key> signed with LOCAL_STORAGE_SECRET,
 *          verifies the very same SigV4 signature when the browser PUTs
 *          (pages/store.c), and keeps files under UPLOAD_DIR.
 *   s3     presigned PUT URLs for the bucket (lib/s3.c); HEAD, ranged
 *          GET, DELETE, CopyObject and ListObjectsV2 signed with the
 *          credentials chain (lib/creds.c).
 *
 * Two kinds of keys (storage_key_kind):
 *   u/<user>/<random>.<ext>  upload keys: the only thing a client URL can
 *                            write, for as long as the URL lives;
 *   i/<user>/<random>.<ext>  served keys: written by the server alone,
 *   i/<user>/<random>-<width>.<ext>  never by a client: the variants it
 *                            made from an upload it decoded (the first
 *                            is the largest in the upload's format, the
 *                            image's own key; the others share its stem).
 * Images stored before served copies existed keep serving their u/ key.
 *
 * Every operation that may block (network, disk, the credentials chain)
 * runs in a Kore task (storage_run, through core/task.h), never on a
 * worker's event loop.  The sweeper (sweep.c) removes abandoned uploads
 * and any object that no image row keeps.
 */

#ifndef KBLOG_STORAGE_H
#define KBLOG_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/task.h"

#define STORE_KEY_UPLOAD	1	/* u/...: clients PUT these */
#define STORE_KEY_SERVED	2	/* i/...: only the server writes */

#define ST_PRESIGN	1	/* key: a presigned PUT URL for it */
#define ST_PUBLISH	2	/* upload_key -> variants under key's stem */
#define ST_DELETE	3	/* key, upload_key and the variants given */

#define STORAGE_KEY_MAX		128
#define STORAGE_VARIANTS_MAX	8	/* lib/image.h's IMAGE_MAX_VARIANTS */

/* One file the server wrote from an upload. */
struct storage_variant {
	char		key[STORAGE_KEY_MAX];
	char		content_type[16];
	uint32_t	width;
	uint32_t	height;
	uint64_t	bytes;
};

/* A storage task's job and answer: the in/out block of task_run(). */
struct storage_io {
	int		op;
	char		key[STORAGE_KEY_MAX];
	char		upload_key[STORAGE_KEY_MAX];
	char		content_type[32];
	uint64_t	length;		/* presign, publish: the exact size */
	/* The answer. */
	int		status;		/* 200/204 ok, 404, 422, 503 */
	char		url[4096];
	int64_t		expires_at;
	char		error[256];	/* why, for the log */
	/* Publish: what the server made (delete: the variants to go too). */
	char		refusal[32];	/* 422: image_status_code() */
	uint32_t	width;		/* of the largest variant */
	uint32_t	height;
	uint32_t	frames;
	uint64_t	stored_bytes;	/* variants, and the upload if kept */
	int		nvariants;
	struct storage_variant variants[STORAGE_VARIANTS_MAX];
};

/*
 * Starts (first call) or polls the storage job io: TASK_PENDING, then
 * TASK_DONE with io->status (200/204 fine, 404 no object, 422 not the
 * image announced, 500 processing failed, 503 storage unreachable or
 * failing) or TASK_FAILED.  task_reset() the struct task to run a second
 * job.  A publish waits for the worker's image lane (IMAGE_CONCURRENCY
 * at once): its handler calls task_cancel() from done().
 */
int		 storage_run(struct http_request *, struct task *,
		    struct storage_io *);

int		 storage_key_kind(const char *);
/* The key of the variant of the served key at width, of extension ext. */
int		 storage_variant_key(const char *key, uint32_t width,
		    const char *ext, char *out, size_t len);
/* A new random key of the kind for owner's image of type ctype. */
void		 storage_new_key(char *, size_t, int kind, int64_t owner,
		    const char *ctype);
/* The URL pages use to show the image stored under key. */
void		 storage_public_url(const char *key, char *out, size_t len);

/* The local store (pages/store.c). */
const char	*storage_local_secret(void);
int		 storage_local_host(const char **scheme, char *host,
		    size_t hostlen);
int		 local_store_path(const char *, char *, size_t);
int		 local_store_mkdirs(const char *);

/* Inside storage/ (task threads): the bucket, current credentials. */
struct s3_config;
struct aws_creds;
void		 storage_s3_config(struct s3_config *);
int		 storage_creds(struct aws_creds *, char *error, size_t errlen);

/*
 * account_store.c: an account's objects.  The export of everything user
 * wrote: a task builds the tar archive (export.json and the images) into
 * a file in export_dir() and answers 200 (path, size, username), 404 (the
 * account is gone), 409 (a deletion holds it, or an image went away
 * meanwhile: nothing half-done is handed out), 503.  The caller serves
 * the file and unlinks it.
 */
struct export_io {
	int64_t		user;
	int		status;
	int64_t		size;
	char		path[512];
	char		username[33];
	char		error[256];
};
int		 export_run(struct http_request *, struct task *,
		    struct export_io *);
const char	*export_dir(void);
/* For the sweeper: archives left behind, an hour old, go. */
void		 export_sweep(void);

/* Objects of a deleted account, deleted in one task (best effort: what
 * is left, the sweeper finds). */
#define STORAGE_FORGET_MAX	100
struct storage_forget {
	int	n;
	int	deleted;
	char	keys[STORAGE_FORGET_MAX][STORAGE_KEY_MAX];
};
int		 storage_forget_run(struct http_request *, struct task *,
		    struct storage_forget *);

/* sweep.c: starts the sweeper's timer (the first worker only). */
void		 storage_sweep_start(void);
/* For the sweeper: deletes one object (204, or an error status). */
int		 storage_delete_now(const char *key);

#endif
