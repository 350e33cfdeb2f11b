/*
 * test_s3.c: unit tests for the pure parts of src/s3.c and src/creds.c
 * (no network: the requests themselves are tested against Swift and
 * tests/peers/imds.py by tests/integration/test_s3_client.py).
 *
 * Presigned PUT URLs: layout for virtual-hosted and path style, AWS and
 * custom endpoints, the Host with and without a (default) port, key
 * encoding, the session token in the signed query, expiry bounds, and
 * every URL checked with sigv4's verifier.  Two signatures are known
 * answers computed independently with botocore 1.29 (S3SigV4QueryAuth,
 * clock fixed at 2024-01-01T00:00:00Z, same key, headers and expiry).
 * Then input checks, s3_object_url, creds_needs_refresh and
 * creds_parse_time.
 *
 * Build (as the Makefile does once src/s3.c and src/creds.c are in
 * PURE_SRCS and -lcurl in UNIT_LIBS):
 *   cc -std=gnu99 -D_GNU_SOURCE -Wall -Wextra -Werror -g -Isrc \
 *     -o build/unit/test_s3 tests/unit/test_s3.c src/s3.c src/creds.c src/curlhdr.c \
 *     src/sigv4.c src/sbuf.c -lcmocka -lcurl -lcrypto -ljansson -pthread
 */

#include <sys/types.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "creds.h"
#include "s3.h"
#include "sigv4.h"

/* 2024-01-01T00:00:00Z */
#define T_NOW		((time_t)1704067200)
#define T_AK		"AKIAIOSFODNN7EXAMPLE"
#define T_SK		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define T_TOKEN		"FwoGZXIvYXdzE+/token=="
#define T_TOKEN_ENC	"FwoGZXIvYXdzE%2B%2Ftoken%3D%3D"

#define QUERY_HEAD	"X-Amz-Algorithm=AWS4-HMAC-SHA256" \
	"&X-Amz-Credential=" T_AK \
	"%2F20240101%2Feu-west-3%2Fs3%2Faws4_request" \
	"&X-Amz-Date=20240101T000000Z&X-Amz-Expires=300"
#define SIGNED_HEADERS	\
	"X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"

static const char *const put_required[] = { "content-length", "content-type" };

static void
creds_init(struct aws_creds *c, const char *token)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->access_key, T_AK);
	strcpy(c->secret_key, T_SK);
	if (token != NULL)
		strcpy(c->session_token, token);
}

static void
cfg_init(struct s3_config *cfg, const char *endpoint, int path_style)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->endpoint = endpoint;
	cfg->region = "eu-west-3";
	cfg->bucket = "kblog";
	cfg->path_style = path_style;
}

/* What a verification uses besides the URL. */
struct vcheck {
	const char	*host;		/* Host header as received */
	const char	*ctype;
	const char	*length;
	const char	*token;		/* expected token, or NULL */
	time_t		 now;
	char		*path_out;	/* set on SIGV4_OK; to free */
};

/* Split url into scheme, host, path and query, and verify it. */
static enum sigv4_verdict
verify_url(const char *url, struct vcheck *vc)
{
	struct sigv4_verify	 v;
	struct sigv4_kv		 hdrs[2];
	enum sigv4_verdict	 got;
	const char		*p, *slash, *q;
	char			*path, *query;

	p = strstr(url, "://");
	assert_non_null(p);
	slash = strchr(p + 3, '/');
	assert_non_null(slash);
	q = strchr(slash, '?');
	assert_non_null(q);
	path = strndup(slash, (size_t)(q - slash));
	query = strdup(q + 1);
	assert_non_null(path);
	assert_non_null(query);

	hdrs[0].name = "Content-Type";
	hdrs[0].value = vc->ctype;
	hdrs[1].name = "Content-Length";
	hdrs[1].value = vc->length;
	memset(&v, 0, sizeof(v));
	v.method = "PUT";
	v.path = path;
	v.query = query;
	v.host = vc->host;
	v.headers = hdrs;
	v.nheaders = 2;
	v.require_signed = put_required;
	v.nrequire_signed = 2;
	v.access_key = T_AK;
	v.secret_key = T_SK;
	v.session_token = vc->token;
	v.region = "eu-west-3";
	v.now = vc->now != 0 ? vc->now : T_NOW + 10;
	vc->path_out = NULL;
	v.path_out = &vc->path_out;
	got = sigv4_verify_presigned(&v);
	free(path);
	free(query);
	return (got);
}

/* The host part of a URL ("a.b:9000"), malloc'd. */
static char *
url_host(const char *url)
{
	const char	*p, *slash;
	char		*h;

	p = strstr(url, "://");
	assert_non_null(p);
	p += 3;
	slash = strchr(p, '/');
	assert_non_null(slash);
	h = strndup(p, (size_t)(slash - p));
	assert_non_null(h);
	return (h);
}

static void
assert_verdict(const char *url, struct vcheck *vc, enum sigv4_verdict want)
{
	enum sigv4_verdict	got;

	got = verify_url(url, vc);
	if (got != want)
		fail_msg("%s: got %s, want %s", url, sigv4_verdict_str(got),
		    sigv4_verdict_str(want));
}

static void
test_presign_virtual_hosted_aws(void **state)
{
	struct s3_config	 cfg;
	struct aws_creds	 c;
	struct vcheck		 vc;
	char			*url;

	(void)state;
	cfg_init(&cfg, NULL, 0);
	creds_init(&c, NULL);
	url = s3_presign_put(&cfg, &c, "u/42/abc.jpg", "image/jpeg", 12345,
	    300, T_NOW);
	assert_non_null(url);
	/* Known answer (botocore). */
	assert_string_equal(url,
	    "https://kblog.s3.eu-west-3.amazonaws.com/u/42/abc.jpg?"
	    QUERY_HEAD "&" SIGNED_HEADERS "&X-Amz-Signature="
	    "0d3ec47dd830c44682c05e97341bd2f890022b030e36a02c134cd62edd827ca9");

	memset(&vc, 0, sizeof(vc));
	vc.host = "kblog.s3.eu-west-3.amazonaws.com";
	vc.ctype = "image/jpeg";
	vc.length = "12345";
	assert_verdict(url, &vc, SIGV4_OK);
	assert_string_equal(vc.path_out, "/u/42/abc.jpg");
	free(vc.path_out);

	/* Each bound value matters. */
	vc.length = "12346";
	assert_verdict(url, &vc, SIGV4_ERR_SIGNATURE_MISMATCH);
	vc.length = "12345";
	vc.ctype = "image/png";
	assert_verdict(url, &vc, SIGV4_ERR_SIGNATURE_MISMATCH);
	vc.ctype = "image/jpeg";
	vc.host = "other.s3.eu-west-3.amazonaws.com";
	assert_verdict(url, &vc, SIGV4_ERR_SIGNATURE_MISMATCH);
	vc.host = "kblog.s3.eu-west-3.amazonaws.com";
	/* Expiry: valid to the last second. */
	vc.now = T_NOW + 300;
	assert_verdict(url, &vc, SIGV4_OK);
	free(vc.path_out);
	vc.now = T_NOW + 301;
	assert_verdict(url, &vc, SIGV4_ERR_EXPIRED);
	free(url);
}

static void
test_presign_path_style_aws(void **state)
{
	struct s3_config	 cfg;
	struct aws_creds	 c;
	struct vcheck		 vc;
	char			*url;

	(void)state;
	cfg_init(&cfg, NULL, 1);
	creds_init(&c, NULL);
	url = s3_presign_put(&cfg, &c, "u/42/abc.jpg", "image/jpeg", 12345,
	    300, T_NOW);
	assert_non_null(url);
	assert_true(strncmp(url, "https://s3.eu-west-3.amazonaws.com/kblog/"
	    "u/42/abc.jpg?" QUERY_HEAD "&" SIGNED_HEADERS "&X-Amz-Signature=",
	    strlen("https://s3.eu-west-3.amazonaws.com/kblog/u/42/abc.jpg?"
	    QUERY_HEAD "&" SIGNED_HEADERS "&X-Amz-Signature=")) == 0);
	memset(&vc, 0, sizeof(vc));
	vc.host = "s3.eu-west-3.amazonaws.com";
	vc.ctype = "image/jpeg";
	vc.length = "12345";
	assert_verdict(url, &vc, SIGV4_OK);
	assert_string_equal(vc.path_out, "/kblog/u/42/abc.jpg");
	free(vc.path_out);
	free(url);
}

static void
test_presign_endpoints_and_ports(void **state)
{
	static const struct {
		const char	*endpoint;
		int		 path_style;
		const char	*prefix;	/* URL up to the '?' */
		const char	*host;		/* signed Host */
	} cases[] = {
		{ "http://127.0.0.1:9000", 1,
		    "http://127.0.0.1:9000/kblog/u/42/abc.jpg",
		    "127.0.0.1:9000" },
		{ "http://127.0.0.1:9000/", 1,
		    "http://127.0.0.1:9000/kblog/u/42/abc.jpg",
		    "127.0.0.1:9000" },
		{ "HTTP://127.0.0.1:8080", 1,
		    "http://127.0.0.1:8080/kblog/u/42/abc.jpg",
		    "127.0.0.1:8080" },
		{ "http://MinIO.Example:80", 1,
		    "http://minio.example/kblog/u/42/abc.jpg",
		    "minio.example" },
		{ "http://minio.example:443", 1,
		    "http://minio.example:443/kblog/u/42/abc.jpg",
		    "minio.example:443" },
		{ "https://store.example:443", 0,
		    "https://kblog.store.example/u/42/abc.jpg",
		    "kblog.store.example" },
		{ "https://store.example:8443", 0,
		    "https://kblog.store.example:8443/u/42/abc.jpg",
		    "kblog.store.example:8443" },
		{ "https://store.example", 1,
		    "https://store.example/kblog/u/42/abc.jpg",
		    "store.example" },
		{ "http://s3.localhost:31200", 0,
		    "http://kblog.s3.localhost:31200/u/42/abc.jpg",
		    "kblog.s3.localhost:31200" },
		{ "http://[::1]:9000", 1,
		    "http://[::1]:9000/kblog/u/42/abc.jpg", "[::1]:9000" },
		{ "http://[::1]", 1,
		    "http://[::1]/kblog/u/42/abc.jpg", "[::1]" },
	};
	struct s3_config	 cfg;
	struct aws_creds	 c;
	struct vcheck		 vc;
	char			*url, *host, *plain;
	size_t			 i, n;

	(void)state;
	creds_init(&c, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg_init(&cfg, cases[i].endpoint, cases[i].path_style);
		url = s3_presign_put(&cfg, &c, "u/42/abc.jpg", "image/jpeg",
		    12345, 300, T_NOW);
		if (url == NULL)
			fail_msg("%s: NULL", cases[i].endpoint);
		n = strlen(cases[i].prefix);
		if (strncmp(url, cases[i].prefix, n) != 0 || url[n] != '?')
			fail_msg("%s: %s", cases[i].endpoint, url);
		host = url_host(url);
		assert_string_equal(host, cases[i].host);
		memset(&vc, 0, sizeof(vc));
		vc.host = cases[i].host;
		vc.ctype = "image/jpeg";
		vc.length = "12345";
		assert_verdict(url, &vc, SIGV4_OK);
		free(vc.path_out);
		/* The port is part of what was signed. */
		vc.host = "127.0.0.1:9001";
		assert_verdict(url, &vc, SIGV4_ERR_SIGNATURE_MISMATCH);
		/* The plain URL has the same scheme, host and path. */
		plain = s3_object_url(&cfg, "u/42/abc.jpg");
		assert_non_null(plain);
		assert_string_equal(plain, cases[i].prefix);
		free(plain);
		free(host);
		free(url);
	}
}

static void
test_key_encoding(void **state)
{
	struct s3_config	 cfg;
	struct aws_creds	 c;
	struct vcheck		 vc;
	const char		*key = "u/42/a b+c~(1)!*'=&?#%;\xc3\xa9.jpg";
	const char		*enc = "http://127.0.0.1:9000/kblog/u/42/"
				    "a%20b%2Bc~%281%29%21%2A%27%3D%26%3F%23%25"
				    "%3B%C3%A9.jpg";
	char			*url, *plain, want[256];

	(void)state;
	cfg_init(&cfg, "http://127.0.0.1:9000", 1);
	creds_init(&c, NULL);
	url = s3_presign_put(&cfg, &c, key, "image/jpeg", 1, 300, T_NOW);
	assert_non_null(url);
	assert_true(strncmp(url, enc, strlen(enc)) == 0);
	assert_int_equal(url[strlen(enc)], '?');
	memset(&vc, 0, sizeof(vc));
	vc.host = "127.0.0.1:9000";
	vc.ctype = "image/jpeg";
	vc.length = "1";
	assert_verdict(url, &vc, SIGV4_OK);
	snprintf(want, sizeof(want), "/kblog/%s", key);
	assert_string_equal(vc.path_out, want);
	free(vc.path_out);
	plain = s3_object_url(&cfg, key);
	assert_non_null(plain);
	assert_string_equal(plain, enc);
	free(plain);
	free(url);

	/* Known answer (botocore), with a session token too. */
	creds_init(&c, T_TOKEN);
	url = s3_presign_put(&cfg, &c, "u/42/a b+c~(1)!.jpg", "image/png", 7,
	    300, T_NOW);
	assert_non_null(url);
	assert_string_equal(url,
	    "http://127.0.0.1:9000/kblog/u/42/a%20b%2Bc~%281%29%21.jpg?"
	    QUERY_HEAD "&X-Amz-Security-Token=" T_TOKEN_ENC "&" SIGNED_HEADERS
	    "&X-Amz-Signature="
	    "e94139cf7c788df865818727ec6e9ec64be35699443743817eb4e571b65636d7");
	free(url);
}

static void
test_session_token_in_query(void **state)
{
	struct s3_config	 cfg;
	struct aws_creds	 c;
	struct vcheck		 vc;
	char			*url;

	(void)state;
	cfg_init(&cfg, NULL, 0);
	creds_init(&c, T_TOKEN);
	url = s3_presign_put(&cfg, &c, "u/1/x.gif", "image/gif", 3, 300,
	    T_NOW);
	assert_non_null(url);
	/* Inside the signed query, sorted before X-Amz-SignedHeaders. */
	assert_non_null(strstr(url, "&X-Amz-Expires=300&X-Amz-Security-Token="
	    T_TOKEN_ENC "&" SIGNED_HEADERS "&X-Amz-Signature="));
	memset(&vc, 0, sizeof(vc));
	vc.host = "kblog.s3.eu-west-3.amazonaws.com";
	vc.ctype = "image/gif";
	vc.length = "3";
	vc.token = T_TOKEN;
	assert_verdict(url, &vc, SIGV4_OK);
	free(vc.path_out);
	vc.token = NULL;
	assert_verdict(url, &vc, SIGV4_ERR_BAD_TOKEN);
	vc.token = "another";
	assert_verdict(url, &vc, SIGV4_ERR_BAD_TOKEN);
	free(url);

	/* No token: no parameter at all. */
	creds_init(&c, NULL);
	url = s3_presign_put(&cfg, &c, "u/1/x.gif", "image/gif", 3, 300,
	    T_NOW);
	assert_non_null(url);
	assert_null(strstr(url, "Security-Token"));
	free(url);
}

static void
test_expiry_bounds(void **state)
{
	static const int	 bad[] = { 0, -1, 604801, -604800 };
	struct s3_config	 cfg;
	struct aws_creds	 c;
	char			*url;
	size_t			 i;

	(void)state;
	cfg_init(&cfg, NULL, 0);
	creds_init(&c, NULL);
	url = s3_presign_put(&cfg, &c, "k.jpg", "image/jpeg", 1, 1, T_NOW);
	assert_non_null(url);
	assert_non_null(strstr(url, "&X-Amz-Expires=1&"));
	free(url);
	url = s3_presign_put(&cfg, &c, "k.jpg", "image/jpeg", 1, 604800,
	    T_NOW);
	assert_non_null(url);
	assert_non_null(strstr(url, "&X-Amz-Expires=604800&"));
	free(url);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		url = s3_presign_put(&cfg, &c, "k.jpg", "image/jpeg", 1,
		    bad[i], T_NOW);
		assert_null(url);
		assert_int_equal(errno, EINVAL);
	}
	/* Length is written in full, 64-bit. */
	url = s3_presign_put(&cfg, &c, "k.jpg", "image/jpeg",
	    UINT64_C(18446744073709551615), 60, T_NOW);
	assert_non_null(url);
	free(url);
}

static void
test_bad_input(void **state)
{
	static const char *const bad_buckets[] = { "Kblog", "kb", "-kblog",
	    "kblog-", "kb_log", "kblog.", "" };
	static const char *const bad_regions[] = { "EU-WEST-3", "", "eu/west",
	    "eu.west.3" };
	static const char *const bad_endpoints[] = { "ftp://h", "http://",
	    "http:///", "http://h/path", "http://user@h", "http://h:0",
	    "http://h:65536", "http://h:9x", "http://h?x", "http://h#x",
	    "http://h:", "h:9000", "http://[::1", "http://[]:80",
	    "http://[::1]x", "http://h h" };
	static const char *const bad_keys[] = { "", "/x", "a//b", "a/./b",
	    "a/../b", "..", ".", "a/", "a/.", "a/.." };
	struct s3_config	 cfg;
	struct aws_creds	 c;
	struct s3_object	 obj;
	unsigned char		 buf[4];
	char			*url, longkey[S3_MAX_KEY + 2];
	size_t			 i, got;
	int			 status;

	(void)state;
	creds_init(&c, NULL);
	for (i = 0; i < sizeof(bad_buckets) / sizeof(bad_buckets[0]); i++) {
		cfg_init(&cfg, NULL, 0);
		cfg.bucket = bad_buckets[i];
		errno = 0;
		assert_null(s3_object_url(&cfg, "k"));
		assert_int_equal(errno, EINVAL);
	}
	cfg_init(&cfg, NULL, 0);
	cfg.bucket = NULL;
	assert_null(s3_object_url(&cfg, "k"));
	for (i = 0; i < sizeof(bad_regions) / sizeof(bad_regions[0]); i++) {
		cfg_init(&cfg, NULL, 0);
		cfg.region = bad_regions[i];
		assert_null(s3_presign_put(&cfg, &c, "k", "image/png", 1, 60,
		    T_NOW));
	}
	for (i = 0; i < sizeof(bad_endpoints) / sizeof(bad_endpoints[0]);
	    i++) {
		cfg_init(&cfg, bad_endpoints[i], 1);
		errno = 0;
		url = s3_object_url(&cfg, "k");
		if (url != NULL)
			fail_msg("%s accepted: %s", bad_endpoints[i], url);
		assert_int_equal(errno, EINVAL);
	}
	/* Virtual-hosted style on an IP address makes no sense. */
	cfg_init(&cfg, "http://127.0.0.1:9000", 0);
	assert_null(s3_object_url(&cfg, "k"));
	cfg_init(&cfg, "http://[::1]:9000", 0);
	assert_null(s3_object_url(&cfg, "k"));

	cfg_init(&cfg, "http://127.0.0.1:9000", 1);
	for (i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		errno = 0;
		if ((url = s3_object_url(&cfg, bad_keys[i])) != NULL)
			fail_msg("key \"%s\" accepted", bad_keys[i]);
		assert_int_equal(errno, EINVAL);
	}
	assert_null(s3_object_url(&cfg, NULL));
	memset(longkey, 'a', sizeof(longkey));
	longkey[S3_MAX_KEY] = '\0';
	url = s3_object_url(&cfg, longkey);
	assert_non_null(url);
	free(url);
	longkey[S3_MAX_KEY] = 'a';
	longkey[S3_MAX_KEY + 1] = '\0';
	assert_null(s3_object_url(&cfg, longkey));
	/* Dots inside a segment are fine. */
	url = s3_object_url(&cfg, "u/1/..a/.b/c..");
	assert_non_null(url);
	free(url);

	/* Content type: required, no CR/LF. */
	assert_null(s3_presign_put(&cfg, &c, "k", "", 1, 60, T_NOW));
	assert_null(s3_presign_put(&cfg, &c, "k", NULL, 1, 60, T_NOW));
	assert_null(s3_presign_put(&cfg, &c, "k", "image/png\r\nX-A: b", 1,
	    60, T_NOW));
	/* Credentials: required. */
	assert_null(s3_presign_put(&cfg, NULL, "k", "image/png", 1, 60,
	    T_NOW));
	c.access_key[0] = '\0';
	errno = 0;
	assert_null(s3_presign_put(&cfg, &c, "k", "image/png", 1, 60, T_NOW));
	assert_int_equal(errno, EINVAL);

	/* The requests refuse the same input before any I/O. */
	creds_init(&c, NULL);
	errno = 0;
	obj.status = 99;
	assert_int_equal(s3_head(&cfg, &c, "a/../b", &obj), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(obj.status, 0);
	errno = 0;
	status = 99;
	assert_int_equal(s3_get_range(&cfg, &c, "k", 0, buf, &got, &status),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(status, 0);
	assert_int_equal(s3_delete(&cfg, NULL, "k", &status), -1);
	assert_int_equal(status, 0);
}

static void
test_object_url(void **state)
{
	struct s3_config	 cfg;
	char			*url;

	(void)state;
	cfg_init(&cfg, NULL, 0);
	url = s3_object_url(&cfg, "u/42/a b.jpg");
	assert_non_null(url);
	assert_string_equal(url,
	    "https://kblog.s3.eu-west-3.amazonaws.com/u/42/a%20b.jpg");
	free(url);
	cfg_init(&cfg, NULL, 1);
	url = s3_object_url(&cfg, "u/42/a b.jpg");
	assert_non_null(url);
	assert_string_equal(url,
	    "https://s3.eu-west-3.amazonaws.com/kblog/u/42/a%20b.jpg");
	free(url);
}

static void
test_creds_needs_refresh(void **state)
{
	struct aws_creds	c;

	(void)state;
	creds_init(&c, NULL);
	c.expires = 0;
	assert_false(creds_needs_refresh(&c, T_NOW));
	assert_false(creds_needs_refresh(&c, (time_t)INT32_MAX));
	c.expires = T_NOW + 3600;
	assert_false(creds_needs_refresh(&c, T_NOW));
	assert_false(creds_needs_refresh(&c, c.expires - 901));
	assert_true(creds_needs_refresh(&c, c.expires - 900));
	assert_true(creds_needs_refresh(&c, c.expires));
	assert_true(creds_needs_refresh(&c, c.expires + 1));
	assert_false(creds_needs_refresh(NULL, T_NOW));
	creds_clear(&c);
	assert_int_equal(c.access_key[0], '\0');
	assert_int_equal(c.expires, 0);
}

static void
test_creds_parse_time(void **state)
{
	static const struct {
		const char	*s;
		time_t		 t;
	} good[] = {
		{ "2024-01-01T00:00:00Z", T_NOW },
		{ "2024-01-01T00:00:00.123Z", T_NOW },
		{ "2024-01-01t00:00:00z", T_NOW },
		{ "2024-01-01T01:00:00+01:00", T_NOW },
		{ "2023-12-31T23:00:00-01:00", T_NOW },
		{ "2024-01-01T05:30:00+05:30", T_NOW },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T12:00:00Z", (time_t)1709208000 },
		{ "2000-02-29T00:00:00Z", (time_t)951782400 },
	};
	static const char *const bad[] = { "", "2024-01-01",
	    "2024-01-01T00:00:00",
	    "2024-01-01 00:00:00Z", "2024-13-01T00:00:00Z",
	    "2024-00-01T00:00:00Z", "2024-01-32T00:00:00Z",
	    "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
	    "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
	    "2024-01-01T00:00:00ZX", "2024-01-01T00:00:00.Z",
	    "2024-01-01T00:00:00+0100", "2024-01-01T00:00:00+1",
	    "+024-01-01T00:00:00Z",
	    "1969-12-31T23:59:59Z", "2024-1-01T00:00:00Z" };
	time_t	t;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = -1;
		if (creds_parse_time(good[i].s, &t) != 0)
			fail_msg("refused %s", good[i].s);
		if (t != good[i].t)
			fail_msg("%s: %lld, want %lld", good[i].s,
			    (long long)t, (long long)good[i].t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (creds_parse_time(bad[i], &t) == 0)
			fail_msg("accepted %s", bad[i]);
	}
	assert_int_equal(creds_parse_time(NULL, &t), -1);
}

static void
test_creds_config_from_env(void **state)
{
	struct creds_config	cc;

	(void)state;
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	unsetenv("KBLOG_ECS_ENDPOINT");
	unsetenv("AWS_EC2_METADATA_DISABLED");
	creds_config_from_env(&cc);
	assert_string_equal(cc.imds_endpoint, "http://169.254.169.254");
	assert_string_equal(cc.ecs_endpoint, "http://169.254.170.2");
	assert_int_equal(cc.imds_disabled, 0);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
	setenv("KBLOG_ECS_ENDPOINT", "http://127.0.0.1:2", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	creds_config_from_env(&cc);
	assert_string_equal(cc.imds_endpoint, "http://127.0.0.1:1");
	assert_string_equal(cc.ecs_endpoint, "http://127.0.0.1:2");
	assert_int_equal(cc.imds_disabled, 1);
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	unsetenv("KBLOG_ECS_ENDPOINT");
	unsetenv("AWS_EC2_METADATA_DISABLED");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presign_virtual_hosted_aws),
		cmocka_unit_test(test_presign_path_style_aws),
		cmocka_unit_test(test_presign_endpoints_and_ports),
		cmocka_unit_test(test_key_encoding),
		cmocka_unit_test(test_session_token_in_query),
		cmocka_unit_test(test_expiry_bounds),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_object_url),
		cmocka_unit_test(test_creds_needs_refresh),
		cmocka_unit_test(test_creds_parse_time),
		cmocka_unit_test(test_creds_config_from_env),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
