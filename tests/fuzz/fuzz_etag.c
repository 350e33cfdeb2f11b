/*
 * libFuzzer target for lib/etag.c.  The input is "ours\nvalue": our
 * entity-tag (when it is not a valid one, the tag made from the input's
 * bytes is used) and an If-None-Match value.
 *
 *  - etag_none_match() agrees with a reference written differently (a
 *    byte-at-a-time state machine over RFC 9110's grammar);
 *  - a match on a value other than "*" means our opaque tag, in quotes,
 *    occurs in the value;
 *  - adding our tag, or W/ and our tag, to the end of a value that is
 *    well formed always matches; adding anything to a malformed value
 *    never does;
 *  - etag_valid() agrees with the reference on the first line;
 *  - made tags are valid, the same for the same bytes, and 34 bytes
 *    (plus the suffix); bytes past a length are never read.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_etag tests/fuzz/fuzz_etag.c src/lib/etag.c \
 *	    -lsodium
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/etag.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum ref_state { R_START, R_W, R_WSLASH, R_IN, R_AFTER };

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_etag: %s\n", what);
	abort();
}

static int
ref_etagc(unsigned char c)
{
	return (c == '!' || (c >= '#' && c <= '~') || c >= 0x80);
}

/*
 * The reference: -1 when v is malformed, else whether a listed tag's
 * opaque part equals op (oplen bytes).  "*" alone is 2.
 */
static int
ref_match(const unsigned char *v, size_t len, const unsigned char *op,
    size_t oplen)
{
	enum ref_state	st = R_START;
	size_t		i, a = 0, b = len, start = 0;
	int		match = 0;

	while (a < len && (v[a] == ' ' || v[a] == '\t'))
		a++;
	while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
		b--;
	if (b - a == 1 && v[a] == '*')
		return (2);
	for (i = 0; i < len; i++) {
		switch (st) {
		case R_START:
			if (v[i] == 'W')
				st = R_W;
			else if (v[i] == '"') {
				st = R_IN;
				start = i + 1;
			} else if (v[i] != ' ' && v[i] != '\t' && v[i] != ',')
				return (-1);
			break;
		case R_W:
			if (v[i] != '/')
				return (-1);
			st = R_WSLASH;
			break;
		case R_WSLASH:
			if (v[i] != '"')
				return (-1);
			st = R_IN;
			start = i + 1;
			break;
		case R_IN:
			if (v[i] == '"') {
				if (i - start == oplen &&
				    memcmp(v + start, op, oplen) == 0)
					match = 1;
				st = R_AFTER;
			} else if (!ref_etagc(v[i]))
				return (-1);
			break;
		case R_AFTER:
			if (v[i] == ',')
				st = R_START;
			else if (v[i] != ' ' && v[i] != '\t')
				return (-1);
			break;
		}
	}
	return (st == R_START || st == R_AFTER ? match : -1);
}

/* Whether s is one entity-tag, by the reference's rules. */
static int
ref_valid(const unsigned char *s, size_t len, size_t *op, size_t *oplen)
{
	size_t	i = 0, j;

	if (len >= 2 && s[0] == 'W' && s[1] == '/')
		i = 2;
	if (len < i + 2 || s[i] != '"' || s[len - 1] != '"')
		return (0);
	for (j = i + 1; j < len - 1; j++) {
		if (!ref_etagc(s[j]))
			return (0);
	}
	*op = i + 1;
	*oplen = len - 2 - i;
	return (1);
}

/* etag_none_match on an exact-size heap copy of the value. */
static int
inm(const void *v, size_t len, const char *etag)
{
	char	*copy;
	int	 r;

	if ((copy = malloc(len + 1)) == NULL)
		abort();
	if (len > 0)
		memcpy(copy, v, len);
	r = etag_none_match(copy, len, etag);
	free(copy);
	return (r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nl, *val;
	char		 made[ETAG_BUFSZ], again[ETAG_BUFSZ], *ours, *ext;
	size_t		 ourlen, vlen, op, oplen;
	int		 r, ref, valid;

	nl = memchr(data, '\n', size);
	ourlen = nl != NULL ? (size_t)(nl - data) : 0;
	val = nl != NULL ? nl + 1 : data;
	vlen = size - (size_t)(val - data);

	/* Made tags. */
	if (etag_from_body(made, sizeof(made), data, size,
	    size > 0 && data[0] & 1 ? "gz" : NULL) !=
	    (size > 0 && data[0] & 1 ? 37 : 34) ||
	    !etag_valid(made, strlen(made)))
		fail("made tag");
	if (etag_from_body(again, sizeof(again), data, size,
	    size > 0 && data[0] & 1 ? "gz" : NULL) < 0 ||
	    strcmp(made, again) != 0)
		fail("made tag not stable");

	/* Our tag: the first line when valid (and without NUL). */
	valid = ref_valid(data, ourlen, &op, &oplen) &&
	    memchr(data, '\0', ourlen) == NULL;
	if (etag_valid((const char *)data, ourlen) !=
	    ref_valid(data, ourlen, &op, &oplen))
		fail("etag_valid differs from the reference");
	if ((ours = malloc(ourlen + 1)) == NULL)
		abort();
	if (valid) {
		memcpy(ours, data, ourlen);
		ours[ourlen] = '\0';
	} else {
		free(ours);
		if ((ours = strdup(made)) == NULL)
			abort();
		ourlen = strlen(ours);
		op = 1;
		oplen = ourlen - 2;
	}

	r = inm(val, vlen, ours);
	ref = ref_match(val, vlen, (const unsigned char *)ours + op, oplen);
	if (r != (ref > 0))
		fail("differs from the reference");
	if (r && ref != 2 && (oplen + 2 > vlen ||
	    memmem(val, vlen, ours + op - 1, oplen + 2) == NULL))
		fail("a match without our tag in the value");

	/* value + ", " + [W/] ours */
	if ((ext = malloc(vlen + ourlen + 5)) == NULL)
		abort();
	if (vlen > 0)
		memcpy(ext, val, vlen);
	memcpy(ext + vlen, ", W/", 4);
	memcpy(ext + vlen + 4, ours + op - 1, oplen + 2);
	if (ref == 2)
		;	/* "*, tag" is malformed */
	else if (inm(ext, vlen + 4 + oplen + 2, ours) != (ref >= 0))
		fail("appending our weak tag");
	memcpy(ext + vlen, ", ", 2);
	memcpy(ext + vlen + 2, ours + op - 1, oplen + 2);
	if (ref != 2 && inm(ext, vlen + 2 + oplen + 2, ours) != (ref >= 0))
		fail("appending our tag");
	free(ext);
	free(ours);
	return (0);
}
