/*
 * libFuzzer target for sigv4.c, the signer and the verifier kblog's local
 * store runs on every presigned PUT (src/pages/store.c).  Three checks per
 * input:
 *
 *  1. Percent-encoding: sigv4_uri_encode() of any bytes (both slash
 *     modes) gives only unreserved characters, '/' when kept, and %XX
 *     with uppercase hex; decoding it gives the bytes back, or fails
 *     when they hold a NUL (the decoder refuses NULs).  sigv4_uri_decode()
 *     of the raw input agrees with a reference decoder.
 *  2. The verifier on hostile requests: the input's lines are the path,
 *     the query, the Host header and up to 80 "name:value" headers; it
 *     must return a verdict, never crash, leak or read out of bounds,
 *     and fill path_out only on SIGV4_OK.
 *  3. Presign -> verify round trip with fuzzed keys: the lines are also
 *     the raw path, host, access key, secret, region, content type,
 *     session token and an extra query parameter; when the signer
 *     accepts them, the URL it makes must verify SIGV4_OK (same headers,
 *     any time inside the validity window) and name the same raw path,
 *     while a changed signature, a later time, another secret or another
 *     content type must be refused.  The one accepted refusal is
 *     SIGV4_ERR_TOO_LARGE when the encoded path or query is over the
 *     verifier's limits (encoding can triple a path the signer took).
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_sigv4 tests/fuzz/fuzz_sigv4.c src/lib/sigv4.c \
 *	    -lcrypto
 *	build/fuzz/fuzz_sigv4 -max_total_time=60 CORPUS_COPY
 */

#define _GNU_SOURCE	/* asprintf, timegm */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/sigv4.h"

#define MAX_LINES	96
#define MAX_HDRS	80

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_sigv4: %s%s%s\n", why, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static int
hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* 1. Encoding and decoding. */
static void
check_encoding(const uint8_t *data, size_t size)
{
	char		*enc, *dec, *ref;
	size_t		 i, o, dlen;
	int		 keep, has_nul, ok, hi, lo;
	unsigned char	 c;

	has_nul = memchr(data, 0, size) != NULL;
	for (keep = 0; keep < 2; keep++) {
		if ((enc = sigv4_uri_encode((const char *)data, size,
		    keep)) == NULL)
			fail("encode failed", NULL);
		if (strlen(enc) > 3 * size)
			fail("encoding too long", NULL);
		for (i = 0; enc[i] != '\0'; i++) {
			c = (unsigned char)enc[i];
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			    c == '.' || c == '~' || (keep && c == '/'))
				continue;
			if (c != '%' || hexv((unsigned char)enc[i + 1]) < 0 ||
			    hexv((unsigned char)enc[i + 2]) < 0 ||
			    (enc[i + 1] >= 'a' && enc[i + 1] <= 'f') ||
			    (enc[i + 2] >= 'a' && enc[i + 2] <= 'f'))
				fail("bad byte in encoding", enc);
			i += 2;
		}
		dec = sigv4_uri_decode(enc, strlen(enc), &dlen);
		if (has_nul) {
			if (dec != NULL || errno != EINVAL)
				fail("decoded an encoded NUL", NULL);
		} else if (dec == NULL || dlen != size ||
		    memcmp(dec, data, size) != 0 || dec[dlen] != '\0') {
			fail("encode/decode round trip differs", NULL);
		}
		free(dec);
		free(enc);
	}

	/* Decoding the raw input, against a reference decoder. */
	if ((ref = malloc(size + 1)) == NULL)
		return;
	ok = 1;
	for (i = o = 0; i < size && ok; i++) {
		if (data[i] == '\0') {
			ok = 0;
		} else if (data[i] != '%') {
			ref[o++] = (char)data[i];
		} else if (size - i < 3 || (hi = hexv(data[i + 1])) < 0 ||
		    (lo = hexv(data[i + 2])) < 0 || (hi | lo) == 0) {
			ok = 0;
		} else {
			ref[o++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	dec = sigv4_uri_decode((const char *)data, size, &dlen);
	if ((dec != NULL) != ok)
		fail("decoder disagrees with the reference on validity", NULL);
	if (dec != NULL && (dlen != o || memcmp(dec, ref, o) != 0 ||
	    strlen(dec) != dlen))
		fail("decoder disagrees with the reference", NULL);
	free(dec);
	free(ref);
}

/* The input's lines, NUL-terminated (a NUL inside a line ends it). */
struct lines {
	char	*l[MAX_LINES];
	size_t	 n;
};

static void
lines_split(struct lines *ls, const uint8_t *data, size_t size)
{
	const uint8_t	*p, *end, *nl;

	ls->n = 0;
	p = data;
	end = data + size;
	while (p <= end && ls->n < MAX_LINES) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		ls->l[ls->n++] = strndup((const char *)p, (size_t)(nl - p));
		p = nl + 1;
	}
}

static void
lines_free(struct lines *ls)
{
	size_t	i;

	for (i = 0; i < ls->n; i++)
		free(ls->l[i]);
	ls->n = 0;
}

static const char *
line(const struct lines *ls, size_t i, const char *def)
{
	return (i < ls->n && ls->l[i] != NULL ? ls->l[i] : def);
}

/* X-Amz-Date=YYYYMMDDTHHMMSSZ in a raw query, as a time; -1 if none. */
static int64_t
query_date(const char *q)
{
	const char	*p;
	struct tm	 tm;
	int		 y, mo, d, h, mi, s;

	if (q == NULL || (p = strstr(q, "X-Amz-Date=")) == NULL)
		return (-1);
	p += strlen("X-Amz-Date=");
	if (sscanf(p, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &s) != 6)
		return (-1);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return ((int64_t)timegm(&tm));
}

/* 2. The verifier on whatever arrives. */
static void
check_verify(const struct lines *ls, uint8_t ctrl)
{
	static const char *const	 required[] = { "content-length",
					    "content-type", "host" };
	struct sigv4_kv			 hdrs[MAX_HDRS];
	struct sigv4_verify		 v;
	enum sigv4_verdict		 rc;
	char				*path_out, *colon;
	int64_t				 t;
	size_t				 i, nh;

	nh = 0;
	for (i = 3; i < ls->n && nh < MAX_HDRS; i++) {
		/* Split in place: the lines are ours. */
		if ((colon = strchr(ls->l[i], ':')) != NULL) {
			*colon = '\0';
			hdrs[nh].value = colon + 1;
		} else {
			hdrs[nh].value = NULL;
		}
		hdrs[nh].name = (ctrl & 0x80) && nh == 0 ? NULL : ls->l[i];
		nh++;
	}

	memset(&v, 0, sizeof(v));
	v.method = (ctrl & 1) ? "GET" : "PUT";
	v.path = line(ls, 0, "/");
	v.query = (ctrl & 0x40) && ls->n < 2 ? NULL : line(ls, 1, NULL);
	v.host = line(ls, 2, NULL);
	v.headers = hdrs;
	v.nheaders = nh;
	if (ctrl & 2) {
		v.require_signed = required;
		v.nrequire_signed = 3;
	}
	v.access_key = "kblog-local";
	v.secret_key = "fuzz-secret-fuzz-secret-fuzz-secret";
	v.session_token = (ctrl & 4) ? "fuzz-token" : NULL;
	v.region = "local";
	v.service = (ctrl & 8) ? NULL : "s3";
	v.flags = (ctrl & 0x10) ? SIGV4_NORMALIZE_PATH : 0;
	v.max_skew = (ctrl & 0x20) ? 1 : 0;
	t = query_date(v.query);
	v.now = (time_t)(t >= 0 ? t + (ctrl >> 5) * 37 : 1767225600);
	path_out = (char *)"untouched";
	v.path_out = &path_out;
	rc = sigv4_verify_presigned(&v);
	if (rc < SIGV4_OK || rc > SIGV4_ERR_SIGNATURE_MISMATCH)
		fail("verdict out of range", NULL);
	if (sigv4_verdict_str(rc) == NULL)
		fail("no verdict string", NULL);
	if (rc == SIGV4_OK) {
		if (path_out == NULL || path_out[0] != '/')
			fail("OK without a path", NULL);
		free(path_out);
	} else if (path_out != NULL && rc != SIGV4_ERR_INTERNAL) {
		fail("path_out set on failure", NULL);
	}
}

static uint64_t
fnv(const uint8_t *data, size_t size)
{
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	return (h);
}

static enum sigv4_verdict
verify_url(const char *url, const char *host, const struct sigv4_kv *hdrs,
    size_t nh, const char *ak, const char *secret, const char *token,
    const char *region, time_t now, char **path_out)
{
	static const char *const	 required[] = { "content-length",
					    "content-type", "host" };
	struct sigv4_verify		 v;
	enum sigv4_verdict		 rc;
	char				*copy, *q;

	if ((copy = strdup(url)) == NULL)
		return (SIGV4_ERR_INTERNAL);
	if ((q = strchr(copy, '?')) == NULL)
		fail("presigned target without a query", url);
	*q++ = '\0';
	memset(&v, 0, sizeof(v));
	v.method = "PUT";
	v.path = copy;
	v.query = q;
	v.host = host;
	v.headers = hdrs;
	v.nheaders = nh;
	v.require_signed = required;
	v.nrequire_signed = 3;
	v.access_key = ak;
	v.secret_key = secret;
	v.session_token = token;
	v.region = region;
	v.service = "s3";
	v.now = now;
	v.path_out = path_out;
	rc = sigv4_verify_presigned(&v);
	free(copy);
	return (rc);
}

/* 3. Presign with fuzzed keys, then verify. */
static void
check_roundtrip(const struct lines *ls, const uint8_t *data, size_t size,
    uint8_t ctrl)
{
	struct sigv4_request	 r;
	struct sigv4_kv		 hdrs[3], q[1];
	enum sigv4_verdict	 rc;
	char			 date[SIGV4_DATE_LEN + 1], len[24], *path;
	char			*url, *tampered, *sig, *path_out, *eq;
	char			*other;
	const char		*token, *qmark;
	uint64_t		 h;
	time_t			 t;
	unsigned int		 expires;
	size_t			 nh, nq;

	h = fnv(data, size);
	t = (time_t)(h % 253402300800ULL);	/* up to 9999-12-31 */
	if (sigv4_format_date(t, date) == -1)
		fail("sigv4_format_date refused a year <= 9999", NULL);
	expires = (unsigned int)((h >> 40) % SIGV4_MAX_EXPIRES) + 1;

	path = NULL;
	if (asprintf(&path, "%s%s", line(ls, 0, "/")[0] == '/' ? "" : "/",
	    line(ls, 0, "/")) == -1)
		return;
	(void)snprintf(len, sizeof(len), "%zu", size);
	hdrs[0].name = "Content-Type";
	hdrs[0].value = line(ls, 6, "image/png");
	hdrs[1].name = "content-length";
	hdrs[1].value = len;
	nh = 2;
	if (ls->n > 9) {
		hdrs[2].name = ls->l[9];	/* an extra header, no value */
		hdrs[2].value = line(ls, 10, "");
		nh = 3;
	}
	nq = 0;
	if (ls->n > 8) {
		q[0].name = ls->l[8];
		q[0].value = NULL;
		if ((eq = strchr(ls->l[8], '=')) != NULL) {
			*eq = '\0';
			q[0].value = eq + 1;
		}
		nq = 1;
	}
	token = (ctrl & 0x40) ? line(ls, 7, NULL) : NULL;

	memset(&r, 0, sizeof(r));
	r.method = "PUT";
	r.host = line(ls, 2, "127.0.0.1:8888");
	r.path = path;
	r.query = q;
	r.nquery = nq;
	r.headers = hdrs;
	r.nheaders = nh;
	r.access_key = line(ls, 3, "kblog-local");
	r.secret_key = line(ls, 4, "secret");
	r.session_token = token;
	r.region = line(ls, 5, "local");
	r.service = "s3";
	r.amz_date = date;
	r.expires = expires;
	if ((url = sigv4_presign(&r)) == NULL) {
		if (errno != EINVAL && errno != E2BIG && errno != ENOMEM)
			fail("presign failed without a reason", NULL);
		free(path);
		return;
	}
	if (token != NULL && *token == '\0')
		token = NULL;

	/* Anywhere in [date - skew, date + expires]. */
	path_out = NULL;
	rc = verify_url(url, r.host, hdrs, nh, r.access_key, r.secret_key,
	    token, r.region, t + (time_t)(h >> 20) % (expires + 1),
	    &path_out);
	qmark = strchr(url, '?');
	if (rc == SIGV4_ERR_TOO_LARGE && ((size_t)(qmark - url) >
	    SIGV4_MAX_PATH || strlen(qmark + 1) > SIGV4_MAX_QUERY))
		goto done;
	if (rc != SIGV4_OK) {
		fprintf(stderr, "verdict %s for %s\n", sigv4_verdict_str(rc),
		    url);
		fail("a presigned URL does not verify", sigv4_verdict_str(rc));
	}
	if (path_out == NULL || strcmp(path_out, path) != 0)
		fail("verified another path", path_out);
	free(path_out);

	/* Too late. */
	if (verify_url(url, r.host, hdrs, nh, r.access_key, r.secret_key,
	    token, r.region, t + expires + 1, NULL) != SIGV4_ERR_EXPIRED)
		fail("an expired URL was not refused as expired", url);
	/* Another secret. */
	if (strcmp(r.secret_key, "another secret") != 0 &&
	    verify_url(url, r.host, hdrs, nh, r.access_key, "another secret",
	    token, r.region, t, NULL) != SIGV4_ERR_SIGNATURE_MISMATCH)
		fail("another secret verified", url);
	/* A changed signature (its last hex digit). */
	if ((tampered = strdup(url)) == NULL)
		goto done;
	sig = tampered + strlen(tampered) - 1;
	*sig = (*sig == '0') ? '1' : '0';
	if (verify_url(tampered, r.host, hdrs, nh, r.access_key, r.secret_key,
	    token, r.region, t, NULL) != SIGV4_ERR_SIGNATURE_MISMATCH)
		fail("a changed signature verified", tampered);
	free(tampered);
	/* Another content type (signed header): one more byte. */
	if (asprintf(&other, "%sx", hdrs[0].value) == -1)
		goto done;
	hdrs[0].value = other;
	if (verify_url(url, r.host, hdrs, nh, r.access_key, r.secret_key,
	    token, r.region, t, NULL) != SIGV4_ERR_SIGNATURE_MISMATCH)
		fail("another content type verified", url);
	free(other);
done:
	free(url);
	free(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lines	ls;
	uint8_t		ctrl;

	if (size > 32768)
		return (0);
	check_encoding(data, size);
	if (size < 1)
		return (0);
	ctrl = data[0];
	lines_split(&ls, data + 1, size - 1);
	check_verify(&ls, ctrl);
	lines_free(&ls);
	lines_split(&ls, data + 1, size - 1);
	check_roundtrip(&ls, data, size, ctrl);
	lines_free(&ls);
	return (0);
}
