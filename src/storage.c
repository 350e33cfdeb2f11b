/*
 * storage.c: where images live, behind one interface for both backends.
 *
 *   local  kblog is its own S3: it hands out presigned PUT URLs for
 *          PUBLIC_URL/_store/<key> signed with LOCAL_STORAGE_SECRET,
 *          verifies the very same SigV4 signature when the browser PUTs
 *          (h_store.c), and keeps files under UPLOAD_DIR.
 *   s3     presigned PUT URLs for the bucket (s3.c); HEAD, ranged GET,
 *          DELETE, CopyObject and ListObjectsV2 signed with the
 *          credentials chain (creds.c).
 *
 * Two kinds of keys (storage_key_kind):
 *   u/<user>/<random>.<ext>  upload keys: the only thing a client URL can
 *                            write, for as long as the URL lives;
 *   i/<user>/<random>.<ext>  served keys: written by the server alone,
 *                            from an upload it has checked
 *                            (st_write_served), never by a client.
 * Images stored before served copies existed keep serving their u/ key.
 *
 * Every operation that may block (network, disk, the credentials chain)
 * runs in a Kore task (st_run), never on a worker's event loop.  The
 * sweeper (a task of the first worker) removes abandoned uploads and any
 * object that no image row keeps.  The browser code is the same for both
 * backends: it PUTs to the URL it is given with the headers it is given.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "kblog.h"
#include "creds.h"
#include "s3.h"
#include "sigv4.h"

#define LOCAL_ACCESS_KEY	"kblog-local"
#define LOCAL_REGION		"local"

#define ORPHAN_BATCH		200	/* keys checked per query */
#define SWEEP_MAX_PAGES		10000	/* listing pages per prefix */

/* Keeps an object: a row serves it, or a pending upload may still use it. */
static const char	sql_sweep_kept[] =
    "SELECT k FROM unnest($1::text[]) AS k WHERE "
    "EXISTS (SELECT 1 FROM images i WHERE i.key = k) OR "
    "EXISTS (SELECT 1 FROM images i WHERE i.upload_key = k AND "
    "i.state = 'pending')";

static pthread_mutex_t	creds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct aws_creds	creds_cache;
static int		creds_valid = 0;

static struct kore_task	sweep_task;
static int		sweep_started = 0;
static time_t		orphans_scanned = 0;	/* sweep task only */

/* Keys found by a sweep, checked against the rows in batches. */
struct orphans {
	PGconn		*conn;
	char		 keys[ORPHAN_BATCH][128];
	int		 n;
	int		 swept;
};

static int	st_task(struct kore_task *);
static void	st_do(const struct st_job *, struct st_result *);
static int	st_creds(struct aws_creds *, struct st_result *);
static void	st_s3_config(struct s3_config *);
static void	st_presign(const struct st_job *, struct st_result *,
		    const struct s3_config *, const struct aws_creds *);
static void	st_publish(const struct st_job *, struct st_result *,
		    const struct s3_config *, const struct aws_creds *);
static int	st_write_served(const char *, const char *,
		    const struct s3_config *, const struct aws_creds *);
static int	st_inspect(const char *, const char *,
		    const struct s3_config *, const struct aws_creds *,
		    uint64_t *, char *, size_t, unsigned char *, size_t *);
static int	st_delete_one(const char *, const struct s3_config *,
		    const struct aws_creds *);
static int	sweep_run(struct kore_task *);
static void	sweep_tick(void *, u_int64_t);
static int	sweep_pending(PGconn *);
static void	sweep_orphans(PGconn *);
static void	sweep_local(struct orphans *, const char *, int, time_t);
static void	sweep_s3(struct orphans *, const char *, int, time_t);
static void	orphan_add(struct orphans *, const char *);
static void	orphan_flush(struct orphans *);

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

int
storage_key_valid(const char *key)
{
	return (storage_key_kind(key) != 0);
}

/* A new random key of the kind for owner's image of type ctype. */
void
storage_new_key(char *out, size_t len, int kind, int64_t owner,
    const char *ctype)
{
	char		 rnd[SEC_TOKEN_LEN + 1];
	const char	*ext;

	if ((ext = storage_type_ext(ctype)) == NULL)
		fatal("storage_new_key: type %s", ctype);
	if (sec_random_token(rnd) == -1)
		fatal("no randomness");
	(void)snprintf(out, len, "%s/%lld/%s.%s",
	    kind == STORE_KEY_SERVED ? "i" : "u", (long long)owner, rnd, ext);
}

/* The URL pages use to show an image. */
void
storage_public_url(struct sbuf *b, const char *key)
{
	if (kb_cfg.storage_s3)
		sbuf_addf(b, "%s/%s", kb_cfg.s3_public_url, key);
	else
		sbuf_addf(b, "/_store/%s", key);
}

int
local_store_path(const char *key, char *out, size_t outlen)
{
	int	n;

	if (!storage_key_valid(key))
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

static void
st_s3_config(struct s3_config *sc)
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
static int
st_creds(struct aws_creds *out, struct st_result *res)
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
			if (res != NULL)
				(void)snprintf(res->error, sizeof(res->error),
				    "%s", err);
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

/* A presigned PUT for the upload key job->key. */
static void
st_presign(const struct st_job *job, struct st_result *res,
    const struct s3_config *sc, const struct aws_creds *cr)
{
	struct sigv4_request	 r;
	struct sigv4_kv		 hdr[2];
	const char		*scheme;
	char			 date[SIGV4_DATE_LEN + 1], len[24], path[1024];
	char			 host[256], *url;
	time_t			 now;

	now = time(NULL);
	if (storage_key_kind(job->key) != STORE_KEY_UPLOAD) {
		res->status = 500;
		return;
	}
	if (kb_cfg.storage_s3) {
		url = s3_presign_put(sc, cr, job->key, job->content_type,
		    job->length, (int)kb_cfg.upload_url_ttl, now);
	} else {
		if (storage_local_host(&scheme, host, sizeof(host)) == -1 ||
		    sigv4_format_date(now, date) == -1) {
			res->status = 500;
			return;
		}
		(void)snprintf(path, sizeof(path), "/_store/%s", job->key);
		(void)snprintf(len, sizeof(len), "%llu",
		    (unsigned long long)job->length);
		hdr[0].name = "content-length";
		hdr[0].value = len;
		hdr[1].name = "content-type";
		hdr[1].value = job->content_type;
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
	if (url == NULL || strlen(url) >= sizeof(res->url)) {
		free(url);
		res->status = 500;
		return;
	}
	(void)kore_strlcpy(res->url, url, sizeof(res->url));
	free(url);
	res->expires_at = (int64_t)now + kb_cfg.upload_url_ttl;
	res->status = 200;
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
st_publish(const struct st_job *job, struct st_result *res,
    const struct s3_config *sc, const struct aws_creds *cr)
{
	unsigned char	head[16];
	char		type[256];
	uint64_t	size;
	size_t		headlen;

	if ((res->status = st_write_served(job->upload_key, job->key, sc,
	    cr)) != 200)
		return;
	size = 0;
	type[0] = '\0';
	headlen = sizeof(head);
	res->status = st_inspect(job->key, job->content_type, sc, cr, &size,
	    type, sizeof(type), head, &headlen);
	if (res->status == 404)
		res->status = 503;	/* written a moment ago */
	if (res->status != 200)
		return;
	if (size != job->length) {
		(void)snprintf(res->error, sizeof(res->error),
		    "size %llu, announced %llu", (unsigned long long)size,
		    (unsigned long long)job->length);
		res->status = 422;
	} else if (strcasecmp(type, job->content_type) != 0) {
		(void)snprintf(res->error, sizeof(res->error),
		    "stored with another type");
		res->status = 422;
	} else if (!storage_magic_ok(job->content_type, head, headlen)) {
		(void)snprintf(res->error, sizeof(res->error),
		    "contents are not a %s", job->content_type);
		res->status = 422;
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

/* Runs in a task thread: may block. */
static void
st_do(const struct st_job *job, struct st_result *res)
{
	struct s3_config	 sc;
	struct aws_creds	 cr;
	int			 status;

	memset(res, 0, sizeof(*res));
	memset(&cr, 0, sizeof(cr));
	if (kb_cfg.storage_s3 && st_creds(&cr, res) == -1) {
		res->status = 503;
		return;
	}
	st_s3_config(&sc);

	switch (job->op) {
	case ST_PRESIGN:
		st_presign(job, res, &sc, &cr);
		break;
	case ST_PUBLISH:
		st_publish(job, res, &sc, &cr);
		break;
	case ST_DELETE:
		/* The served object first, then the upload. */
		res->status = 204;
		if (job->key[0] != '\0' &&
		    (status = st_delete_one(job->key, &sc, &cr)) != 204)
			res->status = status;
		if (res->status == 204 && job->upload_key[0] != '\0' &&
		    (status = st_delete_one(job->upload_key, &sc, &cr)) != 204)
			res->status = status;
		break;
	default:
		res->status = 500;
		break;
	}
	explicit_bzero(&cr, sizeof(cr));
}

static int
st_task(struct kore_task *t)
{
	struct st_job		job;
	struct st_result	res;

	if (kore_task_channel_read(t, &job, sizeof(job)) != sizeof(job))
		return (KORE_RESULT_ERROR);
	job.key[sizeof(job.key) - 1] = '\0';
	job.upload_key[sizeof(job.upload_key) - 1] = '\0';
	job.content_type[sizeof(job.content_type) - 1] = '\0';
	st_do(&job, &res);
	kore_task_channel_write(t, &res, sizeof(res));
	return (KORE_RESULT_OK);
}

/*
 * Starts (first call) or polls a storage task, like pw_run: DB_PENDING
 * until done, then DB_OK with ss->res filled (res.status says how it
 * went: 200/204 fine, 404 no object, 422 not the image announced, 503
 * storage unreachable).  Set ss->state to 0 to run another.
 */
int
st_run(struct http_request *req, struct st_state *ss, const struct st_job *job)
{
	if (ss->state == 2)
		return (DB_OK);
	if (ss->state == 0) {
		kore_task_create(&ss->task, st_task);
		kore_task_bind_request(&ss->task, req);
		kore_task_run(&ss->task);
		kore_task_channel_write(&ss->task, (void *)job, sizeof(*job));
		ss->state = 1;
		return (DB_PENDING);
	}
	if (!kore_task_finished(&ss->task))
		return (DB_PENDING);
	memset(&ss->res, 0, sizeof(ss->res));
	if (kore_task_result(&ss->task) != KORE_RESULT_OK ||
	    kore_task_channel_read(&ss->task, &ss->res, sizeof(ss->res)) !=
	    sizeof(ss->res))
		ss->res.status = 500;
	ss->res.url[sizeof(ss->res.url) - 1] = '\0';
	ss->res.error[sizeof(ss->res.error) - 1] = '\0';
	kore_task_destroy(&ss->task);
	ss->state = 2;
	return (DB_OK);
}

/* Does the file start the way its type says it must? */
int
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

/* The extension of an allowed type, or NULL. */
const char *
storage_type_ext(const char *ctype)
{
	if (!strcmp(ctype, "image/jpeg"))
		return ("jpg");
	if (!strcmp(ctype, "image/png"))
		return ("png");
	if (!strcmp(ctype, "image/gif"))
		return ("gif");
	if (!strcmp(ctype, "image/webp"))
		return ("webp");
	return (NULL);
}

/*
 * The sweeper.  It runs in the first worker of each instance, every
 * UPLOAD_SWEEP_INTERVAL seconds, in a task with its own short-lived
 * connection:
 *  - pending uploads older than UPLOAD_PENDING_MAX_AGE were never
 *    completed: their objects, then their rows, go.  FOR UPDATE SKIP
 *    LOCKED lets several instances sweep at once without doing the same
 *    row twice; a row is deleted only after its objects are;
 *  - at most once per UPLOAD_URL_TTL, every object under u/ and i/ that
 *    no row keeps (sql_sweep_kept) and that is older than twice
 *    UPLOAD_URL_TTL goes: a PUT replayed after complete, rejection or
 *    deletion, a served copy whose complete lost a race, a temp file of a
 *    crashed PUT.  Objects whose names are not kblog keys are left alone.
 *    The age is only a margin: an upload object can exist only after its
 *    row, and a served key is recorded in its row before it is written.
 */
void
storage_sweep_start(void)
{
	if (worker == NULL || worker->id != 1)
		return;
	(void)kore_timer_add(sweep_tick,
	    (u_int64_t)kb_cfg.sweep_interval * 1000, NULL, 0);
}

static void
sweep_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	if (sweep_started) {
		if (!kore_task_finished(&sweep_task))
			return;		/* the last one is still going */
		kore_task_destroy(&sweep_task);
	}
	kore_task_create(&sweep_task, sweep_run);
	kore_task_run(&sweep_task);
	sweep_started = 1;
}

static int
sweep_run(struct kore_task *t)
{
	PGconn	*conn;
	int	 swept;

	(void)t;
	conn = PQconnectdb(kb_cfg.database_url);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return (KORE_RESULT_ERROR);
	}
	swept = sweep_pending(conn);
	if (swept > 0)
		kore_log(LOG_NOTICE, "storage: swept %d abandoned uploads",
		    swept);
	if (time(NULL) - orphans_scanned >= kb_cfg.upload_url_ttl) {
		orphans_scanned = time(NULL);
		sweep_orphans(conn);
	}
	/* Housekeeping that has no better home: old login failures and
	 * expired sessions. */
	PQclear(PQexec(conn, "DELETE FROM login_failures WHERE "
	    "at < now() - interval '15 minutes'"));
	PQclear(PQexec(conn, "DELETE FROM sessions WHERE expires_at < now()"));
	PQfinish(conn);
	return (KORE_RESULT_OK);
}

/* Abandoned uploads: objects (served copy, upload), then the row. */
static int
sweep_pending(PGconn *conn)
{
	PGresult		*r, *d;
	struct st_job		 job;
	struct st_result	 res;
	const char		*params[1];
	char			 age[24];
	int			 i, swept;

	(void)snprintf(age, sizeof(age), "%ld", kb_cfg.pending_max_age);
	params[0] = age;
	PQclear(PQexec(conn, "BEGIN"));
	r = PQexecParams(conn, "SELECT id, key, upload_key FROM images WHERE "
	    "state = 'pending' AND created_at < now() - "
	    "make_interval(secs => $1::int) ORDER BY id LIMIT 100 "
	    "FOR UPDATE SKIP LOCKED", 1, NULL, params, NULL, NULL, 0);
	swept = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		for (i = 0; i < PQntuples(r); i++) {
			memset(&job, 0, sizeof(job));
			job.op = ST_DELETE;
			(void)kore_strlcpy(job.key, PQgetvalue(r, i, 1),
			    sizeof(job.key));
			(void)kore_strlcpy(job.upload_key, PQgetvalue(r, i, 2),
			    sizeof(job.upload_key));
			st_do(&job, &res);
			if (res.status != 204)
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

static void
sweep_orphans(PGconn *conn)
{
	struct orphans	*o;
	time_t		 before;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return;
	o->conn = conn;
	before = time(NULL) - 2 * kb_cfg.upload_url_ttl;
	if (kb_cfg.storage_s3) {
		sweep_s3(o, "u/", STORE_KEY_UPLOAD, before);
		sweep_s3(o, "i/", STORE_KEY_SERVED, before);
	} else {
		sweep_local(o, "u", STORE_KEY_UPLOAD, before);
		sweep_local(o, "i", STORE_KEY_SERVED, before);
	}
	orphan_flush(o);
	if (o->swept > 0)
		kore_log(LOG_NOTICE, "storage: swept %d objects that no "
		    "image keeps", o->swept);
	free(o);
}

/*
 * UPLOAD_DIR/<top>/<user>/<file>: kblog keys of the kind older than
 * before are checked; a PUT's temp file that old is a crash's leftover.
 */
static void
sweep_local(struct orphans *o, const char *top, int kind, time_t before)
{
	DIR		*d1, *d2;
	struct dirent	*e1, *e2;
	struct stat	 st;
	char		 dir[1024], path[1024], key[128];
	const char	*tmp;

	(void)snprintf(dir, sizeof(dir), "%s/%s", kb_cfg.upload_dir, top);
	if ((d1 = opendir(dir)) == NULL)
		return;
	while ((e1 = readdir(d1)) != NULL) {
		if (e1->d_name[0] == '\0' || strlen(e1->d_name) > 19 ||
		    strspn(e1->d_name, "0123456789") != strlen(e1->d_name))
			continue;
		(void)snprintf(dir, sizeof(dir), "%s/%s/%s",
		    kb_cfg.upload_dir, top, e1->d_name);
		if ((d2 = opendir(dir)) == NULL)
			continue;
		while ((e2 = readdir(d2)) != NULL) {
			if (e2->d_name[0] == '.')
				continue;
			if (snprintf(key, sizeof(key), "%s/%s/%s", top,
			    e1->d_name, e2->d_name) >= (int)sizeof(key) ||
			    snprintf(path, sizeof(path), "%s/%s",
			    kb_cfg.upload_dir, key) >= (int)sizeof(path) ||
			    lstat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
			    st.st_mtime >= before)
				continue;
			if (storage_key_kind(key) == kind) {
				orphan_add(o, key);
			} else if ((tmp = strstr(key, ".tmp-")) != NULL &&
			    tmp - key < (int)sizeof(o->keys[0])) {
				/* <key>.tmp-<random>: a PUT that died. */
				if (unlink(path) == 0)
					kore_log(LOG_NOTICE, "storage: swept "
					    "%s (a PUT's leftover)", key);
			}
		}
		closedir(d2);
	}
	closedir(d1);
}

/* Every object under prefix, page by page (ListObjectsV2). */
static void
sweep_s3(struct orphans *o, const char *prefix, int kind, time_t before)
{
	struct s3_config	 sc;
	struct aws_creds	 cr;
	struct s3_list		 page;
	char			*token;
	size_t			 i;
	int			 n, status;

	if (st_creds(&cr, NULL) == -1)
		return;
	st_s3_config(&sc);
	token = NULL;
	for (n = 0; n < SWEEP_MAX_PAGES; n++) {
		if (s3_list(&sc, &cr, prefix, token, &page, &status) == -1 ||
		    status != 200) {
			kore_log(LOG_WARNING, "storage: cannot list %s "
			    "(HTTP %d, %s): orphans stay until next time",
			    prefix, status, status ? "s3:ListBucket?" :
			    strerror(errno));
			break;
		}
		for (i = 0; i < page.n; i++) {
			if (strncmp(page.entries[i].key, prefix,
			    strlen(prefix)) == 0 &&
			    storage_key_kind(page.entries[i].key) == kind &&
			    page.entries[i].last_modified != 0 &&
			    page.entries[i].last_modified < before)
				orphan_add(o, page.entries[i].key);
		}
		free(token);
		token = NULL;
		if (!page.truncated || (token = strdup(page.next_token)) ==
		    NULL) {
			s3_list_free(&page);
			break;
		}
		s3_list_free(&page);
	}
	free(token);
	explicit_bzero(&cr, sizeof(cr));
}

static void
orphan_add(struct orphans *o, const char *key)
{
	if (o->n == ORPHAN_BATCH)
		orphan_flush(o);
	(void)kore_strlcpy(o->keys[o->n++], key, sizeof(o->keys[0]));
}

/*
 * Which of the keys found does a row keep?  The others are deleted.  The
 * keys are kblog keys (storage_key_kind), so they need no quoting in the
 * array literal, which is passed as a parameter.  Nothing is deleted
 * when the database does not answer.
 */
static void
orphan_flush(struct orphans *o)
{
	PGresult		*r;
	struct st_job		 job;
	struct st_result	 res;
	struct sbuf		 arr;
	const char		*params[1];
	int			 i, j, kept;

	if (o->n == 0)
		return;
	sbuf_init(&arr, (size_t)o->n * 64);
	sbuf_adds(&arr, "{");
	for (i = 0; i < o->n; i++)
		sbuf_addf(&arr, "%s%s", i ? "," : "", o->keys[i]);
	sbuf_adds(&arr, "}");
	params[0] = sbuf_cstr(&arr);
	r = PQexecParams(o->conn, sql_sweep_kept, 1, NULL, params, NULL,
	    NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		for (i = 0; i < o->n; i++) {
			kept = 0;
			for (j = 0; j < PQntuples(r) && !kept; j++)
				kept = !strcmp(PQgetvalue(r, j, 0),
				    o->keys[i]);
			if (kept)
				continue;
			memset(&job, 0, sizeof(job));
			job.op = ST_DELETE;
			(void)kore_strlcpy(job.key, o->keys[i],
			    sizeof(job.key));
			st_do(&job, &res);
			if (res.status == 204) {
				o->swept++;
				kore_log(LOG_NOTICE, "storage: swept %s (no "
				    "image keeps it)", o->keys[i]);
			}
		}
	}
	PQclear(r);
	sbuf_free(&arr);
	o->n = 0;
}
