/*
 * libFuzzer target for config.c: config_load() with a fuzzed environment.
 *
 * The input is an environment, one NAME=value per line (a NUL inside a
 * line ends it; a name given twice keeps its first value, as getenv
 * would).  config_load must not crash or leak (the caller's
 * config_free() frees what a failure left), must give the same answer
 * twice, and:
 *
 *  - on failure: a non-empty one-line message of printable ASCII, so it
 *    never echoes a value with any other byte (values may be secrets);
 *    and it never contains DATABASE_URL's, LOCAL_STORAGE_SECRET's or
 *    SMTP_URL's value when that value is long enough not to be a phrase
 *    of a message;
 *  - on success: every string is set, PORT is 1..65535, WORKERS 0..64,
 *    the pool and timeouts in their documented ranges, PUBLIC_URL is
 *    http(s):// without a trailing slash, the S3 settings are there
 *    exactly when STORAGE=s3, and the CSP origin has no quote, semicolon
 *    or control byte (it goes into a header); ADMIN_USERS is a braced
 *    list of lower-case usernames (a text[] literal needing no quotes);
 *    the mail settings are there exactly when mail is on.
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -I/usr/include/postgresql -o build/fuzz/fuzz_config \
 *	    tests/fuzz/fuzz_config.c src/lib/config.c src/lib/mail.c \
 *	    src/lib/email.c src/lib/sbuf.c -lpq -lcurl -lcrypto
 *	build/fuzz/fuzz_config -max_total_time=60 \
 *	    -dict=tests/fuzz/config.dict CORPUS_COPY
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"

#define MAX_VARS	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*names[MAX_VARS];
static char	*values[MAX_VARS];
static size_t	 nvars;

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_config: %s%s%s\n", why, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static const char *
fuzz_getenv(const char *name)
{
	size_t	i;

	for (i = 0; i < nvars; i++) {
		if (strcmp(names[i], name) == 0)
			return (values[i]);
	}
	return (NULL);
}

static void
env_parse(const uint8_t *data, size_t size)
{
	const uint8_t	*p, *end, *nl;
	char		*l, *eq;

	nvars = 0;
	p = data;
	end = data + size;
	while (p < end && nvars < MAX_VARS) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		l = strndup((const char *)p, (size_t)(nl - p));
		p = nl + 1;
		if (l == NULL)
			continue;
		if ((eq = strchr(l, '=')) == NULL) {
			free(l);
			continue;
		}
		*eq = '\0';
		names[nvars] = l;
		values[nvars] = eq + 1;
		nvars++;
	}
}

static void
env_free(void)
{
	size_t	i;

	for (i = 0; i < nvars; i++)
		free(names[i]);
	nvars = 0;
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return (0);
	}
	return (1);
}

static void
no_secret_in(const char *err, const char *var)
{
	const char	*v;

	/* Long, and with a byte no message has ("@", "=", digits...). */
	if ((v = fuzz_getenv(var)) == NULL || strlen(v) < 12 ||
	    strpbrk(v, "@=&%0123456789") == NULL)
		return;
	if (strstr(err, v) != NULL)
		fail("error message echoes a secret", var);
}

static int
slash_end(const char *s)
{
	return (s != NULL && *s != '\0' && s[strlen(s) - 1] == '/');
}

static void
check_ok(const struct config *c)
{
	long	n;
	size_t	len;

	if (c->database_url == NULL || c->bind == NULL || c->port == NULL ||
	    c->public_url == NULL || c->migrations_dir == NULL ||
	    c->upload_dir == NULL || c->storage_origin == NULL)
		fail("a setting is NULL after success", NULL);
	if (config_parse_int(c->port, 1, 65535, &n) == -1)
		fail("PORT out of range", c->port);
	if (c->workers < 0 || c->workers > 64 || c->db_pool < 1 ||
	    c->db_pool > 64 || c->db_connect_timeout < 1 ||
	    c->db_connect_timeout > 60 || c->db_wait < 0 || c->db_wait > 600 ||
	    c->session_days < 1 || c->session_days > 365)
		fail("a number out of its range", NULL);
	if ((c->cookie_secure | c->access_log | c->trust_proxy |
	    c->s3_path_style) & ~1)
		fail("a boolean is not 0 or 1", NULL);
	if (c->upload_max < 1 || c->upload_url_ttl < 1 ||
	    c->upload_url_ttl > 900 || c->pending_max_age < 1 ||
	    c->sweep_interval < 1)
		fail("an upload setting out of its range", NULL);
	if (c->image_max_pixels < 1 || c->image_max_frames < 1 ||
	    c->image_max_width < 320 || c->image_max_width > 16383 ||
	    c->image_concurrency < 1 || c->image_concurrency > 16 ||
	    (c->keep_original & ~1))
		fail("an image setting out of its range", NULL);
	if ((c->cache & ~1) || c->cache_bytes < 65536 ||
	    c->cache_bytes > (1L << 30) || c->cache_max_age < 0 ||
	    c->cache_max_age > 3600 || c->cache_stale < 0 ||
	    c->cache_stale > 86400 || c->read_after_write < 1 ||
	    c->read_after_write > 3600 || c->read_max_lag_ms < 10 ||
	    c->read_max_lag_ms > 60000)
		fail("a cache setting out of its range", NULL);
	if (c->database_read_url != NULL && *c->database_read_url == '\0')
		fail("an empty DATABASE_READ_URL", NULL);
	if (strncmp(c->public_url, "http://", 7) != 0 &&
	    strncmp(c->public_url, "https://", 8) != 0)
		fail("PUBLIC_URL without http(s)://", c->public_url);
	if (c->public_url[strlen(c->public_url) - 1] == '/')
		fail("PUBLIC_URL ends with a slash", c->public_url);
	if (!printable(c->public_url) || !printable(c->storage_origin) ||
	    strpbrk(c->storage_origin, ";'\",") != NULL)
		fail("unsafe text for a header", c->storage_origin);
	if (c->storage_s3) {
		if (c->s3_bucket == NULL || c->s3_region == NULL ||
		    c->s3_public_url == NULL || *c->storage_origin == '\0')
			fail("S3 settings missing with STORAGE=s3", NULL);
		/* Image URLs are base + "/" + key: never "//". */
		if (slash_end(c->s3_public_url))
			fail("S3_PUBLIC_URL ends with a slash", NULL);
		if (c->s3_endpoint != NULL && slash_end(c->s3_endpoint))
			fail("S3_ENDPOINT ends with a slash", NULL);
	} else if (c->s3_bucket != NULL || c->s3_public_url != NULL ||
	    *c->storage_origin != '\0') {
		fail("S3 settings with local storage", NULL);
	}
	if (c->local_secret != NULL && (strlen(c->local_secret) < 32 ||
	    strlen(c->local_secret) > 256))
		fail("LOCAL_STORAGE_SECRET length", NULL);
	len = strlen(c->admin_users);
	if (len < 2 || c->admin_users[0] != '{' ||
	    c->admin_users[len - 1] != '}' || strspn(c->admin_users + 1,
	    "abcdefghijklmnopqrstuvwxyz0123456789_-,") != len - 2 ||
	    strstr(c->admin_users, ",,") || c->admin_users[1] == ',' ||
	    (len > 2 && c->admin_users[len - 2] == ','))
		fail("ADMIN_USERS is not a plain text[] literal", c->admin_users);
	if (c->mail_on != (c->smtp_url != NULL) ||
	    c->mail_on != (c->mail_from_addr != NULL) ||
	    (!c->mail_on && c->smtp_ca_file != NULL))
		fail("mail settings without mail, or mail without them", NULL);
	if (c->mail_attempts < 1 || c->mail_retry_seconds < 1)
		fail("a mail setting out of its range", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	c1, c2;
	char		e1[CONFIG_ERR_MAX], e2[CONFIG_ERR_MAX];
	int		r1, r2;

	if (size > 16384)
		return (0);
	env_parse(data, size);
	memset(e1, 0, sizeof(e1));
	memset(e2, 0, sizeof(e2));
	r1 = config_load(&c1, fuzz_getenv, e1, sizeof(e1));
	r2 = config_load(&c2, fuzz_getenv, e2, sizeof(e2));
	if (r1 != r2 || strcmp(e1, e2) != 0)
		fail("two loads of one environment differ", NULL);
	if (r1 == -1) {
		if (e1[0] == '\0')
			fail("failure without a message", NULL);
		if (!printable(e1))
			fail("message is not one line of printable ASCII", e1);
		no_secret_in(e1, "DATABASE_URL");
		no_secret_in(e1, "DATABASE_READ_URL");
		no_secret_in(e1, "LOCAL_STORAGE_SECRET");
		no_secret_in(e1, "SMTP_URL");
	} else if (r1 == 0) {
		check_ok(&c1);
		if (strcmp(c1.public_url, c2.public_url) != 0 ||
		    strcmp(c1.storage_origin, c2.storage_origin) != 0)
			fail("two loads give other settings", NULL);
	} else {
		fail("config_load returned neither 0 nor -1", NULL);
	}
	config_free(&c1);
	config_free(&c2);
	env_free();
	return (0);
}
