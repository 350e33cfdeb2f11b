/*
 * s3.h: a small S3 client: presigned PUT URLs for the browser, and the
 * signed HEAD, ranged GET, DELETE, CopyObject and ListObjectsV2 the
 * server sends itself.
 *
 * Plain C on libcurl, OpenSSL (through sigv4.c) and libc; no Kore headers.
 * The requests block (up to the timeouts below): kblog calls them from
 * Kore task threads, never from a worker's event loop.
 *
 * Thread safety: no mutable static state; every request uses its own curl
 * easy handle, with CURLOPT_NOSIGNAL.  The caller must have called
 * curl_global_init(CURL_GLOBAL_DEFAULT) once, before any thread calls
 * these functions (curl_global_init itself is not thread-safe), and
 * curl_global_cleanup() at exit if it cares.
 *
 * Addressing (see shared/docs/s3-sigv4.md):
 *   AWS (endpoint NULL), virtual-hosted:
 *	https://<bucket>.s3.<region>.amazonaws.com/<key>
 *   AWS, path style:
 *	https://s3.<region>.amazonaws.com/<bucket>/<key>
 *   endpoint set, virtual-hosted (not on an IP address):
 *	<scheme>://<bucket>.<endpoint host>[:port]/<key>
 *   endpoint set, path style:
 *	<scheme>://<endpoint host>[:port]/<bucket>/<key>
 * The Host is lowercase and keeps a port only when it is not the scheme's
 * default (":80" for http, ":443" for https are dropped).  That exact Host
 * is signed and sent: libcurl is given it explicitly.
 *
 * Keys: kblog chooses them (u/<user id>/<random>.<ext>).  They are
 * percent-encoded once per the S3 SigV4 rules (all but A-Z a-z 0-9 - _ . ~
 * and /).  Refused (EINVAL): an empty key, one over 1024 bytes, one that
 * starts with '/', or has an empty, "." or ".." segment (browsers and
 * libcurl rewrite such paths, so the signature would not match).
 *
 * Memory: returned strings are malloc'd and belong to the caller.
 */

#ifndef KBLOG_S3_H
#define KBLOG_S3_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define S3_MAX_KEY		1024	/* S3's own limit, bytes */
#define S3_CONNECT_TIMEOUT_MS	3000
#define S3_TIMEOUT_MS		10000
#define S3_MAX_CALL_HEADERS	4	/* extra signed headers of a call */
#define S3_COPY_MAX_BODY	(16 * 1024)	/* CopyObject's answer */
#define S3_LIST_MAX_KEYS	1000	/* keys asked for per page */
#define S3_LIST_MAX_KEYS_STR	"1000"
#define S3_LIST_MAX_BODY	(4 * 1024 * 1024)	/* one page's XML */
#define S3_LIST_MAX_TOKEN	1024	/* a continuation token, bytes */

struct s3_config {
	/*
	 * NULL: AWS, "https://s3.<region>.amazonaws.com".  Otherwise
	 * "http[s]://host[:port]" (an optional trailing '/', no path, no
	 * query, no user info), e.g. "http://127.0.0.1:9000".
	 */
	const char	*endpoint;
	const char	*region;	/* the bucket's region: "eu-west-3" */
	const char	*bucket;	/* 3..63 of a-z 0-9 . - */
	int		 path_style;	/* 1: /bucket/key on the host */
	long		 connect_timeout_ms;	/* 0: 3 s */
	long		 timeout_ms;	/* whole request; 0: 10 s */
};

/* Credentials: static (env) or temporary (role, container). */
struct aws_creds {
	char	access_key[128];
	char	secret_key[128];
	char	session_token[2048];	/* "" when none */
	time_t	expires;		/* 0: static, never expires */
};

/* What a HEAD found. */
struct s3_object {
	int		status;		/* HTTP status: 200, 403, 404 */
	int		has_length;	/* Content-Length received */
	uint64_t	content_length;
	char		content_type[256];	/* "": absent, too long */
	char		etag[128];	/* unquoted; "": absent */
};

/*
 * A presigned PUT URL, valid for expires_seconds (1..604800) from now,
 * that binds the host, the exact Content-Type and Content-Length
 * (X-Amz-SignedHeaders=content-length;content-type;host), signs
 * UNSIGNED-PAYLOAD, and carries a session token, if any, inside the signed
 * query (X-Amz-Security-Token).  The browser must send exactly those two
 * headers.  Temporary credentials: the URL dies with them, whatever
 * expires_seconds says.  Returns a malloc'd URL, or NULL with errno set
 * (EINVAL: bad configuration, key, type or expiry; ENOMEM).
 */
char	*s3_presign_put(const struct s3_config *, const struct aws_creds *,
	    const char *, const char *, uint64_t, int, time_t);

/*
 * The scheme ("http" or "https", static) and the Host a client sends for
 * an origin "http[s]://host[:port][/]": lowercase, without the scheme's
 * default port.  This is the Host that is signed.  0, or -1 (EINVAL).
 */
int	s3_origin_host(const char *, const char **, char *, size_t);

/*
 * The plain, unsigned URL of an object (for public reads, when the bucket
 * policy allows them).  Returns a malloc'd URL, or NULL with errno set.
 */
char	*s3_object_url(const struct s3_config *, const char *);

/*
 * The blocking requests.  Each is signed with an Authorization header
 * (x-amz-date, x-amz-content-sha256 of the empty body, and
 * x-amz-security-token with temporary credentials) at the current time.
 *
 * Return 0 when an HTTP answer came: the status is filled in, whatever it
 * is (403 and 404 are answers, not errors).  Return -1 when none came,
 * with the status set to 0 and errno set: ETIMEDOUT (a timeout),
 * ECONNREFUSED (could not connect or resolve), EIO (other transport
 * failure, TLS), and, for caller bugs, EINVAL (bad arguments) or ENOMEM.
 * The caller maps -1 to 503 (but EINVAL to 500).
 */

/* HEAD the key; out is filled in (zeroed first). */
int	s3_head(const struct s3_config *, const struct aws_creds *,
	    const char *, struct s3_object *);

/*
 * GET the first n bytes (n >= 1) of the key with "Range: bytes=0-<n-1>"
 * (signed).  On 206 or 200 copies at most n bytes of the body into buf
 * and sets *got; on any other status *got is 0 and the (error) body is
 * discarded.  A server that ignores the range (200) is cut off after n
 * bytes.
 */
int	s3_get_range(const struct s3_config *, const struct aws_creds *,
	    const char *, size_t, unsigned char *, size_t *, int *);

/*
 * GET the whole object: on a 200 with at most max bytes (max >= 1), *out
 * is a malloc'd copy of the body (the caller frees it) and *len its
 * length.  A longer body stops the transfer: -1 with errno E2BIG (and
 * *status 200).  On any other status *out is NULL.
 */
int	s3_get(const struct s3_config *, const struct aws_creds *,
	    const char *, size_t, unsigned char **, size_t *, int *);

/*
 * PUT len bytes of data under the key with the given Content-Type and,
 * unless NULL, Cache-Control (both signed, so the object keeps them;
 * S3 serves them on reads).  The payload is signed too: S3 refuses the
 * PUT if the bytes that arrive are not those (x-amz-content-sha256).
 * *status is the HTTP status (200 when stored).
 */
int	s3_put(const struct s3_config *, const struct aws_creds *,
	    const char *, const char *, const char *, const void *, size_t,
	    int *);

/* DELETE the key.  S3 answers 204, also when the key did not exist. */
int	s3_delete(const struct s3_config *, const struct aws_creds *,
	    const char *, int *);

/*
 * CopyObject: PUT dst with "x-amz-copy-source: /<bucket>/<src>" (signed,
 * percent-encoded), an empty body, in the same bucket; the object's
 * metadata (its Content-Type) is copied.  *status is the HTTP status,
 * except that a 200 whose body is not a <CopyObjectResult> (S3 reports
 * errors during a copy inside a 200) is 500.  A missing src is 404, or
 * 403 without s3:ListBucket.  src and dst must differ.
 */
int	s3_copy(const struct s3_config *, const struct aws_creds *,
	    const char *, const char *, int *);

/* One object of a listing. */
struct s3_list_entry {
	char		*key;		/* decoded, malloc'd */
	time_t		 last_modified;	/* 0: absent or unreadable */
	uint64_t	 size;
};

/* One page of a listing. */
struct s3_list {
	struct s3_list_entry	*entries;	/* malloc'd, n of them */
	size_t			 n;
	int			 truncated;	/* more pages follow */
	char			*next_token;	/* malloc'd; set if truncated */
};

/*
 * ListObjectsV2, one page: a signed GET on the bucket with
 * ?continuation-token=<token>&encoding-type=url&list-type=2
 * &max-keys=1000&prefix=<prefix> (token NULL: the first page).  On a 200
 * the page is parsed into out (s3_list_parse); the caller frees it with
 * s3_list_free().  Returns 0 with *status when an answer came and (on a
 * 200) parsed; -1 with errno set otherwise: the transport errors above,
 * EINVAL for a page that does not parse, E2BIG for one over
 * S3_LIST_MAX_BODY.  Pass the page's next_token back for the next page
 * while truncated is set.
 */
int	s3_list(const struct s3_config *, const struct aws_creds *,
	    const char *, const char *, struct s3_list *, int *);

/*
 * Parse a ListBucketResult document of len bytes (untrusted).  Strict
 * about structure: any malformed document, DOCTYPE or CDATA, element
 * nesting over 16, more than S3_LIST_MAX_KEYS entries, an entry without
 * a Key, a bad IsTruncated, or a truncated page without a token fails
 * the whole page (-1, errno EINVAL; out is left empty).  Keys are
 * %-decoded when the page says <EncodingType>url; an entry whose key
 * does not decode (bad escape, NUL) or is over S3_MAX_KEY is dropped.
 * 0 on success; free with s3_list_free().
 */
int	s3_list_parse(const char *, size_t, struct s3_list *);
void	s3_list_free(struct s3_list *);

/*
 * What s3_copy, s3_list and s3_put would send at time now, without
 * sending it: the URL and every header line ("Name: value\n"), in
 * order.  For tests.  Free with s3_wire_free().  0, or -1 with errno set.
 */
struct s3_wire {
	const char	*method;
	char		*url;
	char		*headers;
};

int	s3_copy_wire(const struct s3_config *, const struct aws_creds *,
	    const char *, const char *, time_t, struct s3_wire *);
int	s3_list_wire(const struct s3_config *, const struct aws_creds *,
	    const char *, const char *, time_t, struct s3_wire *);
int	s3_put_wire(const struct s3_config *, const struct aws_creds *,
	    const char *, const char *, const char *, const void *, size_t,
	    time_t, struct s3_wire *);
void	s3_wire_free(struct s3_wire *);

#endif /* !KBLOG_S3_H */
