/*
 * s3.c: presigned PUT URLs, and the signed HEAD / GET / ranged GET / PUT /
 * DELETE / CopyObject / ListObjectsV2 the server sends itself.  See s3.h.
 *
 * Owns: turning an s3_config and a key into the Host, path and URL that
 * are signed and sent, the libcurl requests, and reading a listing's XML
 * (untrusted input: a strict parser of its own, below).  Signing itself
 * is sigv4.c's.  Never: logs, keeps state between calls, follows redirects,
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

/* One request to send: what is signed besides the Host. */
struct s3_call {
	const char		*method;
	const char		*key;		/* NULL: the bucket itself */
	const struct sigv4_kv	*query;		/* raw, in canonical order */
	size_t			 nquery;
	const struct sigv4_kv	*headers;	/* sent and signed */
	size_t			 nheaders;
	const unsigned char	*body;		/* a PUT's body, or NULL */
	size_t			 bodylen;
	const char		*payload_hash;	/* hex SHA-256 of the body;
						   NULL: of no body */
};

/* A call signed and ready to send. */
struct s3_prepared {
	struct s3_target	 t;
	char			*url;		/* with the query */
	struct curl_slist	*list;		/* every header line sent */
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
	int		 nomem;		/* ... for want of memory */
	size_t		 grow;		/* > 0: buf is malloc'd and grows
					   up to this many bytes */
};

/* A PUT's body, read by libcurl. */
struct s3_body {
	const unsigned char	*p;
	size_t			 left;
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
static char	*target_url(const struct s3_target *,
		    const struct sigv4_kv *, size_t);
static int	copy_trimmed(char *, size_t, const char *, size_t);
static size_t	on_header(char *, size_t, size_t, void *);
static size_t	on_body(char *, size_t, size_t, void *);
static int	s3_prepare(const struct s3_config *,
		    const struct aws_creds *, const struct s3_call *, time_t,
		    struct s3_prepared *);
static void	s3_prepared_free(struct s3_prepared *);
static size_t	on_read_nothing(char *, size_t, size_t, void *);
static size_t	on_read_body(char *, size_t, size_t, void *);
static int	put_call(const char *, const char *, const char *,
		    const void *, size_t, struct s3_call *, struct sigv4_kv *,
		    char *);
static int	s3_request(const struct s3_config *, const struct aws_creds *,
		    const struct s3_call *, struct s3_reply *);
static int	copy_call(const struct s3_config *, const char *,
		    const char *, struct s3_call *, struct sigv4_kv *, char **);
static int	list_call(const char *, const char *, struct s3_call *,
		    struct sigv4_kv *);
static int	wire_fill(const struct s3_prepared *, const char *,
		    struct s3_wire *);

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

int
s3_origin_host(const char *origin, const char **scheme, char *host,
    size_t hostlen)
{
	int	is_ip;

	if (origin == NULL || scheme == NULL || host == NULL || hostlen == 0 ||
	    parse_endpoint(origin, scheme, host, hostlen, &is_ip) == -1) {
		errno = EINVAL;
		return (-1);
	}
	return (0);
}

/*
 * Host and raw path for key, or for the bucket itself when key is NULL
 * ("/bucket" in path style, "/" virtual-hosted).  0, or -1 with errno
 * set.
 */
static int
s3_target(const struct s3_config *cfg, const char *key,
    struct s3_target *t)
{
	char	ephost[S3_MAX_HOST];
	int	n, is_ip;

	memset(t, 0, sizeof(*t));
	if (cfg == NULL || !valid_bucket(cfg->bucket) ||
	    !valid_region(cfg->region) || (key != NULL && !valid_key(key))) {
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
	if (key == NULL && cfg->path_style)
		n = asprintf(&t->path, "/%s", cfg->bucket);
	else if (key == NULL)
		n = asprintf(&t->path, "/");
	else if (cfg->path_style)
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

/*
 * "<scheme>://<host><encoded path>[?<query>]", malloc'd; query names and
 * values encoded as SigV4 encodes them, in the order given.
 */
static char *
target_url(const struct s3_target *t, const struct sigv4_kv *q, size_t nq)
{
	struct sbuf	 b;
	char		*enc, *url;
	size_t		 i;
	int		 j;

	sbuf_init(&b, 256);
	sbuf_addf(&b, "%s://%s", t->scheme, t->host);
	if ((enc = sigv4_uri_encode(t->path, strlen(t->path), 1)) == NULL)
		goto fail;
	sbuf_adds(&b, enc);
	free(enc);
	for (i = 0; i < nq; i++) {
		sbuf_adds(&b, i == 0 ? "?" : "&");
		for (j = 0; j < 2; j++) {
			enc = sigv4_uri_encode(j ? q[i].value : q[i].name,
			    strlen(j ? q[i].value : q[i].name), 0);
			if (enc == NULL)
				goto fail;
			if (j)
				sbuf_adds(&b, "=");
			sbuf_adds(&b, enc);
			free(enc);
		}
	}
	if ((url = strdup(sbuf_cstr(&b))) == NULL)
		errno = ENOMEM;
	sbuf_free(&b);
	return (url);
fail:
	sbuf_free(&b);
	return (NULL);
}

char *
s3_object_url(const struct s3_config *cfg, const char *key)
{
	struct s3_target	 t;
	char			*url;
	int			 saved;

	if (key == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	if (s3_target(cfg, key, &t) == -1)
		return (NULL);
	url = target_url(&t, NULL, 0);
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

	if (!valid_creds(cr) || key == NULL || content_type == NULL ||
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
 * Body bytes: kept (up to cap) on 200/206 when a buffer was given (a
 * growing one on 200: up to grow), discarded otherwise.  Returning less
 * than len stops the transfer (CURLE_WRITE_ERROR, which s3_request knows
 * about through rp->cut).
 */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct s3_reply	*rp = arg;
	unsigned char	*nbuf;
	size_t		 len = size * nmemb, room, ncap;

	if (rp->grow > 0 && rp->status == 200 && len > rp->cap - rp->got &&
	    rp->cap < rp->grow) {
		/* Double the buffer, up to the limit. */
		ncap = rp->cap == 0 ? 65536 : rp->cap * 2;
		while (ncap - rp->got < len && ncap < rp->grow)
			ncap *= 2;
		if (ncap > rp->grow)
			ncap = rp->grow;
		if ((nbuf = realloc(rp->buf, ncap)) == NULL) {
			rp->cut = 1;
			rp->nomem = 1;
			return (0);
		}
		rp->buf = nbuf;
		rp->cap = ncap;
	}
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
 * Sign a call at now: the URL (with its query) and every header line that
 * is sent, in order.  0, or -1 with errno set.
 */
static int
s3_prepare(const struct s3_config *cfg, const struct aws_creds *cr,
    const struct s3_call *call, time_t now, struct s3_prepared *pp)
{
	struct sigv4_request	 req;
	char			 date[SIGV4_DATE_LEN + 1];
	char			*auth = NULL;
	size_t			 i;
	int			 err;

	memset(pp, 0, sizeof(*pp));
	if (!valid_creds(cr) || sigv4_format_date(now, date) == -1 ||
	    call->nheaders > S3_MAX_CALL_HEADERS) {
		errno = EINVAL;
		return (-1);
	}
	if (s3_target(cfg, call->key, &pp->t) == -1)
		return (-1);

	memset(&req, 0, sizeof(req));
	req.method = call->method;
	req.host = pp->t.host;
	req.path = pp->t.path;
	req.query = call->query;
	req.nquery = call->nquery;
	req.headers = call->headers;
	req.nheaders = call->nheaders;
	req.payload_hash = call->payload_hash != NULL ? call->payload_hash :
	    SIGV4_EMPTY_SHA256;
	req.access_key = cr->access_key;
	req.secret_key = cr->secret_key;
	req.session_token = cr->session_token;
	req.region = cfg->region;
	req.service = "s3";
	req.amz_date = date;

	if ((auth = sigv4_authorization(&req)) == NULL ||
	    (pp->url = target_url(&pp->t, call->query, call->nquery)) == NULL)
		goto fail;

	/*
	 * The Host is given explicitly so that libcurl never sends another
	 * (it would otherwise derive it from the URL, and keep or drop a
	 * port by its own rules).  No Accept, no Expect: nothing unsigned
	 * that a proxy or the store might trip on.
	 */
	errno = ENOMEM;
	if (curlhdr_add(&pp->list, "Host", pp->t.host) == -1 ||
	    curlhdr_add(&pp->list, "x-amz-date", date) == -1 ||
	    curlhdr_add(&pp->list, "x-amz-content-sha256",
	    req.payload_hash) == -1 ||
	    (cr->session_token[0] != '\0' && curlhdr_add(&pp->list,
	    "x-amz-security-token", cr->session_token) == -1))
		goto fail;
	for (i = 0; i < call->nheaders; i++) {
		if (curlhdr_add(&pp->list, call->headers[i].name,
		    call->headers[i].value) == -1)
			goto fail;
	}
	if (curlhdr_add(&pp->list, "Authorization", auth) == -1 ||
	    curlhdr_line(&pp->list, "Accept:") == -1 ||
	    curlhdr_line(&pp->list, "Expect:") == -1)
		goto fail;
	explicit_bzero(auth, strlen(auth));
	free(auth);
	return (0);

fail:
	err = errno;
	if (auth != NULL)
		explicit_bzero(auth, strlen(auth));
	free(auth);
	s3_prepared_free(pp);
	errno = err;
	return (-1);
}

static void
s3_prepared_free(struct s3_prepared *pp)
{
	curlhdr_free(pp->list);
	pp->list = NULL;
	free(pp->url);
	pp->url = NULL;
	s3_target_free(&pp->t);
}

/* A PUT's body when there is none: end of file at once. */
static size_t
on_read_nothing(char *buf, size_t size, size_t nmemb, void *arg)
{
	(void)buf;
	(void)size;
	(void)nmemb;
	(void)arg;
	return (0);
}

/* A PUT's body, from memory. */
static size_t
on_read_body(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct s3_body	*b = arg;
	size_t		 n = size * nmemb;

	if (n > b->left)
		n = b->left;
	memcpy(buf, b->p, n);
	b->p += n;
	b->left -= n;
	return (n);
}

/*
 * Sign and send one call, bodiless (HEAD, GET, DELETE) or a PUT, with
 * the call's body or an empty one (CopyObject).  0 when an answer came,
 * else -1 with errno set.
 */
static int
s3_request(const struct s3_config *cfg, const struct aws_creds *cr,
    const struct s3_call *call, struct s3_reply *rp)
{
	struct s3_prepared	 pp;
	struct s3_body		 body;
	CURL			*curl = NULL;
	CURLcode		 rc;
	long			 code;
	int			 ret = -1, err = EIO;

	rp->status = 0;
	body.p = call->body;
	body.left = call->body != NULL ? call->bodylen : 0;
	if (s3_prepare(cfg, cr, call, time(NULL), &pp) == -1)
		return (-1);
	if ((curl = curl_easy_init()) == NULL) {
		err = ENOMEM;
		goto done;
	}

	err = EINVAL;
	if (curl_easy_setopt(curl, CURLOPT_URL, pp.url) != CURLE_OK ||
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
	    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, pp.list) != CURLE_OK ||
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
	if (strcmp(call->method, "HEAD") == 0) {
		if (curl_easy_setopt(curl, CURLOPT_NOBODY, 1L) != CURLE_OK)
			goto done;
	} else if (strcmp(call->method, "PUT") == 0) {
		/* libcurl sends Content-Length (0 without a body). */
		if (curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
		    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)body.left) != CURLE_OK ||
		    curl_easy_setopt(curl, CURLOPT_READFUNCTION,
		    body.left > 0 ? on_read_body : on_read_nothing) !=
		    CURLE_OK ||
		    curl_easy_setopt(curl, CURLOPT_READDATA, &body) !=
		    CURLE_OK)
			goto done;
	} else if (strcmp(call->method, "GET") != 0) {
		if (curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
		    call->method) != CURLE_OK)
			goto done;
	}

	rc = curl_easy_perform(curl);
	if (rc == CURLE_WRITE_ERROR && rp->nomem)
		rc = CURLE_OUT_OF_MEMORY;
	else if (rc == CURLE_WRITE_ERROR && rp->cut)
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
	s3_prepared_free(&pp);
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
	struct s3_call	call;
	struct s3_reply	rp;
	int		ret;

	memset(&call, 0, sizeof(call));
	call.method = "HEAD";
	call.key = key;
	memset(&rp, 0, sizeof(rp));
	if (key == NULL) {
		errno = EINVAL;
		ret = -1;
	} else
		ret = s3_request(cfg, cr, &call, &rp);
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
	struct s3_call	call;
	struct sigv4_kv	hdr[1];
	struct s3_reply	rp;
	char		range[48];
	int		ret;

	if (got != NULL)
		*got = 0;
	if (status != NULL)
		*status = 0;
	if (n == 0 || buf == NULL || got == NULL || key == NULL) {
		errno = EINVAL;
		return (-1);
	}
	(void)snprintf(range, sizeof(range), "bytes=0-%zu", n - 1);
	hdr[0].name = "Range";
	hdr[0].value = range;
	memset(&call, 0, sizeof(call));
	call.method = "GET";
	call.key = key;
	call.headers = hdr;
	call.nheaders = 1;
	memset(&rp, 0, sizeof(rp));
	rp.buf = buf;
	rp.cap = n;
	ret = s3_request(cfg, cr, &call, &rp);
	if (ret == 0 && (rp.status == 200 || rp.status == 206))
		*got = rp.got;
	if (status != NULL)
		*status = rp.status;
	return (ret);
}

int
s3_get(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *key, size_t max, unsigned char **out, size_t *len,
    int *status)
{
	struct s3_call	call;
	struct s3_reply	rp;
	int		ret, err;

	if (out != NULL)
		*out = NULL;
	if (len != NULL)
		*len = 0;
	if (status != NULL)
		*status = 0;
	if (max == 0 || out == NULL || len == NULL || key == NULL) {
		errno = EINVAL;
		return (-1);
	}
	memset(&call, 0, sizeof(call));
	call.method = "GET";
	call.key = key;
	memset(&rp, 0, sizeof(rp));
	/* One byte past max tells a body that is too long. */
	rp.grow = max + 1;
	ret = s3_request(cfg, cr, &call, &rp);
	err = errno;
	if (status != NULL)
		*status = rp.status;
	if (ret == 0 && rp.status == 200) {
		if (rp.got > max) {
			err = E2BIG;
			ret = -1;
		} else {
			*out = rp.buf;
			*len = rp.got;
			rp.buf = NULL;
		}
	}
	free(rp.buf);
	errno = err;
	return (ret);
}

/*
 * The PUT of an object with its body: Content-Type and, when given,
 * Cache-Control are signed; the payload's SHA-256 (hex, into hash) is
 * the x-amz-content-sha256 that S3 checks.  hdr has room for 2.
 */
static int
put_call(const char *key, const char *ctype, const char *cache,
    const void *data, size_t len, struct s3_call *call, struct sigv4_kv *hdr,
    char *hash)
{
	size_t	n;

	if (key == NULL || ctype == NULL || *ctype == '\0' ||
	    (data == NULL && len > 0) ||
	    sigv4_sha256_hex(data != NULL ? data : "", len, hash) == -1) {
		errno = EINVAL;
		return (-1);
	}
	n = 0;
	if (cache != NULL) {
		hdr[n].name = "cache-control";
		hdr[n++].value = cache;
	}
	hdr[n].name = "content-type";
	hdr[n++].value = ctype;
	memset(call, 0, sizeof(*call));
	call->method = "PUT";
	call->key = key;
	call->headers = hdr;
	call->nheaders = n;
	call->body = data;
	call->bodylen = len;
	call->payload_hash = hash;
	return (0);
}

int
s3_put(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *key, const char *ctype, const char *cache, const void *data,
    size_t len, int *status)
{
	struct s3_call	call;
	struct sigv4_kv	hdr[2];
	struct s3_reply	rp;
	char		hash[SIGV4_HEX_LEN + 1];
	int		ret;

	if (status != NULL)
		*status = 0;
	if (put_call(key, ctype, cache, data, len, &call, hdr, hash) == -1)
		return (-1);
	memset(&rp, 0, sizeof(rp));
	ret = s3_request(cfg, cr, &call, &rp);
	if (status != NULL)
		*status = rp.status;
	return (ret);
}

int
s3_delete(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *key, int *status)
{
	struct s3_call	call;
	struct s3_reply	rp;
	int		ret;

	memset(&call, 0, sizeof(call));
	call.method = "DELETE";
	call.key = key;
	memset(&rp, 0, sizeof(rp));
	if (key == NULL) {
		errno = EINVAL;
		ret = -1;
	} else
		ret = s3_request(cfg, cr, &call, &rp);
	if (status != NULL)
		*status = rp.status;
	return (ret);
}

/*
 * The CopyObject call: PUT dst with x-amz-copy-source "/<bucket>/<src>",
 * percent-encoded like a path (S3 wants it URL-encoded).  The header
 * value is malloc'd into *hval.  0 or -1 with errno set.
 */
static int
copy_call(const struct s3_config *cfg, const char *src, const char *dst,
    struct s3_call *call, struct sigv4_kv *hdr, char **hval)
{
	char	*raw;

	*hval = NULL;
	if (cfg == NULL || !valid_bucket(cfg->bucket) || !valid_key(src) ||
	    !valid_key(dst) || strcmp(src, dst) == 0) {
		errno = EINVAL;
		return (-1);
	}
	if (asprintf(&raw, "/%s/%s", cfg->bucket, src) == -1) {
		errno = ENOMEM;
		return (-1);
	}
	*hval = sigv4_uri_encode(raw, strlen(raw), 1);
	free(raw);
	if (*hval == NULL)
		return (-1);
	hdr[0].name = "x-amz-copy-source";
	hdr[0].value = *hval;
	memset(call, 0, sizeof(*call));
	call->method = "PUT";
	call->key = dst;
	call->headers = hdr;
	call->nheaders = 1;
	return (0);
}

int
s3_copy(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *src, const char *dst, int *status)
{
	struct s3_call	 call;
	struct sigv4_kv	 hdr[1];
	struct s3_reply	 rp;
	unsigned char	 body[S3_COPY_MAX_BODY + 1];
	char		*hval;
	int		 ret;

	if (status != NULL)
		*status = 0;
	if (copy_call(cfg, src, dst, &call, hdr, &hval) == -1)
		return (-1);
	memset(&rp, 0, sizeof(rp));
	rp.buf = body;
	rp.cap = S3_COPY_MAX_BODY;
	ret = s3_request(cfg, cr, &call, &rp);
	free(hval);
	if (ret == 0 && rp.status == 200) {
		/* An error during the copy comes as a 200 with <Error>. */
		body[rp.got] = '\0';
		if (memchr(body, '\0', rp.got) != NULL ||
		    strstr((char *)body, "<CopyObjectResult") == NULL ||
		    strstr((char *)body, "<Error>") != NULL)
			rp.status = 500;
	}
	if (status != NULL)
		*status = rp.status;
	return (ret);
}

/*
 * The ListObjectsV2 call for one page: GET on the bucket with the query
 * parameters in canonical order (names sorted).  kv has room for 5.
 */
static int
list_call(const char *prefix, const char *token, struct s3_call *call,
    struct sigv4_kv *kv)
{
	size_t	n;

	if (prefix == NULL || strnlen(prefix, S3_MAX_KEY + 1) > S3_MAX_KEY ||
	    (token != NULL && (*token == '\0' ||
	    strnlen(token, S3_LIST_MAX_TOKEN + 1) > S3_LIST_MAX_TOKEN))) {
		errno = EINVAL;
		return (-1);
	}
	n = 0;
	if (token != NULL) {
		kv[n].name = "continuation-token";
		kv[n++].value = token;
	}
	kv[n].name = "encoding-type";
	kv[n++].value = "url";
	kv[n].name = "list-type";
	kv[n++].value = "2";
	kv[n].name = "max-keys";
	kv[n++].value = S3_LIST_MAX_KEYS_STR;
	kv[n].name = "prefix";
	kv[n++].value = prefix;
	memset(call, 0, sizeof(*call));
	call->method = "GET";
	call->key = NULL;
	call->query = kv;
	call->nquery = n;
	return (0);
}

int
s3_list(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *prefix, const char *token, struct s3_list *out, int *status)
{
	struct s3_call	 call;
	struct sigv4_kv	 kv[5];
	struct s3_reply	 rp;
	int		 ret, err;

	if (status != NULL)
		*status = 0;
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (out == NULL || list_call(prefix, token, &call, kv) == -1) {
		errno = EINVAL;
		return (-1);
	}
	memset(&rp, 0, sizeof(rp));
	if ((rp.buf = malloc(S3_LIST_MAX_BODY)) == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	rp.cap = S3_LIST_MAX_BODY;
	ret = s3_request(cfg, cr, &call, &rp);
	err = errno;
	if (ret == 0 && rp.status == 200) {
		if (rp.cut) {
			/* Over S3_LIST_MAX_BODY: not a page we read. */
			err = E2BIG;
			ret = -1;
		} else if (s3_list_parse((char *)rp.buf, rp.got, out) == -1) {
			err = errno;
			ret = -1;
		}
	}
	free(rp.buf);
	if (status != NULL)
		*status = rp.status;
	errno = err;
	return (ret);
}

/* What a prepared call sends, as text. */
static int
wire_fill(const struct s3_prepared *pp, const char *method,
    struct s3_wire *w)
{
	const struct curl_slist	*l;
	struct sbuf		 b;

	sbuf_init(&b, 1024);
	for (l = pp->list; l != NULL; l = l->next) {
		sbuf_adds(&b, l->data);
		sbuf_adds(&b, "\n");
	}
	w->method = method;
	w->url = strdup(pp->url);
	w->headers = strdup(sbuf_cstr(&b));
	sbuf_free(&b);
	if (w->url == NULL || w->headers == NULL) {
		s3_wire_free(w);
		errno = ENOMEM;
		return (-1);
	}
	return (0);
}

int
s3_copy_wire(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *src, const char *dst, time_t now, struct s3_wire *w)
{
	struct s3_call		 call;
	struct s3_prepared	 pp;
	struct sigv4_kv		 hdr[1];
	char			*hval;
	int			 ret;

	memset(w, 0, sizeof(*w));
	if (copy_call(cfg, src, dst, &call, hdr, &hval) == -1)
		return (-1);
	ret = s3_prepare(cfg, cr, &call, now, &pp);
	free(hval);
	if (ret == -1)
		return (-1);
	ret = wire_fill(&pp, call.method, w);
	s3_prepared_free(&pp);
	return (ret);
}

int
s3_list_wire(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *prefix, const char *token, time_t now, struct s3_wire *w)
{
	struct s3_call		 call;
	struct s3_prepared	 pp;
	struct sigv4_kv		 kv[5];
	int			 ret;

	memset(w, 0, sizeof(*w));
	if (list_call(prefix, token, &call, kv) == -1 ||
	    s3_prepare(cfg, cr, &call, now, &pp) == -1)
		return (-1);
	ret = wire_fill(&pp, call.method, w);
	s3_prepared_free(&pp);
	return (ret);
}

int
s3_put_wire(const struct s3_config *cfg, const struct aws_creds *cr,
    const char *key, const char *ctype, const char *cache, const void *data,
    size_t len, time_t now, struct s3_wire *w)
{
	struct s3_call		 call;
	struct s3_prepared	 pp;
	struct sigv4_kv		 hdr[2];
	char			 hash[SIGV4_HEX_LEN + 1];
	int			 ret;

	memset(w, 0, sizeof(*w));
	if (put_call(key, ctype, cache, data, len, &call, hdr, hash) == -1 ||
	    s3_prepare(cfg, cr, &call, now, &pp) == -1)
		return (-1);
	ret = wire_fill(&pp, call.method, w);
	s3_prepared_free(&pp);
	return (ret);
}

void
s3_wire_free(struct s3_wire *w)
{
	if (w->headers != NULL)
		explicit_bzero(w->headers, strlen(w->headers));
	free(w->url);
	free(w->headers);
	memset(w, 0, sizeof(*w));
}

/*
 * ListObjectsV2's XML, parsed by hand: it is untrusted input, and only a
 * few fields of a fixed shape matter.  The parser is strict about the
 * document's structure (one root, ListBucketResult; tags that close in
 * order; at most S3_XML_MAX_DEPTH deep; names and texts within their
 * limits; only the five predefined entities and character references)
 * and refuses what S3 never sends (DOCTYPE, CDATA, elements inside the
 * fields it reads).  Any such error fails the whole page: the caller then
 * deletes nothing.  An entry whose key does not decode is dropped.
 */
#define S3_XML_MAX_DEPTH	16
#define S3_XML_MAX_NAME		64
#define S3_XML_MAX_TEXT		(3 * S3_MAX_KEY + 16)	/* a %-encoded key */

enum xml_field {
	XF_NONE = 0, XF_KEY, XF_LAST_MODIFIED, XF_SIZE, XF_TRUNCATED,
	XF_TOKEN, XF_ENCODING
};

struct xml_parse {
	const char		*p, *end;
	char			 stack[S3_XML_MAX_DEPTH][S3_XML_MAX_NAME + 1];
	int			 depth;
	int			 root_seen;
	enum xml_field		 field;		/* being collected */
	char			 text[S3_XML_MAX_TEXT + 1];
	size_t			 textlen;
	int			 in_entry;	/* inside <Contents> */
	struct s3_list_entry	 entry;		/* being built */
	int			 url_encoded;	/* <EncodingType>url */
	size_t			 cap;
	struct s3_list		*out;
};

static int	is_name_char(unsigned char);
static int	is_xml_space(unsigned char);
static int	xml_name(struct xml_parse *, char *);
static int	xml_skip_attrs(struct xml_parse *, int *);
static int	xml_text(struct xml_parse *, const char *, size_t);
static int	xml_add_char(struct xml_parse *, unsigned long);
static int	xml_start(struct xml_parse *, const char *);
static int	xml_end(struct xml_parse *);
static int	xml_field_done(struct xml_parse *);
static time_t	xml_time(const char *);
static const char	*xml_find(const char *, const char *, const char *);

static const char *
xml_find(const char *p, const char *end, const char *needle)
{
	size_t	n;

	n = strlen(needle);
	for (; (size_t)(end - p) >= n; p++) {
		if (memcmp(p, needle, n) == 0)
			return (p);
	}
	return (NULL);
}

static int
is_name_char(unsigned char c)
{
	return (isalnum(c) || c == '_' || c == ':' || c == '.' || c == '-');
}

static int
is_xml_space(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

/* A tag's name at xp->p into name (S3_XML_MAX_NAME + 1).  0 or -1. */
static int
xml_name(struct xml_parse *xp, char *name)
{
	size_t	n;

	for (n = 0; xp->p + n < xp->end &&
	    is_name_char((unsigned char)xp->p[n]); n++) {
		if (n >= S3_XML_MAX_NAME)
			return (-1);
	}
	if (n == 0 || isdigit((unsigned char)xp->p[0]) || xp->p[0] == '-' ||
	    xp->p[0] == '.')
		return (-1);
	memcpy(name, xp->p, n);
	name[n] = '\0';
	xp->p += n;
	return (0);
}

/*
 * Attributes up to '>' or "/>" (read and ignored: name="value" or
 * name='value', no '<' in values).  *empty is set for "/>".  0 or -1.
 */
static int
xml_skip_attrs(struct xml_parse *xp, int *empty)
{
	char		 name[S3_XML_MAX_NAME + 1];
	const char	*q;
	char		 quote;

	*empty = 0;
	for (;;) {
		while (xp->p < xp->end && is_xml_space((unsigned char)*xp->p))
			xp->p++;
		if (xp->p >= xp->end)
			return (-1);
		if (*xp->p == '>') {
			xp->p++;
			return (0);
		}
		if (*xp->p == '/') {
			if (xp->end - xp->p < 2 || xp->p[1] != '>')
				return (-1);
			xp->p += 2;
			*empty = 1;
			return (0);
		}
		if (xml_name(xp, name) == -1)
			return (-1);
		while (xp->p < xp->end && is_xml_space((unsigned char)*xp->p))
			xp->p++;
		if (xp->p >= xp->end || *xp->p != '=')
			return (-1);
		xp->p++;
		while (xp->p < xp->end && is_xml_space((unsigned char)*xp->p))
			xp->p++;
		if (xp->p >= xp->end || (*xp->p != '"' && *xp->p != '\''))
			return (-1);
		quote = *xp->p++;
		if ((q = memchr(xp->p, quote, (size_t)(xp->end - xp->p))) ==
		    NULL || memchr(xp->p, '<', (size_t)(q - xp->p)) != NULL)
			return (-1);
		xp->p = q + 1;
	}
}

/* One character (a code point) of a collected field, as UTF-8. */
static int
xml_add_char(struct xml_parse *xp, unsigned long c)
{
	unsigned char	u[4];
	size_t		n;

	if (c < 0x80) {
		u[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | (c >> 6));
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (c >> 12));
		u[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (c >> 18));
		u[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (xp->field == XF_NONE)
		return (0);
	if (xp->textlen + n > S3_XML_MAX_TEXT)
		return (-1);
	memcpy(xp->text + xp->textlen, u, n);
	xp->textlen += n;
	return (0);
}

/*
 * Character data between tags: entities decoded, control characters
 * refused; kept only while a field is being collected.  0 or -1.
 */
static int
xml_text(struct xml_parse *xp, const char *s, size_t len)
{
	const char	*semi, *e;
	unsigned long	 c;
	char		*endp, num[16];
	size_t		 i, n;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 && !is_xml_space((unsigned char)c))
			return (-1);
		if (xp->depth == 0 && !is_xml_space((unsigned char)c))
			return (-1);	/* text outside the root */
		if (c != '&') {
			if (xml_add_char(xp, c) == -1)
				return (-1);
			continue;
		}
		e = s + i + 1;
		semi = memchr(e, ';', len - i - 1);
		if (semi == NULL || semi - e < 2 || semi - e > 10)
			return (-1);
		n = (size_t)(semi - e);
		if (n == 3 && memcmp(e, "amp", 3) == 0)
			c = '&';
		else if (n == 2 && memcmp(e, "lt", 2) == 0)
			c = '<';
		else if (n == 2 && memcmp(e, "gt", 2) == 0)
			c = '>';
		else if (n == 4 && memcmp(e, "quot", 4) == 0)
			c = '"';
		else if (n == 4 && memcmp(e, "apos", 4) == 0)
			c = '\'';
		else if (e[0] == '#') {
			memcpy(num, e + 1, n - 1);
			num[n - 1] = '\0';
			if (num[0] == 'x') {
				if (num[1] == '\0' ||
				    strspn(num + 1, "0123456789abcdefABCDEF") !=
				    n - 2)
					return (-1);
				c = strtoul(num + 1, &endp, 16);
			} else {
				if (strspn(num, "0123456789") != n - 1)
					return (-1);
				c = strtoul(num, &endp, 10);
			}
			/* XML's Char production. */
			if (!(c == 0x9 || c == 0xa || c == 0xd ||
			    (c >= 0x20 && c <= 0xd7ff) ||
			    (c >= 0xe000 && c <= 0xfffd) ||
			    (c >= 0x10000 && c <= 0x10ffff)))
				return (-1);
		} else
			return (-1);
		if (xml_add_char(xp, c) == -1)
			return (-1);
		i += n + 1;
	}
	return (0);
}

/* "YYYY-MM-DDTHH:MM:SS[.fff]Z", or 0 when it is not that. */
static time_t
xml_time(const char *s)
{
	static const int	 width[6] = { 4, 2, 2, 2, 2, 2 };
	static const char	 sep[6] = { '-', '-', 'T', ':', ':', '\0' };
	struct tm		 tm;
	const char		*p;
	time_t			 t;
	int			 v[6], i, n;

	p = s;
	for (i = 0; i < 6; i++) {
		v[i] = 0;
		for (n = 0; n < width[i]; n++, p++) {
			if (!isdigit((unsigned char)*p))
				return (0);
			v[i] = v[i] * 10 + (*p - '0');
		}
		if (sep[i] != '\0' && *p++ != sep[i])
			return (0);
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return (0);
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (strcmp(p, "Z") != 0 || v[0] < 1970 || v[1] < 1 || v[1] > 12 ||
	    v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return (0);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	if ((t = timegm(&tm)) == (time_t)-1)
		return (0);
	return (t);
}

/* A collected field is complete. */
static int
xml_field_done(struct xml_parse *xp)
{
	char			*endp;
	unsigned long long	 ull;
	size_t			 i;

	xp->text[xp->textlen] = '\0';
	if (memchr(xp->text, '\0', xp->textlen) != NULL)
		return (-1);
	switch (xp->field) {
	case XF_KEY:
		if (xp->entry.key != NULL || xp->textlen == 0 ||
		    (xp->entry.key = strdup(xp->text)) == NULL)
			return (-1);
		break;
	case XF_LAST_MODIFIED:
		xp->entry.last_modified = xml_time(xp->text);
		break;
	case XF_SIZE:
		errno = 0;
		ull = strtoull(xp->text, &endp, 10);
		if (isdigit((unsigned char)xp->text[0]) && *endp == '\0' &&
		    errno == 0)
			xp->entry.size = ull;
		break;
	case XF_TRUNCATED:
		if (strcmp(xp->text, "true") == 0)
			xp->out->truncated = 1;
		else if (strcmp(xp->text, "false") == 0)
			xp->out->truncated = 0;
		else
			return (-1);
		break;
	case XF_TOKEN:
		if (xp->out->next_token != NULL || xp->textlen == 0 ||
		    xp->textlen > S3_LIST_MAX_TOKEN)
			return (-1);
		for (i = 0; i < xp->textlen; i++) {
			if (xp->text[i] <= 0x20 || xp->text[i] >= 0x7f)
				return (-1);
		}
		if ((xp->out->next_token = strdup(xp->text)) == NULL)
			return (-1);
		break;
	case XF_ENCODING:
		xp->url_encoded = (strcmp(xp->text, "url") == 0);
		break;
	case XF_NONE:
		break;
	}
	xp->field = XF_NONE;
	xp->textlen = 0;
	return (0);
}

/* A start tag was pushed: what it means where it is. */
static int
xml_start(struct xml_parse *xp, const char *name)
{
	struct s3_list_entry	*grown;

	if (xp->field != XF_NONE)
		return (-1);		/* no elements inside a field */
	if (xp->depth == 1) {
		if (xp->root_seen || strcmp(name, "ListBucketResult") != 0)
			return (-1);
		xp->root_seen = 1;
	} else if (xp->depth == 2) {
		if (strcmp(name, "Contents") == 0) {
			if (xp->out->n >= S3_LIST_MAX_KEYS)
				return (-1);
			if (xp->out->n == xp->cap) {
				xp->cap = xp->cap ? xp->cap * 2 : 64;
				if ((grown = reallocarray(xp->out->entries,
				    xp->cap, sizeof(*grown))) == NULL)
					return (-1);
				xp->out->entries = grown;
			}
			memset(&xp->entry, 0, sizeof(xp->entry));
			xp->in_entry = 1;
		} else if (strcmp(name, "IsTruncated") == 0)
			xp->field = XF_TRUNCATED;
		else if (strcmp(name, "NextContinuationToken") == 0)
			xp->field = XF_TOKEN;
		else if (strcmp(name, "EncodingType") == 0)
			xp->field = XF_ENCODING;
	} else if (xp->depth == 3 && xp->in_entry) {
		if (strcmp(name, "Key") == 0)
			xp->field = XF_KEY;
		else if (strcmp(name, "LastModified") == 0)
			xp->field = XF_LAST_MODIFIED;
		else if (strcmp(name, "Size") == 0)
			xp->field = XF_SIZE;
	}
	return (0);
}

/* The element on top of the stack ends. */
static int
xml_end(struct xml_parse *xp)
{
	if (xp->field != XF_NONE && xml_field_done(xp) == -1)
		return (-1);
	if (xp->depth == 2 && xp->in_entry) {
		if (xp->entry.key == NULL)
			return (-1);
		xp->out->entries[xp->out->n++] = xp->entry;
		memset(&xp->entry, 0, sizeof(xp->entry));
		xp->in_entry = 0;
	}
	xp->depth--;
	return (0);
}

int
s3_list_parse(const char *xml, size_t len, struct s3_list *out)
{
	struct xml_parse	*xp;
	const char		*q, *lt;
	char			 name[S3_XML_MAX_NAME + 1];
	char			*dec;
	size_t			 i, j, declen;
	int			 empty, ret = -1;

	if (out == NULL || (xml == NULL && len > 0)) {
		errno = EINVAL;
		return (-1);
	}
	memset(out, 0, sizeof(*out));
	if (len > S3_LIST_MAX_BODY) {
		errno = E2BIG;
		return (-1);
	}
	if ((xp = calloc(1, sizeof(*xp))) == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	xp->p = xml;
	xp->end = xml + len;
	xp->out = out;
	if (len >= 3 && memcmp(xml, "\xef\xbb\xbf", 3) == 0)
		xp->p += 3;

	while (xp->p < xp->end) {
		if (*xp->p != '<') {
			lt = memchr(xp->p, '<', (size_t)(xp->end - xp->p));
			if (lt == NULL)
				lt = xp->end;
			if (xml_text(xp, xp->p, (size_t)(lt - xp->p)) == -1)
				goto done;
			xp->p = lt;
			continue;
		}
		if (xp->end - xp->p >= 2 && xp->p[1] == '?') {
			/* A processing instruction (the XML declaration). */
			if ((q = xml_find(xp->p + 2, xp->end, "?>")) == NULL)
				goto done;
			xp->p = q + 2;
		} else if (xp->end - xp->p >= 4 &&
		    memcmp(xp->p, "<!--", 4) == 0) {
			if ((q = xml_find(xp->p + 4, xp->end, "-->")) == NULL)
				goto done;
			xp->p = q + 3;
		} else if (xp->end - xp->p >= 2 && xp->p[1] == '!') {
			goto done;	/* DOCTYPE, CDATA: never from S3 */
		} else if (xp->end - xp->p >= 2 && xp->p[1] == '/') {
			xp->p += 2;
			if (xp->depth == 0 || xml_name(xp, name) == -1 ||
			    strcmp(name, xp->stack[xp->depth - 1]) != 0)
				goto done;
			while (xp->p < xp->end &&
			    is_xml_space((unsigned char)*xp->p))
				xp->p++;
			if (xp->p >= xp->end || *xp->p != '>')
				goto done;
			xp->p++;
			if (xml_end(xp) == -1)
				goto done;
		} else {
			xp->p++;
			if (xml_name(xp, name) == -1 ||
			    xml_skip_attrs(xp, &empty) == -1 ||
			    xp->depth >= S3_XML_MAX_DEPTH ||
			    (xp->depth == 0 && xp->root_seen))
				goto done;
			memcpy(xp->stack[xp->depth++], name, sizeof(name));
			if (xml_start(xp, name) == -1 ||
			    (empty && xml_end(xp) == -1))
				goto done;
		}
	}
	if (xp->depth != 0 || !xp->root_seen ||
	    (out->truncated && out->next_token == NULL))
		goto done;

	/* Keys asked for with encoding-type=url come %-encoded. */
	for (i = j = 0; i < out->n; i++) {
		if (xp->url_encoded) {
			dec = sigv4_uri_decode(out->entries[i].key,
			    strlen(out->entries[i].key), &declen);
			free(out->entries[i].key);
			out->entries[i].key = dec;
			if (dec == NULL || declen == 0 || declen > S3_MAX_KEY) {
				free(dec);
				continue;	/* not a key we could name */
			}
		} else if (strlen(out->entries[i].key) > S3_MAX_KEY) {
			free(out->entries[i].key);
			continue;
		}
		out->entries[j++] = out->entries[i];
	}
	out->n = j;
	ret = 0;

done:
	free(xp->entry.key);
	free(xp);
	if (ret == -1) {
		s3_list_free(out);
		errno = EINVAL;
	}
	return (ret);
}

void
s3_list_free(struct s3_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->entries[i].key);
	free(l->entries);
	free(l->next_token);
	memset(l, 0, sizeof(*l));
}
