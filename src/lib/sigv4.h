/*
 * sigv4.h: AWS Signature Version 4 (AWS4-HMAC-SHA256), as S3 wants it.
 *
 * A pure library: libc and OpenSSL only, no Kore headers, no I/O, no
 * clock (callers pass every time), no logging.  It signs requests with an
 * Authorization header, builds presigned URLs, and verifies presigned
 * requests for kblog's local store.
 *
 * Memory: every char * a function returns was malloc'd and belongs to the
 * caller, who free()s it.  Nothing returned points into the arguments.
 * On failure those functions return NULL (or -1) and set errno: EINVAL for
 * input they refuse, ENOMEM when out of memory, E2BIG when an input or the
 * output goes over the limits below.
 *
 * S3 rules followed here (see shared/docs/s3-sigv4.md): the canonical URI
 * is the raw key path percent-encoded once (everything but A-Z a-z 0-9
 * - _ . ~ and /, uppercase hex), never normalised; query names and values
 * are encoded with the same encoder ('/' encoded too) and sorted by encoded
 * name then value; presigned URLs sign UNSIGNED-PAYLOAD and carry the
 * session token inside the signed query.
 */

#ifndef KBLOG_SIGV4_H
#define KBLOG_SIGV4_H

#include <stddef.h>
#include <time.h>

#define SIGV4_ALGORITHM		"AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED_PAYLOAD	"UNSIGNED-PAYLOAD"
/* Hex SHA-256 of the empty string: the payload hash of HEAD/GET/DELETE. */
#define SIGV4_EMPTY_SHA256	\
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define SIGV4_DATE_LEN		16	/* "YYYYMMDDTHHMMSSZ" */
#define SIGV4_HEX_LEN		64	/* hex SHA-256 / signature */
#define SIGV4_KEY_LEN		32	/* binary signing key */

#define SIGV4_MIN_EXPIRES	1
#define SIGV4_MAX_EXPIRES	604800	/* seven days */
#define SIGV4_DEFAULT_SKEW	900	/* verifier: seconds of clock skew */

/* Limits on inputs (signer and verifier alike). */
#define SIGV4_MAX_PATH		4096	/* raw or received path, bytes */
#define SIGV4_MAX_QUERY		16384	/* received query string, bytes */
#define SIGV4_MAX_PARAMS	64	/* query parameters */
#define SIGV4_MAX_HEADERS	64	/* headers (signed or looked up) */
#define SIGV4_MAX_NAME		128	/* header name */
#define SIGV4_MAX_VALUE		8192	/* header value, query value */
#define SIGV4_MAX_FIELD		256	/* access key, region, service */

/* Flags for struct sigv4_request and struct sigv4_verify. */
/*
 * Remove "." and ".." segments and collapse "//" in the canonical URI
 * (RFC 3986 style).  Generic AWS services do it; S3 never does: do not set
 * it for S3.  It exists so that the generic test suite runs in full.
 */
#define SIGV4_NORMALIZE_PATH	0x01
/*
 * Header signing: also sign x-amz-content-sha256 (set to the payload
 * hash).  Implied when the service is "s3", which requires that header.
 */
#define SIGV4_CONTENT_SHA256	0x02

/* A name and value pair: a query parameter or a header. */
struct sigv4_kv {
	const char	*name;
	const char	*value;		/* NULL is taken as "" */
};

/*
 * What to sign.  All strings are NUL-terminated, borrowed, and must stay
 * valid during the call.
 */
struct sigv4_request {
	const char		*method;	/* "GET", "PUT", ... */
	/*
	 * Host as it is sent: lowercase, with ":port" only for a
	 * non-default port.  Always signed as the "host" header.
	 */
	const char		*host;
	/*
	 * Raw, unencoded path starting with '/': "/bucket/key" (path
	 * style) or "/key" (virtual-hosted style).  Encoded once here.
	 */
	const char		*path;
	/* Raw, unencoded query parameters; order does not matter. */
	const struct sigv4_kv	*query;
	size_t			 nquery;
	/*
	 * Headers to sign besides host, which must not be repeated here.
	 * Names are case-insensitive; repeated names are joined with ',' in
	 * the order given.  Values must not contain control characters other
	 * than tab.  In header mode the signer adds x-amz-date, the
	 * x-amz-security-token (with a session token) and, for "s3" or
	 * SIGV4_CONTENT_SHA256, x-amz-content-sha256; those may appear here
	 * too, but only with the values the signer uses (else EINVAL).
	 * Never "authorization" (EINVAL).
	 */
	const struct sigv4_kv	*headers;
	size_t			 nheaders;
	/*
	 * Lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
	 * NULL: "UNSIGNED-PAYLOAD" for presigned URLs, the hash of the
	 * empty body (SIGV4_EMPTY_SHA256) for header signing.
	 */
	const char		*payload_hash;
	const char		*access_key;
	const char		*secret_key;
	const char		*session_token;	/* NULL or "" when none */
	const char		*region;	/* the bucket's region */
	const char		*service;	/* "s3" */
	const char		*amz_date;	/* "YYYYMMDDTHHMMSSZ", UTC */
	unsigned int		 expires;	/* presign: 1..604800 seconds */
	int			 flags;		/* SIGV4_* flags above */
};

enum sigv4_mode {
	SIGV4_MODE_HEADER = 0,	/* Authorization header */
	SIGV4_MODE_QUERY	/* presigned URL (query string auth) */
};

/*
 * Percent-encode len bytes of s: every byte except A-Z a-z 0-9 - _ . ~
 * (and '/' when keep_slash) becomes %XX with uppercase hex.  Returns a
 * malloc'd NUL-terminated string, NULL on error.
 */
char	*sigv4_uri_encode(const char *, size_t, int);

/*
 * Percent-decode len bytes of s ('+' stays '+').  Refuses (EINVAL) a '%'
 * not followed by two hex digits and any NUL byte, raw or as %00.
 * Returns a malloc'd NUL-terminated string and stores its length in
 * *outlen when outlen is not NULL; NULL on error.
 */
char	*sigv4_uri_decode(const char *, size_t, size_t *);

/* Format t as X-Amz-Date into out (17 bytes).  0 on success, -1 on error. */
int	 sigv4_format_date(time_t, char [SIGV4_DATE_LEN + 1]);

/* Lowercase hex SHA-256 of len bytes into out (65 bytes). 0 or -1. */
int	 sigv4_sha256_hex(const void *, size_t, char [SIGV4_HEX_LEN + 1]);

/*
 * The canonical request for the given mode.  In query mode it includes the
 * X-Amz-* parameters of the presigned URL.  Returns a malloc'd string.
 */
char	*sigv4_canonical_request(const struct sigv4_request *,
	    enum sigv4_mode);

/*
 * "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical)>" for the
 * date, region and service of req.  Returns a malloc'd string.
 */
char	*sigv4_string_to_sign(const struct sigv4_request *, const char *);

/*
 * The signing key: HMAC chain "AWS4"+secret -> date (8 chars, YYYYMMDD)
 * -> region -> service -> "aws4_request", into key.  0 or -1.
 */
int	 sigv4_signing_key(const char *, const char *, const char *,
	    const char *, unsigned char [SIGV4_KEY_LEN]);

/* The lowercase hex signature for the mode into out (65 bytes). 0 or -1. */
int	 sigv4_signature(const struct sigv4_request *, enum sigv4_mode,
	    char [SIGV4_HEX_LEN + 1]);

/*
 * The Authorization header value:
 * "AWS4-HMAC-SHA256 Credential=<key>/<scope>, SignedHeaders=<list>,
 * Signature=<hex>".  The caller also sends, with the same values,
 * x-amz-date (req->amz_date), x-amz-content-sha256 (the payload hash) and,
 * with a session token, x-amz-security-token, plus every header passed in
 * req->headers.  Returns a malloc'd string.
 */
char	*sigv4_authorization(const struct sigv4_request *);

/*
 * A presigned request target: "<encoded path>?<canonical query>
 * &X-Amz-Signature=<hex>", query sorted as signed; req->expires must be
 * 1..604800.  Returns a malloc'd string.
 */
char	*sigv4_presign(const struct sigv4_request *);

/*
 * The same prefixed with "<scheme>://<host>"; scheme is "http" or "https".
 * Returns a malloc'd string.
 */
char	*sigv4_presign_url(const struct sigv4_request *, const char *);

/* Verifier results: distinct reasons so the HTTP layer can map them. */
enum sigv4_verdict {
	SIGV4_OK = 0,
	SIGV4_ERR_INTERNAL,		/* caller passed bad arguments, or ENOMEM */
	SIGV4_ERR_TOO_LARGE,		/* path, query, a count over a limit */
	SIGV4_ERR_BAD_ENCODING,		/* bad %-escape, NUL, path without '/' */
	SIGV4_ERR_DUPLICATE_PARAM,	/* an X-Amz-* parameter repeated */
	SIGV4_ERR_MISSING_PARAM,	/* a required X-Amz-* parameter absent */
	SIGV4_ERR_BAD_ALGORITHM,	/* X-Amz-Algorithm not AWS4-HMAC-SHA256 */
	SIGV4_ERR_BAD_DATE,		/* X-Amz-Date not YYYYMMDDTHHMMSSZ */
	SIGV4_ERR_BAD_CREDENTIAL,	/* X-Amz-Credential malformed */
	SIGV4_ERR_UNKNOWN_KEY,		/* access key is not the expected one */
	SIGV4_ERR_SCOPE_DATE,		/* scope date is not X-Amz-Date's day */
	SIGV4_ERR_SCOPE_REGION,		/* scope region is not ours */
	SIGV4_ERR_SCOPE_SERVICE,	/* scope service is not ours */
	SIGV4_ERR_BAD_EXPIRES,		/* X-Amz-Expires not 1..604800 */
	SIGV4_ERR_EXPIRED,		/* now is past X-Amz-Date + Expires */
	SIGV4_ERR_NOT_YET_VALID,	/* X-Amz-Date beyond now + skew */
	SIGV4_ERR_BAD_SIGNED_HEADERS,	/* malformed, unsorted, or no host */
	SIGV4_ERR_UNSIGNED_HEADER,	/* a required header is not signed */
	SIGV4_ERR_MISSING_HEADER,	/* a signed header was not received */
	SIGV4_ERR_BAD_TOKEN,		/* security token wrong or unexpected */
	SIGV4_ERR_BAD_SIGNATURE,	/* X-Amz-Signature not 64 lowercase hex */
	SIGV4_ERR_SIGNATURE_MISMATCH	/* well-formed, but does not match */
};

/*
 * A presigned request as received, and what it must match.  Strings are
 * borrowed and NUL-terminated.
 */
struct sigv4_verify {
	const char		*method;	/* request method */
	const char		*path;		/* raw path as received, no '?' */
	const char		*query;		/* raw query after '?', or NULL */
	const char		*host;		/* Host header as received */
	/*
	 * The request's headers (or at least the ones it may have signed):
	 * looked up case-insensitively, repeated names joined with ','.
	 * Entries named "host" are ignored: host above is used.
	 */
	const struct sigv4_kv	*headers;
	size_t			 nheaders;
	/* Lowercase header names that must be among the signed ones. */
	const char *const	*require_signed;
	size_t			 nrequire_signed;
	const char		*payload_hash;	/* NULL: "UNSIGNED-PAYLOAD" */
	const char		*access_key;	/* the expected access key */
	const char		*secret_key;
	/* NULL: the request must not carry X-Amz-Security-Token. */
	const char		*session_token;
	const char		*region;
	const char		*service;	/* NULL: "s3" */
	time_t			 now;
	unsigned int		 max_skew;	/* 0: SIGV4_DEFAULT_SKEW */
	int			 flags;		/* SIGV4_NORMALIZE_PATH only */
	/*
	 * If not NULL, on SIGV4_OK receives the malloc'd percent-decoded
	 * path that was verified (the caller frees it): use it, not another
	 * decoding, to name the object.  Left NULL on failure.
	 */
	char			**path_out;
};

/*
 * Check a presigned request: parse and decode the query, check the X-Amz-*
 * parameters, the scope, the dates and expiry against now, recompute the
 * signature with secret_key and compare it in constant time.  Returns
 * SIGV4_OK or the first failure found.  Never reads past the strings.
 */
enum sigv4_verdict	 sigv4_verify_presigned(const struct sigv4_verify *);

/* A stable short name for a verdict ("signature_mismatch"), never NULL. */
const char		*sigv4_verdict_str(enum sigv4_verdict);

#endif /* !KBLOG_SIGV4_H */
