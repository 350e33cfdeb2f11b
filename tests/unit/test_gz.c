/*
 * Unit tests for lib/gz.c: gz_compress() output decompressed by zlib's
 * own inflate (gzip wrapper only) gives back the input byte for byte,
 * with a correct RFC 1952 header and trailer (CRC-32 and size); a table
 * of Accept-Encoding values and the coding each must give (RFC 9110,
 * section 12.5.3); the compressible content types.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "lib/gz.h"

/* Inflates a whole gzip member with zlib; returns the bytes (malloc). */
static unsigned char *
gunzip(const void *in, size_t len, size_t *outlen)
{
	z_stream	 z;
	unsigned char	*out;
	size_t		 cap = 1024, n = 0;
	int		 rc;

	out = malloc(cap);
	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);	/* gzip only */
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	do {
		if (cap - n < 1024) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		z.next_out = out + n;
		z.avail_out = (uInt)(cap - n);
		rc = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
		assert_true(rc == Z_OK || rc == Z_STREAM_END);
	} while (rc != Z_STREAM_END);
	/* One member, nothing after it. */
	assert_int_equal(z.avail_in, 0);
	inflateEnd(&z);
	*outlen = n;
	return (out);
}

static uint32_t
le32(const unsigned char *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

static void
round_trip(const void *in, size_t len, int level)
{
	struct sbuf		 b;
	const unsigned char	*g;
	unsigned char		*back;
	size_t			 backlen;

	sbuf_init(&b, 16);
	assert_int_equal(gz_compress(&b, in, len, level), 0);
	g = (const unsigned char *)b.data;
	/* RFC 1952: ID1 ID2 CM=8 (deflate) ... CRC32 ISIZE at the end. */
	assert_true(b.len >= 18);
	assert_int_equal(g[0], 0x1f);
	assert_int_equal(g[1], 0x8b);
	assert_int_equal(g[2], 8);
	assert_int_equal(le32(g + b.len - 4), (uint32_t)len);
	assert_int_equal(le32(g + b.len - 8),
	    (uint32_t)crc32(0, in, (uInt)len));
	back = gunzip(b.data, b.len, &backlen);
	assert_int_equal(backlen, len);
	if (len > 0)
		assert_memory_equal(back, in, len);
	free(back);
	sbuf_free(&b);
}

static void
test_round_trips(void **state)
{
	static const char	text[] =
	    "<!doctype html><title>kblog</title><p>Hello, world.</p>";
	unsigned char		*big;
	size_t			 i;
	unsigned int		 seed = 1;
	int			 level;

	(void)state;
	round_trip("", 0, -1);
	round_trip(NULL, 0, -1);
	round_trip("x", 1, -1);
	round_trip(text, sizeof(text) - 1, -1);
	round_trip("a\0b\0\xff\xfe", 6, 9);

	/* 1 MiB of HTML-like text, and 1 MiB of noise (grows a little). */
	big = malloc(1 << 20);
	assert_non_null(big);
	for (i = 0; i < (1 << 20); i++)
		big[i] = (unsigned char)text[i % (sizeof(text) - 1)];
	for (level = -1; level <= 9; level++)
		round_trip(big, 1 << 20, level);
	for (i = 0; i < (1 << 20); i++) {
		seed = seed * 1103515245 + 12345;
		big[i] = (unsigned char)(seed >> 16);
	}
	round_trip(big, 1 << 20, -1);
	round_trip(big, 1 << 20, 0);
	free(big);
}

static void
test_compresses_and_appends(void **state)
{
	struct sbuf	 b;
	char		 page[8192];
	unsigned char	*back;
	size_t		 backlen, i;

	(void)state;
	for (i = 0; i < sizeof(page); i++)
		page[i] = "<li><a href=\"/posts/1\">A post</a></li>\n"[i % 39];
	/* Appends after what the buffer holds; an empty sbuf works too. */
	memset(&b, 0, sizeof(b));
	sbuf_adds(&b, "head");
	assert_int_equal(gz_compress(&b, page, sizeof(page), 6), 0);
	assert_memory_equal(b.data, "head", 4);
	assert_true(b.len - 4 < sizeof(page) / 10);
	back = gunzip(b.data + 4, b.len - 4, &backlen);
	assert_int_equal(backlen, sizeof(page));
	assert_memory_equal(back, page, sizeof(page));
	free(back);
	/* The same input gives the same bytes (ETags may rely on it). */
	{
		struct sbuf	c;

		sbuf_init(&c, 64);
		sbuf_adds(&c, "head");
		assert_int_equal(gz_compress(&c, page, sizeof(page), 6), 0);
		assert_int_equal(c.len, b.len);
		assert_memory_equal(c.data, b.data, b.len);
		sbuf_free(&c);
	}
	/* sbuf_cstr() still works after it. */
	(void)sbuf_cstr(&b);
	sbuf_free(&b);
}

static void
test_compress_refuses(void **state)
{
	struct sbuf	b;

	(void)state;
	sbuf_init(&b, 16);
	sbuf_adds(&b, "keep");
	assert_int_equal(gz_compress(&b, "x", 1, 10), -1);
	assert_int_equal(gz_compress(&b, "x", 1, -2), -1);
	assert_int_equal(gz_compress(&b, NULL, 1, -1), -1);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "keep", 4);
	sbuf_free(&b);
}

static const struct {
	const char	*value;		/* NULL: no Accept-Encoding field */
	enum gz_coding	 want;
} accept_table[] = {
	/* No field, an empty one: identity. */
	{ NULL, GZ_IDENTITY },
	{ "", GZ_IDENTITY },
	{ "  ", GZ_IDENTITY },
	{ ",", GZ_IDENTITY },
	/* What browsers and tools send. */
	{ "gzip, deflate, br", GZ_GZIP },
	{ "gzip, deflate, br, zstd", GZ_GZIP },
	{ "gzip, deflate", GZ_GZIP },
	{ "gzip", GZ_GZIP },
	{ "br", GZ_IDENTITY },
	{ "deflate", GZ_IDENTITY },
	{ "identity", GZ_IDENTITY },
	{ "x-gzip", GZ_GZIP },
	{ "GZIP", GZ_GZIP },
	{ "X-Gzip", GZ_GZIP },
	{ "gzip;q=1.0, identity; q=0.5, *;q=0", GZ_GZIP },
	/* q-values. */
	{ "gzip;q=0", GZ_IDENTITY },
	{ "gzip;q=0.0", GZ_IDENTITY },
	{ "gzip;q=0.000", GZ_IDENTITY },
	{ "gzip;q=0.001", GZ_GZIP },
	{ "gzip;Q=0.5", GZ_GZIP },
	{ "gzip ; q=0.5", GZ_GZIP },
	{ "gzip;\tq=0.5", GZ_GZIP },
	{ "gzip;q=1", GZ_GZIP },
	{ "gzip;q=1.", GZ_GZIP },
	{ "gzip;q=1.000", GZ_GZIP },
	{ "gzip;q=0.5, identity;q=0.6", GZ_IDENTITY },
	{ "gzip;q=0.6, identity;q=0.5", GZ_GZIP },
	{ "gzip;q=0.5, identity;q=0.5", GZ_GZIP },	/* a tie: gzip */
	{ "identity;q=1, gzip;q=0.999", GZ_IDENTITY },
	/* Unlisted identity ranks below any listed coding. */
	{ "gzip;q=0.1", GZ_GZIP },
	/* *: every coding not listed. */
	{ "*", GZ_GZIP },
	{ "*;q=0.5", GZ_GZIP },
	{ "*;q=0", GZ_NONE },
	{ "*;q=0, identity", GZ_IDENTITY },
	{ "*;q=0, gzip", GZ_GZIP },
	{ "*, gzip;q=0", GZ_IDENTITY },
	{ "*;q=0.5, identity;q=1", GZ_IDENTITY },
	{ "*;q=0.5, identity;q=0.2", GZ_GZIP },
	{ "br, *;q=0.1", GZ_GZIP },
	/* Identity refused. */
	{ "identity;q=0", GZ_NONE },
	{ "identity;q=0, gzip", GZ_GZIP },
	{ "gzip;q=0, identity;q=0", GZ_NONE },
	{ "br, identity;q=0", GZ_NONE },
	/* Listed twice: the lower q counts. */
	{ "gzip, gzip;q=0", GZ_IDENTITY },
	{ "gzip;q=0, gzip", GZ_IDENTITY },
	{ "gzip;q=0.3, gzip;q=0.9, identity;q=0.5", GZ_IDENTITY },
	/* Bad elements are ignored, not the field. */
	{ "gzip;q=2", GZ_IDENTITY },
	{ "gzip;q=1.5", GZ_IDENTITY },
	{ "gzip;q=1.001", GZ_IDENTITY },
	{ "gzip;q=0.1234", GZ_IDENTITY },
	{ "gzip;q=.5", GZ_IDENTITY },
	{ "gzip;q=-1", GZ_IDENTITY },
	{ "gzip;q=", GZ_IDENTITY },
	{ "gzip;q", GZ_IDENTITY },
	{ "gzip;", GZ_IDENTITY },
	{ "gzip;q = 0.5", GZ_IDENTITY },
	{ "gzip;q=\"0.5\"", GZ_IDENTITY },
	{ "gzip;q=0.5;q=0.5", GZ_IDENTITY },
	{ "gzip/1", GZ_IDENTITY },
	{ "gzip deflate", GZ_IDENTITY },
	{ "gzip;q=2, identity", GZ_IDENTITY },
	{ "gzip;q=0.5x", GZ_IDENTITY },
	{ "identity;q=0x, gzip;q=0", GZ_IDENTITY },
	{ "identity;q=bad", GZ_IDENTITY },
	{ "*;q=0 x, identity;q=0", GZ_NONE },
	{ "bogus;q=9, gzip", GZ_GZIP },
	{ "\"gzip\", deflate", GZ_IDENTITY },
	{ ";q=1, gzip", GZ_GZIP },
	/* Other parameters are ignored; quoted values may hold commas. */
	{ "gzip;level=9", GZ_GZIP },
	{ "gzip;a=\"x, *;q=0\"", GZ_GZIP },
	{ "gzip;a=\"x\\\"y\", identity;q=0", GZ_GZIP },
	{ "gzip;a=\"unterminated, identity", GZ_IDENTITY },
	{ "gzip;a=, identity", GZ_IDENTITY },
	/* Names that merely look like gzip. */
	{ "gzipx", GZ_IDENTITY },
	{ "xgzip", GZ_IDENTITY },
	{ "x-gzip2", GZ_IDENTITY },
	{ "gz", GZ_IDENTITY },
	/* Empty list elements and white space are fine. */
	{ " , ,gzip ,, ", GZ_GZIP },
	{ "\tgzip\t", GZ_GZIP },
};

static void
test_accept_table(void **state)
{
	enum gz_coding	got;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(accept_table) / sizeof(accept_table[0]); i++) {
		const char	*v = accept_table[i].value;

		got = gz_accept(v, v != NULL ? strlen(v) : 0);
		if (got != accept_table[i].want)
			fail_msg("Accept-Encoding \"%s\": got %d, want %d",
			    v != NULL ? v : "(none)", got,
			    accept_table[i].want);
	}
}

/* The length counts, not a NUL: bytes past it are never read. */
static void
test_accept_length(void **state)
{
	(void)state;
	assert_int_equal(gz_accept("gzip;q=0", 4), GZ_GZIP);
	assert_int_equal(gz_accept("identity;q=0", 8), GZ_IDENTITY);
	assert_int_equal(gz_accept("gzip\0;q=0", 9), GZ_IDENTITY);
	assert_int_equal(gz_accept("gzip", 0), GZ_IDENTITY);
}

static void
test_compressible(void **state)
{
	static const char *const yes[] = {
		"text/html", "text/html; charset=utf-8", "TEXT/CSS",
		"text/plain;charset=utf-8", "application/json",
		"application/json; charset=utf-8", "application/atom+xml",
		"application/xml", "image/svg+xml", "text/javascript",
		"application/javascript", "application/problem+json",
		"application/vnd.api+json", "application/json ;x=y",
		NULL
	};
	static const char *const no[] = {
		"image/png", "image/jpeg", "image/webp", "font/woff2",
		"application/octet-stream", "application/gzip",
		"application/zip", "text/", "text", "", "application/+json",
		"application/jsonx", "xapplication/json", NULL
	};
	size_t	i;

	(void)state;
	for (i = 0; yes[i] != NULL; i++) {
		if (!gz_compressible(yes[i]))
			fail_msg("should compress %s", yes[i]);
	}
	for (i = 0; no[i] != NULL; i++) {
		if (gz_compressible(no[i]))
			fail_msg("should not compress %s", no[i]);
	}
	assert_false(gz_compressible(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_compresses_and_appends),
		cmocka_unit_test(test_compress_refuses),
		cmocka_unit_test(test_accept_table),
		cmocka_unit_test(test_accept_length),
		cmocka_unit_test(test_compressible),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
