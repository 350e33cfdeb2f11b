/*
 * libFuzzer target for src/lib/slug.c (and src/lib/ufold.c).  The first
 * byte picks the language (none, Turkish, Lithuanian), the rest is a
 * title.  The slug must be:
 *
 *  - never empty, shorter than SLUG_SIZE, valid UTF-8, at most
 *    SLUG_MAX_CHARS code points;
 *  - letters, digits, combining marks and single '-' between them,
 *    never '-' at either end, a mark never right after '-' or first;
 *  - its own slug (a fixed point, in the same language);
 *  - canonical in the path slug_path() writes for it, and not canonical
 *    with one byte more; slug_parse() finds the id again.
 *
 * Any bytes given to slug_parse() and slug_is_canonical() as a path
 * segment: no crash, and an id only when it is > 0.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_slug tests/fuzz/fuzz_slug.c \
 *	    src/lib/slug.c src/lib/ufold.c src/lib/html.c src/lib/sbuf.c -lunistring
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "lib/html.h"
#include "lib/slug.h"
#include "lib/ufold.h"
#include "lib/sbuf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
die(const char *what, const char *slug)
{
	fprintf(stderr, "fuzz_slug: %s: \"%s\"\n", what, slug);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = { NULL, "tr", "lt", "az-Latn" };
	char			 out[SLUG_SIZE], again[SLUG_SIZE], *seg;
	const char		*lang;
	struct html		 b;
	enum ufold_class	 cl, prev;
	size_t			 n, i, cps;
	ucs4_t			 c;
	int64_t			 id;
	int			 k;

	if (size == 0)
		return (0);
	lang = langs[data[0] % 4];
	n = slug_make(out, (const char *)data + 1, size - 1, lang);
	if (n == 0 || n >= SLUG_SIZE || strlen(out) != n)
		die("bad length", out);
	if (!utf8_valid(out, n))
		die("invalid UTF-8", out);
	if (out[0] == '-' || out[n - 1] == '-' || strstr(out, "--"))
		die("bad '-'", out);
	prev = UFOLD_OTHER;
	for (i = 0, cps = 0; i < n; i += (size_t)k, cps++) {
		k = u8_mbtoucr(&c, (const uint8_t *)out + i, n - i);
		if (k <= 0)
			die("undecodable", out);
		cl = c == '-' ? UFOLD_OTHER : ufold_class(c);
		if (c != '-' && cl != UFOLD_LETTER && cl != UFOLD_DIGIT &&
		    cl != UFOLD_MARK)
			die("a character that is no letter, digit or mark",
			    out);
		if (cl == UFOLD_MARK && prev == UFOLD_OTHER)
			die("a mark with no letter", out);
		prev = cl;
	}
	if (cps > SLUG_MAX_CHARS)
		die("too long", out);
	(void)slug_make(again, out, n, lang);
	if (strcmp(again, out) != 0)
		die("not a fixed point", out);

	html_init(&b, 64);
	id = 1 + (int64_t)(data[0] * 7919);
	slug_path(&b, id, out);
	seg = sbuf_cstr(&b.b) + strlen("/posts/");
	if (!slug_is_canonical(seg, id, out) ||
	    slug_is_canonical(seg, id + 1, out))
		die("slug_path() not canonical", out);
	if (slug_parse(seg, &id) != 0 || id != 1 + (int64_t)(data[0] * 7919))
		die("slug_parse() lost the id", out);
	html_lit(&b, "x");
	seg = sbuf_cstr(&b.b) + strlen("/posts/");
	if (slug_is_canonical(seg, id, out))
		die("a longer slug is canonical", out);
	html_free(&b);

	/* The input as a path segment. */
	if ((seg = malloc(size)) == NULL)
		abort();
	memcpy(seg, data + 1, size - 1);
	seg[size - 1] = '\0';
	id = 0;
	if (slug_parse(seg, &id) == 0) {
		if (id <= 0)
			die("id <= 0", seg);
		(void)slug_is_canonical(seg, id, out);
	}
	free(seg);
	return (0);
}
