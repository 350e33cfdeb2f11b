/*
 * sigv4.c: AWS Signature Version 4 (AWS4-HMAC-SHA256) for S3.
 *
 * Owns: percent-encoding, the canonical request, the string to sign, the
 * signing key, Authorization header values, presigned URLs, and the
 * verifier of presigned requests for kblog's local store.
 * Never: does I/O, reads the clock, logs, or includes Kore headers.
 *
 * Memory: plain malloc/free.  Every char * returned to a caller is
 * malloc'd and owned by the caller.  Internally each function frees what
 * it allocated on every path; secrets derived here are wiped with
 * OPENSSL_cleanse before their memory is released.
 *
 * Errors: signer functions return NULL or -1 with errno EINVAL (input
 * refused), ENOMEM or E2BIG (over a limit); the verifier returns an enum
 * sigv4_verdict.  Every input is length-checked before use: the verifier
 * is meant to face the network (and a fuzzer).
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sigv4.h"

#define SCOPE_TERMINATOR	"aws4_request"
#define MAX_SECRET		1024
#define MAX_METHOD		32
#define MAX_HOST		1024
#define MAX_OUTPUT		(1024 * 1024)	/* any string built here */
#define SIGV4_AUTH_PARAMS	7		/* X-Amz-* query parameters */

/* A growing string.  err is 0, ENOMEM or E2BIG once something failed. */
struct strbuf {
	char		*data;
	size_t		 len;
	size_t		 cap;
	int		 err;
};

/* A header to sign: lowercase name, raw value, position as given. */
struct hdr {
	char		 name[SIGV4_MAX_NAME + 1];
	const char	*value;
	size_t		 order;
};

/* A query parameter to sign: raw name and value and their encodings. */
struct param {
	const char	*name;
	const char	*value;
	char		*ename;
	char		*evalue;
};

/* Everything derived from a struct sigv4_request by sign_prepare(). */
struct signctx {
	char		 date8[9];
	char		*scope;		/* date/region/service/aws4_request */
	char		*path_enc;	/* encoded path, for the URL */
	char		*query;		/* canonical query string */
	char		*signed_headers;
	char		*creq;		/* canonical request */
	const char	*payload;
};

static const char	*reserved_params[SIGV4_AUTH_PARAMS] = {
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
	"X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token",
	"X-Amz-Signature"
};

static const char	 hexdigits[] = "0123456789ABCDEF";
static const char	 hexlower[] = "0123456789abcdef";

/* Byte classes, locale-independent. */

static int
is_unreserved(unsigned char c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~');
}

static int
is_digit(unsigned char c)
{
	return (c >= '0' && c <= '9');
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* RFC 7230 tchar. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", (int)c) != NULL);
}

static unsigned char
lower(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return ((unsigned char)(c - 'A' + 'a'));
	return (c);
}

static int
strcaseeq(const char *a, const char *b)
{
	while (*a != '\0' && lower((unsigned char)*a) ==
	    lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return (*a == '\0' && *b == '\0');
}

/* String buffer. */

static void
strbuf_add(struct strbuf *sb, const void *p, size_t n)
{
	size_t	 ncap;
	char	*np;

	if (sb->err != 0)
		return;
	if (n > MAX_OUTPUT - sb->len) {
		sb->err = E2BIG;
		return;
	}
	if (sb->len + n + 1 > sb->cap) {
		ncap = (sb->cap == 0) ? 256 : sb->cap;
		while (ncap < sb->len + n + 1)
			ncap *= 2;
		if ((np = realloc(sb->data, ncap)) == NULL) {
			sb->err = ENOMEM;
			return;
		}
		sb->data = np;
		sb->cap = ncap;
	}
	if (n > 0)
		memcpy(sb->data + sb->len, p, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

static void
strbuf_str(struct strbuf *sb, const char *s)
{
	if (s != NULL)
		strbuf_add(sb, s, strlen(s));
}

static void
strbuf_chr(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

static void
strbuf_enc(struct strbuf *sb, const char *s, size_t len, int keep_slash)
{
	unsigned char	c;
	char		esc[3];
	size_t		i, run;

	for (i = 0; i < len && sb->err == 0; i++) {
		/* Copy runs of unreserved bytes in one go. */
		for (run = 0; i + run < len; run++) {
			c = (unsigned char)s[i + run];
			if (!is_unreserved(c) && !(keep_slash && c == '/'))
				break;
		}
		if (run > 0) {
			strbuf_add(sb, s + i, run);
			i += run - 1;
			continue;
		}
		c = (unsigned char)s[i];
		esc[0] = '%';
		esc[1] = hexdigits[c >> 4];
		esc[2] = hexdigits[c & 0x0f];
		strbuf_add(sb, esc, 3);
	}
}

/* Returns the string (caller frees), or NULL with errno set. */
static char *
strbuf_finish(struct strbuf *sb)
{
	if (sb->err == 0 && sb->data == NULL)
		strbuf_add(sb, "", 0);
	if (sb->err != 0) {
		free(sb->data);
		errno = sb->err;
		return (NULL);
	}
	return (sb->data);
}

static void
strbuf_discard(struct strbuf *sb)
{
	free(sb->data);
	memset(sb, 0, sizeof(*sb));
}

/* Percent-encoding. */

char *
sigv4_uri_encode(const char *s, size_t len, int keep_slash)
{
	struct strbuf	sb;

	if (s == NULL && len > 0) {
		errno = EINVAL;
		return (NULL);
	}
	memset(&sb, 0, sizeof(sb));
	strbuf_enc(&sb, s, len, keep_slash);
	return (strbuf_finish(&sb));
}

/*
 * Decode len bytes of s into out (at least len + 1 bytes).  -1 on a bad
 * escape or a NUL byte.
 */
static int
pct_decode(const char *s, size_t len, char *out, size_t *outlen)
{
	size_t	i, o;
	int	hi, lo;

	for (i = o = 0; i < len; i++) {
		if (s[i] == '\0')
			return (-1);
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (len - i < 3)
			return (-1);
		hi = hexval((unsigned char)s[i + 1]);
		lo = hexval((unsigned char)s[i + 2]);
		if (hi == -1 || lo == -1 || (hi == 0 && lo == 0))
			return (-1);
		out[o++] = (char)((hi << 4) | lo);
		i += 2;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return (0);
}

char *
sigv4_uri_decode(const char *s, size_t len, size_t *outlen)
{
	char	*out;

	if ((s == NULL && len > 0) || len > MAX_OUTPUT) {
		errno = (len > MAX_OUTPUT) ? E2BIG : EINVAL;
		return (NULL);
	}
	if ((out = malloc(len + 1)) == NULL)
		return (NULL);
	if (pct_decode(s, len, out, outlen) == -1) {
		free(out);
		errno = EINVAL;
		return (NULL);
	}
	return (out);
}

/* Dates. */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= (m <= 2);
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static int
ndigits(const char *s, size_t n, int *out)
{
	size_t	i;
	int	v;

	for (i = 0, v = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return (0);
}

/* Parse "YYYYMMDDTHHMMSSZ" strictly; the time in *t.  0 or -1. */
static int
parse_amz_date(const char *s, int64_t *t)
{
	static const int	mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			y, mo, d, h, mi, sec, dim;

	if (s == NULL || strnlen(s, SIGV4_DATE_LEN + 1) != SIGV4_DATE_LEN)
		return (-1);
	if (s[8] != 'T' || s[15] != 'Z')
		return (-1);
	if (ndigits(s, 4, &y) == -1 || ndigits(s + 4, 2, &mo) == -1 ||
	    ndigits(s + 6, 2, &d) == -1 || ndigits(s + 9, 2, &h) == -1 ||
	    ndigits(s + 11, 2, &mi) == -1 || ndigits(s + 13, 2, &sec) == -1)
		return (-1);
	if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59)
		return (-1);
	dim = mdays[mo - 1];
	if (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		dim = 29;
	if (d < 1 || d > dim)
		return (-1);
	if (t != NULL) {
		*t = days_from_civil(y, mo, d) * 86400 +
		    (int64_t)h * 3600 + mi * 60 + sec;
	}
	return (0);
}

int
sigv4_format_date(time_t t, char out[SIGV4_DATE_LEN + 1])
{
	struct tm	tm;
	int		n;

	if (out == NULL || gmtime_r(&t, &tm) == NULL ||
	    tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		errno = EINVAL;
		return (-1);
	}
	n = snprintf(out, SIGV4_DATE_LEN + 1, "%04d%02d%02dT%02d%02d%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	if (n != SIGV4_DATE_LEN) {
		errno = EINVAL;
		return (-1);
	}
	return (0);
}

/* Hashes. */

static void
hex_lower(const unsigned char *in, size_t len, char *out)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hexlower[in[i] >> 4];
		out[2 * i + 1] = hexlower[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
sigv4_sha256_hex(const void *data, size_t len, char out[SIGV4_HEX_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	if (out == NULL || (data == NULL && len > 0)) {
		errno = EINVAL;
		return (-1);
	}
	if (EVP_Digest(len > 0 ? data : "", len, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != SIGV4_KEY_LEN) {
		errno = ENOMEM;
		return (-1);
	}
	hex_lower(md, mdlen, out);
	return (0);
}

static int
hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[SIGV4_KEY_LEN])
{
	unsigned int	olen;

	olen = 0;
	if (klen > MAX_SECRET + 4)
		return (-1);
	if (HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out,
	    &olen) == NULL || olen != SIGV4_KEY_LEN)
		return (-1);
	return (0);
}

/* Input checks. */

static int
valid_method(const char *s)
{
	size_t	i;

	if (s == NULL)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= MAX_METHOD || !is_tchar((unsigned char)s[i]))
			return (0);
	}
	return (i > 0);
}

/* Lowercase host name, IPv4, [IPv6], optional :port. */
static int
valid_host(const char *s)
{
	size_t		i;
	unsigned char	c;

	if (s == NULL)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (i >= MAX_HOST)
			return (0);
		if ((c >= 'a' && c <= 'z') || is_digit(c) || c == '-' ||
		    c == '.' || c == ':' || c == '[' || c == ']' || c == '_')
			continue;
		return (0);
	}
	return (i > 0);
}

/* Access key, region, service: printable ASCII, no '/', ',', space. */
static int
valid_field(const char *s)
{
	size_t		i;
	unsigned char	c;

	if (s == NULL)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (i >= SIGV4_MAX_FIELD || c <= 0x20 || c >= 0x7f ||
		    c == '/' || c == ',')
			return (0);
	}
	return (i > 0);
}

static int
valid_header_name(const char *s)
{
	size_t	i;

	if (s == NULL)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= SIGV4_MAX_NAME || !is_tchar((unsigned char)s[i]))
			return (0);
	}
	return (i > 0);
}

/* Header values: no control characters but tab (no CR/LF injection). */
static int
valid_header_value(const char *s)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (i >= SIGV4_MAX_VALUE || (c < 0x20 && c != '\t') ||
		    c == 0x7f)
			return (0);
	}
	return (1);
}

/* 64 lowercase hex digits, or UNSIGNED-PAYLOAD / STREAMING-... */
static int
valid_payload(const char *s)
{
	size_t		i;
	unsigned char	c;

	if (s == NULL)
		return (0);
	if (strnlen(s, SIGV4_HEX_LEN + 1) == SIGV4_HEX_LEN) {
		for (i = 0; i < SIGV4_HEX_LEN; i++) {
			c = (unsigned char)s[i];
			if (!is_digit(c) && !(c >= 'a' && c <= 'f'))
				break;
		}
		if (i == SIGV4_HEX_LEN)
			return (1);
	}
	if (strncmp(s, SIGV4_UNSIGNED_PAYLOAD, 16) != 0 &&
	    strncmp(s, "STREAMING-", 10) != 0)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (i >= SIGV4_HEX_LEN ||
		    !((c >= 'A' && c <= 'Z') || is_digit(c) || c == '-'))
			return (0);
	}
	return (1);
}

static int
valid_secret(const char *s)
{
	return (s != NULL && *s != '\0' &&
	    strnlen(s, MAX_SECRET + 1) <= MAX_SECRET);
}

/* Trimmed value of v equals want. */
static int
trimmed_equals(const char *v, const char *want)
{
	size_t	len;

	while (*v == ' ' || *v == '\t')
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	return (len == strlen(want) && memcmp(v, want, len) == 0);
}

/* Canonical pieces. */

/*
 * RFC 3986 dot-segment removal plus collapsing of empty segments, as the
 * generic SigV4 services do.  Never used for S3.  p starts with '/'.
 */
static char *
path_normalize(const char *p, size_t len)
{
	char	*out;
	size_t	 i, o, start, n;
	int	 last_dir;

	if ((out = malloc(len + 2)) == NULL)
		return (NULL);
	o = 0;
	last_dir = 0;
	i = 0;
	while (i < len) {
		if (p[i] == '/') {
			i++;
			last_dir = 1;
			continue;
		}
		start = i;
		while (i < len && p[i] != '/')
			i++;
		n = i - start;
		if (n == 1 && p[start] == '.') {
			last_dir = 1;
			continue;
		}
		if (n == 2 && p[start] == '.' && p[start + 1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			last_dir = 1;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, p + start, n);
		o += n;
		last_dir = 0;
	}
	if (o == 0 || last_dir)
		out[o++] = '/';
	out[o] = '\0';
	return (out);
}

/* The canonical URI of a raw path: encoded once, '/' kept. */
static char *
canonical_uri(const char *path, size_t len, int normalize)
{
	char	*norm, *enc;

	if (!normalize)
		return (sigv4_uri_encode(path, len, 1));
	if ((norm = path_normalize(path, len)) == NULL)
		return (NULL);
	enc = sigv4_uri_encode(norm, strlen(norm), 1);
	free(norm);
	return (enc);
}

static int
hdr_cmp(const void *a, const void *b)
{
	const struct hdr	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return (c);
	if (x->order != y->order)
		return (x->order < y->order ? -1 : 1);
	return (0);
}

/*
 * Sort hdrs and write the canonical header block ("name:v1,v2\n" per
 * name, values trimmed with inner runs of blanks collapsed) into canon
 * and the ';'-joined names into list.
 */
static void
hdrs_canonical(struct hdr *hdrs, size_t n, struct strbuf *canon,
    struct strbuf *list)
{
	const char	*p;
	size_t		 i;
	int		 started, blank;

	qsort(hdrs, n, sizeof(*hdrs), hdr_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(hdrs[i].name, hdrs[i - 1].name) != 0) {
			if (i > 0) {
				strbuf_chr(canon, '\n');
				strbuf_chr(list, ';');
			}
			strbuf_str(canon, hdrs[i].name);
			strbuf_chr(canon, ':');
			strbuf_str(list, hdrs[i].name);
		} else {
			strbuf_chr(canon, ',');
		}
		started = blank = 0;
		for (p = hdrs[i].value; *p != '\0'; p++) {
			if (*p == ' ' || *p == '\t') {
				blank = started;
				continue;
			}
			if (blank)
				strbuf_chr(canon, ' ');
			strbuf_chr(canon, *p);
			started = 1;
			blank = 0;
		}
	}
	if (n > 0)
		strbuf_chr(canon, '\n');
}

static int
param_cmp(const void *a, const void *b)
{
	const struct param	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->ename, y->ename)) != 0)
		return (c);
	return (strcmp(x->evalue, y->evalue));
}

static void
params_free(struct param *params, size_t n)
{
	size_t	i;

	if (params == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(params[i].ename);
		free(params[i].evalue);
	}
	free(params);
}

/*
 * Encode and sort params; return "n1=v1&n2=v2..." (caller frees), or NULL
 * with errno set.
 */
static char *
query_canonical(struct param *params, size_t n)
{
	struct strbuf	sb;
	size_t		i;

	for (i = 0; i < n; i++) {
		params[i].ename = sigv4_uri_encode(params[i].name,
		    strlen(params[i].name), 0);
		params[i].evalue = sigv4_uri_encode(params[i].value,
		    strlen(params[i].value), 0);
		if (params[i].ename == NULL || params[i].evalue == NULL)
			return (NULL);
	}
	qsort(params, n, sizeof(*params), param_cmp);
	memset(&sb, 0, sizeof(sb));
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_chr(&sb, '&');
		strbuf_str(&sb, params[i].ename);
		strbuf_chr(&sb, '=');
		strbuf_str(&sb, params[i].evalue);
	}
	return (strbuf_finish(&sb));
}

static char *
creq_join(const char *method, const char *uri, const char *query,
    const char *headers, const char *signed_headers, const char *payload)
{
	struct strbuf	sb;

	memset(&sb, 0, sizeof(sb));
	strbuf_str(&sb, method);
	strbuf_chr(&sb, '\n');
	strbuf_str(&sb, uri);
	strbuf_chr(&sb, '\n');
	strbuf_str(&sb, query);
	strbuf_chr(&sb, '\n');
	strbuf_str(&sb, headers);
	strbuf_chr(&sb, '\n');
	strbuf_str(&sb, signed_headers);
	strbuf_chr(&sb, '\n');
	strbuf_str(&sb, payload);
	return (strbuf_finish(&sb));
}

static char *
scope_build(const char *date8, const char *region, const char *service)
{
	struct strbuf	sb;

	memset(&sb, 0, sizeof(sb));
	strbuf_add(&sb, date8, 8);
	strbuf_chr(&sb, '/');
	strbuf_str(&sb, region);
	strbuf_chr(&sb, '/');
	strbuf_str(&sb, service);
	strbuf_str(&sb, "/" SCOPE_TERMINATOR);
	return (strbuf_finish(&sb));
}

static char *
sts_build(const char *amz_date, const char *scope, const char *creq)
{
	struct strbuf	sb;
	char		hex[SIGV4_HEX_LEN + 1];

	if (sigv4_sha256_hex(creq, strlen(creq), hex) == -1)
		return (NULL);
	memset(&sb, 0, sizeof(sb));
	strbuf_str(&sb, SIGV4_ALGORITHM "\n");
	strbuf_add(&sb, amz_date, SIGV4_DATE_LEN);
	strbuf_chr(&sb, '\n');
	strbuf_str(&sb, scope);
	strbuf_chr(&sb, '\n');
	strbuf_str(&sb, hex);
	return (strbuf_finish(&sb));
}

int
sigv4_signing_key(const char *secret, const char *date8, const char *region,
    const char *service, unsigned char key[SIGV4_KEY_LEN])
{
	unsigned char	k[SIGV4_KEY_LEN];
	char		seed[MAX_SECRET + 5];
	size_t		slen;
	int		i, rc;

	if (!valid_secret(secret) || date8 == NULL || key == NULL ||
	    !valid_field(region) || !valid_field(service)) {
		errno = EINVAL;
		return (-1);
	}
	for (i = 0; i < 8; i++) {
		if (!is_digit((unsigned char)date8[i])) {
			errno = EINVAL;
			return (-1);
		}
	}
	slen = strlen(secret);
	memcpy(seed, "AWS4", 4);
	memcpy(seed + 4, secret, slen);

	rc = -1;
	if (hmac_sha256(seed, slen + 4, date8, 8, k) == -1 ||
	    hmac_sha256(k, sizeof(k), region, strlen(region), k) == -1 ||
	    hmac_sha256(k, sizeof(k), service, strlen(service), k) == -1 ||
	    hmac_sha256(k, sizeof(k), SCOPE_TERMINATOR,
	    strlen(SCOPE_TERMINATOR), key) == -1)
		errno = ENOMEM;
	else
		rc = 0;
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(k, sizeof(k));
	return (rc);
}

/* Lowercase hex HMAC of sts under the derived key. */
static int
sign_sts(const char *secret, const char *date8, const char *region,
    const char *service, const char *sts, char out[SIGV4_HEX_LEN + 1])
{
	unsigned char	key[SIGV4_KEY_LEN], mac[SIGV4_KEY_LEN];
	int		rc;

	rc = -1;
	if (sigv4_signing_key(secret, date8, region, service, key) == 0) {
		if (hmac_sha256(key, sizeof(key), sts, strlen(sts),
		    mac) == 0) {
			hex_lower(mac, sizeof(mac), out);
			rc = 0;
		} else {
			errno = ENOMEM;
		}
	}
	OPENSSL_cleanse(key, sizeof(key));
	return (rc);
}

/* The signer. */

static int
has_token(const struct sigv4_request *req)
{
	return (req->session_token != NULL && *req->session_token != '\0');
}

static int
sign_content_sha256(const struct sigv4_request *req)
{
	return ((req->flags & SIGV4_CONTENT_SHA256) ||
	    strcmp(req->service, "s3") == 0);
}

static int
check_request(const struct sigv4_request *req, enum sigv4_mode mode)
{
	size_t	i;

	if (req == NULL || (mode != SIGV4_MODE_HEADER &&
	    mode != SIGV4_MODE_QUERY))
		return (-1);
	if (!valid_method(req->method) || !valid_host(req->host) ||
	    !valid_field(req->access_key) || !valid_secret(req->secret_key) ||
	    !valid_field(req->region) || !valid_field(req->service) ||
	    parse_amz_date(req->amz_date, NULL) == -1)
		return (-1);
	if (req->path == NULL || req->path[0] != '/' ||
	    strnlen(req->path, SIGV4_MAX_PATH + 1) > SIGV4_MAX_PATH)
		return (-1);
	if (req->payload_hash != NULL && !valid_payload(req->payload_hash))
		return (-1);
	if (has_token(req) && (strnlen(req->session_token,
	    SIGV4_MAX_VALUE + 1) > SIGV4_MAX_VALUE ||
	    !valid_header_value(req->session_token)))
		return (-1);
	if (mode == SIGV4_MODE_QUERY && (req->expires < SIGV4_MIN_EXPIRES ||
	    req->expires > SIGV4_MAX_EXPIRES))
		return (-1);
	if (req->nquery > SIGV4_MAX_PARAMS ||
	    req->nheaders > SIGV4_MAX_HEADERS)
		return (-1);
	if ((req->nquery > 0 && req->query == NULL) ||
	    (req->nheaders > 0 && req->headers == NULL))
		return (-1);
	for (i = 0; i < req->nquery; i++) {
		if (req->query[i].name == NULL || strnlen(req->query[i].name,
		    SIGV4_MAX_VALUE + 1) > SIGV4_MAX_VALUE)
			return (-1);
		if (req->query[i].value != NULL &&
		    strnlen(req->query[i].value, SIGV4_MAX_VALUE + 1) >
		    SIGV4_MAX_VALUE)
			return (-1);
	}
	return (0);
}

static void
signctx_free(struct signctx *sc)
{
	free(sc->scope);
	free(sc->path_enc);
	free(sc->query);
	free(sc->signed_headers);
	free(sc->creq);
	memset(sc, 0, sizeof(*sc));
}

/*
 * Collect the headers to sign.  In header mode the caller's x-amz-date,
 * x-amz-content-sha256 and x-amz-security-token are checked against ours
 * and dropped (we add them).  Returns the count, or -1 (EINVAL/ENOMEM).
 */
static int
collect_headers(const struct sigv4_request *req, enum sigv4_mode mode,
    const char *payload, struct hdr *hdrs)
{
	const char	*name, *value;
	size_t		 i, n, k;
	int		 content;

	content = (mode == SIGV4_MODE_HEADER && sign_content_sha256(req));
	n = 0;
	strcpy(hdrs[n].name, "host");
	hdrs[n].value = req->host;
	hdrs[n].order = n;
	n++;
	for (i = 0; i < req->nheaders; i++) {
		name = req->headers[i].name;
		value = req->headers[i].value ? req->headers[i].value : "";
		if (!valid_header_name(name) || !valid_header_value(value))
			return (-1);
		if (strcaseeq(name, "host") || strcaseeq(name, "authorization"))
			return (-1);
		if (mode == SIGV4_MODE_HEADER) {
			if (strcaseeq(name, "x-amz-date")) {
				if (!trimmed_equals(value, req->amz_date))
					return (-1);
				continue;
			}
			if (strcaseeq(name, "x-amz-security-token")) {
				if (!has_token(req) || !trimmed_equals(value,
				    req->session_token))
					return (-1);
				continue;
			}
			if (content && strcaseeq(name,
			    "x-amz-content-sha256")) {
				if (!trimmed_equals(value, payload))
					return (-1);
				continue;
			}
		}
		for (k = 0; name[k] != '\0'; k++)
			hdrs[n].name[k] = (char)lower((unsigned char)name[k]);
		hdrs[n].name[k] = '\0';
		hdrs[n].value = value;
		hdrs[n].order = n;
		n++;
	}
	if (mode == SIGV4_MODE_HEADER) {
		strcpy(hdrs[n].name, "x-amz-date");
		hdrs[n].value = req->amz_date;
		hdrs[n].order = n;
		n++;
		if (has_token(req)) {
			strcpy(hdrs[n].name, "x-amz-security-token");
			hdrs[n].value = req->session_token;
			hdrs[n].order = n;
			n++;
		}
		if (content) {
			strcpy(hdrs[n].name, "x-amz-content-sha256");
			hdrs[n].value = payload;
			hdrs[n].order = n;
			n++;
		}
	}
	return ((int)n);
}

/* Validate req and build every canonical piece into sc.  0 or -1. */
static int
sign_prepare(const struct sigv4_request *req, enum sigv4_mode mode,
    struct signctx *sc)
{
	struct strbuf	 canon, list, cred;
	struct hdr	*hdrs;
	struct param	*params;
	char		*uri, expires[16];
	size_t		 i, k, np;
	int		 nh, err;

	memset(sc, 0, sizeof(*sc));
	memset(&canon, 0, sizeof(canon));
	memset(&list, 0, sizeof(list));
	memset(&cred, 0, sizeof(cred));
	hdrs = NULL;
	params = NULL;
	uri = NULL;
	np = 0;
	err = EINVAL;

	if (check_request(req, mode) == -1)
		goto fail;
	sc->payload = req->payload_hash;
	if (sc->payload == NULL) {
		sc->payload = (mode == SIGV4_MODE_QUERY) ?
		    SIGV4_UNSIGNED_PAYLOAD : SIGV4_EMPTY_SHA256;
	}
	memcpy(sc->date8, req->amz_date, 8);
	sc->date8[8] = '\0';

	err = ENOMEM;
	if ((sc->scope = scope_build(sc->date8, req->region,
	    req->service)) == NULL)
		goto fail;

	/* Headers. */
	if ((hdrs = calloc(req->nheaders + 4, sizeof(*hdrs))) == NULL)
		goto fail;
	err = EINVAL;
	if ((nh = collect_headers(req, mode, sc->payload, hdrs)) == -1)
		goto fail;
	hdrs_canonical(hdrs, (size_t)nh, &canon, &list);
	if (canon.err != 0 || list.err != 0) {
		err = (canon.err != 0) ? canon.err : list.err;
		strbuf_discard(&list);
		goto fail;
	}
	sc->signed_headers = list.data;
	memset(&list, 0, sizeof(list));

	/* Query. */
	err = ENOMEM;
	if ((params = calloc(req->nquery + SIGV4_AUTH_PARAMS,
	    sizeof(*params))) == NULL)
		goto fail;
	err = EINVAL;
	for (i = 0; i < req->nquery; i++) {
		if (mode == SIGV4_MODE_QUERY) {
			for (k = 0; k < SIGV4_AUTH_PARAMS; k++) {
				if (strcaseeq(req->query[i].name,
				    reserved_params[k]))
					goto fail;
			}
		}
		params[np].name = req->query[i].name;
		params[np].value = req->query[i].value ?
		    req->query[i].value : "";
		np++;
	}
	if (mode == SIGV4_MODE_QUERY) {
		strbuf_str(&cred, req->access_key);
		strbuf_chr(&cred, '/');
		strbuf_str(&cred, sc->scope);
		err = ENOMEM;
		if (cred.err != 0)
			goto fail;
		(void)snprintf(expires, sizeof(expires), "%u", req->expires);
		params[np].name = "X-Amz-Algorithm";
		params[np++].value = SIGV4_ALGORITHM;
		params[np].name = "X-Amz-Credential";
		params[np++].value = cred.data;
		params[np].name = "X-Amz-Date";
		params[np++].value = req->amz_date;
		params[np].name = "X-Amz-Expires";
		params[np++].value = expires;
		params[np].name = "X-Amz-SignedHeaders";
		params[np++].value = sc->signed_headers;
		if (has_token(req)) {
			params[np].name = "X-Amz-Security-Token";
			params[np++].value = req->session_token;
		}
	}
	if ((sc->query = query_canonical(params, np)) == NULL) {
		err = errno;
		goto fail;
	}

	/* Path and the whole canonical request. */
	err = ENOMEM;
	if ((uri = canonical_uri(req->path, strlen(req->path),
	    req->flags & SIGV4_NORMALIZE_PATH)) == NULL)
		goto fail;
	if ((sc->path_enc = sigv4_uri_encode(req->path, strlen(req->path),
	    1)) == NULL)
		goto fail;
	if ((sc->creq = creq_join(req->method, uri, sc->query,
	    canon.data, sc->signed_headers, sc->payload)) == NULL) {
		err = errno;
		goto fail;
	}

	free(uri);
	strbuf_discard(&canon);
	strbuf_discard(&cred);
	params_free(params, np);
	free(hdrs);
	return (0);

fail:
	free(uri);
	strbuf_discard(&canon);
	strbuf_discard(&cred);
	params_free(params, np);
	free(hdrs);
	signctx_free(sc);
	errno = err;
	return (-1);
}

char *
sigv4_canonical_request(const struct sigv4_request *req,
    enum sigv4_mode mode)
{
	struct signctx	 sc;
	char		*creq;

	if (sign_prepare(req, mode, &sc) == -1)
		return (NULL);
	creq = sc.creq;
	sc.creq = NULL;
	signctx_free(&sc);
	return (creq);
}

char *
sigv4_string_to_sign(const struct sigv4_request *req, const char *creq)
{
	char	*scope, *sts;

	if (req == NULL || creq == NULL ||
	    parse_amz_date(req->amz_date, NULL) == -1 ||
	    !valid_field(req->region) || !valid_field(req->service)) {
		errno = EINVAL;
		return (NULL);
	}
	if ((scope = scope_build(req->amz_date, req->region,
	    req->service)) == NULL)
		return (NULL);
	sts = sts_build(req->amz_date, scope, creq);
	free(scope);
	return (sts);
}

/* Prepare, then sign; sc is left for the caller to use and free. */
static int
sign_full(const struct sigv4_request *req, enum sigv4_mode mode,
    struct signctx *sc, char sig[SIGV4_HEX_LEN + 1])
{
	char	*sts;
	int	 rc, err;

	if (sign_prepare(req, mode, sc) == -1)
		return (-1);
	if ((sts = sts_build(req->amz_date, sc->scope, sc->creq)) == NULL) {
		err = errno;
		signctx_free(sc);
		errno = err;
		return (-1);
	}
	rc = sign_sts(req->secret_key, sc->date8, req->region, req->service,
	    sts, sig);
	err = errno;
	free(sts);
	if (rc == -1) {
		signctx_free(sc);
		errno = err;
	}
	return (rc);
}

int
sigv4_signature(const struct sigv4_request *req, enum sigv4_mode mode,
    char out[SIGV4_HEX_LEN + 1])
{
	struct signctx	sc;

	if (out == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if (sign_full(req, mode, &sc, out) == -1)
		return (-1);
	signctx_free(&sc);
	return (0);
}

char *
sigv4_authorization(const struct sigv4_request *req)
{
	struct signctx	sc;
	struct strbuf	sb;
	char		sig[SIGV4_HEX_LEN + 1];

	if (sign_full(req, SIGV4_MODE_HEADER, &sc, sig) == -1)
		return (NULL);
	memset(&sb, 0, sizeof(sb));
	strbuf_str(&sb, SIGV4_ALGORITHM " Credential=");
	strbuf_str(&sb, req->access_key);
	strbuf_chr(&sb, '/');
	strbuf_str(&sb, sc.scope);
	strbuf_str(&sb, ", SignedHeaders=");
	strbuf_str(&sb, sc.signed_headers);
	strbuf_str(&sb, ", Signature=");
	strbuf_str(&sb, sig);
	signctx_free(&sc);
	return (strbuf_finish(&sb));
}

/* "[scheme://host]<path>?<query>&X-Amz-Signature=<sig>" */
static char *
presign(const struct sigv4_request *req, const char *scheme)
{
	struct signctx	sc;
	struct strbuf	sb;
	char		sig[SIGV4_HEX_LEN + 1];

	if (sign_full(req, SIGV4_MODE_QUERY, &sc, sig) == -1)
		return (NULL);
	memset(&sb, 0, sizeof(sb));
	if (scheme != NULL) {
		strbuf_str(&sb, scheme);
		strbuf_str(&sb, "://");
		strbuf_str(&sb, req->host);
	}
	strbuf_str(&sb, sc.path_enc);
	strbuf_chr(&sb, '?');
	strbuf_str(&sb, sc.query);
	strbuf_str(&sb, "&X-Amz-Signature=");
	strbuf_str(&sb, sig);
	signctx_free(&sc);
	return (strbuf_finish(&sb));
}

char *
sigv4_presign(const struct sigv4_request *req)
{
	return (presign(req, NULL));
}

char *
sigv4_presign_url(const struct sigv4_request *req, const char *scheme)
{
	if (scheme == NULL || (strcmp(scheme, "http") != 0 &&
	    strcmp(scheme, "https") != 0)) {
		errno = EINVAL;
		return (NULL);
	}
	return (presign(req, scheme));
}

/* The verifier. */

/* Indexes of the X-Amz-* parameters, as in reserved_params[]. */
enum {
	P_ALGORITHM, P_CREDENTIAL, P_DATE, P_EXPIRES, P_SIGNED_HEADERS,
	P_TOKEN, P_SIGNATURE
};

/*
 * Split and decode a raw query into params (name/value point into buf,
 * which holds at least 2 * strlen(query) + 2 bytes).
 */
static enum sigv4_verdict
verify_parse_query(const char *query, char *buf, struct param *params,
    size_t *np)
{
	const char	*p, *amp, *eq;
	size_t		 seg, nlen, vlen, off, n;

	n = 0;
	off = 0;
	for (p = query; *p != '\0'; p = (*amp == '&') ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		seg = (size_t)(amp - p);
		if (seg == 0) {
			if (*amp == '\0')
				break;
			continue;
		}
		if (n == SIGV4_MAX_PARAMS)
			return (SIGV4_ERR_TOO_LARGE);
		eq = memchr(p, '=', seg);
		nlen = (eq != NULL) ? (size_t)(eq - p) : seg;
		if (pct_decode(p, nlen, buf + off, &vlen) == -1)
			return (SIGV4_ERR_BAD_ENCODING);
		params[n].name = buf + off;
		off += vlen + 1;
		if (eq != NULL) {
			if (pct_decode(eq + 1, seg - nlen - 1, buf + off,
			    &vlen) == -1)
				return (SIGV4_ERR_BAD_ENCODING);
			params[n].value = buf + off;
			off += vlen + 1;
		} else {
			params[n].value = "";
		}
		n++;
		if (*amp == '\0')
			break;
	}
	*np = n;
	return (SIGV4_OK);
}

static int
has_amz_prefix(const char *s)
{
	const char	*pfx = "x-amz-";
	size_t		 i;

	for (i = 0; pfx[i] != '\0'; i++) {
		if (lower((unsigned char)s[i]) != (unsigned char)pfx[i])
			return (0);
	}
	return (1);
}

/*
 * Find the X-Amz-* parameters: vals[P_*] gets each value (NULL when
 * absent) and *sig the index of X-Amz-Signature.  Any x-amz-* name given
 * twice, whatever its case, is refused.
 */
static enum sigv4_verdict
verify_find_params(const struct param *params, size_t n, const char **vals,
    size_t *sig)
{
	size_t	i, j, k;

	for (k = 0; k < SIGV4_AUTH_PARAMS; k++)
		vals[k] = NULL;
	*sig = 0;
	for (i = 0; i < n; i++) {
		if (!has_amz_prefix(params[i].name))
			continue;
		for (j = 0; j < i; j++) {
			if (strcaseeq(params[i].name, params[j].name))
				return (SIGV4_ERR_DUPLICATE_PARAM);
		}
		for (k = 0; k < SIGV4_AUTH_PARAMS; k++) {
			if (strcmp(params[i].name, reserved_params[k]) != 0)
				continue;
			vals[k] = params[i].value;
			if (k == P_SIGNATURE)
				*sig = i;
		}
	}
	for (k = 0; k < SIGV4_AUTH_PARAMS; k++) {
		if (k != P_TOKEN && vals[k] == NULL)
			return (SIGV4_ERR_MISSING_PARAM);
	}
	return (SIGV4_OK);
}

/* "AK/YYYYMMDD/region/service/aws4_request" against what we expect. */
static enum sigv4_verdict
verify_credential(const struct sigv4_verify *v, const char *cred,
    const char *amz_date, const char *service)
{
	const char	*part[5], *p, *slash;
	size_t		 len[5], i;
	int		 dummy;

	p = cred;
	for (i = 0; i < 5; i++) {
		slash = strchr(p, '/');
		part[i] = p;
		len[i] = (slash != NULL) ? (size_t)(slash - p) : strlen(p);
		if (len[i] == 0 || len[i] > SIGV4_MAX_FIELD)
			return (SIGV4_ERR_BAD_CREDENTIAL);
		if (i < 4 && slash == NULL)
			return (SIGV4_ERR_BAD_CREDENTIAL);
		if (i == 4 && slash != NULL)
			return (SIGV4_ERR_BAD_CREDENTIAL);
		p = (slash != NULL) ? slash + 1 : p + len[i];
	}
	if (len[1] != 8 || ndigits(part[1], 8, &dummy) == -1)
		return (SIGV4_ERR_BAD_CREDENTIAL);
	if (len[4] != strlen(SCOPE_TERMINATOR) ||
	    memcmp(part[4], SCOPE_TERMINATOR, len[4]) != 0)
		return (SIGV4_ERR_BAD_CREDENTIAL);
	if (len[0] != strlen(v->access_key) ||
	    memcmp(part[0], v->access_key, len[0]) != 0)
		return (SIGV4_ERR_UNKNOWN_KEY);
	if (memcmp(part[1], amz_date, 8) != 0)
		return (SIGV4_ERR_SCOPE_DATE);
	if (len[2] != strlen(v->region) ||
	    memcmp(part[2], v->region, len[2]) != 0)
		return (SIGV4_ERR_SCOPE_REGION);
	if (len[3] != strlen(service) || memcmp(part[3], service, len[3]) != 0)
		return (SIGV4_ERR_SCOPE_SERVICE);
	return (SIGV4_OK);
}

/* 1..604800, decimal digits only. */
static int
parse_expires(const char *s, int64_t *out)
{
	size_t	i;
	int64_t	v;

	v = 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 7 || !is_digit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || v < SIGV4_MIN_EXPIRES || v > SIGV4_MAX_EXPIRES)
		return (-1);
	*out = v;
	return (0);
}

/*
 * Check X-Amz-SignedHeaders: lowercase tchar names, ';'-separated,
 * strictly ascending, with host; fill hdrs from the request.
 */
static enum sigv4_verdict
verify_headers(const struct sigv4_verify *v, const char *list,
    struct hdr *hdrs, size_t *nhdrs)
{
	const char	*p, *end;
	char		 prev[SIGV4_MAX_NAME + 1], cur[SIGV4_MAX_NAME + 1];
	size_t		 len, i, n, nnames, found;
	int		 host;

	/* First the list itself. */
	prev[0] = '\0';
	host = 0;
	nnames = 0;
	p = list;
	for (;;) {
		end = p + strcspn(p, ";");
		len = (size_t)(end - p);
		if (len == 0 || len > SIGV4_MAX_NAME)
			return (SIGV4_ERR_BAD_SIGNED_HEADERS);
		for (i = 0; i < len; i++) {
			if (!is_tchar((unsigned char)p[i]) ||
			    (p[i] >= 'A' && p[i] <= 'Z'))
				return (SIGV4_ERR_BAD_SIGNED_HEADERS);
		}
		memcpy(cur, p, len);
		cur[len] = '\0';
		if (nnames > 0 && strcmp(prev, cur) >= 0)
			return (SIGV4_ERR_BAD_SIGNED_HEADERS);
		if (++nnames > SIGV4_MAX_HEADERS)
			return (SIGV4_ERR_BAD_SIGNED_HEADERS);
		if (strcmp(cur, "host") == 0)
			host = 1;
		memcpy(prev, cur, len + 1);
		if (*end == '\0')
			break;
		p = end + 1;
	}
	if (!host)
		return (SIGV4_ERR_BAD_SIGNED_HEADERS);

	/* Headers the caller insists on. */
	for (i = 0; i < v->nrequire_signed; i++) {
		if (v->require_signed[i] == NULL)
			return (SIGV4_ERR_INTERNAL);
		len = strlen(v->require_signed[i]);
		found = 0;
		for (p = list; !found; p = end + 1) {
			end = p + strcspn(p, ";");
			if ((size_t)(end - p) == len &&
			    memcmp(p, v->require_signed[i], len) == 0)
				found = 1;
			if (*end == '\0')
				break;
		}
		if (!found)
			return (SIGV4_ERR_UNSIGNED_HEADER);
	}

	/* Their values. */
	n = 0;
	for (p = list;; p = end + 1) {
		end = p + strcspn(p, ";");
		len = (size_t)(end - p);
		memcpy(cur, p, len);
		cur[len] = '\0';
		found = 0;
		if (strcmp(cur, "host") == 0) {
			if (v->host == NULL || *v->host == '\0')
				return (SIGV4_ERR_MISSING_HEADER);
			if (strnlen(v->host, SIGV4_MAX_VALUE + 1) >
			    SIGV4_MAX_VALUE || n == SIGV4_MAX_HEADERS)
				return (SIGV4_ERR_TOO_LARGE);
			memcpy(hdrs[n].name, cur, len + 1);
			hdrs[n].value = v->host;
			hdrs[n].order = n;
			n++;
			found = 1;
		} else {
			for (i = 0; i < v->nheaders; i++) {
				if (v->headers[i].name == NULL ||
				    !strcaseeq(v->headers[i].name, cur))
					continue;
				if (n == SIGV4_MAX_HEADERS)
					return (SIGV4_ERR_TOO_LARGE);
				hdrs[n].value = v->headers[i].value ?
				    v->headers[i].value : "";
				if (strnlen(hdrs[n].value,
				    SIGV4_MAX_VALUE + 1) > SIGV4_MAX_VALUE)
					return (SIGV4_ERR_TOO_LARGE);
				memcpy(hdrs[n].name, cur, len + 1);
				hdrs[n].order = n;
				n++;
				found = 1;
			}
		}
		if (!found)
			return (SIGV4_ERR_MISSING_HEADER);
		if (*end == '\0')
			break;
	}
	*nhdrs = n;
	return (SIGV4_OK);
}

static int
is_lower_hex64(const char *s)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < SIGV4_HEX_LEN; i++) {
		c = (unsigned char)s[i];
		if (!is_digit(c) && !(c >= 'a' && c <= 'f'))
			return (0);
	}
	return (s[SIGV4_HEX_LEN] == '\0');
}

enum sigv4_verdict
sigv4_verify_presigned(const struct sigv4_verify *v)
{
	struct param		 params[SIGV4_MAX_PARAMS];
	const char		*vals[SIGV4_AUTH_PARAMS];
	struct hdr		*hdrs;
	struct strbuf		 canon, list;
	const char		*service, *payload, *amz_date;
	char			*qbuf, *path, *uri, *query, *creq, *scope;
	char			*sts;
	char			 sig[SIGV4_HEX_LEN + 1], date8[9];
	size_t			 plen, qlen, np, nh, i, tlen, sigidx;
	int64_t			 t, expires, now, skew;
	enum sigv4_verdict	 rc;

	if (v == NULL || !valid_method(v->method) || v->path == NULL ||
	    !valid_field(v->access_key) || !valid_secret(v->secret_key) ||
	    !valid_field(v->region) ||
	    (v->service != NULL && !valid_field(v->service)) ||
	    (v->payload_hash != NULL && !valid_payload(v->payload_hash)) ||
	    (v->nheaders > 0 && v->headers == NULL) ||
	    (v->nrequire_signed > 0 && v->require_signed == NULL))
		return (SIGV4_ERR_INTERNAL);
	if (v->path_out != NULL)
		*v->path_out = NULL;
	service = (v->service != NULL) ? v->service : "s3";
	payload = (v->payload_hash != NULL) ? v->payload_hash :
	    SIGV4_UNSIGNED_PAYLOAD;
	skew = (v->max_skew != 0) ? v->max_skew : SIGV4_DEFAULT_SKEW;

	memset(params, 0, sizeof(params));
	memset(&canon, 0, sizeof(canon));
	memset(&list, 0, sizeof(list));
	qbuf = path = uri = query = creq = scope = sts = NULL;
	hdrs = NULL;
	np = 0;

	/* The path: decoded here, encoded once again for the signature. */
	plen = strnlen(v->path, SIGV4_MAX_PATH + 1);
	rc = SIGV4_ERR_TOO_LARGE;
	if (plen > SIGV4_MAX_PATH)
		goto done;
	rc = SIGV4_ERR_INTERNAL;
	if ((path = malloc(plen + 1)) == NULL)
		goto done;
	rc = SIGV4_ERR_BAD_ENCODING;
	if (v->path[0] != '/' || pct_decode(v->path, plen, path, NULL) == -1)
		goto done;

	/* The query and its X-Amz-* parameters. */
	rc = SIGV4_ERR_MISSING_PARAM;
	if (v->query == NULL || *v->query == '\0')
		goto done;
	qlen = strnlen(v->query, SIGV4_MAX_QUERY + 1);
	rc = SIGV4_ERR_TOO_LARGE;
	if (qlen > SIGV4_MAX_QUERY)
		goto done;
	rc = SIGV4_ERR_INTERNAL;
	if ((qbuf = malloc(2 * qlen + 2)) == NULL)
		goto done;
	if ((rc = verify_parse_query(v->query, qbuf, params, &np)) !=
	    SIGV4_OK)
		goto done;
	if ((rc = verify_find_params(params, np, vals, &sigidx)) != SIGV4_OK)
		goto done;

	rc = SIGV4_ERR_BAD_ALGORITHM;
	if (strcmp(vals[P_ALGORITHM], SIGV4_ALGORITHM) != 0)
		goto done;
	amz_date = vals[P_DATE];
	rc = SIGV4_ERR_BAD_DATE;
	if (parse_amz_date(amz_date, &t) == -1)
		goto done;
	if ((rc = verify_credential(v, vals[P_CREDENTIAL], amz_date,
	    service)) != SIGV4_OK)
		goto done;
	rc = SIGV4_ERR_BAD_EXPIRES;
	if (parse_expires(vals[P_EXPIRES], &expires) == -1)
		goto done;

	/* t is within years 0..9999: t +/- small values cannot overflow. */
	now = (int64_t)v->now;
	rc = SIGV4_ERR_NOT_YET_VALID;
	if (now < t - skew)
		goto done;
	rc = SIGV4_ERR_EXPIRED;
	if (now > t + expires)
		goto done;

	rc = SIGV4_ERR_INTERNAL;
	if ((hdrs = calloc(SIGV4_MAX_HEADERS, sizeof(*hdrs))) == NULL)
		goto done;
	if ((rc = verify_headers(v, vals[P_SIGNED_HEADERS], hdrs, &nh)) !=
	    SIGV4_OK)
		goto done;

	rc = SIGV4_ERR_BAD_TOKEN;
	if (v->session_token != NULL && *v->session_token != '\0') {
		tlen = strlen(v->session_token);
		if (vals[P_TOKEN] == NULL || strlen(vals[P_TOKEN]) != tlen ||
		    CRYPTO_memcmp(vals[P_TOKEN], v->session_token, tlen) != 0)
			goto done;
	} else if (vals[P_TOKEN] != NULL) {
		goto done;
	}

	rc = SIGV4_ERR_BAD_SIGNATURE;
	if (!is_lower_hex64(vals[P_SIGNATURE]))
		goto done;

	/*
	 * Recompute.  Every parameter but X-Amz-Signature is signed; vals[]
	 * point into qbuf, so moving params around leaves them valid.
	 */
	params[sigidx] = params[np - 1];
	memset(&params[np - 1], 0, sizeof(params[0]));
	np--;
	rc = SIGV4_ERR_INTERNAL;
	if ((query = query_canonical(params, np)) == NULL)
		goto done;
	hdrs_canonical(hdrs, nh, &canon, &list);
	if (canon.err != 0 || list.err != 0 || canon.data == NULL ||
	    list.data == NULL || strcmp(list.data, vals[P_SIGNED_HEADERS]) != 0)
		goto done;
	if ((uri = canonical_uri(path, strlen(path),
	    v->flags & SIGV4_NORMALIZE_PATH)) == NULL)
		goto done;
	if ((creq = creq_join(v->method, uri, query, canon.data, list.data,
	    payload)) == NULL)
		goto done;
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';
	if ((scope = scope_build(date8, v->region, service)) == NULL)
		goto done;
	if ((sts = sts_build(amz_date, scope, creq)) == NULL)
		goto done;
	if (sign_sts(v->secret_key, date8, v->region, service, sts,
	    sig) == -1)
		goto done;

	rc = SIGV4_ERR_SIGNATURE_MISMATCH;
	if (CRYPTO_memcmp(sig, vals[P_SIGNATURE], SIGV4_HEX_LEN) != 0)
		goto done;

	rc = SIGV4_OK;
	if (v->path_out != NULL) {
		*v->path_out = path;
		path = NULL;
	}

done:
	/* Only the encodings were allocated per parameter. */
	for (i = 0; i < np; i++) {
		free(params[i].ename);
		free(params[i].evalue);
	}
	strbuf_discard(&canon);
	strbuf_discard(&list);
	free(hdrs);
	free(qbuf);
	free(path);
	free(uri);
	free(query);
	free(creq);
	free(scope);
	free(sts);
	OPENSSL_cleanse(sig, sizeof(sig));
	return (rc);
}

const char *
sigv4_verdict_str(enum sigv4_verdict v)
{
	switch (v) {
	case SIGV4_OK:
		return ("ok");
	case SIGV4_ERR_INTERNAL:
		return ("internal");
	case SIGV4_ERR_TOO_LARGE:
		return ("too_large");
	case SIGV4_ERR_BAD_ENCODING:
		return ("bad_encoding");
	case SIGV4_ERR_DUPLICATE_PARAM:
		return ("duplicate_param");
	case SIGV4_ERR_MISSING_PARAM:
		return ("missing_param");
	case SIGV4_ERR_BAD_ALGORITHM:
		return ("bad_algorithm");
	case SIGV4_ERR_BAD_DATE:
		return ("bad_date");
	case SIGV4_ERR_BAD_CREDENTIAL:
		return ("bad_credential");
	case SIGV4_ERR_UNKNOWN_KEY:
		return ("unknown_key");
	case SIGV4_ERR_SCOPE_DATE:
		return ("scope_date");
	case SIGV4_ERR_SCOPE_REGION:
		return ("scope_region");
	case SIGV4_ERR_SCOPE_SERVICE:
		return ("scope_service");
	case SIGV4_ERR_BAD_EXPIRES:
		return ("bad_expires");
	case SIGV4_ERR_EXPIRED:
		return ("expired");
	case SIGV4_ERR_NOT_YET_VALID:
		return ("not_yet_valid");
	case SIGV4_ERR_BAD_SIGNED_HEADERS:
		return ("bad_signed_headers");
	case SIGV4_ERR_UNSIGNED_HEADER:
		return ("unsigned_header");
	case SIGV4_ERR_MISSING_HEADER:
		return ("missing_header");
	case SIGV4_ERR_BAD_TOKEN:
		return ("bad_token");
	case SIGV4_ERR_BAD_SIGNATURE:
		return ("bad_signature");
	case SIGV4_ERR_SIGNATURE_MISMATCH:
		return ("signature_mismatch");
	}
	return ("unknown");
}
