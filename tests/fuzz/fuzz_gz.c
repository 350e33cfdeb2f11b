/*
 * libFuzzer target for lib/gz.c.
 *
 * gz_accept() on any bytes as an Accept-Encoding value:
 *  - the answer is one of the three codings, and the same when the
 *    value is upper-cased (names and "q" are case-insensitive; nothing
 *    else it reads changes with case);
 *  - GZ_GZIP only when "gzip" or "*" occurs in the value;
 *  - GZ_NONE only when a "q=0" (any case) occurs in it;
 *  - after "gzip;q=0, " in front, never GZ_GZIP; after "identity;q=0,
 *    *;q=0, " in front, never GZ_IDENTITY (the lower q counts, and a
 *    well-formed element cannot be undone by what follows);
 *  - after "gzip, " in front of a value without quotes or "q=" (no way
 *    to refuse or outrank gzip), always GZ_GZIP;
 *  - bytes past the length are never read (the copy is exact-size).
 * gz_compress() on the same bytes at a level from the first byte:
 *  - zlib's inflate gives them back exactly.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_gz tests/fuzz/fuzz_gz.c src/lib/gz.c \
 *	    src/lib/sbuf.c -lz
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "lib/gz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_gz: %s\n", what);
	abort();
}

/* memmem, case-insensitive for ASCII letters. */
static int
has(const char *s, size_t len, const char *needle)
{
	size_t	n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++) {
		if (strncasecmp(s + i, needle, n) == 0)
			return (1);
	}
	return (0);
}

/* gz_accept on an exact-size heap copy (ASan catches overreads). */
static enum gz_coding
accept_with(const char *prefix, const uint8_t *data, size_t size)
{
	size_t		 plen = strlen(prefix);
	char		*v;
	enum gz_coding	 c;

	if ((v = malloc(plen + size + 1)) == NULL)
		abort();
	memcpy(v, prefix, plen);
	if (size > 0)
		memcpy(v + plen, data, size);
	c = gz_accept(v, plen + size);
	free(v);
	return (c);
}

static void
check_accept(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	char		*up;
	enum gz_coding	 c;
	size_t		 i;

	c = accept_with("", data, size);
	if (c != GZ_IDENTITY && c != GZ_GZIP && c != GZ_NONE)
		fail("not a coding");
	if ((up = malloc(size + 1)) == NULL)
		abort();
	for (i = 0; i < size; i++)
		up[i] = (char)(data[i] >= 'a' && data[i] <= 'z' ?
		    data[i] - 32 : data[i]);
	if (accept_with("", (const uint8_t *)up, size) != c)
		fail("case changed the answer");
	free(up);
	if (c == GZ_GZIP && !has(s, size, "gzip") &&
	    memchr(s, '*', size) == NULL)
		fail("gzip without gzip or *");
	if (c == GZ_NONE && !has(s, size, "q=0"))
		fail("none without q=0");
	if (!has(s, size, "q=") && memchr(s, '"', size) == NULL &&
	    accept_with("gzip, ", data, size) != GZ_GZIP)
		fail("listed gzip was not chosen");
	if (accept_with("gzip;q=0, ", data, size) == GZ_GZIP)
		fail("refused gzip was chosen");
	if (accept_with("identity;q=0, *;q=0, ", data, size) == GZ_IDENTITY)
		fail("refused identity was chosen");
}

static void
check_compress(const uint8_t *data, size_t size)
{
	struct sbuf	 b;
	z_stream	 z;
	unsigned char	*back;
	int		 level, rc;

	level = size > 0 ? (int)(data[0] % 11) - 1 : -1;
	sbuf_init(&b, 64);
	if (gz_compress(&b, data, size, level) != 0)
		fail("gz_compress failed");
	if ((back = malloc(size + 1)) == NULL)
		abort();
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + 15) != Z_OK)
		abort();
	z.next_in = (Bytef *)b.data;
	z.avail_in = (uInt)b.len;
	z.next_out = back;
	z.avail_out = (uInt)size + 1;
	rc = inflate(&z, Z_FINISH);
	if (rc != Z_STREAM_END || z.total_out != size || z.avail_in != 0 ||
	    (size > 0 && memcmp(back, data, size) != 0))
		fail("round trip");
	inflateEnd(&z);
	free(back);
	sbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_accept(data, size);
	check_compress(data, size);
	return (0);
}
