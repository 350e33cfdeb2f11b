/*
 * storage.c: where images live, behind one interface for both backends.
 *
 *   local  kblog is its own S3: it hands out presigned PUT URLs for
 *          /_store/<key> signed with LOCAL_STORAGE_SECRET, verifies the
 *          very same SigV4 signature when the browser PUTs (h_store.c),
 *          and keeps files under UPLOAD_DIR.
 *   s3     presigned PUT URLs for the bucket (s3.c), HEAD / ranged GET /
 *          DELETE signed with the credentials chain (creds.c).
 *
 * Every operation that may block (network, disk, the credentials chain)
 * runs in a Kore task (st_run), never on a worker's event loop.  The
 * browser code is the same for both: it PUTs to the URL it is given with
 * the headers it is given.
 */

#include <sys/stat.h>

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

static pthread_mutex_t	creds_lock = PTHREAD_MUTEX_INITIALIZER;
static struct aws_creds	creds_cache;
static int		creds_valid = 0;

static struct kore_task	sweep_task;
static int		sweep_started = 0;

static int	st_task(struct kore_task *);
static int	sweep_run(struct kore_task *);
static void	sweep_tick(void *, u_int64_t);
static void	st_do(const struct st_job *, struct st_result *);
static int	st_creds(struct aws_creds *, struct st_result *);
static void	st_s3_config(struct s3_config *);

/* The secret every instance must share for local uploads. */
const char *
storage_local_secret(void)
{
	return (kb_cfg.local_secret);
}

/* Keys are kblog's own: u/<digits>/<43 base64url>.<ext>. */
int
storage_key_valid(const char *key)
{
	const char	*p, *ext;
	size_t		 n;

	if (strncmp(key, "u/", 2) != 0)
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
	return (!strcmp(ext, "jpg") || !strcmp(ext, "png") ||
	    !strcmp(ext, "gif") || !strcmp(ext, "webp"));
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
			(void)snprintf(res->error, sizeof(res->error), "%s",
			    err);
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

/* Runs in a task thread: may block. */
static void
st_do(const struct st_job *job, struct st_result *res)
{
	struct sigv4_request	 r;
	struct sigv4_kv		 hdr[2];
	struct s3_config	 sc;
	struct s3_object	 obj;
	struct aws_creds	 cr;
	struct stat		 st;
	char			 date[SIGV4_DATE_LEN + 1], len[24], path[1024];
	char			*url;
	time_t			 now;
	size_t			 got;
	ssize_t			 n;
	int			 fd, status;

	memset(res, 0, sizeof(*res));
	now = time(NULL);

	if (kb_cfg.storage_s3 && st_creds(&cr, res) == -1) {
		res->status = 503;
		return;
	}
	st_s3_config(&sc);

	switch (job->op) {
	case ST_PRESIGN:
		if (kb_cfg.storage_s3) {
			url = s3_presign_put(&sc, &cr, job->key,
			    job->content_type, job->length,
			    (int)kb_cfg.upload_url_ttl, now);
		} else {
			(void)snprintf(path, sizeof(path), "/_store/%s",
			    job->key);
			(void)snprintf(len, sizeof(len), "%llu",
			    (unsigned long long)job->length);
			if (sigv4_format_date(now, date) == -1) {
				res->status = 500;
				return;
			}
			hdr[0].name = "content-length";
			hdr[0].value = len;
			hdr[1].name = "content-type";
			hdr[1].value = job->content_type;
			memset(&r, 0, sizeof(r));
			r.method = "PUT";
			r.host = job->host;
			r.path = path;
			r.headers = hdr;
			r.nheaders = 2;
			r.access_key = LOCAL_ACCESS_KEY;
			r.secret_key = kb_cfg.local_secret;
			r.region = LOCAL_REGION;
			r.service = "s3";
			r.amz_date = date;
			r.expires = (unsigned int)kb_cfg.upload_url_ttl;
			url = sigv4_presign_url(&r, strncmp(kb_cfg.public_url,
			    "https:", 6) ? "http" : "https");
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
		return;

	case ST_CHECK:
		if (kb_cfg.storage_s3) {
			memset(&obj, 0, sizeof(obj));
			if (s3_head(&sc, &cr, job->key, &obj) == -1) {
				res->status = 503;
				return;
			}
			res->status = obj.status;
			if (obj.status != 200)
				return;
			res->size = obj.content_length;
			(void)kore_strlcpy(res->content_type, obj.content_type,
			    sizeof(res->content_type));
			if (s3_get_range(&sc, &cr, job->key, sizeof(res->head),
			    res->head, &got, &status) == -1) {
				res->status = 503;
				return;
			}
			if (status != 200 && status != 206) {
				res->status = status;
				return;
			}
			res->headlen = got;
			return;
		}
		if (local_store_path(job->key, path, sizeof(path)) == -1 ||
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			res->status = 404;
			return;
		}
		if (fstat(fd, &st) == -1) {
			close(fd);
			res->status = 500;
			return;
		}
		n = read(fd, res->head, sizeof(res->head));
		close(fd);
		if (n < 0) {
			res->status = 500;
			return;
		}
		res->headlen = (size_t)n;
		res->size = (uint64_t)st.st_size;
		/* The PUT signature bound the type; the file has no other. */
		(void)kore_strlcpy(res->content_type, job->content_type,
		    sizeof(res->content_type));
		res->status = 200;
		return;

	case ST_DELETE:
		if (kb_cfg.storage_s3) {
			if (s3_delete(&sc, &cr, job->key, &status) == -1) {
				res->status = 503;
				return;
			}
			/* S3 answers 204 whether or not the key existed. */
			res->status = (status == 204 || status == 200 ||
			    status == 404) ? 204 : status;
			return;
		}
		if (local_store_path(job->key, path, sizeof(path)) == -1) {
			res->status = 400;
			return;
		}
		res->status = (unlink(path) == 0 || errno == ENOENT) ? 204 :
		    500;
		return;
	}
	res->status = 500;
}

static int
st_task(struct kore_task *t)
{
	struct st_job		job;
	struct st_result	res;

	if (kore_task_channel_read(t, &job, sizeof(job)) != sizeof(job))
		return (KORE_RESULT_ERROR);
	job.key[sizeof(job.key) - 1] = '\0';
	job.content_type[sizeof(job.content_type) - 1] = '\0';
	job.host[sizeof(job.host) - 1] = '\0';
	st_do(&job, &res);
	kore_task_channel_write(t, &res, sizeof(res));
	return (KORE_RESULT_OK);
}

/*
 * Starts (first call) or polls a storage task, like pw_run: DB_PENDING
 * until done, then DB_OK with ss->res filled (res.status says how it
 * went: 200/204 fine, 404 no object, 503 storage unreachable).
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
	ss->res.content_type[sizeof(ss->res.content_type) - 1] = '\0';
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
 * The sweeper: pending uploads older than UPLOAD_PENDING_MAX_AGE were
 * never completed; their objects and rows go.  It runs in the first
 * worker of each instance, every UPLOAD_SWEEP_INTERVAL seconds, in a task
 * with its own short-lived connection; FOR UPDATE SKIP LOCKED lets
 * several instances sweep at once without doing the same row twice.  A
 * row is deleted only after its object is, so nothing is left orphaned.
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
	PGconn			*conn;
	PGresult		*r, *d;
	struct st_job		 job;
	struct st_result	 res;
	const char		*params[1];
	char			 age[24];
	int			 i, swept;

	(void)t;
	conn = PQconnectdb(kb_cfg.database_url);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return (KORE_RESULT_ERROR);
	}
	(void)snprintf(age, sizeof(age), "%ld", kb_cfg.pending_max_age);
	params[0] = age;
	PQclear(PQexec(conn, "BEGIN"));
	r = PQexecParams(conn, "SELECT id, key FROM images WHERE "
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
	/* Housekeeping that has no better home: old login failures and
	 * expired sessions. */
	PQclear(PQexec(conn, "DELETE FROM login_failures WHERE "
	    "at < now() - interval '15 minutes'"));
	PQclear(PQexec(conn, "DELETE FROM sessions WHERE expires_at < now()"));
	PQfinish(conn);
	if (swept > 0)
		kore_log(LOG_NOTICE, "storage: swept %d abandoned uploads",
		    swept);
	return (KORE_RESULT_OK);
}
