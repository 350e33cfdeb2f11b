/*
 * storage.c: the storage operations (see storage.h), run in task
 * threads: presigned upload URLs, the served copy written from a
 * checked upload, deletes; for both backends.
 *
 * Owns the credentials cache (shared by the task threads of a worker,
 * under a mutex).  Never touches a request or the database.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <kore/kore.h>

#include "core/site.h"
#include "lib/creds.h"
#include "lib/input.h"
#include "lib/s3.h"
#include "lib/secure.h"
#include "lib/sigv4.h"
#include "storage/storage.h"

#define LOCAL_ACCESS_KEY	"kblog-local"
#define LOCAL_REGION		"local"

static pthread_mutex_t	creds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct aws_creds	creds_cache;
static int		creds_valid = 0;

static void	st_work(void *);
static void	st_presign(struct storage_io *, const struct s3_config *,
		    const struct aws_creds *);
static void	st_publish(struct storage_io *, const struct s3_config *,
		    const struct aws_creds *);
static int	storage_magic_ok(const char *, const unsigned char *, size_t);
static int	st_write_served(const char *, const char *,
		    const struct s3_config *, const struct aws_creds *);
static int	st_inspect(const char *, const char *,
		    const struct s3_config *, const struct aws_creds *,
		    uint64_t *, char *, size_t, unsigned char *, size_t *);
static int	st_delete_one(const char *, const struct s3_config *,
		    const struct aws_creds *);

/* The secret every instance must share for local uploads. */
const char *
storage_local_secret(void)
{
	return (kb_cfg.local_secret);
}

/*
 * The scheme and Host of local-store upload URLs: PUBLIC_URL's, as a
 * browser sends it (lowercase, no default port), whatever Host the
 * request that asked for the upload carried.  0 or -1.
 */
int
storage_local_host(const char **scheme, char *host, size_t hostlen)
{
	return (s3_origin_host(kb_cfg.public_url, scheme, host, hostlen));
}

/*
 * Keys are kblog's own: <u|i>/<digits>/<43 base64url>.<ext>.  Returns
 * STORE_KEY_UPLOAD, STORE_KEY_SERVED, or 0 for anything else.
 */
int
storage_key_kind(const char *key)
{
	const char	*p, *ext;
	size_t		 n;
	int		 kind;

	if (strncmp(key, "u/", 2) == 0)
		kind = STORE_KEY_UPLOAD;
	else if (strncmp(key, "i/", 2) == 0)
		kind = STORE_KEY_SERVED;
	else
		return (0);
	p = key + 2;
	n = strspn(p, "0123456789");
	if (n == 0 || n > 19 || p[n] != '/')
		return (0);
	p += n + 1;
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_");
	if (n != SEC_TOKEN_LEN || p[n] != '.')
		return (0);
	ext = p + n + 1;
	if (!strcmp(ext, "jpg") || !strcmp(ext, "png") ||
	    !strcmp(ext, "gif") || !strcmp(ext, "webp"))
		return (kind);
	return (0);
}

/* A new random key of the kind for owner's image of type ctype. */
void
storage_new_key(char *out, size_t len, int kind, int64_t owner,
    const char *ctype)
{
	char		 rnd[SEC_TOKEN_LEN + 1];
	const char	*ext;

	if ((ext = input_image_ext(ctype)) == NULL)
		fatal("storage_new_key: type %s", ctype);
	if (sec_random_token(rnd) == -1)
		fatal("no randomness");
	(void)snprintf(out, len, "%s/%lld/%s.%s",
	    kind == STORE_KEY_SERVED ? "i" : "u", (long long)owner, rnd, ext);
}

void
storage_public_url(const char *key, char *out, size_t len)
{
	if (kb_cfg.storage_s3)
		(void)snprintf(out, len, "%s/%s", kb_cfg.s3_public_url, key);
	else
		(void)snprintf(out, len, "/_store/%s", key);
}

int
local_store_path(const char *key, char *out, size_t outlen)
{
	int	n;

	if (storage_key_kind(key) == 0)
		return (-1);
	n = snprintf(out, outlen, "%s/%s", kb_cfg.upload_dir, key);
	return (n < 0 || (size_t)n >= outlen ? -1 : 0);
}

/* mkdir -p for the directories of path (not its last part). */
int
local_store_mkdirs(const char *path)
{
	char	buf[1024], *p;

	if (kore_strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return (-1);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) == -1 && errno != EEXIST)
			return (-1);
		*p = '/';
	}
	return (0);
}

void
storage_s3_config(struct s3_config *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->endpoint = kb_cfg.s3_endpoint;
	sc->region = kb_cfg.s3_region;
	sc->bucket = kb_cfg.s3_bucket;
	sc->path_style = kb_cfg.s3_path_style;
}

/*
 * Current credentials, fetched through the chain when missing or within
 * 15 minutes of expiry.  Shared by the task threads of this worker.
 */
int
storage_creds(struct aws_creds *out, char *error, size_t errlen)
{
	struct creds_config	cc;
	struct aws_creds	fresh;
	char			err[256];
	int			ok;

	pthread_mutex_lock(&creds_lock);
	if (!creds_valid || creds_needs_refresh(&creds_cache, time(NULL))) {
		creds_config_from_env(&cc);
		if (creds_fetch(&cc, &fresh, err, sizeof(err)) == 0) {
			creds_cache = fresh;
			creds_valid = 1;
		} else if (!creds_valid || time(NULL) >= creds_cache.expires) {
			/* Keep still-valid ones when a refresh fails. */
			if (error != NULL)
				(void)snprintf(error, errlen, "%s", err);
		}
		memset(&fresh, 0, sizeof(fresh));
	}
	ok = creds_valid && (creds_cache.expires == 0 ||
	    time(NULL) < creds_cache.expires);
	if (ok)
		*out = creds_cache;
	pthread_mutex_unlock(&creds_lock);
	return (ok ? 0 : -1);
}

/* A presigned PUT for the upload key io->key. */
static void
st_presign(struct storage_io *io, const struct s3_config *sc,
    const struct aws_creds *cr)
{
	struct sigv4_request	 r;
	struct sigv4_kv		 hdr[2];
	const char		*scheme;
	char			 date[SIGV4_DATE_LEN + 1], len[24], path[1024];
	char			 host[256], *url;
	time_t			 now;

	now = time(NULL);
	if (storage_key_kind(io->key) != STORE_KEY_UPLOAD) {
		io->status = 500;
		return;
	}
	if (kb_cfg.storage_s3) {
		url = s3_presign_put(sc, cr, io->key, io->content_type,
		    io->length, (int)kb_cfg.upload_url_ttl, now);
	} else {
		if (storage_local_host(&scheme, host, sizeof(host)) == -1 ||
		    sigv4_format_date(now, date) == -1) {
			io->status = 500;
			return;
		}
		(void)snprintf(path, sizeof(path), "/_store/%s", io->key);
		(void)snprintf(len, sizeof(len), "%llu",
		    (unsigned long long)io->length);
		hdr[0].name = "content-length";
		hdr[0].value = len;
		hdr[1].name = "content-type";
		hdr[1].value = io->content_type;
		memset(&r, 0, sizeof(r));
		r.method = "PUT";
		r.host = host;
		r.path = path;
		r.headers = hdr;
		r.nheaders = 2;
		r.access_key = LOCAL_ACCESS_KEY;
		r.secret_key = kb_cfg.local_secret;
		r.region = LOCAL_REGION;
		r.service = "s3";
		r.amz_date = date;
		r.expires = (unsigned int)kb_cfg.upload_url_ttl;
		url = sigv4_presign_url(&r, scheme);
	}
	if (url == NULL || strlen(url) >= sizeof(io->url)) {
		free(url);
		io->status = 500;
		return;
	}
	(void)kore_strlcpy(io->url, url, sizeof(io->url));
	free(url);
	io->expires_at = (int64_t)now + kb_cfg.upload_url_ttl;
	io->status = 200;
}

/*
 * The server writes the served object dst from the checked upload src:
 * the one place where what is served is written, and only ever by the
 * server (no client URL can name an i/ key).  Today a plain copy: S3's
 * CopyObject, or a hard link in UPLOAD_DIR (the local store never writes
 * into an existing file, so the link's bytes cannot change).  200, 404
 * (no upload), or 503 (storage unreachable or failing).
 */
static int
st_write_served(const char *src, const char *dst, const struct s3_config *sc,
    const struct aws_creds *cr)
{
	char	from[1024], to[1024];
	int	status;

	if (storage_key_kind(src) != STORE_KEY_UPLOAD ||
	    storage_key_kind(dst) != STORE_KEY_SERVED)
		return (500);
	if (kb_cfg.storage_s3) {
		if (s3_copy(sc, cr, src, dst, &status) == -1)
			return (503);
		if (status == 200)
			return (200);
		/* Without s3:ListBucket a missing source is a 403. */
		if (status == 404 || status == 403)
			return (404);
		kore_log(LOG_WARNING, "storage: copy %s: HTTP %d", src,
		    status);
		return (503);
	}
	if (local_store_path(src, from, sizeof(from)) == -1 ||
	    local_store_path(dst, to, sizeof(to)) == -1)
		return (500);
	if (local_store_mkdirs(to) == -1 || link(from, to) == -1) {
		if (errno == ENOENT && access(from, F_OK) == -1)
			return (404);
		kore_log(LOG_ERR, "storage: link %s: %s", dst,
		    strerror(errno));
		return (503);
	}
	return (200);
}

/*
 * What is stored under key: its size and type (local: the signed type,
 * ctype, since a file has no other) and its first bytes.  200, 404, 503.
 */
static int
st_inspect(const char *key, const char *ctype, const struct s3_config *sc,
    const struct aws_creds *cr, uint64_t *size, char *type, size_t typelen,
    unsigned char *head, size_t *headlen)
{
	struct s3_object	 obj;
	struct stat		 st;
	char			 path[1024];
	size_t			 cap;
	ssize_t			 n;
	int			 fd, status;

	cap = *headlen;
	*headlen = 0;
	if (kb_cfg.storage_s3) {
		memset(&obj, 0, sizeof(obj));
		if (s3_head(sc, cr, key, &obj) == -1)
			return (503);
		if (obj.status == 404 || obj.status == 403)
			return (404);
		if (obj.status != 200)
			return (503);
		*size = obj.content_length;
		(void)kore_strlcpy(type, obj.content_type, typelen);
		if (s3_get_range(sc, cr, key, cap, head, headlen,
		    &status) == -1)
			return (503);
		if (status != 200 && status != 206)
			return (status == 404 ? 404 : 503);
		return (200);
	}
	if (local_store_path(key, path, sizeof(path)) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (404);
	if (fstat(fd, &st) == -1 || (n = read(fd, head, cap)) < 0) {
		close(fd);
		return (503);
	}
	close(fd);
	*headlen = (size_t)n;
	*size = (uint64_t)st.st_size;
	(void)kore_strlcpy(type, ctype, typelen);
	return (200);
}

/*
 * complete's storage step: write the served copy (job->key) of the
 * upload (job->upload_key), then check that copy, the very bytes that
 * will be served, against what was authorised: size, type, magic
 * number.  Checking the copy rather than the upload closes the race with
 * a client that PUTs again to its still-valid URL in between.
 *   200  written and checked: the upload key may go;
 *   404  nothing was uploaded (yet);
 *   422  not the image announced (the caller removes both objects);
 *   503  storage unreachable.
 */
static void
st_publish(struct storage_io *io, const struct s3_config *sc,
    const struct aws_creds *cr)
{
	unsigned char	head[16];
	char		type[256];
	uint64_t	size;
	size_t		headlen;

	if ((io->status = st_write_served(io->upload_key, io->key, sc,
	    cr)) != 200)
		return;
	size = 0;
	type[0] = '\0';
	headlen = sizeof(head);
	io->status = st_inspect(io->key, io->content_type, sc, cr, &size,
	    type, sizeof(type), head, &headlen);
	if (io->status == 404)
		io->status = 503;	/* written a moment ago */
	if (io->status != 200)
		return;
	if (size != io->length) {
		(void)snprintf(io->error, sizeof(io->error),
		    "size %llu, announced %llu", (unsigned long long)size,
		    (unsigned long long)io->length);
		io->status = 422;
	} else if (strcasecmp(type, io->content_type) != 0) {
		(void)snprintf(io->error, sizeof(io->error),
		    "stored with another type");
		io->status = 422;
	} else if (!storage_magic_ok(io->content_type, head, headlen)) {
		(void)snprintf(io->error, sizeof(io->error),
		    "contents are not a %s", io->content_type);
		io->status = 422;
	}
}

/* Deletes one object: 204 (also when it was not there), 503, 500. */
static int
st_delete_one(const char *key, const struct s3_config *sc,
    const struct aws_creds *cr)
{
	char	path[1024];
	int	status;

	if (kb_cfg.storage_s3) {
		if (s3_delete(sc, cr, key, &status) == -1)
			return (503);
		/* S3 answers 204 whether or not the key existed. */
		if (status == 204 || status == 200 || status == 404)
			return (204);
		return (503);
	}
	if (local_store_path(key, path, sizeof(path)) == -1)
		return (500);
	return ((unlink(path) == 0 || errno == ENOENT) ? 204 : 500);
}

/* Runs in a task thread: may block.  The answer goes into io. */
static void
st_work(void *arg)
{
	struct storage_io	*io = arg;
	struct s3_config	 sc;
	struct aws_creds	 cr;
	int			 status;

	io->key[sizeof(io->key) - 1] = '\0';
	io->upload_key[sizeof(io->upload_key) - 1] = '\0';
	io->content_type[sizeof(io->content_type) - 1] = '\0';
	io->status = 500;
	io->url[0] = '\0';
	io->error[0] = '\0';
	io->expires_at = 0;
	memset(&cr, 0, sizeof(cr));
	if (kb_cfg.storage_s3 && storage_creds(&cr, io->error,
	    sizeof(io->error)) == -1) {
		io->status = 503;
		return;
	}
	storage_s3_config(&sc);

	switch (io->op) {
	case ST_PRESIGN:
		st_presign(io, &sc, &cr);
		break;
	case ST_PUBLISH:
		st_publish(io, &sc, &cr);
		break;
	case ST_DELETE:
		/* The served object first, then the upload. */
		io->status = 204;
		if (io->key[0] != '\0' &&
		    (status = st_delete_one(io->key, &sc, &cr)) != 204)
			io->status = status;
		if (io->status == 204 && io->upload_key[0] != '\0' &&
		    (status = st_delete_one(io->upload_key, &sc, &cr)) != 204)
			io->status = status;
		break;
	}
	explicit_bzero(&cr, sizeof(cr));
}

int
storage_run(struct http_request *req, struct task *t, struct storage_io *io)
{
	return (task_run(req, t, st_work, io, sizeof(*io)));
}

/* For the sweeper's thread: one object, now (blocking). */
int
storage_delete_now(const char *key)
{
	struct storage_io	io;

	memset(&io, 0, sizeof(io));
	io.op = ST_DELETE;
	(void)snprintf(io.key, sizeof(io.key), "%s", key);
	st_work(&io);
	return (io.status);
}

/* Does the file start the way its type says it must? */
static int
storage_magic_ok(const char *ctype, const unsigned char *h, size_t n)
{
	if (!strcmp(ctype, "image/jpeg"))
		return (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff);
	if (!strcmp(ctype, "image/png"))
		return (n >= 8 && !memcmp(h, "\x89PNG\r\n\x1a\n", 8));
	if (!strcmp(ctype, "image/gif"))
		return (n >= 6 && (!memcmp(h, "GIF87a", 6) ||
		    !memcmp(h, "GIF89a", 6)));
	if (!strcmp(ctype, "image/webp"))
		return (n >= 12 && !memcmp(h, "RIFF", 4) &&
		    !memcmp(h + 8, "WEBP", 4));
	return (0);
}
