/*
 * store.c: the local storage backend's HTTP side, an S3 look-alike.
 *
 *   PUT /_store/u/...?X-Amz-...   accepts the presigned upload: the very
 *       same SigV4 check S3 makes (signature, expiry, content-type and
 *       content-length, and the host it was signed for: PUBLIC_URL's),
 *       then asks the database whether that upload is still pending (not
 *       completed, refused or deleted), and only then writes the file to
 *       UPLOAD_DIR atomically (temp file + link: never a partial file,
 *       never an overwrite).  Only upload keys (u/) are ever written.
 *   GET /_store/i/...             serves what the server wrote (served
 *       keys) with its type, an ETag and long caching (keys are random
 *       and never reused); a u/ key only when it is the served key of an
 *       image stored before served copies existed.
 *
 * Only used with STORAGE=local.  Disk writes of at most UPLOAD_MAX_BYTES
 * happen on the worker (page cache); with S3 the bytes never touch kblog.
 * Its errors are JSON (the browser's upload code reads them).
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "db/db_images.h"
#include "lib/secure.h"
#include "lib/sigv4.h"
#include "storage/storage.h"
#include "web/handler.h"
#include "web/reply.h"

struct store {
	struct rctx	 rc;
	int		 checked;	/* the signature held */
	struct dbq	 q;
};

static int	store_run(struct http_request *, void *);
static int	store_put(struct http_request *, struct store *, const char *,
		    int);
static int	store_get(struct http_request *, struct store *, const char *,
		    int);
static int	store_check(struct http_request *);
static int	store_write(struct http_request *, const char *);
static int	store_error(struct http_request *, int, const char *,
		    const char *);
static int	write_all(int, const char *, size_t);

/*
 * The PUT's proof is its signature: no session, no CSRF token; its
 * errors are JSON for the browser's upload code.  A GET is a picture.
 */
static const struct handler	h_store_read = {
	"GET", H_NO_AUTH, sizeof(struct store), store_run, NULL, NULL
};
static const struct handler	h_store_write = {
	"PUT", H_NO_AUTH | H_NO_CSRF | H_API, sizeof(struct store), store_run,
	NULL, NULL
};
ROUTE(page_store, &h_store_read, &h_store_write);

/* write(2) until done: a short write is followed by the real error. */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	w;

	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (w == 0) {
			errno = EIO;
			return (-1);
		}
		p += w;
		len -= (size_t)w;
	}
	return (0);
}

static int
store_error(struct http_request *req, int status, const char *code,
    const char *message)
{
	return (reply_error_code(req, status, code, message, NULL));
}

static int
store_run(struct http_request *req, void *arg)
{
	struct store	*s = arg;
	const char	*key;
	int		 kind;

	key = req->path + strlen("/_store/");
	if (kb_cfg.storage_s3 || (kind = storage_key_kind(key)) == 0) {
		if (req->method == HTTP_METHOD_PUT)
			return (store_error(req, 404, "not_found",
			    "There is no such upload address."));
		return (reply_error(req, 404));
	}
	if (req->method == HTTP_METHOD_PUT)
		return (store_put(req, s, key, kind));
	return (store_get(req, s, key, kind));
}

/*
 * The PUT: signature first (no database work for forged requests), then
 * whether the upload is still pending, then the file.
 */
static int
store_put(struct http_request *req, struct store *s, const char *key,
    int kind)
{
	int	r;

	if (!s->checked) {
		if (kind != STORE_KEY_UPLOAD)
			return (store_error(req, 403, "not_writable", "Only "
			    "upload URLs accept files."));
		if (!store_check(req))
			return (STEP_DONE);
		s->checked = 1;
	}
	if ((r = query_or_reply(req, &s->q, &db_store_pending, "s", key)) !=
	    STEP_OK)
		return (r);
	if (db_rows(&s->q) == 0)
		return (store_error(req, 403, "upload_closed", "This upload "
		    "URL no longer accepts a file: the image was completed, "
		    "refused or deleted."));
	return (store_write(req, key));
}

/*
 * The presigned request's SigV4 check, against the host the URL was
 * signed for (PUBLIC_URL's): whatever Host a proxy passes on.  0 when an
 * error was sent.
 */
static int
store_check(struct http_request *req)
{
	static const char *const	 required[] = { "content-length",
					    "content-type", "host" };
	struct sigv4_verify		 v;
	struct sigv4_kv			 hdrs[2];
	enum sigv4_verdict		 verdict;
	const char			*scheme, *ctype, *clen;
	char				 host[256];

	if (!http_request_header(req, "content-type", &ctype) ||
	    !http_request_header(req, "content-length", &clen)) {
		(void)store_error(req, 400, "missing_header", "A presigned "
		    "upload needs Content-Type and Content-Length.");
		return (0);
	}
	if (storage_local_host(&scheme, host, sizeof(host)) == -1) {
		(void)store_error(req, 500, "internal_error",
		    "The file could not be stored.");
		return (0);
	}

	hdrs[0].name = "content-type";
	hdrs[0].value = ctype;
	hdrs[1].name = "content-length";
	hdrs[1].value = clen;
	memset(&v, 0, sizeof(v));
	v.method = "PUT";
	v.path = req->path;
	v.query = req->query_string;
	v.host = host;
	v.headers = hdrs;
	v.nheaders = 2;
	v.require_signed = required;
	v.nrequire_signed = 3;
	v.access_key = "kblog-local";
	v.secret_key = storage_local_secret();
	v.region = "local";
	v.service = "s3";
	v.now = time(NULL);
	if ((verdict = sigv4_verify_presigned(&v)) != SIGV4_OK) {
		kore_log(LOG_NOTICE, "store: refused upload: %s",
		    sigv4_verdict_str(verdict));
		(void)store_error(req, 403, verdict == SIGV4_ERR_EXPIRED ?
		    "expired" : "signature_mismatch", "The upload URL is "
		    "not valid for this request (expired, or the file's "
		    "type or size differs from what was signed).");
		return (0);
	}
	if (req->content_length > (size_t)kb_cfg.upload_max) {
		(void)store_error(req, 413, "payload_too_large",
		    "The file is larger than allowed.");
		return (0);
	}
	return (1);
}

/* Writes the body to key's file: temp file, then link (no overwrite). */
static int
store_write(struct http_request *req, const char *key)
{
	char		 path[1024], tmp[1100], rnd[16];
	char		 chunk[65536];
	ssize_t		 n;
	size_t		 total;
	int		 fd, werr;

	if (local_store_path(key, path, sizeof(path)) == -1 ||
	    local_store_mkdirs(path) == -1) {
		kore_log(LOG_ERR, "store: mkdir for %s: %s", key,
		    strerror(errno));
		return (store_error(req, 500, "internal_error",
		    "The file could not be stored."));
	}
	if (sec_random_token(tmp) == -1)
		fatal("no randomness");
	(void)kore_strlcpy(rnd, tmp, sizeof(rnd));
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp-%s", path, rnd);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640)) == -1) {
		kore_log(LOG_ERR, "store: open %s: %s", tmp, strerror(errno));
		return (store_error(req, errno == ENOSPC ? 507 : 500,
		    errno == ENOSPC ? "storage_full" : "internal_error",
		    "The file could not be stored."));
	}
	total = 0;
	werr = 0;
	for (;;) {
		if ((n = http_body_read(req, chunk, sizeof(chunk))) <= 0)
			break;
		if (write_all(fd, chunk, (size_t)n) == -1) {
			werr = errno;
			break;
		}
		total += (size_t)n;
	}
	if (close(fd) == -1 && werr == 0)
		werr = errno;
	if (werr != 0 || n < 0 || total != req->content_length) {
		kore_log(LOG_ERR, "store: writing %s: %s (%zu of %zu bytes)",
		    key, werr ? strerror(werr) : "short body", total,
		    req->content_length);
		(void)unlink(tmp);
		if (werr == ENOSPC || werr == EDQUOT)
			return (store_error(req, 507, "storage_full",
			    "The server's disk is full; the file was not "
			    "stored."));
		return (store_error(req, 500, "internal_error",
		    "The file could not be stored."));
	}
	/*
	 * Never overwrite: a presigned URL stays valid for minutes, and a
	 * second PUT after complete checked the file must not replace it.
	 */
	if (link(tmp, path) == -1) {
		werr = errno;
		(void)unlink(tmp);
		if (werr == EEXIST)
			return (store_error(req, 409, "already_uploaded",
			    "This upload URL was used already."));
		kore_log(LOG_ERR, "store: link %s: %s", key, strerror(werr));
		return (store_error(req, 500, "internal_error",
		    "The file could not be stored."));
	}
	(void)unlink(tmp);
	http_response_header(req, "etag", "\"stored\"");
	return (reply_send(req, 200, NULL, NULL, 0));
}

static int
store_get(struct http_request *req, struct store *s, const char *key,
    int kind)
{
	static struct kore_server	*srv = NULL;
	struct kore_fileref		*ref;
	struct stat			 st;
	const char			*inm;
	char				 path[1024], etag[64];
	int				 fd, r;

	if (kind == STORE_KEY_UPLOAD) {
		/* Never what a client may still write, unless legacy. */
		if ((r = query_or_reply(req, &s->q, &db_store_legacy, "s",
		    key)) != STEP_OK)
			return (r);
		if (db_rows(&s->q) == 0)
			return (reply_error(req, 404));
	}
	if (local_store_path(key, path, sizeof(path)) == -1 ||
	    stat(path, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return (reply_error(req, 404));
	(void)snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtim.tv_sec);
	reply_headers(req);
	http_response_header(req, "etag", etag);
	http_response_header(req, "cache-control",
	    "public, max-age=31536000, immutable");
	if (http_request_header(req, "if-none-match", &inm) &&
	    !strcmp(inm, etag)) {
		http_response(req, 304, NULL, 0);
		return (STEP_DONE);
	}
	if (srv == NULL)
		srv = kore_server_lookup("kblog");
	/* A cached ref, or a new one that takes the fd (sendfile). */
	if ((ref = kore_fileref_get(path, srv->tls)) == NULL) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return (reply_error(req, 404));
		if ((ref = kore_fileref_create(srv, path, fd, st.st_size,
		    &st.st_mtim)) == NULL) {
			close(fd);
			return (reply_error(req, 500));
		}
	}
	http_response_fileref(req, 200, ref);
	return (STEP_DONE);
}
