/*
 * h_store.c: the local storage backend's HTTP side, an S3 look-alike.
 *
 *   PUT /_store/<key>?X-Amz-...   accepts the presigned upload: the very
 *       same SigV4 check S3 makes (signature, expiry, signed host,
 *       content-type and content-length), then writes the file to
 *       UPLOAD_DIR atomically (temp file + link: never a partial file,
 *       never an overwrite).
 *   GET /_store/<key>             serves it with its type, an ETag and
 *       long caching (keys are random and never reused).
 *
 * Only used with STORAGE=local.  Disk writes of at most UPLOAD_MAX_BYTES
 * happen on the worker (page cache); with S3 the bytes never touch kblog.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "kblog.h"
#include "sigv4.h"

static int	store_put(struct http_request *, const char *);
static int	store_get(struct http_request *, const char *);
static int	store_error(struct http_request *, int, const char *,
		    const char *);
static int	mkdirs(const char *);
static int	write_all(int, const char *, size_t);

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
	resp_json_error(req, status, code, message);
	return (KORE_RESULT_OK);
}

int
h_store(struct http_request *req)
{
	const char	*key;

	key = req->path + strlen("/_store/");
	if (kb_cfg.storage_s3 || !storage_key_valid(key)) {
		if (req->method == HTTP_METHOD_PUT)
			return (store_error(req, 404, "not_found",
			    "There is no such upload address."));
		return (resp_error_page(req, 404));
	}
	if (req->method == HTTP_METHOD_PUT)
		return (store_put(req, key));
	if (req->method == HTTP_METHOD_GET)
		return (store_get(req, key));
	return (resp_method_not_allowed(req, "GET, PUT"));
}

/* mkdir -p for the directories of path (not its last part). */
static int
mkdirs(const char *path)
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

static int
store_put(struct http_request *req, const char *key)
{
	static const char *const	 required[] = { "content-length",
					    "content-type", "host" };
	struct sigv4_verify		 v;
	struct sigv4_kv			 hdrs[2];
	enum sigv4_verdict		 verdict;
	const char			*host, *ctype, *clen;
	char				 path[1024], tmp[1100], rnd[16];
	char				 chunk[65536];
	ssize_t				 n;
	size_t				 total;
	int				 fd, werr;

	if (!http_request_header(req, "host", &host) ||
	    !http_request_header(req, "content-type", &ctype) ||
	    !http_request_header(req, "content-length", &clen))
		return (store_error(req, 400, "missing_header", "A presigned "
		    "upload needs Host, Content-Type and Content-Length."));

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
		return (store_error(req, 403, verdict == SIGV4_ERR_EXPIRED ?
		    "expired" : "signature_mismatch", "The upload URL is "
		    "not valid for this request (expired, or the file's "
		    "type or size differs from what was signed)."));
	}
	if (req->content_length > (size_t)kb_cfg.upload_max)
		return (store_error(req, 413, "payload_too_large",
		    "The file is larger than allowed."));

	if (local_store_path(key, path, sizeof(path)) == -1 ||
	    mkdirs(path) == -1) {
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
	resp_send(req, 200, NULL, NULL, 0);
	return (KORE_RESULT_OK);
}

static int
store_get(struct http_request *req, const char *key)
{
	static struct kore_server	*srv = NULL;
	struct kore_fileref		*ref;
	struct stat			 st;
	const char			*inm;
	char				 path[1024], etag[64];
	int				 fd;

	if (local_store_path(key, path, sizeof(path)) == -1 ||
	    stat(path, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return (resp_error_page(req, 404));
	(void)snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_size,
	    (unsigned long long)st.st_mtim.tv_sec);
	resp_headers(req);
	http_response_header(req, "etag", etag);
	http_response_header(req, "cache-control",
	    "public, max-age=31536000, immutable");
	if (http_request_header(req, "if-none-match", &inm) &&
	    !strcmp(inm, etag)) {
		http_response(req, 304, NULL, 0);
		return (KORE_RESULT_OK);
	}
	if (srv == NULL)
		srv = kore_server_lookup("kblog");
	/* A cached ref, or a new one that takes the fd (sendfile). */
	if ((ref = kore_fileref_get(path, srv->tls)) == NULL) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return (resp_error_page(req, 404));
		if ((ref = kore_fileref_create(srv, path, fd, st.st_size,
		    &st.st_mtim)) == NULL) {
			close(fd);
			return (resp_error_page(req, 500));
		}
	}
	http_response_fileref(req, 200, ref);
	return (KORE_RESULT_OK);
}
