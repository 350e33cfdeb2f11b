/*
 * storage.c: the storage operations (see storage.h), run in task
 * threads: presigned upload URLs, the variants the server makes from an
 * upload (lib/image.h, libvips) and writes itself, deletes; for both
 * backends.
 *
 * Owns the credentials cache (shared by the task threads of a worker,
 * under a mutex) and the worker's image lane.  Never touches a request
 * or the database.  Memory: an upload is read whole into memory (at most
 * UPLOAD_MAX_BYTES) and freed, with its variants, before the task ends.
 */

#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <kore/kore.h>

#include "core/site.h"
#include "lib/creds.h"
#include "lib/image.h"
#include "lib/input.h"
#include "lib/s3.h"
#include "lib/secure.h"
#include "lib/sigv4.h"
#include "storage/storage.h"

#define LOCAL_ACCESS_KEY	"kblog-local"
#define LOCAL_REGION		"local"
/* What S3 (or a CDN in front of it) sends with a variant: never changes. */
#define SERVED_CACHE		"public, max-age=31536000, immutable"
/*
 * Image processing runs in a thread of its own in the SCHED_IDLE class:
 * within kblog's share of the CPU, it gets what the workers' event loops
 * leave, so a page never waits behind a decoder (the kernel still shares
 * the CPU fairly between kblog and other processes, PostgreSQL's
 * included).  Measured here (docs/results.md): at nice 10, /health's
 * p99 reached 45-220 ms in some runs while 20 images were processed;
 * with SCHED_IDLE its median stayed under 10 ms.  Where the class is
 * refused, the lowest nice value.
 */
#define IMAGE_NICE		19

/* An image_process() call, for the thread that makes it. */
struct st_job {
	const unsigned char	*buf;
	size_t			 len;
	const char		*ctype;
	struct image_limits	 lim;
	struct image_result	 res;
	enum image_status	 st;
};

static pthread_mutex_t	creds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct aws_creds	creds_cache;
static int		creds_valid = 0;
/* This worker's image processing: IMAGE_CONCURRENCY at once. */
static struct task_lane	image_lane = TASK_LANE_INIT;

static void	st_work(void *);
static void	st_presign(struct storage_io *, const struct s3_config *,
		    const struct aws_creds *);
static void	st_publish(struct storage_io *, const struct s3_config *,
		    const struct aws_creds *);
static int	st_read_upload(struct storage_io *, const struct s3_config *,
		    const struct aws_creds *, unsigned char **, size_t *);
static void	st_process(struct st_job *);
static void	*st_process_thread(void *);
static int	st_write_served(struct storage_io *,
		    const struct image_result *, const struct s3_config *,
		    const struct aws_creds *);
static int	st_put_one(const char *, const char *, const unsigned char *,
		    size_t, const struct s3_config *, const struct aws_creds *);
static int	local_write_new(const char *, const unsigned char *, size_t);
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
 * Keys are kblog's own: <u|i>/<digits>/<43 base64url>.<ext>, and the
 * variants <i>/<digits>/<43 base64url>-<width>.<ext>.  Returns
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
	/* The token is 43 characters; a variant's "-<width>" follows. */
	if (n < SEC_TOKEN_LEN)
		return (0);
	p += SEC_TOKEN_LEN;
	if (*p == '-') {
		n = strspn(p + 1, "0123456789");
		if (kind != STORE_KEY_SERVED || n == 0 || n > 5 ||
		    p[1] == '0')
			return (0);
		p += 1 + n;
	}
	if (*p != '.')
		return (0);
	ext = p + 1;
	if (!strcmp(ext, "jpg") || !strcmp(ext, "png") ||
	    !strcmp(ext, "gif") || !strcmp(ext, "webp") ||
	    !strcmp(ext, "avif"))
		return (kind);
	return (0);
}

/* <stem>-<width>.<ext> of the image whose own served key is key. */
int
storage_variant_key(const char *key, uint32_t width, const char *ext,
    char *out, size_t len)
{
	const char	*dot;
	int		 n;

	if (storage_key_kind(key) != STORE_KEY_SERVED ||
	    (dot = strrchr(key, '.')) == NULL || width == 0 || width > 99999)
		return (-1);
	n = snprintf(out, len, "%.*s-%u.%s", (int)(dot - key), key,
	    (unsigned int)width, ext);
	if (n < 0 || (size_t)n >= len || storage_key_kind(out) !=
	    STORE_KEY_SERVED)
		return (-1);
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
 * The upload, whole, into memory: 200, 404 (nothing uploaded yet), 422
 * (not the size announced: io->error says so) or 503.  *buf is malloc'd.
 */
static int
st_read_upload(struct storage_io *io, const struct s3_config *sc,
    const struct aws_creds *cr, unsigned char **buf, size_t *len)
{
	struct stat	 st;
	char		 path[1024];
	ssize_t		 n;
	size_t		 got;
	int		 fd, status;

	*buf = NULL;
	*len = 0;
	if (storage_key_kind(io->upload_key) != STORE_KEY_UPLOAD ||
	    io->length == 0 || io->length > (uint64_t)kb_cfg.upload_max)
		return (500);
	if (kb_cfg.storage_s3) {
		if (s3_get(sc, cr, io->upload_key, (size_t)io->length, buf,
		    len, &status) == -1) {
			if (errno != E2BIG)
				return (503);
			(void)snprintf(io->error, sizeof(io->error),
			    "larger than the %llu bytes announced",
			    (unsigned long long)io->length);
			return (422);
		}
		/* Without s3:ListBucket a missing key is a 403. */
		if (status == 404 || status == 403)
			return (404);
		if (status != 200) {
			kore_log(LOG_WARNING, "storage: get %s: HTTP %d",
			    io->upload_key, status);
			return (503);
		}
	} else {
		if (local_store_path(io->upload_key, path, sizeof(path)) == -1)
			return (500);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return (errno == ENOENT ? 404 : 503);
		if (fstat(fd, &st) == -1) {
			close(fd);
			return (503);
		}
		if ((uint64_t)st.st_size != io->length) {
			close(fd);
			(void)snprintf(io->error, sizeof(io->error),
			    "size %llu, announced %llu",
			    (unsigned long long)st.st_size,
			    (unsigned long long)io->length);
			return (422);
		}
		if ((*buf = malloc((size_t)io->length)) == NULL) {
			close(fd);
			return (503);
		}
		for (got = 0; got < io->length; got += (size_t)n) {
			n = read(fd, *buf + got, (size_t)io->length - got);
			if (n <= 0) {
				if (n == -1 && errno == EINTR) {
					n = 0;
					continue;
				}
				break;
			}
		}
		close(fd);
		*len = got;
	}
	if (*len != io->length) {
		(void)snprintf(io->error, sizeof(io->error),
		    "size %zu, announced %llu", *len,
		    (unsigned long long)io->length);
		free(*buf);
		*buf = NULL;
		return (422);
	}
	return (200);
}

/*
 * The thread that runs image_process(): below the event loops' priority
 * (libvips's own threads, which it starts, inherit that).
 */
static void *
st_process_thread(void *arg)
{
	struct st_job		*j = arg;
	struct sched_param	 sp;

	memset(&sp, 0, sizeof(sp));
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp) != 0)
		(void)setpriority(PRIO_PROCESS, (id_t)gettid(), IMAGE_NICE);
	j->st = image_process(j->buf, j->len, j->ctype, &j->lim, &j->res);
	return (NULL);
}

static void
st_process(struct st_job *j)
{
	pthread_t	t;

	if (pthread_create(&t, NULL, st_process_thread, j) != 0) {
		/* No thread: at normal priority, here. */
		j->st = image_process(j->buf, j->len, j->ctype, &j->lim,
		    &j->res);
		return;
	}
	(void)pthread_join(t, NULL);
}

/*
 * The server writes what is served: each variant image_process() made
 * from the checked upload, the largest in the upload's format under the
 * image's own key (io->key), every other under that key's stem
 * ("-<width>.<ext>").  Only ever the server: no client URL can name an
 * i/ key.  Fills io's variants; 200, or 503 (storage failing: what was
 * written stays for the sweeper, since no row keeps it).
 */
static int
st_write_served(struct storage_io *io, const struct image_result *res,
    const struct s3_config *sc, const struct aws_creds *cr)
{
	const struct image_variant	*v;
	struct storage_variant		*out;
	size_t				 i, primary;
	int				 status;

	if (storage_key_kind(io->key) != STORE_KEY_SERVED ||
	    res->nvariants == 0 || res->nvariants > STORAGE_VARIANTS_MAX)
		return (500);
	/* The largest of the upload's own format: the last one of it. */
	primary = res->nvariants;
	for (i = 0; i < res->nvariants; i++) {
		if (res->variants[i].type == res->type)
			primary = i;
	}
	if (primary == res->nvariants)
		return (500);

	io->nvariants = 0;
	io->stored_bytes = 0;
	for (i = 0; i < res->nvariants; i++) {
		v = &res->variants[i];
		out = &io->variants[io->nvariants];
		if (i == primary)
			(void)kore_strlcpy(out->key, io->key, sizeof(out->key));
		else if (storage_variant_key(io->key, v->width, v->ext,
		    out->key, sizeof(out->key)) == -1)
			return (500);
		(void)kore_strlcpy(out->content_type, v->content_type,
		    sizeof(out->content_type));
		out->width = v->width;
		out->height = v->height;
		out->bytes = v->len;
		if ((status = st_put_one(out->key, v->content_type, v->data,
		    v->len, sc, cr)) != 200)
			return (status);
		io->nvariants++;
		io->stored_bytes += v->len;
	}
	io->width = res->variants[primary].width;
	io->height = res->variants[primary].height;
	io->frames = res->frames;
	if (kb_cfg.keep_original)
		io->stored_bytes += io->length;
	return (200);
}

/* One new object: 200, 503 (or 500 for a key that is not kblog's). */
static int
st_put_one(const char *key, const char *ctype, const unsigned char *data,
    size_t len, const struct s3_config *sc, const struct aws_creds *cr)
{
	char	path[1024];
	int	status;

	if (kb_cfg.storage_s3) {
		if (s3_put(sc, cr, key, ctype, SERVED_CACHE, data, len,
		    &status) == -1)
			return (503);
		if (status == 200)
			return (200);
		kore_log(LOG_WARNING, "storage: put %s: HTTP %d", key,
		    status);
		return (503);
	}
	if (local_store_path(key, path, sizeof(path)) == -1)
		return (500);
	if (local_store_mkdirs(path) == -1 || local_write_new(path, data,
	    len) == -1) {
		kore_log(LOG_ERR, "storage: write %s: %s", key,
		    strerror(errno));
		return (503);
	}
	return (200);
}

/*
 * A new file with exactly these bytes: written to a temporary name, then
 * linked into place (never a partial file, never an overwrite).  0 or -1.
 */
static int
local_write_new(const char *path, const unsigned char *data, size_t len)
{
	char	tmp[1100], rnd[SEC_TOKEN_LEN + 1];
	size_t	off;
	ssize_t	w;
	int	fd, err;

	if (sec_random_token(rnd) == -1)
		return (-1);
	rnd[16] = '\0';
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp-%s", path, rnd);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640)) == -1)
		return (-1);
	for (off = 0; off < len; off += (size_t)w) {
		if ((w = write(fd, data + off, len - off)) <= 0) {
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			err = w == 0 ? EIO : errno;
			close(fd);
			(void)unlink(tmp);
			errno = err;
			return (-1);
		}
	}
	if (close(fd) == -1 || link(tmp, path) == -1) {
		err = errno;
		(void)unlink(tmp);
		errno = err;
		return (-1);
	}
	(void)unlink(tmp);
	return (0);
}

/*
 * complete's storage step: read the upload (upload_key), decode it and
 * make its variants (image_process(): the claimed type, a whole file,
 * within the pixel and frame limits, metadata stripped, orientation
 * applied), then write them (st_write_served).  What is served is made
 * from the bytes read once here, so a PUT racing this changes nothing.
 *   200  written: the upload key may go (unless kept);
 *   404  nothing was uploaded (yet);
 *   422  not the image announced (io->refusal, io->error say why; the
 *        caller removes the upload and the row);
 *   500  the image could not be processed, not the file's fault;
 *   503  storage unreachable.
 */
static void
st_publish(struct storage_io *io, const struct s3_config *sc,
    const struct aws_creds *cr)
{
	struct st_job	 j;
	unsigned char	*buf;
	size_t		 len;

	memset(&j, 0, sizeof(j));
	if ((io->status = st_read_upload(io, sc, cr, &buf, &len)) != 200) {
		if (io->status == 422)
			(void)kore_strlcpy(io->refusal, "size",
			    sizeof(io->refusal));
		return;
	}
	j.buf = buf;
	j.len = len;
	j.ctype = io->content_type;
	image_limits_default(&j.lim);
	j.lim.max_pixels = (uint64_t)kb_cfg.image_max_pixels;
	j.lim.max_frames = (uint32_t)kb_cfg.image_max_frames;
	j.lim.max_width = (uint32_t)kb_cfg.image_max_width;
	st_process(&j);
	free(buf);

	switch (j.st) {
	case IMAGE_OK:
		io->status = st_write_served(io, &j.res, sc, cr);
		break;
	case IMAGE_ERROR:
		(void)snprintf(io->error, sizeof(io->error), "%s",
		    image_status_code(j.st));
		io->status = 500;
		break;
	default:
		(void)kore_strlcpy(io->refusal, image_status_code(j.st),
		    sizeof(io->refusal));
		(void)snprintf(io->error, sizeof(io->error), "%s",
		    image_status_code(j.st));
		io->status = 422;
		break;
	}
	image_result_free(&j.res);
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
	int			 i, status;

	io->key[sizeof(io->key) - 1] = '\0';
	io->upload_key[sizeof(io->upload_key) - 1] = '\0';
	io->content_type[sizeof(io->content_type) - 1] = '\0';
	io->status = 500;
	io->url[0] = '\0';
	io->error[0] = '\0';
	io->refusal[0] = '\0';
	io->expires_at = 0;
	if (io->nvariants < 0 || io->nvariants > STORAGE_VARIANTS_MAX)
		io->nvariants = 0;
	for (i = 0; i < io->nvariants; i++)
		io->variants[i].key[sizeof(io->variants[i].key) - 1] = '\0';
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
		/* What is served first (variants, key), then the upload. */
		io->status = 204;
		for (i = 0; i < io->nvariants && io->status == 204; i++) {
			if (strcmp(io->variants[i].key, io->key) != 0 &&
			    (status = st_delete_one(io->variants[i].key, &sc,
			    &cr)) != 204)
				io->status = status;
		}
		if (io->status == 204 && io->key[0] != '\0' &&
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
	/* (Once started, io is wiped until it comes back: t->lane says.) */
	if (io->op == ST_PUBLISH || t->lane != NULL) {
		image_lane.max = (int)kb_cfg.image_concurrency;
		return (task_run_lane(req, t, &image_lane, st_work, io,
		    sizeof(*io)));
	}
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
