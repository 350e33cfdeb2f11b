/*
 * s3.h: a small S3 client: presigned PUT URLs for the browser, and the
 * signed HEAD, ranged GET and DELETE the server sends itself.
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

/* DELETE the key.  S3 answers 204, also when the key did not exist. */
int	s3_delete(const struct s3_config *, const struct aws_creds *,
	    const char *, int *);

#endif /* !KBLOG_S3_H */
