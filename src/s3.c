/*
 * s3.c: presigned PUT URLs and signed HEAD / ranged GET / DELETE.
 * See s3.h.
 *
 * Owns: turning an s3_config and a key into the Host, path and URL that
 * are signed and sent, and the libcurl requests.  Signing itself is
 * sigv4.c's.  Never: logs, keeps state between calls, follows redirects,
 * or lets libcurl choose the Host header.
 */

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "s3.h"
#include "curlhdr.h"
#include "sbuf.h"
#include "sigv4.h"

#define S3_MAX_HOST		300	/* bucket + '.' + host + port */
#define S3_MAX_ERROR_BODY	(64 * 1024)	/* read, then cut off */
#define S3_USER_AGENT		"kblog"

/* Where a request goes: what is signed and sent. */
struct s3_target {
	const char	*scheme;		/* "http" or "https" */
	char		 host[S3_MAX_HOST];	/* Host, as signed */
	char		*path;		/* raw path, malloc'd */
};

/* One request's answer, filled in by the curl callbacks. */
struct s3_reply {
	int		 status;	/* from the last status line */
	struct s3_object obj;		/* HEAD: headers of interest */
	unsigned char	*buf;		/* GET: body goes here ... */
	size_t		 cap;		/* ... up to cap bytes */
	size_t		 got;
	size_t		 discarded;
	int		 cut;		/* we stopped the transfer */
};

static int	is_lower_alnum(unsigned char);
static int	valid_bucket(const char *);
static int	valid_region(const char *);
static int	valid_key(const char *);
static int	valid_creds(const struct aws_creds *);
static int	parse_endpoint(const char *, const char **, char *, size_t,
		    int *);
static int	s3_target(const struct s3_config *, const char *,
		    struct s3_target *);
static void	s3_target_free(struct s3_target *);
static char	*target_url(const struct s3_target *);
static int	copy_trimmed(char *, size_t, const char *, size_t);
static size_t	on_header(char *, size_t, size_t, void *);
static size_t	on_body(char *, size_t, size_t, void *);
static int	s3_request(const struct s3_config *, const struct aws_creds *,
		    const char *, const char *, const char *,
		    struct s3_reply *);

static int
is_lower_alnum(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
}

/* DNS-compliant bucket names: 3..63 of a-z 0-9 . -, alnum at both ends. */
static int
valid_bucket(const char *b)
{
	size_t		i, len;
	unsigned char	c;

	if (b == NULL)
		return (0);
	len = strnlen(b, 64);
	if (len < 3 || len > 63)
		return (0);
	for (i = 0; i < len; i++) {
		c = (unsigned char)b[i];
		if (!is_lower_alnum(c) && c != '.' && c != '-')
			return (0);
	}
	return (is_lower_alnum((unsigned char)b[0]) &&
	    is_lower_alnum((unsigned char)b[len - 1]));
}

/* Regions go into host names: a-z 0-9 -, 1..64 characters. */
static int
valid_region(const char *r)
{
	size_t		i;
	unsigned char	c;

	if (r == NULL || *r == '\0')
		return (0);
	for (i = 0; r[i] != '\0'; i++) {
		c = (unsigned char)r[i];
		if (i >= 64 || (!is_lower_alnum(c) && c != '-'))
			return (0);
	}
	return (1);
}

/*
 * Non-empty, at most S3_MAX_KEY bytes, not starting with '/', without
 * empty, "." or ".." segments (libcurl and browsers would rewrite them).
 */
static int
valid_key(const char *k)
{
	const char	*seg, *end;
	size_t		 len, slen;

	if (k == NULL)
		return (0);
	len = strnlen(k, S3_MAX_KEY + 1);
	if (len == 0 || len > S3_MAX_KEY)
		return (0);
	for (seg = k; seg <= k + len; seg = end + 1) {
		if ((end = strchr(seg, '/')) == NULL)
			end = k + len;
		slen = (size_t)(end - seg);
		if (slen == 0 || (slen == 1 && seg[0] == '.') ||
		    (slen == 2 && seg[0] == '.' && seg[1] == '.'))
			return (0);
	}
	return (1);
}

static int
valid_creds(const struct aws_creds *cr)
{
	return (cr != NULL &&
	    memchr(cr->access_key, '\0', sizeof(cr->access_key)) != NULL &&
	    memchr(cr->secret_key, '\0', sizeof(cr->secret_key)) != NULL &&
	    memchr(cr->session_token, '\0',
	    sizeof(cr->session_token)) != NULL &&
	    cr->access_key[0] != '\0' && cr->secret_key[0] != '\0');
}

/*
 * Split "http[s]://host[:port][/]" into the scheme and the Host as it is
 * sent: lowercase, default port dropped.  *is_ip tells whether the host
 * is an address literal (virtual-hosted style makes no sense there).
 * 0 or -1.
 */
static int
parse_endpoint(const char *ep, const char **scheme, char *host,
    size_t hostlen, int *is_ip)
{
	const char	*p, *end, *colon, *dflt;
	size_t		 i, n;
	unsigned char	 c;
	int		 digits_dots;

	if (strncasecmp(ep, "http://", 7) == 0) {
		*scheme = "http";
		dflt = "80";
		p = ep + 7;
	} else if (strncasecmp(ep, "https://", 8) == 0) {
		*scheme = "https";
		dflt = "443";
		p = ep + 8;
	} else
		return (-1);

	/* Authority ends at '/', which may only be a trailing one. */
	end = strchr(p, '/');
	if (end == NULL)
		end = p + strlen(p);
	else if (end[1] != '\0')
		return (-1);
	if (end == p)
		return (-1);

	/* Host part, then the optional port. */
	*is_ip = 0;
	if (*p == '[') {
		colon = memchr(p, ']', (size_t)(end - p));
		if (colon == NULL || colon == p + 1)
			return (-1);
		for (i = 1; p + i < colon; i++) {
			c = (unsigned char)p[i];
			if (!isxdigit(c) && c != ':' && c != '.')
				return (-1);
		}
		colon++;
		if (colon != end && *colon != ':')
			return (-1);
		*is_ip = 1;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon == NULL)
			colon = end;
		if (colon == p)
			return (-1);
		digits_dots = 1;
		for (i = 0; p + i < colon; i++) {
			c = (unsigned char)p[i];
			if (!isalnum(c) && c != '-' && c != '.' && c != '_')
				return (-1);
			if (!isdigit(c) && c != '.')
				digits_dots = 0;
		}
		*is_ip = digits_dots;
	}
	if (colon != end) {
		/* ":port", 1..65535; dropped when it is the default. */
		n = (size_t)(end - colon - 1);
		if (n == 0 || n > 5)
			return (-1);
		for (i = 1; i <= n; i++) {
			if (!isdigit((unsigned char)colon[i]))
				return (-1);
		}
		if (colon[1] == '0' || strtol(colon + 1, NULL, 10) > 65535)
			return (-1);
		if (n == strlen(dflt) && strncmp(colon + 1, dflt, n) == 0)
			end = colon;
	}
	n = (size_t)(end - p);
	if (n >= hostlen)
		return (-1);
	for (i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)p[i]);
	host[n] = '\0';
	return (0);
}

/* Host and raw path for key.  0, or -1 with errno set. */
static int
s3_target(const struct s3_config *cfg, const char *key,
    struct s3_target *t)
{
	char	ephost[S3_MAX_HOST];
	int	n, is_ip;

	memset(t, 0, sizeof(*t));
	if (cfg == NULL || !valid_bucket(cfg->bucket) ||
	    !valid_region(cfg->region) || !valid_key(key)) {
		errno = EINVAL;
		return (-1);
	}
	if (cfg->endpoint == NULL) {
		t->scheme = "https";
		if (cfg->path_style)
			n = snprintf(t->host, sizeof(t->host),
			    "s3.%s.amazonaws.com", cfg->region);
		else
			n = snprintf(t->host, sizeof(t->host),
			    "%s.s3.%s.amazonaws.com", cfg->bucket, cfg->region);
	} else {
		if (parse_endpoint(cfg->endpoint, &t->scheme, ephost,
		    sizeof(ephost), &is_ip) == -1 ||
		    (!cfg->path_style && is_ip)) {
			errno = EINVAL;
			return (-1);
		}
		if (cfg->path_style)
			n = snprintf(t->host, sizeof(t->host), "%s", ephost);
		else
			n = snprintf(t->host, sizeof(t->host), "%s.%s",
			    cfg->bucket, ephost);
	}
	if (n < 0 || (size_t)n >= sizeof(t->host)) {
		errno = EINVAL;
		return (-1);
	}
	if (cfg->path_style)
		n = asprintf(&t->path, "/%s/%s", cfg->bucket, key);
	else
		n = asprintf(&t->path, "/%s", key);
	if (n == -1) {
		t->path = NULL;
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

static void
s3_target_free(struct s3_target *t)
{
	free(t->path);
	t->path = NULL;
}

/* "<scheme>://<host><encoded path>", malloc'd. */
static char *
target_url(const struct s3_target *t)
{
	char	*enc, *url;

	if ((enc = sigv4_uri_encode(t->path, strlen(t->path), 1)) == NULL)
		return (NULL);
	if (asprintf(&url, "%s://%s%s", t->scheme, t->host, enc) == -1) {
		url = NULL;
		errno = ENOMEM;
	}
	free(enc);
	return (url);
}

char *
s3_object_url(const struct s3_config *cfg, const char *key)
{
	struct s3_target	 t;
	char			*url;
	int			 saved;

	if (s3_target(cfg, key, &t) == -1)
		return (NULL);
	url = target_url(&t);
	saved = errno;
	s3_target_free(&t);
	errno = saved;
	return (url);
}

char *
s3_presign_put(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *key, const char *content_type, uint64_t length,
    int expires_seconds, time_t now)
{
	struct s3_target	 t;
	struct sigv4_request	 req;
	struct sigv4_kv		 hdrs[2];
	char			 date[SIGV4_DATE_LEN + 1], len[24];
	char			*url;
	int			 saved;

	if (!valid_creds(cr) || content_type == NULL ||
	    *content_type == '\0' || expires_seconds < SIGV4_MIN_EXPIRES ||
	    expires_seconds > SIGV4_MAX_EXPIRES ||
	    sigv4_format_date(now, date) == -1) {
		errno = EINVAL;
		return (NULL);
	}
	if (s3_target(cfg, key, &t) == -1)
		return (NULL);
	(void)snprintf(len, sizeof(len), "%" PRIu64, length);
	hdrs[0].name = "content-length";
	hdrs[0].value = len;
	hdrs[1].name = "content-type";
	hdrs[1].value = content_type;

	memset(&req, 0, sizeof(req));
	req.method = "PUT";
	req.host = t.host;
	req.path = t.path;
	req.headers = hdrs;
	req.nheaders = 2;
	req.payload_hash = SIGV4_UNSIGNED_PAYLOAD;
	req.access_key = cr->access_key;
	req.secret_key = cr->secret_key;
	req.session_token = cr->session_token;
	req.region = cfg->region;
	req.service = "s3";
	req.amz_date = date;
	req.expires = (unsigned int)expires_seconds;

	url = sigv4_presign_url(&req, t.scheme);
	saved = errno;
	s3_target_free(&t);
	errno = saved;
	return (url);
}

/* Trimmed copy of at most n bytes of s into dst (dstlen > 0). */
static int
copy_trimmed(char *dst, size_t dstlen, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n >= dstlen) {
		dst[0] = '\0';
		return (-1);
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return (0);
}

/*
 * One header line (curl calls this for each, status line included, for
 * every response: a "100 Continue" or a redirect starts a new one).
 */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct s3_reply	*rp = arg;
	size_t		 len = size * nmemb, vlen;
	const char	*v;
	char		 num[24], *end;
	unsigned long long	 ull;

	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* "HTTP/1.1 206 Partial Content": a new response. */
		memset(&rp->obj, 0, sizeof(rp->obj));
		rp->status = 0;
		v = memchr(data, ' ', len);
		if (v != NULL && (size_t)(data + len - v) > 4 &&
		    isdigit((unsigned char)v[1]) &&
		    isdigit((unsigned char)v[2]) &&
		    isdigit((unsigned char)v[3]))
			rp->status = (v[1] - '0') * 100 + (v[2] - '0') * 10 +
			    (v[3] - '0');
		return (len);
	}
	if ((v = memchr(data, ':', len)) == NULL)
		return (len);
	v++;
	vlen = (size_t)(data + len - v);
	if (len > 15 && strncasecmp(data, "content-length:", 15) == 0) {
		if (copy_trimmed(num, sizeof(num), v, vlen) == 0 &&
		    isdigit((unsigned char)num[0])) {
			errno = 0;
			ull = strtoull(num, &end, 10);
			if (errno == 0 && *end == '\0') {
				rp->obj.content_length = ull;
				rp->obj.has_length = 1;
			}
		}
	} else if (len > 13 && strncasecmp(data, "content-type:", 13) == 0) {
		(void)copy_trimmed(rp->obj.content_type,
		    sizeof(rp->obj.content_type), v, vlen);
	} else if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
		if (copy_trimmed(rp->obj.etag, sizeof(rp->obj.etag), v,
		    vlen) == 0) {
			vlen = strlen(rp->obj.etag);
			if (vlen >= 2 && rp->obj.etag[0] == '"' &&
			    rp->obj.etag[vlen - 1] == '"') {
				memmove(rp->obj.etag, rp->obj.etag + 1,
				    vlen - 2);
				rp->obj.etag[vlen - 2] = '\0';
			}
		}
	}
	return (len);
}

/*
 * Body bytes: kept (up to cap) on 200/206 when a buffer was given,
 * discarded otherwise.  Returning less than len stops the transfer
 * (CURLE_WRITE_ERROR, which s3_request knows about through rp->cut).
 */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct s3_reply	*rp = arg;
	size_t		 len = size * nmemb, room;

	if (rp->buf != NULL && (rp->status == 200 || rp->status == 206)) {
		room = rp->cap - rp->got;
		if (len > room) {
			memcpy(rp->buf + rp->got, data, room);
			rp->got += room;
			rp->cut = 1;
			return (0);
		}
		memcpy(rp->buf + rp->got, data, len);
		rp->got += len;
		return (len);
	}
	rp->discarded += len;
	if (rp->discarded > S3_MAX_ERROR_BODY) {
		rp->cut = 1;
		return (0);
	}
	return (len);
}

/*
 * Sign and send one bodiless request (HEAD, GET, DELETE) for key, with
 * an optional (signed) Range header.  0 when an answer came, else -1 with
 * errno set.
 */
static int
s3_request(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *method, const char *key, const char *range,
    struct s3_reply *rp)
{
	struct s3_target	 t;
	struct sigv4_request	 req;
	struct sigv4_kv		 hdrs[1];
	struct curl_slist	*list = NULL;
	CURL			*curl = NULL;
	CURLcode		 rc;
	char			 date[SIGV4_DATE_LEN + 1];
	char			*auth = NULL, *url = NULL;
	long			 code;
	int			 ret = -1, err = EIO;

	rp->status = 0;
	if (!valid_creds(cr) || sigv4_format_date(time(NULL), date) == -1) {
		errno = EINVAL;
		return (-1);
	}
	if (s3_target(cfg, key, &t) == -1)
		return (-1);

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.host = t.host;
	req.path = t.path;
	if (range != NULL) {
		hdrs[0].name = "range";
		hdrs[0].value = range;
		req.headers = hdrs;
		req.nheaders = 1;
	}
	req.payload_hash = SIGV4_EMPTY_SHA256;
	req.access_key = cr->access_key;
	req.secret_key = cr->secret_key;
	req.session_token = cr->session_token;
	req.region = cfg->region;
	req.service = "s3";
	req.amz_date = date;

	if ((auth = sigv4_authorization(&req)) == NULL ||
	    (url = target_url(&t)) == NULL) {
		err = errno;
		goto done;
	}

	/*
	 * The Host is given explicitly so that libcurl never sends another
	 * (it would otherwise derive it from the URL, and keep or drop a
	 * port by its own rules).  No Accept, no Expect: nothing unsigned
	 * that a proxy or the store might trip on.
	 */
	err = ENOMEM;
	if (curlhdr_add(&list, "Host", t.host) == -1 ||
	    curlhdr_add(&list, "x-amz-date", date) == -1 ||
	    curlhdr_add(&list, "x-amz-content-sha256", SIGV4_EMPTY_SHA256) == -1 ||
	    (cr->session_token[0] != '\0' && curlhdr_add(&list,
	    "x-amz-security-token", cr->session_token) == -1) ||
	    (range != NULL && curlhdr_add(&list, "Range", range) == -1) ||
	    curlhdr_add(&list, "Authorization", auth) == -1 ||
	    curlhdr_line(&list, "Accept:") == -1 ||
	    curlhdr_line(&list, "Expect:") == -1)
		goto done;
	if ((curl = curl_easy_init()) == NULL)
		goto done;

	err = EINVAL;
	if (curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_1_1) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR,
	    "http,https") != CURLE_OK ||
#endif
	    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_USERAGENT,
	    S3_USER_AGENT) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms :
	    (long)S3_CONNECT_TIMEOUT_MS) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
	    cfg->timeout_ms > 0 ? cfg->timeout_ms :
	    (long)S3_TIMEOUT_MS) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION,
	    on_header) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HEADERDATA, rp) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
	    on_body) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEDATA, rp) != CURLE_OK)
		goto done;
	if (strcmp(method, "HEAD") == 0) {
		if (curl_easy_setopt(curl, CURLOPT_NOBODY, 1L) != CURLE_OK)
			goto done;
	} else if (strcmp(method, "GET") != 0) {
		if (curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
		    method) != CURLE_OK)
			goto done;
	}

	rc = curl_easy_perform(curl);
	if (rc == CURLE_WRITE_ERROR && rp->cut)
		rc = CURLE_OK;
	switch (rc) {
	case CURLE_OK:
		code = 0;
		if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE,
		    &code) != CURLE_OK || code < 100 || code > 999) {
			err = EIO;
			goto done;
		}
		rp->status = (int)code;
		rp->obj.status = (int)code;
		ret = 0;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		err = ETIMEDOUT;
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		err = ECONNREFUSED;
		break;
	case CURLE_OUT_OF_MEMORY:
		err = ENOMEM;
		break;
	default:
		err = EIO;
		break;
	}

done:
	if (curl != NULL)
		curl_easy_cleanup(curl);
	curlhdr_free(list);
	free(auth);
	free(url);
	s3_target_free(&t);
	if (ret == -1) {
		rp->status = 0;
		errno = err;
	}
	return (ret);
}

int
s3_head(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *key, struct s3_object *out)
{
	struct s3_reply	rp;
	int		ret;

	memset(&rp, 0, sizeof(rp));
	ret = s3_request(cfg, cr, "HEAD", key, NULL, &rp);
	if (out != NULL) {
		if (ret == 0)
			*out = rp.obj;
		else
			memset(out, 0, sizeof(*out));
	}
	return (ret);
}

int
s3_get_range(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *key, size_t n, unsigned char *buf, size_t *got,
    int *status)
{
	struct s3_reply	rp;
	char		range[48];
	int		ret;

	if (got != NULL)
		*got = 0;
	if (status != NULL)
		*status = 0;
	if (n == 0 || buf == NULL || got == NULL) {
		errno = EINVAL;
		return (-1);
	}
	(void)snprintf(range, sizeof(range), "bytes=0-%zu", n - 1);
	memset(&rp, 0, sizeof(rp));
	rp.buf = buf;
	rp.cap = n;
	ret = s3_request(cfg, cr, "GET", key, range, &rp);
	if (ret == 0 && (rp.status == 200 || rp.status == 206))
		*got = rp.got;
	if (status != NULL)
		*status = rp.status;
	return (ret);
}

int
s3_delete(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *key, int *status)
{
	struct s3_reply	rp;
	int		ret;

	memset(&rp, 0, sizeof(rp));
	ret = s3_request(cfg, cr, "DELETE", key, NULL, &rp);
	if (status != NULL)
		*status = rp.status;
	return (ret);
}
